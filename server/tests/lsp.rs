//! Toolbox LSP beyond what the official SDKs call: diagnostics, hover, definition, references,
//! rename and formatting over pylsp, completions and diagnostics over typescript-language-server,
//! and the raw JSON-RPC WebSocket a browser editor speaks; the servers run as the sandbox user.

mod common;

use common::*;
use futures_util::{SinkExt, StreamExt};
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

const PY: &str = "def greet(name):\n    return 'hi ' + name\n\n\nprint(greet('x'), undefined_thing)\n";
const TS: &str = "const s: string = 'abc';\ns.toU\nconst n: number = 'not a number';\n";

async fn upload(s: &Server, id: &str, path: &str, text: &str) {
    let (code, out) =
        s.exec(id, &format!("mkdir -p $(dirname {path}) && printf %s {} > {path}", shell_quote(text))).await;
    assert_eq!(code, 0, "{out}");
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

#[tokio::test]
async fn python_and_typescript_servers_answer_ours_and_daytonas_routes() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    upload(&s, &id, "py/main.py", PY).await;
    upload(&s, &id, "ts/main.ts", TS).await;
    let py = |extra: Value| {
        let mut body = json!({"languageId": "python", "pathToProject": "py", "uri": "file:///home/daytona/py/main.py"});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        body
    };
    let (status, body) =
        s.post_toolbox(&id, "/lsp/start", json!({"languageId": "python", "pathToProject": "py"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The server runs as the sandbox user, in the workload group.
    let (_, proc_status) = s.exec(&id, "grep -E '^(Uid|CapEff):' /proc/$(pgrep -f -o pylsp)/status").await;
    assert!(
        proc_status.contains("Uid:\t1000\t1000\t1000\t1000") && proc_status.contains("CapEff:\t0000000000000000"),
        "{proc_status}"
    );

    // Diagnostics arrive after the open: pyflakes' undefined name, on line 4.
    let (status, body) = s.post_toolbox(&id, "/lsp/did-open", py(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let query = "/lsp/diagnostics?languageId=python&pathToProject=py&uri=file:///home/daytona/py/main.py";
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let found = loop {
        let (_, body) = s.get_toolbox(&id, query).await;
        let reported = body
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["message"].as_str().is_some_and(|m| m.contains("undefined_thing"))));
        if reported || std::time::Instant::now() > deadline {
            break body;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    let diag = found
        .as_array()
        .and_then(|d| d.iter().find(|d| d["message"].as_str().is_some_and(|m| m.contains("undefined_thing"))));
    let diag = diag.unwrap_or_else(|| panic!("no diagnostic for the undefined name: {found}"));
    assert_eq!(diag["range"]["start"]["line"], 4, "{diag}");

    // Hover, definition, references and rename on the call of greet (line 4, character 7).
    let at = json!({"position": {"line": 4, "character": 7}});
    let (status, hover) = s.post_toolbox(&id, "/lsp/hover", py(at.clone())).await;
    assert_eq!(status, StatusCode::OK, "{hover}");
    assert!(hover.to_string().contains("greet(name)"), "{hover}");
    let (_, defs) = s.post_toolbox(&id, "/lsp/definition", py(at.clone())).await;
    assert_eq!(defs[0]["range"]["start"]["line"], 0, "{defs}");
    assert_eq!(defs[0]["uri"], "file:///home/daytona/py/main.py");
    let (_, refs) = s.post_toolbox(&id, "/lsp/references", py(at.clone())).await;
    let mut lines: Vec<i64> =
        refs.as_array().unwrap().iter().map(|r| r["range"]["start"]["line"].as_i64().unwrap()).collect();
    lines.sort();
    assert_eq!(lines, [0, 4], "{refs}");
    let (status, body) = s.post_toolbox(&id, "/lsp/rename", py(at.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "rename needs newName: {body}");
    let mut renamed = at.clone();
    renamed["newName"] = json!("welcome");
    let (status, edit) = s.post_toolbox(&id, "/lsp/rename", py(renamed)).await;
    assert_eq!(status, StatusCode::OK, "{edit}");
    assert!(edit.to_string().matches("welcome").count() >= 2, "{edit}");
    let (_, kept) = s.exec(&id, "cat py/main.py").await;
    assert!(kept.contains("def greet"), "a rename is a preview, not applied: {kept}");
    let (status, edits) = s.post_toolbox(&id, "/lsp/formatting", py(json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{edits}");
    assert!(edits.is_array(), "{edits}");

    // TypeScript: completions after `s.toU`, and the type error as a diagnostic.
    let (status, body) =
        s.post_toolbox(&id, "/lsp/start", json!({"languageId": "typescript", "pathToProject": "ts"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let ts_doc = json!({"languageId": "typescript", "pathToProject": "ts", "uri": "file:///home/daytona/ts/main.ts",
        "position": {"line": 1, "character": 5}});
    let (status, list) = s.post_toolbox(&id, "/lsp/completions", ts_doc).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let labels: Vec<&str> = list["items"].as_array().unwrap().iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.contains(&"toUpperCase"), "{labels:?}");
    let query = "/lsp/diagnostics?languageId=typescript&pathToProject=ts&uri=file:///home/daytona/ts/main.ts";
    assert!(
        eventually(Duration::from_secs(20), || async {
            let (_, body) = s.get_toolbox(&id, query).await;
            body.to_string().contains("not assignable to type 'number'")
        })
        .await,
        "no TypeScript type error reported"
    );
    for lang in [("python", "py"), ("typescript", "ts")] {
        let (status, body) =
            s.post_toolbox(&id, "/lsp/stop", json!({"languageId": lang.0, "pathToProject": lang.1})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let (status, body) = s.post_toolbox(&id, "/lsp/start", json!({"languageId": "cobol", "pathToProject": "py"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn a_browser_editor_speaks_raw_json_rpc_over_the_socket() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    upload(&s, &id, "py/main.py", PY).await;
    let mut ws = s.ws(&id, "/lsp/socket?languageId=python&pathToProject=py", "daytona-sdk-version~0.226.1").await;
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": null, "rootUri": "file:///home/daytona/py", "capabilities": {}}});
    ws.send(Message::Text(init.to_string().into())).await.unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(Ok(m)) = ws.next().await {
            if let Message::Text(t) = m {
                let v: Value = serde_json::from_str(&t).unwrap();
                if v["id"] == 1 {
                    return v;
                }
            }
        }
        Value::Null
    })
    .await
    .expect("an answer to initialize");
    assert!(answer["result"]["capabilities"]["completionProvider"].is_object(), "{answer}");
    drop(ws);
    // The socket's own server ends with it.
    assert!(eventually(Duration::from_secs(10), || async { s.exec(&id, "pgrep -f pylsp").await.0 != 0 }).await);
}
