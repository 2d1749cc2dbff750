//! A PTY connection's state in words and colours.

use daytona_wasm::PtyState;

/// The colour family of `state` (the badge tones of the stylesheet).
pub fn tone(state: &PtyState) -> &'static str {
    match state {
        PtyState::Connected => "ok",
        PtyState::Connecting | PtyState::Reconnecting(_) => "busy",
        PtyState::Exited(0) | PtyState::Disconnected => "idle",
        PtyState::Exited(_) | PtyState::Failed(_) => "bad",
    }
}

/// `state` as a sentence fragment for the status line.
pub fn label(state: &PtyState) -> String {
    match state {
        PtyState::Connecting => "Connecting…".into(),
        PtyState::Connected => "Connected".into(),
        PtyState::Reconnecting(n) => format!("Reconnecting (attempt {n})…"),
        PtyState::Exited(code) => format!("Exited with code {code}"),
        PtyState::Disconnected => "Disconnected".into(),
        PtyState::Failed(why) => format!("Failed: {why}"),
    }
}

/// Where session `info`'s shell runs and since when ("/home/daytona · started 3 min ago"),
/// against `now` (ms since the epoch).
pub fn started(info: &daytona_wasm::models::PtySessionInfo, now: f64) -> String {
    let since = crate::time::parse_iso(&info.created_at)
        .map(|ms| crate::time::relative(ms, now))
        .unwrap_or_else(|| info.created_at.clone());
    format!("{} · started {since}", info.cwd)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_each_state() {
        assert_eq!(label(&PtyState::Reconnecting(3)), "Reconnecting (attempt 3)…");
        assert_eq!(label(&PtyState::Exited(130)), "Exited with code 130");
        assert_eq!(tone(&PtyState::Exited(0)), "idle");
        assert_eq!(tone(&PtyState::Exited(1)), "bad");
    }
}
