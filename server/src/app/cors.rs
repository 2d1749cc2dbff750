//! CORS as Daytona answers it:
//!
//! * the control plane (`/api`): any origin, reflected, **without** credentials; methods
//!   `GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS`; the requested headers reflected;
//! * the toolbox proxy (`/toolbox/…`): any origin, reflected, with credentials, the requested
//!   headers reflected; none at all for a request carrying `X-Daytona-Disable-CORS: true`
//!   (sent by a proxy of the user's that answers CORS itself), which loses that header;
//! * the object storage (`/{bucket}/…`, S3): as the control plane, with `ETag` readable (a
//!   browser's multipart upload needs each part's);
//! * nothing else (the console is same-origin; previews are answered before this runs).
//!
//! Neither part authenticates with cookies (API key or sandbox token in a header or the query),
//! so reflecting origins hands no ambient credentials to other sites.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderName, Method};
use axum::middleware::Next;
use axum::response::Response;
use tower::{Layer, ServiceExt};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

/// The request header that turns the toolbox proxy's CORS off.
pub const DISABLE_CORS_HEADER: &str = "x-daytona-disable-cors";

fn layer(credentials: bool) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::mirror_request())
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::PATCH,
            Method::POST,
            Method::DELETE,
            Method::OPTIONS,
        ])
        .allow_headers(AllowHeaders::mirror_request())
        .allow_credentials(credentials)
        .expose_headers([
            header::CONTENT_DISPOSITION,
            header::CONTENT_LENGTH,
            header::CONTENT_TYPE,
            HeaderName::from_static("x-daytona-api-version"),
            header::ETAG,
        ])
        .max_age(Duration::from_secs(600))
}

/// Middleware, outside the error-envelope one (which rebuilds error responses): answers
/// preflights and adds CORS headers as the request's path calls for.
pub async fn by_path(mut req: Request, next: Next) -> Response {
    let path = req.uri().path();
    let bucket = path.strip_prefix('/').and_then(|p| p.strip_prefix(crate::objects::BUCKET));
    let credentials =
        if path == "/api" || path.starts_with("/api/") || bucket.is_some_and(|r| r.is_empty() || r.starts_with('/')) {
            false
        } else if path.starts_with("/toolbox/") {
            if req.headers().get(DISABLE_CORS_HEADER).is_some_and(|v| v == "true") {
                req.headers_mut().remove(DISABLE_CORS_HEADER);
                return next.run(req).await;
            }
            true
        } else {
            return next.run(req).await;
        };
    match layer(credentials).layer(next).oneshot(req).await {
        Ok(resp) => resp,
        Err(never) => match never {},
    }
}
