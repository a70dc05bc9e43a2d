//! Fact extraction: from observed records to the [`Facts`] rules judge.
//!
//! One fault, one diagnosis: judgement facts (syntax, key validity, match) are
//! computed on the *repaired* value (wrapping quotes stripped, embedded quote
//! sequences removed, records split across several TXT records joined), so a
//! quoted but otherwise correct key reports `quoted` and `key_matches`, not
//! also an invalid key. Spans always point into the original data of the
//! original record.

use crate::dkim::DkimRecord;
use crate::dmarc::{DmarcRecord, NearMiss, is_dmarc, near_miss};
use crate::facts::{Fact, Facts, Role, Span};
use crate::key::{KeyError, PublicKey};
use crate::mx::MxRecord;
use crate::name::DomainName;
use crate::spf::{SpfRecord, TermKind, is_spf};
use crate::tags::{SyntaxError, show};
use crate::txt::TxtRecord;
use std::borrow::Cow;
use std::ops::Range;

/// What the setup expects, for judging observed records.
#[derive(Clone, Copy, Debug)]
pub struct Expectation<'a> {
    /// The SES region, e.g. `us-east-1`.
    pub region: &'a str,
    /// The sending domain D.
    pub domain: &'a DomainName,
    /// The zone apex holding D, when known.
    pub zone: Option<&'a DomainName>,
    /// The MAIL FROM domain (full name).
    pub mail_from: &'a DomainName,
    /// The public key given to SES, when known.
    pub expected_key: Option<&'a PublicKey>,
}

/// DNS-querying terms of the selected SPF record, for following includes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfLookups {
    /// DNS-querying terms in the record itself (include, a, mx, ptr, exists, redirect).
    pub direct: usize,
    /// The `include:` targets that can be followed (no macros), in order.
    pub includes: Vec<DomainName>,
    /// The `redirect=` target, when it can be followed.
    pub redirect: Option<DomainName>,
}

/// Where the DNS query of an SPF term goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpfTarget {
    /// The domain whose record it is (`a`, `mx` without `:domain`).
    Current,
    /// An explicit domain.
    Name(DomainName),
    /// A domain built with macros, or not a usable name: only a receiver,
    /// which knows the client, can tell.
    Unknown,
}

/// What a receiver evaluates of the SPF record [`txt_facts`] selects
/// (RFC 7208 §4.6, §5, §6.1), for following it through DNS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfPolicy {
    /// How many `v=spf1` records the name holds: more than one is a permerror.
    pub records: usize,
    /// The selected record does not parse (a permerror).
    pub syntax_error: bool,
    /// The DNS-querying mechanisms before the `all` term, in order, with
    /// their targets (`include`, `a`, `mx`, `ptr`, `exists`).
    pub queries: Vec<(TermKind, SpfTarget)>,
    /// The `redirect=` target, when it takes effect (the record has no `all`).
    pub redirect: Option<SpfTarget>,
    /// The record has `include:amazonses.com` before any `all` term.
    pub includes_amazonses: bool,
}

// ---------------------------------------------------------------- repair ----

/// True when every byte satisfies `pred`; written without early exit per
/// chunk so it vectorises (the hot path scans ~400-byte DKIM keys).
#[inline]
fn all_bytes(d: &[u8], pred: impl Fn(u8) -> bool + Copy) -> bool {
    d.chunks(32).all(|c| c.iter().fold(true, |acc, &b| acc & pred(b)))
}

/// True when `d` holds no byte that can start a quote character.
#[inline]
fn quote_free(d: &[u8]) -> bool {
    all_bytes(d, |b| b != b'"' && b != b'\'' && b != 0xE2)
}

/// True when `d` is printable ASCII only.
#[inline]
fn printable_ascii(d: &[u8]) -> bool {
    all_bytes(d, |b| (0x20..0x7F).contains(&b))
}

/// A quote character at a position: its length in bytes and its text.
fn quote_at(d: &[u8], i: usize) -> Option<(usize, &'static str)> {
    match d.get(i)? {
        b'"' => Some((1, "\"")),
        b'\'' => Some((1, "'")),
        0xE2 => match d.get(i + 1..i + 3)? {
            [0x80, 0x9C] => Some((3, "\u{201C}")),
            [0x80, 0x9D] => Some((3, "\u{201D}")),
            [0x80, 0x98] => Some((3, "\u{2018}")),
            [0x80, 0x99] => Some((3, "\u{2019}")),
            _ => None,
        },
        _ => None,
    }
}

/// A quote character ending at `end`.
fn quote_before(d: &[u8], end: usize) -> Option<(usize, &'static str)> {
    if end >= 1
        && let Some(q @ (1, _)) = quote_at(d, end - 1)
    {
        return Some(q);
    }
    if end >= 3 {
        return quote_at(d, end - 3).filter(|(n, _)| *n == 3);
    }
    None
}

/// How one record's data was repaired.
#[derive(Clone, Debug, Default)]
struct Repair {
    /// Opening wrapping quote(s): start, len, the first quote character.
    open: Option<(usize, usize, &'static str)>,
    /// Closing wrapping quote(s): start, len.
    close: Option<(usize, usize)>,
    /// First embedded quote sequence: start, len.
    embedded: Option<(usize, usize)>,
    /// The original ranges kept, in order: the repaired data is their concatenation.
    kept: Vec<Range<usize>>,
}

fn repair(d: &[u8]) -> Repair {
    let mut r = Repair::default();
    let (mut s, mut e) = (0, d.len());
    while let Some((n, q)) = quote_at(d, s) {
        match &mut r.open {
            None => r.open = Some((s, n, q)),
            Some((_, len, _)) => *len += n,
        }
        s += n;
    }
    while e > s
        && let Some((n, _)) = quote_before(d, e)
    {
        e -= n;
        r.close = Some((e, r.close.map_or(n, |(_, len)| len + n)));
    }
    if r.open.is_some() || r.close.is_some() {
        while s < e && d[s] == b' ' {
            s += 1;
        }
        while e > s && d[e - 1] == b' ' {
            e -= 1;
        }
    }
    if quote_free(d.get(s..e).unwrap_or_default()) {
        r.kept.push(s..e);
        return r;
    }
    // Embedded quote runs: two or more quote characters separated only by
    // blanks (`abc" "def`), or a lone double quote.
    let mut from = s;
    let mut i = s;
    while i < e {
        let Some((n, q)) = quote_at(d, i) else {
            i += 1;
            continue;
        };
        let mut j = i + n;
        let mut last = j;
        let mut count = 1;
        let mut double = q != "'" && q != "\u{2018}" && q != "\u{2019}";
        while j < e {
            if let Some((m, q2)) = quote_at(d, j) {
                count += 1;
                double |= q2 != "'" && q2 != "\u{2018}" && q2 != "\u{2019}";
                j += m;
                last = j;
            } else if d[j] == b' ' || d[j] == b'\t' {
                j += 1;
            } else {
                break;
            }
        }
        if count >= 2 || double {
            if r.embedded.is_none() {
                r.embedded = Some((i, last - i));
            }
            if from < i {
                r.kept.push(from..i);
            }
            from = last;
        }
        i = last;
    }
    if from < e || r.kept.is_empty() {
        r.kept.push(from..e.max(from));
    }
    r
}

/// One stretch of repaired bytes and where it came from.
#[derive(Clone, Copy, Debug)]
struct Seg {
    rep: usize,
    record: usize,
    orig: usize,
    len: usize,
}

/// Repaired data, possibly joined from several records, with its origin map.
#[derive(Debug, Default)]
struct Joined<'a> {
    /// Borrowed when one record needed no cutting (the common case).
    bytes: Cow<'a, [u8]>,
    segs: Vec<Seg>,
}

impl Joined<'_> {
    /// Maps a repaired range to a span in one original record (clipped to
    /// the record where the range starts).
    fn span(&self, r: Range<usize>) -> Span {
        let Some(si) = self
            .segs
            .iter()
            .rposition(|s| s.rep <= r.start && (r.start < s.rep + s.len || s.len == 0))
            .or_else(|| self.segs.iter().rposition(|s| s.rep <= r.start))
        else {
            return Span::new(0, 0, 0);
        };
        let seg = self.segs[si];
        let start = seg.orig + (r.start - seg.rep).min(seg.len);
        if r.end <= r.start {
            return Span::new(seg.record, start, 0);
        }
        let last = r.end - 1;
        let mut end = start;
        for s in &self.segs[si..] {
            if s.record != seg.record {
                break;
            }
            if last < s.rep {
                break;
            }
            end = s.orig + (last - s.rep).min(s.len.saturating_sub(1)) + 1;
        }
        Span::new(seg.record, start, end.saturating_sub(start))
    }
}

fn data_of(r: &TxtRecord) -> Cow<'_, [u8]> {
    match r.strings.as_slice() {
        [one] => Cow::Borrowed(one.as_slice()),
        _ => Cow::Owned(r.data()),
    }
}

/// A record prepared for judging: original data, repair, repaired bytes.
struct Prepared<'r> {
    index: usize,
    data: Cow<'r, [u8]>,
    repair: Repair,
}

fn prepare(records: &[TxtRecord]) -> Vec<Prepared<'_>> {
    records
        .iter()
        .enumerate()
        .map(|(index, r)| {
            let data = data_of(r);
            let repair = repair(&data);
            Prepared { index, data, repair }
        })
        .collect()
}

fn join<'a>(parts: &[&'a Prepared<'_>]) -> Joined<'a> {
    if let [p] = parts
        && let [only] = p.repair.kept.as_slice()
    {
        let bytes = p.data.get(only.clone()).unwrap_or_default();
        let seg = Seg { rep: 0, record: p.index, orig: only.start, len: bytes.len() };
        return Joined { bytes: Cow::Borrowed(bytes), segs: vec![seg] };
    }
    let mut bytes = Vec::with_capacity(parts.iter().map(|p| p.data.len()).sum());
    let mut segs = Vec::with_capacity(parts.len());
    for p in parts {
        for k in &p.repair.kept {
            let part = p.data.get(k.clone()).unwrap_or_default();
            segs.push(Seg { rep: bytes.len(), record: p.index, orig: k.start, len: part.len() });
            bytes.extend_from_slice(part);
        }
    }
    Joined { bytes: Cow::Owned(bytes), segs }
}

/// True when `starts(repaired bytes)` without building them.
fn repaired_starts(p: &Prepared<'_>, test: fn(&[u8]) -> bool) -> bool {
    match p.repair.kept.as_slice() {
        [only] => test(p.data.get(only.clone()).unwrap_or_default()),
        _ => test(&join(&[p]).bytes),
    }
}

// ------------------------------------------------------------ data facts ----

/// The TXT data facts of the records used (in use order), and the
/// syntax-independent scans (control bytes, non-ASCII).
fn data_facts(f: &mut Facts, used: &[&Prepared<'_>], records: &[TxtRecord], tag_list: bool) {
    let first_open = used.iter().find_map(|p| p.repair.open.map(|o| (p.index, o)));
    let first_close = used.iter().find_map(|p| p.repair.close.map(|c| (p.index, c)));
    let quoted = first_open.is_some() || first_close.is_some();
    f.set(Fact::Quoted, quoted);
    match (first_open, first_close) {
        (Some((r, (s, n, q))), close) => {
            f.set(Fact::QuoteChar, q);
            f.set(Fact::QuoteSpan, Span::new(r, s, n));
            if let Some((cr, (cs, cn))) = close {
                f.set(Fact::QuoteEndSpan, Span::new(cr, cs, cn));
            }
        }
        (None, Some((r, (s, n)))) => {
            let p = used.iter().find(|p| p.index == r);
            let q = p.and_then(|p| quote_at(&p.data, s)).map_or("\"", |(_, q)| q);
            f.set(Fact::QuoteChar, q);
            f.set(Fact::QuoteSpan, Span::new(r, s, n));
        }
        (None, None) => f.set(Fact::QuoteChar, ""),
    }
    let emb = used.iter().find_map(|p| p.repair.embedded.map(|e| (p.index, e)));
    f.set(Fact::EmbeddedQuotes, emb.is_some());
    if let Some((r, (s, n))) = emb {
        f.set(Fact::EmbeddedQuoteSpan, Span::new(r, s, n));
    }
    let mut control = None;
    let mut non_ascii = None;
    for p in used {
        if printable_ascii(&p.data) {
            continue;
        }
        if control.is_none()
            && let Some((s, n)) = first_control(&p.data, tag_list)
        {
            control = Some(Span::new(p.index, s, n));
        }
        if non_ascii.is_none() {
            for k in &p.repair.kept {
                if let Some((s, n)) = first_non_ascii(&p.data, k.clone()) {
                    non_ascii = Some(Span::new(p.index, s, n));
                    break;
                }
            }
        }
    }
    f.set(Fact::ControlBytes, control.is_some());
    f.set(Fact::ControlSpan, control);
    f.set(Fact::NonAscii, non_ascii.is_some());
    f.set(Fact::NonAsciiSpan, non_ascii);
    let first = used.iter().map(|p| p.index).min().unwrap_or(0);
    f.set(Fact::StringCount, records.get(first).map_or(0, |r| r.strings.len()));
}

/// True when the tab at `i` is whitespace around a tag-list separator: only
/// blanks between it and `;`, `=` or an end of the data. DKIM (RFC 6376 §3.2,
/// FWS) and DMARC (RFC 7489 §6.4, `*WSP`) allow it there.
fn separator_tab(d: &[u8], i: usize) -> bool {
    let blank = |c: &&u8| **c == b' ' || **c == b'\t';
    let before = d.get(..i).unwrap_or_default().iter().rev().find(|c| !blank(c));
    let after = d.get(i + 1..).unwrap_or_default().iter().find(|c| !blank(c));
    before.is_none_or(|&c| c == b';' || c == b'=') || after.is_none_or(|&c| c == b';' || c == b'=')
}

/// The first control byte (C0, DEL, ESC, UTF-8 C1) or invalid UTF-8 byte.
/// In a tag-list (`tag_list`), tabs around `=` and `;` are whitespace, not
/// control bytes.
fn first_control(d: &[u8], tag_list: bool) -> Option<(usize, usize)> {
    // Fast path: valid UTF-8 (SIMD-checked) with no C0/DEL byte and no
    // 0xC2 lead byte (which C1 controls need) has nothing to find.
    if all_bytes(d, |b| b >= 0x20 && b != 0x7F && b != 0xC2) && std::str::from_utf8(d).is_ok() {
        return None;
    }
    let mut i = 0;
    while i < d.len() {
        let b = d[i];
        if b < 0x80 {
            if (b < 0x20 || b == 0x7F) && !(tag_list && b == b'\t' && separator_tab(d, i)) {
                return Some((i, 1));
            }
            i += 1;
            continue;
        }
        let n = crate::name::utf8_len(b);
        match d.get(i..i + n).map(std::str::from_utf8) {
            Some(Ok(s)) if !s.chars().next().is_some_and(char::is_control) => i += n,
            Some(Ok(_)) => return Some((i, n)),
            _ => return Some((i, 1)),
        }
    }
    None
}

/// The first valid non-ASCII character in `d[r]`.
fn first_non_ascii(d: &[u8], r: Range<usize>) -> Option<(usize, usize)> {
    if d.get(r.clone()).is_none_or(<[u8]>::is_ascii) {
        return None;
    }
    let mut i = r.start;
    while i < r.end.min(d.len()) {
        let b = d[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        let n = crate::name::utf8_len(b);
        if n > 1 && d.get(i..i + n).is_some_and(|s| std::str::from_utf8(s).is_ok()) {
            return Some((i, n));
        }
        i += 1;
    }
    None
}

fn syntax_facts(f: &mut Facts, error: Option<&SyntaxError>, joined: &Joined<'_>) {
    f.set(Fact::SyntaxError, error.is_some());
    match error {
        Some(e) => {
            f.set(Fact::SyntaxMessage, e.message.as_str());
            f.set(Fact::SyntaxSpan, joined.span(e.span.clone()));
        }
        None => f.set(Fact::SyntaxMessage, ""),
    }
}

// ------------------------------------------------------------- TXT roles ----

/// Facts of a TXT role from all TXT records at the name, in answer order
/// (spans index this slice). `role` is [`Role::SpfTxt`], [`Role::Dkim`] or
/// [`Role::Dmarc`]; other roles give empty facts.
pub fn txt_facts(role: Role, records: &[TxtRecord], exp: &Expectation) -> Facts {
    let mut f = Facts::new();
    match role {
        Role::SpfTxt => spf_facts(&mut f, records),
        Role::Dmarc => dmarc_facts(&mut f, records),
        Role::Dkim => dkim_facts(&mut f, records, exp),
        Role::SpfMx | Role::Domain => {}
    }
    f
}

fn select<'r>(records: &'r [TxtRecord], test: fn(&[u8]) -> bool) -> Vec<Prepared<'r>> {
    prepare(records).into_iter().filter(|p| repaired_starts(p, test)).collect()
}

fn spf_facts(f: &mut Facts, records: &[TxtRecord]) {
    let selected = select(records, is_spf);
    f.set(Fact::Found, !selected.is_empty());
    f.set(Fact::RecordCount, selected.len());
    let Some(first) = selected.first() else {
        return;
    };
    data_facts(f, &[first], records, false);
    let joined = join(&[first]);
    let rec = SpfRecord::parse(&joined.bytes);
    syntax_facts(f, rec.error.as_ref(), &joined);
    let bytes = &joined.bytes;
    let include = rec.terms_of(TermKind::Include).find(|t| {
        t.value.clone().is_some_and(|v| {
            let d = bytes.get(v).unwrap_or_default();
            let d = d.strip_suffix(b".").unwrap_or(d);
            d.eq_ignore_ascii_case(b"amazonses.com")
        })
    });
    f.set(Fact::IncludesAmazonses, include.is_some());
    f.set(Fact::IncludeSpan, include.map(|t| joined.span(t.span.clone())));
    f.set(Fact::LookupTerms, rec.direct_lookups());
    match rec.terms_of(TermKind::All).next() {
        Some(t) => {
            let q = [t.qualifier.unwrap_or(b'+')];
            f.set(Fact::AllQualifier, std::str::from_utf8(&q).unwrap_or("+"));
            f.set(Fact::AllSpan, joined.span(t.span.clone()));
        }
        None => f.set(Fact::AllQualifier, ""),
    }
    let redirect = rec
        .terms_of(TermKind::Redirect)
        .next()
        .and_then(|t| t.value.clone())
        .map(|v| String::from_utf8_lossy(bytes.get(v).unwrap_or_default()).into_owned());
    let ignored = ignored_terms(&rec);
    let ignored_text: Vec<String> = ignored
        .iter()
        .map(|t| crate::display::escape(bytes.get(t.span.clone()).unwrap_or_default()).text)
        .collect();
    f.set(Fact::IgnoredTerms, ignored_text.join(" "));
    f.set(Fact::IgnoredSpan, ignored.first().map(|t| joined.span(t.span.clone())));
    f.set(Fact::AmazonsesIgnored, include.is_some_and(|i| ignored.iter().any(|t| t.span == i.span)));
    // what the redirect leads to is known only by following it (the engine
    // does); without DNS it is unknown, and rules must not guess
    let effective_redirect = redirect.is_some() && rec.terms_of(TermKind::All).next().is_none();
    f.set(Fact::RedirectAmazonses, if effective_redirect { "unknown" } else { "" });
    f.set(Fact::Redirect, redirect.unwrap_or_default());
}

/// Terms a receiver never evaluates: mechanisms after the first `all`
/// (evaluation stops there, RFC 7208 §4.6.2, §5.1) and `redirect=` when the
/// record has an `all` (§6.1).
fn ignored_terms(rec: &SpfRecord) -> Vec<&crate::spf::SpfTerm> {
    let Some(all) = rec.terms.iter().position(|t| t.kind == TermKind::All) else { return Vec::new() };
    rec.terms
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            (*i > all && !matches!(t.kind, TermKind::Exp | TermKind::UnknownModifier | TermKind::Redirect))
                || t.kind == TermKind::Redirect
        })
        .map(|(_, t)| t)
        .collect()
}

/// What a receiver evaluates of the SPF record [`txt_facts`] selects (the
/// first `v=spf1` record after repair), or `None` when there is none.
pub fn spf_policy(records: &[TxtRecord]) -> Option<SpfPolicy> {
    let selected = select(records, is_spf);
    let first = selected.first()?;
    let joined = join(&[first]);
    let rec = SpfRecord::parse(&joined.bytes);
    let target = |v: Option<Range<usize>>| match v {
        None => SpfTarget::Current,
        Some(v) => match joined.bytes.get(v) {
            Some(b) if !b.contains(&b'%') => {
                DomainName::parse_bytes(b).map_or(SpfTarget::Unknown, SpfTarget::Name)
            }
            _ => SpfTarget::Unknown,
        },
    };
    let has_all = rec.terms_of(TermKind::All).next().is_some();
    let queries = rec
        .terms
        .iter()
        .take_while(|t| t.kind != TermKind::All)
        .filter(|t| t.kind.queries_dns() && t.kind != TermKind::Redirect)
        .map(|t| (t.kind, target(t.value.clone())))
        .collect();
    // only an include a receiver reaches (before `all`) authorizes SES
    let includes_amazonses = rec.terms.iter().take_while(|t| t.kind != TermKind::All).any(|t| {
        t.kind == TermKind::Include
            && t.value.clone().and_then(|v| joined.bytes.get(v)).is_some_and(|d| {
                let d = d.strip_suffix(b".").unwrap_or(d);
                d.eq_ignore_ascii_case(b"amazonses.com")
            })
    });
    Some(SpfPolicy {
        records: selected.len(),
        syntax_error: rec.error.is_some(),
        queries,
        redirect: if has_all {
            None
        } else {
            rec.terms_of(TermKind::Redirect).next().map(|t| target(t.value.clone()))
        },
        includes_amazonses,
    })
}

/// The DNS-querying terms of the SPF record [`txt_facts`] selects (the first
/// `v=spf1` record after repair), or `None` when there is none.
pub fn spf_lookups(records: &[TxtRecord]) -> Option<SpfLookups> {
    let selected = select(records, is_spf);
    let first = selected.first()?;
    let joined = join(&[first]);
    let rec = SpfRecord::parse(&joined.bytes);
    let name = |v: Option<Range<usize>>| {
        let b = joined.bytes.get(v?)?;
        if b.contains(&b'%') {
            return None;
        }
        DomainName::parse_bytes(b).ok()
    };
    Some(SpfLookups {
        direct: rec.direct_lookups(),
        includes: rec.terms_of(TermKind::Include).filter_map(|t| name(t.value.clone())).collect(),
        redirect: rec.terms_of(TermKind::Redirect).next().and_then(|t| name(t.value.clone())),
    })
}

fn dmarc_facts(f: &mut Facts, records: &[TxtRecord]) {
    let selected = select(records, is_dmarc);
    f.set(Fact::Found, !selected.is_empty());
    f.set(Fact::RecordCount, selected.len());
    f.set(Fact::NotRecognized, false);
    let Some(first) = selected.first() else {
        near_miss_facts(f, records);
        return;
    };
    data_facts(f, &[first], records, true);
    let joined = join(&[first]);
    let d = &joined.bytes;
    let rec = DmarcRecord::parse(d);
    syntax_facts(f, rec.error.as_ref(), &joined);
    f.set(Fact::ReportUriNotMailto, rec.report_uri_not_mailto.is_some());
    f.set(Fact::ReportUriSpan, rec.report_uri_not_mailto.clone().map(|r| joined.span(r)));
    let keyword = |name: &str, allowed: &[&str], default: &str| -> String {
        match rec.value(d, name) {
            None => default.to_owned(),
            Some(v) => allowed
                .iter()
                .find(|a| v.eq_ignore_ascii_case(a.as_bytes()))
                .map_or(String::new(), |a| (*a).to_owned()),
        }
    };
    let policies = ["none", "quarantine", "reject"];
    f.set(Fact::Policy, keyword("p", &policies, ""));
    if let Some(t) = rec.tag(d, "p") {
        f.set(Fact::PolicySpan, joined.span(t.span.clone()));
    }
    f.set(Fact::SubdomainPolicy, keyword("sp", &policies, ""));
    f.set(Fact::Aspf, keyword("aspf", &["r", "s"], "r"));
    if let Some(t) = rec.tag(d, "aspf") {
        f.set(Fact::AspfSpan, joined.span(t.span.clone()));
    }
    f.set(Fact::Adkim, keyword("adkim", &["r", "s"], "r"));
    f.set(Fact::HasRua, rec.tag(d, "rua").is_some());
    match rec.value(d, "pct") {
        None => f.set(Fact::Pct, 100i64),
        Some(v) => {
            let n = std::str::from_utf8(v).ok().and_then(|s| s.parse::<i64>().ok());
            f.set(Fact::Pct, n);
        }
    }
}

/// No record is recognised as DMARC: is one a near miss a person would take
/// for DMARC (leading blanks, `v=dmarc1`)? Then say why receivers ignore it.
fn near_miss_facts(f: &mut Facts, records: &[TxtRecord]) {
    let prepared = prepare(records);
    for p in &prepared {
        let joined = join(&[p]);
        let Some(miss) = near_miss(&joined.bytes) else { continue };
        data_facts(f, &[p], records, true);
        let (reason, span) = match miss {
            NearMiss::LeadingSpace(r) => ("it starts with a blank before `v=DMARC1`".to_owned(), r),
            NearMiss::VersionCase(r) => {
                let v = joined.bytes.get(r.clone()).unwrap_or_default();
                (
                    format!(
                        "its version is written `{}`, and only `DMARC1` in capitals is recognised",
                        show(v)
                    ),
                    r,
                )
            }
        };
        f.set(Fact::NotRecognized, true);
        f.set(Fact::NotRecognizedReason, reason);
        f.set(Fact::NotRecognizedSpan, joined.span(span));
        return;
    }
}

/// What a DMARC record at one name says for policy discovery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishedDmarc {
    /// No record is recognised as DMARC (or several are, which receivers
    /// treat as none, RFC 7489 §6.6.3), or its `p=` is unusable.
    None,
    /// One usable record.
    Policy(PublishedPolicy),
}

/// The policy tags of one DMARC record, as lower-case keywords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedPolicy {
    /// `p=`.
    pub p: &'static str,
    /// `sp=`, when valid.
    pub sp: Option<&'static str>,
    /// `np=` (DMARCbis), when valid.
    pub np: Option<&'static str>,
    /// `psd=y`: a public suffix operator's record.
    pub psd: bool,
}

/// The DMARC policy published by the TXT records at one `_dmarc` name.
pub fn published_dmarc(records: &[TxtRecord]) -> PublishedDmarc {
    let selected = select(records, is_dmarc);
    let [one] = selected.as_slice() else { return PublishedDmarc::None };
    let joined = join(&[one]);
    let d = &joined.bytes;
    let rec = DmarcRecord::parse(d);
    let keyword = |name: &str| -> Option<&'static str> {
        let v = rec.value(d, name)?;
        ["none", "quarantine", "reject"].into_iter().find(|k| v.eq_ignore_ascii_case(k.as_bytes()))
    };
    let Some(p) = keyword("p") else { return PublishedDmarc::None };
    PublishedDmarc::Policy(PublishedPolicy {
        p,
        sp: keyword("sp"),
        np: keyword("np"),
        psd: rec.value(d, "psd").is_some_and(|v| v.eq_ignore_ascii_case(b"y")),
    })
}

// ------------------------------------------------------------------ DKIM ----

/// How a candidate joined value judges against the expected key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum KeyRank {
    Invalid,
    Valid,
    Expected,
}

/// The `p=` value of a DKIM record, ignoring anything else.
fn p_value(d: &[u8]) -> Option<&[u8]> {
    let rec = DkimRecord::parse(d);
    let key = rec.key?;
    d.get(key.value)
}

fn rank(d: &[u8], exp: &Expectation) -> KeyRank {
    let Some(p) = p_value(d) else {
        return KeyRank::Invalid;
    };
    if let Some(k) = exp.expected_key
        && same_base64(p, k.base64().as_bytes()) == Some(true)
    {
        return KeyRank::Expected;
    }
    match decode_key(p) {
        Ok((der, _)) if exp.expected_key.is_some_and(|k| k.der() == der) => KeyRank::Expected,
        Ok(_) => KeyRank::Valid,
        Err(_) => KeyRank::Invalid,
    }
}

/// Base64 to SubjectPublicKeyInfo DER and modulus bits, without re-encoding.
fn decode_key(p: &[u8]) -> Result<(Vec<u8>, u32), KeyError> {
    crate::key::parse_der(&crate::key::decode_base64(p)?)
}

/// Compares base64 text (whitespace in `p` ignored) with `expected`:
/// `Some(true)` equal, `Some(false)` a strict non-empty prefix, `None` otherwise.
fn same_base64(p: &[u8], expected: &[u8]) -> Option<bool> {
    if p == expected {
        return (!p.is_empty()).then_some(true);
    }
    let mut n = 0;
    for &c in p.iter().filter(|c| !c.is_ascii_whitespace()) {
        if expected.get(n) != Some(&c) {
            return None;
        }
        n += 1;
    }
    match n {
        0 => None,
        _ if n == expected.len() => Some(true),
        _ => Some(false),
    }
}

/// Every permutation of `0..n` (identity first), by Heap's algorithm.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    let mut a: Vec<usize> = (0..n).collect();
    let mut out = vec![a.clone()];
    let mut c = vec![0; n];
    let mut i = 0;
    while i < n {
        if c[i] < i {
            if i % 2 == 0 {
                a.swap(0, i);
            } else {
                a.swap(c[i], i);
            }
            out.push(a.clone());
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    out
}

/// Most records whose orders are tried when joining a split key.
const MAX_PERMUTED: usize = 6;
/// Most bytes (all records together) for which orders are tried: a split
/// 4096-bit key is under 1 KiB, and hostile answers must not cost 720 joins
/// of megabytes.
const MAX_PERMUTED_BYTES: usize = 4096;

/// Which records (in which order) make the DKIM value to judge, and whether
/// the key was split across records.
fn choose_dkim(prepared: &[Prepared<'_>], exp: &Expectation) -> (Vec<usize>, bool) {
    let n = prepared.len();
    if n <= 1 {
        return ((0..n).collect(), false);
    }
    let by_order = |order: &[usize]| -> KeyRank {
        let parts: Vec<&Prepared<'_>> = order.iter().filter_map(|&i| prepared.get(i)).collect();
        rank(&join(&parts).bytes, exp)
    };
    let mut best_all: Option<(KeyRank, Vec<usize>)> = None;
    let total: usize = prepared.iter().map(|p| p.data.len()).sum();
    let orders = if n <= MAX_PERMUTED && total <= MAX_PERMUTED_BYTES {
        permutations(n)
    } else {
        vec![(0..n).collect()]
    };
    // Only a record holding a tag (`p=`, `v=`) can come first.
    let head: Vec<bool> =
        prepared.iter().map(|p| p.data.windows(2).any(|w| w == b"p=" || w == b"v=")).collect();
    for order in orders {
        if order.first().is_some_and(|&i| !head.get(i).copied().unwrap_or(false)) {
            continue;
        }
        let r = by_order(&order);
        if r > best_all.as_ref().map_or(KeyRank::Invalid, |b| b.0) {
            let done = r == KeyRank::Expected;
            best_all = Some((r, order));
            if done {
                break;
            }
        }
    }
    let mut best_single: Option<(KeyRank, usize)> = None;
    let all_expected = best_all.as_ref().is_some_and(|b| b.0 == KeyRank::Expected);
    for i in (0..n).filter(|_| !all_expected) {
        let r = by_order(&[i]);
        if r > best_single.map_or(KeyRank::Invalid, |b| b.0) {
            best_single = Some((r, i));
        }
    }
    let all_rank = best_all.as_ref().map_or(KeyRank::Invalid, |b| b.0);
    let single_rank = best_single.map_or(KeyRank::Invalid, |b| b.0);
    match (best_all, best_single) {
        (Some((_, order)), _) if all_rank >= single_rank && all_rank > KeyRank::Invalid => (order, true),
        (_, Some((_, i))) => (vec![i], false),
        _ => ((0..n).collect(), false),
    }
}

fn dkim_facts(f: &mut Facts, records: &[TxtRecord], exp: &Expectation) {
    f.set(Fact::Found, !records.is_empty());
    f.set(Fact::RecordCount, records.len());
    f.set(Fact::ExpectedKeyKnown, exp.expected_key.is_some());
    if records.is_empty() {
        return;
    }
    let prepared = prepare(records);
    let (order, split) = choose_dkim(&prepared, exp);
    let used: Vec<&Prepared<'_>> = order.iter().filter_map(|&i| prepared.get(i)).collect();
    data_facts(f, &used, records, true);
    f.set(Fact::SplitAcrossRecords, split);
    let joined = join(&used);
    let d = &joined.bytes;
    let rec = DkimRecord::parse(d);
    syntax_facts(f, rec.error.as_ref(), &joined);
    f.set(Fact::TestingMode, rec.testing(d));
    if let Some(t) = &rec.flags {
        f.set(Fact::TestingSpan, joined.span(t.span.clone()));
    }
    let text = |t: &Option<crate::tags::Tag>, default: &str| {
        t.as_ref().map_or(default.to_owned(), |t| {
            String::from_utf8_lossy(d.get(t.value.clone()).unwrap_or_default()).into_owned()
        })
    };
    f.set(Fact::KeyType, text(&rec.key_type, "rsa"));
    f.set(Fact::Version, text(&rec.version, ""));
    f.set(Fact::HashExcludesSha256, rec.hash_excludes_sha256(d));
    f.set(Fact::HashSpan, rec.hashes.as_ref().map(|t| joined.span(t.span.clone())));
    f.set(Fact::ServiceExcludesEmail, rec.service_excludes_email(d));
    f.set(Fact::ServiceSpan, rec.services.as_ref().map(|t| joined.span(t.span.clone())));
    let Some(p) = &rec.key else {
        f.set(Fact::KeyPresent, false);
        f.set(Fact::KeyEmpty, false);
        f.set(Fact::KeyValid, false);
        f.set(Fact::KeyError, "no p= tag");
        f.set(Fact::KeyMatches, false);
        f.set(Fact::KeyTruncated, false);
        f.set(Fact::KeyMismatch, false);
        return;
    };
    let value = d.get(p.value.clone()).unwrap_or_default();
    let empty = value.iter().all(u8::is_ascii_whitespace);
    f.set(Fact::KeyPresent, !empty);
    f.set(Fact::KeyEmpty, empty);
    f.set(Fact::KeySpan, joined.span(if p.value.is_empty() { p.span.clone() } else { p.value.clone() }));
    if empty {
        f.set(Fact::KeyValid, false);
        f.set(Fact::KeyError, "p= is empty: the key is revoked");
        f.set(Fact::KeyMatches, false);
        f.set(Fact::KeyTruncated, false);
        f.set(Fact::KeyMismatch, false);
        return;
    }
    let expected = exp.expected_key;
    let prefix = expected.and_then(|k| same_base64(value, k.base64().as_bytes()));
    // The common case, the expected key verbatim, needs no decoding.
    let decoded = match (prefix, expected) {
        (Some(true), Some(k)) => Ok((None, k.bits())),
        _ => decode_key(value).map(|(der, bits)| (Some(der), bits)),
    };
    match decoded {
        Ok((der, bits)) => {
            let matches = expected.is_some_and(|k| der.as_deref().is_none_or(|d| d == k.der()));
            f.set(Fact::KeyValid, true);
            f.set(Fact::KeyError, "");
            f.set(Fact::KeyBits, bits);
            f.set(Fact::KeyMatches, matches);
            f.set(Fact::KeyTruncated, false);
            f.set(Fact::KeyMismatch, expected.is_some() && !matches);
        }
        Err(e) => {
            // Only a strict prefix of the key given to SES is "cut short"; a
            // DER length that runs past the data may equally be bytes lost in
            // the middle, and without an expected key there is nothing to be
            // a prefix of: both are an invalid key, with the DER's own words.
            let truncated = prefix == Some(false);
            f.set(Fact::KeyValid, false);
            f.set(Fact::KeyError, key_error_text(&e));
            f.set(Fact::KeyMatches, false);
            f.set(Fact::KeyTruncated, truncated);
            f.set(Fact::KeyMismatch, false);
        }
    }
}

fn key_error_text(e: &KeyError) -> String {
    match e {
        KeyError::BadBase64Char { .. } | KeyError::BadPadding { .. } => {
            format!("{e} of the p= value")
        }
        _ => e.to_string(),
    }
}

// -------------------------------------------------------------------- MX ----

fn ses_region<L: AsRef<[u8]>>(labels: &[L]) -> Option<&[u8]> {
    let [a, r, b, c] = labels else {
        return None;
    };
    let (a, r, b, c) = (a.as_ref(), r.as_ref(), b.as_ref(), c.as_ref());
    (a.eq_ignore_ascii_case(b"feedback-smtp")
        && b.eq_ignore_ascii_case(b"amazonses")
        && c.eq_ignore_ascii_case(b"com")
        && !r.is_empty())
    .then_some(r)
}

/// Digits typed in front of the exchange: the span length (in presentation
/// text) of `10\ ` or `10.` at the start of the exchange.
fn priority_prefix(ex: &DomainName) -> Option<usize> {
    let labels: Vec<&[u8]> = ex.labels().collect();
    let first = labels.first()?;
    let digits = first.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    if first.get(digits) == Some(&b' ') {
        // `10\ ` in presentation: digits, backslash, space.
        return Some(digits + 2);
    }
    if digits == first.len() && labels.len() > 1 && ses_region(&labels[1..]).is_some() {
        return Some(digits + 1);
    }
    None
}

/// The exchange's labels with a priority typed in front removed (`10\ feedback-smtp…`
/// or `10.feedback-smtp…`), when there is one.
fn without_priority(ex: &DomainName) -> Option<Vec<Vec<u8>>> {
    let mut labels = ex.labels();
    let first = labels.next()?;
    let digits = first.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut out: Vec<Vec<u8>> = Vec::new();
    if first.get(digits) == Some(&b' ') {
        out.push(first[digits..].iter().copied().skip_while(|c| *c == b' ').collect());
    } else if digits != first.len() {
        return None;
    }
    out.extend(labels.map(<[u8]>::to_vec));
    Some(out)
}

/// Facts of the MX role from the MX records at the MAIL FROM name, in answer
/// order. Spans index each record's [`MxRecord::presentation`].
pub fn mx_facts(records: &[MxRecord], exp: &Expectation) -> Facts {
    let mut f = Facts::new();
    let expected = format!("feedback-smtp.{}.amazonses.com", exp.region);
    f.set(Fact::Found, !records.is_empty());
    f.set(Fact::RecordCount, records.len());
    let Some(first) = records.first() else {
        f.set(Fact::ExpectedExchange, expected);
        return f;
    };
    let is_expected = |ex: &DomainName| {
        ses_region(&ex.labels().collect::<Vec<_>>())
            .is_some_and(|r| r.eq_ignore_ascii_case(exp.region.as_bytes()))
    };
    let off = first.exchange_offset();
    let ex_text = first.exchange.to_string();
    f.set(Fact::ExchangeSpan, Span::new(0, off, ex_text.len() + usize::from(!first.exchange.is_root())));
    // As the customer typed it: `10 feedback-smtp…`, not the presentation `10\ feedback-smtp…`.
    f.set(Fact::Exchange, ex_text.replace("\\ ", " ").replace("\\032", " "));
    f.set(Fact::Priority, first.preference);
    f.set(Fact::ExchangeCorrect, records.iter().any(|r| is_expected(&r.exchange)));
    let piv = records
        .iter()
        .enumerate()
        .find_map(|(i, r)| priority_prefix(&r.exchange).map(|n| Span::new(i, r.exchange_offset(), n)));
    f.set(Fact::PriorityInValue, piv.is_some());
    f.set(Fact::PriorityInValueSpan, piv);
    let suffix = records.iter().enumerate().find_map(|(i, r)| {
        let labels: Vec<&[u8]> = r.exchange.labels().collect();
        if labels.len() <= 4 || ses_region(labels.get(..4)?).is_none() {
            return None;
        }
        let tail = DomainName::from_labels(labels.get(4..)?).ok()?;
        let ok = exp.mail_from.is_subdomain_of(&tail)
            || exp.zone.is_some_and(|z| *z == tail)
            || *exp.domain == tail;
        if !ok {
            return None;
        }
        let head = DomainName::from_labels(labels.get(..4)?).ok()?;
        let start = r.exchange_offset() + head.to_string().len() + 1;
        Some(Span::new(i, start, tail.to_string().len()))
    });
    f.set(Fact::TargetSuffixAppended, suffix.is_some());
    f.set(Fact::TargetSuffixSpan, suffix);
    let first_labels: Vec<&[u8]> = first.exchange.labels().collect();
    let region = ses_region(&first_labels);
    f.set(Fact::TargetIsSes, region.is_some());
    // With the priority typed into the value, the region the rest names.
    let unprefixed = without_priority(&first.exchange);
    let region = region.or_else(|| unprefixed.as_deref().and_then(ses_region));
    f.set(Fact::TargetRegion, region.map_or(String::new(), |r| String::from_utf8_lossy(r).into_owned()));
    f.set(Fact::ExpectedExchange, expected);
    f
}

#[cfg(test)]
mod tests;
