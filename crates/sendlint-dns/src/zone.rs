//! [`ZoneSource`]: answers from zone files, offline, like an authoritative server.
//!
//! The loaded zones are a tree of names ([`tree`]); files are read ([`load`])
//! through a fast path for plain records ([`fast`]) or hickory's parser
//! ([`hickory`], which also converts hickory's records to ours); a fault is
//! pointed at in the text ([`error`]); a name no zone covers gets a "did you
//! mean" ([`suggest`]).

use crate::dnssec::TrustAnchors;
use crate::{Answer, BoxFuture, FailureKind, Lookup, LookupError, RData, RecordType, Soa, SourceInfo};
use hickory_proto::dnssec::rdata::DNSSECRData;
use hickory_proto::rr as hrr;
use sendlint_records::name::{DomainName, NameMap};
use std::path::Path;
use tree::{Key, Node, Step, Zone};

mod error;
mod fast;
mod hickory;
mod load;
mod signed;
mod suggest;
mod tree;

pub use error::{ZoneError, ZoneSyntaxError};

/// The `server` of lookup errors from zone files.
pub(crate) const SERVER: &str = "zone files";

/// How the detail of a lookup no loaded zone covers starts.
pub(crate) const NO_ZONE_FILE: &str = "no zone file covers";

/// How many CNAMEs a lookup follows before giving up.
const MAX_CNAMES: usize = 8;

/// The origin hickory is given when there is none, so that relative names can
/// be caught and pointed at (hickory would silently root them).
const NO_ORIGIN: &str = "no-origin.sendlint.invalid.";

/// File extensions loaded from a directory given to [`ZoneSource::from_files`].
const ZONE_EXTENSIONS: [&str; 3] = ["zone", "db", "txt"];

/// One loaded zone, as [`ZoneSource::zones`] gives it.
#[derive(Clone, Debug)]
pub struct ZoneData {
    /// The apex.
    pub apex: DomainName,
    /// The SOA, when the file has one.
    pub soa: Option<Soa>,
    /// Every RRset of the types sendlint reads: owner, TTL, records in file order.
    pub rrsets: Vec<(DomainName, u32, Vec<RData>)>,
    /// Names that also hold records of other types (CAA, SRV, …), not kept.
    pub other_names: Vec<DomainName>,
}

/// Answers from zone files, offline, with the semantics of an authoritative
/// server for the loaded zones.
///
/// - The zone with the longest apex containing the name answers; a name in no
///   loaded zone is [`Answer::Failed`] with [`FailureKind::NotCovered`], as is a
///   name delegated (by NS records) out of the loaded zones.
/// - An exact match answers its records (TXT strings byte-exact, `\DDD` escapes
///   decoded); a CNAME there is followed for other types (within the loaded
///   zones, loop-safe, at most 8 links) and reported in `cnames`. A chain that
///   leaves the loaded zones ends in `Records` with no records and the chain.
/// - A name that exists with other types, or an empty non-terminal, is
///   `NoData`; else a `*.` wildcard at the closest encloser answers (RFC 4592);
///   else `NxDomain`. Negative answers carry the zone's SOA.
///
/// The zone apex is the owner of the file's SOA; a file without SOA uses the
/// origin given, else the longest suffix common to its names.
#[derive(Clone, Debug, Default)]
pub struct ZoneSource {
    zones: NameMap<DomainName, Zone>,
    /// What "not covered" messages say was loaded: made once, on the first
    /// miss (an audit of a big workspace misses many times).
    loaded: std::sync::OnceLock<String>,
}

impl ZoneSource {
    /// No zones: every lookup is `NotCovered`.
    pub fn new() -> ZoneSource {
        ZoneSource::default()
    }

    fn of(zone: Option<Zone>) -> ZoneSource {
        let mut source = ZoneSource::new();
        if let Some(zone) = zone {
            source.zones.insert(zone.apex.clone(), zone);
        }
        source
    }

    /// Adds the zones of `other`; zones with the same apex are merged.
    pub fn add(&mut self, other: ZoneSource) {
        self.loaded = std::sync::OnceLock::new();
        for (apex, zone) in other.zones {
            match self.zones.get_mut(&apex) {
                Some(existing) => existing.merge(zone),
                None => {
                    self.zones.insert(apex, zone);
                }
            }
        }
    }

    /// The apexes of the loaded zones, sorted by their text.
    pub fn apexes(&self) -> Vec<DomainName> {
        let mut apexes: Vec<DomainName> = self.zones.keys().cloned().collect();
        apexes.sort_by_cached_key(ToString::to_string);
        apexes
    }

    /// The loaded zone with the longest apex containing `name`.
    fn zone_for(&self, name: &DomainName) -> Option<&Zone> {
        let mut at = Some(name.clone());
        while let Some(n) = at {
            if let Some(zone) = self.zones.get(&n) {
                return Some(zone);
            }
            at = n.parent();
        }
        None
    }

    /// The loaded zones' data, apex order, e.g. to serve them from a test server.
    pub fn zones(&self) -> Vec<ZoneData> {
        self.apexes()
            .into_iter()
            .filter_map(|apex| self.zones.get(&apex))
            .map(|zone| {
                let mut names: Vec<(DomainName, &Node)> =
                    zone.nodes.iter().map(|(k, node)| (k.name(), node)).collect();
                names.sort_by_cached_key(|(n, _)| n.to_string());
                let mut rrsets = Vec::new();
                let mut other_names = Vec::new();
                for (name, node) in names {
                    for set in &node.sets {
                        rrsets.push((name.clone(), set.ttl, set.records.clone()));
                    }
                    if node.other_types {
                        other_names.push(name.clone());
                    }
                }
                ZoneData { apex: zone.apex.clone(), soa: zone.soa.clone(), rrsets, other_names }
            })
            .collect()
    }

    /// Answers one question synchronously (what [`Lookup::lookup`] returns).
    pub fn answer(&self, name: &DomainName, rtype: RecordType) -> Answer {
        let mut current = name.clone();
        let mut cnames: Vec<(DomainName, DomainName)> = Vec::new();
        let mut ttl = u32::MAX;
        loop {
            let Some(zone) = self.zone_for(&current) else {
                if cnames.is_empty() {
                    let loaded = self.loaded.get_or_init(|| self.loaded_summary());
                    let detail = match self.suggest(name) {
                        Some(close) => format!("{NO_ZONE_FILE} {name} ({loaded}): did you mean {close}?"),
                        None => format!("{NO_ZONE_FILE} {name} ({loaded})"),
                    };
                    return Answer::Failed(LookupError::new(
                        FailureKind::NotCovered,
                        SERVER,
                        name,
                        rtype,
                        detail,
                    ));
                }
                return Answer::Records { records: Vec::new(), cnames, ttl };
            };
            match zone.resolve(&current, rtype) {
                Step::Found { records, ttl: t } => {
                    return Answer::Records { records, cnames, ttl: ttl.min(t) };
                }
                Step::Alias { target, ttl: t } => {
                    if target == *name || cnames.iter().any(|(alias, _)| *alias == target) {
                        let mut chain: Vec<String> = vec![name.to_string()];
                        chain.extend(cnames.iter().map(|(_, t)| t.to_string()));
                        chain.push(target.to_string());
                        return Answer::Failed(LookupError::new(
                            FailureKind::Other,
                            SERVER,
                            name,
                            rtype,
                            format!("CNAME loop: {}", chain.join(" → ")),
                        ));
                    }
                    if cnames.len() >= MAX_CNAMES {
                        return Answer::Failed(LookupError::new(
                            FailureKind::Other,
                            SERVER,
                            name,
                            rtype,
                            format!("CNAME chain longer than {MAX_CNAMES} links"),
                        ));
                    }
                    ttl = ttl.min(t);
                    cnames.push((current, target.clone()));
                    current = target;
                }
                Step::NoData => {
                    return Answer::NoData { soa: zone.soa.clone(), cnames };
                }
                Step::NxDomain => {
                    return Answer::NxDomain { soa: zone.soa.clone(), cnames };
                }
                Step::Delegated(cut) => {
                    if !cnames.is_empty() {
                        return Answer::Records { records: Vec::new(), cnames, ttl };
                    }
                    let servers = zone
                        .nodes
                        .get(&Key::of(&cut))
                        .and_then(|n| n.set(RecordType::Ns))
                        .map(|s| {
                            s.records
                                .iter()
                                .map(|r| match r {
                                    RData::Ns(ns) => ns.to_string(),
                                    _ => String::new(),
                                })
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    return Answer::Failed(LookupError::new(
                        FailureKind::NotCovered,
                        SERVER,
                        name,
                        rtype,
                        format!("{cut} is delegated to {servers}, and no zone file for it is loaded"),
                    ));
                }
            }
        }
    }
}

impl Lookup for ZoneSource {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        Box::pin(std::future::ready(self.answer(name, rtype)))
    }

    fn signed<'a>(
        &'a self,
        name: &'a DomainName,
        rtype: hickory_proto::rr::RecordType,
    ) -> BoxFuture<'a, crate::dnssec::SignedAnswer> {
        Box::pin(std::future::ready(self.signed_answer(name, rtype)))
    }

    fn describe(&self) -> SourceInfo {
        SourceInfo::memory(SERVER)
    }
}

/// A trust-anchor file that cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AnchorError {
    /// The file does not read as zone-file records.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(#[from] ZoneError),
    /// The file holds no DS or DNSKEY record.
    #[error("{file} holds no DS or DNSKEY record")]
    #[diagnostic(help(
        "A trust-anchor file holds DS or DNSKEY records in zone-file form, e.g. `acme.test. IN DS 12345 13 2 <digest>` (what `dnssec-dsfromkey` prints) or the zone's KSK line from `dnssec-keygen`."
    ))]
    Empty {
        /// The file.
        file: String,
    },
}

/// Trust anchors read from zone-file text (here: the zone-file reader is this module's).
impl TrustAnchors {
    /// Reads DS or DNSKEY records in zone-file form (`name` names the text in
    /// errors and messages).
    pub fn from_text(name: &str, text: &str) -> Result<TrustAnchors, AnchorError> {
        let entries = crate::zonetext::scan_entries(text).map_err(|e| error::scan_error(name, text, e))?;
        let records = signed::read_records(name, text, &entries, None, false)?;
        let mut anchors = Vec::new();
        for record in records {
            let owner = record.name.to_lowercase();
            match &record.data {
                hrr::RData::DNSSEC(DNSSECRData::DS(ds)) => {
                    anchors.push((owner, crate::dnssec::Anchor::Ds(ds.clone())))
                }
                hrr::RData::DNSSEC(DNSSECRData::DNSKEY(key)) => {
                    anchors.push((owner, crate::dnssec::Anchor::Key(key.clone())));
                }
                _ => {}
            }
        }
        if anchors.is_empty() {
            return Err(AnchorError::Empty { file: name.to_owned() });
        }
        let names: Vec<String> = {
            let mut n: Vec<String> = anchors.iter().map(|(name, _)| crate::dnssec::show(name)).collect();
            n.dedup();
            n
        };
        Ok(TrustAnchors { anchors, label: format!("the trust anchor of {name} ({})", names.join(", ")) })
    }

    /// [`TrustAnchors::from_text`] of a file.
    pub fn from_file(path: &Path) -> Result<TrustAnchors, AnchorError> {
        let text = sendlint_records::input::read_text(path, sendlint_records::input::InputKind::Zone)
            .map_err(|e| {
                AnchorError::Syntax(ZoneError::Io {
                    path: path.to_path_buf(),
                    source: std::io::Error::other(e.reason()),
                })
            })?;
        TrustAnchors::from_text(&path.display().to_string(), &text)
    }
}
