//! The SSH gateway with OpenSSH's own clients: logins on a terminal, commands and their exit
//! codes, stdin and stderr, `scp` both ways (SFTP and the legacy protocol), `ssh -L` into the
//! sandbox, and tokens that are expired, revoked or of another sandbox.

mod common;

use std::process::{Command, Stdio};
use std::time::Duration;

use common::ssh::*;
use common::*;

#[tokio::test]
async fn commands_run_in_the_sandbox_with_their_exit_codes_stdin_and_stderr() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let dir = tempfile::tempdir().expect("temp dir");
    let l = login(&s, &id, dir.path()).await;

    let out = l.exec("echo out; echo err >&2; id -un; pwd; exit 3");
    assert_eq!(out.status.code(), Some(3), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let (_, whoami) = s.exec(&id, "id -un").await;
    let (_, home) = s.exec(&id, "echo $HOME").await;
    assert_eq!(stdout, format!("out\n{}\n{}\n", whoami.trim(), home.trim()), "runs as the sandbox user in its home");
    assert_eq!(text(&out.stderr), "err\n", "stderr stays apart");

    // Input reaches the command, and its end ends `cat`.
    let payload: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    let out = l.ssh(&[&format!("{}@127.0.0.1", l.token), "cat > in.bin && sha256sum in.bin"], &payload);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (_, sum) = s.exec(&id, "sha256sum in.bin").await;
    assert_eq!(text(&out.stdout), sum, "the bytes arrived intact");
    use sha2::Digest;
    let expected: String = sha2::Sha256::digest(&payload).iter().map(|b| format!("{b:02x}")).collect();
    assert!(sum.starts_with(&expected), "{sum} vs {expected}");

    // A file the command writes is the sandbox's: the toolbox sees it.
    let out = l.exec("echo written-over-ssh > marker.txt");
    assert!(out.status.success());
    let (_, marker) = s.exec(&id, "cat marker.txt").await;
    assert_eq!(marker.trim(), "written-over-ssh");

    // A signal's end is reported as a shell reports it.
    let out = l.exec("kill -TERM $$");
    assert_eq!(out.status.code(), Some(128 + libc::SIGTERM), "{}", text(&out.stderr));
}

#[tokio::test]
async fn a_login_gets_a_terminal_with_the_clients_term() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let dir = tempfile::tempdir().expect("temp dir");
    let l = login(&s, &id, dir.path()).await;
    // `-tt`: a terminal although our stdin is a pipe; the login shell reads the lines typed.
    let typed = b"tty; echo TERM=$TERM; echo $((6*7)); shopt -q login_shell && echo LOGIN-SHELL; exit 7\n";
    let out = l.ssh(&["-tt", &format!("{}@127.0.0.1", l.token)], typed);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(7), "stdout: {stdout}\nstderr: {}", text(&out.stderr));
    // An interactive login shell: it prompts before it reads, as the user's own shell would.
    assert!(stdout.contains("LOGIN-SHELL"), "a login shell: {stdout}");
    let prompt = stdout.find("$ ").unwrap_or(usize::MAX);
    assert!(prompt < stdout.find("/dev/pts/").unwrap_or(0), "a prompt before the first output: {stdout:?}");
    assert!(stdout.contains("/dev/pts/"), "a terminal: {stdout}");
    assert!(stdout.contains("TERM=xterm-256color"), "{stdout}");
    assert!(stdout.contains("42"), "{stdout}");
    // Under a real terminal (`script`): its size, and a change of it, reach the sandbox's.
    let ssh = format!(
        "ssh {} -p {} -tt {}@127.0.0.1 'stty size; sleep 2; stty size'",
        l.options().iter().map(|o| format!("'{o}'")).collect::<Vec<_>>().join(" "),
        l.port,
        l.token
    );
    let script = format!(
        "stty cols 123 rows 45; {ssh} < /dev/tty & p=$!; sleep 1; stty cols 77 rows 22; kill -WINCH $p; wait $p"
    );
    let mut cmd = Command::new("script");
    cmd.args(["-qec", &script, "/dev/null"]);
    let out = run(cmd, b"");
    let stdout = text(&out.stdout);
    assert!(stdout.contains("45 123") && stdout.contains("22 77"), "sizes: {stdout:?} {}", text(&out.stderr));
    // A command with `-t` gets one too.
    let out = l.ssh(&["-tt", &format!("{}@127.0.0.1", l.token), "test -t 0 && echo on-a-tty"], b"");
    assert!(text(&out.stdout).contains("on-a-tty"), "{}", text(&out.stdout));
    // Without, none.
    let out = l.exec("test -t 0 || echo no-tty");
    assert_eq!(text(&out.stdout), "no-tty\n");
}

#[tokio::test]
async fn scp_copies_both_ways_with_sftp_and_the_legacy_protocol() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let dir = tempfile::tempdir().expect("temp dir");
    let l = login(&s, &id, dir.path()).await;
    let local = dir.path().join("up.bin");
    let data: Vec<u8> = (0..24_000_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    std::fs::write(&local, &data).expect("local file");
    for (mode, extra) in [("sftp", None), ("legacy", Some("-O"))] {
        let up = format!("up-{mode}.bin");
        let mut args: Vec<&str> = extra.into_iter().collect();
        let (src, dst) = (local.display().to_string(), l.remote(&up));
        args.extend([src.as_str(), dst.as_str()]);
        let out = l.scp(&args);
        assert!(out.status.success(), "{mode} upload: {}", text(&out.stderr));
        let (_, size) = s.exec(&id, &format!("stat -c %s {up}")).await;
        assert_eq!(size.trim(), data.len().to_string(), "{mode} upload");

        let down = dir.path().join(format!("down-{mode}.bin"));
        let mut args: Vec<&str> = extra.into_iter().collect();
        let (src, dst) = (l.remote(&up), down.display().to_string());
        args.extend([src.as_str(), dst.as_str()]);
        let out = l.scp(&args);
        assert!(out.status.success(), "{mode} download: {}", text(&out.stderr));
        assert!(std::fs::read(&down).expect("downloaded") == data, "{mode}: the copy back is the same file");
    }
    // OpenSSH's sftp client itself: a folder made, a file put into it, listed, renamed, fetched
    // back and removed, in the sandbox's home.
    let back = dir.path().join("sftp-back.bin");
    let batch = format!(
        "mkdir box\nput {} box/in.bin\nls -l box\nrename box/in.bin box/renamed.bin\nget box/renamed.bin {}\nrm box/renamed.bin\nrmdir box\n",
        local.display(),
        back.display()
    );
    let out = l.sftp(&batch);
    let listed = text(&out.stdout);
    assert!(out.status.success(), "sftp: {listed}\n{}", text(&out.stderr));
    assert!(listed.contains(&data.len().to_string()) && listed.contains("in.bin"), "ls -l: {listed}");
    assert!(std::fs::read(&back).expect("fetched with sftp") == data, "sftp: the copy back is the same file");
    let (_, left) = s.exec(&id, "test -e box && echo left || echo gone").await;
    assert_eq!(left.trim(), "gone", "rm and rmdir reached the sandbox");
}

#[tokio::test]
async fn local_forwarding_reaches_a_server_on_the_sandboxs_localhost() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let dir = tempfile::tempdir().expect("temp dir");
    let l = login(&s, &id, dir.path()).await;
    let (status, _) = s.post_toolbox(&id, "/process/session", json!({"sessionId": "web"})).await;
    assert!(status.is_success());
    s.exec(&id, "mkdir -p site && echo served-from-the-sandbox > site/index.html").await;
    let (status, body) = s
        .post_toolbox(
            &id,
            "/process/session/web/exec",
            json!({"command": "python3 -m http.server 8000 --bind 127.0.0.1 --directory site", "runAsync": true}),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let probe = "python3 -c \"import socket; socket.create_connection(('127.0.0.1', 8000), 1)\"";
    assert!(eventually(Duration::from_secs(10), || async { s.exec(&id, probe).await.0 == 0 }).await);

    let local_port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut cmd = Command::new("ssh");
    cmd.args(l.options())
        .args(["-p", &l.port.to_string(), "-N", "-L", &format!("{local_port}:localhost:8000")])
        .arg(format!("{}@127.0.0.1", l.token))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut forward = cmd.spawn().expect("ssh -L");
    let http = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{local_port}/index.html");
    let mut body = String::new();
    for _ in 0..100 {
        if let Ok(r) = http.get(&url).send().await {
            body = r.text().await.unwrap_or_default();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A port where nothing listens: the connection is refused, the forwarding stays up.
    let mut cmd = Command::new("ssh");
    cmd.args(l.options())
        .args(["-p", &l.port.to_string(), "-W", "localhost:8999"])
        .arg(format!("{}@127.0.0.1", l.token));
    let closed = run(cmd, b"");
    let _ = forward.kill();
    let _ = forward.wait();
    assert_eq!(body, "served-from-the-sandbox\n");
    assert!(!closed.status.success());
    assert!(text(&closed.stderr).contains("nothing listens on port 8999"), "{}", text(&closed.stderr));
    // Another host than the sandbox's own is refused.
    let mut cmd = Command::new("ssh");
    cmd.args(l.options())
        .args(["-p", &l.port.to_string(), "-W", "example.com:80"])
        .arg(format!("{}@127.0.0.1", l.token));
    let elsewhere = run(cmd, b"");
    assert!(text(&elsewhere.stderr).contains("only the sandbox's own localhost"), "{}", text(&elsewhere.stderr));
}

#[tokio::test]
async fn tokens_open_their_own_sandbox_only_until_expired_or_revoked() {
    // One "minute" is a second here: a token of one minute expires within the test.
    let s = Server::start_with(Options { minute_seconds: Some(1.0), ..Options::default() }).await;
    let a = id_of(&s.create(json!({"autoStopInterval": 0})).await);
    let b = id_of(&s.create(json!({"autoStopInterval": 0})).await);
    s.exec(&a, "echo I-am-a > who").await;
    s.exec(&b, "echo I-am-b > who").await;
    let dir = tempfile::tempdir().expect("temp dir");
    let (port, known_hosts) = gateway(&s, dir.path()).await;
    let with = |token: &str| Login { port, token: token.to_owned(), known_hosts: known_hosts.clone() };

    let token_a = access(&s, &a, 60).await["token"].as_str().unwrap().to_owned();
    let token_b = access(&s, &b, 60).await["token"].as_str().unwrap().to_owned();
    assert_eq!(text(&with(&token_a).exec("cat who").stdout), "I-am-a\n");
    assert_eq!(text(&with(&token_b).exec("cat who").stdout), "I-am-b\n");

    // validate answers for the token's own sandbox.
    let (status, v) = s.get(&format!("/sandbox/ssh-access/validate?token={token_a}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v, json!({"valid": true, "sandboxId": a}));
    let (_, v) = s.get("/sandbox/ssh-access/validate?token=not-a-token").await;
    assert_eq!(v["valid"], false);

    // A made-up token, and a revoked one, are refused at login.
    let out = with("wrongtoken0123456789").exec("true");
    assert_eq!(out.status.code(), Some(255));
    assert!(text(&out.stderr).contains("Permission denied"), "{}", text(&out.stderr));
    let (status, body) = s.delete(&format!("/sandbox/{a}/ssh-access?token={token_a}")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["id"], a);
    let out = with(&token_a).exec("true");
    assert_eq!(out.status.code(), Some(255), "revoked");
    let (_, v) = s.get(&format!("/sandbox/ssh-access/validate?token={token_a}")).await;
    assert_eq!(v["valid"], false);
    assert_eq!(text(&with(&token_b).exec("cat who").stdout), "I-am-b\n", "b's token still works");

    // Revoking every token of b (no `token`).
    let (status, _) = s.delete(&format!("/sandbox/{b}/ssh-access")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(with(&token_b).exec("true").status.code(), Some(255));

    // Expiry: one "minute".
    let short = access(&s, &a, 1).await["token"].as_str().unwrap().to_owned();
    assert!(with(&short).exec("true").status.success());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(with(&short).exec("true").status.code(), Some(255), "expired");

    // Bad requests.
    let path = format!("/api/sandbox/{a}/ssh-access");
    for q in ["expiresInMinutes=0", "expiresInMinutes=abc", "expiresInMinutes=99999999"] {
        let (status, body) = s.post_empty(&format!("/sandbox/{a}/ssh-access?{q}")).await;
        assert_envelope(status, &body, StatusCode::BAD_REQUEST, &path);
    }
    let (status, body) = s.delete(&format!("/sandbox/{a}/ssh-access?token=unknown")).await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, &path);
}

#[tokio::test]
async fn a_stopped_sandbox_is_refused_with_a_clear_message_and_the_host_key_survives_restarts() {
    let mut s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let dir = tempfile::tempdir().expect("temp dir");
    let l = login(&s, &id, dir.path()).await;
    assert!(l.exec("true").status.success());
    let (status, _) = s.post_empty(&format!("/sandbox/{id}/stop")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(eventually(Duration::from_secs(30), || async { s.state(&id).await.as_deref() == Some("stopped") }).await);
    let out = l.exec("true");
    assert_eq!(out.status.code(), Some(255));
    assert!(text(&out.stderr).contains("is not started (state: stopped)"), "{}", text(&out.stderr));

    // After a restart: the same host key and the token still works.
    let (_, before) = s.get("/config").await;
    s.restart().await;
    let (_, after) = s.get("/config").await;
    assert_eq!(before["sshGatewayHostKeys"], after["sshGatewayHostKeys"], "the host key is kept");
    let again = dir.path().join("again");
    std::fs::create_dir(&again).expect("dir");
    let (port, known_hosts) = gateway(&s, &again).await;
    let l = Login { port, known_hosts, ..l };
    let (status, _) = s.post_empty(&format!("/sandbox/{id}/start")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(eventually(Duration::from_secs(30), || async { s.state(&id).await.as_deref() == Some("started") }).await);
    let out = l.exec("echo back");
    assert_eq!(text(&out.stdout), "back\n", "{}", text(&out.stderr));
}
