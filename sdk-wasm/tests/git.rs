//! `sandbox.git()` in Chromium against daytona-local and a real git server (git's smart-HTTP
//! backend behind Basic auth, run inside the sandbox by `tests/support/git-fixture.sh`).

mod common;

use daytona_wasm::models::{GitCloneRequest, GitCommitRequest, GitPushRequest, GitRestoreRequest, GitShowSource};
use daytona_wasm::{CreateSandboxParams, ErrorKind, Sandbox, TransferOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const FIXTURE: &str = include_str!("../../tests/support/git-fixture.sh");
const SERVER: &str = include_str!("../../tests/support/git_http_server.py");
const BASE: &str = "http://127.0.0.1:8420";

fn blob(bytes: &[u8]) -> web_sys::Blob {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    web_sys::Blob::new_with_u8_array_sequence(&parts).expect("blob")
}

/// A sandbox serving the fixture's repositories; the private one needs `user`/`password`.
async fn sandbox_with_git_server(user: &str, password: &str) -> Sandbox {
    let sb = common::daytona().create(CreateSandboxParams::default(), None).await.expect("create");
    let fs = sb.fs();
    for (name, text) in [("git-fixture.sh", FIXTURE), ("git_http_server.py", SERVER)] {
        fs.upload_file(&blob(text.as_bytes()), &format!("gitfix/{name}"), &TransferOptions::default())
            .await
            .expect("upload");
    }
    let env =
        [("GIT_SERVER_USER".to_owned(), user.to_owned()), ("GIT_SERVER_PASSWORD".to_owned(), password.to_owned())];
    let out =
        sb.process().exec("sh gitfix/git-fixture.sh 8420", None, Some(env.into()), Some(60)).await.expect("fixture");
    assert_eq!(out.exit_code, 0, "{}", out.result);
    sb
}

#[wasm_bindgen_test]
async fn clone_commit_push_with_credentials_and_typed_errors() {
    let password = common::unique("pw");
    let sb = sandbox_with_git_server("erin", &password).await;
    let git = sb.git();
    let clone = |path: &str, password: Option<&str>| GitCloneRequest {
        url: format!("{BASE}/private/app.git"),
        path: path.into(),
        username: password.map(|_| "erin".into()),
        password: password.map(Into::into),
        ..Default::default()
    };
    let refused = git.clone_repository(&clone("none", None)).await.expect_err("no credentials");
    assert_eq!((refused.kind(), refused.code()), (ErrorKind::Authentication, Some("GIT_AUTH_FAILED")), "{refused}");
    let wrong = git.clone_repository(&clone("wrong", Some("not-it"))).await.expect_err("wrong password");
    assert_eq!(wrong.code(), Some("GIT_AUTH_FAILED"), "{wrong}");
    git.clone_repository(&clone("app", Some(&password))).await.expect("clone");

    sb.fs().upload_file(&blob(b"from rust\n"), "app/rust.txt", &TransferOptions::default()).await.expect("upload");
    let status = git.status("app").await.expect("status");
    let files: Vec<(&str, &str)> = status.file_status.iter().map(|f| (f.name.as_str(), f.worktree.as_str())).collect();
    assert_eq!(files, [("rust.txt", "Untracked")]);
    git.add("app", vec![".".into()]).await.expect("add");
    let commit = GitCommitRequest {
        path: "app".into(),
        message: "from rust".into(),
        author: "Erin".into(),
        email: "erin@example.org".into(),
        allow_empty: None,
    };
    let hash = git.commit(&commit).await.expect("commit").hash;
    assert_eq!(hash.len(), 40);
    // A file as it is at HEAD and in the index (daytona-local's own `GET /git/show`).
    sb.fs().upload_file(&blob(b"staged\n"), "app/rust.txt", &TransferOptions::default()).await.expect("upload");
    git.add("app", vec!["rust.txt".into()]).await.expect("add");
    sb.fs().upload_file(&blob(b"working\n"), "app/rust.txt", &TransferOptions::default()).await.expect("upload");
    assert_eq!(git.show("app", "rust.txt", GitShowSource::Head).await.expect("show HEAD"), b"from rust\n");
    assert_eq!(git.show("app", "rust.txt", GitShowSource::Index).await.expect("show index"), b"staged\n");
    let new = git.show("app", "new.txt", GitShowSource::Head).await.expect_err("not committed");
    assert_eq!((new.kind(), new.code()), (ErrorKind::NotFound, Some("FILE_NOT_FOUND")), "{new}");
    git.restore(&GitRestoreRequest {
        path: "app".into(),
        files: vec!["rust.txt".into()],
        staged: Some(true),
        worktree: Some(true),
        ..Default::default()
    })
    .await
    .expect("restore");
    assert_eq!(git.status("app").await.expect("status").ahead, Some(1));
    let push = GitPushRequest {
        path: "app".into(),
        username: Some("erin".into()),
        password: Some(password.clone()),
        ..Default::default()
    };
    git.push(&push).await.expect("push");
    let status = git.status("app").await.expect("status");
    assert_eq!((status.ahead, status.upstream.as_deref()), (Some(0), Some("origin/main")));
    let history = git.history("app").await.expect("history");
    assert_eq!((history[0].hash.as_str(), history[0].message.as_str()), (hash.as_str(), "from rust\n"));

    git.create_branch("app", "topic").await.expect("branch");
    let exists = git.create_branch("app", "topic").await.expect_err("exists");
    assert_eq!((exists.kind(), exists.code()), (ErrorKind::Conflict, Some("GIT_BRANCH_EXISTS")));
    git.checkout_branch("app", "topic").await.expect("checkout");
    let branches = git.branches("app").await.expect("branches");
    assert_eq!(
        (branches.branches, branches.current.as_deref()),
        (vec!["main".to_owned(), "topic".to_owned()], Some("topic"))
    );
    let missing = git.checkout_branch("app", "nope").await.expect_err("missing branch");
    assert_eq!((missing.kind(), missing.code()), (ErrorKind::NotFound, Some("GIT_BRANCH_NOT_FOUND")));
    let config = git.get_config("user.name", Some("local"), Some("app")).await.expect("config");
    assert_eq!(config.value, None);
    sb.delete(None).await.expect("delete");
}
