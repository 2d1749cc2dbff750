//! The console's files as browsers get them: the Brotli or gzip file written next to an
//! asset when the browser accepts it (with its own type, not the compressed file's), the
//! plain one otherwise, `Cache-Control: no-cache` with `Last-Modified` so a reload revalidates
//! (304) instead of downloading again, a year's immutable caching for a file named by its
//! content hash (a missing one is a 404, not the app), and `index.html` for the app's routes.

mod common;

use common::*;
use reqwest::header::{
    ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, CONTENT_TYPE, IF_MODIFIED_SINCE, LAST_MODIFIED,
};

#[tokio::test]
async fn compressed_cached_and_routed() {
    let site = tempfile::tempdir().unwrap();
    let dir = site.path();
    std::fs::create_dir(dir.join("pkg")).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html><title>console</title>").unwrap();
    std::fs::write(dir.join("index.html.br"), b"BR-INDEX").unwrap();
    std::fs::write(dir.join("pkg/app.wasm"), b"\0asm-plain-module").unwrap();
    std::fs::write(dir.join("pkg/app.wasm.br"), b"BR").unwrap();
    std::fs::write(dir.join("pkg/app.wasm.gz"), b"GZ").unwrap();
    std::fs::write(dir.join("pkg/app.0123abcd4567.wasm"), b"\0asm-hashed").unwrap();
    std::fs::write(dir.join("pkg/app.0123abcd4567.wasm.br"), b"BR-HASHED").unwrap();
    let s = Server::start_with(Options {
        args: vec!["--console-dir".into(), dir.display().to_string()],
        ..Default::default()
    })
    .await;
    // reqwest here has no decompression: the bodies are what went over the wire.
    let client = reqwest::Client::builder().build().unwrap();
    let get = |path: &str, encoding: Option<&str>| {
        let mut req = client.get(format!("{}{path}", s.origin()));
        if let Some(e) = encoding {
            req = req.header(ACCEPT_ENCODING, e);
        }
        req.send()
    };

    let br = get("/pkg/app.wasm", Some("gzip, deflate, br")).await.unwrap();
    assert_eq!(br.headers()[CONTENT_ENCODING], "br");
    assert_eq!(br.headers()[CONTENT_TYPE], "application/wasm", "the asset's type, not the .br file's");
    assert_eq!(br.headers()[CACHE_CONTROL], "no-cache");
    let modified = br.headers()[LAST_MODIFIED].clone();
    assert_eq!(br.bytes().await.unwrap(), "BR");

    let gz = get("/pkg/app.wasm", Some("gzip")).await.unwrap();
    assert_eq!(gz.headers()[CONTENT_ENCODING], "gzip");
    assert_eq!(gz.bytes().await.unwrap(), "GZ");
    let plain = get("/pkg/app.wasm", None).await.unwrap();
    assert!(plain.headers().get(CONTENT_ENCODING).is_none());
    assert_eq!(plain.bytes().await.unwrap(), "\0asm-plain-module");

    // A reload revalidates: nothing is sent again.
    let again = client
        .get(format!("{}/pkg/app.wasm", s.origin()))
        .header(ACCEPT_ENCODING, "br")
        .header(IF_MODIFIED_SINCE, modified)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);

    // A file named by its content is kept for a year; a hashed name that is not there is a 404.
    let hashed = get("/pkg/app.0123abcd4567.wasm", Some("br")).await.unwrap();
    assert_eq!(hashed.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
    assert_eq!(hashed.headers()[CONTENT_ENCODING], "br");
    assert_eq!(hashed.headers()[CONTENT_TYPE], "application/wasm");
    assert_eq!(hashed.bytes().await.unwrap(), "BR-HASHED");
    let gone = get("/pkg/app.ffffeeee0000.wasm", Some("br")).await.unwrap();
    assert_eq!(gone.status(), 404);
    assert_eq!(gone.headers()[CACHE_CONTROL], "no-cache");
    // A sandbox whose name looks like a hashed file is still the app's page.
    let route = get("/sandboxes/api.backend01.js", None).await.unwrap();
    assert_eq!(route.status(), 200);
    assert!(route.headers()[reqwest::header::VARY].to_str().unwrap().contains("accept-encoding"));
    assert!(route.text().await.unwrap().contains("<title>console</title>"));

    // The app's own routes get index.html (compressed too).
    let route = get("/sandboxes/abc/notebook", Some("br")).await.unwrap();
    assert_eq!(route.status(), 200);
    assert_eq!(route.headers()[CONTENT_ENCODING], "br");
    assert_eq!(route.bytes().await.unwrap(), "BR-INDEX");
    let route = get("/sandboxes/abc/notebook", None).await.unwrap();
    assert!(route.text().await.unwrap().contains("<title>console</title>"));
}
