//! `sendlint serve`: the engine behind a small HTTP API (`/api/v1`) and a
//! support page, both served by one axum router.
//!
//! Safe by default: the caller decides where to listen ([`check_listen`]
//! refuses a non-loopback address without a bearer token, [`check_token`] a
//! weak token); only the server's own `Host` names and same-origin requests
//! are answered, bodies are JSON only; every connection must send its request
//! head within a timeout and connections are bounded ([`Limits`]); request
//! bodies are bounded, every request has a deadline, checks in flight are
//! bounded (429 with `Retry-After` beyond), and no request can choose the
//! name server or read a file. DNS data is attacker-controlled: the page
//! inserts it as text and the Content-Security-Policy forbids inline script.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use sendlint::ManifestIndex;
use sendlint_dns::{BoxFuture, Lookup};
use sendlint_rules::RuleSet;
use sendlint_ses::{SesLookup, Setup};

mod api;
mod assets;
mod conn;
mod error;
mod extract;
mod fix;
mod guard;
mod host;
mod metrics;
mod openapi;
pub mod routes;
mod schemas;
mod state;
mod workspace;

pub use error::ApiError;
pub use routes::{ROUTES, Route, openapi};

/// Where the SES state of a checked domain comes from (`--ses`): the binary
/// provides it, so only the binary pays for the SDK.
pub trait SesSource: Send + Sync {
    /// What SES says about `setup.domain`.
    fn lookup<'a>(&'a self, setup: &'a Setup) -> BoxFuture<'a, SesLookup>;
}

/// The bounds every connection and request lives within.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// The largest request body accepted (413 beyond, at once when the
    /// declared `Content-Length` is larger).
    pub body_bytes: usize,
    /// How long one request may take once its head is read (504 beyond).
    pub deadline: Duration,
    /// Checks running at once for requests (429 with `Retry-After` beyond).
    pub checks_in_flight: usize,
    /// How long a connection may take to send a whole request head, from
    /// when it opens and again from each answer (so also how long an idle
    /// kept-alive connection stays open); closed beyond.
    pub header_timeout: Duration,
    /// Connections held at once. At the bound a new connection takes the
    /// place of the one that has waited longest for a request head.
    pub connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            body_bytes: 64 * 1024,
            deadline: Duration::from_secs(15),
            checks_in_flight: 32,
            header_timeout: Duration::from_secs(10),
            connections: 128,
        }
    }
}

/// Everything the server needs.
pub struct Config {
    /// Where DNS answers come from (chosen by the operator, never by a request).
    pub lookup: Arc<dyn Lookup>,
    /// The rule set.
    pub rules: Arc<RuleSet>,
    /// The workspace manifest, for `/api/v1/domains`.
    pub manifest: Option<Arc<ManifestIndex>>,
    /// How often the workspace is re-checked.
    pub refresh: Duration,
    /// How often the page polls a domain (it may be told otherwise with `?poll=`).
    pub poll: Duration,
    /// Bearer token every request must carry, when set.
    pub token: Option<String>,
    /// Live SES state, when `--ses` is given.
    pub ses: Option<Arc<dyn SesSource>>,
    /// Request bounds.
    pub limits: Limits,
    /// Host names the server also answers as (a reverse proxy's), besides
    /// `localhost` and its own addresses (see `--allowed-host`).
    pub allowed_hosts: Vec<String>,
    /// Log one line per request to stderr.
    pub log_requests: bool,
    /// Where DNSSEC chains start (`--trust-anchor`); `None`: the root KSKs.
    pub trust_anchors: Option<Arc<sendlint::TrustAnchors>>,
}

impl Config {
    /// A configuration with default bounds, no manifest, no token, no SES.
    pub fn new(lookup: Arc<dyn Lookup>, rules: Arc<RuleSet>) -> Config {
        Config {
            lookup,
            rules,
            manifest: None,
            refresh: Duration::from_secs(30),
            poll: Duration::from_secs(30),
            token: None,
            ses: None,
            limits: Limits::default(),
            allowed_hosts: Vec::new(),
            log_requests: false,
            trust_anchors: None,
        }
    }
}

/// Why the server refuses to start: what [`check_listen`] and
/// [`check_token`] refuse, each with the message the CLI prints.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StartError {
    /// Listening beyond loopback without a token.
    #[error(
        "refusing to listen on {0}, which is not a loopback address, without a token: \
         pass --token (or SENDLINT_TOKEN) so every request needs `Authorization: Bearer <token>`"
    )]
    NoToken(SocketAddr),
    /// A token with characters a bearer token cannot carry.
    #[error(
        "the token may hold only visible ASCII characters (no spaces): \
         it travels as `Authorization: Bearer <token>`"
    )]
    TokenCharacters,
    /// A token shorter than [`MIN_TOKEN_BYTES`]; its length.
    #[error(
        "the token is {0} bytes long; use at least {min} random ones, e.g. `openssl rand -hex 16`",
        min = MIN_TOKEN_BYTES
    )]
    TokenTooShort(usize),
}

/// Refuses to listen beyond loopback without a token: the API runs checks on
/// the operator's resolver and shows their workspace.
pub fn check_listen(addr: SocketAddr, token: Option<&str>) -> Result<(), StartError> {
    if addr.ip().is_loopback() || token.is_some_and(|t| !t.is_empty()) {
        return Ok(());
    }
    Err(StartError::NoToken(addr))
}

/// The shortest token accepted: 16 bytes, as `openssl rand -hex 8` prints.
pub const MIN_TOKEN_BYTES: usize = 16;

/// Refuses a token too weak to guard the API: shorter than
/// [`MIN_TOKEN_BYTES`], or with characters a bearer token cannot carry
/// (spaces, control bytes, non-ASCII).
pub fn check_token(token: &str) -> Result<(), StartError> {
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(StartError::TokenCharacters);
    }
    if token.len() < MIN_TOKEN_BYTES {
        return Err(StartError::TokenTooShort(token.len()));
    }
    Ok(())
}

/// The router of a server listening on `listen`, and the background task that
/// keeps the workspace fresh (run it with `tokio::spawn`; it ends when the
/// router and its clones are dropped). Connection bounds are [`serve`]'s.
pub fn app(config: Config, listen: SocketAddr) -> (Router, impl Future<Output = ()> + Send + 'static) {
    let state = state::AppState::new(config, listen);
    let refresher = workspace::refresh_loop(Arc::downgrade(&state));
    (routes::router(state), refresher)
}

/// Serves on `listener` until `shutdown` completes, within `config.limits`.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = config.limits;
    let listen = listener.local_addr()?;
    let state = state::AppState::new(config, listen);
    let refresh = tokio::spawn(workspace::refresh_loop(Arc::downgrade(&state)));
    let metrics = state.metrics.clone();
    let result = conn::run(listener, routes::router(state), limits, metrics, shutdown).await;
    refresh.abort();
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The CLI prints these messages as they are.
    #[test]
    fn start_errors_read_as_before() {
        let any: SocketAddr = "0.0.0.0:8080".parse().unwrap();
        assert_eq!(
            check_listen(any, None).unwrap_err().to_string(),
            "refusing to listen on 0.0.0.0:8080, which is not a loopback address, without a token: \
             pass --token (or SENDLINT_TOKEN) so every request needs `Authorization: Bearer <token>`"
        );
        assert_eq!(
            check_token("a b").unwrap_err().to_string(),
            "the token may hold only visible ASCII characters (no spaces): \
             it travels as `Authorization: Bearer <token>`"
        );
        assert_eq!(
            check_token("short").unwrap_err().to_string(),
            "the token is 5 bytes long; use at least 16 random ones, e.g. `openssl rand -hex 16`"
        );
    }
}
