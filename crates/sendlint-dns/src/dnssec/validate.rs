//! The chain walk: from a trust anchor down to a record, every step named.

use super::anchor::{Anchor, TrustAnchors};
use super::{Fault, Security, SigFault, Signed};
use crate::hnames::{from_hickory_name, to_hickory_name};
use crate::{BoxFuture, Lookup, RecordType};
use hickory_proto::dnssec::rdata::{DNSKEY, DNSSECRData, DS, RRSIG};
use hickory_proto::dnssec::{PublicKey, Verifier};
use hickory_proto::rr::{self as hrr, DNSClass, Name, Record};
use sendlint_records::name::DomainName;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// A name as messages show it: lower case, no final dot (the root as `.`).
pub(crate) fn show(name: &Name) -> String {
    match from_hickory_name(name) {
        Some(n) if n.is_root() => ".".to_owned(),
        Some(n) => n.to_string().to_ascii_lowercase(),
        None => name.to_string(),
    }
}

fn rrset_label(rtype: hrr::RecordType, owner: &Name) -> String {
    format!("{rtype} {}", show(owner))
}

/// What is known of one zone's keys.
#[derive(Clone, Debug)]
enum ZoneKeys {
    Secure(Vec<DNSKEY>),
    Insecure,
    Bogus(Fault),
    NotValidated(String),
}

/// Why a signature check did not succeed.
enum Failure {
    Fault(Fault),
    /// Only algorithms this build cannot verify.
    Unsupported(String),
}

/// Validates records against trust anchors through a [`Lookup`], at a fixed
/// "now"; what it learns of each zone is kept for the validator's life (one
/// check), and the questions themselves are cached by the lookup layers.
pub struct Validator<'a> {
    lookup: &'a dyn Lookup,
    anchors: &'a TrustAnchors,
    now: u32,
    now_secs: i64,
    zones: Mutex<HashMap<Name, ZoneKeys>>,
}

/// RFC 1982 serial comparison: `a` is later than `b`.
fn serial_gt(a: u32, b: u32) -> bool {
    a != b && (a.wrapping_sub(b) as i32) > 0
}

fn rrsig_of(record: &Record) -> Option<&RRSIG> {
    match &record.data {
        hrr::RData::DNSSEC(DNSSECRData::RRSIG(sig)) => Some(sig),
        _ => None,
    }
}

fn describe_keys(keys: &[DNSKEY]) -> String {
    if keys.is_empty() {
        return "none".to_owned();
    }
    keys.iter()
        .map(|k| {
            let tag = k.calculate_key_tag().map_or_else(|_| "?".to_owned(), |t| t.to_string());
            let role = if k.secure_entry_point() { "KSK" } else { "ZSK" };
            format!("key tag {tag} ({role}, algorithm {})", u8::from(k.public_key().algorithm()))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_ds(ds: &[DS]) -> String {
    ds.iter()
        .map(|d| {
            format!(
                "key tag {}, algorithm {}, digest type {}",
                d.key_tag(),
                u8::from(d.algorithm()),
                u8::from(d.digest_type())
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

impl<'a> Validator<'a> {
    /// A validator asking `lookup`, trusting `anchors`, judging signature
    /// times at `now`.
    pub fn new(lookup: &'a dyn Lookup, anchors: &'a TrustAnchors, now: SystemTime) -> Validator<'a> {
        let now_secs = match now.duration_since(UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
        };
        Validator {
            lookup,
            anchors,
            now: now_secs.rem_euclid(1 << 32) as u32,
            now_secs,
            zones: Mutex::new(HashMap::new()),
        }
    }

    /// The unix time a signature time (a 32-bit serial) stands for: the one
    /// nearest "now" (RFC 4034 §3.1.5).
    fn unix_time(&self, serial: u32) -> i64 {
        self.now_secs + i64::from(serial.wrapping_sub(self.now) as i32)
    }

    /// What a validating resolver makes of the zone `zone` itself (its keys).
    pub async fn zone(&self, zone: &DomainName) -> Security {
        let Some(z) = to_hickory_name(zone) else {
            return Security::NotValidated(format!("{zone} cannot be asked"));
        };
        match self.zone_keys(z.to_lowercase()).await {
            ZoneKeys::Secure(_) => Security::Secure { zone: show(&z) },
            ZoneKeys::Insecure => Security::Insecure { zone: show(&z) },
            ZoneKeys::Bogus(f) => Security::Bogus(f),
            ZoneKeys::NotValidated(why) => Security::NotValidated(why),
        }
    }

    /// What a validating resolver makes of `name`/`rtype` in `zone`.
    pub async fn record(&self, zone: &DomainName, name: &DomainName, rtype: RecordType) -> Security {
        let Some(z) = to_hickory_name(zone).map(|z| z.to_lowercase()) else {
            return Security::NotValidated(format!("{zone} cannot be asked"));
        };
        match self.zone_keys(z.clone()).await {
            ZoneKeys::Secure(_) => {}
            ZoneKeys::Insecure => return Security::Insecure { zone: show(&z) },
            ZoneKeys::Bogus(f) => return Security::Bogus(f),
            ZoneKeys::NotValidated(why) => return Security::NotValidated(why),
        }
        let htype = crate::hnames::to_hickory_type(rtype);
        let signed = match self.lookup.signed(name, htype).await {
            None => return Security::NotValidated(no_signatures(&self.lookup.describe())),
            Some(Err(e)) => {
                return Security::NotValidated(format!(
                    "{rtype} {name} could not be asked with its signatures: {e}"
                ));
            }
            Some(Ok(s)) => s,
        };
        let mut signer_zone = show(&z);
        let mut found = false;
        for (owner, gtype, records) in groups(&signed.answer) {
            if gtype == htype {
                found = true;
            }
            match self.check_group(&z, &owner, gtype, &records, &signed.answer).await {
                Ok(Some(signer)) => signer_zone = show(&signer),
                Ok(None) => {}
                Err(security) => return security,
            }
        }
        if !found {
            let question = format!("{rtype} {}", name.to_string().to_ascii_lowercase());
            let proof = groups(&signed.authority)
                .into_iter()
                .filter(|(_, t, _)| matches!(t, hrr::RecordType::NSEC | hrr::RecordType::NSEC3))
                .collect::<Vec<_>>();
            if proof.is_empty() {
                return Security::Bogus(Fault::UnprovenDenial { rrset: question, zone: show(&z) });
            }
            for (owner, gtype, records) in proof {
                if let Err(security) = self.check_group(&z, &owner, gtype, &records, &signed.authority).await
                {
                    return security;
                }
            }
        }
        Security::Secure { zone: signer_zone }
    }

    /// Checks one RRset of an answer: `Ok(Some(signer))` when it validates,
    /// `Ok(None)` when nothing is to be said, `Err` with the verdict else.
    async fn check_group(
        &self,
        zone: &Name,
        owner: &Name,
        rtype: hrr::RecordType,
        records: &[Record],
        section: &[Record],
    ) -> Result<Option<Name>, Security> {
        let sigs: Vec<&RRSIG> = section
            .iter()
            .filter(|r| r.name == *owner)
            .filter_map(rrsig_of)
            .filter(|s| s.input().type_covered == rtype)
            .collect();
        let Some(first) = sigs.first() else {
            if zone.zone_of(owner) {
                return Err(Security::Bogus(Fault::UnsignedRrset {
                    rrset: rrset_label(rtype, owner),
                    zone: show(zone),
                }));
            }
            return Err(Security::NotValidated(format!(
                "{} lies outside {} and carries no signature; it was not validated",
                rrset_label(rtype, owner),
                show(zone)
            )));
        };
        let signer = first.input().signer_name.to_lowercase();
        if !signer.zone_of(owner) {
            return Err(Security::NotValidated(format!(
                "{} is signed by {}, which is not a zone above it",
                rrset_label(rtype, owner),
                show(&signer)
            )));
        }
        let keys = match self.zone_keys(signer.clone()).await {
            ZoneKeys::Secure(keys) => keys,
            ZoneKeys::Insecure => return Ok(None),
            ZoneKeys::Bogus(f) => return Err(Security::Bogus(f)),
            ZoneKeys::NotValidated(why) => return Err(Security::NotValidated(why)),
        };
        match self.verify(owner, rtype, records, &sigs, &keys) {
            Ok(()) => Ok(Some(signer)),
            Err(Failure::Fault(f)) => Err(Security::Bogus(f)),
            Err(Failure::Unsupported(why)) => Err(Security::NotValidated(why)),
        }
    }

    /// The keys of `zone`, from the cache or the chain walk.
    fn zone_keys(&self, zone: Name) -> BoxFuture<'_, ZoneKeys> {
        Box::pin(async move {
            if let Some(hit) = self.zones.lock().ok().and_then(|m| m.get(&zone).cloned()) {
                return hit;
            }
            let keys = self.walk(&zone).await;
            if let Ok(mut m) = self.zones.lock() {
                m.insert(zone, keys.clone());
            }
            keys
        })
    }

    async fn walk(&self, zone: &Name) -> ZoneKeys {
        let here = self.anchors.at(zone);
        if !here.is_empty() {
            return self.keys_from(zone, Trusted::Anchors(here)).await;
        }
        if !self.anchors.covers(zone) {
            return ZoneKeys::NotValidated(format!(
                "no trust anchor covers {} ({} does not)",
                show(zone),
                self.anchors.label()
            ));
        }
        let Some(zone_dn) = from_hickory_name(zone) else {
            return ZoneKeys::NotValidated(format!("{} cannot be asked", show(zone)));
        };
        let answer = match self.lookup.signed(&zone_dn, hrr::RecordType::DS).await {
            None => return ZoneKeys::NotValidated(no_signatures(&self.lookup.describe())),
            Some(Err(e)) if e.kind == crate::FailureKind::NotCovered && self.lookup.describe().offline => {
                // zone files without the parent's: an unsigned zone needs nothing more
                return match self.lookup.signed(&zone_dn, hrr::RecordType::DNSKEY).await {
                    Some(Ok(s)) if !s.answer.iter().any(|r| r.record_type() == hrr::RecordType::DNSKEY) => {
                        ZoneKeys::Insecure
                    }
                    _ => ZoneKeys::NotValidated(format!(
                        "{} is signed, but no trust anchor reaches it: the zone file of its parent is not loaded, and {} does not name it (give its DS or DNSKEY with --trust-anchor)",
                        show(zone),
                        self.anchors.label()
                    )),
                };
            }
            Some(Err(e)) => {
                return ZoneKeys::NotValidated(format!(
                    "the DS records of {} could not be asked: {e}",
                    show(zone)
                ));
            }
            Some(Ok(s)) => s,
        };
        let ds_records: Vec<Record> = answer
            .answer
            .iter()
            .filter(|r| r.name == *zone && r.record_type() == hrr::RecordType::DS)
            .cloned()
            .collect();
        if ds_records.is_empty() {
            // RFC 4035 §5.2: no DS, no secure delegation (the parent's denial is not checked)
            return ZoneKeys::Insecure;
        }
        let sigs: Vec<&RRSIG> = answer
            .answer
            .iter()
            .filter(|r| r.name == *zone)
            .filter_map(rrsig_of)
            .filter(|s| s.input().type_covered == hrr::RecordType::DS)
            .collect();
        let Some(first) = sigs.first() else {
            return ZoneKeys::NotValidated(format!(
                "the DS records of {} came without signatures",
                show(zone)
            ));
        };
        let parent = first.input().signer_name.to_lowercase();
        if parent == *zone || !parent.zone_of(zone) {
            return ZoneKeys::NotValidated(format!(
                "the DS records of {} are signed by {}, which is not a parent zone",
                show(zone),
                show(&parent)
            ));
        }
        let parent_keys = match self.zone_keys(parent.clone()).await {
            ZoneKeys::Secure(keys) => keys,
            // an insecure parent's DS proves nothing
            ZoneKeys::Insecure => return ZoneKeys::Insecure,
            other => return other,
        };
        match self.verify(zone, hrr::RecordType::DS, &ds_records, &sigs, &parent_keys) {
            Ok(()) => {}
            Err(Failure::Fault(f)) => return ZoneKeys::Bogus(f),
            Err(Failure::Unsupported(why)) => return ZoneKeys::NotValidated(why),
        }
        let ds: Vec<DS> = ds_records
            .iter()
            .filter_map(|r| match &r.data {
                hrr::RData::DNSSEC(DNSSECRData::DS(ds)) => Some(ds.clone()),
                _ => None,
            })
            .collect();
        self.keys_from(zone, Trusted::Ds(ds)).await
    }

    /// The zone's DNSKEY set, trusted through `trusted` (DS records of the
    /// parent, or anchors).
    async fn keys_from(&self, zone: &Name, trusted: Trusted<'_>) -> ZoneKeys {
        let Some(zone_dn) = from_hickory_name(zone) else {
            return ZoneKeys::NotValidated(format!("{} cannot be asked", show(zone)));
        };
        let answer: Signed = match self.lookup.signed(&zone_dn, hrr::RecordType::DNSKEY).await {
            None => return ZoneKeys::NotValidated(no_signatures(&self.lookup.describe())),
            Some(Err(e)) => {
                return ZoneKeys::NotValidated(format!(
                    "the DNSKEY records of {} could not be asked: {e}",
                    show(zone)
                ));
            }
            Some(Ok(s)) => s,
        };
        let key_records: Vec<Record> = answer
            .answer
            .iter()
            .filter(|r| r.name == *zone && r.record_type() == hrr::RecordType::DNSKEY)
            .cloned()
            .collect();
        let keys: Vec<DNSKEY> = key_records
            .iter()
            .filter_map(|r| match &r.data {
                hrr::RData::DNSSEC(DNSSECRData::DNSKEY(k)) => Some(k.clone()),
                _ => None,
            })
            .collect();
        let (matched, described): (Vec<DNSKEY>, String) = match &trusted {
            Trusted::Ds(ds) => {
                let usable: Vec<&DS> = ds
                    .iter()
                    .filter(|d| d.algorithm().is_supported() && d.digest_type().is_supported())
                    .collect();
                if usable.is_empty() {
                    // RFC 4035 §5.2: no supported authentication path
                    return ZoneKeys::NotValidated(format!(
                        "the DS records of {} ({}) use only algorithms or digest types sendlint cannot check",
                        show(zone),
                        describe_ds(ds)
                    ));
                }
                let m = keys
                    .iter()
                    .filter(|k| {
                        usable.iter().any(|d| {
                            d.key_tag() == k.calculate_key_tag().unwrap_or(0)
                                && d.algorithm() == k.public_key().algorithm()
                                && d.covers(zone, k).unwrap_or(false)
                        })
                    })
                    .cloned()
                    .collect();
                (m, describe_ds(ds))
            }
            Trusted::Anchors(anchors) => {
                let m = keys
                    .iter()
                    .filter(|k| {
                        anchors.iter().any(|a| match a {
                            Anchor::Ds(d) => d.covers(zone, k).unwrap_or(false),
                            Anchor::Key(t) => {
                                t.public_key().public_bytes() == k.public_key().public_bytes()
                                    && t.public_key().algorithm() == k.public_key().algorithm()
                            }
                        })
                    })
                    .cloned()
                    .collect();
                (m, self.anchors.label().to_owned())
            }
        };
        if matched.is_empty() {
            return ZoneKeys::Bogus(Fault::DsMatchesNoKey {
                zone: show(zone),
                ds: described,
                keys: describe_keys(&keys),
            });
        }
        let sigs: Vec<&RRSIG> = answer
            .answer
            .iter()
            .filter(|r| r.name == *zone)
            .filter_map(rrsig_of)
            .filter(|s| s.input().type_covered == hrr::RecordType::DNSKEY)
            .collect();
        match self.verify(zone, hrr::RecordType::DNSKEY, &key_records, &sigs, &matched) {
            Ok(()) => ZoneKeys::Secure(keys.into_iter().filter(DNSKEY::zone_key).collect()),
            Err(Failure::Fault(Fault::SigningKeyMissing(f))) => {
                // the DNSKEY set is signed, but not by a key the DS (or anchor) names
                ZoneKeys::Bogus(Fault::DsMatchesNoKey { zone: show(zone), ds: described, keys: f.keys })
            }
            Err(Failure::Fault(f)) => ZoneKeys::Bogus(f),
            Err(Failure::Unsupported(why)) => ZoneKeys::NotValidated(why),
        }
    }

    /// Verifies `records` (`owner`/`rtype`) with one of `sigs` made by one of `keys`.
    fn verify(
        &self,
        owner: &Name,
        rtype: hrr::RecordType,
        records: &[Record],
        sigs: &[&RRSIG],
        keys: &[DNSKEY],
    ) -> Result<(), Failure> {
        let rrset = rrset_label(rtype, owner);
        let zone = sigs.first().map_or_else(|| show(owner), |s| show(&s.input().signer_name));
        if sigs.is_empty() {
            return Err(Failure::Fault(Fault::UnsignedRrset { rrset, zone }));
        }
        let mut faults: Vec<Fault> = Vec::new();
        let mut unsupported = Vec::new();
        for sig in sigs {
            let input = sig.input();
            let fault = |time: u32| SigFault {
                rrset: rrset.clone(),
                key_tag: input.key_tag,
                signer: show(&input.signer_name),
                time: self.unix_time(time),
                keys: describe_keys(keys),
            };
            if !input.algorithm.is_supported() {
                unsupported.push(u8::from(input.algorithm));
                continue;
            }
            if serial_gt(self.now, input.sig_expiration.get()) {
                faults.push(Fault::SignatureExpired(fault(input.sig_expiration.get())));
                continue;
            }
            if serial_gt(input.sig_inception.get(), self.now) {
                faults.push(Fault::SignatureNotYetValid(fault(input.sig_inception.get())));
                continue;
            }
            let candidates: Vec<&DNSKEY> = keys
                .iter()
                .filter(|k| {
                    k.calculate_key_tag().ok() == Some(input.key_tag)
                        && k.public_key().algorithm() == input.algorithm
                })
                .collect();
            if candidates.is_empty() {
                faults.push(Fault::SigningKeyMissing(fault(input.sig_expiration.get())));
                continue;
            }
            if candidates.iter().any(|k| k.verify_rrsig(owner, DNSClass::IN, sig, records.iter()).is_ok()) {
                return Ok(());
            }
            faults.push(Fault::BadSignature(fault(input.sig_expiration.get())));
        }
        // the most telling fault first; among equals, a signature by a trusted key
        let held = |f: &SigFault| !keys.iter().any(|k| k.calculate_key_tag().ok() == Some(f.key_tag));
        let rank = |f: &Fault| match f {
            Fault::SignatureExpired(s) => (0, held(s)),
            Fault::SignatureNotYetValid(s) => (1, held(s)),
            Fault::SigningKeyMissing(_) => (2, false),
            _ => (3, false),
        };
        match faults.into_iter().min_by_key(rank) {
            Some(f) => Err(Failure::Fault(f)),
            None => Err(Failure::Unsupported(format!(
                "{rrset} is signed with algorithm {} only, which sendlint cannot check",
                unsupported.iter().map(u8::to_string).collect::<Vec<_>>().join(", ")
            ))),
        }
    }
}

/// Where a zone's keys get their trust.
enum Trusted<'a> {
    Ds(Vec<DS>),
    Anchors(Vec<&'a Anchor>),
}

fn no_signatures(source: &crate::SourceInfo) -> String {
    match &source.label {
        Some(label) => format!("{label} gives no DNSSEC signatures"),
        None => "the DNS source gives no DNSSEC signatures".to_owned(),
    }
}

/// The RRsets of a section (RRSIGs aside), in order: owner, type, records.
fn groups(section: &[Record]) -> Vec<(Name, hrr::RecordType, Vec<Record>)> {
    let mut out: Vec<(Name, hrr::RecordType, Vec<Record>)> = Vec::new();
    for r in section {
        let t = r.record_type();
        if matches!(t, hrr::RecordType::RRSIG | hrr::RecordType::SOA) {
            continue;
        }
        match out.iter_mut().find(|(n, gt, _)| *n == r.name && *gt == t) {
            Some((_, _, records)) => records.push(r.clone()),
            None => out.push((r.name.clone(), t, vec![r.clone()])),
        }
    }
    out
}
