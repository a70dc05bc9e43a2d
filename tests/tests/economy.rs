//! Ask only what a diagnosis needs (issue #13): every question a check sends
//! is counted by the in-process server that receives it.
//!
//! - A server that is itself one of the zone's name servers is not asked the
//!   per-server (and propagation) questions again; a separate resolver's
//!   zone servers are asked each record once.
//! - Nothing is probed under a name that does not exist (RFC 8020), except
//!   the sibling `10 <label>` that can.
//! - A CNAME is asked for only after a failed lookup; negative answers keep
//!   the chain they went through.
//! - A zone whose SOA question is refused costs that one question.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr};

use sendlint::{CheckOptions, DomainReport, RecordReport};
use sendlint_dns::{LiveOptions, LiveSource, Lookup, RecordType, ZoneSource};
use sendlint_records::name::DomainName;
use sendlint_rules::RuleSet;
use sendlint_testdns::{Mode, TestServer};
use sendlint_tests::{Fixture, fixture_now, fixtures_dir};

const HEAD: &str = r#"$ORIGIN acme.test.
$TTL 300
@            SOA  ns1.acme.test. hostmaster.acme.test. 2026112401 3600 600 604800 120
@            NS   ns1.acme.test.
"#;

fn zone(text: &str) -> ZoneSource {
    ZoneSource::from_text("acme.test.zone", text, None).expect("zone")
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

fn check(lookup: &dyn Lookup) -> DomainReport {
    let mut fixture: Fixture = toml::from_str(
        "description = \"economy\"\nexpect = []\n[setup]\ndomain = \"mail.acme.test\"\nregion = \"us-east-1\"\nselector = \"sf1\"\npublic_key_file = \"keys/sf1-2048.b64\"\n[[zone]]\ntext = '$ORIGIN acme.test.'\n",
    )
    .expect("fixture text");
    fixture.base = fixtures_dir();
    let setup = fixture.setup().expect("the setup");
    let rules = RuleSet::builtin();
    let opts = CheckOptions { now: fixture_now(), ..CheckOptions::default() };
    rt().block_on(sendlint::check(&setup, lookup, &rules, &opts))
}

fn record<'a>(report: &'a DomainReport, role: &str) -> &'a RecordReport {
    report.records.iter().find(|r| r.role.as_str() == role).expect("the record")
}

fn codes(r: &RecordReport) -> Vec<&str> {
    let mut c: Vec<&str> = r.diagnoses.iter().map(|d| d.code.as_str()).collect();
    c.sort_unstable();
    c
}

/// The questions asked more than once.
fn repeated(server: &TestServer) -> Vec<(String, String)> {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for q in server.questions() {
        *seen.entry(q).or_default() += 1;
    }
    let mut out: Vec<_> = seen.into_iter().filter(|(_, n)| *n > 1).map(|(q, _)| q).collect();
    out.sort();
    out
}

fn quick(port: u16) -> LiveOptions {
    LiveOptions { authoritative_port: port, ..LiveOptions::default() }
}

/// SPF wrong (found, judged wrong), DKIM absent: both would be re-asked of
/// the zone's own servers. `ns1` is `ns_ip`.
fn zone_text(ns_ip: &str) -> String {
    format!(
        "{HEAD}ns1 A {ns_ip}\nsend.mail MX 10 feedback-smtp.us-east-1.amazonses.com.\n\
         send.mail TXT \"v=spf1 include:_spf.google.com ~all\"\n\
         _dmarc.mail TXT \"v=DMARC1; p=none; rua=mailto:dmarc@acme.test\"\n"
    )
}

#[test]
fn a_server_that_is_one_of_the_zones_own_is_not_asked_again() {
    let server = TestServer::start(&zone(&zone_text("127.0.0.1")), Mode::Normal).expect("server");
    let live = LiveSource::new(&[server.addr()], quick(server.addr().port())).expect("source");
    let report = check(&live);
    assert_eq!(repeated(&server), Vec::<(String, String)>::new(), "{:#?}", server.questions());
    // the NS addresses were looked up to tell, once
    assert_eq!(server.asked("ns1.acme.test", "A"), 1);
    // judged as offline: missing and wrong, no propagation notes
    assert_eq!(codes(record(&report, "dkim")), ["dkim.missing"]);
    let offline = check(&zone(&zone_text("127.0.0.1")));
    assert_eq!(
        serde_json::to_string(&report).expect("json"),
        serde_json::to_string(&offline).expect("json").replace("zone files", &server.addr().to_string()),
    );
}

#[test]
fn a_separate_resolver_is_still_checked_against_the_zones_own_servers() {
    let auth = TestServer::start_on(
        IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
        &zone(&zone_text("127.0.0.2")),
        Mode::Normal,
    )
    .expect("authoritative server");
    let resolver = TestServer::start(&zone(&zone_text("127.0.0.2")), Mode::Normal).expect("resolver");
    let live = LiveSource::new(&[resolver.addr()], quick(auth.addr().port())).expect("source");
    let report = check(&live);
    // each of the four records is asked of the zone's server once (every
    // server is compared: crate sendlint's servers.rs), and the propagation
    // notes of the absent DKIM record and the wrong SPF record use those
    // same answers: nothing is asked twice
    for (name, t) in [
        ("sf1._domainkey.mail.acme.test", "TXT"),
        ("send.mail.acme.test", "TXT"),
        ("send.mail.acme.test", "MX"),
        ("_dmarc.mail.acme.test", "TXT"),
    ] {
        assert_eq!(auth.asked(name, t), 1, "{t} {name}: {:#?}", auth.questions());
    }
    assert_eq!(repeated(&auth), Vec::<(String, String)>::new(), "{:#?}", auth.questions());
    assert_eq!(codes(record(&report, "dkim")), ["dkim.missing"]);
}

#[test]
fn nothing_is_probed_under_a_name_that_does_not_exist() {
    // no send.mail at all: MX and SPF are NXDOMAIN; so is the DKIM name
    let text = format!("{HEAD}_dmarc.mail TXT \"v=DMARC1; p=none; rua=mailto:dmarc@acme.test\"\n");
    let server = TestServer::start(&zone(&text), Mode::Normal).expect("server");
    let live = LiveSource::new(&[server.addr()], quick(server.addr().port())).expect("source");
    let report = check(&live);
    let questions = server.questions();
    for under in ["send.mail.acme.test.", "sf1._domainkey.mail.acme.test."] {
        let below: Vec<_> = questions
            .iter()
            .filter(|(n, _)| n.len() > under.len() && n.ends_with(&format!(".{under}")))
            .collect();
        assert!(below.is_empty(), "asked under {under}: {below:?}");
        for t in ["A", "AAAA", "CNAME"] {
            assert_eq!(server.asked(under, t), 0, "{t} {under}: {questions:#?}");
        }
    }
    // what can exist is still probed, for MX and TXT: the sibling label
    // `10 send`, and `<name>.<zone>` (under the zone, not under the name)
    for probe in ["10\\040send.mail.acme.test", "send.mail.acme.test.acme.test"] {
        for t in ["MX", "TXT"] {
            assert_eq!(server.asked(probe, t), 1, "{t} {probe}: {questions:#?}");
        }
    }
    assert_eq!(codes(record(&report, "spf_mx")), ["mx.missing"]);
    assert_eq!(codes(record(&report, "dkim")), ["dkim.missing"]);
    // same report as offline
    let offline = check(&zone(&text));
    assert_eq!(
        serde_json::to_string(&report).expect("json"),
        serde_json::to_string(&offline).expect("json").replace("zone files", &server.addr().to_string()),
    );
}

#[test]
fn a_cname_is_asked_for_only_after_a_failed_lookup() {
    // a dangling DKIM alias: the negative answer carries the chain
    let text = format!("{}sf1._domainkey.mail CNAME sf1.gone.acme.test.\n", zone_text("127.0.0.1"));
    let server = TestServer::start(&zone(&text), Mode::Normal).expect("server");
    let live = LiveSource::new(&[server.addr()], quick(server.addr().port())).expect("source");
    let report = check(&live);
    assert_eq!(server.asked("sf1._domainkey.mail.acme.test", "CNAME"), 0, "{:#?}", server.questions());
    let dkim = record(&report, "dkim");
    assert!(dkim.diagnoses[0].message.contains("a CNAME to sf1.gone.acme.test"), "{dkim:#?}");
    let offline = check(&zone(&text));
    assert_eq!(codes(dkim), codes(record(&offline, "dkim")));
    assert_eq!(codes(dkim), ["dkim.cname-instead-of-txt"]);

    // the TXT lookup fails: the CNAME is asked, once, and reported
    let dkim_name = DomainName::parse("sf1._domainkey.mail.acme.test").expect("name");
    let failing =
        TestServer::start_failing(&zone(&text), &[(dkim_name, Some(RecordType::Txt))]).expect("server");
    let live = LiveSource::new(&[failing.addr()], quick(failing.addr().port())).expect("source");
    let report = check(&live);
    assert_eq!(failing.asked("sf1._domainkey.mail.acme.test", "CNAME"), 1, "{:#?}", failing.questions());
    assert_eq!(codes(record(&report, "dkim")), ["dkim.cname-instead-of-txt"]);
    // nobody else asks for a CNAME
    assert_eq!(failing.questions().iter().filter(|(_, t)| t == "CNAME").count(), 1);
}

#[test]
fn a_refused_zone_costs_one_question() {
    let server = TestServer::start(&zone(&zone_text("127.0.0.1")), Mode::Refused).expect("server");
    let live = LiveSource::new(&[server.addr()], quick(server.addr().port())).expect("source");
    let report = check(&live);
    assert_eq!(server.questions(), [("mail.acme.test.".to_owned(), "SOA".to_owned())]);
    // every record is a failed lookup, saying what was refused
    for r in &report.records {
        assert_eq!(r.state.to_string(), "Pending", "{r:#?}");
        assert_eq!(codes(r), ["dns.lookup-failed"], "{r:#?}");
        let want = format!(
            "could not look up {name}: REFUSED from {} for SOA mail.acme.test: the server refuses the zone, so {} {name} was not asked",
            server.addr(),
            r.rtype,
            name = r.name
        );
        assert_eq!(r.diagnoses[0].message, want, "{r:#?}");
    }
}
