//! TXT records: character-strings, their concatenated data, and a decoder for
//! the text forms people paste (`dig` answers, presentation strings, raw values).

use crate::name::{EscapedByte, NameErrorKind, decode_escape};
use crate::text::{DecodeError, DigLine, dig_line, find_first, is_blank, line_at, skip_blanks};
use std::fmt::Write as _;

/// Longest character-string (RFC 1035 §3.3).
pub const MAX_STRING: usize = 255;

/// One TXT resource record: its character-strings, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TxtRecord {
    /// The character-strings as received.
    pub strings: Vec<Vec<u8>>,
}

impl TxtRecord {
    /// A record from its character-strings.
    pub fn from_strings<I, S>(strings: I) -> TxtRecord
    where
        I: IntoIterator<Item = S>,
        S: Into<Vec<u8>>,
    {
        TxtRecord { strings: strings.into_iter().map(Into::into).collect() }
    }

    /// A record holding `value`, split into strings of at most 255 bytes
    /// (one empty string for an empty value).
    pub fn from_value(value: &[u8]) -> TxtRecord {
        if value.is_empty() {
            return TxtRecord { strings: vec![Vec::new()] };
        }
        TxtRecord { strings: value.chunks(MAX_STRING).map(<[u8]>::to_vec).collect() }
    }

    /// The record data: the strings concatenated with nothing between them
    /// (RFC 7208 §3.3, RFC 6376 §3.6.2.2).
    pub fn data(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.data_len());
        self.append_data(&mut out);
        out
    }

    /// Appends the data to `out` (no allocation when `out` has room).
    pub fn append_data(&self, out: &mut Vec<u8>) {
        for s in &self.strings {
            out.extend_from_slice(s);
        }
    }

    /// Length of [`TxtRecord::data`].
    pub fn data_len(&self) -> usize {
        self.strings.iter().map(Vec::len).sum()
    }

    /// Where each string starts in [`TxtRecord::data`].
    pub fn string_offsets(&self) -> Vec<usize> {
        let mut at = 0;
        self.strings
            .iter()
            .map(|s| {
                let o = at;
                at += s.len();
                o
            })
            .collect()
    }

    /// Presentation form: `"…" "…"` with `\"`, `\\` and `\DDD` escapes.
    pub fn to_presentation(&self) -> String {
        let mut out = String::with_capacity(self.data_len() + 3 * self.strings.len());
        for (i, s) in self.strings.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            out.push('"');
            for &b in s {
                match b {
                    b'"' | b'\\' => {
                        out.push('\\');
                        out.push(char::from(b));
                    }
                    0x20..=0x7E => out.push(char::from(b)),
                    _ => {
                        let _ = write!(out, "\\{b:03}");
                    }
                }
            }
            out.push('"');
        }
        out
    }
}

/// The owner name of the first `dig` answer line in `input` (as written, e.g.
/// `send.mail.acme.com.`), or `None` for a bare value.
pub fn owner_name(input: &str) -> Option<&str> {
    crate::text::dig_owner(input, &["TXT", "SPF"])
}

/// The first CNAME answer line in `input` (`dig` prints the chain before the
/// records): its owner and target, as written.
pub fn cname_answer(input: &str) -> Option<(&str, &str)> {
    let (owner, rdata) = crate::text::dig_answer(input, &["CNAME"])?;
    Some((owner, rdata.split_ascii_whitespace().next()?))
}

/// Decodes TXT records from text as `dig` prints them or a customer pastes
/// them, one record per non-empty line:
///
/// - `name. 300 IN TXT "a" "b"` (TTL and class optional): a full answer line;
///   answer lines of other types (the CNAME dig prints first) are skipped;
/// - a line starting with `"`: presentation form, quoted strings with `\"`,
///   `\\`, `\DDD` escapes and unquoted tokens; `( … )` may span lines;
/// - any other line: a raw value, split into 255-byte strings. Typographic
///   quotes are data, never delimiters.
///
/// Lines starting with `;` are comments.
pub fn parse_text(input: &str) -> Result<Vec<TxtRecord>, DecodeError> {
    let b = input.as_bytes();
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < b.len() {
        let line = line_at(b, pos);
        let first = skip_blanks(b, line.start, line.end);
        match b.get(first) {
            None | Some(b';') => {}
            Some(_) if first >= line.end => {}
            Some(b'"') => {
                let (rec, next) = parse_presentation(b, first)?;
                out.push(rec);
                pos = next;
                continue;
            }
            Some(_) => match dig_line(b, line.start, line.end, &["TXT", "SPF"]) {
                DigLine::Rdata(at) => {
                    let (rec, next) = parse_presentation(b, at)?;
                    out.push(rec);
                    pos = next;
                    continue;
                }
                DigLine::OtherType => {}
                DigLine::NotDig => {
                    let mut end = line.end;
                    while end > first && b.get(end - 1).is_some_and(|&c| is_blank(c)) {
                        end -= 1;
                    }
                    out.push(TxtRecord::from_value(b.get(first..end).unwrap_or_default()));
                }
            },
        }
        pos = line.next;
    }
    Ok(out)
}

fn escape_error(at: usize, kind: NameErrorKind) -> DecodeError {
    match kind {
        NameErrorKind::EscapeOutOfRange(v) => {
            DecodeError::new(at, format!("escape \\{v:03} is out of range (0-255)"))
        }
        _ => DecodeError::new(at, "incomplete escape (expected \\DDD or \\X)"),
    }
}

/// Pushes `s` as one or more strings of at most 255 bytes.
fn push_string(strings: &mut Vec<Vec<u8>>, s: Vec<u8>) {
    if s.len() <= MAX_STRING {
        strings.push(s);
    } else {
        strings.extend(s.chunks(MAX_STRING).map(<[u8]>::to_vec));
    }
}

/// Parses presentation rdata starting at `pos`: strings until the end of the
/// line (or of the parenthesised group). Returns the record and where the
/// next line starts.
fn parse_presentation(b: &[u8], mut pos: usize) -> Result<(TxtRecord, usize), DecodeError> {
    let mut strings = Vec::new();
    let mut depth = 0usize;
    let mut open_paren = 0;
    loop {
        pos = skip_blanks(b, pos, b.len());
        match b.get(pos).copied() {
            None => break,
            Some(b'\r') => pos += 1,
            Some(b'\n') => {
                pos += 1;
                if depth == 0 {
                    return finish(strings, pos, b);
                }
            }
            Some(b';') => {
                // A comment runs to the end of the line.
                let line = line_at(b, pos);
                pos = line.end;
            }
            Some(b'(') => {
                if depth == 0 {
                    open_paren = pos;
                }
                depth += 1;
                pos += 1;
            }
            Some(b')') => {
                if depth == 0 {
                    return Err(DecodeError::new(pos, "unbalanced ')'"));
                }
                depth -= 1;
                pos += 1;
            }
            Some(b'"') => {
                let (s, next) = quoted(b, pos)?;
                push_string(&mut strings, s);
                pos = next;
            }
            Some(_) => {
                let (s, next) = unquoted(b, pos)?;
                push_string(&mut strings, s);
                pos = next;
            }
        }
    }
    if depth > 0 {
        return Err(DecodeError::new(open_paren, "unbalanced '(': no closing ')'"));
    }
    finish(strings, pos, b)
}

fn finish(strings: Vec<Vec<u8>>, next: usize, b: &[u8]) -> Result<(TxtRecord, usize), DecodeError> {
    if strings.is_empty() {
        return Err(DecodeError::new(next.min(b.len()), "TXT record without character-strings"));
    }
    Ok((TxtRecord { strings }, next))
}

/// Decodes one escape at `b[at] == '\\'` into `out`; returns the next offset.
fn escape_into(b: &[u8], at: usize, out: &mut Vec<u8>) -> Result<usize, DecodeError> {
    let (esc, used) = decode_escape(b, at + 1).map_err(|k| escape_error(at, k))?;
    match esc {
        EscapedByte::One(v) => out.push(v),
        EscapedByte::Many(s, n) => out.extend_from_slice(b.get(s..s + n).unwrap_or_default()),
    }
    Ok(at + 1 + used)
}

/// A quoted string opening at `b[open] == '"'`.
fn quoted(b: &[u8], open: usize) -> Result<(Vec<u8>, usize), DecodeError> {
    let mut s = Vec::new();
    let mut i = open + 1;
    loop {
        // Copy the run of plain bytes in one go.
        let run = find_first(b.get(i..).unwrap_or_default(), |c| c == b'"' || c == b'\\' || c == b'\n');
        let Some(r) = run else {
            return Err(DecodeError::new(open, "unterminated quoted string"));
        };
        s.extend_from_slice(b.get(i..i + r).unwrap_or_default());
        i += r;
        match b.get(i) {
            Some(b'"') => return Ok((s, i + 1)),
            Some(b'\\') => i = escape_into(b, i, &mut s)?,
            _ => return Err(DecodeError::new(open, "unterminated quoted string")),
        }
    }
}

/// An unquoted token at `start`: up to a blank, line break, quote or paren.
fn unquoted(b: &[u8], start: usize) -> Result<(Vec<u8>, usize), DecodeError> {
    let mut s = Vec::new();
    let mut i = start;
    while let Some(&c) = b.get(i) {
        match c {
            b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'(' | b')' => break,
            b'\\' => i = escape_into(b, i, &mut s)?,
            _ => {
                s.push(c);
                i += 1;
            }
        }
    }
    Ok((s, i))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn one(input: &str) -> TxtRecord {
        let mut v = parse_text(input).unwrap();
        assert_eq!(v.len(), 1, "{input:?} gave {v:?}");
        v.remove(0)
    }

    #[test]
    fn data_and_offsets() {
        let r = TxtRecord::from_strings(["ab", "", "cde"]);
        assert_eq!(r.data(), b"abcde");
        assert_eq!(r.string_offsets(), vec![0, 2, 2]);
        let v = vec![b'x'; 600];
        let r = TxtRecord::from_value(&v);
        assert_eq!(r.strings.iter().map(Vec::len).collect::<Vec<_>>(), [255, 255, 90]);
        assert_eq!(TxtRecord::from_value(b"").strings, vec![Vec::<u8>::new()]);
    }

    #[test]
    fn presentation_escapes() {
        let r = TxtRecord::from_strings([b"a\"b\\c\x00\xff".to_vec(), b"d".to_vec()]);
        assert_eq!(r.to_presentation(), r#""a\"b\\c\000\255" "d""#);
        assert_eq!(one(&r.to_presentation()), r);
    }

    #[test]
    fn dig_lines() {
        let r = one("sf1._domainkey.mail.acme.com. 300 IN TXT \"v=DKIM1; p=MIIB\" \"AQAB\"");
        assert_eq!(r.strings, vec![b"v=DKIM1; p=MIIB".to_vec(), b"AQAB".to_vec()]);
        let r = one("send.mail.acme.com. TXT \"v=spf1 ~all\"");
        assert_eq!(r.data(), b"v=spf1 ~all");
        let input = ";; ANSWER SECTION:\nx. 60 IN CNAME y.\ny. 60 IN TXT \"a\"\ny. 60 IN TXT \"b\"\n\n";
        let v = parse_text(input).unwrap();
        assert_eq!(v.len(), 2);
        assert_eq!(v[1].data(), b"b");
    }

    #[test]
    fn cname_lines() {
        let input = "sf1._domainkey.a.test. 300 IN CNAME sf1.dkim.amazonses.com.\nsf1.dkim.amazonses.com. 60 IN TXT \"p=x\"";
        assert_eq!(cname_answer(input), Some(("sf1._domainkey.a.test.", "sf1.dkim.amazonses.com.")));
        assert_eq!(cname_answer("x. 300 IN TXT \"a\""), None);
        assert_eq!(parse_text(input).unwrap().len(), 1);
    }

    #[test]
    fn presentation_lines() {
        assert_eq!(one(r#""a b" c\032d "e""#).strings, [&b"a b"[..], b"c d", b"e"]);
        assert_eq!(one("\"x\\\"y\"").data(), b"x\"y");
        let r = one("x. IN TXT ( \"abc\" ; part one\n  \"def\" )\n");
        assert_eq!(r.strings, [b"abc".to_vec(), b"def".to_vec()]);
        let long = format!("\"{}\"", "k".repeat(300));
        assert_eq!(one(&long).strings.len(), 2);
    }

    #[test]
    fn raw_values() {
        let r = one("v=spf1 include:amazonses.com ~all");
        assert_eq!(r.data(), b"v=spf1 include:amazonses.com ~all");
        // Typographic quotes are data.
        let r = one("“v=spf1 ~all”");
        assert_eq!(r.data(), "“v=spf1 ~all”".as_bytes());
        // Embedded ASCII quotes in a raw value are data too.
        assert_eq!(one(r#"p=abc" "def"#).data(), br#"p=abc" "def"#);
        let v = parse_text("one\r\ntwo\n   \n; comment\nthree").unwrap();
        assert_eq!(v.len(), 3);
        assert_eq!(v[1].data(), b"two");
        let big = "A".repeat(65536);
        assert_eq!(one(&big).data_len(), 65536);
    }

    #[test]
    fn errors() {
        let e = parse_text("\"abc").unwrap_err();
        assert_eq!((e.offset, e.message.as_str()), (0, "unterminated quoted string"));
        let e = parse_text("ok\n\"a\\999b\"").unwrap_err();
        assert_eq!(e.offset, 5);
        assert!(e.message.contains("out of range"), "{e}");
        assert!(parse_text("\"a\\").is_err());
        assert!(parse_text("\"a\\1\"").is_err());
        assert!(parse_text("x. TXT ( \"a\"").is_err());
        assert!(parse_text("\"a\" )").is_err());
        assert!(parse_text("x. 300 IN TXT").is_err());
        assert_eq!(parse_text("").unwrap(), vec![]);
        assert_eq!(parse_text("\n\n ; x\n").unwrap(), vec![]);
        let e = parse_text("\"abc\ndef\"").unwrap_err();
        assert_eq!(e.offset, 0);
    }

    #[test]
    fn hostile_bytes_survive() {
        let r = one("\"\x1b[31mred\x07\"");
        assert_eq!(r.data(), b"\x1b[31mred\x07");
        let r = one("\"\\027[0m\"");
        assert_eq!(r.data(), b"\x1b[0m");
    }

    proptest! {
        #[test]
        fn presentation_round_trips(strings in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..300), 1..5)) {
            let rec = TxtRecord::from_strings(strings.iter().flat_map(|s| {
                if s.is_empty() { vec![Vec::new()] } else { s.chunks(255).map(<[u8]>::to_vec).collect() }
            }));
            let text = rec.to_presentation();
            let back = parse_text(&text).unwrap();
            prop_assert_eq!(back, vec![rec]);
        }

        #[test]
        fn never_panics(s in "\\PC*") {
            let _ = parse_text(&s);
        }

        #[test]
        fn never_panics_on_quote_soup(s in "[\"\\\\ ;()\\n0-9a-z\u{201C}]{0,64}") {
            let _ = parse_text(&s);
        }
    }
}
