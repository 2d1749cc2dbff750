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

#[tokio::test]
async fn metrics_history_is_sampled_while_started_and_served_as_telemetry_series() {
    let s = Server::start_with(Options { args: vec!["--metrics-interval".into(), "0.3".into()], ..Options::default() })
        .await;
    let created = s.create(json!({"autoStopInterval": 0})).await;
    let id = id_of(&created).to_owned();
    let since = created["createdAt"].as_str().unwrap().to_owned();
    let names = daytona_models::SANDBOX_METRIC_NAMES;
    let series = |from: String, names: &[&str]| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("from", &from).append_pair("to", &now_iso());
        for name in names {
            query.append_pair("metricNames", name);
        }
        let path = format!("/sandbox/{id}/telemetry/metrics?{}", query.finish());
        let s = &s;
        async move {
            let (status, body) = s.get(&path).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            serde_json::from_value::<daytona_models::MetricsResponse>(body).unwrap()
        }
    };
    let sampled =
        eventually(Duration::from_secs(10), || async { series(since.clone(), &names).await.samples().len() >= 3 })
            .await;
    assert!(sampled, "no samples within 10 s: {:?}", series(since.clone(), &names).await);
    let before = series(since.clone(), &names).await;
    assert_eq!(before.series.len(), 7, "every metric asked for has a series");
    let first = before.samples();
    assert!(first.windows(2).all(|w| w[0].timestamp < w[1].timestamp), "oldest first, one sample per time");
    assert!(first.iter().all(|m| m.cpu_count == 1.0 && m.mem_total == f64::from(1u32 << 30) && m.disk_total > 0.0));

    // 64 MB written shows in the samples taken afterwards, and only there.
    let written = now_iso();
    s.exec(&id, "head -c 64M /dev/urandom > big.bin && sync").await;
    let grew = eventually(Duration::from_secs(10), || async {
        series(written.clone(), &["daytona.sandbox.filesystem.usage"])
            .await
            .samples()
            .last()
            .is_some_and(|m| m.disk_used >= first[0].disk_used + f64::from(48u32 << 20))
    })
    .await;
    assert!(grew, "64 MB not seen in the history");
    let only_disk = series(written.clone(), &["daytona.sandbox.filesystem.usage", "not.a.metric"]).await;
    assert_eq!(only_disk.series.len(), 1, "one series per known metric asked for: {only_disk:?}");
    assert!(only_disk.series[0].data_points.len() < series(since.clone(), &names).await.series[0].data_points.len());

    // A stopped sandbox is not sampled.
    let (status, _) = s.post(&format!("/sandbox/{id}/stop"), json!({})).await;
    assert!(status.is_success());
    let count = |r: daytona_models::MetricsResponse| r.samples().len();
    let stopped = count(series(since.clone(), &names).await);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert!(count(series(since.clone(), &names).await) <= stopped + 1, "sampled while stopped");

    // Bad queries are refused clearly; logs and traces are not collected.
    for query in [
        "from=2026-01-01T00:00:00Z",
        "from=yesterday&to=2026-01-01T00:00:00Z",
        "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
        "from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z&x=1",
    ] {
        let (status, body) = s.get(&format!("/sandbox/{id}/telemetry/metrics?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
    }
    let (status, body) = s.get(&format!("/sandbox/{id}/telemetry/logs?from=2026-01-01T00:00:00Z")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _) =
        s.get("/sandbox/no-such-sandbox/telemetry/metrics?from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

fn now_iso() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
