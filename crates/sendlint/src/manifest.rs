//! The workspace manifest (SPEC §5): the input of batch audits.
//!
//! The manifest comes from strangers. A file that is not a manifest at all is
//! one error pointing at file, line and column; a bad *entry* is reported with
//! a span into the file and the audit goes on with the others.

use sendlint_records::display::{QUOTE_MAX, quote};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
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
    src: NamedSource<Arc<String>>,
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
#[serde(deny_unknown_fields)]
struct RawEntry {
    org: Option<String>,
    domain: String,
    region: String,
    mail_from: Option<String>,
    dkim_selector: String,
    dkim_public_key: Option<String>,
    #[serde(default)]
    from_addresses: Vec<String>,
    ses: Option<RawSes>,
    submitted_at: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSes {
    dkim: Option<String>,
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

/// A manifest read once and parsed entry by entry on demand: the text and
/// where each entry is in it. A 100,000-entry audit holds the text and two
/// offsets per entry, not 100,000 setups.
#[derive(Debug)]
pub struct ManifestIndex {
    name: String,
    /// The text as read: an `Arc<String>`, not an `Arc<str>`, because making
    /// an `Arc<str>` copies the whole text (twice the peak memory on a big manifest).
    src: Arc<String>,
    /// `(start, len)` of each entry's JSON in `src`.
    spans: Vec<(usize, usize)>,
}

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
        let spans: Vec<(usize, usize)> = match serde_json::from_str::<Top<'_>>(text) {
            Ok(top) => top
                .domains
                .iter()
                .map(|raw| {
                    let raw_text = raw.get();
                    // RawValue borrows from `text`: its offset is a pointer difference.
                    ((raw_text.as_ptr() as usize).saturating_sub(text.as_ptr() as usize), raw_text.len())
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
        Ok(ManifestIndex { name: name.to_owned(), src, spans })
    }

    /// How many entries the manifest holds.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when `domains` is empty.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The JSON text of entry `index`, `None` past the end.
    pub fn raw(&self, index: usize) -> Option<&str> {
        let (start, len) = *self.spans.get(index)?;
        self.src.get(start..start + len)
    }

    /// Entry `index` as a setup, or why it cannot be one (an entry past the
    /// end is an error too, never a panic).
    pub fn entry(&self, index: usize) -> Result<Entry, Box<EntryError>> {
        let (start, raw_text) = match (self.spans.get(index), self.raw(index)) {
            (Some((start, _)), Some(raw)) => (*start, raw),
            _ => (self.src.len(), ""),
        };
        let fail = |message: String, at: SourceSpan| {
            let names: Option<Names> = serde_json::from_str(raw_text).ok();
            Box::new(EntryError {
                index,
                // A 200 MB `domain` must not be copied into every line that names the entry.
                domain: names.as_ref().and_then(|n| n.domain.as_deref().map(cut_value)),
                org: names.as_ref().and_then(|n| n.org.as_deref().map(cut_value)),
                message: cap(&message),
                src: NamedSource::new(&self.name, Arc::clone(&self.src)).with_language("json"),
                at,
            })
        };
        let whole = SourceSpan::from((start, raw_text.len()));
        let entry: RawEntry = serde_json::from_str(raw_text).map_err(|e| {
            // serde counts lines and columns from the entry's start: say the file's.
            let at = start + offset_of(raw_text, e.line(), e.column());
            fail(json_message(&e, &self.src, at), SourceSpan::from((at, 0)))
        })?;
        entry_setup(entry).map_err(|m| fail(m, whole))
    }
}

/// Longest message of a manifest error, in bytes (values inside are cut already;
/// this bounds what serde quotes, such as a 200 MB string of the wrong type).
const MESSAGE_MAX: usize = 1024;

fn cap(message: &str) -> String {
    if message.len() <= MESSAGE_MAX {
        return message.to_owned();
    }
    let mut end = MESSAGE_MAX;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} bytes)", &message[..end], message.len())
}

/// A manifest value kept to name an entry: cut after [`QUOTE_MAX`] bytes.
fn cut_value(value: &str) -> String {
    if value.len() <= QUOTE_MAX {
        return value.to_owned();
    }
    let mut end = QUOTE_MAX;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &value[..end])
}

/// serde_json's message with the position of byte `at` of `file` (1-based
/// line and column, as editors count them) instead of serde's own.
fn json_message(e: &serde_json::Error, file: &str, at: usize) -> String {
    let text = e.to_string();
    let what = match text.rfind(" at line ") {
        Some(i) => &text[..i],
        None => &text,
    };
    let (line, column) = sendlint_records::input::line_column(file.as_bytes(), at);
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
