//! The lean transport of [`LiveSource`](crate::LiveSource) for servers given
//! explicitly (`--nameserver`, a zone's authoritative servers): DNS messages
//! of hickory-proto over a few long-lived UDP sockets, TCP on truncation.
//!
//! hickory-resolver's pool costs ~45 µs of CPU per question and a new UDP
//! socket each; an audit asks tens of thousands. Here:
//!
//! - one pool of [`SOCKETS`] unconnected UDP sockets per address family,
//!   shared by a source and every authoritative sub-source it builds, each
//!   bound to a port the OS picks at random; every try goes out on a socket
//!   picked at random, with a random ID, so neither the source port nor the
//!   ID is predictable;
//! - one receive loop per socket; an answer is taken only when its ID, its
//!   source address and its question (name, type, class) are those of a
//!   question in flight on that socket; anything else is dropped (and
//!   counted);
//! - one timer task for every deadline (a min-heap and a single sleep);
//! - tries: the first waits [`FIRST_WAIT`], each next one twice as long (at
//!   most `LiveOptions::timeout`), rotating over the servers, until the
//!   budget `timeout × attempts` is spent (the longest wait for a silent
//!   server); an answer to an earlier try still counts;
//! - TC: the same question over TCP with its own deadline (`timeout`);
//! - REFUSED is final (never asked again); SERVFAIL is asked of each other
//!   server once, never again of the same (RFC 9520: a resolver caches its
//!   failure anyway), then final.
//!
//! The result has the shape hickory's pool gives (`DnsError::from_response`),
//! so both backends feed the same response reader.

use hickory_proto::op::{DnsResponse, Edns, Header, Message, MessageType, Query, ResponseCode};
use hickory_proto::serialize::binary::{BinDecodable, BinDecoder};
use hickory_resolver::net::{DnsError, NetError};
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::hash::{BuildHasher, Hasher, RandomState};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::{Notify, mpsc};
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// UDP sockets per address family.
const SOCKETS: usize = 6;
/// How long the first try waits before the question is sent again.
const FIRST_WAIT: Duration = Duration::from_millis(200);
/// The EDNS payload size offered (hickory's default).
const PAYLOAD: u16 = hickory_proto::op::DEFAULT_MAX_PAYLOAD_LEN;

/// What went on the wire, counted as it happens.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    udp: AtomicU64,
    tcp: AtomicU64,
    timeouts: AtomicU64,
    dropped: AtomicU64,
}

/// A snapshot of what a live source (and its authoritative sub-sources) sent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct WireStats {
    /// UDP datagrams sent (every try, retransmissions included).
    pub udp: u64,
    /// Questions sent over TCP (after a truncated UDP answer).
    pub tcp: u64,
    /// UDP tries that got no answer in time.
    pub timeouts: u64,
    /// Datagrams received and dropped (no question in flight with that ID,
    /// another question, another sender, not a DNS response).
    pub dropped: u64,
}

/// How a source asks: its servers and its timing.
#[derive(Clone, Debug)]
pub(crate) struct Asker {
    pub(crate) wire: Arc<Wire>,
    pub(crate) servers: Vec<SocketAddr>,
    /// The longest wait of one try, and of the TCP exchange.
    pub(crate) per_try: Duration,
    /// All tries of one question together.
    pub(crate) budget: Duration,
    pub(crate) recursion_desired: bool,
}

/// The sockets and counters shared by a source and its sub-sources.
#[derive(Debug, Default)]
pub(crate) struct Wire {
    counters: Counters,
    pool: Mutex<Option<Arc<Pool>>>,
    random: RandomState,
    sequence: AtomicU64,
}

impl Wire {
    pub(crate) fn stats(&self) -> WireStats {
        let c = &self.counters;
        WireStats {
            udp: c.udp.load(Ordering::Relaxed),
            tcp: c.tcp.load(Ordering::Relaxed),
            timeouts: c.timeouts.load(Ordering::Relaxed),
            dropped: c.dropped.load(Ordering::Relaxed),
        }
    }

    /// 64 unpredictable bits: SipHash, keyed at random by the OS, of a counter.
    fn random(&self) -> u64 {
        let mut h = self.random.build_hasher();
        h.write_u64(self.sequence.fetch_add(1, Ordering::Relaxed));
        h.finish()
    }

    /// The pool of the current runtime. A runtime dropped takes its tasks and
    /// socket registrations with it (tests and `watch` run one source under
    /// several runtimes): a pool whose tasks ended is replaced.
    fn pool(self: &Arc<Self>) -> std::io::Result<Arc<Pool>> {
        let mut slot = lock(&self.pool);
        if let Some(pool) = slot.as_ref()
            && !pool.tasks.iter().any(JoinHandle::is_finished)
        {
            return Ok(pool.clone());
        }
        if let Some(old) = slot.take() {
            old.stop();
        }
        let pool = Pool::start(Arc::downgrade(self))?;
        *slot = Some(pool.clone());
        Ok(pool)
    }
}

impl Drop for Wire {
    fn drop(&mut self) {
        if let Some(pool) = lock(&self.pool).take() {
            pool.stop();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Sockets by index: IPv4 first, then IPv6.
type Key = (usize, u16);

#[derive(Debug)]
struct Pool {
    sockets: Vec<Arc<UdpSocket>>,
    v4: usize,
    pending: Mutex<HashMap<Key, Waiter>>,
    deadlines: Mutex<BinaryHeap<Reverse<(Instant, u64, Key)>>>,
    wake: Notify,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Debug)]
struct Waiter {
    server: SocketAddr,
    query: Query,
    /// Which try this is (a timer entry left from an earlier use of the key is stale).
    seq: u64,
    events: mpsc::UnboundedSender<Event>,
}

#[derive(Debug)]
enum Event {
    /// The whole response, as received, and its sender.
    Answer(Vec<u8>, SocketAddr),
    /// The try `seq` waited long enough.
    Expired(u64),
}

impl Pool {
    fn start(wire: std::sync::Weak<Wire>) -> std::io::Result<Arc<Pool>> {
        let bind = |addr: SocketAddr| -> std::io::Result<Arc<UdpSocket>> {
            let s = std::net::UdpSocket::bind(addr)?;
            s.set_nonblocking(true)?;
            Ok(Arc::new(UdpSocket::from_std(s)?))
        };
        let mut sockets = Vec::new();
        for _ in 0..SOCKETS {
            sockets.push(bind(SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)))?);
        }
        let v4 = sockets.len();
        // a host without IPv6 still asks IPv4 servers
        for _ in 0..SOCKETS {
            match bind(SocketAddr::from((Ipv6Addr::UNSPECIFIED, 0))) {
                Ok(s) => sockets.push(s),
                Err(_) => break,
            }
        }
        Ok(Arc::new_cyclic(|me: &std::sync::Weak<Pool>| {
            let mut tasks = Vec::new();
            for (i, s) in sockets.iter().enumerate() {
                tasks.push(tokio::spawn(receive(me.clone(), wire.clone(), i, s.clone())));
            }
            tasks.push(tokio::spawn(timer(me.clone())));
            Pool {
                sockets,
                v4,
                pending: Mutex::new(HashMap::new()),
                deadlines: Mutex::new(BinaryHeap::new()),
                wake: Notify::new(),
                tasks,
            }
        }))
    }

    fn stop(&self) {
        for t in &self.tasks {
            t.abort();
        }
    }

    /// The sockets that can reach `server`.
    fn family(&self, server: SocketAddr) -> std::ops::Range<usize> {
        if server.is_ipv4() { 0..self.v4 } else { self.v4..self.sockets.len() }
    }

    fn arm(&self, at: Instant, seq: u64, key: Key) {
        let mut heap = lock(&self.deadlines);
        let earliest = heap.peek().is_none_or(|Reverse((first, ..))| at < *first);
        heap.push(Reverse((at, seq, key)));
        drop(heap);
        if earliest {
            self.wake.notify_one();
        }
    }
}

/// Hands each datagram to the question it answers, or drops it.
async fn receive(
    pool: std::sync::Weak<Pool>,
    wire: std::sync::Weak<Wire>,
    index: usize,
    socket: Arc<UdpSocket>,
) {
    let mut buf = vec![0u8; 65_535];
    loop {
        let (len, from) = match socket.recv_from(&mut buf).await {
            Ok(got) => got,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::ConnectionRefused
                        | std::io::ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(_) => return,
        };
        let (Some(pool), Some(wire)) = (pool.upgrade(), wire.upgrade()) else { return };
        let bytes = &buf[..len];
        let taken = match head(bytes) {
            Some((id, question)) => {
                // left in place: the question ends its wait itself (a response
                // that does not decode whole is dropped there, and the try waits on)
                let pending = lock(&pool.pending);
                match pending.get(&(index, id)) {
                    Some(w) if w.server == from && same_question(&w.query, &question) => {
                        Some(w.events.send(Event::Answer(bytes.to_vec(), from)))
                    }
                    _ => None,
                }
            }
            None => None,
        };
        if taken.is_none() {
            wire.counters.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The ID and the only question of a response; `None` for anything else.
fn head(bytes: &[u8]) -> Option<(u16, Query)> {
    let mut decoder = BinDecoder::new(bytes);
    let header = Header::read(&mut decoder).ok()?;
    if header.metadata.message_type != MessageType::Response || header.counts.queries != 1 {
        return None;
    }
    let query = Query::read(&mut decoder).ok()?;
    Some((header.metadata.id, query))
}

/// Name (ASCII case-insensitive: no case randomization is asked), type, class.
fn same_question(a: &Query, b: &Query) -> bool {
    a.query_type() == b.query_type() && a.query_class() == b.query_class() && a.name() == b.name()
}

/// Tells each try whose deadline passed, all deadlines on one sleep.
async fn timer(pool: std::sync::Weak<Pool>) {
    // held for good: `Wire` aborts this task when it drops the pool
    let Some(p) = pool.upgrade() else { return };
    let sleep = tokio::time::sleep(Duration::from_secs(3600));
    tokio::pin!(sleep);
    loop {
        let now = Instant::now();
        let mut due = Vec::new();
        let next = {
            let mut heap = lock(&p.deadlines);
            while let Some(Reverse((at, seq, key))) = heap.peek().copied()
                && at <= now
            {
                heap.pop();
                due.push((seq, key));
            }
            heap.peek().map(|Reverse((at, ..))| *at)
        };
        if !due.is_empty() {
            let pending = lock(&p.pending);
            for (seq, key) in due {
                if let Some(w) = pending.get(&key)
                    && w.seq == seq
                {
                    let _ = w.events.send(Event::Expired(seq));
                }
            }
        }
        let wake = p.wake.notified();
        tokio::pin!(wake);
        match next {
            Some(at) => {
                sleep.as_mut().reset(at);
                tokio::select! {
                    () = &mut sleep => {}
                    () = &mut wake => {}
                }
            }
            None => wake.await,
        }
    }
}

/// The keys a question holds in the pending map, released however it ends
/// (answered, failed, or its future dropped).
struct Held<'a> {
    pool: &'a Pool,
    keys: Vec<Key>,
}

impl Drop for Held<'_> {
    fn drop(&mut self) {
        let mut pending = lock(&self.pool.pending);
        for k in &self.keys {
            pending.remove(k);
        }
    }
}

impl Asker {
    /// One question: an answer shaped as hickory's pool gives it.
    pub(crate) async fn exchange(&self, query: Query) -> Result<DnsResponse, NetError> {
        self.exchange_with(query, false).await
    }

    /// One question for DNSSEC validation: the DO bit (RRSIGs and NSEC
    /// proofs wanted) and the CD bit (a validating resolver hands bogus data
    /// over instead of SERVFAIL) set; NOERROR and NXDOMAIN responses come
    /// back whole (their authority section holds the proofs).
    pub(crate) async fn exchange_signed(&self, query: Query) -> Result<DnsResponse, NetError> {
        self.exchange_with(query, true).await
    }

    async fn exchange_with(&self, query: Query, signed: bool) -> Result<DnsResponse, NetError> {
        if self.servers.is_empty() {
            return Err(NetError::NoConnections);
        }
        let pool = self.wire.pool()?;
        let mut message = Message::query();
        message.metadata.recursion_desired = self.recursion_desired;
        message.queries.push(query.clone());
        message.edns.get_or_insert_with(Edns::new).set_max_payload(PAYLOAD).set_dnssec_ok(signed);
        message.metadata.checking_disabled = signed;
        // encoded once; each try writes its own ID into the first two bytes
        let mut packet = message.to_vec().map_err(|e| NetError::Msg(e.to_string()))?;
        let (events, mut inbox) = mpsc::unbounded_channel();
        let mut held = Held { pool: &pool, keys: Vec::new() };
        let end = Instant::now() + self.budget;
        let mut wait = FIRST_WAIT.min(self.per_try);
        let mut turn = 0usize;
        let mut servfail_from = Vec::new();
        loop {
            let server = self.servers[turn % self.servers.len()];
            let family = pool.family(server);
            if family.is_empty() {
                return Err(NetError::from(std::io::Error::other("no socket for this address family")));
            }
            let seq = self.wire.sequence.fetch_add(1, Ordering::Relaxed);
            let key = {
                let mut pending = lock(&pool.pending);
                let mut key = None;
                for _ in 0..64 {
                    let r = self.wire.random();
                    let k = (family.start + (r >> 16) as usize % family.len(), r as u16);
                    if !pending.contains_key(&k) {
                        key = Some(k);
                        break;
                    }
                }
                let Some(k) = key else { return Err(NetError::Busy) };
                pending.insert(k, Waiter { server, query: query.clone(), seq, events: events.clone() });
                k
            };
            held.keys.push(key);
            packet[..2].copy_from_slice(&key.1.to_be_bytes());
            let deadline = (Instant::now() + wait).min(end);
            pool.arm(deadline, seq, key);
            pool.sockets[key.0].send_to(&packet, server).await?;
            self.wire.counters.udp.fetch_add(1, Ordering::Relaxed);
            let answer = loop {
                match inbox.recv().await {
                    Some(Event::Answer(bytes, from)) => match DnsResponse::from_buffer(bytes) {
                        Ok(response) => break Some((response, from)),
                        Err(_) => {
                            self.wire.counters.dropped.fetch_add(1, Ordering::Relaxed);
                        }
                    },
                    Some(Event::Expired(s)) if s == seq => break None,
                    Some(Event::Expired(_)) => {}
                    None => break None,
                }
            };
            // (the answer may be to an earlier try, sent to another server)
            let Some((response, from)) = answer else {
                self.wire.counters.timeouts.fetch_add(1, Ordering::Relaxed);
                if Instant::now() >= end {
                    return Err(NetError::Timeout);
                }
                wait = (wait * 2).min(self.per_try);
                turn += 1;
                continue;
            };
            if response.truncation {
                return self.tcp(from, &query, &packet, signed).await;
            }
            if signed && matches!(response.response_code, ResponseCode::NoError | ResponseCode::NXDomain) {
                return Ok(response);
            }
            match DnsError::from_response(response) {
                Ok(response) => return Ok(response),
                Err(DnsError::ResponseCode(ResponseCode::ServFail)) => {
                    servfail_from.push(from);
                    let untried = (1..self.servers.len())
                        .map(|step| (turn + step) % self.servers.len())
                        .find(|&i| !servfail_from.contains(&self.servers[i]));
                    match untried {
                        Some(i) if Instant::now() < end => {
                            turn = i;
                            continue;
                        }
                        _ => return Err(DnsError::ResponseCode(ResponseCode::ServFail).into()),
                    }
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The question again over TCP, after a truncated UDP answer: its own
    /// deadline; anything short of a whole answer is [`NetError::Truncated`].
    async fn tcp(
        &self,
        server: SocketAddr,
        query: &Query,
        packet: &[u8],
        signed: bool,
    ) -> Result<DnsResponse, NetError> {
        self.wire.counters.tcp.fetch_add(1, Ordering::Relaxed);
        let id = self.wire.random() as u16;
        let mut framed = Vec::with_capacity(packet.len() + 2);
        framed.extend_from_slice(&u16::try_from(packet.len()).unwrap_or(u16::MAX).to_be_bytes());
        framed.extend_from_slice(packet);
        framed[2..4].copy_from_slice(&id.to_be_bytes());
        let exchange = async {
            let mut stream = TcpStream::connect(server).await.ok()?;
            stream.write_all(&framed).await.ok()?;
            // a stream may carry stray messages: read until ours (or the deadline)
            loop {
                let len = stream.read_u16().await.ok()?;
                let mut buf = vec![0u8; usize::from(len)];
                stream.read_exact(&mut buf).await.ok()?;
                if head(&buf).is_some_and(|(got, q)| got == id && same_question(query, &q)) {
                    return Some(buf);
                }
            }
        };
        let Ok(Some(bytes)) = tokio::time::timeout(self.per_try, exchange).await else {
            return Err(NetError::Truncated);
        };
        let response = DnsResponse::from_buffer(bytes).map_err(|e| NetError::Msg(e.to_string()))?;
        if response.truncation {
            return Err(NetError::Truncated);
        }
        if signed && matches!(response.response_code, ResponseCode::NoError | ResponseCode::NXDomain) {
            return Ok(response);
        }
        DnsError::from_response(response).map_err(NetError::from)
    }
}
