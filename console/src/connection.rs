//! Which Daytona control plane the console talks to, and with which API key.
//!
//! The settings live in `localStorage`. On load, a URL fragment
//! `#apiKey=KEY[&apiUrl=URL]` (what `daytona-local` prints) overrides them and is then
//! removed from the address bar so the key does not linger in history.

use daytona_wasm::models::ListSandboxesQuery;
use daytona_wasm::{Daytona, DaytonaConfig, DaytonaError, ErrorKind};
use leptos::prelude::*;

use crate::storage;

const KEY_API_URL: &str = "daytona.console.apiUrl";
const KEY_API_KEY: &str = "daytona.console.apiKey";
/// Keys shorter than this are masked completely.
const MIN_KEY_LEN_FOR_TAIL: usize = 12;

/// API URL and key of the control plane in use.
#[derive(Clone, Debug, PartialEq)]
pub struct Connection {
    /// Control-plane URL, e.g. `http://127.0.0.1:3000/api`.
    pub api_url: String,
    /// API key; never rendered in full (see [`Connection::masked_key`]).
    api_key: Option<String>,
}

impl Connection {
    /// The API URL used when none is configured: this page's origin + `/api`.
    pub fn default_api_url() -> String {
        let origin = window().location().origin().unwrap_or_default();
        format!("{origin}/api")
    }

    /// Settings from the URL fragment (saved on the way) or else from `localStorage`.
    fn load() -> Self {
        if let Some(from_fragment) = Self::take_fragment() {
            from_fragment.save();
            return from_fragment;
        }
        Self {
            api_url: storage::get(KEY_API_URL).unwrap_or_else(Self::default_api_url),
            api_key: storage::get(KEY_API_KEY),
        }
    }

    /// Reads `#apiKey=…&apiUrl=…` and strips the fragment from the address bar.
    fn take_fragment() -> Option<Self> {
        let location = window().location();
        let hash = location.hash().ok()?;
        let mut api_key = None;
        let mut api_url = None;
        for (k, v) in hash.trim_start_matches('#').split('&').filter_map(|pair| pair.split_once('=')) {
            let v = js_sys::decode_uri_component(v).ok().and_then(|v| v.as_string());
            match k {
                "apiKey" => api_key = v,
                "apiUrl" => api_url = v,
                _ => {}
            }
        }
        let api_key = api_key.filter(|k| !k.is_empty())?;
        let clean = format!("{}{}", location.pathname().ok()?, location.search().ok()?);
        if let Ok(history) = window().history() {
            // Without the fragment; failure only leaves the fragment visible.
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
        }
        Some(Self {
            api_url: api_url.filter(|u| !u.is_empty()).unwrap_or_else(Self::default_api_url),
            api_key: Some(api_key),
        })
    }

    /// A connection to `api_url` with `api_key` (an empty key means none).
    pub fn new(api_url: String, api_key: Option<String>) -> Self {
        Self { api_url, api_key: api_key.filter(|k| !k.is_empty()) }
    }

    /// This connection with the key replaced only if `new_key` is non-empty.
    pub fn with_url_and_key(&self, api_url: String, new_key: &str) -> Self {
        let key = if new_key.is_empty() { self.api_key.clone() } else { Some(new_key.to_owned()) };
        Self::new(api_url, key)
    }

    /// Persists the settings in `localStorage` (a missing key is removed).
    pub fn save(&self) {
        storage::set(KEY_API_URL, &self.api_url);
        match &self.api_key {
            Some(k) => storage::set(KEY_API_KEY, k),
            None => storage::remove(KEY_API_KEY),
        }
    }

    /// Whether an API key is configured.
    pub fn has_key(&self) -> bool {
        self.api_key.is_some()
    }

    /// The key as `key ••••abcd`: its last four characters, and only for keys long enough
    /// that those give little away; else `key ••••`. Without a key: `no API key`.
    pub fn masked_key(&self) -> String {
        match &self.api_key {
            Some(k) => {
                let chars: Vec<char> = k.chars().collect();
                let tail: String = if chars.len() >= MIN_KEY_LEN_FOR_TAIL {
                    chars[chars.len() - 4..].iter().collect()
                } else {
                    String::new()
                };
                format!("key ••••{tail}")
            }
            None => "no API key".into(),
        }
    }

    /// An SDK client for this connection; fails without a key.
    pub fn client(&self) -> Result<Daytona, DaytonaError> {
        Daytona::new(DaytonaConfig::with_api_key(&self.api_url, self.api_key.as_deref().unwrap_or_default()))
    }
}

/// Loads the connection and makes it available to every component. A `#apiKey=…`
/// fragment added later (pasted into an open tab) is taken up too.
pub fn provide_connection() {
    let conn = RwSignal::new(Connection::load());
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        if let Some(from_fragment) = Connection::take_fragment() {
            from_fragment.save();
            conn.set(from_fragment);
        }
    });
    on_cleanup(move || handle.remove());
    provide_context(conn);
}

/// The shared connection (a signal: Settings may change it).
pub fn use_connection() -> RwSignal<Connection> {
    expect_context()
}

/// Whether the control plane answers `daytona` with its key: a listing of one sandbox (what
/// the header's dot, Test connection and Save each check).
pub async fn probe(daytona: &Daytona) -> Result<(), DaytonaError> {
    daytona.list_page(&ListSandboxesQuery { limit: Some(1), ..Default::default() }).await.map(drop)
}

/// Whether `err` says the key itself was refused (rather than the server being unreachable).
pub fn key_refused(err: &DaytonaError) -> bool {
    matches!(err.kind(), ErrorKind::Authentication | ErrorKind::Forbidden)
}
