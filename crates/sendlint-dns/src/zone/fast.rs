//! The fast path of the zone loader: the plain records almost every zone file
//! holds, read straight from the scanned entries, without normalizing the
//! text and running hickory's parser over it.
//!
//! It gives exactly what the hickory path gives, or nothing: anything it does
//! not know to be read the same way (another type or class, an odd name, a
//! fault of any kind) makes [`load`] return `None`, and the caller loads the
//! file through hickory's parser, which accepts, rejects and words every error.
//! What it mirrors, from hickory-proto 0.26's `Parser` and `RecordSet`:
//! - names as `Name::parse` reads them after [`zonetext::encode_name_escapes`]:
//!   IDNA lower-cases a label unless it starts with `_`; relative names take
//!   the current origin; `@` is the origin;
//! - TTLs: an explicit one, else `$TTL`, else the last explicit one;
//! - one RRset per (owner, type); a repeated record is dropped; a second CNAME
//!   replaces the first; the set's TTL is the last added record's.

use super::NO_ORIGIN;
use super::hickory::{CARRY_OWNER, Converted};
use super::tree::{Key, RrSet};
use crate::zonetext::{self, Entry, MAX_STRING, NAME_MARK};
use crate::{RData, RecordType, Soa};
use hickory_proto::serialize::txt::parse_ttl;
use sendlint_records::mx::MxRecord;
use sendlint_records::name::{DomainName, MAX_LABEL, MAX_NAME, NameMap};
use sendlint_records::txt::TxtRecord;
use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::str::FromStr;
use std::sync::OnceLock;

/// A name as hickory holds it: labels in wire form (length octet first),
/// after its IDNA step, escapes still as `zzDDDzz` marks, no root octet.
#[derive(Clone)]
struct HName(Vec<u8>);

/// What reading one file tracks from line to line (hickory's `Context`).
struct State {
    origin: Option<HName>,
    owner: Option<(HName, DomainName)>,
    default_ttl: Option<u32>,
    last_ttl: Option<u32>,
    /// Some name holds an escape mark: decoded names may then collide where
    /// hickory's do not.
    marked: bool,
    /// The names the hickory path treats specially: `NO_ORIGIN` (its
    /// stand-in origin when the file has none) and `CARRY_OWNER`.
    no_origin: Option<DomainName>,
    carry: DomainName,
    /// Lower-cased hickory owner + type → index in `sets`.
    index: NameMap<(Vec<u8>, RecordType), usize>,
    /// The RRsets: hickory's lower-cased owner, ours, the set.
    sets: Vec<(Vec<u8>, DomainName, RrSet)>,
    soa: Option<Soa>,
}

/// Loads the entries the way the hickory path would, or `None` when the file
/// holds anything this path does not read (the caller then takes that path).
pub(super) fn load(text: &str, entries: &[Entry], origin: Option<&str>) -> Option<(Converted, Option<Soa>)> {
    static RESERVED: OnceLock<Option<(DomainName, DomainName)>> = OnceLock::new();
    let (sentinel, carry) = RESERVED
        .get_or_init(|| Some((DomainName::parse(NO_ORIGIN).ok()?, DomainName::parse(CARRY_OWNER).ok()?)))
        .clone()?;
    let (origin, no_origin) = match origin {
        Some(o) => (Some(parse_name(o, None, true)?), None),
        None => (None, Some(sentinel)),
    };
    let mut st = State {
        origin,
        owner: None,
        default_ttl: None,
        last_ttl: None,
        marked: false,
        no_origin,
        carry,
        index: NameMap::default(),
        sets: Vec::new(),
        soa: None,
    };
    for entry in entries {
        if entry.tokens.is_empty() {
            continue;
        }
        st.entry(text, entry)?;
    }
    let State { sets, soa, marked, index, .. } = st;
    drop(index);
    if marked {
        // two hickory owners that decode to one name are merged in hickory's
        // map order: rare, left to that path
        let mut owners: NameMap<Key, &[u8]> = NameMap::default();
        for (hkey, owner, _) in &sets {
            if *owners.entry(Key::of(owner)).or_insert(hkey) != &hkey[..] {
                return None;
            }
        }
    }
    let mut converted: Converted = Vec::with_capacity(sets.len());
    for (_, owner, set) in sets {
        converted.push((Key::of(&owner), Some(set)));
    }
    // hickory's map is ordered by (owner, type): within a name the sets come
    // in type order, which is what a node keeps
    converted.sort_by_key(|(_, set)| set.as_ref().map_or(0, |s| type_code(s.rtype)));
    Some((converted, soa))
}

fn type_code(t: RecordType) -> u16 {
    match t {
        RecordType::A => 1,
        RecordType::Ns => 2,
        RecordType::Cname => 5,
        RecordType::Soa => 6,
        RecordType::Mx => 15,
        RecordType::Txt => 16,
        RecordType::Aaaa => 28,
    }
}

impl State {
    fn entry(&mut self, text: &str, entry: &Entry) -> Option<()> {
        let tokens = &entry.tokens;
        let raw = |i: usize| -> Option<&str> {
            let t = tokens.get(i)?;
            if t.quoted { None } else { text.get(t.span.clone()) }
        };
        let mut at = 0;
        if !entry.blank_start {
            let first = raw(0)?;
            if first.starts_with('$') {
                // hickory's lexer knows these two in capitals only
                if tokens.len() != 2 {
                    return None;
                }
                let arg = raw(1)?;
                match first {
                    "$ORIGIN" => self.origin = Some(parse_name(arg, None, false)?),
                    "$TTL" => self.default_ttl = Some(parse_ttl(&plain(arg)?).ok()?),
                    _ => return None,
                }
                return Some(());
            }
            let name = if first == "@" { self.origin.clone()? } else { self.name(first)? };
            let owner = self.domain_name(&name)?;
            // the sliced hickory load drops records of this owner
            if owner == self.carry {
                return None;
            }
            self.owner = Some((name, owner));
            at = 1;
        }
        let mut this_ttl = None;
        let rtype = loop {
            let word = raw(at)?;
            if word.contains('\\') {
                return None;
            }
            at += 1;
            if let Ok(ttl) = parse_ttl(word) {
                this_ttl = Some(ttl);
            } else if word.eq_ignore_ascii_case("IN") {
            } else {
                break record_type(word)?;
            }
        };
        let data = &tokens[at..];
        if data.is_empty() {
            return None;
        }
        let ttl = match this_ttl {
            Some(t) => {
                self.last_ttl = Some(t);
                t
            }
            None => self.default_ttl.or(self.last_ttl)?,
        };
        let word = |i: usize| raw(at + i).and_then(plain);
        let rdata = match rtype {
            RecordType::Txt => {
                let mut strings = Vec::with_capacity(data.len());
                for tok in data {
                    let raw = text.get(tok.span.clone())?;
                    let (inner, base) =
                        if tok.quoted { (raw.get(1..raw.len().saturating_sub(1))?, 1) } else { (raw, 0) };
                    let bytes = zonetext::unescape(inner, tok.span.start + base).ok()?;
                    if bytes.len() > MAX_STRING {
                        return None;
                    }
                    strings.push(bytes);
                }
                RData::Txt(TxtRecord { strings })
            }
            _ if data.iter().any(|t| t.quoted) => return None,
            RecordType::A if data.len() == 1 => RData::A(Ipv4Addr::from_str(&word(0)?).ok()?),
            RecordType::Aaaa if data.len() == 1 => RData::Aaaa(Ipv6Addr::from_str(&word(0)?).ok()?),
            RecordType::Mx if data.len() == 2 => {
                let preference = u16::from_str(&word(0)?).ok()?;
                let exchange = self.rdata_name(raw(at + 1)?)?;
                RData::Mx(MxRecord { preference, exchange })
            }
            RecordType::Ns if data.len() == 1 => RData::Ns(self.rdata_name(raw(at)?)?),
            RecordType::Cname if data.len() == 1 => RData::Cname(self.rdata_name(raw(at)?)?),
            RecordType::Soa if data.len() == 7 => {
                let mname = self.rdata_name(raw(at)?)?;
                // the RNAME is read but not kept
                self.name(raw(at + 1)?)?;
                let serial = parse_ttl(&word(2)?).ok()?;
                for i in 3..6 {
                    i32::try_from(parse_ttl(&word(i)?).ok()?).ok()?;
                }
                let minimum = parse_ttl(&word(6)?).ok()?;
                // one SOA per file here: hickory's choice among several is its map order
                if self.soa.is_some() {
                    return None;
                }
                let zone = self.owner.as_ref()?.1.clone();
                let soa = Soa { zone, mname, serial: Some(serial), minimum, ttl };
                self.soa = Some(soa.clone());
                RData::Soa(soa)
            }
            _ => return None,
        };
        let (hname, owner) = self.owner.as_ref()?;
        let key = (hname.0.to_ascii_lowercase(), rtype);
        match self.index.get(&key) {
            Some(&i) => {
                let set = &mut self.sets[i].2;
                if rtype == RecordType::Cname {
                    set.records.clear();
                } else if set.records.contains(&rdata) {
                    // hickory drops a repeat, but compares names before
                    // decoding their marks
                    if self.marked {
                        return None;
                    }
                    return Some(());
                }
                set.records.push(rdata);
                set.ttl = ttl;
            }
            None => {
                self.sets.push((key.0.clone(), owner.clone(), RrSet { rtype, ttl, records: vec![rdata] }));
                self.index.insert(key, self.sets.len() - 1);
            }
        }
        Some(())
    }

    /// A name token relative to the current origin.
    fn name(&mut self, raw: &str) -> Option<HName> {
        let name = parse_name(raw, self.origin.as_ref(), false)?;
        if name.0.windows(NAME_MARK.len()).any(|w| w == NAME_MARK) {
            self.marked = true;
        }
        Some(name)
    }

    fn rdata_name(&mut self, raw: &str) -> Option<DomainName> {
        let name = self.name(raw)?;
        self.domain_name(&name)
    }

    /// hickory's name → ours (as `convert_name` does it): marks decoded.
    fn domain_name(&self, name: &HName) -> Option<DomainName> {
        let labels = WireLabels(&name.0).map(|l| {
            if l.windows(NAME_MARK.len()).any(|w| w == NAME_MARK) {
                Cow::Owned(zonetext::decode_name_label(l))
            } else {
                Cow::Borrowed(l)
            }
        });
        let name = DomainName::from_labels(labels).ok()?;
        // without an origin, a name under the stand-in was written relative:
        // an error the hickory path words
        if self.no_origin.as_ref().is_some_and(|s| name.is_subdomain_of(s)) {
            return None;
        }
        Some(name)
    }
}

struct WireLabels<'a>(&'a [u8]);

impl<'a> Iterator for WireLabels<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, rest) = self.0.split_first()?;
        let (label, after) = rest.split_at(usize::from(len).min(rest.len()));
        self.0 = after;
        Some(label)
    }
}

/// The token as hickory's lexer hands it on: escapes rewritten as the
/// normalizer does; `None` when one is left that this path does not read.
fn plain(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains('\\') {
        return Some(Cow::Borrowed(raw));
    }
    let enc = zonetext::encode_name_escapes(raw);
    if enc.contains('\\') {
        return None;
    }
    Some(Cow::Owned(enc))
}

/// One of the types this path reads.
fn record_type(word: &str) -> Option<RecordType> {
    const TYPES: [(&str, RecordType); 7] = [
        ("A", RecordType::A),
        ("AAAA", RecordType::Aaaa),
        ("MX", RecordType::Mx),
        ("TXT", RecordType::Txt),
        ("CNAME", RecordType::Cname),
        ("NS", RecordType::Ns),
        ("SOA", RecordType::Soa),
    ];
    TYPES.iter().find(|(w, _)| w.eq_ignore_ascii_case(word)).map(|&(_, t)| t)
}

/// `Name::parse(raw, origin)` for the names this path reads: labels of
/// letters, digits and hyphens (lower-cased, as IDNA does), or starting with
/// `_` (kept as written), or `*`. `absolute` makes a relative name absolute
/// (the origin given for a file).
fn parse_name(raw: &str, origin: Option<&HName>, absolute: bool) -> Option<HName> {
    let enc = plain(raw)?;
    let (body, fqdn) = match enc.strip_suffix('.') {
        Some(body) => (body, true),
        None => (&*enc, absolute),
    };
    if body.is_empty() {
        // the root, or an empty label
        return None;
    }
    let mut wire = Vec::with_capacity(body.len() + 1 + origin.map_or(0, |o| o.0.len()));
    for label in body.split('.') {
        let b = label.as_bytes();
        if b.is_empty() || b.len() > MAX_LABEL {
            return None;
        }
        wire.push(u8::try_from(b.len()).ok()?);
        if b == b"*" {
            wire.push(b'*');
        } else if b[0] == b'_' {
            if !b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_') {
                return None;
            }
            wire.extend_from_slice(b);
        } else {
            // IDNA would check (and keep) the punycode of an `xn--` label
            let ok = b[0] != b'-'
                && b.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
                && !(b.len() >= 4 && b[..4].eq_ignore_ascii_case(b"xn--"));
            if !ok {
                return None;
            }
            wire.extend(b.iter().map(u8::to_ascii_lowercase));
        }
    }
    if !fqdn {
        wire.extend_from_slice(&origin?.0);
    }
    if wire.len() + 1 > MAX_NAME {
        return None;
    }
    Some(HName(wire))
}

#[cfg(test)]
mod tests {
    use super::super::{ZoneError, ZoneSource};
    use super::*;
    use proptest::prelude::*;
    use std::path::{Path, PathBuf};

    /// Everything a load gives: the zones, or the error with its position.
    fn outcome(r: Result<ZoneSource, ZoneError>) -> String {
        match r {
            Ok(source) => format!("ok {:?}", source.zones()),
            Err(e) => format!("err {e} at {:?}: {e:?}", e.position()),
        }
    }

    /// Asserts the fast load and the hickory load agree on `text`; returns
    /// whether the fast path read it.
    fn same(text: &str, origin: Option<&str>) -> bool {
        let fast = outcome(ZoneSource::from_text("t.zone", text, origin));
        let slow = outcome(ZoneSource::from_text_via_hickory("t.zone", text, origin));
        assert_eq!(fast, slow, "origin {origin:?}, text:\n{text}");
        zonetext::scan_entries(text).ok().is_some_and(|e| load(text, &e, origin).is_some())
    }

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    /// Every zone text of the repository: zone files, and the `[[zone]]`
    /// texts of the scenario fixtures.
    fn repository_zones() -> Vec<(PathBuf, String)> {
        let mut out = Vec::new();
        let mut dirs =
            vec![root().join("fixtures"), root().join("tests"), root().join("crates/sendlint-dns/tests")];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                let ext = path.extension().and_then(|e| e.to_str()).unwrap_or_default();
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                if ["zone", "db"].contains(&ext) {
                    out.push((path, text));
                } else if ext == "toml" {
                    for chunk in text.split("text = '''").skip(1) {
                        if let Some((zone, _)) = chunk.split_once("'''") {
                            out.push((path.clone(), zone.trim_start_matches('\n').to_owned()));
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn every_repository_zone_loads_the_same_and_most_take_the_fast_path() {
        let zones = repository_zones();
        assert!(zones.len() > 300, "{} zone texts", zones.len());
        let mut fast = 0;
        for (path, text) in &zones {
            let origin = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".zone"))
                .filter(|stem| stem.contains('.'));
            fast += usize::from(same(text, origin));
            fast += usize::from(same(text, None));
        }
        // the demo zones (one with an escaped blank in a name) all do
        for name in ["acme", "globex", "hooli", "initech", "umbrella"] {
            let text = std::fs::read_to_string(root().join(format!("fixtures/demo/zones/{name}.test.zone")))
                .expect("demo zone");
            assert!(same(&text, None), "{name}");
        }
        assert!(fast * 10 > zones.len() * 2 * 9, "{fast} of {} loads took the fast path", zones.len() * 2);
    }

    const OWNERS: &[&str] = &[
        "@",
        " ",
        "  ",
        "a",
        "A.b",
        "_dmarc",
        "_DMARC.Mail",
        "*",
        "*.w",
        "x.acme.test.",
        "X.Acme.Test.",
        "10\\ send",
        "s\\046x",
        "a\\065",
        "\\_x",
        "ok-",
        "ZZ065ZZ",
        "zz065zz",
        "a\\255b",
        "1.2",
        "a.b.c.d.e.f",
        // odd
        "a_b",
        "-bad",
        "xn--abc",
        "münchen",
        "\"q\"",
        "a..b",
        ".",
        "sub.no-origin.sendlint.invalid.",
        "ttl-carry.sendlint.invalid.",
        "a\\",
        "@x",
        "$x",
        "a(b",
        "a\\.b",
        "a\\999",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ];
    const TTL_CLASS: &[&str] = &[
        "",
        "",
        "",
        "300",
        "1h",
        "IN",
        "IN 60",
        "60 IN",
        "in",
        "CH",
        "99999999999",
        "1h30m in 5",
        "0",
        "CLASS1",
    ];
    const DATA: &[&str] = &[
        "A 1.2.3.4",
        "A 1.2.3.5",
        "A 1.2.3.\\052",
        "AAAA ::1",
        "aaaa 2001:db8::1",
        "AAAA ::ffff:1.2.3.4",
        "MX 10 mx",
        "MX 10 Mx.Example.",
        "MX 10 mx.example.",
        "MX 20 mx.example.",
        "MX 10 10\\ feedback-smtp.us-east-1.amazonses.com.",
        "MX 10 10zz032zzfeedback-smtp.us-east-1.amazonses.com.",
        "MX 10 _Odd.example.",
        "MX +5 mx",
        "NS ns1",
        "NS ns1.other.",
        "NS Ns1.Other.",
        "CNAME t",
        "CNAME T.acme.test.",
        "CNAME u",
        "TXT \"v=spf1 -all\"",
        "TXT \"v=spf1 -all\"",
        "TXT a b",
        "TXT \"a\\\"b\" \"\\255\\000\"",
        "TXT \"é\\233\u{f7aa}\"",
        "TXT \"tab\there\"",
        "TXT \"\"",
        "TXT ( \"a\"\n  \"b\" ) ; c",
        "TXT \"a\" ; comment",
        "TXT \"line\nbreak\"",
        "txt \\059x",
        "SOA ns1 host 1 2 3 4 5",
        "SOA ns1. host. 1h 2 3 4 5",
        "SOA ( ns1 host\n 1 2 3 4 5 )",
        "SOA ns2 host 7 2 3 4 1w",
        // odd
        "A 1.2.3",
        "A 1.2.3.4 5",
        "MX x mx",
        "MX 10",
        "MX 70000 mx",
        "NS @",
        "CNAME @",
        "TXT \"\\256\"",
        "TXT \"\\25\"",
        "TXT",
        "SOA ns1 host 1 2 3 4",
        "SOA ns1 host 1 2 3 4 5 6",
        "SOA ns1 host 1 9999999999 3 4 5",
        "SRV 0 0 0 x.",
        "CAA 0 issue \"x\"",
        "PTR x.",
        "MX 10 \"mx\"",
        "A (1.2.3.4)",
        "A 1.2.3.4 )",
        "T\\088T \"x\"",
        "MX 10 mx\\.x.",
    ];
    const DIRECTIVES: &[&str] = &[
        "$ORIGIN acme.test.",
        "$ORIGIN Sub.Acme.Test.",
        "$ORIGIN _x.acme.test.",
        "$TTL 300",
        "$TTL 1h",
        "; only a comment",
        "",
        // odd
        "$ORIGIN sub",
        "   ",
        "$ttl 300",
        "$INCLUDE x",
        "$ORIGIN .",
        "$FOO 1",
        "$TTL",
        "$TTL 300 extra",
    ];

    /// How many of the leading entries of each list are lines the fast
    /// path reads (the rest are odd or broken).
    const PLAIN: (usize, usize, usize, usize) = (21, 9, 35, 7);

    /// One line; most are plain, one in eight draws from the odd ones too.
    fn line((kind, owner, ttl, data): (usize, usize, usize, usize)) -> String {
        let pick = |i: usize, list: &[&'static str], plain: usize| {
            if kind % 8 == 0 { list[i % list.len()] } else { list[i % plain] }
        };
        if kind % 6 == 0 {
            return pick(owner, DIRECTIVES, PLAIN.3).to_owned();
        }
        let owner = pick(owner, OWNERS, PLAIN.0);
        let sep = if owner.trim().is_empty() { "" } else { " " };
        let ttl = pick(ttl, TTL_CLASS, PLAIN.1);
        let ttl = if ttl.is_empty() { String::new() } else { format!("{ttl} ") };
        format!("{owner}{sep}{ttl}{}", pick(data, DATA, PLAIN.2))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

        /// Files made of the lines customers write (and break): the fast
        /// path reads them as hickory does, or leaves them to it.
        #[test]
        fn the_fast_path_agrees_with_hickory(
            lines in proptest::collection::vec((0usize..100, 0usize..100, 0usize..100, 0usize..100), 0..14),
            head in 0usize..4,
            origin in 0usize..3,
        ) {
            let mut text = String::new();
            match head {
                0 => text.push_str("$ORIGIN acme.test.\n$TTL 300\n@ SOA ns1 host 1 2 3 4 5\n"),
                1 => text.push_str("$ORIGIN acme.test.\n"),
                2 => text.push_str("$TTL 60\n"),
                _ => {}
            }
            for l in lines {
                let mut line = line(l);
                // CRLF files and tab-separated fields
                match l.0 % 7 {
                    1 => line.push('\r'),
                    2 => line = line.replacen(' ', "\t", 2),
                    _ => {}
                }
                text.push_str(&line);
                text.push('\n');
            }
            let origin = [None, Some("acme.test"), Some("Acme.Test.")][origin];
            same(&text, origin);
        }
    }
}
