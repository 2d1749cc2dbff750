//! `CreateSandboxParams`: what `Daytona::create` takes, with the official SDKs' defaults.

use std::collections::BTreeMap;

use daytona_models::{CreateSandbox, SandboxVolume};
use serde::{Deserialize, Serialize};

/// Label the official SDKs use to pick the language of `codeRun`.
pub const CODE_TOOLBOX_LANGUAGE_LABEL: &str = "code-toolbox-language";

/// Resources of a new sandbox (`Resources` in `@daytonaio/sdk`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    /// CPU cores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub cpu: Option<i64>,
    /// Memory in GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub memory: Option<i64>,
    /// Disk in GiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub disk: Option<i64>,
}

/// Parameters of `Daytona::create` (`CreateSandboxFromSnapshotParams` in `@daytonaio/sdk`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, tsify::Tsify)]
#[serde(rename_all = "camelCase")]
#[tsify(hashmap_as_object)]
pub struct CreateSandboxParams {
    /// Unique name (defaults to the id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub name: Option<String>,
    /// OS user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub user: Option<String>,
    /// Language of `codeRun`: `python` (default), `typescript` or `javascript`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub language: Option<String>,
    /// Environment variables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub env_vars: Option<BTreeMap<String, String>>,
    /// Labels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub labels: Option<BTreeMap<String, String>>,
    /// Public preview URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub public: Option<bool>,
    /// Minutes of inactivity before auto-stop (0 = never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub auto_stop_interval: Option<i64>,
    /// Minutes stopped before auto-archive.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub auto_archive_interval: Option<i64>,
    /// Minutes stopped before auto-delete (negative = never, 0 = on stop).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub auto_delete_interval: Option<i64>,
    /// Minutes from creation after which the sandbox is destroyed whatever its state (0 = never).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub ttl_minutes: Option<i64>,
    /// Volumes to mount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub volumes: Option<Vec<SandboxVolume>>,
    /// Block all network access.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub network_block_all: Option<bool>,
    /// Allowed CIDRs, comma separated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub network_allow_list: Option<String>,
    /// Delete the sandbox as soon as it stops (`autoDeleteInterval: 0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub ephemeral: Option<bool>,
    /// Snapshot id or name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub snapshot: Option<String>,
    /// CPU, memory and disk.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[tsify(optional)]
    pub resources: Option<Resources>,
}

impl CreateSandboxParams {
    /// Its fields' names in JS (what `create` accepts; anything else is refused).
    pub const FIELDS: [&'static str; 16] = [
        "name",
        "user",
        "language",
        "envVars",
        "labels",
        "public",
        "autoStopInterval",
        "autoArchiveInterval",
        "autoDeleteInterval",
        "ttlMinutes",
        "volumes",
        "networkBlockAll",
        "networkAllowList",
        "ephemeral",
        "snapshot",
        "resources",
    ];

    /// The `POST /sandbox` body, as the official SDKs build it.
    pub(crate) fn to_wire(&self, target: Option<&str>) -> Result<CreateSandbox, crate::DaytonaError> {
        for (what, v) in [
            ("autoStopInterval", self.auto_stop_interval),
            ("autoArchiveInterval", self.auto_archive_interval),
            ("ttlMinutes", self.ttl_minutes),
        ] {
            if v.is_some_and(|v| v < 0) {
                return Err(crate::DaytonaError::InvalidArgument(format!("{what} must be a non-negative integer")));
            }
        }
        let mut labels = self.labels.clone().unwrap_or_default();
        let language = self.language.clone().unwrap_or_else(|| "python".into());
        if !["python", "typescript", "javascript"].contains(&language.as_str()) {
            return Err(crate::DaytonaError::InvalidArgument(format!(
                "unsupported language {}",
                daytona_models::Quoted(&language)
            )));
        }
        labels.insert(CODE_TOOLBOX_LANGUAGE_LABEL.into(), language);
        let auto_delete = if self.ephemeral == Some(true) { Some(0) } else { self.auto_delete_interval };
        let resources = self.resources.clone().unwrap_or_default();
        Ok(CreateSandbox {
            name: self.name.clone(),
            snapshot: self.snapshot.clone(),
            user: self.user.clone(),
            env: Some(self.env_vars.clone().unwrap_or_default()),
            labels: Some(labels),
            public: self.public,
            network_block_all: self.network_block_all,
            network_allow_list: self.network_allow_list.clone(),
            kvm: None,
            target: target.map(str::to_owned),
            cpu: resources.cpu,
            gpu: None,
            memory: resources.memory,
            disk: resources.disk,
            auto_stop_interval: self.auto_stop_interval,
            auto_archive_interval: self.auto_archive_interval,
            auto_delete_interval: auto_delete,
            ttl_minutes: self.ttl_minutes,
            volumes: self.volumes.clone(),
            build_info: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

    #[test]
    fn the_js_field_list_is_the_params_serde_names() {
        let full = CreateSandboxParams {
            name: Some("n".into()),
            user: Some("u".into()),
            language: Some("python".into()),
            env_vars: Some(BTreeMap::new()),
            labels: Some(BTreeMap::new()),
            public: Some(true),
            auto_stop_interval: Some(1),
            auto_archive_interval: Some(1),
            auto_delete_interval: Some(1),
            ttl_minutes: Some(1),
            volumes: Some(Vec::new()),
            network_block_all: Some(true),
            network_allow_list: Some("10.0.0.0/8".into()),
            ephemeral: Some(true),
            snapshot: Some("s".into()),
            resources: Some(Resources::default()),
        };
        let json = serde_json::to_value(&full).unwrap();
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut fields = CreateSandboxParams::FIELDS.to_vec();
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
    }
}
