//! `audit --ses`: SES's view of every manifest entry, asked gently.
//!
//! SES quotas are per account and per region, so each region gets its own
//! rate limit; one [`SesGate`] per run bounds the calls in flight across all
//! regions. Throttling that outlasts the client's own retries is retried
//! here with a growing pause, and a call that still fails becomes the entry's
//! `ses.unavailable` finding: never a crash, never a lost entry.

use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sendlint_dns::BoxFuture;
use sendlint_ses::SesLookup;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use sendlint_dns::layer::RateLimit;

/// Where SES answers come from (the live client in the CLI, fakes in tests).
pub trait SesSource: Send + Sync {
    /// `GetEmailIdentity` of `identity` in `region`.
    fn get<'a>(&'a self, region: &'a str, identity: &'a str) -> BoxFuture<'a, SesLookup>;

    /// True when `lookup` is SES saying "slow down" (worth asking again later).
    fn is_throttled(&self, lookup: &SesLookup) -> bool {
        let _ = lookup;
        false
    }
}

/// How an audit asks SES.
#[derive(Clone, Copy, Debug)]
pub struct SesLimits {
    /// Most SES calls in flight at once, across regions.
    pub in_flight: usize,
    /// Most calls started per second, per region.
    pub per_second: f64,
    /// Rounds of asking again after throttling outlasted the client's retries.
    pub throttle_rounds: u32,
    /// The pause before the first of those rounds; it doubles each round.
    pub backoff: Duration,
}

impl Default for SesLimits {
    fn default() -> Self {
        SesLimits { in_flight: 4, per_second: 1.0, throttle_rounds: 4, backoff: Duration::from_secs(2) }
    }
}

/// Counters of a [`SesGate`].
#[derive(Debug, Default)]
pub struct SesStats {
    /// Calls made (each round counts).
    pub calls: AtomicU64,
    /// Rounds that came back throttled.
    pub throttled: AtomicU64,
    /// The most calls ever in flight at once.
    pub max_in_flight: AtomicU64,
    in_flight: AtomicU64,
}

/// The SES side of an audit: bounded calls in flight, a rate per region,
/// throttling retried with backoff.
pub struct SesGate {
    source: Arc<dyn SesSource>,
    limits: SesLimits,
    permits: Semaphore,
    rates: Mutex<HashMap<String, Arc<RateLimit>>>,
    stats: SesStats,
}

impl fmt::Debug for SesGate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SesGate").field("limits", &self.limits).field("stats", &self.stats).finish()
    }
}

impl SesGate {
    /// A gate in front of `source`.
    pub fn new(source: Arc<dyn SesSource>, limits: SesLimits) -> SesGate {
        SesGate {
            source,
            limits,
            permits: Semaphore::new(limits.in_flight.clamp(1, Semaphore::MAX_PERMITS)),
            rates: Mutex::new(HashMap::new()),
            stats: SesStats::default(),
        }
    }

    /// The counters.
    pub fn stats(&self) -> &SesStats {
        &self.stats
    }

    fn rate(&self, region: &str) -> Option<Arc<RateLimit>> {
        let mut rates = self.rates.lock().ok()?;
        if let Some(r) = rates.get(region) {
            return Some(r.clone());
        }
        let r = Arc::new(RateLimit::new(self.limits.per_second)?);
        rates.insert(region.to_owned(), r.clone());
        Some(r)
    }

    /// SES's answer for `identity` in `region`.
    pub async fn get(&self, region: &str, identity: &str) -> SesLookup {
        let mut pause = self.limits.backoff;
        let mut round = 0;
        loop {
            let lookup = {
                let _permit = self.permits.acquire().await.ok();
                if let Some(rate) = self.rate(region) {
                    let delay = rate.reserve(Instant::now());
                    if !delay.is_zero() {
                        tokio::time::sleep(delay).await;
                    }
                }
                self.stats.calls.fetch_add(1, Ordering::Relaxed);
                let now = self.stats.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
                self.stats.max_in_flight.fetch_max(now, Ordering::Relaxed);
                let lookup = self.source.get(region, identity).await;
                self.stats.in_flight.fetch_sub(1, Ordering::Relaxed);
                lookup
            };
            if !self.source.is_throttled(&lookup) {
                return lookup;
            }
            self.stats.throttled.fetch_add(1, Ordering::Relaxed);
            if round >= self.limits.throttle_rounds {
                return lookup;
            }
            round += 1;
            // The permit is released while waiting: others may go on at the region's rate.
            tokio::time::sleep(pause).await;
            pause = pause.saturating_mul(2).min(Duration::from_secs(60));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Throttles the first `throttle` calls, then finds every identity; counts
    /// the calls in flight and remembers each call's region.
    struct Fake {
        throttle: AtomicUsize,
        now: AtomicUsize,
        max: AtomicUsize,
        regions: Mutex<Vec<String>>,
    }

    impl SesSource for Fake {
        fn get<'a>(&'a self, region: &'a str, _: &'a str) -> BoxFuture<'a, SesLookup> {
            Box::pin(async move {
                let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
                self.max.fetch_max(now, Ordering::SeqCst);
                if let Ok(mut r) = self.regions.lock() {
                    r.push(region.to_owned());
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
                self.now.fetch_sub(1, Ordering::SeqCst);
                let left = self.throttle.load(Ordering::SeqCst);
                if left > 0 {
                    self.throttle.store(left - 1, Ordering::SeqCst);
                    return SesLookup::Failed { message: "throttled".into() };
                }
                SesLookup::NotFound { message: String::new() }
            })
        }

        fn is_throttled(&self, lookup: &SesLookup) -> bool {
            matches!(lookup, SesLookup::Failed { message } if message == "throttled")
        }
    }

    fn fake(throttle: usize) -> Arc<Fake> {
        Arc::new(Fake {
            throttle: AtomicUsize::new(throttle),
            now: AtomicUsize::new(0),
            max: AtomicUsize::new(0),
            regions: Mutex::new(Vec::new()),
        })
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
    }

    #[test]
    fn bounded_in_flight_and_rate_per_region() {
        rt().block_on(async {
            let source = fake(0);
            let limits = SesLimits { in_flight: 3, per_second: 100.0, ..SesLimits::default() };
            let gate = Arc::new(SesGate::new(source.clone(), limits));
            let start = Instant::now();
            let mut set = tokio::task::JoinSet::new();
            for i in 0..40 {
                let gate = gate.clone();
                let region = if i % 2 == 0 { "us-east-1" } else { "eu-west-1" };
                set.spawn(async move { gate.get(region, &format!("d{i}.test")).await });
            }
            while let Some(r) = set.join_next().await {
                assert!(matches!(r.expect("task"), SesLookup::NotFound { .. }));
            }
            assert!(source.max.load(Ordering::SeqCst) <= 3);
            // 20 calls per region at 100/s: the last starts 190 ms after the first
            assert!(start.elapsed() >= Duration::from_millis(190), "{:?}", start.elapsed());
            let regions = source.regions.lock().expect("regions").clone();
            assert_eq!(regions.iter().filter(|r| *r == "eu-west-1").count(), 20);
        });
    }

    #[test]
    fn throttling_is_asked_again_with_backoff() {
        rt().block_on(async {
            let source = fake(3);
            let limits =
                SesLimits { per_second: 1000.0, backoff: Duration::from_millis(20), ..SesLimits::default() };
            let gate = SesGate::new(source.clone(), limits);
            let start = Instant::now();
            assert!(matches!(gate.get("us-east-1", "a.test").await, SesLookup::NotFound { .. }));
            // three throttled rounds: pauses of 20, 40 and 80 ms
            assert!(start.elapsed() >= Duration::from_millis(140), "{:?}", start.elapsed());
            assert_eq!(gate.stats().calls.load(Ordering::SeqCst), 4);
            assert_eq!(gate.stats().throttled.load(Ordering::SeqCst), 3);
        });
    }

    #[test]
    fn throttling_past_every_round_is_a_failed_lookup_not_a_crash() {
        rt().block_on(async {
            let source = fake(100);
            let limits = SesLimits {
                throttle_rounds: 2,
                per_second: 1000.0,
                backoff: Duration::from_millis(1),
                ..SesLimits::default()
            };
            let gate = SesGate::new(source, limits);
            assert!(matches!(gate.get("us-east-1", "a.test").await, SesLookup::Failed { .. }));
            assert_eq!(gate.stats().calls.load(Ordering::SeqCst), 3);
        });
    }
}
