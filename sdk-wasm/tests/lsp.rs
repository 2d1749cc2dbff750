//! `sandbox.create_lsp_server()` in Chromium against daytona-local's pylsp: completions,
//! symbols, and the extensions (diagnostics, hover, definition, references, rename).

mod common;

use daytona_wasm::models::LspPosition;
use daytona_wasm::{CreateSandboxParams, ErrorKind, TransferOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MAIN: &str =
    "import os\n\n\ndef greet(name):\n    return 'hi ' + name\n\n\nprint(greet('x'), missing_name)\nos.pa\n";

#[wasm_bindgen_test]
async fn pylsp_through_the_rust_face() {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(MAIN.as_bytes()));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).expect("blob");
    sb.fs().upload_file(&blob, "proj/main.py", &TransferOptions::default()).await.expect("upload");
    let file = "/home/daytona/proj/main.py";
    let lsp = sb.create_lsp_server("python", "proj");
    let early = lsp.did_open(file).await.expect_err("not started");
    assert_eq!((early.kind(), early.code()), (ErrorKind::BadRequest, Some("LSP_SERVER_NOT_INITIALIZED")));
    lsp.start().await.expect("start");
    lsp.did_open(file).await.expect("open");

    let list = lsp.completions(file, LspPosition { line: 8, character: 5 }, None).await.expect("completions");
    assert!(
        list.items.iter().any(|i| i.label == "path"),
        "{:?}",
        list.items.iter().map(|i| &i.label).collect::<Vec<_>>()
    );
    let symbols = lsp.document_symbols(file).await.expect("symbols");
    assert!(
        symbols.iter().any(|s| s.name == "greet" && s.kind == 12 && s.location.range.start.line == 3),
        "{symbols:?}"
    );

    let call = LspPosition { line: 7, character: 7 };
    let defs = lsp.definition(file, call).await.expect("definition");
    assert_eq!((defs.len(), defs[0].range.start.line), (1, 3), "{defs:?}");
    let refs = lsp.references(file, call).await.expect("references");
    assert_eq!(refs.len(), 2, "{refs:?}");
    let hover = lsp.hover(file, call).await.expect("hover");
    assert!(hover.to_string().contains("greet(name)"), "{hover}");
    let edit = lsp.rename(file, call, "welcome").await.expect("rename");
    assert!(edit.to_string().matches("welcome").count() >= 2, "{edit}");

    let mut seen = Vec::new();
    for _ in 0..50 {
        seen = lsp.diagnostics(file).await.expect("diagnostics");
        if seen.iter().any(|d| d.message.contains("missing_name")) {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(200).await;
    }
    let diag = seen.iter().find(|d| d.message.contains("missing_name")).expect("pyflakes' undefined name");
    assert_eq!(diag.range.start.line, 7);

    lsp.stop().await.expect("stop");
    let after = lsp.completions(file, LspPosition { line: 8, character: 5 }, None).await.expect_err("stopped");
    assert_eq!(after.code(), Some("LSP_SERVER_NOT_INITIALIZED"));

    // The raw JSON-RPC socket (what the console's editor speaks over): a server of its own,
    // answering `initialize` and publishing pyflakes' diagnostics for a document opened on it.
    let mut socket = lsp.connect().await.expect("socket");
    let root = "file:///home/daytona/proj";
    socket
        .send(&format!(
            r#"{{"jsonrpc":"2.0","id":1,"method":"initialize","params":{{"processId":null,"rootUri":"{root}","capabilities":{{}}}}}}"#
        ))
        .expect("send");
    let answer = next_json(&mut socket, |m| m["id"] == 1).await;
    assert!(answer["result"]["capabilities"]["completionProvider"].is_object(), "{answer}");
    socket.send(r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).expect("send");
    let open = serde_json::json!({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
        "uri": format!("file://{file}"), "languageId": "python", "version": 1, "text": MAIN}}});
    socket.sender().send(&open.to_string()).expect("send from a sender");
    let published = next_json(&mut socket, |m| m["method"] == "textDocument/publishDiagnostics").await;
    assert!(published.to_string().contains("missing_name"), "{published}");
    drop(socket);
    sb.delete(None).await.expect("delete");
}

/// The next message of `socket` that `wanted` picks (others, such as log messages, skipped).
async fn next_json(
    socket: &mut daytona_wasm::LspSocket,
    wanted: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    loop {
        let text = socket.next().await.expect("the socket closed");
        let message: serde_json::Value = serde_json::from_str(&text).expect("one JSON-RPC message per frame");
        if wanted(&message) {
            return message;
        }
    }
}
