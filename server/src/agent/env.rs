//! `POST /env`: changes to the environment of what the agent starts from now on (commands,
//! sessions, terminals, kernels…); running processes keep theirs. The changes are kept as an
//! overlay on the agent's own environment and applied to each process as it is started
//! ([`apply`], from `workload::spawn`), never by changing the agent's process environment
//! (which its threads read concurrently). A variable a request sets for its own command wins.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Json;
use daytona_models::UpdateEnvRequest;
use parking_lot::RwLock;

use super::error::ToolboxError;
use super::extract::ToolboxJson;

/// Per variable: its new value, or `None` for removed.
static OVERLAY: RwLock<BTreeMap<String, Option<String>>> = RwLock::new(BTreeMap::new());

/// How many changes the overlay has had (a process started at one version has the
/// environment of that version).
static VERSION: AtomicU64 = AtomicU64::new(0);

/// The environment's version now: it moves with every `POST /env`.
pub fn version() -> u64 {
    VERSION.load(Ordering::Acquire)
}

/// The environment a process started now inherits.
fn effective() -> BTreeMap<String, String> {
    let mut env: BTreeMap<String, String> = std::env::vars().collect();
    for (k, v) in OVERLAY.read().iter() {
        match v {
            Some(v) => env.insert(k.clone(), v.clone()),
            None => env.remove(k),
        };
    }
    env
}

/// Applies the overlay to `cmd`, except for the variables `cmd` sets or removes itself.
pub fn apply(cmd: &mut std::process::Command) {
    let own: Vec<std::ffi::OsString> = cmd.get_envs().map(|(k, _)| k.to_owned()).collect();
    for (k, v) in OVERLAY.read().iter() {
        if own.iter().any(|o| o == k.as_str()) {
            continue;
        }
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
}

/// Handler of `POST /env`: the environment after the change.
pub async fn update(
    ToolboxJson(req): ToolboxJson<UpdateEnvRequest>,
) -> Result<Json<BTreeMap<String, String>>, ToolboxError> {
    let set = req.set.unwrap_or_default();
    let unset = req.unset.unwrap_or_default();
    if let Some(bad) = set.keys().chain(&unset).find(|k| !daytona_models::is_env_name(k)) {
        return Err(ToolboxError::BadRequest(format!("invalid environment variable name: {bad:?}")));
    }
    if let Some((k, _)) = set.iter().find(|(_, v)| v.contains('\0')) {
        return Err(ToolboxError::BadRequest(format!("the value of {k} contains a NUL byte")));
    }
    let mut overlay = OVERLAY.write();
    for k in unset {
        overlay.insert(k, None);
    }
    if let Some(prefix) = req.unset_value_prefix.filter(|p| !p.is_empty()) {
        drop(overlay);
        let doomed: Vec<String> = effective()
            .into_iter()
            .filter(|(k, v)| v.starts_with(&prefix) && !set.contains_key(k))
            .map(|(k, _)| k)
            .collect();
        overlay = OVERLAY.write();
        for k in doomed {
            overlay.insert(k, None);
        }
    }
    for (k, v) in set {
        overlay.insert(k, Some(v));
    }
    VERSION.fetch_add(1, Ordering::AcqRel);
    drop(overlay);
    Ok(Json(effective()))
}
