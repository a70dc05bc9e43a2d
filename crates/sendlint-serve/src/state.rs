//! What every handler shares.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::SystemTime;

use sendlint_dns::Lookup;
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::Config;
use crate::host::Hosts;
use crate::metrics::{CountingLookup, Metrics};
use crate::schemas::WorkspaceSummary;

/// The server's shared state: the configuration it was started with and
/// what is built from it.
pub struct AppState {
    /// The operator's DNS source, counted (`config.lookup` is the same
    /// source uncounted: lookups go through this one).
    pub lookup: Arc<dyn Lookup>,
    /// The configuration, its token `None` when it was empty.
    pub config: Config,
    /// Permits for checks run by requests (`config.limits.checks_in_flight`).
    pub checks: Arc<Semaphore>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// The last workspace check.
    pub workspace: RwLock<Arc<WorkspaceView>>,
    /// The `Host` names answered (`config.allowed_hosts` and the listening address's).
    pub hosts: Hosts,
}

impl AppState {
    /// The state of a server listening on `listen`.
    pub fn new(mut config: Config, listen: SocketAddr) -> Arc<AppState> {
        let metrics = Arc::new(Metrics::default());
        let lookup: Arc<dyn Lookup> = Arc::new(CountingLookup::new(config.lookup.clone(), metrics.clone()));
        config.token = config.token.filter(|t| !t.is_empty());
        Arc::new(AppState {
            lookup,
            checks: Arc::new(Semaphore::new(config.limits.checks_in_flight.max(1))),
            metrics,
            workspace: RwLock::new(Arc::new(WorkspaceView::default())),
            hosts: Hosts::new(listen, &config.allowed_hosts),
            config,
        })
    }

    /// The last workspace view (a poisoned lock still holds a whole view).
    pub fn workspace(&self) -> Arc<WorkspaceView> {
        match self.workspace.read() {
            Ok(v) => v.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

/// One complete round over the manifest.
#[derive(Debug, Default)]
pub struct WorkspaceView {
    /// When the round finished; `None` before the first one.
    pub checked_at: Option<SystemTime>,
    /// One audit line per manifest entry, in manifest order.
    pub lines: Vec<Value>,
    /// The audit summary of the round (none before the first).
    pub summary: Option<WorkspaceSummary>,
}

impl WorkspaceView {
    /// The line of `domain` (case-insensitive, trailing dot ignored).
    pub fn domain(&self, domain: &str) -> Option<&Value> {
        let want = domain.trim_end_matches('.');
        self.lines.iter().find(|l| l["domain"].as_str().is_some_and(|d| d.eq_ignore_ascii_case(want)))
    }
}
