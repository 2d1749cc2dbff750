//! SSH access tokens: `POST`/`DELETE /sandbox/{id}/ssh-access` and
//! `GET /sandbox/ssh-access/validate`. The SSH gateway (`crate::ssh`) logs `ssh <token>@host`
//! into the sandbox while the token is unexpired and not revoked.

use std::sync::Arc;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use daytona_models::{Sandbox, SshAccess, SshAccessValidation};
use serde::Deserialize;

use crate::app::auth::random_token;
use crate::app::error::ApiError;
use crate::app::extract::{AppPath, AppQuery, ToolboxUrl};
use crate::app::state::AppState;
use crate::store::record::{ssh_token_digest, SshAccessGrant};

type S = State<Arc<AppState>>;

/// Longest life of a token: 30 days.
const MAX_MINUTES: i64 = 30 * 24 * 60;

/// The SSH access routes.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/sandbox/{sb}/ssh-access", post(create).delete(revoke))
        .route("/sandbox/ssh-access/validate", get(validate))
}

/// Query of `POST /sandbox/{id}/ssh-access`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateQuery {
    #[serde(default)]
    expires_in_minutes: Option<String>,
}

/// The host part of `url` as `ssh` takes it (an IPv6 address without brackets).
pub fn host_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = super::builds::host_without_port(rest.split('/').next().unwrap_or_default());
    host.trim_start_matches('[').trim_end_matches(']').to_owned()
}

/// The command that logs in with `token` through the gateway reached at `host`.
pub fn ssh_command(host: &str, port: u16, token: &str) -> String {
    match port {
        22 => format!("ssh {token}@{host}"),
        _ => format!("ssh -p {port} {token}@{host}"),
    }
}

async fn create(
    State(st): S,
    url: ToolboxUrl,
    AppPath(sb): AppPath<String>,
    AppQuery(q): AppQuery<CreateQuery>,
) -> Result<Json<SshAccess>, ApiError> {
    let minutes = match q.expires_in_minutes.as_deref() {
        None | Some("") => 60,
        Some(v) => v.parse::<i64>().ok().filter(|m| (1..=MAX_MINUTES).contains(m)).ok_or_else(|| {
            ApiError::BadRequest(format!("expiresInMinutes must be an integer from 1 to {MAX_MINUTES}, got {v:?}"))
        })?,
    };
    let gateway = st.ssh.get().ok_or_else(|| ApiError::BadRequest("the SSH gateway is not running".into()))?;
    let id = st.find(&sb)?.dto.id;
    let token = random_token(32);
    let now = crate::time::now_ms();
    let grant = SshAccessGrant {
        id: uuid::Uuid::new_v4().to_string(),
        token_sha256: ssh_token_digest(&token),
        created_ms: now,
        // In the server's "minutes" (shorter in tests, as the auto-stop intervals).
        expires_ms: now + minutes * st.minute_ms,
    };
    st.update(&id, |r| {
        r.ssh_accesses.retain(|a| a.expires_ms > now);
        r.ssh_accesses.push(grant.clone());
    })?;
    Ok(Json(SshAccess {
        id: grant.id,
        sandbox_id: id,
        expires_at: crate::time::iso(grant.expires_ms),
        created_at: crate::time::iso(now),
        updated_at: crate::time::iso(now),
        ssh_command: ssh_command(&host_of(&url.0), gateway.port, &token),
        token,
    }))
}

/// Query of `DELETE /sandbox/{id}/ssh-access`.
#[derive(Deserialize)]
struct RevokeQuery {
    #[serde(default)]
    token: Option<String>,
}

async fn revoke(
    State(st): S,
    url: ToolboxUrl,
    AppPath(sb): AppPath<String>,
    AppQuery(q): AppQuery<RevokeQuery>,
) -> Result<Json<Sandbox>, ApiError> {
    let rec = st.find(&sb)?;
    let rec = match q.token.filter(|t| !t.is_empty()) {
        None => st.update(&rec.dto.id, |r| r.ssh_accesses.clear())?,
        Some(token) => {
            if rec.ssh_access(&token, i64::MIN).is_none() {
                return Err(ApiError::NotFound(format!("sandbox {} has no SSH access with this token", rec.dto.id)));
            }
            let digest = ssh_token_digest(&token);
            st.update(&rec.dto.id, |r| r.ssh_accesses.retain(|a| a.token_sha256 != digest))?
        }
    };
    Ok(Json(rec.to_wire(&url.0)))
}

/// Query of `GET /sandbox/ssh-access/validate`.
#[derive(Deserialize)]
struct ValidateQuery {
    token: String,
}

async fn validate(State(st): S, AppQuery(q): AppQuery<ValidateQuery>) -> Json<SshAccessValidation> {
    match st.find_ssh_access(&q.token, crate::time::now_ms()) {
        Some(rec) => Json(SshAccessValidation { valid: true, sandbox_id: rec.dto.id }),
        None => Json(SshAccessValidation { valid: false, sandbox_id: String::new() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_is_what_ssh_takes() {
        assert_eq!(host_of("http://127.0.0.1:3000/toolbox"), "127.0.0.1");
        assert_eq!(host_of("https://example.com/toolbox"), "example.com");
        assert_eq!(host_of("http://[::1]:3000/toolbox"), "::1");
        assert_eq!(ssh_command("h", 2222, "t"), "ssh -p 2222 t@h");
        assert_eq!(ssh_command("h", 22, "t"), "ssh t@h");
    }
}
