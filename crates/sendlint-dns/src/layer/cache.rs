//! [`CachingLookup`]: one answer per question per run.

use crate::dnssec::SignedAnswer;
use crate::questions::QuestionMap;
use crate::{Answer, BoxFuture, Lookup, RecordType};
use sendlint_records::name::DomainName;
use std::collections::HashMap;
use std::sync::Mutex;

/// Answers each `(name, type)` once and replays it after: SPF includes shared
/// by several records, the apex NS set and repeated probes cost one query per
/// run, and every part of a check sees the same answer.
///
/// Failures are cached too: within one run a question has one answer. A hit
/// clones the answer and nothing else.
#[derive(Debug)]
pub struct CachingLookup<L> {
    inner: L,
    answers: Mutex<QuestionMap<Answer>>,
    authoritative: Mutex<QuestionMap<Option<Answer>>>,
    /// DNSSEC questions ([`Lookup::signed`]), by name and type code.
    signed: Mutex<HashMap<(DomainName, u16), SignedAnswer>>,
}

impl<L: Lookup> CachingLookup<L> {
    /// Caches the answers of `inner`.
    pub fn new(inner: L) -> CachingLookup<L> {
        CachingLookup {
            inner,
            answers: Mutex::new(QuestionMap::default()),
            authoritative: Mutex::new(QuestionMap::default()),
            signed: Mutex::new(HashMap::new()),
        }
    }

    /// How many distinct questions were asked of the inner source.
    pub fn len(&self) -> usize {
        self.answers.lock().map_or(0, |m| m.len())
    }

    /// True when nothing was asked yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The wrapped source.
    pub fn inner(&self) -> &L {
        &self.inner
    }
}

impl<L: Lookup> Lookup for CachingLookup<L> {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            if let Some(hit) = self.answers.lock().ok().and_then(|m| m.get(name, rtype).cloned()) {
                return hit;
            }
            let answer = self.inner.lookup(name, rtype).await;
            if let Ok(mut m) = self.answers.lock() {
                // a concurrent lookup of the same question may have won: keep the first
                return m.get_or_insert(name, rtype, answer);
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
        Box::pin(async move {
            if let Some(hit) = self.authoritative.lock().ok().and_then(|m| m.get(name, rtype).cloned()) {
                return hit;
            }
            let answer = self.inner.authoritative(nameservers, name, rtype).await;
            if let Ok(mut m) = self.authoritative.lock() {
                return m.get_or_insert(name, rtype, answer);
            }
            answer
        })
    }
    fn signed<'a>(
        &'a self,
        name: &'a DomainName,
        rtype: hickory_proto::rr::RecordType,
    ) -> BoxFuture<'a, SignedAnswer> {
        Box::pin(async move {
            let key = (name.clone(), u16::from(rtype));
            if let Some(hit) = self.signed.lock().ok().and_then(|m| m.get(&key).cloned()) {
                return hit;
            }
            let answer = self.inner.signed(name, rtype).await;
            if let Ok(mut m) = self.signed.lock() {
                return m.entry(key).or_insert(answer).clone();
            }
            answer
        })
    }

    fn wrapped(&self) -> Option<&dyn Lookup> {
        Some(&self.inner)
    }
}
