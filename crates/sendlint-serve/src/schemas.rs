//! What the API reads and writes, as Rust types: the handlers answer with
//! these, and `components/schemas` of the OpenAPI document is generated from
//! them, from the engine's report types (the CLI's `--format json`, published
//! in docs/schema/) and from the manifest entry, so no shape is written twice.

use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema};
use sendlint::RecordReport;
use sendlint::publish::PublishRecord;
use sendlint::schema::AuditLine;
use sendlint_records::Role;
use sendlint_rules::Severity;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// An error answer: `{"error": {"code", "message"}}`.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Error")]
pub struct ErrorBody {
    /// What went wrong.
    pub error: ErrorDetail,
}

/// The error of an error answer.
#[derive(Serialize, JsonSchema)]
pub struct ErrorDetail {
    /// A stable machine-readable code, e.g. `bad_setup`.
    pub code: String,
    /// What went wrong, for a person.
    pub message: String,
}

/// The body of `POST /api/v1/explain`.
#[derive(Deserialize, JsonSchema)]
#[schemars(rename = "ExplainRequest")]
#[serde(deny_unknown_fields)]
pub struct ExplainBody {
    /// Which record it is.
    #[schemars(extend("enum" = ["spf_mx", "spf_txt", "dkim", "dmarc"]))]
    pub role: String,
    /// The record as `dig` printed it or as pasted; one record per line.
    pub raw: String,
    /// The value it should have (for `dkim`, the public key given to SES).
    pub expected: Option<String>,
    /// The SES region (empty: not known).
    #[schemars(extend("enum" = region_or_empty()))]
    pub region: Option<String>,
    /// The sending domain (empty: not known).
    #[schemars(regex(pattern = DOMAIN_OR_EMPTY), length(max = sendlint::schema::patterns::DOMAIN_MAX))]
    pub domain: Option<String>,
    /// Phrase the advice for this DNS provider (an id of `GET /api/v1/providers`).
    #[serde(rename = "registrar")]
    pub provider: Option<String>,
}

/// A domain name or nothing: explain's optional `domain`.
const DOMAIN_OR_EMPTY: &str = "^$|^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?$";

fn region_or_empty() -> Vec<Option<&'static str>> {
    let mut all: Vec<Option<&str>> = sendlint_ses::SES_REGIONS.iter().copied().map(Some).collect();
    all.push(Some(""));
    all.push(None);
    all
}

/// `GET /api/v1/records`: the records to publish.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "Records")]
pub struct RecordsAnswer {
    /// The sending domain.
    pub domain: String,
    /// The SES region.
    pub region: String,
    /// The DNS provider whose form the fields are for, else null.
    #[serde(rename = "registrar")]
    pub provider: Option<String>,
    /// That provider's name, else null.
    #[serde(rename = "provider")]
    pub provider_name: Option<String>,
    /// The zone relative host fields are relative to.
    pub zone: String,
    /// The zone is the public suffix list's guess (no `apex` given).
    pub zone_guessed: bool,
    /// The provider's notes about its form.
    pub notes: Vec<String>,
    /// The four records, in role order.
    pub records: Vec<PublishRecord>,
}

/// One rule, in a line.
#[derive(Serialize, JsonSchema)]
pub struct RuleSummary {
    /// Its code, e.g. `dkim.quoted-value`.
    pub code: String,
    /// Its severity.
    pub severity: Severity,
    /// The records it applies to.
    pub roles: Vec<Role>,
    /// The DNS provider it is specific to, else null.
    pub provider: Option<String>,
    /// The first line of its documentation.
    pub summary: String,
}

/// One rule's documentation.
#[derive(Serialize, JsonSchema)]
pub struct RuleDoc {
    #[serde(flatten)]
    /// The rule in a line.
    pub rule: RuleSummary,
    /// The documentation, by heading.
    pub docs: RuleDocs,
    /// The documentation page as Markdown.
    pub markdown: String,
    /// The rule file it comes from.
    pub source: String,
}

/// A rule's documentation, by heading.
#[derive(Serialize, JsonSchema)]
pub struct RuleDocs {
    /// What it does.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// An example.
    pub example: String,
    /// Where to read more.
    pub references: Vec<String>,
}

/// A DNS provider the rules know.
#[derive(Serialize, JsonSchema)]
pub struct ProviderSummary {
    /// Its id (the `registrar` of requests and reports).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Where its documentation is.
    pub docs: String,
}

/// `GET /api/v1/info`.
#[derive(Serialize, JsonSchema)]
pub struct Info {
    /// The server's version.
    pub version: String,
    /// It was started with a workspace manifest.
    pub workspace: bool,
    /// How often the page polls a domain, in seconds.
    pub poll_seconds: f64,
    /// How often the workspace is re-checked, in seconds.
    pub refresh_seconds: f64,
    /// It reads live SES state.
    pub ses: bool,
}

/// `GET /healthz`.
#[derive(Serialize, JsonSchema)]
pub struct Health {
    /// Always `ok`.
    #[schemars(extend("const" = "ok"))]
    pub status: &'static str,
}

/// `GET /api/v1/domains`: the workspace as of the last complete round.
#[derive(Serialize, JsonSchema)]
pub struct Workspace {
    /// End of the last complete round (RFC 3339); null before the first.
    #[schemars(with = "Option<DateTime>")]
    pub checked_at: Option<String>,
    /// How often the workspace is re-checked, in seconds.
    pub refresh_seconds: f64,
    /// The audit summary of the last round; null before the first.
    pub summary: Option<WorkspaceSummary>,
    /// One audit line per manifest entry, in manifest order.
    #[schemars(with = "Vec<AuditLine>")]
    pub domains: Vec<Value>,
}

/// The audit summary of a round.
#[derive(Clone, Debug, Default, Serialize, JsonSchema)]
pub struct WorkspaceSummary {
    /// Entries checked.
    pub total: usize,
    /// Domains whose sending is unlocked.
    pub unlocked: usize,
    /// Domains whose sending is not unlocked.
    pub not_unlocked: usize,
    /// Manifest entries that could not be read.
    pub bad_entries: usize,
    /// Checks that failed internally.
    pub crashed: usize,
    /// Role → badge → how many records have it.
    pub badges: BTreeMap<Role, BTreeMap<String, usize>>,
    /// The most frequent codes, with how many domains report each.
    pub top_codes: Vec<CodeCount>,
    /// DNS host → domains and how many are unlocked.
    pub providers: BTreeMap<String, ProviderCount>,
}

/// A code and how many domains report it.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct CodeCount {
    /// The code.
    pub code: String,
    /// Domains reporting it.
    pub domains: usize,
}

/// The domains of one DNS host.
#[derive(Clone, Debug, Serialize, JsonSchema)]
pub struct ProviderCount {
    /// Domains it hosts.
    pub domains: usize,
    /// Of those, unlocked.
    pub unlocked: usize,
}

/// `GET /api/v1/domains/{domain}`: the domain's audit line and when the
/// round that checked it ended.
#[derive(JsonSchema)]
#[allow(dead_code)] // only its schema is used: the line is served as JSON
pub struct DomainLine {
    #[serde(flatten)]
    line: AuditLine,
    /// End of the round that checked it (RFC 3339).
    checked_at: DateTime,
}

/// An RFC 3339 time, e.g. `2026-11-26T06:00:00Z`.
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct DateTime(#[schemars(extend("format" = "date-time"))] String);

/// `components/schemas`: every schema a route names, generated from the types.
pub fn schemas() -> Value {
    // Answers are described as serialized, requests as deserialized (a field
    // that may be left out is optional there): two generators, one namespace.
    let path = |s: &mut schemars::generate::SchemaSettings| s.definitions_path = "/components/schemas".into();
    let mut out = sendlint::schema::settings().with(path).into_generator();
    let mut named: Vec<(&str, Schema)> = vec![
        ("Error", out.subschema_for::<ErrorBody>()),
        ("DomainReport", sendlint::schema::subschema(&mut out, "check").unwrap_or_default()),
        ("RecordReport", out.subschema_for::<RecordReport>()),
        ("AuditLine", sendlint::schema::subschema(&mut out, "audit-line").unwrap_or_default()),
        ("DomainLine", out.subschema_for::<DomainLine>()),
        ("Workspace", out.subschema_for::<Workspace>()),
        ("Records", out.subschema_for::<RecordsAnswer>()),
        ("RuleList", out.subschema_for::<Vec<RuleSummary>>()),
        ("RuleDoc", out.subschema_for::<RuleDoc>()),
        ("ProviderList", out.subschema_for::<Vec<ProviderSummary>>()),
        ("Info", out.subschema_for::<Info>()),
        ("Health", out.subschema_for::<Health>()),
        ("FixAnswer", out.subschema_for::<crate::fix::FixAnswer>()),
        // Written, not derived: the document's own schema is left open. The
        // types of `crate::openapi` describe only the parts of OpenAPI 3.1
        // this document uses, so a schema derived from them would refuse a
        // valid document of another server.
        ("OpenApi", Schema::from(json!({"type": "object"}).as_object().cloned().unwrap_or_default())),
    ];
    let mut input = sendlint::schema::settings().for_deserialize().with(path).into_generator();
    named.push(("Setup", sendlint::schema::manifest_entry(&mut input)));
    named.push(("ExplainRequest", input.subschema_for::<ExplainBody>()));

    let mut all = Map::new();
    for generator in [&mut out, &mut input] {
        for (name, schema) in generator.take_definitions(true) {
            // a type both read and written must be described alike (the tests run with debug assertions)
            if let Some(before) = all.insert(name.clone(), schema.clone()) {
                debug_assert_eq!(before, schema, "two different schemas named {name}");
            }
        }
    }
    for (name, schema) in named {
        let own_ref = format!("#/components/schemas/{name}");
        if schema.get("$ref").and_then(Value::as_str) != Some(own_ref.as_str()) {
            all.insert(name.to_owned(), schema.to_value());
        }
    }
    // The body of `POST /api/v1/fix`: a setup and `as`. The setup's schema
    // refuses fields it does not name, so the request is the setup's schema
    // with `as` added, not a composition of two.
    if let Some(Value::Object(setup)) = all.get("Setup").cloned() {
        let mut fix = setup;
        fix.insert("title".to_owned(), json!("FixRequest"));
        if let Some(Value::Object(props)) = fix.get_mut("properties") {
            props.insert(
                "as".to_owned(),
                json!({
                    "description": "The form of the change-set (`sendlint fix --as`); left out, the DNS host's own (`cloudflare`, `route53`), else `human`.",
                    "type": "string",
                    "enum": crate::fix::form_names(),
                }),
            );
        }
        all.insert("FixRequest".to_owned(), Value::Object(fix));
    }
    Value::Object(all)
}
