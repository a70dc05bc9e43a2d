//! Domain names as DNS carries them: a sequence of labels, each up to 63
//! arbitrary bytes. Comparison is case-insensitive for ASCII letters only
//! (RFC 4343); the original case is kept for display.

use std::fmt;
use std::hash::{Hash, Hasher};

mod input;
pub use input::InputNameError;

/// Longest label, in bytes (RFC 1035 §2.3.4).
pub const MAX_LABEL: usize = 63;
/// Longest name in wire form, length octets and root included (RFC 1035 §2.3.4).
pub const MAX_NAME: usize = 255;

/// A domain name: labels as bytes, case-preserving, compared case-insensitively.
///
/// Stored as one buffer in wire form without the root octet (each label its
/// length octet, then its bytes): one allocation per name, and equality and
/// hashing run over the whole buffer at once. Length octets (1..=63) are never
/// ASCII letters, so folding the whole buffer folds only the label bytes.
///
/// The root name has no labels. Whether the text it came from ended with a dot
/// is not kept: every name is treated as fully qualified.
#[derive(Clone, Default)]
pub struct DomainName {
    wire: Vec<u8>,
}

/// A map keyed by names with a fast (non-DoS-resistant, seeded) hasher: the
/// keys come from our own manifests and zones, and hashing them was a visible
/// share of an audit's CPU with SipHash.
pub type NameMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// The labels of a [`DomainName`], leftmost first.
#[derive(Clone, Debug)]
pub struct Labels<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];
    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, tail) = self.rest.split_first()?;
        let (label, rest) = tail.split_at(usize::from(len).min(tail.len()));
        self.rest = rest;
        Some(label)
    }
}

/// Why a presentation-form name could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NameError {
    /// Byte offset into the parsed text.
    pub offset: usize,
    /// What is wrong.
    pub kind: NameErrorKind,
}

/// The kinds of [`NameError`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NameErrorKind {
    /// The text is empty.
    Empty,
    /// Two dots in a row, or a leading dot.
    EmptyLabel,
    /// A label longer than 63 bytes.
    LabelTooLong(usize),
    /// The whole name is longer than 255 bytes in wire form.
    NameTooLong(usize),
    /// `\DDD` with a value above 255.
    EscapeOutOfRange(u32),
    /// A backslash at the end of the text, or `\D` / `\DD` followed by a non-digit.
    BadEscape,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            NameErrorKind::Empty => write!(f, "empty domain name"),
            NameErrorKind::EmptyLabel => write!(f, "empty label at byte {}", self.offset),
            NameErrorKind::LabelTooLong(n) => {
                write!(f, "label at byte {} is {n} bytes long (at most {MAX_LABEL})", self.offset)
            }
            NameErrorKind::NameTooLong(n) => {
                write!(f, "name is {n} bytes long in wire form (at most {MAX_NAME})")
            }
            NameErrorKind::EscapeOutOfRange(v) => {
                write!(f, "escape \\{v:03} at byte {} is out of range (0-255)", self.offset)
            }
            NameErrorKind::BadEscape => write!(f, "incomplete escape at byte {}", self.offset),
        }
    }
}

impl std::error::Error for NameError {}

/// Decodes one presentation escape after a backslash at `bytes[i]` (the byte
/// after the backslash). Returns the byte(s) it stands for and how many input
/// bytes were consumed. Shared by names and TXT character-strings.
pub(crate) fn decode_escape(bytes: &[u8], i: usize) -> Result<(EscapedByte, usize), NameErrorKind> {
    let Some(&first) = bytes.get(i) else {
        return Err(NameErrorKind::BadEscape);
    };
    if first.is_ascii_digit() {
        let d = bytes.get(i..i + 3).ok_or(NameErrorKind::BadEscape)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return Err(NameErrorKind::BadEscape);
        }
        let v = d.iter().fold(0u32, |acc, b| acc * 10 + u32::from(b - b'0'));
        let byte = u8::try_from(v).map_err(|_| NameErrorKind::EscapeOutOfRange(v))?;
        return Ok((EscapedByte::One(byte), 3));
    }
    // `\X`: X may be a multi-byte UTF-8 character; take all of it.
    let len = utf8_len(first).min(bytes.len() - i);
    Ok((EscapedByte::Many(i, len), len))
}

/// What an escape stands for.
pub(crate) enum EscapedByte {
    /// One byte given by `\DDD`.
    One(u8),
    /// `len` literal bytes starting at this offset of the input.
    Many(usize, usize),
}

/// Length of the UTF-8 sequence a lead byte announces (1 for invalid bytes).
pub(crate) fn utf8_len(b: u8) -> usize {
    match b {
        0xC2..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF4 => 4,
        _ => 1,
    }
}

impl DomainName {
    /// The root name (no labels).
    pub fn root() -> DomainName {
        DomainName { wire: Vec::new() }
    }

    /// Parses presentation text: labels separated by dots, trailing dot
    /// optional, `\DDD` and `\X` escapes. `.` alone is the root.
    pub fn parse(text: &str) -> Result<DomainName, NameError> {
        Self::parse_bytes(text.as_bytes())
    }

    /// [`DomainName::parse`] on bytes.
    pub fn parse_bytes(bytes: &[u8]) -> Result<DomainName, NameError> {
        if bytes.is_empty() {
            return Err(NameError { offset: 0, kind: NameErrorKind::Empty });
        }
        if bytes == b"." {
            return Ok(DomainName::root());
        }
        // One length octet per label at most replaces one dot: the text's
        // length plus one bounds the wire form.
        let mut wire = Vec::with_capacity(bytes.len() + 1);
        // Where the current label's length octet is.
        let mut len_at = 0;
        wire.push(0);
        let mut label_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'.' => {
                    let len = wire.len() - len_at - 1;
                    if len == 0 {
                        return Err(NameError { offset: i, kind: NameErrorKind::EmptyLabel });
                    }
                    // at most MAX_LABEL, checked below as the label grew
                    wire[len_at] = len as u8;
                    len_at = wire.len();
                    wire.push(0);
                    i += 1;
                    label_start = i;
                    continue;
                }
                b'\\' => {
                    let (esc, used) =
                        decode_escape(bytes, i + 1).map_err(|kind| NameError { offset: i, kind })?;
                    match esc {
                        EscapedByte::One(v) => wire.push(v),
                        EscapedByte::Many(at, len) => {
                            wire.extend_from_slice(bytes.get(at..at + len).unwrap_or_default())
                        }
                    }
                    i += 1 + used;
                }
                _ => {
                    wire.push(b);
                    i += 1;
                }
            }
            let len = wire.len() - len_at - 1;
            if len > MAX_LABEL {
                return Err(NameError { offset: label_start, kind: NameErrorKind::LabelTooLong(len) });
            }
        }
        let len = wire.len() - len_at - 1;
        if len == 0 {
            // the text ended with a dot: no label after it
            wire.pop();
        } else {
            wire[len_at] = len as u8;
        }
        Self::checked(wire)
    }

    fn checked(wire: Vec<u8>) -> Result<DomainName, NameError> {
        let name = DomainName { wire };
        let len = name.wire_len();
        if len > MAX_NAME {
            return Err(NameError { offset: 0, kind: NameErrorKind::NameTooLong(len) });
        }
        Ok(name)
    }

    /// A name from its labels (leftmost first). Fails on empty or over-long labels.
    pub fn from_labels<I, L>(labels: I) -> Result<DomainName, NameError>
    where
        I: IntoIterator<Item = L>,
        L: AsRef<[u8]>,
    {
        let mut wire = Vec::new();
        for l in labels {
            Self::push_label(&mut wire, l.as_ref())?;
        }
        Self::checked(wire)
    }

    fn push_label(wire: &mut Vec<u8>, l: &[u8]) -> Result<(), NameError> {
        if l.is_empty() {
            return Err(NameError { offset: 0, kind: NameErrorKind::EmptyLabel });
        }
        if l.len() > MAX_LABEL {
            return Err(NameError { offset: 0, kind: NameErrorKind::LabelTooLong(l.len()) });
        }
        wire.push(l.len() as u8);
        wire.extend_from_slice(l);
        Ok(())
    }

    /// The labels, leftmost first.
    pub fn labels(&self) -> Labels<'_> {
        Labels { rest: &self.wire }
    }

    /// The first (leftmost) label, `None` for the root.
    pub fn first_label(&self) -> Option<&[u8]> {
        self.labels().next()
    }

    /// The name in wire form, original case, without the root octet.
    pub fn wire(&self) -> &[u8] {
        &self.wire
    }

    /// How many labels (0 for the root).
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// Length in wire form (length octets and the root octet included).
    pub fn wire_len(&self) -> usize {
        self.wire.len() + 1
    }

    /// True for the root name.
    pub fn is_root(&self) -> bool {
        self.wire.is_empty()
    }

    /// Where the last `suffix_len` bytes of the wire form start, when that is
    /// a label boundary.
    fn suffix_start(&self, suffix_len: usize) -> Option<usize> {
        let target = self.wire.len().checked_sub(suffix_len)?;
        let mut at = 0;
        while at < target {
            at += 1 + usize::from(self.wire[at]);
        }
        (at == target).then_some(at)
    }

    /// True when `self` equals `other` or lies below it.
    pub fn is_subdomain_of(&self, other: &DomainName) -> bool {
        self.suffix_start(other.wire.len())
            .is_some_and(|at| self.wire[at..].eq_ignore_ascii_case(&other.wire))
    }

    /// The name with its first label removed (`None` for the root).
    pub fn parent(&self) -> Option<DomainName> {
        let &len = self.wire.first()?;
        Some(DomainName { wire: self.wire.get(1 + usize::from(len)..).unwrap_or_default().to_vec() })
    }

    /// `label.self`. Fails when the label is empty or too long, or the name gets too long.
    pub fn prepend_label(&self, label: &[u8]) -> Result<DomainName, NameError> {
        let mut wire = Vec::with_capacity(1 + label.len() + self.wire.len());
        Self::push_label(&mut wire, label)?;
        wire.extend_from_slice(&self.wire);
        Self::checked(wire)
    }

    /// `self` followed by `suffix`, e.g. `send.mail.acme.com` + `acme.com`.
    pub fn join(&self, suffix: &DomainName) -> Result<DomainName, NameError> {
        let mut wire = Vec::with_capacity(self.wire.len() + suffix.wire.len());
        wire.extend_from_slice(&self.wire);
        wire.extend_from_slice(&suffix.wire);
        Self::checked(wire)
    }

    /// The part of `self` in front of `suffix`, when `self` is a subdomain of it
    /// (the root when they are equal).
    pub fn strip_suffix(&self, suffix: &DomainName) -> Option<DomainName> {
        if !self.is_subdomain_of(suffix) {
            return None;
        }
        let keep = self.wire.len() - suffix.wire.len();
        Some(DomainName { wire: self.wire[..keep].to_vec() })
    }

    /// Case-insensitive comparison with presentation text (no allocation for
    /// plain names; falls back to parsing when the text holds escapes).
    pub fn eq_text(&self, text: &str) -> bool {
        let t = text.strip_suffix('.').unwrap_or(text);
        if t.contains('\\') {
            return DomainName::parse(text).is_ok_and(|n| n == *self);
        }
        if t.is_empty() {
            return self.wire.is_empty();
        }
        let mut parts = t.split('.');
        for l in self.labels() {
            match parts.next() {
                Some(p) if p.as_bytes().eq_ignore_ascii_case(l) => {}
                _ => return false,
            }
        }
        parts.next().is_none()
    }

    /// Presentation text with the trailing dot, e.g. `mail.acme.com.`.
    pub fn to_fqdn_string(&self) -> String {
        if self.wire.is_empty() {
            return ".".to_owned();
        }
        let mut s = self.to_string();
        s.push('.');
        s
    }

    /// Writes one label in presentation form (escaping dots, spaces, specials
    /// and non-printable bytes).
    pub fn write_label(out: &mut String, label: &[u8]) {
        // writing into a String cannot fail
        let _ = write_label_to(out, label);
    }
}

/// True for the bytes a label shows escaped.
fn needs_escape(b: u8) -> bool {
    matches!(b, b'.' | b'\\' | b'"' | b';' | b'(' | b')' | b'@' | b'$') || !(0x21..=0x7E).contains(&b)
}

/// [`DomainName::write_label`] into any writer, runs of plain bytes at once.
fn write_label_to<W: fmt::Write>(out: &mut W, label: &[u8]) -> fmt::Result {
    let mut rest = label;
    while !rest.is_empty() {
        let plain = rest.iter().position(|&b| needs_escape(b)).unwrap_or(rest.len());
        // plain bytes are printable ASCII, so valid UTF-8
        out.write_str(std::str::from_utf8(&rest[..plain]).unwrap_or_default())?;
        let Some(&b) = rest.get(plain) else {
            break;
        };
        if (0x21..=0x7E).contains(&b) || b == b' ' {
            out.write_char('\\')?;
            out.write_char(char::from(b))?;
        } else {
            let digits = [b'\\', b'0' + b / 100, b'0' + (b / 10) % 10, b'0' + b % 10];
            out.write_str(std::str::from_utf8(&digits).unwrap_or_default())?;
        }
        rest = &rest[plain + 1..];
    }
    Ok(())
}

/// The longest presentation form: 254 wire bytes as `\DDD` escapes and dots
/// stay under 1,016 characters.
const MAX_TEXT: usize = 1024;

/// A name's presentation text, assembled on the stack: one write to the
/// formatter, no allocation (`to_string` then allocates once).
struct TextBuf {
    buf: [u8; MAX_TEXT],
    len: usize,
}

impl fmt::Write for TextBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        self.buf.get_mut(self.len..end).ok_or(fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl DomainName {
    fn write_text<W: fmt::Write>(&self, out: &mut W) -> fmt::Result {
        for (i, l) in self.labels().enumerate() {
            if i > 0 {
                out.write_str(".")?;
            }
            write_label_to(out, l)?;
        }
        Ok(())
    }
}

impl fmt::Display for DomainName {
    /// Presentation text without the trailing dot (`.` for the root).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.wire.is_empty() {
            return f.write_str(".");
        }
        if !self.labels().any(|l| l.iter().any(|&b| needs_escape(b))) {
            // The common case, nothing escaped: the wire form with its length
            // octets turned into dots.
            let mut buf = [0u8; MAX_NAME];
            let text = &mut buf[..self.wire.len() - 1];
            text.copy_from_slice(&self.wire[1..]);
            let mut at = usize::from(self.wire[0]);
            while let Some(len) = text.get_mut(at) {
                let next = at + 1 + usize::from(*len);
                *len = b'.';
                at = next;
            }
            return f.write_str(std::str::from_utf8(text).unwrap_or_default());
        }
        let mut text = TextBuf { buf: [0; MAX_TEXT], len: 0 };
        match self.write_text(&mut text) {
            // only ASCII was written
            Ok(()) => f.write_str(std::str::from_utf8(&text.buf[..text.len]).unwrap_or_default()),
            // cannot happen (see MAX_TEXT); write piece by piece rather than fail
            Err(_) => self.write_text(f),
        }
    }
}

impl fmt::Debug for DomainName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DomainName").field(&self.to_string()).finish()
    }
}

impl PartialEq for DomainName {
    fn eq(&self, other: &Self) -> bool {
        self.wire.eq_ignore_ascii_case(&other.wire)
    }
}

impl Eq for DomainName {}

impl Hash for DomainName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // Folded into a stack buffer (a name is at most 254 bytes here) and
        // handed to the hasher in one write.
        let mut buf = [0u8; MAX_NAME];
        let n = self.wire.len().min(MAX_NAME);
        for (d, s) in buf.iter_mut().zip(&self.wire) {
            *d = s.to_ascii_lowercase();
        }
        buf[..n].hash(state);
    }
}

impl std::str::FromStr for DomainName {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DomainName::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn n(s: &str) -> DomainName {
        DomainName::parse(s).unwrap()
    }

    #[test]
    fn parses_plain_and_trailing_dot() {
        assert_eq!(n("mail.acme.com").label_count(), 3);
        assert_eq!(n("mail.acme.com."), n("MAIL.Acme.COM"));
        assert_eq!(n("mail.acme.com.").to_string(), "mail.acme.com");
        assert_eq!(n("Mail.acme.com").to_fqdn_string(), "Mail.acme.com.");
        assert!(n(".").is_root());
        assert_eq!(n(".").to_string(), ".");
    }

    #[test]
    fn escapes() {
        let x = n(r"10\ feedback-smtp.us-east-1.amazonses.com.");
        assert_eq!(x.first_label().unwrap(), b"10 feedback-smtp");
        assert_eq!(x.to_string(), r"10\ feedback-smtp.us-east-1.amazonses.com");
        let y = n(r"a\046b.c");
        assert_eq!(y.first_label().unwrap(), b"a.b");
        assert_eq!(y.to_string(), r"a\.b.c");
        let z = n(r"\000\255x");
        assert_eq!(z.first_label().unwrap(), [0u8, 255, b'x']);
        assert_eq!(z.to_string(), r"\000\255x");
        assert_eq!(n(r"\é.x").first_label().unwrap(), "é".as_bytes());
        // Display output parses back to the same name.
        for s in [r"10\ feedback-smtp.x", r"a\046b.c", r"\000\255x", "a\\\\b.c"] {
            assert_eq!(n(&n(s).to_string()), n(s));
        }
    }

    #[test]
    fn every_byte_displays_as_before() {
        // The byte-at-a-time presentation form names were always shown in.
        fn reference(label: &[u8]) -> String {
            let mut out = String::new();
            for &b in label {
                match b {
                    b'.' | b'\\' | b'"' | b';' | b'(' | b')' | b'@' | b'$' | b' ' => {
                        out.push('\\');
                        out.push(char::from(b));
                    }
                    0x21..=0x7E => out.push(char::from(b)),
                    _ => out.push_str(&format!("\\{b:03}")),
                }
            }
            out
        }
        for b in 0..=255u8 {
            let label = [b'a', b, b'z', b, b];
            let name = DomainName::from_labels([&label[..], b"x"]).unwrap();
            assert_eq!(name.to_string(), format!("{}.x", reference(&label)), "byte {b}");
            assert_eq!(DomainName::parse(&name.to_string()).unwrap().wire(), name.wire(), "byte {b}");
        }
        // The longest name, every byte escaped: 1,003 characters.
        let labels = [[0u8; 63], [0; 63], [0; 63]];
        let longest = DomainName::from_labels(labels.iter().map(|l| &l[..]).chain([&[0u8; 61][..]])).unwrap();
        assert_eq!(longest.wire_len(), MAX_NAME);
        let text = longest.to_string();
        assert_eq!(text.len(), 4 * 250 + 3);
        assert_eq!(text, [&[0u8; 63][..], &[0; 63], &[0; 63], &[0; 61]].map(reference).join("."));
    }

    #[test]
    fn errors() {
        let e = |s: &str| DomainName::parse(s).unwrap_err().kind;
        assert_eq!(e(""), NameErrorKind::Empty);
        assert_eq!(e("a..b"), NameErrorKind::EmptyLabel);
        assert_eq!(e(".a"), NameErrorKind::EmptyLabel);
        assert_eq!(e(r"a\999"), NameErrorKind::EscapeOutOfRange(999));
        assert_eq!(e(r"a\"), NameErrorKind::BadEscape);
        assert_eq!(e(r"a\1x"), NameErrorKind::BadEscape);
        assert_eq!(e(&"a".repeat(64)), NameErrorKind::LabelTooLong(64));
        let long = vec!["a".repeat(63); 4].join(".");
        assert_eq!(e(&long), NameErrorKind::NameTooLong(257));
        assert!(DomainName::parse(&vec!["a".repeat(63); 3].join(".")).is_ok());
        let msg = DomainName::parse(r"a\999").unwrap_err().to_string();
        assert!(msg.contains("out of range"), "{msg}");
    }

    #[test]
    fn relations() {
        let d = n("mail.acme.com");
        let z = n("acme.com");
        assert!(d.is_subdomain_of(&z));
        assert!(d.is_subdomain_of(&d));
        assert!(!z.is_subdomain_of(&d));
        assert!(!n("xacme.com").is_subdomain_of(&z));
        assert_eq!(d.parent().unwrap(), z);
        assert_eq!(n(".").parent(), None);
        assert_eq!(z.prepend_label(b"mail").unwrap(), d);
        let doubled = n("send.mail.acme.com").join(&z).unwrap();
        assert_eq!(doubled.to_string(), "send.mail.acme.com.acme.com");
        assert_eq!(doubled.strip_suffix(&z).unwrap(), n("send.mail.acme.com"));
        assert_eq!(d.strip_suffix(&d).unwrap(), DomainName::root());
        assert_eq!(z.strip_suffix(&d), None);
        assert!(z.prepend_label(b"").is_err());
    }

    #[test]
    fn eq_and_hash_ignore_ascii_case_only() {
        let mut set = HashSet::new();
        set.insert(n("Mail.ACME.com"));
        assert!(set.contains(&n("mail.acme.com")));
        assert_ne!(n(r"\195\137.x"), n(r"\195\169.x"));
        assert!(n("Mail.Acme.com").eq_text("mail.acme.com."));
        assert!(!n("mail.acme.com").eq_text("mail.acme"));
        assert!(!n("mail.acme").eq_text("mail.acme.com"));
        assert!(n(r"a\.b.c").eq_text(r"a\046b.c"));
    }

    #[test]
    fn from_labels_checks() {
        assert_eq!(DomainName::from_labels(["a b", "c"]).unwrap().to_string(), r"a\ b.c");
        assert!(DomainName::from_labels(["a", ""]).is_err());
    }
}
