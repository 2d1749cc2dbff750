//! Shared harness for the integration tests: runs the built `daytona-local serve` on a free
//! port with a temporary data dir, and offers small HTTP helpers around it.
//!
//! Every test file includes this with `mod common;`; not every file uses every helper.
#![allow(dead_code)]

use std::fs::File;
use std::future::Future;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub mod rfb;
pub mod ssh;

pub use reqwest::StatusCode;
pub use serde_json::{json, Value};

/// The API key the harness gives the server (unless the key is left to the server).
pub const KEY: &str = "test-key-0123456789";

/// How the server is started.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// `--minute-seconds` (scales auto-stop/archive/delete).
    pub minute_seconds: Option<f64>,
    /// Leave out `--api-key`: the server generates a key and stores it in `DATA/api-key`.
    pub key_in_file: bool,
    /// Give the key as `$DAYTONA_LOCAL_API_KEY` instead of `--api-key`.
    pub key_in_env: bool,
    /// More arguments for `serve` (e.g. `--pids-limit`).
    pub args: Vec<String>,
    /// Start the server under this umask (every mode it relies on must then be set explicitly).
    pub umask: Option<u32>,
    /// Run the server as this uid (and gid), not as the test's user: how a normal user runs it.
    pub run_as: Option<u32>,
}

/// A running `daytona-local serve`; killed (SIGKILL) on drop.
pub struct Server {
    child: Option<Child>,
    opts: Options,
    /// Holds the data dir and the log; removed on drop.
    tmp: tempfile::TempDir,
    /// Port the server listens on (changes on restart).
    pub port: u16,
    /// The API key to send.
    pub key: String,
    /// HTTP client (30 s timeout per request).
    pub http: reqwest::Client,
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    l.local_addr().expect("local addr").port()
}

impl Server {
    /// Starts a server with default options.
    pub async fn start() -> Self {
        Self::start_with(Options::default()).await
    }

    /// Starts a server with `opts`.
    pub async fn start_with(opts: Options) -> Self {
        let tmp = tempfile::Builder::new().prefix("dl-test").tempdir().expect("temp dir");
        let http = reqwest::Client::builder().timeout(Duration::from_secs(30)).build().expect("http client");
        let mut s = Server { child: None, opts, tmp, port: 0, key: KEY.to_owned(), http };
        s.spawn().await;
        s
    }

    /// The server's data dir (canonical path, as the server sees it).
    pub fn data_dir(&self) -> PathBuf {
        self.tmp.path().join("data").canonicalize().unwrap_or_else(|_| self.tmp.path().join("data"))
    }

    fn log_path(&self) -> PathBuf {
        self.tmp.path().join("server.log")
    }

    async fn spawn(&mut self) {
        // The free port may be taken by someone else before the server binds it: retry.
        for attempt in 1..=3 {
            if self.try_spawn().await {
                return;
            }
            eprintln!("daytona-local could not bind its port (attempt {attempt}), retrying");
        }
        panic!("daytona-local could not bind a free port:\n{}", self.log());
    }

    /// Starts the server and waits until it answers; false if it could not bind its port.
    async fn try_spawn(&mut self) -> bool {
        let data = self.tmp.path().join("data");
        let port = free_port();
        let log_len_before = self.log().len();
        let log = File::options().create(true).append(true).open(self.log_path()).expect("log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_daytona-local"));
        cmd.arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(&data)
            .env_remove("DAYTONA_LOCAL_API_KEY")
            .env("DAYTONA_LOCAL_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log file"))
            .stderr(log);
        if self.opts.key_in_env {
            cmd.env("DAYTONA_LOCAL_API_KEY", KEY);
        } else if !self.opts.key_in_file {
            cmd.arg("--api-key").arg(KEY);
        }
        if let Some(s) = self.opts.minute_seconds {
            cmd.arg("--minute-seconds").arg(s.to_string());
        }
        cmd.args(&self.opts.args);
        if let Some(uid) = self.opts.run_as {
            use std::os::unix::process::CommandExt;
            // The test's temporary directory becomes the server's (its data dir goes there).
            std::os::unix::fs::chown(self.tmp.path(), Some(uid), Some(uid)).expect("chown the temp dir");
            // SAFETY: setgroups/setgid/setuid are async-signal-safe.
            unsafe {
                cmd.pre_exec(move || {
                    if libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(uid) != 0 || libc::setuid(uid) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        if let Some(mask) = self.opts.umask {
            use std::os::unix::process::CommandExt;
            // SAFETY: umask(2) is async-signal-safe.
            unsafe {
                cmd.pre_exec(move || {
                    libc::umask(mask);
                    Ok(())
                });
            }
        }
        self.child = Some(cmd.spawn().expect("starting daytona-local"));
        self.port = port;

        let probe = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("http client");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                let log = self.log();
                if log[log_len_before..].contains("Address already in use") {
                    self.child = None;
                    return false;
                }
                panic!("daytona-local exited during start-up ({status}):\n{log}");
            }
            if self.opts.key_in_file {
                if let Ok(k) = std::fs::read_to_string(data.join("api-key")) {
                    self.key = k.trim().to_owned();
                }
            }
            // This child's own banner first: another test's server may hold the port.
            let ours = self.log()[log_len_before..].contains(&format!("listening on http://127.0.0.1:{port}"));
            // A probe that keeps no idle connection (it would hold a slot of a low --max-connections).
            let ready = ours
                && probe
                    .get(self.api("/config"))
                    .bearer_auth(&self.key)
                    .send()
                    .await
                    .is_ok_and(|r| r.status() == StatusCode::OK);
            if ready {
                return true;
            }
            assert!(Instant::now() < deadline, "daytona-local did not answer within 15 s:\n{}", self.log());
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Kills the server with SIGKILL (no clean shutdown) and waits for it.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stops the server cleanly (SIGTERM: it stops its jails), or kills it after 10 s.
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            // SAFETY: kill(2) on our own child.
            unsafe { libc::kill(c.id() as i32, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(10);
            while Instant::now() < deadline && matches!(c.try_wait(), Ok(None)) {
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again on the same data dir (on a new free port).
    pub async fn restart(&mut self) {
        self.kill9();
        self.spawn().await;
    }

    /// Whether the server process is still alive.
    pub fn is_alive(&mut self) -> bool {
        self.child.as_mut().is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// The server's output so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.log_path()).unwrap_or_default()
    }

    /// `http://127.0.0.1:PORT`.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// URL of an API path (`/sandbox` → `http://…/api/sandbox`).
    pub fn api(&self, path: &str) -> String {
        format!("{}/api{path}", self.origin())
    }

    /// URL of a toolbox path of sandbox `id`.
    pub fn toolbox(&self, id: &str, path: &str) -> String {
        format!("{}/toolbox/{id}{path}", self.origin())
    }

    /// GET an API path with the key.
    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        send(self.http.get(self.api(path)).bearer_auth(&self.key)).await
    }

    /// POST JSON to an API path with the key.
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.http.post(self.api(path)).bearer_auth(&self.key).json(&body)).await
    }

    /// POST without a body to an API path with the key.
    pub async fn post_empty(&self, path: &str) -> (StatusCode, Value) {
        send(self.http.post(self.api(path)).bearer_auth(&self.key)).await
    }

    /// PUT JSON to an API path with the key.
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.http.put(self.api(path)).bearer_auth(&self.key).json(&body)).await
    }

    /// DELETE an API path with the key.
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        send(self.http.delete(self.api(path)).bearer_auth(&self.key)).await
    }

    /// DELETE a toolbox path of sandbox `id` with the key.
    pub async fn delete_toolbox(&self, id: &str, path: &str) -> (StatusCode, Value) {
        send(self.http.delete(self.toolbox(id, path)).bearer_auth(&self.key)).await
    }

    /// Creates a sandbox; asserts 200 + `started` and returns its JSON.
    pub async fn create(&self, body: Value) -> Value {
        let (status, sb) = self.post("/sandbox", body).await;
        assert_eq!(status, StatusCode::OK, "create failed: {sb}\n{}", self.log());
        assert_eq!(sb["state"], "started", "create did not start the sandbox: {sb}");
        sb
    }

    /// Runs `command` in sandbox `id` via the toolbox; asserts 200, returns (exitCode, result).
    pub async fn exec(&self, id: &str, command: &str) -> (i64, String) {
        let (status, body) = self.exec_req(id, json!({ "command": command })).await;
        assert_eq!(status, StatusCode::OK, "execute {command:?} failed: {body}");
        let code = body["exitCode"].as_i64().unwrap_or_else(|| panic!("no integer exitCode in {body}"));
        (code, body["result"].as_str().expect("result is a string").to_owned())
    }

    /// POST /process/execute with an arbitrary body (authorised with the key).
    pub async fn exec_req(&self, id: &str, body: Value) -> (StatusCode, Value) {
        self.post_toolbox(id, "/process/execute", body).await
    }

    /// POST JSON to a toolbox path of sandbox `id` with the key.
    pub async fn post_toolbox(&self, id: &str, path: &str, body: Value) -> (StatusCode, Value) {
        send(self.http.post(self.toolbox(id, path)).bearer_auth(&self.key).json(&body)).await
    }

    /// Opens a toolbox WebSocket offering `protocols` (comma separated); asserts that one of
    /// them is echoed, as Daytona clients require.
    pub async fn ws(&self, id: &str, path: &str, protocols: &str) -> Ws {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let url = self.toolbox(id, path).replace("http://", "ws://");
        let mut req = url.into_client_request().unwrap();
        req.headers_mut().insert("Authorization", format!("Bearer {}", self.key).parse().unwrap());
        req.headers_mut().insert("Sec-WebSocket-Protocol", protocols.parse().unwrap());
        let (ws, resp) = tokio_tungstenite::connect_async(req).await.expect("upgrade");
        let echoed = resp.headers().get("sec-websocket-protocol").and_then(|v| v.to_str().ok()).unwrap_or_default();
        assert!(protocols.split(", ").any(|p| p == echoed), "echoed {echoed:?} of {protocols:?}");
        ws
    }

    /// GET a toolbox path of sandbox `id` with the key.
    pub async fn get_toolbox(&self, id: &str, path: &str) -> (StatusCode, Value) {
        send(self.http.get(self.toolbox(id, path)).bearer_auth(&self.key)).await
    }

    /// The sandbox's current state string, or None if it is gone (404).
    pub async fn state(&self, id: &str) -> Option<String> {
        let (status, sb) = self.get(&format!("/sandbox/{id}")).await;
        match status {
            StatusCode::NOT_FOUND => None,
            StatusCode::OK => Some(sb["state"].as_str().expect("state is a string").to_owned()),
            other => panic!("GET sandbox {id}: {other} {sb}"),
        }
    }

    /// The per-sandbox token (from the preview-url endpoint).
    pub async fn sandbox_token(&self, id: &str) -> String {
        let (status, body) = self.get(&format!("/sandbox/{id}/ports/3000/preview-url")).await;
        assert_eq!(status, StatusCode::OK, "preview-url: {body}");
        assert_eq!(body["sandboxId"], id);
        body["token"].as_str().expect("token").to_owned()
    }

    /// Asserts the server still serves requests after some bad input.
    pub async fn assert_alive(&mut self) {
        assert!(self.is_alive(), "server process died:\n{}", self.log());
        let (status, body) = self.get("/config").await;
        assert_eq!(status, StatusCode::OK, "GET /config after bad input: {body}");
        let (status, body) = self.get("/sandbox").await;
        assert_eq!(status, StatusCode::OK, "GET /sandbox after bad input: {body}");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
        // A server that was killed leaves its sandboxes' disks mounted: unmount them before
        // the data dir is removed (a clean stop has done so already).
        unmount_under(self.tmp.path());
        if std::thread::panicking() {
            let log = self.log();
            let tail: String = log.chars().rev().take(4000).collect::<Vec<_>>().into_iter().rev().collect();
            eprintln!("---- daytona-local log (tail) ----\n{tail}\n----");
        }
    }
}

/// A client WebSocket.
pub type Ws = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How many processes on the host (in any sandbox or none) have `needle` in their command line.
pub fn host_processes(needle: &str) -> usize {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .filter(|cmdline| {
            let line: Vec<u8> = cmdline.iter().map(|&b| if b == 0 { b' ' } else { b }).collect();
            String::from_utf8_lossy(&line).contains(needle)
        })
        .count()
}

/// Sends a request; returns the status and the body as JSON (`Value::String` if not JSON).
pub async fn send(req: reqwest::RequestBuilder) -> (StatusCode, Value) {
    let resp = req.send().await.expect("request failed (server down?)");
    let status = resp.status();
    let text = resp.text().await.expect("reading body");
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// Asserts a Daytona API error envelope: `statusCode`, non-empty `message`, `error`
/// reason phrase, the request `path` and an ISO `timestamp`.
pub fn assert_envelope(status: StatusCode, body: &Value, expected: StatusCode, path: &str) {
    assert_eq!(status, expected, "unexpected status; body: {body}");
    assert_eq!(body["statusCode"].as_u64(), Some(expected.as_u16() as u64), "statusCode in {body}");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()), "message in {body}");
    assert_eq!(body["error"].as_str(), expected.canonical_reason(), "error in {body}");
    assert_eq!(body["path"].as_str(), Some(path), "path in {body}");
    let ts = body["timestamp"].as_str().unwrap_or_else(|| panic!("timestamp in {body}"));
    assert!(ts.ends_with('Z') && ts.contains('T') && ts.len() >= 20, "timestamp {ts:?} is not ISO-8601");
}

/// Polls `check` every 50 ms until it returns true or `within` passes; returns whether it did.
pub async fn eventually<F, Fut>(within: Duration, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + within;
    loop {
        if check().await {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The `id` string of a sandbox JSON.
pub fn id_of(sb: &Value) -> String {
    sb["id"].as_str().unwrap_or_else(|| panic!("no id in {sb}")).to_owned()
}

/// A short unique string for names and markers.
pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    format!("{prefix}-{}-{:x}-{}", std::process::id(), t & 0xffffff, N.fetch_add(1, Ordering::Relaxed))
}

/// The path of sandbox `id`'s home on the host: its disk's mount point, or a plain
/// directory where disks are not available.
pub fn host_home(data_dir: &Path, id: &str) -> PathBuf {
    let disk = data_dir.join("sandboxes").join(id).join("disk");
    match disk.join("disk.img").exists() {
        true => disk.join("home"),
        false => data_dir.join("sandboxes").join(id).join("home"),
    }
}

/// The mount points under `dir`, deepest first.
pub fn mounts_under(dir: &Path) -> Vec<PathBuf> {
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_owned());
    let table = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    let mut found: Vec<PathBuf> =
        table.lines().filter_map(|l| l.split(' ').nth(4)).map(PathBuf::from).filter(|p| p.starts_with(&dir)).collect();
    found.sort_by_key(|p| std::cmp::Reverse(p.as_os_str().len()));
    found
}

/// Detaches every mount under `dir`.
pub fn unmount_under(dir: &Path) {
    for m in mounts_under(dir) {
        if let Ok(c) = std::ffi::CString::new(m.as_os_str().as_encoded_bytes()) {
            // SAFETY: umount2 on a mount point of this test's own data dir.
            unsafe { libc::umount2(c.as_ptr(), libc::MNT_DETACH) };
        }
    }
}

/// Percent-encodes a query value (RFC 3986 unreserved characters kept).
pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The test registry: its port; killed and removed on drop.
pub struct Registry {
    /// Its port on 127.0.0.1.
    pub port: u16,
    pid: i32,
    dir: tempfile::TempDir,
}

impl Registry {
    /// Starts one with test/busybox:1.0 pushed.
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    /// Starts one with test/busybox:1.0 pushed and the images `env` asks oci-registry.sh for.
    pub fn start_with(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::Builder::new().prefix("dl-registry").tempdir().expect("temp dir");
        let script = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/support/oci-registry.sh");
        let mut cmd = std::process::Command::new("bash");
        cmd.arg(script).arg(dir.path()).envs(env.iter().copied());
        let out = cmd.output().expect("oci-registry.sh");
        assert!(out.status.success(), "registry: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let mut words = text.split_whitespace();
        let port = words.next().and_then(|p| p.parse().ok()).expect("port");
        let pid = words.next().and_then(|p| p.parse().ok()).expect("pid");
        Self { port, pid, dir }
    }

    /// The reference of `path` (e.g. `test/busybox:1.0`) on it.
    pub fn image(&self, path: &str) -> String {
        format!("127.0.0.1:{}/{path}", self.port)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        // SAFETY: kill on the registry this test started.
        unsafe { libc::kill(self.pid, libc::SIGKILL) };
        let _ = &self.dir;
    }
}

/// Polls snapshot `id` until it leaves `pending`/`pulling`/`building`; returns it.
pub async fn settled(s: &Server, id: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (status, snap) = s.get(&format!("/snapshots/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{snap}");
        if !["pending", "pulling", "building"].contains(&snap["state"].as_str().unwrap_or_default()) {
            return snap;
        }
        assert!(std::time::Instant::now() < deadline, "snapshot {id} still pulling: {snap}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Pulls `image` (a reference to an image of `registry`, e.g. `test/musl:1.0`) as snapshot
/// `name`, waits until it is active, and creates a sandbox on it; returns the sandbox's id.
pub async fn sandbox_on_image(s: &Server, registry: &Registry, name: &str, image: &str) -> String {
    let (status, snap) = s.post("/snapshots", json!({ "name": name, "imageName": registry.image(image) })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    assert_eq!(settled(s, snap["id"].as_str().unwrap()).await["state"], "active");
    id_of(&s.create(json!({ "snapshot": name })).await)
}

/// Whether sandbox `id`'s desktop shows its terminal window (the xterm openbox starts): the
/// desktop is up, its window manager included.
pub async fn desktop_shows_terminal(s: &Server, id: &str) -> bool {
    let (_, w) = s.get_toolbox(id, "/computeruse/display/windows").await;
    w["windows"].as_array().is_some_and(|ws| ws.iter().any(|w| w["title"] == "xterm"))
}
