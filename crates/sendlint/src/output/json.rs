//! The JSON Lines output: one line per finished entry.

use serde::Serialize;

use crate::outcome::{EntryOutcome, Finished};
use crate::report::DomainReport;

#[derive(Serialize)]
struct ReportLine<'a> {
    index: usize,
    #[serde(flatten)]
    report: &'a DomainReport,
}

/// The line of an entry that has no report: `index` first, like every line
/// (a struct, not `json!`, whose map would sort the keys).
#[derive(Serialize)]
struct ErrorLine<'a> {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<Option<&'a str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<Option<&'a str>>,
    error: &'a str,
}

/// The JSON Lines line of a finished entry (docs/json.md, with its manifest
/// `index` first so shards and completion order sort back into manifest order).
pub fn json_line(item: &Finished) -> String {
    let value = match &item.outcome {
        EntryOutcome::Report(report) => serde_json::to_string(&ReportLine { index: item.index, report }),
        EntryOutcome::BadEntry(err) => serde_json::to_string(&ErrorLine {
            index: item.index,
            org: Some(err.org.as_deref()),
            domain: Some(err.domain.as_deref()),
            error: err.message(),
        }),
        EntryOutcome::Crashed { message } => {
            serde_json::to_string(&ErrorLine { index: item.index, org: None, domain: None, error: message })
        }
    };
    value.unwrap_or_else(|e| {
        let error = e.to_string();
        serde_json::to_string(&ErrorLine { index: item.index, org: None, domain: None, error: &error })
            .unwrap_or_default()
    })
}
