//! Port previews, shaped as Daytona's: `http://{port}-{sandboxId}.localhost:3000/…` reaches
//! whatever listens on `port` inside the sandbox (HTTP and WebSocket upgrades), through the
//! agent's tunnel. Each preview is its own origin, apart from the console's (which keeps the
//! API key) and from every other preview; browsers resolve `*.localhost` to loopback.
//!
//! A request is let in when the sandbox is public, or it carries the preview token (the
//! `x-daytona-preview-token` header, the `DAYTONA_SANDBOX_AUTH_KEY` query parameter, or the
//! cookie the latter sets) or the API key as bearer. A signed preview URL
//! (`{port}-{token}`, see `signed-preview-url`) needs nothing else: its host is its
//! credential, for that port, until it expires or is expired.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use daytona_models::{SandboxState, PREVIEW_TOKEN_HEADER};

use super::toolbox::{self, TokenQuery};
use crate::app::auth::{authorize, same_secret, Credentials, Target};
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::jail::agent_client;
use crate::store::record::SandboxRecord;

/// Cookie set on a preview's own origin once the token came in the query.
const COOKIE: &str = "daytona-preview-token";

/// The preview URL of `port` of sandbox `id` for a client that reaches this server at
/// `origin` (`scheme://host[:port]`): the sandbox becomes a subdomain of the host, or of
/// `localhost` when the host is an IP address (which cannot have subdomains).
pub fn url(origin: &str, port: &str, id: &str) -> String {
    let (scheme, authority) = origin.split_once("://").unwrap_or(("http", origin));
    let (host, server_port) = match authority.parse::<axum::http::uri::Authority>() {
        Ok(a) => (a.host().to_owned(), a.port_u16()),
        Err(_) => (String::new(), None),
    };
    let host = match host.starts_with('[') || host.is_empty() || host.parse::<std::net::IpAddr>().is_ok() {
        true => "localhost".to_owned(),
        false => host,
    };
    match server_port {
        Some(p) => format!("{scheme}://{port}-{id}.{host}:{p}"),
        None => format!("{scheme}://{port}-{id}.{host}"),
    }
}

/// `(port, sandbox id)` when `host` (a Host header) names a preview.
fn target(host: &str) -> Option<(u16, &str)> {
    let (label, rest) = host.split_once('.')?;
    if rest.is_empty() {
        return None;
    }
    let (port, id) = label.split_once('-')?;
    let port = port.parse::<u16>().ok().filter(|p| *p > 0)?;
    (!id.is_empty()).then_some((port, id))
}

/// Middleware in front of everything: requests for a preview host go to the sandbox, all
/// others on to the API, toolbox and console.
pub async fn by_host(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let Some((port, id)) = target(host) else { return next.run(req).await };
    let page = opens_page(&req);
    // Only a sandbox's own id, or the token of one of its signed preview URLs, makes a
    // preview: a server reached under a name that merely looks like one (`8080-dev.corp`)
    // keeps serving its API and console.
    let (rec, signed) = match st.find(id).ok().filter(|r| r.dto.id == id) {
        Some(rec) => (rec, false),
        None => match st.find_signed_preview(id, port, crate::time::now_ms()) {
            Some(rec) => (rec, true),
            None if is_signed_token(id) => {
                let why = "this signed preview URL has expired, was expired, or is for another port";
                return refused(page, ApiError::Unauthorized(format!("authentication failed: {why}")));
            }
            None => return next.run(req).await,
        },
    };
    match serve(&st, port, rec, signed, req).await {
        Ok(resp) => resp,
        Err(e) => refused(page, e),
    }
}

/// Whether `req` is a browser opening a page (a GET that takes HTML), which a refusal
/// answers with a page saying what to do rather than the API's JSON.
fn opens_page(req: &Request) -> bool {
    let accept = req.headers().get(header::ACCEPT).and_then(|a| a.to_str().ok()).unwrap_or_default();
    req.method() == Method::GET && accept.contains("text/html")
}

/// The response of a refused preview: Daytona's error envelope, or for a page being opened
/// (`page`) a short page explaining why and how to open it, with the same 401.
fn refused(page: bool, e: ApiError) -> Response {
    if !page || !matches!(e, ApiError::Unauthorized(_)) {
        return e.into_response();
    }
    const PAGE: &str = "<!doctype html><meta charset=utf-8><meta name=viewport content=\"width=device-width\">\
        <title>Private preview</title><body style=\"font:16px/1.5 system-ui,sans-serif;max-width:34em;margin:12vh auto;padding:0 16px;color:#111827\">\
        <h1 style=\"font-size:22px\">This preview is private</h1>\
        <p>A sandbox's ports open only with its preview token. Open the port from the sandbox's page in the \
        Daytona console (the Ports card), or ask whoever shared it for a link that carries its token \
        or a signed link.</p><p>A signed link works for its own port until it expires: \
        this one may have expired, been revoked, or be for another port.</p>";
    let mut resp = (StatusCode::UNAUTHORIZED, PAGE).into_response();
    resp.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    resp
}

/// Whether a host label's id part has the shape of a signed preview URL's token.
fn is_signed_token(id: &str) -> bool {
    id.len() == 16 && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
}

/// Serves preview `port` of `rec`; `signed` when the host is a signed preview URL's, which is
/// its own credential (checked by the caller: token, port, expiry).
async fn serve(
    st: &Arc<AppState>,
    port: u16,
    rec: SandboxRecord,
    signed: bool,
    mut req: Request,
) -> Result<Response, ApiError> {
    let id = rec.dto.id.as_str();
    let TokenQuery { token: query_token, kept } = TokenQuery::split(req.uri().query());
    // Never `//host` (which a Location would read as another site).
    let path = format!("/{}", req.uri().path().trim_start_matches(['/', '\\']));
    let path_and_query = TokenQuery::rejoin(&path, kept);
    let headers = req.headers();
    // A wrong token in the address is refused outright (it would be set as the cookie below).
    if query_token.as_ref().is_some_and(|t| !same_secret(t, &rec.token)) {
        return Err(ApiError::Unauthorized("authentication failed: invalid preview token".into()));
    }
    let mut creds = Credentials::of_headers(headers);
    creds.sandbox_tokens.extend(cookies(headers).map(str::to_owned).chain(query_token.clone()));
    let key_ok = creds.has_api_key(&st.api_key);
    // A page being opened: keep the token out of the address bar, history and Referer, and let
    // a cookie of this preview's own origin carry it from now on. Anything else (WebSockets,
    // which cannot follow redirects; POSTs; scripts without a cookie jar) is let in as it is.
    let navigation = matches!(*req.method(), Method::GET | Method::HEAD) && !headers.contains_key(header::UPGRADE);
    if let (Some(token), true) = (&query_token, navigation) {
        let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
        let mut resp = StatusCode::FOUND.into_response();
        resp.headers_mut().insert(header::LOCATION, header_value(&path_and_query)?);
        resp.headers_mut().insert(header::SET_COOKIE, header_value(&cookie)?);
        return Ok(resp);
    }
    if !signed {
        authorize(&st.api_key, &creds, Target::Preview(&rec), crate::time::now_ms() / 1000)?;
    }
    if rec.state() != SandboxState::Started || !st.runtime.is_running(id) {
        return Err(ApiError::BadRequest(format!("Sandbox {id} is not started (state: {})", rec.state().as_str())));
    }
    toolbox::note_activity(st, &rec);

    // What the sandbox's server sees: the request as sent, without our credentials.
    *req.uri_mut() = path_and_query.parse().map_err(|_| ApiError::BadRequest("invalid preview path".into()))?;
    let headers = req.headers_mut();
    headers.remove(PREVIEW_TOKEN_HEADER);
    // Answered here (see the toolbox proxy): the body is forwarded as soon as it comes.
    headers.remove(header::EXPECT);
    if key_ok {
        headers.remove(header::AUTHORIZATION);
    }
    strip_cookie(headers);
    let client_upgrade = hyper::upgrade::on(&mut req);
    let tunnel = agent_client::tunnel(&st.runtime.socket(id), port).await.map_err(ApiError::BadGateway)?;
    let mut resp = agent_client::send_over(tunnel, req, &format!("port {port}")).await.map_err(ApiError::BadGateway)?;
    if resp.status() == StatusCode::SWITCHING_PROTOCOLS {
        toolbox::relay_upgrade(st, id.to_owned(), client_upgrade, &mut resp);
    }
    Ok(resp.map(Body::new))
}

fn header_value(s: &str) -> Result<HeaderValue, ApiError> {
    HeaderValue::from_str(s).map_err(|_| ApiError::BadRequest("invalid characters in the preview request".into()))
}

/// Every value of our cookie in the request (another origin under a shared parent domain
/// could have set one more).
fn cookies(headers: &axum::http::HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

/// Removes our cookie from the request, keeping the sandbox server's own cookies.
fn strip_cookie(headers: &mut axum::http::HeaderMap) {
    let others: Vec<String> = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .map(str::trim)
        .filter(|c| !c.is_empty() && c.split_once('=').map(|(name, _)| name) != Some(COOKIE))
        .map(str::to_owned)
        .collect();
    headers.remove(header::COOKIE);
    if !others.is_empty() {
        if let Ok(v) = HeaderValue::from_str(&others.join("; ")) {
            headers.insert(header::COOKIE, v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn preview_hosts_are_recognised() {
        let id = "0b5c5b1e-2f3a-4c4d-9e8f-123456789abc";
        assert_eq!(target(&format!("3000-{id}.localhost:3000")), Some((3000, id)));
        assert_eq!(target(&format!("8080-{id}.example.com")), Some((8080, id)));
        assert_eq!(target("localhost:3000"), None);
        assert_eq!(target("127.0.0.1:3000"), None);
        assert_eq!(target(&format!("0-{id}.localhost")), None);
        assert_eq!(target(&format!("70000-{id}.localhost")), None);
        assert_eq!(target("3000-.localhost"), None);
        assert_eq!(target(&format!("3000-{id}.")), None);
    }

    #[test]
    fn preview_urls_are_subdomains_of_the_host() {
        assert_eq!(url("http://127.0.0.1:3000", "8000", "abc"), "http://8000-abc.localhost:3000");
        assert_eq!(url("http://localhost:3000", "8000", "abc"), "http://8000-abc.localhost:3000");
        assert_eq!(url("https://box.example.com", "80", "abc"), "https://80-abc.box.example.com");
        assert_eq!(url("http://[::1]:3000", "80", "abc"), "http://80-abc.localhost:3000");
    }

    #[test]
    fn only_our_cookie_is_stripped() {
        let mut h = axum::http::HeaderMap::new();
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; daytona-preview-token=secret; b=2"));
        assert_eq!(cookies(&h).collect::<Vec<_>>(), ["secret"]);
        strip_cookie(&mut h);
        assert_eq!(h.get(header::COOKIE).unwrap(), "a=1; b=2");
    }
}
