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
