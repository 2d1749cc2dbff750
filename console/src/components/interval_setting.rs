//! Showing and changing one of a sandbox's lifecycle timers.

use daytona_wasm::models::Sandbox as SandboxDto;
use daytona_wasm::{DaytonaError, Sandbox};
use leptos::prelude::*;

use crate::components::spinner::Spinner;
use crate::connection::use_connection;
use crate::errors::describe;
use crate::task::Task;
use crate::validate;

/// Which automatic timer.
#[derive(Clone, Copy, PartialEq)]
pub enum IntervalKind {
    /// Minutes idle before stopping.
    Stop,
    /// Minutes stopped before archiving.
    Archive,
    /// Minutes stopped before deleting.
    Delete,
    /// Minutes from now to its destruction, whatever its state (a TTL).
    Ttl,
}

impl IntervalKind {
    fn label(self) -> &'static str {
        match self {
            Self::Stop => "Auto-stop",
            Self::Archive => "Auto-archive",
            Self::Delete => "Auto-delete",
            Self::Ttl => "TTL",
        }
    }

    /// The smallest value accepted (auto-delete takes -1 for "never").
    fn min(self) -> i64 {
        if self == Self::Delete {
            -1
        } else {
            0
        }
    }

    fn hint(self) -> &'static str {
        match self {
            Self::Stop => "minutes idle · 0 = never",
            Self::Archive => "minutes after stop · 0 = maximum",
            Self::Delete => "minutes after stop · -1 = never · 0 = on stop",
            Self::Ttl => "minutes from now · any state · 0 = none",
        }
    }

    /// The timer's current value of `s` (a TTL's: the minutes left, rounded up; 0 = none).
    fn current(self, s: &SandboxDto) -> Option<i64> {
        match self {
            Self::Stop => s.auto_stop_interval,
            Self::Archive => s.auto_archive_interval,
            Self::Delete => s.auto_delete_interval,
            Self::Ttl => Some(s.auto_destroy_at.as_deref().map_or(0, |at| {
                let left_ms = js_sys::Date::parse(at) - js_sys::Date::now();
                (left_ms / 60_000.0).ceil().max(1.0) as i64
            })),
        }
    }

    /// `minutes` in words.
    fn describe(self, minutes: i64) -> String {
        match (self, minutes) {
            (Self::Stop, 0) => "never".into(),
            (Self::Archive, 0) => "maximum".into(),
            (Self::Delete, m) if m < 0 => "never".into(),
            (Self::Delete, 0) => "on stop".into(),
            (Self::Ttl, 0) => "none".into(),
            (Self::Ttl, m) => format!("destroyed in {m} min"),
            (_, m) => format!("{m} min"),
        }
    }

    async fn apply(self, sandbox: &Sandbox, minutes: i64) -> Result<(), DaytonaError> {
        match self {
            Self::Stop => sandbox.set_autostop_interval(minutes).await,
            Self::Archive => sandbox.set_auto_archive_interval(minutes).await,
            Self::Delete => sandbox.set_auto_delete_interval(minutes).await,
            Self::Ttl => sandbox.set_ttl(minutes).await,
        }
    }
}

/// `kind`'s current value for `sandbox` and an input to change it; the updated sandbox
/// is written back into `sandbox`.
#[component]
pub fn IntervalSetting(kind: IntervalKind, sandbox: RwSignal<Option<SandboxDto>>) -> impl IntoView {
    let conn = use_connection();
    let text = RwSignal::new(String::new());
    let task = Task::new();
    let current = move || sandbox.with(|s| s.as_ref().and_then(|s| kind.current(s)));

    let set = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let minutes = match validate::whole_number(&text.get_untracked(), kind.min()) {
            Ok(Some(m)) => m,
            Ok(None) => return,
            Err(e) => return task.fail(e),
        };
        let Some(id) = sandbox.with_untracked(|s| s.as_ref().map(|s| s.id.clone())) else {
            return;
        };
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return task.fail(describe(&e)),
        };
        task.run(
            async move {
                let sb = daytona.get(&id).await?;
                kind.apply(&sb, minutes).await?;
                Ok(sb.data())
            },
            move |dto| {
                sandbox.set(Some(dto));
                text.set(String::new());
            },
        );
    };

    view! {
        <form class="interval" on:submit=set>
            <div class="interval-text">
                <strong>{kind.label()}</strong>
                <span class="interval-value">{move || current().map(|m| kind.describe(m)).unwrap_or_else(|| "—".into())}</span>
                <span class="field-hint">{kind.hint()}</span>
            </div>
            <input
                type="text"
                inputmode="numeric"
                aria-label=format!("{} minutes", kind.label())
                placeholder=move || current().map(|m| m.to_string()).unwrap_or_default()
                bind:value=text
            />
            <button type="submit" class="btn btn-small" disabled=move || task.busy() || text.with(|t| t.trim().is_empty())>
                {move || task.busy().then(|| view! { <Spinner/> })}
                "Set"
            </button>
            {move || task.error().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
        </form>
    }
}
