//! DNSSEC per record: what a validating resolver (SES's) makes of each of the
//! four records, as facts for `rules/core/dnssec.toml`.
//!
//! The chain walk is `sendlint_dns::dnssec`'s; this module asks it once per
//! zone and once per record, and turns its verdict into facts. A record whose
//! lookup failed is not asked (its failure is reported already); a domain
//! whose zone is unknown is not validated, and says so.

use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

use sendlint_dns::Lookup;
use sendlint_dns::dnssec::{Fault, Security, TrustAnchors, Validator, format_time};
use sendlint_records::name::DomainName;
use sendlint_records::{Fact, Facts, Role};

use crate::observe::{Observation, Presence, rtype_of};

/// The DNSSEC verdict of each record, by role.
#[derive(Debug, Default)]
pub(crate) struct DnssecVerdicts(Vec<(Role, Security)>);

/// The trust anchors a check uses: those given, else the built-in root.
pub(crate) fn anchors(given: Option<&Arc<TrustAnchors>>) -> &TrustAnchors {
    static ROOT: OnceLock<TrustAnchors> = OnceLock::new();
    match given {
        Some(a) => a,
        None => ROOT.get_or_init(TrustAnchors::root),
    }
}

/// Validates each observed record of `zone` (concurrently; the zone's own
/// chain is walked once and shared).
pub(crate) async fn judge(
    lookup: &dyn Lookup,
    zone: Option<&DomainName>,
    observations: &[Observation],
    anchors: &TrustAnchors,
    now: SystemTime,
) -> DnssecVerdicts {
    let asked: Vec<&Observation> =
        observations.iter().filter(|o| !matches!(o.presence, Presence::Failed(_))).collect();
    if asked.is_empty() {
        return DnssecVerdicts::default();
    }
    let Some(zone) = zone else {
        return DnssecVerdicts(
            asked
                .iter()
                .map(|o| {
                    let why = format!("the zone holding {} is not known", o.name);
                    (o.role, Security::NotValidated(why))
                })
                .collect(),
        );
    };
    let validator = Validator::new(lookup, anchors, now);
    // the zone first: its DS (one question when unsigned), its keys
    if let Security::Insecure { .. } = validator.zone(zone).await {
        return DnssecVerdicts(
            asked.iter().map(|o| (o.role, Security::Insecure { zone: zone.to_string() })).collect(),
        );
    }
    let one = |o: &Observation| {
        let (role, name, validator) = (o.role, o.name.clone(), &validator);
        async move { (role, validator.record(zone, &name, rtype_of(role)).await) }
    };
    let mut verdicts = Vec::with_capacity(asked.len());
    match asked.as_slice() {
        [a, b, c, d] => {
            let (a, b, c, d) = tokio::join!(one(a), one(b), one(c), one(d));
            verdicts.extend([a, b, c, d]);
        }
        others => {
            for o in others {
                verdicts.push(one(o).await);
            }
        }
    }
    DnssecVerdicts(verdicts)
}

impl DnssecVerdicts {
    /// Sets the `dnssec_*` facts of `role`'s record (none when it was not asked).
    pub(crate) fn set_facts(&self, role: Role, facts: &mut Facts) {
        let Some((_, security)) = self.0.iter().find(|(r, _)| *r == role) else { return };
        facts.set(Fact::DnssecState, security.id());
        match security {
            Security::Bogus(fault) => {
                facts.set(Fact::DnssecFault, fault.id());
                match fault {
                    Fault::SignatureExpired(f)
                    | Fault::SignatureNotYetValid(f)
                    | Fault::BadSignature(f)
                    | Fault::SigningKeyMissing(f) => {
                        facts.set(Fact::DnssecZone, f.signer.as_str());
                        facts.set(Fact::DnssecRrset, f.rrset.as_str());
                        facts.set(Fact::DnssecKeyTag, i64::from(f.key_tag));
                        facts.set(Fact::DnssecSigner, f.signer.as_str());
                        facts.set(Fact::DnssecTime, format_time(f.time));
                        facts.set(Fact::DnssecKeys, f.keys.as_str());
                    }
                    Fault::DsMatchesNoKey { zone, ds, keys } => {
                        facts.set(Fact::DnssecZone, zone.as_str());
                        facts.set(Fact::DnssecDs, ds.as_str());
                        facts.set(Fact::DnssecKeys, keys.as_str());
                    }
                    Fault::UnsignedRrset { rrset, zone } | Fault::UnprovenDenial { rrset, zone } => {
                        facts.set(Fact::DnssecZone, zone.as_str());
                        facts.set(Fact::DnssecRrset, rrset.as_str());
                    }
                }
            }
            Security::NotValidated(why) => facts.set(Fact::DnssecReason, why.as_str()),
            Security::Secure { zone } | Security::Insecure { zone } => {
                facts.set(Fact::DnssecZone, zone.as_str())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sendlint_dns::ZoneSource;
    use sendlint_rules::RuleSet;

    fn observation(name: &str) -> Observation {
        Observation {
            role: Role::SpfMx,
            name: DomainName::parse(name).expect("name"),
            presence: Presence::Found,
            records: Default::default(),
            cname: None,
            addresses: Vec::new(),
        }
    }

    /// With no zone known and no provider, the customer still reads what was
    /// not validated and why, naming the record.
    #[test]
    fn without_a_zone_the_text_says_what_was_not_validated() {
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let source = ZoneSource::new();
        let obs = [observation("send.mail.acme.test")];
        let verdicts = rt.block_on(judge(&source, None, &obs, anchors(None), SystemTime::UNIX_EPOCH));
        let mut facts = Facts::new();
        verdicts.set_facts(Role::SpfMx, &mut facts);
        let diagnoses = RuleSet::builtin().evaluate(Role::SpfMx, &facts, None);
        let d = diagnoses.iter().find(|d| d.code == "dnssec.not-validated").expect("the info line");
        assert_eq!(d.message, "DNSSEC was not validated: the zone holding send.mail.acme.test is not known");
        assert!(d.help.contains("--trust-anchor FILE"), "{}", d.help);
        // a failed lookup is not asked: its failure is the diagnosis
        let mut failed = observation("send.mail.acme.test");
        failed.presence = Presence::Failed(sendlint_dns::LookupError::new(
            sendlint_dns::FailureKind::Timeout,
            "x",
            &failed.name,
            sendlint_dns::RecordType::Mx,
            "",
        ));
        let verdicts = rt.block_on(judge(&source, None, &[failed], anchors(None), SystemTime::UNIX_EPOCH));
        let mut facts = Facts::new();
        verdicts.set_facts(Role::SpfMx, &mut facts);
        assert!(
            RuleSet::builtin()
                .evaluate(Role::SpfMx, &facts, None)
                .iter()
                .all(|d| !d.code.starts_with("dnssec."))
        );
    }
}
