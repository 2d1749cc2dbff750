//! `/volumes`: the organization's volumes (state, when made and last used, which sandboxes
//! mount each), making one by name and deleting one (refused while a sandbox mounts it; the
//! server's reason is shown).

use std::collections::BTreeMap;

use daytona_wasm::models::{check_volume_name, Volume, VolumeState};
use daytona_wasm::Daytona;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::components::confirm::ConfirmDialog;
use crate::components::connect_prompt::ConnectPrompt;
use crate::components::copy_id::CopyId;
use crate::components::error_alert::{Alert, ErrorAlert};
use crate::components::relative_time::RelativeTime;
use crate::components::spinner::Spinner;
use crate::components::state_badge::ToneBadge;
use crate::connection::use_connection;
use crate::errors::describe;
use crate::loaded::{use_loaded, Loaded};

/// A volume and the names of the sandboxes that mount it.
#[derive(Clone, Debug, PartialEq)]
struct VolumeRow {
    volume: Volume,
    mounted_by: Vec<String>,
}

/// The wire spelling of a volume state, and its badge's colour family.
fn state_label(state: VolumeState) -> (&'static str, &'static str) {
    use VolumeState::*;
    match state {
        Ready => ("ready", "ok"),
        Creating => ("creating", "busy"),
        PendingCreate => ("pending create", "busy"),
        PendingDelete => ("pending delete", "busy"),
        Deleting => ("deleting", "busy"),
        Deleted => ("deleted", "none"),
        Error => ("error", "bad"),
    }
}

/// The volumes page, or the prompt to connect first.
#[component]
pub fn VolumesPage() -> impl IntoView {
    let conn = use_connection();
    crate::title::set_title("Volumes");
    view! {
        <Show when=move || conn.with(|c| c.has_key()) fallback=ConnectPrompt>
            <Volumes/>
        </Show>
    }
}

/// Every volume with the sandboxes mounting it, volumes in creation order.
async fn load(daytona: &Daytona) -> Result<Vec<VolumeRow>, String> {
    let volumes = daytona.volume().list().await.map_err(|e| describe(&e))?;
    let sandboxes = daytona.list(&Default::default()).await.map_err(|e| describe(&e))?;
    let mut users: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for sb in &sandboxes {
        for m in sb.data().volumes.iter().flatten() {
            users.entry(m.volume_id.clone()).or_default().push(sb.name());
        }
    }
    Ok(volumes
        .into_iter()
        .map(|v| VolumeRow { mounted_by: users.remove(&v.id).unwrap_or_default(), volume: v })
        .collect())
}

#[component]
fn Volumes() -> impl IntoView {
    let conn = use_connection();
    let list = use_loaded(|daytona: Daytona| async move { load(&daytona).await });
    let Loaded { items: rows, error, loading, .. } = list;
    let reload = move || list.reload();
    // Changes made elsewhere (another tab, a script, the SDKs) show as they happen.
    crate::live::reload_on_events_of("volume", reload);

    let name = RwSignal::new(String::new());
    let tried = RwSignal::new(false);
    let creating = RwSignal::new(false);
    let create_error = RwSignal::new(None::<String>);
    let name_error = move || tried.get().then(|| check_volume_name(name.get().trim()).err()).flatten();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let wanted = name.get_untracked().trim().to_owned();
        if check_volume_name(&wanted).is_err() {
            return;
        }
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return create_error.set(Some(describe(&e))),
        };
        creating.set(true);
        create_error.set(None);
        spawn_local(async move {
            match daytona.volume().create(&wanted).await {
                Ok(_) => {
                    name.set(String::new());
                    tried.set(false);
                    reload();
                }
                Err(e) => create_error.set(Some(describe(&e))),
            }
            creating.set(false);
        });
    };

    // Deletion asks first; the server's refusal (in use) is shown as it says it.
    let doomed = RwSignal::new(None::<Volume>);
    let confirm_open = RwSignal::new(false);
    let delete_error = RwSignal::new(None::<String>);
    let ask_delete = move |v: Volume| {
        doomed.set(Some(v));
        delete_error.set(None);
        confirm_open.set(true);
    };
    let delete = Callback::new(move |()| {
        let (Some(v), Ok(daytona)) = (doomed.get_untracked(), conn.get_untracked().client()) else { return };
        spawn_local(async move {
            match daytona.volume().delete(&v).await {
                Ok(()) => reload(),
                Err(e) => delete_error.set(Some(format!("{} was not deleted: {}", v.name, describe(&e)))),
            }
        });
    });
    let confirm_text = Signal::derive(move || {
        doomed
            .with(|d| d.as_ref().map(|v| format!("Delete volume {} and every file in it?", v.name)).unwrap_or_default())
    });

    view! {
        <section class="page-head">
            <div>
                <h1>"Volumes"</h1>
                <p class="muted">"Storage that outlives sandboxes and is shared between them."</p>
            </div>
            <div class="head-actions">
                <button type="button" class="btn" on:click=move |_| reload() disabled=move || loading.get()>
                    {move || loading.get().then(|| view! { <Spinner/> })}
                    "Refresh"
                </button>
            </div>
        </section>

        <form class="inline-form volume-new" on:submit=create novalidate aria-label="New volume">
            <label class="inline-field">
                <span>"New volume"</span>
                <input type="text" name="volumeName" placeholder="name, e.g. datasets" autocomplete="off" bind:value=name/>
            </label>
            <button type="submit" class="btn btn-primary" disabled=move || creating.get()>
                {move || creating.get().then(|| view! { <Spinner/> })}
                "Create"
            </button>
            {move || name_error().map(|e| view! { <span class="field-error">{e}</span> })}
        </form>
        <ErrorAlert error=create_error/>
        <ErrorAlert error=delete_error/>
        {move || error.get().map(|e| view! { <Alert message=e/> })}

        <div class="table-wrap" tabindex="0" role="region" aria-label="Volumes">
            <table class="table volumes-table">
                <thead>
                    <tr>
                        <th>"State"</th>
                        <th>"Name"</th>
                        <th>"Mounted by"</th>
                        <th>"Created"</th>
                        <th>"Last used"</th>
                        <th class="col-actions">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <For
                        each=move || rows.get().unwrap_or_default()
                        key=|r| (r.volume.id.clone(), r.volume.state as u8, r.mounted_by.clone(), r.volume.last_used_at.clone())
                        let:row
                    >
                        <VolumeRowView row on_delete=ask_delete/>
                    </For>
                </tbody>
            </table>
        </div>
        <Show when=move || rows.with(|r| r.as_ref().is_some_and(Vec::is_empty))>
            <div class="empty-table"><p>"No volumes yet. Name one above; mount it when you create a sandbox."</p></div>
        </Show>
        <Show when=move || rows.with(Option::is_none) && error.with(Option::is_none)>
            <div class="empty-table"><Spinner/>" Loading volumes…"</div>
        </Show>
        <ConfirmDialog
            open=confirm_open
            title="Delete volume"
            message=confirm_text
            confirm_label="Delete"
            on_confirm=delete
        />
    }
}

#[component]
fn VolumeRowView(row: VolumeRow, on_delete: impl Fn(Volume) + Copy + 'static) -> impl IntoView {
    let (label, tone) = state_label(row.volume.state);
    let volume = StoredValue::new(row.volume.clone());
    let users = row.mounted_by.clone();
    view! {
        <tr data-volume=row.volume.name.clone()>
            <td>
                <ToneBadge label tone/>
            </td>
            <td class="col-name">
                <span class="name-text">{row.volume.name.clone()}</span>
                <CopyId id=row.volume.id.clone()/>
                {row.volume.error_reason.clone().map(|r| view! { <p class="row-reason">{r}</p> })}
            </td>
            <td><div class="mounted-by">
                {match users.is_empty() {
                    true => view! { <span class="muted">"none"</span> }.into_any(),
                    false => users
                        .into_iter()
                        .map(|n| view! { <A href=format!("/sandboxes/{n}") attr:class="chip">{n.clone()}</A> })
                        .collect_view()
                        .into_any(),
                }}
            </div></td>
            <td class="nowrap"><RelativeTime iso=Some(row.volume.created_at.clone())/></td>
            <td class="nowrap"><RelativeTime iso=row.volume.last_used_at.clone()/></td>
            <td class="col-actions">
                <button
                    type="button"
                    class="btn btn-small btn-danger-ghost"
                    aria-label=format!("Delete volume {}", row.volume.name)
                    on:click=move |_| on_delete(volume.get_value())
                >
                    "Delete"
                </button>
            </td>
        </tr>
    }
}
