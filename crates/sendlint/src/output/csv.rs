//! The CSV output: a header, then one row per finished entry. Both come
//! from one column list, [`COLUMNS`].

use sendlint_records::Role;
use sendlint_records::display::escape;

use crate::outcome::{EntryOutcome, Finished};
use crate::report::DomainReport;

/// What one CSV row is about.
#[derive(Clone, Copy, Debug)]
pub enum Row<'a> {
    /// A finished manifest entry.
    Entry(&'a Finished),
    /// A domain of a `--baseline` that this run did not see: its org and
    /// domain, every other column empty.
    Gone {
        /// Its organization.
        org: Option<&'a str>,
        /// Its domain.
        domain: &'a str,
    },
}

impl<'a> Row<'a> {
    fn report(self) -> Option<&'a DomainReport> {
        match self {
            Row::Entry(Finished { outcome: EntryOutcome::Report(r), .. }) => Some(r),
            _ => None,
        }
    }
}

/// One column: its header, and its field of a row (before quoting).
pub type Column = (&'static str, fn(Row<'_>) -> String);

/// A report's column (empty for every other row).
fn of_report(row: Row<'_>, field: impl Fn(&DomainReport) -> String) -> String {
    row.report().map(field).unwrap_or_default()
}

/// A badge column.
fn badge(row: Row<'_>, role: Role) -> String {
    of_report(row, |r| r.record(role).map(|rec| rec.state.as_str().to_owned()).unwrap_or_default())
}

/// The columns, in order: badges per role, the distinct codes
/// (space-separated, sorted), or the error of a bad entry.
pub const COLUMNS: &[Column] = &[
    ("index", |row| match row {
        Row::Entry(item) => item.index.to_string(),
        Row::Gone { .. } => String::new(),
    }),
    ("org", |row| match row {
        Row::Entry(item) => match &item.outcome {
            EntryOutcome::Report(r) => r.org.clone().unwrap_or_default(),
            EntryOutcome::BadEntry(e) => e.org.clone().unwrap_or_default(),
            EntryOutcome::Crashed { .. } => String::new(),
        },
        Row::Gone { org, .. } => org.unwrap_or_default().to_owned(),
    }),
    ("domain", |row| match row {
        Row::Entry(item) => match &item.outcome {
            EntryOutcome::Report(r) => r.domain.clone(),
            EntryOutcome::BadEntry(e) => e.domain.clone().unwrap_or_default(),
            EntryOutcome::Crashed { .. } => String::new(),
        },
        Row::Gone { domain, .. } => domain.to_owned(),
    }),
    ("zone", |row| of_report(row, |r| r.zone.clone().unwrap_or_default())),
    ("dns_host", |row| of_report(row, |r| r.provider.clone().unwrap_or_default())),
    ("unlocked", |row| of_report(row, |r| r.sending_unlocked.to_string())),
    ("spf_mx", |row| badge(row, Role::SpfMx)),
    ("spf_txt", |row| badge(row, Role::SpfTxt)),
    ("dkim", |row| badge(row, Role::Dkim)),
    ("dmarc", |row| badge(row, Role::Dmarc)),
    ("codes", |row| {
        of_report(row, |r| {
            let codes: std::collections::BTreeSet<&str> = r.codes().into_iter().collect();
            codes.into_iter().collect::<Vec<_>>().join(" ")
        })
    }),
    ("error", |row| match row {
        Row::Entry(item) => match &item.outcome {
            EntryOutcome::Report(_) => String::new(),
            EntryOutcome::BadEntry(e) => e.message().to_owned(),
            EntryOutcome::Crashed { message } => message.clone(),
        },
        Row::Gone { .. } => String::new(),
    }),
];

/// The CSV header: the names of [`COLUMNS`].
pub fn csv_header() -> String {
    COLUMNS.iter().map(|(name, _)| *name).collect::<Vec<_>>().join(",")
}

/// One CSV field: quoted when needed (RFC 4180); control bytes escaped; a
/// leading `= + - @` defused so a spreadsheet never runs it as a formula.
fn csv_field(out: &mut String, value: &str) {
    let mut text = escape(value.as_bytes()).text;
    if text.starts_with(['=', '+', '-', '@']) {
        text.insert(0, '\'');
    }
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

/// `value` as one CSV field, quoted as [`csv_row`] quotes each.
pub fn csv_text(value: &str) -> String {
    let mut out = String::new();
    csv_field(&mut out, value);
    out
}

/// The CSV row of `row`: each of [`COLUMNS`], quoted as needed.
pub fn csv_row(row: Row<'_>) -> String {
    let mut out = String::new();
    for (i, (_, field)) in COLUMNS.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, &field(row));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        let mut out = String::new();
        csv_field(&mut out, "=HYPERLINK(\"x\")");
        assert_eq!(out, "\"'=HYPERLINK(\"\"x\"\")\"");
        let mut out = String::new();
        csv_field(&mut out, "a,b");
        assert_eq!(out, "\"a,b\"");
        let mut out = String::new();
        csv_field(&mut out, "plain");
        assert_eq!(out, "plain");
    }

    #[test]
    fn the_header_names_the_columns() {
        assert_eq!(
            csv_header(),
            "index,org,domain,zone,dns_host,unlocked,spf_mx,spf_txt,dkim,dmarc,codes,error"
        );
        let gone = csv_row(Row::Gone { org: Some("acme"), domain: "mail.acme.test" });
        assert_eq!(gone, ",acme,mail.acme.test,,,,,,,,,");
    }
}
