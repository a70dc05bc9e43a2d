//! DMARC report destinations (RFC 7489 §7.1): a `rua=`/`ruf=` address at
//! another organizational domain receives reports only when that domain
//! publishes `<D>._report._dmarc.<destination>` TXT starting `v=DMARC1` (a
//! wildcard `*._report._dmarc.<destination>` answers there too).
//!
//! Detection only: this module asks DNS and copies what it found into facts;
//! `rules/core/dmarc.toml` decides what is said.
//!
//! Organizational domains are RFC 7489 §3.2's: the public suffix list (the
//! `psl` crate compiled in, [`crate::public_suffix`]), so the same-organization
//! test needs no query. Policy discovery (`dmarc_policy.rs`) follows DMARCbis's
//! tree walk instead; that walk would cost queries for every destination, and
//! §7.1 of RFC 7489 is the text receivers implement for this check. A name the
//! list cannot judge counts as its own organizational domain.

use sendlint_dns::{Answer, Lookup, RData, RecordType};
use sendlint_records::dmarc::is_dmarc;
use sendlint_records::extract::{ReportAddress, report_addresses};
use sendlint_records::name::DomainName;
use sendlint_records::{Fact, Facts, Span, TxtRecord};

use crate::public_suffix::registrable_domain;

/// Most destination domains asked for one record: a record listing more is
/// hostile or broken, and each costs a query.
const MAX_DESTINATIONS: usize = 10;

/// One destination domain at another organization, and its addresses.
struct Destination {
    /// The host of the addresses, e.g. `vendor.example`.
    host: DomainName,
    /// The name its authorization lives at: `<D>._report._dmarc.<host>`.
    name: DomainName,
    /// The addresses as written, `rua=mailto:…`.
    addresses: Vec<String>,
    /// The first address in the observed record.
    span: Span,
}

/// What checking the destinations of one DMARC record found.
#[derive(Default)]
pub(crate) struct ReportAuth {
    missing: Vec<Destination>,
    unchecked: Vec<(Destination, String)>,
}

/// The organizational domain of `name` (RFC 7489 §3.2), or `name` itself when
/// the public suffix list cannot judge it.
fn organizational(name: &DomainName) -> DomainName {
    registrable_domain(name).unwrap_or_else(|| name.clone())
}

/// Checks the `rua=`/`ruf=` destinations of the DMARC record among `records`
/// (found at `_dmarc.<domain>`): one TXT query per distinct destination host
/// at another organizational domain, none otherwise.
pub(crate) async fn check(lookup: &dyn Lookup, domain: &DomainName, records: &[TxtRecord]) -> ReportAuth {
    let mut auth = ReportAuth::default();
    let addresses = report_addresses(records);
    if addresses.is_empty() {
        return auth;
    }
    let own = organizational(domain);
    let mut destinations: Vec<Destination> = Vec::new();
    for ReportAddress { tag, uri, host, span } in addresses {
        if organizational(&host) == own {
            continue;
        }
        let written = format!("{tag}={uri}");
        if let Some(d) = destinations.iter_mut().find(|d| d.host == host) {
            if !d.addresses.contains(&written) {
                d.addresses.push(written);
            }
            continue;
        }
        if destinations.len() == MAX_DESTINATIONS {
            continue;
        }
        // `<D>._report._dmarc.<host>`; a name longer than DNS allows cannot
        // be published, so no receiver can ever verify it.
        let name = host
            .prepend_label(b"_dmarc")
            .and_then(|n| n.prepend_label(b"_report"))
            .and_then(|n| domain.join(&n));
        let name = match name {
            Ok(name) => name,
            Err(e) => {
                let d = Destination { name: host.clone(), host, addresses: vec![written], span };
                let why = format!("{}._report._dmarc.{} is not a usable DNS name ({e})", domain, d.host);
                auth.unchecked.push((d, why));
                continue;
            }
        };
        destinations.push(Destination { host, name, addresses: vec![written], span });
    }
    for d in destinations {
        match lookup.lookup(&d.name, RecordType::Txt).await {
            Answer::Records { records, .. } => {
                let authorized = records.iter().any(|r| matches!(r, RData::Txt(t) if is_dmarc(&t.data())));
                if !authorized {
                    auth.missing.push(d);
                }
            }
            Answer::NoData { .. } | Answer::NxDomain { .. } => auth.missing.push(d),
            Answer::Failed(e) => auth.unchecked.push((d, e.to_string())),
        }
    }
    auth
}

impl ReportAuth {
    /// Sets the report-destination facts of the dmarc role.
    pub(crate) fn set_facts(&self, facts: &mut Facts) {
        let join =
            |f: &dyn Fn(&Destination) -> String| self.missing.iter().map(f).collect::<Vec<_>>().join(", ");
        facts.set(Fact::ReportAuthMissing, join(&|d| d.addresses.join(", ")));
        facts.set(Fact::ReportAuthMissingCount, self.missing.len());
        facts.set(Fact::ReportAuthDomains, join(&|d| d.host.to_string()));
        facts.set(Fact::ReportAuthNames, join(&|d| d.name.to_string()));
        facts.set(Fact::ReportAuthSpan, self.missing.first().map(|d| d.span));
        let unchecked: Vec<String> =
            self.unchecked.iter().map(|(d, why)| format!("{} ({why})", d.addresses.join(", "))).collect();
        facts.set(Fact::ReportAuthUnchecked, unchecked.join("; "));
        facts.set(Fact::ReportAuthUncheckedCount, self.unchecked.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(s: &str) -> DomainName {
        DomainName::parse(s).unwrap()
    }

    #[test]
    fn organizational_domains_follow_the_public_suffix_list() {
        assert_eq!(organizational(&name("mail.acme.co.uk")), name("acme.co.uk"));
        assert_eq!(organizational(&name("reports.acme.co.uk")), name("acme.co.uk"));
        assert_ne!(organizational(&name("acme.co.uk")), organizational(&name("vendor.co.uk")));
        assert_eq!(organizational(&name("mail.acme.test")), name("acme.test"));
        // a public suffix itself is its own organizational domain
        assert_eq!(organizational(&name("co.uk")), name("co.uk"));
    }
}
