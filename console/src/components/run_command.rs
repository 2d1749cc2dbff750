//! Running a shell command in a sandbox and showing what it printed.

use daytona_wasm::models::{ExecuteResponse, SandboxState};
use daytona_wasm::ErrorKind;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error_alert::Alert;
use crate::components::exit_badge::ExitBadge;
use crate::components::field::Field;
use crate::components::spinner::Spinner;
use crate::connection::use_connection;
use crate::errors::describe;
use crate::validate;

/// Where the commands run from this form are remembered (newest last, one per line).
const HISTORY_KEY: &str = "daytona.console.commandHistory";
/// How many commands the history keeps.
const HISTORY_LEN: usize = 50;

/// A finished run.
#[derive(Clone)]
struct RunResult {
    command: String,
    response: ExecuteResponse,
    millis: f64,
}

/// Command, working directory and timeout inputs; "Run" executes the command in sandbox
/// `id` (only while `state` is `started`) and shows its exit code, duration and output.
/// A running command can be cancelled (the toolbox ends it); ArrowUp and ArrowDown in the
/// command field go through the commands run before (kept in the browser).
#[component]
pub fn RunCommand(id: String, #[prop(into)] state: Signal<SandboxState>) -> impl IntoView {
    let conn = use_connection();
    let command = RwSignal::new(String::new());
    let cwd = RwSignal::new(String::new());
    let timeout = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let result = RwSignal::new(None::<RunResult>);
    let error = RwSignal::new(None::<String>);
    let timeout_error = Signal::derive(move || validate::whole_number(&timeout.get(), 1).err());
    let started = move || state.get() == SandboxState::Started;
    // The running command's cancel switch, and how long it had run when cancelled.
    let abort = StoredValue::new_local(None::<web_sys::AbortController>);
    let cancelled = RwSignal::new(None::<f64>);
    let history = History::load();

    let run = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let cmd = command.get_untracked();
        if cmd.trim().is_empty() || busy.get_untracked() {
            return;
        }
        let Ok(timeout_secs) = validate::whole_number(&timeout.get_untracked(), 1) else {
            return;
        };
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return error.set(Some(describe(&e))),
        };
        let dir = cwd.get_untracked().trim().to_owned();
        let id = id.clone();
        let Ok(controller) = web_sys::AbortController::new() else { return };
        let signal = controller.signal();
        abort.set_value(Some(controller));
        history.push(&cmd);
        busy.set(true);
        error.set(None);
        // The previous run's output goes: what shows below is this run's.
        result.set(None);
        cancelled.set(None);
        spawn_local(async move {
            let begin = js_sys::Date::now();
            let outcome = match daytona.get(&id).await {
                Ok(sandbox) => {
                    let cwd = Some(dir.as_str()).filter(|d| !d.is_empty());
                    let timeout = timeout_secs.map(|t| t as u64);
                    sandbox.process().execute(&cmd, cwd, None, timeout).signal(signal).await
                }
                Err(e) => Err(e),
            };
            let millis = js_sys::Date::now() - begin;
            match outcome {
                Ok(response) => result.set(Some(RunResult { command: cmd, response, millis })),
                Err(e) if e.kind() == ErrorKind::Aborted => cancelled.set(Some(millis)),
                Err(e) => error.set(Some(describe(&e))),
            }
            abort.set_value(None);
            busy.set(false);
        });
    };
    let cancel = move |_| {
        abort.with_value(|c| {
            if let Some(c) = c {
                c.abort();
            }
        })
    };
    let browse = move |ev: leptos::ev::KeyboardEvent| {
        let older = match ev.key().as_str() {
            "ArrowUp" => true,
            "ArrowDown" => false,
            _ => return,
        };
        if let Some(text) = history.step(older, &command.get_untracked()) {
            ev.prevent_default();
            command.set(text);
        }
    };

    view! {
        <section class="card">
            <h2>"Run command"</h2>
            <form class="run-form" on:submit=run>
                <Field label="Command">
                    <input
                        type="text"
                        class="mono"
                        name="command"
                        placeholder="ls -la"
                        autocomplete="off"
                        spellcheck="false"
                        aria-describedby="command-history-hint"
                        bind:value=command
                        on:keydown=browse
                    />
                    <span id="command-history-hint" class="sr-only">
                        "Arrow up and down go through the commands run before."
                    </span>
                </Field>
                <div class="grid2">
                    <Field label="Working directory" hint="Blank: the sandbox's work dir">
                        <input type="text" class="mono" name="cwd" placeholder="/home/daytona" bind:value=cwd/>
                    </Field>
                    <Field label="Timeout (s)" hint="Blank: none" error=timeout_error>
                        <input type="text" inputmode="numeric" name="timeout" placeholder="none" bind:value=timeout/>
                    </Field>
                </div>
                <div class="run-actions">
                    <button
                        type="submit"
                        class="btn btn-primary"
                        disabled=move || busy.get() || !started() || command.with(|c| c.trim().is_empty())
                    >
                        {move || busy.get().then(|| view! { <Spinner/> })}
                        {move || if busy.get() { "Running…" } else { "Run" }}
                    </button>
                    <Show when=move || busy.get()>
                        <button type="button" class="btn" on:click=cancel>"Cancel"</button>
                    </Show>
                    <Show when=move || !started()>
                        <span class="muted">"The sandbox must be started to run commands."</span>
                    </Show>
                </div>
            </form>
            {move || error.get().map(|e| view! { <Alert message=e/> })}
            {move || {
                cancelled
                    .get()
                    .map(|ms| {
                        view! { <p class="muted run-cancelled" role="status">{format!("Cancelled after {:.1} s.", ms / 1000.0)}</p> }
                    })
            }}
            {move || {
                result
                    .get()
                    .map(|r| {
                        let code = r.response.exit_code;
                        view! {
                            <div class="run-result">
                                <div class="run-meta">
                                    <ExitBadge code/>
                                    <code class="run-cmd">{format!("$ {}", r.command)}</code>
                                    <span class="muted">{format!("{:.0} ms", r.millis)}</span>
                                </div>
                                <pre class="output" aria-label="Command output">{r.response.result}</pre>
                            </div>
                        }
                    })
            }}
        </section>
    }
}

/// The commands run from the form before, newest last, and where ArrowUp/ArrowDown are in
/// them (`None`: at the command being typed, kept in `draft`).
#[derive(Clone, Copy)]
struct History {
    entries: StoredValue<Vec<String>>,
    at: StoredValue<Option<usize>>,
    draft: StoredValue<String>,
}

impl History {
    fn load() -> Self {
        let entries = crate::storage::get(HISTORY_KEY)
            .map(|s| s.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned).collect())
            .unwrap_or_default();
        Self { entries: StoredValue::new(entries), at: StoredValue::new(None), draft: StoredValue::new(String::new()) }
    }

    /// Remembers `command` (once, as the newest) and goes back to typing.
    fn push(&self, command: &str) {
        let command = command.trim().replace('\n', " ");
        self.entries.update_value(|e| {
            e.retain(|c| *c != command);
            e.push(command);
            let excess = e.len().saturating_sub(HISTORY_LEN);
            e.drain(..excess);
            crate::storage::set(HISTORY_KEY, &e.join("\n"));
        });
        self.at.set_value(None);
    }

    /// One step older (`older`) or newer from where the browsing is, given the field's text
    /// `typed`: the text to show, or `None` at either end.
    fn step(&self, older: bool, typed: &str) -> Option<String> {
        let len = self.entries.with_value(Vec::len);
        let at = self.at.get_value();
        let next = match (older, at) {
            (true, None) if len > 0 => {
                self.draft.set_value(typed.to_owned());
                Some(len - 1)
            }
            (true, Some(i)) if i > 0 => Some(i - 1),
            (false, Some(i)) if i + 1 < len => Some(i + 1),
            (false, Some(_)) => {
                self.at.set_value(None);
                return Some(self.draft.get_value());
            }
            _ => return None,
        };
        self.at.set_value(next);
        next.and_then(|i| self.entries.with_value(|e| e.get(i).cloned()))
    }
}
