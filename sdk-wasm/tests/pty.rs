//! PTY sessions through the SDK in Chromium: I/O, resize, exit codes, a second client,
//! reconnects without lost or repeated bytes, and a 50 MiB binary stream intact.

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use daytona_wasm::{CreateSandboxParams, PtyCreateOptions, PtyDataFn, PtyHandle, PtyState, Sandbox};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Everything a handle received.
#[derive(Clone, Default)]
struct Screen(Rc<RefCell<Vec<u8>>>);

impl Screen {
    fn sink(&self) -> PtyDataFn {
        let buf = Rc::clone(&self.0);
        Rc::new(move |chunk: &js_sys::Uint8Array| buf.borrow_mut().extend(chunk.to_vec()))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }

    async fn wait_for(&self, needle: &str) {
        for _ in 0..400 {
            if self.text().contains(needle) {
                return;
            }
            gloo_timers::future::TimeoutFuture::new(25).await;
        }
        panic!("{needle:?} not seen; screen ends with {:?}", self.text().chars().rev().take(300).collect::<String>());
    }
}

async fn sandbox() -> Sandbox {
    common::daytona().create(CreateSandboxParams::default(), None).await.expect("create")
}

async fn open(sb: &Sandbox, id: &str, screen: &Screen) -> PtyHandle {
    let opts = PtyCreateOptions { id: Some(id.into()), cols: Some(80), rows: Some(24), ..Default::default() };
    sb.process().create_pty(opts, screen.sink(), None).await.expect("create pty")
}

#[wasm_bindgen_test]
async fn io_resize_second_client_and_exit_code() {
    let sb = sandbox().await;
    let screen = Screen::default();
    let envs = Some([("PTY_VAR".to_owned(), "from-envs".to_owned())].into());
    let opts =
        PtyCreateOptions { id: Some("main".into()), envs, cols: Some(100), rows: Some(30), ..Default::default() };
    let pty = sb.process().create_pty(opts, screen.sink(), None).await.expect("create pty");
    assert_eq!(pty.state(), PtyState::Connected);
    pty.send_input(b"echo v=$PTY_VAR $((6*7)); stty size\n").await.expect("input");
    screen.wait_for("v=from-envs 42").await;
    screen.wait_for("30 100").await;
    let info = pty.resize(120, 40).await.expect("resize");
    assert_eq!((info.cols, info.rows), (120, 40));
    pty.send_input(b"stty size\n").await.expect("input");
    screen.wait_for("40 120").await;

    // A second client sees the scrollback first, then shared live output.
    let second = Screen::default();
    let other = sb.process().connect_pty("main", second.sink(), None).await.expect("connect");
    second.wait_for("v=from-envs 42").await;
    other.send_input(b"echo typed-by-second\n").await.expect("input 2");
    screen.wait_for("typed-by-second").await;
    other.disconnect();
    assert_eq!(other.state(), PtyState::Disconnected);

    pty.send_input(b"exit 3\n").await.expect("exit");
    assert_eq!(pty.wait().await.expect("wait"), 3);
    assert_eq!(pty.exit_code(), Some(3));
    let sessions = sb.process().list_pty_sessions().await.expect("list");
    assert!(sessions.iter().all(|s| s.id != "main"), "an exited PTY is cleaned up");
    sb.delete(None).await.expect("delete");
}

#[wasm_bindgen_test]
async fn reconnects_without_losing_or_repeating_output() {
    let sb = sandbox().await;
    let screen = Screen::default();
    let states = Rc::new(RefCell::new(Vec::new()));
    let seen = Rc::clone(&states);
    let opts = PtyCreateOptions { id: Some("blip".into()), ..Default::default() };
    let pty = sb
        .process()
        .create_pty(opts, screen.sink(), Some(Rc::new(move |s: &PtyState| seen.borrow_mut().push(s.clone()))))
        .await
        .expect("create pty");
    pty.send_input(b"for i in $(seq 1 400); do echo L$i; sleep 0.004; done; echo AL''LDONE\n").await.expect("input");
    for _ in 0..3 {
        gloo_timers::future::TimeoutFuture::new(300).await;
        pty.drop_connection();
    }
    screen.wait_for("ALLDONE").await;
    let text = screen.text();
    let numbers: Vec<u32> =
        text.split(['\r', '\n']).filter_map(|l| l.strip_prefix('L').and_then(|n| n.parse().ok())).collect();
    assert_eq!(numbers, (1..=400).collect::<Vec<_>>(), "every line exactly once, in order");
    assert!(states.borrow().iter().any(|s| matches!(s, PtyState::Reconnecting(_))), "{:?}", states.borrow());
    assert_eq!(pty.state(), PtyState::Connected);
    pty.kill().await.expect("kill");
    assert!(pty.wait().await.expect("wait") != 0);
    sb.delete(None).await.expect("delete");
}

#[wasm_bindgen_test]
async fn fifty_mib_binary_stream_arrives_intact() {
    let sb = sandbox().await;
    let size = 50 * 1024 * 1024;
    let made = sb
        .process()
        .exec(&format!("head -c {size} /dev/urandom > big.bin && sha256sum big.bin | cut -d' ' -f1"), None, None, None)
        .await
        .expect("make file");
    let expected = made.result.trim().to_owned();
    let screen = Screen::default();
    let pty = open(&sb, "bulk", &screen).await;
    // Raw mode: no output processing, so the file's bytes arrive as they are.
    pty.send_input(b"stty raw -echo; printf 'ST''ART'; cat big.bin; sleep 1; exit\n").await.expect("input");
    assert_eq!(pty.wait().await.expect("wait"), 0);
    let body = {
        let data = screen.0.borrow();
        let start = data.windows(5).position(|w| w == b"START").expect("start marker") + 5;
        assert!(data.len() >= start + size, "received {} of {size} bytes", data.len() - start);
        js_sys::Uint8Array::from(&data[start..start + size])
    };
    let subtle = web_sys::window().unwrap().crypto().unwrap().subtle();
    let digest = JsFuture::from(subtle.digest_with_str_and_buffer_source("SHA-256", &body).unwrap()).await.unwrap();
    let hex: String = js_sys::Uint8Array::new(&digest).to_vec().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, expected);
    sb.delete(None).await.expect("delete");
}
