//! The loaded zones as a tree of names: RRsets by owner, empty non-terminals,
//! zone cuts, and what one zone says about one name.

use crate::{RData, RecordType, Soa};
use sendlint_records::name::{DomainName, NameMap};
use std::collections::HashSet;

/// The records of one type at one name.
#[derive(Clone, Debug)]
pub(super) struct RrSet {
    pub(super) rtype: RecordType,
    pub(super) ttl: u32,
    pub(super) records: Vec<RData>,
}

/// Everything at one name.
#[derive(Clone, Debug, Default)]
pub(super) struct Node {
    pub(super) sets: Vec<RrSet>,
    /// Records of types sendlint does not ask for (CAA, SRV, …): the name exists.
    pub(super) other_types: bool,
}

impl Node {
    pub(super) fn set(&self, rtype: RecordType) -> Option<&RrSet> {
        self.sets.iter().find(|s| s.rtype == rtype)
    }

    pub(super) fn add(&mut self, set: RrSet) {
        match self.sets.iter_mut().find(|s| s.rtype == set.rtype) {
            Some(existing) => {
                existing.ttl = existing.ttl.min(set.ttl);
                for r in set.records {
                    if !existing.records.contains(&r) {
                        existing.records.push(r);
                    }
                }
            }
            None => self.sets.push(set),
        }
    }
}

/// A name as a zone indexes it: the labels in wire form (each after its
/// length octet), ASCII lower-cased, in one allocation (a [`DomainName`]
/// holds one per label: a million names cost hundreds of MB more).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) struct Key(pub(super) Box<[u8]>);

impl Key {
    pub(super) fn of(name: &DomainName) -> Key {
        Key(name.wire().to_ascii_lowercase().into_boxed_slice())
    }

    /// The name with its first label removed (`None` for the root).
    pub(super) fn parent(&self) -> Option<Key> {
        let (&len, tail) = self.0.split_first()?;
        Some(Key(tail.get(usize::from(len)..).unwrap_or_default().into()))
    }

    /// True when `self` equals `other` or lies below it (at a label boundary).
    pub(super) fn is_subdomain_of(&self, other: &Key) -> bool {
        let mut at = 0;
        loop {
            if self.0.get(at..) == Some(&other.0[..]) {
                return true;
            }
            match self.0.get(at) {
                Some(&len) => at += 1 + usize::from(len),
                None => return false,
            }
        }
    }

    /// The name back (lower-cased).
    pub(super) fn name(&self) -> DomainName {
        let mut labels = Vec::new();
        let mut rest = &self.0[..];
        while let Some((&len, tail)) = rest.split_first() {
            let (label, after) = tail.split_at(usize::from(len).min(tail.len()));
            labels.push(label);
            rest = after;
        }
        DomainName::from_labels(labels).unwrap_or_default()
    }
}

/// One loaded zone.
#[derive(Clone, Debug)]
pub(super) struct Zone {
    pub(super) apex: DomainName,
    pub(super) soa: Option<Soa>,
    pub(super) nodes: NameMap<Key, Node>,
    /// Empty non-terminals: names with no records but records below them.
    pub(super) ents: HashSet<Key>,
    /// Delegation points below the apex (NS records).
    pub(super) cuts: HashSet<Key>,
    /// The DNSSEC records of a signed zone file (DNSKEY, DS, RRSIG, NSEC, …).
    pub(super) signatures: Option<Box<super::signed::Signatures>>,
}

/// What one zone says about one name, before CNAMEs are followed.
pub(super) enum Step {
    Found { records: Vec<RData>, ttl: u32 },
    Alias { target: DomainName, ttl: u32 },
    NoData,
    NxDomain,
    Delegated(DomainName),
}

impl Zone {
    pub(super) fn new(apex: DomainName) -> Zone {
        Zone {
            apex,
            soa: None,
            nodes: NameMap::default(),
            ents: HashSet::new(),
            cuts: HashSet::new(),
            signatures: None,
        }
    }

    /// Adds `set` (or, with `None`, records of other types) at `name`; `apex`
    /// is the key of `self.apex`.
    pub(super) fn insert_key(&mut self, name: Key, apex: &Key, set: Option<RrSet>) {
        if let Some(set) = &set
            && set.rtype == RecordType::Ns
            && name != *apex
        {
            self.cuts.insert(name.clone());
        }
        let mut parent = name.parent();
        while let Some(p) = parent {
            if p == *apex || !p.is_subdomain_of(apex) {
                break;
            }
            parent = p.parent();
            if !self.ents.insert(p) {
                // its parents are in already
                break;
            }
        }
        let node = self.nodes.entry(name).or_default();
        match set {
            Some(set) => node.add(set),
            None => node.other_types = true,
        }
    }

    pub(super) fn merge(&mut self, other: Zone) {
        if self.soa.is_none() {
            self.soa = other.soa;
        }
        self.merge_signatures(other.signatures);
        let apex = Key::of(&self.apex);
        for (key, node) in other.nodes {
            let other_types = node.other_types;
            for set in node.sets {
                self.insert_key(key.clone(), &apex, Some(set));
            }
            if other_types {
                self.insert_key(key, &apex, None);
            }
        }
    }

    pub(super) fn exists(&self, name: &DomainName) -> bool {
        let key = Key::of(name);
        *name == self.apex || self.nodes.contains_key(&key) || self.ents.contains(&key)
    }

    pub(super) fn resolve(&self, name: &DomainName, rtype: RecordType) -> Step {
        // below a zone cut the data is not ours to give (the NS set at the cut
        // itself is answered, like a referral would carry it)
        let mut at = Some(name.clone());
        while let Some(n) = at {
            if n == self.apex {
                break;
            }
            if self.cuts.contains(&Key::of(&n)) && !(n == *name && rtype == RecordType::Ns) {
                return Step::Delegated(n);
            }
            at = n.parent();
        }

        if let Some(node) = self.nodes.get(&Key::of(name)) {
            return Self::node_step(node, rtype);
        }
        if self.exists(name) {
            return Step::NoData;
        }
        // RFC 4592: the source of synthesis is `*.<closest encloser>`
        let mut encloser = name.parent();
        while let Some(ce) = encloser {
            if self.exists(&ce) || !ce.is_subdomain_of(&self.apex) {
                let wildcard = ce.prepend_label(b"*").ok();
                return match wildcard.as_ref().and_then(|w| self.nodes.get(&Key::of(w))) {
                    Some(node) => Self::node_step(node, rtype),
                    None => Step::NxDomain,
                };
            }
            encloser = ce.parent();
        }
        Step::NxDomain
    }

    pub(super) fn node_step(node: &Node, rtype: RecordType) -> Step {
        if let Some(set) = node.set(rtype) {
            return Step::Found { records: set.records.clone(), ttl: set.ttl };
        }
        if rtype != RecordType::Cname
            && let Some(set) = node.set(RecordType::Cname)
            && let Some(RData::Cname(target)) = set.records.first()
        {
            return Step::Alias { target: target.clone(), ttl: set.ttl };
        }
        Step::NoData
    }
}
