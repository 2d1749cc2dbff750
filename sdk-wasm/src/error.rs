//! `DaytonaError` and its `ErrorKind`s, read from Daytona's error envelopes the way the
//! official SDKs read them.

/// Every failure of the SDK. HTTP errors keep the server's status, code and source so
/// callers (and the JS face's typed errors) can tell them apart.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DaytonaError {
    /// The server answered with an error status.
    #[error("{message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// The server's message.
        message: String,
        /// Machine-readable code (e.g. `FILE_NOT_FOUND`), when sent.
        code: Option<String>,
        /// Who answered: `DAYTONA_API`, `DAYTONA_DAEMON` or `DAYTONA_PROXY`, when sent.
        origin: Option<String>,
    },
    /// A request or a wait took longer than allowed.
    #[error("{0}")]
    Timeout(String),
    /// The caller cancelled (an `AbortSignal` fired).
    #[error("{0}")]
    Aborted(String),
    /// The server could not be reached (network, CORS, DNS).
    #[error("{0}")]
    Connection(String),
    /// An argument was rejected before anything was sent.
    #[error("{0}")]
    InvalidArgument(String),
    /// The answer could not be understood.
    #[error("{0}")]
    Decode(String),
    /// The sandbox reached a failed state while being waited for.
    #[error("{0}")]
    SandboxFailed(String),
}

/// The category of a [`DaytonaError`], matching the official SDKs' error classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// 400.
    BadRequest,
    /// 401.
    Authentication,
    /// 403.
    Forbidden,
    /// 404 (and daemon `*_NOT_FOUND` codes).
    NotFound,
    /// 408, 504 and client-side timeouts.
    Timeout,
    /// 409.
    Conflict,
    /// 410.
    Gone,
    /// 422.
    UnprocessableEntity,
    /// 429.
    RateLimit,
    /// 500.
    InternalServer,
    /// 502.
    BadGateway,
    /// 503.
    ServiceUnavailable,
    /// Network failure.
    Connection,
    /// Cancelled by the caller.
    Aborted,
    /// Bad argument.
    InvalidArgument,
    /// Anything else.
    Other,
}

impl ErrorKind {
    /// The class name the official TS SDK uses (`DaytonaNotFoundError`, …).
    pub fn class_name(self) -> &'static str {
        match self {
            Self::BadRequest => "DaytonaBadRequestError",
            Self::Authentication => "DaytonaAuthenticationError",
            Self::Forbidden => "DaytonaForbiddenError",
            Self::NotFound => "DaytonaNotFoundError",
            Self::Timeout => "DaytonaTimeoutError",
            Self::Conflict => "DaytonaConflictError",
            Self::Gone => "DaytonaGoneError",
            Self::UnprocessableEntity => "DaytonaUnprocessableEntityError",
            Self::RateLimit => "DaytonaRateLimitError",
            Self::InternalServer => "DaytonaInternalServerError",
            Self::BadGateway => "DaytonaBadGatewayError",
            Self::ServiceUnavailable => "DaytonaServiceUnavailableError",
            Self::Connection => "DaytonaConnectionError",
            Self::Aborted => "DaytonaAbortError",
            Self::InvalidArgument => "DaytonaInvalidArgumentError",
            Self::Other => "DaytonaError",
        }
    }
}

impl DaytonaError {
    /// The error's category.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api { status, code, .. } => match (code.as_deref(), status) {
                (Some(c), _) if c.ends_with("NOT_FOUND") => ErrorKind::NotFound,
                (_, 400) => ErrorKind::BadRequest,
                (_, 401) => ErrorKind::Authentication,
                (_, 403) => ErrorKind::Forbidden,
                (_, 404) => ErrorKind::NotFound,
                (_, 408 | 504) => ErrorKind::Timeout,
                (_, 409) => ErrorKind::Conflict,
                (_, 410) => ErrorKind::Gone,
                (_, 422) => ErrorKind::UnprocessableEntity,
                (_, 429) => ErrorKind::RateLimit,
                (_, 500) => ErrorKind::InternalServer,
                (_, 502) => ErrorKind::BadGateway,
                (_, 503) => ErrorKind::ServiceUnavailable,
                _ => ErrorKind::Other,
            },
            Self::Timeout(_) => ErrorKind::Timeout,
            Self::Aborted(_) => ErrorKind::Aborted,
            Self::Connection(_) => ErrorKind::Connection,
            Self::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Self::Decode(_) | Self::SandboxFailed(_) => ErrorKind::Other,
        }
    }

    /// HTTP status, for errors the server answered.
    pub fn status_code(&self) -> Option<u16> {
        match self {
            Self::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's error code, when it sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Api { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// Builds the error for an HTTP error answer (body as text), reading Daytona's envelope
    /// with the same fallbacks as the official SDKs (`message`, then `error`, then the
    /// bulk-upload `errors` list, then the body).
    pub(crate) fn from_response(status: u16, body: &str) -> Self {
        // Read field by field after the browser's JSON.parse: a field of another type is left
        // out, not the whole envelope.
        let parsed = crate::json::parse(body).ok().filter(|v| v.is_object());
        let (message, code, source) = match parsed {
            Some(v) => {
                let get = |k: &str| js_sys::Reflect::get(&v, &k.into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED);
                let text = |k: &str| get(k).as_string();
                // The strings of a list (NestJS validation messages, bulk-upload `errors`).
                let list = |k: &str| {
                    let v = get(k);
                    js_sys::Array::is_array(&v)
                        .then(|| js_sys::Array::from(&v).iter().filter_map(|i| i.as_string()).collect::<Vec<_>>())
                        .filter(|l| !l.is_empty())
                        .map(|l| l.join(", "))
                };
                let message = text("message").or_else(|| list("message"));
                (message.or(text("error")).or(list("errors")), text("code").or(text("error_code")), text("source"))
            }
            None => (None, None, None),
        };
        let message = message.filter(|m| !m.is_empty()).unwrap_or_else(|| {
            if body.is_empty() {
                format!("HTTP {status}")
            } else {
                body.to_owned()
            }
        });
        Self::Api { status, message, code, origin: source }
    }
}
