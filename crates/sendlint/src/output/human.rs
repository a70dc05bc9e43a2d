//! Human rendering of reports: a badge table, then each diagnosis rendered by
//! miette with its labels on the exact bytes of the observed record; and an
//! audit's entries and its end for people.

use std::fmt::{self, Display, Write as _};

use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Severity as MSeverity,
};
use sendlint_records::display::untrusted;
use sendlint_rules::Severity;
use sendlint_ses::Badge;

use crate::outcome::{AuditRun, EntryOutcome, Finished};
use crate::report::{DiagnosisReport, DomainReport, RecordReport};
use crate::safe::SafeDiagnostic;

/// How to render for a human.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    /// ANSI colours (a terminal that wants them).
    pub color: bool,
    /// Wrap width.
    pub width: usize,
}

impl RenderOptions {
    /// No colour, 100 columns: what snapshots and pipes get.
    pub fn plain() -> RenderOptions {
        RenderOptions { color: false, width: 100 }
    }
}

/// Observed values are folded at this many characters per line so that labels
/// on a 2048-bit key stay readable.
const FOLD: usize = 76;

/// The glyph shown before a badge.
pub fn badge_glyph(b: Badge) -> &'static str {
    match b {
        Badge::Verified => "✔",
        Badge::Verifying => "◐",
        Badge::Pending => "…",
        Badge::Failed => "✘",
    }
}

/// A value from a manifest, DNS or SES as one line of a report: escaped
/// (`display::untrusted`) and cut when absurdly long.
fn shown(value: &str) -> String {
    const MAX: usize = 512;
    let safe = untrusted(value);
    if safe.len() <= MAX {
        return safe.into_owned();
    }
    format!("{}… ({} bytes)", &safe[..safe.floor_char_boundary(MAX)], value.len())
}

/// Renders one domain report.
pub fn render_domain(report: &DomainReport, opts: RenderOptions) -> String {
    let mut out = String::new();
    // Every value here may come from a manifest or from DNS: shown through `shown`.
    // People read an internationalized domain as its U-label; DNS saw the A-label.
    let unicode = sendlint_records::name::DomainName::parse(&report.domain).map(|d| d.to_unicode());
    match unicode {
        Ok(u) if u != report.domain => {
            let _ = write!(out, "{} ({})", shown(&u), shown(&report.domain));
        }
        _ => {
            let _ = write!(out, "{}", shown(&report.domain));
        }
    }
    if let Some(org) = &report.org {
        let _ = write!(out, "  (org {})", shown(org));
    }
    out.push('\n');
    let _ = writeln!(
        out,
        "  zone {}, DNS host {}, {}",
        report.zone.as_deref().map_or_else(|| "unknown".into(), shown),
        report.provider.as_deref().map_or_else(|| "unknown".into(), shown),
        if report.ses_consulted {
            "SES consulted"
        } else if report.diagnoses.iter().any(|d| d.code == "ses.unavailable") {
            "DNS only (SES asked for, could not be read)"
        } else {
            "DNS only (SES not consulted)"
        },
    );
    let _ = writeln!(out, "  {}", report.verdict().headline());
    out.push('\n');
    for r in &report.records {
        let _ = writeln!(
            out,
            "  {} {:<9} {:<7} {:<3}  {}{}",
            badge_glyph(r.state),
            r.state.to_string(),
            r.role.as_str(),
            r.rtype,
            shown(&r.name),
            r.found_at.as_ref().map(|n| format!("  (found at {})", shown(n))).unwrap_or_default(),
        );
    }
    for r in &report.records {
        for d in &r.diagnoses {
            out.push('\n');
            out.push_str(&render_diagnosis(d, Some(r), opts));
        }
    }
    for d in &report.diagnoses {
        out.push('\n');
        out.push_str(&render_diagnosis(d, None, opts));
    }
    out
}

/// Renders a record on its own (`explain`).
///
/// ```
/// use sendlint::{ExplainInput, RenderOptions, RuleSet, explain, render_record};
///
/// let input = ExplainInput {
///     raw: r#"_dmarc.mail.acme.com. 300 IN TXT "v=DMARC1; p=none""#.into(),
///     ..ExplainInput::default()
/// };
/// let record = explain(&input, &RuleSet::builtin())?;
/// let text = render_record(&record, RenderOptions::plain());
/// assert!(text.starts_with("✔ Verified dmarc TXT"));
/// // Each diagnosis by its code, with its label on the exact bytes.
/// assert!(text.contains("dmarc.policy-none"));
/// assert!(text.contains("monitor only"));
/// # Ok::<(), sendlint::ExplainError>(())
/// ```
pub fn render_record(record: &RecordReport, opts: RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} {} {} {}",
        badge_glyph(record.state),
        record.state,
        record.role.as_str(),
        record.rtype
    );
    let _ = writeln!(out, "  expected: {}", shown(&record.expected));
    if record.diagnoses.is_empty() {
        out.push_str("  no problems found\n");
    }
    for d in &record.diagnoses {
        out.push('\n');
        out.push_str(&render_diagnosis(d, Some(record), opts));
    }
    out
}

/// Renders one diagnosis with miette, with the observed records of `record`
/// as source code when it has labels.
pub fn render_diagnosis(d: &DiagnosisReport, record: Option<&RecordReport>, opts: RenderOptions) -> String {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = handler(theme, opts).with_context_lines(1);
    let view = record.map(|r| DiagnosticView::new(d, r));
    let mut out = String::new();
    // Messages and helps carry observed values and manifest fields: the safe
    // copy escapes them.
    let safe = match &view {
        Some(v) => SafeDiagnostic::new(v),
        None => SafeDiagnostic::new(&Plain(d)),
    };
    let res = handler.render_report(&mut out, &safe);
    if res.is_err() {
        // The handler only fails on fmt errors of String, which do not happen;
        // still, never lose the finding.
        out = format!("{}: {}\n  help: {}\n", d.code, d.message, d.help);
    }
    if d.records.len() > 1 {
        let names: Vec<String> = d.records.iter().map(|a| format!("{} {}", a.rtype, a.name)).collect();
        let _ = writeln!(out, "  (one fault, affects: {})", names.join(", "));
    }
    if let Some(reg) = &d.provider {
        let _ = writeln!(out, "  (advice for {})", shown(reg));
    }
    out
}

/// The miette handler every rendering uses. Words are never split, at hyphens
/// or otherwise: a help that says to type `feedback-smtp.us-east-1.amazonses.com`
/// or a whole DKIM key must stay copy-pastable.
fn handler(theme: GraphicalTheme, opts: RenderOptions) -> GraphicalReportHandler {
    GraphicalReportHandler::new_themed(theme)
        .with_width(opts.width)
        .with_links(false)
        .with_break_words(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation)
}

/// Renders any miette diagnostic (a bad manifest entry, a rule file error, a
/// zone file error) the same way, through [`SafeDiagnostic`]: the one path
/// by which an error reaches a terminal.
pub fn render_error(diagnostic: &dyn Diagnostic, opts: RenderOptions) -> String {
    let theme = if opts.color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = handler(theme, opts);
    let mut out = String::new();
    render_flat(&handler, SafeDiagnostic::for_error(diagnostic), &mut out);
    out
}

/// One audit entry for people: its report, the error of a bad manifest
/// entry, or what went wrong in a check that failed.
pub fn render_entry(item: &Finished, opts: RenderOptions) -> String {
    match &item.outcome {
        EntryOutcome::Report(r) => render_domain(r, opts),
        EntryOutcome::BadEntry(e) => render_error(e.as_ref(), opts),
        EntryOutcome::Crashed { message } => {
            format!("manifest entry {}: {}", item.index, sendlint_records::display::untrusted_lines(message))
        }
    }
}

/// The line saying an audit gave up on a DNS server that never answered.
pub fn gave_up_line(run: &AuditRun) -> Option<String> {
    run.dead_server.as_ref().map(|(server, n)| {
        format!(
            "gave up on {server}: it answered none of the first {n} questions (all timed out); \
             the domains after that were reported as dns.lookup-failed without asking it"
        )
    })
}

/// One error, then each error it gathers (a rule set's, a manifest's) as a
/// report of its own: every error reads alike, with no "Error:" headers
/// nested inside another. The code is not shown: an input error's message
/// says what is wrong, and a header such as `sendlint::zone::io` says nothing
/// to the reader.
fn render_flat(handler: &GraphicalReportHandler, mut safe: SafeDiagnostic, out: &mut String) {
    let related = safe.take_related();
    safe.clear_code();
    let mut one = String::new();
    if handler.render_report(&mut one, &safe).is_err() {
        one = format!("{safe}\n");
    }
    out.push_str(&one);
    for r in related {
        out.push('\n');
        render_flat(handler, r, out);
    }
}

/// A diagnosis without source code.
struct Plain<'a>(&'a DiagnosisReport);

impl fmt::Debug for Plain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.code)
    }
}
impl Display for Plain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}
impl std::error::Error for Plain<'_> {}
impl Diagnostic for Plain<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        Some(Box::new(&self.0.code))
    }
    fn severity(&self) -> Option<MSeverity> {
        Some(miette_severity(self.0.severity))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        (!self.0.help.is_empty()).then(|| Box::new(&self.0.help) as Box<dyn Display>)
    }
}

fn miette_severity(s: Severity) -> MSeverity {
    match s {
        Severity::Error => MSeverity::Error,
        Severity::Warning => MSeverity::Warning,
        Severity::Info => MSeverity::Advice,
    }
}

/// A diagnosis with the observed records folded into source code.
struct DiagnosticView<'a> {
    d: &'a DiagnosisReport,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
}

impl<'a> DiagnosticView<'a> {
    fn new(d: &'a DiagnosisReport, record: &RecordReport) -> Self {
        // Fold every observed record; remember where each record's text starts
        // and where the inserted line breaks are, to move label offsets.
        let mut text = String::new();
        let mut starts = Vec::new();
        let mut breaks: Vec<Vec<usize>> = Vec::new();
        for (i, obs) in record.observed.iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            starts.push(text.len());
            let mut mine = Vec::new();
            let mut col = 0;
            for (off, ch) in obs.char_indices() {
                if col == FOLD {
                    text.push('\n');
                    mine.push(off);
                    col = 0;
                }
                text.push(ch);
                col += 1;
            }
            breaks.push(mine);
        }
        // A break at offset `x` sits before the character at `x`: a label
        // starting there moves past it, a label ending there does not.
        let map = |rec: usize, off: usize, is_end: bool| -> usize {
            let base = starts.get(rec).copied().unwrap_or(0);
            let shift = breaks
                .get(rec)
                .map_or(0, |b| b.iter().filter(|&&x| if is_end { x < off } else { x <= off }).count());
            base + off + shift
        };
        let labels = d
            .labels
            .iter()
            .filter(|l| l.record < record.observed.len())
            .map(|l| {
                let start = map(l.record, l.offset, false).min(text.len().saturating_sub(1));
                // A zero-length label at the very end is dropped by miette:
                // label at least one byte, and never past the text.
                let end = map(l.record, l.offset + l.length.max(1), true).min(text.len()).max(start + 1);
                LabeledSpan::new(Some(l.text.clone()), start, end - start)
            })
            .collect();
        let title = if record.name.is_empty() {
            format!("pasted {} record", record.rtype)
        } else {
            format!("{} {}", record.name, record.rtype)
        };
        DiagnosticView { d, source: NamedSource::new(title, text), labels }
    }
}

impl fmt::Debug for DiagnosticView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.code)
    }
}
impl Display for DiagnosticView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}
impl std::error::Error for DiagnosticView<'_> {}
impl Diagnostic for DiagnosticView<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        Some(Box::new(&self.d.code))
    }
    fn severity(&self) -> Option<MSeverity> {
        Some(miette_severity(self.d.severity))
    }
    fn help<'a>(&'a self) -> Option<Box<dyn Display + 'a>> {
        (!self.d.help.is_empty()).then(|| Box::new(&self.d.help) as Box<dyn Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        (!self.labels.is_empty()).then_some(&self.source as &dyn miette::SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }
}
