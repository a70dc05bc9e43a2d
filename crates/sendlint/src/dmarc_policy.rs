//! DMARC policy discovery: which policy receivers apply to the sending domain
//! when `_dmarc.D` holds no DMARC record.
//!
//! We follow DMARCbis (RFC 9989, which obsoletes RFC 7489 and RFC 9091, and
//! which checkdmarc and mailauth implement): a DNS tree walk instead of the
//! public suffix list of RFC 7489 §6.6.3. After `_dmarc.D` (asked by the
//! observation), ask `_dmarc.` of each parent of D, jumping to the last seven
//! labels when D has eight or more, down to the single-label parent, so at
//! most 8 queries in all; the first usable record is the policy. For D below
//! that record's domain, `np=` applies when D does not exist (NXDOMAIN),
//! else `sp=`, else `p=`; `np=` falls back to `sp=`, then `p=`. A `psd=y`
//! record is a public suffix operator's policy (reported as such). The walk
//! needs no list, so it works for `.test` zones and for live DNS
//! alike, and every question goes through [`Lookup`] (cache, record/replay).

use sendlint_dns::{Answer, FailureKind, Lookup, LookupError, RData, RecordType};
use sendlint_records::extract::{PublishedDmarc, PublishedPolicy, published_dmarc};
use sendlint_records::name::DomainName;
use sendlint_records::{Fact, Facts};

/// Most labels a walk starts from after the domain itself (DMARCbis: a name
/// of eight or more labels is shortened to its last seven).
const MAX_WALK_LABELS: usize = 7;

/// A parent domain's policy that applies to the sending domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Inherited {
    /// Where the record was found, e.g. `_dmarc.acme.com`.
    pub from: DomainName,
    /// The policy that applies: `none`, `quarantine` or `reject`.
    pub policy: &'static str,
    /// The tag it comes from: `np`, `sp` or `p`.
    pub tag: &'static str,
    /// The record says `psd=y`: a public suffix operator's policy.
    pub psd: bool,
}

/// What policy discovery found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Discovery {
    /// A parent's policy applies.
    Inherited(Inherited),
    /// No DMARC record at any parent: no policy applies.
    NoPolicy,
    /// A lookup failed: whether a policy applies is unknown.
    Failed(LookupError),
}

/// The names the tree walk asks after `_dmarc.D`, in order: the parents of
/// `domain` (from at most `MAX_WALK_LABELS`, 7, labels) down to one label.
pub fn walk_names(domain: &DomainName) -> Vec<DomainName> {
    let labels: Vec<&[u8]> = domain.labels().collect();
    let n = labels.len();
    let first = if n > MAX_WALK_LABELS { n - MAX_WALK_LABELS } else { 1 };
    (first..n)
        .filter_map(|i| DomainName::from_labels(labels.get(i..)?).ok()?.prepend_label(b"_dmarc").ok())
        .collect()
}

/// Walks up from `domain` (whose own `_dmarc` name held no DMARC record) to
/// the first parent publishing a usable DMARC record.
pub async fn discover(lookup: &dyn Lookup, domain: &DomainName) -> Discovery {
    for name in walk_names(domain) {
        match lookup.lookup(&name, RecordType::Txt).await {
            Answer::Records { records, .. } => {
                let txt: Vec<_> = records
                    .into_iter()
                    .filter_map(|r| match r {
                        RData::Txt(t) => Some(t),
                        _ => None,
                    })
                    .collect();
                if let PublishedDmarc::Policy(p) = published_dmarc(&txt) {
                    return Discovery::Inherited(applicable(lookup, domain, name, &p).await);
                }
            }
            Answer::NoData { .. } | Answer::NxDomain { .. } => {}
            // Above the zones a source holds (zone files, a test server that
            // refuses other names) there is nothing to find, as at a TLD
            // without a record.
            Answer::Failed(e) if matches!(e.kind, FailureKind::NotCovered | FailureKind::Refused) => {}
            Answer::Failed(e) => return Discovery::Failed(e),
        }
    }
    Discovery::NoPolicy
}

/// The policy `record` (found at `from`) sets for `domain`, a subdomain of
/// its domain: `np` for a non-existent domain, else `sp`, else `p`.
async fn applicable(
    lookup: &dyn Lookup,
    domain: &DomainName,
    from: DomainName,
    record: &PublishedPolicy,
) -> Inherited {
    let psd = record.psd;
    if let Some(np) = record.np
        && matches!(lookup.lookup(domain, RecordType::A).await, Answer::NxDomain { .. })
    {
        return Inherited { from, policy: np, tag: "np", psd };
    }
    match record.sp {
        Some(sp) => Inherited { from, policy: sp, tag: "sp", psd },
        None => Inherited { from, policy: record.p, tag: "p", psd },
    }
}

/// What receivers do with failing mail under `policy`, for the report.
fn effect(policy: &str) -> &'static str {
    match policy {
        "reject" => "mail that fails DMARC is rejected",
        "quarantine" => "mail that fails DMARC is treated as suspicious, usually delivered to spam",
        _ => "mail that fails DMARC is still delivered, and only reported",
    }
}

/// The discovery facts of the dmarc role. `None`: no walk was needed (a
/// record is at `_dmarc.D`, or its own lookup failed).
pub fn set_facts(facts: &mut Facts, discovery: Option<&Discovery>) {
    let inherited = match discovery {
        Some(Discovery::Inherited(i)) => Some(i),
        _ => None,
    };
    facts.set(Fact::Inherited, inherited.is_some());
    facts.set(Fact::InheritedFrom, inherited.map(|i| i.from.to_string()).unwrap_or_default());
    facts.set(Fact::InheritedPolicy, inherited.map_or("", |i| i.policy));
    facts.set(Fact::InheritedTag, inherited.map_or("", |i| i.tag));
    facts.set(Fact::InheritedEffect, inherited.map_or("", |i| effect(i.policy)));
    facts.set(Fact::InheritedPsd, inherited.is_some_and(|i| i.psd));
    let failed = match discovery {
        Some(Discovery::Failed(e)) => Some(e),
        _ => None,
    };
    facts.set(Fact::DiscoveryFailed, failed.is_some());
    facts.set(Fact::DiscoveryError, failed.map(ToString::to_string).unwrap_or_default());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(d: &str) -> Vec<String> {
        walk_names(&DomainName::parse(d).unwrap()).iter().map(ToString::to_string).collect()
    }

    #[test]
    fn walk_goes_up_to_one_label() {
        assert_eq!(names("mail.acme.test"), ["_dmarc.acme.test", "_dmarc.test"]);
        assert!(names("test").is_empty());
    }

    #[test]
    fn long_names_jump_to_seven_labels() {
        let walked = names("a.b.c.d.e.f.g.h.i.test");
        assert_eq!(walked.first().map(String::as_str), Some("_dmarc.d.e.f.g.h.i.test"));
        assert_eq!(walked.len(), 7, "with _dmarc.D itself, at most 8 queries: {walked:?}");
        assert_eq!(names("b.c.d.e.f.g.h.test").first().map(String::as_str), Some("_dmarc.c.d.e.f.g.h.test"));
    }
}
