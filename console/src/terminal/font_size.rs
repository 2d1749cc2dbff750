//! The terminal font size, remembered in this browser.

use leptos::prelude::*;

use crate::storage;

const KEY: &str = "daytona.console.terminalFontSize";
/// Sizes offered, in px.
const SIZES: [u16; 8] = [10, 11, 12, 13, 14, 16, 18, 20];
const DEFAULT: u16 = 13;

/// The stored font size (a signal; changes are saved).
pub fn use_font_size() -> RwSignal<u16> {
    let stored = storage::get(KEY).and_then(|v| v.parse().ok()).filter(|px| SIZES.contains(px)).unwrap_or(DEFAULT);
    let size = RwSignal::new(stored);
    Effect::watch(move || size.get(), |px, _, _| storage::set(KEY, &px.to_string()), false);
    size
}

/// A select choosing `size`.
#[component]
pub fn FontSizeSetting(size: RwSignal<u16>) -> impl IntoView {
    view! {
        <label class="inline-setting">
            <span>"Font"</span>
            <select
                aria-label="Terminal font size"
                on:change=move |ev| {
                    if let Ok(px) = event_target_value(&ev).parse() {
                        size.set(px);
                    }
                }
            >
                {SIZES
                    .into_iter()
                    .map(|px| view! { <option value=px.to_string() selected=move || size.get() == px>{format!("{px} px")}</option> })
                    .collect_view()}
            </select>
        </label>
    }
}
