//! Explain one record as a customer pasted it or `dig` printed it, without
//! looking anything up.

use sendlint_records::display::{escape, terminal_safe};
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use sendlint_records::extract::{self, Expectation};
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_records::{Fact, Facts, Role, mx, txt};
use sendlint_rules::{RuleSet, Severity};
use sendlint_ses::{BadgeInput, DnsState, decide, expected_exchange};
use thiserror::Error;

use crate::report::RecordReport;
use crate::view::{report_diagnosis, view_of_data};

/// What to explain.
#[derive(Clone, Debug)]
pub struct ExplainInput {
    /// Which record the text is meant to be.
    pub role: Role,
    /// The text: `dig` output, zone-file presentation, or a pasted value; one record per line.
    pub raw: String,
    /// What it should be: the MX value, the DKIM key (`p=…`, base64 or PEM), …
    pub expected: Option<String>,
    /// The SES region (for the MX target); taken from `expected` when it names one.
    pub region: Option<String>,
    /// The sending domain, when known (finds doubled suffixes in MX targets).
    pub domain: Option<String>,
    /// Advice for this DNS provider.
    pub registrar: Option<String>,
}

/// The text could not be decoded, or the expectation is unusable.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(code(sendlint::explain))]
pub struct ExplainError {
    message: String,
    #[source_code]
    src: NamedSource<Arc<str>>,
    #[label("here")]
    at: Option<SourceSpan>,
}

fn input_error(message: String, what: &str, text: &str, at: Option<usize>) -> ExplainError {
    ExplainError {
        message,
        src: NamedSource::new(what, Arc::from(terminal_safe(text).as_ref())),
        at: at.map(|o| SourceSpan::from((o.min(text.len()), 0))),
    }
}

/// The region an MX value like `10 feedback-smtp.eu-west-1.amazonses.com` names.
fn region_of(value: &str) -> Option<String> {
    let host = value.split_whitespace().last()?.trim_end_matches('.').to_ascii_lowercase();
    let rest = host.strip_prefix("feedback-smtp.")?;
    let region = rest.strip_suffix(".amazonses.com")?;
    (!region.is_empty() && !region.contains('.')).then(|| region.to_owned())
}

/// The key inside an expected DKIM value: `p=…` in a tag-list, or the key itself.
fn expected_key(value: &str) -> Result<PublicKey, String> {
    let key_text = value.split(';').map(str::trim).find_map(|t| t.strip_prefix("p=")).unwrap_or(value);
    PublicKey::parse(key_text).map_err(|e| format!("the expected key does not decode: {e}"))
}

/// Explains `input.raw` as a record of `input.role`.
pub fn explain(input: &ExplainInput, rules: &RuleSet) -> Result<RecordReport, ExplainError> {
    let role = input.role;
    if role == Role::Domain {
        return Err(input_error(
            "explain takes a record role: spf_mx, spf_txt, dkim or dmarc".into(),
            "role",
            "",
            None,
        ));
    }
    let region =
        input.region.clone().or_else(|| input.expected.as_deref().and_then(region_of)).unwrap_or_default();
    let domain = match &input.domain {
        Some(d) => DomainName::parse_input(d).map_err(|e| {
            input_error(
                format!("--domain `{}` is not a domain name: {e}", escape(d.as_bytes()).text),
                "domain",
                d,
                None,
            )
        })?,
        None => {
            DomainName::parse("domain.invalid").map_err(|e| input_error(e.to_string(), "domain", "", None))?
        }
    };
    let key = match (role, &input.expected) {
        (Role::Dkim, Some(v)) => Some(expected_key(v).map_err(|m| input_error(m, "--expected", v, None))?),
        _ => None,
    };
    let mail_from = domain.prepend_label(b"send").unwrap_or_else(|_| domain.clone());
    let exp = Expectation {
        region: &region,
        domain: &domain,
        zone: None,
        mail_from: &mail_from,
        expected_key: key.as_ref(),
    };

    let (mut facts, view, empty) = if role == Role::SpfMx {
        let records = mx::parse_text(&input.raw).map_err(|e| {
            input_error(format!("not an MX record: {e}"), "input", &input.raw, Some(e.offset))
        })?;
        let mut facts = extract::mx_facts(&records, &exp);
        if region.is_empty() {
            // Without a region to compare with, do not call any SES target wrong.
            facts.set(Fact::ExchangeCorrect, facts.flag(Fact::TargetIsSes));
        }
        let shown: Vec<String> = records.iter().map(|m| m.presentation()).collect();
        let view = view_of_data(shown.iter().map(String::as_bytes));
        (facts, view, records.is_empty())
    } else {
        let records = txt::parse_text(&input.raw).map_err(|e| {
            input_error(format!("not a TXT record: {e}"), "input", &input.raw, Some(e.offset))
        })?;
        let facts = extract::txt_facts(role, &records, &exp);
        let data: Vec<Vec<u8>> = records.iter().map(|t| t.data()).collect();
        let view = view_of_data(data.iter().map(Vec::as_slice));
        (facts, view, records.is_empty())
    };
    let found = facts.flag(Fact::Found);
    facts.set(Fact::Absent, !found);
    facts.set(Fact::LookupFailed, false);
    facts.set(Fact::DoubledSuffix, false);
    facts.set(Fact::HasCname, false);
    set_context(&mut facts, input, &region, &domain);
    let expected_value = match (role, &input.expected) {
        (Role::SpfMx, _) if !region.is_empty() => format!("10 {}", expected_exchange(&region)),
        (_, Some(v)) => v.clone(),
        (Role::SpfMx, None) => "10 feedback-smtp.<region>.amazonses.com".to_owned(),
        (Role::SpfTxt, None) => "v=spf1 include:amazonses.com ~all".to_owned(),
        (Role::Dkim, None) => "p=<your public key>".to_owned(),
        (_, None) => match &input.domain {
            Some(_) => format!("v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}"),
            None => "v=DMARC1; p=none; rua=mailto:dmarc-reports@<your domain>".to_owned(),
        },
    };
    facts.set(Fact::Name, "this name");
    facts.set(Fact::Expected, expected_value.as_str());

    let diagnoses = rules.evaluate(role, &facts, input.registrar.as_deref());
    let dns = if empty || !found {
        DnsState::Absent
    } else if diagnoses.iter().any(|d| d.severity == Severity::Error) {
        DnsState::Wrong
    } else {
        DnsState::Correct
    };
    let badge = decide(&BadgeInput { role, dns, ses: None, since_submitted: None }).badge;
    Ok(RecordReport {
        role,
        name: String::new(),
        rtype: if role == Role::SpfMx { "MX" } else { "TXT" },
        expected: expected_value,
        found_at: None,
        observed: view.lines.iter().map(|e| e.text.clone()).collect(),
        state: badge,
        diagnoses: diagnoses.iter().map(|d| report_diagnosis(d, Some(&view))).collect(),
    })
}

fn set_context(facts: &mut Facts, input: &ExplainInput, region: &str, domain: &DomainName) {
    facts.set(Fact::Region, region);
    facts.set(Fact::Domain, input.domain.as_deref().map(|_| domain.to_string()).unwrap_or_default());
    facts.set(Fact::Provider, input.registrar.as_deref().unwrap_or_default());
    facts.set(
        Fact::ExpectedExchange,
        if region.is_empty() { String::new() } else { expected_exchange(region) },
    );
}
