//! The JS face of computer use (`sandbox.computerUse`), as `@daytonaio/sdk`'s `ComputerUse`
//! with its `mouse`, `keyboard`, `screenshot`, `display` and `recording`. Answers are handed
//! on as the toolbox sent them (see `Call`); a recording downloads as a `Blob`.

use daytona_models::ScreenshotQuery;
use wasm_bindgen::prelude::*;

use super::{object, option, promise, send, send_field, send_fields};
use crate::computer_use as cu;
use crate::toolbox::Route;
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

/// Sends `fields` as the JSON body of `route`, resolving to the answer.
fn post(cu: &ComputerUse, route: Route, fields: &[(&str, &JsValue)]) -> js_sys::Promise {
    send_fields(cu.route::<()>(route), fields)
}

/// [`post`] resolving to nothing (the keyboard's answers are `{}`).
fn post_done(cu: &ComputerUse, route: Route, fields: &[(&str, &JsValue)]) -> js_sys::Promise {
    send_fields(cu.route::<()>(route).unanswered(), fields)
}

#[wasm_bindgen(js_class = Mouse)]
impl JsMouse {
    /// Where the pointer is: `{ x, y }`.
    #[wasm_bindgen(js_name = getPosition, unchecked_return_type = "Promise<Position>")]
    pub fn get_position(&self) -> js_sys::Promise {
        send(self.cu.mouse().get_position())
    }

    /// Moves the pointer; resolves to where it is.
    #[wasm_bindgen(js_name = move, unchecked_return_type = "Promise<Position>")]
    pub fn move_to(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] x: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] y: JsValue,
    ) -> js_sys::Promise {
        post(&self.cu, cu::MOUSE_MOVE, &[("x", &x), ("y", &y)])
    }

    /// Clicks at (`x`, `y`) with `button` (`left`, `right`, `middle`), twice if `double`.
    #[wasm_bindgen(unchecked_return_type = "Promise<Position>")]
    pub fn click(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] x: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] y: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] button: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "boolean")] double: JsValue,
    ) -> js_sys::Promise {
        post(&self.cu, cu::MOUSE_CLICK, &[("x", &x), ("y", &y), ("button", &button), ("double", &double)])
    }

    /// Drags from (`startX`, `startY`) to (`endX`, `endY`) with `button` held.
    #[wasm_bindgen(unchecked_return_type = "Promise<Position>")]
    pub fn drag(
        &self,
        #[wasm_bindgen(js_name = startX, unchecked_param_type = "number")] start_x: JsValue,
        #[wasm_bindgen(js_name = startY, unchecked_param_type = "number")] start_y: JsValue,
        #[wasm_bindgen(js_name = endX, unchecked_param_type = "number")] end_x: JsValue,
        #[wasm_bindgen(js_name = endY, unchecked_param_type = "number")] end_y: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] button: JsValue,
    ) -> js_sys::Promise {
        let fields =
            [("startX", &start_x), ("startY", &start_y), ("endX", &end_x), ("endY", &end_y), ("button", &button)];
        post(&self.cu, cu::MOUSE_DRAG, &fields)
    }

    /// Scrolls `up` or `down` by `amount` wheel steps (default 1) at (`x`, `y`); whether it scrolled.
    #[wasm_bindgen(unchecked_return_type = "Promise<boolean>")]
    pub fn scroll(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] x: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] y: JsValue,
        #[wasm_bindgen(unchecked_param_type = "'up' | 'down'")] direction: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] amount: JsValue,
    ) -> js_sys::Promise {
        let fields = [("x", &x), ("y", &y), ("direction", &direction), ("amount", &amount)];
        send_field(self.cu.route::<()>(cu::MOUSE_SCROLL).js_body(&object(&fields)), "success")
    }

    /// Presses `button` (at (`x`, `y`) if given) without releasing it.
    #[wasm_bindgen(unchecked_return_type = "Promise<Position>")]
    pub fn down(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] x: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] y: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] button: JsValue,
    ) -> js_sys::Promise {
        post(&self.cu, cu::MOUSE_DOWN, &[("x", &x), ("y", &y), ("button", &button)])
    }

    /// Releases `button` (at (`x`, `y`) if given).
    #[wasm_bindgen(unchecked_return_type = "Promise<Position>")]
    pub fn up(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] x: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] y: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string")] button: JsValue,
    ) -> js_sys::Promise {
        post(&self.cu, cu::MOUSE_UP, &[("x", &x), ("y", &y), ("button", &button)])
    }
}

#[wasm_bindgen(js_class = Keyboard)]
impl JsKeyboard {
    /// Types `text` (any Unicode), `delay` ms between keys.
    #[wasm_bindgen(js_name = type, unchecked_return_type = "Promise<void>")]
    pub fn type_text(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] delay: JsValue,
    ) -> js_sys::Promise {
        post_done(&self.cu, cu::KEY_TYPE, &[("text", &text), ("delay", &delay)])
    }

    /// Presses `key` (`Return`, `a`, `F5`, …) with `modifiers` (`ctrl`, `alt`, `shift`, `super`).
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn press(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "string[]")] modifiers: JsValue,
    ) -> js_sys::Promise {
        post_done(&self.cu, cu::KEY_PRESS, &[("key", &key), ("modifiers", &modifiers)])
    }

    /// Presses a chord such as `ctrl+shift+t`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn hotkey(&self, #[wasm_bindgen(unchecked_param_type = "string")] keys: JsValue) -> js_sys::Promise {
        post_done(&self.cu, cu::KEY_HOTKEY, &[("keys", &keys)])
    }

    /// Holds `key` down.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn down(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> js_sys::Promise {
        post_done(&self.cu, cu::KEY_DOWN, &[("key", &key)])
    }

    /// Releases `key`.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn up(&self, #[wasm_bindgen(unchecked_param_type = "string")] key: JsValue) -> js_sys::Promise {
        post_done(&self.cu, cu::KEY_UP, &[("key", &key)])
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

#[wasm_bindgen(js_class = Screenshot)]
impl JsScreenshot {
    /// The whole screen as PNG.
    #[wasm_bindgen(js_name = takeFullScreen, unchecked_return_type = "Promise<ScreenshotResponse>")]
    pub fn take_full_screen(&self, #[wasm_bindgen(js_name = showCursor)] show_cursor: Option<bool>) -> js_sys::Promise {
        send(self.cu.screenshot().take_full_screen(show_cursor.unwrap_or(false)))
    }

    /// A region as PNG.
    #[wasm_bindgen(js_name = takeRegion, unchecked_return_type = "Promise<ScreenshotResponse>")]
    pub fn take_region(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ScreenshotRegion")] region: JsValue,
        #[wasm_bindgen(js_name = showCursor)] show_cursor: Option<bool>,
    ) -> js_sys::Promise {
        send(self.cu.screenshot().take_region(self::region(&region), show_cursor.unwrap_or(false)))
    }

    /// The whole screen, as `options` ask.
    #[wasm_bindgen(js_name = takeCompressed, unchecked_return_type = "Promise<ScreenshotResponse>")]
    pub fn take_compressed(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "ScreenshotOptions")] options: JsValue,
    ) -> js_sys::Promise {
        send(self.cu.screenshot().take_compressed(&screenshot_options(&options)))
    }

    /// A region, as `options` ask.
    #[wasm_bindgen(js_name = takeCompressedRegion, unchecked_return_type = "Promise<ScreenshotResponse>")]
    pub fn take_compressed_region(
        &self,
        #[wasm_bindgen(unchecked_param_type = "ScreenshotRegion")] region: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ScreenshotOptions")] options: JsValue,
    ) -> js_sys::Promise {
        send(self.cu.screenshot().take_compressed_region(self::region(&region), &screenshot_options(&options)))
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
    /// Starts recording the screen.
    #[wasm_bindgen(unchecked_return_type = "Promise<Recording>")]
    pub fn start(&self, #[wasm_bindgen(unchecked_optional_param_type = "string")] label: JsValue) -> js_sys::Promise {
        post(&self.cu, cu::RECORDING_START, &[("label", &label)])
    }

    /// Stops recording `id`; its file is then a playable MP4.
    #[wasm_bindgen(unchecked_return_type = "Promise<Recording>")]
    pub fn stop(&self, #[wasm_bindgen(unchecked_param_type = "string")] id: JsValue) -> js_sys::Promise {
        post(&self.cu, cu::RECORDING_STOP, &[("id", &id)])
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
        let opts = super::fs::transfer_options(&options)?;
        let cu = self.cu.clone();
        Ok(promise(async move { cu.recording().download(&id, &opts).await.map(JsValue::from) }))
    }
}
