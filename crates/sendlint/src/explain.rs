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

use crate::observe::{Misplacement, misplaced_names};
use thiserror::Error;

use crate::report::RecordReport;
use crate::view::{report_diagnosis, view_of_data};

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
    pub registrar: Option<String>,
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

/// Explains `input.raw` as a record of `input.role` (or of the role the text
/// names, see [`infer_role`]).
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
    let expected_value = match (role, &input.expected, &key) {
        (Role::SpfMx, _, _) if !region_meant.is_empty() => format!("10 {}", expected_exchange(&region_meant)),
        // The key as SES takes it and DNS publishes it, whatever form it was given in.
        (Role::Dkim, _, Some(k)) => format!("p={}", k.base64()),
        (_, Some(v), _) => v.clone(),
        (Role::SpfMx, None, _) => "10 feedback-smtp.<region>.amazonses.com".to_owned(),
        (Role::SpfTxt, None, _) => spf_value(&facts),
        (Role::Dkim, None, _) => format!("p={}", sendlint_ses::UNKNOWN_KEY_PLACEHOLDER),
        (_, None, _) => dmarc_value(&facts, known_domain.as_ref()),
    };
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

    let judged = rules.evaluate(role, &facts, input.registrar.as_deref());
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
    let diagnoses = rules.evaluate(role, &facts, input.registrar.as_deref());
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

/// The SPF record to publish, built on the customer's own: their terms kept,
/// `include:amazonses.com` added before `all` when it is missing.
fn spf_value(facts: &Facts) -> String {
    let generic = || sendlint_ses::SPF_VALUE.to_owned();
    // Without a readable record of their own there is nothing to keep.
    let Some(own) = facts.str(Fact::RecordValue).filter(|_| !facts.flag(Fact::SyntaxError)) else {
        return generic();
    };
    let mut terms = own.split_ascii_whitespace();
    if !terms.next().is_some_and(|v| v.eq_ignore_ascii_case("v=spf1")) {
        return generic();
    }
    let mut out: Vec<&str> = vec!["v=spf1"];
    let rest: Vec<&str> = terms.collect();
    let ends = |t: &&str| {
        let t = t.trim_start_matches(['+', '-', '~', '?']).to_ascii_lowercase();
        t == "all" || t.starts_with("redirect=")
    };
    let has_include =
        rest.iter().any(|t| t.trim_start_matches('+').eq_ignore_ascii_case("include:amazonses.com"));
    let at = rest.iter().position(ends).unwrap_or(rest.len());
    out.extend(&rest[..at]);
    if !has_include {
        out.push("include:amazonses.com");
    }
    out.extend(&rest[at..]);
    if at == rest.len() {
        out.push("~all");
    }
    out.join(" ")
}

/// The DMARC record to publish, built on the customer's own: a misspelt
/// policy or mode corrected (`p=quarantne` → `p=quarantine`), a bad `pct=`
/// dropped, `p=` added when missing, their other tags and addresses kept;
/// a `rua=` is suggested when they have none.
fn dmarc_value(facts: &Facts, domain: Option<&DomainName>) -> String {
    let rua = match domain {
        Some(d) => format!("rua=mailto:dmarc-reports@{d}"),
        None => "rua=mailto:dmarc-reports@<your domain>".to_owned(),
    };
    let Some(own) = facts.str(Fact::RecordValue).filter(|v| !v.is_empty()) else {
        return format!("v=DMARC1; p=none; {rua}");
    };
    const POLICIES: [&str; 3] = ["none", "quarantine", "reject"];
    let policy = |v: &str| {
        let v = v.to_ascii_lowercase();
        POLICIES
            .iter()
            .find(|p| **p == v)
            .copied()
            .or_else(|| sendlint_rules::suggest_among(&v, &POLICIES))
            .unwrap_or("none")
    };
    let mut policy_tag = None;
    let mut tags: Vec<String> = Vec::new();
    let mut has_rua = false;
    for part in own.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        // Text that is no tag is the fault: left out.
        let Some((name, value)) = part.split_once('=') else { continue };
        let (name, value) = (name.trim(), value.trim());
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "v" => {}
            "p" => policy_tag = Some(format!("p={}", policy(value))),
            "sp" | "np" => tags.push(format!("{lower}={}", policy(value))),
            "aspf" | "adkim" => {
                let mode = value.to_ascii_lowercase();
                if mode == "r" || mode == "s" {
                    tags.push(format!("{lower}={mode}"));
                }
            }
            "pct" => {
                if let Ok(n) = value.parse::<u8>()
                    && n <= 100
                {
                    tags.push(format!("pct={n}"));
                }
            }
            _ => {
                has_rua |= lower == "rua";
                tags.push(format!("{name}={value}"));
            }
        }
    }
    if !has_rua {
        tags.push(rua);
    }
    // `v=` first and `p=` right after it (RFC 7489 §6.4).
    let mut out = vec!["v=DMARC1".to_owned(), policy_tag.unwrap_or_else(|| "p=none".to_owned())];
    out.extend(tags);
    out.join("; ")
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

/// What is wrong with where a pasted record sits.
#[derive(Clone, Debug, PartialEq, Eq)]
enum NameFault {
    /// At `<name>.<zone>`: this zone was appended to a full name.
    Doubled(DomainName),
    /// At `10.<name>` or `10 <label>.…`: the MX priority typed into the host field.
    PriorityInHost,
    /// Somewhere a record of the role does not belong.
    Wrong,
}

/// The MAIL FROM domain as given: a full name, or a label below the domain.
enum MailFrom<'a> {
    Name(DomainName),
    Label(&'a [u8]),
}

impl MailFrom<'_> {
    fn name(&self, domain: Option<&DomainName>) -> Option<DomainName> {
        match self {
            MailFrom::Name(n) => Some(n.clone()),
            MailFrom::Label(l) => domain?.prepend_label(l).ok(),
        }
    }
}

/// Where a record of the role belongs, as far as the input tells, and what
/// is wrong with where it was pasted from.
#[derive(Debug, Default)]
struct Placed {
    /// The name the record belongs at, when it can be named.
    name: Option<DomainName>,
    /// The sending domain, given or implied by the name.
    domain: Option<DomainName>,
    /// The DKIM selector, given or implied by the name.
    selector: Option<String>,
    /// What is wrong with the pasted owner name (`None` without one).
    fault: Option<NameFault>,
}

impl Placed {
    /// The record's name for the report: in full when known, else as much as
    /// is known when the pasted name was judged wrong, else "".
    fn name_text(&self, role: Role) -> String {
        match (&self.name, self.fault.is_some()) {
            (Some(n), _) => n.to_string(),
            (None, true) => self.pattern(role),
            (None, false) => String::new(),
        }
    }

    /// The name a record of `role` belongs at, with placeholders for what is
    /// not known (`<selector>._domainkey.mail.acme.com`).
    fn pattern(&self, role: Role) -> String {
        if let Some(n) = &self.name {
            return n.to_string();
        }
        let domain = self.domain.as_ref().map_or_else(|| "<your domain>".to_owned(), ToString::to_string);
        match role {
            Role::Dkim => format!("{}._domainkey.{domain}", self.selector.as_deref().unwrap_or("<selector>")),
            Role::Dmarc => format!("_dmarc.{domain}"),
            _ => format!("<MAIL FROM label>.{domain}"),
        }
    }
}

/// Judges the owner name of a pasted record of `role` as `check` judges the
/// name it found a record at: the expected name (from what was given, or
/// what the name implies), a misplacement of it (the probes of
/// `observe::misplaced_names`), or a wrong name.
fn place(
    role: Role,
    owner: Option<&DomainName>,
    domain: Option<&DomainName>,
    selector: Option<&str>,
    mail_from: Option<&MailFrom<'_>>,
) -> Placed {
    let Some(owner) = owner else {
        let name = match role {
            Role::SpfMx | Role::SpfTxt => match mail_from {
                Some(m) => m.name(domain),
                None => domain.and_then(|d| d.prepend_label(b"send").ok()),
            },
            Role::Dkim => domain.zip(selector).and_then(|(d, s)| dkim_name(d, s)),
            Role::Dmarc => domain.and_then(|d| d.prepend_label(b"_dmarc").ok()),
            Role::Domain => None,
        };
        return Placed { name, domain: domain.cloned(), selector: selector.map(str::to_owned), fault: None };
    };
    // The name the customer meant: the owner without what a form added.
    let intended = intended_name(role, owner);
    let implied = implied_by_owner(role, &intended);
    let domain = domain.cloned().or_else(|| implied.as_ref().map(|i| i.domain.clone()));
    let selector = selector.map(str::to_owned).or_else(|| implied.as_ref().and_then(|i| i.selector.clone()));
    let name = match role {
        Role::SpfMx | Role::SpfTxt => match (mail_from, &domain) {
            (Some(m), _) => m.name(domain.as_ref()),
            // Any MAIL FROM name below the domain may be the one given to SES.
            (None, Some(d)) if is_mail_from_of(&intended, d) => Some(intended.clone()),
            (None, Some(d)) => d.prepend_label(b"send").ok(),
            (None, None) => None,
        },
        Role::Dkim => domain.as_ref().zip(selector.as_deref()).and_then(|(d, s)| dkim_name(d, s)),
        Role::Dmarc => domain.as_ref().and_then(|d| d.prepend_label(b"_dmarc").ok()),
        Role::Domain => None,
    };
    let fault = match &name {
        None => Some(NameFault::Wrong),
        Some(n) if n == owner => None,
        // The organizational domain's policy applies to the domain too (RFC 7489 §6.6.3).
        Some(_) if role == Role::Dmarc && covers_by_inheritance(owner, domain.as_ref()) => None,
        Some(n) => {
            let appended = appended_to(owner, n).filter(|z| n.is_subdomain_of(z));
            let probes = misplaced_names(role, n, appended.as_ref());
            match probes.iter().find(|(_, probe)| probe == owner).map(|(kind, _)| *kind) {
                Some(Misplacement::DoubledSuffix) => appended.map(NameFault::Doubled),
                Some(Misplacement::PriorityInHost) => Some(NameFault::PriorityInHost),
                None => Some(NameFault::Wrong),
            }
        }
    };
    Placed { name, domain, selector, fault }
}

/// The labels after `name` when `owner` starts with all of `name`'s labels
/// (`send.mail.acme.com.acme.com` after `send.mail.acme.com`: `acme.com`).
fn appended_to(owner: &DomainName, name: &DomainName) -> Option<DomainName> {
    let labels: Vec<&[u8]> = owner.labels().collect();
    let head = name.label_count();
    let starts =
        labels.len() > head && labels.iter().zip(name.labels()).all(|(a, b)| a.eq_ignore_ascii_case(b));
    starts.then(|| DomainName::from_labels(labels[head..].iter().copied()).ok()).flatten()
}

fn dkim_name(domain: &DomainName, selector: &str) -> Option<DomainName> {
    domain.prepend_label(b"_domainkey").and_then(|n| n.prepend_label(selector.as_bytes())).ok()
}

/// Is `name` a MAIL FROM domain of `domain`: below it, and not a name of
/// another role (`_domainkey`, `_dmarc`)?
fn is_mail_from_of(name: &DomainName, domain: &DomainName) -> bool {
    let Some(rel) = name.strip_suffix(domain) else { return false };
    !rel.is_root() && rel.labels().all(|l| !l.starts_with(b"_"))
}

/// `_dmarc.P` where `domain` lies below `P`: the policy receivers find for
/// the domain when it has none of its own.
fn covers_by_inheritance(owner: &DomainName, domain: Option<&DomainName>) -> bool {
    let Some(domain) = domain else { return false };
    owner.first_label().is_some_and(|l| l.eq_ignore_ascii_case(b"_dmarc"))
        && owner.parent().is_some_and(|p| p.label_count() >= 2 && domain.is_subdomain_of(&p))
}

/// The owner without what a DNS form added to it: a zone appended to a full
/// name (the last labels repeated: `send.mail.acme.com.acme.com`), and for
/// the MAIL FROM records an MX priority typed into the host field.
fn intended_name(role: Role, owner: &DomainName) -> DomainName {
    let labels: Vec<&[u8]> = owner.labels().collect();
    let n = labels.len();
    let mut keep = n;
    // A zone has at least two labels; the longest repetition wins.
    for k in (2..=n / 2).rev() {
        let (a, b) = (&labels[n - 2 * k..n - k], &labels[n - k..]);
        if a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y)) {
            keep = n - k;
            break;
        }
    }
    let mut meant: Vec<Vec<u8>> = labels[..keep].iter().map(|l| l.to_vec()).collect();
    if matches!(role, Role::SpfMx | Role::SpfTxt)
        && let Some(first) = meant.first()
    {
        let digits = first.iter().take_while(|b| b.is_ascii_digit()).count();
        if digits > 0 && digits == first.len() && meant.len() > 3 {
            meant.remove(0);
        } else if digits > 0 && first.get(digits) == Some(&b' ') && first.len() > digits + 1 {
            let rest = first[digits + 1..].to_vec();
            meant[0] = rest;
        }
    }
    DomainName::from_labels(meant).unwrap_or_else(|_| owner.clone())
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

/// The role `raw` is a record of, when the text tells: the type and owner
/// name of a `dig` answer line (`_dmarc.…` is DMARC, `S._domainkey.…` DKIM,
/// an MX line the MAIL FROM MX), else the value (`v=spf1`, `v=DMARC1`, a DKIM
/// tag-list or key, an MX value).
pub fn infer_role(raw: &str) -> Option<RoleGuess> {
    let shown = |o: &str| terminal_safe(o).into_owned();
    // `dig` prints the CNAME chain first: the name asked is its owner.
    if let Some((alias, _)) = txt::cname_answer(raw)
        && let Ok(name) = DomainName::parse(alias)
    {
        let role = match name.first_label() {
            Some(l) if l.eq_ignore_ascii_case(b"_dmarc") => Some(Role::Dmarc),
            _ if name.labels().any(|l| l.eq_ignore_ascii_case(b"_domainkey")) => Some(Role::Dkim),
            _ => None,
        };
        if let Some(role) = role {
            return Some(RoleGuess { role, reason: format!("the name `{}`", shown(alias)) });
        }
    }
    for line in raw.lines() {
        if let Some(owner) = mx::owner_name(line) {
            return Some(RoleGuess {
                role: Role::SpfMx,
                reason: format!("an MX record at `{}`", shown(owner)),
            });
        }
        if let Some(owner) = txt::owner_name(line) {
            let name = DomainName::parse(owner).ok();
            let has = |label: &[u8]| {
                name.as_ref().is_some_and(|n| n.labels().any(|l| l.eq_ignore_ascii_case(label)))
            };
            let by_name = if name
                .as_ref()
                .and_then(|n| n.first_label())
                .is_some_and(|l| l.eq_ignore_ascii_case(b"_dmarc"))
            {
                Some(Role::Dmarc)
            } else if has(b"_domainkey") {
                Some(Role::Dkim)
            } else {
                None
            };
            if let Some(role) = by_name {
                return Some(RoleGuess { role, reason: format!("the name `{}`", shown(owner)) });
            }
            let value = txt::parse_text(line).ok()?.first().map(txt::TxtRecord::data).unwrap_or_default();
            let role = role_of_txt_value(&value)?;
            return Some(RoleGuess {
                role,
                reason: format!("a TXT record at `{}` with this value", shown(owner)),
            });
        }
    }
    // A value alone.
    let first = raw.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with(';'))?;
    if let Some(role) = role_of_txt_value(first.as_bytes()) {
        return Some(RoleGuess { role, reason: "the value".into() });
    }
    let mx_like = mx::parse_pasted(first).is_ok_and(|m| m.len() == 1)
        && first.split_ascii_whitespace().last().is_some_and(|h| h.contains('.'));
    mx_like.then(|| RoleGuess { role: Role::SpfMx, reason: "the value (a mail server name)".into() })
}

/// The role a TXT value is written for, past wrapping quotes and blanks.
fn role_of_txt_value(data: &[u8]) -> Option<Role> {
    let text = String::from_utf8_lossy(data);
    let t = text.trim_start_matches(['"', '\'', '“', '”', '‘', '’', ' ', '\t']).to_ascii_lowercase();
    let compact: String = t.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.starts_with("v=spf1") {
        Some(Role::SpfTxt)
    } else if compact.starts_with("v=dmarc1") {
        Some(Role::Dmarc)
    } else if compact.starts_with("v=dkim1")
        || compact.starts_with("p=")
        || compact.starts_with("k=rsa")
        || compact.contains(";p=")
        || (compact.starts_with("miib") && compact.len() > 100)
    {
        Some(Role::Dkim)
    } else {
        None
    }
}

/// A pasted TXT text with the line breaks a ticket e-mail inserted into a
/// value removed: a line that continues a quoted string left open, and a
/// bare line that does not start a record of the role (`v=spf1`, `v=DMARC1`,
/// `v=DKIM1`), are joined to the line before. A DKIM key is cut anywhere, so
/// its pieces join with nothing between them; SPF and DMARC wrap at blanks,
/// so theirs join with one space. `dig` answer lines, comments, blank lines
/// and parenthesised zone-file groups are left as they are.
fn unwrap_pasted(raw: &str, role: Role) -> String {
    let joiner = if role == Role::Dkim { "" } else { " " };
    let mut out: Vec<String> = Vec::new();
    // What the last line leaves open: a quoted string, or a bare value (a
    // value alone, or an answer line with unquoted data) that may go on.
    let mut open_quote = false;
    let mut bare = false;
    let mut depth = 0usize;
    for line in raw.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let body = line.trim();
        let answer = txt::owner_name(body).is_some() || is_other_answer(body);
        let is_bare = !body.is_empty() && !body.starts_with('"') && !body.starts_with(';') && !answer;
        let continues = open_quote || (bare && depth == 0 && is_bare && !starts_record(role, body));
        if continues && let Some(last) = out.last_mut() {
            last.truncate(last.trim_end().len());
            last.push_str(joiner);
            last.push_str(body);
            if open_quote {
                (open_quote, depth) = scan_quotes(body, true, depth);
                bare = false;
            }
            continue;
        }
        (open_quote, depth) = if is_bare { (false, depth) } else { scan_quotes(line, false, depth) };
        bare = is_bare || (answer && !line.contains('"'));
        out.push(line.to_owned());
    }
    out.join("\n")
}

/// Does `line` start a record of `role` (its version tag, past quotes and blanks)?
fn starts_record(role: Role, line: &str) -> bool {
    let t = line.trim_start_matches(['"', '\'', '“', '”', '‘', '’', ' ', '\t']).to_ascii_lowercase();
    let compact: String = t.chars().take(12).filter(|c| !c.is_ascii_whitespace()).collect();
    match role {
        Role::SpfTxt => compact.starts_with("v=spf1"),
        Role::Dmarc => compact.starts_with("v=dmarc1"),
        Role::Dkim => compact.starts_with("v=dkim1"),
        Role::SpfMx | Role::Domain => true,
    }
}

/// A `dig` answer line of a type that is not TXT (e.g. the CNAME dig prints first).
fn is_other_answer(line: &str) -> bool {
    txt::parse_text(line).is_ok_and(|v| v.is_empty())
}

/// After `text`, starting inside a quote or not and at parenthesis depth
/// `depth`: inside a quote at its end, and the depth.
fn scan_quotes(text: &str, mut open: bool, mut depth: usize) -> (bool, usize) {
    let mut chars = text.bytes();
    while let Some(c) = chars.next() {
        match c {
            b'\\' if open => {
                chars.next();
            }
            b'"' => open = !open,
            b';' if !open => break,
            b'(' if !open => depth += 1,
            b')' if !open => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (open, depth)
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

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> DomainName {
        DomainName::parse(s).unwrap()
    }

    #[test]
    fn the_name_meant() {
        let meant = |role, s: &str| intended_name(role, &n(s)).to_string();
        assert_eq!(meant(Role::SpfTxt, "send.mail.acme.com.acme.com"), "send.mail.acme.com");
        assert_eq!(meant(Role::Dmarc, "_dmarc.mail.acme.co.uk.acme.co.uk"), "_dmarc.mail.acme.co.uk");
        assert_eq!(meant(Role::SpfMx, "10.send.mail.acme.com"), "send.mail.acme.com");
        assert_eq!(meant(Role::SpfMx, r"10\ send.mail.acme.com"), "send.mail.acme.com");
        // Nothing added: the name itself (a priority only for the MAIL FROM records).
        assert_eq!(meant(Role::Dkim, "sf1._domainkey.mail.acme.com"), "sf1._domainkey.mail.acme.com");
        assert_eq!(meant(Role::Dmarc, "_dmarc.10.acme.com"), "_dmarc.10.acme.com");
        assert_eq!(appended_to(&n("a.b.c.b.c"), &n("a.b.c")), Some(n("b.c")));
        assert_eq!(appended_to(&n("a.b.c"), &n("a.b.c")), None);
        assert_eq!(appended_to(&n("x.b.c.b.c"), &n("a.b.c")), None);
    }

    #[test]
    fn placing_the_owner() {
        let fault = |role, owner: &str, domain: Option<&str>| {
            let d = domain.map(n);
            place(role, Some(&n(owner)), d.as_ref(), None, None).fault
        };
        assert_eq!(fault(Role::SpfTxt, "send.mail.acme.com", Some("mail.acme.com")), None);
        assert_eq!(
            fault(Role::SpfTxt, "send.mail.acme.com.acme.com", None),
            Some(NameFault::Doubled(n("acme.com")))
        );
        assert_eq!(fault(Role::SpfMx, "10.send.mail.acme.com", None), Some(NameFault::PriorityInHost));
        assert_eq!(fault(Role::Dmarc, "_dmarc.other.org", Some("mail.acme.com")), Some(NameFault::Wrong));
        assert_eq!(fault(Role::Dmarc, "_dmarc.acme.com", Some("mail.acme.com")), None);
        assert_eq!(fault(Role::Dkim, "mail.acme.com", None), Some(NameFault::Wrong));
        assert_eq!(
            fault(Role::SpfTxt, "_dmarc.mail.acme.com", Some("mail.acme.com")),
            Some(NameFault::Wrong)
        );
    }

    #[test]
    fn unwrapping() {
        assert_eq!(unwrap_pasted("p=abc\r\ndef\nghi", Role::Dkim), "p=abcdefghi");
        assert_eq!(unwrap_pasted("x. TXT \"p=abc\ndef\"", Role::Dkim), "x. TXT \"p=abcdef\"");
        assert_eq!(unwrap_pasted("v=spf1 a\n-all", Role::SpfTxt), "v=spf1 a -all");
        assert_eq!(unwrap_pasted("v=spf1 a\nv=spf1 b", Role::SpfTxt), "v=spf1 a\nv=spf1 b");
        // Answer lines, quoted lines and zone-file groups stay as they are.
        let dig = "x. 300 IN TXT \"p=a\"\nx. 300 IN TXT \"b\"";
        assert_eq!(unwrap_pasted(dig, Role::Dkim), dig);
        let group = "x. IN TXT ( \"abc\" ; one\n  \"def\" )";
        assert_eq!(unwrap_pasted(group, Role::Dkim), group);
    }

    #[test]
    fn intent_is_kept() {
        let with = |role, value: &str| {
            let mut f = Facts::new();
            f.set(Fact::RecordValue, value);
            if role == Role::SpfTxt { spf_value(&f) } else { dmarc_value(&f, Some(&n("mail.acme.com"))) }
        };
        assert_eq!(
            with(Role::Dmarc, "v=DMARC1; p=quarantne; rua=mailto:dmarc@acme.com"),
            "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.com"
        );
        assert_eq!(
            with(Role::Dmarc, "v=dmarc1; rua=mailto:a@b.c; sp=rejct; pct=200; aspf=x"),
            "v=DMARC1; p=none; rua=mailto:a@b.c; sp=reject"
        );
        assert_eq!(
            with(Role::Dmarc, "v=DMARC1; p=reject"),
            "v=DMARC1; p=reject; rua=mailto:dmarc-reports@mail.acme.com"
        );
        assert_eq!(with(Role::SpfTxt, "v=spf1 mx -all"), "v=spf1 mx include:amazonses.com -all");
        assert_eq!(with(Role::SpfTxt, "v=spf1 include:amazonses.com"), "v=spf1 include:amazonses.com ~all");
        assert_eq!(
            with(Role::SpfTxt, "v=spf1 redirect=_spf.acme.com"),
            "v=spf1 include:amazonses.com redirect=_spf.acme.com"
        );
    }

    #[test]
    fn roles_from_the_text() {
        let role = |s: &str| infer_role(s).map(|g| g.role);
        assert_eq!(role("_dmarc.a.test. 300 IN TXT \"v=DMARC1; p=none\""), Some(Role::Dmarc));
        assert_eq!(role("s._domainkey.a.test. IN TXT \"v=spf1\""), Some(Role::Dkim));
        assert_eq!(role("send.a.test. MX 10 x.test."), Some(Role::SpfMx));
        assert_eq!(role("send.a.test. TXT \"hello\""), None);
        assert_eq!(role("“v=spf1 -all”"), Some(Role::SpfTxt));
        assert_eq!(role("10 feedback-smtp.us-east-1.amazonses.com"), Some(Role::SpfMx));
        assert_eq!(role("hello"), None);
        assert_eq!(role("sf1._domainkey.a.test. 300 IN CNAME sf1.dkim.amazonses.com."), Some(Role::Dkim));
        assert_eq!(role(""), None);
    }
}
