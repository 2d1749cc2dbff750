//! Editing key/value pairs (labels, environment variables) as rows of two inputs.

use std::collections::BTreeMap;

use leptos::prelude::*;

use crate::components::rows::{Row, Rows};

/// One editable row.
#[derive(Clone, Debug, PartialEq)]
struct KvRow {
    id: usize,
    key: String,
    value: String,
}

/// The rows being edited and the rule keys must follow. Rows left entirely blank are
/// ignored; duplicate keys are errors.
#[derive(Clone, Copy)]
pub struct KvRows {
    rows: Rows<KvRow>,
    check_key: fn(&str) -> Result<(), String>,
}

impl Row for KvRow {
    fn id(&self) -> usize {
        self.id
    }
}

impl KvRows {
    /// No rows yet; keys must pass `check_key`.
    pub fn new(check_key: fn(&str) -> Result<(), String>) -> Self {
        Self { rows: Rows::new(), check_key }
    }

    /// Replaces the rows with `pairs`.
    pub fn reset(&self, pairs: &BTreeMap<String, String>) {
        self.rows.rows.set(Vec::new());
        for (k, v) in pairs {
            self.add(k.clone(), v.clone());
        }
    }

    fn add(&self, key: String, value: String) {
        self.rows.push(|id| KvRow { id, key, value });
    }

    /// What is wrong with row `id` (reactive).
    fn row_error(&self, id: usize) -> Option<String> {
        self.rows.rows.with(|rows| {
            let index = rows.iter().position(|r| r.id == id)?;
            let row = &rows[index];
            if row.key.is_empty() && row.value.is_empty() {
                return None;
            }
            if let Err(e) = (self.check_key)(&row.key) {
                return Some(e);
            }
            rows[..index].iter().any(|r| r.key == row.key).then(|| format!("Duplicate key {:?}.", row.key))
        })
    }

    /// The pairs, or `None` while any row is invalid (reactive).
    pub fn pairs(&self) -> Option<BTreeMap<String, String>> {
        let ids = self.rows.ids();
        if ids.into_iter().any(|id| self.row_error(id).is_some()) {
            return None;
        }
        Some(self.rows.rows.with(|rows| {
            rows.iter()
                .filter(|r| !(r.key.is_empty() && r.value.is_empty()))
                .map(|r| (r.key.clone(), r.value.clone()))
                .collect()
        }))
    }
}

/// The rows of `rows` with remove buttons and an "Add …" button. Inputs are labelled
/// "`noun` key" / "`noun` value"; errors show once `show_errors` is true.
#[component]
pub fn KvEditor(rows: KvRows, noun: &'static str, #[prop(into)] show_errors: Signal<bool>) -> impl IntoView {
    let ids = move || rows.rows.ids();
    view! {
        <div class="kv">
            <For each=ids key=|id| *id let(id)>
                <div class="kv-row">
                    <input
                        type="text"
                        placeholder="key"
                        aria-label=format!("{noun} key")
                        prop:value=move || rows.rows.get(id, |r| &r.key)
                        on:input=move |ev| rows.rows.set(id, |r| &mut r.key, event_target_value(&ev))
                    />
                    <span class="kv-eq">"="</span>
                    <input
                        type="text"
                        placeholder="value"
                        aria-label=format!("{noun} value")
                        prop:value=move || rows.rows.get(id, |r| &r.value)
                        on:input=move |ev| rows.rows.set(id, |r| &mut r.value, event_target_value(&ev))
                    />
                    <button type="button" class="btn-icon" aria-label=format!("Remove {noun}") on:click=move |_| rows.rows.remove(id)>
                        "×"
                    </button>
                    {move || {
                        show_errors
                            .get()
                            .then(|| rows.row_error(id))
                            .flatten()
                            .map(|e| view! { <p class="field-error kv-error" role="alert">{e}</p> })
                    }}
                </div>
            </For>
            <button type="button" class="btn btn-small" on:click=move |_| rows.add(String::new(), String::new())>
                {format!("+ Add {}", noun.to_lowercase())}
            </button>
        </div>
    }
}
