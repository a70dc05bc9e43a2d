//! SPF through the binary (issue #9 §1): the record is followed through its
//! includes and redirects (loops, targets), and syntax messages point to the
//! real fix instead of inventing one.

mod common;

use common::{sendlint, stdout};
use serde_json::Value;

/// `check --zone` of mail.acme.test with this SPF record at the MAIL FROM
/// name and `extra` zone lines: the spf_txt record of the JSON report.
fn check_spf(test: &str, spf: &str, extra: &str) -> Value {
    let zone = format!(
        "$ORIGIN acme.test.\n$TTL 300\n\
         @ SOA ns1.dns.test. hostmaster.acme.test. 1 3600 600 604800 300\n\
         @ NS ns1.dns.test.\n\
         send.mail MX 10 feedback-smtp.us-east-1.amazonses.com.\n\
         send.mail TXT \"{spf}\"\n{extra}"
    );
    let file = tempfile::Builder::new()
        .prefix(&format!("sendlint-spf-{test}-"))
        .suffix(".zone")
        .tempfile()
        .expect("zone file");
    let path = file.path();
    std::fs::write(path, zone).expect("zone file written");
    let zone_arg = path.to_string_lossy().into_owned();
    let out = sendlint(&[
        "check",
        "mail.acme.test",
        "--region",
        "us-east-1",
        "--selector",
        "sf1",
        "--zone",
        &zone_arg,
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    report["records"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["role"] == "spf_txt"))
        .cloned()
        .expect("an spf_txt record")
}

fn codes(record: &Value) -> Vec<String> {
    record["diagnoses"]
        .as_array()
        .map(|d| d.iter().filter_map(|d| d["code"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

#[test]
fn a_redirect_to_itself_is_a_loop_not_verified() {
    let rec = check_spf("self", "v=spf1 include:amazonses.com redirect=send.mail.acme.test", "");
    assert_eq!(codes(&rec), ["spf.loop"], "{rec:#}");
    assert_eq!(rec["state"], "Failed");
    let message = rec["diagnoses"][0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("send.mail.acme.test -> redirect=send.mail.acme.test"),
        "the chain is named: {message}"
    );
}

#[test]
fn an_include_chain_back_to_the_start_is_a_loop() {
    let rec = check_spf(
        "chain",
        "v=spf1 include:a.acme.test ~all",
        "a TXT \"v=spf1 include:send.mail.acme.test -all\"\n",
    );
    // two faults: the loop, and no amazonses.com
    assert_eq!(codes(&rec), ["spf.missing-include", "spf.loop"], "{rec:#}");
    let message = rec["diagnoses"][1]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("send.mail.acme.test -> include:a.acme.test -> include:send.mail.acme.test"),
        "{message}"
    );
}

#[test]
fn a_redirect_must_lead_to_amazonses() {
    // redirect to a record that denies everything: SES is not authorized
    let rec = check_spf("deny", "v=spf1 redirect=deny.acme.test", "deny TXT \"v=spf1 -all\"\n");
    assert_eq!(codes(&rec), ["spf.missing-include"], "{rec:#}");
    assert_eq!(rec["state"], "Failed");
    // and a redirect to no SPF at all
    let rec = check_spf("gone", "v=spf1 redirect=gone.acme.test", "");
    assert_eq!(codes(&rec), ["spf.redirect-target-missing"], "{rec:#}");
    // an include without SPF behind it
    let rec = check_spf("inc", "v=spf1 include:amazonses.com include:none.acme.test ~all", "");
    assert_eq!(codes(&rec), ["spf.include-target-missing"], "{rec:#}");
}

/// `explain` of one pasted SPF record: the `spf.syntax` message, if any.
fn syntax_message(record: &str) -> Option<String> {
    let out = sendlint(&["explain", "--role", "spf_txt", "--format", "json", "--", record]);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    v["diagnoses"]
        .as_array()?
        .iter()
        .find(|d| d["code"] == "spf.syntax")
        .and_then(|d| d["message"].as_str().map(str::to_owned))
}

#[test]
fn syntax_messages_suggest_the_real_fix() {
    let m = syntax_message("v=spf1 a:111.222.33.44 include:amazonses.com ~all").expect("a syntax error");
    assert!(m.contains("use \"ip4:111.222.33.44\""), "{m}");
    assert!(!m.contains(".com"), "no made-up domain: {m}");
    let m = syntax_message("v=spf1 include:amazonses.com redirect=-all").expect("a syntax error");
    assert!(!m.contains("-all.com"), "no made-up domain: {m}");
    let m = syntax_message("v=spf1 include:amazonses.com a:example.-com ~all").expect("a syntax error");
    assert!(m.contains("\"-com\" is not a top-level domain"), "{m}");
    let m = syntax_message("v=spf1 include:amazonses.com -all exp=%{r}.acme.test").expect("a syntax error");
    assert!(m.contains("only allowed in explanation text"), "{m}");
    // `/` inside a domain-spec is not a CIDR length
    assert_eq!(syntax_message("v=spf1 include:amazonses.com a:foo:bar/baz.example.com ~all"), None);
}
