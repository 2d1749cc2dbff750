//! `/snapshots`: the images sandboxes run on. Lists them (state, image, size, when made and
//! last used), pulls a new one from an image name with its progress shown live (`pending →
//! pulling → active`, or the registry's reason), builds one (`BuildForm`: a Dockerfile or an
//! image composed in a form, with files from the browser, the build log streamed live),
//! activates, deactivates, makes again (a rebuild or a new pull: [`remake`]) and deletes them;
//! below, the registries pulls log in to (`Registries`).

use std::time::Duration;

use daytona_wasm::models::{BuildInfo, CreateSnapshot, Snapshot, SnapshotState};
use daytona_wasm::{Daytona, ErrorKind};
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

/// How long a rebuild waits for the old snapshot to be gone before making the new one.
const REMOVAL_WAIT: Duration = Duration::from_secs(60);

/// What makes `snap` again from where it came from, under its name, entrypoint and
/// resources: its image pulled again (a newer push of the tag), or its Dockerfile built again
/// with the same context files (a failed step tried again, a newer base). None for the
/// default snapshot and one of unknown origin.
pub fn remake(snap: &Snapshot) -> Option<CreateSnapshot> {
    if snap.general {
        return None;
    }
    let again = CreateSnapshot {
        name: snap.name.clone(),
        entrypoint: snap.entrypoint.clone().filter(|e| !e.is_empty()),
        cpu: Some(snap.cpu.round() as i64),
        memory: Some(snap.mem.round() as i64),
        disk: Some(snap.disk.round() as i64),
        ..Default::default()
    };
    match (&snap.image_name, &snap.build_info) {
        (Some(image), _) => Some(CreateSnapshot { image_name: Some(image.clone()), ..again }),
        (None, Some(build)) => {
            let hashes = Some(build.context_hashes.clone()).filter(|h| !h.is_empty());
            let info = BuildInfo { dockerfile_content: build.dockerfile_content.clone(), context_hashes: hashes };
            Some(CreateSnapshot { build_info: Some(info), ..again })
        }
        (None, None) => None,
    }
}

/// Deletes `snap`, waits until it is gone (its name free again), then creates `again`.
async fn rebuild(daytona: &Daytona, snap: &Snapshot, again: &CreateSnapshot) -> Result<(), String> {
    let service = daytona.snapshot();
    service.delete(snap).await.map_err(|e| describe(&e))?;
    let deadline = js_sys::Date::now() + REMOVAL_WAIT.as_millis() as f64;
    loop {
        match service.get(&snap.id).await {
            Err(e) if e.kind() == ErrorKind::NotFound => break,
            Err(e) => return Err(describe(&e)),
            Ok(s) if s.state == SnapshotState::Error => {
                return Err(format!("removing the old image failed: {}", s.error_reason.unwrap_or_default()))
            }
            Ok(_) if js_sys::Date::now() > deadline => return Err("the old image is still being removed".into()),
            Ok(_) => gloo_timers::future::sleep(Duration::from_millis(300)).await,
        }
    }
    service.create(again).await.map(drop).map_err(|e| describe(&e))
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
                "activate" => service.activate(&snap).await.map(drop).map_err(|e| describe(&e)),
                "deactivate" => service.deactivate(&snap).await.map_err(|e| describe(&e)),
                // The old one's removal and the new one's progress show in the list as the
                // server's events tell of them.
                "be made again" => match remake(&snap) {
                    Some(again) => rebuild(&daytona, &snap, &again).await,
                    None => Err("it has no image or Dockerfile to make it from".into()),
                },
                _ => service.delete(&snap).await.map_err(|e| describe(&e)),
            };
            if let Err(e) = done {
                action_error.set(Some(format!("{} could not {what}: {e}", snap.name)));
            }
            reload();
        });
    };
    // The snapshot a confirmation is asked about, and whether it is to be made again (else
    // deleted).
    let asked = RwSignal::new(None::<(Snapshot, bool)>);
    let confirm_open = RwSignal::new(false);
    let ask = move |s: Snapshot, again: bool| {
        asked.set(Some((s, again)));
        confirm_open.set(true);
    };
    let confirmed = Callback::new(move |()| {
        if let Some((s, again)) = asked.get_untracked() {
            act(s, if again { "be made again" } else { "be deleted" });
        }
    });
    let confirm_text = Signal::derive(move || {
        asked.with(|a| match a {
            // What is made again is what `remake` makes: a pull if it has an image name.
            Some((s, true)) => match remake(s).and_then(|again| again.image_name) {
                Some(image) => format!("Pull snapshot {} again from {image}? Its image is deleted first.", s.name),
                None => {
                    format!(
                        "Build snapshot {} again from its Dockerfile and files? Its image is deleted first.",
                        s.name
                    )
                }
            },
            Some((s, false)) => format!("Delete snapshot {} and its image files?", s.name),
            None => String::new(),
        })
    });
    let again_asked = Signal::derive(move || asked.with(|a| a.as_ref().is_some_and(|(_, again)| *again)));
    let confirm_title =
        Signal::derive(move || if again_asked.get() { "Make snapshot again" } else { "Delete snapshot" }.to_owned());
    let confirm_label = Signal::derive(move || if again_asked.get() { "Make again" } else { "Delete" }.to_owned());

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
                        <SnapshotRow snap act ask/>
                    </For>
                </tbody>
            </table>
        </div>
        <Show when=move || rows.with(Option::is_none) && error.with(Option::is_none)>
            <div class="empty-table"><Spinner/>" Loading snapshots…"</div>
        </Show>
        <ConfirmDialog open=confirm_open title=confirm_title message=confirm_text confirm_label on_confirm=confirmed danger=Signal::derive(move || !again_asked.get())/>
        <Registries/>
    }
}

#[component]
fn SnapshotRow(
    snap: Snapshot,
    act: impl Fn(Snapshot, &'static str) + Copy + 'static,
    ask: impl Fn(Snapshot, bool) + Copy + 'static,
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
        (None, false, None) => match &snap.source_sandbox_id {
            Some(sandbox) => format!("the files of sandbox {}", sandbox.get(..8).unwrap_or(sandbox)),
            None => String::new(),
        },
    };
    // Made again once it has settled: active, inactive or failed.
    let settled = matches!(
        snap.state,
        SnapshotState::Active | SnapshotState::Inactive | SnapshotState::Error | SnapshotState::BuildFailed
    );
    let again =
        remake(&snap).filter(|_| settled).map(|r| if r.image_name.is_some() { "Pull again" } else { "Rebuild" });
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
                    {again.map(|text| view! {
                        <button
                            type="button"
                            class="btn btn-small"
                            aria-label=format!("{text} snapshot {}", snap.name)
                            on:click=move |_| ask(stored.get_value(), true)
                        >
                            {text}
                        </button>
                    })}
                    {(!snap.general).then(|| view! {
                        <button
                            type="button"
                            class="btn btn-small btn-danger-ghost"
                            aria-label=format!("Delete snapshot {}", snap.name)
                            on:click=move |_| ask(stored.get_value(), false)
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

    fn snapshot(image: Option<&str>, dockerfile: Option<&str>) -> Snapshot {
        let build = dockerfile.map(|d| daytona_wasm::models::SnapshotBuildInfo {
            dockerfile_content: d.into(),
            context_hashes: vec!["abc".into()],
            created_at: String::new(),
            updated_at: String::new(),
            snapshot_ref: "ref".into(),
        });
        Snapshot {
            id: "id".into(),
            organization_id: "org".into(),
            general: false,
            name: "snap".into(),
            image_name: image.map(Into::into),
            state: SnapshotState::BuildFailed,
            size: None,
            entrypoint: Some(vec!["sleep".into(), "infinity".into()]),
            cpu: 2.0,
            gpu: 0.0,
            mem: 4.0,
            disk: 3.0,
            error_reason: None,
            created_at: String::new(),
            updated_at: String::new(),
            last_used_at: None,
            source_sandbox_id: None,
            build_info: build,
        }
    }

    #[test]
    fn a_snapshot_is_made_again_from_where_it_came_from() {
        let pulled = remake(&snapshot(Some("python:3.12"), None)).unwrap();
        assert_eq!(pulled.image_name.as_deref(), Some("python:3.12"));
        assert!(pulled.build_info.is_none());
        assert_eq!((pulled.name.as_str(), pulled.cpu, pulled.memory, pulled.disk), ("snap", Some(2), Some(4), Some(3)));
        assert_eq!(pulled.entrypoint, Some(vec!["sleep".to_owned(), "infinity".to_owned()]));
        let built = remake(&snapshot(None, Some("FROM alpine:3\n"))).unwrap();
        assert_eq!(built.image_name, None);
        let info = built.build_info.unwrap();
        assert_eq!(
            (info.dockerfile_content.as_str(), info.context_hashes),
            ("FROM alpine:3\n", Some(vec!["abc".into()]))
        );
        assert!(remake(&snapshot(None, None)).is_none(), "no origin");
        assert!(remake(&Snapshot { general: true, ..snapshot(Some("x:1"), None) }).is_none(), "the default snapshot");
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size_text(None), "—");
        assert_eq!(size_text(Some(0.0012)), "1.2 MB");
        assert_eq!(size_text(Some(0.34)), "340 MB");
        assert_eq!(size_text(Some(2.14)), "2.1 GB");
    }
}
