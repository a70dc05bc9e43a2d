//! `sendlint records --registrar ID`: the four blocks as each provider's form
//! wants them, one snapshot per provider (the form is data in
//! `rules/providers/<id>.toml`, `[provider.records]`).

use std::process::Output;

mod common;
use common::sendlint;

fn records(extra: &[&str]) -> Output {
    let mut args = vec![
        "records",
        "mail.acme.com",
        "--selector",
        "sf1",
        "--public-key-file",
        "fixtures/keys/sf1-2048.b64",
    ];
    args.extend_from_slice(extra);
    sendlint(&args)
}

fn text(o: &Output) -> String {
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn records_for_every_provider() {
    for id in ["cloudflare", "godaddy", "google", "namecheap", "porkbun", "route53", "wix"] {
        let out = text(&records(&["--registrar", id]));
        insta::assert_snapshot!(format!("records_{id}"), out);
    }
}

#[test]
fn relative_hosts_follow_the_apex() {
    let guessed = text(&records(&["--registrar", "namecheap"]));
    assert!(guessed.contains("Host:     send.mail\n"), "{guessed}");
    assert!(guessed.contains("Host:     sf1._domainkey.mail\n"), "{guessed}");
    let out = text(&records(&["--registrar", "namecheap", "--apex", "mail.acme.com"]));
    assert!(out.contains("Host:     send\n"), "{out}");
    assert!(out.contains("Host:     _dmarc\n"), "{out}");
    assert!(out.contains("relative to the zone mail.acme.com (from --apex)"), "{out}");
    let bad = records(&["--registrar", "namecheap", "--apex", "other.com"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("does not contain the domain"));
}

#[test]
fn route53_quotes_and_splits_txt_on_one_line_and_keeps_the_priority_in_the_value() {
    let out = text(&records(&["--registrar", "route53"]));
    assert!(out.contains("Value:       10 feedback-smtp.us-east-1.amazonses.com\n"), "{out}");
    assert!(out.contains("Value:       \"v=spf1 include:amazonses.com ~all\"\n"), "{out}");
    let dkim = out.lines().find(|l| l.contains("\"p=MIIB")).expect("a DKIM value line");
    assert_eq!(dkim.matches("\" \"").count(), 1, "two strings on one line: {dkim}");
}

#[test]
fn json_carries_the_form_fields() {
    let out = text(&records(&["--registrar", "godaddy", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).expect("JSON");
    let mx = &v[0];
    assert_eq!(mx["registrar"], "godaddy");
    assert_eq!(mx["host"], "send.mail");
    assert_eq!(mx["form_value"], "feedback-smtp.us-east-1.amazonses.com");
    assert_eq!(mx["priority"], 10);
    assert_eq!(v[2]["host"], "sf1._domainkey.mail");
}

#[test]
fn unknown_registrar_is_bad_input() {
    let out = records(&["--registrar", "cloudflair"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown DNS provider") && err.contains("cloudflare"), "{err}");
}
