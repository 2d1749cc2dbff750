//! `GET /sandbox`: the listing's query (filters, sort, cursor) and its page.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::{Sandbox, SandboxState};

/// Answer of `GET /sandbox` (cursor pagination).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ListSandboxesResponse {
    /// One page of sandboxes.
    pub items: Vec<Sandbox>,
    /// Cursor of the next page; `null` on the last page.
    #[serde(default)]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub next_cursor: Option<String>,
}

/// Field to sort a sandbox listing by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub enum SandboxSortField {
    /// By name.
    Name,
    /// By CPU cores.
    Cpu,
    /// By memory.
    MemoryGib,
    /// By disk.
    DiskGib,
    /// By last activity.
    LastActivityAt,
    /// By creation time (the default).
    #[default]
    CreatedAt,
}

/// Sort direction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Ascending.
    Asc,
    /// Descending (the default).
    #[default]
    Desc,
}

/// Query of `GET /sandbox`. Arrays go on the wire as repeated keys; `labels` as a
/// JSON-encoded object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[cfg_attr(feature = "ts", tsify(hashmap_as_object))]
pub struct ListSandboxesQuery {
    /// Cursor from a previous page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub limit: Option<u32>,
    /// Id prefix (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub id: Option<String>,
    /// Name prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub name: Option<String>,
    /// Labels every listed sandbox must carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub labels: Option<BTreeMap<String, String>>,
    /// Only these states.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub states: Option<Vec<SandboxState>>,
    /// Sort field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub sort: Option<SandboxSortField>,
    /// Sort direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub order: Option<SortOrder>,
}

impl ListSandboxesQuery {
    /// The query as `(key, value)` pairs in Daytona's wire form.
    pub fn to_pairs(&self) -> Vec<(String, String)> {
        let mut pairs = Vec::new();
        let mut push = |k: &str, v: String| pairs.push((k.to_owned(), v));
        if let Some(c) = &self.cursor {
            push("cursor", c.clone());
        }
        if let Some(l) = self.limit {
            push("limit", l.to_string());
        }
        if let Some(i) = &self.id {
            push("id", i.clone());
        }
        if let Some(n) = &self.name {
            push("name", n.clone());
        }
        if let Some(l) = &self.labels {
            push("labels", serde_json::to_string(l).unwrap_or_default());
        }
        for s in self.states.iter().flatten() {
            push("states", s.as_str().to_owned());
        }
        if let Some(s) = self.sort {
            push("sort", enum_str(&s));
        }
        if let Some(o) = self.order {
            push("order", enum_str(&o));
        }
        pairs
    }
}

fn enum_str<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}
