//! Toolbox file endpoints through the proxy, with bad input: traversal and symlinks stay inside
//! the sandbox's own view, malformed or broken uploads lose nothing, and the server keeps serving.

mod common;

use common::*;

async fn upload(s: &Server, id: &str, path: &str, body: &[u8]) -> (StatusCode, Value) {
    let form = reqwest::multipart::Form::new()
        .text("files[0].path", path.to_owned())
        .part("files[0].file", reqwest::multipart::Part::bytes(body.to_vec()).file_name(path.to_owned()));
    send(s.http.post(s.toolbox(id, "/files/bulk-upload")).bearer_auth(&s.key).multipart(form)).await
}

#[tokio::test]
async fn traversal_and_symlinks_cannot_reach_the_host() {
    let s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    // Files the host has but the sandbox must not see.
    let secret = s.data_dir().join("daytona.db");
    assert!(secret.exists());
    for path in [
        "../../../../../../root/.bashrc".to_owned(),
        secret.display().to_string(),
        format!("../../..{}", secret.display()),
    ] {
        let (status, body) = s.get_toolbox(&id, &format!("/files/info?path={}", percent_encode(&path))).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["code"], "FILE_NOT_FOUND", "{body}");
        assert_eq!(body["source"], "DAYTONA_DAEMON");
    }
    // A symlink to a host path resolves inside the jail, where that path does not exist.
    assert_eq!(s.exec(&id, &format!("ln -s {} leak && ln -s /root rootlink", secret.display())).await.0, 0);
    let (status, _) = s.get_toolbox(&id, "/files/download?path=leak").await;
    assert_eq!(status, 404);
    let (status, _) = s.get_toolbox(&id, "/files?path=rootlink").await;
    assert_eq!(status, 404);
    // Writing through ../ stays in the sandbox too: /etc is read-only there.
    let (status, body) = upload(&s, &id, "../../etc/evil", b"x").await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errors"][0].as_str().unwrap_or_default().contains("../../etc/evil"), "{body}");
    assert!(!std::path::Path::new("/etc/evil").exists());
}

#[tokio::test]
async fn malformed_uploads_are_refused_and_lose_nothing() {
    let mut s = Server::start().await;
    let id = id_of(&s.create(json!({})).await);
    assert_eq!(upload(&s, &id, "keep.txt", b"original").await.0, 200);

    // A file part without its path part.
    let form = reqwest::multipart::Form::new().part("files[0].file", reqwest::multipart::Part::bytes(b"zzz".to_vec()));
    let (status, body) =
        send(s.http.post(s.toolbox(&id, "/files/bulk-upload")).bearer_auth(&s.key).multipart(form)).await;
    assert_eq!(status, 400, "{body}");
    assert!(body["errors"][0].as_str().unwrap().contains("missing .path"), "{body}");

    // A body that is not multipart at all, and one cut off in the middle of a part.
    let garbage = s
        .http
        .post(s.toolbox(&id, "/files/bulk-upload"))
        .bearer_auth(&s.key)
        .header("content-type", "multipart/form-data; boundary=XX")
        .body("--XX\r\nContent-Disposition: form-data; name=\"files[0].path\"\r\n\r\nkeep.txt\r\n--XX\r\nContent-Disposition: form-data; name=\"files[0].file\"; filename=\"keep.txt\"\r\n\r\nhalf a fi");
    let (status, _) = send(garbage).await;
    assert_eq!(status, 400);
    let (status, _) = send(s.http.post(s.toolbox(&id, "/files/bulk-upload")).bearer_auth(&s.key).body("nope")).await;
    assert_eq!(status, 400);

    // keep.txt is intact and no temporary file was left behind.
    let resp = s.http.get(s.toolbox(&id, "/files/download?path=keep.txt")).bearer_auth(&s.key).send().await.unwrap();
    assert_eq!(resp.bytes().await.unwrap().as_ref(), b"original");
    assert_eq!(s.exec(&id, "ls -A").await, (0, "keep.txt\n".into()));
    let (status, _) = s.get_toolbox(&id, "/files/info?path=").await;
    assert_eq!(status, 400, "an empty path is refused");
    s.assert_alive().await;
}
