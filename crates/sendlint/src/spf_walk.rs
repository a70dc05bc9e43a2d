//! Following an SPF record through DNS as a receiver would, without a client
//! IP (RFC 7208 §4.6.4, §5, §6.1): every `include:` and the `redirect=` in
//! effect, the lookups of `a`, `mx` and `exists`, and what makes receivers
//! return `permerror` whatever the client: more than 10 DNS-querying terms,
//! more than 10 MX names for one `mx`, more than 2 void lookups, an
//! include/redirect chain that comes back to a name already on it, and
//! include/redirect targets without (valid) SPF.
//!
//! Every question goes through the [`Lookup`] trait (so caching, recording,
//! replay and the live source all apply), and the walk is bounded: at most
//! [`MAX_RECORDS`] records fetched and [`MAX_QUESTIONS`] questions asked.
//! A target whose lookup failed is not judged (a failed lookup is never a
//! missing record).

use sendlint_dns::{Answer, Lookup, RData, RecordType};
use sendlint_records::extract::{SpfPolicy, SpfTarget, spf_policy};
use sendlint_records::name::DomainName;
use sendlint_records::spf::{SpfRecord, TermKind, is_spf};
use sendlint_records::txt::TxtRecord;
use sendlint_records::{Fact, Facts};

/// RFC 7208 §4.6.4: DNS-querying terms per evaluation.
pub const LOOKUP_LIMIT: usize = 10;
/// Records fetched through includes and redirects before giving up: past
/// the 10 lookups receivers allow, a little further says by how much.
pub const MAX_RECORDS: usize = 20;
/// Questions asked in all for one record (TXT, A, AAAA, MX).
pub const MAX_QUESTIONS: usize = 60;

/// What following one SPF record found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SpfWalk {
    /// DNS-querying terms evaluated, through includes and redirects.
    pub lookups: usize,
    /// Chains that come back to a name already on them.
    pub loops: Vec<String>,
    /// Chains to `include:` targets with no SPF record.
    pub include_missing: Vec<String>,
    /// Chains to `include:` targets whose SPF is invalid.
    pub include_invalid: Vec<String>,
    /// Chains to `redirect=` targets with no SPF record.
    pub redirect_missing: Vec<String>,
    /// Chains to `redirect=` targets whose SPF is invalid.
    pub redirect_invalid: Vec<String>,
    /// The most MX names of one `mx` term, and the chain to its target.
    pub mx_names: Option<(usize, String)>,
    /// The `a`, `mx` and `exists` terms whose lookup found nothing (`a:name`).
    pub void: Vec<String>,
    /// With a `redirect=` in effect: whether the record it leads to includes
    /// amazonses.com (`None`: could not be followed, or no redirect).
    pub redirect_amazonses: Option<bool>,
    /// The root record has a `redirect=` in effect.
    pub redirects: bool,
}

impl SpfWalk {
    /// Sets the facts of the walk on an `spf_txt` record's facts.
    pub fn set_facts(&self, facts: &mut Facts) {
        facts.set(Fact::LookupTerms, self.lookups);
        facts.set(Fact::SpfLoop, self.loops.join(", "));
        facts.set(Fact::IncludeTargetMissing, self.include_missing.join(", "));
        facts.set(Fact::IncludeTargetInvalid, self.include_invalid.join(", "));
        facts.set(Fact::RedirectTargetMissing, self.redirect_missing.join(", "));
        facts.set(Fact::RedirectTargetInvalid, self.redirect_invalid.join(", "));
        let (mx, mx_target) = self.mx_names.clone().unwrap_or_default();
        facts.set(Fact::MxNames, mx);
        facts.set(Fact::MxNamesTarget, mx_target);
        facts.set(Fact::VoidLookups, self.void.len());
        facts.set(Fact::VoidNames, self.void.join(", "));
        facts.set(
            Fact::RedirectAmazonses,
            match (self.redirects, self.redirect_amazonses) {
                (false, _) => "",
                (true, Some(true)) => "yes",
                (true, Some(false)) => "no",
                (true, None) => "unknown",
            },
        );
    }
}

/// One record on the way: its domain, what a receiver evaluates of it, the
/// names from the root to it (for loops) and the chain as text.
struct Node {
    domain: DomainName,
    policy: SpfPolicy,
    names: Vec<DomainName>,
    chain: String,
    /// Reached from the root through redirects only: decides for the root.
    spine: bool,
}

/// How a target's SPF turned out.
enum Fetched {
    Valid(SpfPolicy),
    Missing,
    Invalid,
    /// The lookup failed (or the budget ran out): nothing to say.
    Unknown,
}

/// Follows the SPF record selected from `records` (the TXT records at `name`).
pub async fn walk(lookup: &dyn Lookup, name: &DomainName, records: &[TxtRecord]) -> SpfWalk {
    let mut w = SpfWalk::default();
    let Some(root) = spf_policy(records) else { return w };
    w.redirects = root.redirect.is_some();
    // A receiver stops at a broken root record before evaluating anything.
    if root.syntax_error || root.records > 1 {
        w.lookups = root.queries.len() + usize::from(root.redirect.is_some());
        return w;
    }
    let mut budget = Budget { records: 0, questions: 0 };
    let mut stack = vec![Node {
        domain: name.clone(),
        policy: root,
        names: vec![name.clone()],
        chain: name.to_string(),
        spine: true,
    }];
    while let Some(node) = stack.pop() {
        let Node { domain, policy, names, chain, spine } = node;
        w.lookups += policy.queries.len() + usize::from(policy.redirect.is_some());
        if spine && names.len() > 1 {
            if policy.includes_amazonses {
                w.redirect_amazonses = Some(true);
            } else if policy.redirect.is_none() {
                w.redirect_amazonses = Some(false);
            }
        }
        let mut next = Vec::new();
        for (kind, target) in &policy.queries {
            let target = match target {
                SpfTarget::Current => domain.clone(),
                SpfTarget::Name(n) => n.clone(),
                SpfTarget::Unknown => continue,
            };
            match kind {
                TermKind::Include => {
                    let hop = format!("{chain} -> include:{target}");
                    if names.contains(&target) {
                        w.loops.push(hop);
                        continue;
                    }
                    match fetch(lookup, &target, &mut budget).await {
                        Fetched::Valid(p) => next.push((target, p, hop, false)),
                        Fetched::Missing => w.include_missing.push(hop),
                        Fetched::Invalid => w.include_invalid.push(hop),
                        Fetched::Unknown => {}
                    }
                }
                // past the limit receivers have already given up: no need to ask
                TermKind::A | TermKind::Mx | TermKind::Exists if w.lookups <= LOOKUP_LIMIT => {
                    query_term(lookup, *kind, &target, &chain, &mut budget, &mut w).await;
                }
                _ => {}
            }
        }
        let redirect = match &policy.redirect {
            Some(SpfTarget::Current) => Some(domain.clone()),
            Some(SpfTarget::Name(n)) => Some(n.clone()),
            Some(SpfTarget::Unknown) | None => None,
        };
        if let Some(target) = redirect {
            let hop = format!("{chain} -> redirect={target}");
            if names.contains(&target) {
                w.loops.push(hop);
            } else {
                match fetch(lookup, &target, &mut budget).await {
                    Fetched::Valid(p) => next.push((target, p, hop, spine)),
                    Fetched::Missing => w.redirect_missing.push(hop),
                    Fetched::Invalid => w.redirect_invalid.push(hop),
                    Fetched::Unknown => {}
                }
            }
        }
        // depth first, in record order: the stack pops the first include first
        for (target, policy, hop, spine) in next.into_iter().rev() {
            let mut names = names.clone();
            names.push(target.clone());
            stack.push(Node { domain: target, policy, names, chain: hop, spine });
        }
    }
    w
}

struct Budget {
    records: usize,
    questions: usize,
}

impl Budget {
    fn ask(&mut self) -> bool {
        self.questions += 1;
        self.questions <= MAX_QUESTIONS
    }
}

async fn fetch(lookup: &dyn Lookup, target: &DomainName, budget: &mut Budget) -> Fetched {
    budget.records += 1;
    if budget.records > MAX_RECORDS || !budget.ask() {
        return Fetched::Unknown;
    }
    match lookup.lookup(target, RecordType::Txt).await {
        Answer::Records { records, .. } if !records.is_empty() => {
            let txt: Vec<TxtRecord> = records
                .into_iter()
                .filter_map(|r| match r {
                    RData::Txt(t) => Some(t),
                    _ => None,
                })
                .collect();
            // Judged as receivers read it, unrepaired: quotes typed around a
            // target's record make it no SPF record at all.
            let spf: Vec<TxtRecord> = txt.into_iter().filter(|t| is_spf(&t.data())).collect();
            match spf.as_slice() {
                [] => Fetched::Missing,
                [one] if SpfRecord::parse(&one.data()).error.is_none() => {
                    spf_policy(&spf).map_or(Fetched::Missing, Fetched::Valid)
                }
                _ => Fetched::Invalid,
            }
        }
        Answer::NoData { .. } | Answer::NxDomain { .. } => Fetched::Missing,
        // a CNAME chain leading out of what the source answers, or a failure
        Answer::Records { .. } | Answer::Failed(_) => Fetched::Unknown,
    }
}

/// Found records (`Some(n)`: how many), nothing (`Some(0)`), or unknown (`None`).
async fn count(
    lookup: &dyn Lookup,
    name: &DomainName,
    rtype: RecordType,
    budget: &mut Budget,
) -> Option<usize> {
    if !budget.ask() {
        return None;
    }
    match lookup.lookup(name, rtype).await {
        Answer::Records { records, .. } if !records.is_empty() => Some(records.len()),
        Answer::NoData { .. } | Answer::NxDomain { .. } => Some(0),
        Answer::Records { .. } | Answer::Failed(_) => None,
    }
}

/// The lookups of an `a`, `mx` or `exists` term: void lookups and MX names.
async fn query_term(
    lookup: &dyn Lookup,
    kind: TermKind,
    target: &DomainName,
    chain: &str,
    budget: &mut Budget,
    w: &mut SpfWalk,
) {
    let found = match kind {
        TermKind::Mx => {
            let n = count(lookup, target, RecordType::Mx, budget).await;
            if let Some(n) = n
                && w.mx_names.as_ref().is_none_or(|(most, _)| n > *most)
            {
                w.mx_names = Some((n, format!("{chain} -> mx:{target}")));
            }
            n
        }
        // `a` is void for every client only when it has neither A nor AAAA
        TermKind::A => match count(lookup, target, RecordType::A, budget).await {
            Some(0) => count(lookup, target, RecordType::Aaaa, budget).await,
            n => n,
        },
        // `exists` always asks for A (RFC 7208 §5.7)
        _ => count(lookup, target, RecordType::A, budget).await,
    };
    if found == Some(0) {
        let term = match kind {
            TermKind::Mx => "mx",
            TermKind::A => "a",
            _ => "exists",
        };
        w.void.push(format!("{term}:{target}"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sendlint_dns::ZoneSource;

    fn zone(text: &str) -> ZoneSource {
        let head = "$ORIGIN acme.test.\n$TTL 300\n@ SOA ns.acme.test. h.acme.test. 1 3600 600 604800 300\n";
        ZoneSource::from_text("t", &format!("{head}{text}"), None).expect("zone loads")
    }

    fn run(zone: &ZoneSource, at: &str) -> SpfWalk {
        let name = DomainName::parse(at).expect("name");
        let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
        let txt = match zone.answer(&name, RecordType::Txt) {
            Answer::Records { records, .. } => records
                .into_iter()
                .filter_map(|r| match r {
                    RData::Txt(t) => Some(t),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        rt.block_on(walk(zone, &name, &txt))
    }

    #[test]
    fn loops_are_reported_with_their_chain() {
        let z = zone(
            "s TXT \"v=spf1 include:a.acme.test -all\"\n\
             a TXT \"v=spf1 include:s.acme.test -all\"\n\
             r TXT \"v=spf1 ip4:192.0.2.1 redirect=r.acme.test\"\n",
        );
        let w = run(&z, "s.acme.test");
        assert_eq!(w.loops, ["s.acme.test -> include:a.acme.test -> include:s.acme.test"]);
        assert_eq!(w.lookups, 2);
        let w = run(&z, "r.acme.test");
        assert_eq!(w.loops, ["r.acme.test -> redirect=r.acme.test"]);
        assert_eq!(w.lookups, 1);
    }

    #[test]
    fn the_same_target_twice_is_not_a_loop() {
        let z = zone(
            "s TXT \"v=spf1 include:a.acme.test include:b.acme.test -all\"\n\
             a TXT \"v=spf1 include:c.acme.test -all\"\n\
             b TXT \"v=spf1 include:c.acme.test -all\"\n\
             c TXT \"v=spf1 ip4:192.0.2.1 -all\"\n",
        );
        let w = run(&z, "s.acme.test");
        assert!(w.loops.is_empty(), "{w:?}");
        assert_eq!(w.lookups, 4);
    }

    #[test]
    fn targets_are_checked() {
        let z = zone(
            "s TXT \"v=spf1 include:none.acme.test include:other.acme.test include:bad.acme.test include:quoted.acme.test -all\"\n\
             other TXT \"hello\"\n\
             quoted TXT \"\\\"v=spf1 -all\\\"\"\n\
             bad TXT \"v=spf1 include +all\"\n\
             r TXT \"v=spf1 redirect=gone.acme.test\"\n\
             r2 TXT \"v=spf1 redirect=bad.acme.test\"\n",
        );
        let w = run(&z, "s.acme.test");
        assert_eq!(
            w.include_missing,
            [
                "s.acme.test -> include:none.acme.test",
                "s.acme.test -> include:other.acme.test",
                // receivers do not strip quotes typed around a record
                "s.acme.test -> include:quoted.acme.test"
            ]
        );
        assert_eq!(w.include_invalid, ["s.acme.test -> include:bad.acme.test"]);
        assert_eq!(run(&z, "r.acme.test").redirect_missing, ["r.acme.test -> redirect=gone.acme.test"]);
        assert_eq!(run(&z, "r2.acme.test").redirect_invalid, ["r2.acme.test -> redirect=bad.acme.test"]);
    }

    #[test]
    fn redirect_decides_amazonses_and_all_cancels_redirect() {
        let z = zone(
            "yes TXT \"v=spf1 redirect=spf.acme.test\"\n\
             no TXT \"v=spf1 redirect=deny.acme.test\"\n\
             ign TXT \"v=spf1 redirect=ign.acme.test ~all\"\n\
             late TXT \"v=spf1 redirect=after.acme.test\"\n\
             after TXT \"v=spf1 -all include:amazonses.com\"\n\
             spf TXT \"v=spf1 include:amazonses.com -all\"\n\
             deny TXT \"v=spf1 -all\"\n",
        );
        assert_eq!(run(&z, "yes.acme.test").redirect_amazonses, Some(true));
        assert_eq!(run(&z, "no.acme.test").redirect_amazonses, Some(false));
        // an include after `all` is never reached
        assert_eq!(run(&z, "late.acme.test").redirect_amazonses, Some(false));
        let w = run(&z, "ign.acme.test");
        assert!(w.loops.is_empty() && !w.redirects && w.lookups == 0, "{w:?}");
    }

    #[test]
    fn mx_names_and_void_lookups_are_counted() {
        let mut mx = String::new();
        for i in 0..11 {
            mx.push_str(&format!("m MX {i} mx{i}.acme.test.\n"));
        }
        let z = zone(&format!(
            "{mx}s TXT \"v=spf1 mx:m.acme.test a:v1.acme.test a:v2.acme.test exists:v3.acme.test a:six.acme.test ?all\"\n\
             six AAAA 2001:db8::1\n"
        ));
        let w = run(&z, "s.acme.test");
        assert_eq!(w.mx_names, Some((11, "s.acme.test -> mx:m.acme.test".into())));
        assert_eq!(w.void, ["a:v1.acme.test", "a:v2.acme.test", "exists:v3.acme.test"]);
    }

    #[test]
    fn the_walk_is_bounded() {
        // every record includes two more: a tree that never ends
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&format!(
                "n{i} TXT \"v=spf1 include:n{}.acme.test include:n{}.acme.test -all\"\n",
                2 * i + 1,
                2 * i + 2
            ));
        }
        let z = zone(&text);
        let w = run(&z, "n0.acme.test");
        assert!(w.lookups > LOOKUP_LIMIT && w.lookups <= 2 * (MAX_RECORDS + 1), "{}", w.lookups);
    }
}
