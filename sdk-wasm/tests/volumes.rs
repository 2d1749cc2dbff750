//! The Rust face's volumes against a live daytona-local in headless Chromium: get with
//! create, list, two sandboxes sharing one (a subpath in one of them), the in-use refusal.

mod common;

use daytona_wasm::models::{SandboxVolume, VolumeState};
use daytona_wasm::{CreateSandboxParams, ErrorKind};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_volume_is_made_shared_and_refused_deletion_while_mounted() {
    let daytona = common::daytona();
    let volumes = daytona.volume();
    let name = common::unique("vol");
    let missing = volumes.get(&name, false).await.expect_err("no such volume yet");
    assert_eq!(missing.kind(), ErrorKind::NotFound);
    let vol = volumes.get(&name, true).await.expect("get with create");
    assert_eq!((vol.name.as_str(), vol.state), (name.as_str(), VolumeState::Ready));
    assert!(volumes.list().await.expect("list").iter().any(|v| v.id == vol.id));

    let mount = |path: &str, subpath: Option<&str>| CreateSandboxParams {
        volumes: Some(vec![SandboxVolume {
            volume_id: vol.id.clone(),
            mount_path: path.into(),
            subpath: subpath.map(str::to_owned),
        }]),
        ..Default::default()
    };
    let whole = daytona.create(mount("/data", None), None).await.expect("create with the whole volume");
    let part = daytona.create(mount("/home/daytona/mine", Some("a/b")), None).await.expect("create with a subpath");
    let out = whole.process().exec("echo shared > /data/a/b/f.txt", None, None, None).await.expect("write");
    assert_eq!(out.exit_code, 0, "{}", out.result);
    let out = part.process().exec("cat mine/f.txt", None, None, None).await.expect("read");
    assert_eq!(out.result, "shared\n");

    let refused = volumes.delete(&vol).await.expect_err("in use");
    assert_eq!(refused.kind(), ErrorKind::Conflict, "{refused}");
    whole.delete(None).await.expect("delete a sandbox");
    part.delete(None).await.expect("delete a sandbox");
}

/// Registries (their credentials live with the control plane) through the Rust face: added,
/// listed, changed with the password and project kept, refused with a plain-HTTP URL off
/// loopback, removed.
#[wasm_bindgen_test]
async fn a_registry_is_added_changed_and_removed() {
    use daytona_wasm::models::{CreateDockerRegistry, RegistryType, UpdateDockerRegistry};
    let daytona = common::daytona();
    let registries = daytona.registry();
    let name = common::unique("reg");
    let made = registries
        .create(&CreateDockerRegistry {
            name: name.clone(),
            url: "https://ghcr.io".into(),
            username: "me".into(),
            password: "token-123".into(),
            project: Some("team".into()),
        })
        .await
        .expect("create");
    assert_eq!((made.name.as_str(), made.project.as_str()), (name.as_str(), "team"));
    assert_eq!(made.registry_type, RegistryType::Organization);
    assert!(registries.list().await.expect("list").iter().any(|r| r.id == made.id));
    let changed = UpdateDockerRegistry {
        name: format!("{name}-2"),
        url: made.url.clone(),
        username: "you".into(),
        password: None,
        project: None,
    };
    let changed = registries.update(&made.id, &changed).await.expect("update");
    // Left out, the password and the project are kept.
    assert_eq!((changed.name, changed.username, changed.project), (format!("{name}-2"), "you".into(), "team".into()));
    let plain = CreateDockerRegistry {
        name: name.clone(),
        url: "http://ghcr.io".into(),
        username: "me".into(),
        password: "x".into(),
        project: None,
    };
    let refused = registries.create(&plain).await.expect_err("plain http off loopback");
    assert_eq!(refused.kind(), ErrorKind::BadRequest, "{refused}");
    registries.delete(&made.id).await.expect("delete");
    assert!(registries.list().await.expect("list").iter().all(|r| r.id != made.id));
}
