//! The "SSH" card of the overview: makes an SSH access token and shows the command that logs
//! in with it (`ssh -p <port> <token>@<host>`), its expiry, and revokes it. A token is shown
//! once, when it is made: the API never lists them again.

use daytona_wasm::models::SshAccess;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use crate::components::error_alert::ErrorAlert;
use crate::components::field::select_all;
use crate::components::relative_time::RelativeTime;
use crate::current_sandbox::use_current_sandbox;
use crate::task::Task;

/// The lifetimes offered, in minutes.
const LIFETIMES: [(u32, &str); 4] = [(15, "15 minutes"), (60, "1 hour"), (480, "8 hours"), (1440, "24 hours")];

/// The SSH access card.
#[component]
pub fn SshAccessCard() -> impl IntoView {
    let current = use_current_sandbox();
    let minutes = RwSignal::new(60u32);
    let accesses = RwSignal::new(Vec::<SshAccess>::new());
    let create = Task::new();
    let revoke = Task::new();
    let copied = RwSignal::new(None::<String>);

    let make = move |_| {
        let Ok(sandbox) = current.sandbox() else { return };
        let m = minutes.get_untracked();
        create.run(async move { sandbox.create_ssh_access(Some(m)).await }, move |access| {
            accesses.update(|all| all.insert(0, access));
        });
    };
    let revoke_one = move |token: Option<String>| {
        let Ok(sandbox) = current.sandbox() else { return };
        let gone = token.clone();
        revoke.run(async move { sandbox.revoke_ssh_access(token.as_deref()).await }, move |()| {
            accesses.update(|all| match &gone {
                Some(t) => all.retain(|a| &a.token != t),
                None => all.clear(),
            });
        });
    };
    let copy = move |command: String| {
        let promise = window().navigator().clipboard().write_text(&command);
        spawn_local(async move {
            // The Clipboard API needs a secure context (https or loopback) and focus.
            if JsFuture::from(promise).await.is_ok() {
                copied.set(Some(command));
                set_timeout(move || copied.set(None), std::time::Duration::from_millis(1500));
            }
        });
    };

    view! {
        <section class="card ssh-access">
            <h2>"SSH"</h2>
            <p class="muted">
                "Log in with any SSH client, copy files with scp or sftp, forward ports with ssh -L (VS Code Remote-SSH works too)."
            </p>
            <div class="inline-form">
                <label class="ssh-lifetime">
                    "Valid for "
                    <select
                        aria-label="Token lifetime"
                        on:change=move |ev| minutes.set(event_target_value(&ev).parse().unwrap_or(60))
                    >
                        {LIFETIMES
                            .into_iter()
                            .map(|(m, label)| view! { <option value=m selected=m == 60>{label}</option> })
                            .collect_view()}
                    </select>
                </label>
                <button class="btn btn-primary" type="button" disabled=move || create.busy() on:click=make>
                    "Create SSH access"
                </button>
            </div>
            <ErrorAlert error=Signal::derive(move || create.error().or_else(|| revoke.error()))/>
            <ul class="ssh-list">
                {move || {
                    accesses
                        .get()
                        .into_iter()
                        .map(|a| {
                            let command = a.ssh_command.clone();
                            let shown = command.clone();
                            let for_copy = command.clone();
                            let is_copied = move || copied.get().as_deref() == Some(command.as_str());
                            let token = a.token.clone();
                            view! {
                                <li>
                                    <input
                                        class="mono"
                                        readonly
                                        prop:value=shown
                                        aria-label="SSH command"
                                        on:focus=select_all
                                    />
                                    <button class="btn btn-small" type="button" on:click=move |_| copy(for_copy.clone())>
                                        {move || if is_copied() { "Copied" } else { "Copy" }}
                                    </button>
                                    <button
                                        class="btn btn-small btn-danger"
                                        type="button"
                                        disabled=move || revoke.busy()
                                        on:click=move |_| revoke_one(Some(token.clone()))
                                    >
                                        "Revoke"
                                    </button>
                                    <span class="muted ssh-expiry">
                                        "Expires " <RelativeTime iso=Some(a.expires_at.clone())/>
                                    </span>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
            <button
                class="btn btn-small btn-ghost"
                type="button"
                title="Revoke every SSH access token of this sandbox, also those made elsewhere"
                disabled=move || revoke.busy()
                on:click=move |_| revoke_one(None)
            >
                "Revoke all tokens"
            </button>
        </section>
    }
}
