//! DMARC records (RFC 7489 §6.3): `v=DMARC1` first, `p` required, and the
//! value grammars of `sp`, `aspf`, `adkim`, `pct`, `rua`, `ruf`, `fo`, `rf`, `ri`.

use crate::tags::{SyntaxError, Tag, did_you_mean, is_fws, parse_tag_list, show};

/// A parsed DMARC record; ranges index the record data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmarcRecord {
    /// Every well-formed tag, in order.
    pub tags: Vec<Tag>,
    /// The first syntax error, if any.
    pub error: Option<SyntaxError>,
}

/// True when `data` starts with `v=DMARC1` (any case, whitespace around `=`
/// allowed) followed by `;`, whitespace or the end.
pub fn is_dmarc(data: &[u8]) -> bool {
    let mut i = 0;
    let skip = |mut i: usize| {
        while data.get(i).is_some_and(|&c| is_fws(c)) {
            i += 1;
        }
        i
    };
    i = skip(i);
    if !data.get(i).is_some_and(|c| c.eq_ignore_ascii_case(&b'v')) {
        return false;
    }
    i = skip(i + 1);
    if data.get(i) != Some(&b'=') {
        return false;
    }
    i = skip(i + 1);
    data.get(i..i + 6).is_some_and(|v| v.eq_ignore_ascii_case(b"DMARC1"))
        && data.get(i + 6).is_none_or(|&c| c == b';' || is_fws(c))
}

const POLICIES: [&str; 3] = ["none", "quarantine", "reject"];

impl DmarcRecord {
    /// Parses DMARC record data.
    pub fn parse(data: &[u8]) -> DmarcRecord {
        let (tags, mut error) = parse_tag_list(data);
        let mut set = |e: SyntaxError| {
            if error.is_none() {
                error = Some(e);
            }
        };
        match tags.first() {
            Some(t) if &data[t.name.clone()] == b"v" => {
                if !data[t.value.clone()].eq_ignore_ascii_case(b"DMARC1") {
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
            if let Err(e) = check_tag(data, t) {
                set(e);
            }
        }
        if !tags.iter().any(|t| &data[t.name.clone()] == b"p") {
            let span = tags.first().map_or(0..data.len(), |t| t.span.clone());
            set(SyntaxError::new(span, "missing the required p= tag (none, quarantine or reject)"));
        }
        DmarcRecord { tags, error }
    }

    /// The tag named `name`.
    pub fn tag(&self, data: &[u8], name: &str) -> Option<&Tag> {
        self.tags.iter().find(|t| data.get(t.name.clone()) == Some(name.as_bytes()))
    }

    /// The value of the tag named `name`, lowercased when it is a keyword.
    pub fn value<'d>(&self, data: &'d [u8], name: &str) -> Option<&'d [u8]> {
        self.tag(data, name).and_then(|t| data.get(t.value.clone()))
    }
}

fn value_span(t: &Tag) -> std::ops::Range<usize> {
    if t.value.is_empty() { t.span.clone() } else { t.value.clone() }
}

fn check_tag(data: &[u8], t: &Tag) -> Result<(), SyntaxError> {
    let name = &data[t.name.clone()];
    let v = &data[t.value.clone()];
    let bad = |msg: String| Err(SyntaxError::new(value_span(t), msg));
    match name {
        b"p" | b"sp" => {
            if POLICIES.iter().any(|p| v.eq_ignore_ascii_case(p.as_bytes())) {
                return Ok(());
            }
            let hint =
                did_you_mean(v, &POLICIES).map(|p| format!(" (did you mean \"{p}\"?)")).unwrap_or_default();
            bad(format!("unknown policy \"{}\"{hint}: expected none, quarantine or reject", show(v)))
        }
        b"aspf" | b"adkim" => {
            if v.eq_ignore_ascii_case(b"r") || v.eq_ignore_ascii_case(b"s") {
                Ok(())
            } else {
                bad(format!(
                    "bad alignment mode \"{}\" for {}: expected r (relaxed) or s (strict)",
                    show(v),
                    show(name)
                ))
            }
        }
        b"pct" => match std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse::<u32>().ok()).flatten())
        {
            Some(n) if n <= 100 => Ok(()),
            _ => bad(format!("bad pct \"{}\": expected a number 0-100", show(v))),
        },
        b"ri" => match std::str::from_utf8(v)
            .ok()
            .and_then(|s| s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse::<u32>().ok()).flatten())
        {
            Some(_) => Ok(()),
            None => bad(format!("bad ri \"{}\": expected seconds", show(v))),
        },
        b"fo" => {
            if !v.is_empty()
                && v.split(|&c| c == b':').all(|f| matches!(f.trim_ascii(), b"0" | b"1" | b"d" | b"s"))
            {
                Ok(())
            } else {
                bad(format!("bad fo \"{}\": expected 0, 1, d or s, separated by ':'", show(v)))
            }
        }
        b"rf" => {
            if !v.is_empty()
                && v.split(|&c| c == b':').all(|f| {
                    let f = f.trim_ascii();
                    f.eq_ignore_ascii_case(b"afrf") || f.eq_ignore_ascii_case(b"iodef")
                })
            {
                Ok(())
            } else {
                bad(format!("bad rf \"{}\": expected afrf", show(v)))
            }
        }
        b"rua" | b"ruf" => check_uris(data, t),
        _ => Ok(()),
    }
}

/// `rua`/`ruf`: comma-separated `mailto:` URIs, each with an optional `!size`.
fn check_uris(data: &[u8], t: &Tag) -> Result<(), SyntaxError> {
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
        let Some(addr) =
            uri.get(..7).filter(|s| s.eq_ignore_ascii_case(b"mailto:")).and_then(|_| uri.get(7..))
        else {
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
    Ok(())
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
    }

    #[test]
    fn detects_version() {
        assert!(is_dmarc(b"v=DMARC1; p=none"));
        assert!(is_dmarc(b"v = dmarc1"));
        assert!(!is_dmarc(b"v=DMARC10"));
        assert!(!is_dmarc(b"p=none; v=DMARC1"));
    }
}
