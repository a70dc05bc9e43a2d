//! The workspace manifest (docs/manifest.md): the input of batch audits.
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

use sendlint_records::display::QUOTE_MAX;
use sendlint_records::input::{InputError, InputKind};
use std::borrow::Cow;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use sendlint_ses::Setup;
use serde::Deserialize;
use serde_json::value::RawValue;
use thiserror::Error;

use crate::ses_facts::SesState;

mod entry;
#[cfg(feature = "schema")]
pub mod patterns;
mod source;
mod stream;

pub(crate) use entry::RawEntry;
pub use source::{EntrySource, Window};

use entry::entry_setup;
use stream::{first_pass, position_in, read_at};

/// A manifest that could not be read as one. Its source is the manifest as
/// read (shared, never copied): render it with `output::render_error`, which
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

impl ManifestIndex {
    /// Checks that `text` (read from `name`) is a manifest and finds its
    /// entries; a malformed file is one error pointing at line and column.
    ///
    /// ```
    /// use sendlint::ManifestIndex;
    ///
    /// let text = r#"{"domains": [
    ///     {"org": "acme", "domain": "mail.acme.com", "region": "us-east-1", "dkim_selector": "sf1"}
    /// ]}"#;
    /// let manifest = ManifestIndex::parse("workspace.json", text.to_owned())?;
    /// assert_eq!(manifest.len(), 1);
    ///
    /// // Entries are parsed one at a time, on demand, into a setup.
    /// let entry = manifest.entry(0)?;
    /// assert_eq!(entry.org.as_deref(), Some("acme"));
    /// assert_eq!(entry.setup.mail_from.to_string(), "send.mail.acme.com");
    ///
    /// // The commonest mistake: the list without its object.
    /// let error = ManifestIndex::parse("workspace.json", "[]".to_owned()).unwrap_err();
    /// assert!(error.to_string().contains("found an array"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
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
