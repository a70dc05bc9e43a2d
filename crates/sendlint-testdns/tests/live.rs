//! The live source against real DNS servers on 127.0.0.1: every answer kind,
//! every failure kind, TCP fallback, apex finding, caching, record/replay and
//! the authoritative (propagation) path.

use sendlint_dns::{
    Answer, BoxFuture, CachingLookup, FailureKind, LiveOptions, LiveSource, Lookup, RData, RecordType,
    RecordingLookup, ReplayLookup, ZoneSource, find_zone,
};
use sendlint_records::name::DomainName;
use sendlint_testdns::{Mode, TestServer};
use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

fn key_2048() -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/keys/sf1-2048.b64");
    std::fs::read_to_string(path).expect("the test key").trim().to_owned()
}

/// A zone with every shape of answer; the DKIM key is split into strings of
/// at most 255 bytes, the way a 2048-bit key must be published.
fn zone_text() -> String {
    let key = format!("v=DKIM1; k=rsa; p={}", key_2048());
    let strings: Vec<String> =
        key.as_bytes().chunks(255).map(|c| format!("\"{}\"", String::from_utf8_lossy(c))).collect();
    format!(
        r#"$ORIGIN acme.test.
$TTL 300
@            SOA  ns1.acme.test. hostmaster.acme.test. 2026112401 3600 600 604800 120
@            NS   ns1.acme.test.
ns1          A    127.0.0.2
@            MX   10 mx.acme.test.
send.mail    MX   10 feedback-smtp.us-east-1.amazonses.com.
send.mail    TXT  "v=spf1 include:amazonses.com ~all"
odd.mail     TXT  "a\"b" "\000\255\\ x" ""
sf1._domainkey.mail TXT ( {} )
alias.mail   CNAME send.mail
away.mail    CNAME sf1.dkim.amazonses.com.
only-a.mail  A    192.0.2.1
sub          NS   ns.elsewhere.test.
"#,
        strings.join("\n    ")
    )
}

fn zones() -> ZoneSource {
    ZoneSource::from_text("acme.test.zone", &zone_text(), None).expect("the test zone loads")
}

fn n(s: &str) -> DomainName {
    DomainName::parse(s).expect("a test name")
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

fn quick() -> LiveOptions {
    LiveOptions { timeout: Duration::from_millis(300), attempts: 1, ..LiveOptions::default() }
}

fn live(server: &TestServer) -> LiveSource {
    LiveSource::new(&[server.addr()], LiveOptions::default()).expect("a live source")
}

#[test]
fn every_answer_variant_matches_the_zone_files() {
    let zones = zones();
    let server = TestServer::start(&zones, Mode::Normal).expect("server");
    let source = live(&server);
    let rt = rt();
    let questions = [
        ("send.mail.acme.test", RecordType::Mx),
        ("send.mail.acme.test", RecordType::Txt),
        ("odd.mail.acme.test", RecordType::Txt),
        ("sf1._domainkey.mail.acme.test", RecordType::Txt),
        ("alias.mail.acme.test", RecordType::Txt),
        ("alias.mail.acme.test", RecordType::Cname),
        ("away.mail.acme.test", RecordType::Txt),
        ("only-a.mail.acme.test", RecordType::Txt),
        ("only-a.mail.acme.test", RecordType::A),
        ("nothing.mail.acme.test", RecordType::Txt),
        ("acme.test", RecordType::Ns),
        ("acme.test", RecordType::Soa),
    ];
    for (name, rtype) in questions {
        let name = n(name);
        let offline = zones.answer(&name, rtype);
        let got = rt.block_on(source.lookup(&name, rtype));
        assert_eq!(got, offline, "{rtype} {name}");
    }
    // and the shapes are the ones meant
    let odd = rt.block_on(source.lookup(&n("odd.mail.acme.test"), RecordType::Txt));
    let Answer::Records { records, .. } = &odd else { panic!("{odd:?}") };
    let RData::Txt(t) = &records[0] else { panic!("{records:?}") };
    assert_eq!(t.strings, vec![b"a\"b".to_vec(), vec![0, 255, b'\\', b' ', b'x'], Vec::new()]);
    let away = rt.block_on(source.lookup(&n("away.mail.acme.test"), RecordType::Txt));
    assert!(
        matches!(&away, Answer::Records { records, cnames, .. } if records.is_empty() && cnames.len() == 1),
        "{away:?}"
    );
    let nodata = rt.block_on(source.lookup(&n("only-a.mail.acme.test"), RecordType::Txt));
    let nx = rt.block_on(source.lookup(&n("nothing.mail.acme.test"), RecordType::Txt));
    for negative in [&nodata, &nx] {
        let soa = negative.negative_soa().unwrap_or_else(|| panic!("no SOA in {negative:?}"));
        assert_eq!(soa.zone, n("acme.test"));
        assert_eq!((soa.minimum, soa.ttl), (120, 300));
    }
    assert!(matches!(nodata, Answer::NoData { .. }), "{nodata:?}");
    assert!(matches!(nx, Answer::NxDomain { .. }), "{nx:?}");
}

fn failure(answer: &Answer) -> (FailureKind, String) {
    match answer {
        Answer::Failed(e) => (e.kind, e.to_string()),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn each_failure_kind_is_classified_with_server_and_query() {
    let zones = zones();
    let rt = rt();
    let q = n("send.mail.acme.test");
    for (mode, kind) in [
        (Mode::ServFail, FailureKind::ServFail),
        (Mode::Refused, FailureKind::Refused),
        (Mode::Silent, FailureKind::Timeout),
        (Mode::TruncateNoTcp, FailureKind::Truncated),
    ] {
        let server = TestServer::start(&zones, mode).expect("server");
        let source = LiveSource::new(&[server.addr()], quick()).expect("source");
        let (got, text) = failure(&rt.block_on(source.lookup(&q, RecordType::Txt)));
        assert_eq!(got, kind, "{mode:?}: {text}");
        assert!(text.contains(&server.addr().to_string()), "{text}");
        assert!(text.contains("TXT send.mail.acme.test"), "{text}");
    }
    // TC over UDP, then the TCP connection closed unanswered: hickory reports
    // the truncation or the broken exchange, depending on timing; either is a
    // failure naming the server and the question
    let server = TestServer::start(&zones, Mode::TruncateThenCloseTcp).expect("server");
    let source = LiveSource::new(&[server.addr()], quick()).expect("source");
    let (got, text) = failure(&rt.block_on(source.lookup(&q, RecordType::Txt)));
    assert!(matches!(got, FailureKind::Truncated | FailureKind::Other), "{got:?}: {text}");
    assert!(text.contains("truncated") || text.contains("broke off"), "{text}");
    assert!(text.contains(&server.addr().to_string()) && text.contains("TXT send.mail.acme.test"), "{text}");
    // a name delegated away, asked of a server that does not recurse
    let server = TestServer::start(&zones, Mode::Normal).expect("server");
    let source = live(&server);
    let (kind, text) = failure(&rt.block_on(source.lookup(&n("x.sub.acme.test"), RecordType::Txt)));
    assert_eq!(kind, FailureKind::NotCovered, "{text}");
    assert!(text.contains("ns.elsewhere.test"), "{text}");
}

/// Records owned by another name than the question are a failed lookup,
/// never "no records here" (which would read as a missing record).
#[test]
fn an_answer_about_another_name_is_a_failure_not_nodata() {
    let zones = zones();
    let server = TestServer::start(&zones, Mode::WrongOwner).expect("server");
    let source = live(&server);
    let rt = rt();
    for rtype in [RecordType::Mx, RecordType::Txt] {
        let (kind, text) = failure(&rt.block_on(source.lookup(&n("send.mail.acme.test"), rtype)));
        assert_eq!(kind, FailureKind::Other, "{text}");
        assert!(text.contains("wrong-owner.invalid"), "{text}");
        assert!(text.contains(&server.addr().to_string()), "{text}");
    }
    // negative answers are still answers
    let nx = rt.block_on(source.lookup(&n("nothing.acme.test"), RecordType::Txt));
    assert!(matches!(nx, Answer::NxDomain { .. }), "{nx:?}");
}

#[test]
fn a_2048_bit_dkim_key_arrives_over_tcp_when_udp_is_truncated() {
    let zones = zones();
    let server = TestServer::start(&zones, Mode::TruncateUdp).expect("server");
    let source = live(&server);
    let name = n("sf1._domainkey.mail.acme.test");
    let got = rt().block_on(source.lookup(&name, RecordType::Txt));
    let Answer::Records { records, .. } = &got else { panic!("{got:?}") };
    let [RData::Txt(txt)] = records.as_slice() else { panic!("{records:?}") };
    assert!(txt.strings.len() > 1, "a 2048-bit key needs several strings");
    assert_eq!(txt.data(), format!("v=DKIM1; k=rsa; p={}", key_2048()).into_bytes());
}

#[test]
fn find_zone_works_live() {
    let server = TestServer::start(&zones(), Mode::Normal).expect("server");
    let source = live(&server);
    let rt = rt();
    for name in ["mail.acme.test", "deep.er.mail.acme.test", "acme.test", "send.mail.acme.test"] {
        let info = rt.block_on(find_zone(&source, &n(name)));
        assert_eq!(info.apex, Some(n("acme.test")), "{name}: {info:?}");
        assert_eq!(info.nameservers, vec![n("ns1.acme.test")]);
        assert_eq!(info.failure, None);
    }
}

/// Counts the questions that reach the wrapped source.
struct Counting<L>(L, AtomicUsize);

impl<L: Lookup> Lookup for Counting<L> {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        self.1.fetch_add(1, Ordering::SeqCst);
        self.0.lookup(name, rtype)
    }
}

#[test]
fn the_cache_asks_each_question_once() {
    let server = TestServer::start(&zones(), Mode::Normal).expect("server");
    let cache = CachingLookup::new(Counting(live(&server), AtomicUsize::new(0)));
    let rt = rt();
    let a = rt.block_on(cache.lookup(&n("send.mail.acme.test"), RecordType::Txt));
    let b = rt.block_on(cache.lookup(&n("SEND.mail.acme.test"), RecordType::Txt));
    let c = rt.block_on(cache.lookup(&n("send.mail.acme.test"), RecordType::Mx));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(cache.inner().1.load(Ordering::SeqCst), 2);
    assert_eq!(cache.len(), 2);
}

#[test]
fn a_recording_replays_the_same_answers_and_fails_on_questions_it_lacks() {
    let server = TestServer::start(&zones(), Mode::Normal).expect("server");
    let recording = RecordingLookup::new(live(&server));
    let rt = rt();
    let questions = [
        (n("odd.mail.acme.test"), RecordType::Txt),
        (n("sf1._domainkey.mail.acme.test"), RecordType::Txt),
        (n("away.mail.acme.test"), RecordType::Txt),
        (n("nothing.mail.acme.test"), RecordType::Txt),
        (n("x.sub.acme.test"), RecordType::Txt),
    ];
    let live_answers: Vec<Answer> =
        questions.iter().map(|(q, t)| rt.block_on(recording.lookup(q, *t))).collect();
    let json = recording.to_json();
    let replay = ReplayLookup::from_json("rec.json", &json).expect("the recording reads back");
    for ((q, t), want) in questions.iter().zip(&live_answers) {
        assert_eq!(&rt.block_on(replay.lookup(q, *t)), want, "{t} {q}");
    }
    let (kind, text) = failure(&rt.block_on(replay.lookup(&n("send.mail.acme.test"), RecordType::Mx)));
    assert_eq!(kind, FailureKind::NotCovered);
    assert!(text.contains("rec.json") && text.contains("cannot answer MX send.mail.acme.test"), "{text}");
    // stable: the same answers give the same text
    let again = RecordingLookup::new(replay.clone());
    for (q, t) in questions.iter().rev() {
        rt.block_on(again.lookup(q, *t));
    }
    assert_eq!(again.to_json(), json);
}

/// An audit asks a failed question again for the next domain: the recording
/// keeps the answer that came, not the timeout before it.
#[test]
fn a_recording_keeps_the_answer_that_followed_a_failure() {
    let server = TestServer::start(&zones(), Mode::DropFirst).expect("server");
    // one try, no resend: the dropped first packet is a timeout
    let once = LiveOptions { timeout: Duration::from_millis(150), attempts: 1, ..LiveOptions::default() };
    let recording = RecordingLookup::new(LiveSource::new(&[server.addr()], once).expect("a live source"));
    let rt = rt();
    let q = n("send.mail.acme.test");
    let (kind, _) = failure(&rt.block_on(recording.lookup(&q, RecordType::Mx)));
    assert_eq!(kind, FailureKind::Timeout);
    let answered = rt.block_on(recording.lookup(&q, RecordType::Mx));
    assert!(matches!(answered, Answer::Records { .. }), "{answered:?}");
    let json = recording.to_json();
    let replay = ReplayLookup::from_json("rec.json", &json).expect("the recording reads back");
    assert_eq!(rt.block_on(replay.lookup(&q, RecordType::Mx)), answered);
}

#[test]
fn the_zones_own_servers_are_asked_without_recursion() {
    // the "resolver" still serves the old zone; the authoritative server
    // (ns1.acme.test = 127.0.0.2) has the new DMARC record
    let old = zones();
    let mut new_text = zone_text();
    new_text.push_str("_dmarc.mail  TXT  \"v=DMARC1; p=none\"\n");
    let new = ZoneSource::from_text("acme.test.zone", &new_text, None).expect("zone");
    let auth =
        TestServer::start_on(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), &new, Mode::Normal).expect("server");
    let cache = TestServer::start(&old, Mode::Normal).expect("server");
    let options = LiveOptions { authoritative_port: auth.addr().port(), ..LiveOptions::default() };
    let source = LiveSource::new(&[cache.addr()], options).expect("source");
    let rt = rt();
    let dmarc = n("_dmarc.mail.acme.test");
    assert!(matches!(rt.block_on(source.lookup(&dmarc, RecordType::Txt)), Answer::NxDomain { .. }));
    let got = rt.block_on(source.authoritative(&[n("ns1.acme.test")], &dmarc, RecordType::Txt));
    assert_eq!(got, Some(new.answer(&dmarc, RecordType::Txt)));
    // unknown addresses: nothing to ask
    let none = rt.block_on(source.authoritative(&[n("ns9.nowhere.test")], &dmarc, RecordType::Txt));
    assert_eq!(none, None);
}

/// The server's data can change under a running client (DNS propagating):
/// the next question gets the new answer, no restart.
#[test]
fn replaced_zones_answer_the_next_question() {
    let before = "$ORIGIN prop.test.\n$TTL 60\n@ SOA ns1.prop.test. h.prop.test. 1 3600 600 604800 60\n@ NS ns1.prop.test.\n";
    let after = format!("{before}send.mail TXT \"v=spf1 include:amazonses.com ~all\"\n");
    let server = TestServer::from_text(&[before], Mode::Normal).expect("server");
    let live = LiveSource::new(&[server.addr()], quick()).expect("live source");
    let name = n("send.mail.prop.test");
    let first = rt().block_on(live.lookup(&name, RecordType::Txt));
    assert!(matches!(first, Answer::NxDomain { .. }), "{first:?}");
    server.replace_text(&[&after]).expect("the new zone loads");
    let second = rt().block_on(live.lookup(&name, RecordType::Txt));
    let Answer::Records { records, .. } = second else { panic!("{second:?}") };
    assert!(
        matches!(&records[..], [RData::Txt(t)] if t.strings == [b"v=spf1 include:amazonses.com ~all".to_vec()])
    );
}
