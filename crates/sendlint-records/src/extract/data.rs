//! Facts of the TXT data itself: the records used, control bytes and non-ASCII, and the syntax error.

use super::*;

/// The TXT data facts of the records used (in use order), and the
/// syntax-independent scans (control bytes, non-ASCII).
pub(super) fn data_facts(f: &mut Facts, used: &[&Prepared<'_>], records: &[TxtRecord], tag_list: bool) {
    let first_open = used.iter().find_map(|p| p.repair.open.map(|o| (p.index, o)));
    let first_close = used.iter().find_map(|p| p.repair.close.map(|c| (p.index, c)));
    let quoted = first_open.is_some() || first_close.is_some();
    f.set(Fact::Quoted, quoted);
    match (first_open, first_close) {
        (Some((r, (s, n, q))), close) => {
            f.set(Fact::QuoteChar, q);
            f.set(Fact::QuoteSpan, Span::new(r, s, n));
            if let Some((cr, (cs, cn))) = close {
                f.set(Fact::QuoteEndSpan, Span::new(cr, cs, cn));
            }
        }
        (None, Some((r, (s, n)))) => {
            let p = used.iter().find(|p| p.index == r);
            let q = p.and_then(|p| quote_at(&p.data, s)).map_or("\"", |(_, q)| q);
            f.set(Fact::QuoteChar, q);
            f.set(Fact::QuoteSpan, Span::new(r, s, n));
        }
        (None, None) => f.set(Fact::QuoteChar, ""),
    }
    let emb = used.iter().find_map(|p| p.repair.embedded.map(|e| (p.index, e)));
    f.set(Fact::EmbeddedQuotes, emb.is_some());
    if let Some((r, (s, n))) = emb {
        f.set(Fact::EmbeddedQuoteSpan, Span::new(r, s, n));
    }
    let mut control = None;
    let mut non_ascii = None;
    for p in used {
        if printable_ascii(&p.data) {
            continue;
        }
        if control.is_none()
            && let Some((s, n)) = first_control(&p.data, tag_list)
        {
            control = Some(Span::new(p.index, s, n));
        }
        if non_ascii.is_none() {
            for k in &p.repair.kept {
                if let Some((s, n)) = first_non_ascii(&p.data, k.clone()) {
                    non_ascii = Some(Span::new(p.index, s, n));
                    break;
                }
            }
        }
    }
    f.set(Fact::ControlBytes, control.is_some());
    f.set(Fact::ControlSpan, control);
    f.set(Fact::NonAscii, non_ascii.is_some());
    f.set(Fact::NonAsciiSpan, non_ascii);
    let first = used.iter().map(|p| p.index).min().unwrap_or(0);
    f.set(Fact::StringCount, records.get(first).map_or(0, |r| r.strings.len()));
}

/// True when the tab at `i` is whitespace around a tag-list separator: only
/// blanks between it and `;`, `=` or an end of the data. DKIM (RFC 6376 §3.2,
/// FWS) and DMARC (RFC 7489 §6.4, `*WSP`) allow it there.
fn separator_tab(d: &[u8], i: usize) -> bool {
    let blank = |c: &&u8| **c == b' ' || **c == b'\t';
    let before = d.get(..i).unwrap_or_default().iter().rev().find(|c| !blank(c));
    let after = d.get(i + 1..).unwrap_or_default().iter().find(|c| !blank(c));
    before.is_none_or(|&c| c == b';' || c == b'=') || after.is_none_or(|&c| c == b';' || c == b'=')
}

/// The first control byte (C0, DEL, ESC, UTF-8 C1) or invalid UTF-8 byte.
/// In a tag-list (`tag_list`), tabs around `=` and `;` are whitespace, not
/// control bytes.
fn first_control(d: &[u8], tag_list: bool) -> Option<(usize, usize)> {
    // Fast path: valid UTF-8 (SIMD-checked) with no C0/DEL byte and no
    // 0xC2 lead byte (which C1 controls need) has nothing to find.
    if all_bytes(d, |b| b >= 0x20 && b != 0x7F && b != 0xC2) && std::str::from_utf8(d).is_ok() {
        return None;
    }
    let mut i = 0;
    while i < d.len() {
        let b = d[i];
        if b < 0x80 {
            if (b < 0x20 || b == 0x7F) && !(tag_list && b == b'\t' && separator_tab(d, i)) {
                return Some((i, 1));
            }
            i += 1;
            continue;
        }
        let n = crate::name::utf8_len(b);
        match d.get(i..i + n).map(std::str::from_utf8) {
            Some(Ok(s)) if !s.chars().next().is_some_and(char::is_control) => i += n,
            Some(Ok(_)) => return Some((i, n)),
            _ => return Some((i, 1)),
        }
    }
    None
}

/// The first valid non-ASCII character in `d[r]`.
fn first_non_ascii(d: &[u8], r: Range<usize>) -> Option<(usize, usize)> {
    if d.get(r.clone()).is_none_or(<[u8]>::is_ascii) {
        return None;
    }
    let mut i = r.start;
    while i < r.end.min(d.len()) {
        let b = d[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        let n = crate::name::utf8_len(b);
        if n > 1 && d.get(i..i + n).is_some_and(|s| std::str::from_utf8(s).is_ok()) {
            return Some((i, n));
        }
        i += 1;
    }
    None
}

pub(super) fn syntax_facts(f: &mut Facts, error: Option<&SyntaxError>, joined: &Joined<'_>) {
    f.set(Fact::SyntaxError, error.is_some());
    match error {
        Some(e) => {
            f.set(Fact::SyntaxMessage, e.message.as_str());
            f.set(Fact::SyntaxSpan, joined.span(e.span.clone()));
        }
        None => f.set(Fact::SyntaxMessage, ""),
    }
}
