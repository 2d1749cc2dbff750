//! Authentication: the API key on /api and /toolbox, sandbox tokens on /toolbox only.

mod common;

use common::*;

fn assert_401(status: StatusCode, body: &Value, path: &str) {
    assert_envelope(status, body, StatusCode::UNAUTHORIZED, path);
}

#[tokio::test]
async fn api_requires_the_key() {
    let s = Server::start().await;
    let sb = s.create(json!({})).await;
    let id = id_of(&sb);
    let h = &s.http;

    for path in ["/api/sandbox", &format!("/api/sandbox/{id}"), "/api/config", "/api/organizations/local/usage"] {
        let url = format!("{}{path}", s.origin());
        let (status, body) = send(h.get(&url)).await;
        assert_401(status, &body, path);
        let (status, body) = send(h.get(&url).bearer_auth("wrong-key")).await;
        assert_401(status, &body, path);
        let (status, body) = send(h.get(&url).header("Authorization", KEY)).await;
        assert_401(status, &body, path); // not "Bearer …"
    }
    // Mutations are refused without the key and change nothing.
    let path = format!("/api/sandbox/{id}/stop");
    let (status, body) = send(h.post(format!("{}{path}", s.origin())).bearer_auth("nope")).await;
    assert_401(status, &body, &path);
    let (status, body) = send(h.delete(format!("{}/api/sandbox/{id}", s.origin()))).await;
    assert_401(status, &body, &format!("/api/sandbox/{id}"));
    let (status, body) = send(h.post(format!("{}/api/sandbox", s.origin())).json(&json!({}))).await;
    assert_401(status, &body, "/api/sandbox");
    assert_eq!(s.state(&id).await.as_deref(), Some("started"));
    let (_, list) = s.get("/sandbox").await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1, "no sandbox created without the key");

    // A sandbox token is no API key.
    let token = s.sandbox_token(&id).await;
    let (status, body) = send(h.get(s.api("/sandbox")).bearer_auth(&token)).await;
    assert_401(status, &body, "/api/sandbox");
    let (status, _) = send(h.get(s.api("/sandbox")).header("X-Daytona-Preview-Token", &token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(h.get(format!("{}?DAYTONA_SANDBOX_AUTH_KEY={token}", s.api("/sandbox")))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The right key works.
    let (status, _) = send(h.get(s.api("/sandbox")).bearer_auth(KEY)).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn toolbox_accepts_key_or_own_sandbox_token_only() {
    let s = Server::start().await;
    let a = id_of(&s.create(json!({})).await);
    let b = id_of(&s.create(json!({})).await);
    let token_a = s.sandbox_token(&a).await;
    let token_b = s.sandbox_token(&b).await;
    assert_ne!(token_a, token_b);
    assert!(token_a.len() >= 16, "token too short: {token_a:?}");
    let h = &s.http;
    let path_a = format!("/toolbox/{a}/user-home-dir");
    let url_a = s.toolbox(&a, "/user-home-dir");

    // No credentials / wrong key → 401 envelope.
    let (status, body) = send(h.get(&url_a)).await;
    assert_401(status, &body, &path_a);
    let (status, body) = send(h.get(&url_a).bearer_auth("wrong")).await;
    assert_401(status, &body, &path_a);
    let (status, body) = send(h.get(&url_a).header("X-Daytona-Preview-Token", "wrong")).await;
    assert_401(status, &body, &path_a);
    let (status, body) =
        send(h.post(s.toolbox(&a, "/process/execute")).json(&json!({"command": "touch /home/daytona/pwned"}))).await;
    assert_401(status, &body, &format!("/toolbox/{a}/process/execute"));

    // The key works.
    let (status, body) = send(h.get(&url_a).bearer_auth(KEY)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dir"], "/home/daytona");

    // A's token, as header and as query parameter.
    let (status, body) = send(h.get(&url_a).header("X-Daytona-Preview-Token", &token_a)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["dir"], "/home/daytona");
    let (status, body) = send(h.get(format!("{url_a}?DAYTONA_SANDBOX_AUTH_KEY={token_a}"))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = send(
        h.post(format!("{}?DAYTONA_SANDBOX_AUTH_KEY={token_a}", s.toolbox(&a, "/process/execute")))
            .json(&json!({"command": "echo via-token"})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["result"], "via-token\n");

    // B's token does not open A (header or query), and vice versa.
    let (status, body) = send(h.get(&url_a).header("X-Daytona-Preview-Token", &token_b)).await;
    assert_401(status, &body, &path_a);
    let (status, body) = send(h.get(format!("{url_a}?DAYTONA_SANDBOX_AUTH_KEY={token_b}"))).await;
    assert_401(status, &body, &path_a);
    let (status, body) = send(
        h.post(s.toolbox(&b, "/process/execute"))
            .header("X-Daytona-Preview-Token", &token_a)
            .json(&json!({"command": "touch /home/daytona/pwned"})),
    )
    .await;
    assert_401(status, &body, &format!("/toolbox/{b}/process/execute"));
    let (code, out) = s.exec(&b, "ls -A /home/daytona").await;
    assert_eq!((code, out.contains("pwned")), (0, false), "refused requests must not run: {out}");
    let (_, out) = s.exec(&a, "ls -A /home/daytona").await;
    assert!(!out.contains("pwned"), "refused requests must not run: {out}");

    // Unknown sandbox: 401 without credentials (no existence oracle), 404 with the key.
    let ghost = "00000000-0000-4000-8000-000000000000";
    let (status, body) = send(h.get(s.toolbox(ghost, "/version")).header("X-Daytona-Preview-Token", &token_a)).await;
    assert_401(status, &body, &format!("/toolbox/{ghost}/version"));
    let (status, body) = send(h.get(s.toolbox(ghost, "/version")).bearer_auth(KEY)).await;
    assert_envelope(status, &body, StatusCode::NOT_FOUND, &format!("/toolbox/{ghost}/version"));
}

#[tokio::test]
async fn token_survives_restart_and_dies_with_the_sandbox() {
    let mut s = Server::start().await;
    let a = id_of(&s.create(json!({})).await);
    let token = s.sandbox_token(&a).await;
    s.restart().await;
    assert_eq!(s.sandbox_token(&a).await, token, "the sandbox token is stable across restarts");
    let up =
        eventually(std::time::Duration::from_secs(15), || async { s.state(&a).await.as_deref() == Some("started") })
            .await;
    assert!(up, "sandbox did not come back after the restart");
    let (status, body) = send(s.http.get(s.toolbox(&a, "/version")).header("X-Daytona-Preview-Token", &token)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, _) = s.delete(&format!("/sandbox/{a}")).await;
    assert_eq!(status, StatusCode::OK);
    let gone = eventually(std::time::Duration::from_secs(10), || async { s.state(&a).await.is_none() }).await;
    assert!(gone);
    let (status, _) = send(s.http.get(s.toolbox(&a, "/version")).header("X-Daytona-Preview-Token", &token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn generated_key_is_stored_and_required() {
    let s = Server::start_with(Options { key_in_file: true, ..Options::default() }).await;
    let stored = std::fs::read_to_string(s.data_dir().join("api-key")).expect("api-key file");
    assert_eq!(stored.trim(), s.key);
    assert!(s.key.len() >= 20 && s.key != KEY, "generated key {:?}", s.key);
    let (status, _) = s.get("/sandbox").await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(s.http.get(s.api("/sandbox")).bearer_auth(KEY)).await;
    assert_401(status, &body, "/api/sandbox");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(s.data_dir().join("api-key")).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "api-key must not be readable by others (mode {mode:o})");
    }
}
