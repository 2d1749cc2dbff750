//! Mouse and keyboard through xdotool (XTEST), which knows every key name and types any
//! Unicode text. Every argument is checked first and passed as its own argv element after
//! `--` where text follows: nothing a client sends can become an xdotool option or a chained
//! xdotool command (it has `exec`).

use std::process::Stdio;
use std::time::Duration;

use super::desktop::DISPLAY;
use crate::agent::error::ToolboxError;

/// Longest text one `type` call takes.
const MAX_TEXT: usize = 10_000;
/// Longest delay between typed keys, in milliseconds.
const MAX_DELAY_MS: u32 = 1_000;
/// Longest one `type` call may take (characters × delay), in milliseconds.
const MAX_TYPING_MS: u64 = 20_000;

/// xdotool's command names (3.x), which may not pass as key names.
const XDOTOOL_COMMANDS: &[&str] = &[
    "behave",
    "behave_screen_edge",
    "click",
    "exec",
    "get_desktop",
    "get_desktop_for_window",
    "get_desktop_viewport",
    "get_num_desktops",
    "getactivewindow",
    "getdisplaygeometry",
    "getmouselocation",
    "getwindowclassname",
    "getwindowfocus",
    "getwindowgeometry",
    "getwindowname",
    "getwindowpid",
    "help",
    "key",
    "keydown",
    "keyup",
    "mousedown",
    "mousemove",
    "mousemove_relative",
    "mouseup",
    "search",
    "selectwindow",
    "set_desktop",
    "set_desktop_for_window",
    "set_desktop_viewport",
    "set_num_desktops",
    "set_window",
    "sleep",
    "type",
    "version",
    "windowactivate",
    "windowclose",
    "windowfocus",
    "windowkill",
    "windowmap",
    "windowminimize",
    "windowmove",
    "windowquit",
    "windowraise",
    "windowreparent",
    "windowsize",
    "windowstate",
    "windowunmap",
];

/// xdotool's number for a button name (`left` by default).
pub fn button(name: Option<&str>) -> Result<&'static str, ToolboxError> {
    match name.unwrap_or("left").to_ascii_lowercase().as_str() {
        "left" => Ok("1"),
        "middle" => Ok("2"),
        "right" => Ok("3"),
        other => Err(ToolboxError::BadRequest(format!("button must be left, right or middle, not {other:?}"))),
    }
}

/// xdotool's name for a modifier.
fn modifier(name: &str) -> Result<&'static str, ToolboxError> {
    match name.to_ascii_lowercase().as_str() {
        "ctrl" | "control" => Ok("ctrl"),
        "alt" | "option" => Ok("alt"),
        "shift" => Ok("shift"),
        "super" | "meta" | "cmd" | "command" | "win" | "windows" => Ok("super"),
        other => Err(ToolboxError::BadRequest(format!("unknown modifier {other:?} (ctrl, alt, shift, super)"))),
    }
}

/// The modifiers' xdotool names.
pub fn modifiers(names: Option<&[String]>) -> Result<Vec<&'static str>, ToolboxError> {
    names.unwrap_or_default().iter().map(|m| modifier(m)).collect()
}

/// An X key name for `name`: the common short names mapped (`enter` → `Return`, `esc` →
/// `Escape`, …), else a keysym name (letters, digits, `_`) or a single character.
pub fn key(name: &str) -> Result<String, ToolboxError> {
    let mapped = match name.to_ascii_lowercase().as_str() {
        "enter" | "return" => "Return",
        "esc" | "escape" => "Escape",
        "backspace" => "BackSpace",
        "tab" => "Tab",
        "space" => "space",
        "delete" | "del" => "Delete",
        "insert" => "Insert",
        "home" => "Home",
        "end" => "End",
        "pageup" | "page_up" => "Page_Up",
        "pagedown" | "page_down" => "Page_Down",
        "up" => "Up",
        "down" => "Down",
        "left" => "Left",
        "right" => "Right",
        _ => "",
    };
    if !mapped.is_empty() {
        return Ok(mapped.to_owned());
    }
    if let Ok(m) = modifier(name) {
        return Ok(m.to_owned());
    }
    // xdotool chains commands: a key named like one would start it.
    if XDOTOOL_COMMANDS.contains(&name) {
        return Err(ToolboxError::BadRequest(format!("not a key name: {name:?}")));
    }
    let mut chars = name.chars();
    let single = matches!((chars.next(), chars.next()), (Some(c), None) if !c.is_control() && !c.is_whitespace());
    let keysym = !name.is_empty() && name.len() <= 32 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    match single || keysym {
        true => Ok(name.to_owned()),
        false => Err(ToolboxError::BadRequest(format!("not a key name: {name:?}"))),
    }
}

/// `ctrl+shift+t` as xdotool's key chord.
pub fn chord(keys: &str) -> Result<String, ToolboxError> {
    if keys.is_empty() {
        return Err(ToolboxError::BadRequest("keys is empty".into()));
    }
    // A lone '+' is the plus key; otherwise '+' joins keys.
    let parts: Vec<String> = match keys {
        "+" => vec!["plus".to_owned()],
        _ => keys.split('+').map(|k| key(k.trim())).collect::<Result<_, _>>()?,
    };
    Ok(parts.join("+"))
}

/// A screen coordinate, checked.
pub fn coordinate(value: i32, axis: &str) -> Result<String, ToolboxError> {
    match (0..=32767).contains(&value) {
        true => Ok(value.to_string()),
        false => Err(ToolboxError::BadRequest(format!("{axis} must be 0-32767, not {value}"))),
    }
}

/// Checks a `type` request's text and delay.
pub fn typing(text: &str, delay: Option<u32>) -> Result<u32, ToolboxError> {
    if text.chars().count() > MAX_TEXT {
        return Err(ToolboxError::BadRequest(format!("text longer than {MAX_TEXT} characters")));
    }
    let delay = match delay.unwrap_or(12) {
        d if d <= MAX_DELAY_MS => d,
        d => return Err(ToolboxError::BadRequest(format!("delay must be at most {MAX_DELAY_MS} ms, not {d}"))),
    };
    let takes: u64 = typing_runs(text, delay).iter().map(|(run, d)| run.chars().count() as u64 * u64::from(*d)).sum();
    if takes > MAX_TYPING_MS {
        return Err(ToolboxError::BadRequest(format!(
            "typing {} characters {delay} ms apart would take over {} s",
            text.chars().count(),
            MAX_TYPING_MS / 1000
        )));
    }
    Ok(delay)
}

/// Delay around a character the keyboard map lacks: xdotool maps it onto a spare key for
/// the press, and the next such character must not remap that key before the application
/// has read the first (a 2–12 ms gap loses characters in xterm; 40 ms does not).
const REMAP_DELAY_MS: u32 = 40;

/// `text` in the runs xdotool types it in: ASCII with `delay`, and every other character
/// alone with at least [`REMAP_DELAY_MS`].
pub fn typing_runs(text: &str, delay: u32) -> Vec<(String, u32)> {
    let mut runs: Vec<(String, u32)> = Vec::new();
    for c in text.chars() {
        match runs.last_mut() {
            Some((run, d)) if c.is_ascii() && *d == delay && run.is_ascii() => run.push(c),
            _ => runs.push((c.to_string(), if c.is_ascii() { delay } else { delay.max(REMAP_DELAY_MS) })),
        }
    }
    runs
}

/// Runs xdotool with `args` (checked by the caller) on the desktop's display.
pub async fn xdotool(args: Vec<String>, within: Duration) -> Result<(), ToolboxError> {
    let mut cmd = tokio::process::Command::new("xdotool");
    cmd.args(&args).env("DISPLAY", DISPLAY).stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped());
    cmd.kill_on_drop(true);
    let child = crate::agent::workload::spawn(cmd).await.map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            ToolboxError::Unavailable("NOT_FOUND", "computer use needs xdotool (Debian package xdotool)".into())
        }
        _ => ToolboxError::Io(format!("starting xdotool: {e}")),
    })?;
    let out = tokio::time::timeout(within, child.wait_with_output())
        .await
        .map_err(|_| ToolboxError::Timeout(format!("xdotool took longer than {within:?}")))?
        .map_err(|e| ToolboxError::Io(format!("xdotool: {e}")))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("Can't open display") {
        return Err(ToolboxError::Conflict("the desktop is not running (POST /computeruse/start first)".into()));
    }
    match out.status.success() {
        true => Ok(()),
        false => Err(ToolboxError::BadRequest(format!("xdotool: {}", stderr.trim()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_a_client_sends_becomes_an_option_or_a_command() {
        for bad in ["--window", "exec", "exec rm", "sleep", "a b", "", "Return\n", "a;b", "x".repeat(40).as_str()] {
            assert!(key(bad).is_err(), "{bad:?} passed as a key");
        }
        assert_eq!(key("enter").unwrap(), "Return");
        assert_eq!(key("F5").unwrap(), "F5");
        assert_eq!(key("/").unwrap(), "/");
        assert_eq!(chord("ctrl+shift+t").unwrap(), "ctrl+shift+t");
        assert_eq!(chord("Control+c").unwrap(), "ctrl+c");
        assert!(chord("ctrl+exec sh").is_err());
        assert!(modifiers(Some(&["hyper".to_owned()])).is_err());
        assert!(button(Some("side")).is_err());
        assert!(coordinate(-1, "x").is_err());
        assert!(typing("hi", Some(5_000)).is_err());
        assert!(typing(&"a".repeat(100), Some(500)).is_err(), "50 s of typing");
        assert!(typing(&"é".repeat(600), Some(0)).is_err(), "600 characters off the map take 24 s");
        assert_eq!(typing(&"a".repeat(1000), Some(0)).unwrap(), 0);
    }

    #[test]
    fn characters_off_the_keyboard_map_are_typed_alone_and_slower() {
        let runs = typing_runs("ab é ü!", 5);
        let expected = [("ab ", 5), ("é", 40), (" ", 5), ("ü", 40), ("!", 5)];
        assert_eq!(runs, expected.map(|(t, d)| (t.to_owned(), d)).to_vec());
    }
}
