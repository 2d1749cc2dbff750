//! An image build's log as it streams in (the snapshot build form and the New sandbox
//! dialog): the lines so far, the `LogFn` the SDK's build calls with each line, how long the
//! build has taken, and the view.

use std::time::Duration;

use leptos::prelude::*;

use crate::polling::use_interval;
use crate::time::duration;

/// One build's log and timing. Copy it freely.
#[derive(Clone, Copy)]
pub struct BuildLog {
    lines: RwSignal<Vec<String>>,
    /// When the build began and, once it ended, when and whether it succeeded (ms).
    started: RwSignal<Option<f64>>,
    ended: RwSignal<Option<(f64, bool)>>,
}

impl BuildLog {
    /// An empty log.
    pub fn new() -> Self {
        Self { lines: RwSignal::new(Vec::new()), started: RwSignal::new(None), ended: RwSignal::new(None) }
    }

    /// Empties it: a new build begins now.
    pub fn clear(&self) {
        self.lines.set(Vec::new());
        self.started.set(Some(js_sys::Date::now()));
        self.ended.set(None);
    }

    /// The build ended (`ok`: it succeeded).
    pub fn end(&self, ok: bool) {
        self.ended.set(Some((js_sys::Date::now(), ok)));
    }

    /// `reason` (a failed build's, which quotes the log's last lines) without the part the
    /// log shown below it already has.
    pub fn reason_without_log(&self, reason: &str) -> String {
        let cut = self.lines.with_untracked(|lines| {
            lines.iter().map(|l| l.trim()).filter(|l| l.len() >= 8).filter_map(|l| reason.find(l)).min()
        });
        match cut {
            Some(at) => format!(
                "{} (the build log below has the details)",
                reason[..at].trim_end_matches(|c: char| c.is_whitespace() || c == ':')
            ),
            None => reason.to_owned(),
        }
    }

    /// What the build calls with each line it logs.
    pub fn sink(&self) -> daytona_wasm::LogFn {
        let lines = self.lines;
        std::rc::Rc::new(move |line: &str| lines.update(|l| l.push(line.to_owned())))
    }
}

/// The log, once it has a line, as a live region, under a line saying how long the build has
/// taken (ticking while it runs).
#[component]
pub fn BuildLogView(log: BuildLog) -> impl IntoView {
    let now = RwSignal::new(js_sys::Date::now());
    use_interval(Duration::from_millis(500), move || {
        if log.started.get_untracked().is_some() && log.ended.get_untracked().is_none() {
            now.set(js_sys::Date::now());
        }
    });
    let status = move || {
        let started = log.started.get()?;
        Some(match log.ended.get() {
            Some((at, true)) => format!("Built in {}", duration(at - started)),
            Some((at, false)) => format!("Failed after {}", duration(at - started)),
            None => format!("Building… {}", duration(now.get().max(started) - started)),
        })
    };
    view! {
        <Show when=move || log.started.get().is_some() || !log.lines.with(Vec::is_empty)>
            <p class="build-time muted" data-ended=move || log.ended.get().map(|(_, ok)| if ok { "ok" } else { "failed" })>
                {status}
            </p>
        </Show>
        <Show when=move || !log.lines.with(Vec::is_empty)>
            <pre class="build-log mono" aria-label="Build log" aria-live="polite">{move || log.lines.get().join("\n")}</pre>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use leptos::prelude::*;

    use super::BuildLog;

    #[test]
    fn a_reason_leaves_out_what_the_log_shows() {
        let _owner = Owner::new();
        let log = BuildLog::new();
        for line in ["Building snapshot x", "STEP 2/2: RUN exit 3", "ok"] {
            (log.sink())(line);
        }
        assert_eq!(
            log.reason_without_log("snapshot x: the build failed (exit status: 3):\n STEP 2/2: RUN exit 3\nError: …"),
            "snapshot x: the build failed (exit status: 3) (the build log below has the details)"
        );
        assert_eq!(log.reason_without_log("no route to the registry"), "no route to the registry");
    }
}
