//! `sandbox.fs()` against a live daytona-local in headless Chromium: every file operation,
//! streamed transfers with progress, and cancellation that leaves nothing behind.

mod common;

use std::cell::Cell;
use std::rc::Rc;

use daytona_wasm::models::SandboxState;
use daytona_wasm::{CreateSandboxParams, ErrorKind, FilePermissionsParams, Sandbox, TransferOptions, TransferProgress};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

async fn sandbox() -> Sandbox {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    assert_eq!(sb.state(), SandboxState::Started);
    sb
}

fn blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts).expect("blob")
}

/// A blob of `mib` MiB whose bytes follow a known pattern (built browser-side, not in wasm).
fn big_blob(mib: usize) -> web_sys::Blob {
    let chunk: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
    let chunk = js_sys::Uint8Array::from(chunk.as_slice());
    let parts = js_sys::Array::new();
    for _ in 0..mib {
        parts.push(&chunk);
    }
    web_sys::Blob::new_with_u8_array_sequence(&parts).expect("blob")
}

async fn blob_text(b: &web_sys::Blob) -> String {
    JsFuture::from(b.text()).await.expect("text").as_string().expect("string")
}

#[wasm_bindgen_test]
async fn file_operations() {
    let sb = sandbox().await;
    let fs = sb.fs();
    let none = TransferOptions::default();
    fs.create_folder("proj/src", "750").await.expect("mkdir");
    assert_eq!(fs.get_file_details("proj/src").await.expect("info").permissions, "0750");
    fs.upload_files(
        &[
            (blob(b"fn main() { println!(\"hi\"); }\n"), "proj/src/main.rs".into()),
            (blob(b"# Demo\nhi there\n"), "proj/README.md".into()),
        ],
        &none,
    )
    .await
    .expect("upload");

    let listed = fs.list_files("proj").await.expect("list");
    let names: Vec<_> = listed.iter().map(|f| (f.name.as_str(), f.is_dir)).collect();
    assert_eq!(names, vec![("src", true), ("README.md", false)]);
    let info = fs.get_file_details("proj/README.md").await.expect("info");
    assert_eq!((info.size, info.is_dir, info.path.as_deref()), (16, false, Some("/home/daytona/proj/README.md")));

    let found = fs.find_files("proj", "hi").await.expect("find");
    let mut hits: Vec<_> = found.iter().map(|m| (m.file.as_str(), m.line)).collect();
    hits.sort();
    assert_eq!(hits, vec![("/home/daytona/proj/README.md", 2), ("/home/daytona/proj/src/main.rs", 1)]);
    let searched = fs.search_files("proj", "*.rs").await.expect("search");
    assert_eq!(searched.files, vec!["/home/daytona/proj/src/main.rs".to_owned()]);

    let replaced = fs
        .replace_in_files(vec!["proj/README.md".into(), "proj/missing.md".into()], "hi", "hello")
        .await
        .expect("replace");
    assert_eq!(replaced.iter().map(|r| r.success).collect::<Vec<_>>(), vec![Some(true), Some(false)]);
    let text = blob_text(&fs.download_file("proj/README.md", &none).await.expect("download")).await;
    assert_eq!(text, "# Demo\nhello there\n");

    fs.move_files("proj/README.md", "proj/NOTES.md").await.expect("move");
    let err = fs.move_files("proj/src/main.rs", "proj/NOTES.md").await.expect_err("move onto existing");
    assert_eq!(err.kind(), ErrorKind::Conflict);
    fs.set_file_permissions("proj/NOTES.md", &FilePermissionsParams { mode: Some("600".into()), ..Default::default() })
        .await
        .expect("chmod");
    assert_eq!(fs.get_file_details("proj/NOTES.md").await.expect("info").mode, "-rw-------");

    let err = fs.get_file_details("proj/nope.txt").await.expect_err("missing file");
    assert_eq!((err.kind(), err.status_code(), err.code()), (ErrorKind::NotFound, Some(404), Some("FILE_NOT_FOUND")));
    let err = fs.download_file("proj/nope.txt", &none).await.expect_err("missing download");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = fs.delete_file("proj", false).await.expect_err("non-empty dir without recursive");
    assert_eq!((err.kind(), err.code()), (ErrorKind::BadRequest, Some("BAD_REQUEST")));
    fs.delete_file("proj", true).await.expect("rm -r");
    assert!(fs.list_files(".").await.expect("list home").iter().all(|f| f.name != "proj"));
    sb.delete(None).await.expect("delete");
}

#[wasm_bindgen_test]
async fn streamed_transfer_with_progress_and_abort() {
    let sb = sandbox().await;
    let fs = sb.fs();
    let mib = 64;
    let reports = Rc::new(Cell::new((0u32, 0u64)));
    let seen = Rc::clone(&reports);
    let opts = TransferOptions {
        on_progress: Some(Rc::new(move |p: TransferProgress| seen.set((seen.get().0 + 1, p.loaded)))),
        ..Default::default()
    };
    fs.upload_file(&big_blob(mib), "big/data.bin", &opts).await.expect("upload");
    let (count, last) = reports.get();
    assert!(count >= 1, "upload progress reported");
    assert!(last >= (mib as u64) << 20, "upload progress reached the end: {last}");
    assert_eq!(fs.get_file_details("big/data.bin").await.expect("info").size, (mib as i64) << 20);
    let sum = sb
        .process()
        .exec("cmp <(head -c 1048576 big/data.bin) <(tail -c 1048576 big/data.bin) && echo same", None, None, None)
        .await
        .expect("cmp");
    assert_eq!(sum.result, "same\n");

    reports.set((0, 0));
    let file = fs.download_file_stream("big/data.bin", &opts).await.expect("download stream");
    assert_eq!(file.size, Some((mib as u64) << 20));
    let reader: web_sys::ReadableStreamDefaultReader = file.stream.get_reader().unchecked_into();
    let mut total = 0u64;
    let mut first = None;
    loop {
        let chunk = JsFuture::from(reader.read()).await.expect("read");
        if js_sys::Reflect::get(&chunk, &"done".into()).unwrap().as_bool() == Some(true) {
            break;
        }
        let bytes: js_sys::Uint8Array = js_sys::Reflect::get(&chunk, &"value".into()).unwrap().unchecked_into();
        if first.is_none() {
            first = Some(bytes.get_index(1));
        }
        total += bytes.length() as u64;
    }
    assert_eq!(total, (mib as u64) << 20);
    assert_eq!(first, Some(1), "bytes arrive in order");
    assert_eq!(reports.get().1, total, "download progress reached the end");

    // Abort an upload over an existing file mid-way: the old file must stay intact and no
    // partial or temporary file may remain.
    fs.upload_file(&blob(b"original"), "big/keep.txt", &TransferOptions::default()).await.expect("small upload");
    let controller = web_sys::AbortController::new().expect("controller");
    let signal = controller.signal();
    let abort_at_first = Rc::new(controller);
    let abort = Rc::clone(&abort_at_first);
    let opts = TransferOptions {
        on_progress: Some(Rc::new(move |p: TransferProgress| {
            if p.loaded > 0 {
                abort.abort();
            }
        })),
        signal: Some(signal),
        ..Default::default()
    };
    let err = fs.upload_file(&big_blob(256), "big/keep.txt", &opts).await.expect_err("aborted upload");
    assert_eq!(err.kind(), ErrorKind::Aborted, "{err}");
    let mut still = String::new();
    for _ in 0..20 {
        // The server notices the broken connection asynchronously; give it a moment.
        still =
            blob_text(&fs.download_file("big/keep.txt", &TransferOptions::default()).await.expect("download")).await;
        let names: Vec<String> = fs.list_files("big").await.expect("list").into_iter().map(|f| f.name).collect();
        if names == ["data.bin", "keep.txt"] {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(100).await;
    }
    assert_eq!(still, "original");
    let names: Vec<String> = fs.list_files("big").await.expect("list").into_iter().map(|f| f.name).collect();
    assert_eq!(names, vec!["data.bin".to_owned(), "keep.txt".to_owned()], "no partial upload left behind");

    // Without a progress callback an upload goes by fetch: its signal and its timeout stop it
    // as well, mid-way, and the old file stays.
    let controller = web_sys::AbortController::new().expect("controller");
    let opts = TransferOptions { signal: Some(controller.signal()), ..Default::default() };
    let big = big_blob(256);
    let aborted = fs.upload_file(&big, "big/keep.txt", &opts);
    let abort_soon = async {
        gloo_timers::future::TimeoutFuture::new(50).await;
        controller.abort();
    };
    let (err, ()) = futures::join!(aborted, abort_soon);
    assert_eq!(err.expect_err("aborted upload").kind(), ErrorKind::Aborted);
    let opts = TransferOptions { timeout: Some(std::time::Duration::from_millis(50)), ..Default::default() };
    let err = fs.upload_file(&big, "big/keep.txt", &opts).await.expect_err("timed out upload");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let mut still = String::new();
    for _ in 0..20 {
        still =
            blob_text(&fs.download_file("big/keep.txt", &TransferOptions::default()).await.expect("download")).await;
        if still == "original" {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(100).await;
    }
    assert_eq!(still, "original", "an upload stopped mid-way replaced the file");
    sb.delete(None).await.expect("delete");
}

async fn plain_fetch(method: &str, url: &str, body: Option<&wasm_bindgen::JsValue>) -> web_sys::Response {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(b) = body {
        init.set_body(b);
    }
    let window = web_sys::window().expect("window");
    JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.expect("fetch").unchecked_into()
}

#[wasm_bindgen_test]
async fn presigned_urls_work_without_credentials_until_rotated() {
    let sb = sandbox().await;
    let fs = sb.fs();
    fs.upload_file(&blob(b"signed content"), "share/report.txt", &TransferOptions::default()).await.expect("upload");

    let url = sb.download_url("share/report.txt", None).await.expect("download url");
    assert!(url.contains("signature=v1_"), "{url}");
    let resp = plain_fetch("GET", &url, None).await;
    assert_eq!(resp.status(), 200);
    let text = JsFuture::from(resp.text().unwrap()).await.unwrap().as_string().unwrap();
    assert_eq!(text, "signed content");

    let tampered = url.replace("report.txt", "other.txt");
    assert_eq!(plain_fetch("GET", &tampered, None).await.status(), 401, "signature binds the path");

    let up = sb.upload_url("share/incoming.txt", Some(60)).await.expect("upload url");
    let form = web_sys::FormData::new().unwrap();
    form.append_with_blob("file", &blob(b"uploaded anonymously")).unwrap();
    assert_eq!(plain_fetch("POST", &up, Some(&form.into())).await.status(), 200);
    let back = fs.download_file("share/incoming.txt", &TransferOptions::default()).await.expect("download");
    assert_eq!(blob_text(&back).await, "uploaded anonymously");

    sb.rotate_signing_key().await.expect("rotate");
    assert_eq!(plain_fetch("GET", &url, None).await.status(), 401, "rotation revokes old URLs");
    let fresh = sb.download_url("share/report.txt", Some(0)).await.expect("new url");
    assert_eq!(plain_fetch("GET", &fresh, None).await.status(), 200);
    sb.delete(None).await.expect("delete");
}
