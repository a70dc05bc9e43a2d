//! Layers every request goes through: the bearer token, the deadline, the
//! security headers, JSON bodies for the errors axum answers itself.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::metrics::Rejection;
use crate::state::AppState;

/// The page loads only its own script and stylesheet; nothing inline, no
/// frames, no plugins, so a TXT record shown on it can never run.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// True for paths anyone may load: the page's own files and the health check.
fn public_path(path: &str) -> bool {
    path == "/" || path == "/healthz" || path.starts_with("/assets/")
}

/// The token in `Authorization: Bearer <token>` equals ours, compared in
/// constant time (the length is not secret).
fn token_ok(expected: &str, header: Option<&HeaderValue>) -> bool {
    let Some(given) = header.and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer ")) else {
        return false;
    };
    bool::from(given.trim().as_bytes().ct_eq(expected.as_bytes()))
}

/// Requires the bearer token on every non-public path when one is set.
pub async fn require_token(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    if let Some(token) = &state.token
        && !public_path(request.uri().path())
        && !token_ok(token, request.headers().get(header::AUTHORIZATION))
    {
        state.metrics.rejected(Rejection::Auth);
        let missing = request.headers().get(header::AUTHORIZATION).is_none();
        let mut response = ApiError::new(
            StatusCode::UNAUTHORIZED,
            if missing { "token_missing" } else { "token_invalid" },
            if missing {
                "this server needs `Authorization: Bearer <token>`"
            } else {
                "the bearer token is not this server's"
            },
        )
        .into_response();
        response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        return response;
    }
    next.run(request).await
}

/// Ends a request that takes longer than the deadline with 504.
pub async fn deadline(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    match tokio::time::timeout(state.limits.deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            state.metrics.rejected(Rejection::Deadline);
            ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "deadline_exceeded",
                format!("the request took longer than {} s", state.limits.deadline.as_secs_f64()),
            )
            .into_response()
        }
    }
}

/// Security headers on every answer; JSON error bodies for the answers axum
/// gives without one (405, a rejected extractor).
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    if response.status() == StatusCode::METHOD_NOT_ALLOWED
        && !response.headers().contains_key(header::CONTENT_TYPE)
    {
        let allow = response.headers().get(header::ALLOW).cloned();
        response = ApiError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this route does not take that method",
        )
        .into_response();
        if let Some(allow) = allow {
            response.headers_mut().insert(header::ALLOW, allow);
        }
    }
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
