//! Bad input gets a 4xx envelope, changes nothing, and the server keeps serving.

mod common;

use common::*;

/// Sends a raw body with a content type to an API path.
async fn raw(s: &Server, method: reqwest::Method, path: &str, ctype: Option<&str>, body: &[u8]) -> (StatusCode, Value) {
    let mut req = s.http.request(method, s.api(path)).bearer_auth(&s.key).body(body.to_vec());
    if let Some(ct) = ctype {
        req = req.header("Content-Type", ct);
    }
    send(req).await
}

async fn sandbox_count(s: &Server) -> usize {
    let (_, list) = s.get("/sandbox").await;
    list["items"].as_array().expect("items").len()
}

#[tokio::test]
async fn malformed_and_mistyped_create_bodies_are_400() {
    let mut s = Server::start().await;
    let json_ct = Some("application/json");
    let cases: Vec<(&str, Option<&str>, Vec<u8>)> = vec![
        ("truncated JSON", json_ct, br#"{"cpu":"#.to_vec()),
        ("not JSON", json_ct, b"hello".to_vec()),
        ("binary garbage", json_ct, vec![0xff, 0xfe, 0x00, 0x7b]),
        ("array body", json_ct, b"[]".to_vec()),
        ("string body", json_ct, br#""x""#.to_vec()),
        ("cpu string", json_ct, br#"{"cpu":"x"}"#.to_vec()),
        ("cpu float", json_ct, br#"{"cpu":1.5}"#.to_vec()),
        ("memory negative type", json_ct, br#"{"memory":true}"#.to_vec()),
        ("labels array", json_ct, br#"{"labels":["a"]}"#.to_vec()),
        ("label value number", json_ct, br#"{"labels":{"a":1}}"#.to_vec()),
        ("env value number", json_ct, br#"{"env":{"A":1}}"#.to_vec()),
        ("name number", json_ct, br#"{"name":5}"#.to_vec()),
        ("interval string", json_ct, br#"{"autoStopInterval":"soon"}"#.to_vec()),
        ("public string", json_ct, br#"{"public":"yes"}"#.to_vec()),
        ("no content type", None, br#"{}"#.to_vec()),
        ("text content type", Some("text/plain"), br#"{}"#.to_vec()),
    ];
    for (what, ct, body) in cases {
        let (status, env) = raw(&s, reqwest::Method::POST, "/sandbox", ct, &body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {env}");
        assert_envelope(status, &env, StatusCode::BAD_REQUEST, "/api/sandbox");
        s.assert_alive().await;
    }
    assert_eq!(sandbox_count(&s).await, 0, "no bad request may create a sandbox");
}

#[tokio::test]
async fn invalid_values_on_create_are_400() {
    let mut s = Server::start().await;
    let cases = [
        ("env name with dash", json!({"env": {"A-B": "x"}})),
        ("env name starting with digit", json!({"env": {"1ABC": "x"}})),
        ("empty env name", json!({"env": {"": "x"}})),
        ("env name with space", json!({"env": {"A B": "x"}})),
        ("env name with =", json!({"env": {"A=B": "x"}})),
        ("cpu 0", json!({"cpu": 0})),
        ("cpu huge", json!({"cpu": 100000})),
        ("memory 0", json!({"memory": 0})),
        ("negative disk", json!({"disk": -3})),
        ("gpu", json!({"gpu": 1})),
        ("bad name", json!({"name": "bad name!"})),
        ("name with slash", json!({"name": "a/b"})),
        ("too long name", json!({"name": "x".repeat(64)})),
        ("other user", json!({"user": "root"})),
        ("negative autostop", json!({"autoStopInterval": -1})),
        // What daytona-local cannot honour is refused, never dropped.
        ("a snapshot it does not have", json!({"snapshot": "daytonaio/sandbox:0.5.0"})),
        ("an image from a build argument", json!({"buildInfo": {"dockerfileContent": "ARG B\nFROM $B\n"}})),
        (
            "an image and a snapshot",
            json!({"snapshot": "daytona-local", "buildInfo": {"dockerfileContent": "FROM a:1\n"}}),
        ),
        ("kvm", json!({"kvm": true})),
    ];
    for (what, body) in cases {
        let (status, env) = s.post("/sandbox", body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {env}");
        assert_envelope(status, &env, StatusCode::BAD_REQUEST, "/api/sandbox");
    }
    // A volume that does not exist is not found (tests/volumes.rs has the bad mounts).
    let (status, env) = s.post("/sandbox", json!({"volumes": [{"volumeId": "v1", "mountPath": "/data"}]})).await;
    assert_envelope(status, &env, StatusCode::NOT_FOUND, "/api/sandbox");
    s.assert_alive().await;
    assert_eq!(sandbox_count(&s).await, 0, "no invalid request may create a sandbox");
    // Valid edge values are accepted, so are the default snapshot by name and no volumes.
    let sb = s
        .create(json!({"name": "a".repeat(63), "env": {"_Ok_9": "v"}, "snapshot": "daytona-local", "volumes": []}))
        .await;
    assert_eq!(sb["env"], json!({"_Ok_9": "v"}));
    assert_eq!(sb["snapshot"], "daytona-local");
}

#[tokio::test]
async fn unknown_sandboxes_and_routes_are_404() {
    let mut s = Server::start().await;
    let ghost = "no-such-sandbox";
    let p = |rest: &str| format!("/sandbox/{ghost}{rest}");
    let checks: Vec<(reqwest::Method, String, Option<Value>)> = vec![
        (reqwest::Method::GET, p(""), None),
        (reqwest::Method::DELETE, p(""), None),
        (reqwest::Method::POST, p("/start"), None),
        (reqwest::Method::POST, p("/stop"), None),
        (reqwest::Method::POST, p("/archive"), None),
        (reqwest::Method::POST, p("/recover"), None),
        (reqwest::Method::POST, p("/resize"), Some(json!({"cpu": 2}))),
        (reqwest::Method::PUT, p("/labels"), Some(json!({"labels": {}}))),
        (reqwest::Method::POST, p("/autostop/5"), None),
        (reqwest::Method::POST, p("/autoarchive/5"), None),
        (reqwest::Method::POST, p("/autodelete/5"), None),
        (reqwest::Method::POST, p("/public/true"), None),
        (reqwest::Method::GET, p("/ports/3000/preview-url"), None),
        (reqwest::Method::GET, p("/toolbox-proxy-url"), None),
        (reqwest::Method::GET, "/no-such-route".into(), None),
        (reqwest::Method::GET, "/sandbox/x/y/z/w".into(), None),
    ];
    for (method, path, body) in checks {
        let mut req = s.http.request(method.clone(), s.api(&path)).bearer_auth(&s.key);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let (status, env) = send(req).await;
        assert_envelope(status, &env, StatusCode::NOT_FOUND, &format!("/api{path}"));
        if path.starts_with("/sandbox/no-such") {
            assert!(env["message"].as_str().unwrap().contains(ghost), "{method} {path}: {env}");
        }
    }
    s.assert_alive().await;
}

#[tokio::test]
async fn bad_list_queries_are_400() {
    let mut s = Server::start().await;
    for q in [
        "limit=0",
        "limit=201",
        "limit=-1",
        "limit=abc",
        "cursor=abc",
        "states=bogus",
        "states=started&states=nope",
        "labels=notjson",
        "labels=%5B1%5D",
        "labels=%7B%22a%22%3A1%7D",
        "sort=bogus",
        "order=sideways",
    ] {
        let (status, env) = s.get(&format!("/sandbox?{q}")).await;
        assert_envelope(status, &env, StatusCode::BAD_REQUEST, "/api/sandbox");
        s.assert_alive().await;
    }
    // Bounds that are fine.
    for q in ["limit=1", "limit=200", "cursor=", "states=started", "labels=%7B%7D"] {
        let (status, body) = s.get(&format!("/sandbox?{q}")).await;
        assert_eq!(status, StatusCode::OK, "{q}: {body}");
    }
}

#[tokio::test]
async fn bad_path_parameters_and_action_bodies_are_400() {
    let mut s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let cases: Vec<(reqwest::Method, String, Option<&[u8]>)> = vec![
        (reqwest::Method::POST, format!("/sandbox/{id}/autostop/abc"), None),
        (reqwest::Method::POST, format!("/sandbox/{id}/autostop/-1"), None),
        (reqwest::Method::POST, format!("/sandbox/{id}/autoarchive/1.5"), None),
        (reqwest::Method::POST, format!("/sandbox/{id}/autodelete/x"), None),
        (reqwest::Method::POST, format!("/sandbox/{id}/public/maybe"), None),
        (reqwest::Method::GET, format!("/sandbox/{id}/ports/0/preview-url"), None),
        (reqwest::Method::GET, format!("/sandbox/{id}/ports/70000/preview-url"), None),
        (reqwest::Method::GET, format!("/sandbox/{id}/ports/http/preview-url"), None),
        (reqwest::Method::POST, format!("/sandbox/{id}/resize"), Some(br#"{"cpu":"two"}"#)),
        (reqwest::Method::POST, format!("/sandbox/{id}/resize"), Some(br#"{"cpu":0}"#)),
        (reqwest::Method::POST, format!("/sandbox/{id}/resize"), Some(b"{")),
        (reqwest::Method::PUT, format!("/sandbox/{id}/labels"), Some(br#"{"labels":"x"}"#)),
        (reqwest::Method::PUT, format!("/sandbox/{id}/labels"), Some(br#"{}"#)),
        (reqwest::Method::PUT, format!("/sandbox/{id}/labels"), Some(br#"{"labels":{"a":null}}"#)),
    ];
    for (method, path, body) in cases {
        let (status, env) = raw(&s, method.clone(), &path, Some("application/json"), body.unwrap_or_default()).await;
        assert_envelope(status, &env, StatusCode::BAD_REQUEST, &format!("/api{path}"));
        s.assert_alive().await;
    }
    // Nothing changed.
    let (_, sb) = s.get(&format!("/sandbox/{id}")).await;
    assert_eq!(sb["state"], "started");
    assert_eq!(sb["cpu"], 1);
    assert_eq!(sb["autoStopInterval"], 15);
    assert_eq!(sb["public"], false);
}

#[tokio::test]
async fn bad_execute_requests_are_400_from_the_daemon() {
    let mut s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let path = format!("/toolbox/{id}/process/execute");
    let cases: Vec<(&str, &[u8])> = vec![
        ("invalid env name", br#"{"command":"true","envs":{"A-B":"x"}}"#),
        ("env name with digit first", br#"{"command":"true","envs":{"9X":"x"}}"#),
        ("empty env name", br#"{"command":"true","envs":{"":"x"}}"#),
        ("missing command", br#"{"cwd":"/"}"#),
        ("command number", br#"{"command":5}"#),
        ("negative timeout", br#"{"command":"true","timeout":-1}"#),
        ("timeout string", br#"{"command":"true","timeout":"1s"}"#),
        ("truncated", br#"{"command":"#),
        ("array body", br#"["touch array-ran"]"#),
        ("null body", b"null"),
    ];
    for (what, body) in cases {
        let req = s
            .http
            .post(s.toolbox(&id, "/process/execute"))
            .bearer_auth(&s.key)
            .header("Content-Type", "application/json")
            .body(body.to_vec());
        let (status, env) = send(req).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {env}");
        assert_eq!(env["statusCode"], 400, "{what}: {env}");
        assert_eq!(env["source"], "DAYTONA_DAEMON", "{what}: {env}");
        assert_eq!(env["code"], "BAD_REQUEST", "{what}: {env}");
        assert_eq!(env["path"], "/process/execute", "{what}: {env}");
        assert!(env["message"].as_str().is_some_and(|m| !m.is_empty()), "{what}: {env}");
        assert!(env["timestamp"].is_string(), "{what}: {env}");
        s.assert_alive().await;
    }
    let _ = path;
    // None of them ran anything; the sandbox still works.
    assert_eq!(s.exec(&id, "ls -A; echo ok").await, (0, "ok\n".into()));
    // Unknown toolbox endpoint: daemon 404.
    let (status, env) = send(s.http.get(s.toolbox(&id, "/no/such/endpoint")).bearer_auth(&s.key)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{env}");
    assert_eq!(env["source"], "DAYTONA_DAEMON");
}

#[tokio::test]
async fn create_refuses_what_it_cannot_honour_instead_of_dropping_it() {
    let s = Server::start().await;
    for (body, says) in [
        (json!({"domainAllowList": "example.com"}), "networkAllowList"),
        (json!({"spot": true}), "spot"),
        (json!({"gpuType": ["H100"]}), "GPU"),
        (json!({"autoPauseInterval": 5}), "automatic pausing"),
        (json!({"secrets": [{"TOKEN": "my-secret"}]}), "secrets"),
        (json!({"outboundProxyUrl": "http://proxy:3128"}), "proxies"),
        (json!({"sandboxClass": "linux-vm"}), "containers"),
        (json!({"somethingNew": "on"}), "unknown field \"somethingNew\""),
    ] {
        let (status, err) = s.post("/sandbox", body.clone()).await;
        assert_envelope(status, &err, StatusCode::BAD_REQUEST, "/api/sandbox");
        assert!(err["message"].as_str().unwrap().contains(says), "{body}: {err}");
    }
    assert_eq!(sandbox_count(&s).await, 0, "nothing was made");
    // The same fields asking for nothing (as generated clients send their defaults), and
    // what is only metadata here, are accepted.
    let defaults = json!({"spot": false, "kvm": false, "gpuType": [], "domainAllowList": "", "ttlMinutes": 0,
        "autoPauseInterval": 0, "secrets": [], "somethingNew": null, "queueTimeout": 5, "sandboxClass": "container"});
    let (status, sb) = s.post("/sandbox", defaults).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
}
