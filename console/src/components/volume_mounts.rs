//! Choosing the volumes a new sandbox mounts: rows of volume, mount path and subpath, checked
//! by the same rules as the server's.

use daytona_wasm::models::{check_mount_path, subpath_components, SandboxVolume, Volume, VolumeState};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;

use crate::components::rows::{Row, Rows};

use crate::connection::use_connection;
use crate::errors::describe;

/// One row being edited.
#[derive(Clone, Debug, PartialEq)]
struct MountRow {
    id: usize,
    volume_id: String,
    mount_path: String,
    subpath: String,
}

/// The rows of a form. Rows whose volume is not chosen are errors once anything is typed.
#[derive(Clone, Copy)]
pub struct MountRows {
    rows: Rows<MountRow>,
}

impl Row for MountRow {
    fn id(&self) -> usize {
        self.id
    }
}

impl MountRows {
    /// No volumes.
    pub fn new() -> Self {
        Self { rows: Rows::new() }
    }

    fn add(&self) {
        self.rows.push(|id| {
            let mount_path =
                format!("/home/daytona/volume{}", if id == 0 { String::new() } else { (id + 1).to_string() });
            MountRow { id, volume_id: String::new(), mount_path, subpath: String::new() }
        });
    }

    /// What is wrong with row `id` (reactive).
    fn row_error(&self, id: usize) -> Option<String> {
        self.rows.rows.with(|rows| {
            let index = rows.iter().position(|r| r.id == id)?;
            let row = &rows[index];
            if row.volume_id.is_empty() {
                return Some("Choose a volume.".into());
            }
            let path = match check_mount_path(&row.mount_path) {
                Ok(p) => p,
                Err(e) => return Some(e),
            };
            if let Err(e) = subpath_components(&row.subpath) {
                return Some(e);
            }
            let same = |r: &MountRow| check_mount_path(&r.mount_path).is_ok_and(|p| p == path);
            rows[..index].iter().any(same).then(|| format!("Another volume is mounted at {path}."))
        })
    }

    /// The mounts, or `None` while any row is invalid (reactive).
    pub fn mounts(&self) -> Option<Vec<SandboxVolume>> {
        let ids = self.rows.ids();
        if ids.into_iter().any(|id| self.row_error(id).is_some()) {
            return None;
        }
        Some(self.rows.rows.with(|rows| {
            rows.iter()
                .map(|r| SandboxVolume {
                    volume_id: r.volume_id.clone(),
                    mount_path: r.mount_path.trim().to_owned(),
                    subpath: Some(r.subpath.trim().to_owned()).filter(|s| !s.is_empty()),
                })
                .collect()
        }))
    }
}

/// The rows with the ready volumes to choose from, remove buttons and "+ Add volume".
#[component]
pub fn VolumeMountsEditor(rows: MountRows, #[prop(into)] show_errors: Signal<bool>) -> impl IntoView {
    let conn = use_connection();
    let volumes = RwSignal::new(None::<Result<Vec<Volume>, String>>);
    Effect::new(move |_| {
        let Ok(daytona) = conn.get_untracked().client() else { return };
        spawn_local(async move {
            let listed = daytona.volume().list().await.map_err(|e| describe(&e));
            volumes.set(Some(listed.map(|l| l.into_iter().filter(|v| v.state == VolumeState::Ready).collect())));
        });
    });
    let ids = move || rows.rows.ids();
    let choices = move || volumes.get().and_then(Result::ok).unwrap_or_default();
    view! {
        <div class="volume-rows">
            <For each=ids key=|id| *id let(id)>
                <div class="volume-row">
                    <select
                        aria-label="Volume"
                        prop:value=move || rows.rows.get(id, |r| &r.volume_id)
                        on:change=move |ev| rows.rows.set(id, |r| &mut r.volume_id, event_target_value(&ev))
                    >
                        <option value="">"Choose a volume…"</option>
                        {move || {
                            let chosen = rows.rows.get(id, |r| &r.volume_id);
                            choices()
                                .into_iter()
                                .map(|v| {
                                    let selected = v.id == chosen;
                                    view! { <option value=v.id.clone() selected=selected>{v.name}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                    <input
                        type="text"
                        aria-label="Mount path"
                        placeholder="/home/daytona/data"
                        prop:value=move || rows.rows.get(id, |r| &r.mount_path)
                        on:input=move |ev| rows.rows.set(id, |r| &mut r.mount_path, event_target_value(&ev))
                    />
                    <input
                        type="text"
                        aria-label="Subpath"
                        placeholder="subpath (optional)"
                        prop:value=move || rows.rows.get(id, |r| &r.subpath)
                        on:input=move |ev| rows.rows.set(id, |r| &mut r.subpath, event_target_value(&ev))
                    />
                    <button type="button" class="btn-icon" aria-label="Remove volume" on:click=move |_| rows.rows.remove(id)>
                        "×"
                    </button>
                    {move || {
                        show_errors
                            .get()
                            .then(|| rows.row_error(id))
                            .flatten()
                            .map(|e| view! { <p class="field-error" role="alert">{e}</p> })
                    }}
                </div>
            </For>
            {move || match volumes.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="field-error">{format!("Volumes could not be listed: {e}")}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p class="muted">"No volumes yet: make one on the " <A href="/volumes">"Volumes"</A> " page."</p>
                }
                .into_any(),
                Some(Ok(_)) => view! {
                    <button type="button" class="btn btn-small" on:click=move |_| rows.add()>"+ Add volume"</button>
                }
                .into_any(),
            }}
        </div>
    }
}
