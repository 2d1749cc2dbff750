//! The JS face of computer use (`sandbox.computerUse`), as `@daytonaio/sdk`'s `ComputerUse`
//! with its `mouse`, `keyboard`, `screenshot`, `display` and `recording`. Answers are handed
//! on as the toolbox sent them (see `Call`); a recording downloads as a `Blob`.

use daytona_models::ScreenshotQuery;
use wasm_bindgen::prelude::*;

use super::posted::{post, Answer, Posted};
use super::lazy::{self, lazy_area, Task};
use super::{option, send, task};
use crate::computer_use as cu;
use crate::{ComputerUse, Region};

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** A region of the screen, in pixels. */
export interface ScreenshotRegion { x: number; y: number; width: number; height: number }
/** How a compressed screenshot is taken. */
export interface ScreenshotOptions {
  /** Draw the pointer into the image. */
  showCursor?: boolean;
  /** `png` (default) or `jpeg`. */
  format?: string;
  /** JPEG quality, 1–100. */
  quality?: number;
  /** Scale factor, 0.1–1. */
  scale?: number;
}
export interface Mouse {
  /** Moves the pointer; resolves to where it is. */
  move(x: number, y: number): Promise<Position>;
  /** Clicks at (`x`, `y`) with `button` (`left`, `right`, `middle`), twice if `double`. */
  click(x: number, y: number, button?: string, double?: boolean): Promise<Position>;
  /** Drags from (`startX`, `startY`) to (`endX`, `endY`) with `button` held. */
  drag(startX: number, startY: number, endX: number, endY: number, button?: string): Promise<Position>;
  /** Scrolls `up` or `down` by `amount` wheel steps (default 1) at (`x`, `y`); whether it scrolled. */
  scroll(x: number, y: number, direction: 'up' | 'down', amount?: number): Promise<boolean>;
  /** Presses `button` (at (`x`, `y`) if given) without releasing it. */
  down(x?: number, y?: number, button?: string): Promise<Position>;
  /** Releases `button` (at (`x`, `y`) if given). */
  up(x?: number, y?: number, button?: string): Promise<Position>;
}
export interface Keyboard {
  /** Types `text` (any Unicode), `delay` ms between keys. */
  type(text: string, delay?: number): Promise<void>;
  /** Presses `key` (`Return`, `a`, `F5`, …) with `modifiers` (`ctrl`, `alt`, `shift`, `super`). */
  press(key: string, modifiers?: string[]): Promise<void>;
  /** Presses a chord such as `ctrl+shift+t`. */
  hotkey(keys: string): Promise<void>;
  /** Holds `key` down. */
  down(key: string): Promise<void>;
  /** Releases `key`. */
  up(key: string): Promise<void>;
}
export interface RecordingService {
  /** Starts recording the screen. */
  start(label?: string): Promise<Recording>;
  /** Stops recording `id`; its file is then a playable MP4. */
  stop(id: string): Promise<Recording>;
}
"#;

/// The desktop of a sandbox (`sandbox.computerUse`): its processes, and its `mouse`,
/// `keyboard`, `screenshot`, `display` and `recording`.
#[wasm_bindgen(js_name = ComputerUse)]
pub struct JsComputerUse {
    inner: ComputerUse,
}

impl From<ComputerUse> for JsComputerUse {
    fn from(inner: ComputerUse) -> Self {
        Self { inner }
    }
}

/// Declares a JS class holding a `ComputerUse` for one of its parts.
macro_rules! part {
    ($(#[$doc:meta])* $rust:ident, $js:literal, $getter:ident) => {
        $(#[$doc])*
        #[wasm_bindgen(js_name = $js)]
        pub struct $rust {
            cu: ComputerUse,
        }

        #[wasm_bindgen(js_class = ComputerUse)]
        impl JsComputerUse {
            $(#[$doc])*
            #[wasm_bindgen(getter)]
            pub fn $getter(&self) -> $rust {
                $rust { cu: self.inner.clone() }
            }
        }
    };
}

part!(
    /// The desktop's mouse.
    JsMouse, "Mouse", mouse
);
part!(
    /// The desktop's keyboard.
    JsKeyboard, "Keyboard", keyboard
);
part!(
    /// Screenshots of the desktop (PNG or JPEG, base64 in `screenshot`).
    JsScreenshot, "Screenshot", screenshot
);
part!(
    /// The desktop's displays and windows.
    JsDisplay, "Display", display
);
part!(
    /// Screen recordings (MP4).
    JsRecordingService, "RecordingService", recording
);

#[wasm_bindgen(js_class = ComputerUse)]
impl JsComputerUse {
    /// Starts the desktop: X server, window manager, VNC and noVNC (port 6080).
    #[wasm_bindgen(unchecked_return_type = "Promise<ComputerUseStartResponse>")]
    pub fn start(&self) -> js_sys::Promise {
        send(self.inner.start())
    }

    /// Stops the desktop.
    #[wasm_bindgen(unchecked_return_type = "Promise<ComputerUseStartResponse>")]
    pub fn stop(&self) -> js_sys::Promise {
        send(self.inner.stop())
    }

    /// `{ status }`: `active`, `partial`, `inactive` or `error`.
    #[wasm_bindgen(js_name = getStatus, unchecked_return_type = "Promise<ComputerUseStatusResponse>")]
    pub fn get_status(&self) -> js_sys::Promise {
        send(self.inner.get_status())
    }

    /// Whether one of the desktop's processes (`xvfb`, `xfce4`, `x11vnc`, `novnc`) runs.
    #[wasm_bindgen(js_name = getProcessStatus, unchecked_return_type = "Promise<ProcessStatusResponse>")]
    pub fn get_process_status(&self, #[wasm_bindgen(js_name = processName)] name: String) -> js_sys::Promise {
        send(self.inner.get_process_status(&name))
    }

    /// Restarts one of the desktop's processes.
    #[wasm_bindgen(js_name = restartProcess, unchecked_return_type = "Promise<ProcessRestartResponse>")]
    pub fn restart_process(&self, #[wasm_bindgen(js_name = processName)] name: String) -> js_sys::Promise {
        send(self.inner.restart_process(&name))
    }

    /// The output of one of the desktop's processes.
    #[wasm_bindgen(js_name = getProcessLogs, unchecked_return_type = "Promise<ProcessLogsResponse>")]
    pub fn get_process_logs(&self, #[wasm_bindgen(js_name = processName)] name: String) -> js_sys::Promise {
        send(self.inner.get_process_logs(&name))
    }

    /// The error output of one of the desktop's processes.
    #[wasm_bindgen(js_name = getProcessErrors, unchecked_return_type = "Promise<ProcessErrorsResponse>")]
    pub fn get_process_errors(&self, #[wasm_bindgen(js_name = processName)] name: String) -> js_sys::Promise {
        send(self.inner.get_process_errors(&name))
    }
}

/// The mouse's methods that send their arguments as a body (each resolves to where the pointer
/// is, but `scroll`: whether it scrolled).
pub(crate) const MOUSE: [Posted; 6] = [
    Posted { name: "move", route: cu::MOUSE_MOVE, fields: &["x", "y"], answer: Answer::Whole },
    Posted { name: "click", route: cu::MOUSE_CLICK, fields: &["x", "y", "button", "double"], answer: Answer::Whole },
    Posted {
        name: "drag",
        route: cu::MOUSE_DRAG,
        fields: &["startX", "startY", "endX", "endY", "button"],
        answer: Answer::Whole,
    },
    Posted {
        name: "scroll",
        route: cu::MOUSE_SCROLL,
        fields: &["x", "y", "direction", "amount"],
        answer: Answer::Field("success"),
    },
    Posted { name: "down", route: cu::MOUSE_DOWN, fields: &["x", "y", "button"], answer: Answer::Whole },
    Posted { name: "up", route: cu::MOUSE_UP, fields: &["x", "y", "button"], answer: Answer::Whole },
];

/// The keyboard's methods (their answers are `{}`: they resolve to nothing).
pub(crate) const KEYBOARD: [Posted; 5] = [
    Posted { name: "type", route: cu::KEY_TYPE, fields: &["text", "delay"], answer: Answer::Nothing },
    Posted { name: "press", route: cu::KEY_PRESS, fields: &["key", "modifiers"], answer: Answer::Nothing },
    Posted { name: "hotkey", route: cu::KEY_HOTKEY, fields: &["keys"], answer: Answer::Nothing },
    Posted { name: "down", route: cu::KEY_DOWN, fields: &["key"], answer: Answer::Nothing },
    Posted { name: "up", route: cu::KEY_UP, fields: &["key"], answer: Answer::Nothing },
];

/// Starting and stopping a recording (each resolves to the `Recording`).
pub(crate) const RECORDING: [Posted; 2] = [
    Posted { name: "start", route: cu::RECORDING_START, fields: &["label"], answer: Answer::Whole },
    Posted { name: "stop", route: cu::RECORDING_STOP, fields: &["id"], answer: Answer::Whole },
];

#[wasm_bindgen(js_class = Mouse)]
impl JsMouse {
    /// Method `index` of [`MOUSE`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        post(&MOUSE, index, &args, &[], |route| self.cu.route(route))
    }

    /// Where the pointer is: `{ x, y }`.
    #[wasm_bindgen(js_name = getPosition, unchecked_return_type = "Promise<Position>")]
    pub fn get_position(&self) -> js_sys::Promise {
        send(self.cu.mouse().get_position())
    }
}

#[wasm_bindgen(js_class = Keyboard)]
impl JsKeyboard {
    /// Method `index` of [`KEYBOARD`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        post(&KEYBOARD, index, &args, &[], |route| self.cu.route(route))
    }
}

/// `{ x, y, width, height }` from JS.
fn region(v: &JsValue) -> Region {
    let n = |k| option(v, k).as_f64().unwrap_or(0.0);
    (n("x") as i32, n("y") as i32, n("width") as u32, n("height") as u32)
}

/// `{ showCursor, format, quality, scale }` from JS.
fn screenshot_options(v: &JsValue) -> ScreenshotQuery {
    ScreenshotQuery {
        show_cursor: option(v, "showCursor").as_bool(),
        format: option(v, "format").as_string(),
        quality: option(v, "quality").as_f64().map(|q| q as u8),
        scale: option(v, "scale").as_f64(),
        ..Default::default()
    }
}

/// A screenshot to take.
enum Shot {
    Full(bool),
    Region(Region, bool),
    Compressed(Option<Region>, ScreenshotQuery),
}

/// The desktop calls run by its module (see `lazy`): screenshots, a recording's download.
enum Desktop {
    Shot(ComputerUse, Shot),
    Download(ComputerUse, String, crate::TransferOptions),
}

lazy_area!(desktop: desktop(Desktop) = start_desktop);

/// Starts `call`.
fn start_desktop(call: Desktop) -> Task {
    match call {
        Desktop::Shot(cu, shot) => {
            let screenshot = cu.screenshot();
            let call = match shot {
                Shot::Full(cursor) => screenshot.take_full_screen(cursor),
                Shot::Region(region, cursor) => screenshot.take_region(region, cursor),
                Shot::Compressed(None, query) => screenshot.take_compressed(&query),
                Shot::Compressed(Some(region), query) => screenshot.take_compressed_region(region, &query),
            };
            Box::pin(wasm_bindgen_futures::JsFuture::from(send(call)))
        }
        Desktop::Download(cu, id, opts) => task(async move { cu.recording().download(&id, &opts).await.map(JsValue::from) }),
    }
}

#[wasm_bindgen(js_class = Screenshot)]
impl JsScreenshot {
    /// The whole screen as PNG.
    #[wasm_bindgen(js_name = takeFullScreen, unchecked_return_type = "Promise<ScreenshotResponse>")]
    pub fn take_full_screen(&self, #[wasm_bindgen(js_name = showCursor)] show_cursor: Option<bool>) -> js_sys::Promise {
        lazy::run(desktop(Desktop::Shot(self.cu.clone(), Shot::Full(show_cursor.unwrap_or(false)))))
    }

    /// A region as PNG.
    #[wasm_bindgen(js_name = takeRegion, unchecked_return_type = "Promise<ScreenshotResponse>")]
    pub fn take_region(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ScreenshotRegion")] region: JsValue,
        #[wasm_bindgen(js_name = showCursor)] show_cursor: Option<bool>,
    ) -> js_sys::Promise {
        lazy::run(desktop(Desktop::Shot(self.cu.clone(), Shot::Region(self::region(&region), show_cursor.unwrap_or(false)))))
    }

    /// The whole screen, as `options` ask.
    #[wasm_bindgen(js_name = takeCompressed, unchecked_return_type = "Promise<ScreenshotResponse>")]
    pub fn take_compressed(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ScreenshotOptions")] options: JsValue,
    ) -> js_sys::Promise {
        lazy::run(desktop(Desktop::Shot(self.cu.clone(), Shot::Compressed(None, screenshot_options(&options)))))
    }

    /// A region, as `options` ask.
    #[wasm_bindgen(js_name = takeCompressedRegion, unchecked_return_type = "Promise<ScreenshotResponse>")]
    pub fn take_compressed_region(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ScreenshotRegion")] region: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ScreenshotOptions")] options: JsValue,
    ) -> js_sys::Promise {
        let shot = Shot::Compressed(Some(self::region(&region)), screenshot_options(&options));
        lazy::run(desktop(Desktop::Shot(self.cu.clone(), shot)))
    }
}

#[wasm_bindgen(js_class = Display)]
impl JsDisplay {
    /// The displays.
    #[wasm_bindgen(js_name = getInfo, unchecked_return_type = "Promise<DisplayInfoResponse>")]
    pub fn get_info(&self) -> js_sys::Promise {
        send(self.cu.display().get_info())
    }

    /// The top-level windows.
    #[wasm_bindgen(js_name = getWindows, unchecked_return_type = "Promise<WindowsResponse>")]
    pub fn get_windows(&self) -> js_sys::Promise {
        send(self.cu.display().get_windows())
    }
}

#[wasm_bindgen(js_class = RecordingService)]
impl JsRecordingService {
    /// Method `index` of [`RECORDING`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        post(&RECORDING, index, &args, &[], |route| self.cu.route(route))
    }

    /// Every recording: `{ recordings }`.
    #[wasm_bindgen(unchecked_return_type = "Promise<ListRecordingsResponse>")]
    pub fn list(&self) -> js_sys::Promise {
        send(self.cu.recording().list())
    }

    /// Recording `id`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Recording>")]
    pub fn get(&self, id: String) -> js_sys::Promise {
        send(self.cu.recording().get(&id))
    }

    /// Deletes recording `id` (a `DaytonaConflictError` while it records).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn delete(&self, id: String) -> js_sys::Promise {
        send(self.cu.recording().delete(&id))
    }

    /// Recording `id`'s video as a `Blob`, streamed with progress and cancel as any file
    /// download (browsers have no local path to save to).
    #[wasm_bindgen(unchecked_return_type = "Promise<Blob>")]
    pub fn download(
        &self,
        id: String,
        #[wasm_bindgen(unchecked_optional_param_type = "TransferOptions")] options: JsValue,
    ) -> Result<js_sys::Promise, JsValue> {
        let opts = super::transfer_options(&options)?;
        Ok(lazy::run(desktop(Desktop::Download(self.cu.clone(), id, opts))))
    }
}
