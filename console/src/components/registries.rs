//! The organization's container registries, on the Snapshots page: the private registries
//! whose credentials the control plane logs in with when it pulls an image (a snapshot's, a
//! build's base images). Lists them (URL, user, project), adds one with its password or token
//! (never shown again), and removes one.

use daytona_wasm::models::{check_registry_fields, registry_address, CreateDockerRegistry, DockerRegistry};
use daytona_wasm::Daytona;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::confirm::ConfirmDialog;
use crate::components::error_alert::{Alert, ErrorAlert};
use crate::components::relative_time::RelativeTime;
use crate::components::spinner::Spinner;
use crate::connection::use_connection;
use crate::errors::describe;
use crate::loaded::{use_loaded, Loaded};

/// The add form's fields, as typed.
#[derive(Clone, Copy)]
struct Fields {
    name: RwSignal<String>,
    url: RwSignal<String>,
    username: RwSignal<String>,
    password: RwSignal<String>,
    project: RwSignal<String>,
}

impl Fields {
    fn new() -> Self {
        Self {
            name: RwSignal::new(String::new()),
            url: RwSignal::new(String::new()),
            username: RwSignal::new(String::new()),
            password: RwSignal::new(String::new()),
            project: RwSignal::new(String::new()),
        }
    }

    /// The registry the fields describe, or what is wrong with them (the checks the server
    /// makes, but for plain `http://`, which only the server knows it may allow).
    fn registry(&self) -> Result<CreateDockerRegistry, String> {
        let project = self.project.get().trim().to_owned();
        let registry = CreateDockerRegistry {
            name: self.name.get().trim().to_owned(),
            url: self.url.get().trim().to_owned(),
            username: self.username.get().trim().to_owned(),
            password: self.password.get(),
            project: (!project.is_empty()).then_some(project),
        };
        check_registry_fields(&registry.name, &registry.username, registry.project.as_deref())?;
        registry_address(&registry.url)?;
        if registry.password.is_empty() {
            return Err("A registry needs its password or access token".into());
        }
        Ok(registry)
    }

    fn clear(&self) {
        for field in [self.name, self.url, self.username, self.password, self.project] {
            field.set(String::new());
        }
    }
}

/// The registries section: list, add, remove.
#[component]
pub fn Registries() -> impl IntoView {
    let conn = use_connection();
    let list = use_loaded(|daytona: Daytona| async move { daytona.registry().list().await.map_err(|e| describe(&e)) });
    let Loaded { items: rows, error, .. } = list;
    let reload = move || list.reload();

    let fields = Fields::new();
    let tried = RwSignal::new(false);
    let adding = RwSignal::new(false);
    let action_error = RwSignal::new(None::<String>);
    let field_error = move || tried.get().then(|| fields.registry().err()).flatten();
    let add = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tried.set(true);
        let Ok(registry) = fields.registry() else { return };
        let daytona = match conn.get_untracked().client() {
            Ok(d) => d,
            Err(e) => return action_error.set(Some(describe(&e))),
        };
        adding.set(true);
        action_error.set(None);
        spawn_local(async move {
            match daytona.registry().create(&registry).await {
                Ok(_) => {
                    fields.clear();
                    tried.set(false);
                    reload();
                }
                Err(e) => action_error.set(Some(describe(&e))),
            }
            adding.set(false);
        });
    };

    let doomed = RwSignal::new(None::<DockerRegistry>);
    let confirm_open = RwSignal::new(false);
    let ask_remove = move |r: DockerRegistry| {
        doomed.set(Some(r));
        confirm_open.set(true);
    };
    let remove = Callback::new(move |()| {
        let (Some(r), Ok(daytona)) = (doomed.get_untracked(), conn.get_untracked().client()) else { return };
        action_error.set(None);
        spawn_local(async move {
            if let Err(e) = daytona.registry().delete(&r.id).await {
                action_error.set(Some(format!("{} was not removed: {}", r.name, describe(&e))));
            }
            reload();
        });
    });
    let confirm_text = Signal::derive(move || {
        doomed.with(|d| {
            d.as_ref()
                .map(|r| {
                    format!("Remove registry {} and its credentials? Pulls from it will no longer log in.", r.name)
                })
                .unwrap_or_default()
        })
    });

    view! {
        <section class="registries">
            <h2>"Registries"</h2>
            <p class="muted">"Private registries that pulls log in to: a snapshot's image and a build's base images from one of them use its credentials."</p>
            <form class="inline-form registry-new" on:submit=add novalidate aria-label="Add registry">
                <input type="text" name="registryName" aria-label="Registry name" placeholder="name, e.g. GitHub" autocomplete="off" bind:value=fields.name/>
                <input type="text" name="registryUrl" aria-label="Registry URL" placeholder="URL, e.g. https://ghcr.io" autocomplete="off" bind:value=fields.url/>
                <input type="text" name="registryUser" aria-label="User name" placeholder="user name" autocomplete="off" bind:value=fields.username/>
                <input type="password" name="registryPassword" aria-label="Password or token" placeholder="password or token" autocomplete="new-password" bind:value=fields.password/>
                <input type="text" name="registryProject" aria-label="Project (optional)" placeholder="project (optional)" autocomplete="off" bind:value=fields.project/>
                <button type="submit" class="btn btn-primary" disabled=move || adding.get()>
                    {move || adding.get().then(|| view! { <Spinner/> })}
                    "Add registry"
                </button>
                {move || field_error().map(|e| view! { <span class="field-error">{e}</span> })}
            </form>
            <ErrorAlert error=action_error/>
            {move || error.get().map(|e| view! { <Alert message=e/> })}
            <div class="table-wrap" tabindex="0" role="region" aria-label="Registries">
                <table class="table registries-table">
                    <thead>
                        <tr>
                            <th>"Name"</th>
                            <th>"URL"</th>
                            <th>"User"</th>
                            <th>"Project"</th>
                            <th>"Added"</th>
                            <th class="col-actions">"Actions"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=move || rows.get().unwrap_or_default() key=|r| (r.id.clone(), r.updated_at.clone()) let:registry>
                            <RegistryRow registry ask_remove/>
                        </For>
                    </tbody>
                </table>
            </div>
            <Show when=move || rows.with(|r| r.as_ref().is_some_and(Vec::is_empty))>
                <div class="empty-table"><p>"No registries: public images need none."</p></div>
            </Show>
        </section>
        <ConfirmDialog open=confirm_open title="Remove registry" message=confirm_text confirm_label="Remove" on_confirm=remove/>
    }
}

#[component]
fn RegistryRow(registry: DockerRegistry, ask_remove: impl Fn(DockerRegistry) + Copy + 'static) -> impl IntoView {
    let stored = StoredValue::new(registry.clone());
    view! {
        <tr data-registry=registry.name.clone()>
            <td class="col-name"><span class="name-text">{registry.name.clone()}</span></td>
            <td class="mono">{registry.url.clone()}</td>
            <td>{registry.username.clone()}</td>
            <td>
                {match registry.project.is_empty() {
                    true => view! { <span class="muted">"any"</span> }.into_any(),
                    false => view! { <span class="mono">{registry.project.clone()}</span> }.into_any(),
                }}
            </td>
            <td class="nowrap"><RelativeTime iso=Some(registry.created_at.clone())/></td>
            <td class="col-actions">
                <button
                    type="button"
                    class="btn btn-small btn-danger-ghost"
                    aria-label=format!("Remove registry {}", registry.name)
                    on:click=move |_| ask_remove(stored.get_value())
                >
                    "Remove"
                </button>
            </td>
        </tr>
    }
}
