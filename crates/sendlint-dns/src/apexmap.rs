//! [`ApexMap`]: the name servers of every zone apex met in one run (an audit),
//! exact and unbounded, so a zone is asked for its NS set once however far
//! apart its domains are in the manifest.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};

use sendlint_records::name::DomainName;

/// Zone apex → its NS set, in answer order.
///
/// Compact for a million zones: an apex is kept as a 128-bit hash of its
/// lowercased name (a collision is as likely as a hash of 2^64 names
/// colliding: never, in practice), and each distinct NS set once (zones of one
/// DNS host share it). Whether a set's servers are the configured server itself
/// is known per NS set by the live source, so apex → (NS set, authoritative
/// or not) costs no further query either.
#[derive(Debug, Default)]
pub struct ApexMap {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    zones: HashMap<u128, u32>,
    sets: Vec<Arc<[DomainName]>>,
    set_ids: HashMap<Arc<[DomainName]>, u32>,
}

impl ApexMap {
    /// An empty map.
    pub fn new() -> ApexMap {
        ApexMap::default()
    }

    /// The NS set of `apex`, when it was met before.
    pub fn nameservers(&self, apex: &DomainName) -> Option<Arc<[DomainName]>> {
        let inner = self.inner.lock().ok()?;
        let id = *inner.zones.get(&key(apex))?;
        inner.sets.get(id as usize).cloned()
    }

    /// Remembers the NS set of `apex` (the first answer stays).
    pub fn insert(&self, apex: &DomainName, nameservers: &[DomainName]) {
        let Ok(mut inner) = self.inner.lock() else { return };
        let inner = &mut *inner;
        let k = key(apex);
        if inner.zones.contains_key(&k) {
            return;
        }
        let id = match inner.set_ids.get(nameservers) {
            Some(id) => *id,
            None => {
                let Ok(id) = u32::try_from(inner.sets.len()) else { return };
                let set: Arc<[DomainName]> = nameservers.into();
                inner.sets.push(set.clone());
                inner.set_ids.insert(set, id);
                id
            }
        };
        inner.zones.insert(k, id);
    }

    /// How many zones are known.
    pub fn len(&self) -> usize {
        self.inner.lock().map_or(0, |i| i.zones.len())
    }

    /// True when no zone is known yet.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Two independent 64-bit hashes of the lowercased name (std's SipHash with
/// its fixed keys, domain-separated by a prefix byte).
fn key(name: &DomainName) -> u128 {
    let text = name.to_string().to_ascii_lowercase();
    let half = |salt: u8| {
        #[allow(deprecated)] // SipHasher: fixed keys on purpose (stable within a run is all we need)
        let mut h = std::hash::SipHasher::new();
        salt.hash(&mut h);
        text.hash(&mut h);
        h.finish()
    };
    (u128::from(half(0)) << 64) | u128::from(half(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> DomainName {
        DomainName::parse(s).expect("name")
    }

    #[test]
    fn remembers_each_zone_and_shares_ns_sets() {
        let map = ApexMap::new();
        let ns = [n("ns1.host.test"), n("ns2.host.test")];
        assert!(map.nameservers(&n("a.test")).is_none());
        map.insert(&n("a.test"), &ns);
        map.insert(&n("b.test"), &ns);
        map.insert(&n("A.TEST"), &[n("other.test")]);
        assert_eq!(map.nameservers(&n("a.TEST")).as_deref(), Some(&ns[..]));
        assert_eq!(map.nameservers(&n("b.test")).as_deref(), Some(&ns[..]));
        assert!(map.nameservers(&n("c.test")).is_none());
        assert_eq!(map.len(), 2);
        assert_eq!(map.inner.lock().expect("lock").sets.len(), 1);
    }
}
