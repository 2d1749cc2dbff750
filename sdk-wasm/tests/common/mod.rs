//! Shared setup of the browser tests: a client of the live daytona-local that
//! `scripts/test.sh` started (its URL and key are baked in at compile time).
#![allow(dead_code)] // each test binary uses its own subset of these helpers

use daytona_wasm::{Daytona, DaytonaConfig};

/// API URL of the test server.
pub const API_URL: &str = match option_env!("DAYTONA_TEST_API_URL") {
    Some(u) => u,
    None => "http://127.0.0.1:3900/api",
};
/// API key of the test server.
pub const API_KEY: &str = match option_env!("DAYTONA_TEST_API_KEY") {
    Some(k) => k,
    None => "test-key",
};

/// `127.0.0.1:PORT` of the test registry scripts/test.sh starts (test/busybox:1.0).
pub const REGISTRY: &str = match option_env!("DAYTONA_TEST_REGISTRY") {
    Some(r) => r,
    None => "127.0.0.1:5000",
};

/// A client of the test server.
pub fn daytona() -> Daytona {
    Daytona::new(DaytonaConfig::with_api_key(API_URL, API_KEY)).expect("valid config")
}

/// A name unique to this run.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", (js_sys::Math::random() * 1e9) as u64)
}
