//! Tabs that talk to a sandbox's toolbox only work while it runs.

use daytona_wasm::models::SandboxState;
use leptos::prelude::*;

use crate::components::spinner::Spinner;
use crate::current_sandbox::use_current_sandbox;
use crate::lifecycle::Action;
use crate::operations::Operations;

/// `children` while the page's sandbox is started; otherwise a note that `feature` needs a
/// started sandbox, with a Start button when starting is possible.
#[component]
pub fn RequiresStarted(
    /// What needs it, e.g. "The terminal".
    #[prop(into)]
    feature: String,
    children: ChildrenFn,
) -> impl IntoView {
    let current = use_current_sandbox();
    let ops = expect_context::<Operations>();
    let feature = StoredValue::new(feature);
    let starting = move || ops.is_running(&current.id.get());
    let fallback = move || {
        let state = current.state();
        view! {
            <section class="card empty needs-start" data-needs-start="true">
                <h2>{format!("{} needs a started sandbox", feature.get_value())}</h2>
                <p class="muted">
                    {format!("This sandbox is {}.", state.as_str().replace('_', " "))}
                </p>
                <Show when=move || Action::Start.allowed(current.state())>
                    <button
                        type="button"
                        class="btn btn-primary"
                        disabled=starting
                        on:click=move |_| ops.run(current.id.get_untracked(), Action::Start)
                    >
                        {move || starting().then(|| view! { <Spinner/> })}
                        {move || if starting() { Action::Start.progress() } else { "Start sandbox" }}
                    </button>
                </Show>
            </section>
        }
    };
    view! {
        <Show when=move || current.state() == SandboxState::Started fallback=fallback>
            {children()}
        </Show>
    }
}
