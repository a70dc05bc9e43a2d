//! The workspace manifest (SPEC §5): the input of batch audits.
//!
//! The manifest comes from strangers. A file that is not a manifest at all is
//! one error pointing at file, line and column; a bad *entry* is reported with
//! a span into the file and the audit goes on with the others.
//!
//! A manifest read from a file ([`ManifestIndex::from_file`]) is streamed: a
//! first pass finds where each entry is (16 bytes per entry, whatever the
//! entry's size), entries are read back from the file one at a time, and a
//! bad entry's error reads only a window of the file around it. A file the
//! first pass cannot follow (anything but a plain `{"domains": [ … ]}`) is
//! read whole and parsed as before, so every error stays the same.

use sendlint_records::display::{QUOTE_MAX, quote};
use sendlint_records::input::{InputError, InputKind};
use std::borrow::Cow;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{
    Diagnostic, MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents,
};
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_ses::{SesStatus, Setup};
use serde::Deserialize;
use serde_json::value::RawValue;
use thiserror::Error;

use crate::check::SesState;

/// A manifest that could not be read as one. Its source is the manifest as
/// read (shared, never copied): render it with `render::render_error`, which
/// quotes only a terminal-safe window of it.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(sendlint::manifest))]
pub struct ManifestError {
    message: String,
    #[source_code]
    src: NamedSource<Arc<String>>,
    #[label("here")]
    at: SourceSpan,
    #[help]
    help: Option<String>,
}

/// One manifest entry that could not be turned into a setup.
#[derive(Debug, Error, Diagnostic)]
#[error("manifest entry {index}: {message}")]
#[diagnostic(code(sendlint::manifest::entry))]
pub struct EntryError {
    /// Position of the entry in `domains` (0-based).
    pub index: usize,
    /// The entry's domain, when it could be read.
    pub domain: Option<String>,
    /// The entry's org, when it could be read.
    pub org: Option<String>,
    message: String,
    #[source_code]
    src: EntrySource,
    #[label("this entry")]
    at: SourceSpan,
}

impl EntryError {
    /// What is wrong, without the position.
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// One audited domain: its setup and what the manifest knows of SES.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The organization that owns it.
    pub org: Option<String>,
    /// The domain setup.
    pub setup: Setup,
    /// SES statuses from the manifest.
    pub ses: SesState,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Top<'a> {
    #[serde(borrow)]
    domains: Vec<&'a RawValue>,
}

/// A workspace manifest entry (docs/manifest.md), also the body of
/// `POST /api/v1/check`. Its schema (`sendlint::schema`) states what an entry
/// must look like to be checked: a value the patterns allow is accepted.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(rename = "Setup"))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    /// The organization that owns the domain.
    org: Option<String>,
    /// The sending domain (at least two labels; letters, digits, hyphens;
    /// internationalized names are accepted too and checked as their A-labels).
    #[cfg_attr(feature = "schema", schemars(regex(pattern = crate::schema::patterns::DOMAIN), length(max = crate::schema::patterns::DOMAIN_MAX)))]
    domain: String,
    /// The SES region of the identity.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = sendlint_ses::SES_REGIONS)))]
    region: String,
    /// The MAIL FROM domain: a label (`send`, the default) or a full name
    /// under `domain` (which the schema cannot compare, so it shows the label form).
    #[cfg_attr(feature = "schema", schemars(regex(pattern = crate::schema::patterns::LABEL)))]
    mail_from: Option<String>,
    /// The DKIM selector given to SES: 1–63 letters, digits, inner hyphens.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = crate::schema::patterns::SELECTOR)))]
    dkim_selector: String,
    /// The DKIM public key given to SES: base64 of the DER SubjectPublicKeyInfo of an
    /// RSA key (the schema shows a 2048-bit key; PEM and other sizes are accepted too).
    #[cfg_attr(feature = "schema", schemars(regex(pattern = crate::schema::patterns::RSA_2048_SPKI)))]
    dkim_public_key: Option<String>,
    /// The From addresses the domain sends as.
    #[serde(default)]
    from_addresses: Vec<String>,
    /// What SES says, in the SESv2 status spellings.
    #[serde(default, deserialize_with = "ses_object")]
    ses: Option<RawSes>,
    /// When the domain was submitted to SES (RFC 3339), for the 72-hour window.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = crate::schema::patterns::RFC3339)))]
    submitted_at: Option<String>,
}

/// `ses` as an object, or null: serde alone would also read a struct from an
/// array (`"ses": [null, "SUCCESS"]`), which no manifest means.
fn ses_object<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<RawSes>, D::Error> {
    let Some(map) = Option::<serde_json::Map<String, serde_json::Value>>::deserialize(d)? else {
        return Ok(None);
    };
    RawSes::deserialize(serde_json::Value::Object(map)).map(Some).map_err(serde::de::Error::custom)
}

/// SES verification statuses of a manifest entry.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(rename = "SesStatuses"))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSes {
    /// The DKIM status.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = crate::schema::patterns::SES_STATUSES)))]
    dkim: Option<String>,
    /// The MAIL FROM status.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = crate::schema::patterns::SES_STATUSES)))]
    mail_from: Option<String>,
}

#[derive(Deserialize)]
struct Names {
    org: Option<String>,
    domain: Option<String>,
}

/// The byte offset of 1-based `line` and `column` in `text` (serde_json's
/// error positions), clamped to the text.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let mut off = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            return (off + column.saturating_sub(1)).min(text.len());
        }
        off += l.len();
    }
    text.len()
}

/// Where one entry is: its bytes in the manifest, and the 0-based line,
/// byte column and character column of its first byte (for positions in
/// errors without the text). `u32` is enough: a manifest is at most 1 GiB
/// ([`InputKind::limit`]).
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u32,
    len: u32,
    line: u32,
    column: u32,
    chars: u32,
}

/// Where the manifest's text is.
#[derive(Debug)]
enum Backing {
    /// Held whole (a manifest passed as text, or one the first pass could not follow).
    /// An `Arc<String>`, not an `Arc<str>`: making an `Arc<str>` copies the text.
    Memory(Arc<String>),
    /// Read back from the file entry by entry.
    File { file: File, len: u64 },
}

/// A manifest checked once and parsed entry by entry on demand: where each
/// entry is, and the text (in memory) or the file it is read back from.
#[derive(Debug)]
pub struct ManifestIndex {
    name: String,
    src: Backing,
    spans: Vec<Span>,
}

/// Why a manifest file could not be opened as a manifest.
#[derive(Debug)]
pub enum OpenError {
    /// The file could not be read (or is not UTF-8).
    Input(InputError),
    /// It was read but is not a manifest.
    Manifest(Box<ManifestError>),
}

/// Bytes read from the file at a time by the first pass.
const CHUNK: usize = 1 << 20;
/// Bytes of the file kept each side of an entry error's label.
const WINDOW: usize = 4 * 1024;
/// Deepest nesting inside an entry the first pass accepts; deeper entries go
/// the whole-text way, which says what serde_json's recursion limit says.
const MAX_DEPTH: usize = 100;

impl ManifestIndex {
    /// Checks that `text` (read from `name`) is a manifest and finds its
    /// entries; a malformed file is one error pointing at line and column.
    pub fn parse(name: &str, text: String) -> Result<ManifestIndex, Box<ManifestError>> {
        let src = Arc::new(text);
        let text: &str = &src;
        let shape_help = || {
            Some(r#"a manifest is {"domains": [{"domain": …, "region": …, "dkim_selector": …}, …]}"#.into())
        };
        let error = |message: String, at: usize, help: Option<String>| {
            Box::new(ManifestError {
                message,
                src: NamedSource::new(name, Arc::clone(&src)).with_language("json"),
                at: SourceSpan::from((at, usize::from(at < text.len()))),
                help,
            })
        };
        let first = text.len() - text.trim_start().len();
        if text.trim().is_empty() {
            return Err(error("the manifest is empty".into(), 0, shape_help()));
        }
        if text[first..].starts_with('[') {
            // The commonest mistake: the list of domains without its object.
            return Err(error(
                "not a workspace manifest: expected an object with `domains`, found an array".into(),
                first,
                Some(r#"wrap the list: {"domains": [ … ]}"#.into()),
            ));
        }
        if u32::try_from(text.len()).is_err() {
            return Err(error("the manifest is larger than 4 GiB".into(), 0, None));
        }
        let spans: Vec<Span> = match serde_json::from_str::<Top<'_>>(text) {
            Ok(top) => top
                .domains
                .iter()
                .map(|raw| {
                    let raw_text = raw.get();
                    // RawValue borrows from `text`: its offset is a pointer difference.
                    let start = (raw_text.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
                    // Lines and columns are counted from the text when needed.
                    Span { start: start as u32, len: raw_text.len() as u32, line: 0, column: 0, chars: 0 }
                })
                .collect(),
            Err(e) => {
                let at = offset_of(text, e.line(), e.column());
                return Err(error(
                    format!("not a workspace manifest: {}", cap(&json_message(&e, text, at))),
                    at,
                    shape_help(),
                ));
            }
        };
        if spans.is_empty() {
            let at = text.find("\"domains\"").unwrap_or(first);
            return Err(error("the manifest lists no domains".into(), at, shape_help()));
        }
        Ok(ManifestIndex { name: name.to_owned(), src: Backing::Memory(src), spans })
    }

    /// The manifest in `file` (opened from `path`, named `name` in errors):
    /// streamed when it is a plain `{"domains": [ … ]}`, else read whole and
    /// [parsed](Self::parse), so a malformed file gets the same error either way.
    pub fn from_file(path: &Path, name: &str, file: File) -> Result<ManifestIndex, OpenError> {
        Self::from_file_chunked(path, name, file, CHUNK)
    }

    /// [`Self::from_file`] reading `chunk` bytes at a time (tests use a few bytes).
    #[doc(hidden)]
    pub fn from_file_chunked(
        path: &Path,
        name: &str,
        file: File,
        chunk: usize,
    ) -> Result<ManifestIndex, OpenError> {
        let kind = InputKind::Manifest;
        let io_err = |source| OpenError::Input(InputError::Io { path: path.to_path_buf(), kind, source });
        let len = file.metadata().map_err(io_err)?.len();
        if len > kind.limit() {
            return Err(OpenError::Input(InputError::TooLarge { path: path.to_path_buf(), kind }));
        }
        if let Some(spans) = first_pass(&file, len, chunk.max(1)).map_err(io_err)? {
            return Ok(ManifestIndex { name: name.to_owned(), src: Backing::File { file, len }, spans });
        }
        let mut bytes = vec![0; len as usize];
        read_at(&file, &mut bytes, 0).map_err(io_err)?;
        let text = String::from_utf8(bytes).map_err(|e| {
            let offset = e.utf8_error().valid_up_to();
            let (line, column) = sendlint_records::input::line_column(e.as_bytes(), offset);
            OpenError::Input(InputError::NotUtf8 { path: PathBuf::from(path), kind, offset, line, column })
        })?;
        ManifestIndex::parse(name, text).map_err(OpenError::Manifest)
    }

    /// How many entries the manifest holds.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when `domains` is empty.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// True when entries are read back from the file (not held in memory).
    pub fn is_streamed(&self) -> bool {
        matches!(self.src, Backing::File { .. })
    }

    /// The JSON text of entry `index`, `None` past the end (or when the file
    /// cannot be read back).
    pub fn raw(&self, index: usize) -> Option<Cow<'_, str>> {
        let span = *self.spans.get(index)?;
        let (start, len) = (span.start as usize, span.len as usize);
        match &self.src {
            Backing::Memory(text) => text.get(start..start + len).map(Cow::Borrowed),
            Backing::File { file, .. } => {
                let mut bytes = vec![0; len];
                read_at(file, &mut bytes, start as u64).ok()?;
                // The first pass checked it is UTF-8; a file changed since is not read.
                String::from_utf8(bytes).ok().map(Cow::Owned)
            }
        }
    }

    /// Calls `f` with every entry's index and JSON text, in manifest order,
    /// reading a streamed file sequentially in large chunks.
    pub fn for_each_raw(&self, mut f: impl FnMut(usize, &str)) {
        let Backing::File { file, .. } = &self.src else {
            for i in 0..self.len() {
                if let Some(raw) = self.raw(i) {
                    f(i, &raw);
                }
            }
            return;
        };
        let mut buf: Vec<u8> = Vec::new();
        let mut buf_start = 0usize;
        for (i, span) in self.spans.iter().enumerate() {
            let (start, len) = (span.start as usize, span.len as usize);
            if start < buf_start || start + len > buf_start + buf.len() {
                // Entries are in file order: refill from this one on.
                let last = self.spans.last().map_or(0, |s| (s.start + s.len) as usize);
                buf.resize(len.max(CHUNK).min(last - start).max(len), 0);
                buf_start = start;
                if read_at(file, &mut buf, start as u64).is_err() {
                    buf.clear();
                    continue;
                }
            }
            if let Ok(raw) = std::str::from_utf8(&buf[start - buf_start..start - buf_start + len]) {
                f(i, raw);
            }
        }
    }

    /// Entry `index` as a setup, or why it cannot be one (an entry past the
    /// end is an error too, never a panic).
    pub fn entry(&self, index: usize) -> Result<Entry, Box<EntryError>> {
        let span = self.spans.get(index).copied();
        let raw = self.raw(index);
        let (start, raw_text): (usize, &str) = match (span, &raw) {
            (Some(span), Some(raw)) => (span.start as usize, raw),
            _ => (self.total_len(), ""),
        };
        let fail = |message: String, at: SourceSpan| {
            let names: Option<Names> = serde_json::from_str(raw_text).ok();
            Box::new(EntryError {
                index,
                // A 200 MB `domain` must not be copied into every line that names the entry.
                domain: names.as_ref().and_then(|n| n.domain.as_deref().map(cut_value)),
                org: names.as_ref().and_then(|n| n.org.as_deref().map(cut_value)),
                message: cap(&message),
                src: self.source_around(at, span, raw_text),
                at,
            })
        };
        let whole = SourceSpan::from((start, raw_text.len()));
        let entry: RawEntry = serde_json::from_str(raw_text).map_err(|e| {
            // serde counts lines and columns from the entry's start: say the file's.
            let rel = offset_of(raw_text, e.line(), e.column());
            let at = start + rel;
            let message = match (&self.src, span) {
                (Backing::Memory(text), _) => json_message(&e, text, at),
                (Backing::File { .. }, Some(span)) => {
                    let (line, _, chars) = position_in(span, raw_text, rel);
                    json_message_at(&e, line + 1, chars + 1)
                }
                (Backing::File { .. }, None) => json_message_at(&e, 1, 1),
            };
            fail(message, SourceSpan::from((at, 0)))
        })?;
        entry_setup(entry).map_err(|m| fail(m, whole))
    }

    fn total_len(&self) -> usize {
        match &self.src {
            Backing::Memory(text) => text.len(),
            Backing::File { len, .. } => *len as usize,
        }
    }

    /// The source an entry error shows: the whole text when it is in memory,
    /// else [`WINDOW`] bytes of the file each side of the label at `at`.
    fn source_around(&self, at: SourceSpan, span: Option<Span>, raw_text: &str) -> EntrySource {
        let (file, file_len, span) = match (&self.src, span) {
            (Backing::Memory(text), _) => {
                return EntrySource::Whole(
                    NamedSource::new(&self.name, Arc::clone(text)).with_language("json"),
                );
            }
            (Backing::File { file, len }, Some(span)) => (file, *len as usize, span),
            (Backing::File { .. }, None) => {
                return EntrySource::Whole(NamedSource::new(&self.name, Arc::new(String::new())));
            }
        };
        let anchor = at.offset();
        let (line, column, _) = position_in(span, raw_text, anchor.saturating_sub(span.start as usize));
        let r0 = anchor.saturating_sub(WINDOW);
        let r1 = (anchor + at.len().min(CONTEXT_SPAN + 1) + WINDOW).min(file_len);
        let mut bytes = vec![0; r1.saturating_sub(r0)];
        if read_at(file, &mut bytes, r0 as u64).is_err() {
            bytes.clear();
        }
        // Start at a line start when one is in reach (see `Window::read_span`).
        let upto = (anchor - r0).min(bytes.len());
        let skip = match bytes[..upto].iter().position(|&b| b == b'\n') {
            Some(i) if r0 > 0 => i + 1,
            _ => 0,
        };
        bytes.drain(..skip.min(bytes.len()));
        let start = r0 + skip;
        let line_start = start == 0 || skip > 0;
        let before = &bytes[..(anchor - start).min(bytes.len())];
        let newlines = before.iter().filter(|&&b| b == b'\n').count();
        EntrySource::Window(Box::new(Window {
            name: self.name.clone(),
            line: line.saturating_sub(newlines),
            column: (newlines == 0).then(|| column.saturating_sub(before.len())),
            line_start,
            start,
            file_len,
            bytes,
        }))
    }
}

/// The longest span `SafeDiagnostic` draws whole (its `CONTEXT_MAX`): a
/// longer label is cut to a window of its first bytes.
const CONTEXT_SPAN: usize = 16 * 1024;

/// 0-based line, byte column and character column of byte `rel` of an entry at `span`.
fn position_in(span: Span, raw_text: &str, rel: usize) -> (usize, usize, usize) {
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
fn read_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
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
fn first_pass(file: &File, len: u64, chunk: usize) -> std::io::Result<Option<Vec<Span>>> {
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

/// The source of an entry error: the whole manifest when it is in memory, a
/// window of the file when it is streamed.
#[derive(Debug)]
pub enum EntrySource {
    /// The manifest as read.
    Whole(NamedSource<Arc<String>>),
    /// Bytes of the file around the error.
    Window(Box<Window>),
}

impl SourceCode for EntrySource {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        match self {
            EntrySource::Whole(s) => s.read_span(span, before, after),
            EntrySource::Window(w) => w.read_span(span, before, after),
        }
    }
}

/// Bytes `start..start + bytes.len()` of a manifest file, answering reads as
/// the whole file would (its lines and columns) or not at all: a read whose
/// context runs past the window is out of bounds, never shorter. Such a read
/// needs a line longer than the window, which `SafeDiagnostic` cuts anyway.
#[derive(Debug)]
pub struct Window {
    name: String,
    bytes: Vec<u8>,
    /// File offset of `bytes[0]`.
    start: usize,
    file_len: usize,
    /// 0-based line of `bytes[0]`.
    line: usize,
    /// Byte column of `bytes[0]`, when known (when no line break is between it and the label).
    column: Option<usize>,
    /// `bytes[0]` starts a line.
    line_start: bool,
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let rel = span.offset().checked_sub(self.start).ok_or(MietteError::OutOfBounds)?;
        let end = self.start + self.bytes.len();
        // A label longer than the window: its start is all the renderer reads
        // without context (column, name), never its data.
        let (rel_len, clipped) = match span.offset() + span.len() > end && end < self.file_len {
            true if before == 0 && after == 0 && rel < self.bytes.len() => (self.bytes.len() - rel, true),
            true => return Err(MietteError::OutOfBounds),
            false => (span.len(), false),
        };
        let c = self.bytes.as_slice().read_span(&SourceSpan::from((rel, rel_len)), before, after)?;
        let s = c.span().offset();
        let newline_before = self.bytes[..rel].contains(&b'\n');
        let cut_before = before > 0 && s == 0 && self.start > 0 && !(self.line_start && newline_before);
        let cut_after = after > 0 && s + c.data().len() == self.bytes.len() && end < self.file_len;
        if cut_before || cut_after {
            return Err(MietteError::OutOfBounds);
        }
        let column = match (before, self.bytes[..s].contains(&b'\n') || self.line_start) {
            (0, false) => self.column.ok_or(MietteError::OutOfBounds)? + c.column(),
            _ => c.column(),
        };
        let span = SourceSpan::from((self.start + s, if clipped { span.len() } else { c.span().len() }));
        let contents = MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            span,
            self.line + c.line(),
            column,
            c.line_count(),
        )
        .with_language("json");
        Ok(Box::new(contents))
    }
}

/// Longest message of a manifest error, in bytes (values inside are cut already;
/// this bounds what serde quotes, such as a 200 MB string of the wrong type).
const MESSAGE_MAX: usize = 1024;

fn cap(message: &str) -> String {
    crate::safe::cap(message, MESSAGE_MAX)
}

/// A manifest value kept to name an entry: cut after [`QUOTE_MAX`] bytes.
fn cut_value(value: &str) -> String {
    if value.len() <= QUOTE_MAX {
        return value.to_owned();
    }
    format!("{}…", &value[..value.floor_char_boundary(QUOTE_MAX)])
}

/// serde_json's message with the position of byte `at` of `file` (1-based
/// line and column, as editors count them) instead of serde's own.
fn json_message(e: &serde_json::Error, file: &str, at: usize) -> String {
    let (line, column) = sendlint_records::input::line_column(file.as_bytes(), at);
    json_message_at(e, line, column)
}

/// serde_json's message with a 1-based `line` and `column` instead of serde's own.
fn json_message_at(e: &serde_json::Error, line: usize, column: usize) -> String {
    let text = e.to_string();
    let what = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    format!("{what} at line {line} column {column}")
}

fn parse_status(s: &str) -> Result<SesStatus, String> {
    s.parse::<SesStatus>().map_err(|_| {
        format!(
            "unknown SES status {}: use NOT_STARTED, PENDING, SUCCESS, FAILED or TEMPORARY_FAILURE",
            quote(s)
        )
    })
}

fn entry_setup(e: RawEntry) -> Result<Entry, String> {
    let domain = DomainName::parse_input(&e.domain)
        .map_err(|err| format!("domain {} is not a domain name: {err}", quote(&e.domain)))?;
    let mut setup = Setup::new(domain, &e.region, &e.dkim_selector).map_err(|err| err.to_string())?;
    if let Some(m) = &e.mail_from {
        setup = setup.with_mail_from(m).map_err(|err| err.to_string())?;
    }
    if let Some(k) = &e.dkim_public_key {
        let key = PublicKey::parse(k).map_err(|err| format!("dkim_public_key: {err}"))?;
        setup = setup.with_public_key(key);
    }
    if let Some(t) = &e.submitted_at {
        setup = setup.with_submitted_at(t).map_err(|err| err.to_string())?;
    }
    setup = setup.with_from_addresses(e.from_addresses);
    let ses = match e.ses {
        Some(s) => SesState {
            dkim: s.dkim.as_deref().map(parse_status).transpose()?,
            mail_from: s.mail_from.as_deref().map(parse_status).transpose()?,
        },
        None => SesState::default(),
    };
    Ok(Entry { org: e.org, setup, ses })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::{RenderOptions, render_error};
    use std::io::Write;

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
