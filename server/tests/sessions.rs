//! Toolbox sessions (`/process/session…`): stateful shells, sync and async commands, logs in
//! every SDK format, input, the WebSocket follow stream, deletion and the entrypoint session.

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::Message;

/// The SDK version the official Python client sends (JSON logs).
const SDK: &str = "0.226.1";

/// A started sandbox and helpers for its session API.
struct Sb {
    s: Server,
    id: String,
}

impl Sb {
    async fn new() -> Self {
        let s = Server::start().await;
        let id = id_of(&s.create(json!({})).await);
        Sb { s, id }
    }

    fn url(&self, path: &str) -> String {
        self.s.toolbox(&self.id, path)
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        let req = self.s.http.post(self.url(path)).bearer_auth(&self.s.key).header("X-Daytona-SDK-Version", SDK);
        send(req.json(&body)).await
    }

    async fn get(&self, path: &str) -> (StatusCode, Value) {
        send(self.s.http.get(self.url(path)).bearer_auth(&self.s.key).header("X-Daytona-SDK-Version", SDK)).await
    }

    async fn delete(&self, path: &str) -> (StatusCode, Value) {
        send(self.s.http.delete(self.url(path)).bearer_auth(&self.s.key)).await
    }

    async fn create_session(&self, sid: &str) {
        let (status, body) = self.post("/process/session", json!({ "sessionId": sid })).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body, Value::String(String::new()), "201 has an empty body");
    }

    /// Runs `command` synchronously; asserts 200 and returns the response.
    async fn run(&self, sid: &str, command: &str) -> Value {
        let (status, body) = self.post(&format!("/process/session/{sid}/exec"), json!({ "command": command })).await;
        assert_eq!(status, StatusCode::OK, "{command}: {body}");
        body
    }

    /// Starts `command` asynchronously; asserts 202 `{cmdId}` and returns the id.
    async fn start(&self, sid: &str, body: Value) -> String {
        let (status, resp) = self.post(&format!("/process/session/{sid}/exec"), body).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{resp}");
        let keys: Vec<_> = resp.as_object().expect("object").keys().cloned().collect();
        assert_eq!(keys, ["cmdId"], "async exec answers only the id: {resp}");
        resp["cmdId"].as_str().unwrap().to_owned()
    }

    async fn command(&self, sid: &str, cid: &str) -> Value {
        let (status, body) = self.get(&format!("/process/session/{sid}/command/{cid}")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Waits for the command's exit code.
    async fn exit_code(&self, sid: &str, cid: &str) -> i64 {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(code) = self.command(sid, cid).await["exitCode"].as_i64() {
                return code;
            }
            assert!(Instant::now() < deadline, "command {cid} did not finish");
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
    }

    /// The JSON logs of a command.
    async fn logs(&self, sid: &str, cid: &str) -> Value {
        let (status, body) = self.get(&format!("/process/session/{sid}/command/{cid}/logs")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// `ps` output of the sandbox.
    async fn processes(&self) -> String {
        self.s.exec(&self.id, "ps -eo args").await.1
    }

    /// Opens a follow WebSocket with the SDK headers.
    async fn follow(&self, sid: &str, cid: &str) -> Ws {
        let url =
            self.url(&format!("/process/session/{sid}/command/{cid}/logs?follow=true")).replace("http://", "ws://");
        let mut req = url.into_client_request().unwrap();
        req.headers_mut().insert("Authorization", format!("Bearer {}", self.s.key).parse().unwrap());
        req.headers_mut().insert("X-Daytona-SDK-Version", SDK.parse().unwrap());
        tokio_tungstenite::connect_async(req).await.expect("WebSocket upgrade").0
    }
}

type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Reads a follow stream to its end: (binary frames with their arrival times, close code).
async fn read_stream(ws: &mut Ws) -> (Vec<(Instant, Vec<u8>)>, Option<CloseCode>) {
    let mut frames = Vec::new();
    let deadline = Duration::from_secs(20);
    loop {
        let msg = tokio::time::timeout(deadline, ws.next()).await.expect("stream stalled");
        match msg {
            Some(Ok(Message::Binary(b))) => frames.push((Instant::now(), b.to_vec())),
            Some(Ok(Message::Close(frame))) => return (frames, frame.map(|f| f.code)),
            Some(Ok(Message::Text(t))) => panic!("unexpected text frame {t:?}"),
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("WebSocket error: {e}"),
            None => return (frames, None),
        }
    }
}

fn joined(frames: &[(Instant, Vec<u8>)]) -> Vec<u8> {
    frames.iter().flat_map(|(_, b)| b.clone()).collect()
}

fn assert_daemon_error(status: StatusCode, body: &Value, expected: StatusCode, code: &str) {
    assert_eq!(status, expected, "{body}");
    assert_eq!(body["statusCode"], expected.as_u16(), "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["source"], "DAYTONA_DAEMON", "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
}

#[tokio::test]
async fn create_list_get_delete() {
    let sb = Sb::new().await;
    let (status, list) = sb.get("/process/session").await;
    assert_eq!((status, list), (StatusCode::OK, json!([])), "the entrypoint session is not listed");

    sb.create_session("alpha").await;
    sb.create_session("beta gamma").await;
    let (status, body) = sb.post("/process/session", json!({"sessionId": "alpha"})).await;
    assert_daemon_error(status, &body, StatusCode::CONFLICT, "CONFLICT");
    for bad in [json!({"sessionId": ""}), json!({"sessionId": "a/b"}), json!({"sessionId": "x\ny"}), json!({})] {
        let (status, body) = sb.post("/process/session", bad.clone()).await;
        assert_daemon_error(status, &body, StatusCode::BAD_REQUEST, "BAD_REQUEST");
    }
    let (status, body) = sb.post("/process/session", json!({"sessionId": "z".repeat(257)})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    let (status, list) = sb.get("/process/session").await;
    assert_eq!(status, StatusCode::OK);
    let mut ids: Vec<_> = list.as_array().unwrap().iter().map(|s| s["sessionId"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, ["alpha", "beta gamma"]);
    let (status, alpha) = sb.get("/process/session/alpha").await;
    assert_eq!((status, alpha), (StatusCode::OK, json!({"sessionId": "alpha", "commands": []})));
    let (status, _) = sb.get("/process/session/beta%20gamma").await;
    assert_eq!(status, StatusCode::OK);

    let (status, body) = sb.delete("/process/session/alpha").await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::String(String::new())));
    let (status, body) = sb.get("/process/session/alpha").await;
    assert_daemon_error(status, &body, StatusCode::NOT_FOUND, "NOT_FOUND");
    let (status, body) = sb.delete("/process/session/alpha").await;
    assert_daemon_error(status, &body, StatusCode::NOT_FOUND, "NOT_FOUND");
    let (status, body) = sb.post("/process/session/alpha/exec", json!({"command": "true"})).await;
    assert_daemon_error(status, &body, StatusCode::NOT_FOUND, "NOT_FOUND");
    // The id is free again.
    sb.create_session("alpha").await;
}

#[tokio::test]
async fn shell_state_persists_and_streams_are_split() {
    let sb = Sb::new().await;
    sb.create_session("s").await;
    let first = sb.run("s", "mkdir -p a/b && cd a/b && export GREETING='hi there' && greet() { echo \"$1!\"; }").await;
    assert_eq!(first["exitCode"], 0, "{first}");
    assert_eq!(
        (first["stdout"].as_str(), first["stderr"].as_str(), first["output"].as_str()),
        (Some(""), Some(""), Some(""))
    );

    let second = sb
        .run("s", "pwd\necho \"$GREETING\"; greet you\necho oops >&2; printf 'no newline'; exit_code=3; (exit 3)")
        .await;
    assert_eq!(second["exitCode"], 3, "{second}");
    assert_eq!(second["stdout"], "/home/daytona/a/b\nhi there\nyou!\nno newline\n");
    assert_eq!(second["stderr"], "oops\n");
    let output = second["output"].as_str().unwrap();
    for line in
        ["\x01\x01\x01/home/daytona/a/b\n", "\x01\x01\x01hi there\n", "\x02\x02\x02oops\n", "\x01\x01\x01no newline\n"]
    {
        assert!(output.contains(line), "{line:?} missing in {output:?}");
    }
    assert_eq!(output.len(), "/home/daytona/a/b\nhi there\nyou!\noops\nno newline\n".len() + 5 * 3);

    // A syntax error, a failing and a nonexistent command do not end the session.
    assert_eq!(sb.run("s", "if then fi").await["exitCode"], 2);
    let missing = sb.run("s", "no-such-command-xyz").await;
    assert_eq!(missing["exitCode"], 127);
    assert!(missing["stderr"].as_str().unwrap().contains("no-such-command-xyz"), "{missing}");
    // Quotes, unicode, stdin from a here-document, and a large output.
    let quoted = sb.run("s", "cat <<'EOF'\nit's \"quoted\" $HOME ✓\nEOF").await;
    assert_eq!(quoted["stdout"], "it's \"quoted\" $HOME ✓\n");
    let big = sb.run("s", "seq 1 50000").await;
    let expected: String = (1..=50000).map(|i| format!("{i}\n")).collect();
    assert_eq!(big["stdout"].as_str().unwrap(), expected);
    assert_eq!(sb.run("s", "pwd").await["stdout"], "/home/daytona/a/b\n");

    let (status, session) = sb.get("/process/session/s").await;
    assert_eq!(status, StatusCode::OK);
    let commands = session["commands"].as_array().unwrap();
    assert_eq!(commands.len(), 7);
    assert_eq!(commands[1], json!({"id": second["cmdId"], "command": second_command(), "exitCode": 3}));

    // Another session has its own state.
    sb.create_session("other").await;
    assert_eq!(sb.run("other", "pwd; echo \"[$GREETING]\"").await["stdout"], "/home/daytona\n[]\n");

    // `exit` ends the shell: the command gets its status, the session takes no more commands.
    let exited = sb.run("s", "echo bye; exit 5").await;
    assert_eq!((exited["exitCode"].as_i64(), exited["stdout"].as_str()), (Some(5), Some("bye\n")));
    let (status, body) = sb.post("/process/session/s/exec", json!({"command": "true"})).await;
    assert_daemon_error(status, &body, StatusCode::GONE, "SESSION_ENDED");
}

fn second_command() -> &'static str {
    "pwd\necho \"$GREETING\"; greet you\necho oops >&2; printf 'no newline'; exit_code=3; (exit 3)"
}

#[tokio::test]
async fn async_commands_status_and_log_formats() {
    let sb = Sb::new().await;
    sb.create_session("s").await;
    // Held at `read` until the checks below are done, however slow the machine.
    let cid = sb
        .start(
            "s",
            json!({"command": "echo start; echo warn >&2; read -r; echo end", "runAsync": true, "suppressInputEcho": true}),
        )
        .await;
    let running = sb.command("s", &cid).await;
    assert_eq!(running["id"], cid.as_str());
    assert!(running.get("exitCode").is_none(), "exitCode present while running: {running}");
    // The deprecated `async` flag works too; commands queue behind the running one.
    let queued = sb.start("s", json!({"command": "echo queued", "async": true})).await;
    assert!(sb.command("s", &queued).await.get("exitCode").is_none());
    let (status, _) = sb.post(&format!("/process/session/s/command/{cid}/input"), json!({"data": "go"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(sb.exit_code("s", &cid).await, 0);
    assert_eq!(sb.exit_code("s", &queued).await, 0);

    let raw = "\x01\x01\x01start\n\x02\x02\x02warn\n\x01\x01\x01end\n";
    let alt = "\x02\x02\x02warn\n\x01\x01\x01start\n\x01\x01\x01end\n";
    let logs = sb.logs("s", &cid).await;
    assert!(logs["output"] == raw || logs["output"] == alt, "{logs}");
    assert_eq!((logs["stdout"].as_str(), logs["stderr"].as_str()), (Some("start\nend\n"), Some("warn\n")));

    // Older SDKs: raw text with markers (0.27–0.166 or X-Daytona-Split-Output), or plain
    // combined text (no version, or < 0.27).
    let url = sb.url(&format!("/process/session/s/command/{cid}/logs"));
    let fetch = |headers: &'static [(&'static str, &'static str)]| {
        let mut req = sb.s.http.get(&url).bearer_auth(&sb.s.key);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        async move {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let ct = resp.headers()["content-type"].to_str().unwrap().to_owned();
            assert!(ct.starts_with("text/plain"), "{ct}");
            resp.text().await.unwrap()
        }
    };
    let raw_text = fetch(&[("X-Daytona-SDK-Version", "0.150.0")]).await;
    assert!(raw_text == raw || raw_text == alt, "{raw_text:?}");
    assert_eq!(fetch(&[("X-Daytona-Split-Output", "true")]).await, raw_text);
    let combined = fetch(&[]).await;
    assert!(combined == "start\nwarn\nend\n" || combined == "warn\nstart\nend\n", "{combined:?}");
    assert_eq!(fetch(&[("X-Daytona-SDK-Version", "0.26.0")]).await, combined);

    // Sync exec follows the same rule for `output`.
    let (status, old) = send(
        sb.s.http
            .post(sb.url("/process/session/s/exec"))
            .bearer_auth(&sb.s.key)
            .json(&json!({"command": "echo a; echo b >&2"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{old}");
    assert!(old["output"] == "a\nb\n" || old["output"] == "b\na\n", "{old}");
    assert_eq!(old["exitCode"], 0);

    let (status, body) = sb.get("/process/session/s/command/nope").await;
    assert_daemon_error(status, &body, StatusCode::NOT_FOUND, "PROCESS_NOT_FOUND");
    let (status, body) = sb.get("/process/session/s/command/nope/logs").await;
    assert_daemon_error(status, &body, StatusCode::NOT_FOUND, "PROCESS_NOT_FOUND");
    let (status, body) = sb.get(&format!("/process/session/missing/command/{cid}")).await;
    assert_daemon_error(status, &body, StatusCode::NOT_FOUND, "NOT_FOUND");
    let (status, body) = sb.post("/process/session/s/exec", json!({"command": "  "})).await;
    assert_daemon_error(status, &body, StatusCode::BAD_REQUEST, "BAD_REQUEST");
    let (status, body) = sb.post("/process/session/s/exec", json!({"runAsync": true})).await;
    assert_daemon_error(status, &body, StatusCode::BAD_REQUEST, "BAD_REQUEST");
}

#[tokio::test]
async fn input_reaches_the_command_and_is_echoed() {
    let sb = Sb::new().await;
    sb.create_session("s").await;
    let cid = sb
        .start("s", json!({"command": "read -r a; echo \"got $a\"; read -r b; echo \"then $b\" >&2", "runAsync": true}))
        .await;
    let input = format!("/process/session/s/command/{cid}/input");
    let (status, body) = sb.post(&input, json!({"data": "first"})).await;
    assert_eq!((status, body), (StatusCode::NO_CONTENT, Value::String(String::new())));
    // The echo of input is logged when it arrives, the command's answer when it runs: wait for
    // the answer before the next input, so the log's order is deterministic.
    let answered = eventually(Duration::from_secs(5), || async {
        sb.logs("s", &cid).await["stdout"].as_str().unwrap_or_default().contains("got first")
    })
    .await;
    assert!(answered, "the command did not answer the first input");
    let (status, _) = sb.post(&input, json!({"data": "second\n"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(sb.exit_code("s", &cid).await, 0);
    let logs = sb.logs("s", &cid).await;
    assert_eq!(logs["stdout"], "first\ngot first\nsecond\n", "{logs}");
    assert_eq!(logs["stderr"], "then second\n");

    let (status, body) = sb.post(&input, json!({"data": "late"})).await;
    assert_daemon_error(status, &body, StatusCode::GONE, "COMMAND_ALREADY_COMPLETED");
    let (status, body) = sb.post("/process/session/s/command/nope/input", json!({"data": "x"})).await;
    assert_daemon_error(status, &body, StatusCode::NOT_FOUND, "PROCESS_NOT_FOUND");
    let (status, body) = sb.post(&input, json!({})).await;
    assert_daemon_error(status, &body, StatusCode::BAD_REQUEST, "BAD_REQUEST");

    // suppressInputEcho keeps input out of the log.
    let quiet = sb
        .start("s", json!({"command": "read -r s; echo \"len ${#s}\"", "runAsync": true, "suppressInputEcho": true}))
        .await;
    let (status, _) = sb.post(&format!("/process/session/s/command/{quiet}/input"), json!({"data": "secret"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(sb.exit_code("s", &quiet).await, 0);
    assert_eq!(sb.logs("s", &quiet).await["output"], "\x01\x01\x01len 6\n");
}

#[tokio::test]
async fn follow_streams_frames_and_closes_when_the_command_exits() {
    let sb = Sb::new().await;
    sb.create_session("s").await;
    // The command holds on after two lines until it gets input: frames that arrive before the
    // input are proof of streaming, whatever the machine's load (no timing involved).
    let command = "for i in 1 2; do echo out-$i; echo err-$i >&2; done; read -r go; \
                   for i in 3 4; do echo out-$i; echo err-$i >&2; done; (exit 3)";
    let cid = sb.start("s", json!({"command": command, "runAsync": true, "suppressInputEcho": true})).await;
    let mut ws = sb.follow("s", &cid).await;
    let mut early: Vec<(Instant, Vec<u8>)> = Vec::new();
    while !String::from_utf8_lossy(&joined(&early)).contains("err-2\n") {
        match tokio::time::timeout(Duration::from_secs(20), ws.next()).await.expect("the first lines, streamed") {
            Some(Ok(Message::Binary(b))) => early.push((Instant::now(), b.to_vec())),
            Some(Ok(Message::Text(t))) => panic!("unexpected text frame {t:?}"),
            Some(Ok(Message::Close(f))) => panic!("closed before the input: {f:?}"),
            Some(Ok(_)) => {}
            other => panic!("stream ended before the input: {other:?}"),
        }
    }
    assert!(sb.command("s", &cid).await["exitCode"].is_null(), "still running: it waits for input");
    let (status, _) = sb.post(&format!("/process/session/s/command/{cid}/input"), json!({"data": "go"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (rest, close) = read_stream(&mut ws).await;
    assert_eq!(close, Some(CloseCode::Normal));
    // Closed once the exit code was known, which the status now shows.
    assert_eq!(sb.command("s", &cid).await["exitCode"], 3);
    let frames: Vec<(Instant, Vec<u8>)> = early.into_iter().chain(rest).collect();
    let streamed = joined(&frames);
    let logs = sb.logs("s", &cid).await;
    assert_eq!(String::from_utf8(streamed).unwrap(), logs["output"].as_str().unwrap());
    assert_eq!(logs["stdout"], "out-1\nout-2\nout-3\nout-4\n");
    assert_eq!(logs["stderr"], "err-1\nerr-2\nerr-3\nerr-4\n");

    // Following a finished command sends its whole log and closes at once; so does a plain
    // (non-follow) WebSocket request.
    let mut ws = sb.follow("s", &cid).await;
    let (frames, close) = read_stream(&mut ws).await;
    assert_eq!(
        (joined(&frames), close),
        (logs["output"].as_str().unwrap().as_bytes().to_vec(), Some(CloseCode::Normal))
    );

    // Pings are answered while the command is silent (held at `read` until then).
    let cid =
        sb.start("s", json!({"command": "read -r; echo late", "runAsync": true, "suppressInputEcho": true})).await;
    let mut ws = sb.follow("s", &cid).await;
    ws.send(Message::Ping(b"are you there".to_vec().into())).await.unwrap();
    let pong = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("no pong while idle");
    assert!(matches!(pong, Some(Ok(Message::Pong(ref p))) if &p[..] == b"are you there"), "{pong:?}");
    let (status, _) = sb.post(&format!("/process/session/s/command/{cid}/input"), json!({"data": "go"})).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (frames, close) = read_stream(&mut ws).await;
    assert_eq!((joined(&frames), close), (b"\x01\x01\x01late\n".to_vec(), Some(CloseCode::Normal)));
}

#[tokio::test]
async fn browser_follow_uses_the_query_token_and_gets_its_subprotocol_back() {
    let sb = Sb::new().await;
    sb.create_session("s").await;
    let cid = sb.start("s", json!({"command": "echo one; sleep 0.3; echo two >&2", "runAsync": true})).await;
    let token = sb.s.sandbox_token(&sb.id).await;
    let url = sb
        .url(&format!("/process/session/s/command/{cid}/logs?follow=true&DAYTONA_SANDBOX_AUTH_KEY={token}"))
        .replace("http://", "ws://");
    let mut req = url.into_client_request().unwrap();
    let protocol = "X-Daytona-SDK-Version~0.218.0";
    req.headers_mut().insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
    let (mut ws, resp) = tokio_tungstenite::connect_async(req).await.expect("browser-style upgrade");
    assert_eq!(resp.headers()["sec-websocket-protocol"], protocol);
    let (frames, close) = read_stream(&mut ws).await;
    assert_eq!(close, Some(CloseCode::Normal));
    // The version in the subprotocol counts: markers are kept (without one they are stripped).
    assert_eq!(joined(&frames), b"\x01\x01\x01one\n\x02\x02\x02two\n");

    // Without a token the upgrade is refused with 401 before any WebSocket.
    let url = sb.url(&format!("/process/session/s/command/{cid}/logs?follow=true")).replace("http://", "ws://");
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(resp)) => assert_eq!(resp.status(), 401),
        other => panic!("expected HTTP 401, got {other:?}"),
    }
}

#[tokio::test]
async fn delete_kills_the_session_processes_and_ends_followers() {
    let sb = Sb::new().await;
    sb.create_session("s").await;
    let bg = "sleep 301.25";
    let fg = "sleep 302.75";
    assert_eq!(sb.run("s", &format!("{bg} &")).await["exitCode"], 0);
    let cid = sb.start("s", json!({"command": fg, "runAsync": true})).await;
    let seen = eventually(Duration::from_secs(5), || async { sb.processes().await.contains(fg) }).await;
    assert!(seen, "the command did not start");
    assert!(sb.processes().await.contains(bg));

    let mut ws = sb.follow("s", &cid).await;
    let (status, _) = sb.delete("/process/session/s").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (frames, close) = read_stream(&mut ws).await;
    assert_eq!((frames.len(), close), (0, Some(CloseCode::Normal)));

    let gone = eventually(Duration::from_secs(5), || async {
        let ps = sb.processes().await;
        !ps.contains(bg) && !ps.contains(fg)
    })
    .await;
    assert!(gone, "session processes survived the delete:\n{}", sb.processes().await);
    let (status, body) = sb.get(&format!("/process/session/s/command/{cid}")).await;
    assert_daemon_error(status, &body, StatusCode::NOT_FOUND, "NOT_FOUND");
}

#[tokio::test]
async fn stopping_the_sandbox_ends_its_sessions() {
    let sb = Sb::new().await;
    sb.create_session("s").await;
    let marker = "sleep 303.5";
    sb.start("s", json!({"command": marker, "runAsync": true})).await;
    assert!(eventually(Duration::from_secs(5), || async { sb.processes().await.contains(marker) }).await);
    assert_eq!(host_processes(marker), 1);
    let (status, body) = sb.s.post_empty(&format!("/sandbox/{}/stop", sb.id)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // Gone from the host, not only from the next jail's view.
    assert_eq!(host_processes(marker), 0, "the session's process outlived the stop");
    let (status, body) = sb.s.post_empty(&format!("/sandbox/{}/start", sb.id)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        eventually(Duration::from_secs(15), || async { sb.s.state(&sb.id).await.as_deref() == Some("started") }).await
    );
    assert!(!sb.processes().await.contains(marker));
    let (status, list) = sb.get("/process/session").await;
    assert_eq!((status, list), (StatusCode::OK, json!([])));
}

#[tokio::test]
async fn logs_are_bounded_without_blocking_the_command() {
    let sb = Sb::new().await;
    sb.create_session("s").await;
    let t0 = Instant::now();
    // 40 MB of output in 100-byte lines, then a marker line after the limit.
    let cid = sb
        .start(
            "s",
            json!({"command": "yes \"$(printf '%099d' 0)\" | head -c 40000000; echo after-limit", "runAsync": true}),
        )
        .await;
    assert_eq!(sb.exit_code("s", &cid).await, 0);
    assert!(t0.elapsed() < Duration::from_secs(30), "took {:?}", t0.elapsed());
    let raw =
        sb.s.http
            .get(sb.url(&format!("/process/session/s/command/{cid}/logs")))
            .bearer_auth(&sb.s.key)
            .header("X-Daytona-SDK-Version", "0.150.0")
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
    assert!(raw.len() <= (32 << 20) + 200, "log is {} bytes", raw.len());
    assert!(raw.len() > 30 << 20, "log is {} bytes", raw.len());
    let text = String::from_utf8_lossy(&raw);
    assert_eq!(text.matches("[output truncated").count(), 1);
    assert!(!text.contains("after-limit"));
    // The session goes on working.
    assert_eq!(sb.run("s", "echo fine").await["stdout"], "fine\n");
}

#[tokio::test]
async fn entrypoint_session_is_read_only_and_empty() {
    let sb = Sb::new().await;
    let (status, body) = sb.get("/process/session/entrypoint").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"sessionId": "entrypoint", "commands": []})));
    let (status, body) = sb.get("/process/session/entrypoint/logs").await;
    assert_eq!((status, body), (StatusCode::OK, json!({"output": "", "stdout": "", "stderr": ""})));
    let (status, body) = sb.post("/process/session/entrypoint/exec", json!({"command": "true"})).await;
    assert_daemon_error(status, &body, StatusCode::BAD_REQUEST, "BAD_REQUEST");
    let (status, body) = sb.post("/process/session/entrypoint/command/x/input", json!({"data": "x"})).await;
    assert_daemon_error(status, &body, StatusCode::BAD_REQUEST, "BAD_REQUEST");
    let (status, body) = sb.delete("/process/session/entrypoint").await;
    assert_daemon_error(status, &body, StatusCode::BAD_REQUEST, "BAD_REQUEST");
    let (status, body) = sb.post("/process/session", json!({"sessionId": "entrypoint"})).await;
    assert_daemon_error(status, &body, StatusCode::CONFLICT, "CONFLICT");

    let url = sb.url("/process/session/entrypoint/logs?follow=true").replace("http://", "ws://");
    let mut req = url.into_client_request().unwrap();
    req.headers_mut().insert("Authorization", format!("Bearer {}", sb.s.key).parse().unwrap());
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let (frames, close) = read_stream(&mut ws).await;
    assert_eq!((frames.len(), close), (0, Some(CloseCode::Normal)));
}
