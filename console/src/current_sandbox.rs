//! The sandbox a `/sandboxes/:id/…` page shows, shared with its tabs.

use daytona_wasm::models::{Sandbox as SandboxDto, SandboxState};
use daytona_wasm::{DaytonaError, Sandbox};
use leptos::prelude::*;

/// The id in the URL, the sandbox's last loaded data and an SDK handle on it. Copy it freely.
#[derive(Clone, Copy)]
pub struct CurrentSandbox {
    /// The id (or name) from the URL.
    pub id: Memo<String>,
    /// The last loaded data (`None` until loaded); editors write updates back here.
    pub data: RwSignal<Option<SandboxDto>>,
    handle: StoredValue<Option<Sandbox>, LocalStorage>,
}

impl CurrentSandbox {
    /// Nothing loaded yet for `id`; provided as context for the page's tabs.
    pub fn provide(id: Memo<String>) -> Self {
        let this = Self { id, data: RwSignal::new(None), handle: StoredValue::new_local(None) };
        provide_context(this);
        this
    }

    /// Takes a freshly loaded sandbox (`None`: forget the previous one).
    pub fn set(&self, sandbox: Option<Sandbox>) {
        self.data.set(sandbox.as_ref().map(Sandbox::data));
        self.handle.try_set_value(sandbox);
    }

    /// The sandbox's state (reactive; `Unknown` until loaded).
    pub fn state(&self) -> SandboxState {
        self.data.with(|s| s.as_ref().and_then(|s| s.state).unwrap_or(SandboxState::Unknown))
    }

    /// The SDK handle, for toolbox calls.
    pub fn sandbox(&self) -> Result<Sandbox, DaytonaError> {
        self.handle
            .try_get_value()
            .flatten()
            .ok_or_else(|| DaytonaError::InvalidArgument("the sandbox is not loaded yet".into()))
    }
}

/// The page's sandbox (inside `/sandboxes/:id/…`).
pub fn use_current_sandbox() -> CurrentSandbox {
    expect_context()
}
