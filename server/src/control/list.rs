//! `GET /sandbox` (cursor pages) and `GET /sandbox/paginated` (numbered pages): every filter
//! of Daytona's listing, sorting, and a 400 for a parameter that is not one of them.

use std::collections::BTreeMap;

use daytona_models::{SandboxDesiredState, SandboxState, SortOrder};

use crate::app::error::ApiError;
use crate::app::extract::parse_bool;
use crate::store::record::SandboxRecord;

/// Which of the two listings a query is for.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Paging {
    /// `GET /sandbox`: `cursor` and `nextCursor`.
    Cursor,
    /// `GET /sandbox/paginated`: `page`, `total` and `totalPages`.
    Numbered,
}

/// What a listing sorts by (the union of both listings' fields).
#[derive(Clone, Copy, Default)]
enum SortKey {
    Id,
    Name,
    State,
    Snapshot,
    Region,
    Cpu,
    Memory,
    Disk,
    UpdatedAt,
    LastActivityAt,
    #[default]
    CreatedAt,
}

impl SortKey {
    fn parse(paging: Paging, v: &str) -> Result<Self, ApiError> {
        let key = match (paging, v) {
            (_, "name") => Self::Name,
            (_, "createdAt") => Self::CreatedAt,
            (_, "lastActivityAt") => Self::LastActivityAt,
            (Paging::Cursor, "cpu") => Self::Cpu,
            (Paging::Cursor, "memoryGib") => Self::Memory,
            (Paging::Cursor, "diskGib") => Self::Disk,
            (Paging::Numbered, "id") => Self::Id,
            (Paging::Numbered, "state") => Self::State,
            (Paging::Numbered, "snapshot") => Self::Snapshot,
            (Paging::Numbered, "region") => Self::Region,
            (Paging::Numbered, "updatedAt") => Self::UpdatedAt,
            _ => {
                let valid = match paging {
                    Paging::Cursor => "name, cpu, memoryGib, diskGib, lastActivityAt, createdAt",
                    Paging::Numbered => "id, name, state, snapshot, region, updatedAt, createdAt, lastActivityAt",
                };
                return Err(ApiError::BadRequest(format!("invalid sort field {v:?} (one of {valid})")));
            }
        };
        Ok(key)
    }
}

/// An inclusive range of a number (`minCpu`/`maxCpu`, …).
#[derive(Default)]
struct Range {
    min: Option<f64>,
    max: Option<f64>,
}

impl Range {
    fn contains(&self, v: i64) -> bool {
        let v = v as f64;
        self.min.is_none_or(|m| v >= m) && self.max.is_none_or(|m| v <= m)
    }
}

/// A time window (`createdAtAfter`/`createdAtBefore`, …), ms since the epoch, both ends open.
#[derive(Default)]
struct Window {
    after: Option<i64>,
    before: Option<i64>,
}

impl Window {
    fn is_set(&self) -> bool {
        self.after.is_some() || self.before.is_some()
    }

    /// Whether `t` is inside; a record without that time is outside any window that is set.
    fn contains(&self, t: Option<i64>) -> bool {
        match t {
            Some(t) => self.after.is_none_or(|a| t > a) && self.before.is_none_or(|b| t < b),
            None => !self.is_set(),
        }
    }
}

/// A parsed listing query (repeated keys or commas for arrays, JSON for labels).
pub struct ListFilter {
    paging: Paging,
    /// First item of the page (the cursor, or `(page - 1) × limit`).
    offset: usize,
    limit: usize,
    id_prefix: Option<String>,
    name_prefix: Option<String>,
    labels: BTreeMap<String, String>,
    states: Vec<SandboxState>,
    snapshots: Vec<String>,
    regions: Vec<String>,
    classes: Vec<String>,
    cpu: Range,
    memory: Range,
    disk: Range,
    gpu: Range,
    public: Option<bool>,
    recoverable: Option<bool>,
    include_errored_deleted: bool,
    created: Window,
    last_event: Window,
    auto_destroy: Window,
    sort: SortKey,
    order: SortOrder,
}

/// A page of the listing.
pub struct Page {
    /// The sandboxes on it.
    pub items: Vec<SandboxRecord>,
    /// How many match in all.
    pub total: usize,
    /// The cursor of the next page (cursor listing).
    pub next_cursor: Option<String>,
    /// The page's number, from 1 (numbered listing).
    pub page: usize,
    /// How many pages there are (numbered listing).
    pub total_pages: usize,
}

fn bad(what: &str, v: &str, expected: &str) -> ApiError {
    ApiError::BadRequest(format!("invalid {what} {v:?}: expected {expected}"))
}

fn parse_number(key: &str, v: &str) -> Result<f64, ApiError> {
    v.parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 0.0).ok_or_else(|| bad(key, v, "a number ≥ 0"))
}

/// An ISO 8601 date and time: RFC 3339, or with an offset without its colon (`+0000`, as
/// Python's generated clients send), or without an offset (UTC).
pub(super) fn parse_time(key: &str, v: &str) -> Result<i64, ApiError> {
    chrono::DateTime::parse_from_rfc3339(v)
        .or_else(|_| chrono::DateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f%z"))
        .map(|t| t.timestamp_millis())
        .or_else(|_| {
            chrono::NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S%.f").map(|t| t.and_utc().timestamp_millis())
        })
        .map_err(|_| bad(key, v, "an ISO 8601 date and time, e.g. 2026-01-01T00:00:00Z"))
}

fn parse_time_of(iso: Option<&str>) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(iso?).ok().map(|t| t.timestamp_millis())
}

fn parse_enum<T: serde::de::DeserializeOwned>(what: &str, v: &str) -> Result<T, ApiError> {
    serde_json::from_value(serde_json::Value::String(v.to_owned()))
        .map_err(|_| ApiError::BadRequest(format!("invalid {what}: {v:?}")))
}

/// The values of an array parameter: each repetition, split at commas.
pub(super) fn items(v: &str) -> impl Iterator<Item = &str> {
    v.split(',').map(str::trim).filter(|s| !s.is_empty())
}

impl ListFilter {
    /// Parses the raw query string of a listing.
    pub fn parse(paging: Paging, query: Option<&str>) -> Result<Self, ApiError> {
        let mut f = Self {
            paging,
            offset: 0,
            limit: 100,
            id_prefix: None,
            name_prefix: None,
            labels: BTreeMap::new(),
            states: Vec::new(),
            snapshots: Vec::new(),
            regions: Vec::new(),
            classes: Vec::new(),
            cpu: Range::default(),
            memory: Range::default(),
            disk: Range::default(),
            gpu: Range::default(),
            public: None,
            recoverable: None,
            include_errored_deleted: false,
            created: Window::default(),
            last_event: Window::default(),
            auto_destroy: Window::default(),
            sort: SortKey::default(),
            order: SortOrder::default(),
        };
        let mut page = 1usize;
        for (k, v) in form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let (k, v) = (k.as_ref(), v.as_ref());
            match k {
                "cursor" if paging == Paging::Cursor => {
                    if !v.is_empty() {
                        f.offset = v.parse().map_err(|_| ApiError::BadRequest(format!("invalid cursor: {v:?}")))?;
                    }
                }
                "page" if paging == Paging::Numbered => {
                    page = v.parse().ok().filter(|p| *p >= 1).ok_or_else(|| bad("page", v, "an integer ≥ 1"))?;
                }
                "limit" => {
                    f.limit = v.parse().ok().filter(|l| (1..=200).contains(l)).ok_or_else(|| {
                        ApiError::BadRequest(format!("limit must be an integer between 1 and 200, got {v:?}"))
                    })?;
                }
                "id" => f.id_prefix = Some(v.to_lowercase()),
                "name" => f.name_prefix = Some(v.to_lowercase()),
                "labels" => {
                    f.labels = serde_json::from_str(v).map_err(|_| {
                        ApiError::BadRequest(format!("labels must be a JSON object of strings, got {v:?}"))
                    })?;
                }
                "states" => {
                    for s in items(v) {
                        f.states.push(parse_enum("state", s)?);
                    }
                }
                "snapshots" => f.snapshots.extend(items(v).map(str::to_owned)),
                "regionIds" | "regions" => f.regions.extend(items(v).map(str::to_owned)),
                "sandboxClasses" => {
                    for c in items(v) {
                        if !["container", "linux-vm", "windows", "android"].contains(&c) {
                            return Err(bad(k, c, "container, linux-vm, windows or android"));
                        }
                        f.classes.push(c.to_owned());
                    }
                }
                "minCpu" => f.cpu.min = Some(parse_number(k, v)?),
                "maxCpu" => f.cpu.max = Some(parse_number(k, v)?),
                "minMemoryGiB" => f.memory.min = Some(parse_number(k, v)?),
                "maxMemoryGiB" => f.memory.max = Some(parse_number(k, v)?),
                "minDiskGiB" => f.disk.min = Some(parse_number(k, v)?),
                "maxDiskGiB" => f.disk.max = Some(parse_number(k, v)?),
                "minGpu" => f.gpu.min = Some(parse_number(k, v)?),
                "maxGpu" => f.gpu.max = Some(parse_number(k, v)?),
                "isPublic" => f.public = Some(parse_bool(k, v)?),
                "isRecoverable" => f.recoverable = Some(parse_bool(k, v)?),
                "includeErroredDeleted" => f.include_errored_deleted = parse_bool(k, v)?,
                // daytona-local keeps no warm pool: there is never a warm sandbox to include.
                "includeWarm" if paging == Paging::Cursor => {
                    parse_bool(k, v)?;
                }
                "createdAtAfter" if paging == Paging::Cursor => f.created.after = Some(parse_time(k, v)?),
                "createdAtBefore" if paging == Paging::Cursor => f.created.before = Some(parse_time(k, v)?),
                "lastEventAfter" => f.last_event.after = Some(parse_time(k, v)?),
                "lastEventBefore" => f.last_event.before = Some(parse_time(k, v)?),
                "autoDestroyAtAfter" if paging == Paging::Cursor => f.auto_destroy.after = Some(parse_time(k, v)?),
                "autoDestroyAtBefore" if paging == Paging::Cursor => f.auto_destroy.before = Some(parse_time(k, v)?),
                "sort" => f.sort = SortKey::parse(paging, v)?,
                "order" => f.order = parse_enum("sort order", v)?,
                _ => {
                    let hint = match (paging, k) {
                        (Paging::Numbered, "cursor") => " (cursors are GET /sandbox's; this listing takes `page`)",
                        (Paging::Cursor, "page") => {
                            " (numbered pages are GET /sandbox/paginated's; this one takes `cursor`)"
                        }
                        _ => "",
                    };
                    return Err(ApiError::BadRequest(format!("unknown query parameter {k:?}{hint}")));
                }
            }
        }
        if paging == Paging::Numbered {
            f.offset = (page - 1).saturating_mul(f.limit);
        }
        Ok(f)
    }

    fn matches(&self, r: &SandboxRecord) -> bool {
        let state = r.state();
        let dto = &r.dto;
        // An errored sandbox someone asked to delete is listed only on request.
        let errored_deleted = matches!(state, SandboxState::Error | SandboxState::BuildFailed)
            && dto.desired_state == Some(SandboxDesiredState::Destroyed);
        state != SandboxState::Destroyed
            && (self.include_errored_deleted || !errored_deleted)
            && self.id_prefix.as_ref().is_none_or(|p| dto.id.to_lowercase().starts_with(p))
            && self.name_prefix.as_ref().is_none_or(|p| dto.name.to_lowercase().starts_with(p.as_str()))
            && self.labels.iter().all(|(k, v)| dto.labels.get(k) == Some(v))
            && (self.states.is_empty() || self.states.contains(&state))
            && (self.snapshots.is_empty() || dto.snapshot.as_ref().is_some_and(|s| self.snapshots.contains(s)))
            && (self.regions.is_empty() || self.regions.contains(&dto.target))
            && (self.classes.is_empty() || dto.sandbox_class.as_ref().is_some_and(|c| self.classes.contains(c)))
            && self.cpu.contains(dto.cpu)
            && self.memory.contains(dto.memory)
            && self.disk.contains(dto.disk)
            && self.gpu.contains(dto.gpu)
            && self.public.is_none_or(|p| dto.public == p)
            && self.recoverable.is_none_or(|want| dto.recoverable.unwrap_or(false) == want)
            && self.created.contains(Some(r.created_ms))
            && self.last_event.contains(parse_time_of(dto.updated_at.as_deref()))
            && self.auto_destroy.contains(r.destroy_ms)
    }

    /// The page the query asks for.
    pub fn apply(&self, mut all: Vec<SandboxRecord>) -> Page {
        all.retain(|r| self.matches(r));
        all.sort_by(|a, b| {
            let (x, y) = (&a.dto, &b.dto);
            let ord = match self.sort {
                SortKey::Id => x.id.cmp(&y.id),
                SortKey::Name => x.name.cmp(&y.name),
                SortKey::State => a.state().as_str().cmp(b.state().as_str()),
                SortKey::Snapshot => x.snapshot.cmp(&y.snapshot),
                SortKey::Region => x.target.cmp(&y.target),
                SortKey::Cpu => x.cpu.cmp(&y.cpu),
                SortKey::Memory => x.memory.cmp(&y.memory),
                SortKey::Disk => x.disk.cmp(&y.disk),
                SortKey::UpdatedAt => {
                    parse_time_of(x.updated_at.as_deref()).cmp(&parse_time_of(y.updated_at.as_deref()))
                }
                SortKey::LastActivityAt => a.last_activity_ms.cmp(&b.last_activity_ms),
                SortKey::CreatedAt => a.created_ms.cmp(&b.created_ms),
            }
            .then_with(|| x.id.cmp(&y.id));
            match self.order {
                SortOrder::Asc => ord,
                SortOrder::Desc => ord.reverse(),
            }
        });
        let total = all.len();
        let items: Vec<_> = all.into_iter().skip(self.offset).take(self.limit).collect();
        let next = self.offset + items.len();
        Page {
            next_cursor: (self.paging == Paging::Cursor && next < total).then(|| next.to_string()),
            page: self.offset / self.limit + 1,
            total_pages: total.div_ceil(self.limit),
            items,
            total,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn times_parse_as_the_clients_write_them() {
        let ms = 1_767_225_600_000; // 2026-01-01T00:00:00Z
        for v in [
            "2026-01-01T00:00:00Z",
            "2026-01-01T00:00:00.000+00:00",
            "2026-01-01T00:00:00.000000+0000",
            "2026-01-01T01:00:00+0100",
            "2026-01-01T00:00:00",
        ] {
            assert_eq!(parse_time("from", v).ok(), Some(ms), "{v}");
        }
        assert!(parse_time("from", "yesterday").is_err());
    }
}
