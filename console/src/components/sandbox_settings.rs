//! The "Resources and network" card of the overview: resize (CPU, memory, disk; where the
//! host enforces limits), the network rules (block all, or an allow list of CIDRs), applied
//! to a running sandbox at once, and whether its previews are public.

use daytona_wasm::models::{NetworkSettings, ResizeSandbox, SandboxState};
use leptos::prelude::*;

use crate::components::error_alert::ErrorAlert;
use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::task::Task;
use crate::validate;

/// What the resize form sends: the fields changed (empty ones keep their value).
fn resize_request(cpu: &str, memory: &str, disk: &str) -> Result<Option<ResizeSandbox>, String> {
    let req = ResizeSandbox {
        cpu: validate::whole_number(cpu, 1)?,
        memory: validate::whole_number(memory, 1)?,
        disk: validate::whole_number(disk, 1)?,
    };
    Ok((req != ResizeSandbox::default()).then_some(req))
}

/// The card.
#[component]
pub fn SandboxSettings() -> impl IntoView {
    let current = use_current_sandbox();
    let (cpu, memory, disk) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let resize = Task::new();
    let network = Task::new();
    let block_all = RwSignal::new(false);
    let allow_list = RwSignal::new(String::new());
    // The form starts from the sandbox's rules, and follows them when *they* change elsewhere:
    // a refresh of the sandbox's other data (activity, state) must not undo an edit in progress.
    let rules = Memo::new(move |_| {
        current.data.with(|s| s.as_ref().map(|s| (s.network_block_all, s.network_allow_list.clone())))
    });
    Effect::new(move |_| {
        if let Some((block, list)) = rules.get() {
            block_all.set(block);
            allow_list.set(list.unwrap_or_default());
        }
    });
    // Public previews: the box follows the sandbox, and goes back if the change fails.
    let public = Task::new();
    let public_on = RwSignal::new(false);
    let is_public = Memo::new(move |_| current.data.with(|s| s.as_ref().is_some_and(|s| s.public)));
    Effect::new(move |_| public_on.set(is_public.get()));
    let set_public = move |ev: leptos::ev::Event| {
        let on = event_target_checked(&ev);
        let Ok(sandbox) = current.sandbox() else { return };
        public_on.set(on);
        public.run(
            async move {
                if let Err(e) = sandbox.set_public(on).await {
                    let _ = public_on.try_set(!on);
                    return Err(e);
                }
                Ok(sandbox.data())
            },
            move |dto| current.data.set(Some(dto)),
        );
    };
    let editable = move || matches!(current.state(), SandboxState::Started | SandboxState::Stopped);
    let placeholder = move |f: fn(&daytona_wasm::models::Sandbox) -> i64| {
        move || current.data.with(|s| s.as_ref().map(|s| f(s).to_string())).unwrap_or_default()
    };

    let apply_resize = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let req = match resize_request(&cpu.get_untracked(), &memory.get_untracked(), &disk.get_untracked()) {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(e) => return resize.fail(e),
        };
        let Ok(sandbox) = current.sandbox() else { return };
        resize.run(
            async move {
                sandbox.resize(req, None).await?;
                Ok(sandbox.data())
            },
            move |dto| {
                current.data.set(Some(dto));
                for f in [cpu, memory, disk] {
                    f.set(String::new());
                }
            },
        );
    };
    let apply_network = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(sandbox) = current.sandbox() else { return };
        let settings = NetworkSettings {
            network_block_all: Some(block_all.get_untracked()),
            network_allow_list: Some(allow_list.get_untracked().trim().to_owned()),
            domain_allow_list: None,
        };
        network.run(
            async move {
                sandbox.update_network_settings(settings).await?;
                Ok(sandbox.data())
            },
            move |dto| current.data.set(Some(dto)),
        );
    };

    view! {
        <section class="card sandbox-settings">
            <h2>"Resources and network"</h2>
            <form class="resize-form" on:submit=apply_resize>
                <label>
                    "CPU cores"
                    <input type="text" inputmode="numeric" aria-label="CPU cores" placeholder=placeholder(|s| s.cpu) bind:value=cpu/>
                </label>
                <label>
                    "Memory GiB"
                    <input type="text" inputmode="numeric" aria-label="Memory GiB" placeholder=placeholder(|s| s.memory) bind:value=memory/>
                </label>
                <label>
                    "Disk GiB"
                    <input type="text" inputmode="numeric" aria-label="Disk GiB" placeholder=placeholder(|s| s.disk) bind:value=disk/>
                </label>
                <button class="btn" type="submit" disabled=move || !editable() || resize.busy()>
                    {move || resize.busy().then(|| view! { <Spinner/> })}
                    "Resize"
                </button>
            </form>
            <p class="field-hint">"Disk can only grow. Empty fields keep their value."</p>
            <ErrorAlert error=Signal::derive(move || resize.error())/>
            <form class="network-form" on:submit=apply_network>
                <label class="check">
                    <input type="checkbox" aria-label="Block all network" prop:checked=block_all
                        on:change=move |ev| block_all.set(event_target_checked(&ev))/>
                    "Block all network (only the sandbox's own loopback)"
                </label>
                <label>
                    "Allowed networks"
                    <input type="text" class="mono" aria-label="Allowed networks" placeholder="e.g. 10.0.0.0/8, 203.0.113.7/32 (empty: anywhere)"
                        disabled=move || block_all.get() bind:value=allow_list/>
                </label>
                <button class="btn" type="submit" disabled=move || !editable() || network.busy()>
                    {move || network.busy().then(|| view! { <Spinner/> })}
                    "Apply network rules"
                </button>
            </form>
            <ErrorAlert error=Signal::derive(move || network.error())/>
            <label class="check public-previews">
                <input type="checkbox" aria-label="Public previews" prop:checked=public_on
                    disabled=move || public.busy() on:change=set_public/>
                "Public previews: anyone with a port's URL opens it, with no token"
            </label>
            <ErrorAlert error=Signal::derive(move || public.error())/>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_fields_filled_in_are_sent() {
        assert_eq!(resize_request("", "", ""), Ok(None));
        assert_eq!(
            resize_request("2", "", " 8 "),
            Ok(Some(ResizeSandbox { cpu: Some(2), memory: None, disk: Some(8) }))
        );
        assert!(resize_request("0", "", "").is_err());
        assert!(resize_request("", "lots", "").is_err());
    }
}
