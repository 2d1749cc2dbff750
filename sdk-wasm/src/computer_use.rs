//! Computer use (`sandbox.computer_use()`), as `@daytonaio/sdk`'s `ComputerUse`: the
//! desktop's processes, and its [`Mouse`], [`Keyboard`], [`Screenshot`], [`Display`],
//! [`Recordings`] and [`Accessibility`]. Screenshots come back as Daytona's base64 answer, and as bytes or a `Blob`
//! ready for an `<img>` or `createImageBitmap`; a recording downloads as a streamed `Blob`.

use daytona_models::{
    AccessibilityNodeRequest, AccessibilityNodesResponse, AccessibilityTreeQuery, AccessibilityTreeResponse,
    ComputerUseStartResponse, ComputerUseStatusResponse, DisplayInfoResponse, FindAccessibilityNodesRequest,
    KeyboardHotkeyRequest, KeyboardKeyRequest, KeyboardPressRequest, KeyboardTypeRequest, ListRecordingsResponse,
    MouseButtonRequest, MouseClickRequest, MouseDragRequest, MouseMoveRequest, MouseScrollRequest, Position,
    ProcessErrorsResponse, ProcessLogsResponse, ProcessRestartResponse, ProcessStatusResponse, Recording,
    ScreenshotQuery, ScreenshotResponse, ScrollResponse, StartRecordingRequest, StopRecordingRequest, WindowsResponse,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::http::{encode, Method};
use crate::toolbox::{Route, Toolbox};
use crate::transfer::TransferOptions;
use crate::{Call, DaytonaError, FileSystem};

/// The routes with a JSON body (see [`Route`]).
pub(crate) const MOUSE_MOVE: Route = (Method::Post, "/computeruse/mouse/move");
pub(crate) const MOUSE_CLICK: Route = (Method::Post, "/computeruse/mouse/click");
pub(crate) const MOUSE_DRAG: Route = (Method::Post, "/computeruse/mouse/drag");
pub(crate) const MOUSE_SCROLL: Route = (Method::Post, "/computeruse/mouse/scroll");
pub(crate) const MOUSE_DOWN: Route = (Method::Post, "/computeruse/mouse/down");
pub(crate) const MOUSE_UP: Route = (Method::Post, "/computeruse/mouse/up");
pub(crate) const KEY_TYPE: Route = (Method::Post, "/computeruse/keyboard/type");
pub(crate) const KEY_PRESS: Route = (Method::Post, "/computeruse/keyboard/key");
pub(crate) const KEY_HOTKEY: Route = (Method::Post, "/computeruse/keyboard/hotkey");
pub(crate) const KEY_DOWN: Route = (Method::Post, "/computeruse/keyboard/down");
pub(crate) const KEY_UP: Route = (Method::Post, "/computeruse/keyboard/up");
pub(crate) const RECORDING_START: Route = (Method::Post, "/computeruse/recordings/start");
pub(crate) const RECORDING_STOP: Route = (Method::Post, "/computeruse/recordings/stop");
pub(crate) const A11Y_FIND: Route = (Method::Post, "/computeruse/a11y/find");
pub(crate) const A11Y_FOCUS: Route = (Method::Post, "/computeruse/a11y/node/focus");
pub(crate) const A11Y_INVOKE: Route = (Method::Post, "/computeruse/a11y/node/invoke");
pub(crate) const A11Y_VALUE: Route = (Method::Post, "/computeruse/a11y/node/value");

/// The computer-use API of one sandbox (cheap to clone).
#[derive(Clone, Debug)]
pub struct ComputerUse {
    toolbox: Toolbox,
}

/// Query pairs from `(name, value)` with values present.
fn query(pairs: &[(&str, Option<String>)]) -> Vec<(String, String)> {
    pairs.iter().filter_map(|(k, v)| Some(((*k).to_owned(), v.clone()?))).collect()
}

impl ComputerUse {
    pub(crate) fn new(toolbox: Toolbox) -> Self {
        Self { toolbox }
    }

    /// A call to toolbox `path` (with `query`) answering JSON that reads as `T`.
    fn call<T: DeserializeOwned>(&self, method: Method, path: &str, query: &[(String, String)]) -> Call<T> {
        Call::new(&self.toolbox.client, method, self.toolbox.url(path, query))
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Call<T> {
        self.call(Method::Get, path, &[])
    }

    /// A call of `route` with `body`, answering `T`.
    fn post<T: DeserializeOwned>(&self, route: Route, body: &(impl Serialize + ?Sized)) -> Call<T> {
        self.route(route).body(body)
    }

    /// A call of `route` (see [`Toolbox::route`]).
    pub(crate) fn route<T>(&self, route: Route) -> Call<T> {
        self.toolbox.route(route)
    }

    /// A POST without a body, as the official SDKs send these.
    fn post_empty<T: DeserializeOwned>(&self, path: &str) -> Call<T> {
        self.call(Method::Post, path, &[])
    }

    /// Starts the desktop (X server, window manager, VNC, noVNC on port 6080).
    pub fn start(&self) -> Call<ComputerUseStartResponse> {
        self.post_empty("/computeruse/start")
    }

    /// Stops the desktop.
    pub fn stop(&self) -> Call<ComputerUseStartResponse> {
        self.post_empty("/computeruse/stop")
    }

    /// `active`, `partial`, `inactive` or `error`.
    pub fn get_status(&self) -> Call<ComputerUseStatusResponse> {
        self.get("/computeruse/process-status")
    }

    /// Whether process `name` (`xvfb`, `xfce4`, `x11vnc`, `novnc`) runs.
    pub fn get_process_status(&self, name: &str) -> Call<ProcessStatusResponse> {
        self.get(&format!("/computeruse/process/{}/status", encode(name)))
    }

    /// Restarts process `name`.
    pub fn restart_process(&self, name: &str) -> Call<ProcessRestartResponse> {
        self.post_empty(&format!("/computeruse/process/{}/restart", encode(name)))
    }

    /// Process `name`'s output.
    pub fn get_process_logs(&self, name: &str) -> Call<ProcessLogsResponse> {
        self.get(&format!("/computeruse/process/{}/logs", encode(name)))
    }

    /// Process `name`'s error output.
    pub fn get_process_errors(&self, name: &str) -> Call<ProcessErrorsResponse> {
        self.get(&format!("/computeruse/process/{}/errors", encode(name)))
    }

    /// The mouse.
    pub fn mouse(&self) -> Mouse<'_> {
        Mouse { cu: self }
    }

    /// The keyboard.
    pub fn keyboard(&self) -> Keyboard<'_> {
        Keyboard { cu: self }
    }

    /// Screenshots.
    pub fn screenshot(&self) -> Screenshot<'_> {
        Screenshot { cu: self }
    }

    /// Displays and windows.
    pub fn display(&self) -> Display<'_> {
        Display { cu: self }
    }

    /// Screen recordings.
    pub fn recording(&self) -> Recordings<'_> {
        Recordings { cu: self }
    }

    /// The accessibility tree of the desktop's applications.
    pub fn accessibility(&self) -> Accessibility<'_> {
        Accessibility { cu: self }
    }
}

/// The accessibility tree (AT-SPI) of the applications on the desktop: read it, search it,
/// and focus, press or fill its elements by id.
#[derive(Clone, Copy, Debug)]
pub struct Accessibility<'a> {
    cu: &'a ComputerUse,
}

impl Accessibility<'_> {
    /// The tree of `q.scope` (`focused`, `pid` with `q.pid`, or `all`), `q.max_depth` deep.
    pub fn get_tree(&self, q: &AccessibilityTreeQuery) -> Call<AccessibilityTreeResponse> {
        let query = query(&[
            ("scope", q.scope.clone()),
            ("pid", q.pid.map(|p| p.to_string())),
            ("maxDepth", q.max_depth.map(|d| d.to_string())),
        ]);
        self.cu.call(Method::Get, "/computeruse/a11y/tree", &query)
    }

    /// The elements `req` matches, without their children.
    pub fn find_nodes(&self, req: &FindAccessibilityNodesRequest) -> Call<AccessibilityNodesResponse> {
        self.cu.post(A11Y_FIND, req)
    }

    /// Gives element `id` the keyboard focus.
    pub fn focus_node(&self, id: &str) -> Call<()> {
        self.node(A11Y_FOCUS, AccessibilityNodeRequest { id: id.into(), ..Default::default() })
    }

    /// Does element `id`'s `action` (none: its first, e.g. a button's `click`).
    pub fn invoke_node(&self, id: &str, action: Option<&str>) -> Call<()> {
        self.node(A11Y_INVOKE, AccessibilityNodeRequest { id: id.into(), action: action.map(Into::into), value: None })
    }

    /// Sets element `id`'s text (or a numeric control's value).
    pub fn set_node_value(&self, id: &str, value: &str) -> Call<()> {
        self.node(A11Y_VALUE, AccessibilityNodeRequest { id: id.into(), action: None, value: Some(value.into()) })
    }

    fn node(&self, route: Route, req: AccessibilityNodeRequest) -> Call<()> {
        self.cu.route::<()>(route).body(&req).unanswered()
    }
}

/// The desktop's mouse.
#[derive(Clone, Copy, Debug)]
pub struct Mouse<'a> {
    cu: &'a ComputerUse,
}

impl Mouse<'_> {
    /// Where the pointer is.
    pub fn get_position(&self) -> Call<Position> {
        self.cu.get("/computeruse/mouse/position")
    }

    /// Moves the pointer to (`x`, `y`).
    pub fn move_to(&self, x: i32, y: i32) -> Call<Position> {
        self.cu.post(MOUSE_MOVE, &MouseMoveRequest { x, y })
    }

    /// Clicks (button, double click, repeat and modifiers in `req`).
    pub fn click(&self, req: &MouseClickRequest) -> Call<Position> {
        self.cu.post(MOUSE_CLICK, req)
    }

    /// Drags from start to end with a button held.
    pub fn drag(&self, req: &MouseDragRequest) -> Call<Position> {
        self.cu.post(MOUSE_DRAG, req)
    }

    /// Scrolls `up` or `down` at a point; whether it scrolled (`success`).
    pub fn scroll(&self, req: &MouseScrollRequest) -> Call<ScrollResponse> {
        self.cu.post(MOUSE_SCROLL, req)
    }

    /// Presses a button (at a point, if given) without releasing it.
    pub fn down(&self, req: &MouseButtonRequest) -> Call<Position> {
        self.cu.post(MOUSE_DOWN, req)
    }

    /// Releases a button.
    pub fn up(&self, req: &MouseButtonRequest) -> Call<Position> {
        self.cu.post(MOUSE_UP, req)
    }
}

/// The desktop's keyboard. Every call answers `{}`.
#[derive(Clone, Copy, Debug)]
pub struct Keyboard<'a> {
    cu: &'a ComputerUse,
}

impl Keyboard<'_> {
    fn send(&self, route: Route, body: &(impl Serialize + ?Sized)) -> Call<()> {
        self.cu.route(route).unanswered().body(body)
    }

    /// Types `text` (any Unicode), `delay` ms between keys.
    pub fn type_text(&self, text: &str, delay: Option<u32>) -> Call<()> {
        self.send(KEY_TYPE, &KeyboardTypeRequest { text: text.to_owned(), delay })
    }

    /// Presses `key` (`Return`, `a`, `F5`, …) with `modifiers` (`ctrl`, `alt`, `shift`, `super`).
    pub fn press(&self, key: &str, modifiers: &[&str]) -> Call<()> {
        let modifiers = (!modifiers.is_empty()).then(|| modifiers.iter().map(|m| (*m).to_owned()).collect());
        self.send(KEY_PRESS, &KeyboardPressRequest { key: key.to_owned(), modifiers })
    }

    /// Presses a chord such as `ctrl+shift+t`.
    pub fn hotkey(&self, keys: &str) -> Call<()> {
        self.send(KEY_HOTKEY, &KeyboardHotkeyRequest { keys: keys.to_owned() })
    }

    /// Holds `key` down.
    pub fn down(&self, key: &str) -> Call<()> {
        self.send(KEY_DOWN, &KeyboardKeyRequest { key: key.to_owned() })
    }

    /// Releases `key`.
    pub fn up(&self, key: &str) -> Call<()> {
        self.send(KEY_UP, &KeyboardKeyRequest { key: key.to_owned() })
    }
}

/// Screenshots of the desktop.
#[derive(Clone, Copy, Debug)]
pub struct Screenshot<'a> {
    cu: &'a ComputerUse,
}

/// A region of the screen: left, top, width, height.
pub type Region = (i32, i32, u32, u32);

impl Screenshot<'_> {
    fn take(&self, path: &str, region: Option<Region>, q: &ScreenshotQuery) -> Call<ScreenshotResponse> {
        let (x, y, w, h) = region.map_or((None, None, None, None), |(x, y, w, h)| (Some(x), Some(y), Some(w), Some(h)));
        let pairs = query(&[
            ("x", x.map(|v| v.to_string())),
            ("y", y.map(|v| v.to_string())),
            ("width", w.map(|v| v.to_string())),
            ("height", h.map(|v| v.to_string())),
            ("showCursor", q.show_cursor.map(|v| v.to_string())),
            ("format", q.format.clone()),
            ("quality", q.quality.map(|v| v.to_string())),
            // The browser writes the number (Rust's float formatting costs ~5 KB gzip in the wasm).
            ("scale", q.scale.and_then(|v| js_sys::Number::from(v).to_string_with_radix(10).ok().map(String::from))),
        ]);
        self.cu.call(Method::Get, path, &pairs)
    }

    /// The whole screen as PNG.
    pub fn take_full_screen(&self, show_cursor: bool) -> Call<ScreenshotResponse> {
        let q = ScreenshotQuery { show_cursor: Some(show_cursor), ..Default::default() };
        self.take("/computeruse/screenshot", None, &q)
    }

    /// A region as PNG.
    pub fn take_region(&self, region: Region, show_cursor: bool) -> Call<ScreenshotResponse> {
        let q = ScreenshotQuery { show_cursor: Some(show_cursor), ..Default::default() };
        self.take("/computeruse/screenshot/region", Some(region), &q)
    }

    /// The whole screen, as `q` asks (`format` png/jpeg, `quality`, `scale`, `showCursor`).
    pub fn take_compressed(&self, q: &ScreenshotQuery) -> Call<ScreenshotResponse> {
        self.take("/computeruse/screenshot/compressed", None, q)
    }

    /// A region, as `q` asks.
    pub fn take_compressed_region(&self, region: Region, q: &ScreenshotQuery) -> Call<ScreenshotResponse> {
        self.take("/computeruse/screenshot/region/compressed", Some(region), q)
    }
}

/// The image bytes of a screenshot answer (its base64 decoded).
pub fn screenshot_bytes(shot: &ScreenshotResponse) -> Result<Vec<u8>, DaytonaError> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(&shot.screenshot)
        .map_err(|e| DaytonaError::Decode(format!("screenshot: {e}")))
}

/// A screenshot answer as an image `Blob` (`image/png` or `image/jpeg`, from its bytes), for
/// an `<img>` (`URL.createObjectURL`) or `createImageBitmap`.
pub fn screenshot_blob(shot: &ScreenshotResponse) -> Result<web_sys::Blob, DaytonaError> {
    let bytes = screenshot_bytes(shot)?;
    let kind = if bytes.starts_with(&[0xff, 0xd8]) { "image/jpeg" } else { "image/png" };
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes.as_slice()));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type(kind);
    web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts)
        .map_err(|e| DaytonaError::Decode(format!("screenshot blob: {}", crate::http::js_message(&e))))
}

/// The desktop's displays and windows.
#[derive(Clone, Copy, Debug)]
pub struct Display<'a> {
    cu: &'a ComputerUse,
}

impl Display<'_> {
    /// The displays.
    pub fn get_info(&self) -> Call<DisplayInfoResponse> {
        self.cu.get("/computeruse/display/info")
    }

    /// The top-level windows.
    pub fn get_windows(&self) -> Call<WindowsResponse> {
        self.cu.get("/computeruse/display/windows")
    }
}

/// Screen recordings.
#[derive(Clone, Copy, Debug)]
pub struct Recordings<'a> {
    cu: &'a ComputerUse,
}

impl Recordings<'_> {
    fn path(id: &str) -> String {
        format!("/computeruse/recordings/{}", encode(id))
    }

    /// Starts recording the screen.
    pub fn start(&self, label: Option<&str>) -> Call<Recording> {
        self.cu.post(RECORDING_START, &StartRecordingRequest { label: label.map(str::to_owned) })
    }

    /// Stops recording `id`; its file is then a playable MP4.
    pub fn stop(&self, id: &str) -> Call<Recording> {
        self.cu.post(RECORDING_STOP, &StopRecordingRequest { id: id.to_owned() })
    }

    /// Every recording (`recordings`).
    pub fn list(&self) -> Call<ListRecordingsResponse> {
        self.cu.get("/computeruse/recordings")
    }

    /// Recording `id`.
    pub fn get(&self, id: &str) -> Call<Recording> {
        self.cu.get(&Self::path(id))
    }

    /// Deletes recording `id` (a `Conflict` while it records).
    pub fn delete(&self, id: &str) -> Call<()> {
        Call::done(&self.cu.toolbox.client, Method::Delete, self.cu.toolbox.url(&Self::path(id), &[]))
    }

    /// Recording `id`'s video, streamed into a `Blob` with progress and cancel as any file
    /// download (`opts`).
    pub async fn download(&self, id: &str, opts: &TransferOptions) -> Result<web_sys::Blob, DaytonaError> {
        let recording = self.get(id).await?;
        FileSystem::new(self.cu.toolbox.clone()).download_file(&recording.file_path, opts).await
    }
}
