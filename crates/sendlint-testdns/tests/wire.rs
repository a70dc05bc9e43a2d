//! The lean transport of `LiveSource` (servers given explicitly) against
//! servers on 127.0.0.1 that misbehave on the wire: stray answers with
//! another ID, another question or from another port, a lost first packet,
//! truncation, silence, REFUSED and SERVFAIL; what it sends is counted at
//! the server and by the source itself.

use sendlint_dns::{Answer, FailureKind, LiveOptions, LiveSource, Lookup, RData, RecordType, ZoneSource};
use sendlint_records::name::DomainName;
use sendlint_testdns::{Mode, TestServer};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ZONE: &str = r#"$ORIGIN acme.test.
$TTL 300
@            SOA  ns1.acme.test. hostmaster.acme.test. 2026112401 3600 600 604800 120
@            NS   ns1.acme.test.
ns1          A    127.0.0.2
send.mail    MX   10 feedback-smtp.us-east-1.amazonses.com.
send.mail    TXT  "v=spf1 include:amazonses.com ~all"
"#;

fn zones() -> ZoneSource {
    ZoneSource::from_text("acme.test.zone", ZONE, None).expect("the test zone loads")
}

fn n(s: &str) -> DomainName {
    DomainName::parse(s).expect("a test name")
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

/// One try of 300 ms, as the quickest tests use.
fn quick() -> LiveOptions {
    LiveOptions { timeout: Duration::from_millis(300), attempts: 1, ..LiveOptions::default() }
}

fn failure(answer: &Answer) -> (FailureKind, String) {
    match answer {
        Answer::Failed(e) => (e.kind, e.to_string()),
        other => panic!("expected a failure, got {other:?}"),
    }
}

/// Each stray packet is dropped and the real answer taken: the answers equal
/// the zone's, one question sent each, every stray counted as dropped.
#[test]
fn stray_answers_are_dropped_and_the_real_one_taken() {
    let zones = zones();
    let rt = rt();
    for mode in [Mode::WrongIdFirst, Mode::WrongQuestionFirst, Mode::WrongSenderFirst] {
        let server = TestServer::start(&zones, mode).expect("server");
        let source = LiveSource::new(&[server.addr()], LiveOptions::default()).expect("source");
        let questions = [("send.mail.acme.test", RecordType::Mx), ("send.mail.acme.test", RecordType::Txt)];
        for (name, rtype) in questions {
            let got = rt.block_on(source.lookup(&n(name), rtype));
            assert_eq!(got, zones.answer(&n(name), rtype), "{mode:?} {rtype} {name}");
        }
        let stats = source.wire_stats().expect("counted");
        assert_eq!((stats.udp, stats.tcp, stats.timeouts), (2, 0, 0), "{mode:?}: {stats:?}");
        assert_eq!(stats.dropped, 2, "{mode:?}: each stray dropped: {stats:?}");
        assert_eq!(server.received(), (2, 0), "{mode:?}");
    }
}

/// A lost first packet costs a retransmission after 200 ms, well inside one
/// 300 ms try (hickory-resolver waited the whole try and failed).
#[test]
fn a_lost_first_packet_is_sent_again_sooner_than_the_timeout() {
    let zones = zones();
    let server = TestServer::start(&zones, Mode::DropFirst).expect("server");
    let source = LiveSource::new(&[server.addr()], quick()).expect("source");
    let name = n("send.mail.acme.test");
    let got = rt().block_on(source.lookup(&name, RecordType::Txt));
    assert_eq!(got, zones.answer(&name, RecordType::Txt));
    let stats = source.wire_stats().expect("counted");
    assert_eq!((stats.udp, stats.timeouts), (2, 1), "{stats:?}");
    assert_eq!(server.received(), (2, 0));
}

/// Silence: tries after 200 ms, then at most `timeout` apart, until the
/// budget `timeout × attempts` is spent; then a timeout failure.
#[test]
fn silence_is_a_timeout_at_the_end_of_the_budget() {
    let server = TestServer::start(&zones(), Mode::Silent).expect("server");
    let options = LiveOptions { timeout: Duration::from_millis(300), attempts: 2, ..LiveOptions::default() };
    let source = LiveSource::new(&[server.addr()], options).expect("source");
    let started = Instant::now();
    let got = rt().block_on(source.lookup(&n("send.mail.acme.test"), RecordType::Txt));
    let waited = started.elapsed();
    let (kind, text) = failure(&got);
    assert_eq!(kind, FailureKind::Timeout, "{text}");
    assert!(text.contains("no answer within 300 ms (2 tries)"), "{text}");
    assert!(waited >= Duration::from_millis(600), "the whole budget is waited: {waited:?}");
    assert!(waited < Duration::from_millis(1500), "and not much more: {waited:?}");
    // sent at 0, 200 and 500 ms (the third waits 300 ms, the end of the budget)
    let stats = source.wire_stats().expect("counted");
    assert_eq!((stats.udp, stats.timeouts), (3, 3), "{stats:?}");
    assert_eq!(server.received(), (3, 0));
}

/// REFUSED is the server's answer: asked once, never again.
#[test]
fn refused_is_asked_once() {
    let server = TestServer::start(&zones(), Mode::Refused).expect("server");
    let source = LiveSource::new(&[server.addr()], LiveOptions::default()).expect("source");
    let (kind, text) = failure(&rt().block_on(source.lookup(&n("send.mail.acme.test"), RecordType::Txt)));
    assert_eq!(kind, FailureKind::Refused, "{text}");
    assert_eq!(server.received(), (1, 0));
    assert_eq!(source.wire_stats().map(|s| s.udp), Some(1));
}

/// SERVFAIL: each server asked once, never the same one twice.
#[test]
fn servfail_asks_each_server_once() {
    let zones = zones();
    let one = TestServer::start(&zones, Mode::ServFail).expect("server");
    let two = TestServer::start(&zones, Mode::ServFail).expect("server");
    let source = LiveSource::new(&[one.addr(), two.addr()], LiveOptions::default()).expect("source");
    let (kind, text) = failure(&rt().block_on(source.lookup(&n("send.mail.acme.test"), RecordType::Txt)));
    assert_eq!(kind, FailureKind::ServFail, "{text}");
    assert!(text.contains(&one.addr().to_string()) && text.contains(&two.addr().to_string()), "{text}");
    assert_eq!((one.received(), two.received()), ((1, 0), (1, 0)));
    // a second server that answers is asked after the first fails
    let good = TestServer::start(&zones, Mode::Normal).expect("server");
    let source = LiveSource::new(&[one.addr(), good.addr()], LiveOptions::default()).expect("source");
    let name = n("send.mail.acme.test");
    assert_eq!(rt().block_on(source.lookup(&name, RecordType::Mx)), zones.answer(&name, RecordType::Mx));
    assert_eq!((one.received(), good.received()), ((2, 0), (1, 0)));
}

/// TC: the same question over TCP, counted; no TCP listener: truncated.
#[test]
fn truncation_is_asked_again_over_tcp() {
    let zones = zones();
    let name = n("send.mail.acme.test");
    let server = TestServer::start(&zones, Mode::TruncateUdp).expect("server");
    let source = LiveSource::new(&[server.addr()], quick()).expect("source");
    assert_eq!(rt().block_on(source.lookup(&name, RecordType::Txt)), zones.answer(&name, RecordType::Txt));
    assert_eq!(source.wire_stats().map(|s| (s.udp, s.tcp)), Some((1, 1)));
    assert_eq!(server.received(), (1, 1));

    let server = TestServer::start(&zones, Mode::TruncateNoTcp).expect("server");
    let source = LiveSource::new(&[server.addr()], quick()).expect("source");
    let (kind, text) = failure(&rt().block_on(source.lookup(&name, RecordType::Txt)));
    assert_eq!(kind, FailureKind::Truncated, "{text}");
    assert!(text.contains("TCP did not complete it"), "{text}");
    assert_eq!(source.wire_stats().map(|s| (s.udp, s.tcp)), Some((1, 1)));
}

/// Many questions in flight over the few sockets of the pool: each gets its
/// own answer.
#[test]
fn many_concurrent_questions_are_each_matched_to_their_answer() {
    const N: usize = 400;
    let mut text = String::from(ZONE);
    for i in 0..N {
        text.push_str(&format!("h{i} TXT \"v={i}\"\nh{i} MX {i} mx{i}.acme.test.\n"));
    }
    let zones = ZoneSource::from_text("acme.test.zone", &text, None).expect("zone");
    let server = TestServer::start(&zones, Mode::Normal).expect("server");
    let source = Arc::new(LiveSource::new(&[server.addr()], LiveOptions::default()).expect("source"));
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("rt");
    let answers = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..N {
            for rtype in [RecordType::Txt, RecordType::Mx] {
                let source = source.clone();
                set.spawn(async move {
                    let name = n(&format!("h{i}.acme.test"));
                    (i, rtype, source.lookup(&name, rtype).await)
                });
            }
        }
        set.join_all().await
    });
    assert_eq!(answers.len(), 2 * N);
    for (i, rtype, got) in answers {
        let Answer::Records { records, .. } = &got else { panic!("h{i} {rtype}: {got:?}") };
        match (rtype, records.as_slice()) {
            (RecordType::Txt, [RData::Txt(t)]) => assert_eq!(t.data(), format!("v={i}").into_bytes()),
            (RecordType::Mx, [RData::Mx(mx)]) => {
                assert_eq!(
                    (usize::from(mx.preference), mx.exchange.clone()),
                    (i, n(&format!("mx{i}.acme.test")))
                )
            }
            other => panic!("h{i}: {other:?}"),
        }
    }
    let stats = source.wire_stats().expect("counted");
    assert!(stats.udp >= 2 * N as u64, "{stats:?}");
}

/// One source used under one runtime, then another (the first dropped): its
/// sockets and tasks are set up again in the second.
#[test]
fn a_source_outlives_its_first_runtime() {
    let zones = zones();
    let server = TestServer::start(&zones, Mode::Normal).expect("server");
    let source = LiveSource::new(&[server.addr()], quick()).expect("source");
    let name = n("send.mail.acme.test");
    for _ in 0..3 {
        let rt = rt();
        assert_eq!(rt.block_on(source.lookup(&name, RecordType::Mx)), zones.answer(&name, RecordType::Mx));
        drop(rt);
    }
    assert_eq!(source.wire_stats().map(|s| (s.udp, s.timeouts)), Some((3, 0)));
}

/// The source and the authoritative sub-sources it builds count together:
/// NS addresses, the question to the cache and the re-ask to the zone's own
/// server are all on the wire.
#[test]
fn authoritative_sub_sources_count_with_their_source() {
    let zones = zones();
    // the cache knows ns1.acme.test at 127.0.0.1; the zone's server listens there too
    let cache_text = ZONE.replace("127.0.0.2", "127.0.0.1");
    let cache_zones = ZoneSource::from_text("acme.test.zone", &cache_text, None).expect("zone");
    let auth = TestServer::start(&zones, Mode::Normal).expect("server");
    let cache = TestServer::start(&cache_zones, Mode::Normal).expect("server");
    let options = LiveOptions { authoritative_port: auth.addr().port(), ..LiveOptions::default() };
    let source = LiveSource::new(&[cache.addr()], options).expect("source");
    let name = n("send.mail.acme.test");
    let got = rt().block_on(source.authoritative(&[n("ns1.acme.test")], &name, RecordType::Txt));
    assert_eq!(got, Some(zones.answer(&name, RecordType::Txt)));
    // A and AAAA of ns1 from the cache, TXT from the zone's server
    assert_eq!((cache.received(), auth.received()), ((2, 0), (1, 0)));
    assert_eq!(source.wire_stats().map(|s| s.udp), Some(3));
}
