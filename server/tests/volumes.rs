//! Volumes: `/volumes` CRUD, mounts shared live between sandboxes (whole or a subpath),
//! deletion refused while mounted, and everything kept across a crash of the server.

mod common;

use std::time::Duration;

use common::*;

/// Creates volume `name`; asserts 200 and `ready`; returns its JSON.
async fn new_volume(s: &Server, name: &str) -> Value {
    let (status, vol) = s.post("/volumes", json!({ "name": name })).await;
    assert_eq!(status, StatusCode::OK, "{vol}");
    assert_eq!(vol["state"], "ready", "{vol}");
    assert_eq!(vol["name"], name);
    for key in ["id", "organizationId", "createdAt", "updatedAt"] {
        assert!(vol[key].as_str().is_some_and(|v| !v.is_empty()), "{key} in {vol}");
    }
    assert!(vol.as_object().unwrap().contains_key("errorReason"), "errorReason is required (null): {vol}");
    vol
}

#[tokio::test]
async fn volumes_are_created_found_listed_and_refused_when_wrong() {
    let s = Server::start().await;
    let name = unique("vol");
    let vol = new_volume(&s, &name).await;
    let id = vol["id"].as_str().unwrap();

    let (status, by_id) = s.get(&format!("/volumes/{id}")).await;
    assert_eq!((status, &by_id["name"]), (StatusCode::OK, &json!(name)));
    let (status, by_name) = s.get(&format!("/volumes/by-name/{name}")).await;
    assert_eq!((status, &by_name["id"]), (StatusCode::OK, &json!(id)));
    let (status, list) = s.get("/volumes?includeDeleted=false").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list.as_array().map(|l| l.iter().filter(|v| v["id"] == id).count()), Some(1), "{list}");

    let (status, body) = s.post("/volumes", json!({ "name": name })).await;
    assert_envelope(status, &body, StatusCode::CONFLICT, "/api/volumes");
    for bad in ["", "a/b", "../x", "with space"] {
        let (status, body) = s.post("/volumes", json!({ "name": bad })).await;
        assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/volumes");
    }
    let (status, body) = s.get("/volumes/by-name/no-such-volume").await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, "/api/volumes/by-name/no-such-volume");
    let (status, body) = s.get("/volumes/nope").await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, "/api/volumes/nope");
    let (status, body) = s.delete("/volumes/nope").await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, "/api/volumes/nope");
}

#[tokio::test]
async fn a_volume_is_shared_live_between_sandboxes_and_kept_until_unused() {
    let mut s = Server::start().await;
    let name = unique("shared");
    let vol = new_volume(&s, &name).await;
    let vid = vol["id"].as_str().unwrap().to_owned();

    // One sandbox mounts all of it, by id; the other one subpath of it, by name.
    let a = s.create(json!({ "volumes": [{ "volumeId": vid, "mountPath": "/data" }] })).await;
    let b = s
        .create(
            json!({ "volumes": [{ "volumeId": name, "mountPath": "/home/daytona/alice", "subpath": "users/alice" }] }),
        )
        .await;
    let (a, b) = (id_of(&a), id_of(&b));
    let (_, b_dto) = s.get(&format!("/sandbox/{b}")).await;
    assert_eq!(
        b_dto["volumes"],
        json!([{ "volumeId": vid, "mountPath": "/home/daytona/alice", "subpath": "users/alice" }]),
        "a name is resolved to the volume's id"
    );

    // The subpath was made by the mount, and belongs to the sandbox user in both sandboxes.
    assert_eq!(
        s.exec(&a, "stat -c %U:%G /data /data/users/alice").await,
        (0, "daytona:daytona\ndaytona:daytona\n".into())
    );
    assert_eq!(s.exec(&b, "stat -c %U /home/daytona/alice").await, (0, "daytona\n".into()));
    // Written in one, read in the other at once, both ways.
    assert_eq!(s.exec(&a, "echo from-a > /data/users/alice/a.txt && echo top > /data/top.txt").await.0, 0);
    assert_eq!(s.exec(&b, "cat alice/a.txt && ls alice").await, (0, "from-a\na.txt\n".into()));
    assert_eq!(s.exec(&b, "echo from-b > alice/b.txt && mkdir -p alice/deep/er").await.0, 0);
    assert_eq!(
        s.exec(&a, "cat /data/users/alice/b.txt && stat -c %U /data/users/alice/deep/er").await,
        (0, "from-b\ndaytona\n".into())
    );
    // The subpath is all the second one sees of the volume.
    assert_eq!(s.exec(&b, "ls -a alice/.. | grep -c top.txt").await.1, "0\n");
    let (_, vol_now) = s.get(&format!("/volumes/{vid}")).await;
    assert!(vol_now["lastUsedAt"].as_str().is_some(), "mounting marks it used: {vol_now}");

    // Kept across a crash of the server, a stop and a start.
    s.kill9();
    s.restart().await;
    assert!(
        eventually(Duration::from_secs(20), || async { s.state(&a).await.as_deref() == Some("started") }).await,
        "sandbox back after restart:\n{}",
        s.log()
    );
    assert_eq!(s.post_empty(&format!("/sandbox/{b}/stop")).await.0, StatusCode::OK);
    assert_eq!(s.post_empty(&format!("/sandbox/{b}/start")).await.0, StatusCode::OK);
    assert_eq!(s.exec(&b, "cat alice/a.txt alice/b.txt").await, (0, "from-a\nfrom-b\n".into()));
    assert_eq!(s.exec(&a, "cat /data/top.txt").await, (0, "top\n".into()));

    // Deleting it is refused while any sandbox mounts it, even a stopped one…
    assert_eq!(s.post_empty(&format!("/sandbox/{b}/stop")).await.0, StatusCode::OK);
    let path = format!("/volumes/{vid}");
    let (status, body) = s.delete(&path).await;
    assert_envelope(status, &body, StatusCode::CONFLICT, &format!("/api{path}"));
    assert!(body["message"].as_str().unwrap().contains("in use"), "{body}");
    let host_dir = s.data_dir().join("volumes").join(&vid);
    assert!(host_dir.join("top.txt").exists(), "files kept after a refused delete");
    // …and the sandboxes keep working meanwhile.
    assert_eq!(s.exec(&a, "cat /data/top.txt").await.1, "top\n");

    // Once no sandbox mounts it, it goes, files and all.
    for id in [&a, &b] {
        assert_eq!(s.delete(&format!("/sandbox/{id}")).await.0, StatusCode::OK);
    }
    let deleted = eventually(Duration::from_secs(30), || async {
        let (status, _) = s.delete(&path).await;
        status == StatusCode::OK
    })
    .await;
    assert!(deleted, "volume delete still refused after its sandboxes went");
    let gone = eventually(Duration::from_secs(10), || async { s.get(&path).await.0 == StatusCode::NOT_FOUND }).await;
    assert!(gone, "volume still listed");
    assert!(!host_dir.exists(), "volume files removed");
    let (status, _) = s.get(&format!("/volumes/by-name/{name}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bad_mounts_are_refused_and_make_no_sandbox() {
    let s = Server::start().await;
    let vol = new_volume(&s, &unique("refuse")).await;
    let vid = vol["id"].as_str().unwrap();
    let (_, before) = s.get("/sandbox").await;
    let cases = [
        (json!([{ "volumeId": "no-such-volume", "mountPath": "/data" }]), StatusCode::NOT_FOUND),
        (json!([{ "volumeId": vid, "mountPath": "data" }]), StatusCode::BAD_REQUEST),
        (json!([{ "volumeId": vid, "mountPath": "/" }]), StatusCode::BAD_REQUEST),
        (json!([{ "volumeId": vid, "mountPath": "/proc/x" }]), StatusCode::BAD_REQUEST),
        (json!([{ "volumeId": vid, "mountPath": "/usr/local/data" }]), StatusCode::BAD_REQUEST),
        (json!([{ "volumeId": vid, "mountPath": "/home/daytona" }]), StatusCode::BAD_REQUEST),
        (json!([{ "volumeId": vid, "mountPath": "/data/../etc" }]), StatusCode::BAD_REQUEST),
        (json!([{ "volumeId": vid, "mountPath": "/data", "subpath": "../other" }]), StatusCode::BAD_REQUEST),
        (json!([{ "volumeId": vid, "mountPath": "/data", "subpath": "a/../../b" }]), StatusCode::BAD_REQUEST),
        (
            json!([{ "volumeId": vid, "mountPath": "/data" }, { "volumeId": vid, "mountPath": "/data/" }]),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (volumes, expected) in cases {
        let (status, body) = s.post("/sandbox", json!({ "volumes": volumes })).await;
        assert_envelope(status, &body, expected, "/api/sandbox");
    }
    let (_, after) = s.get("/sandbox").await;
    assert_eq!(before["items"].as_array().unwrap().len(), after["items"].as_array().unwrap().len(), "no sandbox made");
}
