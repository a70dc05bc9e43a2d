//! SPF records (RFC 7208 §4.6, §5, §6): version, qualified mechanisms and
//! modifiers, with byte spans into the record data.

use crate::tags::{SyntaxError, did_you_mean, show};
use nom::IResult;
use nom::Parser;
use nom::bytes::complete::take_while1;
use nom::character::complete::one_of;
use nom::combinator::opt;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::ops::Range;

/// What an SPF term is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TermKind {
    /// `all`
    All,
    /// `include:domain`
    Include,
    /// `a[:domain][/cidr]`
    A,
    /// `mx[:domain][/cidr]`
    Mx,
    /// `ptr[:domain]`
    Ptr,
    /// `ip4:addr[/cidr]`
    Ip4,
    /// `ip6:addr[/cidr]`
    Ip6,
    /// `exists:domain`
    Exists,
    /// `redirect=domain`
    Redirect,
    /// `exp=domain`
    Exp,
    /// Any other `name=value` modifier (ignored by evaluators).
    UnknownModifier,
}

impl TermKind {
    /// True for terms that cost a DNS lookup (RFC 7208 §4.6.4).
    pub fn queries_dns(self) -> bool {
        matches!(
            self,
            TermKind::Include
                | TermKind::A
                | TermKind::Mx
                | TermKind::Ptr
                | TermKind::Exists
                | TermKind::Redirect
        )
    }
}

/// One term of an SPF record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfTerm {
    /// The kind of term.
    pub kind: TermKind,
    /// The explicit qualifier (`+`, `-`, `~`, `?`), if any.
    pub qualifier: Option<u8>,
    /// The whole term.
    pub span: Range<usize>,
    /// The domain-spec or address after `:` / `=` (without any `/cidr`).
    pub value: Option<Range<usize>>,
}

/// A parsed SPF record: the terms that parsed, and the first error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfRecord {
    /// Every well-formed term after `v=spf1`, in order.
    pub terms: Vec<SpfTerm>,
    /// The first syntax error, if any.
    pub error: Option<SyntaxError>,
}

/// True when `data` starts with `v=spf1` (any case) followed by a space or the end.
pub fn is_spf(data: &[u8]) -> bool {
    data.get(..6).is_some_and(|p| p.eq_ignore_ascii_case(b"v=spf1")) && data.get(6).is_none_or(|&c| c == b' ')
}

const MECHANISMS: [&str; 8] = ["all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"];
const MODIFIERS: [&str; 2] = ["redirect", "exp"];

fn qualified_name(input: &[u8]) -> IResult<&[u8], (Option<char>, &[u8])> {
    (opt(one_of("+-~?")), take_while1(|c: u8| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')))
        .parse(input)
}

impl SpfRecord {
    /// Parses SPF record data (which must start with `v=spf1`).
    pub fn parse(data: &[u8]) -> SpfRecord {
        let mut rec = SpfRecord { terms: Vec::with_capacity(6), error: None };
        if !is_spf(data) {
            let end = data.iter().position(|&c| c == b' ').unwrap_or(data.len());
            rec.error = Some(SyntaxError::new(
                0..end.max(1).min(data.len().max(1)),
                "an SPF record must start with \"v=spf1\"",
            ));
            return rec;
        }
        let mut i = 6;
        let mut seen_redirect = false;
        let mut seen_exp = false;
        while i < data.len() {
            if data[i] == b' ' {
                i += 1;
                continue;
            }
            let end = data[i..].iter().position(|&c| c == b' ').map_or(data.len(), |n| i + n);
            match parse_term(data, i, end) {
                Ok(term) => {
                    let dup = match term.kind {
                        TermKind::Redirect => std::mem::replace(&mut seen_redirect, true),
                        TermKind::Exp => std::mem::replace(&mut seen_exp, true),
                        _ => false,
                    };
                    if dup {
                        rec.set_error(SyntaxError::new(
                            term.span.clone(),
                            format!(
                                "the {} modifier appears more than once",
                                if term.kind == TermKind::Exp { "exp" } else { "redirect" }
                            ),
                        ));
                    } else {
                        rec.terms.push(term);
                    }
                }
                Err(e) => rec.set_error(e),
            }
            i = end;
        }
        rec
    }

    fn set_error(&mut self, e: SyntaxError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Number of DNS-querying terms in this record alone.
    pub fn direct_lookups(&self) -> usize {
        self.terms.iter().filter(|t| t.kind.queries_dns()).count()
    }

    /// The terms of one kind.
    pub fn terms_of(&self, kind: TermKind) -> impl Iterator<Item = &SpfTerm> {
        self.terms.iter().filter(move |t| t.kind == kind)
    }
}

fn err(span: Range<usize>, msg: impl Into<String>) -> Result<SpfTerm, SyntaxError> {
    Err(SyntaxError::new(span, msg))
}

fn parse_term(data: &[u8], start: usize, end: usize) -> Result<SpfTerm, SyntaxError> {
    let text = &data[start..end];
    let span = start..end;
    let Ok((rest, (qual, name))) = qualified_name(text) else {
        return err(span, format!("\"{}\" is not an SPF mechanism or modifier", show(text)));
    };
    // Lowercase on the stack: the names we know are short.
    let mut buf = [0u8; 8];
    let name_lc: &[u8] = match buf.get_mut(..name.len()) {
        Some(b) => {
            b.copy_from_slice(name);
            b.make_ascii_lowercase();
            b
        }
        None => b"",
    };
    let after = end - rest.len();
    // Modifier: name=value.
    if rest.first() == Some(&b'=') {
        if qual.is_some() {
            return err(span, "a modifier cannot have a qualifier");
        }
        let value = after + 1..end;
        let kind = match name_lc {
            b"redirect" => TermKind::Redirect,
            b"exp" => TermKind::Exp,
            _ => {
                if !name.first().is_some_and(u8::is_ascii_alphabetic) {
                    return err(span, format!("bad modifier name \"{}\"", show(name)));
                }
                // c, r, t are expanded in explanations only; an unknown
                // modifier is never expanded, so any letter is left alone
                check_macro_string(data, value.clone(), true)?;
                return Ok(SpfTerm {
                    kind: TermKind::UnknownModifier,
                    qualifier: None,
                    span,
                    value: Some(value),
                });
            }
        };
        check_domain_spec(data, value.clone(), std::str::from_utf8(name).unwrap_or(""))?;
        return Ok(SpfTerm { kind, qualifier: None, span, value: Some(value) });
    }
    let kind = match name_lc {
        b"all" => TermKind::All,
        b"include" => TermKind::Include,
        b"a" => TermKind::A,
        b"mx" => TermKind::Mx,
        b"ptr" => TermKind::Ptr,
        b"ip4" => TermKind::Ip4,
        b"ip6" => TermKind::Ip6,
        b"exists" => TermKind::Exists,
        _ => {
            let hint = did_you_mean(name, &MECHANISMS)
                .or_else(|| did_you_mean(name, &MODIFIERS))
                .map(|m| format!(" (did you mean \"{m}\"?)"))
                .unwrap_or_default();
            return err(span, format!("unknown SPF mechanism \"{}\"{hint}", show(name)));
        }
    };
    let qualifier = qual.map(|c| c as u8);
    let mname = std::str::from_utf8(name).unwrap_or("");
    let ok = |value| Ok(SpfTerm { kind, qualifier, span: start..end, value });
    match (kind, rest.first()) {
        (TermKind::All, None) => ok(None),
        (TermKind::All, Some(_)) => err(span, "\"all\" takes no argument"),
        (TermKind::Include | TermKind::Exists, Some(b':')) => {
            let v = after + 1..end;
            check_domain_spec(data, v.clone(), mname)?;
            ok(Some(v))
        }
        (TermKind::Include | TermKind::Exists, _) => {
            err(span, format!("\"{mname}\" needs a domain: {mname}:example.com"))
        }
        (TermKind::Ptr, None) => ok(None),
        (TermKind::Ptr, Some(b':')) => {
            let v = after + 1..end;
            check_domain_spec(data, v.clone(), mname)?;
            ok(Some(v))
        }
        (TermKind::A | TermKind::Mx, None) => ok(None),
        (TermKind::A | TermKind::Mx, Some(b'/')) => {
            check_dual_cidr(data, after..end)?;
            ok(None)
        }
        (TermKind::A | TermKind::Mx, Some(b':')) => {
            let v_start = after + 1;
            // `/` is a visible character a domain-spec may hold (RFC 7208 §7.1):
            // only a trailing `/n`, `//n` or `/n//m` is the CIDR length.
            let slash = v_start + cidr_suffix_start(&data[v_start..end]);
            check_domain_spec(data, v_start..slash, mname)?;
            if slash < end {
                check_dual_cidr(data, slash..end)?;
            }
            ok(Some(v_start..slash))
        }
        (TermKind::Ip4 | TermKind::Ip6, Some(b':')) => {
            let v_start = after + 1;
            let slash = data[v_start..end].iter().position(|&c| c == b'/').map_or(end, |n| v_start + n);
            let addr = std::str::from_utf8(&data[v_start..slash]).unwrap_or("");
            let (good, max) = if kind == TermKind::Ip4 {
                (addr.parse::<Ipv4Addr>().is_ok(), 32)
            } else {
                (addr.parse::<Ipv6Addr>().is_ok(), 128)
            };
            if !good {
                return err(
                    v_start..slash.max(v_start + 1).min(end.max(v_start + 1)),
                    format!(
                        "\"{}\" is not an {} address",
                        show(&data[v_start..slash]),
                        if max == 32 { "IPv4" } else { "IPv6" }
                    ),
                );
            }
            if slash < end {
                check_cidr(data, slash + 1..end, max)?;
            }
            ok(Some(v_start..slash))
        }
        (TermKind::Ip4 | TermKind::Ip6, _) => {
            err(span, format!("\"{mname}\" needs an address: {mname}:<address>[/prefix]"))
        }
        (_, _) => err(span, format!("unexpected \"{}\" after \"{mname}\"", show(rest))),
    }
}

fn check_cidr(data: &[u8], r: Range<usize>, max: u32) -> Result<(), SyntaxError> {
    let t = &data[r.clone()];
    let v = std::str::from_utf8(t).ok().and_then(|s| {
        if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) || (s.len() > 1 && s.starts_with('0')) {
            None
        } else {
            s.parse::<u32>().ok()
        }
    });
    match v {
        Some(n) if n <= max => Ok(()),
        _ => Err(SyntaxError::new(
            r.start.saturating_sub(1)..r.end,
            format!("bad prefix length \"/{}\" (0-{max})", show(t)),
        )),
    }
}

/// `/n`, `//n` or `/n//m`, starting at the first slash.
fn check_dual_cidr(data: &[u8], r: Range<usize>) -> Result<(), SyntaxError> {
    let t = &data[r.clone()];
    if let Some(v6) = t.strip_prefix(b"//") {
        return check_cidr(data, r.start + 2..r.start + 2 + v6.len(), 128);
    }
    let body = &t[1..];
    match body.windows(2).position(|w| w == b"//") {
        Some(p) => {
            check_cidr(data, r.start + 1..r.start + 1 + p, 32)?;
            check_cidr(data, r.start + 3 + p..r.end, 128)
        }
        None => check_cidr(data, r.start + 1..r.end, 32),
    }
}

/// Where the dual-cidr-length at the end of `t` starts (`t.len()` when there is
/// none): the last `//digits`, then the last `/digits` before it.
fn cidr_suffix_start(t: &[u8]) -> usize {
    let digits_from = |end: usize| {
        let n = t[..end].iter().rev().take_while(|c| c.is_ascii_digit()).count();
        (n > 0).then_some(end - n)
    };
    let mut end = t.len();
    if let Some(p) = digits_from(end)
        && p >= 2
        && &t[p - 2..p] == b"//"
    {
        end = p - 2;
    }
    if let Some(p) = digits_from(end)
        && p >= 1
        && t[p - 1] == b'/'
        && (p < 2 || t[p - 2] != b'/')
    {
        end = p - 1;
    }
    end
}

/// RFC 7208 §7.1 macro-string: visible ASCII, `%{…}`, `%%`, `%_`, `%-`.
/// The letters `c`, `r` and `t` only where `exp_letters` (explanation text).
/// Returns whether it holds a `%{…}` macro.
fn check_macro_string(data: &[u8], r: Range<usize>, exp_letters: bool) -> Result<bool, SyntaxError> {
    let t = &data[r.clone()];
    let mut i = 0;
    let mut has_macro = false;
    while i < t.len() {
        let c = t[i];
        if c == b'%' {
            match t.get(i + 1) {
                Some(b'%' | b'_' | b'-') => i += 2,
                Some(b'{') => {
                    let close = t[i..].iter().position(|&c| c == b'}');
                    let letter = t.get(i + 2).copied().unwrap_or(b'}');
                    let ok_letter = b"slodiphvSLODIPHV".contains(&letter);
                    if close.is_some() && !exp_letters && b"crtCRT".contains(&letter) {
                        return Err(SyntaxError::new(
                            r.start + i..r.start + (i + 3).min(t.len()),
                            format!(
                                "the macro %{{{}}} is only allowed in explanation text, not in a domain",
                                char::from(letter)
                            ),
                        ));
                    }
                    let ok_letter = ok_letter || (exp_letters && b"crtCRT".contains(&letter));
                    match close {
                        Some(n) if ok_letter => {
                            has_macro = true;
                            i += n + 1;
                        }
                        _ => {
                            return Err(SyntaxError::new(
                                r.start + i..r.start + (i + 2).min(t.len()),
                                "bad macro (expected %{letter…}, %%, %_ or %-)",
                            ));
                        }
                    }
                }
                _ => {
                    return Err(SyntaxError::new(
                        r.start + i..r.start + (i + 2).min(t.len()),
                        "a lone '%' (write %% for a literal percent sign)",
                    ));
                }
            }
            continue;
        }
        if !(0x21..=0x7E).contains(&c) {
            let n = crate::name::utf8_len(c);
            return Err(SyntaxError::new(
                r.start + i..r.start + (i + n).min(t.len()),
                format!("unexpected character {:?} in SPF term", show(&t[i..(i + n).min(t.len())])),
            ));
        }
        i += 1;
    }
    Ok(has_macro)
}

fn check_domain_spec(data: &[u8], r: Range<usize>, what: &str) -> Result<(), SyntaxError> {
    let t = &data[r.clone()];
    if t.is_empty() {
        return Err(SyntaxError::new(
            r.start.saturating_sub(1)..r.start,
            format!("\"{what}\" needs a domain after the separator"),
        ));
    }
    let has_macro = check_macro_string(data, r.clone(), false)?;
    // domain-end = "." toplabel ["."] / macro-expand
    if has_macro && t.ends_with(b"}") {
        return Ok(());
    }
    let name = t.strip_suffix(b".").unwrap_or(t);
    if !has_macro && name.split(|&c| c == b'.').any(<[u8]>::is_empty) {
        return Err(SyntaxError::new(r, format!("\"{}\" is not a valid domain (empty label)", show(t))));
    }
    let text = std::str::from_utf8(name).unwrap_or("");
    // A common mistake: an address where a domain belongs (`a:192.0.2.1`).
    for (is_ip, mech) in
        [(text.parse::<Ipv4Addr>().is_ok(), "ip4"), (text.parse::<Ipv6Addr>().is_ok(), "ip6")]
    {
        if is_ip {
            return Err(SyntaxError::new(
                r,
                format!("\"{}\" is an IP address, not a domain: use \"{mech}:{}\"", show(t), show(name)),
            ));
        }
    }
    let Some(top) = name.iter().rposition(|&c| c == b'.').map(|dot| &name[dot + 1..]) else {
        return Err(SyntaxError::new(
            r,
            format!("\"{}\" is not a fully qualified domain name (it has no dot)", show(t)),
        ));
    };
    if !is_toplabel(top) {
        return Err(SyntaxError::new(
            r,
            format!(
                "\"{}\" is not a valid domain: its last label \"{}\" is not a top-level domain \
                 (letters, digits and inner hyphens, not all digits)",
                show(t),
                show(top)
            ),
        ));
    }
    Ok(())
}

/// RFC 7208 §7.1 `toplabel`: letters, digits and hyphens, not starting or
/// ending with a hyphen, and not all digits.
fn is_toplabel(l: &[u8]) -> bool {
    l.first().is_some_and(u8::is_ascii_alphanumeric)
        && l.last().is_some_and(u8::is_ascii_alphanumeric)
        && l.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && !l.iter().all(u8::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> SpfRecord {
        let r = SpfRecord::parse(s.as_bytes());
        assert_eq!(r.error, None, "{s}");
        r
    }

    fn bad(s: &str) -> (String, String) {
        let r = SpfRecord::parse(s.as_bytes());
        let e = r.error.unwrap_or_else(|| panic!("{s} parsed"));
        (s[e.span.clone()].to_owned(), e.message)
    }

    #[test]
    fn valid_records() {
        let r = ok("v=spf1 include:amazonses.com ~all");
        assert_eq!(r.terms.len(), 2);
        assert_eq!(r.terms[0].kind, TermKind::Include);
        assert_eq!(r.terms[0].value, Some(15..28));
        assert_eq!(r.terms[1].qualifier, Some(b'~'));
        assert_eq!(r.direct_lookups(), 1);
        let r = ok(
            "V=SPF1  a mx:mail.example.com/24//64 ip4:192.0.2.0/24 ip6:2001:db8::/32 ptr exists:%{i}._spf.%{d} -include:x.example redirect=_spf.example.com exp=explain._spf.%{d} foo=bar ?all",
        );
        assert_eq!(r.direct_lookups(), 6);
        ok("v=spf1");
        ok("v=spf1 a/24 mx//64 -all");
        ok("v=spf1 include:amazonses.com. -all");
        // RFC 7208 §7.1: any visible character but `%` may sit in a domain-spec
        let r = ok("v=spf1 a:foo:bar/baz.example.com mx:foo:bar/baz.example.com/24//64 -all");
        assert_eq!(r.terms[0].value, Some(9..32));
        assert_eq!(r.terms[1].value, Some(36..59));
        ok(
            "v=spf1 a:foo.example.xn--zckzah a:x.123-4 exists:%{i}._spf.%{d} exists:%{ir}.%{l1r-}.example.com -all",
        );
        ok("v=spf1 -all exp=explain.example.com foo=%{c}%{r}%{t}");
    }

    #[test]
    fn domain_specs_follow_rfc7208() {
        // a top label cannot start or end with a hyphen
        assert!(bad("v=spf1 a:example.-com").1.contains("\"-com\" is not a top-level domain"));
        assert!(bad("v=spf1 mx:example.com- -all").1.contains("not a top-level domain"));
        // c, r and t are for explanation text only (§7.1)
        assert_eq!(bad("v=spf1 -all exp=%{r}.example.com").0, "%{r");
        assert!(bad("v=spf1 exists:%{c}.example.com").1.contains("only allowed in explanation text"));
        assert_eq!(bad("v=spf1 a:%{t}.example.com").0, "%{t");
        // a CIDR suffix is still checked after a domain
        assert_eq!(bad("v=spf1 a:example.com/33").0, "/33");
        assert_eq!(bad("v=spf1 mx:example.com//129").0, "/129");
        // a domain ending in a macro needs no top label; one ending in text does
        assert!(bad("v=spf1 exists:%{i}.123").1.contains("\"123\" is not a top-level domain"));
    }

    #[test]
    fn bad_domains_get_no_made_up_suffix() {
        for rec in ["v=spf1 a:111.222.33.44", "v=spf1 redirect=-all", "v=spf1 a:museum", "v=spf1 a:abc.123"] {
            let (_, msg) = bad(rec);
            assert!(!msg.contains(".com"), "{rec}: {msg}");
        }
        assert_eq!(
            bad("v=spf1 a:111.222.33.44").1,
            "\"111.222.33.44\" is an IP address, not a domain: use \"ip4:111.222.33.44\""
        );
        assert_eq!(
            bad("v=spf1 mx:2001:db8::1").1,
            "\"2001:db8::1\" is an IP address, not a domain: use \"ip6:2001:db8::1\""
        );
        assert_eq!(
            bad("v=spf1 redirect=-all").1,
            "\"-all\" is not a fully qualified domain name (it has no dot)"
        );
    }

    #[test]
    fn bad_terms_are_pointed_at() {
        assert_eq!(
            bad("v=spf1 inlcude:amazonses.com ~all"),
            (
                "inlcude:amazonses.com".into(),
                "unknown SPF mechanism \"inlcude\" (did you mean \"include\"?)".into()
            )
        );
        assert_eq!(bad("v=spf1 include:amazonses ~all").0, "amazonses");
        assert_eq!(bad("v=spf1 include ~all").0, "include");
        assert_eq!(bad("v=spf1 ip4:192.0.2.300 ~all").0, "192.0.2.300");
        assert_eq!(bad("v=spf1 ip4:192.0.2.0/33").0, "/33");
        assert_eq!(bad("v=spf1 ip6:zz::1").0, "zz::1");
        assert_eq!(bad("v=spf1 all:x").0, "all:x");
        assert_eq!(bad("v=spf1 ~redirect=x.com").1, "a modifier cannot have a qualifier");
        assert!(bad("v=spf1 redirect=a.com redirect=b.com").1.contains("more than once"));
        assert_eq!(bad("v=spf1 include:a%.com").0, "%.");
        assert_eq!(bad("v=spf1 \"include:amazonses.com\"").0, "\"include:amazonses.com\"");
        assert_eq!(bad("v=spf1 include:amazon\u{a0}ses.com").0, "\u{a0}");
        assert_eq!(bad("spf1 ~all").1, "an SPF record must start with \"v=spf1\"");
        assert_eq!(bad("v=spf1 a:\x1b[31m.com").0, "\x1b");
    }

    #[test]
    fn later_terms_still_parse_after_an_error() {
        let r = SpfRecord::parse(b"v=spf1 bogus include:amazonses.com ~all");
        assert!(r.error.is_some());
        assert_eq!(r.terms_of(TermKind::Include).count(), 1);
        assert_eq!(r.terms_of(TermKind::All).count(), 1);
    }

    #[test]
    fn detects_version() {
        assert!(is_spf(b"v=spf1"));
        assert!(is_spf(b"v=SPF1 -all"));
        assert!(!is_spf(b"v=spf10"));
        assert!(!is_spf(b"\"v=spf1"));
    }
}
