//! What the agent reads from the X server itself, over the X protocol (x11rb): screen
//! images with the pointer drawn in, the pointer's position, the screen's size and the
//! top-level windows. A connection per request, on a blocking thread.

use std::time::Duration;

use daytona_models::{DisplayInfo, Position, WindowInfo};
use x11rb::connection::Connection;
use x11rb::protocol::xfixes::ConnectionExt as _;
use x11rb::protocol::xproto::{AtomEnum, ConnectionExt as _, ImageFormat, Window};
use x11rb::rust_connection::RustConnection;

use super::desktop::DISPLAY;
use crate::agent::error::ToolboxError;
use crate::wait::Look;

fn not_running(e: impl std::fmt::Display) -> ToolboxError {
    ToolboxError::Conflict(format!("the desktop is not running (POST /computeruse/start first): {e}"))
}

/// A failed X request: the connection lost means the desktop went away meanwhile (a stop or
/// a restart of the X server), which is the client's to retry, not a server error.
fn failed(e: impl Into<x11rb::errors::ReplyError>) -> ToolboxError {
    match e.into() {
        x11rb::errors::ReplyError::ConnectionError(e) => not_running(e),
        x11rb::errors::ReplyError::X11Error(e) => ToolboxError::Io(format!("X server: {:?} error", e.error_kind)),
    }
}

fn connect() -> Result<(RustConnection, Window), ToolboxError> {
    let (conn, screen) = x11rb::connect(Some(DISPLAY)).map_err(not_running)?;
    let root = conn.setup().roots[screen].root;
    Ok((conn, root))
}

/// Runs `f` with a connection to the desktop's X server on a blocking thread.
pub async fn with_x<T: Send + 'static>(
    f: impl FnOnce(&RustConnection, Window) -> Result<T, ToolboxError> + Send + 'static,
) -> Result<T, ToolboxError> {
    tokio::task::spawn_blocking(move || {
        let (conn, root) = connect()?;
        f(&conn, root)
    })
    .await
    .map_err(|e| ToolboxError::Io(format!("X worker: {e}")))?
}

/// Waits until the X server accepts connections.
pub async fn wait_ready(within: Duration) -> Result<(), ToolboxError> {
    crate::wait::until(within, Duration::from_millis(20), || async move {
        match tokio::task::spawn_blocking(|| connect().map(drop)).await {
            Ok(Ok(())) => Look::Ready(()),
            Ok(Err(e)) => {
                Look::NotYet(ToolboxError::Io(format!("the X server (Xvnc) did not come up within {within:?}: {e}")))
            }
            Err(e) => Look::NotYet(ToolboxError::Io(format!("X worker: {e}"))),
        }
    })
    .await
}

/// The screen's size.
pub fn screen_size(conn: &RustConnection, root: Window) -> Result<(u32, u32), ToolboxError> {
    let geometry = conn.get_geometry(root).map_err(failed)?.reply().map_err(failed)?;
    Ok((geometry.width.into(), geometry.height.into()))
}

/// The pointer's position.
pub fn pointer(conn: &RustConnection, root: Window) -> Result<Position, ToolboxError> {
    let p = conn.query_pointer(root).map_err(failed)?.reply().map_err(failed)?;
    Ok(Position { x: p.root_x.into(), y: p.root_y.into() })
}

/// An RGB image of a screen region.
pub struct Rgb {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Three bytes per pixel, rows top to bottom.
    pub pixels: Vec<u8>,
}

/// The region `(x, y, width, height)` of the screen, with the pointer drawn in when
/// `cursor` is set.
pub fn capture(
    conn: &RustConnection,
    root: Window,
    region: (i32, i32, u32, u32),
    cursor: bool,
) -> Result<Rgb, ToolboxError> {
    let (x, y, width, height) = region;
    let image = conn
        .get_image(ImageFormat::Z_PIXMAP, root, x as i16, y as i16, width as u16, height as u16, !0)
        .map_err(failed)?
        .reply()
        .map_err(failed)?;
    let bpp = image.data.len() / (width as usize * height as usize).max(1);
    if bpp != 4 {
        return Err(ToolboxError::Io(format!("unexpected screen format: {} bytes per pixel", bpp)));
    }
    // Depth 24 in 32 bits, little-endian: B, G, R, unused.
    let mut pixels = Vec::with_capacity(width as usize * height as usize * 3);
    for px in image.data.chunks_exact(4) {
        pixels.extend_from_slice(&[px[2], px[1], px[0]]);
    }
    let mut rgb = Rgb { width, height, pixels };
    if cursor {
        draw_cursor(conn, &mut rgb, (x, y))?;
    }
    Ok(rgb)
}

/// Blends the pointer's image (XFixes, premultiplied ARGB) into `rgb`, whose top-left
/// corner is at `origin` on the screen.
fn draw_cursor(conn: &RustConnection, rgb: &mut Rgb, origin: (i32, i32)) -> Result<(), ToolboxError> {
    conn.xfixes_query_version(4, 0).map_err(failed)?.reply().map_err(failed)?;
    let cursor = conn.xfixes_get_cursor_image().map_err(failed)?.reply().map_err(failed)?;
    let left = i32::from(cursor.x) - i32::from(cursor.xhot) - origin.0;
    let top = i32::from(cursor.y) - i32::from(cursor.yhot) - origin.1;
    for row in 0..i32::from(cursor.height) {
        for col in 0..i32::from(cursor.width) {
            let (px, py) = (left + col, top + row);
            if px < 0 || py < 0 || px >= rgb.width as i32 || py >= rgb.height as i32 {
                continue;
            }
            let argb = cursor.cursor_image[(row * i32::from(cursor.width) + col) as usize];
            let alpha = argb >> 24;
            if alpha == 0 {
                continue;
            }
            let at = (py as usize * rgb.width as usize + px as usize) * 3;
            for (i, shift) in [16, 8, 0].into_iter().enumerate() {
                let src = (argb >> shift) & 0xff;
                let dst = u32::from(rgb.pixels[at + i]);
                rgb.pixels[at + i] = (src + dst * (255 - alpha) / 255).min(255) as u8;
            }
        }
    }
    Ok(())
}

/// The one display.
pub fn displays(conn: &RustConnection, root: Window) -> Result<Vec<DisplayInfo>, ToolboxError> {
    let (width, height) = screen_size(conn, root)?;
    Ok(vec![DisplayInfo { id: 0, x: 0, y: 0, width, height, is_active: true }])
}

fn atom(conn: &RustConnection, name: &str) -> Result<u32, ToolboxError> {
    Ok(conn.intern_atom(false, name.as_bytes()).map_err(failed)?.reply().map_err(failed)?.atom)
}

/// The window manager's client windows (EWMH `_NET_CLIENT_LIST`), bottom to top, with their
/// titles and places on the screen.
pub fn windows(conn: &RustConnection, root: Window) -> Result<Vec<WindowInfo>, ToolboxError> {
    let (clients, active, net_name, utf8) = (
        atom(conn, "_NET_CLIENT_LIST")?,
        atom(conn, "_NET_ACTIVE_WINDOW")?,
        atom(conn, "_NET_WM_NAME")?,
        atom(conn, "UTF8_STRING")?,
    );
    let list =
        conn.get_property(false, root, clients, AtomEnum::WINDOW, 0, 4096).map_err(failed)?.reply().map_err(failed)?;
    let focused = conn
        .get_property(false, root, active, AtomEnum::WINDOW, 0, 1)
        .map_err(failed)?
        .reply()
        .map_err(failed)?
        .value32()
        .and_then(|mut v| v.next());
    let ids: Vec<Window> = list.value32().map(Iterator::collect).unwrap_or_default();
    let mut windows = Vec::with_capacity(ids.len());
    for id in ids {
        // A window may go away meanwhile: skip it.
        let Ok(Ok(geometry)) = conn.get_geometry(id).map(|c| c.reply()) else { continue };
        let Ok(Ok(at)) = conn.translate_coordinates(id, root, 0, 0).map(|c| c.reply()) else { continue };
        let title = [(net_name, utf8), (AtomEnum::WM_NAME.into(), AtomEnum::STRING.into())]
            .into_iter()
            .filter_map(|(name, kind)| conn.get_property(false, id, name, kind, 0, 1024).ok()?.reply().ok())
            .map(|p| String::from_utf8_lossy(&p.value).into_owned())
            .find(|t| !t.is_empty())
            .unwrap_or_default();
        windows.push(WindowInfo {
            id,
            title,
            x: at.dst_x.into(),
            y: at.dst_y.into(),
            width: geometry.width.into(),
            height: geometry.height.into(),
            is_active: focused == Some(id),
        });
    }
    Ok(windows)
}

/// The text of the root window's property `name` (e.g. `AT_SPI_BUS`), if it is set.
pub fn root_string(conn: &RustConnection, root: Window, name: &str) -> Option<String> {
    let atom = conn.intern_atom(true, name.as_bytes()).ok()?.reply().ok()?.atom;
    if atom == 0 {
        return None;
    }
    let value = conn.get_property(false, root, atom, AtomEnum::ANY, 0, 4096).ok()?.reply().ok()?.value;
    Some(String::from_utf8_lossy(&value).into_owned())
}
