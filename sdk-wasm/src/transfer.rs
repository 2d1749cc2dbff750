//! Options and progress reports of file transfers.

use std::rc::Rc;
use std::time::Duration;

use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

/// How far a transfer is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferProgress {
    /// Bytes sent or received so far.
    pub loaded: u64,
    /// Total bytes, when known.
    pub total: Option<u64>,
}

/// Callback receiving [`TransferProgress`] reports.
pub type ProgressFn = Rc<dyn Fn(TransferProgress)>;

/// Options of uploads and downloads.
#[derive(Clone, Default)]
pub struct TransferOptions {
    /// Called as bytes move.
    pub on_progress: Option<ProgressFn>,
    /// Cancels the transfer when it fires (the upload leaves no partial file behind).
    pub signal: Option<AbortSignal>,
    /// Gives up after this long (default: 30 minutes, as the official SDK).
    pub timeout: Option<Duration>,
}

impl std::fmt::Debug for TransferOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransferOptions")
            .field("on_progress", &self.on_progress.is_some())
            .field("signal", &self.signal)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Default time limit of a transfer.
pub const DEFAULT_TRANSFER_TIMEOUT: Duration = Duration::from_secs(30 * 60);

impl TransferOptions {
    /// The timeout to apply.
    pub(crate) fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_TRANSFER_TIMEOUT)
    }

    /// The progress callback as a JS function `(loaded, total)` (owned by JS once created).
    pub(crate) fn js_progress(&self) -> Option<js_sys::Function> {
        let cb = self.on_progress.clone()?;
        let f = Closure::<dyn Fn(f64, Option<f64>)>::new(move |loaded: f64, total: Option<f64>| {
            cb(TransferProgress { loaded: loaded as u64, total: total.map(|t| t as u64) })
        });
        Some(f.into_js_value().unchecked_into())
    }
}
