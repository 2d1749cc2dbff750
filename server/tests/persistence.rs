//! Records survive a crash (kill -9) of the server; started sandboxes come back.

mod common;

use std::time::Duration;

use common::*;

/// Host processes whose command line mentions `needle`.
fn host_processes_with(needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        if !entry.file_name().to_string_lossy().chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if let Ok(raw) = std::fs::read(entry.path().join("cmdline")) {
            let cmd = String::from_utf8_lossy(&raw).replace('\0', " ");
            if cmd.contains(needle) {
                found.push(cmd);
            }
        }
    }
    found
}

#[tokio::test]
async fn sandboxes_survive_kill_9_and_restart() {
    let mut s = Server::start().await;
    let started = s
        .create(json!({"name": unique("keep-started"), "labels": {"p": "1"}, "env": {"WHO": "started-one"}, "autoStopInterval": 30}))
        .await;
    let stopped = s.create(json!({"name": unique("keep-stopped"), "labels": {"p": "2"}})).await;
    let archived = s.create(json!({})).await;
    let (a, b, c) = (id_of(&started), id_of(&stopped), id_of(&archived));
    assert_eq!(s.exec(&a, "echo alpha > file.txt && mkdir -p d/e && echo deep > d/e/f").await.0, 0);
    assert_eq!(s.exec(&b, "echo beta > file.txt").await.0, 0);
    assert_eq!(s.post_empty(&format!("/sandbox/{b}/stop")).await.0, StatusCode::OK);
    assert_eq!(s.post_empty(&format!("/sandbox/{c}/stop")).await.0, StatusCode::OK);
    assert_eq!(s.post_empty(&format!("/sandbox/{c}/archive")).await.0, StatusCode::OK);
    let token = s.sandbox_token(&a).await;
    // A process that must live through the crash.
    assert_eq!(s.exec(&a, "nohup sleep 1234567 >/dev/null 2>&1 &").await.0, 0);

    s.kill9();
    // The jail outlives the crash and is taken over by the next server process.
    // bwrap (and its pid 1) carry the sandbox id in their command line.
    let jail_of_a = format!("DAYTONA_SANDBOX_ID {a}");
    assert_eq!(host_processes_with(&jail_of_a).len(), 2, "the jail of {a} keeps running");
    s.restart().await;
    assert_eq!(s.state(&a).await.as_deref(), Some("started"), "adopted at once, never `starting`");
    assert_eq!(s.exec(&a, "pgrep -c -f 'sleep 1234567'").await, (0, "1\n".into()), "processes survive");

    // Both (all three) are listed with their data.
    let (status, list) = s.get("/sandbox").await;
    assert_eq!(status, StatusCode::OK);
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{list}");
    let (_, got) = s.get(&format!("/sandbox/{a}")).await;
    assert_eq!(got["name"], started["name"]);
    assert_eq!(got["labels"], json!({"p": "1"}));
    assert_eq!(got["env"], json!({"WHO": "started-one"}));
    assert_eq!(got["autoStopInterval"], 30);
    assert_eq!(got["createdAt"], started["createdAt"]);
    assert_eq!(s.sandbox_token(&a).await, token);

    // The started one runs again: its files are readable through the toolbox. Until its
    // jail is back it must not claim to be `started` (clients would call a dead toolbox).
    let back = eventually(Duration::from_secs(15), || async {
        let state = s.state(&a).await;
        let (status, body) = s.exec_req(&a, json!({"command": "true"})).await;
        if state.as_deref() == Some("started") {
            assert_eq!(status, StatusCode::OK, "state says started but the toolbox fails: {body}");
        } else {
            assert_eq!(state.as_deref(), Some("starting"), "unexpected state while coming back");
        }
        status == StatusCode::OK
    })
    .await;
    assert!(back, "started sandbox did not come back:\n{}", s.log());
    assert_eq!(s.state(&a).await.as_deref(), Some("started"));
    assert_eq!(s.exec(&a, "cat file.txt d/e/f; echo $WHO").await, (0, "alpha\ndeep\nstarted-one\n".into()));
    assert_eq!(host_processes_with(&jail_of_a).len(), 2, "exactly one jail (bwrap + its pid 1) for {a}");

    // The stopped one stays stopped (and the archived one archived) with the toolbox refused.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(s.state(&b).await.as_deref(), Some("stopped"));
    assert_eq!(s.state(&c).await.as_deref(), Some("archived"));
    let (status, _) = s.exec_req(&b, json!({"command": "true"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(host_processes_with(&format!("DAYTONA_SANDBOX_ID {b}")).is_empty(), "stopped sandbox has a jail");

    // It starts on request, with its file.
    let (status, body) = s.post_empty(&format!("/sandbox/{b}/start")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(s.exec(&b, "cat file.txt").await, (0, "beta\n".into()));

    // A second crash right after changes is also survived.
    let (status, _) = s.put(&format!("/sandbox/{a}/labels"), json!({"labels": {"after": "crash"}})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(s.delete(&format!("/sandbox/{c}")).await.0, StatusCode::OK);
    assert!(eventually(Duration::from_secs(10), || async { s.state(&c).await.is_none() }).await);
    s.restart().await;
    let (_, got) = s.get(&format!("/sandbox/{a}")).await;
    assert_eq!(got["labels"], json!({"after": "crash"}));
    assert_eq!(s.state(&c).await, None, "a deleted sandbox stays deleted");
    let (_, list) = s.get("/sandbox").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 2, "{list}");
    let both_back = eventually(Duration::from_secs(15), || async {
        s.exec_req(&b, json!({"command": "true"})).await.0 == StatusCode::OK
            && s.exec_req(&a, json!({"command": "true"})).await.0 == StatusCode::OK
    })
    .await;
    assert!(both_back, "both started sandboxes should run after the second restart");
}

#[tokio::test]
async fn after_restart_started_means_the_toolbox_answers() {
    let mut s = Server::start().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let id = id_of(&s.create(json!({})).await);
        assert_eq!(s.exec(&id, &format!("echo {i} > n")).await.0, 0);
        ids.push(id);
    }
    // A clean shutdown stops the jails; they are started again with the server.
    s.stop();
    s.restart().await;
    // Right after the restart the jails are still coming back (one after another): a
    // sandbox may be `starting`, but one that says `started` must have a working toolbox.
    let mut seen_starting = 0;
    for id in ids.iter().rev() {
        let state = s.state(id).await;
        let (status, body) = s.exec_req(id, json!({"command": "cat n"})).await;
        match state.as_deref() {
            Some("started") => assert_eq!(status, StatusCode::OK, "{id} says started but: {body}"),
            Some("starting") => seen_starting += 1,
            other => panic!("unexpected state {other:?} right after restart"),
        }
    }
    println!("{seen_starting} of {} still starting right after the restart", ids.len());
    for (i, id) in ids.iter().enumerate() {
        let up =
            eventually(Duration::from_secs(15), || async { s.state(id).await.as_deref() == Some("started") }).await;
        assert!(up, "{id} did not come back:\n{}", s.log());
        assert_eq!(s.exec(id, "cat n").await, (0, format!("{i}\n")));
    }
}

#[tokio::test]
async fn a_clean_shutdown_leaves_no_disk_mounted_even_while_the_pool_refills() {
    // A server fills a pool of ready disks in the background from its start (eight here, so
    // the filling takes a while): a shutdown meanwhile must leave none of them mounted (seen
    // in CI: a pool disk formatted during the shutdown stayed mounted after the server went).
    let opts = Options { args: vec!["--disk-pool".into(), "8".into()], ..Default::default() };
    let mut s = Server::start_with(opts).await;
    for round in 0..3 {
        s.stop();
        let left = mounts_under(&s.data_dir());
        assert!(left.is_empty(), "round {round}: still mounted after a clean shutdown: {left:?}\n{}", s.log());
        s.restart().await;
    }
    let sb = s.create(json!({}));
    assert_eq!(sb.await["state"], "started");
}

#[tokio::test]
async fn a_paused_sandbox_stays_paused_through_a_crash_and_a_shutdown_stops_it() {
    let mut s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    assert_eq!(s.exec(&id, "echo kept > file.txt && (nohup sleep 7654321 >/dev/null 2>&1 &)").await.0, 0);
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/pause")).await;
    assert_eq!((status, body["state"].as_str()), (StatusCode::OK, Some("paused")), "{body}");

    // The server crashes: the frozen jail lives on, is taken over, and stays paused.
    s.kill9();
    s.restart().await;
    assert_eq!(s.state(&id).await.as_deref(), Some("paused"), "{}", s.log());
    let (status, body) = s.exec_req(&id, json!({"command": "true"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "the toolbox of a paused sandbox answered: {body}");
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!((status, body["state"].as_str()), (StatusCode::OK, Some("started")), "{body}");
    assert_eq!(s.exec(&id, "pgrep -c -f 'sleep 7654321'").await, (0, "1\n".into()), "its processes survived");

    // A clean shutdown ends every jail: what a paused sandbox held in memory is gone, so it
    // comes back stopped, its files kept.
    assert_eq!(s.post_empty(&format!("/sandbox/{id}/pause")).await.0, StatusCode::OK);
    s.stop();
    s.restart().await;
    assert!(
        eventually(Duration::from_secs(10), || async { s.state(&id).await.as_deref() == Some("stopped") }).await,
        "state after the shutdown: {:?}",
        s.state(&id).await
    );
    let (status, body) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!((status, body["state"].as_str()), (StatusCode::OK, Some("started")), "{body}");
    assert_eq!(s.exec(&id, "cat file.txt; pgrep -c -f 'sleep 7654321'").await, (1, "kept\n0\n".into()));
}
