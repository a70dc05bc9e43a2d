//! Papercuts a new user met (issue #9 §5), each against the real binary:
//! region typos, `explain` reading `dig` output, `records` forms.

use std::io::Write;
use std::process::{Command, Output, Stdio};

mod common;
use common::{root, sendlint, stderr, stdout};

const KEY: &str = "fixtures/keys/sf1-2048.b64";

#[test]
fn a_mistyped_region_is_bad_input_with_a_suggestion_on_every_command() {
    let zone = "fixtures/demo/zones";
    for args in [
        vec!["check", "mail.acme.com", "-s", "sf1", "--region", "us-est-1", "--zone", zone],
        vec!["records", "mail.acme.com", "-s", "sf1", "--region", "us-est-1"],
        vec![
            "explain",
            "--role",
            "spf_mx",
            "--region",
            "us-est-1",
            "--",
            "10 feedback-smtp.us-east-1.amazonses.com",
        ],
    ] {
        let out = sendlint(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stdout(&out));
        let err = stderr(&out);
        // miette wraps the message: compare its words, not its line breaks
        let flat = err.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
        assert!(flat.contains("us-est-1") && flat.contains("did you mean `us-east-1`?"), "{args:?}: {err}");
        assert!(!stdout(&out).contains("feedback-smtp.us-est-1"), "{args:?}");
    }
    // An availability zone keeps its own message.
    let out = sendlint(&["records", "mail.acme.com", "-s", "sf1", "--region", "us-east-1a"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("availability zone") && stderr(&out).contains("`us-east-1`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_manifest_entry_with_a_mistyped_region_is_reported_and_the_audit_goes_on() {
    let dir_tmp = tempdir();
    let dir = dir_tmp.path();
    let manifest = dir.join("m.json");
    std::fs::write(
        &manifest,
        r#"{"domains": [
  {"domain": "mail.acme.com", "region": "eu-wset-1", "dkim_selector": "sf1"},
  {"domain": "mail.acme.com", "region": "us-east-1", "dkim_selector": "sf1"}
]}"#,
    )
    .unwrap();
    let out =
        sendlint(&["audit", manifest.to_str().unwrap(), "--zone", "fixtures/demo/zones", "--format", "json"]);
    let text = stdout(&out);
    // JSON Lines come in completion order: put them back in manifest order
    let mut lines: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    lines.sort_by_key(|l| l["index"].as_u64());
    assert_eq!(lines.len(), 2, "both entries reported: {text}\n{}", stderr(&out));
    assert!(text.contains("did you mean `eu-west-1`?"), "{text}");
    assert!(!text.contains("feedback-smtp.eu-wset-1"), "{text}");
    assert!(lines[1].get("records").is_some(), "the second entry was checked: {}", lines[1]);
}

#[test]
fn explain_uses_the_owner_name_of_dig_output() {
    let out = sendlint(&[
        "explain",
        "--role",
        "spf_mx",
        "--format",
        "json",
        "--",
        "send.mail.acme.com. 300 IN MX 10 feedback-smtp.us-east-1.amazonses.com.acme.com.",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(v["name"], "send.mail.acme.com");
    let codes: Vec<&str> =
        v["diagnoses"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["mx.target-suffix-appended"]);
    let help = v["diagnoses"][0]["help"].as_str().unwrap();
    assert!(help.contains("`.acme.com`"), "{help}");

    let out =
        sendlint(&["explain", "--role", "spf_txt", "--", "send.mail.acme.com. 300 IN TXT \"v=spf1 ~all\""]);
    let text = stdout(&out);
    assert!(text.contains("send.mail.acme.com"), "{text}");
    assert!(!text.contains("this name"), "{text}");
}

#[test]
fn explain_reads_standard_input_from_a_bare_dash() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args(["explain", "--role", "spf_txt", "-"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"\"v=spf1 include:amazonses.com ~all\"\n").unwrap();
    let out: Output = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("no problems found"), "{}", stdout(&out));
}

#[test]
fn explain_refuses_an_unquoted_string_no_dns_answer_can_hold() {
    let key = std::fs::read_to_string(root().join(KEY)).unwrap();
    let line = format!("sf1._domainkey.mail.acme.com. 300 IN TXT p={}", key.trim());
    let out = sendlint(&["explain", "--role", "dkim", "--", &line]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("cannot be a DNS answer") && err.contains("at most 255 bytes"), "{err}");
    // The same value pasted alone is what a form takes: explained, not refused.
    let out = sendlint(&["explain", "--role", "dkim", "--", &format!("p={}", key.trim())]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn explain_without_a_region_never_prints_an_empty_value() {
    for id in ["cloudflare", "godaddy", "google", "namecheap", "porkbun", "route53", "wix"] {
        let out = sendlint(&[
            "explain",
            "--role",
            "spf_mx",
            "--registrar",
            id,
            "--",
            "10 10\\ feedback-smtp.us-east-1.amazonses.com.",
        ]);
        let text = stdout(&out);
        assert!(text.contains("mx.priority-in-value"), "{id}: {text}");
        assert!(!text.contains("``"), "{id}: {text}");
        assert!(text.contains("`10 feedback-smtp.us-east-1.amazonses.com`"), "shown as typed: {text}");
    }
}

#[test]
fn records_generic_form_keeps_the_priority_out_of_the_value() {
    let out = sendlint(&["records", "mail.acme.com", "-s", "sf1", "--public-key-file", KEY]);
    let text = stdout(&out);
    assert!(text.contains("   Value:    feedback-smtp.us-east-1.amazonses.com\n   Priority: 10\n"), "{text}");
    assert!(!text.contains("Value:    10 "), "{text}");
    let out = sendlint(&["records", "mail.acme.com", "-s", "sf1", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v[0]["form_value"], "feedback-smtp.us-east-1.amazonses.com");
    assert_eq!(v[0]["priority"], 10);
}

#[test]
fn records_cloudflare_shows_no_proxy_status_for_mx_and_txt() {
    let out = sendlint(&["records", "mail.acme.com", "-s", "sf1", "--registrar", "cloudflare"]);
    let text = stdout(&out);
    assert!(!text.contains("Proxy status:"), "{text}");
    assert!(text.contains("DNS only (grey cloud)"), "the note about A/AAAA/CNAME stays: {text}");
}

#[test]
fn records_relative_hosts_use_the_public_suffix_list() {
    let out = sendlint(&["records", "mail.acme.co.uk", "-s", "sf1", "--registrar", "namecheap"]);
    let text = stdout(&out);
    assert!(text.contains("Host:     send.mail\n"), "{text}");
    assert!(text.contains("Host:     sf1._domainkey.mail\n"), "{text}");
    assert!(text.contains("relative to the zone acme.co.uk"), "{text}");
}

#[test]
fn an_unknown_registrar_gets_a_suggestion() {
    let out = sendlint(&["records", "mail.acme.com", "-s", "sf1", "--registrar", "godady"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `godaddy`?"), "{}", stderr(&out));
}

fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("sendlint-texts-").tempdir().expect("scratch dir")
}

#[test]
fn dmarc_advice_keeps_the_domains_own_policy() {
    let out = sendlint(&[
        "explain",
        "--role",
        "dmarc",
        "--format",
        "json",
        "--",
        "_dmarc.mail.acme.com. 300 IN TXT \"v=DMARC1; p=reject; aspf=s\"",
    ]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(v["expected"], "v=DMARC1; p=reject; aspf=s; rua=mailto:dmarc-reports@mail.acme.com");
    let d = v["diagnoses"].as_array().unwrap();
    let no_reports = d.iter().find(|d| d["code"] == "dmarc.no-reports").expect("dmarc.no-reports");
    let help = no_reports["help"].as_str().unwrap();
    assert!(help.contains("`v=DMARC1; p=reject; aspf=s; rua=mailto:dmarc-reports@mail.acme.com`"), "{help}");
    assert!(!stdout(&out).contains("p=none"), "{}", stdout(&out));
    let strict = d.iter().find(|d| d["code"] == "dmarc.strict-spf-alignment").expect("strict alignment");
    assert!(!strict["message"].as_str().unwrap().contains("such as"), "{strict}");
}
