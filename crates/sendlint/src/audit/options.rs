//! How to run an audit: [`AuditOptions`] and its defaults.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::Shard;
use super::ses::SesGate;

/// How to run an audit.
#[derive(Clone, Debug)]
pub struct AuditOptions {
    /// Most DNS queries in flight at once (and most domains being checked).
    pub jobs: usize,
    /// Most DNS queries started per second; `None` for no limit.
    pub qps: Option<f64>,
    /// "Now", for the 72-hour window.
    pub now: SystemTime,
    /// Check only this shard's entries (workspace checks still see them all).
    pub shard: Option<Shard>,
    /// Distinct questions the shared answer cache keeps (per generation; at
    /// most twice this many are held).
    pub cache_capacity: usize,
    /// Stop asking a server that timed out on this many questions in a row
    /// without ever answering (0: never stop); see [`FailFast`](super::FailFast).
    pub give_up_after: usize,
    /// Longest a domain's check may take; past it, its unanswered records are
    /// reported as failed lookups (`None`: no deadline).
    pub domain_deadline: Option<Duration>,
    /// Ask SES about every entry (`audit --ses`), in the entry's region.
    pub ses: Option<Arc<SesGate>>,
    /// The calling thread may wait for the whole audit: a source that answers
    /// at once from memory (zone files, a recording: [`SourceInfo::offline`]
    /// as the lookup describes itself) makes the audit CPU work, judged on a
    /// rayon pool (unless `qps` or `ses` is set, which wait on clocks and the
    /// network). No `domain_deadline` there: no answer is waited for. A
    /// server, whose runtime must stay free, leaves it `false`: its audits run
    /// in tokio tasks whatever the source.
    ///
    /// [`SourceInfo::offline`]: sendlint_dns::SourceInfo::offline
    pub pool_offline: bool,
    /// Threads of that pool (`None`: one per core).
    pub threads: Option<usize>,
    /// Offline, each entry's JSON line is made on the pool, beside its check
    /// ([`Finished::json`](super::Finished::json)): on the one thread that
    /// hands entries out, it was as much work as a whole worker's checks.
    pub json_lines: bool,
    /// Where DNSSEC chains start (`--trust-anchor`); `None`: the root KSKs.
    pub trust_anchors: Option<Arc<sendlint_dns::dnssec::TrustAnchors>>,
}

impl Default for AuditOptions {
    fn default() -> Self {
        AuditOptions {
            jobs: DEFAULT_JOBS,
            qps: None,
            now: SystemTime::now(),
            shard: None,
            cache_capacity: 4_096,
            give_up_after: DEFAULT_GIVE_UP_AFTER,
            domain_deadline: Some(DEFAULT_DOMAIN_DEADLINE),
            ses: None,
            pool_offline: false,
            threads: None,
            json_lines: false,
            trust_anchors: None,
        }
    }
}

/// Queries in flight by default: enough to hide a LAN round trip behind the
/// CPU work of two cores, few enough for any resolver.
pub const DEFAULT_JOBS: usize = 64;

/// Timeouts in a row, with no answer ever, after which a server is given up:
/// more than any burst of unlucky packet loss, a fraction of one `--jobs` wave.
pub const DEFAULT_GIVE_UP_AFTER: usize = 16;

/// A domain's check takes a few round trips; a minute is far past any server
/// that will answer at all.
pub const DEFAULT_DOMAIN_DEADLINE: Duration = Duration::from_secs(60);
