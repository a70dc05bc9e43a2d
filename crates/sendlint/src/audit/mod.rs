//! Audit a workspace: every entry of a manifest, concurrently, gently.
//!
//! - **Lookups** go through one [`SharedLookup`] (a layer of
//!   [`sendlint_dns::layer`]) for the whole run: at most
//!   `jobs` queries in flight (a semaphore), at most `qps` queries a second
//!   (a token bucket), answers shared across domains (the zone's NS set,
//!   `amazonses.com`'s SPF) in a bounded cache, and concurrent asks of one
//!   question coalesced into one query.
//! - **CPU work** (entry parsing, facts, rules, badges) runs in the same tokio
//!   tasks as the lookups, on a multi-thread runtime, when the source is live:
//!   a check interleaves lookups and judgement in one `async fn`, each step is
//!   microseconds, and tokio's scheduler spreads the tasks over the cores.
//! - **Offline audits** (a source that answers from memory, as it says in
//!   [`Lookup::describe`]; with [`AuditOptions::pool_offline`]) wait on
//!   nothing: each entry is one CPU-bound job on a rayon pool (`--threads`),
//!   its check driven to completion on the worker by a minimal `block_on`.
//!   No tokio task per entry, no timer, no hand-off per step.
//! - **Workspace checks** (a domain claimed by two organizations, one DKIM key
//!   reused across domains) need the whole manifest: [`Workspace::scan`] reads
//!   it once before the per-domain checks, keeping 16 bytes of hashes per
//!   entry and then only the conflicts. The manifest itself is streamed from
//!   its file (see [`crate::manifest`]): entries are read back one at a time.
//! - **Results** stream out in completion order through a callback, one
//!   [`Finished`] per entry, each carrying its manifest index; nothing waits
//!   for a slow domain and nothing is held after it is handed out.
//! - **Sharding** ([`Shard`]) picks the entries of one array-job task by a
//!   stable hash of the domain's organizational name.
//!
//! One concern per file: `options.rs`, `shard.rs`, `workspace.rs`,
//! `expired.rs` (the domain's deadline; the lookup layers, [`SharedLookup`],
//! [`FailFast`] and the token bucket [`RateLimit`] that [`ses`] uses too, are
//! [`sendlint_dns::layer`]'s), `stop.rs`, the two drivers `driver.rs` (live,
//! tokio) and `offline.rs` (rayon), and the operations modules [`baseline`]
//! (`--baseline`) and [`ses`] (`--ses`). What an audit hands out
//! ([`Finished`], [`AuditRun`]) is defined a floor below, beside the report,
//! and printed by [`crate::output`].

mod driver;
mod expired;
mod offline;
mod options;
mod shard;
mod stop;
#[cfg(test)]
mod testing;
mod workspace;

pub mod baseline;
pub mod ses;

use std::sync::Arc;

use sendlint_dns::Lookup;
use sendlint_rules::RuleSet;

use crate::manifest::ManifestIndex;

pub use crate::outcome::{AuditRun, DnsTally, EntryOutcome, Finished};
pub use expired::Expired;
pub use offline::block_on;
pub use options::{AuditOptions, DEFAULT_DOMAIN_DEADLINE, DEFAULT_GIVE_UP_AFTER, DEFAULT_JOBS};
pub use sendlint_dns::layer::{FailFast, Guarded, LookupStats, RateLimit, SharedLookup};
pub use shard::{Shard, ShardParseError, entry_in_shard, shard_key, shard_of};
pub use stop::{Stop, StopLevel};
pub use workspace::Workspace;

/// Audits every entry of `manifest` (of `opts.shard`) against `source`,
/// calling `done` once per entry as it finishes (completion order, from the
/// calling task: `done` may write and flush). Must run inside a tokio runtime;
/// on a multi-thread runtime the checks use every worker.
pub async fn audit(
    manifest: Arc<ManifestIndex>,
    source: Arc<dyn Lookup>,
    rules: Arc<RuleSet>,
    opts: &AuditOptions,
    stop: &Stop,
    done: impl FnMut(Finished),
) -> AuditRun {
    if opts.pool_offline && source.describe().offline && opts.qps.is_none() && opts.ses.is_none() {
        return offline::audit_offline(&manifest, source, &rules, opts, stop, done);
    }
    driver::audit_live(manifest, source, rules, opts, stop, done).await
}

impl AuditRun {
    /// The tally of a run whose entries are all done or abandoned.
    fn ended(
        entries: usize,
        selected: usize,
        finished: usize,
        dns: &LookupStats,
        fail_fast: &FailFast,
    ) -> AuditRun {
        let (queries, cache_hits, coalesced, max_in_flight) = dns.snapshot();
        AuditRun {
            entries,
            selected,
            finished,
            interrupted: finished < selected,
            dns: DnsTally { queries, cache_hits, coalesced, max_in_flight },
            dead_server: fail_fast.dead_server(),
        }
    }
}
