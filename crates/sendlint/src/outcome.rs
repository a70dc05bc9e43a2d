//! What an audit hands out: one [`Finished`] per entry, and the [`AuditRun`]
//! tally at the end. The audit (`crate::audit`) makes them and the output
//! formats (`crate::output`) print them: they live a floor below both.

use crate::manifest::EntryError;
use crate::report::DomainReport;

/// What became of one manifest entry in an audit.
#[derive(Debug)]
pub enum EntryOutcome {
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
    pub outcome: EntryOutcome,
    /// Its [`json_line`](crate::output::json_line), made by the worker that
    /// judged it when [`AuditOptions::json_lines`](crate::audit::AuditOptions::json_lines)
    /// asks for it (offline audits).
    pub json: Option<String>,
}

/// The counters of an audit's shared lookup.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DnsTally {
    /// Questions sent to the source (network queries, for a live source).
    pub queries: u64,
    /// Questions answered from the shared cache.
    pub cache_hits: u64,
    /// Questions that joined a query already in flight for the same question.
    pub coalesced: u64,
    /// The most queries ever in flight at once.
    pub max_in_flight: u64,
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
    /// The counters of the shared lookup.
    pub dns: DnsTally,
    /// The server the audit stopped asking, and after how many timeouts in a row.
    pub dead_server: Option<(String, usize)>,
}
