//! The plan: observe as `check` does, decide per record whether it needs a
//! change, and compute each touched record set's final content.

use sendlint_dns::{Answer, CachingLookup, Lookup, RData, RecordType};
use sendlint_records::mx::MxRecord;
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;
use sendlint_records::{Fact, Facts, Role};
use sendlint_rules::RuleSet;
use sendlint_ses::{Badge, ExpectedRecord, SPF_VALUE, Setup, expected_exchange, expected_records};

use super::{Change, ChangeSet, Op, RecordValue, TouchedSet, Unknown};
use crate::check::CheckOptions;
use crate::observe::{Misplacement, Observation, Outcome, is_cloudflare_proxy, observe, starts_with_tag};

/// The TTL of a record added where its set is new.
pub const DEFAULT_TTL: u32 = 300;

/// What one name holds of one type, read at the name itself (not through a CNAME).
struct AtName {
    values: Vec<RecordValue>,
    ttl: u32,
    /// The CNAME at the name, with its TTL.
    cname: Option<(DomainName, u32)>,
}

/// One record set's plan, before it is turned into changes.
struct SetPlan {
    role: Role,
    name: DomainName,
    rtype: &'static str,
    ttl_before: u32,
    before: Vec<RecordValue>,
    after: Vec<RecordValue>,
    why: String,
}

/// Plans the change for `setup` against DNS as `lookup` answers it: the check,
/// then for each record that is not right the final record set at its name
/// (and the deletion of misplaced copies and of a CNAME in the way).
pub async fn plan(setup: &Setup, lookup: &dyn Lookup, rules: &RuleSet, opts: &CheckOptions) -> ChangeSet {
    // One answer per question: the check and the plan see the same DNS.
    let cache = CachingLookup::new(lookup);
    let lookup: &dyn Lookup = &cache;
    let report = crate::check::check(setup, lookup, rules, opts).await;
    let zone = report.zone.as_deref().and_then(|z| DomainName::parse(z).ok());
    let mut out = ChangeSet {
        domain: setup.domain.clone(),
        zone: zone.clone(),
        provider: report.dns_host.clone(),
        changes: Vec::new(),
        sets: Vec::new(),
        unknown: Vec::new(),
        notes: Vec::new(),
        sending_unlocked: report.sending_unlocked,
    };
    let mut plans: Vec<SetPlan> = Vec::new();
    // Roles judged right through a CNAME: if the CNAME goes, their records
    // are published at the name itself.
    let mut via_cname: Vec<(Observation, &'static str)> = Vec::new();
    for want in expected_records(setup) {
        let obs = observe(lookup, want.role, want.name.clone(), zone.as_ref()).await;
        let badge = report.record(want.role).map(|r| r.state);
        if let Outcome::Failed(e) = &obs.outcome {
            out.unknown.push(Unknown {
                role: want.role,
                name: want.name.clone(),
                reason: format!(
                    "the lookup failed ({e}): nothing is known about this record, so it is left as it is"
                ),
            });
            continue;
        }
        if want.role == Role::Dkim && setup.public_key.is_none() {
            out.unknown.push(Unknown {
                role: want.role,
                name: want.name.clone(),
                reason:
                    "no expected DKIM key was given (--public-key or --public-key-file): the published key \
                         cannot be compared with the one SES has, so no DKIM change is given"
                        .to_owned(),
            });
            continue;
        }
        if matches!(badge, Some(Badge::Verified | Badge::Verifying)) {
            if obs.cname.is_some() {
                via_cname.push((obs, rtype_name(want.role)));
            }
            continue;
        }
        let faults: Vec<&str> = report
            .record(want.role)
            .map(|r| {
                r.diagnoses
                    .iter()
                    .filter(|d| d.severity == sendlint_rules::Severity::Error)
                    .map(|d| d.code.as_str())
                    .collect()
            })
            .unwrap_or_default();
        let planned = plans.len();
        if let Err(reason) =
            plan_role(lookup, setup, (&want, &faults), &obs, &mut plans, &mut out.notes).await
        {
            out.unknown.push(Unknown { role: want.role, name: want.name.clone(), reason });
        } else if plans[planned..].iter().all(|p| same_set(&p.before, &p.after)) {
            // DNS already holds what SES was given: what fails is the value
            // given to SES itself (a key it rejects), not DNS.
            plans.truncate(planned);
            let reason = format!(
                "DNS already holds the value SES was given; what fails is not in DNS ({}): see `sendlint check`",
                faults.join(", ")
            );
            out.unknown.push(Unknown { role: want.role, name: want.name.clone(), reason });
        }
    }
    // A CNAME that goes takes with it what resolvers found through it.
    for (obs, rtype) in via_cname {
        let cname_goes = plans.iter().any(|p| p.rtype == "CNAME" && p.name == obs.name);
        let planned = plans.iter().any(|p| p.rtype == rtype && p.name == obs.name);
        if cname_goes && !planned {
            let after: Vec<RecordValue> = match obs.role {
                Role::SpfMx => obs.records.mx.iter().cloned().map(RecordValue::Mx).collect(),
                _ => obs.records.txt.iter().cloned().map(RecordValue::Txt).collect(),
            };
            plans.push(SetPlan {
                role: obs.role,
                name: obs.name.clone(),
                rtype,
                ttl_before: 0,
                before: Vec::new(),
                after,
                why: "was served through the CNAME that is removed: published at the name itself".to_owned(),
            });
        }
    }
    finish(plans, &mut out);
    out
}

fn rtype_name(role: Role) -> &'static str {
    if role == Role::SpfMx { "MX" } else { "TXT" }
}

fn record_type(rtype: &str) -> RecordType {
    match rtype {
        "MX" => RecordType::Mx,
        "CNAME" => RecordType::Cname,
        _ => RecordType::Txt,
    }
}

/// What `name` holds of `rtype` itself, and its CNAME.
async fn at_name(lookup: &dyn Lookup, name: &DomainName, rtype: &'static str) -> Result<AtName, String> {
    let answer = lookup.lookup(name, record_type(rtype)).await;
    let (records, cnames, ttl) = match answer {
        Answer::Records { records, cnames, ttl } => (records, cnames, ttl),
        Answer::NoData { cnames, .. } | Answer::NxDomain { cnames, .. } => (Vec::new(), cnames, 0),
        Answer::Failed(e) => return Err(format!("the lookup of {rtype} {name} failed ({e})")),
    };
    if let Some((_, target)) = cnames.first() {
        let cname_ttl = match lookup.lookup(name, RecordType::Cname).await {
            Answer::Records { ttl, .. } => ttl,
            _ => DEFAULT_TTL,
        };
        return Ok(AtName { values: Vec::new(), ttl: 0, cname: Some((target.clone(), cname_ttl)) });
    }
    let values = records
        .into_iter()
        .filter_map(|r| match r {
            RData::Mx(mx) if rtype == "MX" => Some(RecordValue::Mx(mx)),
            RData::Txt(t) if rtype == "TXT" => Some(RecordValue::Txt(t)),
            _ => None,
        })
        .collect();
    Ok(AtName { values, ttl, cname: None })
}

/// Is this record one of `role`'s (the ones a fix of the role replaces)?
/// Other TXT at the same name are someone else's and kept.
fn is_roles(role: Role, value: &RecordValue) -> bool {
    match (role, value) {
        (Role::SpfMx, RecordValue::Mx(_)) => true,
        (Role::SpfTxt, RecordValue::Txt(t)) => starts_with_tag(&t.data(), b"v=spf1"),
        (Role::Dmarc, RecordValue::Txt(t)) => sendlint_records::dmarc::looks_like_dmarc(&t.data()),
        (Role::Dkim, RecordValue::Txt(_)) => true,
        _ => false,
    }
}

/// The records `role` needs at its name: SES's values; for DMARC the
/// customer's own record repaired (policy and report addresses kept).
fn wanted(
    setup: &Setup,
    role: Role,
    current: &[RecordValue],
    notes: &mut Vec<String>,
) -> Result<RecordValue, String> {
    Ok(match role {
        Role::SpfMx => {
            let exchange = DomainName::parse(&expected_exchange(&setup.region)).map_err(|e| e.to_string())?;
            RecordValue::Mx(MxRecord { preference: 10, exchange })
        }
        Role::SpfTxt => RecordValue::Txt(TxtRecord::from_value(SPF_VALUE.as_bytes())),
        Role::Dkim => {
            let key = setup.public_key.as_ref().ok_or("no expected DKIM key")?;
            RecordValue::Txt(TxtRecord::from_value(format!("p={}", key.base64()).as_bytes()))
        }
        Role::Dmarc | Role::Domain => {
            let own: Vec<String> = current
                .iter()
                .filter_map(|v| match v {
                    RecordValue::Txt(t) if is_roles(Role::Dmarc, v) => Some(clean_dmarc(&t.data())),
                    _ => None,
                })
                .collect();
            let mut facts = Facts::new();
            if !own.is_empty() {
                facts.set(Fact::RecordValue, merge_dmarc(&own));
            } else {
                notes.push(format!(
                    "The new DMARC record sends aggregate reports to dmarc-reports@{}: change the address \
                     to a mailbox you read before applying.",
                    setup.domain
                ));
            }
            let value = crate::explain::dmarc_value(&facts, Some(&setup.domain));
            RecordValue::Txt(TxtRecord::from_value(value.as_bytes()))
        }
    })
}

/// A DMARC record's text with what broke it taken out: quote characters,
/// control bytes and no-break spaces (as blanks).
fn clean_dmarc(data: &[u8]) -> String {
    let text = String::from_utf8_lossy(data);
    let cleaned: String = text
        .chars()
        .filter(|c| !matches!(c, '"' | '\'' | '\u{201C}' | '\u{201D}' | '\u{2018}' | '\u{2019}' | '\u{FFFD}'))
        .map(|c| if c.is_control() || c.is_whitespace() { ' ' } else { c })
        .collect();
    cleaned.split(' ').filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

/// Several DMARC records as one: each tag once (the first), except the
/// policies `p` and `sp`, where the strictest wins.
fn merge_dmarc(records: &[String]) -> String {
    fn rank(v: &str) -> u8 {
        match v.trim().to_ascii_lowercase().as_str() {
            "reject" => 3,
            "quarantine" => 2,
            "none" => 1,
            _ => 0,
        }
    }
    let mut tags: Vec<(String, String, String)> = Vec::new();
    for record in records {
        for part in record.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, value)) = part.split_once('=') else { continue };
            let lower = name.trim().to_ascii_lowercase();
            match tags.iter_mut().find(|(n, ..)| *n == lower) {
                Some(seen) if (lower == "p" || lower == "sp") && rank(value) > rank(&seen.2) => {
                    *seen = (lower, part.to_owned(), value.to_owned());
                }
                Some(_) => {}
                None => tags.push((lower, part.to_owned(), value.to_owned())),
            }
        }
    }
    tags.into_iter().map(|(_, part, _)| part).collect::<Vec<_>>().join("; ")
}

/// Plans the record sets of one role that is not right.
async fn plan_role(
    lookup: &dyn Lookup,
    setup: &Setup,
    (want, faults): (&ExpectedRecord, &[&str]),
    obs: &Observation,
    plans: &mut Vec<SetPlan>,
    notes: &mut Vec<String>,
) -> Result<(), String> {
    let rtype = rtype_name(want.role);
    let here = at_name(lookup, &want.name, rtype).await?;
    // At a misplaced name: the role's records there, for their DMARC tags
    // and their deletion.
    let misplaced = match &obs.outcome {
        Outcome::Misplaced(kind, at) => Some((*kind, at.clone(), at_name(lookup, at, rtype).await?)),
        _ => None,
    };
    let mut own: Vec<RecordValue> = here.values.iter().filter(|v| is_roles(want.role, v)).cloned().collect();
    if let Some((_, _, there)) = &misplaced {
        own.extend(there.values.iter().filter(|v| is_roles(want.role, v)).cloned());
    }
    let right = wanted(setup, want.role, &own, notes)?;
    let mut after: Vec<RecordValue> =
        here.values.iter().filter(|v| !is_roles(want.role, v)).cloned().collect();
    after.push(right);
    let mut why = why_of(want.role, obs);
    if !faults.is_empty() {
        why = format!("{why} ({})", faults.join(", "));
    }
    plans.push(SetPlan {
        role: want.role,
        name: want.name.clone(),
        rtype,
        ttl_before: here.ttl,
        before: here.values.clone(),
        after,
        why: why.clone(),
    });
    if let Some((target, ttl)) = &here.cname
        && !plans.iter().any(|p| p.rtype == "CNAME" && p.name == want.name)
    {
        plans.push(SetPlan {
            role: want.role,
            name: want.name.clone(),
            rtype: "CNAME",
            ttl_before: *ttl,
            before: vec![RecordValue::Cname(target.clone())],
            after: Vec::new(),
            why: format!("a CNAME at {} is in the way: no other record can sit next to it", want.name),
        });
    }
    if let Some((kind, at, there)) = misplaced {
        let what = match kind {
            Misplacement::DoubledSuffix => "the zone's name was appended to the full name",
            Misplacement::PriorityInHost => "the MX priority was typed into the host field",
        };
        plans.push(SetPlan {
            role: want.role,
            name: at.clone(),
            rtype,
            ttl_before: there.ttl,
            before: there.values.clone(),
            after: there.values.iter().filter(|v| !is_roles(want.role, v)).cloned().collect(),
            why: format!("the misplaced copy at {at} ({what})"),
        });
    }
    if obs.addresses.iter().any(|ip| is_cloudflare_proxy(*ip)) {
        notes.push(format!(
            "{} answers Cloudflare proxy addresses: in the Cloudflare dashboard, set the record at that name \
             to \"DNS only\" (grey cloud), or delete it if nothing else uses the name.",
            want.name
        ));
    }
    Ok(())
}

/// Why the role's records change, in one line.
fn why_of(role: Role, obs: &Observation) -> String {
    let what = match role {
        Role::SpfMx => "the MAIL FROM MX",
        Role::SpfTxt => "the MAIL FROM SPF record",
        Role::Dkim => "the DKIM record",
        Role::Dmarc | Role::Domain => "the DMARC record",
    };
    match &obs.outcome {
        Outcome::Misplaced(_, at) => format!("{what} belongs at {}, not {at}", obs.name),
        _ if obs.cname.is_none() && obs.records.mx.is_empty() && obs.records.txt.is_empty() => {
            format!("{what} is missing")
        }
        _ => format!("{what} is not what SES needs"),
    }
}

/// The same records, in any order?
fn same_set(a: &[RecordValue], b: &[RecordValue]) -> bool {
    a.len() == b.len() && a.iter().all(|x| b.iter().any(|y| y.same(x)))
}

/// Turns the set plans into changes: CNAME deletions first, then the other
/// deletions, then the additions; sets that end as they started are dropped.
fn finish(plans: Vec<SetPlan>, out: &mut ChangeSet) {
    let mut deletes = Vec::new();
    let mut adds = Vec::new();
    for p in plans {
        let gone: Vec<&RecordValue> =
            p.before.iter().filter(|b| !p.after.iter().any(|a| a.same(b))).collect();
        let new: Vec<&RecordValue> = p.after.iter().filter(|a| !p.before.iter().any(|b| b.same(a))).collect();
        if gone.is_empty() && new.is_empty() {
            continue;
        }
        // An added record joins its set: it takes the set's TTL.
        let ttl = if p.before.is_empty() || p.ttl_before == 0 { DEFAULT_TTL } else { p.ttl_before };
        let change = |op, value: &RecordValue, ttl| Change {
            op,
            role: p.role,
            name: p.name.clone(),
            ttl,
            value: value.clone(),
            why: p.why.clone(),
        };
        for v in &gone {
            let c = change(Op::Delete, v, p.ttl_before);
            if p.rtype == "CNAME" { deletes.insert(0, c) } else { deletes.push(c) }
        }
        adds.extend(new.iter().map(|v| change(Op::Add, v, ttl)));
        out.sets.push(TouchedSet {
            name: p.name,
            rtype: p.rtype,
            ttl_before: p.ttl_before,
            before: p.before,
            ttl,
            after: p.after,
        });
    }
    out.changes = deletes;
    out.changes.extend(adds);
    out.notes.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merged_dmarc_keeps_every_tag_once_and_the_strictest_policy() {
        let merged = merge_dmarc(&[
            "v=DMARC1; p=none; rua=mailto:a@acme.test".to_owned(),
            "v=DMARC1; p=quarantine; ruf=mailto:f@acme.test".to_owned(),
        ]);
        assert_eq!(merged, "v=DMARC1; p=quarantine; rua=mailto:a@acme.test; ruf=mailto:f@acme.test");
    }

    #[test]
    fn cleaned_dmarc_loses_quotes_and_control_bytes() {
        assert_eq!(clean_dmarc(b"\"v=DMARC1;\xC2\xA0p=none\x01\""), "v=DMARC1; p=none");
        assert_eq!(clean_dmarc("\u{201C}v=DMARC1; p=reject\u{201D}".as_bytes()), "v=DMARC1; p=reject");
    }

    #[test]
    fn roles_own_only_their_records() {
        let txt = |s: &str| RecordValue::Txt(TxtRecord::from_value(s.as_bytes()));
        assert!(is_roles(Role::SpfTxt, &txt("\"v=spf1 -all\"")));
        assert!(!is_roles(Role::SpfTxt, &txt("google-site-verification=x")));
        assert!(is_roles(Role::Dmarc, &txt(" v=DMARC1; p=none")));
        assert!(!is_roles(Role::Dmarc, &txt("v=spf1 -all")));
        assert!(is_roles(Role::Dkim, &txt("anything")));
    }
}
