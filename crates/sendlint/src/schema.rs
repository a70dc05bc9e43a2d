//! JSON Schemas of what sendlint prints with `--format json`, generated from
//! the serde types themselves (docs/schema/*.json, `sendlint schema NAME`).

use schemars::{JsonSchema, schema_for};

use crate::audit_baseline::DomainChanges;
use crate::report::{DomainReport, RecordReport};

/// A line of `sendlint audit --format json` (JSON Lines, one per manifest entry,
/// in completion order; with `--baseline`, one more per removed domain).
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only its schema is used
enum AuditLine {
    /// A checked entry.
    Checked(CheckedLine),
    /// A manifest entry that could not be read (the audit goes on).
    BadEntry(BadEntryLine),
    /// `--baseline`: a domain of the baseline that is not in this audit.
    Removed(RemovedLine),
}

/// A checked entry: its manifest position, then the report of `sendlint check`.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct CheckedLine {
    /// The entry's position in the manifest's `domains` (0-based).
    index: usize,
    #[serde(flatten)]
    report: DomainReport,
    /// `--baseline` only: what changed since the earlier audit.
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<DomainChanges>,
}

/// A manifest entry that could not be read, or a check that failed internally.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct BadEntryLine {
    /// The entry's position in the manifest's `domains` (0-based).
    index: usize,
    /// The entry's `org`, when readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<String>,
    /// The entry's `domain`, when readable.
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<String>,
    /// What is wrong with the entry.
    error: String,
    /// `--baseline` only: what changed since the earlier audit.
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<DomainChanges>,
}

/// `--baseline`: a domain of the earlier audit that this audit does not have.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct RemovedLine {
    /// The organization in the earlier audit.
    org: Option<String>,
    /// The domain.
    domain: String,
    /// Always true.
    removed: bool,
    /// `status` is `removed`; `codes_removed` holds its earlier codes.
    changes: DomainChanges,
}

/// The schemas, by the file name under `docs/schema/` (without `.json`).
pub const NAMES: [&str; 3] = ["check", "audit-line", "explain"];

/// The schema `name` (one of [`NAMES`]) as pretty JSON with a final newline.
pub fn schema(name: &str) -> Option<String> {
    let schema = match name {
        "check" => schema_for!(DomainReport),
        "audit-line" => schema_for!(AuditLine),
        "explain" => schema_for!(RecordReport),
        _ => return None,
    };
    serde_json::to_string_pretty(&schema).ok().map(|mut s| {
        s.push('\n');
        s
    })
}
