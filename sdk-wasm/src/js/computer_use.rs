//! The JS face of computer use (`sandbox.computerUse`), as `@daytonaio/sdk`'s `ComputerUse`
//! with its `mouse`, `keyboard`, `screenshot`, `display`, `recording` and `accessibility`.
//! Answers are handed on as the toolbox sent them (see `Call`); a recording downloads as a
//! `Blob`.

use daytona_models::{AccessibilityTreeQuery, ScreenshotQuery};
use wasm_bindgen::prelude::*;

use super::lazy::{self, lazy_area, lazy_methods, string_arg};
use super::posted::{post, post_or_run, Answer, Posted};
use super::{invalid, option, sending, task};
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
  /** Where the pointer is: `{ x, y }`. */
  getPosition(): Promise<Position>;
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
  /** Every recording: `{ recordings }`. */
  list(): Promise<ListRecordingsResponse>;
  /** Recording `id`. */
  get(id: string): Promise<Recording>;
  /** Deletes recording `id` (a `DaytonaConflictError` while it records). */
  delete(id: string): Promise<void>;
}
export interface ComputerUse {
  /** Starts the desktop: X server, window manager, VNC and noVNC (port 6080). */
  start(): Promise<ComputerUseStartResponse>;
  /** Stops the desktop. */
  stop(): Promise<ComputerUseStartResponse>;
  /** `{ status }`: `active`, `partial`, `inactive` or `error`. */
  getStatus(): Promise<ComputerUseStatusResponse>;
  /** Whether one of the desktop's processes (`xvfb`, `xfce4`, `x11vnc`, `novnc`) runs. */
  getProcessStatus(processName: string): Promise<ProcessStatusResponse>;
  /** Restarts one of the desktop's processes. */
  restartProcess(processName: string): Promise<ProcessRestartResponse>;
  /** The output of one of the desktop's processes. */
  getProcessLogs(processName: string): Promise<ProcessLogsResponse>;
  /** The error output of one of the desktop's processes. */
  getProcessErrors(processName: string): Promise<ProcessErrorsResponse>;
}
export interface Screenshot {
  /** The whole screen as PNG. */
  takeFullScreen(showCursor?: boolean): Promise<ScreenshotResponse>;
  /** A region as PNG. */
  takeRegion(region: ScreenshotRegion, showCursor?: boolean): Promise<ScreenshotResponse>;
  /** The whole screen, as `options` ask. */
  takeCompressed(options?: ScreenshotOptions): Promise<ScreenshotResponse>;
  /** A region, as `options` ask. */
  takeCompressedRegion(region: ScreenshotRegion, options?: ScreenshotOptions): Promise<ScreenshotResponse>;
}
export interface Display {
  /** The displays. */
  getInfo(): Promise<DisplayInfoResponse>;
  /** The top-level windows. */
  getWindows(): Promise<WindowsResponse>;
}
/** Which part of the accessibility tree: `focused` (default), `pid` (with `pid`) or `all`; `maxDepth` 0 the root only. */
export interface AccessibilityTreeOptions { scope?: string; pid?: number; maxDepth?: number }
export interface Accessibility {
  /** The accessibility tree (AT-SPI) of the desktop's applications. */
  getTree(options?: AccessibilityTreeOptions): Promise<AccessibilityTreeResponse>;
  /** The elements matching every given filter (role any case, name by `nameMatch`, states), without children. */
  findNodes(options?: FindAccessibilityNodesRequest): Promise<AccessibilityNodesResponse>;
  /** Gives element `id` the keyboard focus. */
  focusNode(id: string): Promise<void>;
  /** Does element `id`'s `action` (default: its first, e.g. a button's `click`). */
  invokeNode(id: string, action?: string): Promise<void>;
  /** Sets element `id`'s text (or a numeric control's value). */
  setNodeValue(id: string, value: string): Promise<void>;
}
"#;

/// The desktop of a sandbox (`sandbox.computerUse`): its processes, and its `mouse`,
/// `keyboard`, `screenshot`, `display`, `recording` and `accessibility`.
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
part!(
    /// The accessibility tree of the desktop's applications.
    JsAccessibility, "Accessibility", accessibility
);

#[wasm_bindgen(js_class = ComputerUse)]
impl JsComputerUse {
    /// Method `index` of [`COMPUTER_USE_LAZY`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        lazy::run(cu_methods((self.inner.clone(), index, args)))
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

/// The accessibility tree's node actions (their answers are `{}`: they resolve to nothing).
pub(crate) const ACCESSIBILITY: [Posted; 3] = [
    Posted { name: "focusNode", route: cu::A11Y_FOCUS, fields: &["id"], answer: Answer::Nothing },
    Posted { name: "invokeNode", route: cu::A11Y_INVOKE, fields: &["id", "action"], answer: Answer::Nothing },
    Posted { name: "setNodeValue", route: cu::A11Y_VALUE, fields: &["id", "value"], answer: Answer::Nothing },
];

/// Starting and stopping a recording (each resolves to the `Recording`).
pub(crate) const RECORDING: [Posted; 2] = [
    Posted { name: "start", route: cu::RECORDING_START, fields: &["label"], answer: Answer::Whole },
    Posted { name: "stop", route: cu::RECORDING_STOP, fields: &["id"], answer: Answer::Whole },
];

#[wasm_bindgen(js_class = Mouse)]
impl JsMouse {
    /// Method `index` of [`MOUSE`], then of [`MOUSE_LAZY`], with its positional `args` (init.js
    /// names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        post_or_run(&MOUSE, index, args, &[], |route| self.cu.route(route), mouse_methods, || self.cu.clone())
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

/// A recording's download, run by the desktop's module (see `lazy`).
struct Download(ComputerUse, String, crate::TransferOptions);

lazy_area!(desktop: download(Download) = |Download(cu, id, opts): Download| {
    task(async move { cu.recording().download(&id, &opts).await.map(JsValue::from) })
});

/// A screenshot's region argument.
fn region_arg(args: &js_sys::Array, i: u32) -> Result<Region, JsValue> {
    let v = args.get(i);
    match v.is_object() {
        true => Ok(region(&v)),
        false => Err(invalid("region must be { x, y, width, height }")),
    }
}

lazy_methods!(desktop: COMPUTER_USE_LAZY, cu_methods(ComputerUse) = [
    "start" => |cu, _| Ok(sending(cu.start())),
    "stop" => |cu, _| Ok(sending(cu.stop())),
    "getStatus" => |cu, _| Ok(sending(cu.get_status())),
    "getProcessStatus" => |cu, args| Ok(sending(cu.get_process_status(&string_arg(args, 0, "processName")?))),
    "restartProcess" => |cu, args| Ok(sending(cu.restart_process(&string_arg(args, 0, "processName")?))),
    "getProcessLogs" => |cu, args| Ok(sending(cu.get_process_logs(&string_arg(args, 0, "processName")?))),
    "getProcessErrors" => |cu, args| Ok(sending(cu.get_process_errors(&string_arg(args, 0, "processName")?))),
]);

lazy_methods!(desktop: MOUSE_LAZY, mouse_methods(ComputerUse) = [
    "getPosition" => |cu, _| Ok(sending(cu.mouse().get_position())),
]);

lazy_methods!(desktop: SCREENSHOT_LAZY, screenshot_methods(ComputerUse) = [
    "takeFullScreen" => |cu, args| Ok(sending(cu.screenshot().take_full_screen(args.get(0).is_truthy()))),
    "takeRegion" => |cu, args| Ok(sending(cu.screenshot().take_region(region_arg(args, 0)?, args.get(1).is_truthy()))),
    "takeCompressed" => |cu, args| Ok(sending(cu.screenshot().take_compressed(&screenshot_options(&args.get(0))))),
    "takeCompressedRegion" => |cu, args| {
        let options = screenshot_options(&args.get(1));
        Ok(sending(cu.screenshot().take_compressed_region(region_arg(args, 0)?, &options)))
    },
]);

lazy_methods!(desktop: DISPLAY_LAZY, display_methods(ComputerUse) = [
    "getInfo" => |cu, _| Ok(sending(cu.display().get_info())),
    "getWindows" => |cu, _| Ok(sending(cu.display().get_windows())),
]);

lazy_methods!(desktop: ACCESSIBILITY_LAZY, accessibility_methods(ComputerUse) = [
    "getTree" => |cu, args| {
        let o = args.get(0);
        let number = |k| option(&o, k).as_f64().map(|n| n as i64);
        let q = AccessibilityTreeQuery { scope: option(&o, "scope").as_string(), pid: number("pid"), max_depth: number("maxDepth") };
        Ok(sending(cu.accessibility().get_tree(&q)))
    },
    "findNodes" => |cu, args| {
        // The options as given are the body (the toolbox checks them).
        let o = args.get(0);
        let body = if o.is_object() { o } else { js_sys::Object::new().into() };
        Ok(sending(cu.route::<daytona_models::AccessibilityNodesResponse>(cu::A11Y_FIND).js_body(&body)))
    },
]);

lazy_methods!(desktop: RECORDING_LAZY, recording_methods(ComputerUse) = [
    "list" => |cu, _| Ok(sending(cu.recording().list())),
    "get" => |cu, args| Ok(sending(cu.recording().get(&string_arg(args, 0, "id")?))),
    "delete" => |cu, args| Ok(sending(cu.recording().delete(&string_arg(args, 0, "id")?))),
]);

#[wasm_bindgen(js_class = Screenshot)]
impl JsScreenshot {
    /// Method `index` of [`SCREENSHOT_LAZY`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        lazy::run(screenshot_methods((self.cu.clone(), index, args)))
    }
}

#[wasm_bindgen(js_class = Display)]
impl JsDisplay {
    /// Method `index` of [`DISPLAY_LAZY`] with its positional `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        lazy::run(display_methods((self.cu.clone(), index, args)))
    }
}

#[wasm_bindgen(js_class = Accessibility)]
impl JsAccessibility {
    /// Method `index` of [`ACCESSIBILITY`], then of [`ACCESSIBILITY_LAZY`], with its positional
    /// `args` (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        let (cu, lazy) = (self.cu.clone(), accessibility_methods);
        post_or_run(&ACCESSIBILITY, index, args, &[], |route| self.cu.route(route), lazy, || cu)
    }
}

#[wasm_bindgen(js_class = RecordingService)]
impl JsRecordingService {
    /// Method `index` of [`RECORDING`], then of [`RECORDING_LAZY`], with its positional `args`
    /// (init.js names them).
    #[wasm_bindgen(js_name = "_post", skip_typescript)]
    pub fn post(&self, index: usize, args: js_sys::Array) -> js_sys::Promise {
        post_or_run(&RECORDING, index, args, &[], |route| self.cu.route(route), recording_methods, || self.cu.clone())
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
        Ok(lazy::run(download(Download(self.cu.clone(), id, opts))))
    }
}
