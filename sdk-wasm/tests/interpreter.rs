//! `sandbox.code_interpreter()` in Chromium: streamed output and state across runs, contexts,
//! rich outputs (a matplotlib figure as PNG, a DataFrame as HTML), input() answered,
//! interrupts by AbortSignal and by the context endpoint, restart, a crashed process, and
//! the timeout error with the state kept.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use daytona_wasm::{CreateSandboxParams, ErrorKind, Output, RunCodeOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn rich() -> RunCodeOptions {
    RunCodeOptions { rich_outputs: true, ..Default::default() }
}

#[wasm_bindgen_test]
async fn runs_keep_state_stream_and_contexts_are_isolated() {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    let ci = sb.code_interpreter();
    let seen = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = Rc::clone(&seen);
    let out = ci
        .run_code(
            "import sys\nx = 20\nprint('out', x)\nprint('err', file=sys.stderr)",
            RunCodeOptions::default(),
            |o, _| match o {
                Output::Stdout(t) => sink.borrow_mut().push(format!("stdout:{t}")),
                Output::Stderr(t) => sink.borrow_mut().push(format!("stderr:{t}")),
                _ => {}
            },
        )
        .await
        .expect("run");
    assert_eq!((out.stdout.as_str(), out.stderr.as_str(), out.error.is_none()), ("out 20\n", "err\n", true));
    // Chunks as they came (a print may arrive in pieces), joined per stream.
    let joined = |stream: &str| -> String {
        seen.borrow().iter().filter_map(|c| c.strip_prefix(&format!("{stream}:")).map(str::to_owned)).collect()
    };
    assert_eq!(
        (joined("stdout"), joined("stderr")),
        (out.stdout.clone(), out.stderr.clone()),
        "callbacks get what the result holds"
    );

    let out = ci.run_code("x * 2 + 2", RunCodeOptions::default(), |_, _| {}).await.expect("state");
    assert_eq!(out.stdout, "42\n");

    let ctx = ci.create_context(Some("/tmp")).await.expect("create context");
    assert_eq!((ctx.cwd.as_str(), ctx.active), ("/tmp", true));
    let in_ctx = RunCodeOptions { context: Some(ctx.id.clone()), ..Default::default() };
    let out = ci.run_code("x", in_ctx.clone(), |_, _| {}).await.expect("isolated");
    assert_eq!(out.error.as_ref().map(|e| e.name.as_str()), Some("NameError"));
    assert!(out.error.unwrap().traceback.contains("NameError"));
    let listed = ci.list_contexts().await.expect("list");
    assert_eq!(listed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), [ctx.id.as_str()]);
    ci.delete_context(&ctx.id).await.expect("delete context");
    assert!(ci.list_contexts().await.expect("list").is_empty());
    let err = ci.delete_context(&ctx.id).await.expect_err("deleted twice");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = ci.run_code("1", in_ctx, |_, _| {}).await.expect_err("a deleted context");
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    sb.delete(None).await.expect("delete");
}

#[wasm_bindgen_test]
async fn rich_outputs_and_input() {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    let ci = sb.code_interpreter();
    let order = Rc::new(RefCell::new(Vec::<String>::new()));
    let sink = Rc::clone(&order);
    let code = "import matplotlib.pyplot as plt\nprint('before')\nplt.plot([1, 2])\nplt.show()\nprint('after')";
    let out = ci
        .run_code(code, rich(), |o, _| {
            let mut order = sink.borrow_mut();
            match o {
                // A print may arrive in pieces: text after text is one entry.
                Output::Stdout(t) => match order.last_mut() {
                    Some(last) if last.starts_with("text:") => last.push_str(t),
                    _ => order.push(format!("text:{t}")),
                },
                Output::Rich(r) => order.push(r.kind.clone()),
                _ => {}
            }
        })
        .await
        .expect("figure");
    assert_eq!(
        *order.borrow(),
        ["text:before\n", "display", "text:after\n"],
        "outputs in the order the code made them"
    );
    let png = out.results[0].png().expect("a PNG");
    assert!(png.starts_with("iVBORw0KGgo"), "base64 PNG");

    let out = ci.run_code("import pandas as pd\npd.DataFrame({'n': [1, 2]})", rich(), |_, _| {}).await.expect("df");
    let table = &out.results[0];
    assert_eq!(table.kind, "result");
    assert!(table.html().is_some_and(|h| h.contains("<table")), "{table:?}");
    assert!(table.text().is_some());

    let out = ci
        .run_code("name = input('name? ')\nprint('hi', name)", rich(), |o, run| {
            if let Output::Input { prompt, password } = o {
                assert_eq!((prompt, password), ("name? ", false));
                run.send_input("wasm");
            }
        })
        .await
        .expect("input");
    assert_eq!(out.stdout, "hi wasm\n");
    sb.delete(None).await.expect("delete");
}

#[wasm_bindgen_test]
async fn interrupts_restarts_crashes_and_timeouts() {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    let ci = sb.code_interpreter();
    ci.run_code("kept = 'yes'", RunCodeOptions::default(), |_, _| {}).await.expect("set");

    // An AbortSignal interrupts the code once it has started; the run rejects as aborted.
    let controller = web_sys::AbortController::new().unwrap();
    let options = RunCodeOptions { signal: Some(controller.signal()), ..Default::default() };
    let err = ci
        .run_code("import time\nprint('started', flush=True)\ntime.sleep(60)", options, |o, _| {
            if matches!(o, Output::Stdout(t) if t.contains("started")) {
                controller.abort();
            }
        })
        .await
        .expect_err("aborted");
    assert_eq!(err.kind(), ErrorKind::Aborted, "{err}");
    let ctx = ci.get_context("default").await.expect("default context");
    assert_eq!(ctx.state, Some(daytona_wasm::models::ContextState::Idle));

    // The timeout interrupts; the state stays.
    let options = RunCodeOptions { timeout: Some(1), ..Default::default() };
    let err = ci.run_code("while True:\n    pass", options, |_, _| {}).await.expect_err("timeout");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    let out = ci.run_code("kept", RunCodeOptions::default(), |_, _| {}).await.expect("kept");
    assert_eq!(out.stdout, "'yes'\n");

    // A crash is an error and a fresh process.
    let out = ci.run_code("import os\nos._exit(9)", RunCodeOptions::default(), |_, _| {}).await.expect("crash");
    assert_eq!(out.error.map(|e| e.name), Some("KernelDied".to_owned()));
    let out = ci.run_code("kept", RunCodeOptions::default(), |_, _| {}).await.expect("fresh");
    assert_eq!(out.error.map(|e| e.name), Some("NameError".to_owned()));

    // Restart empties the namespace.
    ci.run_code("again = 1", RunCodeOptions::default(), |_, _| {}).await.expect("set");
    ci.restart_context("default").await.expect("restart");
    let out = ci.run_code("again", RunCodeOptions::default(), |_, _| {}).await.expect("after restart");
    assert_eq!(out.error.map(|e| e.name), Some("NameError".to_owned()));
    sb.delete(None).await.expect("delete");
}
