//! Editing key/value pairs (labels, environment variables) as rows of two inputs.

use std::collections::BTreeMap;

use leptos::prelude::*;

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
    rows: RwSignal<Vec<KvRow>>,
    next_id: StoredValue<usize>,
    check_key: fn(&str) -> Result<(), String>,
}

impl KvRows {
    /// No rows yet; keys must pass `check_key`.
    pub fn new(check_key: fn(&str) -> Result<(), String>) -> Self {
        Self { rows: RwSignal::new(Vec::new()), next_id: StoredValue::new(0), check_key }
    }

    /// Replaces the rows with `pairs`.
    pub fn reset(&self, pairs: &BTreeMap<String, String>) {
        self.rows.set(Vec::new());
        for (k, v) in pairs {
            self.add(k.clone(), v.clone());
        }
    }

    fn add(&self, key: String, value: String) {
        let id = self.next_id.get_value();
        self.next_id.set_value(id + 1);
        self.rows.update(|r| r.push(KvRow { id, key, value }));
    }

    fn remove(&self, id: usize) {
        self.rows.update(|r| r.retain(|row| row.id != id));
    }

    /// Row `id`'s key or value (reactive).
    fn get(&self, id: usize, part: fn(&KvRow) -> &String) -> String {
        self.rows.with(|rows| rows.iter().find(|r| r.id == id).map(|r| part(r).clone()).unwrap_or_default())
    }

    /// Changes row `id`'s key or value.
    fn set(&self, id: usize, part: fn(&mut KvRow) -> &mut String, text: String) {
        self.rows.update(|rows| {
            if let Some(row) = rows.iter_mut().find(|r| r.id == id) {
                *part(row) = text;
            }
        });
    }

    /// What is wrong with row `id` (reactive).
    fn row_error(&self, id: usize) -> Option<String> {
        self.rows.with(|rows| {
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
        let ids: Vec<usize> = self.rows.with(|rows| rows.iter().map(|r| r.id).collect());
        if ids.into_iter().any(|id| self.row_error(id).is_some()) {
            return None;
        }
        Some(self.rows.with(|rows| {
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
    let ids = move || rows.rows.with(|r| r.iter().map(|row| row.id).collect::<Vec<_>>());
    view! {
        <div class="kv">
            <For each=ids key=|id| *id let(id)>
                <div class="kv-row">
                    <input
                        type="text"
                        placeholder="key"
                        aria-label=format!("{noun} key")
                        prop:value=move || rows.get(id, |r| &r.key)
                        on:input=move |ev| rows.set(id, |r| &mut r.key, event_target_value(&ev))
                    />
                    <span class="kv-eq">"="</span>
                    <input
                        type="text"
                        placeholder="value"
                        aria-label=format!("{noun} value")
                        prop:value=move || rows.get(id, |r| &r.value)
                        on:input=move |ev| rows.set(id, |r| &mut r.value, event_target_value(&ev))
                    />
                    <button type="button" class="btn-icon" aria-label=format!("Remove {noun}") on:click=move |_| rows.remove(id)>
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
