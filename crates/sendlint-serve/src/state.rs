//! What every handler shares.

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use sendlint::ManifestIndex;
use sendlint_dns::{Lookup, LookupExt};
use sendlint_rules::RuleSet;
use serde_json::Value;
use tokio::sync::Semaphore;

use crate::host::Hosts;
use crate::metrics::Metrics;
use crate::schemas::WorkspaceSummary;
use crate::{Config, Limits, SesSource};

/// The server's shared state.
pub struct AppState {
    /// The operator's DNS source, counted.
    pub lookup: Arc<dyn Lookup>,
    /// The rule set.
    pub rules: Arc<RuleSet>,
    /// The workspace manifest, when one was given.
    pub manifest: Option<Arc<ManifestIndex>>,
    /// How often the workspace is re-checked.
    pub refresh: Duration,
    /// The page's default poll interval.
    pub poll: Duration,
    /// The bearer token, when set.
    pub token: Option<String>,
    /// Live SES state.
    pub ses: Option<Arc<dyn SesSource>>,
    /// Request bounds.
    pub limits: Limits,
    /// Permits for checks run by requests.
    pub checks: Arc<Semaphore>,
    /// Counters.
    pub metrics: Arc<Metrics>,
    /// The last workspace check.
    pub workspace: RwLock<Arc<WorkspaceView>>,
    /// The `Host` names answered.
    pub hosts: Hosts,
    /// Log one line per request to stderr.
    pub log_requests: bool,
}

impl AppState {
    /// The state of a server listening on `listen`.
    pub fn new(config: Config, listen: SocketAddr) -> Arc<AppState> {
        let metrics = Arc::new(Metrics::default());
        let counted = metrics.clone();
        let lookup: Arc<dyn Lookup> =
            Arc::new(config.lookup.counted(move |answer| counted.count_answer(answer)));
        Arc::new(AppState {
            lookup,
            rules: config.rules,
            manifest: config.manifest,
            refresh: config.refresh,
            poll: config.poll,
            token: config.token.filter(|t| !t.is_empty()),
            ses: config.ses,
            limits: config.limits,
            checks: Arc::new(Semaphore::new(config.limits.checks_in_flight.max(1))),
            metrics,
            workspace: RwLock::new(Arc::new(WorkspaceView::default())),
            hosts: Hosts::new(listen, &config.allowed_hosts),
            log_requests: config.log_requests,
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
