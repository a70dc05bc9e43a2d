//! Test-only DNS servers: an in-process hickory-server (`Server` over a
//! `Catalog` of `InMemoryZoneHandler`s) serving zone text on a loopback
//! address, port 0, over UDP and TCP, and modes that misbehave on purpose
//! (SERVFAIL, REFUSED, silence, truncation on UDP, TCP closed unanswered,
//! answers owned by another name, and over UDP: a first packet dropped, a
//! stray answer with another ID, another question or from another port
//! before the real one). It counts the questions it receives.
//!
//! The zones are loaded with [`ZoneSource`] (the offline source) and handed
//! to hickory-server record by record, so live and offline runs read the very
//! same bytes; the answering (negative answers, SOA, CNAMEs, wildcards,
//! referrals) is hickory-server's own.

use hickory_proto::op::{Header, Message, Metadata, ResponseCode};
use hickory_proto::rr::rdata::{self, SOA};
use hickory_proto::rr::{LowerName, Name, RData as HData, Record};
use hickory_server::Server;
use hickory_server::net::runtime::Time;
use hickory_server::net::xfer::Protocol;
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, MessageResponseBuilder, ZoneType};
use sendlint_dns::{RData, RecordType, ZoneError, ZoneSource};
use sendlint_records::name::DomainName;
use std::collections::HashSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::thread::JoinHandle;
use std::time::Duration;

/// Why zones could not be served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// Zone file text did not parse.
    #[error(transparent)]
    Zone(#[from] ZoneError),
    /// A name hickory does not accept.
    #[error("{name}: {source}")]
    Name {
        /// The name.
        name: String,
        /// What hickory said.
        source: hickory_proto::ProtoError,
    },
    /// hickory's zone handler refused a record.
    #[error("hickory refused a record at {0}")]
    Refused(Name),
}

impl From<ServeError> for io::Error {
    fn from(e: ServeError) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, e)
    }
}

/// How a test server behaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Answers from its zones, authoritatively, without recursion.
    Normal,
    /// Answers every question SERVFAIL.
    ServFail,
    /// Answers every question REFUSED.
    Refused,
    /// Never answers (the client times out).
    Silent,
    /// Over UDP, answers with the TC bit set and no records; over TCP, normally.
    TruncateUdp,
    /// Like `TruncateUdp`, but listens on UDP only: TCP cannot complete the answer.
    TruncateNoTcp,
    /// Like `TruncateUdp`, but every TCP connection is closed after its first
    /// question, unanswered (a client writing on it afterwards gets EPIPE, and
    /// SIGPIPE unless it ignores that signal).
    TruncateThenCloseTcp,
    /// Answers the records of the question, but owned by another name
    /// (`wrong-owner.invalid.`); negative answers as `Normal`.
    WrongOwner,
    /// As `Normal`, but over UDP the first packet of each question (name and
    /// type) is dropped unanswered: only a client that sends it again gets
    /// an answer.
    DropFirst,
    /// As `Normal`, but over UDP each answer is preceded by a copy with
    /// another ID.
    WrongIdFirst,
    /// As `Normal`, but over UDP each answer is preceded by a copy whose
    /// question is another name (`other.` prepended).
    WrongQuestionFirst,
    /// As `Normal`, but over UDP each answer is preceded by a forged NXDOMAIN
    /// with the right ID and question, sent from another port.
    WrongSenderFirst,
}

impl Mode {
    /// Modes that put a UDP relay in front of the server.
    fn relayed(self) -> bool {
        matches!(
            self,
            Mode::DropFirst | Mode::WrongIdFirst | Mode::WrongQuestionFirst | Mode::WrongSenderFirst
        )
    }
}

/// The questions a server received (dropped ones included).
#[derive(Debug, Default)]
struct Counts {
    udp: AtomicU64,
    tcp: AtomicU64,
}

/// The owner name of every answer record in [`Mode::WrongOwner`].
pub const WRONG_OWNER: &str = "wrong-owner.invalid.";

/// A running test server; stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    catalog: Zones,
    counts: Arc<Counts>,
    asked: Asked,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    /// Serves `zones` on 127.0.0.1, a free port, UDP and TCP.
    pub fn start(zones: &ZoneSource, mode: Mode) -> io::Result<TestServer> {
        TestServer::start_on(IpAddr::V4(Ipv4Addr::LOCALHOST), zones, mode)
    }

    /// Serves zone file text (with `$ORIGIN`) on 127.0.0.1.
    pub fn from_text(texts: &[&str], mode: Mode) -> io::Result<TestServer> {
        let mut zones = ZoneSource::new();
        for (i, text) in texts.iter().enumerate() {
            let one = ZoneSource::from_text(&format!("zone{i}"), text, None).map_err(ServeError::from)?;
            zones.add(one);
        }
        TestServer::start(&zones, mode)
    }

    /// Serves `zones` on `ip` (any loopback address), a free port.
    pub fn start_on(ip: IpAddr, zones: &ZoneSource, mode: Mode) -> io::Result<TestServer> {
        TestServer::start_at(SocketAddr::new(ip, 0), zones, mode)
    }

    /// Serves `zones` on 127.0.0.1 normally, except that the questions in
    /// `failing` (a name, and one type or every type) get SERVFAIL: one
    /// server where some names time out and others answer, as test suites
    /// with per-name `TIMEOUT` data want.
    pub fn start_failing(
        zones: &ZoneSource,
        failing: &[(DomainName, Option<RecordType>)],
    ) -> io::Result<TestServer> {
        let failing = failing
            .iter()
            .map(|(n, t)| Ok((LowerName::new(&name(n)?), t.map(hickory_type))))
            .collect::<Result<Vec<_>, ServeError>>()?;
        TestServer::start_with(
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            zones,
            Mode::Normal,
            failing,
        )
    }

    /// Serves `zones` at `addr`; port 0 picks a free port (the same for UDP and
    /// TCP). A fixed port is for tests that cannot name one, such as the system
    /// resolver, whose resolv.conf has no port.
    pub fn start_at(addr: SocketAddr, zones: &ZoneSource, mode: Mode) -> io::Result<TestServer> {
        TestServer::start_with(addr, zones, mode, Vec::new())
    }

    fn start_with(
        addr: SocketAddr,
        zones: &ZoneSource,
        mode: Mode,
        failing: Vec<Failing>,
    ) -> io::Result<TestServer> {
        let catalog = catalog(zones)?;
        let zones = zones.clone();
        let catalog: Zones = Arc::new(RwLock::new(Arc::new(catalog)));
        let shared = catalog.clone();
        let asked: Asked = Arc::default();
        let log = asked.clone();
        let (udp, tcp) = if addr.port() == 0 {
            bind(addr.ip(), mode != Mode::TruncateNoTcp)?
        } else {
            let udp = std::net::UdpSocket::bind(addr)?;
            let tcp =
                if mode == Mode::TruncateNoTcp { None } else { Some(std::net::TcpListener::bind(addr)?) };
            (udp, tcp)
        };
        let addr = udp.local_addr()?;
        udp.set_nonblocking(true)?;
        if let Some(t) = &tcp {
            t.set_nonblocking(true)?;
        }
        let counts = Arc::new(Counts::default());
        let counting = counts.clone();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<()>>();
        let thread = std::thread::spawn(move || {
            let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return;
                }
            };
            rt.block_on(async move {
                let relay_counts = counting.clone();
                let mut server =
                    Server::new(TestHandler { catalog, mode, failing, zones, counts: counting, asked: log });
                let registered = (|| {
                    if mode.relayed() {
                        // the server answers on a socket of its own, behind the relay
                        let inner = std::net::UdpSocket::bind(SocketAddr::new(addr.ip(), 0))?;
                        inner.set_nonblocking(true)?;
                        let behind = inner.local_addr()?;
                        server.register_socket(tokio::net::UdpSocket::from_std(inner)?);
                        let front = Arc::new(tokio::net::UdpSocket::from_std(udp)?);
                        tokio::spawn(relay(front, behind, mode, relay_counts));
                    } else {
                        server.register_socket(tokio::net::UdpSocket::from_std(udp)?);
                    }
                    match tcp {
                        Some(tcp) if mode == Mode::TruncateThenCloseTcp => {
                            tokio::spawn(close_every_connection(tokio::net::TcpListener::from_std(tcp)?));
                        }
                        Some(tcp) => server.register_listener(
                            tokio::net::TcpListener::from_std(tcp)?,
                            Duration::from_secs(5),
                            64,
                        ),
                        None => {}
                    }
                    Ok(())
                })();
                let ok = registered.is_ok();
                let _ = ready_tx.send(registered);
                if ok {
                    let _ = stopped.await;
                }
                let _ = server.shutdown_gracefully().await;
            });
        });
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(TestServer {
                addr,
                catalog: shared,
                counts,
                asked,
                stop: Some(stop),
                thread: Some(thread),
            }),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(io::Error::other("the server thread ended before it was ready")),
        }
    }

    /// Where it listens (UDP; TCP on the same port unless `TruncateNoTcp`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The questions received so far over UDP (every packet, answered,
    /// dropped or not) and over TCP.
    pub fn received(&self) -> (u64, u64) {
        (self.counts.udp.load(Ordering::SeqCst), self.counts.tcp.load(Ordering::SeqCst))
    }

    /// Serves `zones` from now on instead of the zones it had, without a
    /// restart: DNS data changing while a client watches it (propagation).
    pub fn replace_zones(&self, zones: &ZoneSource) -> Result<(), ServeError> {
        let next = Arc::new(catalog(zones)?);
        match self.catalog.write() {
            Ok(mut c) => *c = next,
            Err(poisoned) => *poisoned.into_inner() = next,
        }
        Ok(())
    }

    /// Every question received so far (UDP and TCP, retries included: what
    /// went over the wire), in arrival order, as `("name.", "TXT")` with the
    /// name lowercased.
    pub fn questions(&self) -> Vec<(String, String)> {
        match self.asked.lock() {
            Ok(q) => q.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// How many times `name` (with or without the final dot, any case) was
    /// asked with type `rtype` (e.g. `"TXT"`).
    pub fn asked(&self, name: &str, rtype: &str) -> usize {
        let want = format!("{}.", name.trim_end_matches('.').to_ascii_lowercase());
        self.questions().iter().filter(|(n, t)| *n == want && t.eq_ignore_ascii_case(rtype)).count()
    }

    /// Forgets the questions received so far.
    pub fn clear_questions(&self) {
        match self.asked.lock() {
            Ok(mut q) => q.clear(),
            Err(poisoned) => poisoned.into_inner().clear(),
        }
    }

    /// [`TestServer::replace_zones`] from zone file text (with `$ORIGIN`).
    pub fn replace_text(&self, texts: &[&str]) -> Result<(), ServeError> {
        let mut zones = ZoneSource::new();
        for (i, text) in texts.iter().enumerate() {
            zones.add(ZoneSource::from_text(&format!("zone{i}"), text, None)?);
        }
        self.replace_zones(&zones)
    }
}

/// The catalog a server answers from; replaced whole by `replace_zones`.
type Zones = Arc<RwLock<Arc<Catalog>>>;

/// The questions a server received: `("name.", "TYPE")`.
type Asked = Arc<std::sync::Mutex<Vec<(String, String)>>>;

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Accepts TCP connections and closes each after reading, without answering.
async fn close_every_connection(listener: tokio::net::TcpListener) {
    while let Ok((stream, _)) = listener.accept().await {
        // read the first question, then close (FIN): a client that reuses
        // the stream writes into a closed connection
        tokio::spawn(async move {
            let mut buf = [0u8; 512];
            let _ = tokio::time::timeout(Duration::from_millis(100), stream.readable()).await;
            let _ = stream.try_read(&mut buf);
            drop(stream);
        });
    }
}

/// The UDP front of the relayed modes: passes each question to the server
/// behind it and its answer back, misbehaving as `mode` says.
async fn relay(front: Arc<tokio::net::UdpSocket>, behind: SocketAddr, mode: Mode, counts: Arc<Counts>) {
    let mut seen: HashSet<(String, u16)> = HashSet::new();
    let mut buf = vec![0u8; 65_535];
    while let Ok((len, client)) = front.recv_from(&mut buf).await {
        let question = buf[..len].to_vec();
        if mode == Mode::DropFirst {
            let key = Message::from_vec(&question).ok().and_then(|m| {
                m.queries
                    .first()
                    .map(|q| (q.name().to_string().to_ascii_lowercase(), u16::from(q.query_type())))
            });
            if let Some(key) = key
                && seen.insert(key)
            {
                counts.udp.fetch_add(1, Ordering::SeqCst);
                continue;
            }
        }
        let front = front.clone();
        tokio::spawn(async move {
            let Ok(socket) = tokio::net::UdpSocket::bind(SocketAddr::new(behind.ip(), 0)).await else {
                return;
            };
            if socket.send_to(&question, behind).await.is_err() {
                return;
            }
            let mut buf = vec![0u8; 65_535];
            let Ok(Ok(len)) = tokio::time::timeout(Duration::from_secs(2), socket.recv(&mut buf)).await
            else {
                return;
            };
            let answer = &buf[..len];
            match mode {
                Mode::WrongIdFirst if len >= 2 => {
                    let mut stray = answer.to_vec();
                    stray[0] ^= 0x5a;
                    stray[1] ^= 0xa5;
                    let _ = front.send_to(&stray, client).await;
                }
                Mode::WrongQuestionFirst => {
                    if let Ok(mut m) = Message::from_vec(answer)
                        && let Some(q) = m.queries.first_mut()
                        && let Ok(other) = Name::from_ascii("other").and_then(|o| o.append_domain(q.name()))
                    {
                        q.name = other;
                        if let Ok(stray) = m.to_vec() {
                            let _ = front.send_to(&stray, client).await;
                        }
                    }
                }
                Mode::WrongSenderFirst => {
                    if let Ok(mut m) = Message::from_vec(answer) {
                        m.metadata.response_code = ResponseCode::NXDomain;
                        m.answers.clear();
                        if let Ok(forged) = m.to_vec() {
                            // from the relay's own socket: another port than the server's
                            let _ = socket.send_to(&forged, client).await;
                        }
                    }
                }
                _ => {}
            }
            let _ = front.send_to(answer, client).await;
        });
    }
}

/// A UDP socket on a free port of `ip`, and a TCP listener on the same port.
fn bind(ip: IpAddr, with_tcp: bool) -> io::Result<(std::net::UdpSocket, Option<std::net::TcpListener>)> {
    let mut last = None;
    for _ in 0..32 {
        let udp = std::net::UdpSocket::bind(SocketAddr::new(ip, 0))?;
        if !with_tcp {
            return Ok((udp, None));
        }
        match std::net::TcpListener::bind(udp.local_addr()?) {
            Ok(tcp) => return Ok((udp, Some(tcp))),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("no free port")))
}

/// The catalog of hickory zone handlers holding `zones`' records.
pub fn catalog(zones: &ZoneSource) -> Result<Catalog, ServeError> {
    let mut catalog = Catalog::new();
    for zone in zones.zones() {
        let origin = name(&zone.apex)?;
        let mut handler: InMemoryZoneHandler =
            InMemoryZoneHandler::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
        // a server needs an SOA; a zone file without one gets a stand-in
        let (mname, serial, minimum, soa_ttl) = match &zone.soa {
            Some(s) => (name(&s.mname)?, s.serial.unwrap_or(1), s.minimum, s.ttl),
            None => (origin.clone(), 1, 300, 300),
        };
        let rname = Name::from_ascii("hostmaster")
            .and_then(|h| h.append_domain(&origin))
            .map_err(|source| ServeError::Name { name: format!("hostmaster.{origin}"), source })?;
        let soa = SOA::new(mname, rname, serial, 3600, 600, 604_800, minimum);
        handler.upsert_mut(Record::from_rdata(origin.clone(), soa_ttl, HData::SOA(soa)), serial);
        for (owner, ttl, records) in &zone.rrsets {
            let owner = name(owner)?;
            for r in records {
                let Some(data) = hickory_data(r)? else { continue };
                if !handler.upsert_mut(Record::from_rdata(owner.clone(), *ttl, data), serial) {
                    return Err(ServeError::Refused(owner));
                }
            }
        }
        // records of other types only say "the name exists": a stand-in keeps that
        for owner in &zone.other_names {
            let srv = rdata::SRV::new(0, 0, 0, Name::root());
            handler.upsert_mut(Record::from_rdata(name(owner)?, 300, HData::SRV(srv)), serial);
        }
        catalog.upsert(LowerName::new(&origin), vec![Arc::new(handler)]);
    }
    Ok(catalog)
}

/// Ours → hickory's record data; `None` for the SOA (a server makes its own).
fn hickory_data(r: &RData) -> Result<Option<HData>, ServeError> {
    Ok(Some(match r {
        RData::Soa(_) => return Ok(None),
        RData::A(a) => HData::A(rdata::A(*a)),
        RData::Aaaa(a) => HData::AAAA(rdata::AAAA(*a)),
        RData::Mx(mx) => HData::MX(rdata::MX::new(mx.preference, name(&mx.exchange)?)),
        RData::Txt(t) => HData::TXT(rdata::TXT::from_bytes(t.strings.iter().map(Vec::as_slice).collect())),
        RData::Cname(c) => HData::CNAME(rdata::CNAME(name(c)?)),
        RData::Ns(n) => HData::NS(rdata::NS(name(n)?)),
    }))
}

fn name(n: &DomainName) -> Result<Name, ServeError> {
    let mut out =
        Name::from_labels(n.labels()).map_err(|source| ServeError::Name { name: n.to_string(), source })?;
    out.set_fqdn(true);
    Ok(out)
}

/// A question answered SERVFAIL: the name, and its type (`None`: every type).
type Failing = (LowerName, Option<hickory_proto::rr::RecordType>);

fn hickory_type(t: RecordType) -> hickory_proto::rr::RecordType {
    use hickory_proto::rr::RecordType as H;
    match t {
        RecordType::A => H::A,
        RecordType::Aaaa => H::AAAA,
        RecordType::Mx => H::MX,
        RecordType::Txt => H::TXT,
        RecordType::Cname => H::CNAME,
        RecordType::Ns => H::NS,
        RecordType::Soa => H::SOA,
    }
}

struct TestHandler {
    catalog: Zones,
    mode: Mode,
    failing: Vec<Failing>,
    zones: ZoneSource,
    counts: Arc<Counts>,
    asked: Asked,
}

impl TestHandler {
    fn fails(&self, request: &Request) -> bool {
        let Ok(info) = request.request_info() else { return false };
        let (qname, qtype) = (info.query.name(), info.query.query_type());
        self.failing.iter().any(|(n, t)| n == qname && t.is_none_or(|t| t == qtype))
    }

    /// The records of the question from the zones, owned by [`WRONG_OWNER`];
    /// `None` when the zones hold none (answered normally then).
    fn wrong_owner_answer(&self, request: &Request) -> Option<Vec<Record>> {
        let info = request.request_info().ok()?;
        let qname = Name::from(info.query.name());
        let ours = DomainName::from_labels(qname.iter()).ok()?;
        let rtype = match info.query.query_type() {
            hickory_proto::rr::RecordType::MX => sendlint_dns::RecordType::Mx,
            hickory_proto::rr::RecordType::TXT => sendlint_dns::RecordType::Txt,
            hickory_proto::rr::RecordType::A => sendlint_dns::RecordType::A,
            hickory_proto::rr::RecordType::NS => sendlint_dns::RecordType::Ns,
            _ => return None,
        };
        let sendlint_dns::Answer::Records { records, .. } = self.zones.answer(&ours, rtype) else {
            return None;
        };
        let owner = Name::from_ascii(WRONG_OWNER).ok()?;
        let out: Vec<Record> = records
            .iter()
            .filter_map(|r| hickory_data(r).ok().flatten())
            .map(|d| Record::from_rdata(owner.clone(), 300, d))
            .collect();
        (!out.is_empty()).then_some(out)
    }
}

impl TestHandler {
    /// The current catalog (the lock is held only to clone the `Arc`).
    fn catalog(&self) -> Arc<Catalog> {
        match self.catalog.read() {
            Ok(c) => c.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }
}

#[async_trait::async_trait]
impl RequestHandler for TestHandler {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        mut response_handle: R,
    ) -> ResponseInfo {
        let count = if request.protocol() == Protocol::Udp { &self.counts.udp } else { &self.counts.tcp };
        count.fetch_add(1, Ordering::SeqCst);
        if let Ok(info) = request.request_info() {
            let question =
                (info.query.name().to_string().to_ascii_lowercase(), info.query.query_type().to_string());
            match self.asked.lock() {
                Ok(mut q) => q.push(question),
                Err(poisoned) => poisoned.into_inner().push(question),
            }
        }
        let code = match self.mode {
            Mode::Normal if self.fails(request) => ResponseCode::ServFail,
            Mode::Normal
            | Mode::DropFirst
            | Mode::WrongIdFirst
            | Mode::WrongQuestionFirst
            | Mode::WrongSenderFirst => {
                return self.catalog().handle_request::<R, T>(request, response_handle).await;
            }
            Mode::WrongOwner => {
                let Some(answers) = self.wrong_owner_answer(request) else {
                    return self.catalog().handle_request::<R, T>(request, response_handle).await;
                };
                let mut metadata = Metadata::response_from_request(&request.metadata);
                metadata.authoritative = true;
                let response = MessageResponseBuilder::from_message_request(request).build(
                    metadata,
                    answers.iter(),
                    std::iter::empty(),
                    std::iter::empty(),
                    std::iter::empty(),
                );
                return response_handle
                    .send_response(response)
                    .await
                    .unwrap_or_else(|_| no_response(request));
            }
            Mode::TruncateUdp | Mode::TruncateNoTcp | Mode::TruncateThenCloseTcp
                if request.protocol() != Protocol::Udp =>
            {
                return self.catalog().handle_request::<R, T>(request, response_handle).await;
            }
            Mode::Silent => return no_response(request),
            Mode::ServFail => ResponseCode::ServFail,
            Mode::Refused => ResponseCode::Refused,
            Mode::TruncateUdp | Mode::TruncateNoTcp | Mode::TruncateThenCloseTcp => {
                let mut metadata = Metadata::response_from_request(&request.metadata);
                metadata.truncation = true;
                metadata.authoritative = true;
                let response =
                    MessageResponseBuilder::from_message_request(request).build_no_records(metadata);
                return response_handle
                    .send_response(response)
                    .await
                    .unwrap_or_else(|_| no_response(request));
            }
        };
        let response =
            MessageResponseBuilder::from_message_request(request).error_msg(&request.metadata, code);
        response_handle.send_response(response).await.unwrap_or_else(|_| no_response(request))
    }
}

fn no_response(request: &Request) -> ResponseInfo {
    ResponseInfo::from(Header {
        metadata: Metadata::response_from_request(&request.metadata),
        counts: Default::default(),
    })
}
