//! `/sandboxes/:id`: everything about one sandbox, its lifecycle, labels, timers and a
//! command runner.

use std::time::Duration;

use daytona_wasm::models::{Sandbox as SandboxDto, SandboxState};
use daytona_wasm::ErrorKind;
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use leptos_router::NavigateOptions;

use crate::components::action_buttons::ActionButtons;
use crate::components::connect_prompt::ConnectPrompt;
use crate::components::copy_id::CopyId;
use crate::components::interval_setting::{IntervalKind, IntervalSetting};
use crate::components::label_editor::LabelEditor;
use crate::components::relative_time::RelativeTime;
use crate::components::run_command::RunCommand;
use crate::components::spinner::Spinner;
use crate::components::state_badge::StateBadge;
use crate::connection::use_connection;
use crate::errors::describe;
use crate::lifecycle::Action;
use crate::operations::{use_operations, Operations};
use crate::polling::use_interval;

/// How often the sandbox is reloaded.
const REFRESH_PERIOD: Duration = Duration::from_secs(5);

/// The detail page, or the prompt to connect first.
#[component]
pub fn SandboxDetailPage() -> impl IntoView {
    let conn = use_connection();
    view! {
        <Show when=move || conn.with(|c| c.has_key()) fallback=ConnectPrompt>
            <SandboxDetail/>
        </Show>
    }
}

/// Loads the sandbox named in the URL, keeps it fresh and shows it.
#[component]
fn SandboxDetail() -> impl IntoView {
    let conn = use_connection();
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").unwrap_or_default()));
    let sandbox = RwSignal::new(None::<SandboxDto>);
    let missing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);

    let load = move || {
        let id = id.get_untracked();
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return error.set(Some(describe(&e))),
        };
        spawn_local(async move {
            match daytona.get(&id).await {
                Ok(s) => {
                    sandbox.set(Some(s.data()));
                    error.set(None);
                }
                Err(e) if e.kind() == ErrorKind::NotFound => missing.set(true),
                Err(e) => error.set(Some(describe(&e))),
            }
        });
    };
    Effect::new(move |_| {
        id.track();
        sandbox.set(None);
        missing.set(false);
        load();
    });
    use_interval(REFRESH_PERIOD, move || {
        if !document().hidden() {
            load();
        }
    });

    let ops = use_operations();
    let navigate = use_navigate();
    Effect::watch(
        move || ops.last_settled(),
        move |settled, _, _| match settled {
            // Deleted (a failure would have left a status): nothing left to show.
            Some((_, Action::Delete)) if ops.status(&id.get_untracked()).is_none() => {
                navigate("/", NavigateOptions::default());
            }
            _ => load(),
        },
        false,
    );

    view! {
        <nav class="crumbs"><A href="/">"← Sandboxes"</A></nav>
        {move || error.get().map(|e| view! { <p class="alert alert-error" role="alert">{e}</p> })}
        <Show when=move || missing.get()>
            <section class="card empty">
                <h1>"Sandbox not found"</h1>
                <p>"No sandbox has the id or name " <code>{move || id.get()}</code> "."</p>
                <p><A href="/">"Back to sandboxes"</A></p>
            </section>
        </Show>
        <Show when=move || !missing.get() && sandbox.with(Option::is_none) && error.with(Option::is_none)>
            <div class="empty-table"><Spinner/>" Loading sandbox…"</div>
        </Show>
        <Show when=move || !missing.get() && sandbox.with(Option::is_some)>
            <Detail id=id.get_untracked() sandbox ops/>
        </Show>
    }
}

/// Reads one of a sandbox's timestamps.
type Timestamp = fn(&SandboxDto) -> Option<String>;

/// The rows of the overview list for `s`.
fn overview(s: &SandboxDto) -> Vec<(&'static str, String)> {
    let yes_no = |b: bool| if b { "yes" } else { "no" }.to_owned();
    let opt = |v: Option<String>| v.filter(|v| !v.is_empty()).unwrap_or_else(|| "—".into());
    let volumes = s
        .volumes
        .iter()
        .flatten()
        .map(|v| format!("{} → {}", v.volume_id, v.mount_path))
        .collect::<Vec<_>>();
    vec![
        ("ID", s.id.clone()),
        ("Name", s.name.clone()),
        ("State", opt(s.state.map(|s| s.as_str().into()))),
        (
            "Desired state",
            opt(s.desired_state.map(|d| format!("{d:?}").to_lowercase())),
        ),
        ("Error reason", opt(s.error_reason.clone())),
        ("Recoverable", opt(s.recoverable.map(yes_no))),
        (
            "CPU",
            format!("{} core{}", s.cpu, if s.cpu == 1 { "" } else { "s" }),
        ),
        ("Memory", format!("{} GiB", s.memory)),
        ("Disk", format!("{} GiB", s.disk)),
        ("GPUs", s.gpu.to_string()),
        ("User", s.user.clone()),
        ("Snapshot", opt(s.snapshot.clone())),
        ("Class", opt(s.sandbox_class.clone())),
        ("Region", s.target.clone()),
        ("Public previews", yes_no(s.public)),
        ("Network blocked", yes_no(s.network_block_all)),
        ("Network allow list", opt(s.network_allow_list.clone())),
        ("Volumes", opt(Some(volumes.join(", ")))),
        ("Backup", opt(s.backup_state.clone())),
        ("Organization", s.organization_id.clone()),
        ("Daemon version", opt(s.daemon_version.clone())),
        ("Toolbox URL", s.toolbox_proxy_url.clone()),
    ]
}

/// The loaded sandbox (`sandbox` is `Some` while this is shown).
#[component]
fn Detail(id: String, sandbox: RwSignal<Option<SandboxDto>>, ops: Operations) -> impl IntoView {
    let read = move |f: fn(&SandboxDto) -> String| {
        move || sandbox.with(|s| s.as_ref().map(f).unwrap_or_default())
    };
    let state = Signal::derive(move || {
        sandbox.with(|s| {
            s.as_ref()
                .and_then(|s| s.state)
                .unwrap_or(SandboxState::Unknown)
        })
    });
    let name = sandbox.with_untracked(|s| s.as_ref().map(|s| s.name.clone()).unwrap_or_default());
    let times: [(&str, Timestamp); 3] = [
        ("Created", |s| s.created_at.clone()),
        ("Updated", |s| s.updated_at.clone()),
        ("Last activity", |s| s.last_activity_at.clone()),
    ];
    let env = move || sandbox.with(|s| s.as_ref().map(|s| s.env.clone()).unwrap_or_default());
    let error_reason = move || sandbox.with(|s| s.as_ref().and_then(|s| s.error_reason.clone()));

    view! {
        <section class="page-head detail-head">
            <div>
                <h1 class="detail-title">
                    <span>{read(|s| s.name.clone())}</span>
                    <StateBadge state/>
                </h1>
                <CopyId id=id.clone()/>
            </div>
            <ActionButtons ops id=id.clone() name state/>
        </section>
        {move || error_reason().map(|r| view! { <p class="alert alert-error">{format!("Error: {r}")}</p> })}

        <div class="detail-grid">
            <section class="card">
                <h2>"Overview"</h2>
                <dl class="props">
                    {move || {
                        sandbox
                            .with(|s| s.as_ref().map(overview))
                            .unwrap_or_default()
                            .into_iter()
                            .map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> })
                            .collect_view()
                    }}
                    {times
                        .into_iter()
                        .map(|(k, field)| {
                            view! {
                                <dt>{k}</dt>
                                <dd>{move || view! { <RelativeTime iso=sandbox.with(|s| s.as_ref().and_then(field))/> }}</dd>
                            }
                        })
                        .collect_view()}
                </dl>
            </section>

            <div class="stack">
                <section class="card">
                    <h2>"Labels"</h2>
                    <LabelEditor sandbox/>
                </section>

                <section class="card">
                    <h2>"Lifecycle timers"</h2>
                    {[IntervalKind::Stop, IntervalKind::Archive, IntervalKind::Delete]
                        .into_iter()
                        .map(|kind| view! { <IntervalSetting kind sandbox/> })
                        .collect_view()}
                </section>

                <section class="card">
                    <h2>"Environment"</h2>
                    {move || {
                        let env = env();
                        if env.is_empty() {
                            view! { <p class="muted">"No environment variables."</p> }.into_any()
                        } else {
                            view! {
                                <dl class="props mono">
                                    {env.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                                </dl>
                            }
                                .into_any()
                        }
                    }}
                </section>
            </div>
        </div>

        <RunCommand id state/>
    }
}
