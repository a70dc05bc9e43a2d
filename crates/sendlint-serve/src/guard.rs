//! Layers every request goes through: the request log, the Host and
//! same-origin checks, JSON bodies only, the bearer token, the deadline, the
//! security headers, JSON bodies for the errors axum answers itself.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Version, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::host::{Hosts, split_authority};
use crate::metrics::Rejection;
use crate::state::AppState;

/// Logs one line per request to stderr (when asked): peer, method, path
/// (without the query), status, time to answer; counts the answer by status.
pub async fn log(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0);
    let response = next.run(request).await;
    let status = response.status().as_u16();
    state.metrics.responded(status);
    if state.config.log_requests {
        let ms = started.elapsed().as_secs_f64() * 1e3;
        let peer = peer.map(|p| p.to_string()).unwrap_or_else(|| "-".into());
        eprintln!("{peer} {method} {path} {status} {ms:.1} ms");
    }
    response
}

/// Whether `origin` (`scheme://host[:port]`) is this request's own origin:
/// the `Host` it came with (same port, the scheme's default when absent),
/// or an `--allowed-host` name (a reverse proxy's page).
fn origin_ok(origin: &HeaderValue, host: Option<&HeaderValue>, hosts: &Hosts) -> bool {
    let Some((scheme, authority)) = origin.to_str().ok().and_then(|o| o.split_once("://")) else {
        return false; // `null` (a sandboxed frame, a file) or garbage
    };
    let default = match scheme {
        "http" => 80,
        "https" => 443,
        _ => return false,
    };
    let Some((o_host, o_port)) = split_authority(authority) else { return false };
    if hosts.is_extra(&o_host) {
        return true;
    }
    let Some((h_host, h_port)) = host.and_then(|h| h.to_str().ok()).and_then(split_authority) else {
        return false;
    };
    o_host == h_host && o_port.unwrap_or(default) == h_port.unwrap_or(default)
}

fn refuse(
    state: &AppState,
    why: Rejection,
    status: StatusCode,
    code: &'static str,
    message: String,
) -> Response {
    state.metrics.rejected(why);
    ApiError::new(status, code, message).into_response()
}

/// Only this server's own names, and only its own pages: refuses a `Host`
/// it does not answer as (DNS rebinding; see [`crate::host`]), an HTTP/1.1
/// request without exactly one `Host` (RFC 9112 §3.2: 400), and requests
/// another site's page sent (`Origin` not this server's, `Sec-Fetch-Site`
/// cross-site or same-site; 403) except following a link to the page. No
/// CORS: nothing answers a preflight, so a browser never lets another origin
/// read an answer.
pub async fn same_origin(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let mut given = headers.get_all(header::HOST).iter();
    let host = match (given.next(), given.next()) {
        (None, _) if request.version() == Version::HTTP_11 => {
            let m = "an HTTP/1.1 request needs a Host header (RFC 9112 §3.2)".to_owned();
            return refuse(&state, Rejection::Host, StatusCode::BAD_REQUEST, "host_missing", m);
        }
        (Some(_), Some(_)) => {
            let m = "the request has more than one Host header".to_owned();
            return refuse(&state, Rejection::Host, StatusCode::BAD_REQUEST, "host_duplicate", m);
        }
        (h, _) => h,
    };
    // an absolute-form target names the host too (and then takes precedence)
    let named = [host.and_then(|h| h.to_str().ok()), request.uri().authority().map(|a| a.as_str())];
    for name in named.into_iter().flatten() {
        if !split_authority(name).is_some_and(|(h, _)| state.hosts.allows(&h)) {
            let m = format!(
                "this server does not answer as {name:?}: it answers as localhost and its own addresses; \
                 start it with --allowed-host NAME to reach it under another name (a reverse proxy)"
            );
            return refuse(&state, Rejection::Host, StatusCode::BAD_REQUEST, "host_not_allowed", m);
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN)
        && !origin_ok(origin, host, &state.hosts)
    {
        let m =
            format!("a page of another origin ({}) may not use this server", origin.to_str().unwrap_or("?"));
        return refuse(&state, Rejection::CrossSite, StatusCode::FORBIDDEN, "cross_origin", m);
    }
    if cross_site(headers) && !navigation(&request) {
        let m = "a page of another site may not use this server".to_owned();
        return refuse(&state, Rejection::CrossSite, StatusCode::FORBIDDEN, "cross_origin", m);
    }
    next.run(request).await
}

/// The browser says another site's page sent the request.
fn cross_site(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site" || v.as_bytes() == b"same-site")
}

/// Following a link to the page (a permalink in a ticket): harmless, and the
/// page's own requests are then same-origin.
fn navigation(request: &Request) -> bool {
    request.method() == Method::GET
        && request.uri().path() == "/"
        && request.headers().get("sec-fetch-mode").is_some_and(|v| v.as_bytes() == b"navigate")
}

/// A declared length over the limit is refused before any of it is read
/// (413), so `Expect: 100-continue` never invites an upload the server would
/// refuse.
pub async fn body(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let length = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.trim().parse::<u64>().ok());
    let limit = state.config.limits.body_bytes;
    if length.is_some_and(|n| n > limit as u64) {
        let m = format!("the request body is too large (more than {limit} bytes)");
        return refuse(&state, Rejection::TooLarge, StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", m);
    }
    next.run(request).await
}

/// Bodies are JSON only (415 otherwise: a cross-site form or no-cors fetch
/// can only send `text/plain` and the like). Layered on the routes that read
/// a body, so a method a route does not take stays 405.
pub async fn json_only(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let media = request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    let media = media.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        let m = format!("the body must be sent as Content-Type: application/json, not {media:?}");
        return refuse(
            &state,
            Rejection::MediaType,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            m,
        );
    }
    next.run(request).await
}

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
    if let Some(token) = &state.config.token
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
    match tokio::time::timeout(state.config.limits.deadline, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            state.metrics.rejected(Rejection::Deadline);
            ApiError::new(
                StatusCode::GATEWAY_TIMEOUT,
                "deadline_exceeded",
                format!("the request took longer than {} s", state.config.limits.deadline.as_secs_f64()),
            )
            .into_response()
        }
    }
}

/// Security headers on every answer; a JSON error body for the answer axum
/// gives without one (405; the handlers' extractor, `extract::Api`, refuses
/// in the API's error shape itself).
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
