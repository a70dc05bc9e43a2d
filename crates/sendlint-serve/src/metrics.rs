//! Counters for `/metrics` (Prometheus text format 0.0.4), and the lookup
//! wrapper that counts DNS queries and failures.

use std::fmt::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sendlint_dns::{Answer, BoxFuture, Lookup, RecordType};
use sendlint_records::name::DomainName;

/// Upper bounds (seconds) of the check latency histogram buckets.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// Everything `/metrics` reports.
#[derive(Debug, Default)]
pub struct Metrics {
    checks_api: AtomicU64,
    checks_workspace: AtomicU64,
    dns_queries: AtomicU64,
    lookup_failures: AtomicU64,
    rejected_busy: AtomicU64,
    rejected_auth: AtomicU64,
    deadline_exceeded: AtomicU64,
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
}

/// Who asked for a check.
#[derive(Clone, Copy, Debug)]
pub enum CheckOrigin {
    /// A request (`POST /api/v1/check`).
    Api,
    /// The background workspace refresh.
    Workspace,
}

/// Why a request was turned away.
#[derive(Clone, Copy, Debug)]
pub enum Rejection {
    /// Too many checks in flight.
    Busy,
    /// Missing or wrong token.
    Auth,
    /// Past its deadline.
    Deadline,
}

fn inc(v: &AtomicU64) {
    v.fetch_add(1, Ordering::Relaxed);
}

fn get(v: &AtomicU64) -> u64 {
    v.load(Ordering::Relaxed)
}

impl Metrics {
    /// Counts one finished check, and its latency when it was timed alone.
    pub fn check_done(&self, origin: CheckOrigin, took: Option<Duration>) {
        inc(match origin {
            CheckOrigin::Api => &self.checks_api,
            CheckOrigin::Workspace => &self.checks_workspace,
        });
        let Some(took) = took else { return };
        let secs = took.as_secs_f64();
        for (bound, slot) in BUCKETS.iter().zip(&self.buckets) {
            if secs <= *bound {
                inc(slot);
            }
        }
        inc(&self.latency_count);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.latency_sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// Counts one turned-away request.
    pub fn rejected(&self, why: Rejection) {
        inc(match why {
            Rejection::Busy => &self.rejected_busy,
            Rejection::Auth => &self.rejected_auth,
            Rejection::Deadline => &self.deadline_exceeded,
        });
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "# HELP sendlint_checks_total Domain checks run.");
        let _ = writeln!(out, "# TYPE sendlint_checks_total counter");
        let _ = writeln!(out, "sendlint_checks_total{{origin=\"api\"}} {}", get(&self.checks_api));
        let _ =
            writeln!(out, "sendlint_checks_total{{origin=\"workspace\"}} {}", get(&self.checks_workspace));
        let _ = writeln!(out, "# HELP sendlint_dns_queries_total DNS questions asked of the lookup source.");
        let _ = writeln!(out, "# TYPE sendlint_dns_queries_total counter");
        let _ = writeln!(out, "sendlint_dns_queries_total {}", get(&self.dns_queries));
        let _ = writeln!(
            out,
            "# HELP sendlint_dns_lookup_failures_total DNS questions that failed (timeout, SERVFAIL, REFUSED, ...)."
        );
        let _ = writeln!(out, "# TYPE sendlint_dns_lookup_failures_total counter");
        let _ = writeln!(out, "sendlint_dns_lookup_failures_total {}", get(&self.lookup_failures));
        let _ = writeln!(out, "# HELP sendlint_http_rejected_total Requests turned away.");
        let _ = writeln!(out, "# TYPE sendlint_http_rejected_total counter");
        let _ = writeln!(out, "sendlint_http_rejected_total{{reason=\"busy\"}} {}", get(&self.rejected_busy));
        let _ = writeln!(out, "sendlint_http_rejected_total{{reason=\"auth\"}} {}", get(&self.rejected_auth));
        let _ = writeln!(
            out,
            "sendlint_http_rejected_total{{reason=\"deadline\"}} {}",
            get(&self.deadline_exceeded)
        );
        let _ = writeln!(out, "# HELP sendlint_check_duration_seconds Time to check one domain.");
        let _ = writeln!(out, "# TYPE sendlint_check_duration_seconds histogram");
        for (bound, slot) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(out, "sendlint_check_duration_seconds_bucket{{le=\"{bound}\"}} {}", get(slot));
        }
        let count = get(&self.latency_count);
        let _ = writeln!(out, "sendlint_check_duration_seconds_bucket{{le=\"+Inf\"}} {count}");
        let sum = get(&self.latency_sum_micros) as f64 / 1e6;
        let _ = writeln!(out, "sendlint_check_duration_seconds_sum {sum}");
        let _ = writeln!(out, "sendlint_check_duration_seconds_count {count}");
        out
    }
}

/// A lookup that counts the questions it passes on and the failed answers.
pub struct CountingLookup {
    inner: Arc<dyn Lookup>,
    metrics: Arc<Metrics>,
}

impl CountingLookup {
    /// Counts `inner`'s questions into `metrics`.
    pub fn new(inner: Arc<dyn Lookup>, metrics: Arc<Metrics>) -> CountingLookup {
        CountingLookup { inner, metrics }
    }

    fn count(&self, answer: &Answer) {
        inc(&self.metrics.dns_queries);
        if matches!(answer, Answer::Failed(_)) {
            inc(&self.metrics.lookup_failures);
        }
    }
}

impl Lookup for CountingLookup {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            let answer = self.inner.lookup(name, rtype).await;
            self.count(&answer);
            answer
        })
    }

    fn authoritative<'a>(
        &'a self,
        nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Answer>> {
        Box::pin(async move {
            let answer = self.inner.authoritative(nameservers, name, rtype).await;
            if let Some(a) = &answer {
                self.count(a);
            }
            answer
        })
    }
}
