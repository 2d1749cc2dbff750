//! `/sandboxes/:id`: the sandbox's properties, labels, lifecycle timers and environment.

use daytona_wasm::models::Sandbox as SandboxDto;
use leptos::prelude::*;

use crate::components::interval_setting::{IntervalKind, IntervalSetting};
use crate::components::label_editor::LabelEditor;
use crate::components::port_previews::PortPreviews;
use crate::components::relative_time::RelativeTime;
use crate::components::resource_use::ResourceUse;
use crate::components::sandbox_settings::SandboxSettings;
use crate::components::ssh_access::SshAccessCard;
use crate::current_sandbox::use_current_sandbox;

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
        .map(|v| match &v.subpath {
            Some(sub) => format!("{} ← volume {} ({sub})", v.mount_path, v.volume_id),
            None => format!("{} ← volume {}", v.mount_path, v.volume_id),
        })
        .collect::<Vec<_>>();
    vec![
        ("ID", s.id.clone()),
        ("Name", s.name.clone()),
        ("State", opt(s.state.map(|s| s.as_str().into()))),
        ("Desired state", opt(s.desired_state.map(|d| format!("{d:?}").to_lowercase()))),
        ("Error reason", opt(s.error_reason.clone())),
        ("Recoverable", opt(s.recoverable.map(yes_no))),
        ("CPU", format!("{} core{}", s.cpu, if s.cpu == 1 { "" } else { "s" })),
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

/// The Overview tab.
#[component]
pub fn OverviewTab() -> impl IntoView {
    let sandbox = use_current_sandbox().data;
    let times: [(&str, Timestamp); 3] = [
        ("Created", |s| s.created_at.clone()),
        ("Updated", |s| s.updated_at.clone()),
        ("Last activity", |s| s.last_activity_at.clone()),
    ];
    let env = move || sandbox.with(|s| s.as_ref().map(|s| s.env.clone()).unwrap_or_default());
    let revealed = RwSignal::new(false);

    view! {
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
                <ResourceUse/>

                <SshAccessCard/>

                <SandboxSettings/>

                <section class="card">
                    <h2>"Labels"</h2>
                    <LabelEditor sandbox/>
                </section>

                <PortPreviews/>

                <section class="card">
                    <h2>"Lifecycle timers"</h2>
                    {[IntervalKind::Stop, IntervalKind::Archive, IntervalKind::Delete, IntervalKind::Ttl]
                        .into_iter()
                        .map(|kind| view! { <IntervalSetting kind sandbox/> })
                        .collect_view()}
                </section>

                <section class="card">
                    <h2>
                        "Environment"
                        <Show when=move || !env().is_empty()>
                            <button
                                class="btn btn-small btn-ghost"
                                type="button"
                                aria-pressed=move || revealed.get().to_string()
                                on:click=move |_| revealed.update(|r| *r = !*r)
                            >
                                {move || if revealed.get() { "Hide values" } else { "Show values" }}
                            </button>
                        </Show>
                    </h2>
                    {move || {
                        let env = env();
                        if env.is_empty() {
                            view! { <p class="muted">"No environment variables."</p> }.into_any()
                        } else {
                            // Values are often secrets: hidden until asked for, so a screen
                            // share or a glance over the shoulder shows only the names.
                            let shown = revealed.get();
                            view! {
                                <dl class="props mono env-list">
                                    {env
                                        .into_iter()
                                        .map(|(k, v)| {
                                            let value = if shown { v } else { "••••••".to_owned() };
                                            view! { <dt>{k}</dt><dd class:masked=!shown>{value}</dd> }
                                        })
                                        .collect_view()}
                                </dl>
                            }
                                .into_any()
                        }
                    }}
                </section>
            </div>
        </div>
    }
}
