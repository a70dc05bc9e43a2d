//! The validator over the signed zones of `fixtures/core/dnssec/zones/`
//! (made by BIND's dnssec-signzone, see `make.sh` there).

use super::*;
use crate::{RecordType, ZoneSource};
use sendlint_records::name::DomainName;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const TEST: &str = include_str!("../../../../fixtures/core/dnssec/zones/test.zone");
const TEST_OTHER_DS: &str = include_str!("../../../../fixtures/core/dnssec/zones/test.other-ds.zone");
const ACME: &str = include_str!("../../../../fixtures/core/dnssec/zones/acme.test.zone");
const ACME_EXPIRED: &str = include_str!("../../../../fixtures/core/dnssec/zones/acme.expired.zone");
const ACME_NO_RRSIG: &str = include_str!("../../../../fixtures/core/dnssec/zones/acme.no-rrsig.zone");
const ACME_BAD_SIG: &str = include_str!("../../../../fixtures/core/dnssec/zones/acme.bad-sig.zone");
const ANCHOR: &str = include_str!("../../../../fixtures/core/dnssec/zones/test.anchor");

/// The fixtures' "now": 2026-11-26 06:00 UTC.
fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_795_672_800)
}

fn name(s: &str) -> DomainName {
    DomainName::parse(s).expect("name")
}

fn zones(parent: &str, child: &str) -> ZoneSource {
    let mut source = ZoneSource::from_text("test.zone", parent, None).expect("parent loads");
    source.add(ZoneSource::from_text("acme.test.zone", child, None).expect("child loads"));
    source
}

fn judge(
    source: &ZoneSource,
    anchors: &TrustAnchors,
    at: SystemTime,
    rtype: RecordType,
    record: &str,
) -> Security {
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let validator = Validator::new(source, anchors, at);
    rt.block_on(validator.record(&name("acme.test"), &name(record), rtype))
}

fn anchors() -> TrustAnchors {
    TrustAnchors::from_text("test.anchor", ANCHOR).expect("anchor")
}

#[test]
fn a_valid_chain_is_secure() {
    let source = zones(TEST, ACME);
    for (rtype, record) in [
        (RecordType::Mx, "send.mail.acme.test"),
        (RecordType::Txt, "send.mail.acme.test"),
        (RecordType::Txt, "sf1._domainkey.mail.acme.test"),
        (RecordType::Txt, "_dmarc.mail.acme.test"),
        // denials: NODATA and NXDOMAIN with their NSEC proofs
        (RecordType::Txt, "mail.acme.test"),
        (RecordType::Txt, "nothing.mail.acme.test"),
    ] {
        assert_eq!(
            judge(&source, &anchors(), now(), rtype, record),
            Security::Secure { zone: "acme.test".into() },
            "{rtype} {record}"
        );
    }
}

#[test]
fn expired_signatures_name_the_rrset_key_and_time() {
    let source = zones(TEST, ACME_EXPIRED);
    let Security::Bogus(Fault::SignatureExpired(f)) =
        judge(&source, &anchors(), now(), RecordType::Mx, "send.mail.acme.test")
    else {
        panic!("expired")
    };
    assert_eq!(f.rrset, "DNSKEY acme.test");
    assert_eq!(f.signer, "acme.test");
    assert_eq!(format_time(f.time), "2026-11-01 00:00:00 UTC");
    // the same zone, a month earlier, is fine
    let before = UNIX_EPOCH + Duration::from_secs(1_790_000_000);
    assert!(matches!(
        judge(&source, &anchors(), before, RecordType::Mx, "send.mail.acme.test"),
        Security::Secure { .. }
    ));
    // and before its inception it is not yet valid
    let early = UNIX_EPOCH + Duration::from_secs(1_780_000_000);
    assert!(matches!(
        judge(&source, &anchors(), early, RecordType::Mx, "send.mail.acme.test"),
        Security::Bogus(Fault::SignatureNotYetValid(_))
    ));
}

#[test]
fn a_ds_matching_no_key_names_both() {
    let source = zones(TEST_OTHER_DS, ACME);
    let Security::Bogus(Fault::DsMatchesNoKey { zone, ds, keys }) =
        judge(&source, &anchors(), now(), RecordType::Txt, "_dmarc.mail.acme.test")
    else {
        panic!("DS mismatch")
    };
    assert_eq!(zone, "acme.test");
    assert!(ds.starts_with("key tag ") && ds.contains("algorithm 13, digest type 2"), "{ds}");
    assert!(keys.contains("(KSK, algorithm 13)") && keys.contains("(ZSK, algorithm 13)"), "{keys}");
}

#[test]
fn a_record_without_rrsig_and_a_bad_signature() {
    let source = zones(TEST, ACME_NO_RRSIG);
    assert_eq!(
        judge(&source, &anchors(), now(), RecordType::Mx, "send.mail.acme.test"),
        Security::Bogus(Fault::UnsignedRrset {
            rrset: "MX send.mail.acme.test".into(),
            zone: "acme.test".into()
        })
    );
    assert!(matches!(
        judge(&source, &anchors(), now(), RecordType::Txt, "send.mail.acme.test"),
        Security::Secure { .. }
    ));
    let source = zones(TEST, ACME_BAD_SIG);
    let Security::Bogus(Fault::BadSignature(f)) =
        judge(&source, &anchors(), now(), RecordType::Txt, "send.mail.acme.test")
    else {
        panic!("bad signature")
    };
    assert_eq!(f.rrset, "TXT send.mail.acme.test");
}

#[test]
fn without_an_anchor_nothing_is_claimed() {
    // the root anchor does not reach a zone file whose parent is not loaded
    let child = ZoneSource::from_text("acme.test.zone", ACME, None).expect("loads");
    let got = judge(&child, &TrustAnchors::root(), now(), RecordType::Mx, "send.mail.acme.test");
    let Security::NotValidated(why) = got else { panic!("not validated: {got:?}") };
    assert!(why.contains("acme.test is signed, but no trust anchor reaches it"), "{why}");
    // an anchor elsewhere covers nothing here
    let other = TrustAnchors::from_text("a", "example. IN DS 1 13 2 00").expect("anchor");
    assert!(matches!(
        judge(&zones(TEST, ACME), &other, now(), RecordType::Mx, "send.mail.acme.test"),
        Security::NotValidated(_)
    ));
    // an unsigned zone file is insecure, silently
    let plain = ZoneSource::from_text(
        "acme.test.zone",
        "$ORIGIN acme.test.\n@ 300 SOA ns1 h 1 2 3 4 5\nsend.mail 300 MX 10 x.\n",
        None,
    )
    .expect("loads");
    assert_eq!(
        judge(&plain, &TrustAnchors::root(), now(), RecordType::Mx, "send.mail.acme.test"),
        Security::Insecure { zone: "acme.test".into() }
    );
}

#[test]
fn the_root_anchor_is_built_in() {
    let root = TrustAnchors::root();
    assert_eq!(root.label(), "the root trust anchor");
    assert!(root.covers(&hickory_proto::rr::Name::root()));
    assert_eq!(root.at(&hickory_proto::rr::Name::root()).len(), 2);
}

#[test]
fn a_signed_zone_file_still_answers_as_before() {
    let source = ZoneSource::from_text("acme.test.zone", ACME, None).expect("loads");
    let answer = source.answer(&name("send.mail.acme.test"), RecordType::Mx);
    let crate::Answer::Records { records, .. } = answer else { panic!("MX found: {answer:?}") };
    assert_eq!(records.len(), 1);
    let answer = source.answer(&name("sf1._domainkey.mail.acme.test"), RecordType::Txt);
    assert!(matches!(answer, crate::Answer::Records { ref records, .. } if records.len() == 1), "{answer:?}");
    assert!(matches!(
        source.answer(&name("nothing.acme.test"), RecordType::Txt),
        crate::Answer::NxDomain { .. }
    ));
}

proptest::proptest! {
    /// Hostile DNSSEC records in a zone file (and in a trust-anchor file):
    /// an error pointing at the text or a zone, never a panic.
    #[test]
    fn hostile_dnssec_records_never_panic(
        rtype in proptest::sample::select(vec!["DNSKEY", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DS", "CDS", "CDNSKEY"]),
        words in proptest::collection::vec("[A-Za-z0-9+/=\\\\.()*#-]{0,12}|[0-9]{1,20}|\\PC{0,6}", 0..12),
    ) {
        let data = words.join(" ");
        let text = format!("$ORIGIN acme.test.\n@ 300 SOA ns1 h 1 2 3 4 5\nsend 300 IN {rtype} {data}\n  300 MX 10 x.\n");
        if let Ok(source) = ZoneSource::from_text("hostile.zone", &text, None) {
            let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
            let anchors = TrustAnchors::root();
            let v = Validator::new(&source, &anchors, now());
            let _ = rt.block_on(v.record(&name("acme.test"), &name("send.acme.test"), RecordType::Mx));
        }
        let _ = TrustAnchors::from_text("hostile.anchor", &format!("acme.test. IN {rtype} {data}\n"));
    }
}

#[test]
fn a_bad_dnssec_record_is_pointed_at() {
    let text = "$ORIGIN acme.test.\n@ 300 SOA ns1 h 1 2 3 4 5\n@ 300 DNSKEY 257 3 13 not*base64\n";
    let err = ZoneSource::from_text("bad.zone", text, None).expect_err("refused");
    let shown = format!("{:?}", miette::Report::new(err));
    assert!(shown.contains("cannot read this DNSKEY record: the public key is not valid base64"), "{shown}");
    let err = TrustAnchors::from_text("a.anchor", "acme.test. IN TXT \"x\"\n").expect_err("refused");
    assert!(
        format!("{:?}", miette::Report::new(err))
            .contains("a trust anchor is a DS or DNSKEY record, not TXT")
    );
    let err = TrustAnchors::from_text("empty.anchor", "; nothing\n").expect_err("refused");
    assert_eq!(err.to_string(), "empty.anchor holds no DS or DNSKEY record");
}
