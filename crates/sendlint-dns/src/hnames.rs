//! Names and types between sendlint's and hickory's forms (the live source,
//! the zone source's DNSSEC answers and the validator share them).

use crate::RecordType;
use hickory_proto::rr::{self as hrr, Name};
use sendlint_records::name::DomainName;

/// Ours → hickory's: labels as raw bytes, fully qualified.
pub(crate) fn to_hickory_name(name: &DomainName) -> Option<Name> {
    let mut n = Name::from_labels(name.labels()).ok()?;
    n.set_fqdn(true);
    Some(n)
}

/// hickory's → ours: raw label bytes.
pub(crate) fn from_hickory_name(name: &Name) -> Option<DomainName> {
    DomainName::from_labels(name.iter()).ok()
}

pub(crate) fn to_hickory_type(rtype: RecordType) -> hrr::RecordType {
    match rtype {
        RecordType::A => hrr::RecordType::A,
        RecordType::Aaaa => hrr::RecordType::AAAA,
        RecordType::Mx => hrr::RecordType::MX,
        RecordType::Txt => hrr::RecordType::TXT,
        RecordType::Cname => hrr::RecordType::CNAME,
        RecordType::Ns => hrr::RecordType::NS,
        RecordType::Soa => hrr::RecordType::SOA,
    }
}
