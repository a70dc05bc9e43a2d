//! ZoneSource answers like an authoritative server for the zone files in
//! `tests/data`, and find_zone finds apexes over any Lookup.

use sendlint_dns::{
    Answer, BoxFuture, FailureKind, Lookup, LookupError, RData, RecordType, Soa, ZoneInfo, ZoneSource,
    find_zone,
};
use sendlint_records::name::DomainName;
use std::path::PathBuf;

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data")
}

fn source() -> ZoneSource {
    ZoneSource::from_files(&[data_dir()]).expect("test zones load")
}

fn name(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

fn key() -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/keys/sf1-2048.b64");
    std::fs::read_to_string(path).unwrap().trim().to_owned()
}

async fn ask(src: &ZoneSource, n: &str, rtype: RecordType) -> Answer {
    // through the trait object, as the engine uses it
    let lookup: &dyn Lookup = src;
    lookup.lookup(&name(n), rtype).await
}

/// The TXT strings of a positive answer.
fn txt_strings(answer: &Answer) -> Vec<Vec<Vec<u8>>> {
    match answer {
        Answer::Records { records, .. } => records
            .iter()
            .map(|r| match r {
                RData::Txt(t) => t.strings.clone(),
                other => panic!("not TXT: {other:?}"),
            })
            .collect(),
        other => panic!("not records: {other:?}"),
    }
}

fn acme_soa() -> Soa {
    Soa {
        zone: name("acme.test"),
        mname: name("ada.ns.cloudflare.com"),
        serial: Some(2026112401),
        minimum: 1800,
        ttl: 300,
    }
}

#[tokio::test]
async fn spf_txt_and_mx_at_the_mail_from_name() {
    let src = source();
    let answer = ask(&src, "send.mail.acme.test", RecordType::Txt).await;
    assert_eq!(
        answer,
        Answer::Records {
            records: vec![RData::Txt(sendlint_records::TxtRecord {
                strings: vec![b"v=spf1 include:amazonses.com ~all".to_vec()]
            })],
            cnames: vec![],
            ttl: 300,
        }
    );
    let Answer::Records { records, .. } = ask(&src, "send.mail.acme.test", RecordType::Mx).await else {
        panic!("no MX");
    };
    let [RData::Mx(mx)] = records.as_slice() else {
        panic!("{records:?}");
    };
    assert_eq!(mx.preference, 10);
    assert_eq!(mx.exchange, name("feedback-smtp.us-east-1.amazonses.com"));
    // names compare case-insensitively
    let upper = ask(&src, "SEND.Mail.ACME.test", RecordType::Txt).await;
    assert_eq!(txt_strings(&upper), vec![vec![b"v=spf1 include:amazonses.com ~all".to_vec()]]);
}

#[tokio::test]
async fn dkim_key_stays_two_strings_of_one_record() {
    let src = source();
    let answer = ask(&src, "sf1._domainkey.mail.acme.test", RecordType::Txt).await;
    let records = txt_strings(&answer);
    assert_eq!(records.len(), 1, "one record");
    let strings = &records[0];
    assert_eq!(strings.len(), 2, "two character-strings");
    assert!(strings[0].len() <= 255 && strings[1].len() <= 255);
    assert_eq!(strings.concat(), format!("v=DKIM1; k=rsa; p={}", key()).into_bytes());
}

#[tokio::test]
async fn escapes_are_decoded_byte_exact() {
    let src = source();
    let answer = ask(&src, "escaped.acme.test", RecordType::Txt).await;
    assert_eq!(
        txt_strings(&answer),
        vec![vec![
            b"semi;colon".to_vec(),
            b"quote\"inside".to_vec(),
            b"raw\xffbyte".to_vec(),
            b"back\\slash".to_vec(),
        ]]
    );
}

#[tokio::test]
async fn negative_answers_carry_the_soa() {
    let src = source();
    // the name has an A record only
    assert_eq!(
        ask(&src, "mail.acme.test", RecordType::Txt).await,
        Answer::NoData { soa: Some(acme_soa()), cnames: Vec::new() }
    );
    // empty non-terminal: a.b.c exists, b.c has nothing of its own
    assert_eq!(
        ask(&src, "b.c.acme.test", RecordType::Txt).await,
        Answer::NoData { soa: Some(acme_soa()), cnames: Vec::new() }
    );
    assert_eq!(
        ask(&src, "nothing.mail.acme.test", RecordType::Txt).await,
        Answer::NxDomain { soa: Some(acme_soa()), cnames: Vec::new() }
    );
    assert!(matches!(ask(&src, "a.b.c.acme.test", RecordType::Txt).await, Answer::Records { .. }));
}

#[tokio::test]
async fn wildcard_synthesis() {
    let src = source();
    for n in ["x.wild.acme.test", "a.b.wild.acme.test"] {
        assert_eq!(
            txt_strings(&ask(&src, n, RecordType::Txt).await),
            vec![vec![b"wildcard v=spf1 -all".to_vec()]],
            "{n}"
        );
        assert_eq!(
            ask(&src, n, RecordType::Mx).await,
            Answer::NoData { soa: Some(acme_soa()), cnames: Vec::new() },
            "{n}"
        );
    }
    // the parent of the wildcard is an empty non-terminal, not a match
    assert_eq!(
        ask(&src, "wild.acme.test", RecordType::Txt).await,
        Answer::NoData { soa: Some(acme_soa()), cnames: Vec::new() }
    );
    // an existing name blocks the wildcard below its own closest encloser only
    assert_eq!(
        ask(&src, "x.mail.acme.test", RecordType::Txt).await,
        Answer::NxDomain { soa: Some(acme_soa()), cnames: Vec::new() }
    );
}

#[tokio::test]
async fn wildcard_report_authorization() {
    // RFC 7489 §7.1 allows `*._report._dmarc.<domain>`: the closest encloser
    // of `<any domain>._report._dmarc.<domain>` is the empty non-terminal
    // `_report._dmarc.<domain>`, so the wildcard answers however many labels
    // the reporting domain has.
    let src = ZoneSource::from_text(
        "vendor.test.zone",
        "$ORIGIN vendor.test.\n\
         @ 300 SOA ns1 hostmaster 7 3600 600 604800 300\n\
         *._report._dmarc 300 TXT \"v=DMARC1\"\n\
         only.example._report._dmarc 300 MX 10 mx.vendor.test.\n",
        None,
    )
    .unwrap();
    for n in ["acme.test._report._dmarc.vendor.test", "mail.acme.test._report._dmarc.vendor.test"] {
        assert_eq!(
            txt_strings(&ask(&src, n, RecordType::Txt).await),
            vec![vec![b"v=DMARC1".to_vec()]],
            "{n}"
        );
    }
    // a name that exists is not synthesized: its own TXT set (none) answers
    assert!(matches!(
        ask(&src, "only.example._report._dmarc.vendor.test", RecordType::Txt).await,
        Answer::NoData { .. }
    ));
    // and it makes `example._report._dmarc.vendor.test` exist (an empty
    // non-terminal): that is the closest encloser of names below it, whose
    // source of synthesis `*.example._report…` does not exist (RFC 4592 §2.2.1)
    assert!(matches!(
        ask(&src, "other.example._report._dmarc.vendor.test", RecordType::Txt).await,
        Answer::NxDomain { .. }
    ));
    assert!(matches!(ask(&src, "_dmarc.vendor.test", RecordType::Txt).await, Answer::NoData { .. }));
}

#[tokio::test]
async fn cnames_are_followed_and_reported() {
    let src = source();
    assert_eq!(
        ask(&src, "alias.acme.test", RecordType::A).await,
        Answer::Records {
            records: vec![RData::A("192.0.2.10".parse().unwrap())],
            cnames: vec![
                (name("alias.acme.test"), name("www.acme.test")),
                (name("www.acme.test"), name("mail.acme.test")),
            ],
            ttl: 300,
        }
    );
    // asking for the CNAME itself returns it
    assert_eq!(
        ask(&src, "www.acme.test", RecordType::Cname).await,
        Answer::Records { records: vec![RData::Cname(name("mail.acme.test"))], cnames: vec![], ttl: 300 }
    );
    // a chain that leaves the loaded zones: the chain, no records
    assert_eq!(
        ask(&src, "old._domainkey.mail.acme.test", RecordType::Txt).await,
        Answer::Records {
            records: vec![],
            cnames: vec![(name("old._domainkey.mail.acme.test"), name("old.dkim.amazonses.com"))],
            ttl: 300,
        }
    );
    // a chain into a negative answer answers for the end of the chain, and
    // keeps the chain
    assert_eq!(
        ask(&src, "www.acme.test", RecordType::Mx).await,
        Answer::NoData {
            soa: Some(acme_soa()),
            cnames: vec![(name("www.acme.test"), name("mail.acme.test"))]
        }
    );
}

#[tokio::test]
async fn cname_loops_fail_without_hanging() {
    let src = source();
    let Answer::Failed(err) = ask(&src, "loop1.acme.test", RecordType::Txt).await else {
        panic!("loop not detected");
    };
    assert_eq!(err.kind, FailureKind::Other);
    assert_eq!(
        err.to_string(),
        "error from zone files for TXT loop1.acme.test: CNAME loop: loop1.acme.test → loop2.acme.test → loop1.acme.test"
    );
}

#[tokio::test]
async fn names_outside_the_loaded_zones_are_not_covered() {
    let src = source();
    let Answer::Failed(err) = ask(&src, "send.other.test", RecordType::Txt).await else {
        panic!("expected a failure");
    };
    assert_eq!(err.kind, FailureKind::NotCovered);
    assert_eq!(err.server, "zone files");
    assert_eq!(err.query, "TXT send.other.test");
    assert!(err.detail.contains("no zone file covers send.other.test"), "{err}");
    assert!(err.detail.contains("acme.test, sub.acme.test"), "{err}");

    // delegated away, no file for the child
    let Answer::Failed(err) = ask(&src, "x.child.acme.test", RecordType::Txt).await else {
        panic!("expected a failure");
    };
    assert_eq!(err.kind, FailureKind::NotCovered);
    assert!(err.detail.contains("child.acme.test is delegated to ns1.elsewhere.test"), "{err}");
}

#[tokio::test]
async fn the_longest_origin_answers() {
    let src = source();
    assert_eq!(
        txt_strings(&ask(&src, "send.sub.acme.test", RecordType::Txt).await),
        vec![vec![b"v=spf1 include:amazonses.com -all".to_vec()]]
    );
    let Answer::NxDomain { soa: Some(soa), .. } = ask(&src, "nothing.sub.acme.test", RecordType::Txt).await
    else {
        panic!("expected NXDOMAIN with SOA");
    };
    assert_eq!(soa.zone, name("sub.acme.test"));
    assert_eq!((soa.minimum, soa.ttl), (600, 3600));
}

#[tokio::test]
async fn doubled_suffix_names_are_ordinary_names() {
    let src = source();
    let answer = ask(&src, "send.mail.acme.test.acme.test", RecordType::Txt).await;
    assert_eq!(txt_strings(&answer), vec![vec![b"v=spf1 include:amazonses.com ~all".to_vec()]]);
}

#[tokio::test]
async fn soa_and_ns_at_the_apex() {
    let src = source();
    assert_eq!(
        ask(&src, "acme.test", RecordType::Soa).await,
        Answer::Records { records: vec![RData::Soa(acme_soa())], cnames: vec![], ttl: 300 }
    );
    assert_eq!(
        ask(&src, "acme.test", RecordType::Ns).await,
        Answer::Records {
            records: vec![RData::Ns(name("ada.ns.cloudflare.com")), RData::Ns(name("bob.ns.cloudflare.com"))],
            cnames: vec![],
            ttl: 86400,
        }
    );
}

#[tokio::test]
async fn find_zone_over_zone_files() {
    let src = source();
    let info = find_zone(&src, &name("send.mail.acme.test")).await;
    assert_eq!(
        info,
        ZoneInfo {
            apex: Some(name("acme.test")),
            nameservers: vec![name("ada.ns.cloudflare.com"), name("bob.ns.cloudflare.com")],
            soa: Some(acme_soa()),
            failure: None,
        }
    );
    // from a positive SOA answer at the apex itself
    assert_eq!(find_zone(&src, &name("acme.test")).await.apex, Some(name("acme.test")));
    // a non-existent name still names its zone through the NXDOMAIN SOA
    let info = find_zone(&src, &name("x.y.sub.acme.test")).await;
    assert_eq!(info.apex, Some(name("sub.acme.test")));
    assert_eq!(info.nameservers, vec![name("ns1.sub.acme.test")]);

    let info = find_zone(&src, &name("mail.other.test")).await;
    assert_eq!(info.apex, None);
    assert_eq!(info.failure.map(|f| f.kind), Some(FailureKind::NotCovered));
}

/// A source that never sends SOA records in negative answers, and whose NS
/// lookups time out: the apex is found by walking up.
struct NoSoaInNegatives;

impl Lookup for NoSoaInNegatives {
    fn lookup<'a>(&'a self, n: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        let answer = match rtype {
            RecordType::Soa if *n == name("acme.test") => {
                Answer::Records { records: vec![RData::Soa(acme_soa())], cnames: vec![], ttl: 60 }
            }
            RecordType::Ns => {
                Answer::Failed(LookupError::new(FailureKind::Timeout, "127.0.0.1:5353", n, rtype, ""))
            }
            _ => Answer::NxDomain { soa: None, cnames: Vec::new() },
        };
        Box::pin(async move { answer })
    }
}

#[tokio::test]
async fn find_zone_walks_up_without_soa_information() {
    let info = find_zone(&NoSoaInNegatives, &name("sf1._domainkey.mail.acme.test")).await;
    assert_eq!(info.apex, Some(name("acme.test")));
    assert!(info.nameservers.is_empty());
    let failure = info.failure.expect("NS failure reported");
    assert_eq!(failure.to_string(), "timeout from 127.0.0.1:5353 for NS acme.test");
}

#[test]
fn lookup_error_display() {
    let err = LookupError::new(
        FailureKind::ServFail,
        "127.0.0.1:5353",
        &name("send.acme.test"),
        RecordType::Txt,
        "",
    );
    assert_eq!(err.to_string(), "SERVFAIL from 127.0.0.1:5353 for TXT send.acme.test");
}

#[test]
fn files_and_texts_combine() {
    let mut src = ZoneSource::from_files(&[data_dir().join("acme.test.zone")]).unwrap();
    assert_eq!(src.apexes(), vec![name("acme.test")]);
    src.add(ZoneSource::from_text("extra", "other.test. 60 IN TXT \"hi\"\n", None).unwrap());
    assert_eq!(src.apexes(), vec![name("acme.test"), name("other.test")]);
    assert!(matches!(src.answer(&name("other.test"), RecordType::Txt), Answer::Records { .. }));
    // without SOA there is no SOA to give
    assert_eq!(
        src.answer(&name("x.other.test"), RecordType::Txt),
        Answer::NxDomain { soa: None, cnames: Vec::new() }
    );
    let missing = ZoneSource::from_files(&[data_dir().join("no-such.zone")]).unwrap_err();
    assert!(missing.to_string().contains("cannot read zone file"), "{missing}");
}

#[tokio::test]
async fn a_miss_names_a_few_loaded_zones_and_counts_the_rest() {
    // An offline audit of a big workspace misses for every domain whose zone
    // file is absent: the message must stay short (it lands in every report).
    let mut src = ZoneSource::new();
    for i in 0..40 {
        let apex = format!("z{i:02}.test");
        let text = format!("$ORIGIN {apex}.\n@ 300 IN SOA ns1 host 1 7200 3600 1209600 300\n");
        src.add(ZoneSource::from_text(&apex, &text, None).expect("zone loads"));
    }
    let Answer::Failed(err) = ask(&src, "send.other.test", RecordType::Txt).await else {
        panic!("expected a failure");
    };
    assert_eq!(
        err.detail,
        "no zone file covers send.other.test (loaded: z00.test, z01.test, z02.test, z03.test, z04.test and 35 more)"
    );
    // the summary follows zones added later
    src.add(
        ZoneSource::from_text(
            "a.test",
            "$ORIGIN a.test.\n@ 300 IN SOA ns1 host 1 7200 3600 1209600 300\n",
            None,
        )
        .expect("zone loads"),
    );
    let Answer::Failed(err) = ask(&src, "send.other.test", RecordType::Txt).await else {
        panic!("expected a failure");
    };
    assert!(
        err.detail.ends_with("(loaded: a.test, z00.test, z01.test, z02.test, z03.test and 36 more)"),
        "{err}"
    );
}

#[test]
fn a_directory_loads_in_parallel_and_reports_its_first_bad_file_in_name_order() {
    let tmp = tempfile::Builder::new().prefix("sendlint-zones-order-").tempdir().expect("scratch dir");
    let dir = tmp.path().to_path_buf();
    for i in 0..64 {
        let apex = format!("z{i:02}.test");
        let text = format!("$ORIGIN {apex}.\n@ 300 IN SOA ns1 host 1 7200 3600 1209600 300\n");
        std::fs::write(dir.join(format!("{apex}.zone")), text).expect("write zone");
    }
    let loaded = ZoneSource::from_files(std::slice::from_ref(&dir)).expect("64 zones load");
    assert_eq!(loaded.apexes().len(), 64);
    // two bad files: the first in name order is the one reported, every time
    std::fs::write(dir.join("z10.test.zone"), "$ORIGIN z10.test.\n@ IN MX not-a-number\n").expect("write");
    std::fs::write(dir.join("z50.test.zone"), "$ORIGIN z50.test.\n@ IN MX not-a-number\n").expect("write");
    for _ in 0..5 {
        let err = ZoneSource::from_files(std::slice::from_ref(&dir)).expect_err("bad files");
        let text = format!("{err:?}");
        assert!(text.contains("z10.test.zone") && !text.contains("z50.test.zone"), "{text}");
    }
}

/// A directory's zone files are the regular files, and symlinks to them; a
/// subdirectory or a dangling link with a zone extension is not loaded.
#[cfg(unix)]
#[test]
fn a_directory_loads_files_and_links_to_files_only() {
    let tmp = tempfile::Builder::new().prefix("sendlint-zones-links-").tempdir().expect("scratch dir");
    let dir = tmp.path().to_path_buf();
    std::fs::create_dir_all(dir.join("sub.test.zone")).expect("scratch dir");
    let target =
        tempfile::Builder::new().prefix("sendlint-zones-target-").suffix(".zone").tempfile().expect("target");
    let elsewhere = target.path();
    std::fs::write(elsewhere, "$ORIGIN linked.test.\n@ 300 IN SOA ns1 host 1 7200 3600 1209600 300\n")
        .expect("write zone");
    std::fs::write(dir.join("plain.test.zone"), "$ORIGIN plain.test.\n@ 300 IN SOA ns1 host 1 2 3 4 5\n")
        .expect("write zone");
    std::os::unix::fs::symlink(elsewhere, dir.join("linked.test.zone")).expect("link");
    std::os::unix::fs::symlink(dir.join("missing"), dir.join("dangling.test.zone")).expect("link");
    let loaded = ZoneSource::from_files(std::slice::from_ref(&dir)).expect("zones load");
    let apexes: Vec<String> = loaded.apexes().iter().map(ToString::to_string).collect();
    assert_eq!(apexes, ["linked.test", "plain.test"]);
}
