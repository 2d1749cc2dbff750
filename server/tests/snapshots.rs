//! Snapshots: pulled from a real OCI registry on 127.0.0.1 (Debian's docker-registry, with an
//! image made by tests/support/oci-registry.sh), `pending → pulling → active`, listed, paged,
//! deactivated and activated, kept across a crash of the server, deleted; bad requests refused;
//! sandboxes running on the image, their writes kept in a layer of their own; a musl image
//! with no glibc served like any other.

mod common;

use std::time::Duration;

use common::*;

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

    // An inactive snapshot makes no sandbox.
    assert_eq!(s.post_empty(&format!("/snapshots/{id}/deactivate")).await.0, StatusCode::NO_CONTENT);
    let (status, body) = s.post("/sandbox", json!({ "snapshot": "busybox-test" })).await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/sandbox");
    assert!(body["message"].as_str().unwrap().contains("not active"), "{body}");
    assert_eq!(s.post_empty(&format!("/snapshots/{id}/activate")).await.0, StatusCode::OK);

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
    assert!(why.contains("pulling ") && why.contains("/test/none:1.0 failed"), "{why}");
    let (status, _) = s.post("/snapshots", json!({ "name": "missing", "imageName": "python:3.12" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "a failed snapshot keeps its name until deleted");
    assert_eq!(s.delete("/snapshots/missing").await.0, StatusCode::OK);
}

/// An image of musl programs (as Alpine's are) with no glibc at all: the agent, injected with
/// the host's loader, serves it as any other, and the image's programs run on its own musl.
#[tokio::test]
async fn a_sandbox_runs_on_a_musl_image_without_glibc() {
    let registry = Registry::start_with(&[("OCI_MUSL", "1")]);
    let s = Server::start().await;
    let id = sandbox_on_image(&s, &registry, "musl", "test/musl:1.0").await;
    let (code, out) = s.exec(&id, "/hello; ls /lib; test -e /lib/x86_64-linux-gnu/libc.so.6 || echo no-glibc").await;
    assert_eq!((code, out.as_str()), (0, "hello from musl\nld-musl-x86_64.so.1\nno-glibc\n"));
    // As its USER, app: uid 1234, its groups from the image's /etc/group, its home made for it
    // (the image has none) and the home routes following; the WORKDIR stays the image's.
    assert_eq!(s.get(&format!("/sandbox/{id}")).await.1["user"], "app");
    let (code, out) = s.exec(&id, "id -u; id -G; echo $HOME $USER; pwd; ls -dln ~ | cut -c1-10; touch /data/x").await;
    assert_ne!(code, 0, "app wrote into daytona's /data: {out}");
    assert!(out.starts_with("1234\n1234 50\n/home/app app\n/work\ndrwxr-xr-x\n"), "{out}");
    assert_eq!(s.get_toolbox(&id, "/user-home-dir").await.1["dir"], "/home/app");
    // The toolbox's other faces: files up and down (as app, in its home), a session.
    let url = s.toolbox(&id, "/files/upload-v2?path=/home/app/in.txt");
    let (status, reply) = send(s.http.post(url).bearer_auth(&s.key).body("from the toolbox")).await;
    assert_eq!(status, StatusCode::OK, "{reply}");
    assert_eq!(s.exec(&id, "cat ~/in.txt; stat -c %u ~/in.txt").await, (0, "from the toolbox1234\n".into()));
    let url = s.toolbox(&id, "/files/download?path=/hello");
    let resp = s.http.get(url).bearer_auth(&s.key).send().await.unwrap();
    assert!(resp.bytes().await.unwrap().starts_with(b"\x7fELF"), "the program downloaded");
    let (status, _) = s.post_toolbox(&id, "/process/session", json!({ "sessionId": "m" })).await;
    assert!(status.is_success(), "{status}");
    let (_, out) =
        s.post_toolbox(&id, "/process/session/m/exec", json!({ "command": "/hello", "runAsync": false })).await;
    assert_eq!(out["output"].as_str().or(out["stdout"].as_str()), Some("hello from musl\n"), "{out}");
    // A terminal: the image's shell (busybox sh: no bash here) runs the musl program.
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let (status, body) = s.post_toolbox(&id, "/process/pty", json!({ "id": "t", "cols": 80, "rows": 24 })).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let mut ws = s.ws(&id, "/process/pty/t/connect", "X-Daytona-Pty-Exit-Control").await;
    ws.send(Message::Binary(b"/hello | tr a-z A-Z\n".to_vec().into())).await.unwrap();
    let mut seen = Vec::new();
    while !String::from_utf8_lossy(&seen).contains("HELLO FROM MUSL") {
        match tokio::time::timeout(Duration::from_secs(20), ws.next()).await {
            Ok(Some(Ok(Message::Binary(b)))) => seen.extend_from_slice(&b),
            Ok(Some(Ok(_))) => {}
            other => panic!("the terminal ended: {other:?}, {}", String::from_utf8_lossy(&seen)),
        }
    }
}

#[tokio::test]
async fn a_sandbox_runs_on_the_image_and_keeps_its_writes() {
    let registry = Registry::start();
    let mut s = Server::start().await;
    let image = registry.image("test/busybox:1.0");
    let (status, snap) = s.post("/snapshots", json!({ "name": "bb", "imageName": image, "cpu": 2, "memory": 2 })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    let snap_id = snap["id"].as_str().unwrap().to_owned();
    assert_eq!(settled(&s, &snap_id).await["state"], "active");

    let sb = s.create(json!({ "snapshot": "bb", "env": { "MINE": "mine" } })).await;
    assert_eq!(sb["snapshot"], "bb");
    assert_eq!((sb["cpu"].as_i64(), sb["memory"].as_i64()), (Some(2), Some(2)), "the snapshot's resources: {sb}");
    assert!(s.get("/snapshots/bb").await.1["lastUsedAt"].is_string(), "marked used");
    let id = id_of(&sb);
    // The image's files, ENV and WORKDIR, not the host's userland; the sandbox's env on top.
    assert_eq!(s.exec(&id, "echo $GREETING $MINE; pwd").await, (0, "hello mine\n/work\n".into()));
    let (code, out) = s.exec(&id, "ls /bin/busybox; test -e /usr/bin/python3 || echo no-host-userland").await;
    assert_eq!((code, out.as_str()), (0, "/bin/busybox\nno-host-userland\n"));
    // As the image's user: it names none, so root (of the sandbox, without a capability: see
    // the isolation tests), at home in /root, which the image lacks and the agent made.
    assert_eq!(sb["user"], "root", "{sb}");
    let (code, out) = s.exec(&id, "id -u; echo $HOME $USER; ls -dln ~ | cut -c1-10; touch /bin/x && echo wrote").await;
    assert_eq!((code, out.as_str()), (0, "0\n/root root\ndrwx------\nwrote\n"));
    assert_eq!(s.get_toolbox(&id, "/user-home-dir").await.1["dir"], "/root");
    // Writes land in the sandbox's own layer: over the image's files, in its /data, the home.
    assert_eq!(s.exec(&id, "echo kept > /data/kept && echo home > ~/home.txt").await.0, 0);
    let host_rootfs = s.data_dir().join("images").join(&snap_id).join("bundle/rootfs");
    assert!(host_rootfs.join("data").is_dir() && !host_rootfs.join("data/kept").exists(), "the image is untouched");
    assert!(!host_rootfs.join("bin/x").exists() && !host_rootfs.join("root").exists(), "the image is untouched");

    // A session keeps its shell's state (sh: the image has no bash).
    let (status, _) = s.post_toolbox(&id, "/process/session", json!({ "sessionId": "s1" })).await;
    assert!(status.is_success(), "{status}");
    let run = |cmd: &str| json!({ "command": cmd, "runAsync": false });
    let (status, _) = s.post_toolbox(&id, "/process/session/s1/exec", run("cd /data && export X=42")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, out) = s.post_toolbox(&id, "/process/session/s1/exec", run("echo $X $(pwd) $(cat kept)")).await;
    assert_eq!(out["output"].as_str().or(out["stdout"].as_str()), Some("42 /data kept\n"), "{out}");

    // Kept across a stop and start, and a crash of the server.
    assert_eq!(s.post_empty(&format!("/sandbox/{id}/stop")).await.0, StatusCode::OK);
    assert_eq!(s.post_empty(&format!("/sandbox/{id}/start")).await.0, StatusCode::OK);
    assert_eq!(s.exec(&id, "cat /data/kept ~/home.txt").await, (0, "kept\nhome\n".into()));
    s.kill9();
    s.restart().await;
    assert!(
        eventually(Duration::from_secs(20), || async { s.state(&id).await.as_deref() == Some("started") }).await,
        "back after the crash:\n{}",
        s.log()
    );
    assert_eq!(s.exec(&id, "cat /data/kept").await, (0, "kept\n".into()));

    // A fork runs on the same image with the source's writes, owned as they were (root's).
    let (status, fork) = s.post(&format!("/sandbox/{id}/fork"), json!({})).await;
    assert_eq!((status, fork["snapshot"].as_str()), (StatusCode::OK, Some("bb")), "{fork}");
    let f = id_of(&fork);
    let (code, out) = s.exec(&f, "cat /data/kept ~/home.txt; id -u; stat -c %u /data/kept ~/home.txt; ls /bin/x").await;
    assert_eq!((code, out.as_str()), (0, "kept\nhome\n0\n0\n0\n/bin/x\n"));
    assert_eq!(s.exec(&f, "echo fork > /data/kept").await.0, 0);
    assert_eq!(s.exec(&id, "cat /data/kept").await, (0, "kept\n".into()), "the source's layer is its own");
    assert_eq!(s.delete(&format!("/sandbox/{f}")).await.0, StatusCode::OK);

    // A snapshot of it: sandboxes made from it run on the same image with its writes.
    let (status, body) = s.post(&format!("/sandbox/{id}/snapshot"), json!({ "name": "bb-kept" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(settled(&s, "bb-kept").await["state"], "active");
    let made = s.create(json!({ "snapshot": "bb-kept" })).await;
    assert_eq!((made["user"].as_str(), made["cpu"].as_i64()), (Some("root"), Some(2)), "{made}");
    let k = id_of(&made);
    let (code, out) =
        s.exec(&k, "cat /data/kept ~/home.txt; id -u; stat -c %u /data/kept; echo $GREETING; pwd; ls /bin/x").await;
    assert_eq!((code, out.as_str()), (0, "kept\nhome\n0\n0\nhello\n/work\n/bin/x\n"));
    assert_eq!(s.delete(&format!("/sandbox/{k}")).await.0, StatusCode::OK);

    // The snapshot stays while a sandbox runs on it, and while a snapshot made from a sandbox
    // on it needs its image.
    let (status, body) = s.delete(&format!("/snapshots/{snap_id}")).await;
    assert_envelope(status, &body, StatusCode::CONFLICT, &format!("/api/snapshots/{snap_id}"));
    assert_eq!(s.delete(&format!("/sandbox/{id}")).await.0, StatusCode::OK);
    let refused = eventually(Duration::from_secs(20), || async {
        let (status, body) = s.delete(&format!("/snapshots/{snap_id}")).await;
        status == StatusCode::CONFLICT && body["message"].as_str().unwrap_or_default().contains("bb-kept")
    })
    .await;
    assert!(refused, "the image went while a snapshot made on it needs it");
    let freed =
        eventually(Duration::from_secs(20), || async { s.delete("/snapshots/bb-kept").await.0 == StatusCode::OK })
            .await;
    assert!(freed, "a snapshot made from a sandbox not deleted once its sandboxes went");
    let freed = eventually(Duration::from_secs(20), || async {
        s.delete(&format!("/snapshots/{snap_id}")).await.0 == StatusCode::OK
    })
    .await;
    assert!(freed, "snapshot delete still refused after its sandbox went");
}

#[tokio::test]
async fn the_snapshots_entrypoint_runs_as_the_entrypoint_session() {
    let registry = Registry::start();
    let s = Server::start().await;
    let entrypoint =
        json!(["sh", "-c", "echo started as $(id -u) with $GREETING; echo $$ > /tmp/ep.pid; exec sleep 1000"]);
    let body = json!({ "name": "ep", "imageName": registry.image("test/busybox:1.0"), "entrypoint": entrypoint });
    let (status, snap) = s.post("/snapshots", body).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    let active = settled(&s, snap["id"].as_str().unwrap()).await;
    assert_eq!(active["entrypoint"], entrypoint, "an explicit entrypoint is kept");
    let id = id_of(&s.create(json!({ "snapshot": "ep" })).await);
    let logged = eventually(Duration::from_secs(10), || async {
        let (_, logs) = s.get_toolbox(&id, "/process/session/entrypoint/logs").await;
        logs.to_string().contains("started as 0 with hello")
    })
    .await;
    assert!(logged, "entrypoint log: {:?}", s.get_toolbox(&id, "/process/session/entrypoint/logs").await);
    let (_, session) = s.get_toolbox(&id, "/process/session/entrypoint").await;
    assert_eq!(session["commands"].as_array().map(Vec::len), Some(1), "{session}");
    assert!(session["commands"][0]["command"].as_str().unwrap_or_default().contains("exec sleep 1000"), "{session}");
    let (_, running) = s.exec(&id, "cat /proc/$(cat /tmp/ep.pid)/cmdline").await;
    assert_eq!(running, "sleep\u{0}1000\u{0}", "it runs");
    // The session stays read-only, and is no API session.
    let (status, _) = s.post_toolbox(&id, "/process/session/entrypoint/exec", json!({ "command": "echo no" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (_, sessions) = s.get_toolbox(&id, "/process/session").await;
    assert_eq!(sessions, json!([]), "{sessions}");
}
