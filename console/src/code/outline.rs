//! A document's outline from its language server: its classes, functions and variables,
//! nested, each a link to its line; refreshed a moment after the text stops changing.

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::code::workspace::{use_workspace, OpenDoc};
use crate::code::Symbol;
use crate::polling::debounce;

/// How long the text must rest before the outline is asked again.
const SETTLE: Duration = Duration::from_millis(700);

/// A short label of an LSP `SymbolKind`.
fn kind_label(kind: u32) -> &'static str {
    match kind {
        2 => "module",
        5 => "class",
        6 => "method",
        7 | 8 => "field",
        9 => "constructor",
        10 => "enum",
        11 => "interface",
        12 => "function",
        13 => "variable",
        14 => "constant",
        23 => "struct",
        _ => "symbol",
    }
}

/// The outline of open file `doc`; a click calls `on_pick` with the symbol's line.
#[component]
pub fn Outline(doc: OpenDoc, #[prop(into)] on_pick: Callback<u32>) -> impl IntoView {
    let workspace = use_workspace();
    let symbols = RwSignal::new(None::<Result<Vec<Symbol>, String>>);
    let asked = StoredValue::new(0u32);
    let pending = StoredValue::new(None::<TimeoutHandle>);
    // A question still waiting for the text to rest goes with the outline.
    on_cleanup(move || {
        if let Some(Some(handle)) = pending.try_get_value() {
            handle.clear();
        }
    });
    Effect::new(move |_| {
        if !doc.ready.get() {
            return;
        }
        let round = doc.edits.get();
        asked.set_value(round);
        debounce(pending, if round == 0 { Duration::ZERO } else { SETTLE }, move || {
            // The file may have been closed meanwhile (its values disposed): nothing to ask.
            let Some(path) = doc.path.try_get_value() else { return };
            spawn_local(async move {
                let found = workspace.symbols(&path).await;
                // An answer overtaken by later edits is dropped.
                if asked.try_get_value() == Some(round) {
                    symbols.set(Some(found));
                }
            });
        });
    });

    view! {
        <aside class="outline" aria-label="Outline">
            <h3>"Outline"</h3>
            {move || match symbols.get() {
                None => view! { <p class="muted">"Reading symbols…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="muted">{format!("No outline: {e}")}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="muted">"No symbols"</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul>
                        {list.into_iter().map(|s| {
                            let line = s.line;
                            view! {
                                <li style=format!("padding-left: {}em", s.depth as f32 * 0.9)>
                                    <button type="button" class="outline-item" on:click=move |_| on_pick.run(line)>
                                        <span class="outline-kind">{kind_label(s.kind)}</span>
                                        <span class="mono">{s.name}</span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </aside>
    }
}
