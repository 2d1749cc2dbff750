//! An image build's log as it streams in (the snapshot build form and the New sandbox
//! dialog): the lines so far, the `LogFn` the SDK's build calls with each line, and the view.

use leptos::prelude::*;

/// The lines of one build's log. Copy it freely.
#[derive(Clone, Copy)]
pub struct BuildLog(RwSignal<Vec<String>>);

impl BuildLog {
    /// An empty log.
    pub fn new() -> Self {
        Self(RwSignal::new(Vec::new()))
    }

    /// Empties it (a new build begins).
    pub fn clear(&self) {
        self.0.set(Vec::new());
    }

    /// What the build calls with each line it logs.
    pub fn sink(&self) -> daytona_wasm::LogFn {
        let lines = self.0;
        std::rc::Rc::new(move |line: &str| lines.update(|l| l.push(line.to_owned())))
    }
}

/// The log, once it has a line, as a live region.
#[component]
pub fn BuildLogView(log: BuildLog) -> impl IntoView {
    let lines = log.0;
    view! {
        <Show when=move || !lines.with(Vec::is_empty)>
            <pre class="build-log mono" aria-label="Build log" aria-live="polite">{move || lines.get().join("\n")}</pre>
        </Show>
    }
}
