//! Every authoritative server of a zone, one by one ([`Lookup::each_server`]):
//! what each address of each NS name serves for a question, so that a server
//! that serves another copy of the zone, or none, can be named.
//!
//! The answers and how they compare live here; how a live source asks them
//! is `live/each_server.rs`. An address that is the server the source asks
//! already is not asked again: its answer is the source's own
//! ([`ServerAnswer::answer`] `None`).

use crate::{Answer, RData};
use sendlint_records::name::DomainName;
use std::net::IpAddr;

/// What one address of one authoritative server answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerAnswer {
    /// The name server's name, as the zone's NS records give it.
    pub nameserver: DomainName,
    /// One of its addresses.
    pub address: IpAddr,
    /// Its answer, asked without recursion. A server answering without the
    /// authoritative (AA) flag, or with a referral, is a failure of kind
    /// [`FailureKind::NotCovered`](crate::FailureKind::NotCovered). `None`: this address is the server the
    /// source asks already, so its answer is the source's own answer to the
    /// same question (not asked twice).
    pub answer: Option<Answer>,
}

impl ServerAnswer {
    /// `ns1.dns.test (192.0.2.1)`.
    pub fn label(&self) -> String {
        format!("{} ({})", self.nameserver, self.address)
    }
}

/// What a server serves for a question, in a form that compares equal when
/// two servers serve the same: the CNAME at the name (its target), or the set
/// of records (TXT data byte-exact, MX with the exchange lowercased), order
/// ignored. `None` for a failure. A CNAME's target records are not the zone's
/// data (a resolver completes the chain, an authoritative server may not), so
/// with a CNAME only the target is compared.
pub fn served(answer: &Answer) -> Option<Served> {
    match answer {
        Answer::Failed(_) => None,
        other => {
            if let Some((_, target)) = other.cnames().first() {
                return Some(Served::Alias(target.to_string().to_ascii_lowercase()));
            }
            let mut keys: Vec<Vec<u8>> = match other {
                Answer::Records { records, .. } => records.iter().map(record_key).collect(),
                _ => Vec::new(),
            };
            keys.sort();
            keys.dedup();
            Some(Served::Records(keys))
        }
    }
}

/// What [`served`] returns.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Served {
    /// A CNAME to this target.
    Alias(String),
    /// These records (empty: none), sorted.
    Records(Vec<Vec<u8>>),
}

fn record_key(r: &RData) -> Vec<u8> {
    match r {
        RData::Txt(t) => t.data(),
        RData::Mx(m) => m.presentation().to_ascii_lowercase().into_bytes(),
        other => format!("{other:?}").to_ascii_lowercase().into_bytes(),
    }
}

/// What the zone's servers publish, when every server that answered serves
/// the same (`own`: the source's answer, for the addresses it asks already):
/// the answer of the first of them. `None` when no server answered, or when
/// they disagree (then no one answer is "the published one").
pub fn published(answers: &[ServerAnswer], own: Option<&Answer>) -> Option<Answer> {
    let mut found: Option<(&Answer, Served)> = None;
    for a in answers {
        let Some(answer) = a.answer.as_ref().or(own) else { continue };
        let Some(key) = served(answer) else { continue };
        match &found {
            None => found = Some((answer, key)),
            Some((_, k)) if *k == key => {}
            Some(_) => return None,
        }
    }
    found.map(|(a, _)| a.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FailureKind, LookupError, RecordType};
    use sendlint_records::txt::TxtRecord;

    fn n(s: &str) -> DomainName {
        DomainName::parse(s).expect("name")
    }

    fn txt(values: &[&str]) -> Answer {
        Answer::Records {
            records: values
                .iter()
                .map(|v| RData::Txt(TxtRecord { strings: vec![v.as_bytes().to_vec()] }))
                .collect(),
            cnames: Vec::new(),
            ttl: 300,
        }
    }

    fn at(ns: &str, answer: Option<Answer>) -> ServerAnswer {
        ServerAnswer { nameserver: n(ns), address: IpAddr::from([127, 0, 0, 1]), answer }
    }

    #[test]
    fn the_same_records_in_another_order_are_the_same() {
        assert_eq!(served(&txt(&["a", "b"])), served(&txt(&["b", "a"])));
        assert_ne!(served(&txt(&["a"])), served(&txt(&["a "])));
        let none = Answer::NoData { soa: None, cnames: Vec::new() };
        let nx = Answer::NxDomain { soa: None, cnames: Vec::new() };
        assert_eq!(served(&none), served(&nx));
        assert_eq!(served(&none), Some(Served::Records(Vec::new())));
    }

    #[test]
    fn a_cname_is_compared_by_its_target_only() {
        let alias = |records: Vec<RData>| Answer::Records {
            records,
            cnames: vec![(n("a.test"), n("B.Elsewhere.test"))],
            ttl: 1,
        };
        let with = alias(vec![RData::Txt(TxtRecord { strings: vec![b"x".to_vec()] })]);
        assert_eq!(served(&with), served(&alias(Vec::new())));
    }

    #[test]
    fn published_is_what_every_answering_server_serves() {
        let failed =
            Answer::Failed(LookupError::new(FailureKind::Timeout, "x", &n("a.test"), RecordType::Txt, ""));
        let agree = [at("ns1.test", Some(txt(&["v"]))), at("ns2.test", Some(failed.clone()))];
        assert_eq!(published(&agree, None), Some(txt(&["v"])));
        let differ = [at("ns1.test", Some(txt(&["v"]))), at("ns2.test", Some(txt(&["w"])))];
        assert_eq!(published(&differ, None), None);
        // the source's own answer stands for the address it asks
        let own = [at("ns1.test", None), at("ns2.test", Some(txt(&["v"])))];
        assert_eq!(published(&own, Some(&txt(&["v"]))), Some(txt(&["v"])));
        assert_eq!(published(&own, Some(&txt(&["old"]))), None);
        assert_eq!(published(&[at("ns1.test", Some(failed))], None), None);
    }
}
