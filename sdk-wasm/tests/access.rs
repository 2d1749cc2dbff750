//! SSH access, numbered listing, public previews, metrics and network rules through the Rust face, against a
//! live daytona-local in headless Chromium.

mod common;

use std::collections::BTreeMap;

use daytona_wasm::models::{ListSandboxesQuery, NetworkSettings};
use daytona_wasm::{CreateSandboxParams, ErrorKind};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn ssh_access_numbered_pages_public_and_metrics() {
    let daytona = common::daytona();
    let run = common::unique("access");
    let labels: BTreeMap<String, String> = [("run".to_owned(), run.clone())].into();
    let mut made = Vec::new();
    for _ in 0..3 {
        let params = CreateSandboxParams { labels: Some(labels.clone()), ..Default::default() };
        made.push(daytona.create(params, None).await.expect("create"));
    }
    let sandbox = made[0].clone();

    // SSH access: made, valid for its own sandbox, revoked.
    let access = sandbox.create_ssh_access(Some(5)).await.expect("ssh access");
    assert_eq!(access.sandbox_id, sandbox.id());
    assert!(access.ssh_command.starts_with("ssh ") && access.ssh_command.contains(&access.token), "{access:?}");
    let valid = daytona.validate_ssh_access(&access.token).await.expect("validate");
    assert!(valid.valid && valid.sandbox_id == sandbox.id());
    sandbox.revoke_ssh_access(Some(&access.token)).await.expect("revoke");
    assert!(!daytona.validate_ssh_access(&access.token).await.expect("validate").valid);
    let err = sandbox.revoke_ssh_access(Some("not-a-token")).await.expect_err("unknown token");
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let err = sandbox.create_ssh_access(Some(0)).await.expect_err("zero minutes");
    assert_eq!(err.kind(), ErrorKind::BadRequest);

    // Numbered pages count every match.
    let query = ListSandboxesQuery { labels: Some(labels.clone()), ..Default::default() };
    let first = daytona.list_numbered(&query, 1, 2).await.expect("page 1");
    let second = daytona.list_numbered(&query, 2, 2).await.expect("page 2");
    assert_eq!((first.total, first.total_pages, first.page, second.page), (3, 2, 1, 2));
    let mut ids: Vec<String> = first.items.iter().chain(&second.items).map(|s| s.id()).collect();
    ids.sort();
    let mut expected: Vec<String> = made.iter().map(|s| s.id()).collect();
    expected.sort();
    assert_eq!(ids, expected);

    // Public previews, and the metrics of the sandbox's own limits.
    sandbox.set_public(true).await.expect("public");
    assert!(sandbox.data().public);
    let m = sandbox.get_metrics_latest().await.expect("metrics");
    assert_eq!(m.cpu_count as i64, sandbox.data().cpu);
    assert_eq!(m.mem_total, (sandbox.data().memory as u64) << 30);
    assert!(m.disk_total > 0 && m.disk_used + m.disk_free <= m.disk_total, "{m:?}");
    // The history (the suite's server samples every second), oldest first.
    let mut samples = Vec::new();
    for _ in 0..20 {
        samples = sandbox.get_metrics(None, None).await.expect("metrics history");
        if samples.len() >= 2 {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(500).await;
    }
    assert!(samples.len() >= 2, "{samples:?}");
    assert!(samples.windows(2).all(|w| w[0].timestamp < w[1].timestamp), "{samples:?}");
    let last = samples.last().unwrap();
    assert_eq!(
        (last.cpu_count, last.mem_total),
        (sandbox.data().cpu as f64, ((sandbox.data().memory as u64) << 30) as f64)
    );
    let none = sandbox.get_metrics(Some("2020-01-01T00:00:00Z"), Some("2020-01-02T00:00:00Z")).await.expect("window");
    assert!(none.is_empty(), "{none:?}");
    let refused = sandbox.get_metrics(Some("yesterday"), None).await.expect_err("a bad time");
    assert_eq!(refused.kind(), ErrorKind::BadRequest, "{refused:?}");

    // Network rules of the running sandbox: an allow list set and read back with its data,
    // a list that is not CIDRs refused.
    let rules = NetworkSettings { network_allow_list: Some("10.0.0.0/8".into()), ..Default::default() };
    sandbox.update_network_settings(rules).await.expect("network settings");
    assert_eq!(sandbox.data().network_allow_list.as_deref(), Some("10.0.0.0/8"));
    let bad = NetworkSettings { network_allow_list: Some("10.0.0.0".into()), ..Default::default() };
    let refused = sandbox.update_network_settings(bad).await.expect_err("not a CIDR");
    assert_eq!(refused.kind(), ErrorKind::BadRequest, "{refused:?}");

    for s in made {
        s.delete(None).await.expect("delete");
    }
}
