//! Explain one record as a customer pasted it or `dig` printed it, without
//! looking anything up.

use sendlint_records::display::terminal_safe;
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
    let region = match input.region.clone().or_else(|| input.expected.as_deref().and_then(region_of)) {
        Some(r) => {
            sendlint_ses::check_region(&r)
                .map_err(|e| input_error(terminal_safe(&e.to_string()).into_owned(), "--region", &r, None))?;
            r
        }
        None => String::new(),
    };
    if let Some(at) = overlong_string(&input.raw) {
        return Err(ExplainError {
            message: format!(
                "a single character-string of {} bytes cannot be a DNS answer: each string of a TXT record holds at most 255 bytes, and DNS splits longer values into several strings of ONE record",
                at.1
            ),
            src: NamedSource::new("input", Arc::from(terminal_safe(&input.raw).as_ref())),
            at: Some(SourceSpan::from((at.0, 0))),
        });
    }
    // `dig` output names the record: use it for the name, and for the domain,
    // selector and MAIL FROM it implies when they were not given.
    let owner_text = match role {
        Role::SpfMx => mx::owner_name(&input.raw),
        _ => txt::owner_name(&input.raw),
    };
    let owner = owner_text.and_then(|o| DomainName::parse(o).ok());
    let implied = owner.as_ref().and_then(|o| implied_by_owner(role, o));
    let given_domain = match &input.domain {
        Some(d) => Some(DomainName::parse_input(d).map_err(|e| {
            input_error(terminal_safe(&format!("--domain {d:?}: {e}")).into_owned(), "domain", d, None)
        })?),
        None => None,
    };
    let known_domain = given_domain.or_else(|| implied.as_ref().map(|i| i.domain.clone()));
    let domain = match &known_domain {
        Some(d) => d.clone(),
        None => {
            DomainName::parse("domain.invalid").map_err(|e| input_error(e.to_string(), "domain", "", None))?
        }
    };
    // No DNS to ask for the apex: the public suffix list's guess.
    let zone = known_domain.as_ref().and_then(crate::public_suffix::registrable_domain);
    let key = match (role, &input.expected) {
        (Role::Dkim, Some(v)) => Some(expected_key(v).map_err(|m| input_error(m, "--expected", v, None))?),
        _ => None,
    };
    let mail_from = match (&owner, role) {
        (Some(o), Role::SpfMx | Role::SpfTxt) => o.clone(),
        _ => domain.prepend_label(b"send").unwrap_or_else(|_| domain.clone()),
    };
    let exp = Expectation {
        region: &region,
        domain: &domain,
        zone: zone.as_ref(),
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
        let mut facts = extract::txt_facts(role, &records, &exp);
        if let Some(v) = crate::context::record_value(role, &records) {
            facts.set(Fact::RecordValue, v);
        }
        let data: Vec<Vec<u8>> = records.iter().map(|t| t.data()).collect();
        let view = view_of_data(data.iter().map(Vec::as_slice));
        (facts, view, records.is_empty())
    };
    let found = facts.flag(Fact::Found);
    facts.set(Fact::Absent, !found);
    facts.set(Fact::LookupFailed, false);
    facts.set(Fact::DoubledSuffix, false);
    facts.set(Fact::HasCname, false);
    set_context(&mut facts, input, &region, known_domain.as_ref());
    if let Some(z) = &zone {
        facts.set(Fact::Zone, z.to_string());
    }
    if let Some(i) = &implied {
        if let Some(sel) = &i.selector {
            facts.set(Fact::Selector, sel.as_str());
        }
        if matches!(role, Role::SpfMx | Role::SpfTxt) {
            facts.set(Fact::MailFrom, mail_from.to_string());
        }
    }
    let expected_value = match (role, &input.expected) {
        (Role::SpfMx, _) if !region.is_empty() => format!("10 {}", expected_exchange(&region)),
        (_, Some(v)) => v.clone(),
        (Role::SpfMx, None) => "10 feedback-smtp.<region>.amazonses.com".to_owned(),
        (Role::SpfTxt, None) => "v=spf1 include:amazonses.com ~all".to_owned(),
        (Role::Dkim, None) => "p=<your public key>".to_owned(),
        (_, None) => {
            let rua = match &known_domain {
                Some(d) => format!("rua=mailto:dmarc-reports@{d}"),
                None => "rua=mailto:dmarc-reports@<your domain>".to_owned(),
            };
            // A domain that already has a policy keeps it (never suggest `p=none` to `p=reject`).
            match facts
                .str(Fact::RecordValue)
                .filter(|_| facts.str(Fact::Policy).is_some_and(|p| !p.is_empty()))
            {
                Some(own) if facts.flag(Fact::HasRua) => own.to_owned(),
                Some(own) => format!("{own}; {rua}"),
                None => format!("v=DMARC1; p=none; {rua}"),
            }
        }
    };
    // Unset without an owner: the templates then say "the record's name".
    let name = owner.as_ref().map(ToString::to_string).unwrap_or_default();
    if let (Some(o), Some(z)) = (&owner, &zone)
        && let Some(rel) = crate::context::relative_name(o, z)
    {
        facts.set(Fact::RelativeName, rel);
    }
    facts.set(Fact::Name, name.as_str());
    facts.set(Fact::Expected, expected_value.as_str());

    let diagnoses = rules.evaluate(role, &facts, input.registrar.as_deref());
    // A record receivers do not recognise as DMARC is present, and wrong.
    let dns = if empty || (!found && !facts.flag(Fact::NotRecognized)) {
        DnsState::Absent
    } else if diagnoses.iter().any(|d| d.severity == Severity::Error) {
        DnsState::Wrong
    } else {
        DnsState::Correct
    };
    let badge = decide(&BadgeInput { role, dns, ses: None, since_submitted: None }).badge;
    Ok(RecordReport {
        role,
        name,
        rtype: if role == Role::SpfMx { "MX" } else { "TXT" },
        expected: expected_value,
        found_at: None,
        observed: view.lines.iter().map(|e| e.text.clone()).collect(),
        state: badge,
        diagnoses: diagnoses.iter().map(|d| report_diagnosis(d, Some(&view))).collect(),
    })
}

fn set_context(facts: &mut Facts, input: &ExplainInput, region: &str, domain: Option<&DomainName>) {
    facts.set(Fact::Region, region);
    facts.set(Fact::Domain, domain.map(ToString::to_string).unwrap_or_default());
    facts.set(Fact::Provider, input.registrar.as_deref().unwrap_or_default());
    facts.set(
        Fact::ExpectedExchange,
        if region.is_empty() { String::new() } else { expected_exchange(region) },
    );
}

/// What the owner name of a record of `role` says about the setup.
struct Implied {
    domain: DomainName,
    selector: Option<String>,
}

/// `send.mail.acme.com` (MAIL FROM) → `mail.acme.com`; `sf1._domainkey.mail.acme.com`
/// → `mail.acme.com` and selector `sf1`; `_dmarc.mail.acme.com` → `mail.acme.com`.
fn implied_by_owner(role: Role, owner: &DomainName) -> Option<Implied> {
    let labels: Vec<&[u8]> = owner.labels().collect();
    let rest = |from: usize| DomainName::from_labels(labels.get(from..)?.iter().cloned()).ok();
    let domain_ok = |d: &DomainName| d.label_count() >= 2;
    match role {
        Role::SpfMx | Role::SpfTxt => {
            let d = rest(1)?;
            domain_ok(&d).then_some(Implied { domain: d, selector: None })
        }
        Role::Dkim => {
            let at = labels.iter().position(|l| l.eq_ignore_ascii_case(b"_domainkey"))?;
            let d = rest(at + 1)?;
            let selector = (at == 1).then(|| String::from_utf8_lossy(labels[0]).into_owned());
            domain_ok(&d).then_some(Implied { domain: d, selector })
        }
        Role::Dmarc => {
            if !labels.first()?.eq_ignore_ascii_case(b"_dmarc") {
                return None;
            }
            let d = rest(1)?;
            domain_ok(&d).then_some(Implied { domain: d, selector: None })
        }
        Role::Domain => None,
    }
}

/// A DNS answer's TXT strings are at most 255 bytes: an unquoted string of a
/// `dig` answer line longer than that was not printed by DNS (a pasted value
/// alone is split as a form would; quoted strings are read leniently).
/// Returns its offset and length in bytes (escapes counted once).
fn overlong_string(raw: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in raw.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_start();
        let lead = line.len() - body.len();
        let data = if body.starts_with('"') {
            None
        } else {
            // `owner [ttl] [class] TXT data`
            let mut idx = lead;
            let mut found = None;
            for (i, tok) in body.split_ascii_whitespace().enumerate().take(4) {
                let at = line[idx..].find(tok).map_or(idx, |p| idx + p);
                idx = at + tok.len();
                if i > 0 && (tok.eq_ignore_ascii_case("TXT") || tok.eq_ignore_ascii_case("SPF")) {
                    found = Some(idx);
                    break;
                }
            }
            found
        };
        let Some(from) = data else { continue };
        let bytes = line.as_bytes();
        let mut i = from;
        while i < bytes.len() {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' => i += 1,
                b';' => break,
                quote => {
                    let quoted = quote == b'"';
                    let tok_start = i;
                    if quoted {
                        i += 1;
                    }
                    let mut len = 0;
                    while i < bytes.len() {
                        let c = bytes[i];
                        if (quoted && c == b'"') || (!quoted && c.is_ascii_whitespace()) {
                            break;
                        }
                        if c == b'\\' {
                            // `\DDD` or `\X`: one byte of data
                            let digits =
                                bytes[i + 1..].iter().take(3).take_while(|b| b.is_ascii_digit()).count();
                            i += 1 + if digits == 3 { 3 } else { 1 };
                        } else {
                            i += 1;
                        }
                        len += 1;
                    }
                    i += usize::from(quoted);
                    if !quoted && len > 255 {
                        return Some((start + tok_start, len));
                    }
                }
            }
        }
    }
    None
}
