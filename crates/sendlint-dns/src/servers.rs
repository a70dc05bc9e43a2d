//! Every authoritative server of a zone, one by one ([`Lookup::each_server`]):
//! what each address of each NS name serves for a question, so that a server
//! that serves another copy of the zone, or none, can be named.
//!
//! A live source resolves the NS names to addresses once per run (shared by
//! every zone with the same name servers: provider NS sets), builds one
//! non-recursive sub-source per address on its own sockets (so its questions
//! are counted with the rest), and asks every address at once. An address that
//! is the server the source asks already is not asked again: its answer is the
//! source's own ([`ServerAnswer::answer`] `None`). An address that did not
//! answer at all (a timeout) is not asked again in the same run.

use crate::live::{LiveOptions, LiveSource};
use crate::{Answer, FailureKind, Lookup, LookupError, RData, RecordType};
use sendlint_records::name::DomainName;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use tokio::sync::OnceCell;

/// What one address of one authoritative server answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerAnswer {
    /// The name server's name, as the zone's NS records give it.
    pub nameserver: DomainName,
    /// One of its addresses.
    pub address: IpAddr,
    /// Its answer, asked without recursion. A server answering without the
    /// authoritative (AA) flag, or with a referral, is a failure of kind
    /// [`FailureKind::NotCovered`]. `None`: this address is the server the
    /// source asks already, so its answer is the source's own answer to the
    /// same question (not asked twice).
    pub answer: Option<Answer>,
}

impl ServerAnswer {
    /// `ns1.dns.test (192.0.2.1)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.nameserver, self.address)
    }
}

/// What a server serves for a question, in a form that compares equal when
/// two servers serve the same: the CNAME at the name (its target), or the set
/// of records (TXT data byte-exact, MX with the exchange lowercased), order
/// ignored. `None` for a failure. A CNAME's target records are not the zone's
/// data (a resolver completes the chain, an authoritative server may not), so
/// with a CNAME only the target is compared.
pub fn served(answer: &Answer) -> Option<Served> {
    match answer {
        Answer::Failed(_) => None,
        other => {
            if let Some((_, target)) = other.cnames().first() {
                return Some(Served::Alias(target.to_string().to_ascii_lowercase()));
            }
            let mut keys: Vec<Vec<u8>> = match other {
                Answer::Records { records, .. } => records.iter().map(record_key).collect(),
                _ => Vec::new(),
            };
            keys.sort();
            keys.dedup();
            Some(Served::Records(keys))
        }
    }
}

/// What [`served`] returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Served {
    /// A CNAME to this target.
    Alias(String),
    /// These records (empty: none), sorted.
    Records(Vec<Vec<u8>>),
}

fn record_key(r: &RData) -> Vec<u8> {
    match r {
        RData::Txt(t) => t.data(),
        RData::Mx(m) => m.presentation().to_ascii_lowercase().into_bytes(),
        other => format!("{other:?}").to_ascii_lowercase().into_bytes(),
    }
}

/// What the zone's servers publish, when every server that answered serves
/// the same (`own`: the source's answer, for the addresses it asks already):
/// the answer of the first of them. `None` when no server answered, or when
/// they disagree (then no one answer is "the published one").
pub fn published(answers: &[ServerAnswer], own: Option<&Answer>) -> Option<Answer> {
    let mut found: Option<(&Answer, Served)> = None;
    for a in answers {
        let Some(answer) = a.answer.as_ref().or(own) else { continue };
        let Some(key) = served(answer) else { continue };
        match &found {
            None => found = Some((answer, key)),
            Some((_, k)) if *k == key => {}
            Some(_) => return None,
        }
    }
    found.map(|(a, _)| a.clone())
}

/// The per-server state of a live source: NS addresses, one sub-source per
/// address, the addresses that never answered.
#[derive(Default)]
pub(crate) struct Servers {
    /// Each NS name's addresses, resolved once per run (in-flight lookups shared).
    addresses: Mutex<HashMap<DomainName, Arc<OnceCell<Vec<IpAddr>>>>>,
    /// One non-recursive source per address.
    sources: Mutex<HashMap<SocketAddr, Arc<LiveSource>>>,
    /// Addresses that timed out: not asked again this run.
    silent: Mutex<HashSet<SocketAddr>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Servers {
    /// The addresses of `ns`, asked of `source` (A and AAAA) on first use.
    pub(crate) async fn addresses(&self, source: &LiveSource, ns: &DomainName) -> Vec<IpAddr> {
        let cell = lock(&self.addresses).entry(ns.clone()).or_default().clone();
        cell.get_or_init(|| async {
            let mut ips = Vec::new();
            for t in [RecordType::A, RecordType::Aaaa] {
                if let Answer::Records { records, .. } = source.lookup(ns, t).await {
                    for r in records {
                        let ip = match r {
                            RData::A(a) => IpAddr::V4(a),
                            RData::Aaaa(a) => IpAddr::V6(a),
                            _ => continue,
                        };
                        if !ips.contains(&ip) {
                            ips.push(ip);
                        }
                    }
                }
            }
            ips
        })
        .await
        .clone()
    }

    fn source(&self, parent: &LiveSource, addr: SocketAddr) -> Option<Arc<LiveSource>> {
        let mut sources = lock(&self.sources);
        if let Some(s) = sources.get(&addr) {
            return Some(s.clone());
        }
        let options = LiveOptions { recursion_desired: false, ..parent.options.clone() };
        let mut source = LiveSource::on_wire(&[addr], options, parent.wire.clone()).ok()?;
        source.require_aa = true;
        let source = Arc::new(source);
        sources.insert(addr, source.clone());
        Some(source)
    }

    /// Asks every address of every NS name in `nameservers`; `None` when no
    /// address is known.
    pub(crate) async fn each_server(
        &self,
        parent: &LiveSource,
        nameservers: &[DomainName],
        name: &DomainName,
        rtype: RecordType,
    ) -> Option<Vec<ServerAnswer>> {
        let mut targets: Vec<(DomainName, SocketAddr)> = Vec::new();
        for ns in nameservers {
            for ip in self.addresses(parent, ns).await {
                let addr = SocketAddr::new(ip, parent.options.authoritative_port);
                if !targets.iter().any(|(n, a)| n == ns && *a == addr) {
                    targets.push((ns.clone(), addr));
                }
            }
        }
        if targets.is_empty() {
            return None;
        }
        // an address listed under several NS names is one server: asked once
        let mut distinct: Vec<SocketAddr> = Vec::new();
        for (_, addr) in &targets {
            if !distinct.contains(addr) {
                distinct.push(*addr);
            }
        }
        let asks = distinct.iter().map(|addr| self.ask(parent, *addr, name, rtype));
        let answers = join_all(asks.collect()).await;
        Some(
            targets
                .into_iter()
                .map(|(nameserver, addr)| {
                    let at = distinct.iter().position(|a| *a == addr).unwrap_or_default();
                    ServerAnswer {
                        nameserver,
                        address: addr.ip(),
                        answer: answers.get(at).cloned().flatten(),
                    }
                })
                .collect(),
        )
    }

    fn ask<'a>(
        &'a self,
        parent: &'a LiveSource,
        addr: SocketAddr,
        name: &'a DomainName,
        rtype: RecordType,
    ) -> Pin<Box<dyn Future<Output = Option<Answer>> + Send + 'a>> {
        Box::pin(async move {
            if parent.addrs.contains(&addr) {
                return None;
            }
            if lock(&self.silent).contains(&addr) {
                return Some(Answer::Failed(LookupError::new(
                    FailureKind::Timeout,
                    addr.to_string(),
                    name,
                    rtype,
                    "not asked again: it answered no earlier question of this run",
                )));
            }
            let Some(source) = self.source(parent, addr) else {
                return Some(Answer::Failed(LookupError::new(
                    FailureKind::Other,
                    addr.to_string(),
                    name,
                    rtype,
                    "no source for this address",
                )));
            };
            let answer = source.lookup(name, rtype).await;
            if matches!(&answer, Answer::Failed(e) if e.kind == FailureKind::Timeout) {
                lock(&self.silent).insert(addr);
            }
            Some(answer)
        })
    }
}

/// Runs every future at once; their outputs in order.
async fn join_all<T>(mut futures: Vec<Pin<Box<dyn Future<Output = T> + Send + '_>>>) -> Vec<T> {
    let mut out: Vec<Option<T>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, fut) in out.iter_mut().zip(futures.iter_mut()) {
            if slot.is_none() {
                match fut.as_mut().poll(cx) {
                    Poll::Ready(v) => *slot = Some(v),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    out.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sendlint_records::txt::TxtRecord;

    fn n(s: &str) -> DomainName {
        DomainName::parse(s).expect("name")
    }

    fn txt(values: &[&str]) -> Answer {
        Answer::Records {
            records: values
                .iter()
                .map(|v| RData::Txt(TxtRecord { strings: vec![v.as_bytes().to_vec()] }))
                .collect(),
            cnames: Vec::new(),
            ttl: 300,
        }
    }

    fn at(ns: &str, answer: Option<Answer>) -> ServerAnswer {
        ServerAnswer { nameserver: n(ns), address: IpAddr::from([127, 0, 0, 1]), answer }
    }

    #[test]
    fn the_same_records_in_another_order_are_the_same() {
        assert_eq!(served(&txt(&["a", "b"])), served(&txt(&["b", "a"])));
        assert_ne!(served(&txt(&["a"])), served(&txt(&["a "])));
        let none = Answer::NoData { soa: None, cnames: Vec::new() };
        let nx = Answer::NxDomain { soa: None, cnames: Vec::new() };
        assert_eq!(served(&none), served(&nx));
        assert_eq!(served(&none), Some(Served::Records(Vec::new())));
    }

    #[test]
    fn a_cname_is_compared_by_its_target_only() {
        let alias = |records: Vec<RData>| Answer::Records {
            records,
            cnames: vec![(n("a.test"), n("B.Elsewhere.test"))],
            ttl: 1,
        };
        let with = alias(vec![RData::Txt(TxtRecord { strings: vec![b"x".to_vec()] })]);
        assert_eq!(served(&with), served(&alias(Vec::new())));
    }

    #[test]
    fn published_is_what_every_answering_server_serves() {
        let failed =
            Answer::Failed(LookupError::new(FailureKind::Timeout, "x", &n("a.test"), RecordType::Txt, ""));
        let agree = [at("ns1.test", Some(txt(&["v"]))), at("ns2.test", Some(failed.clone()))];
        assert_eq!(published(&agree, None), Some(txt(&["v"])));
        let differ = [at("ns1.test", Some(txt(&["v"]))), at("ns2.test", Some(txt(&["w"])))];
        assert_eq!(published(&differ, None), None);
        // the source's own answer stands for the address it asks
        let own = [at("ns1.test", None), at("ns2.test", Some(txt(&["v"])))];
        assert_eq!(published(&own, Some(&txt(&["v"]))), Some(txt(&["v"])));
        assert_eq!(published(&own, Some(&txt(&["old"]))), None);
        assert_eq!(published(&[at("ns1.test", Some(failed))], None), None);
    }
}
