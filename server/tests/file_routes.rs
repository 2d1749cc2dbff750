//! Every toolbox file route at the HTTP level (the SDK suites reach them only through their
//! own code), pre-signed URLs with their key, expiry and rotation, the PTY listing and
//! create-connect, and path traversal on every route that writes.

mod common;

use std::time::Duration;

use common::*;
use daytona_models::sign_file_url;

/// `POST /files/upload-v2?path=` with a raw body.
async fn put_file(s: &Server, id: &str, path: &str, body: &'static [u8]) {
    let url = s.toolbox(id, &format!("/files/upload-v2?path={}", percent_encode(path)));
    let (status, reply) = send(s.http.post(url).bearer_auth(&s.key).body(body)).await;
    assert_eq!(status, 200, "{path}: {reply}");
}

async fn file_text(s: &Server, id: &str, path: &str) -> (StatusCode, String) {
    let url = s.toolbox(id, &format!("/files/download?path={}", percent_encode(path)));
    let resp = s.http.get(url).bearer_auth(&s.key).send().await.unwrap();
    (resp.status(), resp.text().await.unwrap())
}

#[tokio::test]
async fn every_file_route_does_what_daytonas_spec_says() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let post = |path: &str| s.http.post(s.toolbox(&id, path)).bearer_auth(&s.key);

    // folder (201, with its mode), upload-v2 (raw and multipart), info, list.
    assert_eq!(send(post("/files/folder?path=proj/src&mode=750")).await.0, 201);
    let (_, info) = s.get_toolbox(&id, "/files/info?path=proj/src").await;
    assert_eq!((info["isDir"].as_bool(), info["permissions"].as_str()), (Some(true), Some("0750")), "{info}");
    put_file(&s, &id, "proj/src/main.py", b"print('needle')\nx = 1\n").await;
    let form = reqwest::multipart::Form::new().part("file", reqwest::multipart::Part::bytes(b"needle two\n".to_vec()));
    let (status, body) = send(post("/files/upload-v2?path=proj/notes.txt").multipart(form)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!((body["name"].as_str(), body["type"].as_str()), (Some("notes.txt"), Some("file")), "{body}");
    let (status, list) = s.get_toolbox(&id, "/files?path=proj").await;
    assert_eq!(status, 200);
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|f| f["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["src", "notes.txt"], "directories first, then by name");

    // find (lines), search (names), replace (literal, per file).
    let (_, found) = s.get_toolbox(&id, "/files/find?path=proj&pattern=needle").await;
    let mut hits: Vec<(String, i64)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["file"].as_str().unwrap().rsplit('/').next().unwrap().to_owned(), m["line"].as_i64().unwrap()))
        .collect();
    hits.sort();
    assert_eq!(hits, [("main.py".to_owned(), 1), ("notes.txt".to_owned(), 1)], "{found}");
    let (_, searched) = s.get_toolbox(&id, "/files/search?path=proj&pattern=*.py").await;
    let files = searched["files"].as_array().unwrap();
    assert!(files.len() == 1 && files[0].as_str().unwrap().ends_with("proj/src/main.py"), "{searched}");
    let (status, replaced) = send(post("/files/replace").json(&json!({
        "files": ["proj/src/main.py", "proj/missing.txt"], "pattern": "needle", "newValue": "thread"
    })))
    .await;
    assert_eq!(status, 200);
    assert_eq!(replaced[0]["success"], true, "{replaced}");
    assert_eq!(replaced[1]["success"], false, "{replaced}");
    assert_eq!(file_text(&s, &id, "proj/src/main.py").await.1, "print('thread')\nx = 1\n");

    // move (409 onto an existing file), permissions.
    let (status, body) = send(post("/files/move?source=proj/notes.txt&destination=proj/src/main.py")).await;
    assert_eq!(status, 409, "{body}");
    // Into a folder that does not exist: 404 naming the folder (not the file as if missing).
    let (status, body) = send(post("/files/move?source=proj/notes.txt&destination=proj/nowhere/notes.md")).await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(body["message"], "no folder to move into: proj/nowhere", "{body}");
    assert_eq!(send(post("/files/move?source=proj/notes.txt&destination=proj/src/notes.md")).await.0, 200);
    assert_eq!(file_text(&s, &id, "proj/src/notes.md").await, (StatusCode::OK, "needle two\n".into()));
    assert_eq!(file_text(&s, &id, "proj/notes.txt").await.0, 404);
    assert_eq!(send(post("/files/permissions?path=proj/src/notes.md&mode=600")).await.0, 200);
    let (_, info) = s.get_toolbox(&id, "/files/info?path=proj/src/notes.md").await;
    assert_eq!(info["mode"], "-rw-------", "{info}");

    // bulk-download: one part per path, an error part for a missing one, in request order.
    let resp =
        post("/files/bulk-download").json(&json!({"paths": ["proj/src/notes.md", "nope.txt"]})).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let ctype = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(ctype.starts_with("multipart/form-data; boundary="), "{ctype}");
    let text = resp.text().await.unwrap();
    let file_part = text.find("name=\"file\"; filename=\"proj/src/notes.md\"").expect("the file's part");
    let error_part = text.find("name=\"error\"; filename=\"nope.txt\"").expect("the missing file's error part");
    assert!(file_part < error_part && text.contains("needle two\n") && text.contains("FILE_NOT_FOUND"), "{text}");
    assert!(text.trim_end().ends_with("--"), "closing boundary");

    // delete: a file, then the tree with recursive=true.
    let del = |path: &str| s.http.delete(s.toolbox(&id, path)).bearer_auth(&s.key);
    assert_eq!(send(del("/files?path=proj/src/notes.md")).await.0, 204);
    assert_eq!(send(del("/files?path=proj&recursive=true")).await.0, 204);
    assert_eq!(s.get_toolbox(&id, "/files/info?path=proj").await.0, 404);

    // The directories the SDKs ask for.
    for route in ["/user-home-dir", "/project-dir", "/work-dir"] {
        let (status, dir) = s.get_toolbox(&id, route).await;
        assert_eq!((status, dir["dir"].as_str()), (StatusCode::OK, Some("/home/daytona")), "{route}: {dir}");
    }
}

/// `method route?path=…&expires=…&signature=…` signed with `key`, without an Authorization
/// header: the signature is the credential. Returns the status and body.
async fn signed_request(
    s: &Server,
    id: &str,
    key: String,
    method: &str,
    route: &str,
    path: &str,
    expires: i64,
) -> (StatusCode, String) {
    let signature = sign_file_url(&key, method, path, expires);
    let url = s.toolbox(id, &format!("{route}?path={}&expires={expires}&signature={signature}", percent_encode(path)));
    let resp = match method {
        "GET" => s.http.get(url).send().await.unwrap(),
        _ => s.http.post(url).body("uploaded through a signed URL").send().await.unwrap(),
    };
    (resp.status(), resp.text().await.unwrap())
}

#[tokio::test]
async fn presigned_urls_need_their_key_expire_and_die_with_a_rotation() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    put_file(&s, &id, "shared.txt", b"shared bytes").await;
    let (status, key) = s.get(&format!("/sandbox/{id}/signing-key")).await;
    assert_eq!(status, 200);
    let key = key.as_str().expect("the key, as a JSON string").to_owned();
    assert_eq!(s.get(&format!("/sandbox/{id}/signing-key")).await.1, key, "stable until rotated");
    let now = (std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()) as i64;
    let fetch = |key: &str, method: &'static str, route: &'static str, path: &'static str, expires: i64| {
        signed_request(&s, &id, key.to_owned(), method, route, path, expires)
    };
    assert_eq!(
        fetch(&key, "GET", "/files/download", "shared.txt", now + 60).await,
        (StatusCode::OK, "shared bytes".into())
    );
    assert_eq!(fetch(&key, "GET", "/files/download", "shared.txt", 0).await.0, 200, "0 never expires");
    assert_eq!(fetch(&key, "POST", "/files/upload-v2", "up.txt", now + 60).await.0, 200);
    assert_eq!(file_text(&s, &id, "up.txt").await.1, "uploaded through a signed URL");
    // Expired, signed for another path or method, or for another route: 401.
    assert_eq!(fetch(&key, "GET", "/files/download", "shared.txt", now - 5).await.0, 401);
    let other_path = sign_file_url(&key, "GET", "other.txt", now + 60);
    let url = s.toolbox(&id, &format!("/files/download?path=shared.txt&expires={}&signature={other_path}", now + 60));
    assert_eq!(s.http.get(url).send().await.unwrap().status(), 401);
    assert_eq!(fetch(&key, "POST", "/files/download", "shared.txt", now + 60).await.0, 401, "a POST signature");
    let url = s.toolbox(
        &id,
        &format!(
            "/files/info?path=shared.txt&expires={}&signature={}",
            now + 60,
            sign_file_url(&key, "GET", "shared.txt", now + 60)
        ),
    );
    assert_eq!(s.http.get(url).send().await.unwrap().status(), 401, "only download and upload-v2 take signatures");
    // Rotation: a new key, and URLs signed with the old one stop working.
    let (status, rotated) = s.post_empty(&format!("/sandbox/{id}/signing-key/rotate")).await;
    assert_eq!(status, 200);
    let rotated = rotated.as_str().unwrap().to_owned();
    assert_ne!(rotated, key);
    assert_eq!(fetch(&key, "GET", "/files/download", "shared.txt", 0).await.0, 401);
    assert_eq!(fetch(&rotated, "GET", "/files/download", "shared.txt", 0).await.0, 200);
}

#[tokio::test]
async fn ptys_are_listed_and_create_connect_opens_one_in_a_round_trip() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;

    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    let (status, list) = s.get_toolbox(&id, "/process/pty").await;
    assert_eq!((status, list), (StatusCode::OK, json!({"sessions": []})));
    let mut ws = s.ws(&id, "/process/pty/create-connect?id=cc&cols=100&rows=30", "X-Daytona-Pty-Exit-Control").await;
    let (status, list) = s.get_toolbox(&id, "/process/pty").await;
    assert_eq!(status, 200);
    let sessions = list["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{list}");
    assert_eq!(
        (sessions[0]["id"].as_str(), sessions[0]["cols"].as_u64(), sessions[0]["rows"].as_u64()),
        (Some("cc"), Some(100), Some(30))
    );
    ws.send(Message::Binary(b"stty size; echo cc-$((40+2))\n".to_vec().into())).await.unwrap();
    let mut got = String::new();
    while !got.contains("cc-42") {
        match tokio::time::timeout(Duration::from_secs(20), ws.next()).await {
            Ok(Some(Ok(Message::Binary(b)))) => got.push_str(&String::from_utf8_lossy(&b)),
            Ok(Some(Ok(_))) => {}
            other => panic!("no output from the PTY: {other:?} after {got:?}"),
        }
    }
    assert!(got.contains("30 100"), "the size asked for: {got:?}");
    let (status, _) = send(s.http.delete(s.toolbox(&id, "/process/pty/cc")).bearer_auth(&s.key)).await;
    assert_eq!(status, 200);
    assert_eq!(s.get_toolbox(&id, "/process/pty").await.1, json!({"sessions": []}));
}

#[tokio::test]
async fn no_write_route_reaches_outside_the_sandbox() {
    let mut s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    put_file(&s, &id, "inside.txt", b"inside").await;
    // A host directory the server can write to, named absolutely and through ../ chains.
    let host = tempfile::Builder::new().prefix("dl-escape").tempdir().unwrap();
    let bait = host.path().join("bait.txt");
    std::fs::write(&bait, "host file").unwrap();
    std::fs::set_permissions(host.path(), std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let dir = host.path().display().to_string();
    let post = |path: String| s.http.post(s.toolbox(&id, &path)).bearer_auth(&s.key);
    for target in [dir.clone(), format!("../../../../../..{dir}")] {
        let enc = |p: &str| percent_encode(&format!("{target}/{p}"));
        let (status, _) = send(post(format!("/files/upload-v2?path={}", enc("new.txt"))).body("x")).await;
        assert!(status.is_success() || status == 400, "{status}");
        send(post(format!("/files/folder?path={}&mode=777", enc("newdir")))).await;
        send(post(format!("/files/move?source=inside.txt&destination={}", enc("moved.txt")))).await;
        send(post(format!("/files/move?source={}&destination=stolen.txt", enc("bait.txt")))).await;
        send(post(format!("/files/permissions?path={}&mode=777", enc("bait.txt")))).await;
        send(
            post("/files/replace".into())
                .json(&json!({"files": [format!("{target}/bait.txt")], "pattern": "host", "newValue": "owned"})),
        )
        .await;
        send(s.http.delete(s.toolbox(&id, &format!("/files?path={}", enc("bait.txt")))).bearer_auth(&s.key)).await;
        let form = reqwest::multipart::Form::new()
            .text("files[0].path", format!("{target}/bulk.txt"))
            .part("files[0].file", reqwest::multipart::Part::bytes(b"x".to_vec()).file_name("bulk.txt"));
        send(post("/files/bulk-upload".into()).multipart(form)).await;
    }
    // The host directory holds exactly what it held, unchanged.
    let entries: Vec<String> = std::fs::read_dir(host.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, ["bait.txt"]);
    assert_eq!(std::fs::read_to_string(&bait).unwrap(), "host file");
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&bait).unwrap().permissions()) & 0o777;
    assert_ne!(mode, 0o777, "the permissions route changed a host file");
    // What the sandbox wrote there landed in its own /tmp, which is not the host's.
    assert_eq!(s.exec(&id, &format!("cat {dir}/new.txt")).await, (0, "x".into()));
    s.assert_alive().await;
}
