//! Trust anchors: where a chain of trust starts.

use hickory_proto::dnssec::rdata::{DNSKEY, DS};
use hickory_proto::dnssec::{PublicKey, PublicKeyBuf};
use hickory_proto::rr::Name;

/// One trusted key, or the DS of one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Anchor {
    /// A DS record: trusts the DNSKEY it digests.
    Ds(DS),
    /// A DNSKEY record (or a bare public key): trusts that key.
    Key(DNSKEY),
}

/// Where chains of trust start: the root KSKs built into hickory-proto
/// ([`TrustAnchors::root`]), or DS/DNSKEY records read from a file
/// (`--trust-anchor FILE`, [`TrustAnchors::from_file`]), which replace them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrustAnchors {
    pub(crate) anchors: Vec<(Name, Anchor)>,
    /// How messages name them.
    pub(crate) label: String,
}

impl Default for TrustAnchors {
    fn default() -> Self {
        TrustAnchors::root()
    }
}

impl TrustAnchors {
    /// The root zone's KSKs, as hickory-proto ships them.
    pub fn root() -> TrustAnchors {
        let shipped = hickory_proto::dnssec::TrustAnchors::default();
        let mut anchors = Vec::new();
        for i in 0..shipped.len() {
            if let Some(key) = shipped.get(i) {
                let key = PublicKeyBuf::new(key.public_bytes().to_vec(), key.algorithm());
                anchors.push((Name::root(), Anchor::Key(DNSKEY::with_flags(257, key))));
            }
        }
        TrustAnchors { anchors, label: "the root trust anchor".into() }
    }

    /// How messages name these anchors.
    pub fn label(&self) -> &str {
        &self.label
    }

    /// The anchors owned by `zone`.
    pub(crate) fn at(&self, zone: &Name) -> Vec<&Anchor> {
        self.anchors.iter().filter(|(n, _)| n == zone).map(|(_, a)| a).collect()
    }

    /// True when an anchor is at `zone` or above it.
    pub(crate) fn covers(&self, zone: &Name) -> bool {
        self.anchors.iter().any(|(n, _)| n.zone_of(zone))
    }
}
