//! What SES says about a domain identity: the part of `GetEmailIdentity` that
//! sendlint judges, from the live API (crate `sendlint-ses-client`) or from the
//! JSON that `aws sesv2 get-email-identity` prints ([`SesIdentity::from_json`]).
//!
//! Everything is optional and kept as SES spelled it: SES adds enum values over
//! time (signing origins per region, new error types), and a value we do not
//! know must reach the rules as text rather than fail the whole check. The
//! verification statuses are the exception: they decide badges and whether the
//! domain may send, so a status that is not one of the five SESv2 values is bad
//! input ([`SesIdentity::from_json`] fails on it, pointing at it, as the
//! manifest does), never a guess.

use std::time::{Duration, SystemTime};

use serde::Deserialize;

use crate::badge::SesStatus;
use crate::setup::parse_rfc3339;

/// A domain identity as `GetEmailIdentity` describes it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SesIdentity {
    /// `VerificationStatus` of the identity, as spelled by SES.
    pub verification_status: Option<String>,
    /// `DkimAttributes`.
    pub dkim: Option<DkimAttributes>,
    /// `MailFromAttributes`.
    pub mail_from: Option<MailFromAttributes>,
    /// `VerificationInfo`.
    pub verification_info: Option<VerificationInfo>,
}

/// `DkimAttributes` of an identity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DkimAttributes {
    /// `SigningEnabled`.
    pub signing_enabled: Option<bool>,
    /// `Status`, e.g. `PENDING`.
    pub status: Option<String>,
    /// `Tokens`: the selector for BYODKIM, the Easy DKIM CNAME tokens otherwise.
    pub tokens: Vec<String>,
    /// `SigningAttributesOrigin`: `EXTERNAL` for BYODKIM, `AWS_SES` (or a
    /// regional `AWS_SES_…` value) for Easy DKIM.
    pub signing_attributes_origin: Option<String>,
}

/// `MailFromAttributes` of an identity.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MailFromAttributes {
    /// `MailFromDomain`; empty when no custom MAIL FROM is configured.
    pub mail_from_domain: String,
    /// `MailFromDomainStatus`, e.g. `SUCCESS`.
    pub status: Option<String>,
    /// `BehaviorOnMxFailure`: `USE_DEFAULT_VALUE` or `REJECT_MESSAGE`.
    pub behavior_on_mx_failure: Option<String>,
}

/// `VerificationInfo` of an identity: how SES's last check went.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct VerificationInfo {
    /// `ErrorType`: `HOST_NOT_FOUND`, `TYPE_NOT_FOUND`, `INVALID_VALUE`,
    /// `DNS_SERVER_ERROR`, `SERVICE_ERROR`, …
    pub error_type: Option<String>,
    /// `SOARecord`: the SOA SES saw for the zone at its last check.
    pub soa: Option<SoaRecord>,
    /// `LastCheckedTimestamp`.
    pub last_checked: Option<SystemTime>,
    /// `LastSuccessTimestamp`.
    pub last_success: Option<SystemTime>,
}

/// The SOA record SES saw at its last check.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SoaRecord {
    /// `PrimaryNameServer`.
    pub primary_name_server: Option<String>,
    /// `AdminEmail`.
    pub admin_email: Option<String>,
    /// `SerialNumber`.
    pub serial_number: Option<i64>,
}

/// What asking SES about an identity gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SesLookup {
    /// SES knows the identity.
    Found(Box<SesIdentity>),
    /// SES does not know the identity in that account and region (`NotFoundException`).
    NotFound {
        /// SES's own words, when it gave any.
        message: String,
    },
    /// SES could not be asked (credentials, throttling, network, a malformed answer).
    Failed {
        /// What went wrong, for people.
        message: String,
    },
}

impl SesLookup {
    /// The DKIM and MAIL FROM statuses that drive the badges: `(dkim, mail_from)`.
    ///
    /// - A found identity: DKIM from `DkimAttributes.Status` (else the identity's
    ///   `VerificationStatus`, else `NOT_STARTED`); MAIL FROM from
    ///   `MailFromDomainStatus`, or `NOT_STARTED` when no MAIL FROM is configured
    ///   (SES never checks records it was not told about, so they cannot be Verified).
    /// - An identity SES does not know: `NOT_STARTED` for both.
    /// - A failed call: unknown (DNS-only badges).
    ///
    /// A status spelled in a way we do not know counts as unknown.
    pub fn statuses(&self) -> (Option<SesStatus>, Option<SesStatus>) {
        let parse = |s: Option<&String>| s.and_then(|s| s.parse::<SesStatus>().ok());
        match self {
            SesLookup::Found(id) => {
                let dkim =
                    id.dkim.as_ref().and_then(|d| d.status.as_ref()).or(id.verification_status.as_ref());
                let dkim = match dkim {
                    Some(s) => parse(Some(s)),
                    None => Some(SesStatus::NotStarted),
                };
                let mail_from = match &id.mail_from {
                    Some(m) if !m.mail_from_domain.is_empty() => match &m.status {
                        Some(s) => parse(Some(s)),
                        None => Some(SesStatus::NotStarted),
                    },
                    _ => Some(SesStatus::NotStarted),
                };
                (dkim, mail_from)
            }
            SesLookup::NotFound { .. } => (Some(SesStatus::NotStarted), Some(SesStatus::NotStarted)),
            SesLookup::Failed { .. } => (None, None),
        }
    }

    /// The identity, when SES knows it.
    pub fn identity(&self) -> Option<&SesIdentity> {
        match self {
            SesLookup::Found(id) => Some(id.as_ref()),
            _ => None,
        }
    }

    /// `found`, `not_found` or `failed`: the `ses_lookup` fact.
    pub fn kind(&self) -> &'static str {
        match self {
            SesLookup::Found(_) => "found",
            SesLookup::NotFound { .. } => "not_found",
            SesLookup::Failed { .. } => "failed",
        }
    }

    /// What went wrong, for a failed call or an unknown identity; else "".
    pub fn message(&self) -> &str {
        match self {
            SesLookup::Found(_) => "",
            SesLookup::NotFound { message } | SesLookup::Failed { message } => message,
        }
    }
}

/// A saved `GetEmailIdentity` answer that could not be read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("not a GetEmailIdentity answer (line {line}, column {column}): {reason}")]
pub struct SesStateError {
    /// 1-based line of the problem.
    pub line: usize,
    /// 1-based column of the problem.
    pub column: usize,
    /// What is wrong.
    pub reason: String,
}

impl SesIdentity {
    /// Reads the JSON that `aws sesv2 get-email-identity --email-identity D`
    /// prints (PascalCase keys). Timestamps may be epoch seconds (the wire
    /// format, and the CLI with `cli_timestamp_format = none`) or ISO 8601
    /// text (the CLI's default). Unknown keys are ignored: SES adds fields.
    pub fn from_json(text: &str) -> Result<SesIdentity, SesStateError> {
        let raw: RawIdentity = serde_json::from_str(text).map_err(|e| SesStateError {
            line: e.line(),
            column: e.column(),
            reason: e.to_string(),
        })?;
        raw.into_identity()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawIdentity {
    #[serde(default)]
    verification_status: Option<KnownStatus>,
    #[serde(default)]
    dkim_attributes: Option<RawDkim>,
    #[serde(default)]
    mail_from_attributes: Option<RawMailFrom>,
    #[serde(default)]
    verification_info: Option<RawVerificationInfo>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawDkim {
    #[serde(default)]
    signing_enabled: Option<bool>,
    #[serde(default)]
    status: Option<KnownStatus>,
    #[serde(default)]
    tokens: Option<Vec<String>>,
    #[serde(default)]
    signing_attributes_origin: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawMailFrom {
    #[serde(default)]
    mail_from_domain: Option<String>,
    #[serde(default)]
    mail_from_domain_status: Option<KnownStatus>,
    #[serde(default)]
    behavior_on_mx_failure: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawVerificationInfo {
    #[serde(default)]
    error_type: Option<String>,
    #[serde(default, rename = "SOARecord")]
    soa_record: Option<RawSoa>,
    #[serde(default)]
    last_checked_timestamp: Option<serde_json::Value>,
    #[serde(default)]
    last_success_timestamp: Option<serde_json::Value>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawSoa {
    #[serde(default)]
    primary_name_server: Option<String>,
    #[serde(default)]
    admin_email: Option<String>,
    #[serde(default)]
    serial_number: Option<i64>,
}

impl RawIdentity {
    fn into_identity(self) -> Result<SesIdentity, SesStateError> {
        let verification_info = match self.verification_info {
            Some(v) => Some(VerificationInfo {
                error_type: v.error_type,
                soa: v.soa_record.map(|s| SoaRecord {
                    primary_name_server: s.primary_name_server,
                    admin_email: s.admin_email,
                    serial_number: s.serial_number,
                }),
                last_checked: timestamp(v.last_checked_timestamp, "LastCheckedTimestamp")?,
                last_success: timestamp(v.last_success_timestamp, "LastSuccessTimestamp")?,
            }),
            None => None,
        };
        Ok(SesIdentity {
            verification_status: self.verification_status.map(|s| s.0),
            dkim: self.dkim_attributes.map(|d| DkimAttributes {
                signing_enabled: d.signing_enabled,
                status: d.status.map(|s| s.0),
                tokens: d.tokens.unwrap_or_default(),
                signing_attributes_origin: d.signing_attributes_origin,
            }),
            mail_from: self.mail_from_attributes.map(|m| MailFromAttributes {
                mail_from_domain: m.mail_from_domain.unwrap_or_default(),
                status: m.mail_from_domain_status.map(|s| s.0),
                behavior_on_mx_failure: m.behavior_on_mx_failure,
            }),
            verification_info,
        })
    }
}

/// A verification status spelled as SESv2 spells it; anything else fails the
/// parse where it stands, so the error points at the value.
struct KnownStatus(String);

impl<'de> Deserialize<'de> for KnownStatus {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        match text.parse::<SesStatus>() {
            Ok(_) => Ok(KnownStatus(text)),
            Err(e) => Err(serde::de::Error::custom(e)),
        }
    }
}

impl SesIdentity {
    /// The first verification status (`VerificationStatus`, `DkimAttributes.Status`,
    /// `MailFromAttributes.MailFromDomainStatus`) that is not an SESv2 value, as
    /// `(where, value)`: an answer that carries one cannot be judged.
    pub fn unknown_status(&self) -> Option<(&'static str, &str)> {
        let statuses = [
            ("VerificationStatus", self.verification_status.as_deref()),
            ("DkimAttributes.Status", self.dkim.as_ref().and_then(|d| d.status.as_deref())),
            (
                "MailFromAttributes.MailFromDomainStatus",
                self.mail_from.as_ref().and_then(|m| m.status.as_deref()),
            ),
        ];
        statuses
            .into_iter()
            .find_map(|(at, s)| s.filter(|s| s.parse::<SesStatus>().is_err()).map(|s| (at, s)))
    }
}

/// Epoch seconds (possibly fractional) or RFC 3339 / ISO 8601 text.
fn timestamp(value: Option<serde_json::Value>, key: &str) -> Result<Option<SystemTime>, SesStateError> {
    let bad = |reason: String| SesStateError { line: 1, column: 1, reason: format!("{key}: {reason}") };
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => {
            let secs = n.as_f64().filter(|s| s.is_finite() && *s >= 0.0 && *s < 1e11);
            let secs = secs.ok_or_else(|| bad(format!("{n} is not a time in epoch seconds")))?;
            Ok(Some(SystemTime::UNIX_EPOCH + Duration::from_secs_f64(secs)))
        }
        Some(serde_json::Value::String(s)) => parse_rfc3339(&s)
            .map(Some)
            .map_err(|_| bad(format!("{s:?} is not an ISO 8601 time such as 2026-11-24T10:00:00Z"))),
        Some(other) => Err(bad(format!("{other} is not a time"))),
    }
}

/// `2026-11-24T10:00:00Z`, whole seconds: how the `ses_last_checked` facts print times.
pub fn format_time(t: SystemTime) -> String {
    let secs = t.duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    humantime::format_rfc3339_seconds(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}
