//! The records a customer publishes for a [`Setup`].

use crate::setup::Setup;
use sendlint_records::Role;
use sendlint_records::name::DomainName;

/// What goes in the DKIM value when the public key is not known.
pub const UNKNOWN_KEY_PLACEHOLDER: &str = "<your public key>";

/// The SPF record SES needs at the MAIL FROM name.
pub const SPF_VALUE: &str = "v=spf1 include:amazonses.com ~all";

/// One record to publish: where, which type, and the value as it is typed
/// into a DNS provider's form.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedRecord {
    /// Which record.
    pub role: Role,
    /// Its full name, e.g. `send.mail.acme.com`.
    pub name: DomainName,
    /// `"MX"` or `"TXT"`.
    pub rtype: &'static str,
    /// The value, e.g. `10 feedback-smtp.us-east-1.amazonses.com`.
    pub value: String,
}

/// The MX exchange SES expects for MAIL FROM in `region`:
/// `feedback-smtp.<region>.amazonses.com`.
pub fn expected_exchange(region: &str) -> String {
    format!("feedback-smtp.{region}.amazonses.com")
}

/// The four records of `setup`, in role order `spf_mx`, `spf_txt`, `dkim`, `dmarc`.
pub fn expected_records(setup: &Setup) -> Vec<ExpectedRecord> {
    let dkim_value = match &setup.public_key {
        Some(key) => format!("p={}", key.base64()),
        None => format!("p={UNKNOWN_KEY_PLACEHOLDER}"),
    };
    vec![
        ExpectedRecord {
            role: Role::SpfMx,
            name: setup.mail_from.clone(),
            rtype: "MX",
            value: format!("10 {}", expected_exchange(&setup.region)),
        },
        ExpectedRecord {
            role: Role::SpfTxt,
            name: setup.mail_from.clone(),
            rtype: "TXT",
            value: SPF_VALUE.to_owned(),
        },
        ExpectedRecord { role: Role::Dkim, name: setup.dkim_name(), rtype: "TXT", value: dkim_value },
        ExpectedRecord {
            role: Role::Dmarc,
            name: setup.dmarc_name(),
            rtype: "TXT",
            value: format!("v=DMARC1; p=none; rua=mailto:dmarc-reports@{}", setup.domain),
        },
    ]
}
