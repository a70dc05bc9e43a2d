//! Check one sending domain: observe each record, extract facts, judge them
//! with the rules, decide each badge.

use std::sync::Arc;
use std::time::SystemTime;

use sendlint_dns::{
    Answer, ApexMap, CachingLookup, FailureKind, Lookup, LookupError, ZoneInfo, find_zone_in,
};
use sendlint_records::extract::{self, Expectation};
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_records::{Fact, Facts, Role};
use sendlint_rules::{Diagnosis, RuleSet, Severity};
use sendlint_ses::{
    Badge, BadgeInput, DnsState, ExpectedRecord, SesLookup, Setup, decide, expected_exchange,
    expected_records,
};

use crate::dmarc_policy::{discover, set_facts as set_discovery_facts};
use crate::observe::{Misplacement, Observation, Presence, is_cloudflare_proxy, observe, rtype_of};
use crate::report::{DiagnosisReport, DomainReport, RecordReport};
pub use crate::ses_facts::SesState;
use crate::ses_facts::{SesView, set_badge_facts, set_ses_facts};
use crate::view::{observed_view, report_diagnosis};

/// The org of an entry without one, when counting claimants.
pub(crate) const NO_ORG: &str = "(no org)";

/// How to check: everything that is not the setup or the DNS source.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// "Now", for the 72-hour window (fixed in tests and `--now`).
    pub now: SystemTime,
    /// Use this DNS provider's advice instead of the detected one.
    pub provider: Option<String>,
    /// SES state, when known.
    pub ses: SesState,
    /// The organization owning the domain (manifest entries).
    pub org: Option<String>,
    /// What SES answered for the identity (`--ses`, `--ses-state`). When set,
    /// its statuses replace `ses` ([`SesLookup::statuses`]) and its details
    /// become facts for the SES rules.
    pub ses_lookup: Option<SesLookup>,
    /// What the rest of the workspace manifest says about this domain (`audit`).
    pub workspace: WorkspaceContext,
    /// The NS sets of the zones met so far in this run (`audit`: one map for
    /// every entry, so each zone's NS set is asked once).
    pub apexes: Option<Arc<ApexMap>>,
    /// Where DNSSEC chains start (`--trust-anchor`); `None`: the root KSKs
    /// built into hickory-proto.
    pub trust_anchors: Option<Arc<sendlint_dns::dnssec::TrustAnchors>>,
}

/// Findings about one domain that need the whole workspace manifest: computed
/// by the audit before the per-domain checks, empty for a single `check`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkspaceContext {
    /// The other organizations that claim the same domain.
    pub other_claimants: Vec<String>,
    /// The same claims with the DKIM selector and key each gave, when given:
    /// DNS tells whose setup is published when it serves one claim's key.
    pub other_claims: Vec<Claimant>,
    /// The other domains that publish the same DKIM selector with the same key.
    pub key_shared_with: Vec<String>,
}

/// Another organization's claim on the checked domain (`audit`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Claimant {
    /// The organization.
    pub org: String,
    /// The DKIM selector of its entry.
    pub selector: Option<String>,
    /// The DKIM public key of its entry, when it gave one that decodes.
    pub key: Option<PublicKey>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            now: SystemTime::now(),
            provider: None,
            ses: SesState::default(),
            org: None,
            ses_lookup: None,
            workspace: WorkspaceContext::default(),
            apexes: None,
            trust_anchors: None,
        }
    }
}

/// Checks one domain against DNS as `lookup` answers it.
pub async fn check(setup: &Setup, lookup: &dyn Lookup, rules: &RuleSet, opts: &CheckOptions) -> DomainReport {
    // One answer per question per run: shared SPF includes, the apex NS set
    // and repeated probes are asked once, and every step sees the same answer.
    let cache = CachingLookup::new(lookup);
    let lookup: &dyn Lookup = &cache;
    let zone_info: ZoneInfo = find_zone_in(lookup, &setup.domain, opts.apexes.as_deref()).await;
    let zone = zone_info.apex.clone();
    let ns: Vec<String> = zone_info.nameservers.iter().map(ToString::to_string).collect();
    let provider: Option<String> = match &opts.provider {
        Some(id) => Some(id.clone()),
        None => rules.detect_provider(&ns).map(|p| p.id.to_string()),
    };

    let expected = expected_records(setup);
    let exchange = expected_exchange(&setup.region);
    let exp = Expectation {
        region: &setup.region,
        domain: &setup.domain,
        zone: zone.as_ref(),
        mail_from: &setup.mail_from,
        expected_key: setup.public_key.as_ref(),
    };
    let since_submitted = setup.submitted_at.and_then(|t| opts.now.duration_since(t).ok());
    let ses = SesView::new(opts.ses, opts.ses_lookup.as_ref(), setup);

    // The four records are independent: look them up at once, so a live check
    // takes one round of round-trips, not four.
    let observe_one = |want: &ExpectedRecord| observe(lookup, want.role, want.name.clone(), zone.as_ref());
    let observations: Vec<Observation> = match refused_zone(&zone_info) {
        // The server refuses the zone: it refuses every name in it, so its
        // records are not asked (one query, not one per record and probe).
        Some(refused) => expected
            .iter()
            .map(|want| Observation {
                role: want.role,
                name: want.name.clone(),
                presence: Presence::Failed(LookupError {
                    detail: format!(
                        "the server refuses the zone, so {} {} was not asked",
                        rtype_of(want.role),
                        want.name
                    ),
                    ..refused.clone()
                }),
                records: Default::default(),
                cname: None,
                addresses: Vec::new(),
            })
            .collect(),
        None => match expected.as_slice() {
            [a, b, c, d] => {
                let (a, b, c, d) =
                    tokio::join!(observe_one(a), observe_one(b), observe_one(c), observe_one(d));
                vec![a, b, c, d]
            }
            others => {
                let mut v = Vec::with_capacity(others.len());
                for want in others {
                    v.push(observe_one(want).await);
                }
                v
            }
        },
    };

    // Live DNS: every server of the zone, one by one (crate::servers), and the
    // DNSSEC chain of each record (crate::dnssec_facts), asked at once.
    let anchors = crate::dnssec_facts::anchors(opts.trust_anchors.as_ref());
    let (views, dnssec) = tokio::join!(
        crate::servers::ask(lookup, &zone_info.nameservers, zone.as_ref(), &observations),
        crate::dnssec_facts::judge(lookup, zone.as_ref(), &observations, anchors, opts.now),
    );
    // Named by the propagation notes: the zone's own servers, as the apex lists them.
    let authoritative_servers = ns.join(", ");
    let mut records = Vec::with_capacity(4);
    let cx = RecordContext {
        lookup,
        setup,
        exp: &exp,
        zone: zone.as_ref(),
        provider: provider.as_deref(),
        exchange: exchange.as_str(),
        nameservers: &zone_info.nameservers,
        servers: &authoritative_servers,
        ses: &ses,
        dnssec: &dnssec,
    };
    // Offline, a domain whose records lie in no loaded zone is reported once,
    // for the domain (`dns.zone-not-loaded`): the zone walk's miss names the
    // domain itself, else the first record's.
    let mut zone_missing: Option<String> =
        zone_info.failure.as_ref().filter(|e| e.zone_file_missing()).map(|e| e.detail.clone());
    // What the DKIM record shows, for the workspace's claim evidence.
    let mut own_key_published = false;
    let mut dkim_txt = Vec::new();
    for ((want, mut obs), view) in expected.iter().zip(observations).zip(views) {
        let view = view.as_ref();
        if zone_missing.is_none()
            && let Presence::Failed(e) = &obs.presence
            && e.zone_file_missing()
        {
            zone_missing = Some(e.detail.clone());
        }
        let mut facts = gather_facts(&cx, want, &obs, None, view).await;
        let mut judged = rules.evaluate(want.role, &facts, provider.as_deref());
        // Live DNS only: a found record the rules judge wrong may be an old
        // value still cached; one they judge correct needs no second opinion.
        if dns_state(&obs, &judged) == DnsState::Wrong
            && let Some(stale) = published_instead(lookup, &zone_info.nameservers, &mut obs, view).await
        {
            facts = gather_facts(&cx, want, &obs, Some(&stale), view).await;
            judged = rules.evaluate(want.role, &facts, provider.as_deref());
        }
        // The DNS rules decide the DNS state and so the badge; the badge and its
        // note then become facts, and a second pass lets the SES rules speak.
        let mut dns = dns_state(&obs, &judged);
        if dns == DnsState::Absent && facts.flag(Fact::Inherited) {
            // A parent's policy covers the domain: nothing is missing (see
            // docs/badges.md, "DMARC inherited from a parent domain").
            dns = DnsState::Correct;
        }
        if dns == DnsState::Correct && want.role == Role::Dkim && !facts.flag(Fact::ExpectedKeyKnown) {
            // A verdict claims only what was compared: without the key given
            // to SES, a well-formed key is not known to be the right one.
            dns = DnsState::NotCompared;
        }
        let decision =
            decide(&BadgeInput { role: want.role, dns, ses: ses.state.for_role(want.role), since_submitted });
        if want.role == Role::Dkim && !opts.workspace.other_claimants.is_empty() {
            own_key_published = facts.flag(Fact::KeyMatches);
            dkim_txt = obs.records.txt.clone();
        }
        set_badge_facts(&mut facts, dns, &decision);
        let diagnoses = rules.evaluate(want.role, &facts, provider.as_deref());
        records.push(record_report(want, &obs, &diagnoses, decision.badge));
    }

    let mut domain_facts = Facts::new();
    context_facts_common(&mut domain_facts, setup, zone.as_ref(), provider.as_deref());
    domain_facts.set(Fact::IsApex, zone.as_ref().is_some_and(|z| *z == setup.domain));
    domain_facts.set(Fact::ZoneFileMissing, zone_missing.is_some());
    domain_facts.set(Fact::LookupError, zone_missing.unwrap_or_default());
    let off: Vec<&str> = setup
        .from_addresses
        .iter()
        .filter(|a| !address_on_domain(a, &setup.domain))
        .map(String::as_str)
        .collect();
    domain_facts.set(Fact::FromCount, setup.from_addresses.len());
    domain_facts.set(Fact::OffDomainFrom, off.join(", "));
    domain_facts.set(Fact::OffDomainFromCount, off.len());
    let ws = &opts.workspace;
    domain_facts.set(Fact::OtherClaimants, ws.other_claimants.join(", "));
    domain_facts.set(Fact::OtherClaimantCount, ws.other_claimants.len());
    if !ws.other_claimants.is_empty() {
        let own = Claimant {
            org: opts.org.clone().unwrap_or_else(|| NO_ORG.to_owned()),
            selector: Some(setup.selector.clone()),
            key: setup.public_key.clone(),
        };
        let evidence = claim_evidence(
            lookup,
            setup,
            &exp,
            &own,
            own_key_published,
            &dkim_txt,
            (&ws.other_claims, ws.other_claimants.len()),
        )
        .await;
        evidence.set_facts(&mut domain_facts);
    }
    let named: Vec<&str> = ws.key_shared_with.iter().take(10).map(String::as_str).collect();
    domain_facts.set(Fact::KeySharedWith, named.join(", "));
    domain_facts.set(Fact::KeySharedCount, ws.key_shared_with.len());
    set_ses_facts(&mut domain_facts, Role::Domain, setup, &ses);
    crate::ses_lastlook::set_facts(&mut domain_facts, &ses, &zone_info);
    let diagnoses: Vec<DiagnosisReport> = rules
        .evaluate(Role::Domain, &domain_facts, provider.as_deref())
        .iter()
        .map(|d| report_diagnosis(d, None))
        .collect();

    crate::shared::merge_shared(&mut records);
    let unlocked = crate::verdict::Verdict::of(&records, &diagnoses).unlocked;
    DomainReport {
        org: opts.org.clone(),
        domain: setup.domain.to_string(),
        zone: zone.as_ref().map(ToString::to_string),
        provider,
        sending_unlocked: unlocked,
        ses_consulted: ses.consulted(),
        records,
        diagnoses,
    }
}

/// Whose claim on a contested domain DNS shows published: the claims whose
/// DKIM key is served at their selector.
struct ClaimEvidence {
    /// Every claim (this one and the others) gave a DKIM key to compare.
    keys_known: bool,
    /// The orgs whose key DNS serves, in claim order (this one first).
    published_by: Vec<String>,
    /// This claim's key is among them.
    published_here: bool,
}

impl ClaimEvidence {
    fn set_facts(&self, facts: &mut Facts) {
        facts.set(Fact::ClaimKeysKnown, self.keys_known);
        facts.set(Fact::ClaimPublishedBy, self.published_by.join(", "));
        facts.set(Fact::ClaimPublishedCount, self.published_by.len());
        facts.set(Fact::ClaimPublishedHere, self.published_here);
    }
}

/// Looks at the DKIM record of every claim on the domain (its selector's TXT;
/// the one already observed when the selectors are the same) and compares it
/// with that claim's key.
async fn claim_evidence(
    lookup: &dyn Lookup,
    setup: &Setup,
    exp: &Expectation<'_>,
    own: &Claimant,
    own_published: bool,
    own_txt: &[sendlint_records::TxtRecord],
    (others, other_count): (&[Claimant], usize),
) -> ClaimEvidence {
    let mut keys_known = own.key.is_some() && others.len() == other_count;
    let mut published_by = Vec::new();
    if own_published && own.key.is_some() {
        published_by.push(own.org.clone());
    }
    for other in others {
        let (Some(selector), Some(key)) = (&other.selector, &other.key) else {
            keys_known = false;
            continue;
        };
        let txt: Vec<sendlint_records::TxtRecord> = if selector.eq_ignore_ascii_case(&setup.selector) {
            own_txt.to_vec()
        } else {
            let name = setup
                .domain
                .prepend_label(b"_domainkey")
                .and_then(|n| n.prepend_label(selector.to_ascii_lowercase().as_bytes()));
            let Ok(name) = name else { continue };
            let answer = lookup.lookup(&name, rtype_of(Role::Dkim)).await;
            crate::observe::records_of(Role::Dkim, &answer).0.txt
        };
        let theirs = Expectation { expected_key: Some(key), ..*exp };
        if extract::txt_facts(Role::Dkim, &txt, &theirs).flag(Fact::KeyMatches) {
            published_by.push(other.org.clone());
        }
    }
    let published_here = own_published && own.key.is_some();
    ClaimEvidence { keys_known, published_by, published_here }
}

/// What every record's facts are gathered with.
struct RecordContext<'a> {
    lookup: &'a dyn Lookup,
    setup: &'a Setup,
    exp: &'a Expectation<'a>,
    zone: Option<&'a DomainName>,
    provider: Option<&'a str>,
    exchange: &'a str,
    nameservers: &'a [DomainName],
    /// The zone's own servers, as the propagation notes name them.
    servers: &'a str,
    ses: &'a SesView<'a>,
    dnssec: &'a crate::dnssec_facts::DnssecVerdicts,
}

/// The facts of one record as observed (with `stale`: as published, the
/// resolver's copy being older), before the badge is decided.
async fn gather_facts(
    cx: &RecordContext<'_>,
    want: &ExpectedRecord,
    obs: &Observation,
    stale: Option<&StaleAnswer>,
    view: Option<&crate::servers::ServerView>,
) -> Facts {
    let (lookup, setup) = (cx.lookup, cx.setup);
    let mut facts = record_facts(obs, cx.exp);
    if want.role == Role::Dmarc {
        let discovery = match &obs.presence {
            // Receivers do not see a misplaced record or one they do not
            // recognise as DMARC: they walk up as if there were none.
            Presence::Misplaced(..) | Presence::Absent => Some(discover(lookup, &setup.domain).await),
            Presence::Found if !facts.flag(Fact::Found) => Some(discover(lookup, &setup.domain).await),
            Presence::Found | Presence::Failed(_) => None,
        };
        set_discovery_facts(&mut facts, discovery.as_ref());
        // RFC 7489 §7.1: are the rua=/ruf= destinations at other organizations authorized?
        if matches!(obs.presence, Presence::Found) && facts.flag(Fact::Found) {
            crate::report_auth::check(lookup, &setup.domain, &obs.records.txt).await.set_facts(&mut facts);
        }
    }
    context_facts(&mut facts, setup, cx.zone, cx.provider, want);
    crate::context::set_derived(&mut facts, want.role, &want.name, cx.zone, &obs.records.txt);
    facts.set(Fact::ExpectedExchange, cx.exchange);
    propagation_facts(lookup, cx.nameservers, cx.servers, obs, view, &mut facts).await;
    crate::servers::set_facts(&mut facts, view);
    facts.set(Fact::Stale, stale.is_some());
    if let Some(stale) = stale {
        facts.set(Fact::CachedTtl, i64::from(stale.cached_ttl));
        facts.set(Fact::PublishedTtl, i64::from(stale.published_ttl));
        facts.set(Fact::AuthoritativeServers, cx.servers);
    }
    if want.role == Role::SpfTxt && facts.flag(Fact::Found) {
        crate::spf_walk::walk(lookup, &obs.name, &obs.records.txt).await.set_facts(&mut facts);
    }
    cx.dnssec.set_facts(want.role, &mut facts);
    set_ses_facts(&mut facts, want.role, setup, cx.ses);
    facts
}

/// The refusal of the SOA question that started the zone walk: the zone is
/// refused, and each record's failure says so (and that it was not asked).
fn refused_zone(info: &ZoneInfo) -> Option<&LookupError> {
    info.failure.as_ref().filter(|f| info.apex.is_none() && f.kind == FailureKind::Refused)
}

/// Is `address` (`local@host`) on `domain` itself? SES and DMARC alignment
/// want the From domain to be the verified identity (or a subdomain of it).
fn address_on_domain(address: &str, domain: &DomainName) -> bool {
    let Some((_, host)) = address.rsplit_once('@') else { return false };
    DomainName::parse(host).is_ok_and(|h| h.is_subdomain_of(domain))
}

fn record_facts(obs: &Observation, exp: &Expectation<'_>) -> Facts {
    let mut facts = match obs.role {
        Role::SpfMx => extract::mx_facts(&obs.records.mx, exp),
        role => extract::txt_facts(role, &obs.records.txt, exp),
    };
    let (found, absent, failed) = match &obs.presence {
        Presence::Found | Presence::Misplaced(..) => {
            (facts.flag(Fact::Found) || obs.cname.is_some(), false, false)
        }
        Presence::Absent => (false, true, false),
        Presence::Failed(_) => (false, false, true),
    };
    // `found` from the extractor means "records of the kind": a name holding
    // only unrelated TXT is absent for SPF and DMARC.
    let absent = absent || (!found && !failed);
    facts.set(Fact::Found, found);
    facts.set(Fact::Absent, absent);
    facts.set(Fact::LookupFailed, failed);
    facts.set(Fact::ZoneFileMissing, matches!(&obs.presence, Presence::Failed(e) if e.zone_file_missing()));
    facts.set(
        Fact::LookupError,
        match &obs.presence {
            Presence::Failed(e) => e.to_string(),
            _ => String::new(),
        },
    );
    let (doubled, in_host, misplaced_name) = match &obs.presence {
        Presence::Misplaced(Misplacement::DoubledSuffix, n) => (true, false, n.to_string()),
        Presence::Misplaced(Misplacement::PriorityInHost, n) => (false, true, n.to_string()),
        _ => (false, false, String::new()),
    };
    facts.set(Fact::DoubledSuffix, doubled);
    if matches!(obs.role, Role::SpfMx | Role::SpfTxt) {
        facts.set(Fact::PriorityInHost, in_host);
    }
    facts.set(Fact::MisplacedName, misplaced_name);
    let proxy: Vec<String> =
        obs.addresses.iter().filter(|ip| is_cloudflare_proxy(**ip)).map(ToString::to_string).collect();
    facts.set(Fact::Proxied, !proxy.is_empty());
    facts.set(Fact::ProxyAddresses, proxy.join(", "));
    facts.set(Fact::HasCname, obs.cname.is_some());
    facts.set(Fact::CnameTarget, obs.cname.as_ref().map(ToString::to_string).unwrap_or_default());
    facts
}

fn context_facts_common(facts: &mut Facts, setup: &Setup, zone: Option<&DomainName>, provider: Option<&str>) {
    facts.set(Fact::Domain, setup.domain.to_string());
    facts.set(Fact::Zone, zone.map(ToString::to_string).unwrap_or_default());
    facts.set(Fact::Provider, provider.unwrap_or_default());
    facts.set(Fact::Region, setup.region.as_str());
    facts.set(Fact::Selector, setup.selector.as_str());
    facts.set(Fact::MailFrom, setup.mail_from.to_string());
}

fn context_facts(
    facts: &mut Facts,
    setup: &Setup,
    zone: Option<&DomainName>,
    provider: Option<&str>,
    want: &ExpectedRecord,
) {
    context_facts_common(facts, setup, zone, provider);
    facts.set(Fact::Name, want.name.to_string());
    facts.set(Fact::Expected, want.value.as_str());
}

fn dns_state(obs: &Observation, diagnoses: &[Diagnosis]) -> DnsState {
    match obs.presence {
        Presence::Failed(_) => DnsState::LookupFailed,
        _ if diagnoses.iter().any(|d| d.severity == Severity::Error) && !is_absent(obs) => DnsState::Wrong,
        _ if is_absent(obs) => DnsState::Absent,
        _ => DnsState::Correct,
    }
}

fn is_absent(obs: &Observation) -> bool {
    // A proxied name is present (in the provider's panel), and wrong.
    if obs.addresses.iter().any(|ip| is_cloudflare_proxy(*ip)) {
        return false;
    }
    match obs.presence {
        Presence::Absent => obs.cname.is_none(),
        Presence::Found => obs.records.txt.is_empty() && obs.records.mx.is_empty() && obs.cname.is_none(),
        _ => false,
    }
}

fn record_report(
    want: &ExpectedRecord,
    obs: &Observation,
    diagnoses: &[Diagnosis],
    badge: Badge,
) -> RecordReport {
    let view = observed_view(obs);
    let diagnoses: Vec<DiagnosisReport> =
        diagnoses.iter().map(|d| report_diagnosis(d, Some(&view))).collect();
    RecordReport {
        role: want.role,
        name: want.name.to_string(),
        rtype: want.rtype,
        expected: want.value.clone(),
        found_at: match &obs.presence {
            Presence::Misplaced(_, n) => Some(n.to_string()),
            _ => None,
        },
        observed: view.lines.iter().map(|e| e.text.clone()).collect(),
        state: badge,
        diagnoses,
    }
}

/// Live DNS only: when the resolver has nothing at the expected name, asks the
/// zone's own authoritative servers. If they already serve the record, the
/// record is published and caches still hold the old negative answer: say so
/// (`propagating`), with how long that answer may be cached (the negative
/// TTL, RFC 2308: min(SOA minimum, SOA TTL)) and the record's own TTL.
/// A resolver answer older than what the zone's servers publish.
struct StaleAnswer {
    /// TTL left on the resolver's cached answer.
    cached_ttl: u32,
    /// TTL of the published records.
    published_ttl: u32,
}

/// Live DNS only: when the resolver's records differ from what the zone's own
/// authoritative servers publish now, caches still hold the previous value.
/// The customer has already changed the record, so judge what is published:
/// `obs.records` becomes the published records.
async fn published_instead(
    lookup: &dyn Lookup,
    nameservers: &[DomainName],
    obs: &mut Observation,
    view: Option<&crate::servers::ServerView>,
) -> Option<StaleAnswer> {
    if !matches!(obs.presence, Presence::Found) || obs.cname.is_some() || nameservers.is_empty() {
        return None;
    }
    let rtype = rtype_of(obs.role);
    let auth = crate::servers::published(lookup, nameservers, obs, view).await?;
    let Answer::Records { ttl: published_ttl, .. } = &auth else { return None };
    let (published, _) = crate::observe::records_of(obs.role, &auth);
    if !crate::observe::holds_role(obs.role, &published) || same_records(&published, &obs.records) {
        return None;
    }
    // the resolver's answer again (from the run's cache): the TTL it has left
    let cached_ttl = match lookup.lookup(&obs.name, rtype).await {
        Answer::Records { ttl, .. } => ttl,
        _ => 0,
    };
    obs.records = published;
    Some(StaleAnswer { cached_ttl, published_ttl: *published_ttl })
}

/// The same records, in any order?
fn same_records(a: &crate::observe::Records, b: &crate::observe::Records) -> bool {
    let key = |r: &crate::observe::Records| {
        let mut k: Vec<Vec<u8>> = r.txt.iter().map(|t| t.data()).collect();
        k.extend(r.mx.iter().map(|m| m.presentation().to_ascii_lowercase().into_bytes()));
        k.sort();
        k
    };
    key(a) == key(b)
}

async fn propagation_facts(
    lookup: &dyn Lookup,
    nameservers: &[DomainName],
    servers: &str,
    obs: &Observation,
    view: Option<&crate::servers::ServerView>,
    facts: &mut Facts,
) {
    facts.set(Fact::Propagating, false);
    if !matches!(obs.presence, Presence::Absent) || obs.cname.is_some() || nameservers.is_empty() {
        return;
    }
    let rtype = rtype_of(obs.role);
    let Some(auth) = crate::servers::published(lookup, nameservers, obs, view).await else { return };
    let Answer::Records { ttl: published_ttl, .. } = &auth else { return };
    let (published, _) = crate::observe::records_of(obs.role, &auth);
    if !crate::observe::holds_role(obs.role, &published) {
        return;
    }
    // the resolver's answer again (cached): its SOA bounds the negative caching
    let negative_ttl =
        lookup.lookup(&obs.name, rtype).await.negative_soa().map(|soa| i64::from(soa.minimum.min(soa.ttl)));
    facts.set(Fact::Propagating, true);
    facts.set(Fact::NegativeTtl, negative_ttl);
    facts.set(Fact::PublishedTtl, i64::from(*published_ttl));
    facts.set(Fact::AuthoritativeServers, servers);
}
