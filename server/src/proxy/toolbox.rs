//! The toolbox proxy: `/toolbox/{sandboxId}/{path}` → the sandbox's agent socket,
//! streaming bodies both ways and passing WebSocket upgrades through.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use daytona_models::{SandboxState, PREVIEW_TOKEN_HEADER, SANDBOX_TOKEN_QUERY};
use hyper::body::Incoming;
use hyper::upgrade::OnUpgrade;
use hyper_util::rt::TokioIo;

use crate::app::auth::{authorize, Credentials, Signature, Target};
use crate::app::error::ApiError;
use crate::app::state::AppState;
use crate::store::record::SandboxRecord;

/// Only persist activity this often per sandbox (ms).
const ACTIVITY_WRITE_INTERVAL_MS: i64 = 5_000;

/// Handles every method on `/toolbox/{id}` and `/toolbox/{id}/{*path}`.
pub async fn toolbox(State(st): State<Arc<AppState>>, req: Request) -> Response {
    match forward(&st, req).await {
        Ok(resp) => resp,
        Err(e) => e.into_response(),
    }
}

async fn forward(st: &Arc<AppState>, mut req: Request) -> Result<Response, ApiError> {
    let rest = req.uri().path().strip_prefix("/toolbox/").unwrap_or_default();
    let (id, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let id = id.to_owned();
    let path = path.to_owned();

    let TokenQuery { token: query_token, kept } = TokenQuery::split(req.uri().query());
    let query = |name: &str| TokenQuery::get(&kept, name);

    let mut creds = Credentials::of_headers(req.headers());
    creds.sandbox_tokens.extend(query_token);
    if let (Some(signature), Some(expires), Some(path)) = (query("signature"), query("expires"), query("path")) {
        creds.signature = Some(Signature { signature, expires, path });
    }
    let rec = match st.find(&id) {
        Ok(r) if r.dto.id == id => r,
        // Only who holds the API key learns whether a sandbox exists.
        _ if creds.has_api_key(&st.api_key) => return Err(ApiError::sandbox_not_found(&id)),
        _ => return Err(ApiError::Unauthorized("authentication failed".into())),
    };
    let method = req.method().as_str();
    let target = Target::Toolbox { sandbox: &rec, method, path: &path };
    authorize(&st.api_key, &creds, target, crate::time::now_ms() / 1000)?;
    if rec.state() != SandboxState::Started || !st.runtime.is_running(&id) {
        return Err(ApiError::BadRequest(format!("Sandbox {id} is not started (state: {})", rec.state().as_str())));
    }
    // Answered here (the sandbox cannot see its own cgroup), and not activity: a dashboard
    // that watches a sandbox does not keep it from stopping.
    if path == "/system/metrics" && req.method() == axum::http::Method::GET {
        return Ok(axum::Json(super::metrics::system_metrics(st, &rec).await).into_response());
    }
    note_activity(st, &rec);

    let target = TokenQuery::rejoin(&path, kept);
    let client_upgrade = hyper::upgrade::on(&mut req);
    let (mut parts, body) = req.into_parts();
    parts.uri = target.parse().map_err(|_| ApiError::BadRequest("invalid toolbox path".into()))?;
    // `Expect` is answered here, by this server (a 100 as soon as the body is forwarded):
    // passed on, it would let the agent answer without reading a body that is on its way.
    for h in [header::AUTHORIZATION, header::HOST, header::EXPECT] {
        parts.headers.remove(h);
    }
    parts.headers.remove(PREVIEW_TOKEN_HEADER);
    parts.headers.insert(header::HOST, HeaderValue::from_static("toolbox"));
    let upstream = Request::from_parts(parts, body);

    let mut resp = st.runtime.agents.send(&id, upstream).await.map_err(ApiError::BadGateway)?;
    if resp.status() == StatusCode::SWITCHING_PROTOCOLS {
        relay_upgrade(st, id, client_upgrade, &mut resp);
    }
    Ok(resp.map(Body::new))
}

/// A request's query split into the browser's sandbox token (`DAYTONA_SANDBOX_AUTH_KEY`) and
/// the parameters meant for the sandbox, which are kept byte for byte (apps may read or sign
/// the raw query).
pub struct TokenQuery {
    /// The token, if the query had one.
    pub token: Option<String>,
    /// Every other parameter, raw (`k=v` as sent), in order.
    pub kept: Vec<String>,
}

impl TokenQuery {
    /// Splits `query`.
    pub fn split(query: Option<&str>) -> Self {
        let mut token = None;
        let mut kept = Vec::new();
        for piece in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            match form_urlencoded::parse(piece.as_bytes()).next() {
                Some((k, v)) if k == SANDBOX_TOKEN_QUERY => token = Some(v.into_owned()),
                _ => kept.push(piece.to_owned()),
            }
        }
        Self { token, kept }
    }

    /// The decoded value of parameter `name` among `kept`.
    pub fn get(kept: &[String], name: &str) -> Option<String> {
        kept.iter()
            .filter_map(|piece| form_urlencoded::parse(piece.as_bytes()).next())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }

    /// `path` with the `kept` parameters as its query.
    pub fn rejoin(path: &str, kept: Vec<String>) -> String {
        match kept.is_empty() {
            true => path.to_owned(),
            false => format!("{path}?{}", kept.join("&")),
        }
    }
}

/// Records a request to sandbox `rec` as activity (written at most every few seconds, and
/// always several times per auto-stop "minute").
pub fn note_activity(st: &AppState, rec: &SandboxRecord) {
    if crate::time::now_ms() - rec.last_activity_ms > ACTIVITY_WRITE_INTERVAL_MS.min(st.minute_ms / 4) {
        st.update_logged(&rec.dto.id, |r| r.touch());
    }
}

/// Relays bytes between the client's upgraded connection and that of `resp` (a 101 from the
/// sandbox), counting the open connection as activity of sandbox `id`: an open terminal, log
/// stream or preview WebSocket keeps auto-stop away.
pub fn relay_upgrade(st: &Arc<AppState>, id: String, client_upgrade: OnUpgrade, resp: &mut hyper::Response<Incoming>) {
    let agent_upgrade = hyper::upgrade::on(resp);
    let st = Arc::clone(st);
    tokio::spawn(async move {
        match tokio::try_join!(client_upgrade, agent_upgrade) {
            Ok((client, agent)) => {
                let (mut client, mut agent) = (TokioIo::new(client), TokioIo::new(agent));
                let _ = while_active(&st, &id, tokio::io::copy_bidirectional(&mut client, &mut agent)).await;
            }
            Err(e) => tracing::debug!("upgrade failed: {e}"),
        }
    });
}

/// Runs `work` (a terminal, a stream, an SSH channel…) counting it as activity of sandbox
/// `id` from its start to its end: it keeps auto-stop away for as long as it runs.
pub async fn while_active<F: std::future::Future>(st: &AppState, id: &str, work: F) -> F::Output {
    st.update_logged(id, |r| r.touch());
    tokio::pin!(work);
    let period = Duration::from_millis((st.minute_ms / 2).max(1) as u64);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = tokio::time::sleep(period) => st.update_logged(id, |r| r.touch()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TokenQuery;

    #[test]
    fn the_token_leaves_and_the_rest_stays_byte_for_byte() {
        let q = TokenQuery::split(Some("flag&DAYTONA_SANDBOX_AUTH_KEY=t%2B1&p=%2Fa+b&x=%FF"));
        assert_eq!(q.token.as_deref(), Some("t+1"));
        assert_eq!(TokenQuery::get(&q.kept, "p").as_deref(), Some("/a b"));
        assert_eq!(TokenQuery::rejoin("/f", q.kept), "/f?flag&p=%2Fa+b&x=%FF");
        assert_eq!(TokenQuery::rejoin("/f", TokenQuery::split(None).kept), "/f");
    }
}
