//! `GET /sandbox`: filters, sorting and cursor pagination.

use std::collections::BTreeMap;

use daytona_models::{SandboxSortField, SandboxState, SortOrder};

use crate::app::error::ApiError;
use crate::store::record::SandboxRecord;

/// A parsed listing query (repeated keys for arrays, JSON for labels).
#[derive(Default)]
pub struct ListFilter {
    offset: usize,
    limit: usize,
    id_prefix: Option<String>,
    name_prefix: Option<String>,
    labels: BTreeMap<String, String>,
    states: Vec<SandboxState>,
    sort: SandboxSortField,
    order: SortOrder,
}

fn parse_enum<T: serde::de::DeserializeOwned>(what: &str, v: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(v.to_owned()))
        .map_err(|_| ApiError::BadRequest(format!("invalid {what}: {v:?}")))
}

impl ListFilter {
    /// Parses the raw query string.
    pub fn parse(query: Option<&str>) -> Result<Self, ApiError> {
        let mut f = Self { limit: 100, ..Self::default() };
        for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            match k.as_ref() {
                "cursor" if !v.is_empty() => {
                    f.offset = v.parse().map_err(|_| ApiError::BadRequest(format!("invalid cursor: {v:?}")))?;
                }
                "limit" => {
                    f.limit = v.parse().ok().filter(|l| (1..=200).contains(l)).ok_or_else(|| {
                        ApiError::BadRequest(format!("limit must be an integer between 1 and 200, got {v:?}"))
                    })?;
                }
                "id" => f.id_prefix = Some(v.to_lowercase()),
                "name" => f.name_prefix = Some(v.to_lowercase()),
                "labels" => {
                    f.labels = serde_json::from_str(&v).map_err(|_| {
                        ApiError::BadRequest(format!("labels must be a JSON object of strings, got {v:?}"))
                    })?;
                }
                "states" => {
                    for s in v.split(',').filter(|s| !s.is_empty()) {
                        f.states.push(parse_enum("state", s)?);
                    }
                }
                "sort" => f.sort = parse_enum("sort field", &v)?,
                "order" => f.order = parse_enum("sort order", &v)?,
                _ => {}
            }
        }
        Ok(f)
    }

    fn matches(&self, r: &SandboxRecord) -> bool {
        let state = r.state();
        state != SandboxState::Destroyed
            && self.id_prefix.as_ref().is_none_or(|p| r.dto.id.to_lowercase().starts_with(p))
            && self.name_prefix.as_ref().is_none_or(|p| r.dto.name.to_lowercase().starts_with(p.as_str()))
            && self.labels.iter().all(|(k, v)| r.dto.labels.get(k) == Some(v))
            && (self.states.is_empty() || self.states.contains(&state))
    }

    /// One page of the matching records and the next cursor.
    pub fn apply(&self, mut all: Vec<SandboxRecord>) -> (Vec<SandboxRecord>, Option<String>) {
        all.retain(|r| self.matches(r));
        all.sort_by(|a, b| {
            let ord = match self.sort {
                SandboxSortField::Name => a.dto.name.cmp(&b.dto.name),
                SandboxSortField::Cpu => a.dto.cpu.cmp(&b.dto.cpu),
                SandboxSortField::MemoryGib => a.dto.memory.cmp(&b.dto.memory),
                SandboxSortField::DiskGib => a.dto.disk.cmp(&b.dto.disk),
                SandboxSortField::LastActivityAt => a.last_activity_ms.cmp(&b.last_activity_ms),
                SandboxSortField::CreatedAt => a.created_ms.cmp(&b.created_ms),
            }
            .then_with(|| a.dto.id.cmp(&b.dto.id));
            match self.order {
                SortOrder::Asc => ord,
                SortOrder::Desc => ord.reverse(),
            }
        });
        let total = all.len();
        let page: Vec<_> = all.into_iter().skip(self.offset).take(self.limit).collect();
        let next = self.offset + page.len();
        let cursor = (next < total).then(|| next.to_string());
        (page, cursor)
    }
}
