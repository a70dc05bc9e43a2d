//! A small scanner over zone-file text, run before hickory's parser.
//!
//! hickory's zone parser reports errors without positions, reads `$INCLUDE`d
//! files from the local disk, decodes `\DDD` wrongly and splits quoted strings
//! inside `( … )`. This scanner:
//! - splits the text into entries (one RR or directive each, `( … )` groups and
//!   comments resolved) with byte offsets, so errors can point at a line;
//! - rejects `$INCLUDE`, unterminated quotes and parentheses, stray `)` and
//!   control characters outside quotes, each with its exact position;
//! - writes a *normalized* text for hickory, one line per entry, in which the
//!   character-strings of TXT records are re-quoted so that every byte survives:
//!   bytes hickory would mangle are carried as private-use placeholder
//!   characters and restored by [`decode_txt`].

use std::ops::Range;

/// Placeholder characters `U+F700 + byte` carry one raw byte through hickory.
const PLACEHOLDER_BASE: u32 = 0xF700;

/// Longest character-string, in bytes (one length octet).
pub(crate) const MAX_STRING: usize = 255;

/// One token of an entry, by byte range into the original text.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    /// The raw text, quotes included.
    pub span: Range<usize>,
    /// A `"…"` string.
    pub quoted: bool,
}

/// One entry: a resource record or a directive, possibly over several lines.
#[derive(Clone, Debug)]
pub(crate) struct Entry {
    /// The tokens, comments and parentheses removed.
    pub tokens: Vec<Token>,
    /// The entry's first line starts with white space: the owner is omitted.
    pub blank_start: bool,
    /// Byte offset where the entry's first line starts.
    pub start: usize,
}

impl Entry {
    /// The byte range from the first to the last token (or the line start).
    pub fn content_span(&self) -> Range<usize> {
        match (self.tokens.first(), self.tokens.last()) {
            (Some(first), Some(last)) => first.span.start..last.span.end,
            _ => self.start..self.start,
        }
    }
}

/// A fault the scanner found, with its exact position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScanError {
    /// Where.
    pub span: Range<usize>,
    /// What is wrong.
    pub message: String,
    /// The label text.
    pub label: String,
    /// What to do.
    pub help: String,
}

/// The scanned text: its entries and the normalized text for hickory, whose
/// line `i` is entry `i`.
#[derive(Debug)]
pub(crate) struct Scanned {
    /// The entries, in file order.
    pub entries: Vec<Entry>,
    /// One normalized line per entry.
    pub lines: Vec<String>,
}

/// Scans and normalizes zone-file text.
#[cfg(test)]
pub(crate) fn scan(text: &str) -> Result<Scanned, ScanError> {
    normalize_all(text, scan_entries(text)?)
}

/// Splits zone-file text into entries (the structural checks: quotes,
/// parentheses, control characters, `$INCLUDE`), without normalizing them.
pub(crate) fn scan_entries(text: &str) -> Result<Vec<Entry>, ScanError> {
    let mut entries = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let (entry, next) = scan_entry(text, pos)?;
        entries.push(entry);
        pos = next;
    }
    Ok(entries)
}

/// Writes the normalized text for hickory, one line per entry (the checks of
/// TXT strings and escapes come here, in entry order).
pub(crate) fn normalize_all(text: &str, entries: Vec<Entry>) -> Result<Scanned, ScanError> {
    let lines = entries.iter().map(|e| normalize(text, e)).collect::<Result<Vec<_>, _>>()?;
    Ok(Scanned { entries, lines })
}

fn char_at(text: &str, pos: usize) -> Option<char> {
    // zone text is nearly all ASCII: decode only the rest
    match *text.as_bytes().get(pos)? {
        b if b.is_ascii() => Some(char::from(b)),
        _ => text.get(pos..).and_then(|rest| rest.chars().next()),
    }
}

fn is_blank(c: char) -> bool {
    c.is_whitespace() && c != '\n'
}

/// Scans one entry starting at `start` (a line start); returns it and the
/// offset after its final newline.
fn scan_entry(text: &str, start: usize) -> Result<(Entry, usize), ScanError> {
    let blank_start = char_at(text, start).is_some_and(is_blank);
    let mut tokens = Vec::new();
    let mut list_open: Option<usize> = None;
    let mut pos = start;
    loop {
        let Some(c) = char_at(text, pos) else {
            if let Some(open) = list_open {
                return Err(ScanError {
                    span: open..open + 1,
                    message: "unclosed `(`: the file ends inside this group".into(),
                    label: "opened here".into(),
                    help: "Close the group with `)` after the record's last value.".into(),
                });
            }
            break;
        };
        match c {
            '\n' => {
                pos += 1;
                if list_open.is_none() {
                    break;
                }
            }
            c if is_blank(c) => pos += c.len_utf8(),
            ';' => {
                while let Some(c) = char_at(text, pos) {
                    if c == '\n' {
                        break;
                    }
                    pos += c.len_utf8();
                }
            }
            '(' if list_open.is_none() => {
                list_open = Some(pos);
                pos += 1;
            }
            ')' => {
                if list_open.take().is_none() {
                    return Err(ScanError {
                        span: pos..pos + 1,
                        message: "`)` without a matching `(`".into(),
                        label: "unexpected `)`".into(),
                        help: "Remove the `)`, or open the group with `(` earlier in the record.".into(),
                    });
                }
                pos += 1;
            }
            '"' => {
                let end = quoted_end(text, pos)?;
                tokens.push(Token { span: pos..end, quoted: true });
                pos = end;
            }
            c if c.is_control() => return Err(control_error(pos, c)),
            _ => {
                let end = word_end(text, pos, list_open.is_some())?;
                let word = &text[pos..end];
                if word.get(..8).is_some_and(|w| w.eq_ignore_ascii_case("$include")) {
                    return Err(ScanError {
                        span: pos..end,
                        message: "`$INCLUDE` is not allowed: sendlint never reads other files named inside a zone file".into(),
                        label: "includes another file".into(),
                        help: "A zone file may come from a stranger, so it must not make sendlint read local files. Paste the included records into this file, or pass that file as another --zone.".into(),
                    });
                }
                tokens.push(Token { span: pos..end, quoted: false });
                pos = end;
            }
        }
    }
    Ok((Entry { tokens, blank_start, start }, pos))
}

fn control_error(pos: usize, c: char) -> ScanError {
    ScanError {
        span: pos..pos + c.len_utf8(),
        message: format!("control character U+{:04X} outside a quoted string", u32::from(c)),
        label: "control character".into(),
        help: "Write it as an escape such as `\\009`, or inside a quoted string.".into(),
    }
}

/// The offset after the closing quote of the string opening at `open`.
fn quoted_end(text: &str, open: usize) -> Result<usize, ScanError> {
    let mut pos = open + 1;
    loop {
        match char_at(text, pos) {
            None => {
                return Err(ScanError {
                    span: open..open + 1,
                    message: "unterminated quoted string".into(),
                    label: "this quote is never closed".into(),
                    help: "Close the string with `\"`; write a quote inside a string as `\\\"`.".into(),
                });
            }
            Some('"') => return Ok(pos + 1),
            Some('\\') => {
                pos += 1;
                if let Some(c) = char_at(text, pos) {
                    pos += c.len_utf8();
                }
            }
            Some(c) => pos += c.len_utf8(),
        }
    }
}

/// The offset after the unquoted word starting at `start`. A backslash escapes
/// the next character (RFC 1035 §5.1), so `\ ` and `\;` stay in the word.
fn word_end(text: &str, start: usize, in_list: bool) -> Result<usize, ScanError> {
    let mut pos = start;
    while let Some(c) = char_at(text, pos) {
        match c {
            '\\' => {
                pos += 1;
                if let Some(c) = char_at(text, pos) {
                    if c == '\n' || (c.is_control() && !c.is_whitespace()) {
                        return Err(control_error(pos, c));
                    }
                    pos += c.len_utf8();
                }
            }
            ';' => break,
            ')' if in_list => break,
            ')' => {
                return Err(ScanError {
                    span: pos..pos + 1,
                    message: "`)` without a matching `(`".into(),
                    label: "unexpected `)`".into(),
                    help: "Remove the `)`, or open the group with `(` earlier in the record.".into(),
                });
            }
            c if c.is_whitespace() => break,
            c if c.is_control() => return Err(control_error(pos, c)),
            c => pos += c.len_utf8(),
        }
    }
    Ok(pos)
}

/// Classes hickory accepts between owner and type.
pub(crate) fn is_class(word: &str) -> bool {
    ["IN", "CH", "HS", "NONE", "ANY", "CS"].iter().any(|c| c.eq_ignore_ascii_case(word))
}

/// Index of the type token of an RR entry, `None` for directives and blanks.
pub(crate) fn type_index(text: &str, entry: &Entry) -> Option<usize> {
    let first = entry.tokens.first()?;
    if !entry.blank_start && !first.quoted && text[first.span.clone()].starts_with('$') {
        return None;
    }
    let mut i = usize::from(!entry.blank_start);
    while let Some(tok) = entry.tokens.get(i) {
        let word = &text[tok.span.clone()];
        if tok.quoted || !(hickory_proto::serialize::txt::parse_ttl(word).is_ok() || is_class(word)) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// One normalized line for hickory.
fn normalize(text: &str, entry: &Entry) -> Result<String, ScanError> {
    let mut line = String::new();
    if entry.tokens.is_empty() {
        return Ok(line);
    }
    if entry.blank_start {
        line.push(' ');
    }
    let txt_from = type_index(text, entry).and_then(|i| {
        let tok = &entry.tokens[i];
        text[tok.span.clone()].eq_ignore_ascii_case("TXT").then_some(i + 1)
    });
    for (i, tok) in entry.tokens.iter().enumerate() {
        if i > 0 {
            line.push(' ');
        }
        let raw = &text[tok.span.clone()];
        if txt_from.is_some_and(|from| i >= from) {
            let inner =
                if tok.quoted { raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default() } else { raw };
            let bytes = unescape(inner, tok.span.start + usize::from(tok.quoted))?;
            if bytes.len() > MAX_STRING {
                return Err(ScanError {
                    span: tok.span.clone(),
                    message: format!(
                        "TXT character-string of {} bytes: at most {MAX_STRING} fit in one string",
                        bytes.len()
                    ),
                    label: "too long".into(),
                    help: "Split the value into several quoted strings of at most 255 bytes in the same record: \"first part\" \"second part\".".into(),
                });
            }
            line.push('"');
            encode_placeholders(&bytes, &mut line);
            line.push('"');
        } else if tok.quoted && raw.contains(['\n', '\r']) {
            return Err(ScanError {
                span: tok.span.clone(),
                message: "line break inside a quoted string".into(),
                label: "this string spans lines".into(),
                help: "Only TXT data may hold line breaks; write them as `\\010`.".into(),
            });
        } else if raw.contains('\\') {
            // hickory's lexer ends a word at an escaped blank and its name
            // parser rejects labels with spaces or other odd bytes, which a
            // broken record (`10\ feedback-smtp…`) is made of. Carry such
            // bytes through as name placeholders; `decode_name_label` restores them.
            line.push_str(&encode_name_escapes(raw));
        } else {
            line.push_str(raw);
        }
    }
    Ok(line)
}

/// Decodes RFC 1035 escapes (`\DDD` is one byte, `\X` is X) into bytes.
/// `base` is the offset of `s` in the file, for error positions.
pub(crate) fn unescape(s: &str, base: usize) -> Result<Vec<u8>, ScanError> {
    let bytes = s.as_bytes();
    if !bytes.contains(&b'\\') {
        return Ok(bytes.to_vec());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
            continue;
        }
        let digits = bytes.get(i + 1..i + 4);
        match digits {
            Some(d) if d.iter().all(u8::is_ascii_digit) => {
                let value =
                    u32::from(d[0] - b'0') * 100 + u32::from(d[1] - b'0') * 10 + u32::from(d[2] - b'0');
                let Ok(byte) = u8::try_from(value) else {
                    return Err(ScanError {
                        span: base + i..base + i + 4,
                        message: format!("escape `\\{value}` is not a byte (000–255)"),
                        label: "out of range".into(),
                        help: "`\\DDD` is one byte in decimal, from `\\000` to `\\255`.".into(),
                    });
                };
                out.push(byte);
                i += 4;
            }
            _ if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                return Err(ScanError {
                    span: base + i..base + (i + 4).min(bytes.len()),
                    message: "incomplete `\\DDD` escape: it needs exactly three digits".into(),
                    label: "incomplete escape".into(),
                    help: "Write a byte as three decimal digits, e.g. `\\059` for `;`.".into(),
                });
            }
            _ => match bytes.get(i + 1) {
                // `\X`: X itself; the whole (possibly multi-byte) character
                Some(_) => {
                    let ch_len = s.get(i + 1..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
                    out.extend_from_slice(&bytes[i + 1..i + 1 + ch_len]);
                    i += 1 + ch_len;
                }
                // a lone trailing backslash is kept as data
                None => {
                    out.push(b'\\');
                    i += 1;
                }
            },
        }
    }
    Ok(out)
}

/// Marks an escaped byte inside a name: `zz` + three decimal digits + `zz`,
/// letters and digits that every label parser accepts.
pub(crate) const NAME_MARK: &[u8] = b"zz";

/// Rewrites the escapes of a name token (`\X`, `\DDD`) whose byte is not a
/// plain letter, digit, hyphen, underscore or `*` into placeholders.
pub(crate) fn encode_name_escapes(raw: &str) -> String {
    let b = raw.as_bytes();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            let (byte, len) = if b.len() >= i + 4 && b[i + 1..i + 4].iter().all(u8::is_ascii_digit) {
                let v = u32::from(b[i + 1] - b'0') * 100
                    + u32::from(b[i + 2] - b'0') * 10
                    + u32::from(b[i + 3] - b'0');
                (u8::try_from(v).ok(), 4)
            } else {
                let c = raw.get(i + 1..).and_then(|r| r.chars().next()).unwrap_or('\\');
                (u8::try_from(u32::from(c)).ok(), 1 + c.len_utf8())
            };
            match byte {
                Some(v) if v.is_ascii_alphanumeric() || v == b'-' || v == b'_' => out.push(char::from(v)),
                // `\046` is the dot `\.` spells; hickory only takes the latter
                Some(b'.') => out.push_str("\\."),
                Some(v) => {
                    out.push_str("zz");
                    out.push_str(&format!("{v:03}"));
                    out.push_str("zz");
                }
                // a byte above 255: leave it to hickory's error
                None => out.push_str(raw.get(i..(i + len).min(raw.len())).unwrap_or_default()),
            }
            i += len;
            continue;
        }
        let c = raw.get(i..).and_then(|r| r.chars().next()).unwrap_or('\0');
        out.push(c);
        i += c.len_utf8().max(1);
    }
    out
}

/// Restores the bytes [`encode_name_escapes`] marked in one label.
pub(crate) fn decode_name_label(label: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(label.len());
    let mut i = 0;
    while i < label.len() {
        let rest = &label[i..];
        if rest.len() >= 7
            && rest.starts_with(NAME_MARK)
            && rest[2..5].iter().all(u8::is_ascii_digit)
            && rest[5..7] == *NAME_MARK
        {
            let v =
                u32::from(rest[2] - b'0') * 100 + u32::from(rest[3] - b'0') * 10 + u32::from(rest[4] - b'0');
            if let Ok(byte) = u8::try_from(v) {
                out.push(byte);
                i += 7;
                continue;
            }
        }
        out.push(label[i]);
        i += 1;
    }
    out
}

fn placeholder(byte: u8) -> char {
    char::from_u32(PLACEHOLDER_BASE + u32::from(byte)).unwrap_or(char::REPLACEMENT_CHARACTER)
}

fn is_placeholder(c: char) -> bool {
    (PLACEHOLDER_BASE..=PLACEHOLDER_BASE + 0xFF).contains(&u32::from(c))
}

/// Writes `bytes` so that hickory's quoted-string lexer keeps every byte:
/// plain characters as themselves, everything else as placeholders.
fn encode_placeholders(bytes: &[u8], out: &mut String) {
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '"' || c == '\\' || c.is_control() || is_placeholder(c) {
                let mut buf = [0; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push(placeholder(b));
                }
            } else {
                out.push(c);
            }
        }
        for &b in chunk.invalid() {
            out.push(placeholder(b));
        }
    }
}

/// Restores the bytes of one TXT character-string hickory parsed from the
/// normalized text.
pub(crate) fn decode_txt(data: &[u8]) -> Vec<u8> {
    let Ok(s) = std::str::from_utf8(data) else {
        return data.to_vec();
    };
    let mut out = Vec::with_capacity(data.len());
    for c in s.chars() {
        if is_placeholder(c) {
            // in range by is_placeholder
            out.push(u8::try_from(u32::from(c) - PLACEHOLDER_BASE).unwrap_or(b'?'));
        } else {
            let mut buf = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        }
    }
    out
}

/// 1-based line and column (in characters) of a byte offset.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str, e: &Entry) -> Vec<String> {
        e.tokens.iter().map(|t| text[t.span.clone()].to_owned()).collect()
    }

    #[test]
    fn groups_and_comments_make_one_entry() {
        let text = "a IN SOA ns. host. ( 1 ; serial\n 2 3\n 4 5 )\nb A 1.2.3.4\n";
        let s = scan(text).unwrap();
        assert_eq!(s.entries.len(), 2);
        assert_eq!(words(text, &s.entries[0]), ["a", "IN", "SOA", "ns.", "host.", "1", "2", "3", "4", "5"]);
        assert_eq!(s.lines[0], "a IN SOA ns. host. 1 2 3 4 5");
        assert_eq!(s.entries[1].start, text.find("b A").unwrap());
    }

    #[test]
    fn txt_strings_survive_byte_exact() {
        let text = "x TXT ( \"a\\\"b\\\\c\" \"\\255\\000;\" )\n";
        let s = scan(text).unwrap();
        let line = &s.lines[0];
        assert!(!line.contains('\\'), "{line}");
        let strings: Vec<&str> = line.split(' ').skip(2).collect();
        let decode = |q: &str| decode_txt(q.trim_matches('"').as_bytes());
        assert_eq!(decode(strings[0]), b"a\"b\\c");
        assert_eq!(decode(strings[1]), b"\xff\x00;");
    }

    #[test]
    fn include_is_rejected_with_position() {
        let text = "$ORIGIN a.test.\n$INCLUDE /etc/passwd\n";
        let err = scan(text).unwrap_err();
        assert_eq!(&text[err.span.clone()], "$INCLUDE");
        assert_eq!(line_col(text, err.span.start), (2, 1));
        let text = "$TTL 1 $include /etc/passwd\n";
        assert!(scan(text).unwrap_err().message.contains("$INCLUDE"));
    }

    #[test]
    fn positions_of_structural_errors() {
        let err = scan("a TXT \"open\nb A 1.2.3.4\n").unwrap_err();
        assert_eq!(err.span, 6..7);
        let err = scan("a A (1.2.3.4\n").unwrap_err();
        assert_eq!(err.span, 4..5);
        let err = scan("a A 1.2.3.4 )\n").unwrap_err();
        assert_eq!(err.span, 12..13);
        let err = scan("a TXT \\256\n").unwrap_err();
        assert_eq!(err.span, 6..10);
        assert_eq!(line_col("ab\ncé\nx", 7), (3, 1));
        assert_eq!(line_col("ab\ncé", 6), (2, 3));
    }
}
