//! The Rust face against a live daytona-local in headless Chromium.

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use daytona_wasm::models::{ListSandboxesQuery, ResizeSandbox, SandboxState, SnapshotState};
use daytona_wasm::{CreateSandboxParams, Daytona, DaytonaConfig, ErrorKind, Resources};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

#[wasm_bindgen_test]
async fn create_get_list_exec_stop_start_delete() {
    let daytona = common::daytona();
    let name = common::unique("sdk");
    let run = common::unique("run");
    let sandbox = daytona
        .create(
            CreateSandboxParams {
                name: Some(name.clone()),
                labels: Some(labels(&[("suite", "sdk"), ("run", &run)])),
                env_vars: Some(labels(&[("GREETING", "hello from env")])),
                resources: Some(Resources { cpu: Some(1), memory: Some(1), disk: Some(3) }),
                ..Default::default()
            },
            None,
        )
        .await
        .expect("create");
    assert_eq!(sandbox.state(), SandboxState::Started);
    assert_eq!(sandbox.name(), name);
    let data = sandbox.data();
    assert_eq!(data.labels.get("code-toolbox-language").map(String::as_str), Some("python"));
    assert_eq!(data.labels.get("suite").map(String::as_str), Some("sdk"));

    let by_id = daytona.get(&sandbox.id()).await.expect("get by id");
    let by_name = daytona.get(&name).await.expect("get by name");
    assert_eq!(by_id.id(), sandbox.id());
    assert_eq!(by_name.id(), sandbox.id());

    let found = daytona
        .list(&ListSandboxesQuery { labels: Some(labels(&[("run", &run)])), ..Default::default() })
        .await
        .expect("list");
    assert_eq!(found.iter().map(|s| s.id()).collect::<Vec<_>>(), vec![sandbox.id()]);

    let process = sandbox.process();
    let out = process.exec("echo $GREETING; echo oops >&2; exit 7", None, None, None).await.expect("exec");
    assert_eq!(out.exit_code, 7);
    assert_eq!(out.result, "hello from env\noops\n");
    // Plain output carries no charts (`artifacts.stdout` is `result` by construction).
    assert!(out.artifacts.expect("artifacts").charts.is_empty());

    let out = process
        .exec("mkdir -p sub && cd sub && pwd && echo $X", Some("."), Some(labels(&[("X", "42")])), Some(10))
        .await
        .expect("exec with cwd and env");
    assert_eq!(out.result, "/home/daytona/sub\n42\n");
    assert_eq!(sandbox.get_user_home_dir().await.expect("home"), "/home/daytona");
    assert_eq!(sandbox.get_work_dir().await.expect("work dir"), "/home/daytona");

    let stored = sandbox.set_labels(labels(&[("suite", "sdk"), ("phase", "2")])).await.expect("labels");
    assert_eq!(stored.get("phase").map(String::as_str), Some("2"));
    sandbox.set_autostop_interval(30).await.expect("autostop");
    assert_eq!(sandbox.data().auto_stop_interval, Some(30));
    // A TTL: when it ends is shown (from now); 0 takes it away.
    let before = js_sys::Date::now();
    sandbox.set_ttl(45).await.expect("ttl");
    let at = js_sys::Date::parse(sandbox.data().auto_destroy_at.as_deref().expect("autoDestroyAt after a TTL"));
    assert!((before + 45.0 * 60_000.0..=js_sys::Date::now() + 45.0 * 60_000.0).contains(&at), "{at}");
    sandbox.set_ttl(0).await.expect("no ttl");
    assert_eq!(sandbox.data().auto_destroy_at, None);

    // A fork: a new started sandbox with this one's files and env, deleted on its own.
    let fork = sandbox.fork(None, None).await.expect("fork");
    assert_ne!(fork.id(), sandbox.id());
    assert_eq!(fork.state(), SandboxState::Started);
    let out = fork.process().exec("echo $GREETING; ls -d sub", None, None, None).await.expect("exec in the fork");
    assert_eq!(out.result, "hello from env\nsub\n");
    fork.delete(None).await.expect("delete the fork");

    // A snapshot of its files; a sandbox made on it starts with them.
    let kept = common::unique("kept");
    sandbox.create_snapshot(&kept, None).await.expect("create snapshot");
    assert_eq!(sandbox.state(), SandboxState::Started, "it goes on as it was");
    let snap = daytona.snapshot().get(&kept).await.expect("the snapshot");
    assert_eq!((snap.state, snap.source_sandbox_id.as_deref()), (SnapshotState::Active, Some(sandbox.id().as_str())));
    let params = CreateSandboxParams { snapshot: Some(kept.clone()), ..Default::default() };
    let made = daytona.create(params, None).await.expect("a sandbox on the snapshot");
    let out = made.process().exec("ls -d sub", None, None, None).await.expect("exec in it");
    assert_eq!(out.result, "sub\n");
    made.delete(None).await.expect("delete it");
    daytona.snapshot().delete(&snap).await.expect("delete the snapshot");

    // Paused: the toolbox answers nothing until a start resumes it, with what ran kept.
    process.exec("nohup sleep 4321 >/dev/null 2>&1 &", None, None, None).await.expect("background sleep");
    sandbox.pause(None).await.expect("pause");
    assert_eq!(sandbox.state(), SandboxState::Paused);
    let err = process.exec("true", None, None, None).await.expect_err("exec on a paused sandbox");
    assert_eq!(err.kind(), ErrorKind::BadRequest, "{err}");
    sandbox.start(None).await.expect("resume");
    assert_eq!(sandbox.state(), SandboxState::Started);
    let out = process.exec("pgrep -c -f 'sleep 4321'", None, None, None).await.expect("exec after resume");
    assert_eq!(out.result, "1\n", "the paused process lived on");

    sandbox.stop(None, false).await.expect("stop");
    assert_eq!(sandbox.state(), SandboxState::Stopped);
    let err = process.exec("true", None, None, None).await.expect_err("exec on a stopped sandbox");
    assert_eq!(err.kind(), ErrorKind::BadRequest, "{err}");

    sandbox.archive().await.expect("archive");
    assert_eq!(sandbox.state(), SandboxState::Archived);
    sandbox.start(None).await.expect("start from archive");
    assert_eq!(sandbox.state(), SandboxState::Started);
    let out = process.exec("ls sub && echo still-here", None, None, None).await.expect("exec after restore");
    assert_eq!(out.result, "still-here\n", "files survive stop/archive/start");

    sandbox.delete(None).await.expect("delete");
    let err = daytona.get(&sandbox.id()).await.expect_err("deleted sandbox is gone");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.status_code(), Some(404));
}

#[wasm_bindgen_test]
async fn errors_are_typed() {
    let daytona = common::daytona();
    let err = daytona.get("no-such-sandbox").await.expect_err("unknown sandbox");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(err.to_string().contains("no-such-sandbox"), "{err}");

    let wrong = Daytona::new(DaytonaConfig::with_api_key(common::API_URL, "wrong-key")).expect("config");
    let err = wrong.get("anything").await.expect_err("wrong key");
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.status_code(), Some(401));

    let err = Daytona::new(DaytonaConfig::default()).expect_err("no credentials");
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);

    let err = daytona
        .create(CreateSandboxParams { name: Some("bad name!".into()), ..Default::default() }, None)
        .await
        .expect_err("invalid name");
    assert_eq!(err.kind(), ErrorKind::BadRequest);
}

#[wasm_bindgen_test]
async fn exec_timeout_and_resize() {
    let daytona = common::daytona();
    let sandbox = daytona.create(CreateSandboxParams::default(), None).await.expect("create");
    let err = sandbox.process().exec("sleep 30", None, None, Some(1)).await.expect_err("timeout");
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
    assert_eq!(err.code(), Some("PROCESS_EXECUTION_TIMEOUT"));
    let out = sandbox.process().exec("echo alive", None, None, None).await.expect("sandbox still serves");
    assert_eq!(out.result, "alive\n");

    // The test server runs as root with cgroups (as CI does): the resize must apply, live.
    sandbox
        .resize(ResizeSandbox { cpu: Some(2), memory: Some(2), disk: None }, Some(Duration::from_secs(30)))
        .await
        .expect("resize");
    assert_eq!((sandbox.data().cpu, sandbox.data().memory), (2, 2));
    // 1.5 GiB fits under the new 2 GiB limit (the server tests show it does not under 1 GiB).
    let out = sandbox
        .process()
        .exec("python3 -c \"b = b'x' * (1536 << 20); print(len(b))\"", None, None, Some(60))
        .await
        .expect("allocate");
    assert_eq!((out.exit_code, out.result.as_str()), (0, "1610612736\n"));
    sandbox.delete(None).await.expect("delete");
}

#[wasm_bindgen_test]
async fn the_event_socket_pushes_creation_and_state_changes() {
    use daytona_wasm::SandboxEvent;
    let daytona = common::daytona();
    let mut events = daytona.events().await.expect("event socket");
    let name = common::unique("evt");
    let sandbox = daytona
        .create(CreateSandboxParams { name: Some(name.clone()), ..Default::default() }, None)
        .await
        .expect("create");
    daytona.stop(&sandbox, None).await.expect("stop");
    // Other tests run alongside: keep only this sandbox's events, in order.
    let mut seen = Vec::new();
    while seen.last() != Some(&"stopped".to_owned()) {
        let event = events.next().await.expect("socket open");
        if event.sandbox().map(|dto| &dto.id) != Some(&sandbox.id()) {
            continue;
        }
        seen.push(match event {
            SandboxEvent::Created(dto) => format!("created {}", dto.name),
            SandboxEvent::StateUpdated { new_state, .. } => new_state.as_str().to_owned(),
            SandboxEvent::Other(name) => unreachable!("{name} is about no sandbox"),
        });
    }
    assert_eq!(seen, [format!("created {name}"), "started".into(), "stopping".into(), "stopped".into()]);
    daytona.delete(&sandbox, None).await.expect("delete");

    let wrong = Daytona::new(DaytonaConfig::with_api_key(daytona.api_url(), "not-the-key")).expect("client");
    let err = wrong.events().await.err().expect("a wrong key is refused");
    assert_eq!(err.kind(), ErrorKind::Authentication, "{err}");
}
