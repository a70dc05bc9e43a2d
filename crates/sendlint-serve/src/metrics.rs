//! Counters for `/metrics` (Prometheus text format 0.0.4), and what the
//! lookup's counting layer counts: DNS queries and failures. Every metric counts exactly
//! what its name and HELP line say; `tests/api.rs` drives requests and reads
//! each one.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sendlint_dns::{Answer, FailureKind};

/// Upper bounds (seconds) of the check latency histogram buckets.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The statuses the server answers, counted one by one (others as `other`).
const STATUSES: [u16; 14] = [200, 400, 401, 403, 404, 405, 408, 413, 415, 422, 429, 500, 503, 504];

/// The failure kinds counted as lookup failures, in output order. A name no
/// loaded zone file covers is not among them: offline, that is where the data
/// ends (the DMARC walk above the zones asks such names), not a failure.
const FAILURES: [FailureKind; 5] = [
    FailureKind::Timeout,
    FailureKind::ServFail,
    FailureKind::Refused,
    FailureKind::Truncated,
    FailureKind::Other,
];

/// Everything `/metrics` reports.
#[derive(Debug, Default)]
pub struct Metrics {
    checks_api: AtomicU64,
    checks_workspace: AtomicU64,
    dns_queries: AtomicU64,
    lookup_failures: [AtomicU64; FAILURES.len()],
    not_covered: AtomicU64,
    rejected: [AtomicU64; Rejection::ALL.len()],
    buckets: [AtomicU64; BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    rounds: AtomicU64,
    round_micros: AtomicU64,
    responses: [AtomicU64; STATUSES.len() + 1],
    connections_accepted: AtomicU64,
    connections_open: AtomicU64,
    closed: [AtomicU64; 2],
}

/// Why the server closed a connection on its own.
#[derive(Clone, Copy, Debug)]
pub enum Closed {
    /// No whole request head within the header timeout.
    HeaderTimeout,
    /// At the connection bound, it gave its place to a new connection.
    Evicted,
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
    /// A `Host` this server does not answer as (DNS rebinding), or none.
    Host,
    /// Another site's page asked (`Origin`, `Sec-Fetch-Site`).
    CrossSite,
    /// A body that is not `application/json`.
    MediaType,
    /// A `Content-Length` over the body limit, refused before reading.
    TooLarge,
}

impl Rejection {
    const ALL: [Rejection; 7] = [
        Rejection::Busy,
        Rejection::Auth,
        Rejection::Deadline,
        Rejection::Host,
        Rejection::CrossSite,
        Rejection::MediaType,
        Rejection::TooLarge,
    ];

    fn label(self) -> &'static str {
        match self {
            Rejection::Busy => "busy",
            Rejection::Auth => "auth",
            Rejection::Deadline => "deadline",
            Rejection::Host => "host",
            Rejection::CrossSite => "cross_site",
            Rejection::MediaType => "media_type",
            Rejection::TooLarge => "too_large",
        }
    }
}

fn inc(v: &AtomicU64) {
    v.fetch_add(1, Ordering::Relaxed);
}

fn get(v: &AtomicU64) -> u64 {
    v.load(Ordering::Relaxed)
}

/// The HELP and TYPE lines of one metric.
fn head(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
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
        inc(&self.rejected[why as usize]);
    }

    /// Counts one finished round over the workspace, which took `took`.
    pub fn round_done(&self, took: Duration) {
        inc(&self.rounds);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.round_micros.store(micros, Ordering::Relaxed);
    }

    /// Counts one answer by its status.
    pub fn responded(&self, status: u16) {
        let i = STATUSES.iter().position(|s| *s == status).unwrap_or(STATUSES.len());
        inc(&self.responses[i]);
    }

    /// Counts one accepted connection.
    pub fn connection_accepted(&self) {
        inc(&self.connections_accepted);
    }

    /// The connections held now.
    pub fn connections_open(&self, n: usize) {
        self.connections_open.store(n as u64, Ordering::Relaxed);
    }

    /// Counts one connection the server closed on its own.
    pub fn connection_closed(&self, why: Closed) {
        inc(&self.closed[why as usize]);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        head(
            &mut out,
            "sendlint_checks_total",
            "counter",
            "Domain checks run, by who asked: a request (POST /api/v1/check) or the workspace refresh.",
        );
        let _ = writeln!(out, "sendlint_checks_total{{origin=\"api\"}} {}", get(&self.checks_api));
        let _ =
            writeln!(out, "sendlint_checks_total{{origin=\"workspace\"}} {}", get(&self.checks_workspace));
        head(
            &mut out,
            "sendlint_check_duration_seconds",
            "histogram",
            "Time to check one domain for a request (POST /api/v1/check). Workspace checks run concurrently within a round and are timed by sendlint_workspace_round_seconds.",
        );
        for (bound, slot) in BUCKETS.iter().zip(&self.buckets) {
            let _ = writeln!(
                out,
                "sendlint_check_duration_seconds_bucket{{origin=\"api\",le=\"{bound}\"}} {}",
                get(slot)
            );
        }
        let count = get(&self.latency_count);
        let _ = writeln!(out, "sendlint_check_duration_seconds_bucket{{origin=\"api\",le=\"+Inf\"}} {count}");
        let sum = get(&self.latency_sum_micros) as f64 / 1e6;
        let _ = writeln!(out, "sendlint_check_duration_seconds_sum{{origin=\"api\"}} {sum}");
        let _ = writeln!(out, "sendlint_check_duration_seconds_count{{origin=\"api\"}} {count}");
        head(
            &mut out,
            "sendlint_workspace_rounds_total",
            "counter",
            "Complete checks of the whole workspace manifest.",
        );
        let _ = writeln!(out, "sendlint_workspace_rounds_total {}", get(&self.rounds));
        head(
            &mut out,
            "sendlint_workspace_round_seconds",
            "gauge",
            "How long the last complete round over the workspace took.",
        );
        let _ = writeln!(out, "sendlint_workspace_round_seconds {}", get(&self.round_micros) as f64 / 1e6);
        head(&mut out, "sendlint_dns_queries_total", "counter", "DNS questions asked of the lookup source.");
        let _ = writeln!(out, "sendlint_dns_queries_total {}", get(&self.dns_queries));
        head(
            &mut out,
            "sendlint_dns_lookup_failures_total",
            "counter",
            "DNS questions that got no usable answer, by kind (timeout, SERVFAIL, REFUSED, truncated, other).",
        );
        for (kind, n) in FAILURES.iter().zip(&self.lookup_failures) {
            let _ = writeln!(out, "sendlint_dns_lookup_failures_total{{kind=\"{}\"}} {}", kind.id(), get(n));
        }
        head(
            &mut out,
            "sendlint_dns_not_covered_total",
            "counter",
            "DNS questions for names the source holds no data for (offline: no loaded zone file covers them, as above the zones during the DMARC walk); not failures.",
        );
        let _ = writeln!(out, "sendlint_dns_not_covered_total {}", get(&self.not_covered));
        head(&mut out, "sendlint_http_responses_total", "counter", "Answers given, by status.");
        for (status, n) in STATUSES.iter().zip(&self.responses) {
            let _ = writeln!(out, "sendlint_http_responses_total{{code=\"{status}\"}} {}", get(n));
        }
        let _ = writeln!(
            out,
            "sendlint_http_responses_total{{code=\"other\"}} {}",
            get(&self.responses[STATUSES.len()])
        );
        head(&mut out, "sendlint_http_rejected_total", "counter", "Requests turned away, by reason.");
        for why in Rejection::ALL {
            let _ = writeln!(
                out,
                "sendlint_http_rejected_total{{reason=\"{}\"}} {}",
                why.label(),
                get(&self.rejected[why as usize])
            );
        }
        head(&mut out, "sendlint_http_connections_total", "counter", "Connections accepted.");
        let _ = writeln!(out, "sendlint_http_connections_total {}", get(&self.connections_accepted));
        head(&mut out, "sendlint_http_connections_open", "gauge", "Connections held now.");
        let _ = writeln!(out, "sendlint_http_connections_open {}", get(&self.connections_open));
        head(
            &mut out,
            "sendlint_http_connections_closed_total",
            "counter",
            "Connections the server closed on its own: no whole request head within the header timeout, or evicted for a new connection at the connection bound.",
        );
        for (reason, i) in [("header_timeout", Closed::HeaderTimeout), ("evicted", Closed::Evicted)] {
            let _ = writeln!(
                out,
                "sendlint_http_connections_closed_total{{reason=\"{reason}\"}} {}",
                get(&self.closed[i as usize])
            );
        }
        out
    }
}

impl Metrics {
    /// Counts one answer of the server's lookup (its counting layer,
    /// [`sendlint_dns::layer::CountingLookup`]): a question, and its failure.
    pub fn count_answer(&self, answer: &Answer) {
        inc(&self.dns_queries);
        if let Answer::Failed(e) = answer {
            match FAILURES.iter().position(|k| *k == e.kind) {
                Some(i) => inc(&self.lookup_failures[i]),
                None => inc(&self.not_covered),
            }
        }
    }
}
