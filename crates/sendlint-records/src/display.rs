//! Making hostile record data safe to print.
//!
//! Observed TXT data may hold control bytes, ANSI escape sequences, invalid
//! UTF-8 or bidirectional overrides. [`escape`] turns it into text that is safe
//! for a terminal and keeps a byte map so labels computed on the data can be
//! drawn on the escaped text.

use std::fmt::Write as _;
use std::ops::Range;

/// Data escaped for display, with the map from data bytes to text bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Escaped {
    /// The safe text.
    pub text: String,
    /// For each data byte, where the text unit holding it starts and ends.
    /// Empty when nothing was escaped (the map is the identity).
    units: Vec<(u32, u32)>,
    data_len: usize,
}

/// Unicode characters that are printable in the table sense but reorder or
/// hide text: zero-width, bidi embeddings/overrides/isolates, BOM, separators.
fn is_format_char(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x061C | 0x180E
        | 0x200B..=0x200F
        | 0x2028..=0x202E
        | 0x2060..=0x2069
        | 0xFEFF
        | 0xFFF9..=0xFFFB)
}

/// Escapes `data` for a terminal: printable ASCII and printable non-ASCII
/// UTF-8 stay; control bytes (C0, DEL, C1), ESC and invalid UTF-8 bytes become
/// `\xNN`; invisible format and bidi characters become `\u{NNNN}`.
pub fn escape(data: &[u8]) -> Escaped {
    let mut text = String::with_capacity(data.len());
    let mut units: Vec<(u32, u32)> = Vec::new();
    let mut identity = true;
    let mut i = 0;
    // Pushes `n` data bytes mapped to the text written since `start`.
    let record = |units: &mut Vec<(u32, u32)>, start: usize, end: usize, n: usize| {
        let s = u32::try_from(start).unwrap_or(u32::MAX);
        let e = u32::try_from(end).unwrap_or(u32::MAX);
        units.extend(std::iter::repeat_n((s, e), n));
    };
    while i < data.len() {
        let start = text.len();
        let b = data[i];
        if b.is_ascii() {
            if (0x20..0x7F).contains(&b) {
                text.push(char::from(b));
            } else {
                let _ = write!(text, "\\x{b:02X}");
                identity = false;
            }
            record(&mut units, start, text.len(), 1);
            i += 1;
            continue;
        }
        let n = crate::name::utf8_len(b);
        let ch = data.get(i..i + n).and_then(|s| std::str::from_utf8(s).ok()).and_then(|s| s.chars().next());
        match ch {
            Some(c) if is_format_char(c) => {
                let _ = write!(text, "\\u{{{:04X}}}", c as u32);
                identity = false;
                record(&mut units, start, text.len(), n);
                i += n;
            }
            Some(c) if !c.is_control() => {
                text.push(c);
                identity = false;
                // Each byte of a kept character maps to the whole character.
                record(&mut units, start, text.len(), n);
                i += n;
            }
            Some(_) => {
                // A C1 control encoded in UTF-8: show its bytes.
                for &cb in data.get(i..i + n).unwrap_or_default() {
                    let s = text.len();
                    let _ = write!(text, "\\x{cb:02X}");
                    record(&mut units, s, text.len(), 1);
                }
                identity = false;
                i += n;
            }
            None => {
                let _ = write!(text, "\\x{b:02X}");
                identity = false;
                record(&mut units, start, text.len(), 1);
                i += 1;
            }
        }
    }
    if identity && text.len() == data.len() {
        units = Vec::new();
    }
    Escaped { text, units, data_len: data.len() }
}

impl Escaped {
    /// Maps the data byte range `start..start + len` to a range of `text`.
    /// A range that covers part of an escape or character covers all of it;
    /// ranges past the end are clamped.
    pub fn map(&self, start: usize, len: usize) -> Range<usize> {
        let tl = self.text.len();
        if self.units.is_empty() {
            let s = start.min(tl);
            return s..start.saturating_add(len).min(tl);
        }
        if start >= self.data_len {
            return tl..tl;
        }
        let (s, s_end) = self.units[start];
        if len == 0 {
            return s as usize..s as usize;
        }
        let last = start.saturating_add(len - 1).min(self.data_len - 1);
        let (_, e) = self.units[last];
        s as usize..(e.max(s_end)) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_printable_text() {
        let e = escape("v=spf1 \"a\\b\" “x” ‘y’ é".as_bytes());
        assert_eq!(e.text, "v=spf1 \"a\\b\" “x” ‘y’ é");
        assert_eq!(e.map(2, 4), 2..6);
    }

    #[test]
    fn escapes_controls_ansi_and_invalid_utf8() {
        let e = escape(b"a\x1b[31mb\x00\x7f\xff\xc3");
        assert_eq!(e.text, "a\\x1B[31mb\\x00\\x7F\\xFF\\xC3");
        assert!(!e.text.contains('\x1b'));
        // The ESC byte maps to its whole escape.
        assert_eq!(&e.text[e.map(1, 1)], "\\x1B");
        assert_eq!(&e.text[e.map(1, 3)], "\\x1B[3");
        assert_eq!(&e.text[e.map(6, 2)], "b\\x00");
        // C1 control in UTF-8 (U+0085) and tab/newline.
        assert_eq!(escape("x\u{85}\t\n".as_bytes()).text, "x\\xC2\\x85\\x09\\x0A");
    }

    #[test]
    fn escapes_bidi_and_zero_width() {
        let data = "a\u{202E}b\u{200B}c\u{FEFF}\u{2066}".as_bytes();
        let e = escape(data);
        assert_eq!(e.text, "a\\u{202E}b\\u{200B}c\\u{FEFF}\\u{2066}");
        // One byte inside the 3-byte override covers the whole escape.
        assert_eq!(&e.text[e.map(2, 1)], "\\u{202E}");
        assert_eq!(&e.text[e.map(4, 1)], "b");
    }

    #[test]
    fn multibyte_chars_map_whole() {
        let e = escape("x\u{201C}y\x01".as_bytes());
        assert_eq!(&e.text[e.map(2, 1)], "\u{201C}");
        assert_eq!(&e.text[e.map(1, 3)], "\u{201C}");
        assert_eq!(e.map(100, 3), e.text.len()..e.text.len());
        assert_eq!(e.map(0, 0), 0..0);
    }

    #[test]
    fn large_input() {
        let data = vec![0x1bu8; 65536];
        let e = escape(&data);
        assert_eq!(e.text.len(), 4 * 65536);
        assert_eq!(e.map(65535, 10), 4 * 65535..4 * 65536);
    }
}

/// `text` with every character that could act on a terminal — control
/// characters other than newline and tab (so ESC, BEL, a lone CR, C1 controls)
/// and Unicode format characters such as bidi overrides — replaced by `?`,
/// one per byte, so byte offsets into the text stay valid. For the source
/// code that error reports quote from files strangers wrote (zone files,
/// manifests, rule files, pasted records).
pub fn terminal_safe(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| acts_on_terminal(c) && c != '\n' && c != '\t';
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Does `c` act on a terminal (moves the cursor, recolours, reorders or hides
/// text)? Newline and tab count; callers that lay out lines keep them.
pub fn acts_on_terminal(c: char) -> bool {
    c.is_control() || is_format_char(c)
}

fn push_escaped(out: &mut String, c: char) {
    if (c as u32) < 0x80 {
        let _ = write!(out, "\\x{:02X}", c as u32);
    } else {
        let _ = write!(out, "\\u{{{:04X}}}", c as u32);
    }
}

fn escape_where(text: &str, keep: impl Fn(char) -> bool) -> std::borrow::Cow<'_, str> {
    let bad = |c: char| acts_on_terminal(c) && !keep(c);
    if !text.chars().any(bad) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if bad(c) { push_escaped(&mut out, c) } else { out.push(c) }
    }
    std::borrow::Cow::Owned(out)
}

/// **The** way a string that did not come from sendlint (a manifest field, a
/// path, an SES answer, a rule file's text, a command-line value) reaches a
/// terminal: every control character (ESC, CR, NUL, newline, C1) becomes
/// `\xNN`, every invisible format or bidi character (U+202E) `\u{NNNN}`.
/// No copy when there is nothing to escape.
pub fn untrusted(text: &str) -> std::borrow::Cow<'_, str> {
    escape_where(text, |_| false)
}

/// [`untrusted`] for a whole message that sendlint laid out on several lines
/// (a diagnostic's message or help with values inside): newline and tab stay.
pub fn untrusted_lines(text: &str) -> std::borrow::Cow<'_, str> {
    escape_where(text, |c| c == '\n' || c == '\t')
}

/// Longest value (in bytes) quoted whole in a message; longer ones are cut.
pub const QUOTE_MAX: usize = 200;

/// `value` as a message quotes it: [`untrusted`], and cut after [`QUOTE_MAX`]
/// bytes with its real length said, so a 200 MB field is not copied into
/// every message, JSON line and report that names it.
pub fn quote(value: &str) -> String {
    let cut = (value.len() > QUOTE_MAX).then(|| value.floor_char_boundary(QUOTE_MAX));
    match cut {
        None => format!("\"{}\"", untrusted(value)),
        Some(end) => format!("\"{}\"… ({} bytes)", untrusted(&value[..end]), value.len()),
    }
}

#[cfg(test)]
mod terminal_safe_tests {
    use super::terminal_safe;

    #[test]
    fn keeps_offsets_and_removes_what_acts_on_a_terminal() {
        let hostile = "a\u{1b}[31mb\rc\u{202e}d\u{85}e\n\tf “g”";
        let safe = terminal_safe(hostile);
        assert_eq!(safe.len(), hostile.len(), "byte offsets must survive");
        assert_eq!(safe, "a?[31mb?c???d??e\n\tf “g”");
        assert!(matches!(terminal_safe("plain\ttext\n"), std::borrow::Cow::Borrowed(_)));
    }
}

#[cfg(test)]
mod untrusted_tests {
    use super::{QUOTE_MAX, quote, untrusted, untrusted_lines};

    #[test]
    fn escapes_esc_cr_nul_and_bidi() {
        assert_eq!(untrusted("a\u{1b}[31mb\rc\0d\u{202e}e\nf"), "a\\x1B[31mb\\x0Dc\\x00d\\u{202E}e\\x0Af");
        assert_eq!(untrusted_lines("a\u{1b}\nb\tc\r"), "a\\x1B\nb\tc\\x0D");
        assert_eq!(untrusted_lines("a\u{85}b"), "a\\u{0085}b");
        assert!(matches!(untrusted("plain “text”"), std::borrow::Cow::Borrowed(_)));
    }

    #[test]
    fn quotes_are_capped() {
        assert_eq!(quote("a\u{1b}"), "\"a\\x1B\"");
        let long = "é".repeat(QUOTE_MAX);
        let q = quote(&long);
        assert!(q.ends_with(&format!("\"… ({} bytes)", long.len())), "{q}");
        assert!(q.len() < QUOTE_MAX + 32, "{q}");
    }
}

/// Levenshtein distance in characters, for "did you mean" hints on names
/// people type (registrars, regions, rule fields).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
