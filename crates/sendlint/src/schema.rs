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
pub const NAMES: [&str; 4] = ["check", "audit-line", "explain", "records"];

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
        _ => return None,
    };
    serde_json::to_string_pretty(&schema).ok().map(|mut s| {
        s.push('\n');
        s
    })
}

/// What a request field must look like to be accepted, as JSON Schema
/// patterns (ECMA 262 syntax that Python's `re` reads the same way, so
/// generators such as schemathesis can produce values from them).
pub mod patterns {
    /// A host label: letters, digits, inner hyphens, 1–63 characters.
    pub const LABEL: &str = "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";
    /// An SES DKIM selector: one label (SPEC §1).
    pub const SELECTOR: &str = LABEL;
    /// A sending domain: two labels or more, the last starting with a letter
    /// (so never an IP address), an optional final dot. Its length is bounded
    /// separately: the DKIM name `S._domainkey.D` must fit in 253 characters
    /// with any selector.
    pub const DOMAIN: &str = "^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?$";
    /// The longest sending domain: `S._domainkey.D` with a 63-character
    /// selector is then 253 characters, the most a DNS name may hold.
    pub const DOMAIN_MAX: usize = 253 - 63 - ".".len() - "_domainkey.".len();
    /// The base64 of the DER SubjectPublicKeyInfo of a 2048-bit RSA key
    /// with exponent 65537: a fixed header, the modulus (top bit set), then
    /// `0x02 0x03 0x01 0x00 0x01`.
    pub const RSA_2048_SPKI: &str =
        "^MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA[g-z0-9+/][A-Za-z0-9+/]{339}[A-Za-z0-9+/][AQgw]IDAQAB$";
    /// An RFC 3339 time from 1971 on, `Z` or a numeric offset; a day that
    /// exists in every year (29 February is accepted by the server too).
    pub const RFC3339: &str = "^(?:19[89][0-9]|197[1-9]|[2-9][0-9]{3})-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$";
    /// The SESv2 verification statuses, and null (not known).
    pub const SES_STATUSES: [Option<&str>; 6] = [
        Some("NOT_STARTED"),
        Some("PENDING"),
        Some("SUCCESS"),
        Some("FAILED"),
        Some("TEMPORARY_FAILURE"),
        None,
    ];
}
