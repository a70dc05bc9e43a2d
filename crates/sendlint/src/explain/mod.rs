//! Explain one record as a customer pasted it or `dig` printed it, without
//! looking anything up.

use sendlint_records::display::terminal_safe;
use std::sync::Arc;

use miette::{Diagnostic, NamedSource, SourceSpan};
use sendlint_records::extract::{self, Expectation};
use sendlint_records::name::DomainName;
use sendlint_records::{Fact, Facts, Role, mx, txt};
use sendlint_rules::{RuleSet, Severity};
use sendlint_ses::{BadgeInput, DnsState, decide, expected_exchange};

use thiserror::Error;

use crate::report::RecordReport;
use crate::view::{report_diagnosis, view_of_data};

use intent::{expected_key, region_of};
use name::{MailFrom, NameFault, place};
use paste::{overlong_string, unwrap_pasted};

mod intent;
mod name;
mod paste;
mod role;

pub use role::infer_role;

/// The DMARC record to publish, built on the customer's own (its policy and
/// report addresses kept), as `explain` and `fix` write it.
pub(crate) use intent::dmarc_value;

/// What to explain.
#[derive(Clone, Debug, Default)]
pub struct ExplainInput {
    /// Which record the text is meant to be; `None`: what the text says
    /// ([`infer_role`]: the owner name, the record type, the value).
    pub role: Option<Role>,
    /// The text: `dig` output, zone-file presentation, or a pasted value
    /// (quoted or not, wrapped or not); one record per line.
    pub raw: String,
    /// What it should be: the MX value, the DKIM key (`p=…`, base64 or PEM), …
    pub expected: Option<String>,
    /// The SES region (for the MX target); taken from `expected` when it names one.
    pub region: Option<String>,
    /// The sending domain, when known: the owner name is judged against it.
    pub domain: Option<String>,
    /// The DKIM selector given to SES, when known.
    pub selector: Option<String>,
    /// The MAIL FROM domain (a label like `send`, or the full name), when known.
    pub mail_from: Option<String>,
    /// Advice for this DNS provider.
    pub provider: Option<String>,
}

/// The role a text was read as when none was given, and what told.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleGuess {
    /// The role.
    pub role: Role,
    /// What told, e.g. "from the name `_dmarc.mail.acme.com`" (escaped for a terminal).
    pub reason: String,
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

/// Explains `input.raw` as a record of `input.role` (or of the role the text
/// names, see [`infer_role`]).
///
/// ```
/// use sendlint::{Badge, ExplainInput, Role, RuleSet, explain};
///
/// // The SPF record as `dig` printed it: the quotes were typed into the value.
/// let input = ExplainInput {
///     raw: r#"send.mail.acme.com. 300 IN TXT "\"v=spf1 include:amazonses.com ~all\"""#.into(),
///     ..ExplainInput::default()
/// };
/// let record = explain(&input, &RuleSet::builtin())?;
/// assert_eq!(record.role, Role::SpfTxt);
/// assert_eq!(record.state, Badge::Failed);
/// assert_eq!(record.diagnoses[0].code, "spf.quoted-value");
/// # Ok::<(), sendlint::ExplainError>(())
/// ```
pub fn explain(input: &ExplainInput, rules: &RuleSet) -> Result<RecordReport, ExplainError> {
    let role = match input.role {
        Some(role) => role,
        None => infer_role(&input.raw).map(|g| g.role).ok_or_else(|| {
            input_error(
                "cannot tell which record this is: give its role with --role spf_mx, spf_txt, dkim or dmarc (or paste it as `dig` prints it, with its name)".into(),
                "input",
                &input.raw,
                None,
            )
        })?,
    };
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
    // A value wrapped by a ticket e-mail is one value with breaks inserted.
    let unwrapped = if role.is_txt() { unwrap_pasted(&input.raw, role) } else { input.raw.clone() };
    let raw = unwrapped.as_str();
    // `dig` output names the record: the name is judged as `check` judges a
    // published name, and implies the domain, selector and MAIL FROM when
    // they were not given.
    // A CNAME line comes first in `dig` output: its owner is the name asked.
    let cname = txt::cname_answer(raw);
    let owner_text = match (role, cname) {
        (_, Some((alias, _))) => Some(alias),
        (Role::SpfMx, None) => mx::owner_name(raw),
        (_, None) => txt::owner_name(raw),
    };
    let owner = owner_text.and_then(|o| DomainName::parse(o).ok());
    let given_domain = match &input.domain {
        Some(d) => Some(DomainName::parse_input(d).map_err(|e| {
            input_error(terminal_safe(&format!("--domain {d:?}: {e}")).into_owned(), "domain", d, None)
        })?),
        None => None,
    };
    let bad_mail_from = |m: &str, e: &dyn std::fmt::Display| {
        input_error(terminal_safe(&format!("--mail-from {m:?}: {e}")).into_owned(), "mail-from", m, None)
    };
    // A full name, or a label below the domain (given, or implied by the name).
    let given_mail_from = match &input.mail_from {
        Some(m) if m.contains('.') => {
            Some(MailFrom::Name(DomainName::parse_input(m).map_err(|e| bad_mail_from(m, &e))?))
        }
        Some(m) => {
            let root = DomainName::parse("label.invalid").map_err(|e| bad_mail_from(m, &e))?;
            root.prepend_label(m.as_bytes()).map_err(|e| bad_mail_from(m, &e))?;
            Some(MailFrom::Label(m.as_bytes()))
        }
        None => None,
    };
    let placed = place(
        role,
        owner.as_ref(),
        given_domain.as_ref(),
        input.selector.as_deref(),
        given_mail_from.as_ref(),
    );
    let known_domain = placed.domain.clone();
    let domain = match &known_domain {
        Some(d) => d.clone(),
        None => {
            DomainName::parse("domain.invalid").map_err(|e| input_error(e.to_string(), "domain", "", None))?
        }
    };
    // No DNS to ask for the apex: the zone a doubled name shows was appended,
    // else the public suffix list's guess.
    let zone = match &placed.fault {
        Some(NameFault::Doubled(z)) => Some(z.clone()),
        _ => known_domain.as_ref().and_then(crate::public_suffix::registrable_domain),
    };
    let key = match (role, &input.expected) {
        (Role::Dkim, Some(v)) => Some(expected_key(v).map_err(|m| input_error(m, "--expected", v, None))?),
        _ => None,
    };
    let mail_from = match (&placed.name, role) {
        (Some(n), Role::SpfMx | Role::SpfTxt) => n.clone(),
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
        let records = mx::parse_pasted(raw)
            .map_err(|e| input_error(format!("not an MX record: {e}"), "input", raw, Some(e.offset)))?;
        let mut facts = extract::mx_facts(&records, &exp);
        if region.is_empty() {
            // Without a region to compare with, do not call any SES target wrong.
            facts.set(Fact::ExchangeCorrect, facts.flag(Fact::TargetIsSes));
        }
        let shown: Vec<String> = records.iter().map(|m| m.presentation()).collect();
        let view = view_of_data(shown.iter().map(String::as_bytes));
        (facts, view, records.is_empty())
    } else {
        let records = txt::parse_text(raw)
            .map_err(|e| input_error(format!("not a TXT record: {e}"), "input", raw, Some(e.offset)))?;
        let mut facts = extract::txt_facts(role, &records, &exp);
        if let Some(v) = crate::context::record_value(role, &records) {
            facts.set(Fact::RecordValue, v);
        }
        let data: Vec<Vec<u8>> = records.iter().map(|t| t.data()).collect();
        let view = view_of_data(data.iter().map(Vec::as_slice));
        (facts, view, records.is_empty())
    };
    // DKIM needs a TXT at the name: a CNAME there is present and wrong,
    // whatever its target holds (as `check` judges it).
    let dkim_cname = cname.filter(|_| role == Role::Dkim).and_then(|(_, t)| DomainName::parse(t).ok());
    if dkim_cname.is_some() {
        facts.set(Fact::Found, true);
    }
    let found = facts.flag(Fact::Found);
    facts.set(Fact::Absent, !found);
    facts.set(Fact::LookupFailed, false);
    facts.set(Fact::HasCname, dkim_cname.is_some());
    facts.set(Fact::CnameTarget, dkim_cname.as_ref().map(ToString::to_string).unwrap_or_default());
    // The owner name, judged as `check` judges where it found a record.
    let misplaced = placed.fault.is_some().then(|| owner.as_ref().map(ToString::to_string)).flatten();
    facts.set(Fact::DoubledSuffix, matches!(placed.fault, Some(NameFault::Doubled(_))));
    if matches!(role, Role::SpfMx | Role::SpfTxt) {
        facts.set(Fact::PriorityInHost, matches!(placed.fault, Some(NameFault::PriorityInHost)));
    }
    facts.set(Fact::WrongName, matches!(placed.fault, Some(NameFault::Wrong)));
    facts.set(Fact::MisplacedName, misplaced.clone().unwrap_or_default());
    set_context(&mut facts, input, &region, known_domain.as_ref());
    if let Some(z) = &zone {
        facts.set(Fact::Zone, z.to_string());
    }
    if let Some(sel) = &placed.selector {
        facts.set(Fact::Selector, sel.as_str());
    }
    if matches!(role, Role::SpfMx | Role::SpfTxt) && placed.name.is_some() {
        facts.set(Fact::MailFrom, mail_from.to_string());
    }
    // Without a region given, the SES region the pasted exchange names is the
    // customer's intent: the fix keeps it.
    let typed_region = facts.str(Fact::TargetRegion).map(str::to_owned);
    let region_meant = match typed_region {
        Some(r) if region.is_empty() && role == Role::SpfMx && sendlint_ses::check_region(&r).is_ok() => {
            facts.set(Fact::ExpectedExchange, expected_exchange(&r));
            r
        }
        _ => region.clone(),
    };
    let expected_value = intent::expected_value(
        role,
        input.expected.as_deref(),
        key.as_ref(),
        &region_meant,
        &facts,
        known_domain.as_ref(),
    );
    let name = placed.name_text(role);
    if let (Some(n), Some(z)) = (&placed.name, &zone)
        && let Some(rel) = crate::context::relative_name(n, z)
    {
        facts.set(Fact::RelativeName, rel);
    }
    // The texts name the record even when the input does not: the name's
    // pattern, with what is known filled in.
    facts.set(Fact::Name, if name.is_empty() { placed.pattern(role) } else { name.clone() });
    facts.set(Fact::Expected, expected_value.as_str());

    let judged = rules.evaluate(role, &facts, input.provider.as_deref());
    // A record receivers do not recognise as DMARC is present, and wrong.
    let mut dns = if (empty && dkim_cname.is_none()) || (!found && !facts.flag(Fact::NotRecognized)) {
        DnsState::Absent
    } else if judged.iter().any(|d| d.severity == Severity::Error) {
        DnsState::Wrong
    } else {
        DnsState::Correct
    };
    // A verdict claims only what was compared: a DKIM key not compared with
    // the one given to SES cannot be Verified (as `check` decides it).
    if dns == DnsState::Correct && role == Role::Dkim && key.is_none() {
        dns = DnsState::NotCompared;
    }
    let decision = decide(&BadgeInput { role, dns, ses: None, since_submitted: None });
    // The badge becomes a fact and the rules speak again, as in `check`.
    crate::ses_facts::set_badge_facts(&mut facts, dns, &decision);
    let diagnoses = rules.evaluate(role, &facts, input.provider.as_deref());
    let badge = decision.badge;
    Ok(RecordReport {
        role,
        name,
        rtype: if role == Role::SpfMx { "MX" } else { "TXT" },
        expected: expected_value,
        found_at: misplaced,
        observed: view.lines.iter().map(|e| e.text.clone()).collect(),
        state: badge,
        diagnoses: diagnoses.iter().map(|d| report_diagnosis(d, Some(&view))).collect(),
    })
}

fn set_context(facts: &mut Facts, input: &ExplainInput, region: &str, domain: Option<&DomainName>) {
    facts.set(Fact::Region, region);
    facts.set(Fact::Domain, domain.map(ToString::to_string).unwrap_or_default());
    facts.set(Fact::Provider, input.provider.as_deref().unwrap_or_default());
    facts.set(
        Fact::ExpectedExchange,
        if region.is_empty() { String::new() } else { expected_exchange(region) },
    );
}
