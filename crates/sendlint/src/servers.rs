//! Every authoritative server of the zone, one by one (live DNS): a record
//! that one server serves and another does not (a stale secondary), or a
//! server that does not answer for the zone (lame, unreachable).
//!
//! SES's resolvers, like every resolver, pick one of the zone's servers for
//! each question; what one server serves differently is seen some of the time.
//! The four records are asked of every address of every NS name at once
//! ([`Lookup::each_server`]); the address the resolver being asked already is
//! stands for itself (its answer is the observation). The same answers tell
//! what the zone publishes for the propagation notes ([`published`]).

use sendlint_dns::{Answer, FailureKind, Lookup, Served, ServerAnswer, served};
use sendlint_records::display::escape;
use sendlint_records::name::DomainName;
use sendlint_records::{Fact, Facts};
use std::collections::BTreeMap;
use std::net::IpAddr;

use crate::observe::{Observation, rtype_of};

/// What every server of the zone answered for one record, and what the
/// resolver answered (standing for the servers it is).
pub(crate) struct ServerView {
    answers: Vec<ServerAnswer>,
    own: Answer,
    /// SOA serials by address, asked only when some record differs.
    serials: BTreeMap<IpAddr, u32>,
}

impl ServerView {
    fn answer<'a>(&'a self, s: &'a ServerAnswer) -> &'a Answer {
        s.answer.as_ref().unwrap_or(&self.own)
    }

    /// The copies served, by what they serve: each with its servers, in
    /// NS order.
    fn copies(&self) -> Vec<(Served, Vec<&ServerAnswer>)> {
        let mut copies: Vec<(Served, Vec<&ServerAnswer>)> = Vec::new();
        for s in &self.answers {
            let Some(key) = served(self.answer(s)) else { continue };
            match copies.iter_mut().find(|(k, _)| *k == key) {
                Some((_, servers)) => servers.push(s),
                None => copies.push((key, vec![s])),
            }
        }
        copies
    }
}

/// Asks the zone's servers for every observed record at once; `None` for a
/// record when the source cannot (offline) or no server is known. When some
/// record is served differently, the servers' SOA serials too (one question
/// per address).
pub(crate) async fn ask(
    lookup: &dyn Lookup,
    nameservers: &[DomainName],
    zone: Option<&DomainName>,
    observations: &[Observation],
) -> Vec<Option<ServerView>> {
    if nameservers.is_empty() {
        return observations.iter().map(|_| None).collect();
    }
    let one = |obs| view_of(lookup, nameservers, obs);
    let mut views: Vec<Option<ServerView>> = match observations {
        [a, b, c, d] => {
            let (a, b, c, d) = tokio::join!(one(a), one(b), one(c), one(d));
            vec![a, b, c, d]
        }
        others => {
            let mut v = Vec::with_capacity(others.len());
            for obs in others {
                v.push(one(obs).await);
            }
            v
        }
    };
    let differs = views.iter().flatten().any(|v| v.copies().len() > 1);
    if let (true, Some(zone)) = (differs, zone) {
        let soa = sendlint_dns::RecordType::Soa;
        let answers = lookup.each_server(nameservers, zone, soa).await.unwrap_or_default();
        let own = lookup.lookup(zone, soa).await;
        let mut serials = BTreeMap::new();
        for s in &answers {
            let answer = s.answer.as_ref().unwrap_or(&own);
            if let Answer::Records { records, .. } = answer
                && let Some(serial) = records.iter().find_map(|r| match r {
                    sendlint_dns::RData::Soa(soa) => soa.serial,
                    _ => None,
                })
            {
                serials.insert(s.address, serial);
            }
        }
        for v in views.iter_mut().flatten() {
            v.serials = serials.clone();
        }
    }
    views
}

async fn view_of(lookup: &dyn Lookup, nameservers: &[DomainName], obs: &Observation) -> Option<ServerView> {
    let rtype = rtype_of(obs.role);
    let answers = lookup.each_server(nameservers, &obs.name, rtype).await?;
    // the resolver's answer (from the check's cache): no question
    let own = lookup.lookup(&obs.name, rtype).await;
    Some(ServerView { answers, own, serials: BTreeMap::new() })
}

/// What the zone's servers publish for the record, when they agree: from the
/// view when there is one, else (a replay) the recorded authoritative answer.
pub(crate) async fn published(
    lookup: &dyn Lookup,
    nameservers: &[DomainName],
    obs: &Observation,
    view: Option<&ServerView>,
) -> Option<Answer> {
    match view {
        Some(v) => sendlint_dns::published(&v.answers, Some(&v.own)),
        None => lookup.authoritative(nameservers, &obs.name, rtype_of(obs.role)).await,
    }
}

/// RFC 1982: is serial `a` older than `b`?
fn older(a: u32, b: u32) -> bool {
    a != b && b.wrapping_sub(a) < 1 << 31
}

/// The servers, as `NS-NAME (ADDRESS)`, comma-separated.
fn labels<'a>(servers: impl IntoIterator<Item = &'a ServerAnswer>) -> String {
    servers.into_iter().map(ServerAnswer::label).collect::<Vec<_>>().join(", ")
}

/// What a copy holds, for a person: values quoted and escaped; "" for none.
fn describe(copy: &Served) -> String {
    match copy {
        Served::Alias(target) => format!("a CNAME to {}", escape(target.as_bytes()).text),
        Served::Records(values) => {
            values.iter().map(|v| format!("\"{}\"", escape(v).text)).collect::<Vec<_>>().join(", ")
        }
    }
}

/// How a server that answered nothing usable failed: `Some(true)` lame
/// (it answers, not for the zone), `Some(false)` unreachable, with the words.
fn failure(answer: &Answer) -> Option<(bool, String)> {
    let Answer::Failed(e) = answer else { return None };
    Some(match e.kind {
        FailureKind::Refused => (true, "answers REFUSED".to_owned()),
        FailureKind::ServFail => (true, "answers SERVFAIL".to_owned()),
        FailureKind::NotCovered if e.detail.starts_with("referred to ") => {
            let to = e.detail.trim_start_matches("referred to ");
            let to = to.split(" (").next().unwrap_or(to);
            (true, format!("answers with a referral to {to} instead of the records"))
        }
        FailureKind::NotCovered => (true, "answers without the authoritative (AA) flag".to_owned()),
        FailureKind::Timeout | FailureKind::Truncated | FailureKind::Other => (false, String::new()),
    })
}

/// Sets the per-server facts of one record.
pub(crate) fn set_facts(facts: &mut Facts, view: Option<&ServerView>) {
    facts.set(Fact::ServerDiffers, false);
    facts.set(Fact::UnreachableServers, "");
    facts.set(Fact::LameServers, "");
    let Some(view) = view else { return };
    let copies = view.copies();
    if copies.is_empty() {
        // no server answered: our network may be the one that fails; say nothing
        return;
    }
    let answering: Vec<&ServerAnswer> = copies.iter().flat_map(|(_, s)| s.iter().copied()).collect();
    let (mut lame, mut unreachable) = (Vec::new(), Vec::new());
    for s in &view.answers {
        // the resolver's own failure is `dns.lookup-failed`'s
        let Some(answer) = &s.answer else { continue };
        match failure(answer) {
            Some((true, how)) => lame.push(format!("{} {how}", s.label())),
            Some((false, _)) => unreachable.push(s),
            None => {}
        }
    }
    facts.set(Fact::LameServers, lame.join("; "));
    facts.set(Fact::UnreachableServers, labels(unreachable.iter().copied()));
    facts.set(Fact::AnsweringServers, labels(answering.iter().copied()));
    if copies.len() < 2 {
        return;
    }
    let newest = |servers: &[&ServerAnswer]| {
        servers
            .iter()
            .filter_map(|s| view.serials.get(&s.address))
            .copied()
            .reduce(|a, b| if older(a, b) { b } else { a })
    };
    // the current copy: the newest serial, else the most servers, else the one holding records
    let current = (0..copies.len())
        .max_by(|&a, &b| {
            let (sa, sb) = (newest(&copies[a].1), newest(&copies[b].1));
            let by_serial = match (sa, sb) {
                (Some(x), Some(y)) if older(x, y) => std::cmp::Ordering::Less,
                (Some(x), Some(y)) if older(y, x) => std::cmp::Ordering::Greater,
                _ => std::cmp::Ordering::Equal,
            };
            let holds = |i: usize| !matches!(&copies[i].0, Served::Records(v) if v.is_empty());
            by_serial
                .then(copies[a].1.len().cmp(&copies[b].1.len()))
                .then(holds(a).cmp(&holds(b)))
                // the first in NS order wins a tie
                .then(b.cmp(&a))
        })
        .unwrap_or(0);
    let others: Vec<usize> = (0..copies.len()).filter(|&i| i != current).collect();
    let differing = labels(others.iter().flat_map(|&i| copies[i].1.iter().copied()));
    let differing_records = match others.as_slice() {
        [one] => describe(&copies[*one].0),
        many => many
            .iter()
            .map(|&i| {
                let what = describe(&copies[i].0);
                let what = if what.is_empty() { "no record".to_owned() } else { what };
                format!("{what} ({})", labels(copies[i].1.iter().copied()))
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    facts.set(Fact::ServerDiffers, true);
    facts.set(Fact::DifferingServers, differing);
    facts.set(Fact::DifferingRecords, differing_records);
    facts.set(Fact::AgreeingServers, labels(copies[current].1.iter().copied()));
    facts.set(Fact::AgreeingRecords, describe(&copies[current].0));
    let serials = |servers: &mut dyn Iterator<Item = &ServerAnswer>| {
        let mut s: Vec<u32> = servers.filter_map(|s| view.serials.get(&s.address)).copied().collect();
        s.sort_unstable();
        s.dedup();
        s
    };
    let theirs = serials(&mut others.iter().flat_map(|&i| copies[i].1.iter().copied()));
    let ours = serials(&mut copies[current].1.iter().copied());
    let differ = !theirs.is_empty() && !ours.is_empty() && theirs != ours;
    facts.set(Fact::SerialsDiffer, differ);
    if differ {
        let text = |s: &[u32]| s.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
        facts.set(Fact::DifferingSerial, text(&theirs));
        facts.set(Fact::AgreeingSerial, text(&ours));
    }
}

#[cfg(test)]
mod tests {
    use super::older;

    #[test]
    fn serials_compare_in_rfc_1982_arithmetic() {
        assert!(older(1, 2));
        assert!(!older(2, 1));
        assert!(!older(7, 7));
        // across the wrap: 4294967295 + 1 is 0
        assert!(older(u32::MAX, 0));
        assert!(!older(0, u32::MAX));
    }
}
