//! `sandbox.process()` beyond exec: code-run charts and sessions with live log streaming.

mod common;

use std::cell::RefCell;
use std::future::IntoFuture;
use std::rc::Rc;

use daytona_wasm::models::SessionExecuteRequest;
use daytona_wasm::{CodeRunParams, CreateSandboxParams, ErrorKind};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn code_run_returns_output_and_charts() {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    let code = "import matplotlib.pyplot as plt\nprint('hello', 6*7)\nplt.plot([1,2,3],[2,4,8])\nplt.title('growth')\nplt.show()\n";
    let out = sb.process().code_run(code, CodeRunParams::default(), Some(60)).await.expect("code run");
    assert_eq!(out.exit_code, 0, "{}", out.result);
    assert!(out.result.contains("hello 42"), "{}", out.result);
    assert!(!out.result.contains("dtn_artifact"), "chart markers are stripped: {}", out.result);
    let charts = out.artifacts.expect("artifacts").charts;
    assert_eq!(charts.len(), 1);
    assert_eq!(charts[0].kind.as_deref(), Some("line"));
    assert_eq!(charts[0].title.as_deref(), Some("growth"));
    assert!(charts[0].png.as_deref().is_some_and(|p| p.starts_with("iVBOR")), "base64 PNG");

    let args = CodeRunParams { argv: Some(vec!["a1".into()]), env: Some([("K".to_owned(), "v".to_owned())].into()) };
    let out = sb
        .process()
        .code_run("import sys, os\nprint(sys.argv[1], os.environ['K'])", args, None)
        .await
        .expect("argv/env");
    assert_eq!(out.result.trim(), "a1 v");
    sb.delete(None).await.expect("delete");
}

#[wasm_bindgen_test]
async fn sessions_keep_state_and_stream_logs() {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    let p = sb.process();
    p.create_session("work").await.expect("create session");
    let err = p.create_session("work").await.expect_err("duplicate session");
    assert_eq!(err.kind(), ErrorKind::Conflict);

    let run = |command: &str| SessionExecuteRequest { command: command.into(), ..Default::default() };
    p.execute_session_command("work", &run("mkdir -p d && cd d && export GREETING=hi"), None).await.expect("cd");
    let out = p.execute_session_command("work", &run("echo $GREETING from $(pwd)"), None).await.expect("state");
    assert_eq!(out.stdout.as_deref(), Some("hi from /home/daytona/d\n"));
    assert_eq!(out.exit_code, Some(0));

    let asynchronous = SessionExecuteRequest {
        command: "for i in 1 2 3; do echo out$i; echo err$i >&2; sleep 0.2; done; read name; echo got $name; exit 4"
            .into(),
        run_async: Some(true),
        ..Default::default()
    };
    let started = p.execute_session_command("work", &asynchronous, None).await.expect("async");
    let cmd = started.cmd_id.clone();
    assert_eq!(p.get_session_command("work", &cmd).await.expect("status").exit_code, None, "still running");

    let (stdout, stderr) = (Rc::new(RefCell::new(String::new())), Rc::new(RefCell::new(String::new())));
    let (o, e) = (Rc::clone(&stdout), Rc::clone(&stderr));
    let streaming = p.stream_session_command_logs(
        "work",
        &cmd,
        move |t| o.borrow_mut().push_str(t),
        move |t| e.borrow_mut().push_str(t),
    );
    let input = async {
        // The echo of input is logged when it arrives: send it once the loop has printed all,
        // so the log's order does not depend on the machine's speed.
        for _ in 0..400 {
            if stdout.borrow().contains("out3\n") {
                break;
            }
            gloo_timers::future::TimeoutFuture::new(50).await;
        }
        p.send_session_command_input("work", &cmd, "wasm").await.expect("input");
    };
    let (streamed, ()) = futures::join!(streaming, input);
    streamed.expect("stream");
    assert!(stdout.borrow().starts_with("out1\nout2\nout3\n"), "{}", stdout.borrow());
    assert!(stdout.borrow().ends_with("got wasm\n"), "{}", stdout.borrow());
    assert_eq!(*stderr.borrow(), "err1\nerr2\nerr3\n");
    assert_eq!(p.get_session_command("work", &cmd).await.expect("status").exit_code, Some(4));
    let logs = p.get_session_command_logs("work", &cmd).await.expect("logs");
    assert_eq!(logs.stderr, "err1\nerr2\nerr3\n");

    assert!(p.list_sessions().await.expect("list").iter().any(|s| s.session_id == "work"));
    p.delete_session("work").await.expect("delete session");
    assert_eq!(p.get_session("work").await.expect_err("gone").kind(), ErrorKind::NotFound);
    sb.delete(None).await.expect("delete");
}

/// A JSON call (sent by `XMLHttpRequest` in a browser) ends with its caller's signal, with
/// the client's timeout, and with the connection, each as its own error; a command whose
/// request went away is ended in the sandbox.
#[wasm_bindgen_test]
async fn a_call_ends_by_its_signal_its_timeout_or_the_connection() {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    let p = sb.process();
    let controller = web_sys::AbortController::new().expect("controller");
    let call = p.execute("sleep 30.25", None, None, None).signal(controller.signal());
    let abort = async {
        gloo_timers::future::TimeoutFuture::new(300).await;
        controller.abort();
    };
    let (err, ()) = futures::join!(call.into_future(), abort);
    assert_eq!(err.expect_err("aborted").kind(), ErrorKind::Aborted);
    let mut left = String::new();
    for _ in 0..50 {
        left = p.exec("pgrep -f 'sleep 30.25' || true", None, None, None).await.expect("pgrep").result;
        if left.is_empty() {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(100).await;
    }
    assert_eq!(left, "", "the command outlived its aborted request");

    // The client's own timeout (requestTimeoutMs) ends a call that takes longer.
    let config = daytona_wasm::DaytonaConfig {
        request_timeout_ms: Some(300),
        ..daytona_wasm::DaytonaConfig::with_api_key(common::API_URL, common::API_KEY)
    };
    let impatient = daytona_wasm::Daytona::new(config).expect("client");
    let same = impatient.get(&sb.id()).await.expect("get");
    let err = same.process().exec("sleep 5", None, None, None).await.expect_err("timed out");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    // Nothing answers: a connection error, not an API one.
    let nowhere =
        daytona_wasm::Daytona::new(daytona_wasm::DaytonaConfig::with_api_key("http://127.0.0.1:59999/api", "k"))
            .expect("client");
    let err = nowhere.get("any").await.expect_err("no server");
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    // And an API error keeps its status and code.
    let err = common::daytona().get("no-such-sandbox-xyz").await.expect_err("unknown");
    assert_eq!((err.kind(), err.status_code()), (ErrorKind::NotFound, Some(404)), "{err}");
    sb.delete(None).await.expect("delete");
}
