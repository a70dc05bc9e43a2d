//! The per-server view of a [`LiveSource`] ([`crate::Lookup::each_server`]):
//! each NS name's addresses resolved once per run (shared by every zone with
//! the same name servers, in-flight lookups coalesced), one non-recursive
//! sub-source per address on the source's own sockets (its questions counted
//! with the rest, an answer without the AA flag a failure), every address
//! asked at once, an address listed under several NS names asked once, the
//! resolver's own addresses not asked (their answer is the source's), and an
//! address that timed out not asked again in the same run.

use super::{LiveOptions, LiveSource};
use crate::{Answer, FailureKind, Lookup, LookupError, RData, RecordType, ServerAnswer};
use sendlint_records::name::DomainName;
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::Poll;
use tokio::sync::OnceCell;

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
