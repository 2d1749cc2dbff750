//! Computer use (`sandbox.computer_use()`), as `@daytonaio/sdk`'s `ComputerUse`: the
//! desktop's processes, and its [`Mouse`], [`Keyboard`], [`Screenshot`], [`Display`] and
//! [`Recordings`]. Screenshots come back as Daytona's base64 answer, and as bytes or a `Blob`
//! ready for an `<img>` or `createImageBitmap`; a recording downloads as a streamed `Blob`.

use daytona_models::{
    ComputerUseStartResponse, ComputerUseStatusResponse, DisplayInfoResponse, KeyboardHotkeyRequest,
    KeyboardKeyRequest, KeyboardPressRequest, KeyboardTypeRequest, ListRecordingsResponse, MouseButtonRequest,
    MouseClickRequest, MouseDragRequest, MouseMoveRequest, MouseScrollRequest, Position, ProcessErrorsResponse,
    ProcessLogsResponse, ProcessRestartResponse, ProcessStatusResponse, Recording, ScreenshotQuery, ScreenshotResponse,
    ScrollResponse, StartRecordingRequest, StopRecordingRequest, WindowsResponse,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::http::{encode, CallOptions, Method};
use crate::toolbox::Toolbox;
use crate::transfer::TransferOptions;
use crate::{DaytonaError, FileSystem};

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

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(String, String)],
        body: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, DaytonaError> {
        self.toolbox.client.http.json(method, &self.toolbox.url(path, query), body, &CallOptions::default()).await
    }

    async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, DaytonaError> {
        self.call(Method::Get, path, &[], None::<&()>).await
    }

    async fn post<T: DeserializeOwned>(&self, path: &str, body: &(impl Serialize + ?Sized)) -> Result<T, DaytonaError> {
        self.call(Method::Post, path, &[], Some(body)).await
    }

    /// A POST without a body, as the official SDKs send these.
    async fn post_empty<T: DeserializeOwned>(&self, path: &str) -> Result<T, DaytonaError> {
        self.call(Method::Post, path, &[], None::<&()>).await
    }

    /// Starts the desktop (X server, window manager, VNC, noVNC on port 6080).
    pub async fn start(&self) -> Result<ComputerUseStartResponse, DaytonaError> {
        self.post_empty("/computeruse/start").await
    }

    /// Stops the desktop.
    pub async fn stop(&self) -> Result<ComputerUseStartResponse, DaytonaError> {
        self.post_empty("/computeruse/stop").await
    }

    /// `active`, `partial`, `inactive` or `error`.
    pub async fn get_status(&self) -> Result<ComputerUseStatusResponse, DaytonaError> {
        self.get("/computeruse/process-status").await
    }

    /// Whether process `name` (`xvfb`, `xfce4`, `x11vnc`, `novnc`) runs.
    pub async fn get_process_status(&self, name: &str) -> Result<ProcessStatusResponse, DaytonaError> {
        self.get(&format!("/computeruse/process/{}/status", encode(name))).await
    }

    /// Restarts process `name`.
    pub async fn restart_process(&self, name: &str) -> Result<ProcessRestartResponse, DaytonaError> {
        self.post_empty(&format!("/computeruse/process/{}/restart", encode(name))).await
    }

    /// Process `name`'s output.
    pub async fn get_process_logs(&self, name: &str) -> Result<ProcessLogsResponse, DaytonaError> {
        self.get(&format!("/computeruse/process/{}/logs", encode(name))).await
    }

    /// Process `name`'s error output.
    pub async fn get_process_errors(&self, name: &str) -> Result<ProcessErrorsResponse, DaytonaError> {
        self.get(&format!("/computeruse/process/{}/errors", encode(name))).await
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
}

/// The desktop's mouse.
#[derive(Clone, Copy, Debug)]
pub struct Mouse<'a> {
    cu: &'a ComputerUse,
}

impl Mouse<'_> {
    /// Where the pointer is.
    pub async fn get_position(&self) -> Result<Position, DaytonaError> {
        self.cu.get("/computeruse/mouse/position").await
    }

    /// Moves the pointer to (`x`, `y`).
    pub async fn move_to(&self, x: i32, y: i32) -> Result<Position, DaytonaError> {
        self.cu.post("/computeruse/mouse/move", &MouseMoveRequest { x, y }).await
    }

    /// Clicks (button, double click, repeat and modifiers in `req`).
    pub async fn click(&self, req: &MouseClickRequest) -> Result<Position, DaytonaError> {
        self.cu.post("/computeruse/mouse/click", req).await
    }

    /// Drags from start to end with a button held.
    pub async fn drag(&self, req: &MouseDragRequest) -> Result<Position, DaytonaError> {
        self.cu.post("/computeruse/mouse/drag", req).await
    }

    /// Scrolls `up` or `down` at a point; whether it scrolled.
    pub async fn scroll(&self, req: &MouseScrollRequest) -> Result<bool, DaytonaError> {
        let answer: ScrollResponse = self.cu.post("/computeruse/mouse/scroll", req).await?;
        Ok(answer.success)
    }

    /// Presses a button (at a point, if given) without releasing it.
    pub async fn down(&self, req: &MouseButtonRequest) -> Result<Position, DaytonaError> {
        self.cu.post("/computeruse/mouse/down", req).await
    }

    /// Releases a button.
    pub async fn up(&self, req: &MouseButtonRequest) -> Result<Position, DaytonaError> {
        self.cu.post("/computeruse/mouse/up", req).await
    }
}

/// The desktop's keyboard. Every call answers `{}`.
#[derive(Clone, Copy, Debug)]
pub struct Keyboard<'a> {
    cu: &'a ComputerUse,
}

impl Keyboard<'_> {
    async fn send(&self, path: &str, body: &(impl Serialize + ?Sized)) -> Result<(), DaytonaError> {
        let _: serde::de::IgnoredAny = self.cu.post(path, body).await?;
        Ok(())
    }

    /// Types `text` (any Unicode), `delay` ms between keys.
    pub async fn type_text(&self, text: &str, delay: Option<u32>) -> Result<(), DaytonaError> {
        self.send("/computeruse/keyboard/type", &KeyboardTypeRequest { text: text.to_owned(), delay }).await
    }

    /// Presses `key` (`Return`, `a`, `F5`, …) with `modifiers` (`ctrl`, `alt`, `shift`, `super`).
    pub async fn press(&self, key: &str, modifiers: &[&str]) -> Result<(), DaytonaError> {
        let modifiers = (!modifiers.is_empty()).then(|| modifiers.iter().map(|m| (*m).to_owned()).collect());
        self.send("/computeruse/keyboard/key", &KeyboardPressRequest { key: key.to_owned(), modifiers }).await
    }

    /// Presses a chord such as `ctrl+shift+t`.
    pub async fn hotkey(&self, keys: &str) -> Result<(), DaytonaError> {
        self.send("/computeruse/keyboard/hotkey", &KeyboardHotkeyRequest { keys: keys.to_owned() }).await
    }

    /// Holds `key` down.
    pub async fn down(&self, key: &str) -> Result<(), DaytonaError> {
        self.send("/computeruse/keyboard/down", &KeyboardKeyRequest { key: key.to_owned() }).await
    }

    /// Releases `key`.
    pub async fn up(&self, key: &str) -> Result<(), DaytonaError> {
        self.send("/computeruse/keyboard/up", &KeyboardKeyRequest { key: key.to_owned() }).await
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
    async fn take(
        &self,
        path: &str,
        region: Option<Region>,
        q: &ScreenshotQuery,
    ) -> Result<ScreenshotResponse, DaytonaError> {
        let (x, y, w, h) = region.map_or((None, None, None, None), |(x, y, w, h)| (Some(x), Some(y), Some(w), Some(h)));
        let pairs = query(&[
            ("x", x.map(|v| v.to_string())),
            ("y", y.map(|v| v.to_string())),
            ("width", w.map(|v| v.to_string())),
            ("height", h.map(|v| v.to_string())),
            ("showCursor", q.show_cursor.map(|v| v.to_string())),
            ("format", q.format.clone()),
            ("quality", q.quality.map(|v| v.to_string())),
            ("scale", q.scale.map(|v| v.to_string())),
        ]);
        self.cu.call(Method::Get, path, &pairs, None::<&()>).await
    }

    /// The whole screen as PNG.
    pub async fn take_full_screen(&self, show_cursor: bool) -> Result<ScreenshotResponse, DaytonaError> {
        let q = ScreenshotQuery { show_cursor: Some(show_cursor), ..Default::default() };
        self.take("/computeruse/screenshot", None, &q).await
    }

    /// A region as PNG.
    pub async fn take_region(&self, region: Region, show_cursor: bool) -> Result<ScreenshotResponse, DaytonaError> {
        let q = ScreenshotQuery { show_cursor: Some(show_cursor), ..Default::default() };
        self.take("/computeruse/screenshot/region", Some(region), &q).await
    }

    /// The whole screen, as `q` asks (`format` png/jpeg, `quality`, `scale`, `showCursor`).
    pub async fn take_compressed(&self, q: &ScreenshotQuery) -> Result<ScreenshotResponse, DaytonaError> {
        self.take("/computeruse/screenshot/compressed", None, q).await
    }

    /// A region, as `q` asks.
    pub async fn take_compressed_region(
        &self,
        region: Region,
        q: &ScreenshotQuery,
    ) -> Result<ScreenshotResponse, DaytonaError> {
        self.take("/computeruse/screenshot/region/compressed", Some(region), q).await
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
    pub async fn get_info(&self) -> Result<DisplayInfoResponse, DaytonaError> {
        self.cu.get("/computeruse/display/info").await
    }

    /// The top-level windows.
    pub async fn get_windows(&self) -> Result<WindowsResponse, DaytonaError> {
        self.cu.get("/computeruse/display/windows").await
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
    pub async fn start(&self, label: Option<&str>) -> Result<Recording, DaytonaError> {
        self.cu.post("/computeruse/recordings/start", &StartRecordingRequest { label: label.map(str::to_owned) }).await
    }

    /// Stops recording `id`; its file is then a playable MP4.
    pub async fn stop(&self, id: &str) -> Result<Recording, DaytonaError> {
        self.cu.post("/computeruse/recordings/stop", &StopRecordingRequest { id: id.to_owned() }).await
    }

    /// Every recording.
    pub async fn list(&self) -> Result<Vec<Recording>, DaytonaError> {
        let answer: ListRecordingsResponse = self.cu.get("/computeruse/recordings").await?;
        Ok(answer.recordings)
    }

    /// Recording `id`.
    pub async fn get(&self, id: &str) -> Result<Recording, DaytonaError> {
        self.cu.get(&Self::path(id)).await
    }

    /// Deletes recording `id` (a `Conflict` while it records).
    pub async fn delete(&self, id: &str) -> Result<(), DaytonaError> {
        let url = self.cu.toolbox.url(&Self::path(id), &[]);
        self.cu.toolbox.client.http.send(Method::Delete, &url, None::<&()>, &CallOptions::default()).await?;
        Ok(())
    }

    /// Recording `id`'s video, streamed into a `Blob` with progress and cancel as any file
    /// download (`opts`).
    pub async fn download(&self, id: &str, opts: &TransferOptions) -> Result<web_sys::Blob, DaytonaError> {
        let recording = self.get(id).await?;
        FileSystem::new(self.cu.toolbox.clone()).download_file(&recording.file_path, opts).await
    }
}
