//! [`SharedLookup`]: a semaphore, a rate limit, a bounded shared cache and
//! in-flight coalescing in front of the real source (the lookup of a whole
//! audit).

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::dnssec::SignedAnswer;
use crate::{Answer, BoxFuture, Lookup, RecordType};
use sendlint_records::name::DomainName;
use tokio::sync::{OnceCell, Semaphore};

use super::rate_limit::RateLimit;

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
    /// DNSSEC questions ([`Lookup::signed`]): the DS of each zone apex, and
    /// the chains of the signed zones, asked once per run for every domain.
    signed: Mutex<SignedCache>,
}

/// The answers of [`Lookup::signed`], coalesced; emptied when full.
type SignedCache = HashMap<(DomainName, u16), Arc<OnceCell<SignedAnswer>>>;

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
            signed: Mutex::new(HashMap::new()),
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

    fn each_server<'a>(
        &'a self,
        nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Vec<crate::ServerAnswer>>> {
        Box::pin(self.query(self.inner.each_server(nameservers, name, rtype)))
    }

    fn signed<'a>(
        &'a self,
        name: &'a DomainName,
        rtype: hickory_proto::rr::RecordType,
    ) -> BoxFuture<'a, SignedAnswer> {
        Box::pin(async move {
            let key = (name.clone(), u16::from(rtype));
            let capacity = self.cache.lock().map_or(1, |c| c.capacity);
            let slot = self.signed.lock().ok().map(|mut cache| {
                if cache.len() >= capacity && !cache.contains_key(&key) {
                    cache.clear();
                }
                cache.entry(key.clone()).or_default().clone()
            });
            let Some(slot) = slot else {
                return self.query(self.inner.signed(name, rtype)).await;
            };
            if let Some(answer) = slot.get() {
                self.stats.hits.fetch_add(1, Ordering::Relaxed);
                return answer.clone();
            }
            let answer = slot.get_or_init(|| self.query(self.inner.signed(name, rtype))).await.clone();
            if matches!(answer, Some(Err(_)))
                && !self.keep_failures
                && let Ok(mut cache) = self.signed.lock()
                && cache.get(&key).is_some_and(|s| Arc::ptr_eq(s, &slot))
            {
                cache.remove(&key);
            }
            answer
        })
    }

    fn wrapped(&self) -> Option<&dyn Lookup> {
        Some(&self.inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FailureKind, LookupError};
    use std::sync::atomic::AtomicUsize;
    use tokio::sync::Notify;
    use tokio::task::JoinSet;

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

    /// A current-thread runtime with timers.
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
}
