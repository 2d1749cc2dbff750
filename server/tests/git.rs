//! Toolbox git routes against Daytona's spec where no official SDK method reaches them
//! (history) or hides the status (201/204), and the daemon's error envelope of a git failure.

mod common;

use common::*;

#[tokio::test]
async fn history_statuses_and_error_envelopes() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (status, body) = s.post_toolbox(&id, "/git/init", json!({"path": "r", "initial_branch": "main"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s.get_toolbox(&id, "/git/history?path=r").await;
    assert_eq!((status, body.clone()), (StatusCode::OK, json!([])), "a repository without commits has no history");
    let (status, body) = s.get_toolbox(&id, "/git/branches?path=r").await;
    assert_eq!((status, body.clone()), (StatusCode::OK, json!({"branches": [], "current": "main"})), "{body}");

    for message in ["first\n", "second: subject\n\nbody with detail\n"] {
        let commit =
            json!({"path": "r", "message": message, "author": "Ada", "email": "ada@example.org", "allow_empty": true});
        let (status, body) = s.post_toolbox(&id, "/git/commit", commit).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["hash"].as_str().map(str::len), Some(40), "{body}");
    }
    let (status, body) = s.get_toolbox(&id, "/git/history?path=r").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let log = body.as_array().expect("an array");
    assert_eq!(log.len(), 2);
    assert_eq!(log[0]["message"], "second: subject\n\nbody with detail\n");
    assert_eq!((log[0]["author"].as_str(), log[0]["email"].as_str()), (Some("Ada"), Some("ada@example.org")));
    let ts = log[1]["timestamp"].as_str().unwrap_or_default();
    assert!(chrono::DateTime::parse_from_rfc3339(ts).is_ok(), "timestamp {ts:?} is not RFC 3339");

    let (status, body) = s.post_toolbox(&id, "/git/branches", json!({"path": "r", "name": "feature"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s.post_toolbox(&id, "/git/branches", json!({"path": "r", "name": "feature"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["code"], "GIT_BRANCH_EXISTS");
    let req = s
        .http
        .delete(s.toolbox(&id, "/git/branches"))
        .bearer_auth(&s.key)
        .json(&json!({"path": "r", "name": "feature"}));
    let (status, body) = send(req).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let (status, body) = s.get_toolbox(&id, "/git/status?path=nowhere").await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!((body["code"].as_str(), body["source"].as_str()), (Some("GIT_REPO_NOT_FOUND"), Some("DAYTONA_DAEMON")));
    let (status, body) =
        s.post_toolbox(&id, "/git/remotes", json!({"path": "r", "name": "origin", "url": "/tmp/x"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (status, body) = s.get_toolbox(&id, "/git/remotes?path=r").await;
    assert_eq!((status, body.clone()), (StatusCode::OK, json!({"remotes": [{"name": "origin", "url": "/tmp/x"}]})));
    // A field daytona-local does not know is refused, not dropped.
    let (status, body) = s.post_toolbox(&id, "/git/init", json!({"path": "r2", "template": "/etc"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body["message"].as_str().is_some_and(|m| m.contains("unknown field `template`")), "{body}");
    let (status, body) = s.get_toolbox(&id, "/git/config?key=user.name&scope=nowhere").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}
