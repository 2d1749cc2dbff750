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

/// Answer of `GET /sandbox/paginated` (numbered pages, `PaginatedSandboxes`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct PaginatedSandboxes {
    /// The sandboxes on this page.
    pub items: Vec<Sandbox>,
    /// How many match in all.
    pub total: u64,
    /// This page's number (from 1).
    pub page: u64,
    /// How many pages there are.
    pub total_pages: u64,
}

wire_enum! {
    /// Field to sort a sandbox listing by.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    #[cfg_attr(feature = "ts", derive(tsify::Tsify), serde(rename_all = "camelCase"))]
    pub enum SandboxSortField ("sort field") {
        /// By name.
        Name = "name",
        /// By CPU cores.
        Cpu = "cpu",
        /// By memory.
        MemoryGib = "memoryGib",
        /// By disk.
        DiskGib = "diskGib",
        /// By last activity.
        LastActivityAt = "lastActivityAt",
        /// By creation time (the default).
        #[default]
        CreatedAt = "createdAt",
    }
}

wire_enum! {
    /// Sort direction.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    #[cfg_attr(feature = "ts", derive(tsify::Tsify), serde(rename_all = "lowercase"))]
    pub enum SortOrder ("sort order") {
        /// Ascending.
        Asc = "asc",
        /// Descending (the default).
        #[default]
        Desc = "desc",
    }
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
    /// Its fields' names on the wire (what a JS caller may pass; anything else is refused).
    pub const FIELDS: [&'static str; 8] = ["cursor", "limit", "id", "name", "labels", "states", "sort", "order"];

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
            push("labels", json_object(l));
        }
        for s in self.states.iter().flatten() {
            push("states", s.as_str().to_owned());
        }
        if let Some(s) = self.sort {
            push("sort", s.as_str().to_owned());
        }
        if let Some(o) = self.order {
            push("order", o.as_str().to_owned());
        }
        pairs
    }
}

/// `map` as a JSON object (written here so the browser SDK carries no JSON serializer).
fn json_object(map: &std::collections::BTreeMap<String, String>) -> String {
    fn string(out: &mut String, s: &str) {
        use std::fmt::Write;
        out.push('"');
        for c in s.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if (c as u32) < 0x20 => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
    let mut out = String::from("{");
    for (i, (k, v)) in map.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        string(&mut out, k);
        out.push(':');
        string(&mut out, v);
    }
    out.push('}');
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::SandboxState;

    #[test]
    fn labels_are_the_json_serde_json_writes() {
        let tricky: BTreeMap<String, String> =
            [("plain", "v"), ("quote\"back\\slash", "line\nbreak\ttab\rret"), ("ctl\u{1}", "é ✓ 😀"), ("", "")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
        for map in [BTreeMap::new(), tricky] {
            assert_eq!(json_object(&map), serde_json::to_string(&map).unwrap());
            let back: BTreeMap<String, String> = serde_json::from_str(&json_object(&map)).unwrap();
            assert_eq!(back, map);
        }
    }

    #[test]
    fn wire_spellings_match_serde() {
        for field in [
            SandboxSortField::Name,
            SandboxSortField::Cpu,
            SandboxSortField::MemoryGib,
            SandboxSortField::DiskGib,
            SandboxSortField::LastActivityAt,
            SandboxSortField::CreatedAt,
        ] {
            assert_eq!(serde_json::to_value(field).unwrap(), field.as_str());
        }
        for order in [SortOrder::Asc, SortOrder::Desc] {
            assert_eq!(serde_json::to_value(order).unwrap(), order.as_str());
        }
        for state in SandboxState::ALL {
            assert_eq!(serde_json::to_value(state).unwrap(), state.as_str());
            assert_eq!(SandboxState::parse(state.as_str()), Some(state));
        }
        assert_eq!(SandboxState::parse("nonsense"), None);
    }

    #[test]
    fn the_field_names_are_the_wire_names() {
        let full = ListSandboxesQuery {
            cursor: Some("c".into()),
            limit: Some(1),
            id: Some("i".into()),
            name: Some("n".into()),
            labels: Some(BTreeMap::new()),
            states: Some(vec![]),
            sort: Some(SandboxSortField::Name),
            order: Some(SortOrder::Asc),
        };
        let json = serde_json::to_value(&full).unwrap();
        let mut keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
        let mut fields = ListSandboxesQuery::FIELDS.to_vec();
        keys.sort_unstable();
        fields.sort_unstable();
        assert_eq!(keys, fields);
    }
}
