//! Port previews: `http://{port}-{id}.localhost:{serverPort}` reaches a server inside the
//! sandbox (HTTP and upgrades), only with the preview token (or for public sandboxes), and
//! never as the console's origin.

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::*;

/// A sandbox with a static site on port 8000 and a byte-echoing upgrade server on 8001.
async fn sandbox_with_servers(s: &Server) -> String {
    let id = id_of(&s.create(json!({})).await);
    let (code, out) =
        s.exec(&id, "mkdir -p site && printf 'hello from the sandbox' > site/index.html && echo ok").await;
    assert_eq!((code, out.as_str()), (0, "ok\n"));
    let echo = r#"python3 -c "
import socket, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(('127.0.0.1', 8001)); srv.listen()
def serve(c):
    head = b''
    while b'\r\n\r\n' not in head:
        byte = c.recv(1)
        if not byte:
            return c.close()
        head += byte
    c.sendall(b'HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n')
    while (d := c.recv(65536)):
        c.sendall(d.upper())
while True:
    threading.Thread(target=serve, args=(srv.accept()[0],), daemon=True).start()
""#;
    // One session each: a session runs its commands one after the other.
    for (session, command) in [("web", "python3 -m http.server 8000 --bind 127.0.0.1 --directory site"), ("echo", echo)]
    {
        let (status, _) = s.post_toolbox(&id, "/process/session", json!({"sessionId": session})).await;
        assert!(status.is_success());
        let (status, body) = s
            .post_toolbox(
                &id,
                &format!("/process/session/{session}/exec"),
                json!({"command": command, "runAsync": true}),
            )
            .await;
        assert!(status.is_success(), "{body}");
    }
    let probe = "python3 -c \"import socket; [socket.create_connection(('127.0.0.1', p), 1) for p in (8000, 8001)]\"";
    let up = eventually(Duration::from_secs(10), || async { s.exec(&id, probe).await.0 == 0 }).await;
    assert!(up, "the servers in the sandbox did not come up");
    id
}

/// The preview URL and token of `port` of sandbox `id`.
async fn preview(s: &Server, id: &str, port: u16) -> (String, String) {
    let (status, body) = s.get(&format!("/sandbox/{id}/ports/{port}/preview-url")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sandboxId"], id);
    let url = body["url"].as_str().expect("url").to_owned();
    assert_eq!(url, format!("http://{port}-{id}.localhost:{}", s.port));
    (url, body["token"].as_str().expect("token").to_owned())
}

/// A client resolving every `*.localhost` preview host to the server, as browsers do; no
/// redirects followed, cookies kept by hand.
fn client(s: &Server, hosts: &[&str]) -> reqwest::Client {
    let mut b = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none());
    for h in hosts {
        b = b.resolve(h, std::net::SocketAddr::from(([127, 0, 0, 1], s.port)));
    }
    b.build().unwrap()
}

fn host_of(url: &str) -> String {
    url.trim_start_matches("http://").split(':').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_preview_serves_the_sandbox_port_with_the_token_only() {
    let s = Server::start().await;
    let id = sandbox_with_servers(&s).await;
    let other = id_of(&s.create(json!({})).await);
    let (url, token) = preview(&s, &id, 8000).await;
    let (_, other_token) = preview(&s, &other, 8000).await;
    let http = client(&s, &[&host_of(&url)]);

    // No credentials, a wrong token, another sandbox's token: 401 with Daytona's envelope.
    let (status, body) = send(http.get(&url)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["statusCode"], 401, "{body}");
    let (status, _) = send(http.get(&url).header("x-daytona-preview-token", &other_token)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = send(http.get(format!("{url}/?DAYTONA_SANDBOX_AUTH_KEY=wrong"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // A browser opening the page without its token: the same 401 with a page saying how to
    // open it, not the API's JSON.
    let resp = http.get(&url).header("accept", "text/html,application/xhtml+xml,*/*;q=0.8").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(resp.headers()["content-type"], "text/html; charset=utf-8");
    let page = resp.text().await.unwrap();
    assert!(page.contains("This preview is private") && page.contains("Ports card"), "{page}");

    // The header token, or the API key: the sandbox's own page.
    let (status, body) = send(http.get(format!("{url}/index.html")).header("x-daytona-preview-token", &token)).await;
    assert_eq!((status, body), (StatusCode::OK, json!("hello from the sandbox")));
    let (status, body) = send(http.get(&url).bearer_auth(&s.key)).await;
    assert_eq!((status, body), (StatusCode::OK, json!("hello from the sandbox")));

    // The query token (browsers): a redirect to the same URL without it, with a cookie of
    // the preview's own origin that then lets the browser in.
    let resp = http.get(format!("{url}/index.html?a=1&DAYTONA_SANDBOX_AUTH_KEY={token}")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::FOUND);
    assert_eq!(resp.headers()["location"], "/index.html?a=1");
    let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    // Never a redirect to another site.
    let resp = http.get(format!("{url}//evil.example/?DAYTONA_SANDBOX_AUTH_KEY={token}")).send().await.unwrap();
    assert_eq!(resp.headers()["location"], "/evil.example/");
    // Not a page being opened (a POST, say): let in as it is, no redirect, body intact.
    let resp = http.post(format!("{url}/form?DAYTONA_SANDBOX_AUTH_KEY={token}")).body("x=1").send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_IMPLEMENTED, "python's http.server answers POST itself");
    let pair = cookie.split(';').next().unwrap().to_owned();
    let (status, body) = send(http.get(format!("{url}/index.html?a=1")).header("cookie", &pair)).await;
    assert_eq!((status, body), (StatusCode::OK, json!("hello from the sandbox")));

    // Previews are their own origins: the API's CORS never applies to them.
    let resp = http
        .get(&url)
        .header("x-daytona-preview-token", &token)
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().get("access-control-allow-origin").is_none(), "{:?}", resp.headers());

    // A host that only looks like a preview (no such sandbox) is this server's API as usual.
    let lookalike = format!("8080-dev.localhost:{}", s.port);
    let other = client(&s, &["8080-dev.localhost"]);
    let (status, body) = send(other.get(format!("http://{lookalike}/api/config")).bearer_auth(&s.key)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // Nothing on the port: 502 saying so. A public sandbox needs no token.
    let (closed, _) = preview(&s, &id, 8999).await;
    let http = client(&s, &[&host_of(&url), &host_of(&closed)]);
    let (status, body) = send(http.get(&closed).header("x-daytona-preview-token", &token)).await;
    assert_eq!(status, StatusCode::BAD_GATEWAY, "{body}");
    assert!(body["message"].as_str().unwrap_or_default().contains("nothing listens on port 8999"), "{body}");
    let (status, _) = s.post(&format!("/sandbox/{id}/public/true"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(http.get(&url)).await;
    assert_eq!((status, body), (StatusCode::OK, json!("hello from the sandbox")));

    // A stopped sandbox: a clear 400, not a hang.
    let (status, _) = s.post(&format!("/sandbox/{id}/stop"), json!({})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(http.get(&url)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

/// Upgrades carry the token in the query, as browser WebSockets must: let in, not redirected.
#[tokio::test]
async fn a_preview_passes_upgrades_through() {
    let s = Server::start().await;
    let id = sandbox_with_servers(&s).await;
    let (url, token) = preview(&s, &id, 8001).await;
    let host = url.trim_start_matches("http://").to_owned();
    let port = s.port;
    let echoed = tokio::task::spawn_blocking(move || {
        let mut c = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            c,
            "GET /live?DAYTONA_SANDBOX_AUTH_KEY={token} HTTP/1.1\r\nHost: {host}\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n"
        )
        .unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            c.read_exact(&mut byte).unwrap();
            head.push(byte[0]);
        }
        let head = String::from_utf8(head).unwrap();
        assert!(head.starts_with("HTTP/1.1 101"), "{head}");
        let mut echoed = Vec::new();
        for word in ["first ", "second"] {
            c.write_all(word.as_bytes()).unwrap();
            let mut buf = vec![0u8; word.len()];
            c.read_exact(&mut buf).unwrap();
            echoed.extend(buf);
        }
        String::from_utf8(echoed).unwrap()
    })
    .await
    .unwrap();
    assert_eq!(echoed, "FIRST SECOND");
}

/// A signed preview URL (`{port}-{token}`) opens its port with no other credential, only that
/// port, and stops working when it expires or is expired; it survives a server restart.
#[tokio::test]
async fn a_signed_preview_url_needs_nothing_else_and_stops_working_when_it_expires() {
    let mut s = Server::start().await;
    let id = sandbox_with_servers(&s).await;
    let (status, body) = signed(&s, &id, 8000, Some(300)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    assert!(token.len() == 16 && token.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()), "{token}");
    assert_eq!((body["sandboxId"].as_str(), body["port"].as_u64()), (Some(id.as_str()), Some(8000)));
    let url = body["url"].as_str().unwrap().to_owned();
    assert_eq!(url, format!("http://8000-{token}.localhost:{}", s.port));
    let http = client(&s, &[&host_of(&url), &format!("8001-{token}.localhost")]);
    let (status, body) = send(http.get(format!("{url}/index.html"))).await;
    assert_eq!((status, body), (StatusCode::OK, json!("hello from the sandbox")), "no credential needed");
    // Only its own port.
    let other_port = format!("http://8001-{token}.localhost:{}/", s.port);
    let (status, body) = send(http.get(&other_port)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");

    // It outlives a restart of the server.
    s.restart().await;
    let url = url.replace(&url.rsplit(':').next().unwrap().to_string(), &s.port.to_string());
    let http = client(&s, &[&host_of(&url)]);
    let (status, _) = send(http.get(format!("{url}/index.html"))).await;
    assert_eq!(status, StatusCode::OK, "lost in the restart");

    // Expired on demand: refused from then on; expiring it again is a 404.
    let expire = format!("/sandbox/{id}/ports/8000/signed-preview-url/{token}/expire");
    let (status, _) = s.post_empty(&expire).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = send(http.get(format!("{url}/index.html"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert!(body["message"].as_str().unwrap().contains("expired"), "{body}");
    let (status, _) = s.post_empty(&expire).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Expired on time.
    let (_, body) = signed(&s, &id, 8000, Some(1)).await;
    let short = body["url"].as_str().unwrap().to_owned();
    let http = client(&s, &[&host_of(&short)]);
    let (status, _) = send(http.get(format!("{short}/index.html"))).await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let (status, _) = send(http.get(format!("{short}/index.html"))).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "used after its expiry");

    // Lifetimes outside 1 s to a day, and ports outside 1-65535, are refused.
    for (port, secs) in [(8000, Some(0)), (8000, Some(86_401)), (0, None), (70_000, None)] {
        let (status, body) = signed(&s, &id, port, secs).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{port} {secs:?}: {body}");
    }
}

/// `GET …/ports/{port}/signed-preview-url[?expiresInSeconds=secs]`.
async fn signed(s: &Server, id: &str, port: u32, secs: Option<i64>) -> (StatusCode, serde_json::Value) {
    let q = secs.map(|n| format!("?expiresInSeconds={n}")).unwrap_or_default();
    s.get(&format!("/sandbox/{id}/ports/{port}/signed-preview-url{q}")).await
}
