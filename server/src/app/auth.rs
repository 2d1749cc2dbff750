//! Who may reach what: the API key (loaded or generated), the credentials a request carries,
//! and [`authorize`], the one rule every route kind applies (the API, the event socket, the
//! toolbox proxy, previews).

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::HeaderMap;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use daytona_models::PREVIEW_TOKEN_HEADER;

use super::error::ApiError;
use super::signing;
use super::state::AppState;
use crate::store::record::SandboxRecord;

/// The key from `--api-key`/`DAYTONA_LOCAL_API_KEY`, else the one stored in the data dir,
/// else a new one (stored, and printed by the caller). Returns the key and whether it is new.
pub fn load_or_create_key(explicit: Option<String>, data_dir: &Path) -> std::io::Result<(String, bool)> {
    if let Some(k) = explicit.filter(|k| !k.is_empty()) {
        return Ok((k, false));
    }
    let file = data_dir.join("api-key");
    if let Ok(k) = std::fs::read_to_string(&file) {
        let k = k.trim().to_owned();
        if !k.is_empty() {
            return Ok((k, false));
        }
    }
    let key = format!("dtn_{}", random_token(40));
    // Created private (0600) from the start: never readable by others, not even briefly.
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&file)?.write_all(key.as_bytes())?;
    Ok((key, true))
}

/// `len` random letters and digits (from the thread's CSPRNG): API keys, sandbox tokens,
/// signing keys.
pub fn random_token(len: usize) -> String {
    use rand::distributions::Alphanumeric;
    use rand::Rng;
    rand::thread_rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

/// Constant-time string equality (`subtle`: no early exit on the first differing byte).
pub fn same_secret(a: &str, b: &str) -> bool {
    use subtle::ConstantTimeEq;
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// The bearer token of `Authorization`, if any.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?.strip_prefix("Bearer ").map(str::trim)
}

/// The credentials a request presents, gathered where it comes in.
#[derive(Debug, Default)]
pub struct Credentials {
    /// `Authorization: Bearer …`, or the event socket's CONNECT token.
    pub api_key: Option<String>,
    /// Sandbox tokens: the preview-token header, `?DAYTONA_SANDBOX_AUTH_KEY=`, a preview cookie.
    pub sandbox_tokens: Vec<String>,
    /// A pre-signed file URL's query values.
    pub signature: Option<Signature>,
}

/// The `signature`, `expires` and `path` of a pre-signed file URL.
#[derive(Debug)]
pub struct Signature {
    /// `signature=`.
    pub signature: String,
    /// `expires=` (Unix seconds, `0` = never).
    pub expires: String,
    /// `path=`: the file the URL is for.
    pub path: String,
}

impl Credentials {
    /// The bearer key and the preview-token header of `headers`.
    pub fn of_headers(headers: &HeaderMap) -> Self {
        let header_token = headers.get(PREVIEW_TOKEN_HEADER).and_then(|v| v.to_str().ok());
        Self {
            api_key: bearer(headers).map(str::to_owned),
            sandbox_tokens: header_token.map(str::to_owned).into_iter().collect(),
            signature: None,
        }
    }

    /// Whether the API key is among them.
    pub fn has_api_key(&self, api_key: &str) -> bool {
        self.api_key.as_deref().is_some_and(|k| same_secret(k, api_key))
    }

    fn has_token_of(&self, sandbox: &SandboxRecord) -> bool {
        self.sandbox_tokens.iter().any(|t| same_secret(t, &sandbox.token))
    }
}

/// What a request reaches.
#[derive(Clone, Copy, Debug)]
pub enum Target<'a> {
    /// The control plane: `/api/…` and the event socket.
    Api,
    /// Sandbox `sandbox`'s toolbox, at `method path` (the path after `/toolbox/{id}`).
    Toolbox { sandbox: &'a SandboxRecord, method: &'a str, path: &'a str },
    /// Sandbox `sandbox`'s preview ports.
    Preview(&'a SandboxRecord),
}

/// The one authorization rule, at `now_secs` (for signed URLs):
///
/// | target | API key | the sandbox's own token | valid signature | nothing |
/// |---|---|---|---|---|
/// | API, event socket | yes | no | no | no |
/// | toolbox of S | yes | yes | only `GET /files/download`, `POST /files/upload-v2` | no |
/// | preview of S | yes | yes | no | if S is public |
///
/// Another sandbox's token never counts. The error says what was missing or wrong. A signed
/// preview URL's host is its own credential (`proxy::preview` checks its token, port and expiry).
pub fn authorize(api_key: &str, creds: &Credentials, target: Target, now_secs: i64) -> Result<(), ApiError> {
    if creds.has_api_key(api_key) {
        return Ok(());
    }
    match target {
        Target::Api => Err(ApiError::Unauthorized(match creds.api_key {
            Some(_) => "Invalid API key".into(),
            None => "Missing API key: send Authorization: Bearer <key>".into(),
        })),
        Target::Toolbox { sandbox, .. } if creds.has_token_of(sandbox) => Ok(()),
        Target::Toolbox { sandbox, method, path } => match &creds.signature {
            Some(s) if signing::signable(method, path) => {
                signing::verify(&sandbox.signing_key, method, &s.path, &s.expires, &s.signature, now_secs)
                    .map_err(|why| ApiError::Unauthorized(format!("authentication failed: {why}")))
            }
            _ => Err(ApiError::Unauthorized("authentication failed: invalid API key or sandbox token".into())),
        },
        Target::Preview(sandbox) if sandbox.dto.public || creds.has_token_of(sandbox) => Ok(()),
        Target::Preview(_) => Err(ApiError::Unauthorized(format!(
            "authentication failed: this preview needs the sandbox's preview token (header {PREVIEW_TOKEN_HEADER} \
             or ?{}=…)",
            daytona_models::SANDBOX_TOKEN_QUERY
        ))),
    }
}

/// Middleware of `/api`: [`authorize`] for [`Target::Api`] with the request's credentials.
pub async fn require_api_key(State(st): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let creds = Credentials::of_headers(req.headers());
    match authorize(&st.api_key, &creds, Target::Api, crate::time::now_ms() / 1000) {
        Ok(()) => next.run(req).await,
        Err(e) => e.into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "the-api-key";

    fn sandbox(id: &str, token: &str, public: bool) -> SandboxRecord {
        let dto = serde_json::from_value(serde_json::json!({
            "id": id, "organizationId": "local", "name": id, "user": "daytona", "env": {}, "labels": {},
            "public": public, "networkBlockAll": false, "kvm": false, "target": "local",
            "cpu": 1, "gpu": 0, "memory": 1, "disk": 3, "toolboxProxyUrl": ""
        }))
        .expect("a sandbox DTO");
        let signing_key = format!("signing-key-of-{id}");
        SandboxRecord {
            dto,
            token: token.into(),
            created_ms: 0,
            last_activity_ms: 0,
            signing_key,
            stopped_ms: None,
            signed_previews: Vec::new(),
            ssh_accesses: Vec::new(),
            destroy_ms: None,
        }
    }

    fn signed(sb: &SandboxRecord, method: &str, path: &str, expires: i64) -> Signature {
        let signature = daytona_models::sign_file_url(&sb.signing_key, method, path, expires);
        Signature { signature, expires: expires.to_string(), path: path.into() }
    }

    /// Every credential kind against every route kind: the table of [`authorize`].
    #[test]
    fn each_credential_reaches_exactly_what_the_table_says() {
        let (now, later) = (1_000_000, 2_000_000);
        let mine = sandbox("mine", "token-mine", false);
        let other = sandbox("other", "token-other", false);
        let public = sandbox("open", "token-open", true);
        let creds = |api_key: Option<&str>, tokens: &[&str], signature: Option<Signature>| Credentials {
            api_key: api_key.map(str::to_owned),
            sandbox_tokens: tokens.iter().map(|t| t.to_string()).collect(),
            signature,
        };
        let download = |sb| Target::Toolbox { sandbox: sb, method: "GET", path: "/files/download" };
        let exec = |sb| Target::Toolbox { sandbox: sb, method: "POST", path: "/process/execute" };
        let cases: Vec<(&str, Credentials, Target, bool)> = vec![
            // The API and the event socket: the key alone.
            ("key → api", creds(Some(KEY), &[], None), Target::Api, true),
            ("wrong key → api", creds(Some("nope"), &[], None), Target::Api, false),
            ("nothing → api", creds(None, &[], None), Target::Api, false),
            ("sandbox token → api", creds(None, &["token-mine"], None), Target::Api, false),
            ("token as key → api", creds(Some("token-mine"), &[], None), Target::Api, false),
            ("signature → api", creds(None, &[], Some(signed(&mine, "GET", "/f", later))), Target::Api, false),
            // A toolbox: the key, its own token, or a signature for a signable file route.
            ("key → toolbox", creds(Some(KEY), &[], None), exec(&mine), true),
            ("own token → toolbox", creds(None, &["token-mine"], None), exec(&mine), true),
            ("other's token → toolbox", creds(None, &["token-other"], None), exec(&mine), false),
            ("token among wrong ones", creds(Some("x"), &["bad", "token-mine"], None), exec(&mine), true),
            ("nothing → toolbox", creds(None, &[], None), exec(&mine), false),
            ("signed download", creds(None, &[], Some(signed(&mine, "GET", "/f", later))), download(&mine), true),
            ("signed, never expires", creds(None, &[], Some(signed(&mine, "GET", "/f", 0))), download(&mine), true),
            ("signed, expired", creds(None, &[], Some(signed(&mine, "GET", "/f", now - 1))), download(&mine), false),
            ("signed by another", creds(None, &[], Some(signed(&other, "GET", "/f", later))), download(&mine), false),
            ("signed for POST", creds(None, &[], Some(signed(&mine, "POST", "/f", later))), download(&mine), false),
            ("signature on exec", creds(None, &[], Some(signed(&mine, "POST", "/f", later))), exec(&mine), false),
            // A preview: the key, its own token, or nothing if public.
            ("key → preview", creds(Some(KEY), &[], None), Target::Preview(&mine), true),
            ("own token → preview", creds(None, &["token-mine"], None), Target::Preview(&mine), true),
            ("other's token → preview", creds(None, &["token-other"], None), Target::Preview(&mine), false),
            ("nothing → preview", creds(None, &[], None), Target::Preview(&mine), false),
            ("nothing → public", creds(None, &[], None), Target::Preview(&public), true),
            (
                "signature → preview",
                creds(None, &[], Some(signed(&mine, "GET", "/", later))),
                Target::Preview(&mine),
                false,
            ),
        ];
        for (name, creds, target, allowed) in cases {
            let got = authorize(KEY, &creds, target, now);
            assert_eq!(got.is_ok(), allowed, "{name}: {got:?}");
            if let Err(e) = got {
                assert!(matches!(e, ApiError::Unauthorized(_)), "{name}: {e:?}");
            }
        }
    }

    #[test]
    fn refusals_say_what_was_missing() {
        let mine = sandbox("mine", "token-mine", false);
        let message = |creds: Credentials, target| authorize(KEY, &creds, target, 1_000).unwrap_err().to_string();
        assert!(message(Credentials::default(), Target::Api).starts_with("Missing API key"));
        let wrong = Credentials { api_key: Some("x".into()), ..Credentials::default() };
        assert_eq!(message(wrong, Target::Api), "Invalid API key");
        let expired = Credentials { signature: Some(signed(&mine, "GET", "/f", 1)), ..Credentials::default() };
        let download = Target::Toolbox { sandbox: &mine, method: "GET", path: "/files/download" };
        assert_eq!(message(expired, download), "authentication failed: signed URL expired");
        assert!(message(Credentials::default(), Target::Preview(&mine)).contains("preview token"));
    }
}
