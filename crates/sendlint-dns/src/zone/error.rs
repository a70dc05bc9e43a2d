//! Zone file faults: the error types, and where in the text a fault is (the
//! entry that makes hickory's parser fail, found by bisection).

use super::hickory::HickoryRecords;
use crate::zonetext::{self, Entry, ScanError, Scanned};
use hickory_proto::rr::Name;
use hickory_proto::serialize::txt::Parser;
use miette::{Diagnostic, NamedSource, SourceSpan};
use sendlint_records::display::terminal_safe;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

/// A zone file that could not be loaded.
#[derive(Debug, thiserror::Error, Diagnostic)]
pub enum ZoneError {
    /// The file (or directory) could not be read.
    // the OS error is the source: miette prints it once, below
    #[error("cannot read zone file {}", path.display())]
    #[diagnostic(code(sendlint::zone::io))]
    Io {
        /// The path.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The origin given for a zone file is not a domain name.
    #[error("invalid origin `{origin}` for zone file {file}: {reason}")]
    #[diagnostic(code(sendlint::zone::origin))]
    Origin {
        /// The file.
        file: String,
        /// The origin given.
        origin: String,
        /// Why it is invalid.
        reason: String,
    },
    /// The text is not a valid zone file; points at the line.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(Box<ZoneSyntaxError>),
}

impl ZoneError {
    /// 1-based line and column of the fault, for syntax errors.
    pub fn position(&self) -> Option<(usize, usize)> {
        match self {
            ZoneError::Syntax(e) => Some((e.line, e.column)),
            _ => None,
        }
    }
}

/// A fault in the text of a zone file, with a label on the line.
#[derive(Debug, thiserror::Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(sendlint::zone::syntax))]
pub struct ZoneSyntaxError {
    /// What is wrong.
    pub message: String,
    /// The file name and text.
    #[source_code]
    pub source_code: NamedSource<String>,
    /// Where.
    #[label("{label}")]
    pub span: SourceSpan,
    /// The label text.
    pub label: String,
    /// What to do.
    #[help]
    pub help: String,
    /// The file name as given.
    pub file: String,
    /// 1-based line of the label's start.
    pub line: usize,
    /// 1-based column (in characters) of the label's start.
    pub column: usize,
}

impl ZoneSyntaxError {
    pub(super) fn error(
        file: &str,
        text: &str,
        span: Range<usize>,
        message: String,
        label: String,
        help: String,
    ) -> ZoneError {
        // A zero-length label at the very end is dropped by miette's graphical
        // handler: widen empty spans to one character (or the last one).
        let mut span = span.start.min(text.len())..span.end.min(text.len());
        if span.is_empty() {
            if let Some(c) = text.get(span.start..).and_then(|r| r.chars().next()) {
                span.end = span.start + c.len_utf8();
            } else if let Some((i, _)) = text.char_indices().next_back() {
                span = i..text.len();
            }
        }
        let (line, column) = zonetext::line_col(text, span.start);
        ZoneError::Syntax(Box::new(ZoneSyntaxError {
            message,
            source_code: NamedSource::new(file, terminal_safe(text).into_owned()),
            span: SourceSpan::from(span.start..span.end),
            label,
            help,
            file: file.to_owned(),
            line,
            column,
        }))
    }
}

/// Runs hickory's parser over the normalized lines `..count` (all when `None`).
fn parse_lines(
    scanned: &Scanned,
    count: Option<usize>,
    origin: Option<Name>,
) -> Result<HickoryRecords, String> {
    let lines = &scanned.lines[..count.unwrap_or(scanned.lines.len()).min(scanned.lines.len())];
    let mut text = lines.join("\n");
    text.push('\n');
    // hickory's parser is not ours to audit line by line: a panic on hostile
    // input becomes an error, never a crash
    match catch_unwind(AssertUnwindSafe(|| Parser::new(text, None, origin).parse())) {
        Ok(Ok((_, records))) => Ok(records),
        Ok(Err(e)) => Err(e.to_string()),
        Err(_) => Err("the zone parser failed on this record".to_owned()),
    }
}

/// Where a JSON document starts, when the text is one (`{` or `[` first):
/// no zone file starts that way.
pub(super) fn json_start(text: &str) -> Option<usize> {
    let trimmed = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    trimmed.starts_with(['{', '[']).then(|| text.len() - trimmed.len())
}

/// hickory's message in words for people: its IDNA check of a label prints
/// the Debug form of an internal error (`Err(Errors)`).
fn readable(message: &str) -> String {
    if message.contains("Label contains invalid characters") {
        return "a name holds a character a label cannot hold as is (write it as a `\\DDD` escape, e.g. `\\032` for a space)".into();
    }
    message.replace(": Err(Errors)", "").replace("Err(Errors)", "")
}

pub(super) fn parse_hickory(scanned: &Scanned, origin: Option<Name>) -> Result<HickoryRecords, String> {
    parse_lines(scanned, None, origin)
}

pub(super) fn scan_error(file: &str, text: &str, e: ScanError) -> ZoneError {
    ZoneSyntaxError::error(file, text, e.span, e.message, e.label, e.help)
}

/// Finds the entry that makes hickory fail with `message`: the shortest
/// prefix of entries that fails the same way (parsing is sequential, so the
/// predicate is monotone), found by bisection.
pub(super) fn locate_error(
    file: &str,
    text: &str,
    scanned: &Scanned,
    origin: Option<Name>,
    message: &str,
) -> ZoneError {
    let fails_same =
        |k: usize| parse_lines(scanned, Some(k), origin.clone()).err().as_deref() == Some(message);
    let n = scanned.entries.len();
    if n == 0 || fails_same(0) {
        // a whole-file fault such as a missing $ORIGIN: point at the first record
        let first = scanned.entries.iter().find(|e| !e.tokens.is_empty()).map_or(0..0, Entry::content_span);
        let help = if message.contains("$ORIGIN") {
            "Add `$ORIGIN example.com.` before the first record, or name the file after its zone (`example.com.zone`).".to_owned()
        } else {
            general_help(message)
        };
        return ZoneSyntaxError::error(
            file,
            text,
            first,
            format!("invalid zone file: {}", readable(message)),
            "while reading from here".into(),
            help,
        );
    }
    let (mut lo, mut hi) = (1, n);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if fails_same(mid) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    let span = match scanned.entries.get(lo.saturating_sub(1)) {
        Some(entry) => {
            offending_token(text, entry, message).unwrap_or_else(|| fallback_span(text, entry, message))
        }
        None => 0..0,
    };
    ZoneSyntaxError::error(
        file,
        text,
        span,
        format!("invalid record: {}", readable(message)),
        "this record".into(),
        general_help(message),
    )
}

/// Without a named token: the record data for data errors (bad address,
/// number, …), else the whole record.
fn fallback_span(text: &str, entry: &Entry, message: &str) -> Range<usize> {
    let m = message.to_ascii_lowercase();
    let whole = ["not specified", "missing", "label", "dollar"];
    if whole.iter().any(|w| m.contains(w)) {
        return entry.content_span();
    }
    let data = zonetext::type_index(text, entry)
        .and_then(|i| Some((entry.tokens.get(i + 1)?, entry.tokens.last()?)));
    match data {
        Some((first, last)) => first.span.start..last.span.end,
        None => entry.content_span(),
    }
}

/// The token the error message names, when it names one (as a whole word).
fn offending_token(text: &str, entry: &Entry, message: &str) -> Option<Range<usize>> {
    let lower = message.to_ascii_lowercase();
    let mut best: Option<&zonetext::Token> = None;
    for tok in &entry.tokens {
        let raw = &text[tok.span.clone()];
        // `IN` would match the word "in" of many messages
        if zonetext::is_class(raw) {
            continue;
        }
        let word = raw.trim_matches('"').to_ascii_lowercase();
        if word.len() < 2 {
            continue;
        }
        let whole_word = lower.match_indices(&word).any(|(i, _)| {
            let before = lower[..i].chars().next_back();
            let after = lower[i + word.len()..].chars().next();
            let boundary = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric() && c != '-' && c != '.');
            boundary(before) && boundary(after)
        });
        if whole_word && best.is_none_or(|b| b.span.len() < tok.span.len()) {
            best = Some(tok);
        }
    }
    best.map(|t| t.span.clone())
}

fn general_help(message: &str) -> String {
    let m = message.to_ascii_lowercase();
    if m.contains("ttl not specified") {
        "Give the record a TTL, or add `$TTL 3600` at the top of the file.".into()
    } else if m.contains("name not specified") {
        "Start the record with its owner name (or `@`), or set `$ORIGIN` first.".into()
    } else if m.contains("dollar") {
        "The directives are `$ORIGIN` and `$TTL` (`$INCLUDE` is not allowed).".into()
    } else if m.contains("recordtype") || m.contains("record type") {
        "A record is `NAME [TTL] [CLASS] TYPE DATA`; check the type's spelling.".into()
    } else {
        "A record is `NAME [TTL] [CLASS] TYPE DATA`; check this record's data against its type.".into()
    }
}

/// Where `name` appears as an owner in the text (for conversion errors).
pub(super) fn find_name_span(text: &str, scanned: &Scanned, name: &str) -> Range<usize> {
    let first_label = name.split('.').next().unwrap_or(name);
    scanned
        .entries
        .iter()
        .filter_map(|e| e.tokens.first())
        .find(|t| text[t.span.clone()].starts_with(first_label))
        .map_or(0..0, |t| t.span.clone())
}
