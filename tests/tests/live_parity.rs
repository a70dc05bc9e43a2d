//! Live DNS is as exact as the zone files: every fixture under `fixtures/core`,
//! served by an in-process hickory-server on 127.0.0.1, gives the same codes,
//! badges and observed bytes live as offline; a recording of the live run
//! replays to byte-identical JSON; and a record published on the zone's own
//! servers but not yet visible through the resolver is `dns.propagating`.

use std::net::{IpAddr, Ipv4Addr};

use sendlint::{CheckOptions, DomainReport};
use sendlint_dns::{LiveOptions, LiveSource, Lookup, RecordingLookup, ReplayLookup, ZoneSource};
use sendlint_rules::RuleSet;
use sendlint_testdns::{Mode, TestServer};
use sendlint_tests::{Fixture, fixture_files, fixture_now, fixtures_dir};

fn rules() -> RuleSet {
    RuleSet::builtin()
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

fn options(fixture: &Fixture) -> CheckOptions {
    CheckOptions { now: fixture_now(), provider: fixture.setup.provider.clone(), ..CheckOptions::default() }
}

/// What must not differ between sources: per record the badge, the codes and
/// the observed text; the zone, the provider and the verdict. (Messages of
/// `dns.lookup-failed` name the source, so they may differ.)
fn essence(report: &DomainReport) -> String {
    let mut out = format!(
        "zone={:?} dns_host={:?} unlocked={}\n",
        report.zone, report.provider, report.sending_unlocked
    );
    for r in &report.records {
        let mut codes: Vec<&str> = r.diagnoses.iter().map(|d| d.code.as_str()).collect();
        codes.sort_unstable();
        out.push_str(&format!(
            "{} {} found_at={:?} codes={codes:?} observed={:?}\n",
            r.role, r.state, r.found_at, r.observed
        ));
    }
    let mut codes: Vec<&str> = report.diagnoses.iter().map(|d| d.code.as_str()).collect();
    codes.sort_unstable();
    out.push_str(&format!("domain codes={codes:?}\n"));
    out
}

fn check(fixture: &Fixture, lookup: &dyn Lookup, rules: &RuleSet) -> DomainReport {
    let setup = fixture.setup().expect("the fixture's setup");
    rt().block_on(sendlint::check(&setup, lookup, rules, &options(fixture)))
}

#[test]
fn every_core_fixture_gives_the_same_result_live_as_offline() {
    let rules = rules();
    let paths = fixture_files(&fixtures_dir().join("core"));
    assert!(paths.len() > 40, "fixtures not found under {}", fixtures_dir().display());
    let mut failures = Vec::new();
    for path in &paths {
        let name = path.strip_prefix(fixtures_dir()).unwrap_or(path).display().to_string();
        let fixture = Fixture::load(path).expect("fixture loads");
        if fixture.trust_anchor_file.is_some() || fixture.zone.iter().any(|z| z.file.is_some()) {
            // signed zones (fixtures/core/dnssec): the in-process server serves
            // no DNSSEC records; named serves them live in
            // crates/sendlint-cli/tests/dnssec_bind.rs
            continue;
        }
        let offline = fixture.run(&name, &rules).expect("offline run");
        let zones = fixture.zones(&name).expect("zones load");
        let server = TestServer::start(&zones, Mode::Normal).expect("test server starts");
        let live = LiveSource::new(&[server.addr()], LiveOptions::default()).expect("live source");
        let recording = RecordingLookup::new(&live);
        let live_report = check(&fixture, &recording, &rules);
        if essence(&live_report) != essence(&offline) {
            failures.push(format!(
                "{name}\n--- offline\n{}--- live\n{}",
                essence(&offline),
                essence(&live_report)
            ));
            continue;
        }
        // the recording replays to the very same report, byte for byte
        let replay = ReplayLookup::from_json(&name, &recording.to_json()).expect("the recording reads back");
        let replayed = check(&fixture, &replay, &rules);
        let (a, b) = (
            serde_json::to_string(&live_report).expect("json"),
            serde_json::to_string(&replayed).expect("json"),
        );
        if a != b {
            failures.push(format!("{name}: replay differs\n--- live\n{a}\n--- replay\n{b}"));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
}

const OLD_ZONE: &str = r#"$ORIGIN acme.test.
$TTL 300
@            SOA  ns1.acme.test. hostmaster.acme.test. 2026112401 3600 600 604800 120
@            NS   ns1.acme.test.
ns1          A    127.0.0.2
send.mail    MX   10 feedback-smtp.us-east-1.amazonses.com.
send.mail    TXT  "v=spf1 include:amazonses.com ~all"
_dmarc.mail  TXT  "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.test"
"#;

#[test]
fn a_record_on_the_zones_servers_but_not_yet_in_caches_is_propagating() {
    let key = std::fs::read_to_string(fixtures_dir().join("keys/sf1-2048.b64")).expect("key");
    let key = key.trim();
    let strings: Vec<String> = format!("p={key}")
        .as_bytes()
        .chunks(255)
        .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
        .collect();
    let new_zone = format!("{OLD_ZONE}sf1._domainkey.mail 600 TXT ( {} )\n", strings.join(" "));
    let zone = |text: &str| ZoneSource::from_text("acme.test.zone", text, None).expect("zone");
    let auth = TestServer::start_on(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), &zone(&new_zone), Mode::Normal)
        .expect("authoritative server");
    let resolver = TestServer::start(&zone(OLD_ZONE), Mode::Normal).expect("stale server");
    let options = LiveOptions { authoritative_port: auth.addr().port(), ..LiveOptions::default() };
    let live = LiveSource::new(&[resolver.addr()], options).expect("source");
    let mut fixture: Fixture = toml::from_str(&format!(
        "description = \"propagating\"\nexpect = []\n[setup]\ndomain = \"mail.acme.test\"\nregion = \"us-east-1\"\nselector = \"sf1\"\npublic_key_file = \"keys/sf1-2048.b64\"\n[[zone]]\ntext = '''\n{OLD_ZONE}'''\n"
    ))
    .expect("fixture text");
    fixture.base = fixtures_dir();
    let rules = rules();
    let report = check(&fixture, &live, &rules);
    let dkim = report.records.iter().find(|r| r.role.as_str() == "dkim").expect("dkim record");
    let codes: Vec<&str> = dkim.diagnoses.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["dns.propagating"], "{dkim:#?}");
    assert_eq!(dkim.state.to_string(), "Pending");
    let help = &dkim.diagnoses[0].help;
    assert!(help.contains("up to 120 seconds") && help.contains("TTL of 600 seconds"), "{help}");
    assert!(dkim.diagnoses[0].message.contains("ns1.acme.test"), "{}", dkim.diagnoses[0].message);
    // the same zone offline (authoritative already) is simply missing there
    let offline = check(&fixture, &zone(OLD_ZONE), &rules);
    let dkim = offline.records.iter().find(|r| r.role.as_str() == "dkim").expect("dkim record");
    let codes: Vec<&str> = dkim.diagnoses.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["dkim.missing"]);
}

/// The resolver still serves the previous SPF value while the zone's own server
/// publishes the new one: the published value is judged, and an info note says
/// how long caches may lag.
#[test]
fn a_changed_record_still_cached_is_judged_as_published() {
    let with_dkim = |spf: &str| {
        let key = std::fs::read_to_string(fixtures_dir().join("keys/sf1-2048.b64")).expect("key");
        let strings: Vec<String> = format!("p={}", key.trim())
            .as_bytes()
            .chunks(255)
            .map(|c| format!("\"{}\"", String::from_utf8_lossy(c)))
            .collect();
        let old = OLD_ZONE.replace(
            "send.mail    TXT  \"v=spf1 include:amazonses.com ~all\"",
            &format!("send.mail 900 TXT \"{spf}\""),
        );
        format!("{old}sf1._domainkey.mail TXT ( {} )\n", strings.join(" "))
    };
    let zone = |text: &str| ZoneSource::from_text("acme.test.zone", text, None).expect("zone");
    let fixture_for = |text: &str| -> Fixture {
        let mut f: Fixture = toml::from_str(&format!(
            "description = \"stale\"\nexpect = []\n[setup]\ndomain = \"mail.acme.test\"\nregion = \"us-east-1\"\nselector = \"sf1\"\npublic_key_file = \"keys/sf1-2048.b64\"\n[[zone]]\ntext = '''\n{text}'''\n"
        ))
        .expect("fixture text");
        f.base = fixtures_dir();
        f
    };
    let old = with_dkim("v=spf1 include:_spf.google.com ~all");
    let rules = rules();
    for (published, want_codes, want_state) in [
        ("v=spf1 include:amazonses.com ~all", vec!["dns.stale-cache"], "Verified"),
        ("v=spf1 include:amazonses.com +all", vec!["spf.pass-all", "dns.stale-cache"], "Failed"),
    ] {
        let new = with_dkim(published);
        let auth = TestServer::start_on(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), &zone(&new), Mode::Normal)
            .expect("authoritative server");
        let resolver = TestServer::start(&zone(&old), Mode::Normal).expect("stale server");
        let options = LiveOptions { authoritative_port: auth.addr().port(), ..LiveOptions::default() };
        let live = LiveSource::new(&[resolver.addr()], options).expect("source");
        let report = check(&fixture_for(&old), &live, &rules);
        let spf = report.records.iter().find(|r| r.role.as_str() == "spf_txt").expect("spf record");
        let mut codes: Vec<&str> = spf.diagnoses.iter().map(|d| d.code.as_str()).collect();
        codes.sort_unstable();
        let mut want_codes = want_codes;
        want_codes.sort_unstable();
        assert_eq!(codes, want_codes, "{spf:#?}");
        assert_eq!(spf.state.to_string(), want_state);
        assert_eq!(spf.observed, [published], "the published value is what is shown and judged");
        let note = spf.diagnoses.iter().find(|d| d.code == "dns.stale-cache").expect("note");
        assert!(note.help.contains("TTL of 900 seconds"), "{}", note.help);
        // Offline, the same old zone is simply wrong: no note.
        let offline = check(&fixture_for(&old), &zone(&old), &rules);
        let spf = offline.records.iter().find(|r| r.role.as_str() == "spf_txt").expect("spf record");
        let codes: Vec<&str> = spf.diagnoses.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["spf.missing-include"]);
    }
}
