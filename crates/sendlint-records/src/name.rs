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
/// The root name has no labels. Whether the text it came from ended with a dot
/// is not kept: every name is treated as fully qualified.
#[derive(Clone, Debug, Default)]
pub struct DomainName {
    labels: Vec<Vec<u8>>,
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
        DomainName { labels: Vec::new() }
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
        let mut labels = Vec::new();
        let mut label = Vec::new();
        let mut label_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match b {
                b'.' => {
                    if label.is_empty() {
                        return Err(NameError { offset: i, kind: NameErrorKind::EmptyLabel });
                    }
                    labels.push(std::mem::take(&mut label));
                    i += 1;
                    label_start = i;
                    continue;
                }
                b'\\' => {
                    let (esc, used) =
                        decode_escape(bytes, i + 1).map_err(|kind| NameError { offset: i, kind })?;
                    match esc {
                        EscapedByte::One(v) => label.push(v),
                        EscapedByte::Many(at, len) => {
                            label.extend_from_slice(bytes.get(at..at + len).unwrap_or_default())
                        }
                    }
                    i += 1 + used;
                }
                _ => {
                    label.push(b);
                    i += 1;
                }
            }
            if label.len() > MAX_LABEL {
                return Err(NameError {
                    offset: label_start,
                    kind: NameErrorKind::LabelTooLong(label.len()),
                });
            }
        }
        if !label.is_empty() {
            labels.push(label);
        }
        Self::checked(labels)
    }

    fn checked(labels: Vec<Vec<u8>>) -> Result<DomainName, NameError> {
        let name = DomainName { labels };
        let wire = name.wire_len();
        if wire > MAX_NAME {
            return Err(NameError { offset: 0, kind: NameErrorKind::NameTooLong(wire) });
        }
        Ok(name)
    }

    /// A name from its labels (leftmost first). Fails on empty or over-long labels.
    pub fn from_labels<I, L>(labels: I) -> Result<DomainName, NameError>
    where
        I: IntoIterator<Item = L>,
        L: AsRef<[u8]>,
    {
        let mut out = Vec::new();
        for l in labels {
            let l = l.as_ref();
            if l.is_empty() {
                return Err(NameError { offset: 0, kind: NameErrorKind::EmptyLabel });
            }
            if l.len() > MAX_LABEL {
                return Err(NameError { offset: 0, kind: NameErrorKind::LabelTooLong(l.len()) });
            }
            out.push(l.to_vec());
        }
        Self::checked(out)
    }

    /// The labels, leftmost first.
    pub fn labels(&self) -> &[Vec<u8>] {
        &self.labels
    }

    /// How many labels (0 for the root).
    pub fn label_count(&self) -> usize {
        self.labels.len()
    }

    /// Length in wire form (length octets and the root octet included).
    pub fn wire_len(&self) -> usize {
        self.labels.iter().map(|l| l.len() + 1).sum::<usize>() + 1
    }

    /// True for the root name.
    pub fn is_root(&self) -> bool {
        self.labels.is_empty()
    }

    /// True when `self` equals `other` or lies below it.
    pub fn is_subdomain_of(&self, other: &DomainName) -> bool {
        let (n, m) = (self.labels.len(), other.labels.len());
        n >= m && self.labels[n - m..].iter().zip(&other.labels).all(|(a, b)| a.eq_ignore_ascii_case(b))
    }

    /// The name with its first label removed (`None` for the root).
    pub fn parent(&self) -> Option<DomainName> {
        if self.labels.is_empty() {
            return None;
        }
        Some(DomainName { labels: self.labels[1..].to_vec() })
    }

    /// `label.self`. Fails when the label is empty or too long, or the name gets too long.
    pub fn prepend_label(&self, label: &[u8]) -> Result<DomainName, NameError> {
        Self::from_labels(std::iter::once(label).chain(self.labels.iter().map(Vec::as_slice)))
    }

    /// `self` followed by `suffix`, e.g. `send.mail.acme.com` + `acme.com`.
    pub fn join(&self, suffix: &DomainName) -> Result<DomainName, NameError> {
        Self::checked(self.labels.iter().chain(&suffix.labels).cloned().collect())
    }

    /// The part of `self` in front of `suffix`, when `self` is a subdomain of it
    /// (the root when they are equal).
    pub fn strip_suffix(&self, suffix: &DomainName) -> Option<DomainName> {
        if !self.is_subdomain_of(suffix) {
            return None;
        }
        let keep = self.labels.len() - suffix.labels.len();
        Some(DomainName { labels: self.labels[..keep].to_vec() })
    }

    /// Case-insensitive comparison with presentation text (no allocation for
    /// plain names; falls back to parsing when the text holds escapes).
    pub fn eq_text(&self, text: &str) -> bool {
        let t = text.strip_suffix('.').unwrap_or(text);
        if t.contains('\\') {
            return DomainName::parse(text).is_ok_and(|n| n == *self);
        }
        if t.is_empty() {
            return self.labels.is_empty();
        }
        let mut parts = t.split('.');
        for l in &self.labels {
            match parts.next() {
                Some(p) if p.as_bytes().eq_ignore_ascii_case(l) => {}
                _ => return false,
            }
        }
        parts.next().is_none()
    }

    /// Presentation text with the trailing dot, e.g. `mail.acme.com.`.
    pub fn to_fqdn_string(&self) -> String {
        if self.labels.is_empty() {
            return ".".to_owned();
        }
        let mut s = self.to_string();
        s.push('.');
        s
    }

    /// Writes one label in presentation form (escaping dots, spaces, specials
    /// and non-printable bytes).
    pub fn write_label(out: &mut String, label: &[u8]) {
        for &b in label {
            match b {
                b'.' | b'\\' | b'"' | b';' | b'(' | b')' | b'@' | b'$' | b' ' => {
                    out.push('\\');
                    out.push(char::from(b));
                }
                0x21..=0x7E => out.push(char::from(b)),
                _ => {
                    out.push('\\');
                    out.push(char::from(b'0' + b / 100));
                    out.push(char::from(b'0' + (b / 10) % 10));
                    out.push(char::from(b'0' + b % 10));
                }
            }
        }
    }
}

impl fmt::Display for DomainName {
    /// Presentation text without the trailing dot (`.` for the root).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.labels.is_empty() {
            return f.write_str(".");
        }
        let mut s = String::with_capacity(self.wire_len());
        for (i, l) in self.labels.iter().enumerate() {
            if i > 0 {
                s.push('.');
            }
            DomainName::write_label(&mut s, l);
        }
        f.write_str(&s)
    }
}

impl PartialEq for DomainName {
    fn eq(&self, other: &Self) -> bool {
        self.labels.len() == other.labels.len()
            && self.labels.iter().zip(&other.labels).all(|(a, b)| a.eq_ignore_ascii_case(b))
    }
}

impl Eq for DomainName {}

impl Hash for DomainName {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.labels.len());
        for l in &self.labels {
            state.write_usize(l.len());
            for b in l {
                state.write_u8(b.to_ascii_lowercase());
            }
        }
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
        assert_eq!(x.labels()[0], b"10 feedback-smtp");
        assert_eq!(x.to_string(), r"10\ feedback-smtp.us-east-1.amazonses.com");
        let y = n(r"a\046b.c");
        assert_eq!(y.labels()[0], b"a.b");
        assert_eq!(y.to_string(), r"a\.b.c");
        let z = n(r"\000\255x");
        assert_eq!(z.labels()[0], [0u8, 255, b'x']);
        assert_eq!(z.to_string(), r"\000\255x");
        assert_eq!(n(r"\é.x").labels()[0], "é".as_bytes());
        // Display output parses back to the same name.
        for s in [r"10\ feedback-smtp.x", r"a\046b.c", r"\000\255x", "a\\\\b.c"] {
            assert_eq!(n(&n(s).to_string()), n(s));
        }
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
