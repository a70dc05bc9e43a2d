//! The facts about SES and the badge that rules judge (`rules/core/ses.toml`).
//!
//! Detection only: this module copies what SES said, and what the badge state
//! machine decided, into facts. Whether any of it is worth a diagnosis, how
//! severe, and in which words, is for the rule files.

use sendlint_records::{Fact, Facts, Role};
use sendlint_ses::identity::format_time;
use sendlint_ses::{BadgeDecision, DnsState, SesLookup, SesStatus, Setup};

/// SES verification status per badge group, when known.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SesState {
    /// The DKIM status (drives `dkim`).
    pub dkim: Option<SesStatus>,
    /// The MAIL FROM status (drives `spf_mx` and `spf_txt`).
    pub mail_from: Option<SesStatus>,
}

impl SesState {
    pub(crate) fn for_role(&self, role: Role) -> Option<SesStatus> {
        match role {
            Role::SpfMx | Role::SpfTxt => self.mail_from,
            Role::Dkim => self.dkim,
            Role::Dmarc | Role::Domain => None,
        }
    }

    pub(crate) fn consulted(&self) -> bool {
        self.dkim.is_some() || self.mail_from.is_some()
    }
}

/// SES as one check sees it: the statuses that drive the badges and, when SES
/// was asked for the identity, what it answered.
pub(crate) struct SesView<'a> {
    pub state: SesState,
    pub lookup: Option<&'a SesLookup>,
    /// The identity's MAIL FROM domain when it is not under the checked domain:
    /// SES only accepts a MAIL FROM domain under its identity, so the answer
    /// (typically a saved `--ses-state` file) is another identity's. Its
    /// statuses say nothing about this domain and never drive a badge.
    pub other_identity: Option<String>,
}

impl<'a> SesView<'a> {
    /// The SES view of `setup`: statuses from `lookup` when SES was asked,
    /// else `manifest` (the manifest's `ses` block, or nothing).
    pub fn new(manifest: SesState, lookup: Option<&'a SesLookup>, setup: &Setup) -> SesView<'a> {
        let other_identity = lookup
            .and_then(SesLookup::identity)
            .and_then(|id| id.mail_from.as_ref())
            .map(|m| normal_name(&m.mail_from_domain))
            .filter(|m| !m.is_empty() && !is_under(m, &setup.domain.to_string()));
        let state = match lookup {
            _ if other_identity.is_some() => SesState::default(),
            Some(lookup) => {
                let (dkim, mail_from) = lookup.statuses();
                SesState { dkim, mail_from }
            }
            None => manifest,
        };
        SesView { state, lookup, other_identity }
    }

    /// SES state was part of the badge decision.
    pub fn consulted(&self) -> bool {
        match self.lookup {
            _ if self.other_identity.is_some() => false,
            Some(SesLookup::Failed { .. }) => false,
            Some(_) => true,
            None => self.state.consulted(),
        }
    }
}

/// Lower case, without surrounding blanks or a trailing dot.
fn normal_name(name: &str) -> String {
    name.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// `name` is `domain` or a name under it (both normalized, `domain` may not be).
fn is_under(name: &str, domain: &str) -> bool {
    let domain = normal_name(domain);
    name == domain || name.strip_suffix(&domain).is_some_and(|rest| rest.ends_with('.'))
}

/// Sets the SES facts that apply to `role`.
pub(crate) fn set_ses_facts(facts: &mut Facts, role: Role, setup: &Setup, ses: &SesView<'_>) {
    facts.set(Fact::SesConsulted, ses.consulted());
    if matches!(role, Role::SpfMx | Role::SpfTxt | Role::Dkim) {
        let status = ses.state.for_role(role).map(|s| s.as_str()).unwrap_or_default();
        facts.set(Fact::SesStatus, status);
    }
    let applies = |fact: Fact| fact.def().applies_to(role);
    if let Some(other) = &ses.other_identity {
        // One fault, one diagnosis: nothing else of another identity's answer
        // becomes a fact, so no SES rule judges this domain by it.
        facts.set(Fact::SesLookup, "other_identity");
        facts.set(Fact::SesLookupError, "");
        if applies(Fact::SesMailFromDomain) {
            facts.set(Fact::SesMailFromDomain, other.as_str());
        }
        return;
    }
    facts.set(Fact::SesLookup, ses.lookup.map(SesLookup::kind).unwrap_or_default());
    facts.set(Fact::SesLookupError, ses.lookup.map(SesLookup::message).unwrap_or_default());

    let Some(id) = ses.lookup.and_then(SesLookup::identity) else { return };
    let mut set = |fact: Fact, value: sendlint_records::facts::Value| {
        if applies(fact) {
            facts.set(fact, value);
        }
    };
    let text = |s: Option<&String>| s.map(String::as_str).unwrap_or_default().into();

    let dkim = id.dkim.as_ref();
    set(Fact::SesSigningOrigin, text(dkim.and_then(|d| d.signing_attributes_origin.as_ref())));
    set(Fact::SesSigningEnabled, dkim.and_then(|d| d.signing_enabled).into());
    let tokens = dkim.map(|d| d.tokens.as_slice()).unwrap_or_default();
    set(Fact::SesTokens, tokens.join(", ").into());
    let has_selector =
        (!tokens.is_empty()).then(|| tokens.iter().any(|t| t.trim().eq_ignore_ascii_case(&setup.selector)));
    set(Fact::SesTokensHaveSelector, has_selector.into());
    set(Fact::SesDkimStatus, text(dkim.and_then(|d| d.status.as_ref())));

    let mail_from = id.mail_from.as_ref();
    let mail_from_domain = mail_from.map(|m| normal_name(&m.mail_from_domain)).unwrap_or_default();
    set(Fact::SesMailFromDomain, mail_from_domain.into());
    set(Fact::SesMailFromStatus, text(mail_from.and_then(|m| m.status.as_ref())));
    set(Fact::SesMxFailureBehavior, text(mail_from.and_then(|m| m.behavior_on_mx_failure.as_ref())));
    set(Fact::SesVerificationStatus, text(id.verification_status.as_ref()));

    let info = id.verification_info.as_ref();
    set(Fact::SesErrorType, text(info.and_then(|i| i.error_type.as_ref())));
    let checked = info.and_then(|i| i.last_checked).map_or_else(|| "an unknown time".to_owned(), format_time);
    set(Fact::SesLastChecked, checked.into());
    set(Fact::SesLastSuccess, info.and_then(|i| i.last_success).map(format_time).unwrap_or_default().into());
    let soa = info.and_then(|i| i.soa.as_ref()).map(|soa| {
        let ns = soa.primary_name_server.as_deref().unwrap_or("an unknown name server");
        match soa.serial_number {
            Some(serial) => format!("{ns} serial {serial}"),
            None => ns.to_owned(),
        }
    });
    set(Fact::SesSoa, soa.unwrap_or_default().into());
}

/// Sets what the state machine decided, for the second evaluation of a record's rules.
pub(crate) fn set_badge_facts(facts: &mut Facts, dns: DnsState, decision: &BadgeDecision) {
    let dns = match dns {
        DnsState::Correct => "correct",
        DnsState::NotCompared => "not_compared",
        DnsState::Absent => "absent",
        DnsState::Wrong => "wrong",
        DnsState::LookupFailed => "lookup_failed",
    };
    facts.set(Fact::DnsState, dns);
    facts.set(Fact::Badge, decision.badge.as_str());
    facts.set(Fact::BadgeNote, decision.notes.first().copied().unwrap_or_default());
}
