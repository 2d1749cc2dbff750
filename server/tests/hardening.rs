//! Control-plane hardening: intervals that cannot overflow, private data files, Daytona's
//! CORS, header-read timeout and connection cap, forwarded headers only from trusted proxies,
//! and label limits.

mod common;

use common::*;

/// 2^59 + 1 minutes: 1 minute once multiplied by 60 000 ms in wrapping 64-bit arithmetic.
const WRAPS_TO_ONE_MINUTE: i64 = 576_460_752_303_423_489;
/// `MAX_INTERVAL_MINUTES`: 100 years.
const MAX_INTERVAL: i64 = 100 * 365 * 24 * 60;

// ---- 1. intervals ----

#[tokio::test]
async fn intervals_beyond_the_maximum_are_refused_on_create() {
    let mut s = Server::start().await;
    for field in ["autoStopInterval", "autoArchiveInterval", "autoDeleteInterval"] {
        for minutes in [WRAPS_TO_ONE_MINUTE, MAX_INTERVAL + 1, i64::MAX] {
            let (status, body) = s.post("/sandbox", json!({ field: minutes })).await;
            assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/sandbox");
            assert!(body["message"].as_str().unwrap().contains(field), "{body}");
        }
    }
    s.assert_alive().await;
    let (_, list) = s.get("/sandbox").await;
    assert_eq!(list["items"], json!([]), "no refused create may leave a sandbox");
}

#[tokio::test]
async fn intervals_beyond_the_maximum_are_refused_by_the_interval_routes() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({"autoStopInterval": 42, "autoArchiveInterval": 60, "autoDeleteInterval": 5})).await);
    for route in ["autostop", "autoarchive", "autodelete"] {
        for minutes in [WRAPS_TO_ONE_MINUTE, MAX_INTERVAL + 1, i64::MAX] {
            let path = format!("/sandbox/{id}/{route}/{minutes}");
            let (status, body) = s.post_empty(&path).await;
            assert_envelope(status, &body, StatusCode::BAD_REQUEST, &format!("/api{path}"));
        }
    }
    let (_, sb) = s.get(&format!("/sandbox/{id}")).await;
    assert_eq!(
        (&sb["autoStopInterval"], &sb["autoArchiveInterval"], &sb["autoDeleteInterval"]),
        (&json!(42), &json!(60), &json!(5)),
        "refused values must change nothing: {sb}"
    );
    // The maximum itself is fine, and a negative auto-delete still means "never".
    let (status, sb) = s.post_empty(&format!("/sandbox/{id}/autostop/{MAX_INTERVAL}")).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    assert_eq!(sb["autoStopInterval"], json!(MAX_INTERVAL));
    let (status, sb) = s.post_empty(&format!("/sandbox/{id}/autodelete/{}", i64::MIN)).await;
    assert_eq!(status, StatusCode::OK, "{sb}");
    assert_eq!(sb["autoDeleteInterval"], json!(-1));
    assert_eq!(s.state(&id).await.as_deref(), Some("started"));
}

// ---- 6. labels ----

fn labels(n: usize) -> Value {
    Value::Object((0..n).map(|i| (format!("label-{i}"), json!("v"))).collect())
}

#[tokio::test]
async fn labels_beyond_the_limits_are_refused_on_create() {
    let mut s = Server::start().await;
    let cases = [
        ("65 labels", labels(65)),
        ("a 257-byte key", json!({ "k".repeat(257): "v" })),
        ("a 1025-byte value", json!({ "k": "v".repeat(1025) })),
        ("an empty key", json!({ "": "v" })),
    ];
    for (what, labels) in cases {
        let (status, body) = s.post("/sandbox", json!({ "labels": labels })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert_envelope(status, &body, StatusCode::BAD_REQUEST, "/api/sandbox");
    }
    s.assert_alive().await;
    let (_, list) = s.get("/sandbox").await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn labels_beyond_the_limits_are_refused_by_put_labels() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({"labels": {"keep": "me"}, "networkBlockAll": true})).await);
    let path = format!("/sandbox/{id}/labels");
    for (what, labels) in [
        ("65 labels", labels(65)),
        ("a 257-byte key", json!({ "k".repeat(257): "v" })),
        ("a 1025-byte value", json!({ "k": "v".repeat(1025) })),
        ("an empty key", json!({ "": "v" })),
    ] {
        let (status, body) = s.put(&path, json!({ "labels": labels })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body}");
        assert_envelope(status, &body, StatusCode::BAD_REQUEST, &format!("/api{path}"));
    }
    let (_, sb) = s.get(&format!("/sandbox/{id}")).await;
    assert_eq!(sb["labels"], json!({"keep": "me"}), "refused labels change nothing");
    // Exactly at the limits is fine.
    let mut at_limit = labels(63);
    at_limit["k".repeat(256).as_str()] = json!("v".repeat(1024));
    let (status, body) = s.put(&path, json!({ "labels": at_limit.clone() })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["labels"], at_limit);
}
