//! The stateful code interpreter through the proxy: contexts (create, list, get, delete),
//! the execute WebSocket's frames and close codes, state kept per context and never shared,
//! timeouts and interrupts that keep the state, a crashed process replaced, the FIFO queue,
//! and daytona-local's rich outputs (MIME bundles in order with the text, input()).

mod common;

use std::time::Duration;

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;

const PROTOCOL: &str = "X-Daytona-SDK-Version~0.226.1";

/// What one execution sent: its frames, then its close code and reason.
struct Run {
    frames: Vec<serde_json::Value>,
    code: u16,
    reason: String,
}

impl Run {
    fn text(&self, kind: &str) -> String {
        self.frames.iter().filter(|f| f["type"] == kind).map(|f| f["text"].as_str().unwrap()).collect()
    }

    fn of(&self, kind: &str) -> Vec<&serde_json::Value> {
        self.frames.iter().filter(|f| f["type"] == kind).collect()
    }

    fn error_name(&self) -> Option<&str> {
        self.of("error").first().map(|e| e["name"].as_str().unwrap())
    }
}

/// Asserts a toolbox (daemon) error envelope with `status` and `code`.
fn daemon_error(status: reqwest::StatusCode, body: &serde_json::Value, expected: u16, code: &str) {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!((body["statusCode"].as_u64(), body["code"].as_str()), (Some(expected as u64), Some(code)), "{body}");
    assert_eq!(body["source"], "DAYTONA_DAEMON", "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

async fn open(s: &Server, id: &str, request: serde_json::Value) -> Ws {
    let mut ws = s.ws(id, "/process/interpreter/execute", PROTOCOL).await;
    ws.send(Message::Text(request.to_string().into())).await.unwrap();
    ws
}

/// Reads frames until the close; `answer` may reply to each frame.
async fn finish(ws: &mut Ws, mut answer: impl FnMut(&serde_json::Value) -> Option<serde_json::Value>) -> Run {
    let mut frames = Vec::new();
    loop {
        match tokio::time::timeout(Duration::from_secs(60), ws.next()).await.expect("a frame within 60 s") {
            Some(Ok(Message::Text(t))) => {
                let frame: serde_json::Value = serde_json::from_str(&t).unwrap();
                if let Some(reply) = answer(&frame) {
                    ws.send(Message::Text(reply.to_string().into())).await.unwrap();
                }
                frames.push(frame);
            }
            Some(Ok(Message::Close(c))) => {
                let (code, reason) =
                    c.map(|c| (u16::from(c.code), c.reason.to_string())).unwrap_or((1005, String::new()));
                return Run { frames, code, reason };
            }
            Some(Ok(_)) => {}
            other => panic!("socket ended without a close frame: {other:?}"),
        }
    }
}

async fn run(s: &Server, id: &str, request: serde_json::Value) -> Run {
    let mut ws = open(s, id, request).await;
    finish(&mut ws, |_| None).await
}

async fn code(s: &Server, id: &str, code: &str) -> Run {
    run(s, id, json!({ "code": code })).await
}

/// `code` in sandbox `id`'s default context (a name apart from the tests' `code` locals).
async fn code_in(s: &Server, id: &str, source: &str) -> Run {
    code(s, id, source).await
}

#[tokio::test]
async fn contexts_keep_state_apart_and_frames_are_daytonas() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);

    // The default context: state persists, the last expression shows as the REPL shows it.
    let r = code(&s, &id, "import os\nx = 40\nprint('uid', os.getuid())").await;
    assert_eq!((r.code, r.text("stdout").as_str()), (1000, "uid 1000\n"), "{:?}", r.frames);
    let control = r.of("control");
    assert_eq!(control.len(), 1);
    assert_eq!(control[0]["text"], "completed");
    for frame in &r.frames {
        for key in ["type", "text", "name", "value", "traceback"] {
            assert!(frame[key].is_string(), "{key} missing from {frame}");
        }
    }
    let r = code(&s, &id, "x + 2").await;
    assert_eq!(r.text("stdout"), "42\n");
    // The context's process is the sandbox's: no capabilities, under the seccomp filter.
    let r = code(&s, &id, "print(open('/proc/self/status').read())").await;
    let status = r.text("stdout");
    assert!(status.contains("CapEff:\t0000000000000000"), "{status}");
    assert!(status.contains("Seccomp:\t2"), "{status}");

    // A context of its own does not see the default one's variables, and vice versa.
    let (status, ctx) = s.post_toolbox(&id, "/process/interpreter/context", json!({"cwd": "/tmp"})).await;
    assert_eq!(s.exec(&id, "grep -l 'kernel[.]py' /proc/[0-9]*/cmdline 2>/dev/null | wc -l").await.1.trim(), "2");
    assert_eq!(status, 200, "{ctx}");
    let ctx_id = ctx["id"].as_str().unwrap().to_owned();
    assert_eq!(
        (ctx["cwd"].as_str(), ctx["language"].as_str(), ctx["active"].as_bool()),
        (Some("/tmp"), Some("python"), Some(true))
    );
    let r = run(&s, &id, json!({"code": "print(x)", "contextId": ctx_id})).await;
    assert_eq!(r.error_name(), Some("NameError"), "{:?}", r.frames);
    assert!(r.of("error")[0]["traceback"].as_str().unwrap().contains("NameError"));
    let r = run(&s, &id, json!({"code": "import os\ny = os.getcwd()\nprint(y)", "contextId": ctx_id})).await;
    assert_eq!(r.text("stdout"), "/tmp\n");
    let r = code(&s, &id, "print(y)").await;
    assert_eq!(r.error_name(), Some("NameError"));

    // Listed without the default context; the default cannot be deleted; deleted is gone.
    let (_, listed) = s.get_toolbox(&id, "/process/interpreter/context").await;
    let ids: Vec<_> = listed["contexts"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [ctx_id.as_str()]);
    let (status, body) = s.delete_toolbox(&id, "/process/interpreter/context/default").await;
    daemon_error(status, &body, 400, "BAD_REQUEST");
    let (status, _) = s.delete_toolbox(&id, &format!("/process/interpreter/context/{ctx_id}")).await;
    assert_eq!(status, 200);
    let (status, body) = s.delete_toolbox(&id, &format!("/process/interpreter/context/{ctx_id}")).await;
    daemon_error(status, &body, 404, "NOT_FOUND");
    let r = run(&s, &id, json!({"code": "1", "contextId": ctx_id})).await;
    assert_eq!((r.code, r.reason.as_str()), (1008, format!("context not found: {ctx_id}").as_str()));
    // Its process is gone (the default context's stays).
    let kernels = "grep -l 'kernel[.]py' /proc/[0-9]*/cmdline 2>/dev/null | wc -l";
    let gone = eventually(Duration::from_secs(5), || async { s.exec(&id, kernels).await.1.trim() == "1" }).await;
    assert!(gone, "kernel processes left: {}", s.exec(&id, kernels).await.1);

    // Early failures close as Daytona's daemon does.
    let mut ws = s.ws(&id, "/process/interpreter/execute", PROTOCOL).await;
    ws.send(Message::Text("{not json".into())).await.unwrap();
    let r = finish(&mut ws, |_| None).await;
    assert_eq!((r.code, r.reason.as_str()), (1002, "invalid JSON payload"));
    let r = run(&s, &id, json!({"code": ""})).await;
    assert_eq!((r.code, r.reason.as_str()), (1008, "code is required"));
    let r = run(&s, &id, json!({"code": "1", "timeout": -1})).await;
    assert_eq!(r.code, 1008);
    let r = run(&s, &id, json!({"code": "1", "envs": {"A=B": "x"}})).await;
    assert_eq!(r.code, 1008);
    let (status, body) = s.post_toolbox(&id, "/process/interpreter/context", json!({"language": "ruby"})).await;
    daemon_error(status, &body, 400, "BAD_REQUEST");

    // Env of one execution only.
    let r = run(&s, &id, json!({"code": "print(os.environ.get('ONLY_NOW'))", "envs": {"ONLY_NOW": "yes"}})).await;
    assert_eq!(r.text("stdout"), "yes\n");
    let r = code(&s, &id, "print(os.environ.get('ONLY_NOW'))").await;
    assert_eq!(r.text("stdout"), "None\n");
}

#[tokio::test]
async fn timeouts_interrupts_and_crashes_keep_or_renew_the_context() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    code(&s, &id, "kept = 'still here'").await;

    // A timeout interrupts the code (KeyboardInterrupt) and closes 4008; the state stays.
    let r = run(&s, &id, json!({"code": "while True:\n    pass", "timeout": 1})).await;
    assert_eq!((r.code, r.reason.as_str()), (4008, "execution timed out"), "{:?}", r.frames);
    assert_eq!(r.error_name(), Some("KeyboardInterrupt"));
    assert_eq!(r.of("control")[0]["text"], "interrupted");
    assert_eq!(code(&s, &id, "kept").await.text("stdout"), "'still here'\n");

    // The interrupt endpoint stops running code; the context reports itself busy meanwhile.
    let mut ws = open(&s, &id, json!({"code": "import time\nprint('sleeping', flush=True)\ntime.sleep(60)"})).await;
    let first = tokio::time::timeout(Duration::from_secs(20), ws.next()).await.unwrap().unwrap().unwrap();
    assert!(first.to_text().unwrap().contains("sleeping"), "{first:?}");
    let (_, info) = s.get_toolbox(&id, "/process/interpreter/context/default").await;
    assert_eq!(info["state"], "busy", "{info}");
    let (status, _) = s.post_toolbox(&id, "/process/interpreter/context/default/interrupt", json!({})).await;
    assert_eq!(status, 200);
    let r = finish(&mut ws, |_| None).await;
    assert_eq!((r.code, r.error_name()), (1000, Some("KeyboardInterrupt")), "{:?}", r.frames);
    assert_eq!(r.of("control")[0]["text"], "interrupted");
    let (_, info) = s.get_toolbox(&id, "/process/interpreter/context/default").await;
    assert_eq!(info["state"], "idle", "{info}");

    // A process that dies becomes an error frame and a fresh process (fresh state).
    let r = code(&s, &id, "import os\nos._exit(3)").await;
    assert_eq!((r.code, r.error_name()), (1000, Some("KernelDied")), "{:?}", r.frames);
    assert!(r.of("error")[0]["value"].as_str().unwrap().contains('3'), "{:?}", r.frames);
    assert_eq!(code(&s, &id, "kept").await.error_name(), Some("NameError"));
    assert_eq!(code(&s, &id, "print('alive')").await.text("stdout"), "alive\n");
    // So does one killed by a signal (a segfault in native code).
    let r = code(&s, &id, "import ctypes\nctypes.string_at(0)").await;
    assert_eq!((r.code, r.error_name()), (1000, Some("KernelDied")), "{:?}", r.frames);
    assert_eq!(code(&s, &id, "print('alive again')").await.text("stdout"), "alive again\n");
    // `timeout: 0` is no limit (not zero seconds).
    let r = run(&s, &id, json!({ "code": "import time\ntime.sleep(1.2)\nprint('slept')", "timeout": 0 })).await;
    assert_eq!((r.code, r.text("stdout").as_str()), (1000, "slept\n"), "{:?}", r.frames);

    // Restart empties the namespace.
    code(&s, &id, "z = 1").await;
    let (status, _) = s.post_toolbox(&id, "/process/interpreter/context/default/restart", json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(code(&s, &id, "z").await.error_name(), Some("NameError"));
}

#[tokio::test]
async fn a_burst_of_interrupts_ends_the_run_once_and_keeps_the_state() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    code(&s, &id, "kept = 'still here'").await;
    // A user who presses interrupt again and again: the interrupts after the first land while
    // the KeyboardInterrupt is being reported, and some only after the run ended. None of them
    // may lose the run's end (it once waited for its 10-minute timeout), a frame of it, or its
    // close frame (a socket dropped with unread interrupts was reset).
    let interrupt = Message::Text(r#"{"type":"interrupt"}"#.into());
    for round in 0..3 {
        let mut ws = open(&s, &id, json!({"code": "import time\nprint('go', flush=True)\ntime.sleep(60)"})).await;
        let first = tokio::time::timeout(Duration::from_secs(20), ws.next()).await.unwrap().unwrap().unwrap();
        assert!(first.to_text().unwrap().contains("go"), "{first:?}");
        for _ in 0..40 {
            ws.send(interrupt.clone()).await.unwrap();
        }
        let burst = async {
            for _ in 0..20 {
                s.post_toolbox(&id, "/process/interpreter/context/default/interrupt", json!({})).await;
            }
        };
        let (r, ()) = tokio::join!(finish(&mut ws, |_| None), burst);
        assert_eq!((r.code, r.error_name()), (1000, Some("KeyboardInterrupt")), "round {round}: {:?}", r.frames);
        assert_eq!(r.of("error").len(), 1, "one interrupted run, one error: {:?}", r.frames);
        assert_eq!(r.of("control")[0]["text"], "interrupted");
    }
    // The context kept its state, and no interrupt is left over for the next run.
    let r = code(&s, &id, "import time\ntime.sleep(0.5)\nkept").await;
    assert_eq!((r.text("stdout").as_str(), r.error_name()), ("'still here'\n", None), "{:?}", r.frames);
}

/// Runs on one context queue in order, and the context's client is the socket of the run it is
/// running, as in Daytona's daemon (its queue attaches each run's socket when the run starts,
/// replacing the client before): a socket waiting in the queue gets nothing of the run before
/// it, each gets exactly its own run's frames, and a client that leaves mid-run neither stops
/// the run nor takes the next one's output (an `input()` of its run gets end of file).
#[tokio::test]
async fn executions_on_one_context_queue_in_order() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    code(&s, &id, "order = []").await;
    // The first waits for a file that appears only after the second was sent: if the second
    // ran before the first finished, `order` would say so.
    let gate = format!("/tmp/{}", unique("gate"));
    let gated = |name: &str| {
        format!(
            "import os, time\nprint('{name} waiting', flush=True)\nfor _ in range(400):\n    if os.path.exists({gate:?}): break\n    time.sleep(0.05)\nos.remove({gate:?})\norder.append('{name}')\nprint('{name} done')"
        )
    };
    let mut first = open(&s, &id, json!({ "code": gated("first") })).await;
    let started = tokio::time::timeout(Duration::from_secs(20), first.next()).await.unwrap().unwrap().unwrap();
    assert!(started.to_text().unwrap().contains("first waiting"));
    let mut second = open(&s, &id, json!({"code": "order.append('second')\nprint(order)"})).await;
    // While the first runs, the queued socket hears nothing (not the first's output either).
    assert!(
        tokio::time::timeout(Duration::from_millis(300), second.next()).await.is_err(),
        "a queued run's socket got a frame before its run started"
    );
    let (exit, _) = s.exec(&id, &format!("touch {gate}")).await;
    assert_eq!(exit, 0);
    let r = finish(&mut first, |_| None).await;
    assert_eq!((r.text("stdout").as_str(), r.code), ("first done\n", 1000), "{:?}", r.frames);
    let r = finish(&mut second, |_| None).await;
    assert_eq!((r.text("stdout").as_str(), r.code), ("['first', 'second']\n", 1000), "{:?}", r.frames);

    // A client that leaves while its run goes on: the run still ends (its effect is there),
    // and the next run's socket gets only its own frames.
    let mut leaving = open(&s, &id, json!({ "code": gated("third") })).await;
    let started = tokio::time::timeout(Duration::from_secs(20), leaving.next()).await.unwrap().unwrap().unwrap();
    assert!(started.to_text().unwrap().contains("third waiting"));
    drop(leaving);
    let mut next = open(&s, &id, json!({"code": "print(order)"})).await;
    let (exit, _) = s.exec(&id, &format!("touch {gate}")).await;
    assert_eq!(exit, 0);
    let r = finish(&mut next, |_| None).await;
    assert_eq!(r.text("stdout"), "['first', 'second', 'third']\n", "{:?}", r.frames);
    assert!(r.frames.iter().all(|f| !f["text"].as_str().unwrap_or("").contains("third done")), "{:?}", r.frames);

    // An `input()` whose client left gets end of file rather than waiting for its timeout.
    let asked = "try:\n    answer = input('name? ')\nexcept EOFError as e:\n    answer = f'eof: {e}'";
    let mut asking = open(&s, &id, json!({ "code": asked, "richOutputs": true })).await;
    let request = tokio::time::timeout(Duration::from_secs(20), asking.next()).await.unwrap().unwrap().unwrap();
    assert!(request.to_text().unwrap().contains(r#""type":"input""#), "{request:?}");
    drop(asking);
    let r = code(&s, &id, "print(answer)").await;
    assert_eq!(r.text("stdout"), "eof: the client that would answer input() has gone\n", "{:?}", r.frames);
}

#[tokio::test]
async fn rich_outputs_arrive_in_order_and_input_is_answered() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let rich = |code: &str| json!({ "code": code, "richOutputs": true });

    // A figure shown between two prints arrives between them, as a PNG.
    let r = run(
        &s,
        &id,
        rich("import matplotlib.pyplot as plt\nprint('before')\nplt.plot([1, 3, 2])\nplt.show()\nprint('after')"),
    )
    .await;
    let mut kinds: Vec<_> = r.frames.iter().map(|f| f["type"].as_str().unwrap()).collect();
    kinds.dedup();
    assert_eq!(kinds, ["stdout", "display", "stdout", "control"], "{:?}", r.frames);
    let png = r.of("display")[0]["data"]["image/png"].as_str().unwrap();
    assert!(png.starts_with("iVBORw0KGgo"), "a base64 PNG: {}", &png[..png.len().min(40)]);

    // A DataFrame is an HTML table with its plain text; the value is the execution's result.
    let r = run(&s, &id, rich("import pandas as pd\npd.DataFrame({'a': [1, 2], 'b': ['x', 'y']})")).await;
    let result = r.of("result");
    assert_eq!(result.len(), 1, "{:?}", r.frames);
    assert!(result[0]["data"]["text/html"].as_str().unwrap().contains("<table"));
    assert!(result[0]["data"]["text/plain"].as_str().unwrap().contains('y'));
    assert!(result[0]["executionCount"].as_u64().unwrap() >= 2);
    assert_eq!(r.text("stdout"), "", "a rich client gets the value as a result, not as stdout");

    // Objects with _repr_*_ methods, display ids, clear_output.
    let r = run(
        &s,
        &id,
        rich("class Card:\n    def _repr_markdown_(self): return '**bold**'\ndisplay(Card(), display_id='c')\nupdate_display(Card(), display_id='c')\nclear_output()"),
    )
    .await;
    let shown = r.of("display");
    assert_eq!(shown.len(), 2, "{:?}", r.frames);
    assert_eq!(shown[0]["data"]["text/markdown"], "**bold**");
    assert_eq!((shown[0]["displayId"].as_str(), shown[1]["update"].as_bool()), (Some("c"), Some(true)));
    assert_eq!(r.of("clear").len(), 1);

    // input() asks the client, which answers.
    let mut ws = open(&s, &id, rich("name = input('who? ')\nprint('hello', name)")).await;
    let r = finish(&mut ws, |f| (f["type"] == "input").then(|| json!({"type": "input", "value": "ada"}))).await;
    assert_eq!(r.of("input")[0]["text"], "who? ");
    assert_eq!(r.text("stdout"), "hello ada\n", "{:?}", r.frames);

    // The files the code wrote (through Python's open, as pandas and matplotlib do) are listed.
    let r = run(
        &s,
        &id,
        rich("import pandas as pd\npd.DataFrame({'a': [1]}).to_csv('out.csv')\nopen('/tmp/notes.txt', 'a').write('x')\nopen('out.csv').read()"),
    )
    .await;
    let files = r.of("files");
    assert_eq!(files.len(), 1, "{:?}", r.frames);
    assert_eq!(files[0]["files"], json!(["/home/daytona/out.csv", "/tmp/notes.txt"]), "read-only opens are not listed");

    // A client that did not ask (the official SDKs) gets none of this: a figure, a display, a
    // rich value and a written file send only Daytona's frames (a display prints its text), and
    // input() fails.
    let r = code(
        &s,
        &id,
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\nclass H:\n    def _repr_html_(self): return '<b>x</b>'\n    def __repr__(self): return 'H-text'\ndisplay(H())\nopen('quiet.txt', 'w').write('q')\nH()",
    )
    .await;
    let kinds: Vec<&str> = r.frames.iter().map(|f| f["type"].as_str().unwrap()).collect();
    assert!(kinds.iter().all(|k| ["stdout", "stderr", "error", "control"].contains(k)), "{:?}", r.frames);
    assert_eq!(r.text("stdout"), "H-text\nH-text\n", "the display and the value as text: {:?}", r.frames);
    assert!(r.frames.iter().all(|f| ["text", "name", "value", "traceback"].iter().all(|k| f.get(k).is_some())));
    let r = code(&s, &id, "input('x')").await;
    assert_eq!(r.error_name(), Some("EOFError"));
    assert!(r.frames.iter().all(|f| ["stdout", "stderr", "error", "control"].contains(&f["type"].as_str().unwrap())));
    // An error frame carries all five keys too.
    let error = r.of("error")[0];
    assert!(["type", "text", "name", "value", "traceback"].iter().all(|k| error.get(k).is_some()), "{error}");
    // The context's status counts its runs as the control frames do.
    let counted = r.of("control")[0]["executionCount"].as_u64().expect("a count on the control frame");
    let (status, ctx) = s.get_toolbox(&id, "/process/interpreter/context/default").await;
    assert_eq!(status, StatusCode::OK, "{ctx}");
    assert_eq!((ctx["state"].as_str(), ctx["executionCount"].as_u64()), (Some("idle"), Some(counted)), "{ctx}");
}

#[tokio::test]
async fn a_kept_open_socket_takes_request_after_request() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let mut ws = s.ws(&id, "/process/interpreter/execute", PROTOCOL).await;
    let next = |code: &str, extra: serde_json::Value| {
        let mut req = json!({ "code": code, "keepOpen": true });
        req.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        req
    };
    // Each run ends with its control frame and the socket stays open for the next.
    let mut runs = Vec::new();
    for (code, extra) in [("n = 1", json!({})), ("n += 1\nn", json!({})), ("print(n * 10)", json!({}))] {
        ws.send(Message::Text(next(code, extra).to_string().into())).await.unwrap();
        let mut text = String::new();
        loop {
            let msg = tokio::time::timeout(Duration::from_secs(20), ws.next()).await.unwrap().unwrap().unwrap();
            let frame: serde_json::Value = match msg {
                Message::Text(t) => serde_json::from_str(&t).unwrap(),
                other => panic!("the kept socket ended: {other:?}"),
            };
            match frame["type"].as_str().unwrap() {
                "stdout" => text.push_str(frame["text"].as_str().unwrap()),
                "control" => break,
                _ => {}
            }
        }
        runs.push(text);
        // A late interrupt of a finished run is not taken for a request.
        ws.send(Message::Text(r#"{"type":"interrupt"}"#.into())).await.unwrap();
    }
    assert_eq!(runs, ["", "2\n", "20\n"]);
    // A timeout closes it with 4008, without a control frame first.
    ws.send(Message::Text(next("while True:\n    pass", json!({"timeout": 1})).to_string().into())).await.unwrap();
    let r = finish(&mut ws, |_| None).await;
    assert_eq!(r.code, 4008, "{:?}", r.frames);
    assert!(r.of("control").is_empty(), "{:?}", r.frames);
    assert_eq!(r.error_name(), Some("KeyboardInterrupt"));
}

/// The early failures close the socket as Daytona's daemon does: an execution still queued on
/// a context deleted meanwhile gets 1008 "context is not active" (and never runs); a sandbox
/// whose image has no Python gets 1011 with the reason, and the agent keeps serving.
#[tokio::test]
async fn early_failures_close_with_the_daemons_codes() {
    let registry = Registry::start();
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (status, made) = s.post_toolbox(&id, "/process/interpreter/context", json!({})).await;
    assert_eq!(status, StatusCode::OK, "{made}");
    let context = made["id"].as_str().unwrap().to_owned();
    let mut first = open(
        &s,
        &id,
        json!({ "code": "import time\nprint('busy', flush=True)\ntime.sleep(30)", "contextId": context }),
    )
    .await;
    let started = tokio::time::timeout(Duration::from_secs(20), first.next()).await.unwrap().unwrap().unwrap();
    assert!(started.to_text().unwrap().contains("busy"));
    let marker = format!("/tmp/{}", unique("never"));
    let mut queued = open(&s, &id, json!({ "code": format!("open({marker:?}, 'w')"), "contextId": context })).await;
    // Time for the queued request to reach the context's queue (the first sleeps 30 s).
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (status, body) = s.delete_toolbox(&id, &format!("/process/interpreter/context/{context}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = finish(&mut queued, |_| None).await;
    assert_eq!((r.code, r.reason.as_str()), (1008, "context is not active"), "{:?}", r.frames);
    finish(&mut first, |_| None).await;
    assert_ne!(s.exec(&id, &format!("test -e {marker}")).await.0, 0, "the queued code never ran");

    // An image without Python: 1011 and why; the sandbox's other routes still answer.
    let bare = sandbox_on_image(&s, &registry, "no-python", "test/busybox:1.0").await;
    let r = code(&s, &bare, "print(1)").await;
    assert_eq!(r.code, 1011, "{} {:?}", r.reason, r.frames);
    assert!(r.reason.contains("python3"), "{}", r.reason);
    assert_eq!(s.exec(&bare, "echo still-here").await, (0, "still-here\n".to_owned()));
}

/// A sandbox on a Debian python image (as python:3.x-slim: the image's own interpreter and
/// glibc, no site packages): contexts and `code-run` use the image's python, not the host's
/// (the host's numpy is not importable), and contexts keep their state.
#[tokio::test]
async fn an_images_own_python_serves_the_interpreter_and_code_run() {
    let registry = Registry::start_with(&[("OCI_PYTHON", "1")]);
    let s = Server::start().await;
    let id = sandbox_on_image(&s, &registry, "py", "test/python:1.0").await;
    let (code, out) = s.exec(&id, "ls /usr/lib; test -e /usr/bin/bash || echo no-host-userland").await;
    assert_eq!((code, out.as_str()), (0, "python3.11\nno-host-userland\n"), "the image's own /usr");

    let r = code_in(&s, &id, "import sys, numbers\nx = 6\nprint(sys.executable, sys.version_info[:2])").await;
    assert_eq!((r.code, r.text("stdout")), (1000, "/usr/bin/python3 (3, 11)\n".to_owned()), "{:?}", r.frames);
    let r = code_in(&s, &id, "x * 7").await;
    assert_eq!(r.text("stdout"), "42\n", "state kept: {:?}", r.frames);
    let r = code_in(&s, &id, "import numpy").await;
    assert_eq!(r.error_name(), Some("ModuleNotFoundError"), "the host's packages are not the image's: {:?}", r.frames);

    let req = s.http.post(s.toolbox(&id, "/process/code-run")).bearer_auth(&s.key);
    let (status, body) =
        send(req.json(&json!({ "code": "import sys; print(sys.prefix, 2 ** 10)", "language": "python" }))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["exitCode"].as_i64(), body["result"].as_str()), (Some(0), Some("/usr 1024\n")), "{body}");
}

/// A client that opens the execute socket and never sends its request (pings keep it open)
/// is closed with the daemon's 1002 "failed to read first message" after 30 s: it holds no
/// socket, and queues nothing, for longer.
#[tokio::test]
async fn a_client_that_never_sends_its_request_is_closed_with_1002() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let mut ws = s.ws(&id, "/process/interpreter/execute", PROTOCOL).await;
    let started = std::time::Instant::now();
    ws.send(Message::Ping(b"still here".to_vec().into())).await.unwrap();
    let r = finish(&mut ws, |_| None).await;
    assert_eq!((r.code, r.reason.as_str()), (1002, "failed to read first message"), "{:?}", r.frames);
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(25) && waited < Duration::from_secs(50), "closed after {waited:?}");
    // The sandbox's interpreter still runs code for the next client.
    assert_eq!(code(&s, &id, "print(6 * 7)").await.text("stdout"), "42\n");
}
