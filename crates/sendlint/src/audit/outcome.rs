//! What an audit hands out: one [`Finished`] per entry, and the [`AuditRun`]
//! tally at the end.

use crate::manifest::EntryError;
use crate::report::DomainReport;

use sendlint_dns::layer::{FailFast, LookupStats};

/// What became of one manifest entry.
#[derive(Debug)]
pub enum Outcome {
    /// Checked.
    Report(Box<DomainReport>),
    /// The entry could not be read as a setup.
    BadEntry(Box<EntryError>),
    /// The check itself failed (a bug): said, not swallowed.
    Crashed {
        /// What went wrong.
        message: String,
    },
}

/// One finished entry, handed out as soon as it is done.
#[derive(Debug)]
pub struct Finished {
    /// Its position in the manifest's `domains` (0-based).
    pub index: usize,
    /// What became of it.
    pub outcome: Outcome,
    /// Its [`json_line`](super::json_line), made by the worker that judged it
    /// when [`AuditOptions::json_lines`](super::AuditOptions::json_lines) asks
    /// for it (offline audits).
    pub json: Option<String>,
}

/// How an audit went, besides the entries.
#[derive(Debug)]
pub struct AuditRun {
    /// Entries of the manifest.
    pub entries: usize,
    /// Entries of this shard (all of them without a shard).
    pub selected: usize,
    /// Entries handed out.
    pub finished: usize,
    /// True when stopped before every selected entry was finished.
    pub interrupted: bool,
    /// `(queries, cache hits, coalesced, max in flight)` of the shared lookup.
    pub dns: (u64, u64, u64, u64),
    /// The server the audit stopped asking, and after how many timeouts in a row.
    pub dead_server: Option<(String, usize)>,
}

impl AuditRun {
    /// The tally of a run whose entries are all done or abandoned.
    pub(super) fn ended(
        entries: usize,
        selected: usize,
        finished: usize,
        dns: &LookupStats,
        fail_fast: &FailFast,
    ) -> AuditRun {
        AuditRun {
            entries,
            selected,
            finished,
            interrupted: finished < selected,
            dns: dns.snapshot(),
            dead_server: fail_fast.dead_server(),
        }
    }
}
