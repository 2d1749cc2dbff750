//! Polling waits for sandbox states (the official SDKs' fallback when no event socket is used).

use std::time::Duration;

use daytona_models::SandboxState;

use crate::{DaytonaError, Sandbox};

/// First poll interval; it grows ×1.5 up to [`MAX_POLL`].
const FIRST_POLL: Duration = Duration::from_millis(50);
const MAX_POLL: Duration = Duration::from_millis(1000);

/// Refreshes `sandbox` until its state satisfies `done`, fails on `error`/`build_failed`,
/// and gives up after `timeout` (`None` = wait forever).
pub(crate) async fn wait_for(
    sandbox: &Sandbox,
    what: &str,
    timeout: Option<Duration>,
    done: impl Fn(SandboxState) -> bool,
) -> Result<(), DaytonaError> {
    let start = js_sys::Date::now();
    let mut poll = FIRST_POLL;
    loop {
        let state = sandbox.state();
        if done(state) {
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
                    "Sandbox {} did not become {what} within {} s (state: {})",
                    sandbox.id(),
                    t.as_secs_f64(),
                    state.as_str()
                )));
            }
        }
        gloo_timers::future::TimeoutFuture::new(poll.as_millis() as u32).await;
        poll = (poll * 3 / 2).min(MAX_POLL);
        sandbox.refresh_data().await?;
    }
}
