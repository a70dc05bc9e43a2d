//! DNS for sendlint: one lookup trait, answered offline from zone files
//! ([`ZoneSource`]) or a recording ([`ReplayLookup`]), or live
//! ([`LiveSource`]); the zone apex finder ([`find_zone`]) that works over any
//! [`Lookup`]; and the lookup stack ([`layer`]): layers over any source, each
//! doing one thing, built one method per layer ([`LookupExt`]).
//!
//! | layer | builder | what it does |
//! |---|---|---|
//! | [`CachingLookup`] | [`LookupExt::cached`] | one answer per question per run |
//! | [`RecordingLookup`] | [`LookupExt::recorded`] | keeps every answer used, to save for `--replay` |
//! | [`layer::Guarded`] | [`LookupExt::fail_fast`] | stops asking a server that never answers |
//! | [`layer::SharedLookup`] | [`LookupExt::shared`] | bounded concurrency, a rate limit, a bounded shared cache, in-flight coalescing |
//! | [`layer::CountingLookup`] | [`LookupExt::counted`] | shows each answer to a counter (a server's metrics) |
//!
//! A layer answers [`Lookup::lookup`] and names the lookup below it
//! ([`Lookup::wrapped`]); the rest of the trait ([`Lookup::authoritative`],
//! [`Lookup::wire_stats`], [`Lookup::describe`]) is asked of the layer below
//! unless the layer does it itself. So a whole stack describes itself as its
//! source does ([`SourceInfo`]: how failures name it, whether it answers from
//! memory), and counts what its source sent.
//!
//! Answers keep what diagnosis needs: TXT character-strings byte-exact, the
//! CNAME chain that was followed, and the SOA of negative answers (which is how
//! the zone apex is found).
//!
//! ```
//! use sendlint_dns::{Answer, Lookup, RData, RecordType, ZoneSource};
//! use sendlint_records::DomainName;
//!
//! let zone = ZoneSource::from_text(
//!     "acme.test.zone",
//!     "$ORIGIN acme.test.\n\
//!      @          300 SOA ns1 hostmaster 1 3600 600 604800 300\n\
//!      send.mail  300 TXT \"v=spf1 include:amazonses.com ~all\"\n",
//!     None,
//! )?;
//! let name = DomainName::parse("send.mail.acme.test")?;
//! let rt = tokio::runtime::Builder::new_current_thread().build()?;
//! let Answer::Records { records, .. } = rt.block_on(zone.lookup(&name, RecordType::Txt)) else {
//!     panic!("the zone has the record");
//! };
//! let [RData::Txt(txt)] = records.as_slice() else { panic!("one TXT record") };
//! assert_eq!(txt.data(), b"v=spf1 include:amazonses.com ~all");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A stack over the same zone: a recording of a cached source, counted.
//!
//! ```
//! use sendlint_dns::{Lookup, LookupExt, RecordType, SourceInfo, ZoneSource};
//! use sendlint_records::DomainName;
//! use std::sync::atomic::{AtomicUsize, Ordering};
//!
//! let zone = ZoneSource::from_text("acme.test.zone", "acme.test. 300 IN TXT \"v=spf1 -all\"\n", None)?;
//! let asked = AtomicUsize::new(0);
//! let stack = zone.cached().recorded().counted(|_answer| {
//!     asked.fetch_add(1, Ordering::Relaxed);
//! });
//! let name = DomainName::parse("acme.test")?;
//! let rt = tokio::runtime::Builder::new_current_thread().build()?;
//! rt.block_on(stack.lookup(&name, RecordType::Txt));
//! rt.block_on(stack.lookup(&name, RecordType::Txt));
//! assert_eq!(asked.load(Ordering::Relaxed), 2);
//! // every layer describes itself as the zone files it stands on
//! assert_eq!(stack.wrapped().map(|below| below.describe()), Some(SourceInfo::memory("zone files")));
//! assert_eq!(stack.describe(), SourceInfo::memory("zone files"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apex;
mod apexmap;
pub mod dnssec;
mod hnames;
pub mod layer;
mod live;
mod questions;
mod recording;
mod servers;
mod wire;
mod zone;
mod zonetext;

pub use apex::{ZoneInfo, find_zone, find_zone_in};
pub use apexmap::ApexMap;
pub use layer::{CachingLookup, LookupExt};
pub use live::{LiveError, LiveOptions, LiveSource, NameserverError, parse_nameserver};
pub use recording::{RecordingFile, RecordingLookup, ReplayError, ReplayLookup};
pub use servers::{Served, ServerAnswer, published, served};
pub use wire::WireStats;
pub use zone::{AnchorError, ZoneData, ZoneError, ZoneSource, ZoneSyntaxError};

use sendlint_records::mx::MxRecord;
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;
use std::fmt;
use std::future::Future;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::pin::Pin;
use std::sync::Arc;

/// A boxed, sendable future: what [`Lookup::lookup`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Something that answers DNS questions: zone files, a live resolver, a test double.
///
/// Object-safe (`&dyn Lookup`) and async without `async-trait`. A lookup never
/// errors out of band: failures are [`Answer::Failed`].
pub trait Lookup: Send + Sync {
    /// Answers `name`/`rtype`, following CNAMEs like a resolver would.
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer>;

    /// Asks the zone's own authoritative servers (`nameservers`, the NS names
    /// at the apex) instead of the resolver, to tell "not published" from
    /// "published, but caches still hold the old answer".
    ///
    /// `None` when this source cannot (zone files are authoritative already)
    /// or the servers' addresses are unknown. A layer asks the layer below.
    fn authoritative<'a>(
        &'a self,
        nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Answer>> {
        match self.wrapped() {
            Some(below) => below.authoritative(nameservers, name, rtype),
            None => Box::pin(std::future::ready(None)),
        }
    }

    /// Asks every authoritative server of the zone (every address of every
    /// NS name in `nameservers`) without recursion, one by one, to name a
    /// server that serves another copy of the zone or does not answer (see
    /// [`ServerAnswer`]). An address that is the server this source asks
    /// already is not asked again (its answer is this source's own).
    ///
    /// `None` when this source cannot (zone files, a recording) or no
    /// server's address is known. A layer asks the layer below.
    fn each_server<'a>(
        &'a self,
        nameservers: &'a [DomainName],
        name: &'a DomainName,
        rtype: RecordType,
    ) -> BoxFuture<'a, Option<Vec<ServerAnswer>>> {
        match self.wrapped() {
            Some(below) => below.each_server(nameservers, name, rtype),
            None => Box::pin(std::future::ready(None)),
        }
    }

    /// Asks `name`/`rtype` for DNSSEC validation: the records with their
    /// RRSIGs and the NSEC/NSEC3 proofs of a negative answer (live: with the
    /// DO and CD bits, so a validating resolver hands bogus data over instead
    /// of SERVFAIL). `None` when the source cannot give signatures (a
    /// recording). A layer asks the layer below.
    fn signed<'a>(
        &'a self,
        name: &'a DomainName,
        rtype: hickory_proto::rr::RecordType,
    ) -> BoxFuture<'a, dnssec::SignedAnswer> {
        match self.wrapped() {
            Some(below) => below.signed(name, rtype),
            None => Box::pin(std::future::ready(None)),
        }
    }

    /// What this source sent on the wire so far (live sources with servers
    /// given explicitly); `None` when it does not count (zone files, replay,
    /// the system resolver).
    fn wire_stats(&self) -> Option<WireStats> {
        self.wrapped().and_then(|below| below.wire_stats())
    }

    /// What the source is: how its failures name it, and whether it answers
    /// from memory.
    fn describe(&self) -> SourceInfo {
        self.wrapped().map(|below| below.describe()).unwrap_or_default()
    }

    /// The lookup this one wraps, when it is a layer of a stack ([`layer`]).
    ///
    /// This is the one forwarding mechanism of the stack: what a layer does
    /// not do itself ([`Lookup::authoritative`], [`Lookup::wire_stats`],
    /// [`Lookup::describe`]) is asked of the layer below. A source (zone
    /// files, a resolver, a recording) wraps nothing: `None`.
    fn wrapped(&self) -> Option<&dyn Lookup> {
        None
    }
}

/// What a source is, as [`Lookup::describe`] tells it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceInfo {
    /// How the source's failures name it (`zone files`, `the system
    /// resolver`, `192.0.2.1:53`, `the recording FILE`), for messages about
    /// questions that never reached it; `None` when it has no name (a test
    /// double).
    pub label: Option<String>,
    /// The source answers at once from memory (zone files, a recording):
    /// no question waits on the network.
    pub offline: bool,
}

impl SourceInfo {
    /// A source answering from memory, named `label`.
    pub fn memory(label: impl Into<String>) -> SourceInfo {
        SourceInfo { label: Some(label.into()), offline: true }
    }

    /// A source asking the network, named `label`.
    pub fn network(label: impl Into<String>) -> SourceInfo {
        SourceInfo { label: Some(label.into()), offline: false }
    }
}

/// A reference or smart pointer to a lookup is a lookup.
macro_rules! forward_lookup {
    ($($ptr:ty),*) => {$(
        impl<T: Lookup + ?Sized> Lookup for $ptr {
            fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
                (**self).lookup(name, rtype)
            }

            fn authoritative<'a>(
                &'a self,
                nameservers: &'a [DomainName],
                name: &'a DomainName,
                rtype: RecordType,
            ) -> BoxFuture<'a, Option<Answer>> {
                (**self).authoritative(nameservers, name, rtype)
            }

            fn each_server<'a>(
                &'a self,
                nameservers: &'a [DomainName],
                name: &'a DomainName,
                rtype: RecordType,
            ) -> BoxFuture<'a, Option<Vec<ServerAnswer>>> {
                (**self).each_server(nameservers, name, rtype)
            }

            fn signed<'a>(
                &'a self,
                name: &'a DomainName,
                rtype: hickory_proto::rr::RecordType,
            ) -> BoxFuture<'a, dnssec::SignedAnswer> {
                (**self).signed(name, rtype)
            }

            fn wire_stats(&self) -> Option<WireStats> {
                (**self).wire_stats()
            }

            fn describe(&self) -> SourceInfo {
                (**self).describe()
            }

            fn wrapped(&self) -> Option<&dyn Lookup> {
                (**self).wrapped()
            }
        }
    )*};
}

forward_lookup!(&T, Box<T>, Arc<T>);

/// The record types sendlint asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RecordType {
    /// IPv4 address.
    A,
    /// IPv6 address.
    Aaaa,
    /// Mail exchange.
    Mx,
    /// Text.
    Txt,
    /// Canonical name (alias).
    Cname,
    /// Name server.
    Ns,
    /// Start of authority.
    Soa,
}

impl RecordType {
    /// Every type.
    pub const ALL: [RecordType; 7] = [
        RecordType::A,
        RecordType::Aaaa,
        RecordType::Mx,
        RecordType::Txt,
        RecordType::Cname,
        RecordType::Ns,
        RecordType::Soa,
    ];

    /// The mnemonic, e.g. `TXT`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordType::A => "A",
            RecordType::Aaaa => "AAAA",
            RecordType::Mx => "MX",
            RecordType::Txt => "TXT",
            RecordType::Cname => "CNAME",
            RecordType::Ns => "NS",
            RecordType::Soa => "SOA",
        }
    }
}

impl RecordType {
    /// Parses the mnemonic of [`RecordType::as_str`] (ASCII case-insensitive).
    pub fn parse(s: &str) -> Option<RecordType> {
        RecordType::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

impl fmt::Display for RecordType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The data of one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RData {
    /// An IPv4 address.
    A(Ipv4Addr),
    /// An IPv6 address.
    Aaaa(Ipv6Addr),
    /// An MX record.
    Mx(MxRecord),
    /// A TXT record, character-strings byte-exact.
    Txt(TxtRecord),
    /// A CNAME target.
    Cname(DomainName),
    /// A name server.
    Ns(DomainName),
    /// An SOA record.
    Soa(Soa),
}

impl RData {
    /// This record's type.
    pub fn rtype(&self) -> RecordType {
        match self {
            RData::A(_) => RecordType::A,
            RData::Aaaa(_) => RecordType::Aaaa,
            RData::Mx(_) => RecordType::Mx,
            RData::Txt(_) => RecordType::Txt,
            RData::Cname(_) => RecordType::Cname,
            RData::Ns(_) => RecordType::Ns,
            RData::Soa(_) => RecordType::Soa,
        }
    }
}

/// The parts of an SOA record sendlint uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Soa {
    /// The owner of the SOA: the zone apex.
    pub zone: DomainName,
    /// The primary name server.
    pub mname: DomainName,
    /// The zone's serial number; `None` when the source did not keep it (a
    /// recording made before serials were recorded).
    pub serial: Option<u32>,
    /// The negative-caching TTL field.
    pub minimum: u32,
    /// The SOA record's own TTL.
    pub ttl: u32,
}

/// The answer to one question.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Records of the asked type.
    Records {
        /// The records, in answer order. Empty only when a CNAME chain leads
        /// out of what the source can answer (see `cnames`).
        records: Vec<RData>,
        /// The CNAME chain followed to get there, `(alias, target)` in order.
        cnames: Vec<(DomainName, DomainName)>,
        /// The smallest TTL along the way.
        ttl: u32,
    },
    /// The name exists but has no records of that type.
    NoData {
        /// The zone's SOA, when the server sent it.
        soa: Option<Soa>,
        /// The CNAME chain that led to the name without records, `(alias,
        /// target)` in order; empty when the asked name itself has none. Kept
        /// so a CNAME is reported without asking for it again.
        cnames: Vec<(DomainName, DomainName)>,
    },
    /// The name does not exist.
    NxDomain {
        /// The zone's SOA, when the server sent it.
        soa: Option<Soa>,
        /// The CNAME chain that led to the name that does not exist (a
        /// dangling alias), as for [`Answer::NoData`].
        cnames: Vec<(DomainName, DomainName)>,
    },
    /// The lookup itself failed: nothing can be said about the records.
    Failed(LookupError),
}

impl Answer {
    /// The SOA of a negative answer.
    pub fn negative_soa(&self) -> Option<&Soa> {
        match self {
            Answer::NoData { soa, .. } | Answer::NxDomain { soa, .. } => soa.as_ref(),
            _ => None,
        }
    }

    /// The CNAME chain followed to reach this answer, positive or negative.
    pub fn cnames(&self) -> &[(DomainName, DomainName)] {
        match self {
            Answer::Records { cnames, .. }
            | Answer::NoData { cnames, .. }
            | Answer::NxDomain { cnames, .. } => cnames,
            Answer::Failed(_) => &[],
        }
    }
}

/// Why a lookup failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// No answer in time.
    Timeout,
    /// The server answered SERVFAIL.
    ServFail,
    /// The server answered REFUSED.
    Refused,
    /// The answer was truncated and could not be completed (e.g. over TCP).
    Truncated,
    /// The source cannot answer for this name (no zone file covers it, or it is
    /// delegated away from the loaded zones).
    NotCovered,
    /// Anything else (CNAME loop, I/O error, malformed response, …).
    Other,
}

impl FailureKind {
    /// Every kind.
    pub const ALL: [FailureKind; 6] = [
        FailureKind::Timeout,
        FailureKind::ServFail,
        FailureKind::Refused,
        FailureKind::Truncated,
        FailureKind::NotCovered,
        FailureKind::Other,
    ];

    /// A stable identifier, e.g. `servfail` (recordings use it).
    pub fn id(self) -> &'static str {
        match self {
            FailureKind::Timeout => "timeout",
            FailureKind::ServFail => "servfail",
            FailureKind::Refused => "refused",
            FailureKind::Truncated => "truncated",
            FailureKind::NotCovered => "not-covered",
            FailureKind::Other => "other",
        }
    }

    /// Parses [`FailureKind::id`].
    pub fn from_id(s: &str) -> Option<FailureKind> {
        FailureKind::ALL.into_iter().find(|k| k.id() == s)
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FailureKind::Timeout => "timeout",
            FailureKind::ServFail => "SERVFAIL",
            FailureKind::Refused => "REFUSED",
            FailureKind::Truncated => "truncated answer",
            FailureKind::NotCovered => "not covered",
            FailureKind::Other => "error",
        })
    }
}

/// A failed lookup: what failed, where, and for which question.
///
/// Displays as `SERVFAIL from 127.0.0.1:5353 for TXT send.acme.test`, with
/// `: <detail>` appended when there is a detail.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct LookupError {
    /// What kind of failure.
    pub kind: FailureKind,
    /// The server or source asked, e.g. `127.0.0.1:5353` or `zone files`.
    pub server: String,
    /// The question, e.g. `TXT send.acme.test`.
    pub query: String,
    /// More about it, e.g. `no zone file covers send.other.test`; may be empty.
    pub detail: String,
}

impl LookupError {
    /// A failure of the question `rtype name` asked of `server`.
    pub fn new(
        kind: FailureKind,
        server: impl Into<String>,
        name: &DomainName,
        rtype: RecordType,
        detail: impl Into<String>,
    ) -> LookupError {
        LookupError { kind, server: server.into(), query: format!("{rtype} {name}"), detail: detail.into() }
    }
}

impl LookupError {
    /// Offline, the name lies in no loaded zone: a zone file is missing from
    /// the command line (no server failed, and retrying changes nothing).
    pub fn zone_file_missing(&self) -> bool {
        self.kind == FailureKind::NotCovered
            && self.server == zone::SERVER
            && self.detail.starts_with(zone::NO_ZONE_FILE)
    }
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == FailureKind::NotCovered && self.server == zone::SERVER {
            // Offline: no server was asked; say what is missing.
            write!(f, "no loaded zone file answers {}", self.query)?;
        } else if self.kind == FailureKind::NotCovered {
            write!(f, "{} cannot answer {}", self.server, self.query)?;
        } else {
            write!(f, "{} from {} for {}", self.kind, self.server, self.query)?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}
