//! [`FailFast`]: giving up on a dead DNS server.
//!
//! A resolver that never answers costs every question its full timeout (and
//! retries): 100,000 domains against a dead server would take hours and end
//! all Pending anyway. [`FailFast`] watches the answers: once one server has
//! timed out on `after` questions in a row without ever answering, it is
//! given up on, and every later question fails at once naming it, so each
//! remaining domain is reported (as `dns.lookup-failed`) in microseconds.
//! A server that answered even once is never given up on: it is slow or
//! flaky, not dead, and its timeouts stay ordinary failures.

use std::sync::{Arc, Mutex};

use crate::{Answer, BoxFuture, FailureKind, Lookup, LookupError, RecordType};
use sendlint_records::name::DomainName;

/// What [`FailFast`] has seen. The audit asks one source (a resolver, a set
/// of servers, or zone files), so any answer at all proves it alive.
#[derive(Debug, Default)]
struct State {
    /// Timeouts since the last answer (or since the start).
    timeouts_in_a_row: usize,
    /// Some question got a response (records, NXDOMAIN, even SERVFAIL).
    answered: bool,
    /// The server given up on, and after how many timeouts.
    dead: Option<(String, usize)>,
    /// The server named by the last failure (for the deadline message).
    last: Option<String>,
}

/// Watches a source's answers and gives it up after `after` timeouts in a row
/// with no answer ever (see the module documentation). Shared by two
/// [`Guarded`] layers: one in front of the audit's queue (skips at once) and
/// one right before the real query (catches questions queued before the
/// server was given up).
#[derive(Debug)]
pub struct FailFast {
    after: usize,
    state: Mutex<State>,
}

impl FailFast {
    /// Gives a server up after `after` timeouts in a row with no answer ever
    /// (0: never gives up).
    pub fn new(after: usize) -> Arc<FailFast> {
        Arc::new(FailFast { after, state: Mutex::new(State::default()) })
    }

    /// `inner`, skipping every question once the server is given up; with
    /// `watch`, its answers are the ones counted (the real queries).
    pub fn guard<L: Lookup>(self: &Arc<Self>, inner: L, watch: bool) -> Guarded<L> {
        Guarded { inner, fail_fast: self.clone(), watch }
    }

    /// The server given up on, and after how many timeouts in a row.
    pub fn dead_server(&self) -> Option<(String, usize)> {
        self.state.lock().ok().and_then(|s| s.dead.clone())
    }

    /// The server named by the last failure, when any.
    pub fn last_server(&self) -> Option<String> {
        self.state.lock().ok().and_then(|s| s.last.clone())
    }

    fn skip(&self, name: &DomainName, rtype: RecordType) -> Option<Answer> {
        let (server, after) = self.dead_server()?;
        Some(Answer::Failed(LookupError::new(
            FailureKind::Timeout,
            server,
            name,
            rtype,
            format!(
                "not asked: this server answered none of the audit's first {after} questions (all timed out), so the audit stopped asking it"
            ),
        )))
    }

    fn note(&self, answer: &Answer) {
        let Ok(mut state) = self.state.lock() else { return };
        match answer {
            Answer::Failed(e) if e.kind == FailureKind::Timeout => {
                state.timeouts_in_a_row += 1;
                state.last = Some(e.server.clone());
                let give_up = self.after > 0 && !state.answered && state.timeouts_in_a_row >= self.after;
                if give_up && state.dead.is_none() {
                    state.dead = Some((e.server.clone(), self.after));
                }
            }
            other => {
                if let Answer::Failed(e) = other {
                    state.last = Some(e.server.clone());
                }
                state.timeouts_in_a_row = 0;
                state.answered = true;
            }
        }
    }
}

/// A lookup behind a [`FailFast`].
pub struct Guarded<L> {
    inner: L,
    fail_fast: Arc<FailFast>,
    watch: bool,
}

impl<L> Guarded<L> {
    /// The wrapped lookup.
    pub fn inner(&self) -> &L {
        &self.inner
    }
}

impl<L> std::fmt::Debug for Guarded<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Guarded").field("fail_fast", &self.fail_fast).finish_non_exhaustive()
    }
}

impl<L: Lookup> Lookup for Guarded<L> {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            if let Some(skipped) = self.fail_fast.skip(name, rtype) {
                return skipped;
            }
            let answer = self.inner.lookup(name, rtype).await;
            if self.watch {
                self.fail_fast.note(&answer);
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
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Times out (or answers NXDOMAIN) at once, counting questions.
    struct Fake {
        asked: AtomicUsize,
        answer_first: bool,
    }

    impl Lookup for Fake {
        fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
            let n = self.asked.fetch_add(1, Ordering::SeqCst);
            Box::pin(std::future::ready(if n == 0 && self.answer_first {
                Answer::Failed(LookupError::new(FailureKind::ServFail, "192.0.2.1:53", name, rtype, ""))
            } else {
                Answer::Failed(LookupError::new(
                    FailureKind::Timeout,
                    "192.0.2.1:53",
                    name,
                    rtype,
                    "no answer",
                ))
            }))
        }
    }

    fn ask_many(ff: &Guarded<Fake>, n: usize) -> Vec<Answer> {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("rt");
        let name = DomainName::parse("send.acme.test").expect("name");
        (0..n).map(|_| rt.block_on(ff.lookup(&name, RecordType::Txt))).collect()
    }

    #[test]
    fn a_server_that_never_answers_is_given_up_after_n_timeouts() {
        let ff = FailFast::new(5);
        let guarded = ff.guard(Fake { asked: AtomicUsize::new(0), answer_first: false }, true);
        let answers = ask_many(&guarded, 50);
        assert_eq!(guarded.inner().asked.load(Ordering::SeqCst), 5, "asked 5 times, then never again");
        assert_eq!(ff.dead_server(), Some(("192.0.2.1:53".to_owned(), 5)));
        let Answer::Failed(last) = &answers[49] else { panic!("{:?}", answers[49]) };
        assert_eq!(last.kind, FailureKind::Timeout);
        assert!(
            last.to_string().contains("192.0.2.1:53") && last.detail.contains("stopped asking"),
            "{last}"
        );
    }

    #[test]
    fn a_server_that_answered_once_is_never_given_up() {
        let ff = FailFast::new(5);
        let guarded = ff.guard(Fake { asked: AtomicUsize::new(0), answer_first: true }, true);
        ask_many(&guarded, 50);
        assert_eq!(guarded.inner().asked.load(Ordering::SeqCst), 50);
        assert_eq!(ff.dead_server(), None);
        // 0 never gives up
        let never = FailFast::new(0).guard(Fake { asked: AtomicUsize::new(0), answer_first: false }, true);
        ask_many(&never, 20);
        assert_eq!(never.inner().asked.load(Ordering::SeqCst), 20);
    }
}
