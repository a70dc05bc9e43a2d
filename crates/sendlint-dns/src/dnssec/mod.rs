//! DNSSEC: is what a validating resolver (SES's among them) gets for a record
//! the record, or SERVFAIL?
//!
//! A signed zone whose chain of trust does not validate (signatures expired,
//! a DS at the parent that matches no DNSKEY, a record without RRSIG) makes
//! every validating resolver answer SERVFAIL. [`Validator`] walks the chain
//! itself, from the trust anchors ([`TrustAnchors`]: the root KSKs built into
//! hickory-proto, or `--trust-anchor FILE`) down to the record, with a fixed
//! "now", and says exactly what failed ([`Security`], [`Fault`]).
//!
//! - **Cheap when unsigned.** A zone's status starts with one question, the
//!   DS of its apex: NODATA or NXDOMAIN is [`Security::Insecure`] (the parent's
//!   denial proof is not checked: insecure is what is claimed, never secure).
//!   The rest of the chain (DNSKEYs, the parents' DS, RRSIGs) is asked only
//!   when the zone has a DS.
//! - **Honest.** A source that cannot give signatures (a recording), a chain
//!   no anchor reaches, a failed question or an algorithm not supported is
//!   [`Security::NotValidated`] with the reason, never secure.
//! - The questions go through [`Lookup::signed`](crate::Lookup::signed) (DO and CD set, so a
//!   validating resolver hands over bogus data and its signatures instead of
//!   SERVFAIL); the lookup layers cache them per run.

mod anchor;
pub(crate) mod text;
mod validate;

pub(crate) use anchor::Anchor;
pub use anchor::TrustAnchors;
pub use text::format_time;
pub use validate::Validator;
pub(crate) use validate::show;

use crate::LookupError;
use hickory_proto::rr::Record;

/// The answer to a question asked with DNSSEC records ([`Lookup::signed`]).
///
/// [`Lookup::signed`]: crate::Lookup::signed
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The name does not exist (NXDOMAIN); else it does (NOERROR).
    pub nxdomain: bool,
    /// The answer section: the records (CNAMEs followed), with their RRSIGs.
    pub answer: Vec<Record>,
    /// The authority section: SOA, NSEC/NSEC3 proofs, with their RRSIGs.
    pub authority: Vec<Record>,
}

/// What [`Lookup::signed`] gives: `None` when the source cannot give
/// signatures at all (a recording, a test double).
///
/// [`Lookup::signed`]: crate::Lookup::signed
pub type SignedAnswer = Option<Result<Signed, LookupError>>;

/// What a validating resolver makes of one record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Security {
    /// The chain from a trust anchor to the record validates.
    Secure {
        /// The zone whose keys signed the record.
        zone: String,
    },
    /// No DS at the parent (or the zone is unsigned): nothing to validate.
    Insecure {
        /// The zone found unsigned.
        zone: String,
    },
    /// The chain does not validate: validating resolvers answer SERVFAIL.
    Bogus(Fault),
    /// Not validated, and why (no anchor reaches the zone, the source gives no
    /// signatures, a question failed).
    NotValidated(String),
}

/// What failed in a bogus chain, with what a message needs to name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Every RRSIG over `rrset` is past its expiration (RFC 4035 §5.3.1).
    SignatureExpired(SigFault),
    /// Every RRSIG over `rrset` starts later than now (RFC 4035 §5.3.1).
    SignatureNotYetValid(SigFault),
    /// The RRSIGs over `rrset` do not verify with the key they name (RFC 4035 §5.3.3).
    BadSignature(SigFault),
    /// The RRSIGs over `rrset` name a key the zone does not serve (RFC 4035 §5.3.1).
    SigningKeyMissing(SigFault),
    /// The parent's DS records match no DNSKEY of the zone (RFC 4035 §5.2).
    DsMatchesNoKey {
        /// The zone.
        zone: String,
        /// The DS records, e.g. `key tag 12345, algorithm 13, digest type 2`.
        ds: String,
        /// The DNSKEYs the zone serves, e.g. `key tag 2371 (KSK, algorithm 13)`, or `none`.
        keys: String,
    },
    /// An RRset of a signed zone carries no RRSIG (RFC 4035 §5.3).
    UnsignedRrset {
        /// The RRset, e.g. `MX send.mail.acme.test`.
        rrset: String,
        /// The signed zone it is in.
        zone: String,
    },
    /// A negative answer of a signed zone carries no NSEC/NSEC3 proof (RFC 4035 §5.4).
    UnprovenDenial {
        /// The question, e.g. `TXT _dmarc.mail.acme.test`.
        rrset: String,
        /// The signed zone.
        zone: String,
    },
}

/// A signature that failed: which RRset, which key, which signer, when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigFault {
    /// The RRset covered, e.g. `DNSKEY acme.test`.
    pub rrset: String,
    /// The key tag the RRSIG names.
    pub key_tag: u16,
    /// The signer's name (the zone).
    pub signer: String,
    /// The expiration (or inception) time, seconds since the epoch.
    pub time: i64,
    /// The DNSKEYs the zone serves (for a missing signing key).
    pub keys: String,
}

impl Fault {
    /// The code suffix of the fault (`dnssec.<id>`).
    pub fn id(&self) -> &'static str {
        match self {
            Fault::SignatureExpired(_) => "signature-expired",
            Fault::SignatureNotYetValid(_) => "signature-not-yet-valid",
            Fault::BadSignature(_) => "bad-signature",
            Fault::SigningKeyMissing(_) => "signing-key-missing",
            Fault::DsMatchesNoKey { .. } => "ds-matches-no-key",
            Fault::UnsignedRrset { .. } => "unsigned-rrset",
            Fault::UnprovenDenial { .. } => "unproven-denial",
        }
    }
}

impl Security {
    /// `secure`, `insecure`, `bogus` or `not-validated`.
    pub fn id(&self) -> &'static str {
        match self {
            Security::Secure { .. } => "secure",
            Security::Insecure { .. } => "insecure",
            Security::Bogus(_) => "bogus",
            Security::NotValidated(_) => "not-validated",
        }
    }
}

#[cfg(test)]
mod tests;
