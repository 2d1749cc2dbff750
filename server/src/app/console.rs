//! Serves the built console (a single-page app) with an `index.html` fallback.

use std::path::PathBuf;

use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

/// Routes for `/`: the console from `dir`, or a page explaining how to build it.
pub fn routes<S: Clone + Send + Sync + 'static>(dir: PathBuf) -> Router<S> {
    if dir.join("index.html").is_file() {
        let index = ServeFile::new(dir.join("index.html"));
        Router::new().fallback_service(ServeDir::new(dir).fallback(index))
    } else {
        let msg = format!(
            "<!doctype html><title>daytona-local</title><h1>daytona-local is running</h1>\
             <p>The console is not built (looked in <code>{}</code>). Build it with \
             <code>scripts/build-console.sh</code> or run <code>scripts/run.sh</code>. \
             The API is at <code>/api</code>.</p>",
            html_escape(&dir.display().to_string())
        );
        Router::new().fallback(get(move || async move { Html(msg.clone()).into_response() }))
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
