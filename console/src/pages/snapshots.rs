//! `/snapshots`: the images sandboxes run on. Lists them (state, image, size, when made and
//! last used), pulls a new one from an image name with its progress shown live (`pending →
//! pulling → active`, or the registry's reason), builds one (`BuildForm`: a Dockerfile or an
//! image composed in a form, with files from the browser, the build log streamed live),
//! activates, deactivates and deletes them; below, the registries pulls log in to (`Registries`).

use std::time::Duration;

use daytona_wasm::models::{CreateSnapshot, Snapshot, SnapshotState};
use daytona_wasm::Daytona;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::build_form::BuildForm;
use crate::components::confirm::ConfirmDialog;
use crate::components::connect_prompt::ConnectPrompt;
use crate::components::error_alert::{Alert, ErrorAlert};
use crate::components::registries::Registries;
use crate::components::relative_time::RelativeTime;
use crate::components::spinner::Spinner;
use crate::components::state_badge::ToneBadge;
use crate::connection::use_connection;
use crate::errors::describe;
use crate::loaded::{use_loaded, Loaded};
use crate::polling::use_interval;

/// How often the list reloads while a snapshot is being pulled.
const PULL_POLL: Duration = Duration::from_secs(1);

/// The wire spelling of a snapshot state and its badge's colour family.
pub fn state_label(state: SnapshotState) -> (&'static str, &'static str) {
    use SnapshotState::*;
    match state {
        Active => ("active", "ok"),
        Inactive => ("inactive", "idle"),
        Pending => ("pending", "busy"),
        Pulling => ("pulling", "busy"),
        Building => ("building", "busy"),
        Snapshotting => ("snapshotting", "busy"),
        Removing => ("removing", "busy"),
        Error => ("error", "bad"),
        BuildFailed => ("build failed", "bad"),
    }
}

/// A size in GB as people read it ("1.2 MB", "340 MB", "2.1 GB").
fn size_text(gb: Option<f64>) -> String {
    match gb {
        None => "—".into(),
        Some(gb) if gb >= 1.0 => format!("{gb:.1} GB"),
        Some(gb) if gb >= 0.01 => format!("{:.0} MB", gb * 1000.0),
        Some(gb) => format!("{:.1} MB", gb * 1000.0),
    }
}

/// Every snapshot (the first 200; daytona-local rarely has more).
async fn load(daytona: &Daytona) -> Result<Vec<Snapshot>, String> {
    daytona.snapshot().list(1, 200).await.map(|p| p.items).map_err(|e| describe(&e))
}

/// The snapshots page, or the prompt to connect first.
#[component]
pub fn SnapshotsPage() -> impl IntoView {
    let conn = use_connection();
    crate::title::set_title("Snapshots");
    view! {
        <Show when=move || conn.with(|c| c.has_key()) fallback=ConnectPrompt>
            <Snapshots/>
        </Show>
    }
}

#[component]
fn Snapshots() -> impl IntoView {
    let conn = use_connection();
    let list = use_loaded(|daytona: Daytona| async move { load(&daytona).await });
    let Loaded { items: rows, error, loading, .. } = list;
    let reload = move || list.reload();
    // Changes made elsewhere (another tab, a script, the SDKs) show as they happen.
    crate::live::reload_on_events_of("snapshot", reload);
    // Live progress: while any snapshot is on its way, the list follows it.
    use_interval(PULL_POLL, move || {
        let moving = rows.with_untracked(|r| {
            r.iter().flatten().any(|s| {
                matches!(
                    s.state,
                    SnapshotState::Pending | SnapshotState::Pulling | SnapshotState::Building | SnapshotState::Removing
                )
            })
        });
        if moving && !loading.get_untracked() {
            reload();
        }
    });

    let name = RwSignal::new(String::new());
    let image = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let creating = RwSignal::new(false);
    let action_error = RwSignal::new(None::<String>);
    let image_error =
        move || tried.get().then(|| daytona_wasm::models::check_image_name(image.get().trim()).err()).flatten();
    let name_error = move || tried.get().then(|| name.get().trim().is_empty().then(|| "Name it.".to_owned())).flatten();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let (wanted, from) = (name.get_untracked().trim().to_owned(), image.get_untracked().trim().to_owned());
        if wanted.is_empty() || daytona_wasm::models::check_image_name(&from).is_err() {
            return;
        }
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return action_error.set(Some(describe(&e))),
        };
        creating.set(true);
        action_error.set(None);
        let params = CreateSnapshot { name: wanted, image_name: Some(from), ..Default::default() };
        spawn_local(async move {
            match daytona.snapshot().create(&params).await {
                Ok(_) => {
                    name.set(String::new());
                    image.set(String::new());
                    tried.set(false);
                    reload();
                }
                Err(e) => action_error.set(Some(describe(&e))),
            }
            creating.set(false);
        });
    };

    let act = move |snap: Snapshot, what: &'static str| {
        let Ok(daytona) = conn.get_untracked().client() else { return };
        action_error.set(None);
        spawn_local(async move {
            let service = daytona.snapshot();
            let done = match what {
                "activate" => service.activate(&snap).await.map(drop),
                "deactivate" => service.deactivate(&snap).await,
                _ => service.delete(&snap).await,
            };
            if let Err(e) = done {
                action_error.set(Some(format!("{} could not {what}: {}", snap.name, describe(&e))));
            }
            reload();
        });
    };
    let doomed = RwSignal::new(None::<Snapshot>);
    let confirm_open = RwSignal::new(false);
    let ask_delete = move |s: Snapshot| {
        doomed.set(Some(s));
        confirm_open.set(true);
    };
    let delete = Callback::new(move |()| {
        if let Some(s) = doomed.get_untracked() {
            act(s, "be deleted");
        }
    });
    let confirm_text = Signal::derive(move || {
        doomed.with(|d| {
            d.as_ref().map(|s| format!("Delete snapshot {} and its image files?", s.name)).unwrap_or_default()
        })
    });

    view! {
        <section class="page-head">
            <div>
                <h1>"Snapshots"</h1>
                <p class="muted">"The images sandboxes run on, pulled from OCI registries or built from Dockerfiles."</p>
            </div>
            <div class="head-actions">
                <button type="button" class="btn" on:click=move |_| reload() disabled=move || loading.get()>
                    {move || loading.get().then(|| view! { <Spinner/> })}
                    "Refresh"
                </button>
            </div>
        </section>

        <form class="inline-form snapshot-new" on:submit=create novalidate aria-label="New snapshot">
            <input type="text" name="snapshotName" aria-label="Snapshot name" placeholder="name, e.g. python-3.12" autocomplete="off" bind:value=name/>
            <input type="text" name="imageName" aria-label="Image" placeholder="image, e.g. python:3.12-slim" autocomplete="off" bind:value=image/>
            <button type="submit" class="btn btn-primary" disabled=move || creating.get()>
                {move || creating.get().then(|| view! { <Spinner/> })}
                "Pull"
            </button>
            {move || name_error().or_else(image_error).map(|e| view! { <span class="field-error">{e}</span> })}
        </form>
        <BuildForm on_done=Callback::new(move |()| reload())/>
        <ErrorAlert error=action_error/>
        {move || error.get().map(|e| view! { <Alert message=e/> })}

        <div class="table-wrap" tabindex="0" role="region" aria-label="Snapshots">
            <table class="table snapshots-table">
                <thead>
                    <tr>
                        <th>"State"</th>
                        <th>"Name"</th>
                        <th>"Size"</th>
                        <th>"Created"</th>
                        <th>"Last used"</th>
                        <th class="col-actions">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || rows.get().unwrap_or_default()
                        key=|s| (s.id.clone(), s.state as u8, s.updated_at.clone())
                        let:snap
                    >
                        <SnapshotRow snap act ask_delete/>
                    </For>
                </tbody>
            </table>
        </div>
        <Show when=move || rows.with(Option::is_none) && error.with(Option::is_none)>
            <div class="empty-table"><Spinner/>" Loading snapshots…"</div>
        </Show>
        <ConfirmDialog open=confirm_open title="Delete snapshot" message=confirm_text confirm_label="Delete" on_confirm=delete/>
        <Registries/>
    }
}

#[component]
fn SnapshotRow(
    snap: Snapshot,
    act: impl Fn(Snapshot, &'static str) + Copy + 'static,
    ask_delete: impl Fn(Snapshot) + Copy + 'static,
) -> impl IntoView {
    let (label, tone) = state_label(snap.state);
    let stored = StoredValue::new(snap.clone());
    let toggle = match snap.state {
        SnapshotState::Active if !snap.general => Some(("Deactivate", "deactivate")),
        SnapshotState::Inactive => Some(("Activate", "activate")),
        _ => None,
    };
    let origin = match (&snap.image_name, snap.general, &snap.build_info) {
        (Some(image), _, _) => image.clone(),
        (None, true, _) => "the host's userland (default)".to_owned(),
        (None, false, Some(build)) => format!("built: {}", build.dockerfile_content.lines().next().unwrap_or_default()),
        (None, false, None) => String::new(),
    };
    view! {
        <tr data-snapshot=snap.name.clone()>
            <td>
                <ToneBadge label tone/>
            </td>
            <td class="col-name">
                <span class="name-text">{snap.name.clone()}</span>
                <p class="muted mono snapshot-image">{origin}</p>
                {snap.error_reason.clone().map(|r| view! { <p class="row-reason">{r}</p> })}
            </td>
            <td class="nowrap">{size_text(snap.size)}</td>
            <td class="nowrap"><RelativeTime iso=Some(snap.created_at.clone())/></td>
            <td class="nowrap"><RelativeTime iso=snap.last_used_at.clone()/></td>
            <td class="col-actions">
                <div class="btn-group">
                    {(snap.state == SnapshotState::Active && !snap.general).then(|| {
                        let href = format!("/?newOn={}", String::from(js_sys::encode_uri_component(&snap.name)));
                        view! {
                            <a class="btn btn-small" href=href aria-label=format!("New sandbox on {}", snap.name)>"New sandbox"</a>
                        }
                    })}
                    {toggle.map(|(text, what)| view! {
                        <button type="button" class="btn btn-small" on:click=move |_| act(stored.get_value(), what)>{text}</button>
                    })}
                    {(!snap.general).then(|| view! {
                        <button
                            type="button"
                            class="btn btn-small btn-danger-ghost"
                            aria-label=format!("Delete snapshot {}", snap.name)
                            on:click=move |_| ask_delete(stored.get_value())
                        >
                            "Delete"
                        </button>
                    })}
                </div>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_text(None), "—");
        assert_eq!(size_text(Some(0.0012)), "1.2 MB");
        assert_eq!(size_text(Some(0.34)), "340 MB");
        assert_eq!(size_text(Some(2.14)), "2.1 GB");
    }
}
