//! MX records and their text decoder.

use crate::name::DomainName;
use crate::text::{DecodeError, DigLine, content_lines, skip_blanks, token_end};

/// One MX resource record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MxRecord {
    /// The preference (priority).
    pub preference: u16,
    /// The mail exchange.
    pub exchange: DomainName,
}

impl MxRecord {
    /// Presentation text, e.g. `10 feedback-smtp.us-east-1.amazonses.com.`.
    /// This is the data that MX spans index into.
    pub fn presentation(&self) -> String {
        let mut s = self.preference.to_string();
        s.push(' ');
        s.push_str(&self.exchange.to_fqdn_string());
        s
    }

    /// Where the exchange starts in [`MxRecord::presentation`].
    pub fn exchange_offset(&self) -> usize {
        let mut n = 1;
        let mut p = self.preference;
        while p >= 10 {
            p /= 10;
            n += 1;
        }
        n + 1
    }
}

/// The owner name of the first `dig` answer line in `input` (as written, e.g.
/// `send.mail.acme.com.`), or `None` for a bare value.
pub fn owner_name(input: &str) -> Option<&str> {
    crate::text::dig_owner(input, &["MX"])
}

/// Decodes MX records, one per non-empty line: `10 host.` or a full `dig`
/// answer line (`name. 300 IN MX 10 host.`). Exchanges may hold escapes such
/// as `10\ feedback-smtp.…` (a label with a space) and all-digit labels.
/// Lines starting with `;` are comments; answer lines of other types are skipped.
pub fn parse_text(input: &str) -> Result<Vec<MxRecord>, DecodeError> {
    each_mx_line(input, parse_rdata)
}

/// Each MX line of `input` (a bare value, or the rdata of an MX answer line;
/// other answer types skipped), decoded by `rdata` from its first byte to the
/// line's end.
fn each_mx_line(
    input: &str,
    rdata: impl Fn(&[u8], usize, usize) -> Result<MxRecord, DecodeError>,
) -> Result<Vec<MxRecord>, DecodeError> {
    let b = input.as_bytes();
    let mut out = Vec::new();
    for line in content_lines(b, &["MX"]) {
        let start = match line.kind {
            DigLine::Rdata(at) => at,
            DigLine::OtherType => continue,
            DigLine::NotDig => line.first,
        };
        out.push(rdata(b, start, line.end)?);
    }
    Ok(out)
}

/// Decodes MX records as a customer pastes them, one per non-empty line: what
/// [`parse_text`] takes, and also what was typed into a DNS form's fields:
///
/// - the exchange alone (`feedback-smtp.us-east-1.amazonses.com`, the value
///   field of a form with a separate priority field): preference 10 assumed;
/// - the priority typed into the value as well, unescaped
///   (`10 10 feedback-smtp.…`): the value `10 feedback-smtp.…` becomes one
///   exchange whose first label holds a space, as DNS stores it.
pub fn parse_pasted(input: &str) -> Result<Vec<MxRecord>, DecodeError> {
    each_mx_line(input, parse_pasted_rdata)
}

/// The preference a bare exchange is given: what SES's instructions say.
const PASTED_PREFERENCE: u16 = 10;

fn parse_pasted_rdata(b: &[u8], start: usize, end: usize) -> Result<MxRecord, DecodeError> {
    // The tokens up to a comment.
    let mut tokens = Vec::new();
    let mut i = start;
    while i < end && b.get(i) != Some(&b';') && tokens.len() < 4 {
        let t_end = token_end(b, i, end);
        tokens.push((i, t_end));
        i = skip_blanks(b, t_end, end);
    }
    let tok = |n: usize| tokens.get(n).and_then(|&(s, e)| b.get(s..e));
    let digits = |t: Option<&[u8]>| t.is_some_and(|t| !t.is_empty() && t.iter().all(u8::is_ascii_digit));
    match tokens.len() {
        // `feedback-smtp.…`: the value field alone.
        1 if !digits(tok(0)) => {
            let (s, e) = tokens[0];
            let exchange = DomainName::parse_bytes(b.get(s..e).unwrap_or_default())
                .map_err(|err| DecodeError::new(s + err.offset, format!("bad exchange: {err}")))?;
            Ok(MxRecord { preference: PASTED_PREFERENCE, exchange })
        }
        // `10 10 feedback-smtp.…`: the second number is part of the value.
        3 if digits(tok(0)) && digits(tok(1)) => {
            let preference = std::str::from_utf8(tok(0).unwrap_or_default())
                .ok()
                .and_then(|s| s.parse::<u16>().ok())
                .ok_or_else(|| DecodeError::new(start, "MX preference is out of range (0-65535)"))?;
            let (s1, e1) = tokens[1];
            let (s2, e2) = tokens[2];
            let mut value = b.get(s1..e1).unwrap_or_default().to_vec();
            value.extend_from_slice(b"\\ ");
            value.extend_from_slice(b.get(s2..e2).unwrap_or_default());
            let exchange = DomainName::parse_bytes(&value)
                .map_err(|err| DecodeError::new(s2, format!("bad exchange: {err}")))?;
            Ok(MxRecord { preference, exchange })
        }
        _ => parse_rdata(b, start, end),
    }
}

fn parse_rdata(b: &[u8], start: usize, end: usize) -> Result<MxRecord, DecodeError> {
    if start >= end {
        return Err(DecodeError::new(start, "MX record without data"));
    }
    let pref_end = token_end(b, start, end);
    let pref_tok = b.get(start..pref_end).unwrap_or_default();
    if pref_tok.is_empty() || !pref_tok.iter().all(u8::is_ascii_digit) {
        return Err(DecodeError::new(
            start,
            "expected the MX preference (a number 0-65535) before the exchange",
        ));
    }
    let preference = std::str::from_utf8(pref_tok)
        .ok()
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| DecodeError::new(start, "MX preference is out of range (0-65535)"))?;
    let ex_start = skip_blanks(b, pref_end, end);
    if ex_start >= end || b.get(ex_start) == Some(&b';') {
        return Err(DecodeError::new(ex_start, "missing the exchange after the MX preference"));
    }
    let ex_end = token_end(b, ex_start, end);
    let exchange = DomainName::parse_bytes(b.get(ex_start..ex_end).unwrap_or_default())
        .map_err(|e| DecodeError::new(ex_start + e.offset, format!("bad exchange: {e}")))?;
    let rest = skip_blanks(b, ex_end, end);
    if rest < end && b.get(rest) != Some(&b';') {
        return Err(DecodeError::new(rest, "unexpected text after the MX exchange"));
    }
    Ok(MxRecord { preference, exchange })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn decodes_forms() {
        let v = parse_text("10 feedback-smtp.us-east-1.amazonses.com.").unwrap();
        assert_eq!(v[0].preference, 10);
        assert_eq!(v[0].presentation(), "10 feedback-smtp.us-east-1.amazonses.com.");
        assert_eq!(v[0].exchange_offset(), 3);
        let v = parse_text(
            ";; ANSWER\nsend.mail.acme.com. 300 IN MX 10 a.example.\nsend.mail.acme.com. MX 20 b.example. ; c\n",
        )
        .unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].preference, 20);
        assert_eq!(v[1].exchange.to_string(), "b.example");
    }

    #[test]
    fn priority_typed_into_value() {
        let v = parse_text(r"0 10\ feedback-smtp.us-east-1.amazonses.com.").unwrap();
        assert_eq!(v[0].exchange.first_label().unwrap(), b"10 feedback-smtp");
        assert_eq!(v[0].presentation(), r"0 10\ feedback-smtp.us-east-1.amazonses.com.");
        let v = parse_text("10 10.feedback-smtp.us-east-1.amazonses.com.").unwrap();
        assert_eq!(v[0].exchange.first_label().unwrap(), b"10");
        // The presentation decodes back to the same record.
        for r in parse_text("0 10\\ x.y.\n5 a\\.b.c.\n65535 \\000.z").unwrap() {
            assert_eq!(parse_text(&r.presentation()).unwrap(), vec![r.clone()]);
        }
    }

    #[test]
    fn pasted_values() {
        // The value field alone: the exchange, priority 10 assumed.
        let v = parse_pasted("feedback-smtp.us-east-1.amazonses.com").unwrap();
        assert_eq!(v[0].presentation(), "10 feedback-smtp.us-east-1.amazonses.com.");
        // The priority typed into the value as well: one label with a space.
        let v = parse_pasted("10 10 feedback-smtp.us-east-1.amazonses.com.").unwrap();
        assert_eq!(v[0].preference, 10);
        assert_eq!(v[0].exchange.first_label().unwrap(), b"10 feedback-smtp");
        let v = parse_pasted("send.mail.acme.com. 300 IN MX 10 10 feedback-smtp.us-east-1.amazonses.com.")
            .unwrap();
        assert_eq!(v[0].exchange.first_label().unwrap(), b"10 feedback-smtp");
        // What parse_text takes is read the same.
        let text = "10 a.example.\nx. 300 IN MX 20 10\\ b.example. ; c\n";
        assert_eq!(parse_pasted(text).unwrap(), parse_text(text).unwrap());
        // Still not an MX: a number alone, extra words, a bad name.
        assert!(parse_pasted("10").is_err());
        assert!(parse_pasted("10 a b c").is_err());
        assert!(parse_pasted("a..b").is_err());
        assert!(parse_pasted("70000 10 x.").is_err());
    }

    #[test]
    fn errors() {
        let e = parse_text("feedback-smtp.us-east-1.amazonses.com.").unwrap_err();
        assert_eq!(e.offset, 0);
        assert!(e.message.contains("preference"), "{e}");
        assert!(parse_text("70000 x.").unwrap_err().message.contains("range"));
        assert_eq!(parse_text("10").unwrap_err().offset, 2);
        assert_eq!(parse_text("10 a..b").unwrap_err().offset, 5);
        assert_eq!(parse_text("10 a b").unwrap_err().offset, 5);
        assert!(parse_text("10 a\\999").is_err());
        assert!(parse_text("x. 300 IN MX").is_err());
        assert_eq!(parse_text("").unwrap(), vec![]);
    }

    proptest! {
        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = parse_text(&s);
        }

        #[test]
        fn never_panics_escapes(s in "[0-9 .\\\\a\\n;]{0,40}") {
            let _ = parse_text(&s);
        }
    }
}
