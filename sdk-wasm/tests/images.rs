//! Images from the browser, in headless Chromium against a live daytona-local and the test
//! registry scripts/test.sh starts: an `Image` whose context is a browser `File` built into
//! the sandbox it runs (the file is there), with the build log and upload progress; a
//! directory context of more than one part (a multipart upload, its progress reports); the
//! same image again reusing the build; a snapshot from an Image; a cancelled upload.

mod common;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use common::REGISTRY;
use daytona_wasm::{
    CreateSandboxParams, ErrorKind, Image, ImageBuildOptions, LogFn, RunCommand, TransferOptions, TransferProgress,
    PART_SIZE,
};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts).expect("a blob")
}

fn file(text: &str, name: &str) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let file = web_sys::File::new_with_str_sequence(&parts, name).expect("a file");
    file.into()
}

/// What a build reported: its log lines, its upload progress.
type Seen<T> = Rc<RefCell<Vec<T>>>;

/// A log collector and a progress collector, with the options reporting to them.
fn collectors() -> (Seen<String>, Seen<TransferProgress>, ImageBuildOptions) {
    let logs = Rc::new(RefCell::new(Vec::new()));
    let progress = Rc::new(RefCell::new(Vec::new()));
    let (l, p) = (Rc::clone(&logs), Rc::clone(&progress));
    let on_logs: LogFn = Rc::new(move |line: &str| l.borrow_mut().push(line.to_owned()));
    let opts = ImageBuildOptions {
        on_logs: Some(on_logs),
        upload: TransferOptions { on_progress: Some(Rc::new(move |r| p.borrow_mut().push(r))), ..Default::default() },
        timeout: Some(Duration::from_secs(300)),
    };
    (logs, progress, opts)
}

#[wasm_bindgen_test]
async fn an_image_with_a_browser_file_builds_runs_and_is_reused() {
    let daytona = common::daytona();
    let marker = common::unique("wasm-img");
    let image = Image::base(&format!("{REGISTRY}/test/busybox:1.0"))
        .run_commands(&[RunCommand::Shell(format!("echo {marker} > /built"))])
        .workdir("/app")
        .add_local_file("hello.txt", file(&format!("hello {marker}\n"), "hello.txt"), "/app/");
    assert!(
        image.dockerfile().ends_with("WORKDIR /app\nCOPY [\"hello.txt\", \"/app/hello.txt\"]\n"),
        "{}",
        image.dockerfile()
    );
    let (logs, progress, opts) = collectors();
    let sandbox =
        daytona.create_from_image(&image, CreateSandboxParams::default(), opts).await.expect("built and started");
    let text = logs.borrow().join("\n");
    assert!(text.contains(&format!("RUN echo {marker} > /built")) && text.contains("Build succeeded"), "{text}");
    let last = *progress.borrow().last().expect("upload progress");
    assert_eq!(Some(last.loaded), last.total, "the upload reported its end");
    let out = sandbox.process().exec("cat /built hello.txt", None, None, None).await.expect("exec");
    assert_eq!(out.result, format!("{marker}\nhello {marker}\n"));

    // The same image again: nothing uploaded (the HEAD finds it), no build, the same snapshot.
    let (logs, progress, opts) = collectors();
    let again = daytona.create_from_image(&image, CreateSandboxParams::default(), opts).await.expect("again");
    assert_eq!(again.data().snapshot, sandbox.data().snapshot);
    assert!(progress.borrow().is_empty(), "uploaded again: {:?}", progress.borrow());
    assert!(logs.borrow().is_empty(), "built again: {:?}", logs.borrow());
    again.delete(None).await.expect("delete");
    sandbox.delete(None).await.expect("delete");
}

#[wasm_bindgen_test]
async fn a_directory_of_several_parts_uploads_in_parts_with_progress() {
    let daytona = common::daytona();
    let marker = common::unique("wasm-dir");
    let big: Vec<u8> = (0..PART_SIZE + PART_SIZE / 2).map(|i| (i * 7 + marker.len()) as u8).collect();
    let files = vec![("big.bin".to_owned(), blob(&big)), ("sub/small.txt".to_owned(), file(&marker, "small.txt"))];
    let image = Image::base(&format!("{REGISTRY}/test/busybox:1.0")).add_local_dir("data", files, "/data");
    let name = common::unique("wasm-snap");
    let (logs, progress, opts) = collectors();
    let snapshot = daytona.snapshot().create_from_image(&name, &image, opts).await.expect("snapshot built");
    assert!(logs.borrow().iter().any(|l| l.contains("COPY [\"data\", \"/data\"]")), "{:?}", logs.borrow());
    let reports = progress.borrow().clone();
    assert!(reports.len() >= 2, "progress as the parts go: {reports:?}");
    assert!(reports.windows(2).all(|w| w[0].loaded <= w[1].loaded), "{reports:?}");
    let last = *reports.last().unwrap();
    assert!(last.loaded > big.len() as u64 && Some(last.loaded) == last.total, "{last:?}");

    let sandbox = daytona
        .create(CreateSandboxParams { snapshot: Some(name.clone()), ..Default::default() }, None)
        .await
        .expect("a sandbox on it");
    let out = sandbox.process().exec("wc -c < /data/big.bin; cat /data/sub/small.txt", None, None, None).await.unwrap();
    assert_eq!(out.result.split_whitespace().collect::<Vec<_>>(), [big.len().to_string(), marker.clone()]);
    sandbox.delete(None).await.expect("delete");
    let _ = snapshot;
}

#[wasm_bindgen_test]
async fn a_cancelled_upload_stops_with_aborted() {
    let daytona = common::daytona();
    let marker = common::unique("wasm-cancel");
    let big: Vec<u8> = (0..3 * PART_SIZE).map(|i| (i * 13 + marker.len()) as u8).collect();
    let image = Image::base(&format!("{REGISTRY}/test/busybox:1.0")).add_local_file("big.bin", blob(&big), "/big.bin");
    let controller = web_sys::AbortController::new().unwrap();
    let signal = controller.signal();
    let aborter = controller.clone();
    let opts = ImageBuildOptions {
        upload: TransferOptions {
            // Cancelled as soon as the upload is under way.
            on_progress: Some(Rc::new(move |_| aborter.abort())),
            signal: Some(signal),
            ..Default::default()
        },
        ..Default::default()
    };
    let err = daytona.create_from_image(&image, CreateSandboxParams::default(), opts).await.expect_err("cancelled");
    assert_eq!(err.kind(), ErrorKind::Aborted, "{err}");
}
