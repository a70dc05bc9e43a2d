//! Trust anchors: where a chain of trust starts.

use crate::zone::{ZoneError, read_dnssec_records};
use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS};
use hickory_proto::dnssec::{PublicKey, PublicKeyBuf};
use hickory_proto::rr::{self as hrr, Name};
use std::path::Path;

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
    anchors: Vec<(Name, Anchor)>,
    /// How messages name them.
    label: String,
}

/// A trust-anchor file that cannot be used.
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum AnchorError {
    /// The file does not read as zone-file records.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Syntax(#[from] ZoneError),
    /// The file holds no DS or DNSKEY record.
    #[error("{file} holds no DS or DNSKEY record")]
    #[diagnostic(help(
        "A trust-anchor file holds DS or DNSKEY records in zone-file form, e.g. `acme.test. IN DS 12345 13 2 <digest>` (what `dnssec-dsfromkey` prints) or the zone's KSK line from `dnssec-keygen`."
    ))]
    Empty {
        /// The file.
        file: String,
    },
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

    /// Reads DS or DNSKEY records in zone-file form (`name` names the text in
    /// errors and messages).
    pub fn from_text(name: &str, text: &str) -> Result<TrustAnchors, AnchorError> {
        let records = read_dnssec_records(name, text)?;
        let mut anchors = Vec::new();
        for record in records {
            let owner = record.name.to_lowercase();
            match &record.data {
                hrr::RData::DNSSEC(DNSSECRData::DS(ds)) => anchors.push((owner, Anchor::Ds(ds.clone()))),
                hrr::RData::DNSSEC(DNSSECRData::DNSKEY(key)) => {
                    anchors.push((owner, Anchor::Key(key.clone())));
                }
                _ => {}
            }
        }
        if anchors.is_empty() {
            return Err(AnchorError::Empty { file: name.to_owned() });
        }
        let names: Vec<String> = {
            let mut n: Vec<String> = anchors.iter().map(|(name, _)| crate::dnssec::validate::show(name)).collect();
            n.dedup();
            n
        };
        Ok(TrustAnchors { anchors, label: format!("the trust anchor of {name} ({})", names.join(", ")) })
    }

    /// [`TrustAnchors::from_text`] of a file.
    pub fn from_file(path: &Path) -> Result<TrustAnchors, AnchorError> {
        let text = sendlint_records::input::read_text(path, sendlint_records::input::InputKind::Zone).map_err(|e| {
            AnchorError::Syntax(ZoneError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::other(e.reason()),
            })
        })?;
        TrustAnchors::from_text(&path.display().to_string(), &text)
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
