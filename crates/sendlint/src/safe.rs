//! Every diagnostic sendlint renders for a human goes through [`SafeDiagnostic`]:
//! the one place where text that came from strangers (manifests, zone files,
//! rule files, SES answers, pasted records, command-line values) is made safe
//! for a terminal, and where source code is cut to a window miette can draw.
//!
//! - Message, help, code, label texts and causes pass through
//!   [`untrusted_lines`]: ESC, CR, NUL, C1 controls and bidi overrides are
//!   shown as `\xNN` / `\u{NNNN}`; newlines sendlint laid out stay.
//! - Source code is read only around the labels, made terminal-safe with
//!   offsets kept, and cut to a window of the line when the line is long:
//!   miette's graphical handler panics on a label past column 65,535
//!   ("Formatting argument out of range"), and a 200 MB line would be copied
//!   whole into the report. Line and column in the `[file:line:col]` header
//!   stay those of the real file.
//! - Labels are cut to [`LABEL_MAX`] bytes, related errors to [`RELATED_MAX`].

use std::fmt::{self, Display};

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, Severity, SourceCode, SourceSpan, SpanContents,
};
use sendlint_records::display::{acts_on_terminal, untrusted_lines};

/// Longest label drawn, in bytes; a longer span is drawn from its start.
pub const LABEL_MAX: usize = 240;
/// Most related diagnostics rendered under one report.
pub const RELATED_MAX: usize = 100;
/// Longest message or help rendered, in bytes.
const TEXT_MAX: usize = 8 * 1024;
/// Bytes of a long line kept before a label's start and after its end.
const AROUND: usize = 80;
/// A context at most this long, with no line longer than [`LINE_MAX`], is kept whole.
const CONTEXT_MAX: usize = 16 * 1024;
/// Longest line kept whole.
const LINE_MAX: usize = 1024;
/// Labels further apart than this are drawn in separate windows.
const GROUP_MAX: usize = 4 * 1024;
/// Context lines the handlers read around a label (miette's default; output/human.rs uses it too).
pub const CONTEXT_LINES: usize = 1;

/// How much of a source a rendering draws.
#[derive(Clone, Copy, Debug)]
struct Limits {
    /// Longest line kept whole.
    line_max: usize,
    /// Bytes of a long line kept before a label's start and after its end.
    around: usize,
    /// Longest label drawn, in bytes.
    label_max: usize,
}

/// Diagnoses of records: a record's data is shown whole up to [`LINE_MAX`].
const RECORD_LIMITS: Limits = Limits { line_max: LINE_MAX, around: AROUND, label_max: LABEL_MAX };

/// Errors about inputs (a manifest entry, a zone file, a flag): the snippet is a
/// window that fits a terminal line, whatever the line's length.
const ERROR_LIMITS: Limits = Limits { line_max: 100, around: 24, label_max: 48 };

/// Text cut to `max` bytes at a character boundary, saying so.
pub(crate) fn cap(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    format!("{}… ({} bytes)", &text[..text.floor_char_boundary(max)], text.len())
}

fn clean(text: &str) -> String {
    cap(&untrusted_lines(text), TEXT_MAX)
}

/// `bytes` as text with the same length: invalid UTF-8 and every character
/// that acts on a terminal (except newline and tab) become `?`, one per byte.
fn safe_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            let bad = acts_on_terminal(c) && c != '\n' && c != '\t';
            if bad {
                out.extend(std::iter::repeat_n('?', c.len_utf8()));
            } else {
                out.push(c);
            }
        }
        out.extend(std::iter::repeat_n('?', chunk.invalid().len()));
    }
    out
}

/// One piece of the source: text (terminal-safe) standing at `offset` of the
/// real source, whose first byte is at 0-based `line` and byte `column`.
#[derive(Debug)]
struct Segment {
    offset: usize,
    text: String,
    line: usize,
    column: usize,
    /// The text starts with a cut mark standing for the line's bytes before the window.
    cut_start: bool,
}

impl Segment {
    /// The column, in characters, of byte `rel` of this segment's text. Bytes
    /// of the line before a cut window are counted as bytes (they were not read).
    fn char_column(&self, rel: usize) -> usize {
        let rel = self.text.floor_char_boundary(rel.min(self.text.len()));
        let line_start = self.text[..rel].rfind('\n').map_or(0, |i| i + 1);
        if line_start > 0 {
            return self.text[line_start..rel].chars().count();
        }
        if self.cut_start && rel >= MARK.len() {
            self.column + MARK.len() + self.text[MARK.len()..rel].chars().count()
        } else {
            self.column + self.text[..rel].chars().count()
        }
    }
}

/// The parts of a source a diagnostic's labels need, and nothing else.
#[derive(Debug)]
struct Windowed {
    name: Option<String>,
    language: Option<String>,
    segments: Vec<Segment>,
}

impl SourceCode for Windowed {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let end = span.offset() + span.len();
        let seg = self
            .segments
            .iter()
            .find(|s| s.offset <= span.offset() && end <= s.offset + s.text.len())
            .ok_or(MietteError::OutOfBounds)?;
        let rel = SourceSpan::from((span.offset() - seg.offset, span.len()));
        let c = seg.text.as_str().read_span(&rel, before, after)?;
        let column = if before == 0 && after == 0 {
            // The `[file:line:col]` header: columns count characters, as
            // editors do (`“` is one column, not three).
            seg.char_column(span.offset() - seg.offset)
        } else if c.line() == 0 {
            seg.column + c.column()
        } else {
            c.column()
        };
        let span = SourceSpan::from((seg.offset + c.span().offset(), c.span().len()));
        let (data, line, count) = (c.data(), seg.line + c.line(), c.line_count());
        let mut contents = match &self.name {
            Some(n) => MietteSpanContents::new_named(n.clone(), data, span, line, column, count),
            None => MietteSpanContents::new(data, span, line, column, count),
        };
        if let Some(l) = &self.language {
            contents = contents.with_language(l.clone());
        }
        Ok(Box::new(contents))
    }
}

/// Snaps `at` back to the start of a UTF-8 character of `data`.
fn char_start(data: &[u8], mut at: usize) -> usize {
    while at > 0 && at < data.len() && (data[at] & 0xC0) == 0x80 {
        at -= 1;
    }
    at
}

/// The whole context of `span` (with [`CONTEXT_LINES`] around it) when it is
/// small enough to draw as it is; `None` when it is not (or cannot be read).
fn whole(src: &dyn SourceCode, span: &SourceSpan, limits: Limits) -> Option<Segment> {
    // Deep into a long line already: do not read the rest of it (a minified
    // manifest is one line of up to 1 GiB).
    if src.read_span(span, 0, 0).ok()?.column() > limits.line_max || span.len() > CONTEXT_MAX {
        return None;
    }
    let c = src.read_span(span, CONTEXT_LINES, CONTEXT_LINES).ok()?;
    let data = c.data();
    let longest = data.split(|&b| b == b'\n').map(<[u8]>::len).max().unwrap_or(0);
    (data.len() <= CONTEXT_MAX && longest <= limits.line_max).then(|| Segment {
        offset: c.span().offset(),
        text: safe_bytes(data),
        line: c.line(),
        column: c.column(),
        cut_start: false,
    })
}

/// A window of the line around `span` (at most [`LABEL_MAX`] long):
/// [`AROUND`] bytes each side, cuts marked with `…`.
fn cut(src: &dyn SourceCode, span: &SourceSpan, around: usize) -> Option<Segment> {
    // Without context lines the contents start at the span, `column` bytes into its line.
    let c = src.read_span(span, 0, 0).ok()?;
    let (line, column) = (c.line(), c.column());
    let line_start = span.offset().saturating_sub(column);
    // Read from a little before the window, not from the line's start: a
    // source holding only a window of a long line (a streamed manifest) can
    // answer. Should invalid UTF-8 move the window's start back past that,
    // read from the line's start after all.
    let near = line_start.max(span.offset().saturating_sub(around + 8));
    let mut seg = cut_from(src, span, near, line_start, around)?;
    if near > line_start && seg.column < near - line_start {
        seg = cut_from(src, span, line_start, line_start, around)?;
    }
    seg.line = line;
    Some(seg)
}

/// Cut marks.
const MARK: &str = "…";

/// [`cut`] reading the line from byte `base` (at or after `line_start`).
fn cut_from(
    src: &dyn SourceCode,
    span: &SourceSpan,
    base: usize,
    line_start: usize,
    around: usize,
) -> Option<Segment> {
    let skipped = base - line_start;
    let end = span.offset() + span.len();
    // From `base` to AROUND bytes past the span, or (near the end of the
    // source) to the end of the next line; borrowed, not copied.
    let (c, partial) = match src.read_span(&SourceSpan::from((base, end + around - base)), 0, 0) {
        Ok(c) => (c, true),
        Err(_) => (src.read_span(&SourceSpan::from((base, end - base)), 0, 1).ok()?, false),
    };
    let data = c.data();
    let rel_start = (span.offset() - base).min(data.len());
    let rel_end = (end - base).min(data.len());
    let line_end = data[rel_end..].iter().position(|&b| b == b'\n').map_or(data.len(), |i| rel_end + i);
    // "…" takes the place of the three bytes before a cut start.
    let ws = char_start(data, rel_start.saturating_sub(around));
    let ws = if ws + skipped >= MARK.len() { ws } else { 0 };
    let we = char_start(data, (rel_end + around).min(line_end)).max(rel_end);
    let mut text = String::new();
    if ws + skipped > 0 {
        text.push_str(MARK);
    }
    text.push_str(&safe_bytes(&data[ws..we]));
    // A partial read without a newline after the span: the line goes on.
    if we < line_end || (partial && line_end == data.len()) {
        text.push_str(MARK);
    }
    let start = if ws + skipped > 0 { ws + skipped - MARK.len() } else { 0 };
    Some(Segment { offset: line_start + start, text, line: 0, column: start, cut_start: ws + skipped > 0 })
}

fn relabel(l: &LabeledSpan, len: usize) -> LabeledSpan {
    let text = l.label().map(clean);
    if l.primary() {
        LabeledSpan::new_primary_with_span(text, (l.offset(), len))
    } else {
        LabeledSpan::new(text, l.offset(), len)
    }
}

/// The windows of `src` that show `labels`: labels close together share one
/// (the handler draws them in one context); a context that is too long to
/// draw is replaced by a window of the line per label, labels cut to [`LABEL_MAX`].
fn window(
    src: &dyn SourceCode,
    mut labels: Vec<LabeledSpan>,
    limits: Limits,
) -> (Option<Windowed>, Vec<LabeledSpan>) {
    labels.sort_by_key(LabeledSpan::offset);
    let mut groups: Vec<(usize, usize, Vec<&LabeledSpan>)> = Vec::new();
    for l in &labels {
        let end = l.offset() + l.len();
        match groups.last_mut() {
            Some(g) if l.offset() <= g.1.saturating_add(GROUP_MAX) => {
                g.1 = g.1.max(end);
                g.2.push(l);
            }
            _ => groups.push((l.offset(), end, vec![l])),
        }
    }
    let mut out = Windowed { name: None, language: None, segments: Vec::new() };
    let mut shown = Vec::new();
    if let Some(first) = labels.first()
        && let Ok(c) = src.read_span(first.inner(), 0, 0)
    {
        out.name = c.name().map(|n| untrusted_lines(n).into_owned());
        out.language = c.language().map(str::to_owned);
    }
    for (start, end, group) in groups {
        if let Some(seg) = whole(src, &SourceSpan::from((start, end - start)), limits) {
            out.segments.push(seg);
            shown.extend(group.iter().map(|l| relabel(l, l.len())));
            continue;
        }
        for l in group {
            let len = l.len().min(limits.label_max);
            if let Some(seg) = cut(src, &SourceSpan::from((l.offset(), len)), limits.around) {
                out.segments.push(seg);
                shown.push(relabel(l, len));
            }
        }
    }
    // A label the source cannot show is dropped, not an error in the middle of the report.
    shown.retain(|l| {
        out.segments.iter().any(|s| s.offset <= l.offset() && l.offset() + l.len() <= s.offset + s.text.len())
    });
    if out.segments.is_empty() { (None, Vec::new()) } else { (Some(out), shown) }
}

/// A cause in the chain, as text.
#[derive(Debug)]
struct Cause {
    text: String,
    next: Option<Box<Cause>>,
}

impl Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for Cause {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.next.as_deref().map(|c| c as &(dyn std::error::Error + 'static))
    }
}

/// A diagnostic made safe to render: see the module documentation.
#[derive(Debug)]
pub struct SafeDiagnostic {
    message: String,
    code: Option<String>,
    severity: Option<Severity>,
    help: Option<String>,
    url: Option<String>,
    source: Option<Windowed>,
    labels: Vec<LabeledSpan>,
    related: Vec<SafeDiagnostic>,
    diagnostic_source: Option<Box<SafeDiagnostic>>,
    cause: Option<Box<Cause>>,
}

impl SafeDiagnostic {
    /// The safe copy of `d` (what it needs of its source code, not the source).
    pub fn new(d: &dyn Diagnostic) -> SafeDiagnostic {
        SafeDiagnostic::with_parent(d, None, 0, RECORD_LIMITS)
    }

    /// [`SafeDiagnostic::new`] for an error about an input: its snippet is a
    /// window of at most a terminal line around the label, however long the
    /// line (a manifest entry holding a 400-character key).
    pub fn for_error(d: &dyn Diagnostic) -> SafeDiagnostic {
        SafeDiagnostic::with_parent(d, None, 0, ERROR_LIMITS)
    }

    /// The diagnostics gathered under this one, taken out of it.
    pub(crate) fn take_related(&mut self) -> Vec<SafeDiagnostic> {
        std::mem::take(&mut self.related)
    }

    /// Drops the code, so that the report has no code header.
    pub(crate) fn clear_code(&mut self) {
        self.code = None;
        if let Some(inner) = &mut self.diagnostic_source {
            inner.clear_code();
        }
    }

    fn with_parent(
        d: &dyn Diagnostic,
        parent: Option<&dyn SourceCode>,
        depth: usize,
        limits: Limits,
    ) -> SafeDiagnostic {
        let src = d.source_code().or(parent);
        let labels: Vec<LabeledSpan> = d.labels().map(|l| l.collect()).unwrap_or_default();
        let (source, labels) = match src {
            Some(s) if !labels.is_empty() => window(s, labels, limits),
            _ => (None, Vec::new()),
        };
        let mut related: Vec<SafeDiagnostic> = Vec::new();
        let mut more = 0usize;
        if depth < 4
            && let Some(rel) = d.related()
        {
            for r in rel {
                if related.len() < RELATED_MAX {
                    related.push(SafeDiagnostic::with_parent(r, src, depth + 1, limits));
                } else {
                    more += 1;
                }
            }
        }
        let mut message = clean(&d.to_string());
        if more > 0 {
            message.push_str(&format!(" ({more} more not shown)"));
        }
        let diagnostic_source = match d.diagnostic_source() {
            Some(inner) if depth < 8 => {
                Some(Box::new(SafeDiagnostic::with_parent(inner, src, depth + 1, limits)))
            }
            _ => None,
        };
        let cause = if diagnostic_source.is_some() {
            None
        } else {
            // The std cause chain, as text, innermost last.
            let mut texts = Vec::new();
            let mut next = d.source();
            while let Some(e) = next
                && texts.len() < 16
            {
                texts.push(clean(&e.to_string()));
                next = e.source();
            }
            texts.into_iter().rev().fold(None, |next, text| Some(Box::new(Cause { text, next })))
        };
        SafeDiagnostic {
            message,
            code: d.code().map(|c| clean(&c.to_string())),
            severity: d.severity(),
            help: d.help().map(|h| clean(&h.to_string())),
            url: d.url().map(|u| clean(&u.to_string())),
            source,
            labels,
            related,
            diagnostic_source,
            cause,
        }
    }
}

impl Display for SafeDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for SafeDiagnostic {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause.as_deref().map(|c| c as &(dyn std::error::Error + 'static))
    }
}

impl Diagnostic for SafeDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn Display>)
    }
    fn severity(&self) -> Option<Severity> {
        self.severity
    }
    fn help<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn Display>)
    }
    fn url<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        self.url.as_ref().map(|u| Box::new(u) as Box<dyn Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = _>>)
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|r| r as &dyn Diagnostic)) as Box<dyn Iterator<Item = _>>
        })
    }
    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.diagnostic_source.as_deref().map(|d| d as &dyn Diagnostic)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::{RenderOptions, render_error};
    use miette::NamedSource;

    #[derive(Debug, thiserror::Error, Diagnostic)]
    #[error("bad: {message}")]
    struct Bad {
        message: String,
        #[source_code]
        src: NamedSource<String>,
        #[label("{label}")]
        at: SourceSpan,
        label: String,
    }

    fn bad(text: String, at: usize, len: usize) -> Bad {
        Bad {
            message: "x".into(),
            src: NamedSource::new("m.json", text),
            at: (at, len).into(),
            label: "here".into(),
        }
    }

    #[test]
    fn a_label_past_column_65535_renders_with_its_real_position() {
        let mut text = "a".repeat(70_000);
        text.push_str("XYZ");
        text.push_str(&"b".repeat(70_000));
        text.push_str("\nsecond line\n");
        let out = render_error(&bad(text, 70_000, 3), RenderOptions::plain());
        assert!(out.contains("[m.json:1:70001]"), "{out}");
        assert!(out.contains("…aaaa") && out.contains("XYZbbb") && out.contains("bbb…"), "{out}");
        assert!(out.len() < 2_000, "{} bytes", out.len());
    }

    #[test]
    fn a_huge_label_is_cut_and_text_is_escaped() {
        let text = format!("{{\"domains\": [{}]}}", "c".repeat(1_000_000));
        let mut d = bad(text, 13, 1_000_000);
        d.message = "evil \u{1b}[2J\r\u{202e}".into();
        d.label = "lab\u{1b}el".into();
        let out = render_error(&d, RenderOptions::plain());
        assert!(!out.contains(['\u{1b}', '\r', '\u{202e}']), "{out:?}");
        assert!(out.contains("evil \\x1B[2J\\x0D\\u{202E}"), "{out}");
        assert!(out.contains("lab\\x1Bel"), "{out}");
        assert!(out.len() < 3_000, "{} bytes", out.len());
    }

    #[test]
    fn small_sources_render_as_miette_would() {
        let text = "{\n  \"a\": 1,\n  \"b\": 2\n}\n".to_owned();
        let d = bad(text, 14, 8);
        let opts = RenderOptions::plain();
        let direct = {
            let mut out = String::new();
            let handler =
                miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
                    .with_width(opts.width)
                    .with_links(false);
            handler.render_report(&mut out, &d).expect("render");
            out
        };
        assert_eq!(render_error(&d, opts), direct);
    }
}
