//! hickory's records → ours: names, record data and types converted in one
//! place, and a big file parsed in slices so hickory's records never all live
//! at once.

use super::NO_ORIGIN;
use super::tree::{Key, RrSet, Zone};
use crate::zonetext::{self, Scanned};
use crate::{RData, RecordType, Soa};
use hickory_proto::rr::{self as hrr, Name, RecordSet, RrKey};
use hickory_proto::serialize::txt::Parser;
use sendlint_records::mx::MxRecord;
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// A name in the zone that cannot be used.
pub(super) struct BadName {
    pub(super) name: String,
    pub(super) why: String,
    pub(super) help: &'static str,
}

pub(super) type HickoryRecords = BTreeMap<RrKey, RecordSet>;

/// hickory name → ours. `sentinel` is [`NO_ORIGIN`] when the file has no
/// origin: a name under it was written relative.
fn convert_name(name: &Name, sentinel: Option<&DomainName>) -> Result<DomainName, BadName> {
    let converted =
        DomainName::from_labels(name.iter().map(crate::zonetext::decode_name_label)).map_err(|e| {
            BadName {
                name: name.to_string(),
                why: e.to_string(),
                help: "Names are at most 255 bytes, labels at most 63.",
            }
        })?;
    if let Some(relative) = sentinel.and_then(|s| converted.strip_suffix(s)) {
        return Err(BadName {
            name: if relative.is_root() { "@".to_owned() } else { relative.to_string() },
            why: "a relative name, but no origin is known".into(),
            help: "Add `$ORIGIN example.com.` before the first record, end the name with a dot, or name the file after its zone (`example.com.zone`).",
        });
    }
    Ok(converted)
}

/// The one place hickory's record data becomes ours. `None` for types
/// sendlint does not ask for.
fn convert_rdata(
    owner: &DomainName,
    ttl: u32,
    data: &hrr::RData,
    sentinel: Option<&DomainName>,
) -> Result<Option<RData>, BadName> {
    Ok(Some(match data {
        hrr::RData::A(a) => RData::A(a.0),
        hrr::RData::AAAA(a) => RData::Aaaa(a.0),
        hrr::RData::MX(mx) => {
            RData::Mx(MxRecord { preference: mx.preference, exchange: convert_name(&mx.exchange, sentinel)? })
        }
        hrr::RData::TXT(txt) => {
            RData::Txt(TxtRecord { strings: txt.txt_data.iter().map(|s| zonetext::decode_txt(s)).collect() })
        }
        hrr::RData::CNAME(c) => RData::Cname(convert_name(&c.0, sentinel)?),
        hrr::RData::NS(ns) => RData::Ns(convert_name(&ns.0, sentinel)?),
        hrr::RData::SOA(soa) => RData::Soa(Soa {
            zone: owner.clone(),
            mname: convert_name(&soa.mname, sentinel)?,
            serial: Some(soa.serial),
            minimum: soa.minimum,
            ttl,
        }),
        _ => return Ok(None),
    }))
}

pub(super) fn convert_type(rtype: hrr::RecordType) -> Option<RecordType> {
    Some(match rtype {
        hrr::RecordType::A => RecordType::A,
        hrr::RecordType::AAAA => RecordType::Aaaa,
        hrr::RecordType::MX => RecordType::Mx,
        hrr::RecordType::TXT => RecordType::Txt,
        hrr::RecordType::CNAME => RecordType::Cname,
        hrr::RecordType::NS => RecordType::Ns,
        hrr::RecordType::SOA => RecordType::Soa,
        _ => return None,
    })
}

/// Entries handed to hickory at once: hickory's records take about ten times
/// the text's size, so a big zone is parsed in slices, each converted to the
/// compact form before the next (1M records: the peak drops by hundreds of MB).
const CHUNK: usize = 4_096;

/// The owner of the record that carries the last explicit TTL into a slice.
pub(super) const CARRY_OWNER: &str = "ttl-carry.sendlint.invalid.";

/// Records converted to ours, by owner, before the zone's apex is known.
pub(super) type Converted = Vec<(Key, Option<RrSet>)>;

/// Why a sliced load failed.
pub(super) enum Chunk {
    /// hickory refused a slice (the caller re-parses the whole text for the error).
    Hickory,
    /// A name cannot be used.
    BadName(BadName),
}

/// A TTL as hickory reads it: `3600`, `1h`, `1h30m`, `2W`.
fn is_ttl(token: &str) -> bool {
    let t = token.as_bytes();
    !t.is_empty()
        && t[0].is_ascii_digit()
        && t.iter()
            .all(|b| b.is_ascii_digit() || matches!(b.to_ascii_lowercase(), b's' | b'm' | b'h' | b'd' | b'w'))
}

/// Parses the normalized lines in slices of about [`CHUNK`] entries. Each slice
/// starts where an owner is written (never on a line inheriting the previous
/// owner) and is preceded by the state hickory carries from line to line:
/// the `$ORIGIN` lines in force, the last `$TTL`, and a stand-in record with
/// the last explicit TTL (dropped after parsing).
pub(super) fn load_chunked(
    scanned: &Scanned,
    origin_name: Option<Name>,
    origin: Option<&str>,
) -> Result<(Converted, Option<Soa>), Chunk> {
    let sentinel = match origin {
        Some(_) => None,
        None => DomainName::parse(NO_ORIGIN).ok(),
    };
    let carry = DomainName::parse(CARRY_OWNER).ok();
    let mut converted: Converted = Vec::new();
    let mut soa: Option<Soa> = None;
    let (mut origins, mut ttl_directive, mut last_ttl): (Vec<&str>, Option<&str>, Option<&str>) =
        (Vec::new(), None, None);
    let lines = &scanned.lines;
    let mut start = 0;
    while start < lines.len() {
        let mut end = (start + CHUNK).min(lines.len());
        while end < lines.len() && scanned.entries.get(end).is_some_and(|e| e.blank_start) {
            end += 1;
        }
        let mut text = String::new();
        for line in origins.iter().chain(ttl_directive.iter()) {
            text.push_str(line);
            text.push('\n');
        }
        if let Some(ttl) = last_ttl {
            text.push_str(&format!("{CARRY_OWNER} {ttl} IN TXT \"\"\n"));
        }
        for (i, line) in lines[start..end].iter().enumerate() {
            text.push_str(line);
            text.push('\n');
            // the state the next slice inherits
            let mut words = line.split_whitespace();
            match words.next() {
                Some(d) if d.eq_ignore_ascii_case("$origin") => {
                    if words.clone().next().is_some_and(|o| o.ends_with('.')) {
                        origins.clear();
                    }
                    origins.push(line);
                }
                Some(d) if d.eq_ignore_ascii_case("$ttl") => ttl_directive = Some(line),
                Some(first) => {
                    let blank = scanned.entries.get(start + i).is_some_and(|e| e.blank_start);
                    let fields = if blank {
                        std::iter::once(first).chain(words).take(2).collect::<Vec<_>>()
                    } else {
                        words.take(2).collect()
                    };
                    if let Some(ttl) = fields.into_iter().find(|w| is_ttl(w)) {
                        last_ttl = Some(ttl);
                    }
                }
                None => {}
            }
        }
        let records =
            match catch_unwind(AssertUnwindSafe(|| Parser::new(text, None, origin_name.clone()).parse())) {
                Ok(Ok((_, records))) => records,
                _ => return Err(Chunk::Hickory),
            };
        convert_records(&records, sentinel.as_ref(), carry.as_ref(), &mut converted, &mut soa)
            .map_err(Chunk::BadName)?;
        start = end;
    }
    Ok((converted, soa))
}

/// Builds the zone from hickory's records: apex from the SOA (fewest labels),
/// else the origin given, else the longest suffix common to all names.
pub(super) fn build_zone(records: &HickoryRecords, origin: Option<&str>) -> Result<Option<Zone>, BadName> {
    let sentinel = match origin {
        Some(_) => None,
        None => DomainName::parse(NO_ORIGIN).ok(),
    };
    let mut converted: Converted = Vec::new();
    let mut soa: Option<Soa> = None;
    convert_records(records, sentinel.as_ref(), None, &mut converted, &mut soa)?;
    Ok(assemble(converted, soa, origin))
}

/// hickory's records → ours, appended to `converted`; the SOA with the
/// fewest labels kept in `soa`; records owned by `skip` dropped.
fn convert_records(
    records: &HickoryRecords,
    sentinel: Option<&DomainName>,
    skip: Option<&DomainName>,
    converted: &mut Converted,
    soa: &mut Option<Soa>,
) -> Result<(), BadName> {
    for set in records.values() {
        let owner = convert_name(set.name(), sentinel)?;
        if skip.is_some_and(|s| *s == owner) {
            continue;
        }
        let Some(rtype) = convert_type(set.record_type()) else {
            converted.push((Key::of(&owner), None));
            continue;
        };
        let mut rrset = RrSet { rtype, ttl: set.ttl(), records: Vec::new() };
        for record in set.records_without_rrsigs() {
            if let Some(data) = convert_rdata(&owner, record.ttl, &record.data, sentinel)? {
                if let RData::Soa(s) = &data
                    && soa.as_ref().is_none_or(|old| s.zone.label_count() < old.zone.label_count())
                {
                    *soa = Some(s.clone());
                }
                rrset.records.push(data);
            }
        }
        converted.push((Key::of(&owner), Some(rrset)));
    }
    Ok(())
}

/// The zone of the converted records (see [`build_zone`] for the apex).
pub(super) fn assemble(converted: Converted, soa: Option<Soa>, origin: Option<&str>) -> Option<Zone> {
    if converted.is_empty() {
        return None;
    }
    let apex = match (&soa, origin.and_then(|o| DomainName::parse(o).ok())) {
        (Some(soa), _) => soa.zone.clone(),
        (None, Some(origin)) => origin,
        (None, None) => {
            let names: Vec<DomainName> = converted.iter().map(|(k, _)| k.name()).collect();
            common_suffix(names.iter())
        }
    };
    let apex_key = Key::of(&apex);
    let mut zone = Zone::new(apex);
    zone.soa = soa;
    // sized once: growing by doubling holds two tables at the peak
    zone.nodes.reserve(converted.len());
    for (name, set) in converted {
        // out-of-zone data is ignored, as authoritative servers do
        if name.is_subdomain_of(&apex_key) {
            zone.insert_key(name, &apex_key, set);
        }
    }
    Some(zone)
}

fn common_suffix<'a>(mut names: impl Iterator<Item = &'a DomainName>) -> DomainName {
    let Some(first) = names.next() else {
        return DomainName::root();
    };
    let mut suffix = first.clone();
    for name in names {
        while !name.is_subdomain_of(&suffix) {
            match suffix.parent() {
                Some(p) => suffix = p,
                None => return DomainName::root(),
            }
        }
    }
    suffix
}

#[cfg(test)]
mod chunk_tests {
    use super::super::ZoneSource;
    use super::super::error::parse_hickory;
    use super::*;
    use std::str::FromStr;

    /// Loads `text` sliced and at once; both must give the same zone.
    fn both(text: &str, origin: Option<&str>) -> (String, String) {
        let scanned = zonetext::scan(text).expect("scans");
        let origin_name =
            origin.map(|o| Name::from_str(o).expect("origin")).or_else(|| Name::from_str(NO_ORIGIN).ok());
        let (converted, soa) = load_chunked(&scanned, origin_name.clone(), origin).ok().expect("sliced load");
        let sliced = assemble(converted, soa, origin);
        let records = parse_hickory(&scanned, origin_name).expect("whole parse");
        let whole = build_zone(&records, origin).ok().expect("whole load");
        let show = |z: Option<Zone>| {
            let mut source = ZoneSource::new();
            if let Some(z) = z {
                source.zones.insert(z.apex.clone(), z);
            }
            format!("{:?}", source.zones())
        };
        (show(sliced), show(whole))
    }

    #[test]
    fn keys_are_compact_names() {
        let k = |s: &str| Key::of(&DomainName::parse(s).expect("name"));
        assert_eq!(k("Send.Mail.acme.test").0.as_ref(), b"\x04send\x04mail\x04acme\x04test");
        assert_eq!(k("send.mail.acme.test").parent(), Some(k("mail.acme.test")));
        assert_eq!(k(".").parent(), None);
        assert!(k("a.mail.acme.test").is_subdomain_of(&k("acme.test")));
        assert!(k("acme.test").is_subdomain_of(&k("acme.test")));
        assert!(!k("xacme.test").is_subdomain_of(&k("acme.test")));
        assert!(!k("acme.test").is_subdomain_of(&k("mail.acme.test")));
        assert_eq!(k(r"a\.b.Test").name(), DomainName::parse(r"a\.b.test").expect("name"));
    }

    /// Slices start mid-file: `$ORIGIN` (relative and absolute), `$TTL`, the
    /// last explicit TTL and owner-less continuation lines must carry over.
    #[test]
    fn a_sliced_load_is_the_same_zone_as_a_whole_one() {
        let mut text = String::from("$ORIGIN acme.test.\n@ 300 SOA ns1 host 1 2 3 4 5\n");
        for i in 0..3 * CHUNK {
            match i % 997 {
                0 => text.push_str("$ORIGIN sub\n"),
                1 => text.push_str("$ORIGIN acme.test.\n"),
                2 => text.push_str(&format!("$TTL {}\n", 60 + i)),
                _ => {}
            }
            if i % 7 == 0 {
                text.push_str(&format!("t{i} 1h30m IN TXT \"a\"\n"));
            } else if i % 5 == 0 {
                // continuation lines: the owner of the line before
                text.push_str(&format!("c{i} TXT \"first\"\n   TXT \"second {i}\"\n   MX 10 mx{i}\n"));
            } else {
                text.push_str(&format!("n{i} TXT \"v{i}\"\n"));
            }
        }
        let (sliced, whole) = both(&text, None);
        assert!(sliced.len() > 100_000, "a real zone");
        assert_eq!(sliced, whole);
        // without $TTL: the last explicit TTL carries
        let mut text = String::from("$ORIGIN acme.test.\n");
        for i in 0..2 * CHUNK + 10 {
            let ttl = if i % 1000 == 0 { format!(" {}", 100 + i) } else { String::new() };
            text.push_str(&format!("n{i}{ttl} TXT \"v\"\n"));
        }
        let (sliced, whole) = both(&text, Some("acme.test."));
        assert_eq!(sliced, whole);
    }
}
