//! Signed zone files: the DNSSEC records (DNSKEY, DS, RRSIG, NSEC, NSEC3, …)
//! are read here ([`crate::dnssec::text`]) and set aside; the loader reads
//! the rest of the file as it reads any zone file.
//!
//! hickory's parser refuses these types, so each such entry is rewritten, in
//! a copy of the text of the same length (every error position stays true),
//! as `PTR .` at the same owner, TTL and class: the name still exists (it
//! holds records of a type sendlint does not ask for), and the loader's
//! owner and TTL carry-over from line to line is unchanged.

use super::error::ZoneSyntaxError;
use super::tree::{Key, Zone};
use super::{ZoneError, ZoneSource};
use crate::dnssec::text::{is_dnssec_type, parse_record};
use crate::hnames::{from_hickory_name, to_hickory_name};
use crate::zonetext::{self, Entry};
use crate::{Answer, FailureKind, LookupError, RData, RecordType};
use hickory_proto::dnssec::rdata::DNSSECRData;
use hickory_proto::dnssec::{Nsec3HashAlgorithm, rdata::NSEC3};
use hickory_proto::rr::{self as hrr, Name, Record};
use sendlint_records::name::DomainName;
use std::collections::HashMap;
use std::str::FromStr;

/// The DNSSEC records of one zone, by owner.
#[derive(Clone, Debug, Default)]
pub(crate) struct Signatures {
    by_owner: HashMap<Key, Vec<Record>>,
}

/// The stand-in written over a DNSSEC entry's type and data.
const STAND_IN: &str = "PTR .";

/// The DNSSEC records of `text` and the text with their entries rewritten
/// (see the module docs); `None` when the text holds none.
pub(super) fn set_aside(
    file: &str,
    text: &str,
    entries: &[Entry],
    origin: Option<&str>,
) -> Result<Option<(String, Vec<Record>)>, ZoneError> {
    let is_signed = |e: &Entry| {
        zonetext::type_index(text, e)
            .and_then(|i| e.tokens.get(i))
            .is_some_and(|t| !t.quoted && is_dnssec_type(&text[t.span.clone()]))
    };
    if !entries.iter().any(is_signed) {
        return Ok(None);
    }
    let records = read_records(file, text, entries, origin, true)?;
    let mut bytes = text.as_bytes().to_vec();
    for (i, entry) in entries.iter().enumerate() {
        if !is_signed(entry) {
            continue;
        }
        let Some(t) = zonetext::type_index(text, entry).and_then(|i| entry.tokens.get(i)) else { continue };
        let end = entries.get(i + 1).map_or(text.len(), |next| next.start);
        let region = t.span.start..end;
        for b in &mut bytes[region.clone()] {
            if *b != b'\n' {
                *b = b' ';
            }
        }
        if region.len() > STAND_IN.len() {
            bytes[region.start..region.start + STAND_IN.len()].copy_from_slice(STAND_IN.as_bytes());
        }
    }
    // every byte that was not ASCII became a space: still UTF-8
    let rewritten = String::from_utf8(bytes).unwrap_or_default();
    Ok(Some((rewritten, records)))
}

/// Reads the DNSSEC records of the entries (all of them with `only_dnssec`
/// false: a trust-anchor file holds nothing else).
pub(crate) fn read_records(
    file: &str,
    text: &str,
    entries: &[Entry],
    origin: Option<&str>,
    only_dnssec: bool,
) -> Result<Vec<Record>, ZoneError> {
    let fail = |span: std::ops::Range<usize>, message: String, help: &str| {
        ZoneSyntaxError::error(file, text, span, message, "here".into(), help.into())
    };
    let mut origin: Option<Name> = match origin {
        Some(o) => Name::from_str(&format!("{}.", o.trim_end_matches('.'))).ok(),
        None => None,
    };
    let (mut default_ttl, mut last_ttl): (Option<u32>, Option<u32>) = (None, None);
    let mut owner: Option<Name> = None;
    let mut records = Vec::new();
    for entry in entries {
        let Some(first) = entry.tokens.first() else { continue };
        let word = |i: usize| entry.tokens.get(i).map(|t| &text[t.span.clone()]);
        if !entry.blank_start && !first.quoted && text[first.span.clone()].starts_with('$') {
            let directive = text[first.span.clone()].to_ascii_uppercase();
            match (directive.as_str(), word(1)) {
                ("$ORIGIN", Some(o)) => origin = Name::parse(o, origin.as_ref()).ok(),
                ("$TTL", Some(t)) => default_ttl = hickory_proto::serialize::txt::parse_ttl(t).ok(),
                _ => {}
            }
            continue;
        }
        if !entry.blank_start {
            owner = match word(0) {
                Some("@") => origin.clone(),
                Some(w) if w.ends_with('.') || origin.is_some() => Name::parse(w, origin.as_ref()).ok(),
                _ => None,
            };
        }
        let Some(type_at) = zonetext::type_index(text, entry) else { continue };
        let start = usize::from(!entry.blank_start);
        let mut ttl = None;
        for i in start..type_at {
            if let Some(t) = word(i).and_then(|w| hickory_proto::serialize::txt::parse_ttl(w).ok()) {
                ttl = Some(t);
            }
        }
        if ttl.is_some() {
            last_ttl = ttl;
        }
        let type_token = &entry.tokens[type_at];
        let type_word = &text[type_token.span.clone()];
        if only_dnssec && !is_dnssec_type(type_word) {
            continue;
        }
        let span = entry.content_span();
        if !is_dnssec_type(type_word) {
            return Err(fail(
                type_token.span.clone(),
                format!("a trust anchor is a DS or DNSKEY record, not {type_word}"),
                "Give DS or DNSKEY records in zone-file form, e.g. `. IN DS 20326 8 2 E06D44B8…`.",
            ));
        }
        let Some(owner) = owner.clone() else {
            return Err(fail(
                span,
                format!("this {type_word} record has no owner name that can be read"),
                "Write the owner as a fully qualified name (ending with a dot), or add `$ORIGIN example.com.` before it.",
            ));
        };
        let data: Vec<&str> =
            entry.tokens[type_at + 1..].iter().map(|t| text[t.span.clone()].trim_matches('"')).collect();
        let ttl = ttl.or(default_ttl).or(last_ttl).unwrap_or(0);
        let record = parse_record(owner, ttl, type_word, &data, origin.as_ref()).map_err(|why| {
            fail(
                span.clone(),
                format!("cannot read this {} record: {why}", type_word.to_ascii_uppercase()),
                "DNSSEC records are read in their presentation form (RFC 4034 §2.2, §3.2, §4.2, §5.3; RFC 5155 §3.3), as dnssec-signzone writes them.",
            )
        })?;
        records.push(record);
    }
    Ok(records)
}

impl Zone {
    /// Keeps the DNSSEC records owned inside this zone.
    pub(super) fn keep_signatures(&mut self, records: Vec<Record>) {
        let apex = Key::of(&self.apex);
        let mut kept = self.signatures.take().map(|b| *b).unwrap_or_default();
        for record in records {
            let Some(owner) = from_hickory_name(&record.name) else { continue };
            let key = Key::of(&owner);
            if key.is_subdomain_of(&apex) {
                kept.by_owner.entry(key).or_default().push(record);
            }
        }
        if !kept.by_owner.is_empty() {
            self.signatures = Some(Box::new(kept));
        }
    }

    pub(super) fn merge_signatures(&mut self, other: Option<Box<Signatures>>) {
        if let Some(other) = other {
            let records = other.by_owner.into_values().flatten().collect();
            self.keep_signatures(records);
        }
    }

    fn dnssec_at(&self, name: &DomainName) -> &[Record] {
        self.signatures.as_ref().and_then(|s| s.by_owner.get(&Key::of(name))).map_or(&[], Vec::as_slice)
    }

    /// The RRSIGs at `owner` covering `rtype`.
    fn rrsigs(&self, owner: &DomainName, rtype: hrr::RecordType) -> Vec<Record> {
        self.dnssec_at(owner)
            .iter()
            .filter(|r| matches!(&r.data, hrr::RData::DNSSEC(DNSSECRData::RRSIG(s)) if s.input().type_covered == rtype))
            .cloned()
            .collect()
    }

    /// RRSIGs for `name`, or for the wildcard that answered for it.
    fn rrsigs_or_wildcard(&self, name: &DomainName, rtype: hrr::RecordType) -> Vec<Record> {
        let sigs = self.rrsigs(name, rtype);
        if !sigs.is_empty() {
            return sigs;
        }
        let mut at = name.parent();
        while let Some(ce) = at {
            if let Ok(w) = ce.prepend_label(b"*") {
                let found = self.rrsigs(&w, rtype);
                if !found.is_empty() {
                    let Some(owner) = to_hickory_name(name) else { return Vec::new() };
                    return found
                        .into_iter()
                        .map(|mut r| {
                            r.name = owner.clone();
                            r
                        })
                        .collect();
                }
            }
            if ce == self.apex {
                break;
            }
            at = ce.parent();
        }
        Vec::new()
    }

    /// The NSEC or NSEC3 records (and their RRSIGs) that deny `name`/`rtype`.
    fn denial(&self, name: &DomainName) -> Vec<Record> {
        let Some(signatures) = &self.signatures else { return Vec::new() };
        let Some(qname) = to_hickory_name(name) else { return Vec::new() };
        let mut proof = Vec::new();
        for records in signatures.by_owner.values() {
            for r in records {
                let keep = match &r.data {
                    hrr::RData::DNSSEC(DNSSECRData::NSEC(nsec)) => {
                        let next = nsec.next_domain_name();
                        r.name == qname
                            || (r.name < qname && (qname < *next || next.to_lowercase() == self.apex_name()))
                    }
                    hrr::RData::DNSSEC(DNSSECRData::NSEC3(n3)) => nsec3_matches_or_covers(r, n3, &qname),
                    _ => false,
                };
                if keep && let Some(owner) = from_hickory_name(&r.name) {
                    proof.push(r.clone());
                    proof.extend(self.rrsigs(&owner, r.record_type()));
                }
            }
        }
        proof
    }

    fn apex_name(&self) -> Name {
        to_hickory_name(&self.apex).map(|n| n.to_lowercase()).unwrap_or_else(Name::root)
    }
}

fn nsec3_matches_or_covers(record: &Record, n3: &NSEC3, qname: &Name) -> bool {
    if n3.hash_algorithm() != Nsec3HashAlgorithm::SHA1 {
        return false;
    }
    let Ok(hash) = n3.hash_algorithm().hash(n3.salt(), qname, n3.iterations()) else { return false };
    let own = record.name.iter().next().map(|l| l.to_ascii_lowercase()).unwrap_or_default();
    let Ok(own) = data_encoding::BASE32_DNSSEC.decode(&own) else { return false };
    let next = n3.next_hashed_owner_name();
    let h = hash.as_ref();
    own.as_slice() == h
        || (own.as_slice() < h && (h < next || next <= own.as_slice()))
        || (next <= own.as_slice() && h < next)
}

/// Our record data in hickory's form, for verification; `None` for an SOA
/// (sendlint keeps only part of it).
fn to_hickory_rdata(data: &RData) -> Option<hrr::RData> {
    Some(match data {
        RData::A(a) => hrr::RData::A(hrr::rdata::A(*a)),
        RData::Aaaa(a) => hrr::RData::AAAA(hrr::rdata::AAAA(*a)),
        RData::Mx(mx) => hrr::RData::MX(hrr::rdata::MX::new(mx.preference, to_hickory_name(&mx.exchange)?)),
        RData::Txt(txt) => {
            hrr::RData::TXT(hrr::rdata::TXT::from_bytes(txt.strings.iter().map(Vec::as_slice).collect()))
        }
        RData::Cname(c) => hrr::RData::CNAME(hrr::rdata::CNAME(to_hickory_name(c)?)),
        RData::Ns(n) => hrr::RData::NS(hrr::rdata::NS(to_hickory_name(n)?)),
        RData::Soa(_) => return None,
    })
}

/// The type as the rest of the zone source knows it; `None` for the DNSSEC
/// types (and SOA, which no signed question asks for), answered from the
/// records set aside.
fn our_type(rtype: hrr::RecordType) -> Option<RecordType> {
    super::hickory::convert_type(rtype).filter(|t| *t != RecordType::Soa)
}

impl ZoneSource {
    /// Answers `name`/`rtype` with the DNSSEC records the zone files hold
    /// (what [`crate::Lookup::signed`] returns for zone files).
    pub fn signed_answer(&self, name: &DomainName, rtype: hrr::RecordType) -> crate::dnssec::SignedAnswer {
        let failed = |kind, detail: String| {
            let ours = our_type(rtype).unwrap_or(RecordType::Txt);
            let mut e = LookupError::new(kind, super::SERVER, name, ours, detail);
            e.query = format!("{rtype} {name}");
            Some(Err(e))
        };
        let mut answer: Vec<Record> = Vec::new();
        // the DS of a zone is served by its parent
        let zone = if rtype == hrr::RecordType::DS {
            name.parent().and_then(|p| self.zone_for(&p))
        } else {
            self.zone_for(name)
        };
        let Some(zone) = zone else {
            // The parent is not loaded. An unsigned zone file (no DNSKEY at
            // its apex) is answered "no DS": nothing in it could validate, and
            // the answer is the same live, recorded and replayed. A signed one
            // needs its parent or an anchor: not covered.
            if rtype == hrr::RecordType::DS
                && let Some(own) = self.zone_for(name)
                && own.apex == *name
                && !own.dnssec_at(name).iter().any(|r| r.record_type() == hrr::RecordType::DNSKEY)
            {
                return Some(Ok(crate::dnssec::Signed { nxdomain: false, answer, authority: Vec::new() }));
            }
            return failed(FailureKind::NotCovered, format!("{} {name}", super::NO_ZONE_FILE));
        };
        let Some(our) = our_type(rtype) else {
            // a DNSSEC type: from the records set aside
            let Some(owner) = to_hickory_name(name) else { return failed(FailureKind::Other, "name".into()) };
            let found: Vec<Record> =
                zone.dnssec_at(name).iter().filter(|r| r.record_type() == rtype).cloned().collect();
            if found.is_empty() {
                let nx = !zone.exists(name);
                return Some(Ok(crate::dnssec::Signed {
                    nxdomain: nx,
                    answer,
                    authority: zone.denial(name),
                }));
            }
            answer.extend(found);
            answer.extend(zone.rrsigs(name, rtype));
            let _ = owner;
            return Some(Ok(crate::dnssec::Signed { nxdomain: false, answer, authority: Vec::new() }));
        };
        // the plain types: as the zone answers them, CNAMEs followed, signatures added
        let mut current = name.clone();
        let mut zone = zone;
        for _ in 0..=super::MAX_CNAMES {
            let Some(owner) = to_hickory_name(&current) else { break };
            match zone.resolve(&current, our) {
                super::tree::Step::Found { records, ttl } => {
                    for r in &records {
                        if let Some(data) = to_hickory_rdata(r) {
                            answer.push(Record::from_rdata(owner.clone(), ttl, data));
                        }
                    }
                    answer.extend(zone.rrsigs_or_wildcard(&current, rtype));
                    return Some(Ok(crate::dnssec::Signed {
                        nxdomain: false,
                        answer,
                        authority: Vec::new(),
                    }));
                }
                super::tree::Step::Alias { target, ttl } => {
                    let Some(t) = to_hickory_name(&target) else { break };
                    answer.push(Record::from_rdata(owner, ttl, hrr::RData::CNAME(hrr::rdata::CNAME(t))));
                    answer.extend(zone.rrsigs_or_wildcard(&current, hrr::RecordType::CNAME));
                    current = target;
                    match self.zone_for(&current) {
                        Some(z) => zone = z,
                        None => {
                            return Some(Ok(crate::dnssec::Signed {
                                nxdomain: false,
                                answer,
                                authority: Vec::new(),
                            }));
                        }
                    }
                }
                super::tree::Step::NoData => {
                    return Some(Ok(crate::dnssec::Signed {
                        nxdomain: false,
                        answer,
                        authority: zone.denial(&current),
                    }));
                }
                super::tree::Step::NxDomain => {
                    return Some(Ok(crate::dnssec::Signed {
                        nxdomain: true,
                        answer,
                        authority: zone.denial(&current),
                    }));
                }
                super::tree::Step::Delegated(cut) => {
                    return failed(
                        FailureKind::NotCovered,
                        format!("{cut} is delegated, and no zone file for it is loaded"),
                    );
                }
            }
        }
        match self.answer(name, our) {
            Answer::Failed(e) => Some(Err(e)),
            _ => failed(FailureKind::Other, "CNAME chain too long".into()),
        }
    }
}
