//! The report of one domain: the JSON shape of docs/json.md, also the input of the
//! human renderer.

use sendlint_records::Role;
use sendlint_rules::Severity;
use sendlint_ses::Badge;
use serde::Serialize;

/// Everything sendlint found out about one sending domain.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DomainReport {
    /// The organization that owns the domain (manifest entries), else null.
    pub org: Option<String>,
    /// The sending domain.
    pub domain: String,
    /// The zone apex holding the domain, when it could be found.
    pub zone: Option<String>,
    /// The DNS host detected from the apex NS records (or given with `--registrar`).
    #[serde(rename = "dns_host")]
    pub provider: Option<String>,
    /// SPF MX, SPF TXT and DKIM are all Verified.
    pub sending_unlocked: bool,
    /// Whether SES state was part of the decision.
    pub ses_consulted: bool,
    /// One entry per published record, in role order.
    pub records: Vec<RecordReport>,
    /// Diagnoses about the domain as a whole.
    pub diagnoses: Vec<DiagnosisReport>,
}

/// One published record: where it should be, what it should say, what DNS
/// said, and its badge.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RecordReport {
    /// The record's role.
    pub role: Role,
    /// The name it is expected at.
    pub name: String,
    /// `MX` or `TXT`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["MX", "TXT"])))]
    pub rtype: &'static str,
    /// The value it should have.
    pub expected: String,
    /// Where the observed records were found when not at `name` (a misplaced record).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub found_at: Option<String>,
    /// The records DNS returned, one string per record: the data with control
    /// bytes and invalid UTF-8 escaped (`\xNN`). Label offsets index into these.
    pub observed: Vec<String>,
    /// The badge.
    pub state: Badge,
    /// What is wrong with it, most specific cause only.
    pub diagnoses: Vec<DiagnosisReport>,
}

/// One diagnosis as reported.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DiagnosisReport {
    /// Stable code, e.g. `dkim.quoted-value`.
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: String,
    /// The DNS provider whose advice was applied, else null.
    #[serde(rename = "registrar")]
    pub provider: Option<String>,
    /// Byte ranges into `observed` strings.
    pub labels: Vec<LabelReport>,
    /// Every record this one fault affects, when it is more than the record
    /// holding the diagnosis (e.g. a proxied name holding both MAIL FROM
    /// records): the diagnosis is reported once, on the first of them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub records: Vec<AffectedRecord>,
}

/// A record a shared diagnosis affects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AffectedRecord {
    /// Its role.
    pub role: Role,
    /// Its name.
    pub name: String,
    /// `MX` or `TXT`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["MX", "TXT"])))]
    pub rtype: &'static str,
}

/// A labelled byte range of an observed record.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LabelReport {
    /// Byte offset into `observed[record]`.
    pub offset: usize,
    /// Length in bytes.
    pub length: usize,
    /// What the range shows.
    pub text: String,
    /// Which observed record the range is in.
    pub record: usize,
}

impl DomainReport {
    /// True when any record or the domain has a diagnosis of `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.records
            .iter()
            .flat_map(|r| &r.diagnoses)
            .chain(&self.diagnoses)
            .filter(|d| d.severity == severity)
            .count()
    }

    /// Every code reported, record diagnoses first, in report order.
    pub fn codes(&self) -> Vec<&str> {
        self.records
            .iter()
            .flat_map(|r| &r.diagnoses)
            .chain(&self.diagnoses)
            .map(|d| d.code.as_str())
            .collect()
    }

    /// The record report of `role`.
    pub fn record(&self, role: Role) -> Option<&RecordReport> {
        self.records.iter().find(|r| r.role == role)
    }
}
