//! A manifest entry as written (`RawEntry`) turned into a setup and the SES
//! statuses the manifest gives.

use sendlint_records::display::quote;
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_ses::{SesStatus, Setup};
use serde::Deserialize;

use super::Entry;
use crate::ses_facts::SesState;

/// A workspace manifest entry (docs/manifest.md), also the body of
/// `POST /api/v1/check`. Its schema (`sendlint::schema`) states what an entry
/// must look like to be checked: a value the patterns allow is accepted.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(rename = "Setup"))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawEntry {
    /// The organization that owns the domain.
    org: Option<String>,
    /// The sending domain (at least two labels; letters, digits, hyphens;
    /// internationalized names are accepted too and checked as their A-labels).
    #[cfg_attr(feature = "schema", schemars(regex(pattern = super::patterns::DOMAIN), length(max = super::patterns::DOMAIN_MAX)))]
    domain: String,
    /// The SES region of the identity.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = sendlint_ses::SES_REGIONS)))]
    region: String,
    /// The MAIL FROM domain: a label (`send`, the default) or a full name
    /// under `domain` (which the schema cannot compare, so it shows the label form).
    #[cfg_attr(feature = "schema", schemars(regex(pattern = super::patterns::LABEL)))]
    mail_from: Option<String>,
    /// The DKIM selector given to SES: 1–63 letters, digits, inner hyphens.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = super::patterns::SELECTOR)))]
    dkim_selector: String,
    /// The DKIM public key given to SES: base64 of the DER SubjectPublicKeyInfo of an
    /// RSA key (the schema shows a 2048-bit key; PEM and other sizes are accepted too).
    #[cfg_attr(feature = "schema", schemars(regex(pattern = super::patterns::RSA_2048_SPKI)))]
    dkim_public_key: Option<String>,
    /// The From addresses the domain sends as.
    #[serde(default)]
    from_addresses: Vec<String>,
    /// What SES says, in the SESv2 status spellings.
    #[serde(default, deserialize_with = "ses_object")]
    ses: Option<RawSes>,
    /// When the domain was submitted to SES (RFC 3339), for the 72-hour window.
    #[cfg_attr(feature = "schema", schemars(regex(pattern = super::patterns::RFC3339)))]
    submitted_at: Option<String>,
}

/// `ses` as an object, or null: serde alone would also read a struct from an
/// array (`"ses": [null, "SUCCESS"]`), which no manifest means.
fn ses_object<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<RawSes>, D::Error> {
    let Some(map) = Option::<serde_json::Map<String, serde_json::Value>>::deserialize(d)? else {
        return Ok(None);
    };
    RawSes::deserialize(serde_json::Value::Object(map)).map(Some).map_err(serde::de::Error::custom)
}

/// SES verification statuses of a manifest entry.
#[derive(Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema), schemars(rename = "SesStatuses"))]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSes {
    /// The DKIM status.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = super::patterns::SES_STATUSES)))]
    dkim: Option<String>,
    /// The MAIL FROM status.
    #[cfg_attr(feature = "schema", schemars(extend("enum" = super::patterns::SES_STATUSES)))]
    mail_from: Option<String>,
}

fn parse_status(s: &str) -> Result<SesStatus, String> {
    s.parse::<SesStatus>().map_err(|_| {
        format!(
            "unknown SES status {}: use NOT_STARTED, PENDING, SUCCESS, FAILED or TEMPORARY_FAILURE",
            quote(s)
        )
    })
}

pub(super) fn entry_setup(e: RawEntry) -> Result<Entry, String> {
    let domain = DomainName::parse_input(&e.domain)
        .map_err(|err| format!("domain {} is not a domain name: {err}", quote(&e.domain)))?;
    let mut setup = Setup::new(domain, &e.region, &e.dkim_selector).map_err(|err| err.to_string())?;
    if let Some(m) = &e.mail_from {
        setup = setup.with_mail_from(m).map_err(|err| err.to_string())?;
    }
    if let Some(k) = &e.dkim_public_key {
        let key = PublicKey::parse(k).map_err(|err| format!("dkim_public_key: {err}"))?;
        setup = setup.with_public_key(key);
    }
    if let Some(t) = &e.submitted_at {
        setup = setup.with_submitted_at(t).map_err(|err| err.to_string())?;
    }
    setup = setup.with_from_addresses(e.from_addresses);
    let ses = match e.ses {
        Some(s) => SesState {
            dkim: s.dkim.as_deref().map(parse_status).transpose()?,
            mail_from: s.mail_from.as_deref().map(parse_status).transpose()?,
        },
        None => SesState::default(),
    };
    Ok(Entry { org: e.org, setup, ses })
}
