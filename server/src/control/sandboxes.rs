//! Control-plane routes under `/api/sandbox`.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use daytona_models::{
    CreateSandbox, CreateSandboxSnapshot, ForkSandbox, ListSandboxesResponse, NetworkSettings, PaginatedSandboxes,
    PortPreviewUrl, ResizeSandbox, Sandbox, SandboxLabels, SignedPortPreviewUrl, Url,
};

use super::lifecycle::{
    check_auto_delete, check_create_fields, check_interval, check_labels, AUTO_PAUSE_REFUSED, MAX_AUTO_ARCHIVE,
};
use super::list::{ListFilter, Paging};
use crate::app::error::ApiError;
use crate::app::extract::{from_json, parse_bool, parse_int, AppJson, AppPath, AppQuery, ToolboxUrl};
use crate::app::state::AppState;
use crate::store::record::{SandboxRecord, SignedPreview};

type S = State<Arc<AppState>>;
type SandboxResult = Result<Json<Sandbox>, ApiError>;

fn wire(rec: SandboxRecord, url: &ToolboxUrl) -> SandboxResult {
    Ok(Json(rec.to_wire(&url.0)))
}

/// The `/sandbox` routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sandbox", post(create).get(list))
        .route("/sandbox/paginated", get(list_paginated))
        .route("/sandbox/{sb}", get(get_one).delete(remove))
        .route("/sandbox/{sb}/start", post(start))
        .route("/sandbox/{sb}/stop", post(stop))
        .route("/sandbox/{sb}/archive", post(archive))
        .route("/sandbox/{sb}/pause", post(pause))
        .route("/sandbox/{sb}/fork", post(fork))
        .route("/sandbox/{sb}/snapshot", post(snapshot))
        .route("/sandbox/{sb}/recover", post(recover))
        .route("/sandbox/{sb}/resize", post(resize))
        .route("/sandbox/{sb}/network-settings", post(network_settings))
        .route("/sandbox/{sb}/labels", put(set_labels))
        .route("/sandbox/{sb}/public/{flag}", post(set_public))
        .route("/sandbox/{sb}/autostop/{minutes}", post(set_autostop))
        .route("/sandbox/{sb}/autopause/{minutes}", post(set_autopause))
        .route("/sandbox/{sb}/autoarchive/{minutes}", post(set_autoarchive))
        .route("/sandbox/{sb}/autodelete/{minutes}", post(set_autodelete))
        .route("/sandbox/{sb}/ttl/{minutes}", post(set_ttl))
        .route("/sandbox/{sb}/last-activity", post(last_activity))
        .route("/sandbox/{sb}/toolbox-proxy-url", get(toolbox_proxy_url))
        .route("/sandbox/{sb}/ports/{port}/preview-url", get(preview_url))
        .route("/sandbox/{sb}/ports/{port}/signed-preview-url", get(signed_preview_url))
        .route("/sandbox/{sb}/ports/{port}/signed-preview-url/{token}/expire", post(expire_signed_preview_url))
        .route("/sandbox/{sb}/signing-key", get(signing_key))
        .route("/sandbox/{sb}/signing-key/rotate", post(rotate_signing_key))
}

async fn create(State(st): S, url: ToolboxUrl, AppJson(body): AppJson<serde_json::Value>) -> SandboxResult {
    check_create_fields(&body)?;
    let req: CreateSandbox = from_json(body)?;
    wire(st.create_sandbox(req).await?, &url)
}

async fn list(State(st): S, url: ToolboxUrl, RawQuery(q): RawQuery) -> Result<Json<ListSandboxesResponse>, ApiError> {
    let page = ListFilter::parse(Paging::Cursor, q.as_deref())?.apply(st.all());
    let items = page.items.into_iter().map(|r| r.to_wire(&url.0)).collect();
    Ok(Json(ListSandboxesResponse { items, next_cursor: page.next_cursor }))
}

/// `GET /sandbox/paginated`: the listing in numbered pages (older SDKs' `list(labels, page, limit)`).
async fn list_paginated(
    State(st): S,
    url: ToolboxUrl,
    RawQuery(q): RawQuery,
) -> Result<Json<PaginatedSandboxes>, ApiError> {
    let page = ListFilter::parse(Paging::Numbered, q.as_deref())?.apply(st.all());
    Ok(Json(PaginatedSandboxes {
        items: page.items.into_iter().map(|r| r.to_wire(&url.0)).collect(),
        total: page.total as u64,
        page: page.page as u64,
        total_pages: page.total_pages as u64,
    }))
}

async fn get_one(State(st): S, url: ToolboxUrl, AppPath(sb): AppPath<String>) -> SandboxResult {
    wire(st.find(&sb)?, &url)
}

async fn remove(State(st): S, url: ToolboxUrl, AppPath(sb): AppPath<String>) -> SandboxResult {
    wire(st.delete_sandbox(&sb).await?, &url)
}

async fn start(State(st): S, url: ToolboxUrl, AppPath(sb): AppPath<String>) -> SandboxResult {
    wire(st.start_sandbox(&sb).await?, &url)
}

#[derive(serde::Deserialize)]
struct StopQuery {
    #[serde(default)]
    force: Option<String>,
}

async fn stop(
    State(st): S,
    url: ToolboxUrl,
    AppPath(sb): AppPath<String>,
    axum::extract::Query(q): axum::extract::Query<StopQuery>,
) -> SandboxResult {
    let force = matches!(q.force.as_deref(), Some("true" | "1"));
    wire(st.stop_sandbox(&sb, force).await?, &url)
}

async fn pause(State(st): S, url: ToolboxUrl, AppPath(sb): AppPath<String>) -> SandboxResult {
    wire(st.pause_sandbox(&sb).await?, &url)
}

async fn fork(
    State(st): S,
    url: ToolboxUrl,
    AppPath(sb): AppPath<String>,
    AppJson(req): AppJson<ForkSandbox>,
) -> SandboxResult {
    wire(st.fork_sandbox(&sb, req).await?, &url)
}

async fn snapshot(
    State(st): S,
    url: ToolboxUrl,
    AppPath(sb): AppPath<String>,
    AppJson(req): AppJson<CreateSandboxSnapshot>,
) -> SandboxResult {
    wire(st.snapshot_sandbox(&sb, req).await?, &url)
}

async fn archive(State(st): S, url: ToolboxUrl, AppPath(sb): AppPath<String>) -> SandboxResult {
    wire(st.archive_sandbox(&sb).await?, &url)
}

/// Query of `recover`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct RecoverQuery {
    /// Leave the recovered sandbox stopped.
    #[serde(default)]
    skip_start: Option<String>,
}

async fn recover(
    State(st): S,
    url: ToolboxUrl,
    AppPath(sb): AppPath<String>,
    AppQuery(q): AppQuery<RecoverQuery>,
) -> SandboxResult {
    let skip_start = q.skip_start.as_deref().map(|v| parse_bool("skipStart", v)).transpose()?.unwrap_or(false);
    wire(st.recover_sandbox(&sb, skip_start).await?, &url)
}

async fn resize(
    State(st): S,
    url: ToolboxUrl,
    AppPath(sb): AppPath<String>,
    AppJson(req): AppJson<ResizeSandbox>,
) -> SandboxResult {
    wire(st.resize_sandbox(&sb, req).await?, &url)
}

async fn network_settings(
    State(st): S,
    url: ToolboxUrl,
    AppPath(sb): AppPath<String>,
    AppJson(req): AppJson<NetworkSettings>,
) -> SandboxResult {
    wire(st.update_network_settings(&sb, req).await?, &url)
}

async fn set_labels(
    State(st): S,
    AppPath(sb): AppPath<String>,
    AppJson(req): AppJson<SandboxLabels>,
) -> Result<Json<SandboxLabels>, ApiError> {
    check_labels(&req.labels)?;
    let id = st.find(&sb)?.dto.id;
    let rec = st.update(&id, |r| r.dto.labels = req.labels)?;
    Ok(Json(SandboxLabels { labels: rec.dto.labels }))
}

async fn set_public(State(st): S, url: ToolboxUrl, AppPath((sb, flag)): AppPath<(String, String)>) -> SandboxResult {
    let public = match flag.as_str() {
        "true" => true,
        "false" => false,
        other => return Err(ApiError::BadRequest(format!("public must be true or false, got {other:?}"))),
    };
    let id = st.find(&sb)?.dto.id;
    wire(st.update(&id, |r| r.dto.public = public)?, &url)
}

async fn set_autostop(State(st): S, url: ToolboxUrl, AppPath((sb, m)): AppPath<(String, String)>) -> SandboxResult {
    let minutes = check_interval("autoStopInterval", parse_int("minutes", &m)?)?;
    let id = st.find(&sb)?.dto.id;
    wire(st.update(&id, |r| r.dto.auto_stop_interval = Some(minutes))?, &url)
}

/// Only 0 (none, as every sandbox here has): automatic pausing is refused.
async fn set_autopause(State(st): S, url: ToolboxUrl, AppPath((sb, m)): AppPath<(String, String)>) -> SandboxResult {
    let rec = st.find(&sb)?;
    match check_interval("autoPauseInterval", parse_int("minutes", &m)?)? {
        0 => wire(rec, &url),
        _ => Err(ApiError::BadRequest(AUTO_PAUSE_REFUSED.into())),
    }
}

async fn set_autoarchive(State(st): S, url: ToolboxUrl, AppPath((sb, m)): AppPath<(String, String)>) -> SandboxResult {
    let mut minutes = check_interval("autoArchiveInterval", parse_int("minutes", &m)?)?;
    if minutes == 0 || minutes > MAX_AUTO_ARCHIVE {
        minutes = MAX_AUTO_ARCHIVE;
    }
    let id = st.find(&sb)?.dto.id;
    wire(st.update(&id, |r| r.dto.auto_archive_interval = Some(minutes))?, &url)
}

async fn set_autodelete(State(st): S, url: ToolboxUrl, AppPath((sb, m)): AppPath<(String, String)>) -> SandboxResult {
    let minutes = check_auto_delete(parse_int("minutes", &m)?)?;
    let id = st.find(&sb)?.dto.id;
    wire(st.update(&id, |r| r.dto.auto_delete_interval = Some(minutes))?, &url)
}

/// A wall-clock TTL from now (0 = none): the sandbox is destroyed then, whatever its state.
async fn set_ttl(State(st): S, url: ToolboxUrl, AppPath((sb, m)): AppPath<(String, String)>) -> SandboxResult {
    let minutes = check_interval("ttlMinutes", parse_int("minutes", &m)?)?;
    let id = st.find(&sb)?.dto.id;
    let now = crate::time::now_ms();
    wire(st.update(&id, |r| r.set_ttl(now, minutes, st.minute_ms))?, &url)
}

async fn last_activity(State(st): S, AppPath(sb): AppPath<String>) -> Result<StatusCode, ApiError> {
    let id = st.find(&sb)?.dto.id;
    st.update(&id, |r| r.touch())?;
    Ok(StatusCode::CREATED)
}

async fn toolbox_proxy_url(State(st): S, url: ToolboxUrl, AppPath(sb): AppPath<String>) -> Result<Json<Url>, ApiError> {
    st.find(&sb)?;
    Ok(Json(Url { url: url.0 }))
}

async fn preview_url(
    State(st): S,
    url: ToolboxUrl,
    AppPath((sb, port)): AppPath<(String, String)>,
) -> Result<Json<PortPreviewUrl>, ApiError> {
    let port = preview_port(&port)?;
    let rec = st.find(&sb)?;
    let origin = url.0.trim_end_matches("/toolbox");
    Ok(Json(PortPreviewUrl {
        sandbox_id: rec.dto.id.clone(),
        url: crate::proxy::preview::url(origin, &port.to_string(), &rec.dto.id),
        token: rec.token,
    }))
}

/// Query of `signed-preview-url`.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SignedPreviewQuery {
    expires_in_seconds: Option<String>,
}

/// Longest life of a signed preview URL, as Daytona's (a day).
const MAX_SIGNED_PREVIEW_SECS: i64 = 86_400;

/// The port of a preview route, checked.
fn preview_port(port: &str) -> Result<u16, ApiError> {
    let port = parse_int("port", port)?;
    u16::try_from(port)
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| ApiError::BadRequest(format!("port must be between 1 and 65535, got {port}")))
}

/// A preview URL of `port` that needs no other credential, for `expiresInSeconds` (1 to a
/// day, default 60): its host is `{port}-{token}`.
async fn signed_preview_url(
    State(st): S,
    url: ToolboxUrl,
    AppPath((sb, port)): AppPath<(String, String)>,
    AppQuery(q): AppQuery<SignedPreviewQuery>,
) -> Result<Json<SignedPortPreviewUrl>, ApiError> {
    let port = preview_port(&port)?;
    let secs = match q.expires_in_seconds.as_deref() {
        None => 60,
        Some(s) => parse_int("expiresInSeconds", s)?,
    };
    if !(1..=MAX_SIGNED_PREVIEW_SECS).contains(&secs) {
        return Err(ApiError::BadRequest(format!(
            "expiresInSeconds must be between 1 and {MAX_SIGNED_PREVIEW_SECS}, got {secs}"
        )));
    }
    let rec = st.find(&sb)?;
    let now = crate::time::now_ms();
    let token = crate::app::auth::random_token(16).to_lowercase();
    let signed = SignedPreview { token: token.clone(), port, expires_ms: now + secs * 1000 };
    st.update(&rec.dto.id, |r| {
        r.signed_previews.retain(|p| p.expires_ms > now);
        r.signed_previews.push(signed);
    })?;
    let origin = url.0.trim_end_matches("/toolbox");
    Ok(Json(SignedPortPreviewUrl {
        sandbox_id: rec.dto.id.clone(),
        port,
        url: crate::proxy::preview::url(origin, &port.to_string(), &token),
        token,
    }))
}

/// Ends a signed preview URL before its time (404 for a token the sandbox does not have).
async fn expire_signed_preview_url(
    State(st): S,
    AppPath((sb, port, token)): AppPath<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let port = preview_port(&port)?;
    let rec = st.find(&sb)?;
    if rec.signed_preview(&token, port, i64::MIN).is_none() {
        return Err(ApiError::NotFound(format!("no signed preview URL {token} for port {port}")));
    }
    st.update(&rec.dto.id, |r| r.signed_previews.retain(|p| !(p.token == token && p.port == port)))?;
    Ok(StatusCode::OK)
}

/// The key of pre-signed file URLs, created on first use.
async fn signing_key(State(st): S, AppPath(sb): AppPath<String>) -> Result<Json<String>, ApiError> {
    let rec = st.find(&sb)?;
    if !rec.signing_key.is_empty() {
        return Ok(Json(rec.signing_key));
    }
    let rec = st.update(&rec.dto.id, |r| r.signing_key = crate::app::signing::new_key())?;
    Ok(Json(rec.signing_key))
}

/// A new key: every URL signed with the old one stops working.
async fn rotate_signing_key(State(st): S, AppPath(sb): AppPath<String>) -> Result<Json<String>, ApiError> {
    let id = st.find(&sb)?.dto.id;
    let rec = st.update(&id, |r| r.signing_key = crate::app::signing::new_key())?;
    Ok(Json(rec.signing_key))
}
