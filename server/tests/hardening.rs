//! Control-plane hardening: intervals that cannot overflow, private data files, Daytona's
//! CORS, header-read timeout and connection cap, forwarded headers only from trusted proxies,
//! and label limits.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::{Duration, Instant};

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// 2^59 + 1 minutes: 1 minute once multiplied by 60 000 ms in wrapping 64-bit arithmetic.
const WRAPS_TO_ONE_MINUTE: i64 = 576_460_752_303_423_489;
/// `MAX_INTERVAL_MINUTES`: 100 years.
const MAX_INTERVAL: i64 = 100 * 365 * 24 * 60;

/// A server started with `serve` flags the defaults leave out.
async fn start_with_args(args: &[&str]) -> Server {
    Server::start_with(Options { args: args.iter().map(|a| a.to_string()).collect(), ..Options::default() }).await
}

/// Sends `request` as is on a new connection and reads until the server closes it.
async fn raw_http(port: u16, request: &str) -> String {
    let mut conn = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    conn.write_all(request.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), conn.read_to_end(&mut out))
        .await
        .expect("no answer within 30 s")
        .expect("read");
    String::from_utf8_lossy(&out).into_owned()
}

/// The JSON body of a raw `Connection: close` response (not chunked: axum sends a length).
fn json_body(response: &str) -> Value {
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let (_, body) = response.split_once("\r\n\r\n").expect("a body");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn header<'a>(resp: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    resp.headers().get(name).and_then(|v| v.to_str().ok())
}

// ---- 1. intervals ----

#[tokio::test]
async fn intervals_beyond_the_maximum_are_refused_on_create() {
    let mut s = Server::start().await;
    for field in ["autoStopInterval", "autoArchiveInterval", "autoDeleteInterval"] {
        for minutes in [WRAPS_TO_ONE_MINUTE, MAX_INTERVAL + 1, i64::MAX] {
            let (status, body) = s.post("/sandbox", json!({ field: minutes })).await;
            assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/sandbox");
            assert!(body["message"].as_str().unwrap().contains(field), "{body}");
        }
    }
    s.assert_alive().await;
    let (_, list) = s.get("/sandbox").await;
    assert_eq!(list["items"], json!([]), "no refused create may leave a sandbox");
}

#[tokio::test]
async fn intervals_beyond_the_maximum_are_refused_by_the_interval_routes() {
    let s = Server::start().await;
    let id =
        id_of(&s.create(json!({"autoStopInterval": 42, "autoArchiveInterval": 60, "autoDeleteInterval": 5})).await);
    for route in ["autostop", "autoarchive", "autodelete"] {
        for minutes in [WRAPS_TO_ONE_MINUTE, MAX_INTERVAL + 1, i64::MAX] {
            let path = format!("/sandbox/{id}/{route}/{minutes}");
            let (status, body) = s.post_empty(&path).await;
            assert_envelope(status, &body, StatusCode::BAD_REQUEST, &format!("/api{path}"));
        }
    }
    let (_, sb) = s.get(&format!("/sandbox/{id}")).await;
    assert_eq!(
        (&sb["autoStopInterval"], &sb["autoArchiveInterval"], &sb["autoDeleteInterval"]),
        (&json!(42), &json!(60), &json!(5)),
        "refused values must change nothing: {sb}"
    );
    // The maximum itself is fine, and a negative auto-delete still means "never".
    let (status, sb) = s.post_empty(&format!("/sandbox/{id}/autostop/{MAX_INTERVAL}")).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    assert_eq!(sb["autoStopInterval"], json!(MAX_INTERVAL));
    let (status, sb) = s.post_empty(&format!("/sandbox/{id}/autodelete/{}", i64::MIN)).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    assert_eq!(sb["autoDeleteInterval"], json!(-1));
    assert_eq!(s.state(&id).await.as_deref(), Some("started"));
}

// ---- 2. file modes ----

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o7777
}

/// Asserts the data dir is 0700 and every regular file directly in it is private; returns
/// their names.
fn assert_private(data: &Path) -> Vec<String> {
    assert_eq!(mode(data), 0o700, "data dir mode");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(data).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let m = mode(&entry.path());
            assert_eq!(m & 0o077, 0, "{name} has mode {m:o}");
            files.push(name);
        }
    }
    files.sort();
    files
}

#[tokio::test]
async fn the_data_dir_and_its_files_are_private_whatever_the_umask() {
    // The most permissive umask: every mode the server relies on must be set explicitly.
    let mut s = Server::start_with(Options { key_in_file: true, umask: Some(0), ..Options::default() }).await;
    let data = s.data_dir();
    let files = assert_private(&data);
    for want in ["api-key", "daytona.db", "daytona.db-shm", "daytona.db-wal"] {
        assert!(files.iter().any(|f| f == want), "{want} missing from {files:?}");
    }
    assert_eq!(mode(&data.join("daytona.db")), 0o600);
    assert_eq!(mode(&data.join("api-key")), 0o600);

    // An existing data dir and database left readable are made private on the next start.
    s.stop();
    for (path, m) in [(data.clone(), 0o755), (data.join("daytona.db"), 0o644), (data.join("api-key"), 0o644)] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(m)).unwrap();
    }
    let key = s.key.clone();
    s.restart().await;
    assert_private(&data);
    assert_eq!(mode(&data.join("daytona.db")), 0o600);
    assert_eq!(mode(&data.join("api-key")), 0o600);
    assert_eq!(s.key, key, "the stored key is still used");
}

// ---- 3. CORS ----

const EVIL: &str = "https://evil.example";

#[tokio::test]
async fn the_api_reflects_origins_without_credentials() {
    let s = Server::start().await;
    for origin in [EVIL, "null"] {
        let preflight = s
            .http
            .request(reqwest::Method::OPTIONS, s.api("/sandbox"))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization,content-type,x-daytona-source")
            .send()
            .await
            .unwrap();
        assert!(preflight.status().is_success(), "preflight: {}", preflight.status());
        assert_eq!(header(&preflight, "access-control-allow-origin"), Some(origin));
        assert_eq!(header(&preflight, "access-control-allow-credentials"), None, "{:?}", preflight.headers());
        let methods = header(&preflight, "access-control-allow-methods").unwrap_or_default().to_ascii_uppercase();
        for m in ["GET", "HEAD", "PUT", "PATCH", "POST", "DELETE", "OPTIONS"] {
            assert!(methods.split(',').any(|x| x.trim() == m), "{m} not in {methods}");
        }
        let allowed = header(&preflight, "access-control-allow-headers").unwrap_or_default().to_ascii_lowercase();
        assert!(allowed.contains("authorization") && allowed.contains("x-daytona-source"), "{allowed}");

        let simple = s.http.get(s.api("/sandbox")).bearer_auth(&s.key).header("Origin", origin).send().await.unwrap();
        assert_eq!(simple.status(), StatusCode::OK);
        assert_eq!(header(&simple, "access-control-allow-origin"), Some(origin));
        assert_eq!(header(&simple, "access-control-allow-credentials"), None);
        // Errors (rebuilt as envelopes) carry the same headers.
        let denied = s.http.get(s.api("/sandbox")).bearer_auth("wrong").header("Origin", origin).send().await.unwrap();
        assert_eq!(denied.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(header(&denied, "access-control-allow-origin"), Some(origin));
        assert_eq!(header(&denied, "access-control-allow-credentials"), None);
    }
    // The console is same-origin: no CORS at all.
    let console = s.http.get(format!("{}/", s.origin())).header("Origin", EVIL).send().await.unwrap();
    assert_eq!(header(&console, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn the_toolbox_answers_cors_as_daytonas_proxy() {
    let s = Server::start().await;
    let url = s.toolbox("no-such-sandbox", "/files?path=.");
    for origin in [EVIL, "null"] {
        let preflight = s
            .http
            .request(reqwest::Method::OPTIONS, &url)
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "GET")
            .header("Access-Control-Request-Headers", "x-daytona-preview-token")
            .send()
            .await
            .unwrap();
        assert!(preflight.status().is_success(), "preflight: {}", preflight.status());
        assert_eq!(header(&preflight, "access-control-allow-origin"), Some(origin));
        assert_eq!(header(&preflight, "access-control-allow-credentials"), Some("true"));
        let allowed = header(&preflight, "access-control-allow-headers").unwrap_or_default().to_ascii_lowercase();
        assert!(allowed.contains("x-daytona-preview-token"), "{allowed}");

        let resp = s.http.get(&url).bearer_auth(&s.key).header("Origin", origin).send().await.unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        assert_eq!(header(&resp, "access-control-allow-origin"), Some(origin));
        assert_eq!(header(&resp, "access-control-allow-credentials"), Some("true"));
    }

    // X-Daytona-Disable-CORS: true turns it off, preflights included (they reach the proxy).
    let resp = s
        .http
        .get(&url)
        .bearer_auth(&s.key)
        .header("Origin", EVIL)
        .header("X-Daytona-Disable-CORS", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(header(&resp, "access-control-allow-origin"), None, "{:?}", resp.headers());
    assert_eq!(header(&resp, "access-control-allow-credentials"), None);
    let preflight = s
        .http
        .request(reqwest::Method::OPTIONS, &url)
        .header("Origin", EVIL)
        .header("Access-Control-Request-Method", "GET")
        .header("X-Daytona-Disable-CORS", "true")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), StatusCode::UNAUTHORIZED, "answered by the proxy, not by CORS");
    assert_eq!(header(&preflight, "access-control-allow-origin"), None);
}

// ---- 4. header-read timeout and connection cap ----

#[tokio::test]
async fn a_client_that_stalls_in_its_headers_is_disconnected() {
    let s = start_with_args(&["--header-read-timeout-secs", "1"]).await;
    let partial = "GET /api/config HTTP/1.1\r\nHost: x\r\n";
    for sent in [partial, ""] {
        let mut conn = TcpStream::connect(("127.0.0.1", s.port)).await.unwrap();
        conn.write_all(sent.as_bytes()).await.unwrap();
        let t0 = Instant::now();
        let mut buf = Vec::new();
        // Closed by the server: end of stream or a reset (whatever it wrote before closing).
        let closed = tokio::time::timeout(Duration::from_secs(10), conn.read_to_end(&mut buf)).await;
        assert!(closed.is_ok(), "a connection that sent {sent:?} was still open after 10 s");
        assert!(t0.elapsed() >= Duration::from_millis(700), "closed too early: {:?}", t0.elapsed());
        assert!(!String::from_utf8_lossy(&buf).contains("200 OK"), "{}", String::from_utf8_lossy(&buf));
    }
    // Complete requests are still served.
    let answer = raw_http(
        s.port,
        &format!("GET /api/config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n", s.key),
    )
    .await;
    assert!(json_body(&answer)["proxyToolboxUrl"].is_string(), "{answer}");
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_until_one_closes() {
    let s = start_with_args(&["--max-connections", "1"]).await;
    // The readiness probe's connection may still be closing: wait until the one slot is free.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let holder = TcpStream::connect(("127.0.0.1", s.port)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut waiting = TcpStream::connect(("127.0.0.1", s.port)).await.unwrap();
    let request =
        format!("GET /api/config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n", s.key);
    waiting.write_all(request.as_bytes()).await.unwrap();
    let mut buf = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(800), waiting.read(&mut buf)).await;
    assert!(early.is_err(), "answered although the only slot was taken: {early:?}");
    drop(holder);
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), waiting.read_to_end(&mut out))
        .await
        .expect("not answered once the slot was free")
        .unwrap();
    assert!(json_body(&String::from_utf8_lossy(&out))["proxyToolboxUrl"].is_string());
}

// ---- 5. forwarded headers and Host ----

#[tokio::test]
async fn forwarded_headers_from_an_untrusted_peer_are_ignored() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({"networkBlockAll": true})).await);
    let ours = format!("{}/toolbox", s.origin());
    let forwarded = |req: reqwest::RequestBuilder| {
        req.bearer_auth(&s.key).header("X-Forwarded-Host", "evil.example").header("X-Forwarded-Proto", "https")
    };
    let (_, sb) = send(forwarded(s.http.get(s.api(&format!("/sandbox/{id}"))))).await;
    assert_eq!(sb["toolboxProxyUrl"], json!(ours), "{sb}");
    let (_, list) = send(forwarded(s.http.get(s.api("/sandbox")))).await;
    assert_eq!(list["items"][0]["toolboxProxyUrl"], json!(ours), "{list}");
    let (_, url) = send(forwarded(s.http.get(s.api(&format!("/sandbox/{id}/toolbox-proxy-url"))))).await;
    assert_eq!(url["url"], json!(ours));
    let (_, config) = send(forwarded(s.http.get(s.api("/config")))).await;
    assert_eq!(config["proxyToolboxUrl"], json!(ours));
    let (_, preview) = send(forwarded(s.http.get(s.api(&format!("/sandbox/{id}/ports/8080/preview-url"))))).await;
    assert_eq!(preview["url"], json!(format!("http://8080-{id}.localhost:{}", s.port)));
    for answer in [&config, &preview] {
        assert!(!answer.to_string().contains("evil"), "{answer}");
    }
}

#[tokio::test]
async fn a_host_header_that_is_not_a_host_is_not_reflected() {
    let s = Server::start().await;
    let ours = format!("http://127.0.0.1:{}/toolbox", s.port);
    for host in ["a\"b", "x/y", "evil.example/<script>", "a b", "h:1:2", "[::1]x"] {
        let request = format!(
            "GET /api/config HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
            s.key
        );
        let config = json_body(&raw_http(s.port, &request).await);
        assert_eq!(config["proxyToolboxUrl"], json!(ours), "Host {host:?}: {config}");
        assert!(!config.to_string().contains(host), "Host {host:?} reflected: {config}");
    }
    // A well-formed one is what the client reached us under.
    let request = format!(
        "GET /api/config HTTP/1.1\r\nHost: box.example:8443\r\nAuthorization: Bearer {}\r\nConnection: close\r\n\r\n",
        s.key
    );
    assert_eq!(json_body(&raw_http(s.port, &request).await)["proxyToolboxUrl"], "http://box.example:8443/toolbox");
}

#[tokio::test]
async fn forwarded_headers_from_a_trusted_proxy_count() {
    let s = start_with_args(&["--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", "127.0.0.1"]).await;
    let http = reqwest::Client::new();
    let get = |host: &'static str| {
        http.get(s.api("/config"))
            .bearer_auth(&s.key)
            .header("X-Forwarded-Host", host)
            .header("X-Forwarded-Proto", "https")
    };
    let (_, config) = send(get("daytona.example.com")).await;
    assert_eq!(config["proxyToolboxUrl"], "https://daytona.example.com/toolbox");
    assert_eq!(config["proxyTemplateUrl"], "https://{{PORT}}-{{sandboxId}}.daytona.example.com");
    // Even a trusted proxy's junk is not reflected.
    let (_, config) = send(get("a\"b")).await;
    assert_eq!(config["proxyToolboxUrl"], json!(format!("https://127.0.0.1:{}/toolbox", s.port)));
}

// ---- 6. labels ----

fn labels(n: usize) -> Value {
    Value::Object((0..n).map(|i| (format!("label-{i}"), json!("v"))).collect())
}

#[tokio::test]
async fn labels_beyond_the_limits_are_refused_on_create() {
    let mut s = Server::start().await;
    let cases = [
        ("65 labels", labels(65)),
        ("a 257-byte key", json!({ "k".repeat(257): "v" })),
        ("a 1025-byte value", json!({ "k": "v".repeat(1025) })),
        ("an empty key", json!({ "": "v" })),
    ];
    for (what, labels) in cases {
        let (status, body) = s.post("/sandbox", json!({ "labels": labels })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/sandbox");
    }
    s.assert_alive().await;
    let (_, list) = s.get("/sandbox").await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn labels_beyond_the_limits_are_refused_by_put_labels() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({"labels": {"keep": "me"}, "networkBlockAll": true})).await);
    let path = format!("/sandbox/{id}/labels");
    for (what, labels) in [
        ("65 labels", labels(65)),
        ("a 257-byte key", json!({ "k".repeat(257): "v" })),
        ("a 1025-byte value", json!({ "k": "v".repeat(1025) })),
        ("an empty key", json!({ "": "v" })),
    ] {
        let (status, body) = s.put(&path, json!({ "labels": labels })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert_envelope(status, &body, StatusCode::BAD_REQUEST, &format!("/api{path}"));
    }
    let (_, sb) = s.get(&format!("/sandbox/{id}")).await;
    assert_eq!(sb["labels"], json!({"keep": "me"}), "refused labels change nothing");
    // Exactly at the limits is fine.
    let mut at_limit = labels(63);
    at_limit["k".repeat(256).as_str()] = json!("v".repeat(1024));
    let (status, body) = s.put(&path, json!({ "labels": at_limit.clone() })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["labels"], at_limit);
}
