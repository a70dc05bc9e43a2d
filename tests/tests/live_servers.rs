//! Every authoritative server of the zone, asked one by one (issue 21 part 2):
//! three in-process servers for acme.test on 127.0.0.11–13 (one port, as
//! `LiveOptions::authoritative_port` wants), a resolver stand-in on
//! 127.0.0.1 whose zone gives ns1–ns3 those addresses. One server stale
//! (a record missing, another with an old value, an older serial), silent,
//! refusing or lame (a referral) gives one diagnosis naming it and its
//! address; all agreeing is silent; no server answering at all is silent too.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use sendlint::{CheckOptions, DomainReport, RecordReport};
use sendlint_dns::{LiveOptions, LiveSource, Lookup, ZoneSource};
use sendlint_rules::RuleSet;
use sendlint_testdns::{Mode, TestServer};
use sendlint_tests::{Fixture, fixture_now, fixtures_dir};

const NEW: u32 = 2026112402;
const OLD: u32 = 2026112401;

fn key() -> String {
    let key = std::fs::read_to_string(fixtures_dir().join("keys/sf1-2048.b64")).expect("key");
    let strings: Vec<String> = format!("p={}", key.trim())
        .as_bytes()
        .chunks(255)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    strings.join(" ")
}

/// acme.test at `serial`, with ns1–ns3 at 127.0.0.11–13; `stale` leaves the
/// DKIM record out and keeps the previous SPF value.
fn zone_text(serial: u32, stale: bool) -> String {
    let spf = if stale { "v=spf1 ~all" } else { "v=spf1 include:amazonses.com ~all" };
    let dkim = if stale { String::new() } else { format!("sf1._domainkey.mail TXT ( {} )\n", key()) };
    format!(
        "$ORIGIN acme.test.\n$TTL 300\n\
         @ SOA ns1.acme.test. hostmaster.acme.test. {serial} 3600 600 604800 120\n\
         @ NS ns1.acme.test.\n@ NS ns2.acme.test.\n@ NS ns3.acme.test.\n\
         ns1 A 127.0.0.11\nns2 A 127.0.0.12\nns3 A 127.0.0.13\n\
         send.mail MX 10 feedback-smtp.us-east-1.amazonses.com.\n\
         send.mail TXT \"{spf}\"\n{dkim}\
         _dmarc.mail TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.test\"\n"
    )
}

fn zone(text: &str) -> ZoneSource {
    ZoneSource::from_text("acme.test.zone", text, None).expect("zone")
}

/// What one of the three servers does.
#[derive(Clone)]
enum Copy {
    Zone(String, Mode),
    /// Serves the parent zone `test.` only: a referral for every acme.test name.
    Parent,
}

fn current() -> Copy {
    Copy::Zone(zone_text(NEW, false), Mode::Normal)
}

/// The three servers on one port, and the resolver stand-in.
struct Rig {
    servers: Vec<TestServer>,
    resolver: TestServer,
    port: u16,
}

fn start(ip: u8, port: u16, copy: &Copy) -> std::io::Result<TestServer> {
    let addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, ip)), port);
    match copy {
        Copy::Zone(text, mode) => TestServer::start_at(addr, &zone(text), *mode),
        Copy::Parent => {
            let parent = "$ORIGIN test.\n$TTL 300\n@ SOA ns.test. hostmaster.test. 1 3600 600 604800 120\n\
                          @ NS ns.test.\nns A 127.0.0.9\nacme NS ns1.acme.test.\nacme NS ns2.acme.test.\n";
            let zones = ZoneSource::from_text("test.zone", parent, None).expect("parent zone");
            TestServer::start_at(addr, &zones, Mode::Normal)
        }
    }
}

fn rig(copies: [Copy; 3]) -> Rig {
    for _ in 0..20 {
        let first = start(11, 0, &copies[0]).expect("the first server");
        let port = first.addr().port();
        let (Ok(second), Ok(third)) = (start(12, port, &copies[1]), start(13, port, &copies[2])) else {
            continue; // the port is taken on another address: another one
        };
        let resolver = TestServer::start(&zone(&zone_text(NEW, false)), Mode::Normal).expect("resolver");
        return Rig { servers: vec![first, second, third], resolver, port };
    }
    panic!("no port free on 127.0.0.11–13");
}

impl Rig {
    fn live(&self) -> LiveSource {
        let options = LiveOptions {
            timeout: Duration::from_millis(300),
            attempts: 1,
            authoritative_port: self.port,
            ..LiveOptions::default()
        };
        LiveSource::new(&[self.resolver.addr()], options).expect("source")
    }
}

fn check(lookup: &dyn Lookup) -> DomainReport {
    let mut fixture: Fixture = toml::from_str(
        "description = \"servers\"\nexpect = []\n[setup]\ndomain = \"mail.acme.test\"\nregion = \"us-east-1\"\nselector = \"sf1\"\npublic_key_file = \"keys/sf1-2048.b64\"\n[[zone]]\ntext = '$ORIGIN acme.test.'\n",
    )
    .expect("fixture text");
    fixture.base = fixtures_dir();
    let setup = fixture.setup().expect("the setup");
    let opts = CheckOptions { now: fixture_now(), ..CheckOptions::default() };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
    rt.block_on(sendlint::check(&setup, lookup, &RuleSet::builtin(), &opts))
}

fn record<'a>(report: &'a DomainReport, role: &str) -> &'a RecordReport {
    report.records.iter().find(|r| r.role.as_str() == role).expect("the record")
}

/// Every code of the report, record by record.
fn codes(report: &DomainReport) -> Vec<(String, Vec<String>)> {
    report
        .records
        .iter()
        .map(|r| (r.role.to_string(), r.diagnoses.iter().map(|d| d.code.clone()).collect()))
        .collect()
}

const QUESTIONS: [(&str, &str); 4] = [
    ("send.mail.acme.test", "MX"),
    ("send.mail.acme.test", "TXT"),
    ("sf1._domainkey.mail.acme.test", "TXT"),
    ("_dmarc.mail.acme.test", "TXT"),
];

#[test]
fn servers_that_agree_say_nothing_and_each_is_asked_each_record_once() {
    let rig = rig([current(), current(), current()]);
    let report = check(&rig.live());
    for (role, codes) in codes(&report) {
        assert!(codes.is_empty(), "{role}: {codes:?}");
    }
    assert!(report.sending_unlocked, "{report:#?}");
    for server in &rig.servers {
        for (name, t) in QUESTIONS {
            assert_eq!(
                server.asked(name, t),
                1,
                "{t} {name} of {}: {:#?}",
                server.addr(),
                server.questions()
            );
        }
        // no serial asked while the copies agree
        assert_eq!(server.asked("acme.test", "SOA"), 0, "{:#?}", server.questions());
    }
    // the NS addresses come from the resolver, once each
    for ns in ["ns1.acme.test", "ns2.acme.test", "ns3.acme.test"] {
        assert_eq!(rig.resolver.asked(ns, "A"), 1, "{ns}: {:#?}", rig.resolver.questions());
    }
}

#[test]
fn a_stale_server_is_one_error_naming_it_its_address_both_serials_and_every_record() {
    let stale = Copy::Zone(zone_text(OLD, true), Mode::Normal);
    let rig = rig([current(), stale, current()]);
    let report = check(&rig.live());
    // one diagnosis, on the first affected record, naming both records
    let spf = record(&report, "spf_txt");
    let differs: Vec<_> = spf.diagnoses.iter().filter(|d| d.code == "dns.server-differs").collect();
    assert_eq!(differs.len(), 1, "{spf:#?}");
    let d = differs[0];
    assert_eq!(
        d.message,
        format!(
            "the zone's name servers disagree: the copy on ns2.acme.test (127.0.0.12) (zone serial {OLD}) \
             is not the one on ns1.acme.test (127.0.0.11), ns3.acme.test (127.0.0.13) (zone serial {NEW})"
        )
    );
    let named: Vec<(String, String)> =
        d.records.iter().map(|r| (r.role.to_string(), r.name.clone())).collect();
    assert_eq!(
        named,
        [
            ("spf_txt".to_owned(), "send.mail.acme.test".to_owned()),
            ("dkim".to_owned(), "sf1._domainkey.mail.acme.test".to_owned())
        ]
    );
    assert!(d.help.contains("holds \"v=spf1 ~all\""), "{}", d.help);
    assert!(d.help.contains("holds no record, the copy on ns1.acme.test"), "{}", d.help);
    assert!(d.help.contains("RFC 1996"), "{}", d.help);
    assert!(d.help.contains("your DNS provider"), "no provider known: {}", d.help);
    // not repeated on the DKIM record, whose badge still says what SES may see
    let dkim = record(&report, "dkim");
    assert!(dkim.diagnoses.iter().all(|d| d.code != "dns.server-differs"), "{dkim:#?}");
    assert_eq!(dkim.state.to_string(), "Failed");
    assert_eq!(spf.state.to_string(), "Failed");
    assert!(!report.sending_unlocked);
    // the unchanged records say nothing; every server was asked the serial once
    assert!(record(&report, "spf_mx").diagnoses.is_empty(), "{report:#?}");
    assert!(record(&report, "dmarc").diagnoses.is_empty(), "{report:#?}");
    for server in &rig.servers {
        assert_eq!(server.asked("acme.test", "SOA"), 1, "{:#?}", server.questions());
    }
}

#[test]
fn a_server_with_another_value_at_the_same_serial_is_named_without_serials() {
    let other = Copy::Zone(zone_text(NEW, false).replace("p=quarantine", "p=none"), Mode::Normal);
    let rig = rig([current(), current(), other]);
    let report = check(&rig.live());
    let dmarc = record(&report, "dmarc");
    let d = dmarc.diagnoses.iter().find(|d| d.code == "dns.server-differs").expect("differs");
    assert_eq!(
        d.message,
        "the zone's name servers disagree: the copy on ns3.acme.test (127.0.0.13) is not the one on \
         ns1.acme.test (127.0.0.11), ns2.acme.test (127.0.0.12)"
    );
    assert!(d.help.contains("not told apart by their serials"), "{}", d.help);
    assert!(d.help.contains("p=none"), "{}", d.help);
    assert_eq!(d.records.len(), 0, "one record: {d:#?}");
}

#[test]
fn a_silent_server_is_one_warning_for_every_record() {
    let silent = Copy::Zone(zone_text(NEW, false), Mode::Silent);
    let rig = rig([current(), current(), silent]);
    let report = check(&rig.live());
    let mx = record(&report, "spf_mx");
    let d = mx.diagnoses.iter().find(|d| d.code == "dns.server-unreachable").expect("unreachable");
    assert_eq!(d.severity.to_string(), "warning");
    assert_eq!(
        d.message,
        "no answer from ns3.acme.test (127.0.0.13), listed in the NS records of acme.test; \
         ns1.acme.test (127.0.0.11), ns2.acme.test (127.0.0.12) answered"
    );
    assert_eq!(d.records.len(), 4, "{d:#?}");
    // a warning: every badge stands as the records are right
    assert!(report.sending_unlocked, "{report:#?}");
}

#[test]
fn a_refusing_server_and_a_referral_are_lame() {
    for (copy, how) in [
        (Copy::Zone(zone_text(NEW, false), Mode::Refused), "answers REFUSED"),
        (Copy::Zone(zone_text(NEW, false), Mode::ServFail), "answers SERVFAIL"),
        (Copy::Parent, "answers with a referral to ns1.acme.test, ns2.acme.test instead of the records"),
    ] {
        let rig = rig([current(), copy, current()]);
        let report = check(&rig.live());
        let mx = record(&report, "spf_mx");
        let d = mx.diagnoses.iter().find(|d| d.code == "dns.lame-server").expect("lame");
        assert_eq!(
            d.message,
            format!(
                "ns2.acme.test (127.0.0.12) {how}: listed in the NS records of acme.test, but not serving \
                 the zone; ns1.acme.test (127.0.0.11), ns3.acme.test (127.0.0.13) answered for it"
            )
        );
        assert_eq!(d.records.len(), 4, "{d:#?}");
        assert!(report.sending_unlocked, "{report:#?}");
    }
}

/// No server of the zone answers (sendlint's own network may be what
/// fails): nothing is claimed about them.
#[test]
fn no_server_answering_says_nothing() {
    let silent = || Copy::Zone(zone_text(NEW, false), Mode::Silent);
    let rig = rig([silent(), silent(), silent()]);
    let report = check(&rig.live());
    for (role, codes) in codes(&report) {
        assert!(codes.is_empty(), "{role}: {codes:?}");
    }
}

/// The resolver asked is ns1 itself: its answers stand for ns1 (not asked
/// again), and ns2's missing records are still found.
#[test]
fn the_resolver_being_one_of_the_servers_is_compared_without_asking_it_again() {
    let stale = Copy::Zone(zone_text(OLD, true), Mode::Normal);
    let rig = rig([current(), stale, current()]);
    let ns1 = rig.servers[0].addr();
    let options = LiveOptions {
        timeout: Duration::from_millis(300),
        attempts: 1,
        authoritative_port: rig.port,
        ..LiveOptions::default()
    };
    let live = LiveSource::new(&[ns1], options).expect("source");
    let report = check(&live);
    let spf = record(&report, "spf_txt");
    let d = spf.diagnoses.iter().find(|d| d.code == "dns.server-differs").expect("differs");
    assert!(d.message.contains("the copy on ns2.acme.test (127.0.0.12) (zone serial"), "{}", d.message);
    for (name, t) in QUESTIONS {
        assert_eq!(rig.servers[0].asked(name, t), 1, "{t} {name}: {:#?}", rig.servers[0].questions());
    }
    // the record served by ns1 and ns3 is judged, no propagation note
    assert!(spf.diagnoses.iter().all(|d| d.code != "dns.stale-cache"), "{spf:#?}");
}
