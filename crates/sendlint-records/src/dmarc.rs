//! DMARC records (RFC 7489 §6.3): `v=DMARC1` first, `p` required, and the
//! value grammars of `sp`, `aspf`, `adkim`, `pct`, `rua`, `ruf`, `fo`, `rf`, `ri`.

use crate::tags::{SyntaxError, Tag, did_you_mean, is_fws, parse_tag_list_ci, show};

/// A parsed DMARC record; ranges index the record data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmarcRecord {
    /// Every well-formed tag, in order.
    pub tags: Vec<Tag>,
    /// The first syntax error, if any.
    pub error: Option<SyntaxError>,
    /// The first `rua=`/`ruf=` URI whose scheme is not `mailto:` (e.g.
    /// `https://…`): valid URI syntax, but receivers only send reports by mail.
    pub report_uri_not_mailto: Option<std::ops::Range<usize>>,
}

/// `SP` or `HTAB`: the `*WSP` DMARC allows around `=` and `;` (RFC 7489 §6.4).
fn is_wsp(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// True when `data` is a DMARC record as receivers recognise one (RFC 7489
/// §6.4, §6.6.3): it starts with the tag `v` (either case), `*WSP = *WSP`,
/// and exactly `DMARC1` (the value is case-sensitive), then `;`, `*WSP` or
/// the end. Nothing may come before `v`: a leading space is not a record.
pub fn is_dmarc(data: &[u8]) -> bool {
    version_value(data, false).is_some_and(|v| data.get(v) == Some(&b"DMARC1"[..]))
}

/// Where the version value `DMARC1` (any case) sits when `data` starts like a
/// DMARC record; `lenient` also skips leading whitespace and accepts any
/// non-alphanumeric byte after the value (a closing quote, say).
fn version_value(data: &[u8], lenient: bool) -> Option<std::ops::Range<usize>> {
    let skip = |mut i: usize| {
        while data.get(i).is_some_and(|&c| is_wsp(c)) {
            i += 1;
        }
        i
    };
    let mut i = if lenient { skip(0) } else { 0 };
    if !data.get(i).is_some_and(|c| c.eq_ignore_ascii_case(&b'v')) {
        return None;
    }
    i = skip(i + 1);
    if data.get(i) != Some(&b'=') {
        return None;
    }
    i = skip(i + 1);
    let ok = data.get(i..i + 6).is_some_and(|v| v.eq_ignore_ascii_case(b"DMARC1"))
        && data.get(i + 6).is_none_or(|&c| c == b';' || is_wsp(c) || (lenient && !c.is_ascii_alphanumeric()));
    ok.then_some(i..i + 6)
}

/// True when a person would read `data` as a DMARC record: past wrapping
/// quote characters and blanks, `v = DMARC1` in any case. The engine uses
/// it to tell "a DMARC record is there" (judged by the rules, which then
/// say what is wrong with it) from "nothing of the kind".
pub fn looks_like_dmarc(data: &[u8]) -> bool {
    let mut rest = data;
    loop {
        rest = match rest {
            [b'"' | b'\'' | b' ' | b'\t', tail @ ..] => tail,
            // “ ” ‘ ’ in UTF-8
            [0xE2, 0x80, 0x98..=0x9D, tail @ ..] => tail,
            _ => break,
        };
    }
    version_value(rest, true).is_some()
}

/// Why `data` looks like a DMARC record to a person but not to a receiver.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NearMiss {
    /// Blanks before `v=DMARC1` (their range).
    LeadingSpace(std::ops::Range<usize>),
    /// The version in the wrong case, e.g. `dmarc1` (its range).
    VersionCase(std::ops::Range<usize>),
}

/// A record that a person reads as DMARC but receivers discard: leading
/// blanks, or the version not spelled exactly `DMARC1`.
pub fn near_miss(data: &[u8]) -> Option<NearMiss> {
    if is_dmarc(data) {
        return None;
    }
    let v = version_value(data, true)?;
    let lead = data.iter().take_while(|&&c| is_wsp(c)).count();
    if lead > 0 {
        return Some(NearMiss::LeadingSpace(0..lead));
    }
    Some(NearMiss::VersionCase(v))
}

const POLICIES: [&str; 3] = ["none", "quarantine", "reject"];

impl DmarcRecord {
    /// Parses DMARC record data. Tag names are case-insensitive.
    pub fn parse(data: &[u8]) -> DmarcRecord {
        let (tags, mut error) = parse_tag_list_ci(data);
        let mut report_uri_not_mailto = None;
        let mut set = |e: SyntaxError| {
            if error.is_none() {
                error = Some(e);
            }
        };
        match tags.first() {
            Some(t) if data[t.name.clone()].eq_ignore_ascii_case(b"v") => {
                if &data[t.value.clone()] != b"DMARC1" {
                    set(SyntaxError::new(
                        value_span(t),
                        format!(
                            "unsupported DMARC version \"{}\" (expected DMARC1)",
                            show(&data[t.value.clone()])
                        ),
                    ));
                }
            }
            Some(t) => set(SyntaxError::new(t.span.clone(), "a DMARC record must start with v=DMARC1")),
            None => set(SyntaxError::new(0..data.len(), "empty DMARC record")),
        }
        for t in &tags {
            match check_tag(data, t) {
                Ok(Some(uri)) => {
                    report_uri_not_mailto.get_or_insert(uri);
                }
                Ok(None) => {}
                Err(e) => set(e),
            }
        }
        if !tags.iter().any(|t| data[t.name.clone()].eq_ignore_ascii_case(b"p")) {
            let span = tags.first().map_or(0..data.len(), |t| t.span.clone());
            set(SyntaxError::new(span, "missing the required p= tag (none, quarantine or reject)"));
        }
        DmarcRecord { tags, error, report_uri_not_mailto }
    }

    /// The tag named `name` (tag names are case-insensitive).
    pub fn tag(&self, data: &[u8], name: &str) -> Option<&Tag> {
        self.tags
            .iter()
            .find(|t| data.get(t.name.clone()).is_some_and(|n| n.eq_ignore_ascii_case(name.as_bytes())))
    }

    /// The value of the tag named `name`, lowercased when it is a keyword.
    pub fn value<'d>(&self, data: &'d [u8], name: &str) -> Option<&'d [u8]> {
        self.tag(data, name).and_then(|t| data.get(t.value.clone()))
    }
}

fn value_span(t: &Tag) -> std::ops::Range<usize> {
    if t.value.is_empty() { t.span.clone() } else { t.value.clone() }
}

/// Checks one tag's value. `Ok(Some(range))`: valid, but a report URI is not
/// `mailto:` (a warning, not a syntax error).
fn check_tag(data: &[u8], t: &Tag) -> Result<Option<std::ops::Range<usize>>, SyntaxError> {
    // Lower-cased on the stack: this runs for every tag of every record.
    let raw = &data[t.name.clone()];
    let mut buf = [0u8; 8];
    let name: &[u8] = match buf.get_mut(..raw.len()) {
        Some(b) => {
            b.copy_from_slice(raw);
            b.make_ascii_lowercase();
            b
        }
        None => raw,
    };
    let v = &data[t.value.clone()];
    let bad = |msg: String| Err(SyntaxError::new(value_span(t), msg));
    let ok = |r: bool, msg: String| if r { Ok(None) } else { bad(msg) };
    match name {
        b"p" | b"sp" | b"np" => {
            if POLICIES.iter().any(|p| v.eq_ignore_ascii_case(p.as_bytes())) {
                return Ok(None);
            }
            let hint =
                did_you_mean(v, &POLICIES).map(|p| format!(" (did you mean \"{p}\"?)")).unwrap_or_default();
            bad(format!("unknown policy \"{}\"{hint}: expected none, quarantine or reject", show(v)))
        }
        b"aspf" | b"adkim" => ok(
            v.eq_ignore_ascii_case(b"r") || v.eq_ignore_ascii_case(b"s"),
            format!(
                "bad alignment mode \"{}\" for {}: expected r (relaxed) or s (strict)",
                show(v),
                show(name)
            ),
        ),
        // DMARCbis (RFC 9989): `psd=` marks a public suffix operator's record, `t=y` testing.
        b"psd" => ok(
            [&b"y"[..], b"n", b"u"].iter().any(|x| v.eq_ignore_ascii_case(x)),
            format!("bad psd \"{}\": expected y, n or u", show(v)),
        ),
        b"t" => ok(
            v.eq_ignore_ascii_case(b"y") || v.eq_ignore_ascii_case(b"n"),
            format!("bad t \"{}\": expected y or n", show(v)),
        ),
        b"pct" => match std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse::<u32>().ok()).flatten())
        {
            Some(n) if n <= 100 => Ok(None),
            _ => bad(format!("bad pct \"{}\": expected a number 0-100", show(v))),
        },
        b"ri" => match std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse::<u32>().ok()).flatten())
        {
            Some(_) => Ok(None),
            None => bad(format!("bad ri \"{}\": expected seconds", show(v))),
        },
        b"fo" => {
            let fine = !v.is_empty()
                && v.split(|&c| c == b':').all(|f| {
                    let f = f.trim_ascii();
                    [&b"0"[..], b"1", b"d", b"s"].iter().any(|x| f.eq_ignore_ascii_case(x))
                });
            ok(fine, format!("bad fo \"{}\": expected 0, 1, d or s, separated by ':'", show(v)))
        }
        b"rf" => {
            let fine = !v.is_empty()
                && v.split(|&c| c == b':').all(|f| {
                    let f = f.trim_ascii();
                    f.eq_ignore_ascii_case(b"afrf") || f.eq_ignore_ascii_case(b"iodef")
                });
            ok(fine, format!("bad rf \"{}\": expected afrf", show(v)))
        }
        b"rua" | b"ruf" => check_uris(data, t),
        _ => Ok(None),
    }
}

/// The length of a URI scheme and its `:` at the start of `uri` (RFC 3986
/// §3.1: `ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"`), if any.
fn scheme_len(uri: &[u8]) -> Option<usize> {
    let colon = uri.iter().position(|&c| c == b':')?;
    let scheme = &uri[..colon];
    let valid = scheme.first().is_some_and(u8::is_ascii_alphabetic)
        && scheme.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'));
    valid.then_some(colon + 1)
}

/// `rua`/`ruf`: comma-separated URIs, each with an optional `!size`. Only
/// `mailto:` is used by receivers; another scheme is valid syntax and is
/// returned (the first one) for a warning.
fn check_uris(data: &[u8], t: &Tag) -> Result<Option<std::ops::Range<usize>>, SyntaxError> {
    let mut other_scheme = None;
    let mut at = t.value.start;
    if t.value.is_empty() {
        return Err(SyntaxError::new(
            t.span.clone(),
            format!("{} needs at least one mailto: address", show(&data[t.name.clone()])),
        ));
    }
    for part in data[t.value.clone()].split(|&c| c == b',') {
        let lead = part.iter().take_while(|&&c| is_fws(c)).count();
        let uri = part.trim_ascii();
        let span = at + lead..at + lead + uri.len().max(1);
        at += part.len() + 1;
        let is_mailto = uri.get(..7).is_some_and(|s| s.eq_ignore_ascii_case(b"mailto:"));
        if !is_mailto && scheme_len(uri).is_some_and(|n| n > 1 && uri.len() > n) {
            other_scheme.get_or_insert(span);
            continue;
        }
        let Some(addr) = uri.get(7..).filter(|_| is_mailto) else {
            let hint = if uri.contains(&b'@') && !uri.contains(&b':') {
                format!(" (did you mean \"mailto:{}\"?)", show(uri))
            } else {
                String::new()
            };
            return Err(SyntaxError::new(
                span,
                format!("report address \"{}\" is not a mailto: URI{hint}", show(uri)),
            ));
        };
        let addr = addr.split(|&c| c == b'!').next().unwrap_or_default();
        let at_pos = addr.iter().position(|&c| c == b'@');
        let ok = at_pos.is_some_and(|p| p > 0 && p + 1 < addr.len())
            && addr.iter().all(|&c| (0x21..=0x7E).contains(&c));
        if !ok {
            return Err(SyntaxError::new(span, format!("\"{}\" is not a valid mailto: address", show(uri))));
        }
    }
    Ok(other_scheme)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(d: &str) -> (String, String) {
        let e = DmarcRecord::parse(d.as_bytes()).error.unwrap();
        (d[e.span.clone()].to_owned(), e.message)
    }

    #[test]
    fn valid() {
        for d in [
            "v=DMARC1; p=none; rua=mailto:dmarc@acme.com",
            "v=DMARC1;p=reject;sp=quarantine;aspf=s;adkim=r;pct=50;fo=1:d;rf=afrf;ri=86400;ruf=mailto:a@b.c!10m,mailto:x@y.z",
            "v = DMARC1 ; p = Quarantine ;",
        ] {
            assert_eq!(DmarcRecord::parse(d.as_bytes()).error, None, "{d}");
        }
        let d = b"v=DMARC1; p=none; aspf=s";
        let r = DmarcRecord::parse(d);
        assert_eq!(r.value(d, "aspf"), Some(&b"s"[..]));
    }

    #[test]
    fn errors() {
        assert_eq!(
            err("v=DMARC1; p=quarantne"),
            (
                "quarantne".into(),
                "unknown policy \"quarantne\" (did you mean \"quarantine\"?): expected none, quarantine or reject".into()
            )
        );
        assert_eq!(err("p=none; v=DMARC1").0, "p=none");
        assert_eq!(err("v=DMARC1; rua=mailto:a@b.c").0, "v=DMARC1");
        assert_eq!(err("v=DMARC1; p=none; pct=101").0, "101");
        assert_eq!(err("v=DMARC1; p=none; aspf=x").0, "x");
        let (span, msg) = err("v=DMARC1; p=none; rua=mailto:a@b.c, dmarc@acme.com");
        assert_eq!(span, "dmarc@acme.com");
        assert!(msg.contains("did you mean \"mailto:dmarc@acme.com\""), "{msg}");
        assert_eq!(err("v=DMARC1; p=none; ruf=mailto:nobody").0, "mailto:nobody");
        assert!(err("v=DMARC1; p=none; p=reject").1.starts_with("duplicate"));
        assert_eq!(err("v=DMARC2; p=none").0, "DMARC2");
        assert_eq!(err("v=dmarc1; p=none").0, "dmarc1");
    }

    #[test]
    fn detects_version() {
        assert!(is_dmarc(b"v=DMARC1; p=none"));
        assert!(is_dmarc(b"V=DMARC1; P=reject"));
        assert!(is_dmarc(b"v\t=\tDMARC1\t;\tp=none"));
        assert!(!is_dmarc(b"v = dmarc1"), "the version value is case-sensitive");
        assert!(!is_dmarc(b" v=DMARC1; p=none"), "nothing may precede v=");
        assert!(!is_dmarc(b"v=DMARC10"));
        assert!(!is_dmarc(b"p=none; v=DMARC1"));
        assert_eq!(near_miss(b"v=dmarc1; p=none"), Some(NearMiss::VersionCase(2..8)));
        assert_eq!(near_miss(b" \tv=DMARC1; p=none"), Some(NearMiss::LeadingSpace(0..2)));
        assert_eq!(near_miss(b"v=DMARC1; p=none"), None);
        assert_eq!(near_miss(b"v=spf1 -all"), None);
        for d in ["v = DMARC1; p=none", "\"v=dmarc1\"", " \tv=DMARC1", "\u{201C}V=DMARC1"] {
            assert!(looks_like_dmarc(d.as_bytes()), "{d}");
        }
        assert!(!looks_like_dmarc(b"v=spf1 -all"));
    }

    #[test]
    fn tag_names_are_case_insensitive() {
        let d = b"V=DMARC1; P=reject; SP=none; ASPF=s";
        let r = DmarcRecord::parse(d);
        assert_eq!(r.error, None);
        assert_eq!(r.value(d, "p"), Some(&b"reject"[..]));
        assert_eq!(r.value(d, "aspf"), Some(&b"s"[..]));
        assert_eq!(err("v=DMARC1; P=quarantne").0, "quarantne");
        assert!(err("v=DMARC1; p=none; P=reject").1.starts_with("duplicate"));
    }

    #[test]
    fn wsp_around_separators() {
        let d = "v=DMARC1;\tp\t=\treject\t;\trua = mailto:a@b.c";
        assert_eq!(DmarcRecord::parse(d.as_bytes()).error, None);
    }

    #[test]
    fn non_mailto_report_uri_is_not_a_syntax_error() {
        let d = "v=DMARC1; p=none; rua=mailto:a@b.c, https://reports.example/dmarc";
        let r = DmarcRecord::parse(d.as_bytes());
        assert_eq!(r.error, None);
        assert_eq!(r.report_uri_not_mailto.map(|s| &d[s]), Some("https://reports.example/dmarc"));
        let r = DmarcRecord::parse(b"v=DMARC1; p=none; rua=mailto:a@b.c");
        assert_eq!(r.report_uri_not_mailto, None);
        // a bare address is no URI at all
        assert!(err("v=DMARC1; p=none; rua=a@b.c").1.contains("did you mean \"mailto:a@b.c\""));
    }

    #[test]
    fn dmarcbis_tags() {
        for d in ["v=DMARC1; p=none; np=reject; psd=n; t=y", "v=DMARC1; p=none; psd=y"] {
            assert_eq!(DmarcRecord::parse(d.as_bytes()).error, None, "{d}");
        }
        assert_eq!(err("v=DMARC1; p=none; np=rejct").0, "rejct");
        assert_eq!(err("v=DMARC1; p=none; psd=x").0, "x");
    }
}
