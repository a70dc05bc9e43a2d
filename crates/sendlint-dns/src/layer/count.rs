//! [`CountingLookup`]: every answer passed on is shown to a counter.

use crate::{Answer, BoxFuture, Lookup, RecordType};
use sendlint_records::name::DomainName;

/// Passes every question on and shows each answer (resolver and
/// authoritative) to `count`, e.g. to feed a server's metrics.
pub struct CountingLookup<L, F> {
    inner: L,
    count: F,
}

impl<L, F> std::fmt::Debug for CountingLookup<L, F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CountingLookup").finish_non_exhaustive()
    }
}

impl<L: Lookup, F: Fn(&Answer) + Send + Sync> CountingLookup<L, F> {
    /// Shows the answers of `inner` to `count`.
    pub fn new(inner: L, count: F) -> CountingLookup<L, F> {
        CountingLookup { inner, count }
    }
}

impl<L: Lookup, F: Fn(&Answer) + Send + Sync> Lookup for CountingLookup<L, F> {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            let answer = self.inner.lookup(name, rtype).await;
            (self.count)(&answer);
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
                (self.count)(a);
            }
            answer
        })
    }

    fn each_server<'a>(
        &'a self,
        nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Vec<crate::ServerAnswer>>> {
        Box::pin(async move {
            let answers = self.inner.each_server(nameservers, name, rtype).await;
            // the answers of the servers asked (not those standing for the source's own)
            for a in answers.iter().flatten().filter_map(|s| s.answer.as_ref()) {
                (self.count)(a);
            }
            answers
        })
    }

    fn wrapped(&self) -> Option<&dyn Lookup> {
        Some(&self.inner)
    }
}
