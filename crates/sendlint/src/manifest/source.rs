//! The source an entry error shows: the whole manifest when it is in
//! memory, else a window of the file around the error, answering miette's
//! reads as the whole file would.

use std::sync::Arc;

use miette::{MietteError, MietteSpanContents, NamedSource, SourceCode, SourceSpan, SpanContents};

use super::stream::{position_in, read_at};
use super::{Backing, ManifestIndex, Span};

/// Bytes of the file kept each side of an entry error's label.
const WINDOW: usize = 4 * 1024;

/// The longest span `SafeDiagnostic` draws whole (its `CONTEXT_MAX`): a
/// longer label is cut to a window of its first bytes.
const CONTEXT_SPAN: usize = 16 * 1024;

impl ManifestIndex {
    /// The source an entry error shows: the whole text when it is in memory,
    /// else [`WINDOW`] bytes of the file each side of the label at `at`.
    pub(super) fn source_around(&self, at: SourceSpan, span: Option<Span>, raw_text: &str) -> EntrySource {
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
