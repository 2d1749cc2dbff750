//! Benchmark (prints figures): an LSP completion through the SDK against a raw `fetch` of the
//! same toolbox route (median and p99 of 100 each, alternating, warm pylsp), and the time a
//! language server takes to start (initialize answered).

mod common;

use daytona_wasm::models::LspPosition;
use daytona_wasm::{CreateSandboxParams, TransferOptions};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const ROUNDS: usize = 100;

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn summary(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() * 99 / 100])
}

/// POSTs `body` to `url` with the API key and reads the JSON answer, as an app without the
/// SDK would.
async fn raw_post(url: &str, body: &str) -> wasm_bindgen::JsValue {
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&body.into());
    let headers = web_sys::Headers::new().unwrap();
    headers.set("Authorization", &format!("Bearer {}", common::API_KEY)).unwrap();
    headers.set("Content-Type", "application/json").unwrap();
    init.set_headers(&headers);
    let window = web_sys::window().unwrap();
    let resp: web_sys::Response =
        JsFuture::from(window.fetch_with_str_and_init(url, &init)).await.unwrap().unchecked_into();
    assert!(resp.ok(), "raw fetch answered {}", resp.status());
    JsFuture::from(resp.json().unwrap()).await.unwrap()
}

#[wasm_bindgen_test]
async fn lsp_completion_vs_raw_fetch_and_start_time() {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    let text = "import os\nos.pa\n";
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(text.as_bytes()));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).unwrap();
    sb.fs().upload_file(&blob, "bench/main.py", &TransferOptions::default()).await.expect("upload");
    let file = "/home/daytona/bench/main.py";
    let lsp = sb.create_lsp_server("python", "bench");
    let t = now();
    lsp.start().await.expect("start");
    let start_ms = now() - t;
    lsp.did_open(file).await.expect("open");
    let at = LspPosition { line: 1, character: 5 };
    for _ in 0..5 {
        lsp.completions(file, at, None).await.expect("warm-up");
    }
    let data = sb.data();
    let url = format!("{}/{}/lsp/completions", data.toolbox_proxy_url.trim_end_matches('/'), data.id);
    let body = format!(
        r#"{{"languageId":"python","pathToProject":"bench","uri":"file://{file}","position":{{"line":1,"character":5}}}}"#
    );
    let (mut sdk, mut raw) = (Vec::new(), Vec::new());
    for i in 0..ROUNDS {
        let sdk_first = i % 2 == 0;
        for turn in 0..2 {
            let t = now();
            if (turn == 0) == sdk_first {
                let list = lsp.completions(file, at, None).await.expect("completions");
                assert!(list.items.iter().any(|c| c.label == "path"));
                sdk.push(now() - t);
            } else {
                let answer = raw_post(&url, &body).await;
                assert!(js_sys::Reflect::get(&answer, &"items".into()).unwrap().is_object());
                raw.push(now() - t);
            }
        }
    }
    let (s50, s99) = summary(sdk);
    let (r50, r99) = summary(raw);
    web_sys::console::log_1(
        &format!(
            "BENCH lsp completion (pylsp, warm, n = {ROUNDS}): SDK median {s50:.1} ms p99 {s99:.1} ms, raw fetch median {r50:.1} ms p99 {r99:.1} ms, ratio {:.2}",
            s50 / r50
        )
        .into(),
    );
    web_sys::console::log_1(&format!("BENCH lsp start (pylsp, initialize answered): {start_ms:.0} ms").into());
    lsp.stop().await.expect("stop");
    sb.delete(None).await.expect("delete");
}
