//! Every output format in one place, as ripgrep's printer crate keeps its
//! printers: `human.rs` (reports for people: badge table and diagnoses),
//! `json.rs` (JSON Lines), `csv.rs` (one row per entry, from one column list)
//! and `summary.rs` (the counts over an audit).
//!
//! An audit's output goes through one small interface, [`Printer`]: `begin`
//! before the first entry, `entry` for each [`Finished`] as the audit hands it
//! out, `finish` with the [`Summary`] and the [`AuditRun`]. [`Counted`] keeps
//! the summary on the way. [`Format`] says what each format prints at each
//! step; the CLI's audit output and the server's workspace view are the two
//! printers.

mod csv;
mod human;
mod json;
mod summary;

pub use csv::{COLUMNS, Column, Row, csv_header, csv_row, csv_text};
pub use human::{
    RenderOptions, badge_glyph, gave_up_line, render_diagnosis, render_domain, render_entry, render_error,
    render_record,
};
pub use json::json_line;
pub use summary::{Summary, TOP_CODES};

use std::borrow::Cow;

use crate::outcome::{AuditRun, Finished};

/// Where an audit's entries go, one event at a time.
pub trait Printer {
    /// Before the first entry.
    fn begin(&mut self) {}
    /// One finished entry: in completion order as the audit hands them out,
    /// or in manifest order when the caller sorts them first.
    fn entry(&mut self, item: &Finished);
    /// After the last entry: the counts over every entry, and how the run went.
    fn finish(&mut self, summary: &Summary, run: &AuditRun);
}

/// A [`Printer`] with the [`Summary`] of the entries it was given.
#[derive(Debug, Default)]
pub struct Counted<P> {
    /// The printer.
    pub printer: P,
    /// The counts so far.
    pub summary: Summary,
}

impl<P: Printer> Counted<P> {
    /// `printer`, nothing counted yet.
    pub fn new(printer: P) -> Counted<P> {
        Counted { printer, summary: Summary::default() }
    }

    /// Before the first entry.
    pub fn begin(&mut self) {
        self.printer.begin();
    }

    /// Counts `item`, then prints it.
    pub fn entry(&mut self, item: &Finished) {
        self.summary.add(item);
        self.printer.entry(item);
    }

    /// After the last entry.
    pub fn finish(&mut self, run: &AuditRun) {
        self.printer.finish(&self.summary, run);
    }
}

/// An audit's output format: what it prints before, for and after the entries.
#[derive(Clone, Copy, Debug)]
pub enum Format {
    /// Each domain's report rendered for people, then the summary.
    Human(RenderOptions),
    /// JSON Lines: one object per entry, each with its `index`.
    Json,
    /// A header, then one row per entry.
    Csv,
}

impl Format {
    /// What comes before the first entry: the CSV header.
    pub fn header(self) -> Option<String> {
        match self {
            Format::Csv => Some(csv_header()),
            Format::Human(_) | Format::Json => None,
        }
    }

    /// The text of one entry (one line, except for a human report). A JSON
    /// line made by the worker ([`Finished::json`]) is used as it is.
    pub fn entry(self, item: &Finished) -> Cow<'_, str> {
        match self {
            Format::Human(opts) => Cow::Owned(render_entry(item, opts)),
            Format::Json => match &item.json {
                Some(line) => Cow::Borrowed(line),
                None => Cow::Owned(json_line(item)),
            },
            Format::Csv => Cow::Owned(csv_row(Row::Entry(item))),
        }
    }

    /// What comes after the last entry: the human summary, with the server
    /// given up on and how far an interrupted run got.
    pub fn footer(self, summary: &Summary, run: &AuditRun) -> Option<String> {
        let Format::Human(_) = self else { return None };
        let mut text = summary.to_string();
        if let Some(line) = gave_up_line(run) {
            text.push_str(&format!("\n{line}\n"));
        }
        if run.interrupted {
            text.push_str(&format!("interrupted: {} of {} domains done\n", run.finished, run.selected));
        }
        Some(text.trim_end().to_owned())
    }
}
