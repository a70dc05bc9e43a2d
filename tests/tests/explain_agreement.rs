//! `explain` and `check` agree (issue #18): for every fixture, each record
//! `check` judged is pasted into `explain` as `dig` prints it (owner name,
//! TTL, class, type, data; the CNAME chain first, as `dig` prints it), with
//! the fixture's setup (domain, selector, MAIL FROM, region, the DKIM key) and
//! the DNS host `check` detected; explain's state and codes for that record
//! must be `check`'s.
//!
//! `check` runs DNS-only here (the fixture's SES state is left out): explain
//! never asks SES, and what SES says is not in a pasted record. A record that
//! is not in the zone (absent, or a lookup that failed) cannot be pasted; it is
//! counted, and a fixture with nothing to paste must be listed in
//! [`NOTHING_TO_PASTE`]. The cases that cannot agree by nature are listed in
//! [`EXCLUDED`] with the reason; an excluded case that agrees fails the test,
//! so the list stays honest.

use std::collections::BTreeSet;
use std::path::Path;

use sendlint::{CheckOptions, ExplainInput, RecordReport};
use sendlint_dns::{Answer, RData, RecordType, ZoneSource};
use sendlint_records::Role;
use sendlint_records::name::DomainName;
use sendlint_rules::RuleSet;
use sendlint_tests::{Fixture, fixture_files, fixture_now, fixtures_dir};

/// `(fixture, role, reason)`: explain cannot see what makes check differ.
const EXCLUDED: &[(&str, &str, &str)] = &[
    ("core/spf/include-target-invalid", "spf_txt", SPF_WALK),
    ("core/spf/include-target-missing", "spf_txt", SPF_WALK),
    ("core/spf/loop", "spf_txt", SPF_WALK),
    ("core/spf/missing-include-redirect", "spf_txt", SPF_WALK),
    ("core/spf/redirect-target-invalid", "spf_txt", SPF_WALK),
    ("core/spf/redirect-target-missing", "spf_txt", SPF_WALK),
    ("core/spf/too-many-lookups", "spf_txt", SPF_WALK),
    ("core/spf/too-many-mx-names", "spf_txt", SPF_WALK),
    ("core/spf/too-many-void-lookups", "spf_txt", SPF_WALK),
    ("core/dnssec/signature-expired", "spf_mx", DNSSEC),
    ("core/dnssec/signature-expired", "spf_txt", DNSSEC),
    ("core/dnssec/signature-expired", "dkim", DNSSEC),
    ("core/dnssec/signature-expired", "dmarc", DNSSEC),
    ("core/dnssec/ds-matches-no-key", "spf_mx", DNSSEC),
    ("core/dnssec/ds-matches-no-key", "spf_txt", DNSSEC),
    ("core/dnssec/ds-matches-no-key", "dkim", DNSSEC),
    ("core/dnssec/ds-matches-no-key", "dmarc", DNSSEC),
    ("core/dnssec/unsigned-rrset", "spf_mx", DNSSEC),
    ("core/dnssec/bad-signature", "spf_txt", DNSSEC),
    ("core/dnssec/signing-key-missing", "spf_mx", DNSSEC),
    ("core/dnssec/not-validated", "spf_mx", DNSSEC),
    (
        "core/dmarc/not-recognized-leading-space",
        "dmarc",
        "`dmarc.inherited` says which parent policy applies instead: the parent's record is a DNS lookup",
    ),
    ("core/dmarc/report-destination-lookup-failed", "dmarc", REPORT_AUTH),
    ("core/dmarc/report-destination-unauthorized", "dmarc", REPORT_AUTH),
    ("core/dmarc/report-destination-unauthorized-several", "dmarc", REPORT_AUTH),
    ("core/dmarc/report-destination-zone-not-loaded", "dmarc", REPORT_AUTH),
];

/// Why report-destination findings (RFC 7489 §7.1) cannot be in a pasted record.
const REPORT_AUTH: &str = "the authorization of a rua=/ruf= destination is a TXT record in the destination's own \
                           DNS: check asks for it; a pasted record does not hold it";

/// Why DNSSEC faults cannot be in a pasted record.
const DNSSEC: &str = "the fault is in the zone's DNSSEC chain (signatures, DS, DNSKEY): check validates it through DNS; \
                      a pasted record does not hold it";

/// Why SPF faults found by following the record cannot be in a pasted record.
const SPF_WALK: &str = "the fault is in what the record's `include:`/`redirect=`/`a`/`mx` terms lead to: \
                        check follows them through DNS; a pasted record does not hold them";

/// Fixtures whose zone holds none of the records check judged, so nothing
/// can be pasted: `(fixture, reason)`.
const NOTHING_TO_PASTE: &[(&str, &str)] = &[
    ("core/dmarc/inherited-np", "no DMARC record at the domain: a parent's policy applies (DNS lookups)"),
    ("offline/zone-not-loaded", "the domain's zone file is not loaded: every lookup fails"),
];

fn fixture_name(path: &Path) -> String {
    let rel = path.strip_prefix(fixtures_dir()).unwrap_or(path);
    rel.with_extension("").to_string_lossy().replace('\\', "/")
}

/// The answer to `rtype` at `name` as `dig +noall +answer` prints it.
fn dig(zones: &ZoneSource, name: &DomainName, rtype: RecordType) -> Option<String> {
    let answer = zones.answer(name, rtype);
    let (records, cnames, ttl) = match answer {
        Answer::Records { records, cnames, ttl } => (records, cnames, ttl),
        Answer::NoData { cnames, .. } | Answer::NxDomain { cnames, .. } if !cnames.is_empty() => {
            (Vec::new(), cnames, 300)
        }
        _ => return None,
    };
    let mut lines: Vec<String> = cnames
        .iter()
        .map(|(alias, target)| {
            format!("{} {ttl} IN CNAME {}", alias.to_fqdn_string(), target.to_fqdn_string())
        })
        .collect();
    let owner = cnames.last().map_or(name, |(_, target)| target);
    for rd in &records {
        match rd {
            RData::Txt(t) => {
                lines.push(format!("{} {ttl} IN TXT {}", owner.to_fqdn_string(), t.to_presentation()))
            }
            RData::Mx(m) => {
                lines.push(format!("{} {ttl} IN MX {}", owner.to_fqdn_string(), m.presentation()))
            }
            _ => {}
        }
    }
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// State and codes, for comparing.
fn verdict(r: &RecordReport) -> (String, BTreeSet<String>) {
    (r.state.to_string(), r.diagnoses.iter().map(|d| d.code.clone()).collect())
}

#[test]
fn explain_agrees_with_check_on_every_fixture() {
    let rules = RuleSet::builtin();
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let paths: Vec<_> = ["core", "providers", "ses", "offline"]
        .iter()
        .flat_map(|d| fixture_files(&fixtures_dir().join(d)))
        .collect();
    assert!(paths.len() > 100, "fixtures not found under {}", fixtures_dir().display());
    let mut problems = Vec::new();
    let mut excluded_seen = BTreeSet::new();
    let mut compared = 0;
    for path in &paths {
        let name = fixture_name(path);
        let fixture = Fixture::load(path).unwrap_or_else(|e| panic!("{e}"));
        let setup = fixture.setup().unwrap_or_else(|e| panic!("{name}: {e}"));
        let zones = fixture.zones(&name).unwrap_or_else(|e| panic!("{name}: {e}"));
        // DNS-only: what the zone shows, as explain sees it.
        let opts = CheckOptions {
            now: fixture_now(),
            provider: fixture.setup.provider.clone(),
            trust_anchors: fixture.trust_anchors().unwrap_or_else(|e| panic!("{name}: {e}")),
            ..CheckOptions::default()
        };
        let report = rt.block_on(sendlint::check(&setup, &zones, &rules, &opts));
        let mut pasted = 0;
        for record in &report.records {
            let at = record.found_at.as_deref().unwrap_or(&record.name);
            let at = DomainName::parse(at).unwrap_or_else(|e| panic!("{name}: {at}: {e}"));
            let rtype = if record.role == Role::SpfMx { RecordType::Mx } else { RecordType::Txt };
            let Some(raw) = dig(&zones, &at, rtype) else { continue };
            pasted += 1;
            let input = ExplainInput {
                role: Some(record.role),
                raw: raw.clone(),
                expected: match record.role {
                    Role::Dkim => setup.public_key.as_ref().map(|k| k.base64().to_owned()),
                    _ => None,
                },
                region: Some(setup.region.clone()),
                domain: Some(setup.domain.to_string()),
                selector: Some(setup.selector.clone()),
                mail_from: Some(setup.mail_from.to_string()),
                provider: report.provider.clone(),
            };
            let explained = match sendlint::explain(&input, &rules) {
                Ok(r) => r,
                Err(e) => {
                    problems.push(format!(
                        "{name} {}: explain refused the record: {e}\n{raw}",
                        record.role.as_str()
                    ));
                    continue;
                }
            };
            // The role the text tells, when it tells one, is the record's.
            if let Some(guess) = sendlint::infer_role(&raw)
                && guess.role != record.role
            {
                problems.push(format!(
                    "{name} {}: read as {} ({})\n{raw}",
                    record.role.as_str(),
                    guess.role.as_str(),
                    guess.reason
                ));
            }
            let (want, got) = (verdict(record), verdict(&explained));
            let excluded = EXCLUDED.iter().find(|(f, role, _)| *f == name && *role == record.role.as_str());
            match excluded {
                Some(_) => {
                    excluded_seen.insert((name.clone(), record.role.as_str()));
                    if want == got {
                        problems.push(format!(
                            "{name} {}: listed in EXCLUDED but explain and check now agree: remove it",
                            record.role.as_str()
                        ));
                    }
                }
                None => {
                    compared += 1;
                    if want != got {
                        problems.push(format!(
                            "{name} {}: check says {want:?}, explain says {got:?}\n{raw}",
                            record.role.as_str()
                        ));
                    }
                }
            }
        }
        let listed = NOTHING_TO_PASTE.iter().any(|(f, _)| *f == name);
        match (pasted, listed) {
            (0, false) => {
                problems.push(format!("{name}: no record to paste (list it in NOTHING_TO_PASTE with why)"))
            }
            (n, true) if n > 0 => {
                problems.push(format!("{name}: listed in NOTHING_TO_PASTE but {n} record(s) were pasted"))
            }
            _ => {}
        }
    }
    for (f, role, _) in EXCLUDED {
        if !excluded_seen.contains(&(f.to_string(), *role)) {
            problems.push(format!("EXCLUDED names {f} {role}, which no fixture pasted"));
        }
    }
    assert!(compared > 300, "only {compared} records compared");
    assert!(problems.is_empty(), "{} disagreement(s):\n\n{}", problems.len(), problems.join("\n\n"));
}
