//! Serves the built console (a single-page app) with an `index.html` fallback: the
//! Brotli or gzip file `scripts/build-console.sh` wrote next to each asset when the browser
//! takes it. A file whose name carries its content hash (`name.HASH.ext`, as the build names
//! the wasm, its glue, the stylesheet and CodeMirror's chunks) is cached for a year as
//! immutable; everything else gets `Cache-Control: no-cache`, so a browser keeps its copy and
//! revalidates it (`Last-Modified` → 304) rather than fetching it again.

use std::path::PathBuf;

use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};

/// Routes for `/`: the console from `dir`, or a page explaining how to build it.
pub fn routes<S: Clone + Send + Sync + 'static>(dir: PathBuf) -> Router<S> {
    if dir.join("index.html").is_file() {
        let index = ServeFile::new(dir.join("index.html")).precompressed_br().precompressed_gzip();
        let files = ServeDir::new(dir).precompressed_br().precompressed_gzip().fallback(index);
        Router::new().fallback_service(files).layer(axum::middleware::from_fn(cache_policy))
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

/// Whether `path` is one of the build's files named by content: `name.HASH.js|css|wasm` at the
/// top or under `/pkg/` or `/cm/`, the hash 8 to 16 letters and digits (the build's are 12 hex
/// digits, esbuild's 8 base32 letters). The app's own routes (`/sandboxes/a.b12345678.js`…)
/// never are.
fn is_fingerprinted(path: &str) -> bool {
    let (dir, file) = path.rsplit_once('/').unwrap_or(("", path));
    if !matches!(dir, "" | "/pkg" | "/cm") {
        return false;
    }
    let parts: Vec<&str> = file.split('.').collect();
    let hash = parts.len().checked_sub(2).map(|i| parts[i]).unwrap_or_default();
    parts.len() >= 3
        && !parts[0].is_empty()
        && matches!(parts[parts.len() - 1], "js" | "css" | "wasm")
        && (8..=16).contains(&hash.len())
        && hash.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// `Cache-Control` of a console file: a year, immutable, for a fingerprinted file;
/// `no-cache` for the rest (index.html and entry modules are revalidated). A fingerprinted
/// name that is not there is a 404, not the app's index.html that the file service falls back
/// to (a browser would keep it for a year under that name): a js, css or wasm file is never
/// HTML.
async fn cache_policy(req: Request, next: Next) -> Response {
    let immutable = is_fingerprinted(req.uri().path());
    let mut res = next.run(req).await;
    let fell_back = res.headers().get(CONTENT_TYPE).is_some_and(|t| t.as_bytes().starts_with(b"text/html"));
    if immutable && fell_back {
        return (axum::http::StatusCode::NOT_FOUND, [(CACHE_CONTROL, "no-cache")], "not found").into_response();
    }
    let value = if immutable && res.status().is_success() { "public, max-age=31536000, immutable" } else { "no-cache" };
    if !res.headers().contains_key(CACHE_CONTROL) {
        res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(value));
    }
    // The body depends on Accept-Encoding (Brotli, gzip or plain): caches must key on it.
    res.headers_mut().append(axum::http::header::VARY, HeaderValue::from_static("accept-encoding"));
    res
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::is_fingerprinted;

    #[test]
    fn tells_hashed_names_apart() {
        for hashed in [
            "/pkg/daytona-console.3f9a1c2b7d04.js",
            "/pkg/daytona-console_bg.0a1b2c3d4e5f.wasm",
            "/cm/chunk.ASUE4T5I.js",
            "/style.1234abcd9876.css",
        ] {
            assert!(is_fingerprinted(hashed), "{hashed}");
        }
        for plain in [
            "/",
            "/index.html",
            "/xterm.js",
            "/cm/codemirror.js",
            "/pkg/daytona-console.js",
            "/sandboxes/abc",
            "/a.min.js",
            "/.abcdefgh.js",
            "/x.abc-defgh.js",
        ] {
            assert!(!is_fingerprinted(plain), "{plain}");
        }
    }
}
