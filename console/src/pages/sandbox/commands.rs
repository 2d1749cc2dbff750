//! `/sandboxes/:id/commands[?session=ID[&command=ID]]`: one-shot commands, sessions with
//! live command logs, and code runs.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::commands::code_run::CodeRun;
use crate::commands::session_list::SessionList;
use crate::commands::session_panel::SessionPanel;
use crate::components::requires_started::RequiresStarted;
use crate::components::run_command::RunCommand;
use crate::current_sandbox::use_current_sandbox;

/// The Commands tab.
#[component]
pub fn CommandsTab() -> impl IntoView {
    view! {
        <RequiresStarted feature="Running commands">
            <Commands/>
        </RequiresStarted>
    }
}

/// The tab's sections, below the started-sandbox check.
#[component]
fn Commands() -> impl IntoView {
    let current = use_current_sandbox();
    let query = use_query_map();
    let session = Memo::new(move |_| query.with(|q| q.get("session")).filter(|s| !s.is_empty()));
    let command = Signal::derive(move || query.with(|q| q.get("command")).filter(|c| !c.is_empty()));
    let state = Signal::derive(move || current.state());
    view! {
        <RunCommand id=current.id.get_untracked() state/>
        <section class="card">
            <h2>"Sessions"</h2>
            <div class="sessions">
                <SessionList selected=session/>
                {move || match session.get() {
                    Some(id) => view! { <SessionPanel session=id selected=command/> }.into_any(),
                    None => view! {
                        <p class="muted session-hint">"Select or create a session to run commands that keep their state."</p>
                    }
                    .into_any(),
                }}
            </div>
        </section>
        <CodeRun/>
    }
}
