//! Issue 21, parts 3 and 4, end to end through the binary over real parts:
//! DMARC report destinations (RFC 7489 §7.1) asked of a DNS server on
//! 127.0.0.1 (`sendlint-testdns`), and SES's last look (`VerificationInfo`)
//! from the real aws-sdk-sesv2 client against `sendlint-testses`, reconciled
//! with the zone's SOA as that DNS server answers it.

use std::process::Output;

use sendlint_dns::{RecordType, ZoneSource};
use sendlint_records::DomainName;
use sendlint_testdns::{Mode, TestServer};
use sendlint_testses::{Reply, TestSes, identity_body, identity_body_with_soa};
use serde_json::Value;

mod common;
use common::{KEY, acme_zone, dkim_ok};

const MX_OK: &str = "10 feedback-smtp.us-east-1.amazonses.com.";

fn sendlint(args: &[&str]) -> Output {
    common::sendlint_fake_aws().args(args).output().expect("run sendlint")
}

/// `check mail.acme.test` against the DNS server at `server`, JSON out.
fn check(server: &TestServer, extra: &[&str]) -> (Option<i32>, Value) {
    let ns = server.addr().to_string();
    let mut args =
        vec!["check", "mail.acme.test", "--selector", "sf1", "--public-key", KEY, "--nameserver", &ns];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--format", "json"]);
    let out = sendlint(&args);
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), report)
}

/// The diagnoses of the record of `role`, or of the domain with `"domain"`.
fn diagnoses<'a>(report: &'a Value, role: &str) -> Vec<&'a Value> {
    let list = if role == "domain" {
        &report["diagnoses"]
    } else {
        let records = report["records"].as_array().expect("records");
        &records.iter().find(|r| r["role"] == role).expect("the record")["diagnoses"]
    };
    list.as_array().expect("diagnoses").iter().collect()
}

fn codes(report: &Value, role: &str) -> Vec<String> {
    diagnoses(report, role).iter().filter_map(|d| d["code"].as_str().map(str::to_owned)).collect()
}

fn find<'a>(report: &'a Value, role: &str, code: &str) -> &'a Value {
    diagnoses(report, role)
        .into_iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} on {role}: {report:#}"))
}

fn zone(text_serial: u32, dmarc: &str) -> String {
    acme_zone(MX_OK, &dkim_ok(), dmarc).replace(" 2026112401 ", &format!(" {text_serial} "))
}

fn other_zone(origin: &str, body: &str) -> String {
    format!(
        "$ORIGIN {origin}.\n$TTL 300\n@ SOA ns1.{origin}. hostmaster.{origin}. 7 3600 600 604800 300\n\
         @ NS ns1.{origin}.\n{body}"
    )
}

fn name(s: &str) -> DomainName {
    DomainName::parse(s).expect("name")
}

#[test]
fn report_destinations_are_asked_of_live_dns_once_each_and_only_at_other_organizations() {
    let dmarc = "v=DMARC1; p=quarantine; rua=mailto:a@acme.test,mailto:b@reports.acme.test,\
                 mailto:dmarc@vendor.test,mailto:again@vendor.test; \
                 ruf=mailto:f@other.test,mailto:w@wild.test,mailto:x@broken.test";
    let texts = [
        zone(2026112401, dmarc),
        other_zone("vendor.test", "mail.acme.test._report._dmarc TXT \"v=DMARC1\"\n"),
        other_zone("other.test", "www A 192.0.2.1\n"),
        other_zone("wild.test", "*._report._dmarc TXT \"v=DMARC1\"\n"),
        other_zone("broken.test", "mail.acme.test._report._dmarc TXT \"v=DMARC1\"\n"),
    ];
    let mut zones = ZoneSource::new();
    for (i, text) in texts.iter().enumerate() {
        zones.add(ZoneSource::from_text(&format!("zone{i}"), text, None).expect("zone"));
    }
    // the one at broken.test answers SERVFAIL: not checked, never "missing"
    let failing = [(name("mail.acme.test._report._dmarc.broken.test"), Some(RecordType::Txt))];
    let server = TestServer::start_failing(&zones, &failing).expect("dns server");

    let (status, report) = check(&server, &[]);
    assert_eq!(status, Some(0), "warnings and notes do not lock sending: {report:#}");
    let mut got = codes(&report, "dmarc");
    got.sort();
    assert_eq!(got, ["dmarc.report-destination-unauthorized", "dmarc.report-destination-unchecked"]);

    let missing = find(&report, "dmarc", "dmarc.report-destination-unauthorized");
    let message = missing["message"].as_str().expect("message");
    assert!(message.contains("other.test does not accept DMARC reports about mail.acme.test"), "{message}");
    assert!(message.contains("ruf=mailto:f@other.test"), "{message}");
    let help = missing["help"].as_str().expect("help");
    assert!(
        help.contains("name `mail.acme.test._report._dmarc.other.test`, type TXT, value `v=DMARC1`"),
        "the exact record to publish: {help}"
    );
    for authorized in ["vendor.test", "wild.test", "broken.test"] {
        assert!(!message.contains(authorized), "{authorized} is not missing: {message}");
    }
    let unchecked = find(&report, "dmarc", "dmarc.report-destination-unchecked");
    let text = unchecked["message"].as_str().expect("message");
    assert!(text.contains("ruf=mailto:x@broken.test") && text.contains("SERVFAIL"), "{text}");
    assert!(text.contains(&server.addr().to_string()), "names the server: {text}");

    // one question per distinct destination host at another organization,
    // none for the domain's own organization (acme.test)
    for host in ["vendor.test", "other.test", "wild.test"] {
        assert_eq!(server.asked(&format!("mail.acme.test._report._dmarc.{host}"), "TXT"), 1, "{host}");
    }
    assert!(server.asked("mail.acme.test._report._dmarc.broken.test", "TXT") >= 1);
    let own: Vec<_> = server
        .questions()
        .into_iter()
        .filter(|(n, _)| n.contains("._report._dmarc.") && n.ends_with("acme.test."))
        .collect();
    assert!(own.is_empty(), "same organization, no question: {own:?}");
}

/// Runs `check --ses` against a DNS server for the zone at `serial` and an SES
/// endpoint answering `body`.
fn check_with_ses(server: &TestServer, body: String) -> (Option<i32>, Value) {
    let ses = TestSes::start(vec![Reply::identity(body)]).expect("ses endpoint");
    let endpoint = ses.endpoint();
    let out = check(server, &["--ses", "--ses-endpoint", &endpoint]);
    assert_eq!(ses.requests().len(), 1, "one GetEmailIdentity");
    out
}

const LAST_LOOK: [&str; 3] = ["ses.checked-before-change", "ses.saw-newer-serial", "ses.saw-other-dns-host"];

fn last_look_codes(report: &Value) -> Vec<String> {
    codes(report, "domain").into_iter().filter(|c| LAST_LOOK.contains(&c.as_str())).collect()
}

#[test]
fn a_live_get_email_identity_is_reconciled_with_the_live_soa() {
    let server = TestServer::from_text(&[&zone(2026112502, "v=DMARC1; p=quarantine")], Mode::Normal)
        .expect("dns server");
    let pending = ("PENDING", "PENDING");

    // SES looked at 2026112401; the zone is at 2026112502 now
    let (status, report) = check_with_ses(
        &server,
        identity_body_with_soa("mail.acme.test", "sf1", pending, "ns1.dns.test", 2026112401),
    );
    assert_eq!(status, Some(1), "PENDING is not unlocked: {report:#}");
    assert_eq!(last_look_codes(&report), ["ses.checked-before-change"]);
    let d = find(&report, "domain", "ses.checked-before-change");
    assert_eq!(d["severity"], "info");
    assert_eq!(
        d["message"],
        "SES last looked at serial 2026112401 at 2026-11-25T23:40:00Z (from ns1.dns.test); the zone acme.test is \
         at serial 2026112502 now (primary ns1.dns.test): your change came after SES's last check"
    );
    assert!(d["help"].as_str().expect("help").contains("while a status is PENDING"), "{d:#}");

    // SES saw another primary: one diagnosis with both servers and both serials
    let (_, report) = check_with_ses(
        &server,
        identity_body_with_soa("mail.acme.test", "sf1", pending, "NS1.Old-Host.test.", 2026112401),
    );
    assert_eq!(last_look_codes(&report), ["ses.saw-other-dns-host"]);
    let d = find(&report, "domain", "ses.saw-other-dns-host");
    assert_eq!(d["severity"], "warning");
    let message = d["message"].as_str().expect("message");
    for part in ["ns1.old-host.test", "serial 2026112401", "ns1.dns.test", "serial 2026112502"] {
        assert!(message.contains(part), "{part}: {message}");
    }

    // SES saw a newer serial than the zone serves
    let (_, report) = check_with_ses(
        &server,
        identity_body_with_soa("mail.acme.test", "sf1", pending, "ns1.dns.test", 2026112503),
    );
    assert_eq!(last_look_codes(&report), ["ses.saw-newer-serial"]);

    // the same serial: SES saw the zone as it is, nothing to say
    let (_, report) = check_with_ses(
        &server,
        identity_body_with_soa("mail.acme.test", "sf1", pending, "ns1.dns.test", 2026112502),
    );
    assert!(last_look_codes(&report).is_empty(), "{report:#}");
}

#[test]
fn the_last_look_claims_nothing_when_context_is_missing() {
    // no VerificationInfo in SES's answer
    let server = TestServer::from_text(&[&zone(2026112502, "v=DMARC1; p=quarantine")], Mode::Normal)
        .expect("dns server");
    let body = identity_body("mail.acme.test", "sf1", "PENDING", "PENDING");
    let cut = body.find(",\n\"VerificationInfo\"").expect("the body has VerificationInfo");
    let (_, report) = check_with_ses(&server, format!("{}}}", &body[..cut]));
    assert_eq!(report["ses_consulted"], true);
    assert!(last_look_codes(&report).is_empty(), "{report:#}");

    // the zone's SOA unknown: every lookup fails
    let failing = TestServer::from_text(&[&zone(2026112502, "v=DMARC1; p=quarantine")], Mode::ServFail)
        .expect("dns server");
    let (status, report) = check_with_ses(
        &failing,
        identity_body_with_soa("mail.acme.test", "sf1", ("PENDING", "PENDING"), "ns1.old-host.test", 1),
    );
    assert_eq!(status, Some(1));
    assert!(last_look_codes(&report).is_empty(), "no zone SOA, no comparison: {report:#}");
    assert!(codes(&report, "dkim").contains(&"dns.lookup-failed".to_owned()), "{report:#}");
}
