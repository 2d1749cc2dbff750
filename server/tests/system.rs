//! The toolbox's ports, environment and metrics: `GET /port`, `/port/{port}/in-use`,
//! `POST /env` and `GET /system/metrics`.

mod common;

use std::time::Duration;

use common::*;

/// Starts `command` in a new session of sandbox `id`, in the background.
async fn background(s: &Server, id: &str, session: &str, command: &str) {
    let (status, _) = s.post_toolbox(id, "/process/session", json!({"sessionId": session})).await;
    assert!(status.is_success());
    let (status, body) = s
        .post_toolbox(id, &format!("/process/session/{session}/exec"), json!({"command": command, "runAsync": true}))
        .await;
    assert!(status.is_success(), "{body}");
}

#[tokio::test]
async fn ports_list_what_listens_in_the_sandbox() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (_, before) = s.get_toolbox(&id, "/port").await;
    assert!(!before["ports"].as_array().unwrap().contains(&json!(8123)), "{before}");
    background(&s, &id, "web", "python3 -m http.server 8123 --bind 127.0.0.1").await;
    let up = eventually(Duration::from_secs(10), || async {
        s.get_toolbox(&id, "/port/8123/in-use").await.1 == json!({"isInUse": true})
    })
    .await;
    assert!(up, "port 8123 never showed as in use");
    let (status, list) = s.get_toolbox(&id, "/port").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list["ports"].as_array().unwrap().contains(&json!(8123)), "{list}");
    assert_eq!(s.get_toolbox(&id, "/port/8124/in-use").await.1, json!({"isInUse": false}));
    // The host's own listeners (this server's port) are not the sandbox's.
    assert!(!list["ports"].as_array().unwrap().contains(&json!(s.port)), "{list}");
    for bad in ["0", "70000", "http"] {
        let (status, body) = s.get_toolbox(&id, &format!("/port/{bad}/in-use")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

#[tokio::test]
async fn env_changes_reach_what_starts_afterwards_and_a_requests_own_env_wins() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({"env": {"FROM_CREATE": "c"}})).await);
    let (status, env) = s
        .post_toolbox(&id, "/env", json!({"set": {"GREETING": "hello", "TOKEN_A": "secret-1", "TOKEN_B": "secret-2"}}))
        .await;
    assert_eq!(status, StatusCode::OK, "{env}");
    assert_eq!((env["GREETING"].as_str(), env["FROM_CREATE"].as_str()), (Some("hello"), Some("c")), "{env}");
    assert_eq!(s.exec(&id, "echo $GREETING $FROM_CREATE").await, (0, "hello c\n".into()));
    // A request's own variables win over the changed environment.
    let (_, own) = s.exec_req(&id, json!({"command": "echo $GREETING", "envs": {"GREETING": "own"}})).await;
    assert_eq!(own["result"], "own\n");
    // Sessions started from now on inherit it.
    background(&s, &id, "later", "true").await;
    let (_, out) = s.post_toolbox(&id, "/process/session/later/exec", json!({"command": "echo $GREETING"})).await;
    assert!(out["output"].as_str().unwrap_or_default().contains("hello"), "{out}");

    // unset, and unsetValuePrefix (except what `set` names).
    let (status, env) = s
        .post_toolbox(
            &id,
            "/env",
            json!({"unset": ["GREETING"], "unsetValuePrefix": "secret-", "set": {"TOKEN_B": "kept"}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(env.get("GREETING").is_none() && env.get("TOKEN_A").is_none(), "{env}");
    assert_eq!(env["TOKEN_B"], "kept");
    assert_eq!(s.exec(&id, "echo \"[$GREETING][$TOKEN_A][$TOKEN_B]\"").await.1, "[][][kept]\n");

    for bad in [json!({"set": {"BAD NAME": "x"}}), json!({"unset": ["1X"]}), json!({"set": "no"})] {
        let (status, body) = s.post_toolbox(&id, "/env", bad.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
    }
}

#[tokio::test]
async fn metrics_show_the_sandboxs_own_cpu_memory_and_disk_and_are_not_activity() {
    let s = Server::start_with(Options { minute_seconds: Some(0.4), ..Options::default() }).await;
    let (_, config) = s.get("/config").await;
    let limits = config["localIsolation"]["resourceLimits"].is_null();
    let disks = config["localIsolation"]["diskLimits"].is_null();
    let id = id_of(&s.create(json!({"autoStopInterval": 0})).await);
    let metrics = || async {
        let (status, m) = s.get_toolbox(&id, "/system/metrics").await;
        assert_eq!(status, StatusCode::OK, "{m}");
        m
    };
    let m = metrics().await;
    assert_eq!(m["cpuCount"], 1);
    assert_eq!(m["memTotal"], 1u64 << 30);
    assert!(m["timestamp"].is_string() && m["timestampUnix"].as_i64().unwrap() > 1_700_000_000, "{m}");
    let (total, used, free) =
        (m["diskTotal"].as_u64().unwrap(), m["diskUsed"].as_u64().unwrap(), m["diskFree"].as_u64().unwrap());
    assert!(total > 0 && used + free <= total, "{m}");
    if disks {
        assert!(total <= 3u64 << 30 && total > 2u64 << 30, "the sandbox's own 3 GiB disk: {m}");
    }

    // Metrics are no activity: lastActivityAt stays while they are read.
    let activity = || async { s.get(&format!("/sandbox/{id}")).await.1["lastActivityAt"].clone() };
    let before = activity().await;
    for _ in 0..4 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        metrics().await;
    }
    assert_eq!(activity().await, before, "reading metrics counted as activity");

    // Writing 64 MB shows on the disk.
    s.exec(&id, "head -c 64M /dev/urandom > big.bin && sync").await;
    let after = metrics().await["diskUsed"].as_u64().unwrap();
    assert!(after >= used + (48 << 20), "disk used {used} → {after}");
    if !limits {
        eprintln!("no cgroups for sandboxes here: CPU and memory use are not measured");
        return;
    }
    // A busy loop shows as CPU use; 256 MiB held, as memory.
    background(&s, &id, "busy", "timeout 6 sh -c 'while :; do :; done'").await;
    background(
        &s,
        &id,
        "mem",
        "python3 -c 'import time; b = bytearray(256 << 20); b[::4096] = b\"x\" * len(b[::4096]); time.sleep(6)'",
    )
    .await;
    let busy = eventually(Duration::from_secs(5), || async {
        let m = metrics().await;
        m["cpuUsedPct"].as_f64().unwrap() > 50.0 && m["memUsed"].as_u64().unwrap() > 200 << 20
    })
    .await;
    assert!(busy, "busy loop and 256 MiB not seen: {}", metrics().await);
}
