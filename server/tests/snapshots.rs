//! Snapshots: pulled from a real OCI registry on 127.0.0.1 (Debian's docker-registry, with an
//! image made by tests/support/oci-registry.sh), `pending → pulling → active`, listed, paged,
//! deactivated and activated, kept across a crash of the server, deleted; bad requests refused.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::*;

/// The test registry: its port; killed and removed on drop.
struct Registry {
    port: u16,
    pid: i32,
    dir: tempfile::TempDir,
}

impl Registry {
    fn start() -> Self {
        let dir = tempfile::Builder::new().prefix("dl-registry").tempdir().expect("temp dir");
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/support/oci-registry.sh");
        let out = std::process::Command::new("bash").arg(script).arg(dir.path()).output().expect("oci-registry.sh");
        assert!(out.status.success(), "registry: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let mut words = text.split_whitespace();
        let port = words.next().and_then(|p| p.parse().ok()).expect("port");
        let pid = words.next().and_then(|p| p.parse().ok()).expect("pid");
        Self { port, pid, dir }
    }

    fn image(&self, path: &str) -> String {
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

/// Polls snapshot `id` until it leaves `pending`/`pulling`; returns it.
async fn settled(s: &Server, id: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let (status, snap) = s.get(&format!("/snapshots/{id}")).await;
        assert_eq!(status, StatusCode::OK, "{snap}");
        if !["pending", "pulling"].contains(&snap["state"].as_str().unwrap_or_default()) {
            return snap;
        }
        assert!(std::time::Instant::now() < deadline, "snapshot {id} still pulling: {snap}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn a_snapshot_is_pulled_listed_toggled_kept_and_deleted() {
    let registry = Registry::start();
    let mut s = Server::start().await;

    // The default snapshot is listed and cannot go.
    let (status, page) = s.get("/snapshots").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let default = page["items"].as_array().unwrap().iter().find(|i| i["name"] == "daytona-local").cloned();
    let default = default.unwrap_or_else(|| panic!("no default snapshot in {page}"));
    assert_eq!((default["general"].as_bool(), default["state"].as_str()), (Some(true), Some("active")));
    let (status, body) = s.delete("/snapshots/daytona-local").await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/snapshots/daytona-local");

    let image = registry.image("test/busybox:1.0");
    let (status, snap) = s.post("/snapshots", json!({ "name": "busybox-test", "imageName": image })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    assert!(["pending", "pulling"].contains(&snap["state"].as_str().unwrap()), "{snap}");
    for key in ["general", "cpu", "gpu", "mem", "disk", "createdAt", "updatedAt"] {
        assert!(!snap[key].is_null(), "{key} is required: {snap}");
    }
    let id = snap["id"].as_str().unwrap().to_owned();
    let active = settled(&s, &id).await;
    assert_eq!(active["state"], "active", "{active}");
    assert_eq!(active["entrypoint"], json!(["/bin/sh"]), "the image's command: {active}");
    assert!(active["size"].as_f64().is_some_and(|gb| gb > 0.0 && gb < 0.1), "about 1 MB: {active}");
    let rootfs = s.data_dir().join("images").join(&id).join("bundle/rootfs");
    assert!(rootfs.join("bin/busybox").is_file(), "unpacked into the image store");

    // Found by name too; listed, filtered and paged.
    let (_, by_name) = s.get("/snapshots/busybox-test").await;
    assert_eq!(by_name["id"], json!(id));
    let (_, page) = s.get("/snapshots?name=BUSYBOX&limit=10").await;
    assert_eq!((page["total"].as_u64(), page["items"][0]["id"].as_str()), (Some(1), Some(id.as_str())), "{page}");
    let (_, page) = s.get("/snapshots?limit=1&page=2&sort=name&order=asc").await;
    assert_eq!((page["total"].as_u64(), page["totalPages"].as_u64()), (Some(2), Some(2)), "{page}");
    assert_eq!(page["items"][0]["name"], "daytona-local", "name order, second page: {page}");

    // Deactivated and activated again.
    assert_eq!(s.post_empty(&format!("/snapshots/{id}/deactivate")).await.0, StatusCode::NO_CONTENT);
    assert_eq!(s.get(&format!("/snapshots/{id}")).await.1["state"], "inactive");
    let (status, again) = s.post_empty(&format!("/snapshots/{id}/activate")).await;
    assert_eq!((status, again["state"].as_str()), (StatusCode::OK, Some("active")));

    // Not run yet: a create naming it is refused and says so, no sandbox made.
    let (status, body) = s.post("/sandbox", json!({ "snapshot": "busybox-test" })).await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/sandbox");
    assert!(body["message"].as_str().unwrap().contains("cannot run sandboxes on images yet"), "{body}");

    // Kept across a crash.
    s.kill9();
    s.restart().await;
    let (_, kept) = s.get(&format!("/snapshots/{id}")).await;
    assert_eq!((kept["state"].as_str(), kept["size"].as_f64()), (Some("active"), active["size"].as_f64()));

    // Deleted: gone from the list and from the disk.
    assert_eq!(s.delete(&format!("/snapshots/{id}")).await.0, StatusCode::OK);
    let gone = eventually(Duration::from_secs(20), || async {
        s.get(&format!("/snapshots/{id}")).await.0 == StatusCode::NOT_FOUND
    })
    .await;
    assert!(gone, "snapshot still there");
    assert!(!rootfs.exists(), "image files removed");
}

#[tokio::test]
async fn bad_snapshots_are_refused_or_fail_with_the_reason() {
    let registry = Registry::start();
    let s = Server::start().await;
    for (body, expected) in [
        (json!({ "name": "x", "imageName": registry.image("test/busybox:latest") }), StatusCode::BAD_REQUEST),
        (json!({ "name": "x", "imageName": registry.image("test/busybox") }), StatusCode::BAD_REQUEST),
        (json!({ "name": "x", "imageName": "--src-creds=a:b" }), StatusCode::BAD_REQUEST),
        (json!({ "name": "x" }), StatusCode::BAD_REQUEST),
        (json!({ "name": "x", "buildInfo": { "dockerfileContent": "FROM busybox:1\n" } }), StatusCode::BAD_REQUEST),
        (json!({ "name": "-x", "imageName": "python:3.12" }), StatusCode::BAD_REQUEST),
        (json!({ "name": "x", "imageName": "python:3.12", "gpu": 1 }), StatusCode::BAD_REQUEST),
        (json!({ "name": "daytona-local", "imageName": "python:3.12" }), StatusCode::CONFLICT),
    ] {
        let (status, resp) = s.post("/snapshots", body.clone()).await;
        assert_envelope(status, &resp, expected, "/api/snapshots");
    }
    let (_, page) = s.get("/snapshots").await;
    assert_eq!(page["total"], 1, "nothing made: {page}");

    // An image the registry does not have: `error`, with skopeo's reason.
    let (status, snap) =
        s.post("/snapshots", json!({ "name": "missing", "imageName": registry.image("test/none:1.0") })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    let failed = settled(&s, snap["id"].as_str().unwrap()).await;
    assert_eq!(failed["state"], "error", "{failed}");
    let why = failed["errorReason"].as_str().unwrap_or_default();
    assert!(why.contains("pulling the image failed"), "{why}");
    let (status, _) = s.post("/snapshots", json!({ "name": "missing", "imageName": "python:3.12" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "a failed snapshot keeps its name until deleted");
    assert_eq!(s.delete("/snapshots/missing").await.0, StatusCode::OK);
}
