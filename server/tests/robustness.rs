//! API robustness (the fuzzer's findings): answers that arrive whatever the state of the
//! request body, client errors that are never 5xx, and error bodies in Daytona's envelope
//! with the status codes of Daytona's toolbox spec.

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How a raw request sends its body.
#[derive(Clone, Copy, Debug)]
enum Framing {
    /// `Content-Length`, all bytes at once.
    Length,
    /// `Transfer-Encoding: chunked`, 64 KiB chunks.
    Chunked,
    /// `Content-Length` and `Expect: 100-continue`: the body only after a 100.
    ExpectContinue,
}

/// Sends `method path` with a `size`-byte body on a new connection as a plain client would
/// (headers, then the whole body, then read), and returns the final status, or why there was
/// none (`Err`: reset, closed without an answer, …).
async fn raw_status(
    port: u16,
    key: &str,
    method: &str,
    path: &str,
    size: usize,
    framing: Framing,
) -> Result<u16, String> {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).await.map_err(|e| format!("connect: {e}"))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\n"
    );
    match framing {
        Framing::Chunked => head.push_str("Transfer-Encoding: chunked\r\n"),
        Framing::Length => head.push_str(&format!("Content-Length: {size}\r\n")),
        Framing::ExpectContinue => head.push_str(&format!("Content-Length: {size}\r\nExpect: 100-continue\r\n")),
    }
    head.push_str("\r\n");
    conn.write_all(head.as_bytes()).await.map_err(|e| format!("writing headers: {e}"))?;
    let mut got = Vec::new();
    if let Framing::ExpectContinue = framing {
        // The server asks for the body (100) or answers without it (a final status).
        got = read_head(&mut conn).await?;
        if !got.starts_with(b"HTTP/1.1 100") {
            return status_of(&got);
        }
        got.clear();
    }
    let body = vec![b'x'; size];
    // A failed write (the server answered early and stopped reading) is not a failure in
    // itself: the answer must still be readable.
    let _ = match framing {
        Framing::Chunked => {
            let mut out = Ok(());
            for chunk in body.chunks(64 * 1024) {
                let mut frame = format!("{:x}\r\n", chunk.len()).into_bytes();
                frame.extend_from_slice(chunk);
                frame.extend_from_slice(b"\r\n");
                out = conn.write_all(&frame).await;
                if out.is_err() {
                    break;
                }
            }
            match out {
                Ok(()) => conn.write_all(b"0\r\n\r\n").await,
                e => e,
            }
        }
        _ => conn.write_all(&body).await,
    };
    got.extend(read_head(&mut conn).await?);
    status_of(&got)
}

/// Reads until the end of a response head (or of the connection).
async fn read_head(conn: &mut TcpStream) -> Result<Vec<u8>, String> {
    let mut got = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout(Duration::from_secs(30), conn.read(&mut buf)).await {
            Err(_) => return Err("no answer within 30 s".into()),
            Ok(Err(e)) => return Err(format!("reading the answer: {e}")),
            Ok(Ok(0)) => return Err(format!("closed without an answer (got {:?})", String::from_utf8_lossy(&got))),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
    Ok(got)
}

fn status_of(head: &[u8]) -> Result<u16, String> {
    let text = String::from_utf8_lossy(head);
    text.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or_else(|| format!("not an HTTP answer: {text:?}"))
}

/// Statuses of `n` requests, counted: `{400: 100}` when all is well.
async fn tally(
    s: &Server,
    method: &str,
    path: &str,
    size: usize,
    framing: Framing,
    n: usize,
) -> std::collections::BTreeMap<String, usize> {
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..n {
        let outcome = match raw_status(s.port, &s.key, method, path, size, framing).await {
            Ok(status) => status.to_string(),
            Err(why) => why,
        };
        *seen.entry(outcome).or_default() += 1;
    }
    seen
}

#[tokio::test]
async fn early_answers_arrive_whatever_the_state_of_the_body() {
    let mut s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    // The agent answers these before reading the body: no `path` in the query.
    let folder = format!("/toolbox/{id}/files/folder");
    let expected = |n: usize| std::collections::BTreeMap::from([("400".to_owned(), n)]);

    // The reproduction: 200 KB with an early 400, 100 times (it gave 10-50 % 502s).
    assert_eq!(tally(&s, "POST", &folder, 200_000, Framing::Length, 100).await, expected(100));
    // Bigger bodies, chunked bodies, a GET with a body, and a client waiting for a 100.
    assert_eq!(tally(&s, "POST", &folder, 2_000_000, Framing::Length, 20).await, expected(20));
    assert_eq!(tally(&s, "POST", &folder, 2_000_000, Framing::Chunked, 20).await, expected(20));
    let info = format!("/toolbox/{id}/files/info");
    assert_eq!(tally(&s, "GET", &info, 500_000, Framing::Length, 20).await, expected(20));
    assert_eq!(tally(&s, "POST", &folder, 2_000_000, Framing::ExpectContinue, 20).await, expected(20));

    // The control plane: a body over its 2 MB limit is a 413 in Daytona's envelope, delivered.
    let too_large = std::collections::BTreeMap::from([("413".to_owned(), 10)]);
    assert_eq!(tally(&s, "POST", "/api/sandbox", 3_000_000, Framing::Length, 10).await, too_large);
    assert_eq!(tally(&s, "POST", "/api/sandbox", 3_000_000, Framing::Chunked, 10).await, too_large);
    let big = format!("{{\"labels\":{{\"a\":\"{}\"}}}}", "x".repeat(3_000_000));
    let (status, body) =
        send(s.http.post(s.api("/sandbox")).bearer_auth(&s.key).header("content-type", "application/json").body(big))
            .await;
    assert_envelope(status, &body, StatusCode::PAYLOAD_TOO_LARGE, "/api/sandbox");

    // A kept-alive connection goes on serving after an early answer.
    let client = reqwest::Client::builder().pool_max_idle_per_host(1).build().unwrap();
    for _ in 0..5 {
        let resp = client
            .post(s.toolbox(&id, "/files/folder"))
            .bearer_auth(&s.key)
            .body(vec![b'x'; 300_000])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        let resp = client.get(s.toolbox(&id, "/files/info?path=.")).bearer_auth(&s.key).send().await.unwrap();
        assert_eq!(resp.status(), 200);
    }
    s.assert_alive().await;
}

/// A daemon error: the status, Daytona's daemon envelope, and the code.
fn assert_daemon(status: StatusCode, body: &Value, expected: u16, code: &str, path: &str) {
    assert_eq!(status.as_u16(), expected, "{body}");
    assert_eq!(body["statusCode"].as_u64(), Some(expected as u64), "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["source"], "DAYTONA_DAEMON", "{body}");
    assert_eq!(body["path"], path, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')), "{body}");
}

#[tokio::test]
async fn uploads_that_cannot_be_written_are_400_with_the_reason_and_lose_nothing() {
    let mut s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    assert_eq!(s.exec(&id, "mkdir -p work && echo original > work/keep.txt").await.0, 0);
    let upload_v2 = |path: &str| {
        s.http
            .post(s.toolbox(&id, &format!("/files/upload-v2?path={}", percent_encode(path))))
            .bearer_auth(&s.key)
            .body("new bytes")
    };
    for (path, code) in [
        ("work", "INVALID_FILE_PATH"),                // a directory
        ("/tmp", "INVALID_FILE_PATH"),                // a directory outside home
        ("/etc/passwd", "FILE_ACCESS_DENIED"),        // a read-only file system
        ("/proc/1/x", "FILE_NOT_FOUND"),              // a parent that cannot hold files
        ("/nonexistent/dir/x", "FILE_ACCESS_DENIED"), // a parent the sandbox user may not create
    ] {
        let (status, body) = send(upload_v2(path)).await;
        assert_daemon(status, &body, 400, code, "/files/upload-v2");
        assert!(body["message"].as_str().unwrap().contains(path), "{path}: {body}");
    }
    // The same as multipart, and through bulk-upload: a 400 envelope with the per-file outcome.
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(b"zz".to_vec()));
    let (status, body) =
        send(s.http.post(s.toolbox(&id, "/files/upload-v2?path=work")).bearer_auth(&s.key).multipart(form)).await;
    assert_daemon(status, &body, 400, "INVALID_FILE_PATH", "/files/upload-v2");
    let form = reqwest::multipart::Form::new()
        .text("files[0].path", "work/ok.txt")
        .part("files[0].file", reqwest::multipart::Part::bytes(b"fine".to_vec()).file_name("ok.txt"))
        .text("files[1].path", "/etc/passwd")
        .part("files[1].file", reqwest::multipart::Part::bytes(b"evil".to_vec()).file_name("passwd"));
    let (status, body) =
        send(s.http.post(s.toolbox(&id, "/files/bulk-upload")).bearer_auth(&s.key).multipart(form)).await;
    assert_daemon(status, &body, 400, "FILE_ACCESS_DENIED", "/files/bulk-upload");
    assert_eq!(body["method"], "POST");
    assert!(body["message"].as_str().unwrap().contains("/etc/passwd"), "{body}");
    assert_eq!(body["files"], json!([{ "path": "work/ok.txt", "bytes": 4 }]), "{body}");
    assert_eq!(body["errors"].as_array().map(Vec::len), Some(1), "{body}");

    // Nothing was lost or half-written: the directory holds what it held, plus the good file.
    assert_eq!(
        s.exec(&id, "cat work/keep.txt work/ok.txt && echo && ls -A work").await,
        (0, "original\nfine\nkeep.txt\nok.txt\n".into())
    );
    s.assert_alive().await;
}

#[tokio::test]
async fn file_errors_use_the_status_codes_of_daytonas_toolbox_spec() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    assert_eq!(s.exec(&id, "mkdir -p full && touch full/f").await.0, 0);

    // DELETE /files (204, 400, 403, 404): a non-empty directory without `recursive` is a 400.
    let (status, body) = send(s.http.delete(s.toolbox(&id, "/files?path=full")).bearer_auth(&s.key)).await;
    assert_daemon(status, &body, 400, "BAD_REQUEST", "/files");
    assert!(body["message"].as_str().unwrap().contains("recursive"), "{body}");
    // GET /files/find and /files/search (200, 400): a missing directory is a 400 FILE_NOT_FOUND.
    let (status, body) = s.get_toolbox(&id, "/files/find?path=missing&pattern=x").await;
    assert_daemon(status, &body, 400, "FILE_NOT_FOUND", "/files/find");
    let (status, body) = s.get_toolbox(&id, "/files/search?path=missing&pattern=x").await;
    assert_daemon(status, &body, 400, "FILE_NOT_FOUND", "/files/search");
    // POST /files/folder (201, 400): where the sandbox user may not write, a 400 FILE_ACCESS_DENIED.
    let (status, body) =
        send(s.http.post(s.toolbox(&id, "/files/folder?path=/etc/x&mode=755")).bearer_auth(&s.key)).await;
    assert_daemon(status, &body, 400, "FILE_ACCESS_DENIED", "/files/folder");
    // Routes whose spec has a 404 keep it.
    let (status, body) = s.get_toolbox(&id, "/files/info?path=missing").await;
    assert_daemon(status, &body, 404, "FILE_NOT_FOUND", "/files/info");
    // Everything above is still there.
    assert_eq!(s.exec(&id, "ls full").await, (0, "f\n".into()));
}

#[tokio::test]
async fn large_websocket_messages_pass_the_proxy_both_ways() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    const SIZE: usize = 1 << 20;

    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (status, body) = s.post_toolbox(&id, "/process/pty", json!({"id": "big"})).await;
    assert_eq!(status, 201, "{body}");
    let mut ws = s.ws(&id, "/process/pty/big/connect", "X-Daytona-Pty-Exit-Control").await;
    // Everything on the socket until `needle` is seen.
    async fn until(ws: &mut Ws, needle: &str) -> String {
        let mut got = Vec::new();
        while !String::from_utf8_lossy(&got).contains(needle) {
            match tokio::time::timeout(Duration::from_secs(30), ws.next()).await {
                Ok(Some(Ok(Message::Binary(b)))) => got.extend_from_slice(&b),
                Ok(Some(Ok(_))) => {}
                other => panic!("no {needle:?} on the socket: {other:?}"),
            }
        }
        String::from_utf8_lossy(&got).into_owned()
    }
    // In raw mode every byte reaches the program: one 1 MiB frame in, its count and a check out.
    ws.send(Message::Binary(b"stty raw -echo; echo ready-$((6*7))\n".to_vec().into())).await.unwrap();
    until(&mut ws, "ready-42").await;
    ws.send(Message::Binary(
        b"head -c 1048576 > in; wc -c < in; tr -d 0-9a-f < in | wc -c; base64 -w 76 in; echo end-$((6*7))\n"
            .to_vec()
            .into(),
    ))
    .await
    .unwrap();
    let pattern = b"0123456789abcdef".repeat(SIZE / 16);
    ws.send(Message::Binary(pattern.into())).await.unwrap();
    let out = until(&mut ws, "end-42").await;
    let numbers: Vec<&str> = out.split_whitespace().filter(|w| w.chars().all(|c| c.is_ascii_digit())).take(2).collect();
    assert_eq!(numbers, ["1048576", "0"], "the sandbox got every byte, and only these");
    // ~1.4 MB of base64 came back through the proxy.
    assert!(out.len() > SIZE * 4 / 3, "{} bytes of output", out.len());
}

#[tokio::test]
async fn what_the_fuzzer_found_in_the_toolbox_stays_fixed() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);

    // A session whose log directory the user deleted (it lives in ~/.daytona) still runs commands.
    assert_eq!(s.post_toolbox(&id, "/process/session", json!({"sessionId": "s1"})).await.0, 201);
    let (status, body) =
        send(s.http.delete(s.toolbox(&id, "/files?path=/home/daytona/.daytona&recursive=true")).bearer_auth(&s.key))
            .await;
    assert_eq!(status, 204, "{body}");
    let (status, body) = s.post_toolbox(&id, "/process/session/s1/exec", json!({"command": "echo still-here"})).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["output"], "still-here\n", "{body}");

    // A file name with control characters downloads (its header shows them as `_`; the
    // RFC 5987 form keeps every byte).
    let name = "/home/daytona/a\u{1b}b\u{6}c";
    let url = s.toolbox(&id, &format!("/files/upload-v2?path={}", percent_encode(name)));
    assert_eq!(send(s.http.post(url).bearer_auth(&s.key).body("ctl")).await.0, 200);
    let resp = s
        .http
        .get(s.toolbox(&id, &format!("/files/download?path={}", percent_encode(name))))
        .bearer_auth(&s.key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let disposition = resp.headers()["content-disposition"].to_str().unwrap().to_owned();
    assert!(disposition.contains("filename=\"a_b_c\"") && disposition.contains("a%1Bb%06c"), "{disposition}");
    assert_eq!(resp.text().await.unwrap(), "ctl");
    let resp = s
        .http
        .post(s.toolbox(&id, "/files/bulk-download"))
        .bearer_auth(&s.key)
        .json(&json!({"paths": [name]}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.text().await.unwrap().contains("\r\n\r\nctl\r\n"));
}

/// MiB free on the filesystem of the test's temporary files (where the servers' data is).
fn free_mib() -> u64 {
    let out =
        std::process::Command::new("df").args(["-m", "--output=avail"]).arg(std::env::temp_dir()).output().expect("df");
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines().nth(1).and_then(|l| l.trim().parse().ok()).unwrap_or_else(|| panic!("df said {text:?}"))
}

async fn with_reserve(mib: u64) -> Server {
    Server::start_with(Options { args: vec!["--disk-reserve-mib".into(), mib.to_string()], ..Options::default() }).await
}

/// The names of the server's snapshots.
async fn snapshot_names(s: &Server) -> Vec<String> {
    let (_, page) = s.get("/snapshots?limit=100").await;
    page["items"].as_array().unwrap().iter().filter_map(|i| i["name"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn work_that_would_leave_the_hosts_disk_below_its_reserve_is_refused_before_it_starts() {
    // A reserve larger than what is free: no new sandbox, pull or build, and nothing is made.
    let full = with_reserve(free_mib() + 10_240).await;
    let refused = |what: &'static str| {
        move |(status, body): (StatusCode, Value)| {
            assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
            let message = body["message"].as_str().unwrap_or_default();
            assert!(message.contains("in reserve (--disk-reserve-mib)"), "{what}: {body}");
        }
    };
    refused("create")(full.post("/sandbox", json!({})).await);
    refused("pull")(full.post("/snapshots", json!({"name": "pulled", "imageName": "alpine:3.20"})).await);
    let build = json!({"name": "built", "buildInfo": {"dockerfileContent": "FROM alpine:3.20\n", "contextHashes": []}});
    refused("build")(full.post("/snapshots", build).await);
    let (_, listed) = full.get("/sandbox").await;
    assert_eq!(listed["items"], json!([]), "{listed}");
    assert_eq!(snapshot_names(&full).await, ["daytona-local"]);

    // 800 MiB of room, then a sandbox writes 500 MiB: a copy of its files would go past the
    // reserve, so neither a fork nor a snapshot starts, and the sandbox goes on as it was.
    let s = with_reserve(free_mib().saturating_sub(800)).await;
    let id = id_of(&s.create(json!({})).await);
    let (code, out) =
        s.exec(&id, "dd if=/dev/zero of=big bs=1M count=500 conv=fsync status=none && echo written").await;
    assert_eq!((code, out.as_str()), (0, "written\n"));
    for (route, body) in [("fork", json!({"name": "fork-too-big"})), ("snapshot", json!({"name": "too-big"}))] {
        let (status, body) = s.post(&format!("/sandbox/{id}/{route}"), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{route}: {body}");
        let message = body["message"].as_str().unwrap_or_default();
        assert!(message.contains("a copy of its files needs 5"), "{route}: {body}");
    }
    assert_eq!(s.state(&id).await.as_deref(), Some("started"));
    assert_eq!(s.exec(&id, "stat -c %s big").await, (0, format!("{}\n", 500 << 20)));
    let (_, listed) = s.get("/sandbox").await;
    assert_eq!(listed["items"].as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(snapshot_names(&s).await, ["daytona-local"]);
}
