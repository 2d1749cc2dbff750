//! The "New sandbox" dialog: a validated form that creates a sandbox and waits for it, on a
//! snapshot, or on an image or a Dockerfile built first (the build's log shown as it comes).

use daytona_wasm::{CreateSandboxParams, Image, ImageBuildOptions, Resources};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::build_log::{BuildLog, BuildLogView};
use crate::components::error_alert::Alert;
use crate::components::field::Field;
use crate::components::kv_editor::{KvEditor, KvRows};
use crate::components::modal::Modal;
use crate::components::org_usage::{limits_hint, use_region_usage};
use crate::components::spinner::Spinner;
use crate::components::volume_mounts::{MountRows, VolumeMountsEditor};
use crate::connection::use_connection;
use crate::errors::describe;
use crate::validate;

/// A text input holding a whole number (validated on submit), and what the server said of
/// it last (until it is edited).
#[derive(Clone, Copy)]
struct NumberInput {
    text: RwSignal<String>,
    min: i64,
    /// The most the server takes, once it has said (the organization's limit per sandbox).
    max: RwSignal<Option<i64>>,
    refused: RwSignal<Option<String>>,
}

impl NumberInput {
    fn new(min: i64) -> Self {
        let (text, refused) = (RwSignal::new(String::new()), RwSignal::new(None));
        // An edit answers the server's objection (it checks again on the next submit).
        Effect::new(move |_| {
            text.track();
            refused.set(None);
        });
        Self { text, min, max: RwSignal::new(None), refused }
    }

    /// The number, `None` when blank (reactive).
    fn parsed(&self) -> Result<Option<i64>, String> {
        validate::whole_number_at_most(&self.text.get(), self.min, self.max.get())
    }

    /// The field's message: its own check's, else the server's (reactive).
    fn error(&self) -> Option<String> {
        self.parsed().err().or_else(|| self.refused.get())
    }
}

/// The resource field a refusal of the server is about (its limits are the server's: a
/// daytona-local or a Daytona organization's quota), by the word its message names.
fn refused_field(form: &FormFields, message: &str) -> Option<NumberInput> {
    let lower = message.to_lowercase();
    [("cpu", form.cpu), ("memory", form.memory), ("disk", form.disk)]
        .into_iter()
        .find_map(|(word, input)| lower.contains(word).then_some(input))
}

/// Everything the form holds.
#[derive(Clone, Copy)]
struct FormFields {
    name: RwSignal<String>,
    labels: KvRows,
    env: KvRows,
    cpu: NumberInput,
    memory: NumberInput,
    disk: NumberInput,
    auto_stop: NumberInput,
    auto_archive: NumberInput,
    auto_delete: NumberInput,
    /// Minutes from creation to its destruction, whatever its state (blank or 0 = never).
    ttl: NumberInput,
    network_block_all: RwSignal<bool>,
    network_allow_list: RwSignal<String>,
    ephemeral: RwSignal<bool>,
    volumes: MountRows,
    /// The snapshot's name; empty for the default.
    snapshot: RwSignal<String>,
    /// What it runs on: a snapshot, an image, or a Dockerfile.
    runs_on: RwSignal<RunsOn>,
    /// The image's name (`RunsOn::Image`).
    image: RwSignal<String>,
    /// The Dockerfile (`RunsOn::Dockerfile`).
    dockerfile: RwSignal<String>,
}

/// What a new sandbox runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum RunsOn {
    /// A snapshot (the default one, or one picked).
    Snapshot,
    /// An image from a registry, built into a snapshot first (or an earlier build reused).
    Image,
    /// A Dockerfile, built first (files it copies: build it on the Snapshots page).
    Dockerfile,
}

impl RunsOn {
    /// The select's value.
    fn value(self) -> &'static str {
        match self {
            Self::Snapshot => "snapshot",
            Self::Image => "image",
            Self::Dockerfile => "dockerfile",
        }
    }

    fn from_value(value: &str) -> Self {
        match value {
            "image" => Self::Image,
            "dockerfile" => Self::Dockerfile,
            _ => Self::Snapshot,
        }
    }
}

impl FormFields {
    fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            labels: KvRows::new(validate::label_key),
            env: KvRows::new(validate::env_name),
            cpu: NumberInput::new(1),
            memory: NumberInput::new(1),
            disk: NumberInput::new(1),
            auto_stop: NumberInput::new(0),
            auto_archive: NumberInput::new(0),
            // -1 (or blank) is never, as on the Overview; 0 deletes it as it stops.
            auto_delete: NumberInput::new(-1),
            ttl: NumberInput::new(0),
            network_block_all: RwSignal::new(false),
            network_allow_list: RwSignal::new(String::new()),
            ephemeral: RwSignal::new(false),
            volumes: MountRows::new(),
            snapshot: RwSignal::new(String::new()),
            runs_on: RwSignal::new(RunsOn::Snapshot),
            image: RwSignal::new(String::new()),
            dockerfile: RwSignal::new(String::new()),
        }
    }

    /// The image to build first, `Ok(None)` on a snapshot, or what is missing (reactive).
    fn image(&self) -> Result<Option<Image>, String> {
        match self.runs_on.get() {
            RunsOn::Snapshot => Ok(None),
            RunsOn::Image => match self.image.get().trim() {
                "" => Err("Name the image, e.g. python:3.12-slim.".into()),
                name => Ok(Some(Image::base(name))),
            },
            RunsOn::Dockerfile => match self.dockerfile.get() {
                text if text.trim().is_empty() => Err("Write the Dockerfile.".into()),
                text => Ok(Some(Image::from_dockerfile(&text))),
            },
        }
    }

    /// The SDK parameters, or `None` while any field is invalid (reactive).
    fn params(&self) -> Option<CreateSandboxParams> {
        let name = self.name.get().trim().to_owned();
        validate::sandbox_name(&name).ok()?;
        let (cpu, memory, disk) = (self.cpu.parsed().ok()?, self.memory.parsed().ok()?, self.disk.parsed().ok()?);
        let ephemeral = self.ephemeral.get();
        let auto_delete = self.auto_delete.parsed().ok()?;
        let block_all = self.network_block_all.get();
        let allow_list = self.network_allow_list.get().trim().to_owned();
        validate::allow_list(&allow_list).ok()?;
        Some(CreateSandboxParams {
            name: Some(name).filter(|n| !n.is_empty()),
            labels: Some(self.labels.pairs()?).filter(|l| !l.is_empty()),
            env_vars: Some(self.env.pairs()?).filter(|e| !e.is_empty()),
            resources: (cpu.is_some() || memory.is_some() || disk.is_some()).then_some(Resources { cpu, memory, disk }),
            auto_stop_interval: self.auto_stop.parsed().ok()?,
            auto_archive_interval: self.auto_archive.parsed().ok()?,
            auto_delete_interval: if ephemeral { None } else { auto_delete },
            ttl_minutes: self.ttl.parsed().ok()?.filter(|&m| m > 0),
            network_block_all: block_all.then_some(true),
            network_allow_list: Some(allow_list).filter(|l| !block_all && !l.is_empty()),
            ephemeral: ephemeral.then_some(true),
            volumes: Some(self.volumes.mounts()?).filter(|v| !v.is_empty()),
            snapshot: Some(self.snapshot.get()).filter(|s| !s.is_empty() && self.runs_on.get() == RunsOn::Snapshot),
            ..Default::default()
        })
    }
}

/// A sandbox on `image`, built first: a module of its own (object storage uploads, SigV4, the
/// build log), loaded the first time a sandbox is made this way, so the dashboard's first load
/// does not carry it.
#[leptos::lazy]
async fn build_and_create(
    daytona: daytona_wasm::Daytona,
    image: Image,
    params: CreateSandboxParams,
    opts: ImageBuildOptions,
) -> Result<daytona_wasm::Sandbox, daytona_wasm::DaytonaError> {
    daytona.create_from_image(&image, params, opts).await
}

/// The "New sandbox" dialog, shown while `open`. On success it closes and sets
/// `created` to the new sandbox's name.
#[component]
pub fn CreateDialog(
    open: RwSignal<bool>,
    created: RwSignal<Option<String>>,
    /// A snapshot to run on, chosen when the dialog opens (the Snapshots page's "New sandbox").
    #[prop(into, optional)]
    on_snapshot: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <Show when=move || open.get()>
            <CreateForm open created on_snapshot/>
        </Show>
    }
}

/// The form itself (fresh on every opening).
#[component]
fn CreateForm(
    open: RwSignal<bool>,
    created: RwSignal<Option<String>>,
    on_snapshot: Signal<Option<String>>,
) -> impl IntoView {
    let conn = use_connection();
    let form = FormFields::new();
    if let Some(snapshot) = on_snapshot.get_untracked() {
        form.snapshot.set(snapshot);
    }
    let submitted = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let server_error = RwSignal::new(None::<String>);
    // What one sandbox may have, checked as the user types instead of after a refusal.
    let usage = use_region_usage(Signal::stored(0));
    Effect::new(move |_| {
        usage.with(|u| {
            let Some(u) = u else { return };
            for (input, max) in [
                (form.cpu, u.max_cpu_per_sandbox),
                (form.memory, u.max_memory_per_sandbox),
                (form.disk, u.max_disk_per_sandbox),
            ] {
                // A maximum below 1 would refuse everything: not a limit to hold input to.
                input.max.set(max.map(|m| m as i64).filter(|m| *m >= 1));
            }
        })
    });
    let limits = move || usage.with(|u| u.as_ref().and_then(limits_hint));

    // A field's message, shown once the user has tried to submit.
    let shown = move |check: Result<(), String>| submitted.get().then_some(check.err()).flatten();
    // Resources beyond the limits are said at once: the limit is shown, so typing past it is
    // news; other checks wait for a submit.
    let number_error = move |n: NumberInput| {
        Signal::derive(move || {
            let over_limit =
                n.max.get().is_some_and(|max| n.text.with(|t| t.trim().parse::<i64>().is_ok_and(|v| v > max)));
            (submitted.get() || over_limit).then(|| n.error()).flatten()
        })
    };
    let name_error = Signal::derive(move || shown(validate::sandbox_name(form.name.get().trim())));
    let allow_list_error = Signal::derive(move || shown(validate::allow_list(&form.network_allow_list.get())));
    let image_error = Signal::derive(move || shown(form.image().map(drop)));
    let build_log = BuildLog::new();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        submitted.set(true);
        server_error.set(None);
        let Some(params) = form.params() else { return };
        let Ok(image) = form.image() else { return };
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return server_error.set(Some(describe(&e))),
        };
        busy.set(true);
        spawn_local(async move {
            let made = match image {
                None => daytona.create(params, None).await,
                Some(image) => {
                    build_log.clear();
                    let opts = ImageBuildOptions { on_logs: Some(build_log.sink()), ..Default::default() };
                    let made = build_and_create(daytona, image, params, opts).await;
                    build_log.end(made.is_ok());
                    made
                }
            };
            match made {
                Ok(sandbox) => {
                    created.set(Some(sandbox.name()));
                    open.set(false);
                }
                // A refused resource is shown beside its field (the footer is out of sight in
                // a long form).
                Err(e) => match (e.status_code(), refused_field(&form, &e.to_string())) {
                    (Some(400), Some(field)) => field.refused.set(Some(e.to_string())),
                    _ => server_error.set(Some(build_log.reason_without_log(&describe(&e)))),
                },
            }
            busy.set(false);
        });
    };

    view! {
        <Modal title="New sandbox" on_close=move |_| open.set(false) class="modal-wide">
            <form class="form" on:submit=submit novalidate>
                <Field label="Name" hint="Letters, digits, '.', '_' and '-'. Blank: the id is used." error=name_error>
                    <input type="text" name="name" autocomplete="off" bind:value=form.name/>
                </Field>

                <Field label="Runs on" hint="A snapshot, or an image or Dockerfile built into one first (again only when it changed).">
                    <select name="runsOn" prop:value=move || form.runs_on.get().value()
                        on:change=move |ev| form.runs_on.set(RunsOn::from_value(&event_target_value(&ev)))>
                        <option value="snapshot">"a snapshot"</option>
                        <option value="image">"an image"</option>
                        <option value="dockerfile">"a Dockerfile"</option>
                    </select>
                </Field>
                {move || match form.runs_on.get() {
                    RunsOn::Snapshot => view! {
                        <Field label="Snapshot" hint="The image it runs on; pull more on the Snapshots page.">
                            <SnapshotPicker chosen=form.snapshot/>
                        </Field>
                    }.into_any(),
                    RunsOn::Image => view! {
                        <Field label="Image" hint="From a registry, e.g. python:3.12-slim." error=image_error>
                            <input type="text" name="image" autocomplete="off" bind:value=form.image/>
                        </Field>
                    }.into_any(),
                    RunsOn::Dockerfile => view! {
                        <Field label="Dockerfile" hint="Files it copies are sent from the Snapshots page's build form." error=image_error>
                            <textarea name="dockerfile" class="mono" rows="5" spellcheck="false" bind:value=form.dockerfile></textarea>
                        </Field>
                    }.into_any(),
                }}

                <fieldset>
                    <legend>"Resources"</legend>
                    <div class="grid3">
                        <Field label="CPU (cores)" error=number_error(form.cpu)>
                            <input type="text" inputmode="numeric" name="cpu" placeholder="1" bind:value=form.cpu.text/>
                        </Field>
                        <Field label="Memory (GiB)" error=number_error(form.memory)>
                            <input type="text" inputmode="numeric" name="memory" placeholder="1" bind:value=form.memory.text/>
                        </Field>
                        <Field label="Disk (GiB)" error=number_error(form.disk)>
                            <input type="text" inputmode="numeric" name="disk" placeholder="3" bind:value=form.disk.text/>
                        </Field>
                    </div>
                    {move || limits().map(|hint| view! { <p class="field-hint limits">{hint}</p> })}
                </fieldset>

                <fieldset>
                    <legend>"Lifecycle (minutes)"</legend>
                    <div class="grid3">
                        <Field label="Auto-stop" hint="0 = never" error=number_error(form.auto_stop)>
                            <input type="text" inputmode="numeric" name="autoStop" placeholder="15" bind:value=form.auto_stop.text/>
                        </Field>
                        <Field label="Auto-archive" hint="after stop; 0 = max" error=number_error(form.auto_archive)>
                            <input type="text" inputmode="numeric" name="autoArchive" placeholder="10080" bind:value=form.auto_archive.text/>
                        </Field>
                        <Field label="Auto-delete" hint="after stop; -1 or blank = never" error=number_error(form.auto_delete)>
                            <input
                                type="text"
                                inputmode="numeric"
                                name="autoDelete"
                                placeholder="never"
                                disabled=move || form.ephemeral.get()
                                bind:value=form.auto_delete.text
                            />
                        </Field>
                        <Field label="TTL" hint="destroyed after, in any state; blank = never" error=number_error(form.ttl)>
                            <input type="text" inputmode="numeric" name="ttl" placeholder="never" bind:value=form.ttl.text/>
                        </Field>
                    </div>
                    <label class="check">
                        <input type="checkbox" name="ephemeral" bind:checked=form.ephemeral/>
                        <span>"Ephemeral: delete as soon as it stops"</span>
                    </label>
                    <label class="check">
                        <input type="checkbox" name="networkBlockAll" bind:checked=form.network_block_all/>
                        <span>"Block all network access"</span>
                    </label>
                    <Field label="Allowed networks" hint="CIDRs, comma-separated; blank = anywhere" error=allow_list_error>
                        <input
                            type="text"
                            name="networkAllowList"
                            placeholder="e.g. 10.0.0.0/8, 192.0.2.7/32"
                            disabled=move || form.network_block_all.get()
                            bind:value=form.network_allow_list
                        />
                    </Field>
                </fieldset>

                <fieldset>
                    <legend>"Volumes"</legend>
                    <VolumeMountsEditor rows=form.volumes show_errors=submitted/>
                </fieldset>

                <fieldset>
                    <legend>"Labels"</legend>
                    <KvEditor rows=form.labels noun="Label" show_errors=submitted/>
                </fieldset>

                <fieldset>
                    <legend>"Environment variables"</legend>
                    <KvEditor rows=form.env noun="Variable" show_errors=submitted/>
                </fieldset>

                <BuildLogView log=build_log/>
                {move || server_error.get().map(|e| view! { <Alert message=e/> })}

                <footer class="modal-foot">
                    <button type="button" class="btn" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="btn btn-primary" disabled=move || busy.get()>
                        {move || busy.get().then(|| view! { <Spinner/> })}
                        {move || match (busy.get(), form.runs_on.get()) {
                            (false, _) => "Create",
                            (true, RunsOn::Snapshot) => "Creating…",
                            (true, _) => "Building…",
                        }}
                    </button>
                </footer>
            </form>
        </Modal>
    }
}

/// A select of the active snapshots (the default, the host's userland, first).
#[component]
fn SnapshotPicker(chosen: RwSignal<String>) -> impl IntoView {
    let conn = use_connection();
    let names = RwSignal::new(Vec::<(String, String)>::new());
    Effect::new(move |_| {
        let Ok(daytona) = conn.get_untracked().client() else { return };
        spawn_local(async move {
            // Without the list the select offers the default alone.
            if let Ok(page) = daytona.snapshot().list(1, 200).await {
                let active = page.items.into_iter().filter(|s| s.state == daytona_wasm::models::SnapshotState::Active);
                names.set(
                    active
                        .map(|s| {
                            let label = match (&s.image_name, s.general) {
                                (_, true) => format!("{} (default)", s.name),
                                (Some(image), false) => format!("{} ({image})", s.name),
                                (None, false) => s.name.clone(),
                            };
                            (if s.general { String::new() } else { s.name }, label)
                        })
                        .collect(),
                );
            }
        });
    });
    view! {
        <select name="snapshot" prop:value=move || chosen.get() on:change=move |ev| chosen.set(event_target_value(&ev))>
            {move || match names.with(Vec::is_empty) {
                true => view! { <option value="">"default"</option> }.into_any(),
                false => names
                    .get()
                    .into_iter()
                    .map(|(value, label)| {
                        let selected = value == chosen.get_untracked();
                        view! { <option value=value selected=selected>{label}</option> }
                    })
                    .collect_view()
                    .into_any(),
            }}
        </select>
    }
}
