//! Turning SDK errors into sentences for the UI.

use daytona_wasm::{DaytonaError, ErrorKind};

/// A readable one-line description of `err`, with a hint where one helps.
pub fn describe(err: &DaytonaError) -> String {
    match err.kind() {
        ErrorKind::Authentication => format!("The API key was rejected ({err}). Check Settings."),
        ErrorKind::Connection => {
            format!("Cannot reach the control plane: {err}. Check the API URL in Settings.")
        }
        _ => match err.status_code() {
            Some(status) => format!("{err} (HTTP {status})"),
            None => err.to_string(),
        },
    }
}
