//! JSON Schemas of what sendlint prints with `--format json`, generated from
//! the serde types themselves (docs/schema/*.json, `sendlint schema NAME`,
//! and the `components/schemas` of the server's OpenAPI document).
//!
//! The schemas describe what is **serialized**: a field that is always
//! written is required (`null` where its type allows it), a field skipped
//! when empty is optional.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};

use crate::audit::baseline::DomainChanges;
use crate::fix::format::json::FixOutput;
use crate::publish::PublishRecord;
use crate::report::{DomainReport, RecordReport};

/// A line of `sendlint audit --format json` (JSON Lines, one per manifest entry,
/// in completion order; with `--baseline`, one more per removed domain).
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)] // only its schema is used
pub enum AuditLine {
    /// A checked entry.
    Checked(CheckedLine),
    /// A manifest entry that could not be read, or a check that failed
    /// internally (the audit goes on).
    BadEntry(BadEntryLine),
    /// `--baseline`: a domain of the baseline that is not in this audit.
    Removed(RemovedLine),
}

/// A checked entry: its manifest position, then the report of `sendlint check`.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct CheckedLine {
    /// The entry's position in the manifest's `domains` (0-based).
    index: usize,
    #[serde(flatten)]
    report: DomainReport,
    /// `--baseline` only: what changed since the earlier audit.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "DomainChanges")]
    changes: Option<DomainChanges>,
}

/// A manifest entry that could not be read, or a check that failed internally
/// (`index` and `error` only).
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct BadEntryLine {
    /// The entry's position in the manifest's `domains` (0-based).
    index: usize,
    /// The entry's `org` (null when it cannot be read); absent for a check
    /// that failed internally.
    #[serde(skip_serializing_if = "Option::is_none")]
    org: Option<Option<String>>,
    /// The entry's `domain` (null when it cannot be read); absent for a check
    /// that failed internally.
    #[serde(skip_serializing_if = "Option::is_none")]
    domain: Option<Option<String>>,
    /// What is wrong with the entry.
    error: String,
    /// `--baseline` only: what changed since the earlier audit; null when the
    /// line has no domain to match with the baseline.
    #[serde(skip_serializing_if = "Option::is_none")]
    changes: Option<Option<DomainChanges>>,
}

/// `--baseline`: a domain of the earlier audit that this audit does not have.
#[derive(JsonSchema)]
#[allow(dead_code)]
pub struct RemovedLine {
    /// The organization in the earlier audit.
    org: Option<String>,
    /// The domain.
    domain: String,
    /// Always true.
    #[schemars(extend("const" = true))]
    removed: bool,
    /// `status` is `removed`; `codes_removed` holds its earlier codes.
    changes: DomainChanges,
}

/// The schemas, by the file name under `docs/schema/` (without `.json`).
pub const NAMES: [&str; 5] = ["check", "audit-line", "explain", "records", "fix"];

/// The settings every published schema is generated with: JSON Schema
/// draft 2020-12, describing serialized values. The OpenAPI document uses
/// them too, with its own definitions path.
pub fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12().for_serialize()
}

/// Adds the schema of the type printed as `name` (one of [`NAMES`]) to
/// `generator` and returns a reference to it: the OpenAPI document's way of
/// sharing the CLI's shapes.
pub fn subschema(generator: &mut SchemaGenerator, name: &str) -> Option<Schema> {
    Some(match name {
        "check" => generator.subschema_for::<DomainReport>(),
        "audit-line" => generator.subschema_for::<AuditLine>(),
        "explain" => generator.subschema_for::<RecordReport>(),
        "records" => generator.subschema_for::<Vec<PublishRecord>>(),
        "fix" => generator.subschema_for::<FixOutput>(),
        _ => return None,
    })
}

/// Adds the schema of a workspace manifest entry (docs/manifest.md), the body
/// of `POST /api/v1/check`, to `generator` (one for **deserialized** values:
/// a field that may be left out is optional) and returns a reference to it.
pub fn manifest_entry(generator: &mut SchemaGenerator) -> Schema {
    generator.subschema_for::<crate::manifest::RawEntry>()
}

/// The schema `name` (one of [`NAMES`]) as pretty JSON with a final newline.
pub fn schema(name: &str) -> Option<String> {
    let generator = settings().into_generator();
    let schema = match name {
        "check" => generator.into_root_schema_for::<DomainReport>(),
        "audit-line" => generator.into_root_schema_for::<AuditLine>(),
        "explain" => generator.into_root_schema_for::<RecordReport>(),
        "records" => generator.into_root_schema_for::<Vec<PublishRecord>>(),
        "fix" => generator.into_root_schema_for::<FixOutput>(),
        _ => return None,
    };
    serde_json::to_string_pretty(&schema).ok().map(|mut s| {
        s.push('\n');
        s
    })
}

/// What a request field must look like to be accepted (the manifest entry's patterns).
pub use crate::manifest::patterns;
