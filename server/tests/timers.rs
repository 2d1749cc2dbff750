//! Auto-stop, auto-archive and auto-delete, with `--minute-seconds 1` (a "minute" is 1 s).

mod common;

use std::time::{Duration, Instant};

use common::*;

async fn fast_server() -> Server {
    Server::start_with(Options { minute_seconds: Some(1.0), ..Options::default() }).await
}

async fn wait_state(s: &Server, id: &str, want: Option<&str>, within: Duration) -> bool {
    eventually(within, || async { s.state(id).await.as_deref() == want }).await
}

#[tokio::test]
async fn autostop_stops_an_idle_sandbox() {
    let s = fast_server().await;
    let never = id_of(&s.create(json!({"autoStopInterval": 0})).await);
    let idle = id_of(&s.create(json!({})).await);
    // Idle from now: setting the interval is not activity, and the boot may have been slow.
    let (status, _) = s.post_empty(&format!("/sandbox/{idle}/last-activity")).await;
    assert!(status.is_success());
    let t0 = Instant::now();
    let (status, body) = s.post_empty(&format!("/sandbox/{idle}/autostop/1")).await;
    assert!(status.is_success(), "{body}");
    assert_eq!(s.state(&idle).await.as_deref(), Some("started"), "must not stop at once");

    assert!(wait_state(&s, &idle, Some("stopped"), Duration::from_secs(5)).await, "idle sandbox did not auto-stop");
    assert!(t0.elapsed() >= Duration::from_millis(500), "stopped too early: {:?}", t0.elapsed());
    let (_, sb) = s.get(&format!("/sandbox/{idle}")).await;
    assert_eq!(sb["desiredState"], "stopped");
    let (status, _) = s.exec_req(&idle, json!({"command": "true"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the toolbox of an auto-stopped sandbox is down");
    // Auto-stop 0 means never.
    assert_eq!(s.state(&never).await.as_deref(), Some("started"));
    assert_eq!(s.exec(&never, "echo up").await, (0, "up\n".into()));
}

#[tokio::test]
async fn activity_postpones_autostop() {
    let s = fast_server().await;
    let id = id_of(&s.create(json!({"autoStopInterval": 2})).await);
    // Keep it busy for 3.5 s (longer than its 2 s interval).
    let busy_until = Instant::now() + Duration::from_millis(3500);
    while Instant::now() < busy_until {
        let (status, _) = s.post_empty(&format!("/sandbox/{id}/last-activity")).await;
        assert!(status.is_success());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(s.state(&id).await.as_deref(), Some("started"), "active sandbox was auto-stopped");
    // Then idle: it stops.
    assert!(wait_state(&s, &id, Some("stopped"), Duration::from_secs(6)).await, "did not stop once idle");
}

#[tokio::test]
async fn an_open_terminal_keeps_the_sandbox_from_auto_stopping() {
    let s = fast_server().await;
    let id = id_of(&s.create(json!({"autoStopInterval": 2})).await);
    let (status, _) = s.post_toolbox(&id, "/process/pty", json!({"id": "keep"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let ws = s.ws(&id, "/process/pty/keep/connect", "X-Daytona-Pty-Exit-Control").await;
    // No HTTP request for 4 s (twice the interval); only the terminal connection is open.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(s.state(&id).await.as_deref(), Some("started"), "auto-stopped under an open terminal");
    drop(ws);
    assert!(
        wait_state(&s, &id, Some("stopped"), Duration::from_secs(6)).await,
        "did not stop once the terminal closed"
    );
}

#[tokio::test]
async fn an_open_ssh_session_keeps_the_sandbox_from_auto_stopping() {
    let s = fast_server().await;
    let id = id_of(&s.create(json!({"autoStopInterval": 2})).await);
    let dir = tempfile::tempdir().expect("temp dir");
    let login = common::ssh::login(&s, &id, dir.path()).await;
    // One session of 4 s (twice the interval), and no other request meanwhile.
    let session = tokio::task::spawn_blocking(move || login.exec("sleep 4; echo still-here"));
    let out = session.await.expect("ssh");
    assert_eq!(common::ssh::text(&out.stdout), "still-here\n", "{}", common::ssh::text(&out.stderr));
    assert_eq!(s.state(&id).await.as_deref(), Some("started"), "auto-stopped under an open SSH session");
    assert!(wait_state(&s, &id, Some("stopped"), Duration::from_secs(6)).await, "did not stop once the session ended");
}

#[tokio::test]
async fn autodelete_zero_deletes_on_stop() {
    let s = fast_server().await;
    let a = id_of(&s.create(json!({})).await);
    let (status, body) = s.post_empty(&format!("/sandbox/{a}/stop")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let keep = id_of(&s.create(json!({})).await);
    assert_eq!(s.post_empty(&format!("/sandbox/{keep}/stop")).await.0, StatusCode::OK);

    let (status, body) = s.post_empty(&format!("/sandbox/{a}/autodelete/0")).await;
    assert!(status.is_success(), "{body}");
    assert!(wait_state(&s, &a, None, Duration::from_secs(5)).await, "stopped sandbox with autodelete 0 not deleted");
    let (status, body) = s.get(&format!("/sandbox/{a}")).await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, &format!("/api/sandbox/{a}"));
    assert!(!host_home(&s.data_dir(), &a).exists(), "files of the auto-deleted sandbox remain");

    // An ephemeral sandbox (autoDeleteInterval 0 at create) goes when it stops, not before.
    let eph = id_of(&s.create(json!({"autoDeleteInterval": 0})).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.state(&eph).await.as_deref(), Some("started"), "a running ephemeral sandbox is kept");
    assert_eq!(s.post_empty(&format!("/sandbox/{eph}/stop")).await.0, StatusCode::OK);
    assert!(wait_state(&s, &eph, None, Duration::from_secs(5)).await, "ephemeral sandbox not deleted after stop");

    // Default auto-delete (-1) keeps the other one.
    assert_eq!(s.state(&keep).await.as_deref(), Some("stopped"));
}

#[tokio::test]
async fn autoarchive_archives_a_stopped_sandbox() {
    let s = fast_server().await;
    let stopped = id_of(&s.create(json!({})).await);
    let running = id_of(&s.create(json!({"autoStopInterval": 0})).await);
    assert_eq!(s.exec(&stopped, "echo archived-file > f").await.0, 0);
    assert_eq!(s.post_empty(&format!("/sandbox/{stopped}/stop")).await.0, StatusCode::OK);
    for id in [&stopped, &running] {
        let (status, body) = s.post_empty(&format!("/sandbox/{id}/autoarchive/1")).await;
        assert!(status.is_success(), "{body}");
    }
    assert!(
        wait_state(&s, &stopped, Some("archived"), Duration::from_secs(5)).await,
        "stopped sandbox with autoarchive 1 not archived"
    );
    // Only stopped sandboxes are archived.
    assert_eq!(s.state(&running).await.as_deref(), Some("started"));
    // An auto-archived sandbox starts again with its files.
    let (status, body) = s.post_empty(&format!("/sandbox/{stopped}/start")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(s.exec(&stopped, "cat f").await, (0, "archived-file\n".into()));
}

/// `autoDestroyAt` in ms since the epoch.
fn destroy_at(sb: &Value) -> Option<i64> {
    let at = sb["autoDestroyAt"].as_str()?;
    Some(chrono::DateTime::parse_from_rfc3339(at).expect("autoDestroyAt is ISO-8601").timestamp_millis())
}

#[tokio::test]
async fn a_ttl_destroys_the_sandbox_whatever_its_state_and_zero_clears_it() {
    let s = fast_server().await;
    // Set at create: counted from the creation, shown as autoDestroyAt.
    let made = s.create(json!({"ttlMinutes": 4})).await;
    let stopped = id_of(&made);
    let created = chrono::DateTime::parse_from_rfc3339(made["createdAt"].as_str().unwrap()).unwrap().timestamp_millis();
    assert_eq!(destroy_at(&made), Some(created + 4000), "{made}");
    assert_eq!(s.post_empty(&format!("/sandbox/{stopped}/stop")).await.0, StatusCode::OK);
    // Set later: from now, on a running and on a paused sandbox; 0 clears one.
    let running = id_of(&s.create(json!({"autoStopInterval": 0})).await);
    let paused = id_of(&s.create(json!({"autoStopInterval": 0})).await);
    let kept = id_of(&s.create(json!({"ttlMinutes": 2})).await);
    assert_eq!(s.post_empty(&format!("/sandbox/{paused}/pause")).await.0, StatusCode::OK);
    let before = chrono::Utc::now().timestamp_millis();
    for id in [&running, &paused] {
        let (status, body) = s.post_empty(&format!("/sandbox/{id}/ttl/2")).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        let at = destroy_at(&body).expect("autoDestroyAt after a TTL is set");
        assert!((before + 2000..=chrono::Utc::now().timestamp_millis() + 2000).contains(&at), "{body}");
    }
    let (status, body) = s.post_empty(&format!("/sandbox/{kept}/ttl/0")).await;
    assert_eq!((status, destroy_at(&body)), (StatusCode::OK, None), "{body}");
    // Listed by it.
    let (_, listed) = s.get("/sandbox?autoDestroyAtAfter=2000-01-01T00:00:00Z").await;
    let mut ids: Vec<&str> = listed["items"].as_array().unwrap().iter().filter_map(|i| i["id"].as_str()).collect();
    ids.sort_unstable();
    let mut want = vec![stopped.as_str(), running.as_str(), paused.as_str()];
    want.sort_unstable();
    assert_eq!(ids, want, "{listed}");

    // Running, paused and stopped alike are destroyed when theirs ends, not before.
    assert_eq!(s.state(&running).await.as_deref(), Some("started"), "destroyed before its TTL ended");
    for id in [&running, &paused, &stopped] {
        assert!(wait_state(&s, id, None, Duration::from_secs(8)).await, "{id} outlived its TTL");
        assert!(!host_home(&s.data_dir(), id).exists(), "files of {id} remain after its TTL");
    }
    assert!(chrono::Utc::now().timestamp_millis() >= before + 2000, "destroyed before the TTL ended");
    assert_eq!(host_processes(&paused), 0, "something of the paused sandbox outlived its TTL");
    // The cleared one stays.
    assert_eq!(s.state(&kept).await.as_deref(), Some("started"));

    // A TTL is a non-negative whole number of minutes, at most 100 years.
    for bad in ["-1", "1.5", "lots", "52560001"] {
        let (status, body) = s.post_empty(&format!("/sandbox/{kept}/ttl/{bad}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "ttl {bad}: {body}");
    }
    for bad in [json!(-1), json!(52_560_001)] {
        let (status, body) = s.post("/sandbox", json!({"ttlMinutes": bad})).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "ttlMinutes {bad}: {body}");
    }
}
