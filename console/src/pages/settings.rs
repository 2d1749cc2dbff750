//! `/settings`: which Daytona to talk to (API URL and key).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::error_alert::Alert;
use crate::components::field::Field;
use crate::components::spinner::Spinner;
use crate::connection::{key_refused, probe, use_connection, Connection};
use crate::errors::describe;

/// The outcome shown under the form.
#[derive(Clone)]
enum Notice {
    Ok(String),
    Failed(String),
}

/// Edits the API URL and key. The stored key is never shown; leaving the key field blank
/// keeps it.
#[component]
pub fn SettingsPage() -> impl IntoView {
    let conn = use_connection();
    crate::title::set_title("Settings");
    let api_url = RwSignal::new(conn.get_untracked().api_url);
    let api_key = RwSignal::new(String::new());
    let notice = RwSignal::new(None::<Notice>);
    let testing = RwSignal::new(false);

    // The connection the form describes.
    let entered = move || {
        let url = api_url.get_untracked().trim().trim_end_matches('/').to_owned();
        let url = if url.is_empty() { Connection::default_api_url() } else { url };
        conn.get_untracked().with_url_and_key(url, api_key.get_untracked().trim())
    };
    let url_error = Signal::derive(move || {
        api_url.with(|u| {
            let u = u.trim();
            let ok = u.is_empty() || u.starts_with("http://") || u.starts_with("https://");
            (!ok).then(|| "Use an http:// or https:// URL.".to_owned())
        })
    });

    let store = move |next: Connection, message: String| {
        next.save();
        api_url.set(next.api_url.clone());
        api_key.set(String::new());
        conn.set(next);
        notice.set(Some(Notice::Ok(message)));
    };
    // Saving checks the settings first: a key the server refuses is not stored (a server
    // that cannot be reached does not stop the save, which says so).
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if url_error.get_untracked().is_some() || testing.get_untracked() {
            return;
        }
        let next = entered();
        let daytona = match next.client() {
            Ok(d) if next.has_key() => d,
            _ => return store(next, "Saved.".into()),
        };
        testing.set(true);
        notice.set(None);
        spawn_local(async move {
            let outcome = probe(&daytona).await;
            if testing.is_disposed() {
                return;
            }
            testing.set(false);
            match outcome {
                Ok(_) => store(next, "Saved. Connected.".into()),
                Err(e) if key_refused(&e) => {
                    let status = e.status_code().map(|s| format!(" (HTTP {s})")).unwrap_or_default();
                    notice.set(Some(Notice::Failed(format!("Not saved: the server rejected this API key{status}."))));
                }
                Err(e) => store(next, format!("Saved, but the connection failed: {}", describe(&e))),
            }
        });
    };
    let test = move |_| {
        if url_error.get_untracked().is_some() {
            return;
        }
        let candidate = entered();
        let daytona = match candidate.client() {
            Ok(d) => d,
            Err(e) => return notice.set(Some(Notice::Failed(describe(&e)))),
        };
        testing.set(true);
        notice.set(None);
        spawn_local(async move {
            let outcome = probe(&daytona).await;
            if testing.is_disposed() {
                return;
            }
            notice.set(Some(match outcome {
                Ok(_) => Notice::Ok(format!("Connected to {}.", candidate.api_url)),
                Err(e) => Notice::Failed(describe(&e)),
            }));
            testing.set(false);
        });
    };
    let forget = move |_| {
        let next = Connection::new(conn.get_untracked().api_url, None);
        next.save();
        conn.set(next);
        notice.set(Some(Notice::Ok("The API key was removed from this browser.".into())));
    };

    view! {
        <section class="page-head">
            <div>
                <h1>"Settings"</h1>
                <p class="muted">"Where the console finds your Daytona. Stored in this browser only."</p>
            </div>
        </section>
        <section class="card settings">
            <form class="form" on:submit=save>
                <Field
                    label="API URL"
                    hint=format!("Default: {}", Connection::default_api_url())
                    error=url_error
                >
                    <input type="url" name="apiUrl" autocomplete="off" spellcheck="false" bind:value=api_url/>
                </Field>
                <Field label="API key" hint="Leave blank to keep the current key.">
                    <input
                        type="password"
                        name="apiKey"
                        autocomplete="off"
                        placeholder=move || conn.with(|c| if c.has_key() { c.masked_key() } else { "paste your API key".into() })
                        bind:value=api_key
                    />
                </Field>
                {move || {
                    notice
                        .get()
                        .map(|n| match n {
                            Notice::Ok(m) => view! { <p class="alert alert-ok" role="status">{m}</p> }.into_any(),
                            Notice::Failed(m) => view! { <Alert message=m/> }.into_any(),
                        })
                }}
                <footer class="form-foot">
                    <button type="button" class="btn btn-ghost" on:click=forget disabled=move || conn.with(|c| !c.has_key())>
                        "Forget key"
                    </button>
                    <button type="button" class="btn" on:click=test disabled=move || testing.get()>
                        {move || testing.get().then(|| view! { <Spinner/> })}
                        "Test connection"
                    </button>
                    <button type="submit" class="btn btn-primary" disabled=move || testing.get()>"Save"</button>
                </footer>
            </form>
        </section>
    }
}
