//! Computer use (`/computeruse/*`), as Daytona's daemon serves it: a virtual desktop in the
//! sandbox (see [`desktop`]), its mouse and keyboard ([`input`], xdotool), screenshots,
//! displays and windows read over the X protocol ([`x11`], [`image`]) and screen recordings
//! ([`recording`], ffmpeg) and the accessibility tree ([`a11y`], AT-SPI over D-Bus). Everything
//! runs as the sandbox user in its workload group.

mod a11y;
mod desktop;
mod image;
mod input;
mod recording;
mod x11;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use daytona_models::{
    AccessibilityNodeRequest, AccessibilityNodesResponse, AccessibilityTreeQuery, AccessibilityTreeResponse,
    ComputerUseStartResponse, ComputerUseStatusResponse, DisplayInfoResponse, FindAccessibilityNodesRequest,
    KeyboardHotkeyRequest, KeyboardKeyRequest, KeyboardPressRequest, KeyboardTypeRequest, ListRecordingsResponse,
    MouseButtonRequest, MouseClickRequest, MouseDragRequest, MouseMoveRequest, MouseScrollRequest, Position,
    ProcessErrorsResponse, ProcessLogsResponse, ProcessRestartResponse, ProcessStatusResponse, Recording,
    ScreenshotQuery, ScreenshotResponse, ScrollResponse, StartRecordingRequest, StopRecordingRequest, WindowsResponse,
};

pub use desktop::{Desktop, DISPLAY};
pub use recording::Recordings;

use super::error::ToolboxError;
use super::extract::{ToolboxJson, ToolboxQuery};
use super::Agent;

/// How long one mouse or keyboard call may take (typing long text with a delay takes longer).
const INPUT_WITHIN: Duration = Duration::from_secs(30);

/// The computer-use routes.
pub fn routes() -> Router<Arc<Agent>> {
    Router::new()
        .route("/computeruse/start", post(start))
        .route("/computeruse/stop", post(stop))
        .route("/computeruse/status", get(status))
        .route("/computeruse/process-status", get(status))
        .route("/computeruse/process/{name}/status", get(process_status))
        .route("/computeruse/process/{name}/restart", post(process_restart))
        .route("/computeruse/process/{name}/logs", get(process_logs))
        .route("/computeruse/process/{name}/errors", get(process_errors))
        .route("/computeruse/mouse/position", get(mouse_position))
        .route("/computeruse/mouse/move", post(mouse_move))
        .route("/computeruse/mouse/click", post(mouse_click))
        .route("/computeruse/mouse/drag", post(mouse_drag))
        .route("/computeruse/mouse/scroll", post(mouse_scroll))
        .route("/computeruse/mouse/down", post(mouse_down))
        .route("/computeruse/mouse/up", post(mouse_up))
        .route("/computeruse/keyboard/type", post(keyboard_type))
        .route("/computeruse/keyboard/key", post(keyboard_key))
        .route("/computeruse/keyboard/hotkey", post(keyboard_hotkey))
        .route("/computeruse/keyboard/down", post(keyboard_down))
        .route("/computeruse/keyboard/up", post(keyboard_up))
        .route("/computeruse/screenshot", get(screenshot))
        .route("/computeruse/screenshot/region", get(screenshot_region))
        .route("/computeruse/screenshot/compressed", get(screenshot_compressed))
        .route("/computeruse/screenshot/region/compressed", get(screenshot_region_compressed))
        .route("/computeruse/display/info", get(display_info))
        .route("/computeruse/display/windows", get(display_windows))
        .route("/computeruse/recordings", get(recordings_list))
        .route("/computeruse/recordings/start", post(recordings_start))
        .route("/computeruse/recordings/stop", post(recordings_stop))
        .route("/computeruse/recordings/{id}", get(recordings_get).delete(recordings_delete))
        .route("/computeruse/recordings/{id}/download", get(recordings_download))
        .route("/computeruse/a11y/tree", get(a11y_tree))
        .route("/computeruse/a11y/find", post(a11y_find))
        .route("/computeruse/a11y/node/focus", post(a11y_focus))
        .route("/computeruse/a11y/node/invoke", post(a11y_invoke))
        .route("/computeruse/a11y/node/value", post(a11y_value))
}

async fn start(State(agent): State<Arc<Agent>>) -> Result<Json<ComputerUseStartResponse>, ToolboxError> {
    let status = agent.desktop.start().await?;
    Ok(Json(ComputerUseStartResponse { message: "Computer use processes started successfully".into(), status }))
}

async fn stop(State(agent): State<Arc<Agent>>) -> Json<ComputerUseStartResponse> {
    let status = agent.desktop.stop().await;
    Json(ComputerUseStartResponse { message: "Computer use processes stopped successfully".into(), status })
}

async fn status(State(agent): State<Arc<Agent>>) -> Json<ComputerUseStatusResponse> {
    Json(ComputerUseStatusResponse { status: agent.desktop.overall().into() })
}

async fn process_status(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
) -> Result<Json<ProcessStatusResponse>, ToolboxError> {
    let running = agent.desktop.is_running(&name)?;
    Ok(Json(ProcessStatusResponse { process_name: name, running }))
}

async fn process_restart(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
) -> Result<Json<ProcessRestartResponse>, ToolboxError> {
    agent.desktop.restart(&name).await?;
    Ok(Json(ProcessRestartResponse { message: format!("Process {name} restarted successfully"), process_name: name }))
}

async fn process_logs(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
) -> Result<Json<ProcessLogsResponse>, ToolboxError> {
    let logs = agent.desktop.output(&name, "log")?;
    Ok(Json(ProcessLogsResponse { process_name: name, logs }))
}

async fn process_errors(
    State(agent): State<Arc<Agent>>,
    Path(name): Path<String>,
) -> Result<Json<ProcessErrorsResponse>, ToolboxError> {
    let errors = agent.desktop.output(&name, "err")?;
    Ok(Json(ProcessErrorsResponse { process_name: name, errors }))
}

async fn pointer() -> Result<Position, ToolboxError> {
    x11::with_x(x11::pointer).await
}

async fn mouse_position() -> Result<Json<Position>, ToolboxError> {
    Ok(Json(pointer().await?))
}

/// `mousemove --sync X Y` for xdotool, checked. `--sync` waits until the X server has moved the
/// pointer: without it xdotool can exit with its requests still queued, and the position the
/// call answers with (read on a connection of our own) was at times the one before the move.
fn moved_to(x: i32, y: i32) -> Result<Vec<String>, ToolboxError> {
    Ok(vec!["mousemove".into(), "--sync".into(), input::coordinate(x, "x")?, input::coordinate(y, "y")?])
}

/// `args` wrapped in presses and releases of `modifiers`.
fn holding(modifiers: &[&str], args: Vec<String>) -> Vec<String> {
    let mut all = Vec::new();
    if !modifiers.is_empty() {
        all.extend(["keydown".to_owned(), modifiers.join("+")]);
    }
    all.extend(args);
    if !modifiers.is_empty() {
        all.extend(["keyup".to_owned(), modifiers.join("+")]);
    }
    all
}

async fn mouse_move(ToolboxJson(req): ToolboxJson<MouseMoveRequest>) -> Result<Json<Position>, ToolboxError> {
    input::xdotool(moved_to(req.x, req.y)?, INPUT_WITHIN).await?;
    Ok(Json(pointer().await?))
}

async fn mouse_click(ToolboxJson(req): ToolboxJson<MouseClickRequest>) -> Result<Json<Position>, ToolboxError> {
    let button = input::button(req.button.as_deref())?;
    let clicks = req.clicks.unwrap_or(if req.double == Some(true) { 2 } else { 1 });
    if !(1..=10).contains(&clicks) {
        return Err(ToolboxError::BadRequest(format!("clicks must be 1-10, not {clicks}")));
    }
    let modifiers = input::modifiers(req.modifiers.as_deref())?;
    let mut args = moved_to(req.x, req.y)?;
    args.extend(["click", "--repeat", &clicks.to_string(), "--delay", "80", button].map(str::to_owned));
    input::xdotool(holding(&modifiers, args), INPUT_WITHIN).await?;
    Ok(Json(pointer().await?))
}

async fn mouse_drag(ToolboxJson(req): ToolboxJson<MouseDragRequest>) -> Result<Json<Position>, ToolboxError> {
    let button = input::button(req.button.as_deref())?;
    let modifiers = input::modifiers(req.modifiers.as_deref())?;
    let mut args = moved_to(req.start_x, req.start_y)?;
    args.extend(["mousedown", button, "sleep", "0.05"].map(str::to_owned));
    args.extend(moved_to(req.end_x, req.end_y)?);
    args.extend(["sleep", "0.05", "mouseup", button].map(str::to_owned));
    input::xdotool(holding(&modifiers, args), INPUT_WITHIN).await?;
    Ok(Json(pointer().await?))
}

async fn mouse_scroll(ToolboxJson(req): ToolboxJson<MouseScrollRequest>) -> Result<Json<ScrollResponse>, ToolboxError> {
    let wheel = match req.direction.to_ascii_lowercase().as_str() {
        "up" => "4",
        "down" => "5",
        other => return Err(ToolboxError::BadRequest(format!("direction must be up or down, not {other:?}"))),
    };
    let amount = req.amount.unwrap_or(1);
    if !(1..=100).contains(&amount) {
        return Err(ToolboxError::BadRequest(format!("amount must be 1-100, not {amount}")));
    }
    let modifiers = input::modifiers(req.modifiers.as_deref())?;
    let mut args = moved_to(req.x, req.y)?;
    args.extend(["click", "--repeat", &amount.to_string(), "--delay", "20", wheel].map(str::to_owned));
    input::xdotool(holding(&modifiers, args), INPUT_WITHIN).await?;
    Ok(Json(ScrollResponse { success: true }))
}

async fn mouse_button(req: MouseButtonRequest, action: &str) -> Result<Json<Position>, ToolboxError> {
    let button = input::button(req.button.as_deref())?;
    let mut args = match (req.x, req.y) {
        (Some(x), Some(y)) => moved_to(x, y)?,
        (None, None) => Vec::new(),
        _ => return Err(ToolboxError::BadRequest("give both x and y, or neither".into())),
    };
    args.extend([action.to_owned(), button.to_owned()]);
    input::xdotool(args, INPUT_WITHIN).await?;
    Ok(Json(pointer().await?))
}

async fn mouse_down(ToolboxJson(req): ToolboxJson<MouseButtonRequest>) -> Result<Json<Position>, ToolboxError> {
    mouse_button(req, "mousedown").await
}

async fn mouse_up(ToolboxJson(req): ToolboxJson<MouseButtonRequest>) -> Result<Json<Position>, ToolboxError> {
    mouse_button(req, "mouseup").await
}

/// The empty object the keyboard routes answer.
fn done() -> Json<serde_json::Value> {
    Json(serde_json::json!({}))
}

async fn keyboard_type(
    ToolboxJson(req): ToolboxJson<KeyboardTypeRequest>,
) -> Result<Json<serde_json::Value>, ToolboxError> {
    let delay = input::typing(&req.text, req.delay)?;
    for (text, delay) in input::typing_runs(&req.text, delay) {
        let args = vec!["type".into(), "--delay".into(), delay.to_string(), "--".into(), text];
        input::xdotool(args, INPUT_WITHIN).await?;
    }
    Ok(done())
}

async fn keyboard_key(
    ToolboxJson(req): ToolboxJson<KeyboardPressRequest>,
) -> Result<Json<serde_json::Value>, ToolboxError> {
    let mut chord: Vec<String> = input::modifiers(req.modifiers.as_deref())?.into_iter().map(str::to_owned).collect();
    chord.push(input::key(&req.key)?);
    input::xdotool(vec!["key".into(), "--".into(), chord.join("+")], INPUT_WITHIN).await?;
    Ok(done())
}

async fn keyboard_hotkey(
    ToolboxJson(req): ToolboxJson<KeyboardHotkeyRequest>,
) -> Result<Json<serde_json::Value>, ToolboxError> {
    input::xdotool(vec!["key".into(), "--".into(), input::chord(&req.keys)?], INPUT_WITHIN).await?;
    Ok(done())
}

/// `keydown` or `keyup` of a request's key.
async fn key_toggle(action: &str, req: KeyboardKeyRequest) -> Result<Json<serde_json::Value>, ToolboxError> {
    input::xdotool(vec![action.into(), "--".into(), input::key(&req.key)?], INPUT_WITHIN).await?;
    Ok(done())
}

async fn keyboard_down(
    ToolboxJson(req): ToolboxJson<KeyboardKeyRequest>,
) -> Result<Json<serde_json::Value>, ToolboxError> {
    key_toggle("keydown", req).await
}

async fn keyboard_up(
    ToolboxJson(req): ToolboxJson<KeyboardKeyRequest>,
) -> Result<Json<serde_json::Value>, ToolboxError> {
    key_toggle("keyup", req).await
}

/// A screenshot of the whole screen or of the query's region, PNG unless `compressed`
/// (then as the query asks).
async fn shoot(q: ScreenshotQuery, region: bool, compressed: bool) -> Result<Json<ScreenshotResponse>, ToolboxError> {
    use base64::Engine;
    let format = match compressed {
        true => image::Format::parse(q.format.as_deref(), q.quality)?,
        false => image::Format::Png,
    };
    let scale = if compressed { q.scale.unwrap_or(1.0) } else { 1.0 };
    let wanted = match region {
        true => match (q.x, q.y, q.width, q.height) {
            (Some(x), Some(y), Some(w), Some(h)) if x >= 0 && y >= 0 && w > 0 && h > 0 => Some((x, y, w, h)),
            _ => {
                return Err(ToolboxError::BadRequest(
                    "x, y, width and height are required (x, y ≥ 0; width, height > 0)".into(),
                ))
            }
        },
        false => None,
    };
    let cursor = q.show_cursor.unwrap_or(false);
    let (shot, position) = x11::with_x(move |conn, root| {
        let (width, height) = x11::screen_size(conn, root)?;
        let region = wanted.unwrap_or((0, 0, width, height));
        let (x, y, w, h) = region;
        if x as u32 + w > width || y as u32 + h > height {
            return Err(ToolboxError::BadRequest(format!(
                "the region {w}x{h}+{x}+{y} is not within the {width}x{height} screen"
            )));
        }
        let shot = image::scale(x11::capture(conn, root, region, cursor)?, scale)?;
        let bytes = image::encode(&shot, format)?;
        Ok((bytes, x11::pointer(conn, root)?))
    })
    .await?;
    Ok(Json(ScreenshotResponse {
        size_bytes: Some(shot.len() as u64),
        screenshot: base64::engine::general_purpose::STANDARD.encode(&shot),
        cursor_position: Some(position),
    }))
}

async fn screenshot(ToolboxQuery(q): ToolboxQuery<ScreenshotQuery>) -> Result<Json<ScreenshotResponse>, ToolboxError> {
    shoot(q, false, false).await
}

async fn screenshot_region(
    ToolboxQuery(q): ToolboxQuery<ScreenshotQuery>,
) -> Result<Json<ScreenshotResponse>, ToolboxError> {
    shoot(q, true, false).await
}

async fn screenshot_compressed(
    ToolboxQuery(q): ToolboxQuery<ScreenshotQuery>,
) -> Result<Json<ScreenshotResponse>, ToolboxError> {
    shoot(q, false, true).await
}

async fn screenshot_region_compressed(
    ToolboxQuery(q): ToolboxQuery<ScreenshotQuery>,
) -> Result<Json<ScreenshotResponse>, ToolboxError> {
    shoot(q, true, true).await
}

async fn display_info() -> Result<Json<DisplayInfoResponse>, ToolboxError> {
    let displays = x11::with_x(x11::displays).await?;
    Ok(Json(DisplayInfoResponse { displays }))
}

async fn display_windows() -> Result<Json<WindowsResponse>, ToolboxError> {
    let windows = x11::with_x(x11::windows).await?;
    Ok(Json(WindowsResponse { windows }))
}

async fn recordings_list(State(agent): State<Arc<Agent>>) -> Json<ListRecordingsResponse> {
    Json(ListRecordingsResponse { recordings: agent.recordings.list().await })
}

async fn recordings_start(State(agent): State<Arc<Agent>>, body: Bytes) -> Result<Response, ToolboxError> {
    let req: StartRecordingRequest = match body.iter().all(u8::is_ascii_whitespace) {
        true => StartRecordingRequest::default(),
        false => {
            serde_json::from_slice(&body).map_err(|e| ToolboxError::BadRequest(format!("invalid request body: {e}")))?
        }
    };
    let recording = agent.recordings.start(req.label.as_deref()).await?;
    Ok((StatusCode::CREATED, Json(recording)).into_response())
}

async fn recordings_stop(
    State(agent): State<Arc<Agent>>,
    ToolboxJson(req): ToolboxJson<StopRecordingRequest>,
) -> Result<Json<Recording>, ToolboxError> {
    Ok(Json(agent.recordings.stop(&req.id).await?))
}

async fn recordings_get(
    State(agent): State<Arc<Agent>>,
    Path(id): Path<String>,
) -> Result<Json<Recording>, ToolboxError> {
    Ok(Json(agent.recordings.get(&id).await?))
}

async fn recordings_delete(
    State(agent): State<Arc<Agent>>,
    Path(id): Path<String>,
) -> Result<StatusCode, ToolboxError> {
    agent.recordings.delete(&id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn recordings_download(
    State(agent): State<Arc<Agent>>,
    Path(id): Path<String>,
) -> Result<Response, ToolboxError> {
    let path = agent.recordings.file(&id).await?;
    super::files::stream_file(&path, &id).await
}

async fn a11y_tree(
    ToolboxQuery(q): ToolboxQuery<AccessibilityTreeQuery>,
) -> Result<Json<AccessibilityTreeResponse>, ToolboxError> {
    let scope = a11y::Scope::parse(q.scope.as_deref(), q.pid)?;
    Ok(Json(a11y::Bus::connect().await?.tree(scope, q.max_depth.unwrap_or(-1)).await?))
}

async fn a11y_find(
    ToolboxJson(req): ToolboxJson<FindAccessibilityNodesRequest>,
) -> Result<Json<AccessibilityNodesResponse>, ToolboxError> {
    let scope = a11y::Scope::parse(req.scope.as_deref(), req.pid)?;
    let filter = a11y::Filter::new(&req)?;
    Ok(Json(a11y::Bus::connect().await?.find(scope, &filter).await?))
}

async fn a11y_focus(ToolboxJson(req): ToolboxJson<AccessibilityNodeRequest>) -> Result<Json<Empty>, ToolboxError> {
    let node = a11y::NodeRef::parse(&req.id)?;
    a11y::Bus::connect().await?.focus(&node).await.map(|()| Json(Empty {}))
}

async fn a11y_invoke(ToolboxJson(req): ToolboxJson<AccessibilityNodeRequest>) -> Result<Json<Empty>, ToolboxError> {
    let node = a11y::NodeRef::parse(&req.id)?;
    a11y::Bus::connect().await?.invoke(&node, req.action.as_deref()).await.map(|()| Json(Empty {}))
}

async fn a11y_value(ToolboxJson(req): ToolboxJson<AccessibilityNodeRequest>) -> Result<Json<Empty>, ToolboxError> {
    let node = a11y::NodeRef::parse(&req.id)?;
    let value = req.value.ok_or_else(|| ToolboxError::BadRequest("value is required".into()))?;
    a11y::Bus::connect().await?.set_value(&node, &value).await.map(|()| Json(Empty {}))
}

/// The empty object the accessibility node routes answer.
#[derive(serde::Serialize)]
struct Empty {}
