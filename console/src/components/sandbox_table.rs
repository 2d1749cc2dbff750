//! The sandbox table of the dashboard.

use std::collections::{BTreeMap, HashSet};

use daytona_wasm::models::{Sandbox as SandboxDto, SandboxState};
use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::action_buttons::ActionButtons;
use crate::components::copy_id::CopyId;
use crate::components::labels::LabelChips;
use crate::components::relative_time::RelativeTime;
use crate::components::state_badge::StateBadge;
use crate::operations::Operations;

/// What makes a row render again: any change of what it shows.
type RowKey = (String, Option<SandboxState>, Option<String>, Option<String>, BTreeMap<String, String>);

fn row_key(s: &SandboxDto) -> RowKey {
    (s.id.clone(), s.state, s.updated_at.clone(), s.last_activity_at.clone(), s.labels.clone())
}

/// CPU, memory and disk of a sandbox, compactly.
fn resources(s: &SandboxDto) -> String {
    format!("{} vCPU · {} GiB · {} GiB", s.cpu, s.memory, s.disk)
}

/// One row per sandbox in `items`, with a checkbox feeding `selection`.
#[component]
pub fn SandboxTable(
    #[prop(into)] items: Signal<Vec<SandboxDto>>,
    selection: RwSignal<HashSet<String>>,
    ops: Operations,
) -> impl IntoView {
    let all_selected = move || {
        items.with(|items| !items.is_empty() && selection.with(|sel| items.iter().all(|s| sel.contains(&s.id))))
    };
    let toggle_all = move |_| {
        let select = !all_selected();
        let ids: Vec<String> = items.with(|items| items.iter().map(|s| s.id.clone()).collect());
        selection.update(|sel| {
            for id in ids {
                if select {
                    sel.insert(id);
                } else {
                    sel.remove(&id);
                }
            }
        });
    };
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Sandboxes">
            <table class="table">
                <thead>
                    <tr>
                        <th class="col-check">
                            <input
                                type="checkbox"
                                aria-label="Select all"
                                prop:checked=all_selected
                                on:change=toggle_all
                            />
                        </th>
                        <th>"State"</th>
                        <th>"Name"</th>
                        <th class="col-labels">"Labels"</th>
                        <th title="CPU cores · memory · disk">"CPU · RAM · Disk"</th>
                        <th>"Created"</th>
                        <th>"Last activity"</th>
                        <th class="col-actions">"Actions"</th>
                    </tr>
                </thead>
                <tbody>
                    <For each=move || items.get() key=row_key let(sandbox)>
                        <SandboxRow sandbox selection ops/>
                    </For>
                </tbody>
            </table>
        </div>
    }
}

/// One sandbox.
#[component]
fn SandboxRow(sandbox: SandboxDto, selection: RwSignal<HashSet<String>>, ops: Operations) -> impl IntoView {
    let state = sandbox.state.unwrap_or(SandboxState::Unknown);
    let id = sandbox.id.clone();
    let selected = {
        let id = id.clone();
        move || selection.with(|s| s.contains(&id))
    };
    let toggle = {
        let id = id.clone();
        move |_| {
            selection.update(|s| {
                if !s.remove(&id) {
                    s.insert(id.clone());
                }
            })
        }
    };
    let resources = resources(&sandbox);
    let name = sandbox.name.clone();
    let href = format!("/sandboxes/{id}");
    let highlighted = selected.clone();
    let link_text = name.clone();
    view! {
        <tr data-id=id.clone() data-name=name.clone() class:selected=highlighted>
            <td class="col-check">
                <input
                    type="checkbox"
                    aria-label=format!("Select {name}")
                    prop:checked=selected
                    on:change=toggle
                />
            </td>
            <td><StateBadge state/></td>
            <td class="col-name">
                <A href=href attr:class="name-link">{link_text}</A>
                <CopyId id=id.clone()/>
                {sandbox.error_reason.clone().map(|r| view! { <p class="row-reason" title=r.clone()>{r.clone()}</p> })}
            </td>
            <td class="col-labels"><LabelChips labels=sandbox.labels.clone()/></td>
            <td class="nowrap">{resources}</td>
            <td class="nowrap"><RelativeTime iso=sandbox.created_at.clone()/></td>
            <td class="nowrap"><RelativeTime iso=sandbox.last_activity_at.clone()/></td>
            <td class="col-actions">
                <ActionButtons ops id=id.clone() name=name.clone() state/>
            </td>
        </tr>
    }
}
