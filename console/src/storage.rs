//! Small settings kept in the browser's `localStorage`.

use leptos::prelude::window;

fn storage() -> Option<web_sys::Storage> {
    window().local_storage().ok().flatten()
}

/// The value stored under `key`, if any and non-empty.
pub fn get(key: &str) -> Option<String> {
    storage().and_then(|s| s.get_item(key).ok().flatten()).filter(|v| !v.is_empty())
}

/// Stores `value` under `key`. Storage may be full or disabled; the setting then lasts for
/// this page only.
pub fn set(key: &str, value: &str) {
    if let Some(s) = storage() {
        let _ = s.set_item(key, value);
    }
}

/// Forgets `key`.
pub fn remove(key: &str) {
    if let Some(s) = storage() {
        let _ = s.remove_item(key);
    }
}
