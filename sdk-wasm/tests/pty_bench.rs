//! Benchmark (prints figures): keystroke echo latency and output throughput of a PTY through
//! the SDK's `PtyHandle`, against a plain browser `WebSocket` on the same endpoint.

mod common;

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use daytona_wasm::{CreateSandboxParams, PtyCreateOptions, PtyDataFn};
use futures::channel::mpsc;
use futures::StreamExt;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const KEYSTROKES: usize = 1000;
const MIB: f64 = 1024.0 * 1024.0;

fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

fn summary(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    (ms[ms.len() / 2], ms[ms.len() * 99 / 100])
}

/// A plain WebSocket to a toolbox path, delivering binary frames on a channel.
struct Plain {
    ws: web_sys::WebSocket,
    rx: mpsc::UnboundedReceiver<js_sys::Uint8Array>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
}

impl Plain {
    async fn open(url: &str) -> Self {
        let protocols =
            js_sys::Array::of2(&"X-Daytona-SDK-Version~0.218.0".into(), &"X-Daytona-Pty-Exit-Control".into());
        let ws = web_sys::WebSocket::new_with_str_sequence(url, &protocols).expect("ws");
        ws.set_binary_type(web_sys::BinaryType::Arraybuffer);
        let (tx, rx) = mpsc::unbounded();
        let on_message = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            if ev.data().as_string().is_none() {
                let _ = tx.unbounded_send(js_sys::Uint8Array::new(&ev.data()));
            }
        });
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let opened = js_sys::Promise::new(&mut |resolve, _| ws.set_onopen(Some(&resolve)));
        JsFuture::from(opened).await.expect("open");
        Self { ws, rx, _on_message: on_message }
    }
}

#[wasm_bindgen_test]
async fn pty_latency_and_throughput_vs_plain_websocket() {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    let token = sb.get_preview_link(1).await.expect("token").token;
    let base = format!("{}/{}", sb.data().toolbox_proxy_url.replace("http://", "ws://"), sb.id());

    // Keystroke echo, measured the same way on both sides: a fresh PTY each, with only the
    // client being measured attached, ready once it has printed READY (no fixed waits).
    const READY_CMD: &[u8] = b"stty -icanon; echo RE''ADY; cat > /dev/null\n";

    // SDK handle: count output bytes, keep the text seen, and wake a waiter on each chunk.
    let received = Rc::new(Cell::new(0usize));
    let seen = Rc::new(RefCell::new(String::new()));
    let waker: Rc<RefCell<Option<futures::channel::oneshot::Sender<()>>>> = Rc::default();
    let (r, w, txt) = (Rc::clone(&received), Rc::clone(&waker), Rc::clone(&seen));
    let sink: PtyDataFn = Rc::new(move |chunk: &js_sys::Uint8Array| {
        r.set(r.get() + chunk.length() as usize);
        txt.borrow_mut().push_str(&String::from_utf8_lossy(&chunk.to_vec()));
        if let Some(tx) = w.borrow_mut().take() {
            let _ = tx.send(());
        }
    });
    let opts = PtyCreateOptions { id: Some("bench".into()), ..Default::default() };
    let pty = sb.process().create_pty(opts, sink, None).await.expect("pty");
    pty.send_input(READY_CMD).await.expect("cat");
    while !seen.borrow().contains("READY") {
        let (tx, rx) = futures::channel::oneshot::channel();
        *waker.borrow_mut() = Some(tx);
        rx.await.expect("ready");
    }

    let mut sdk_ms = Vec::with_capacity(KEYSTROKES);
    for _ in 0..KEYSTROKES {
        let (tx, rx) = futures::channel::oneshot::channel();
        *waker.borrow_mut() = Some(tx);
        let t = now();
        pty.send_input(b"a").await.expect("key");
        rx.await.expect("echo");
        sdk_ms.push(now() - t);
    }
    pty.kill().await.expect("kill");

    // A plain WebSocket on a PTY of its own (create-connect), nothing else attached.
    let mut plain = Plain::open(&format!(
        "{base}/process/pty/create-connect?id=bench-plain&cols=80&rows=24&DAYTONA_SANDBOX_AUTH_KEY={token}"
    ))
    .await;
    plain.ws.send_with_u8_array(READY_CMD).expect("cat");
    let mut text = String::new();
    while !text.contains("READY") {
        text.push_str(&String::from_utf8_lossy(&plain.rx.next().await.expect("ready").to_vec()));
    }
    while plain.rx.try_recv().is_ok() {}
    let mut raw_ms = Vec::with_capacity(KEYSTROKES);
    for _ in 0..KEYSTROKES {
        let t = now();
        plain.ws.send_with_u8_array(b"a").expect("send");
        plain.rx.next().await.expect("echo");
        raw_ms.push(now() - t);
    }
    let ((sdk_med, sdk_p99), (raw_med, raw_p99)) = (summary(sdk_ms), summary(raw_ms));
    console_log!(
        "BENCH PTY keystroke echo ({KEYSTROKES}): SDK median {sdk_med:.2} ms p99 {sdk_p99:.2} ms; plain WebSocket median {raw_med:.2} ms p99 {raw_p99:.2} ms; ratio median {:.2} p99 {:.2}",
        sdk_med / raw_med,
        sdk_p99 / raw_p99
    );
    plain.ws.close().ok();

    // Throughput: 64 MiB of output, through the SDK, then through a plain WebSocket.
    let size = 64usize << 20;
    let cmd = format!("stty raw -echo; head -c {size} /dev/zero | tr '\\0' x; exit\n");
    received.set(0);
    let opts = PtyCreateOptions { id: Some("bench-sdk".into()), ..Default::default() };
    let (r2, w2) = (Rc::clone(&received), Rc::clone(&waker));
    let sink: PtyDataFn = Rc::new(move |chunk: &js_sys::Uint8Array| {
        r2.set(r2.get() + chunk.length() as usize);
        if let Some(tx) = w2.borrow_mut().take() {
            let _ = tx.send(());
        }
    });
    let pty = sb.process().create_pty(opts, sink, None).await.expect("pty 2");
    let t = now();
    pty.send_input(cmd.as_bytes()).await.expect("cmd");
    while received.get() < size {
        let (tx, rx) = futures::channel::oneshot::channel();
        *waker.borrow_mut() = Some(tx);
        rx.await.expect("data");
    }
    let sdk_s = (now() - t) / 1000.0;
    assert_eq!(pty.wait().await.expect("exit"), 0);

    let mut plain = Plain::open(&format!(
        "{base}/process/pty/create-connect?id=bench-raw&cols=80&rows=24&DAYTONA_SANDBOX_AUTH_KEY={token}"
    ))
    .await;
    let t = now();
    plain.ws.send_with_u8_array(cmd.as_bytes()).expect("cmd");
    let mut got = 0usize;
    while got < size {
        got += plain.rx.next().await.expect("data").length() as usize;
    }
    let raw_s = (now() - t) / 1000.0;
    console_log!(
        "BENCH PTY throughput (64 MiB): SDK {:.0} MiB/s, plain WebSocket {:.0} MiB/s, ratio {:.2}",
        size as f64 / MIB / sdk_s,
        size as f64 / MIB / raw_s,
        raw_s / sdk_s
    );
    sb.delete(None).await.expect("delete");
}
