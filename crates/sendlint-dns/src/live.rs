//! [`LiveSource`]: answers from live DNS servers through hickory-resolver.
//!
//! hickory's `Resolver` caches, follows CNAMEs on its own and folds negative
//! answers into errors; sendlint needs the raw answer instead (the SOA owner of
//! a negative answer, the CNAME chain as served, which server failed and how).
//! So this source reads each response itself, from one of two transports:
//! servers given explicitly (`--nameserver`, a zone's authoritative servers)
//! are asked through the lean transport of [`crate::wire`]; the system
//! resolver through hickory-resolver's `NameServerPool` (UDP with EDNS, TCP
//! fallback on truncation, server rotation) under a `RetryDnsHandle`. Both
//! hand the same reader a response shaped by `DnsError::from_response`.

mod each_server;

use crate::wire::{Asker, Wire, WireStats};
use crate::{Answer, BoxFuture, FailureKind, Lookup, LookupError, RData, RecordType, Soa, SourceInfo};
use futures_core::Stream;
use hickory_resolver::config::{NameServerConfig, ResolverOpts};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::xfer::{DnsHandle, FirstAnswer, RetryDnsHandle};
use hickory_resolver::net::{DnsError, NetError, NoRecords};
use hickory_resolver::proto::op::{DnsRequest, DnsRequestOptions, DnsResponse, Query, ResponseCode};
use hickory_resolver::proto::rr::{self as hrr, Name};
use hickory_resolver::{NameServerPool, PoolContext, TlsConfig};
use sendlint_records::mx::MxRecord;
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

/// How many CNAMEs a lookup follows before giving up (as the zone source).
const MAX_CNAMES: usize = 8;

/// Timeouts and retries of a [`LiveSource`].
#[derive(Clone, Debug)]
pub struct LiveOptions {
    /// How long one try waits for an answer. For servers given explicitly
    /// the question is sent again sooner (after 200 ms, then twice as long
    /// each time, at most `timeout`), within the same total wait
    /// `timeout × attempts`; a TCP exchange after truncation gets `timeout`.
    pub timeout: Duration,
    /// How many tries a question gets in all (at least 1); for servers given
    /// explicitly, how many `timeout`s a question may wait in all.
    pub attempts: usize,
    /// Ask for recursion (off for the authoritative servers of a zone).
    pub recursion_desired: bool,
    /// The port of a zone's authoritative servers (53; tests point it elsewhere).
    pub authoritative_port: u16,
}

impl Default for LiveOptions {
    /// Suited to interactive use: 2 s, 2 tries.
    fn default() -> Self {
        LiveOptions {
            timeout: Duration::from_secs(2),
            attempts: 2,
            recursion_desired: true,
            authoritative_port: 53,
        }
    }
}

/// The live source could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// `/etc/resolv.conf` (or the platform's equivalent) could not be read.
    #[error("cannot read the system resolver configuration: {0}")]
    SystemConfig(String),
    /// No server to ask.
    #[error("no DNS server to ask")]
    NoServers,
}

/// A `--nameserver` value that is not an address: what [`parse_nameserver`] refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not IP[:PORT] (e.g. 127.0.0.1:5353 or [::1]:53)")]
pub struct NameserverError {
    /// The text given, trimmed.
    pub text: String,
}

/// Parses `IP`, `IP:PORT`, `[IPv6]:PORT` (port 53 when absent).
pub fn parse_nameserver(text: &str) -> Result<SocketAddr, NameserverError> {
    let text = text.trim();
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    let bare = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')).unwrap_or(text);
    match bare.parse::<IpAddr>() {
        Ok(ip) => Ok(SocketAddr::new(ip, 53)),
        Err(_) => Err(NameserverError { text: text.to_owned() }),
    }
}

type Handle = RetryDnsHandle<FinalRefused<NameServerPool<TokioRuntimeProvider>>>;

/// Answers from live DNS servers: the system resolver or given servers
/// (recursive or authoritative).
///
/// - Positive answers keep TXT character-strings byte-exact and the CNAME
///   chain as served; a chain the server did not complete (an authoritative
///   server whose zone does not hold the target) is followed by asking for the
///   target; a target the server refuses ends the chain with no records, as
///   the zone source does for a chain that leaves its zones.
/// - NXDOMAIN and NODATA are answers, with the SOA of the authority section
///   (its owner is the zone apex).
/// - SERVFAIL, REFUSED, timeouts, truncation that TCP could not complete, a
///   referral from a server that does not recurse, and anything else are
///   [`Answer::Failed`] naming the server(s) and the question.
pub struct LiveSource {
    backend: Backend,
    /// The sockets and counters of this source and its authoritative sub-sources.
    pub(crate) wire: Arc<Wire>,
    /// The servers, for failure messages.
    server: String,
    pub(crate) options: LiveOptions,
    /// Authoritative sources by NS set, built on first use.
    authorities: Mutex<HashMap<Vec<DomainName>, Option<Arc<LiveSource>>>>,
    /// The servers asked (a zone served by one of them needs no re-ask).
    pub(crate) addrs: Vec<SocketAddr>,
    /// The zone's servers one by one: NS addresses, one sub-source per address.
    servers: each_server::Servers,
    /// An answer without the authoritative (AA) flag is a failure (the
    /// sub-sources asking one authoritative server each).
    pub(crate) require_aa: bool,
}

/// How a [`LiveSource`] reaches its servers.
enum Backend {
    /// hickory-resolver (the system resolver).
    Resolver(Box<Handle>),
    /// The lean transport (servers given explicitly).
    Wire(Asker),
}

impl std::fmt::Debug for LiveSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveSource").field("server", &self.server).field("options", &self.options).finish()
    }
}

impl LiveSource {
    /// Asks these servers (UDP with TCP fallback), in the order given.
    pub fn new(servers: &[SocketAddr], options: LiveOptions) -> Result<LiveSource, LiveError> {
        LiveSource::on_wire(servers, options, Arc::new(Wire::default()))
    }

    /// [`LiveSource::new`] sharing `wire` (sockets and counters).
    pub(crate) fn on_wire(
        servers: &[SocketAddr],
        options: LiveOptions,
        wire: Arc<Wire>,
    ) -> Result<LiveSource, LiveError> {
        if servers.is_empty() {
            return Err(LiveError::NoServers);
        }
        let label = servers.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
        let attempts = u32::try_from(options.attempts.max(1)).unwrap_or(u32::MAX);
        let asker = Asker {
            wire: wire.clone(),
            servers: servers.to_vec(),
            per_try: options.timeout,
            budget: options.timeout.saturating_mul(attempts),
            recursion_desired: options.recursion_desired,
        };
        Ok(LiveSource {
            backend: Backend::Wire(asker),
            wire,
            server: label,
            options,
            authorities: Mutex::new(HashMap::new()),
            servers: each_server::Servers::default(),
            require_aa: false,
            addrs: servers.to_vec(),
        })
    }

    /// What went on the wire so far, this source's and its authoritative
    /// sub-sources' questions together; `None` for the system resolver
    /// (hickory-resolver's sends are not counted).
    pub fn wire_stats(&self) -> Option<WireStats> {
        matches!(self.backend, Backend::Wire(_)).then(|| self.wire.stats())
    }

    /// The system resolver (`/etc/resolv.conf`).
    pub fn system(options: LiveOptions) -> Result<LiveSource, LiveError> {
        let (config, _) = hickory_resolver::system_conf::read_system_conf()
            .map_err(|e| LiveError::SystemConfig(e.to_string()))?;
        let (_, _, servers) = config.into_parts();
        if servers.is_empty() {
            return Err(LiveError::NoServers);
        }
        let mut addrs: Vec<String> = Vec::new();
        for s in &servers {
            let port = s.connections.first().map_or(53, |c| c.port);
            let a = SocketAddr::new(s.ip, port).to_string();
            if !addrs.contains(&a) {
                addrs.push(a);
            }
        }
        let label = format!("the system resolver ({})", addrs.join(", "));
        Ok(LiveSource::from_configs(servers, label, options))
    }

    fn from_configs(servers: Vec<NameServerConfig>, label: String, options: LiveOptions) -> LiveSource {
        let addrs = servers
            .iter()
            .flat_map(|s| s.connections.iter().map(|c| SocketAddr::new(s.ip, c.port)))
            .collect();
        let mut opts = ResolverOpts::default();
        opts.timeout = options.timeout;
        opts.attempts = options.attempts.max(1);
        opts.edns0 = true;
        opts.recursion_desired = options.recursion_desired;
        opts.case_randomization = false;
        opts.cache_size = 0;
        let cx = Arc::new(PoolContext::new(opts, no_tls()));
        let pool = NameServerPool::from_config(servers, cx, TokioRuntimeProvider::default());
        LiveSource {
            backend: Backend::Resolver(Box::new(RetryDnsHandle::new(
                FinalRefused(pool),
                options.attempts.max(1) - 1,
            ))),
            wire: Arc::new(Wire::default()),
            server: label,
            options,
            authorities: Mutex::new(HashMap::new()),
            servers: each_server::Servers::default(),
            require_aa: false,
            addrs,
        }
    }

    /// The servers asked, as failure messages name them.
    pub fn server(&self) -> &str {
        &self.server
    }

    fn failed(&self, kind: FailureKind, name: &DomainName, rtype: RecordType, detail: String) -> Answer {
        Answer::Failed(LookupError::new(kind, self.server.clone(), name, rtype, detail))
    }

    /// One question, one response, read as an [`Answer`] (CNAMEs not chased).
    async fn ask(&self, name: &DomainName, rtype: RecordType) -> Step {
        let Some(qname) = to_hickory_name(name) else {
            return Step::Done(self.failed(FailureKind::Other, name, rtype, "name not representable".into()));
        };
        let query = Query::query(qname, to_hickory_type(rtype));
        let result = match &self.backend {
            Backend::Wire(asker) => asker.exchange(query).await,
            Backend::Resolver(handle) => {
                let mut opts = DnsRequestOptions::default();
                opts.use_edns = true;
                opts.recursion_desired = self.options.recursion_desired;
                opts.case_randomization = false;
                handle.lookup(query, opts).first_answer().await
            }
        };
        match result {
            Ok(response) => self.read_response(name, rtype, &response),
            Err(err) => Step::Done(self.read_error(name, rtype, err)),
        }
    }

    fn read_error(&self, name: &DomainName, rtype: RecordType, err: NetError) -> Answer {
        match err {
            NetError::Dns(DnsError::NoRecordsFound(no)) => self.read_negative(name, rtype, &no),
            NetError::Dns(DnsError::ResponseCode(code)) => {
                let kind = match code {
                    ResponseCode::ServFail => FailureKind::ServFail,
                    ResponseCode::Refused => FailureKind::Refused,
                    _ => FailureKind::Other,
                };
                let detail =
                    if kind == FailureKind::Other { format!("response code {code}") } else { String::new() };
                self.failed(kind, name, rtype, detail)
            }
            NetError::Timeout => self.failed(
                FailureKind::Timeout,
                name,
                rtype,
                format!(
                    "no answer within {} ms ({} tr{})",
                    self.options.timeout.as_millis(),
                    self.options.attempts,
                    if self.options.attempts == 1 { "y" } else { "ies" }
                ),
            ),
            NetError::Truncated => self.failed(
                FailureKind::Truncated,
                name,
                rtype,
                "the UDP answer was truncated and TCP did not complete it".into(),
            ),
            // I/O and connection-level errors (a TCP stream closed under a
            // write, hickory's own "receiver was canceled"): the exchange broke off
            err @ (NetError::Io(_)
            | NetError::Msg(_)
            | NetError::Message(_)
            | NetError::Busy
            | NetError::NoConnections) => self.failed(
                FailureKind::Other,
                name,
                rtype,
                format!("the exchange with the server broke off ({err})"),
            ),
            other => self.failed(FailureKind::Other, name, rtype, other.to_string()),
        }
    }

    fn read_negative(&self, name: &DomainName, rtype: RecordType, no: &NoRecords) -> Answer {
        let soa = no.soa.as_deref().and_then(|r| {
            Some(Soa {
                zone: from_hickory_name(&r.name)?,
                mname: from_hickory_name(&r.data.mname)?,
                serial: Some(r.data.serial),
                minimum: r.data.minimum,
                ttl: r.ttl,
            })
        });
        match no.response_code {
            ResponseCode::NXDomain => Answer::NxDomain { soa, cnames: Vec::new() },
            ResponseCode::NoError if soa.is_none() && no.ns.is_some() => {
                // a referral: the server does not hold the name and will not recurse
                let servers: Vec<String> = no
                    .ns
                    .iter()
                    .flat_map(|ns| ns.iter())
                    .filter_map(|d| match &d.ns.data {
                        hrr::RData::NS(n) => from_hickory_name(&n.0).map(|n| n.to_string()),
                        _ => None,
                    })
                    .collect();
                self.failed(
                    FailureKind::NotCovered,
                    name,
                    rtype,
                    format!("referred to {} (the server does not recurse)", servers.join(", ")),
                )
            }
            ResponseCode::NoError => Answer::NoData { soa, cnames: Vec::new() },
            // [`FinalRefused`] hands REFUSED over as a final answer (never retried)
            ResponseCode::Refused => self.failed(FailureKind::Refused, name, rtype, String::new()),
            code => self.failed(FailureKind::Other, name, rtype, format!("response code {code}")),
        }
    }

    fn read_response(&self, name: &DomainName, rtype: RecordType, response: &DnsResponse) -> Step {
        if response.truncation {
            return Step::Done(self.failed(
                FailureKind::Truncated,
                name,
                rtype,
                "the answer was truncated".into(),
            ));
        }
        if self.require_aa && !response.authoritative && !response.answers.is_empty() {
            return Step::Done(self.failed(
                FailureKind::NotCovered,
                name,
                rtype,
                "answered without the authoritative (AA) flag: the server does not serve the zone".into(),
            ));
        }
        let want = to_hickory_type(rtype);
        let mut current = name.clone();
        let mut cnames: Vec<(DomainName, DomainName)> = Vec::new();
        let mut ttl = u32::MAX;
        // walk the chain as served, in answer order, loop-safe
        while rtype != RecordType::Cname && cnames.len() <= MAX_CNAMES {
            let next = response.answers.iter().find_map(|r| match &r.data {
                hrr::RData::CNAME(c) if same_name(&r.name, &current) => {
                    Some((from_hickory_name(&c.0)?, r.ttl))
                }
                _ => None,
            });
            let Some((target, t)) = next else { break };
            if target == *name || cnames.iter().any(|(alias, _)| *alias == target) {
                return Step::Done(self.failed(FailureKind::Other, name, rtype, "CNAME loop".into()));
            }
            ttl = ttl.min(t);
            cnames.push((current, target.clone()));
            current = target;
        }
        let mut records = Vec::new();
        for r in response.answers.iter().filter(|r| r.record_type() == want && same_name(&r.name, &current)) {
            ttl = ttl.min(r.ttl);
            match from_hickory_rdata(&r.name, r.ttl, &r.data) {
                Some(rd) => records.push(rd),
                None => {
                    return Step::Done(self.failed(
                        FailureKind::Other,
                        name,
                        rtype,
                        format!("malformed {} record in the answer", rtype),
                    ));
                }
            }
        }
        if records.is_empty()
            && let Some(stranger) = response.answers.iter().find(|r| {
                (r.record_type() == want || r.record_type() == hrr::RecordType::CNAME)
                    && !same_name(&r.name, &current)
                    && !cnames.iter().any(|(alias, _)| same_name(&r.name, alias))
            })
        {
            // Records of another name are no answer to this question: reading
            // them as "none here" would report a missing record.
            let owner = from_hickory_name(&stranger.name)
                .map_or_else(|| stranger.name.to_string(), |n| n.to_string());
            return Step::Done(self.failed(
                FailureKind::Other,
                name,
                rtype,
                format!("the answer holds {} records of {owner}, not of {current}", stranger.record_type()),
            ));
        }
        let soa = response.soa().and_then(|r| {
            Some(Soa {
                zone: from_hickory_name(r.name())?,
                mname: from_hickory_name(&r.data().mname)?,
                serial: Some(r.data().serial),
                minimum: r.data().minimum,
                ttl: r.ttl(),
            })
        });
        if response.response_code == ResponseCode::NXDomain {
            // a dangling alias: the chain is part of the answer
            return Step::Done(Answer::NxDomain { soa, cnames });
        }
        if !records.is_empty() {
            return Step::Done(Answer::Records { records, cnames, ttl });
        }
        if cnames.is_empty() {
            return Step::Done(Answer::NoData { soa, cnames });
        }
        Step::Chase { cnames, ttl, target: current }
    }
}

/// What one response says.
enum Step {
    Done(Answer),
    /// A CNAME chain the server did not complete.
    Chase {
        cnames: Vec<(DomainName, DomainName)>,
        ttl: u32,
        target: DomainName,
    },
}

fn no_tls() -> TlsConfig {
    // without a TLS feature `TlsConfig::new` cannot fail; keep no panic path anyway
    TlsConfig::new().unwrap_or(TlsConfig {})
}

impl Lookup for LiveSource {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            let mut chain: Vec<(DomainName, DomainName)> = Vec::new();
            let mut ttl = u32::MAX;
            let mut at = name.clone();
            loop {
                match self.ask(&at, rtype).await {
                    Step::Done(answer) if chain.is_empty() => return answer,
                    Step::Done(Answer::Records { records, cnames, ttl: t }) => {
                        chain.extend(cnames);
                        return Answer::Records { records, cnames: chain, ttl: ttl.min(t) };
                    }
                    // the chain leads out of what this server answers
                    Step::Done(Answer::Failed(e))
                        if matches!(e.kind, FailureKind::Refused | FailureKind::NotCovered) =>
                    {
                        return Answer::Records { records: Vec::new(), cnames: chain, ttl };
                    }
                    Step::Done(Answer::Failed(e)) => {
                        return self.failed(e.kind, name, rtype, format!("following CNAME to {at}: {e}"));
                    }
                    Step::Done(Answer::NoData { soa, cnames }) => {
                        chain.extend(cnames);
                        return Answer::NoData { soa, cnames: chain };
                    }
                    Step::Done(Answer::NxDomain { soa, cnames }) => {
                        chain.extend(cnames);
                        return Answer::NxDomain { soa, cnames: chain };
                    }
                    Step::Chase { cnames, ttl: t, target } => {
                        ttl = ttl.min(t);
                        for link in cnames {
                            if chain.iter().any(|(alias, _)| *alias == link.1) || link.1 == *name {
                                return self.failed(FailureKind::Other, name, rtype, "CNAME loop".into());
                            }
                            chain.push(link);
                        }
                        if chain.len() > MAX_CNAMES {
                            return self.failed(
                                FailureKind::Other,
                                name,
                                rtype,
                                format!("CNAME chain longer than {MAX_CNAMES} links"),
                            );
                        }
                        at = target;
                    }
                }
            }
        })
    }

    fn authoritative<'a>(
        &'a self,
        nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Answer>> {
        Box::pin(async move {
            let source = self.authority(nameservers).await?;
            Some(source.lookup(name, rtype).await)
        })
    }

    fn each_server<'a>(
        &'a self,
        nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Vec<crate::ServerAnswer>>> {
        Box::pin(self.servers.each_server(self, nameservers, name, rtype))
    }

    fn signed<'a>(
        &'a self,
        name: &'a DomainName,
        rtype: hrr::RecordType,
    ) -> BoxFuture<'a, crate::dnssec::SignedAnswer> {
        Box::pin(self.ask_signed(name, rtype))
    }

    fn wire_stats(&self) -> Option<WireStats> {
        LiveSource::wire_stats(self)
    }

    fn describe(&self) -> SourceInfo {
        match self.backend {
            // the addresses are in its failures, not in its name
            Backend::Resolver(_) => SourceInfo::network("the system resolver"),
            Backend::Wire(_) => SourceInfo::network(self.server.clone()),
        }
    }
}

impl LiveSource {
    /// A source asking the zone's own servers (their addresses resolved here),
    /// without recursion; `None` when no address is known, or when the server
    /// this source asks is itself one of them: its answers are the zone's
    /// own, there is no cache to compare with, and a re-ask would only repeat
    /// the question. (An AA bit is not trusted for this: forwarders pass it
    /// through from upstream and test doubles set it; an address is exact.)
    async fn authority(&self, nameservers: &[DomainName]) -> Option<Arc<LiveSource>> {
        if nameservers.is_empty() {
            return None;
        }
        let mut key = nameservers.to_vec();
        key.sort_by_cached_key(ToString::to_string);
        if let Ok(map) = self.authorities.lock()
            && let Some(found) = map.get(&key)
        {
            return found.clone();
        }
        let mut addrs: Vec<SocketAddr> = Vec::new();
        for ns in &key {
            // shared with the per-server view: each NS name is resolved once per run
            for ip in self.servers.addresses(self, ns).await {
                let addr = SocketAddr::new(ip, self.options.authoritative_port);
                if !addrs.contains(&addr) {
                    addrs.push(addr);
                }
            }
        }
        let options = LiveOptions { recursion_desired: false, ..self.options.clone() };
        let asked_already = addrs.iter().any(|a| self.addrs.contains(a));
        let source = if asked_already {
            None
        } else {
            LiveSource::on_wire(&addrs, options, self.wire.clone()).ok().map(Arc::new)
        };
        if let Ok(mut map) = self.authorities.lock() {
            map.insert(key, source.clone());
        }
        source
    }
}

/// A REFUSED answer is final: the server will not answer this question, and
/// asking it again only costs a round trip. `RetryDnsHandle` retries every
/// response-code error, so REFUSED is handed to it as a negative answer
/// (which it never retries) and read back as [`FailureKind::Refused`].
#[derive(Clone)]
struct FinalRefused<H>(H);

impl<H: DnsHandle> DnsHandle for FinalRefused<H> {
    type Response = RefusedIsFinal<H::Response>;
    type Runtime = H::Runtime;

    fn send(&self, request: DnsRequest) -> Self::Response {
        let query = request.queries.first().cloned().unwrap_or_default();
        RefusedIsFinal { inner: self.0.send(request), query }
    }
}

/// The response stream of [`FinalRefused`].
struct RefusedIsFinal<S> {
    inner: S,
    query: Query,
}

impl<S: Stream<Item = Result<DnsResponse, NetError>> + Unpin> Stream for RefusedIsFinal<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_next(cx) {
            Poll::Ready(Some(Err(NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused))))) => {
                let refused = NoRecords::new(this.query.clone(), ResponseCode::Refused);
                Poll::Ready(Some(Err(NetError::Dns(DnsError::NoRecordsFound(refused)))))
            }
            other => other,
        }
    }
}

fn same_name(a: &Name, b: &DomainName) -> bool {
    from_hickory_name(a).is_some_and(|a| a == *b)
}

pub(crate) use crate::hnames::{from_hickory_name, to_hickory_name, to_hickory_type};

/// hickory's record data → ours; `None` for data sendlint cannot hold.
fn from_hickory_rdata(owner: &Name, ttl: u32, data: &hrr::RData) -> Option<RData> {
    Some(match data {
        hrr::RData::A(a) => RData::A(a.0),
        hrr::RData::AAAA(a) => RData::Aaaa(a.0),
        hrr::RData::MX(mx) => {
            RData::Mx(MxRecord { preference: mx.preference, exchange: from_hickory_name(&mx.exchange)? })
        }
        hrr::RData::TXT(txt) => {
            RData::Txt(TxtRecord { strings: txt.txt_data.iter().map(|s| s.to_vec()).collect() })
        }
        hrr::RData::CNAME(c) => RData::Cname(from_hickory_name(&c.0)?),
        hrr::RData::NS(ns) => RData::Ns(from_hickory_name(&ns.0)?),
        hrr::RData::SOA(soa) => RData::Soa(Soa {
            zone: from_hickory_name(owner)?,
            mname: from_hickory_name(&soa.mname)?,
            serial: Some(soa.serial),
            minimum: soa.minimum,
            ttl,
        }),
        _ => return None,
    })
}

impl LiveSource {
    /// One question with the DO and CD bits ([`crate::Lookup::signed`]),
    /// through the lean transport: the system resolver's addresses are asked
    /// directly, since hickory's pool cannot set CD.
    async fn ask_signed(&self, name: &DomainName, rtype: hrr::RecordType) -> crate::dnssec::SignedAnswer {
        let fail = |kind: FailureKind, detail: String| {
            let mut e = LookupError::new(kind, self.server.clone(), name, RecordType::Txt, detail);
            e.query = format!("{rtype} {name}");
            Some(Err(e))
        };
        let Some(qname) = to_hickory_name(name) else {
            return fail(FailureKind::Other, "name not representable".into());
        };
        let asker = match &self.backend {
            Backend::Wire(asker) => asker.clone(),
            Backend::Resolver(_) => {
                let attempts = u32::try_from(self.options.attempts.max(1)).unwrap_or(u32::MAX);
                Asker {
                    wire: self.wire.clone(),
                    servers: self.addrs.clone(),
                    per_try: self.options.timeout,
                    budget: self.options.timeout.saturating_mul(attempts),
                    recursion_desired: self.options.recursion_desired,
                }
            }
        };
        match asker.exchange_signed(Query::query(qname, rtype)).await {
            Ok(response) => Some(Ok(crate::dnssec::Signed {
                nxdomain: response.response_code == ResponseCode::NXDomain,
                answer: response.answers.clone(),
                authority: response.authorities.clone(),
            })),
            Err(err) => match self.read_error(name, RecordType::Txt, err) {
                Answer::Failed(mut e) => {
                    e.query = format!("{rtype} {name}");
                    Some(Err(e))
                }
                _ => fail(FailureKind::Other, "unexpected answer".into()),
            },
        }
    }
}
