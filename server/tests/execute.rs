//! Toolbox `POST /process/execute`: exit codes, combined output, cwd, envs, timeouts.

mod common;

use std::time::{Duration, Instant};

use common::*;

#[tokio::test]
async fn exit_codes_and_combined_output() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    assert_eq!(s.exec(&id, "true").await, (0, String::new()));
    assert_eq!(s.exec(&id, "false").await.0, 1);
    assert_eq!(s.exec(&id, "echo before; exit 3").await, (3, "before\n".into()));
    assert_eq!(s.exec(&id, "exit 255").await.0, 255);
    let (code, out) = s.exec(&id, "no-such-command-xyz").await;
    assert_eq!(code, 127, "{out}");
    assert!(out.contains("no-such-command-xyz"), "the shell's error is in the result: {out}");

    // stdout and stderr land in one result, in order.
    assert_eq!(s.exec(&id, "echo out; echo err >&2; echo out2").await, (0, "out\nerr\nout2\n".into()));
    let (code, out) = s.exec(&id, "ls /definitely/missing").await;
    assert_ne!(code, 0);
    assert!(out.contains("/definitely/missing"), "stderr missing: {out}");

    // Shell syntax, multiple lines, unicode.
    assert_eq!(s.exec(&id, "for i in 1 2 3; do echo -n $i; done | rev; echo").await, (0, "321\n".into()));
    assert_eq!(s.exec(&id, "x=$(echo hi)\nif [ \"$x\" = hi ]; then\n  echo yes\nfi").await, (0, "yes\n".into()));
    assert_eq!(s.exec(&id, "printf 'héllo ✓\\n'").await, (0, "héllo ✓\n".into()));

    // Large output is not truncated.
    let (code, out) = s.exec(&id, "seq 1 100000").await;
    assert_eq!(code, 0);
    assert_eq!(out.len(), (1..=100000).map(|i: u32| i.to_string().len() + 1).sum::<usize>());
    assert!(out.ends_with("99999\n100000\n"));
}

#[tokio::test]
async fn cwd_is_relative_to_home() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    assert_eq!(s.exec(&id, "pwd").await, (0, "/home/daytona\n".into()));
    assert_eq!(s.exec(&id, "mkdir -p sub/dir && echo inner > sub/dir/f").await.0, 0);

    let run = |cwd: &str| {
        let s = &s;
        let id = &id;
        let body = json!({"command": "pwd; cat f 2>/dev/null || true", "cwd": cwd});
        async move {
            let (status, body) = s.exec_req(id, body).await;
            assert_eq!(status, StatusCode::OK, "{body}");
            (body["exitCode"].as_i64().unwrap(), body["result"].as_str().unwrap().to_owned())
        }
    };
    assert_eq!(run("sub/dir").await, (0, "/home/daytona/sub/dir\ninner\n".into()));
    assert_eq!(run("sub").await, (0, "/home/daytona/sub\n".into()));
    assert_eq!(run("/home/daytona/sub/dir").await, (0, "/home/daytona/sub/dir\ninner\n".into()));
    assert_eq!(run("/tmp").await, (0, "/tmp\n".into()));
    assert_eq!(run("").await, (0, "/home/daytona\n".into()));

    // A missing cwd: the command cannot start (exitCode -1, reason in result).
    let (status, body) = s.exec_req(&id, json!({"command": "echo should-not-run", "cwd": "nope/missing"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["exitCode"], -1, "{body}");
    assert!(!body["result"].as_str().unwrap().contains("should-not-run"), "{body}");
}

#[tokio::test]
async fn envs_are_set_for_the_command_only() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({"env": {"BASE": "from-create", "OVER": "create"}})).await);
    let tricky = "a'b\"c $HOME `x` \\n;";
    let (status, body) = s
        .exec_req(
            &id,
            json!({
                "command": "echo \"$FOO|$BAR|$BASE|$OVER\"; printf '%s' \"$TRICKY\"",
                "envs": {"FOO": "1", "BAR": "two words", "OVER": "exec", "TRICKY": tricky}
            }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["exitCode"], 0);
    assert_eq!(body["result"], format!("1|two words|from-create|exec\n{tricky}"));
    // Not sticky: the next command does not see them.
    assert_eq!(s.exec(&id, "echo \"[$FOO][$OVER]\"").await, (0, "[][create]\n".into()));
}

#[tokio::test]
async fn timeout_gives_408_kills_the_command_and_the_server_stays_up() {
    let mut s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let sleeper = "sleep 30.4321";
    let t0 = Instant::now();
    let (status, body) =
        s.exec_req(&id, json!({"command": format!("echo started; {sleeper}; echo never"), "timeout": 1})).await;
    let took = t0.elapsed();
    assert_eq!(status, StatusCode::REQUEST_TIMEOUT, "{body}");
    assert_eq!(body["statusCode"], 408);
    assert_eq!(body["code"], "PROCESS_EXECUTION_TIMEOUT");
    assert_eq!(body["source"], "DAYTONA_DAEMON");
    assert!(body["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(took >= Duration::from_millis(900) && took < Duration::from_secs(5), "timeout took {took:?}");

    // The server and the sandbox keep working; the timed-out command was killed.
    s.assert_alive().await;
    let killed =
        eventually(Duration::from_secs(3), || async { !s.exec(&id, "ps -eo args").await.1.contains(sleeper) }).await;
    assert!(killed, "the timed-out command is still running");
    assert_eq!(s.exec(&id, "echo still-ok").await, (0, "still-ok\n".into()));

    // A command that finishes within its timeout is fine; 0 means no timeout.
    let (status, body) = s.exec_req(&id, json!({"command": "sleep 0.2; echo in-time", "timeout": 5})).await;
    assert_eq!((status, body["result"].as_str()), (StatusCode::OK, Some("in-time\n")), "{body}");
    let (status, body) = s.exec_req(&id, json!({"command": "sleep 1.2; echo no-limit", "timeout": 0})).await;
    assert_eq!((status, body["result"].as_str()), (StatusCode::OK, Some("no-limit\n")), "{body}");
}

#[tokio::test]
async fn background_jobs_and_parallel_commands_do_not_block() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    // A background job holding the output pipe must not hang the call.
    let t0 = Instant::now();
    let (code, out) = s.exec(&id, "sleep 20.777 & echo launched").await;
    assert_eq!((code, out.as_str()), (0, "launched\n"));
    assert!(t0.elapsed() < Duration::from_secs(5), "execute waited for a background job: {:?}", t0.elapsed());
    let (_, ps) = s.exec(&id, "ps -eo args").await;
    assert!(ps.contains("sleep 20.777"), "the background job keeps running: {ps}");

    // Commands on one sandbox run concurrently: each checks in, then waits (20 s at most) until
    // all four have; one after the other, the first would give up (exit 9). No timing involved.
    let c: Vec<String> = (0..4)
        .map(|i| {
            format!(
                "mkdir -p /tmp/par && touch /tmp/par/{i}; for n in $(seq 200); do \
                 [ $(ls /tmp/par | wc -l) -ge 4 ] && echo {i} && exit 0; sleep 0.1; done; exit 9"
            )
        })
        .collect();
    let results = tokio::join!(s.exec(&id, &c[0]), s.exec(&id, &c[1]), s.exec(&id, &c[2]), s.exec(&id, &c[3]));
    let results = [results.0, results.1, results.2, results.3];
    for (i, r) in results.into_iter().enumerate() {
        assert_eq!(r, (0, format!("{i}\n")), "command {i} did not see the others running");
    }
}

#[tokio::test]
async fn the_next_commands_shell_is_started_ahead_used_once_and_replaced_if_killed() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    // Each command has a shell of its own, never one a command before it ran in.
    let (_, first) = s.exec(&id, "echo $$").await;
    let (_, second) = s.exec(&id, "echo $$").await;
    assert_ne!(first, second);

    // After a command in the defaults, the next one's shell is there, waiting; seen from a
    // command with a variable of its own (which starts its own shell and leaves that one).
    let others = || async {
        let (_, out) = s.exec_req(&id, json!({"command": "pgrep -x bash | grep -vx $$", "envs": {"OWN": "1"}})).await;
        out["result"].as_str().unwrap_or_default().to_owned()
    };
    let waiting = std::cell::RefCell::new(String::new());
    assert!(
        eventually(Duration::from_secs(5), || async {
            let seen = others().await;
            *waiting.borrow_mut() = seen.clone();
            seen.lines().count() == 1
        })
        .await,
        "no shell waiting: {:?}",
        waiting.borrow()
    );
    let waiting = waiting.into_inner();
    assert_eq!(s.exec(&id, "echo $$").await, (0, waiting), "the next command ran in the shell started ahead");

    // Killed while it waits: the next command starts its own, and answers.
    assert!(eventually(Duration::from_secs(5), || async { others().await.lines().count() == 1 }).await);
    let (_, killed) = s
        .exec_req(&id, json!({"command": "exec sh -c 'pkill -KILL -x bash; echo killed'", "envs": {"OWN": "1"}}))
        .await;
    assert_eq!(killed["result"], "killed\n", "{killed}");
    assert_eq!(s.exec(&id, "echo after; exit 4").await, (4, "after\n".into()));
}
