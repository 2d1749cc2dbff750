//! Declarative image builds (`buildInfo`): a Dockerfile built with buildah into a snapshot,
//! its log streamed while it runs; a sandbox from an image (`pending_build → started`), the
//! same image again reusing the snapshot, a failing RUN as `build_failed` with the log; bad
//! requests refused; the object storage's access refused without valid credentials. How a
//! build is confined (identity, cgroup, network) is tested in isolation.rs.

mod common;

use std::time::Duration;

use common::*;

/// `buildInfo` of a Dockerfile with no contexts.
fn build_info(dockerfile: &str) -> Value {
    json!({ "dockerfileContent": dockerfile })
}

#[tokio::test]
async fn a_snapshot_is_built_with_its_log_streamed() {
    let registry = Registry::start();
    let s = Server::start().await;
    let base = registry.image("test/busybox:1.0");
    let marker = unique("built");
    let dockerfile =
        format!("FROM {base}\nRUN echo {marker} > /marker && mkdir -p /opt/x\nENV BUILT=yes\nWORKDIR /opt/x\n");
    let (status, snap) = s.post("/snapshots", json!({ "name": "built", "buildInfo": build_info(&dockerfile) })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    assert_eq!(snap["state"], "building", "{snap}");
    assert_eq!(snap["buildInfo"]["dockerfileContent"], dockerfile, "{snap}");
    assert!(snap["buildInfo"]["snapshotRef"].as_str().is_some_and(|r| !r.is_empty()), "{snap}");
    let id = snap["id"].as_str().unwrap().to_owned();

    // The log URL, then the log followed to the build's end.
    let (status, url) = s.get(&format!("/snapshots/{id}/build-logs-url")).await;
    assert_eq!(status, StatusCode::OK, "{url}");
    let url = url["url"].as_str().unwrap().to_owned();
    assert_eq!(url, s.api(&format!("/snapshots/{id}/build-logs")));
    let resp = s.http.get(format!("{url}?follow=true")).bearer_auth(&s.key).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let log = resp.text().await.unwrap();
    assert!(log.contains(&format!("STEP 2/4: RUN echo {marker} > /marker")), "{log}");
    assert!(log.trim_end().ends_with("Build succeeded"), "the stream ends with the build: {log}");
    let built = settled(&s, &id).await;
    assert_eq!(built["state"], "active", "{built}");
    assert_eq!(built["entrypoint"], json!(["/bin/sh"]), "the base image's command: {built}");

    // A sandbox on it sees what the build made.
    let sb = s.create(json!({ "snapshot": "built" })).await;
    let (code, out) = s.exec(&id_of(&sb), "cat /marker; echo $BUILT; pwd").await;
    assert_eq!((code, out.as_str()), (0, format!("{marker}\nyes\n/opt/x\n").as_str()));
}

#[tokio::test]
async fn a_sandbox_from_an_image_waits_for_its_build_and_reuses_it() {
    let registry = Registry::start();
    let s = Server::start().await;
    let marker = unique("img");
    let dockerfile = format!("FROM {}\nRUN echo {marker} > /marker\nUSER app\n", registry.image("test/busybox:1.0"));
    let info = build_info(&dockerfile);
    // Who it will run as is the image's to say: no other user is taken while it is built.
    let (status, body) = s.post("/sandbox", json!({ "buildInfo": info, "user": "daytona" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, sb) = s.post("/sandbox", json!({ "buildInfo": info })).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    assert_eq!(sb["state"], "pending_build", "{sb}");
    let id = id_of(&sb);
    let snapshot = sb["snapshot"].as_str().unwrap().to_owned();
    assert!(snapshot.starts_with("build-"), "named after the build's hash: {snapshot}");
    let mut seen: Vec<String> = Vec::new();
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while seen.last().map(String::as_str) != Some("started") && std::time::Instant::now() < deadline {
        let state = s.state(&id).await.unwrap_or_default();
        if seen.last() != Some(&state) {
            seen.push(state);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let started = seen.last().map(String::as_str) == Some("started");
    assert!(started, "states seen: {seen:?}");
    assert!(
        seen.iter().all(|st| ["pending_build", "building_snapshot", "starting", "started"].contains(&st.as_str())),
        "{seen:?}"
    );
    // It runs as the USER its Dockerfile names, learnt once built.
    assert_eq!(s.exec(&id, "cat /marker; id -un; echo $HOME").await, (0, format!("{marker}\napp\n/home/app\n")));
    assert_eq!(s.get(&format!("/sandbox/{id}")).await.1["user"], "app");
    assert_eq!(s.get_toolbox(&id, "/user-home-dir").await.1["dir"], "/home/app");
    let (status, url) = s.get(&format!("/sandbox/{id}/build-logs-url")).await;
    assert_eq!(status, StatusCode::OK, "{url}");
    let log = s.http.get(url["url"].as_str().unwrap()).bearer_auth(&s.key).send().await.unwrap().text().await.unwrap();
    assert!(log.contains(&format!("RUN echo {marker} > /marker")), "{log}");

    // The same image again: the built snapshot at once, no build, its user known (and asked
    // for: accepted; another: refused).
    let (status, again) = s.post("/sandbox", json!({ "buildInfo": info, "user": "app" })).await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!((again["state"].as_str(), again["snapshot"].as_str()), (Some("started"), Some(snapshot.as_str())));
    assert_eq!(again["user"], "app");
    let (status, body) = s.post("/sandbox", json!({ "buildInfo": info, "user": "root" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("user \"app\""), "{body}");
}

#[tokio::test]
async fn a_failing_run_fails_the_build_with_its_log() {
    let registry = Registry::start();
    let s = Server::start().await;
    let marker = unique("fail");
    let dockerfile = format!("FROM {}\nRUN echo {marker}; exit 7\n", registry.image("test/busybox:1.0"));
    let (status, sb) = s.post("/sandbox", json!({ "buildInfo": build_info(&dockerfile) })).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    let id = id_of(&sb);
    let failed =
        eventually(Duration::from_secs(120), || async { s.state(&id).await.as_deref() == Some("build_failed") }).await;
    assert!(failed, "state {:?}", s.state(&id).await);
    let (_, sb) = s.get(&format!("/sandbox/{id}")).await;
    let why = sb["errorReason"].as_str().unwrap_or_default();
    assert!(why.contains(&marker) && why.contains("exit status 7"), "the log's end in the reason: {why}");
    // Nothing registered active: the snapshot is build_failed and has no image.
    let (_, snap) = s.get(&format!("/snapshots/{}", sb["snapshot"].as_str().unwrap())).await;
    assert_eq!(snap["state"], "build_failed", "{snap}");
    assert!(!s.data_dir().join("images").join(snap["id"].as_str().unwrap()).join("bundle/rootfs/bin").exists());
    // It can go, and so can its snapshot.
    let (status, _) = s.delete(&format!("/sandbox/{id}")).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn bad_builds_are_refused() {
    let s = Server::start().await;
    let missing = "0123456789abcdef0123456789abcdef";
    for (body, expect) in [
        (json!({ "name": "a", "imageName": "x:1", "buildInfo": build_info("FROM x:1\n") }), "not both"),
        (json!({ "name": "a", "buildInfo": build_info("ARG B=x:1\nFROM $B\n") }), "build arguments"),
        (json!({ "name": "a", "buildInfo": build_info("RUN true\n") }), "no FROM"),
        (json!({ "name": "a", "buildInfo": build_info("FROM --x=1 -evil:1\n") }), "Invalid image"),
        (json!({ "name": "a", "buildInfo": build_info("  ") }), "empty"),
        (
            json!({ "name": "a", "buildInfo": { "dockerfileContent": "FROM x:1\n", "contextHashes": [missing] } }),
            "not uploaded",
        ),
        (
            json!({ "name": "a", "buildInfo": { "dockerfileContent": "FROM x:1\n", "contextHashes": ["../../etc"] } }),
            "Invalid context hash",
        ),
    ] {
        let (status, err) = s.post("/snapshots", body.clone()).await;
        assert_envelope(status, &err, StatusCode::BAD_REQUEST, "/api/snapshots");
        assert!(err["message"].as_str().unwrap_or_default().contains(expect), "{body} → {err}");
    }
    let (status, err) =
        s.post("/sandbox", json!({ "snapshot": "daytona-local", "buildInfo": build_info("FROM x:1\n") })).await;
    assert_envelope(status, &err, StatusCode::BAD_REQUEST, "/api/sandbox");
    // A pulled snapshot has no build log.
    let (status, err) = s.get("/snapshots/daytona-local/build-logs-url").await;
    assert_envelope(status, &err, StatusCode::BAD_REQUEST, "/api/snapshots/daytona-local/build-logs-url");
}

#[tokio::test]
async fn the_object_storage_needs_valid_signed_credentials() {
    let s = Server::start().await;
    // Push access is the API's: the API key first.
    let resp = s.http.get(s.api("/object-storage/push-access")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    let (status, access) = s.get("/object-storage/push-access").await;
    assert_eq!(status, StatusCode::OK, "{access}");
    for key in ["accessKey", "secret", "sessionToken", "storageUrl", "organizationId", "bucket", "region"] {
        assert!(access[key].as_str().is_some_and(|v| !v.is_empty()), "{key}: {access}");
    }
    assert_eq!(access["storageUrl"], s.origin(), "not the Python SDK: the API's own origin");
    let python =
        s.http.get(s.api("/object-storage/push-access")).bearer_auth(&s.key).header("X-Daytona-Source", "sdk-python");
    let python: Value = python.send().await.unwrap().json().await.unwrap();
    assert!(python["storageUrl"].as_str().unwrap().starts_with("https://127.0.0.1:"), "obstore needs HTTPS: {python}");

    let object = format!("{}/{}/local/{}/context.tar", s.origin(), access["bucket"].as_str().unwrap(), "0".repeat(32));
    // Unsigned, or signed with a key that was never handed out: refused, nothing stored.
    let unsigned = s.http.put(&object).body("x").send().await.unwrap();
    assert_eq!(unsigned.status(), StatusCode::FORBIDDEN, "{:?}", unsigned.text().await);
    // A request signed (with a signature of zeros) as `access_key`.
    let signed_as = |access_key: &str| {
        let credential = format!("Credential={access_key}/20261205/us-east-1/s3/aws4_request");
        s.http
            .put(&object)
            .header("x-amz-date", "20261205T000000Z")
            .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
            .header(
                "authorization",
                format!("AWS4-HMAC-SHA256 {credential}, SignedHeaders=host;x-amz-date, Signature={}", "0".repeat(64)),
            )
            .body("x")
            .send()
    };
    let forged = signed_as("NOPE").await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    let signed_wrong = signed_as(access["accessKey"].as_str().unwrap()).await.unwrap();
    assert_eq!(signed_wrong.status(), StatusCode::FORBIDDEN, "a wrong signature");
    assert!(!s.data_dir().join("objects/data/local").exists(), "nothing stored");
}

#[tokio::test]
async fn a_build_cut_by_a_crash_of_the_server_is_built_again_after_its_restart() {
    let registry = Registry::start();
    let mut s = Server::start().await;
    let marker = unique("crash");
    let dockerfile = format!(
        "FROM {}\nRUN echo step-running && sleep 3 && echo {marker} > /marker\n",
        registry.image("test/busybox:1.0")
    );
    let (status, snap) = s.post("/snapshots", json!({ "name": "crashed", "buildInfo": build_info(&dockerfile) })).await;
    assert_eq!(status, StatusCode::OK, "{snap}");
    let id = snap["id"].as_str().unwrap().to_owned();
    // A sandbox waiting for a build of its own (another Dockerfile) when the server dies.
    let waiting = format!("FROM {}\nRUN sleep 3 && echo {marker}-sb > /marker\n", registry.image("test/busybox:1.0"));
    let (status, sb) = s.post("/sandbox", json!({ "buildInfo": build_info(&waiting) })).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    let sb = id_of(&sb);

    // Killed (SIGKILL: no chance to tidy up) while the RUN step runs.
    let deadline = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let resp = s.http.get(s.api(&format!("/snapshots/{id}/build-logs"))).bearer_auth(&s.key).send().await.unwrap();
        // buildah's own line for the step (a short step's output may miss the log).
        if resp.text().await.unwrap().contains("STEP 2/2: RUN echo step-running") {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the RUN step never started");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    s.kill9();
    s.restart().await;
    // Cut mid-build (its RUN sleeps 3 s after the line seen): not finished before the kill.
    let (_, now) = s.get(&format!("/snapshots/{id}")).await;
    assert!(["pending", "building"].contains(&now["state"].as_str().unwrap_or_default()), "{now}");

    // The snapshot is built again from the start and becomes active; the sandbox starts on
    // its image; each sees what its RUN made.
    let built = settled(&s, &id).await;
    assert_eq!(built["state"], "active", "{built}");
    let log = s.http.get(s.api(&format!("/snapshots/{id}/build-logs"))).bearer_auth(&s.key).send().await.unwrap();
    assert!(log.text().await.unwrap().trim_end().ends_with("Build succeeded"));
    let on_it = s.create(json!({ "snapshot": "crashed" })).await;
    let (code, out) = s.exec(&id_of(&on_it), "cat /marker").await;
    assert_eq!((code, out.trim()), (0, marker.as_str()));
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (_, now) = s.get(&format!("/sandbox/{sb}")).await;
        match now["state"].as_str().unwrap_or_default() {
            "started" => break,
            "pending_build" | "building_snapshot" | "starting" => {}
            other => panic!("the waiting sandbox went {other}: {now}"),
        }
        assert!(std::time::Instant::now() < deadline, "the waiting sandbox never started: {now}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (code, out) = s.exec(&sb, "cat /marker").await;
    assert_eq!((code, out.trim()), (0, format!("{marker}-sb").as_str()));
}

/// An image's `USER` that its `/etc/passwd` does not name (a bare uid) has the home `/`, which
/// is not its to write: the agent's own state (session logs) is made its anyway, so sessions,
/// the entrypoint and files work as for any user.
#[tokio::test]
async fn a_bare_uid_user_without_a_home_still_has_sessions() {
    let registry = Registry::start();
    let s = Server::start().await;
    let dockerfile = format!("FROM {}\nUSER 4321:4321\n", registry.image("test/busybox:1.0"));
    let (status, sb) = s.post("/sandbox", json!({ "buildInfo": build_info(&dockerfile) })).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    let id = id_of(&sb);
    let started =
        eventually(Duration::from_secs(120), || async { s.state(&id).await.as_deref() == Some("started") }).await;
    assert!(started, "{:?}", s.get(&format!("/sandbox/{id}")).await);
    assert_eq!(s.get(&format!("/sandbox/{id}")).await.1["user"], "4321");
    assert_eq!(s.get_toolbox(&id, "/user-home-dir").await.1["dir"], "/");
    assert_eq!(s.exec(&id, "id -u; echo $HOME; touch /x 2>&1 | grep -c denied").await, (0, "4321\n/\n1\n".into()));
    let (status, _) = s.post_toolbox(&id, "/process/session", json!({ "sessionId": "bare" })).await;
    assert!(status.is_success(), "{status}");
    let run = json!({ "command": "echo from $(id -u)", "runAsync": false });
    let (status, out) = s.post_toolbox(&id, "/process/session/bare/exec", run).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["output"].as_str().or(out["stdout"].as_str()), Some("from 4321\n"), "{out}");
}
