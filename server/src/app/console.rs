//! Serves the built console (a single-page app) with an `index.html` fallback: the
//! Brotli or gzip file `scripts/build-console.sh` wrote next to each asset when the browser
//! takes it, and `Cache-Control: no-cache` so a browser keeps its copy and revalidates it
//! (`Last-Modified` → 304) rather than fetching it again.

use std::path::PathBuf;

use axum::http::header::CACHE_CONTROL;
use axum::http::HeaderValue;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Routes for `/`: the console from `dir`, or a page explaining how to build it.
pub fn routes<S: Clone + Send + Sync + 'static>(dir: PathBuf) -> Router<S> {
    if dir.join("index.html").is_file() {
        let index = ServeFile::new(dir.join("index.html")).precompressed_br().precompressed_gzip();
        let files = ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(index);
        Router::new()
            .fallback_service(files)
            .layer(SetResponseHeaderLayer::if_not_present(CACHE_CONTROL, HeaderValue::from_static("no-cache")))
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
