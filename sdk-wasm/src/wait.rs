//! Polling waits for sandbox states (the official SDKs' fallback when no event socket is used).

use std::time::Duration;

use daytona_models::SandboxState;
use futures::future::LocalBoxFuture;

use crate::{DaytonaError, Sandbox};

/// First poll interval; it grows ×1.5 up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(50);
const MAX_POLL: Duration = Duration::from_millis(1000);

/// A state a lifecycle call waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Until {
    /// `started`.
    Started,
    /// `stopped` (or `destroyed`).
    Stopped,
    /// `destroyed`, or gone from the listing.
    Destroyed,
    /// Any state but `resizing`.
    Resized,
    /// Any state but `pausing` (as the official SDKs wait).
    Paused,
    /// Any state but `snapshotting`.
    Snapshotted,
}

impl Until {
    fn what(self) -> &'static str {
        match self {
            Self::Started => "started",
            Self::Stopped => "stopped",
            Self::Destroyed => "destroyed",
            Self::Resized => "resized",
            Self::Paused => "paused",
            Self::Snapshotted => "done with its snapshot",
        }
    }

    fn reached(self, state: SandboxState) -> bool {
        match self {
            Self::Started => state == SandboxState::Started,
            Self::Stopped => matches!(state, SandboxState::Stopped | SandboxState::Destroyed),
            Self::Destroyed => state == SandboxState::Destroyed,
            Self::Resized => state != SandboxState::Resizing,
            Self::Paused => state != SandboxState::Pausing,
            Self::Snapshotted => state != SandboxState::Snapshotting,
        }
    }
}

/// Refreshes `sandbox` until its state is `until`, fails on `error`/`build_failed`, and gives
/// up after `timeout` (`None` = wait forever). One boxed future for every wait.
pub(crate) fn wait_for(
    sandbox: &Sandbox,
    until: Until,
    timeout: Option<Duration>,
) -> LocalBoxFuture<'static, Result<(), DaytonaError>> {
    let sandbox = sandbox.clone();
    Box::pin(async move {
        let what = until.what();
        let start = js_sys::Date::now();
        let mut poll = FIRST_POLL;
        loop {
            let state = sandbox.state();
            if until.reached(state) {
                return Ok(());
            }
            if matches!(state, SandboxState::Error | SandboxState::BuildFailed) {
                return Err(DaytonaError::SandboxFailed(format!(
                    "Sandbox {} failed while waiting to be {what}: {}",
                    sandbox.id(),
                    sandbox.data().error_reason.unwrap_or_else(|| state.as_str().to_owned())
                )));
            }
            if let Some(t) = timeout {
                if js_sys::Date::now() - start > t.as_millis() as f64 {
                    return Err(DaytonaError::Timeout(format!(
                        "Sandbox {} did not become {what} within {} ms (state: {})",
                        sandbox.id(),
                        // Whole ms: formatting a float would bring float printing into the package.
                        t.as_millis() as u64,
                        state.as_str()
                    )));
                }
            }
            gloo_timers::future::TimeoutFuture::new(poll.as_millis() as u32).await;
            poll = (poll * 3 / 2).min(MAX_POLL);
            // A deleted sandbox is gone from the listing (no 404 to log in the console).
            let refresh = match until {
                Until::Destroyed => sandbox.refresh_unless_gone(),
                _ => sandbox.refresh_data(),
            };
            refresh.await?;
        }
    })
}
