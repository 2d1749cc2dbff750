//! Toolbox git routes against Daytona's spec where no official SDK method reaches them
//! (history) or hides the status (201/204), the daemon's error envelope of a git failure, and
//! our `GET /git/show`.

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

/// `GET /git/show?{query}`: status, content type and the raw body.
async fn show(s: &Server, id: &str, query: &str) -> (StatusCode, String, Vec<u8>) {
    let resp = s.http.get(s.toolbox(id, &format!("/git/show?{query}"))).bearer_auth(&s.key).send().await.unwrap();
    let status = resp.status();
    let kind = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    (status, kind, resp.bytes().await.unwrap().to_vec())
}

/// The error envelope of a `/git/show` answer.
fn envelope(body: &[u8]) -> Value {
    serde_json::from_slice(body).unwrap_or_else(|_| panic!("not an envelope: {}", String::from_utf8_lossy(body)))
}

/// `GET /git/show` answers a file's bytes at HEAD or in the index, 404 `FILE_NOT_FOUND` where
/// it is not (a new file, no commit yet), and refuses paths out of the repository, options,
/// unknown sources and fields, directories and files over 16 MiB.
#[tokio::test]
async fn show_answers_a_file_at_head_or_in_the_index() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let setup = "git init -q u && echo added > u/a.txt && git -C u add a.txt \
        && git init -q r && cd r && git config user.name A && git config user.email a@x.org \
        && printf 'committed\\n' > a.txt && printf '\\000\\001\\377' > bin && mkdir d && echo f > d/f \
        && head -c 16777217 /dev/zero > big && git add . && git commit -qm one \
        && printf 'staged\\n' > a.txt && git add a.txt && printf 'working\\n' > a.txt && echo new > new.txt \
        && mkdir -p ../plain";
    let (code, out) = s.exec(&id, setup).await;
    assert_eq!(code, 0, "{out}");

    let ok = |(status, kind, body): (StatusCode, String, Vec<u8>)| {
        assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
        assert_eq!(kind, "application/octet-stream");
        body
    };
    assert_eq!(ok(show(&s, &id, "path=r&file=a.txt").await), b"committed\n", "HEAD is the default");
    assert_eq!(ok(show(&s, &id, "path=r&file=a.txt&source=HEAD").await), b"committed\n");
    assert_eq!(ok(show(&s, &id, "path=r&file=a.txt&source=index").await), b"staged\n");
    assert_eq!(ok(show(&s, &id, "path=r&file=bin&source=HEAD").await), [0u8, 1, 0xff], "bytes as they are");
    assert_eq!(ok(show(&s, &id, "path=r&file=.%2Fd%2F%2Ff").await), b"f\n", "./d//f is d/f");
    assert_eq!(
        ok(show(&s, &id, "path=r%2Fd&file=a.txt").await),
        b"committed\n",
        "from a subdirectory, file is still relative to the root"
    );
    assert_eq!(ok(show(&s, &id, "path=u&file=a.txt&source=index").await), b"added\n");

    // Not there: a new file (either source), no commit yet.
    for query in
        ["path=r&file=new.txt", "path=r&file=new.txt&source=index", "path=r&file=nope%2Fx", "path=u&file=a.txt"]
    {
        let (status, _, body) = show(&s, &id, query).await;
        let body = envelope(&body);
        assert_eq!(status, StatusCode::NOT_FOUND, "{query}: {body}");
        assert_eq!((body["code"].as_str(), body["source"].as_str()), (Some("FILE_NOT_FOUND"), Some("DAYTONA_DAEMON")));
    }
    // Not a repository (missing, or a plain directory).
    for query in ["path=nowhere&file=a.txt", "path=plain&file=a.txt"] {
        let (status, _, body) = show(&s, &id, query).await;
        let body = envelope(&body);
        assert_eq!(status, StatusCode::NOT_FOUND, "{query}: {body}");
        assert_eq!(body["code"], "GIT_REPO_NOT_FOUND", "{query}: {body}");
    }
    // Refused: out of the repository, options, unknown sources and fields, a directory, a big file.
    for query in [
        "path=r&file=..%2Fx",
        "path=r&file=d%2F..%2F..%2Fx",
        "path=r&file=%2Fetc%2Fpasswd",
        "path=r&file=-x",
        "path=r&file=--output%3D%2Ftmp%2Fx",
        "path=r&file=",
        "path=r",
        "path=r&file=a.txt&source=bogus",
        "path=r&file=a.txt&source=head",
        "path=r&file=a.txt&rev=HEAD~1",
        "path=r&file=d",
        "path=r&file=big",
    ] {
        let (status, _, body) = show(&s, &id, query).await;
        let body = envelope(&body);
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        if query.ends_with("big") {
            assert!(body["message"].as_str().is_some_and(|m| m.contains("16 MiB")), "{body}");
        }
        if query.ends_with("rev=HEAD~1") {
            assert!(body["message"].as_str().is_some_and(|m| m.contains("unknown field `rev`")), "{body}");
        }
    }
}
