//! Shared pieces of the text decoders: errors, lines, and recognising full
//! `dig` answer lines (`owner [ttl] [class] TYPE rdata`).

use std::fmt;

/// A text decoder error: where and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DecodeError {
    /// Byte offset into the decoded input.
    pub offset: usize,
    /// What is wrong.
    pub message: String,
}

impl DecodeError {
    pub(crate) fn new(offset: usize, message: impl Into<String>) -> DecodeError {
        DecodeError { offset, message: message.into() }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message, self.offset)
    }
}

impl std::error::Error for DecodeError {}

/// One line of input: `start..end` excludes the line break (and a `\r`
/// before it); `next` is where the following line starts.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Line {
    pub start: usize,
    pub end: usize,
    pub next: usize,
}

/// The first byte matching `pred`: 32-byte chunks are tested without an
/// early exit (which vectorises) and only a hit chunk is searched bytewise.
pub(crate) fn find_first(hay: &[u8], pred: impl Fn(u8) -> bool + Copy) -> Option<usize> {
    let mut base = 0;
    for chunk in hay.chunks(32) {
        if chunk.iter().fold(false, |acc, &c| acc | pred(c)) {
            return chunk.iter().position(|&c| pred(c)).map(|p| base + p);
        }
        base += chunk.len();
    }
    None
}

/// The line starting at `pos`.
pub(crate) fn line_at(b: &[u8], pos: usize) -> Line {
    let rest = b.get(pos..).unwrap_or_default();
    let nl = find_first(rest, |c| c == b'\n');
    let (end, next) = match nl {
        Some(i) => (pos + i, pos + i + 1),
        None => (b.len(), b.len()),
    };
    let end = if end > pos && b.get(end - 1) == Some(&b'\r') { end - 1 } else { end };
    Line { start: pos, end: end.max(pos), next }
}

pub(crate) fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// First non-blank offset in `start..end` (or `end`).
pub(crate) fn skip_blanks(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end && b.get(i).is_some_and(|&c| is_blank(c)) {
        i += 1;
    }
    i
}

/// The unquoted token at `i` (which must be non-blank): up to the next blank,
/// a backslash escaping the byte after it. Returns its end.
pub(crate) fn token_end(b: &[u8], mut i: usize, end: usize) -> usize {
    while i < end {
        match b.get(i) {
            Some(b'\\') => i += 2,
            Some(&c) if is_blank(c) => break,
            Some(_) => i += 1,
            None => break,
        }
    }
    i.min(end)
}

/// How a line relates to the `dig` answer-line shape.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DigLine {
    /// A full answer line of a wanted type; the rdata starts at this offset.
    Rdata(usize),
    /// A full answer line of another type (e.g. the CNAME dig prints first).
    OtherType,
    /// Not an answer line.
    NotDig,
}

const CLASSES: [&str; 5] = ["IN", "CH", "HS", "CS", "ANY"];
const OTHER_TYPES: [&str; 18] = [
    "A", "AAAA", "CNAME", "DNAME", "NS", "SOA", "MX", "TXT", "SPF", "PTR", "SRV", "CAA", "RRSIG", "NSEC",
    "NSEC3", "DS", "DNSKEY", "HINFO",
];

fn is_ttl(t: &[u8]) -> bool {
    !t.is_empty() && t.len() <= 10 && t.iter().all(u8::is_ascii_digit)
}

/// Recognises `owner [ttl] [class] TYPE` at the start of `start..end`
/// (`ttl` and `class` in either order), with TYPE one of `wanted`.
pub(crate) fn dig_line(b: &[u8], start: usize, end: usize, wanted: &[&str]) -> DigLine {
    let mut i = skip_blanks(b, start, end);
    if i >= end || b.get(i) == Some(&b'"') {
        return DigLine::NotDig;
    }
    // The owner.
    i = skip_blanks(b, token_end(b, i, end), end);
    let mut extra = 0;
    loop {
        if i >= end || b.get(i) == Some(&b'"') {
            return DigLine::NotDig;
        }
        let t_end = token_end(b, i, end);
        let tok = b.get(i..t_end).unwrap_or_default();
        let after = skip_blanks(b, t_end, end);
        if wanted.iter().any(|w| tok.eq_ignore_ascii_case(w.as_bytes())) {
            return DigLine::Rdata(after);
        }
        if extra > 0 && OTHER_TYPES.iter().any(|w| tok.eq_ignore_ascii_case(w.as_bytes())) {
            return DigLine::OtherType;
        }
        let is_class = CLASSES.iter().any(|c| tok.eq_ignore_ascii_case(c.as_bytes()));
        if extra < 2 && (is_ttl(tok) || is_class) {
            extra += 1;
            i = after;
            continue;
        }
        return DigLine::NotDig;
    }
}

/// The owner name of the first `dig` answer line of a type in `wanted`
/// (`send.mail.acme.com. 300 IN MX 10 …` gives `send.mail.acme.com.`), as
/// written; `None` when the text holds no answer line of that type.
pub(crate) fn dig_owner<'a>(input: &'a str, wanted: &[&str]) -> Option<&'a str> {
    let b = input.as_bytes();
    let mut pos = 0;
    while pos < b.len() {
        let line = line_at(b, pos);
        pos = line.next;
        let first = skip_blanks(b, line.start, line.end);
        if first >= line.end || b.get(first) == Some(&b';') {
            continue;
        }
        if let DigLine::Rdata(_) = dig_line(b, line.start, line.end, wanted) {
            return input.get(first..token_end(b, first, line.end));
        }
    }
    None
}

/// The first `dig` answer line of a type in `wanted`: its owner and its
/// rdata (to the end of the line), as written.
pub(crate) fn dig_answer<'a>(input: &'a str, wanted: &[&str]) -> Option<(&'a str, &'a str)> {
    let b = input.as_bytes();
    let mut pos = 0;
    while pos < b.len() {
        let line = line_at(b, pos);
        pos = line.next;
        let first = skip_blanks(b, line.start, line.end);
        if first >= line.end || b.get(first) == Some(&b';') {
            continue;
        }
        if let DigLine::Rdata(at) = dig_line(b, line.start, line.end, wanted) {
            return Some((
                input.get(first..token_end(b, first, line.end))?,
                input.get(at..line.end)?.trim_end(),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dl(s: &str) -> DigLine {
        dig_line(s.as_bytes(), 0, s.len(), &["TXT"])
    }

    #[test]
    fn owners() {
        assert_eq!(
            dig_owner(";; ANSWER\nx.com. 300 IN CNAME y.\ny.com. 300 IN MX 10 a.", &["MX"]),
            Some("y.com.")
        );
        assert_eq!(dig_owner("10 feedback-smtp.us-east-1.amazonses.com", &["MX"]), None);
        assert_eq!(dig_owner("\"v=spf1 ~all\"", &["TXT"]), None);
    }

    #[test]
    fn recognises_answer_lines() {
        assert_eq!(dl("x.com. 300 IN TXT \"a\""), DigLine::Rdata(18));
        assert_eq!(dl("x.com.\t300\tIN\tTXT\t\"a\""), DigLine::Rdata(18));
        assert_eq!(dl("x.com. IN 300 txt \"a\""), DigLine::Rdata(18));
        assert_eq!(dl("x.com. TXT \"a\""), DigLine::Rdata(11));
        assert_eq!(dl("x.com. 300 IN CNAME y.com."), DigLine::OtherType);
        assert_eq!(dl("v=spf1 include:amazonses.com ~all"), DigLine::NotDig);
        assert_eq!(dl("\"v=spf1\""), DigLine::NotDig);
        assert_eq!(dl("x 1 2 3 TXT"), DigLine::NotDig);
        assert_eq!(dl("x.com. 300 IN"), DigLine::NotDig);
    }

    #[test]
    fn lines() {
        let b = b"ab\r\ncd\n\nef";
        let l = line_at(b, 0);
        assert_eq!((l.start, l.end, l.next), (0, 2, 4));
        let l = line_at(b, 4);
        assert_eq!((l.start, l.end, l.next), (4, 6, 7));
        let l = line_at(b, 8);
        assert_eq!((l.start, l.end, l.next), (8, 10, 10));
        let l = line_at(b"\r", 0);
        assert_eq!((l.start, l.end), (0, 0));
    }
}
