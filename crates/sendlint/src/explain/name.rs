//! Where a pasted record belongs: its owner name judged against the setup
//! (given, or implied by the name), as `check` judges where it found a record.

use sendlint_records::Role;
use sendlint_records::name::DomainName;

use crate::observe::{Misplacement, misplaced_names};

/// What is wrong with where a pasted record sits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum NameFault {
    /// At `<name>.<zone>`: this zone was appended to a full name.
    Doubled(DomainName),
    /// At `10.<name>` or `10 <label>.…`: the MX priority typed into the host field.
    PriorityInHost,
    /// Somewhere a record of the role does not belong.
    Wrong,
}

/// The MAIL FROM domain as given: a full name, or a label below the domain.
pub(super) enum MailFrom<'a> {
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
pub(super) struct Placed {
    /// The name the record belongs at, when it can be named.
    pub(super) name: Option<DomainName>,
    /// The sending domain, given or implied by the name.
    pub(super) domain: Option<DomainName>,
    /// The DKIM selector, given or implied by the name.
    pub(super) selector: Option<String>,
    /// What is wrong with the pasted owner name (`None` without one).
    pub(super) fault: Option<NameFault>,
}

impl Placed {
    /// The record's name for the report: in full when known, else as much as
    /// is known when the pasted name was judged wrong, else "".
    pub(super) fn name_text(&self, role: Role) -> String {
        match (&self.name, self.fault.is_some()) {
            (Some(n), _) => n.to_string(),
            (None, true) => self.pattern(role),
            (None, false) => String::new(),
        }
    }

    /// The name a record of `role` belongs at, with placeholders for what is
    /// not known (`<selector>._domainkey.mail.acme.com`).
    pub(super) fn pattern(&self, role: Role) -> String {
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
pub(super) fn place(
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
}
