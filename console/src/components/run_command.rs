//! Running a shell command in a sandbox and showing what it printed.

use daytona_wasm::models::{ExecuteResponse, SandboxState};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error_alert::Alert;
use crate::components::exit_badge::ExitBadge;
use crate::components::field::Field;
use crate::components::spinner::Spinner;
use crate::connection::use_connection;
use crate::errors::describe;
use crate::validate;

/// A finished run.
#[derive(Clone)]
struct RunResult {
    command: String,
    response: ExecuteResponse,
    millis: f64,
}

/// Command, working directory and timeout inputs; "Run" executes the command in sandbox
/// `id` (only while `state` is `started`) and shows its exit code, duration and output.
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
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            let begin = js_sys::Date::now();
            let outcome = match daytona.get(&id).await {
                Ok(sandbox) => {
                    let cwd = Some(dir.as_str()).filter(|d| !d.is_empty());
                    sandbox.process().exec(&cmd, cwd, None, timeout_secs.map(|t| t as u64)).await
                }
                Err(e) => Err(e),
            };
            match outcome {
                Ok(response) => {
                    result.set(Some(RunResult { command: cmd, response, millis: js_sys::Date::now() - begin }))
                }
                Err(e) => error.set(Some(describe(&e))),
            }
            busy.set(false);
        });
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
                        bind:value=command
                    />
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
                    <Show when=move || !started()>
                        <span class="muted">"The sandbox must be started to run commands."</span>
                    </Show>
                </div>
            </form>
            {move || error.get().map(|e| view! { <Alert message=e/> })}
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
