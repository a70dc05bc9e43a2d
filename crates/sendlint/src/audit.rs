//! Audit a workspace: every entry of a manifest, concurrently, gently.
//!
//! - **Lookups** go through one [`SharedLookup`] for the whole run: at most
//!   `jobs` queries in flight (a semaphore), at most `qps` queries a second
//!   (a token bucket), answers shared across domains (the zone's NS set,
//!   `amazonses.com`'s SPF) in a bounded cache, and concurrent asks of one
//!   question coalesced into one query.
//! - **CPU work** (entry parsing, facts, rules, badges) runs in the same tokio
//!   tasks as the lookups, on a multi-thread runtime, when the source is live:
//!   a check interleaves lookups and judgement in one `async fn`, each step is
//!   microseconds, and tokio's scheduler spreads the tasks over the cores.
//! - **Offline audits** (zone files: [`AuditOptions::offline`]) wait on
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

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use sendlint_dns::{Answer, BoxFuture, Lookup, RecordType};
use sendlint_records::Role;
use sendlint_records::display::escape;
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_rules::RuleSet;
use sendlint_ses::Badge;
use serde::{Deserialize, Serialize};
use tokio::sync::{Notify, OnceCell, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::check::{CheckOptions, Claimant, WorkspaceContext, check};

mod fail_fast;
use crate::manifest::{Entry, EntryError, ManifestIndex};
use crate::report::DomainReport;
pub use fail_fast::{Expired, FailFast, Guarded};

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
    /// without ever answering (0: never stop); see [`FailFast`].
    pub give_up_after: usize,
    /// Longest a domain's check may take; past it, its unanswered records are
    /// reported as failed lookups (`None`: no deadline).
    pub domain_deadline: Option<Duration>,
    /// The DNS source, as failures name it (`127.0.0.1:53`, `zone files`), for
    /// messages about questions that never reached it.
    pub source: Option<String>,
    /// Ask SES about every entry (`audit --ses`), in the entry's region.
    pub ses: Option<Arc<crate::audit_ses::SesGate>>,
    /// The source answers at once from memory (zone files): the audit is
    /// CPU work and is judged on a rayon pool (unless `qps` or `ses` is set,
    /// which wait on clocks and the network). No `domain_deadline` there: no
    /// answer is waited for.
    pub offline: bool,
    /// Threads of that pool (`None`: one per core).
    pub threads: Option<usize>,
    /// Offline, each entry's JSON line is made on the pool, beside its check
    /// ([`Finished::json`]): on the one thread that hands entries out, it was
    /// as much work as a whole worker's checks.
    pub json_lines: bool,
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
            source: None,
            ses: None,
            offline: false,
            threads: None,
            json_lines: false,
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

// ---------------------------------------------------------------- sharding --

/// One shard of `count`: `index` in `0..count` (0-based, like
/// `JOB_COMPLETION_INDEX` and `AWS_BATCH_JOB_ARRAY_INDEX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 0-based.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

impl Shard {
    /// Parses `K/N` (0 ≤ K < N).
    pub fn parse(text: &str) -> Result<Shard, String> {
        let bad =
            || format!("{text:?} is not K/N with 0 <= K < N (e.g. 0/4; K is 0-based like array job indexes)");
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Does this shard check `domain` (as written in the manifest)?
    pub fn contains(&self, domain: &str) -> bool {
        shard_of(domain, self.count) == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The shard of `domain` among `count`: FNV-1a (stable across platforms and
/// releases, unlike std's hasher) of the domain's organizational name, so
/// every entry of one domain, and usually every domain of one zone, lands in
/// one shard and shares its answer cache.
pub fn shard_of(domain: &str, count: u32) -> u32 {
    if count <= 1 {
        return 0;
    }
    let key = shard_key(domain);
    (fnv1a(key.as_bytes()) % u64::from(count)) as u32
}

/// The name entries are grouped by: the last two labels, or three when the
/// second-level label is a common registry suffix (`acme.co.uk`). A guess
/// (no public suffix list); it only decides cache locality, never a result.
pub fn shard_key(domain: &str) -> String {
    let lower = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    let keep = match labels.as_slice() {
        [.., sld, tld]
            if tld.len() == 2
                && matches!(
                    *sld,
                    "co" | "com" | "net" | "org" | "ac" | "gov" | "edu" | "ne" | "or" | "go"
                ) =>
        {
            3
        }
        _ => 2,
    };
    labels[labels.len().saturating_sub(keep)..].join(".")
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

// --------------------------------------------------------------- workspace --

/// What one entry claims, read without building its setup.
#[derive(Deserialize)]
struct Claim<'a> {
    #[serde(borrow, default)]
    org: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    domain: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    dkim_selector: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    dkim_public_key: Option<Cow<'a, str>>,
}

/// The org of an entry without one, when counting claimants.
pub(crate) const NO_ORG: &str = "(no org)";

/// What an entry claims: its domain (lowercased), its org, the hash of its
/// (selector, key) when the key decodes; `None` without a readable domain.
fn claim_of(raw: &str) -> Option<(String, String, Option<u64>)> {
    let (domain, claimant) = claim_with_key(raw)?;
    let key = match (&claimant.selector, &claimant.key) {
        (Some(sel), Some(k)) => Some(selector_key_hash(sel, k)),
        _ => None,
    };
    Some((domain, claimant.org, key))
}

/// [`claim_of`], with the selector and key themselves (both, or neither).
fn claim_with_key(raw: &str) -> Option<(String, Claimant)> {
    let claim = serde_json::from_str::<Claim<'_>>(raw).ok()?;
    let domain = claim.domain.as_deref().and_then(domain_key)?;
    let org = claim.org.as_deref().unwrap_or(NO_ORG).to_owned();
    let (selector, key) = match (&claim.dkim_selector, &claim.dkim_public_key) {
        (Some(sel), Some(key)) => match PublicKey::parse(key) {
            Ok(k) => (Some(sel.to_string()), Some(k)),
            Err(_) => (None, None),
        },
        _ => (None, None),
    };
    Some((domain, Claimant { org, selector, key }))
}

/// The hashes of `pairs` that come with two or more distinct values.
fn conflicts(mut pairs: Vec<(u64, u64)>) -> HashSet<u64> {
    pairs.sort_unstable();
    pairs.dedup();
    pairs.windows(2).filter(|w| w[0].0 == w[1].0).map(|w| w[0].0).collect()
}

/// The cross-entry facts of a workspace: only the conflicts are kept, so a
/// 100,000-entry manifest without conflicts costs next to nothing.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Domain → the distinct orgs claiming it (only domains with two or more),
    /// each with the DKIM selector and key of its (first) entry, when given.
    claims: HashMap<String, Vec<Claimant>>,
    /// (selector, key) hash → the distinct domains using it (only when two or more).
    keys: HashMap<u64, Vec<String>>,
}

fn domain_key(domain: &str) -> Option<String> {
    DomainName::parse_input(domain).ok().map(|d| d.to_string().to_ascii_lowercase())
}

/// One hash for a (selector, key) pair: selectors are DNS labels (case-insensitive).
fn selector_key_hash(selector: &str, key: &PublicKey) -> u64 {
    let mut bytes = selector.to_ascii_lowercase().into_bytes();
    bytes.push(0);
    bytes.extend_from_slice(key.der());
    fnv1a(&bytes)
}

impl Workspace {
    /// Reads every entry of the manifest for the workspace checks. An entry
    /// claims its domain as soon as the domain parses (even if another field
    /// is bad); it shares a key when the key decodes.
    ///
    /// Two passes keep a big manifest cheap: the first holds 64-bit hashes
    /// only (16 bytes per entry and per key), the second collects the names
    /// of the few domains and keys that are in conflict.
    pub fn scan(manifest: &ManifestIndex) -> Workspace {
        // First pass, over a streamed manifest too: (what, who) hash pairs,
        // 16 bytes per entry and per key; sorted, a run of one hash with two
        // distinct values is a conflict.
        let mut claims: Vec<(u64, u64)> = Vec::with_capacity(manifest.len());
        let mut keys: Vec<(u64, u64)> = Vec::new();
        manifest.for_each_raw(|_, raw| {
            let Some((domain, org, key)) = claim_of(raw) else { return };
            let d = fnv1a(domain.as_bytes());
            claims.push((d, fnv1a(org.as_bytes())));
            if let Some(k) = key {
                keys.push((k, d));
            }
        });
        let claims = conflicts(claims);
        let keys = conflicts(keys);
        let mut ws = Workspace::default();
        if claims.is_empty() && keys.is_empty() {
            return ws;
        }
        manifest.for_each_raw(|_, raw| {
            let Some((domain, claimant)) = claim_with_key(raw) else { return };
            let key = match (&claimant.selector, &claimant.key) {
                (Some(sel), Some(k)) => Some(selector_key_hash(sel, k)),
                _ => None,
            };
            if claims.contains(&fnv1a(domain.as_bytes())) {
                let orgs = ws.claims.entry(domain.clone()).or_default();
                if !orgs.iter().any(|c| c.org == claimant.org) {
                    orgs.push(claimant);
                }
            }
            if let Some(k) = key
                && keys.contains(&k)
            {
                let domains = ws.keys.entry(k).or_default();
                if !domains.contains(&domain) {
                    domains.push(domain);
                }
            }
        });
        ws
    }

    /// What the rest of the workspace says about `entry`.
    pub fn context(&self, entry: &Entry) -> WorkspaceContext {
        let domain = entry.setup.domain.to_string().to_ascii_lowercase();
        let org = entry.org.as_deref().unwrap_or(NO_ORG);
        let mut other_claims: Vec<Claimant> =
            self.claims.get(&domain).into_iter().flatten().filter(|c| c.org != org).cloned().collect();
        other_claims.sort_by(|a, b| a.org.cmp(&b.org));
        let other_claimants: Vec<String> = other_claims.iter().map(|c| c.org.clone()).collect();
        let mut key_shared_with: Vec<String> = match &entry.setup.public_key {
            Some(key) => self
                .keys
                .get(&selector_key_hash(&entry.setup.selector, key))
                .into_iter()
                .flatten()
                .filter(|d| **d != domain)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        key_shared_with.sort();
        WorkspaceContext { other_claimants, other_claims, key_shared_with }
    }

    /// Domains claimed by two or more organizations.
    pub fn contested_domains(&self) -> usize {
        self.claims.len()
    }
}

// ------------------------------------------------------------ shared lookup --

/// Counters of a [`SharedLookup`].
#[derive(Debug, Default)]
pub struct LookupStats {
    /// Questions sent to the source (network queries, for a live source).
    pub queries: AtomicU64,
    /// Questions answered from the shared cache.
    pub hits: AtomicU64,
    /// Questions that joined a query already in flight for the same question.
    pub coalesced: AtomicU64,
    /// Queries in flight now.
    pub in_flight: AtomicU64,
    /// The most queries ever in flight at once.
    pub max_in_flight: AtomicU64,
}

impl LookupStats {
    fn get(v: &AtomicU64) -> u64 {
        v.load(Ordering::Relaxed)
    }

    /// `(queries, hits, coalesced, max_in_flight)`.
    pub fn snapshot(&self) -> (u64, u64, u64, u64) {
        (
            Self::get(&self.queries),
            Self::get(&self.hits),
            Self::get(&self.coalesced),
            Self::get(&self.max_in_flight),
        )
    }
}

type Key = (DomainName, RecordType);
type Slot = Arc<OnceCell<Answer>>;

/// Two generations of answers: when the current one is full it becomes the
/// old one and the old one is dropped; a hit in the old one moves forward.
/// Bounded memory, and what domains of one zone share stays warm.
#[derive(Debug)]
struct Generations {
    current: HashMap<Key, Slot>,
    old: HashMap<Key, Slot>,
    capacity: usize,
}

impl Generations {
    /// The slot of `key`, and whether it is new (the caller asks the source).
    fn slot(&mut self, key: &Key) -> (Slot, bool) {
        if let Some(slot) = self.current.get(key) {
            return (slot.clone(), false);
        }
        if let Some(slot) = self.old.remove(key) {
            self.insert(key.clone(), slot.clone());
            return (slot, false);
        }
        let slot: Slot = Arc::new(OnceCell::new());
        self.insert(key.clone(), slot.clone());
        (slot, true)
    }

    fn insert(&mut self, key: Key, slot: Slot) {
        if self.current.len() >= self.capacity {
            self.old = std::mem::take(&mut self.current);
        }
        self.current.insert(key, slot);
    }

    fn forget(&mut self, key: &Key, slot: &Slot) {
        for map in [&mut self.current, &mut self.old] {
            if map.get(key).is_some_and(|s| Arc::ptr_eq(s, slot)) {
                map.remove(key);
            }
        }
    }
}

/// A token bucket of one token: queries start at least `1/qps` apart.
#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    /// When the next query may start (the "theoretical arrival time").
    next: Mutex<Option<Instant>>,
}

impl RateLimit {
    /// At most `qps` queries a second (`None` for a rate that is not positive).
    pub fn new(qps: f64) -> Option<RateLimit> {
        (qps.is_finite() && qps > 0.0)
            .then(|| RateLimit { interval: Duration::from_secs_f64(1.0 / qps), next: Mutex::new(None) })
    }

    /// Reserves the next start slot at or after `now`; returns how long to wait for it.
    pub fn reserve(&self, now: Instant) -> Duration {
        let Ok(mut next) = self.next.lock() else { return Duration::ZERO };
        let start = next.map_or(now, |n| n.max(now));
        *next = Some(start + self.interval);
        start.saturating_duration_since(now)
    }

    async fn wait(&self) {
        let delay = self.reserve(Instant::now());
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
    }
}

/// The lookup of a whole audit, in front of the real source: bounded
/// concurrency, a rate limit, a bounded shared cache, in-flight coalescing.
///
/// Failed answers are not kept past their own flight: a timeout seen by one
/// domain is retried by the next one, not handed to every domain of the zone.
pub struct SharedLookup<L> {
    inner: L,
    cache: Mutex<Generations>,
    permits: Semaphore,
    rate: Option<RateLimit>,
    stats: LookupStats,
    /// Keep failed answers too (a source whose failures are its answer: zone files).
    keep_failures: bool,
}

impl<L> fmt::Debug for SharedLookup<L> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedLookup").field("stats", &self.stats).finish_non_exhaustive()
    }
}

impl<L: Lookup> SharedLookup<L> {
    /// At most `jobs` (at least 1) queries in flight, `qps` a second.
    pub fn new(inner: L, jobs: usize, qps: Option<f64>, cache_capacity: usize) -> SharedLookup<L> {
        SharedLookup {
            inner,
            cache: Mutex::new(Generations {
                current: HashMap::new(),
                old: HashMap::new(),
                capacity: cache_capacity.max(1),
            }),
            permits: Semaphore::new(jobs.clamp(1, Semaphore::MAX_PERMITS)),
            rate: qps.and_then(RateLimit::new),
            stats: LookupStats::default(),
            keep_failures: false,
        }
    }

    /// Keeps failed answers in the cache like the others: for a source that
    /// fails the same way every time (zone files: a name outside every zone,
    /// whose answer lists the zones loaded, costs more than a check).
    pub fn keeping_failures(mut self) -> SharedLookup<L> {
        self.keep_failures = true;
        self
    }

    /// The counters.
    pub fn stats(&self) -> &LookupStats {
        &self.stats
    }

    /// Runs `ask` as one query: a permit, a rate slot, the counters.
    async fn query<T>(&self, ask: impl Future<Output = T>) -> T {
        // The semaphore is never closed; if it were, asking unthrottled beats failing.
        let _permit = self.permits.acquire().await.ok();
        if let Some(rate) = &self.rate {
            rate.wait().await;
        }
        self.stats.queries.fetch_add(1, Ordering::Relaxed);
        let now = self.stats.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.stats.max_in_flight.fetch_max(now, Ordering::Relaxed);
        let out = ask.await;
        self.stats.in_flight.fetch_sub(1, Ordering::Relaxed);
        out
    }
}

impl<L: Lookup> Lookup for SharedLookup<L> {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            let key = (name.clone(), rtype);
            let found = self.cache.lock().ok().map(|mut cache| cache.slot(&key));
            let Some((slot, fresh)) = found else {
                return self.query(self.inner.lookup(name, rtype)).await;
            };
            if let Some(answer) = slot.get() {
                self.stats.hits.fetch_add(1, Ordering::Relaxed);
                return answer.clone();
            }
            if !fresh {
                self.stats.coalesced.fetch_add(1, Ordering::Relaxed);
            }
            // The first asker runs the query; the others wait for its answer
            // (and take over if it is cancelled).
            let answer = slot.get_or_init(|| self.query(self.inner.lookup(name, rtype))).await.clone();
            if matches!(answer, Answer::Failed(_))
                && !self.keep_failures
                && let Ok(mut cache) = self.cache.lock()
            {
                cache.forget(&key, &slot);
            }
            answer
        })
    }

    fn authoritative<'a>(
        &'a self,
        nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Answer>> {
        Box::pin(self.query(self.inner.authoritative(nameservers, name, rtype)))
    }
}

// ------------------------------------------------------------------- stop --

/// How far an interrupted audit has been asked to stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StopLevel {
    /// Keep going.
    Run,
    /// Schedule nothing new; let the domains in flight finish.
    Drain,
    /// Abandon the domains in flight; hand out what is done.
    Abandon,
}

/// The stop switch of an audit (a first Ctrl-C drains, a second abandons).
#[derive(Debug, Default)]
pub struct Stop {
    level: AtomicU8,
    notify: Notify,
}

impl Stop {
    /// A switch at [`StopLevel::Run`].
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Raises the level to `level` (never lowers it) and wakes the audit.
    pub fn raise(&self, level: StopLevel) {
        self.level.fetch_max(level as u8, Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// The current level.
    pub fn level(&self) -> StopLevel {
        match self.level.load(Ordering::SeqCst) {
            0 => StopLevel::Run,
            1 => StopLevel::Drain,
            _ => StopLevel::Abandon,
        }
    }
}

// ------------------------------------------------------------ the audit --

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
    /// Its [`json_line`], made by the worker that judged it when
    /// [`AuditOptions::json_lines`] asks for it (offline audits).
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
    fn ended(
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

/// Is entry `index` of `manifest` in `shard` (every entry is, without one)?
pub fn entry_in_shard(manifest: &ManifestIndex, index: usize, shard: Option<Shard>) -> bool {
    let Some(shard) = shard else { return true };
    #[derive(Deserialize)]
    struct DomainOnly<'a> {
        #[serde(borrow, default)]
        domain: Option<Cow<'a, str>>,
    }
    let raw = manifest.raw(index);
    let domain = raw.as_deref().and_then(|raw| serde_json::from_str::<DomainOnly<'_>>(raw).ok());
    // An entry without a readable domain goes to shard 0, so it is reported exactly once.
    match domain.and_then(|d| d.domain) {
        Some(d) => shard.contains(&d),
        None => shard.index == 0,
    }
}

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
    mut done: impl FnMut(Finished),
) -> AuditRun {
    if opts.offline && opts.qps.is_none() && opts.ses.is_none() {
        return audit_offline(&manifest, source, &rules, opts, stop, done);
    }
    let workspace = Arc::new(Workspace::scan(&manifest));
    // every zone's NS set once per audit, however far apart its domains are
    let apexes = Arc::new(sendlint_dns::ApexMap::new());
    // Given up is checked twice: before the queue (skip at once) and right
    // before the real query (questions queued before the verdict).
    let fail_fast = FailFast::new(opts.give_up_after);
    let shared = SharedLookup::new(fail_fast.guard(source, true), opts.jobs, opts.qps, opts.cache_capacity);
    let lookup = Arc::new(fail_fast.guard(shared, false));
    let deadline = opts.domain_deadline;
    let jobs = opts.jobs.max(1);
    let mut tasks: JoinSet<Finished> = JoinSet::new();
    let mut running: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut next = 0usize;
    let (mut selected, mut finished) = (0usize, 0usize);
    let (mut exhausted, mut aborted) = (false, false);
    loop {
        if !aborted && stop.level() == StopLevel::Abandon {
            // Finished tasks still come out of join_next; the others are cancelled.
            tasks.abort_all();
            aborted = true;
        }
        while !exhausted && tasks.len() < jobs && stop.level() == StopLevel::Run {
            let Some(index) = (next..manifest.len()).find(|&i| entry_in_shard(&manifest, i, opts.shard))
            else {
                next = manifest.len();
                exhausted = true;
                break;
            };
            next = index + 1;
            selected += 1;
            let (manifest, lookup, rules, workspace) =
                (manifest.clone(), lookup.clone(), rules.clone(), workspace.clone());
            let apexes = apexes.clone();
            let (fail_fast, source_label) = (fail_fast.clone(), opts.source.clone());
            let (now, ses) = (opts.now, opts.ses.clone());
            let handle = tasks.spawn(async move {
                let outcome = match manifest.entry(index) {
                    Err(e) => Outcome::BadEntry(e),
                    Ok(entry) => {
                        // Live SES state replaces the manifest's `ses` block.
                        let ses_lookup = match &ses {
                            Some(gate) => {
                                Some(gate.get(&entry.setup.region, &entry.setup.domain.to_string()).await)
                            }
                            None => None,
                        };
                        let opts = CheckOptions {
                            now,
                            ses: entry.ses,
                            ses_lookup,
                            org: entry.org.clone(),
                            workspace: workspace.context(&entry),
                            apexes: Some(apexes),
                            ..CheckOptions::default()
                        };
                        let live: &dyn Lookup = &*lookup;
                        let checked = check(&entry.setup, live, &rules, &opts);
                        let report = match deadline {
                            None => checked.await,
                            Some(d) => match tokio::time::timeout(d, checked).await {
                                Ok(report) => report,
                                // what was not answered in time is a failed lookup, never missing
                                Err(_) => {
                                    let server = fail_fast.last_server().or(source_label);
                                    let server = server.unwrap_or_else(|| "the DNS source".into());
                                    let expired = Expired { server, deadline: d };
                                    check(&entry.setup, &expired, &rules, &opts).await
                                }
                            },
                        };
                        Outcome::Report(Box::new(report))
                    }
                };
                Finished { index, outcome, json: None }
            });
            running.insert(handle.id(), index);
        }
        if tasks.is_empty() {
            break;
        }
        tokio::select! {
            biased;
            joined = tasks.join_next_with_id() => match joined {
                Some(Ok((id, item))) => {
                    running.remove(&id);
                    finished += 1;
                    done(item);
                }
                Some(Err(err)) => {
                    let index = running.remove(&err.id());
                    if err.is_panic() && let Some(index) = index {
                        finished += 1;
                        done(Finished { index, outcome: Outcome::Crashed { message: format!("internal error: {err}") }, json: None });
                    }
                }
                None => break,
            },
            // wakes the loop, which acts on the new level at its top
            () = stop.notify.notified(), if !aborted => {}
        }
    }
    if !exhausted {
        // Count what was never scheduled, so `interrupted` is exact.
        selected += (next..manifest.len()).filter(|&i| entry_in_shard(&manifest, i, opts.shard)).count();
    }
    AuditRun::ended(manifest.len(), selected, finished, lookup.inner().stats(), &fail_fast)
}

/// Drives `future` to completion on this thread, parking while it is pending.
/// Enough for checks against a source that answers at once (zone files, a
/// replay, or those behind [`SharedLookup`], whose only waits are on another
/// thread's answer to the same question): no tokio on rayon workers, and no
/// runtime to start for an offline `check`.
pub fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl std::task::Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
        fn wake_by_ref(self: &Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = std::task::Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = std::task::Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let std::task::Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
        std::thread::park();
    }
}

/// [`audit`] for a source that answers at once: entries are judged on a
/// rayon pool of `opts.threads`, at most `opts.jobs` finished entries wait
/// for `done`, which runs on the calling thread in completion order.
fn audit_offline(
    manifest: &ManifestIndex,
    source: Arc<dyn Lookup>,
    rules: &RuleSet,
    opts: &AuditOptions,
    stop: &Stop,
    mut done: impl FnMut(Finished),
) -> AuditRun {
    use rayon::iter::{ParallelBridge, ParallelIterator};
    let workspace = Workspace::scan(manifest);
    let fail_fast = FailFast::new(opts.give_up_after);
    let shared = SharedLookup::new(fail_fast.guard(source, true), opts.jobs, None, opts.cache_capacity)
        .keeping_failures();
    let lookup = fail_fast.guard(shared, false);
    let judge = |index: usize| -> Finished {
        let run = || match manifest.entry(index) {
            Err(e) => Outcome::BadEntry(e),
            Ok(entry) => {
                let check_opts = CheckOptions {
                    now: opts.now,
                    ses: entry.ses,
                    org: entry.org.clone(),
                    workspace: workspace.context(&entry),
                    ..CheckOptions::default()
                };
                Outcome::Report(Box::new(block_on(check(&entry.setup, &lookup, rules, &check_opts))))
            }
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|panic| {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Outcome::Crashed { message: format!("internal error: panicked with message {what:?}") }
        });
        let mut finished = Finished { index, outcome, json: None };
        if opts.json_lines {
            finished.json = Some(json_line(&finished));
        }
        finished
    };
    let pool = rayon::ThreadPoolBuilder::new().num_threads(opts.threads.unwrap_or(0)).build();
    let (tx, rx) = std::sync::mpsc::sync_channel::<Finished>(opts.jobs.max(1));
    let scheduled = std::sync::atomic::AtomicUsize::new(0);
    let mut finished = 0usize;
    std::thread::scope(|scope| {
        let work = || {
            (0..manifest.len())
                .filter(|&i| entry_in_shard(manifest, i, opts.shard))
                .take_while(|_| stop.level() == StopLevel::Run)
                .inspect(|_| {
                    scheduled.fetch_add(1, Ordering::Relaxed);
                })
                .par_bridge()
                .for_each_with(tx, |tx, index| {
                    if stop.level() < StopLevel::Abandon {
                        // the receiver is gone only when the audit is over
                        let _ = tx.send(judge(index));
                    }
                });
        };
        let worker = scope.spawn(move || match pool {
            Ok(pool) => pool.install(work),
            // no threads to be had: judge them here, one by one
            Err(_) => work(),
        });
        for item in rx.iter() {
            finished += 1;
            done(item);
        }
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    });
    let scheduled = scheduled.into_inner();
    let selected = match stop.level() {
        StopLevel::Run => scheduled,
        _ => (0..manifest.len()).filter(|&i| entry_in_shard(manifest, i, opts.shard)).count(),
    };
    AuditRun::ended(manifest.len(), selected, finished, lookup.inner().stats(), &fail_fast)
}

// ----------------------------------------------------------------- output --

#[derive(Serialize)]
struct ReportLine<'a> {
    index: usize,
    #[serde(flatten)]
    report: &'a DomainReport,
}

/// The line of an entry that has no report: `index` first, like every line
/// (a struct, not `json!`, whose map would sort the keys).
#[derive(Serialize)]
struct ErrorLine<'a> {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<Option<&'a str>>,
    error: &'a str,
}

/// The JSON Lines line of a finished entry (SPEC §6, with its manifest
/// `index` first so shards and completion order sort back into manifest order).
pub fn json_line(item: &Finished) -> String {
    let value = match &item.outcome {
        Outcome::Report(report) => serde_json::to_string(&ReportLine { index: item.index, report }),
        Outcome::BadEntry(err) => serde_json::to_string(&ErrorLine {
            index: item.index,
            org: Some(err.org.as_deref()),
            domain: Some(err.domain.as_deref()),
            error: err.message(),
        }),
        Outcome::Crashed { message } => {
            serde_json::to_string(&ErrorLine { index: item.index, org: None, domain: None, error: message })
        }
    };
    value.unwrap_or_else(|e| {
        let error = e.to_string();
        serde_json::to_string(&ErrorLine { index: item.index, org: None, domain: None, error: &error })
            .unwrap_or_default()
    })
}

/// The CSV header (one row per manifest entry follows).
pub const CSV_HEADER: &str = "index,org,domain,zone,dns_host,unlocked,spf_mx,spf_txt,dkim,dmarc,codes,error";

/// One CSV field: quoted when needed (RFC 4180); control bytes escaped; a
/// leading `= + - @` defused so a spreadsheet never runs it as a formula.
fn csv_field(out: &mut String, value: &str) {
    let mut text = escape(value.as_bytes()).text;
    if text.starts_with(['=', '+', '-', '@']) {
        text.insert(0, '\'');
    }
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

/// `value` as one CSV field (see [`csv_row`]).
pub fn csv_text(value: &str) -> String {
    let mut out = String::new();
    csv_field(&mut out, value);
    out
}

/// The CSV row of a finished entry: badges per role, the distinct codes
/// (space-separated, sorted), or the error of a bad entry.
pub fn csv_row(item: &Finished) -> String {
    let mut fields: Vec<String> = vec![item.index.to_string()];
    match &item.outcome {
        Outcome::Report(r) => {
            fields.push(r.org.clone().unwrap_or_default());
            fields.push(r.domain.clone());
            fields.push(r.zone.clone().unwrap_or_default());
            fields.push(r.dns_host.clone().unwrap_or_default());
            fields.push(r.sending_unlocked.to_string());
            for role in Role::RECORDS {
                fields.push(r.record(role).map(|rec| rec.state.as_str().to_owned()).unwrap_or_default());
            }
            let codes: std::collections::BTreeSet<&str> = r.codes().into_iter().collect();
            fields.push(codes.into_iter().collect::<Vec<_>>().join(" "));
            fields.push(String::new());
        }
        Outcome::BadEntry(e) => {
            fields.push(e.org.clone().unwrap_or_default());
            fields.push(e.domain.clone().unwrap_or_default());
            fields.extend(std::iter::repeat_n(String::new(), 8));
            fields.push(e.message().to_owned());
        }
        Outcome::Crashed { message } => {
            fields.extend(std::iter::repeat_n(String::new(), 10));
            fields.push(message.clone());
        }
    }
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, f);
    }
    out
}

/// Counts over an audit, for the human summary.
#[derive(Debug, Default)]
pub struct Summary {
    /// Entries finished.
    pub total: usize,
    /// Domains whose sending is unlocked.
    pub unlocked: usize,
    /// Bad manifest entries.
    pub bad_entries: usize,
    /// Checks that failed internally.
    pub crashed: usize,
    /// Per role, how many records got each badge (Pending, Verifying, Verified, Failed).
    pub badges: BTreeMap<Role, [usize; 4]>,
    /// Domains per diagnosis code (a code counts once per domain).
    pub codes: HashMap<String, usize>,
    /// The severity of each counted code (its most severe, should it vary).
    pub severities: HashMap<String, sendlint_rules::Severity>,
    /// Per DNS host (`unknown` when undetected): (domains, unlocked).
    pub providers: BTreeMap<String, (usize, usize)>,
}

/// Codes listed in the summary.
const TOP_CODES: usize = 10;

/// Errors first, then warnings, then info.
fn rank(s: sendlint_rules::Severity) -> u8 {
    match s {
        sendlint_rules::Severity::Error => 0,
        sendlint_rules::Severity::Warning => 1,
        sendlint_rules::Severity::Info => 2,
    }
}

fn badge_slot(b: Badge) -> usize {
    match b {
        Badge::Pending => 0,
        Badge::Verifying => 1,
        Badge::Verified => 2,
        Badge::Failed => 3,
    }
}

impl Summary {
    /// Counts one finished entry.
    pub fn add(&mut self, item: &Finished) {
        self.total += 1;
        match &item.outcome {
            Outcome::Report(r) => {
                self.unlocked += usize::from(r.sending_unlocked);
                for rec in &r.records {
                    self.badges.entry(rec.role).or_default()[badge_slot(rec.state)] += 1;
                }
                let codes: HashSet<&str> = r.codes().into_iter().collect();
                for code in codes {
                    *self.codes.entry(code.to_owned()).or_default() += 1;
                }
                for d in r.records.iter().flat_map(|rec| &rec.diagnoses).chain(&r.diagnoses) {
                    let sev = self.severities.entry(d.code.clone()).or_insert(d.severity);
                    if rank(d.severity) < rank(*sev) {
                        *sev = d.severity;
                    }
                }
                let p =
                    self.providers.entry(r.dns_host.clone().unwrap_or_else(|| "unknown".into())).or_default();
                p.0 += 1;
                p.1 += usize::from(r.sending_unlocked);
            }
            Outcome::BadEntry(_) => self.bad_entries += 1,
            Outcome::Crashed { .. } => self.crashed += 1,
        }
    }

    /// Domains checked but not unlocked.
    pub fn not_unlocked(&self) -> usize {
        self.total - self.unlocked - self.bad_entries - self.crashed
    }

    /// The `n` top codes: errors before warnings before info, each by how
    /// many domains have it (ties by code).
    pub fn top_codes(&self, n: usize) -> Vec<(&str, usize)> {
        let sev = |c: &str| self.severities.get(c).map_or(3, |s| rank(*s));
        let mut codes: Vec<(&str, usize)> = self.codes.iter().map(|(c, n)| (c.as_str(), *n)).collect();
        codes.sort_by(|a, b| sev(a.0).cmp(&sev(b.0)).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0)));
        codes.truncate(n);
        codes
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, one: &str, many: &str| if n == 1 { one.to_owned() } else { many.to_owned() };
        let mut head = format!(
            "{} {}: {} unlocked, {} not yet",
            self.total,
            plural(self.total, "domain", "domains"),
            self.unlocked,
            self.not_unlocked()
        );
        if self.bad_entries > 0 {
            let _ = write!(
                head,
                ", {} bad manifest {}",
                self.bad_entries,
                plural(self.bad_entries, "entry", "entries")
            );
        }
        if self.crashed > 0 {
            let _ = write!(head, ", {} internal {}", self.crashed, plural(self.crashed, "error", "errors"));
        }
        writeln!(f, "{head}")?;
        if !self.badges.is_empty() {
            writeln!(
                f,
                "\n  {:<9} {:>9} {:>9} {:>9} {:>9}",
                "record", "Pending", "Verifying", "Verified", "Failed"
            )?;
            for (role, [p, v, ok, failed]) in &self.badges {
                writeln!(f, "  {:<9} {p:>9} {v:>9} {ok:>9} {failed:>9}", role.as_str())?;
            }
        }
        let top = self.top_codes(TOP_CODES);
        if !top.is_empty() {
            writeln!(f, "\n  top codes (domains)")?;
            for (code, n) in &top {
                let sev = self.severities.get(*code).map_or("", |s| s.as_str());
                writeln!(f, "  {n:>9}  {code:<32} {sev}")?;
            }
            let more = self.codes.len() - top.len();
            if more > 0 {
                writeln!(f, "  and {more} more {}", plural(more, "code", "codes"))?;
            }
        }
        if !self.providers.is_empty() {
            writeln!(f, "\n  {:<12} {:>9} {:>9}", "DNS host", "domains", "unlocked")?;
            for (p, (n, u)) in &self.providers {
                // a provider id comes from a rule file's name
                writeln!(f, "  {:<12} {n:>9} {u:>9}", sendlint_records::display::untrusted(p))?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sendlint_dns::{FailureKind, LookupError};
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn shards_are_stable_and_keep_a_zone_together() {
        assert_eq!(shard_key("send.mail.acme.com."), "acme.com");
        assert_eq!(shard_key("news.acme.co.uk"), "acme.co.uk");
        assert_eq!(shard_key("localhost"), "localhost");
        assert_eq!(shard_of("mail.acme.com", 4), shard_of("news.ACME.com", 4));
        // FNV-1a is fixed (published test vectors): shards never move between releases.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let counts = (0..1000).fold([0usize; 4], |mut c, i| {
            c[shard_of(&format!("mail.org{i}.test"), 4) as usize] += 1;
            c
        });
        assert!(counts.iter().all(|&n| n > 150), "{counts:?}");
    }

    #[test]
    fn shard_parsing() {
        assert_eq!(Shard::parse("0/4"), Ok(Shard { index: 0, count: 4 }));
        assert_eq!(Shard::parse(" 3 / 4 ").map(|s| s.to_string()), Ok("3/4".into()));
        for bad in ["4/4", "1/0", "x/2", "2", "-1/3", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_rate_limit_spaces_starts() {
        let rate = RateLimit::new(10.0).expect("positive");
        let t0 = Instant::now();
        assert_eq!(rate.reserve(t0), Duration::ZERO);
        assert_eq!(rate.reserve(t0), Duration::from_millis(100));
        assert_eq!(rate.reserve(t0), Duration::from_millis(200));
        // after a quiet spell, no debt: the next start is now
        let later = t0 + Duration::from_secs(5);
        assert_eq!(rate.reserve(later), Duration::ZERO);
        assert!(RateLimit::new(0.0).is_none());
        assert!(RateLimit::new(f64::NAN).is_none());
    }

    /// Answers every question after `gate` opens, counting calls.
    struct Gated {
        calls: AtomicUsize,
        gate: Notify,
        fail: bool,
    }

    impl Lookup for Gated {
        fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
            Box::pin(async move {
                self.calls.fetch_add(1, Ordering::SeqCst);
                self.gate.notified().await;
                if self.fail {
                    Answer::Failed(LookupError::new(FailureKind::Timeout, "test", name, rtype, ""))
                } else {
                    Answer::NxDomain { soa: None, cnames: Vec::new() }
                }
            })
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
    }

    #[test]
    fn a_thousand_concurrent_asks_make_one_query() {
        rt().block_on(async {
            let shared = Arc::new(SharedLookup::new(
                Gated { calls: AtomicUsize::new(0), gate: Notify::new(), fail: false },
                64,
                None,
                100,
            ));
            let name = DomainName::parse("amazonses.com").expect("name");
            let mut set = JoinSet::new();
            for _ in 0..1000 {
                let (s, n) = (shared.clone(), name.clone());
                set.spawn(async move { s.lookup(&n, RecordType::Txt).await });
            }
            // open the gate once every asker is waiting: no clock involved
            while shared.stats().coalesced.load(Ordering::SeqCst) < 999 {
                tokio::task::yield_now().await;
            }
            shared.inner.gate.notify_one();
            while let Some(answer) = set.join_next().await {
                assert_eq!(answer.expect("task"), Answer::NxDomain { soa: None, cnames: Vec::new() });
            }
            assert_eq!(shared.inner.calls.load(Ordering::SeqCst), 1);
            // and later asks are cache hits
            assert_eq!(
                shared.lookup(&name, RecordType::Txt).await,
                Answer::NxDomain { soa: None, cnames: Vec::new() }
            );
            assert_eq!(shared.stats().snapshot(), (1, 1, 999, 1));
        });
    }

    #[test]
    fn failures_are_not_kept_past_their_flight() {
        rt().block_on(async {
            let shared = SharedLookup::new(
                Gated { calls: AtomicUsize::new(0), gate: Notify::new(), fail: true },
                4,
                None,
                100,
            );
            let name = DomainName::parse("send.acme.test").expect("name");
            for _ in 0..2 {
                shared.inner.gate.notify_one();
                assert!(matches!(shared.lookup(&name, RecordType::Mx).await, Answer::Failed(_)));
            }
            assert_eq!(shared.inner.calls.load(Ordering::SeqCst), 2, "asked again after a failure");
        });
    }

    #[test]
    fn the_cache_is_bounded() {
        let mut g = Generations { current: HashMap::new(), old: HashMap::new(), capacity: 3 };
        for i in 0..100 {
            let key = (DomainName::parse(&format!("d{i}.test")).expect("name"), RecordType::Txt);
            let (_, fresh) = g.slot(&key);
            assert!(fresh);
            assert!(g.current.len() + g.old.len() <= 6);
        }
    }

    /// Counts the queries in flight; yields a few times before answering.
    struct Counting {
        now: AtomicUsize,
        max: AtomicUsize,
    }

    impl Lookup for Counting {
        fn lookup<'a>(&'a self, _: &'a DomainName, _: RecordType) -> BoxFuture<'a, Answer> {
            Box::pin(async move {
                let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
                self.max.fetch_max(now, Ordering::SeqCst);
                for _ in 0..3 {
                    tokio::task::yield_now().await;
                }
                self.now.fetch_sub(1, Ordering::SeqCst);
                Answer::NxDomain { soa: None, cnames: Vec::new() }
            })
        }
    }

    #[test]
    fn no_more_than_jobs_queries_in_flight() {
        rt().block_on(async {
            let shared = Arc::new(SharedLookup::new(
                Counting { now: AtomicUsize::new(0), max: AtomicUsize::new(0) },
                5,
                None,
                10_000,
            ));
            let mut set = JoinSet::new();
            for i in 0..200 {
                let s = shared.clone();
                set.spawn(async move {
                    let n = DomainName::parse(&format!("d{i}.test")).expect("name");
                    s.lookup(&n, RecordType::Txt).await
                });
            }
            while set.join_next().await.is_some() {}
            assert_eq!(shared.inner.max.load(Ordering::SeqCst), 5);
            assert_eq!(shared.stats().snapshot().0, 200);
        });
    }

    fn small_manifest(n: usize) -> Arc<ManifestIndex> {
        let entries: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"org": "o{i}", "domain": "mail.d{i}.test", "region": "us-east-1", "dkim_selector": "s1"}}"#))
            .collect();
        let text = format!(r#"{{"domains": [{}]}}"#, entries.join(","));
        Arc::new(ManifestIndex::parse("m.json", text).expect("manifest"))
    }

    #[test]
    fn abandon_cancels_what_is_in_flight_and_says_so() {
        rt().block_on(async {
            let source = Arc::new(Gated { calls: AtomicUsize::new(0), gate: Notify::new(), fail: false });
            let rules = Arc::new(RuleSet::builtin());
            let stop = Arc::new(Stop::new());
            let opts = AuditOptions { jobs: 4, ..AuditOptions::default() };
            let (src, st) = (source.clone(), stop.clone());
            let run = tokio::spawn(async move {
                let mut seen = 0;
                let run = audit(small_manifest(10), src, rules, &opts, &st, |_| seen += 1).await;
                (run, seen)
            });
            // every scheduled domain is stuck in its first lookup: abandon them
            while source.calls.load(Ordering::SeqCst) < 4 {
                tokio::task::yield_now().await;
            }
            stop.raise(StopLevel::Abandon);
            let (run, seen) = run.await.expect("audit");
            assert_eq!((run.selected, run.finished, seen), (10, 0, 0));
            assert!(run.interrupted);
        });
    }

    #[test]
    fn a_drained_audit_schedules_nothing_new() {
        rt().block_on(async {
            let source = Arc::new(Gated { calls: AtomicUsize::new(0), gate: Notify::new(), fail: false });
            let rules = Arc::new(RuleSet::builtin());
            let stop = Stop::new();
            stop.raise(StopLevel::Drain);
            let run =
                audit(small_manifest(3), source.clone(), rules, &AuditOptions::default(), &stop, |_| {})
                    .await;
            assert_eq!((run.selected, run.finished, run.interrupted), (3, 0, true));
            assert_eq!(source.calls.load(Ordering::SeqCst), 0);
        });
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        let mut out = String::new();
        csv_field(&mut out, "=HYPERLINK(\"x\")");
        assert_eq!(out, "\"'=HYPERLINK(\"\"x\"\")\"");
        let mut out = String::new();
        csv_field(&mut out, "a,b");
        assert_eq!(out, "\"a,b\"");
        let mut out = String::new();
        csv_field(&mut out, "plain");
        assert_eq!(out, "plain");
    }
}
