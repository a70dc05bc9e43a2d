//! The workspace manifest (SPEC §5): the input of batch audits.
//!
//! The manifest comes from strangers. A file that is not a manifest at all is
//! one error pointing at file, line and column; a bad *entry* is reported with
//! a span into the file and the audit goes on with the others.

use sendlint_records::display::{escape, terminal_safe};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_ses::{SesStatus, Setup};
use serde::Deserialize;
use serde_json::value::RawValue;
use thiserror::Error;

use crate::check::SesState;

/// A manifest that could not be read as one.
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
    /// `src` made safe to quote on a terminal, made on the first bad entry.
    safe_src: std::sync::OnceLock<Arc<String>>,
}

/// The manifest text to quote in an error: control characters and bidi
/// overrides replaced (offsets kept), no copy when there are none.
fn safe_source(src: &Arc<String>) -> Arc<String> {
    match terminal_safe(src) {
        std::borrow::Cow::Borrowed(_) => Arc::clone(src),
        std::borrow::Cow::Owned(safe) => Arc::new(safe),
    }
}

impl ManifestIndex {
    /// Checks that `text` (read from `name`) is a manifest and finds its
    /// entries; a malformed file is one error pointing at line and column.
    pub fn parse(name: &str, text: String) -> Result<ManifestIndex, Box<ManifestError>> {
        let src = Arc::new(text);
        let text: &str = &src;
        let spans = match serde_json::from_str::<Top<'_>>(text) {
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
                return Err(Box::new(ManifestError {
                    message: format!("not a workspace manifest: {e}"),
                    src: NamedSource::new(name, safe_source(&src)).with_language("json"),
                    at: SourceSpan::from((offset_of(text, e.line(), e.column()), 0)),
                    help: Some(
                        r#"a manifest is {"domains": [{"domain": …, "region": …, "dkim_selector": …}, …]}"#
                            .into(),
                    ),
                }));
            }
        };
        Ok(ManifestIndex { name: name.to_owned(), src, spans, safe_src: std::sync::OnceLock::new() })
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
                domain: names.as_ref().and_then(|n| n.domain.clone()),
                org: names.and_then(|n| n.org),
                message,
                src: NamedSource::new(
                    &self.name,
                    self.safe_src.get_or_init(|| safe_source(&self.src)).clone(),
                )
                .with_language("json"),
                at,
            })
        };
        let whole = SourceSpan::from((start, raw_text.len()));
        let entry: RawEntry = serde_json::from_str(raw_text).map_err(|e| {
            let at = SourceSpan::from((start + offset_of(raw_text, e.line(), e.column()), 0));
            fail(e.to_string(), at)
        })?;
        entry_setup(entry).map_err(|m| fail(m, whole))
    }
}

fn parse_status(s: &str) -> Result<SesStatus, String> {
    s.parse::<SesStatus>().map_err(|_| {
        format!("unknown SES status {s:?}: use NOT_STARTED, PENDING, SUCCESS, FAILED or TEMPORARY_FAILURE")
    })
}

fn entry_setup(e: RawEntry) -> Result<Entry, String> {
    let domain = DomainName::parse_input(&e.domain).map_err(|err| {
        format!("domain `{}` is not a domain name: {err}", escape(e.domain.as_bytes()).text)
    })?;
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
