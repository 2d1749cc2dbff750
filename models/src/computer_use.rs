//! Toolbox computer use (`/computeruse/*`): the desktop's processes, mouse, keyboard,
//! screenshots, displays, windows, screen recordings and the accessibility tree.
//!
//! Daytona names the desktop's processes `xvfb`, `xfce4`, `x11vnc` and `novnc`; every field
//! of its answers is optional in its spec but for [`Recording`]'s.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One process of the desktop in a start or stop answer (`ProcessStatus`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct DesktopProcess {
    /// Whether it runs.
    pub running: bool,
    /// Start order (lower first).
    pub priority: i32,
    /// Whether it is started again when it dies.
    pub auto_restart: bool,
    /// Its pid in the sandbox, while it runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub pid: Option<i32>,
}

/// Answer of `POST /computeruse/start` and `/stop` (`ComputerUseStartResponse`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[cfg_attr(feature = "ts", tsify(hashmap_as_object))]
pub struct ComputerUseStartResponse {
    /// What was done.
    pub message: String,
    /// Each process by name.
    pub status: BTreeMap<String, DesktopProcess>,
}

/// Answer of `GET /computeruse/status` and `/process-status`: `active` (every process
/// runs), `partial`, `inactive` or `error`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ComputerUseStatusResponse {
    /// `active`, `partial`, `inactive` or `error`.
    pub status: String,
}

/// Answer of `GET /computeruse/process/{name}/status`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProcessStatusResponse {
    /// The process's name.
    pub process_name: String,
    /// Whether it runs.
    pub running: bool,
}

/// Answer of `POST /computeruse/process/{name}/restart`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProcessRestartResponse {
    /// The process's name.
    pub process_name: String,
    /// What was done.
    pub message: String,
}

/// Answer of `GET /computeruse/process/{name}/logs`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProcessLogsResponse {
    /// The process's name.
    pub process_name: String,
    /// Its standard output (the last 64 KiB).
    pub logs: String,
}

/// Answer of `GET /computeruse/process/{name}/errors`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ProcessErrorsResponse {
    /// The process's name.
    pub process_name: String,
    /// Its standard error (the last 64 KiB).
    pub errors: String,
}

/// A point on the screen (`MousePositionResponse`, `Position`, the click and drag answers).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct Position {
    /// Pixels from the left.
    pub x: i32,
    /// Pixels from the top.
    pub y: i32,
}

/// Body of `POST /computeruse/mouse/move`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct MouseMoveRequest {
    /// Target x.
    #[serde(default)]
    pub x: i32,
    /// Target y.
    #[serde(default)]
    pub y: i32,
}

/// Body of `POST /computeruse/mouse/click`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct MouseClickRequest {
    /// Where to click.
    #[serde(default)]
    pub x: i32,
    /// Where to click.
    #[serde(default)]
    pub y: i32,
    /// `left` (default), `right` or `middle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub button: Option<String>,
    /// A double click.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub double: Option<bool>,
    /// How many clicks (default 1; 2 with `double`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub clicks: Option<u32>,
    /// Keys held during the click (`ctrl`, `alt`, `shift`, `super`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub modifiers: Option<Vec<String>>,
}

/// Body of `POST /computeruse/mouse/drag`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
pub struct MouseDragRequest {
    /// Where the drag starts.
    #[serde(default)]
    pub start_x: i32,
    /// Where the drag starts.
    #[serde(default)]
    pub start_y: i32,
    /// Where it ends.
    #[serde(default)]
    pub end_x: i32,
    /// Where it ends.
    #[serde(default)]
    pub end_y: i32,
    /// `left` (default), `right` or `middle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub button: Option<String>,
    /// Keys held during the drag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub modifiers: Option<Vec<String>>,
}

/// Body of `POST /computeruse/mouse/scroll`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct MouseScrollRequest {
    /// Where to scroll.
    #[serde(default)]
    pub x: i32,
    /// Where to scroll.
    #[serde(default)]
    pub y: i32,
    /// `up` or `down`.
    #[serde(default)]
    pub direction: String,
    /// Wheel steps (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub amount: Option<u32>,
    /// Keys held while scrolling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub modifiers: Option<Vec<String>>,
}

/// Answer of `POST /computeruse/mouse/scroll`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ScrollResponse {
    /// Whether it scrolled.
    pub success: bool,
}

/// Body of `POST /computeruse/mouse/down` and `/up`: at the current position unless `x`
/// and `y` are given.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct MouseButtonRequest {
    /// Where (with `y`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub x: Option<i32>,
    /// Where (with `x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub y: Option<i32>,
    /// `left` (default), `right` or `middle`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub button: Option<String>,
}

/// Body of `POST /computeruse/keyboard/type`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct KeyboardTypeRequest {
    /// The text, typed as it is.
    #[serde(default)]
    pub text: String,
    /// Milliseconds between keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub delay: Option<u32>,
}

/// Body of `POST /computeruse/keyboard/key`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct KeyboardPressRequest {
    /// A key name (`Return`, `a`, `F5`, `Page_Down`, …).
    #[serde(default)]
    pub key: String,
    /// Keys held (`ctrl`, `alt`, `shift`, `super`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub modifiers: Option<Vec<String>>,
}

/// Body of `POST /computeruse/keyboard/hotkey`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct KeyboardHotkeyRequest {
    /// Keys joined by `+` (`ctrl+c`, `ctrl+shift+t`).
    #[serde(default)]
    pub keys: String,
}

/// Body of `POST /computeruse/keyboard/down` and `/up`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct KeyboardKeyRequest {
    /// A key name.
    #[serde(default)]
    pub key: String,
}

/// Query of the screenshot routes (`showCursor`; the region ones add `x`, `y`, `width`,
/// `height`; the compressed ones `format`, `quality`, `scale`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScreenshotQuery {
    /// Draw the pointer into the image.
    #[serde(default)]
    pub show_cursor: Option<bool>,
    /// Region's left edge.
    #[serde(default)]
    pub x: Option<i32>,
    /// Region's top edge.
    #[serde(default)]
    pub y: Option<i32>,
    /// Region's width.
    #[serde(default)]
    pub width: Option<u32>,
    /// Region's height.
    #[serde(default)]
    pub height: Option<u32>,
    /// `png` (default) or `jpeg`.
    #[serde(default)]
    pub format: Option<String>,
    /// JPEG quality, 0–100 (default 85; 0 is taken as 1).
    #[serde(default)]
    pub quality: Option<u8>,
    /// Scale factor, 0.1–1.0 (default 1).
    #[serde(default)]
    pub scale: Option<f64>,
}

/// Answer of the screenshot routes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct ScreenshotResponse {
    /// The image, base64.
    pub screenshot: String,
    /// The pointer's position on the screen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub cursor_position: Option<Position>,
    /// The image's size in bytes (before base64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub size_bytes: Option<u64>,
}

/// A display (`DisplayInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct DisplayInfo {
    /// Its number.
    pub id: u32,
    /// Left edge.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Whether it is the one in use.
    pub is_active: bool,
}

/// Answer of `GET /computeruse/display/info`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct DisplayInfoResponse {
    /// The displays.
    pub displays: Vec<DisplayInfo>,
}

/// A top-level window (`WindowInfo`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct WindowInfo {
    /// The X window id.
    pub id: u32,
    /// Its title.
    pub title: String,
    /// Left edge on the screen.
    pub x: i32,
    /// Top edge on the screen.
    pub y: i32,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
    /// Whether it has the focus.
    pub is_active: bool,
}

/// Answer of `GET /computeruse/display/windows`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct WindowsResponse {
    /// The windows, bottom to top.
    pub windows: Vec<WindowInfo>,
}

/// Body of `POST /computeruse/recordings/start`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct StartRecordingRequest {
    /// A label, part of the file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub label: Option<String>,
}

/// Body of `POST /computeruse/recordings/stop`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(deny_unknown_fields)]
pub struct StopRecordingRequest {
    /// The recording.
    pub id: String,
}

/// A screen recording (`Recording`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct Recording {
    /// Its id.
    pub id: String,
    /// The video's file name.
    pub file_name: String,
    /// The video's path in the sandbox.
    pub file_path: String,
    /// When it started (RFC 3339).
    pub start_time: String,
    /// `recording`, `completed` or `failed`.
    pub status: String,
    /// When it stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub end_time: Option<String>,
    /// Its length in seconds, once stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub duration_seconds: Option<f64>,
    /// The file's size, once stopped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub size_bytes: Option<u64>,
}

/// Answer of `GET /computeruse/recordings`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct ListRecordingsResponse {
    /// The recordings, oldest first.
    pub recordings: Vec<Recording>,
}

/// Query of `GET /computeruse/a11y/tree`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct AccessibilityTreeQuery {
    /// `focused` (default: the application with the active window), `pid` or `all`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub scope: Option<String>,
    /// The application's process, with scope `pid`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub pid: Option<i64>,
    /// How deep to descend: 0 the root only, negative (the default) without bound.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub max_depth: Option<i64>,
}

/// An element's place on the screen (`AccessibilityBounds`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AccessibilityBounds {
    /// Left edge, in screen pixels.
    pub x: i32,
    /// Top edge.
    pub y: i32,
    /// Width.
    pub width: i32,
    /// Height.
    pub height: i32,
}

/// One element of the accessibility tree (`ComputerUseAccessibilityNode`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AccessibilityNode {
    /// `<bus name>:<object path>`, what the node routes take.
    pub id: String,
    /// Its role (`push button`, `text`, `frame`…).
    pub role: String,
    /// Its accessible name.
    pub name: String,
    /// Its description.
    #[serde(default)]
    pub description: String,
    /// Where it is on the screen (zero when it has no place).
    #[serde(default)]
    pub bounds: AccessibilityBounds,
    /// Its states (`focusable`, `showing`, `editable`…).
    #[serde(default)]
    pub states: Vec<String>,
    /// The actions it can do (`click`, `press`…), for `node/invoke`.
    #[serde(default)]
    pub actions: Vec<String>,
    /// Its children (none in find results).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub children: Vec<AccessibilityNode>,
}

/// Answer of `GET /computeruse/a11y/tree`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AccessibilityTreeResponse {
    /// The scope's root, with its descendants.
    pub root: AccessibilityNode,
    /// Whether the walk stopped at its node budget before the end.
    pub truncated: bool,
}

/// Body of `POST /computeruse/a11y/find`: every given filter must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct FindAccessibilityNodesRequest {
    /// As the tree's scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub scope: Option<String>,
    /// As the tree's pid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub pid: Option<i64>,
    /// The role, any case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub role: Option<String>,
    /// The name, matched as `nameMatch` says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub name: Option<String>,
    /// `substring` (default), `exact` or `regex`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub name_match: Option<String>,
    /// States the node must all have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub states: Option<Vec<String>>,
    /// Most matches returned (default 500, at most 5000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub limit: Option<i64>,
}

/// Answer of `POST /computeruse/a11y/find`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AccessibilityNodesResponse {
    /// The matching nodes, without children, in tree order.
    pub matches: Vec<AccessibilityNode>,
    /// Whether the search stopped at its limit or node budget.
    pub truncated: bool,
}

/// Body of `POST /computeruse/a11y/node/focus`, `…/invoke` and `…/value`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(tsify::Tsify))]
pub struct AccessibilityNodeRequest {
    /// The node's id, from the tree or a find.
    pub id: String,
    /// For `invoke`: the action's name, any case (none: its first action).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub action: Option<String>,
    /// For `value`: the text (or, for a numeric control, the number) to set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", tsify(optional))]
    pub value: Option<String>,
}
