//! Test sources shared by the audit's tests.

use std::sync::atomic::{AtomicUsize, Ordering};

use sendlint_dns::{Answer, BoxFuture, FailureKind, Lookup, LookupError, RecordType};
use sendlint_records::name::DomainName;
use tokio::sync::Notify;

/// Answers every question after `gate` opens, counting calls.
pub(super) struct Gated {
    pub(super) calls: AtomicUsize,
    pub(super) gate: Notify,
    pub(super) fail: bool,
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
pub(super) fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime")
}
