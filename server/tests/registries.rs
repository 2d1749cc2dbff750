//! The organization's container registries (`/docker-registry`): kept with their password,
//! which is never answered; used to log in to a private registry (Debian's docker-registry
//! with htpasswd, on 127.0.0.1) for a snapshot's pull and a build's base image; plain
//! `http://` accepted only where pulls may use it; bad requests refused.

mod common;

use std::time::Duration;

use common::*;

/// The private registry's one login.
const USER: &str = "alice";
const PASSWORD: &str = "s3cret-Pa55";

async fn patch(s: &Server, path: &str, body: Value) -> (StatusCode, Value) {
    send(s.http.patch(s.api(path)).bearer_auth(&s.key).json(&body)).await
}

/// Every file under `dir` whose name ends with `suffix`.
fn files_ending(dir: &std::path::Path, suffix: &str) -> Vec<std::path::PathBuf> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(suffix))
        .map(|e| e.into_path())
        .collect()
}

#[tokio::test]
async fn a_registry_is_kept_without_answering_its_password_and_logs_pulls_in() {
    let registry = Registry::start_with(&[("OCI_AUTH", &format!("{USER}:{PASSWORD}"))]);
    let mut s = Server::start().await;
    let image = registry.image("test/busybox:1.0");

    // Without a login the private registry refuses the pull, and the snapshot says why.
    let (status, snap) = s.post("/snapshots", json!({ "name": "private-before", "imageName": image })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    let failed = settled(&s, snap["id"].as_str().unwrap()).await;
    assert_eq!(failed["state"], "error", "{failed}");
    let reason = failed["errorReason"].as_str().unwrap_or_default();
    assert!(reason.contains("authentication required") || reason.contains("unauthorized"), "{failed}");

    // A wrong password: refused too.
    let url = format!("http://127.0.0.1:{}", registry.port);
    let (status, wrong) =
        s.post("/docker-registry", json!({ "name": "local", "url": url, "username": USER, "password": "nope" })).await;
    assert_eq!(status, StatusCode::CREATED, "{wrong}");
    let (status, snap) = s.post("/snapshots", json!({ "name": "private-wrong", "imageName": image })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    let failed = settled(&s, snap["id"].as_str().unwrap()).await;
    assert_eq!(failed["state"], "error", "a wrong password pulls nothing: {failed}");
    assert!(!failed.to_string().contains("nope"), "the password is not in the reason: {failed}");

    // The right one, set by PATCH: the pull logs in.
    let id = wrong["id"].as_str().unwrap().to_owned();
    let (status, patched) = patch(
        &s,
        &format!("/docker-registry/{id}"),
        json!({ "name": "local", "url": url, "username": USER, "password": PASSWORD }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    let (status, snap) = s.post("/snapshots", json!({ "name": "private", "imageName": image })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    let active = settled(&s, snap["id"].as_str().unwrap()).await;
    assert_eq!(active["state"], "active", "pulled with the registry's login: {active}");
    assert!(files_ending(&s.data_dir(), ".auth.json").is_empty(), "no auth file is left behind");

    // A sandbox runs on the pulled image.
    let (status, sb) = s.post("/sandbox", json!({ "snapshot": "private" })).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    let sb_id = sb["id"].as_str().unwrap().to_owned();
    let started =
        eventually(Duration::from_secs(20), || async { s.state(&sb_id).await.as_deref() == Some("started") }).await;
    assert!(started, "the sandbox on the private image started");
    let (_, out) = s.post_toolbox(&sb_id, "/process/execute", json!({ "command": "sh -c 'echo $GREETING'" })).await;
    assert_eq!(out["result"].as_str().map(str::trim), Some("hello"), "{out}");

    // Its answers never carry the password; the list and get agree; a PATCH without a
    // password keeps the stored one (the next pull still logs in).
    let (_, all) = s.get("/docker-registry").await;
    let (_, one) = s.get(&format!("/docker-registry/{id}")).await;
    for answer in [&wrong, &patched, &all, &one] {
        assert!(!answer.to_string().contains(PASSWORD) && answer.get("password").is_none(), "{answer}");
    }
    assert_eq!(all.as_array().map(Vec::len), Some(1), "{all}");
    assert_eq!(
        (one["name"].as_str(), one["url"].as_str(), one["username"].as_str(), one["registryType"].as_str()),
        (Some("local"), Some(url.as_str()), Some(USER), Some("organization")),
        "{one}"
    );
    for key in ["id", "project", "createdAt", "updatedAt"] {
        assert!(one.get(key).is_some(), "{key} is required: {one}");
    }
    let (status, renamed) =
        patch(&s, &format!("/docker-registry/{id}"), json!({ "name": "renamed", "url": url, "username": USER })).await;
    assert_eq!((status, renamed["name"].as_str()), (StatusCode::OK, Some("renamed")), "{renamed}");

    // Kept across a crash of the server, password and all.
    s.kill9();
    s.restart().await;
    let (_, kept) = s.get(&format!("/docker-registry/{id}")).await;
    assert_eq!(kept["name"], "renamed", "{kept}");
    let (_, snap) = s.post("/snapshots", json!({ "name": "private-again", "imageName": image })).await;
    let again = settled(&s, snap["id"].as_str().unwrap()).await;
    assert_eq!(again["state"], "active", "the kept password still logs in: {again}");

    // A build's base image from the private registry is pulled with the login too.
    let dockerfile = format!("FROM {image}\nRUN echo built > /built\n");
    let (status, built) = s
        .post("/snapshots", json!({ "name": "private-built", "buildInfo": { "dockerfileContent": dockerfile } }))
        .await;
    assert_eq!(status, StatusCode::OK, "{built}");
    let built = settled(&s, built["id"].as_str().unwrap()).await;
    assert_eq!(built["state"], "active", "{built}");

    // Deleted: 204, then gone; the next pull has no login again.
    assert_eq!(s.delete(&format!("/docker-registry/{id}")).await.0, StatusCode::NO_CONTENT);
    let (status, body) = s.get(&format!("/docker-registry/{id}")).await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, &format!("/api/docker-registry/{id}"));
    let (_, snap) = s.post("/snapshots", json!({ "name": "private-after", "imageName": image })).await;
    let after = settled(&s, snap["id"].as_str().unwrap()).await;
    assert_eq!(after["state"], "error", "no login after the registry's deletion: {after}");
    let (status, _) = s.delete(&format!("/sandbox/{sb_id}")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_registries_are_refused() {
    let s = Server::start_with(Options {
        args: vec!["--insecure-registry".into(), "10.9.8.7:5000".into()],
        ..Default::default()
    })
    .await;
    let made = |url: &str| json!({ "name": "r", "url": url, "username": "u", "password": "p" });
    for (body, why) in [
        (made("ftp://ghcr.io"), "registry URL"),
        (made("https://u:p@ghcr.io"), "registry URL"),
        (made("ghcr.io/some/path"), "registry URL"),
        (made("ghcr.io;rm -rf"), "registry URL"),
        (made("http://ghcr.io"), "plain http://"),
        (made("http://10.9.8.7:5001"), "plain http://"),
        (json!({ "name": " ", "url": "ghcr.io", "username": "u", "password": "p" }), "name"),
        (json!({ "name": "r", "url": "ghcr.io", "username": "", "password": "p" }), "user name"),
        (json!({ "name": "r", "url": "ghcr.io", "username": "u", "password": "p", "project": "../x y" }), "project"),
        (json!({ "name": "r", "url": "ghcr.io", "username": "u", "password": "" }), "password"),
        (json!({ "name": "r", "url": "ghcr.io", "username": "u v", "password": "p" }), "user name"),
    ] {
        let (status, answer) = s.post("/docker-registry", body.clone()).await;
        assert_envelope(status, &answer, StatusCode::BAD_REQUEST, "/api/docker-registry");
        assert!(answer["message"].as_str().unwrap().contains(why), "{body} → {answer}");
    }
    let (status, answer) = s.post("/docker-registry", json!({ "name": "r", "url": "ghcr.io", "username": "u" })).await;
    assert_envelope(status, &answer, StatusCode::BAD_REQUEST, "/api/docker-registry");
    // Plain HTTP where pulls may use it: a loopback address, and the host named insecure.
    for url in ["http://127.0.0.1:5000", "http://localhost:5000", "http://10.9.8.7:5000", "https://ghcr.io"] {
        assert_eq!(s.post("/docker-registry", made(url)).await.0, StatusCode::CREATED, "{url}");
    }
    let (_, all) = s.get("/docker-registry").await;
    assert_eq!(all.as_array().map(Vec::len), Some(4), "nothing refused was kept: {all}");
    // Unknown ids, and the internal registry's push access daytona-local does not have.
    let (status, body) = s.get("/docker-registry/nope").await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, "/api/docker-registry/nope");
    let (status, body) = s.delete("/docker-registry/nope").await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, "/api/docker-registry/nope");
    let (status, body) = patch(&s, "/docker-registry/nope", made("ftp://not-even-valid")).await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, "/api/docker-registry/nope");
    let (status, body) = s.get("/docker-registry/registry-push-access").await;
    assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/docker-registry/registry-push-access");
    assert!(body["message"].as_str().unwrap().contains("no registry of its own"), "{body}");
}
