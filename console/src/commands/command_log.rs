//! A session command's output, streamed live (stdout and stderr coloured apart), an input
//! line for its stdin, and its exit code once it ends.

use daytona_wasm::Channel;
use leptos::html::Pre;
use leptos::prelude::*;
use leptos::task::spawn_local_scoped_with_cancellation;

use crate::components::error_alert::ErrorAlert;
use crate::components::exit_badge::ExitBadge;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::errors::describe;
use crate::task::Task;

/// How close to the bottom (px) the log counts as following the output.
const STICK_WITHIN: i32 = 24;

/// The log of command `command` of session `session`, titled `label`. Streams from the
/// start until the command ends, then shows its exit code and calls `on_exit`. Leaving
/// closes the stream.
#[component]
pub fn CommandLog(
    session: String,
    command: String,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] on_exit: Callback<()>,
) -> impl IntoView {
    let current = use_current_sandbox();
    let chunks = RwSignal::new(Vec::<(Channel, String)>::new());
    let exit = RwSignal::new(None::<i32>);
    let streaming = RwSignal::new(true);
    let error = RwSignal::new(None::<String>);
    let input = RwSignal::new(String::new());
    let sending = Task::new();
    let log = NodeRef::<Pre>::new();
    let follow = StoredValue::new(true);
    let ids = StoredValue::new((session, command));

    spawn_local_scoped_with_cancellation(async move {
        let push = |channel: Channel| move |text: &str| chunks.update(|c| c.push((channel, text.to_owned())));
        let (session, command) = ids.get_value();
        let outcome = async {
            let process = current.sandbox()?.process();
            process
                .stream_session_command_logs(&session, &command, push(Channel::Stdout), push(Channel::Stderr))
                .await?;
            process.get_session_command(&session, &command).await
        }
        .await;
        streaming.set(false);
        match outcome {
            Ok(done) => {
                exit.set(done.exit_code);
                on_exit.run(());
            }
            Err(e) => error.set(Some(describe(&e))),
        }
    });
    // Keep the newest output in view unless the user scrolled up.
    Effect::new(move |_| {
        chunks.track();
        if let (Some(pre), true) = (log.get(), follow.get_value()) {
            pre.set_scroll_top(pre.scroll_height());
        }
    });

    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let data = input.get_untracked();
        let (session, command) = ids.get_value();
        sending.run(
            async move { current.sandbox()?.process().send_session_command_input(&session, &command, &data).await },
            move |()| input.set(String::new()),
        );
    };

    view! {
        <div class="command-log" data-command=move || ids.with_value(|(_, c)| c.clone())>
            <div class="run-meta">
                {move || match exit.get() {
                    Some(code) => view! {
                        <ExitBadge code/>
                    }
                    .into_any(),
                    None if streaming.get() => view! { <span class="exit exit-running"><Spinner/>" running"</span> }.into_any(),
                    None => view! { <span class="exit">"ended"</span> }.into_any(),
                }}
                <code class="run-cmd">{move || format!("$ {}", label.get())}</code>
            </div>
            <ErrorAlert error=error/>
            <pre
                class="output log"
                aria-label="Command log"
                node_ref=log
                on:scroll=move |_| {
                    if let Some(pre) = log.get_untracked() {
                        follow.set_value(pre.scroll_top() + pre.client_height() >= pre.scroll_height() - STICK_WITHIN);
                    }
                }
            >
                <For
                    each=move || 0..chunks.with(Vec::len)
                    key=|i| *i
                    children=move |i| {
                        let (channel, text) = chunks.with_untracked(|c| c[i].clone());
                        let class = if channel == Channel::Stderr { "out-stderr" } else { "out-stdout" };
                        view! { <span class=class>{text}</span> }
                    }
                />
            </pre>
            <form class="inline-form" on:submit=send>
                <input
                    type="text"
                    class="mono"
                    name="stdin"
                    aria-label="Input to the command"
                    placeholder=move || if streaming.get() { "Send a line to its stdin" } else { "The command has ended" }
                    autocomplete="off"
                    disabled=move || !streaming.get()
                    bind:value=input
                />
                <button type="submit" class="btn" disabled=move || !streaming.get() || sending.busy()>"Send"</button>
            </form>
            <ErrorAlert error=Signal::derive(move || sending.error())/>
        </div>
    }
}
