//! The first pass over a manifest file: where each entry is, read in
//! chunks without holding the file, and reading entries back.

use std::fs::File;

use super::Span;

/// Deepest nesting inside an entry the first pass accepts; deeper entries go
/// the whole-text way, which says what serde_json's recursion limit says.
const MAX_DEPTH: usize = 100;

/// 0-based line, byte column and character column of byte `rel` of an entry at `span`.
pub(super) fn position_in(span: Span, raw_text: &str, rel: usize) -> (usize, usize, usize) {
    let before = &raw_text.as_bytes()[..rel.min(raw_text.len())];
    let newlines = before.iter().filter(|&&b| b == b'\n').count();
    let line = span.line as usize + newlines;
    let chars = sendlint_records::input::chars;
    match before.iter().rposition(|&b| b == b'\n') {
        Some(i) => (line, before.len() - i - 1, chars(&before[i + 1..])),
        None => (line, span.column as usize + before.len(), span.chars as usize + chars(before)),
    }
}

/// Fills `buf` from byte `offset` of `file` without moving a shared cursor.
pub(super) fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, buf, offset)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek, SeekFrom};
        let mut f = file;
        f.seek(SeekFrom::Start(offset))?;
        f.read_exact(buf)
    }
}

/// The bytes of a file, one at a time, read in chunks, counting lines.
struct Bytes<'a> {
    file: &'a File,
    len: u64,
    buf: Vec<u8>,
    at: usize,
    /// File offset of `buf[0]`.
    base: u64,
    /// Line breaks seen (`\n`; a `\r` must be followed by one).
    line: u64,
    /// File offset of the current line's first byte.
    line_start: u64,
    /// Characters of the current line read so far (UTF-8 continuation bytes do not count).
    line_chars: u64,
    /// A `\r` not followed by `\n` (miette counts it as a line break, the
    /// messages do not: such a file goes the whole-text way).
    lone_cr: bool,
    after_cr: bool,
}

impl Bytes<'_> {
    fn next(&mut self) -> std::io::Result<Option<u8>> {
        if self.at == self.buf.len() {
            self.base += self.buf.len() as u64;
            let n = (self.len - self.base).min(self.buf.capacity() as u64) as usize;
            if n == 0 {
                self.lone_cr |= self.after_cr;
                return Ok(None);
            }
            self.buf.resize(n, 0);
            read_at(self.file, &mut self.buf, self.base)?;
            self.at = 0;
        }
        let b = self.buf[self.at];
        self.at += 1;
        self.lone_cr |= self.after_cr && b != b'\n';
        self.after_cr = b == b'\r';
        if b == b'\n' {
            self.line += 1;
            self.line_start = self.offset();
            self.line_chars = 0;
        } else if (b & 0xC0) != 0x80 {
            self.line_chars += 1;
        }
        Ok(Some(b))
    }

    /// File offset of the next byte.
    fn offset(&self) -> u64 {
        self.base + self.at as u64
    }

    /// The next byte that is not JSON whitespace.
    fn skip_ws(&mut self) -> std::io::Result<Option<u8>> {
        loop {
            match self.next()? {
                Some(b' ' | b'\t' | b'\n' | b'\r') => {}
                other => return Ok(other),
            }
        }
    }
}

/// The first pass over a manifest file: where each entry is, each entry's
/// JSON checked by serde_json. `None` when the file is not a plain
/// `{"domains": [ … ]}` of valid UTF-8 JSON entries: the caller reads it
/// whole and lets the parser say what is wrong.
pub(super) fn first_pass(file: &File, len: u64, chunk: usize) -> std::io::Result<Option<Vec<Span>>> {
    let mut r = Bytes {
        file,
        len,
        buf: Vec::with_capacity(chunk),
        at: 0,
        base: 0,
        line: 0,
        line_start: 0,
        line_chars: 0,
        lone_cr: false,
        after_cr: false,
    };
    if r.skip_ws()? != Some(b'{') || r.skip_ws()? != Some(b'"') {
        return Ok(None);
    }
    for &c in b"domains\"" {
        if r.next()? != Some(c) {
            return Ok(None);
        }
    }
    if r.skip_ws()? != Some(b':') || r.skip_ws()? != Some(b'[') {
        return Ok(None);
    }
    let mut spans = Vec::new();
    let mut elem: Vec<u8> = Vec::new();
    let mut next = r.skip_ws()?;
    loop {
        let Some(b) = next else { return Ok(None) };
        if matches!(b, b']' | b',') {
            // `[]` (the parser says "lists no domains") or a stray comma
            return Ok(None);
        }
        let start = r.offset() - 1;
        // the entry's first byte (ASCII: `{`, `"`, a digit…) is read and counted
        let (line, column, chars) = (r.line, start - r.line_start, r.line_chars.saturating_sub(1));
        elem.clear();
        elem.push(b);
        let mut depth = usize::from(matches!(b, b'{' | b'['));
        let mut in_string = b == b'"';
        let mut escaped = false;
        let after = if depth == 0 && !in_string {
            // a scalar (`true`, `12`): it ends before whitespace, `,` or `]`
            loop {
                let Some(c) = r.next()? else { return Ok(None) };
                match c {
                    b' ' | b'\t' | b'\n' | b'\r' => break r.skip_ws()?,
                    b',' | b']' => break Some(c),
                    _ => elem.push(c),
                }
            }
        } else {
            // a string or a container: up to its closing byte
            loop {
                let Some(c) = r.next()? else { return Ok(None) };
                elem.push(c);
                if in_string {
                    if escaped {
                        escaped = false;
                    } else if c == b'\\' {
                        escaped = true;
                    } else if c == b'"' {
                        in_string = false;
                        if depth == 0 {
                            break;
                        }
                    }
                    continue;
                }
                match c {
                    b'"' => in_string = true,
                    b'{' | b'[' => {
                        depth += 1;
                        if depth > MAX_DEPTH {
                            return Ok(None);
                        }
                    }
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
            r.skip_ws()?
        };
        let Ok(text) = std::str::from_utf8(&elem) else { return Ok(None) };
        if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
            return Ok(None);
        }
        let (Ok(start), Ok(len), Ok(line), Ok(column), Ok(chars)) = (
            u32::try_from(start),
            u32::try_from(elem.len()),
            u32::try_from(line),
            u32::try_from(column),
            u32::try_from(chars),
        ) else {
            return Ok(None);
        };
        spans.push(Span { start, len, line, column, chars });
        match after {
            Some(b',') => next = r.skip_ws()?,
            Some(b']') => break,
            _ => return Ok(None),
        }
    }
    if r.skip_ws()? != Some(b'}') || r.skip_ws()?.is_some() || r.lone_cr {
        return Ok(None);
    }
    Ok(Some(spans))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{CHUNK, ManifestIndex, OpenError};
    use crate::output::{RenderOptions, render_error};
    use sendlint_records::input::InputError;
    use std::io::Write;
    use std::path::Path;

    fn entry(i: usize) -> String {
        format!(
            r#"{{"org": "o{i}", "domain": "mail.d{i}.test", "region": "us-east-1", "dkim_selector": "s1"}}"#
        )
    }

    /// Entries of every kind of fault, some on lines far past what a window holds.
    fn entries() -> Vec<String> {
        let long = "x".repeat(20_000);
        let bad = [
            r#"{"org": "x", "domain": "bad..name", "region": "us-east-1", "dkim_selector": "s1"}"#.to_owned(),
            r#"{"org": "x", "domain": "mail.ok.test", "region": "mars-1", "dkim_selector": "s1"}"#.to_owned(),
            r#"{"domain": "mail.ok.test", "region": "us-east-1", "dkim_selector": "s1", "color": "red"}"#
                .to_owned(),
            r#"{"domain": "mail.ok.test", "region": "us-east-1", "dkim_selector": "s1", "ses": {"dkim": 5}}"#
                .to_owned(),
            "42".to_owned(),
            r#""text""#.to_owned(),
            format!(r#"{{"domain": "mail.ok.test", "region": "us-east-1", "from_addresses": ["{long}"]}}"#),
            format!(r#"{{"domain": "mail.ok.test", "from_addresses": ["{long}"], "region": 7}}"#),
            r#"{"domain": "é\u202e.test", "region": "us-east-1", "dkim_selector": "s1"}"#.to_owned(),
        ];
        let mut out = Vec::new();
        for i in 0..40 {
            out.push(entry(i));
            if i % 3 == 0 {
                out.push(bad[(i / 3) % bad.len()].clone());
            }
        }
        out
    }

    /// The same manifest laid out the ways people write one.
    fn layouts() -> Vec<(&'static str, String)> {
        let e = entries();
        let pretty = |sep: &str| {
            let body: Vec<String> = e.iter().map(|x| format!("{sep}  {x}")).collect();
            format!("{{{sep}\"domains\": [{}{sep}]{sep}}}{sep}", body.join(","))
        };
        vec![
            ("minified", format!(r#"{{"domains":[{}]}}"#, e.join(","))),
            ("one per line", pretty("\n")),
            ("crlf", pretty("\r\n")),
            ("spaced scalars", format!("{{ \"domains\" : [ true , 12 ,\n{} ] }}", e.join(" ,\t"))),
        ]
    }

    fn file_of(text: &str) -> File {
        let mut f = tempfile::tempfile().expect("temp file");
        f.write_all(text.as_bytes()).expect("write");
        f
    }

    fn streamed(text: &str, chunk: usize) -> Result<ManifestIndex, OpenError> {
        ManifestIndex::from_file_chunked(Path::new("m.json"), "m.json", file_of(text), chunk)
    }

    #[test]
    fn a_streamed_manifest_reads_and_reports_entries_as_the_whole_text_does() {
        for (layout, text) in layouts() {
            let whole = ManifestIndex::parse("m.json", text.clone()).expect("a manifest");
            // chunks of a few bytes: every token and entry straddles reads
            for chunk in [3, 64, CHUNK] {
                let s = streamed(&text, chunk).unwrap_or_else(|_| panic!("{layout}: streams"));
                assert!(s.is_streamed(), "{layout}");
                assert_eq!(s.len(), whole.len(), "{layout}");
                let mut seen = 0;
                s.for_each_raw(|i, raw| {
                    assert_eq!(Some(raw), whole.raw(i).as_deref(), "{layout} {i}");
                    seen += 1;
                });
                assert_eq!(seen, whole.len());
                for i in 0..whole.len() {
                    assert_eq!(s.raw(i), whole.raw(i), "{layout} {i}");
                    match (whole.entry(i), s.entry(i)) {
                        (Ok(a), Ok(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "{layout} {i}"),
                        (Err(a), Err(b)) => {
                            assert_eq!((a.message(), &a.domain, &a.org), (b.message(), &b.domain, &b.org));
                            let (ra, rb) = (
                                render_error(a.as_ref(), RenderOptions::plain()),
                                render_error(b.as_ref(), RenderOptions::plain()),
                            );
                            assert_eq!(ra, rb, "{layout} entry {i}");
                            assert!(ra.contains("[m.json:"), "{layout} entry {i}: {ra}");
                        }
                        (a, b) => panic!("{layout} {i}: {:?} vs {:?}", a.is_ok(), b.is_ok()),
                    }
                }
            }
        }
    }

    #[test]
    fn a_file_the_first_pass_cannot_follow_gets_the_parser_error() {
        let one = entry(1);
        for text in [
            format!(r#"{{"domains": [{one},]}}"#),
            r#"{"domains": []}"#.to_owned(),
            format!(r#"[{one}]"#),
            format!(r#"{{"domains": [{one}], "x": 1}}"#),
            format!(r#"{{"domains": [{one}, {{"domain": tru}}]}}"#),
            format!(r#"{{"domains": [{one}]}} x"#),
            "  \n".to_owned(),
        ] {
            let whole = ManifestIndex::parse("m.json", text.clone()).expect_err("not a manifest");
            let Err(OpenError::Manifest(s)) = streamed(&text, 5) else { panic!("{text}: an error") };
            let plain = RenderOptions::plain();
            assert_eq!(render_error(whole.as_ref(), plain), render_error(s.as_ref(), plain), "{text}");
        }
        // what the first pass leaves to the parser and the parser accepts: held whole
        let text = format!("{{\"\\u0064omains\": [{one}]}}");
        let s = streamed(&text, 5).unwrap_or_else(|_| panic!("a manifest"));
        assert!(!s.is_streamed());
        assert_eq!(s.len(), 1);
        let text = format!("{{\"domains\": [{one}, {}{}]}}", "[".repeat(130), "]".repeat(130));
        assert!(!streamed(&text, 5).map(|s| s.is_streamed()).unwrap_or(true), "deep nesting");
        let text = format!("{{\"domains\":\r[{one}]}}");
        assert!(!streamed(&text, 5).map(|s| s.is_streamed()).unwrap_or(true), "a lone CR");
    }

    #[test]
    fn invalid_utf8_is_the_input_error_with_its_position() {
        let mut bytes = format!(r#"{{"domains": [{}, {{"org": "#, entry(1)).into_bytes();
        bytes.extend_from_slice(b"\"\xff\"}]}");
        let mut f = tempfile::tempfile().expect("temp file");
        f.write_all(&bytes).expect("write");
        let Err(OpenError::Input(e)) = ManifestIndex::from_file_chunked(Path::new("m.json"), "m.json", f, 4)
        else {
            panic!("an input error")
        };
        assert!(matches!(e, InputError::NotUtf8 { offset, .. } if offset == bytes.len() - 5), "{e}");
    }

    /// Compares the streamed reading of `bytes` with the whole-text one:
    /// the same entries, the same errors drawn the same way.
    fn same_as_whole(bytes: &[u8], chunk: usize) {
        let mut f = tempfile::tempfile().expect("temp file");
        f.write_all(bytes).expect("write");
        let streamed = ManifestIndex::from_file_chunked(Path::new("m.json"), "m.json", f, chunk);
        let Ok(text) = String::from_utf8(bytes.to_vec()) else {
            assert!(matches!(streamed, Err(OpenError::Input(InputError::NotUtf8 { .. }))));
            return;
        };
        let plain = RenderOptions::plain();
        match (ManifestIndex::parse("m.json", text.clone()), streamed) {
            (Err(a), Err(OpenError::Manifest(b))) => {
                assert_eq!(render_error(a.as_ref(), plain), render_error(b.as_ref(), plain), "{text}")
            }
            (Ok(a), Ok(b)) => {
                assert_eq!(a.len(), b.len(), "{text}");
                for i in 0..a.len() + 1 {
                    match (a.entry(i), b.entry(i)) {
                        (Ok(x), Ok(y)) => assert_eq!(format!("{x:?}"), format!("{y:?}")),
                        (Err(x), Err(y)) if i < a.len() => {
                            assert_eq!(
                                render_error(x.as_ref(), plain),
                                render_error(y.as_ref(), plain),
                                "{text}"
                            )
                        }
                        (Err(_), Err(_)) => {}
                        _ => panic!("entry {i} differs: {text}"),
                    }
                }
            }
            (a, b) => panic!("{:?} vs {:?}: {text}", a.is_ok(), b.is_ok()),
        }
    }

    #[test]
    fn mutated_manifests_stream_as_they_parse() {
        let base: Vec<String> = entries().into_iter().filter(|e| e.len() < 1_000).take(12).collect();
        let texts = [
            format!(r#"{{"domains":[{}]}}"#, base.join(",")),
            format!("{{\n \"domains\": [\n  {}\n ]\n}}\n", base.join(",\r\n  ")),
        ];
        // xorshift: the same mutations every run
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        const BYTES: &[u8] = b"{}[]\",:\\ \n\r\t0a-\xc3";
        for round in 0..400 {
            let mut bytes = texts[round % 2].clone().into_bytes();
            for _ in 0..1 + next(3) {
                let at = next(bytes.len());
                match next(3) {
                    0 => {
                        bytes.remove(at);
                    }
                    1 => bytes.insert(at, BYTES[next(BYTES.len())]),
                    _ => bytes[at] = BYTES[next(BYTES.len())],
                }
            }
            same_as_whole(&bytes, 1 + next(40));
        }
    }
}
