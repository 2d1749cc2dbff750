//! The dashboard's data: one page of sandboxes, loaded (and reloaded) for a filter.

use daytona_wasm::models::Sandbox as SandboxDto;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::connection::Connection;
use crate::errors::describe;
use crate::filters::ListFilters;

/// One page of sandboxes plus its loading state. Reloads keep the old rows on screen
/// until the new page arrives, and answers to superseded requests are dropped.
#[derive(Clone, Copy, Default)]
pub struct SandboxList {
    /// The sandboxes on the page.
    pub items: RwSignal<Vec<SandboxDto>>,
    /// Cursor of the next page, if any.
    pub next_cursor: RwSignal<Option<String>>,
    /// Why the last load failed.
    pub error: RwSignal<Option<String>>,
    /// Whether a load is in flight.
    pub loading: RwSignal<bool>,
    /// Whether a page has been loaded at least once.
    pub loaded: RwSignal<bool>,
    generation: StoredValue<u64>,
}

impl SandboxList {
    /// Loads the page `filters` describe through `conn`.
    pub fn load(&self, conn: &Connection, filters: &ListFilters) {
        let this = *self;
        this.generation.update_value(|g| *g += 1);
        let generation = this.generation.get_value();
        let query = match filters.to_query() {
            Ok(q) => q,
            Err(msg) => {
                this.error.set(Some(format!("Label filter: {msg}")));
                return;
            }
        };
        let daytona = match conn.client() {
            Ok(d) => d,
            Err(e) => {
                this.error.set(Some(describe(&e)));
                return;
            }
        };
        this.loading.set(true);
        spawn_local(async move {
            let result = daytona.list_page(&query).await;
            // The page may be gone or a newer load started; then drop this answer.
            if this.generation.try_get_value() != Some(generation) {
                return;
            }
            match result {
                Ok(page) => {
                    this.items.set(page.items.iter().map(|s| s.data()).collect());
                    this.next_cursor.set(page.next_cursor);
                    this.error.set(None);
                    this.loaded.set(true);
                }
                Err(e) => this.error.set(Some(describe(&e))),
            }
            this.loading.set(false);
        });
    }
}
