//! DMARC and DKIM diagnoses end to end, through the binary: policy discovery
//! over zone files, and pasted records that used to be misjudged.

mod common;

use common::{root, sendlint, stderr, stdout};

fn zone_dir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("sendlint-dmarc-dkim-{tag}-")).tempdir().expect("tmp")
}

/// The four records of `mail.acme.test` as SES wants them, without `_dmarc.mail`.
fn zone_without_own_dmarc(apex_dmarc: &str) -> String {
    let key = std::fs::read_to_string(root().join("fixtures/keys/sf1-2048.b64")).expect("key");
    let key = key.trim();
    let (a, b) = key.split_at(200);
    format!(
        "$ORIGIN acme.test.\n$TTL 300\n@ SOA ns1.dns.test. hostmaster.acme.test. 1 3600 600 604800 300\n\
         @ NS ns1.dns.test.\n\
         send.mail MX 10 feedback-smtp.us-east-1.amazonses.com.\n\
         send.mail TXT \"v=spf1 include:amazonses.com ~all\"\n\
         sf1._domainkey.mail TXT \"p={a}\" \"{b}\"\n\
         _dmarc TXT \"{apex_dmarc}\"\n"
    )
}

fn check_json(zone_text: &str, tag: &str) -> (Option<i32>, serde_json::Value) {
    let dir_tmp = zone_dir(tag);
    let dir = dir_tmp.path();
    let zone = dir.join("acme.test.zone");
    std::fs::write(&zone, zone_text).expect("write");
    let out = sendlint(&[
        "check",
        "mail.acme.test",
        "--selector",
        "sf1",
        "--region",
        "us-east-1",
        "--public-key-file",
        "fixtures/keys/sf1-2048.b64",
        "--zone",
        zone.to_str().expect("utf-8"),
        "--format",
        "json",
    ]);
    let v = serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (out.status.code(), v)
}

fn dmarc_record(report: &serde_json::Value) -> &serde_json::Value {
    report["records"].as_array().expect("records").iter().find(|r| r["role"] == "dmarc").expect("dmarc")
}

fn codes(record: &serde_json::Value) -> Vec<String> {
    record["diagnoses"]
        .as_array()
        .expect("diagnoses")
        .iter()
        .map(|d| d["code"].as_str().expect("code").to_owned())
        .collect()
}

#[test]
fn a_parent_policy_covers_the_domain_instead_of_dmarc_missing() {
    let (code, report) =
        check_json(&zone_without_own_dmarc("v=DMARC1; p=reject; sp=quarantine"), "inherited");
    assert_eq!(code, Some(0), "{report}");
    let dmarc = dmarc_record(&report);
    assert_eq!(codes(dmarc), ["dmarc.inherited"], "{dmarc}");
    assert_eq!(dmarc["state"], "Verified");
    let message = dmarc["diagnoses"][0]["message"].as_str().expect("message");
    assert!(message.contains("sp=quarantine from _dmarc.acme.test"), "{message}");
}

#[test]
fn without_any_policy_up_the_tree_dmarc_is_missing() {
    // The apex TXT is not DMARC: the walk finds nothing.
    let (code, report) = check_json(&zone_without_own_dmarc("v=spf1 -all"), "none");
    assert_eq!(code, Some(0), "DMARC never blocks sending: {report}");
    let dmarc = dmarc_record(&report);
    assert_eq!(codes(dmarc), ["dmarc.missing"], "{dmarc}");
    assert_eq!(dmarc["state"], "Pending");
}

fn explain(role: &str, raw: &str) -> (Option<i32>, serde_json::Value) {
    explain_with(&["--role", role], raw)
}

fn explain_with(args: &[&str], raw: &str) -> (Option<i32>, serde_json::Value) {
    let mut all = vec!["explain", "--format", "json"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", raw]);
    let out = sendlint(&all);
    let v = serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    (out.status.code(), v)
}

#[test]
fn explain_dmarc_tag_names_in_capitals_and_tabs_are_valid() {
    for raw in
        ["V=DMARC1; P=reject; RUA=mailto:d@acme.test", "v=DMARC1;\tp\t=\treject;\trua=mailto:d@acme.test"]
    {
        let (code, v) = explain("dmarc", raw);
        assert_eq!(codes(&v), Vec::<String>::new(), "{raw:?}: {v}");
        assert_eq!(code, Some(0), "{raw:?}");
    }
}

#[test]
fn explain_dmarc_lower_case_version_is_not_a_dmarc_record() {
    let (code, v) = explain("dmarc", "v=dmarc1; p=reject");
    assert_eq!(codes(&v), ["dmarc.not-recognized"], "{v}");
    assert_eq!(v["state"], "Failed");
    assert_eq!(code, Some(1));
}

#[test]
fn explain_dmarc_https_report_uri_is_a_warning() {
    let (code, v) = explain("dmarc", "v=DMARC1; p=reject; rua=https://reports.acme.test/dmarc");
    assert_eq!(codes(&v), ["dmarc.report-uri-not-mailto"], "{v}");
    assert_eq!(v["diagnoses"][0]["severity"], "warning");
    assert_eq!(code, Some(0));
}

#[test]
fn explain_dkim_h_and_s_tags_that_exclude_ses() {
    let key = std::fs::read_to_string(root().join("fixtures/keys/sf1-2048.b64")).expect("key");
    let key = key.trim();
    let dkim = ["--role", "dkim", "--expected", key];
    let (_, v) = explain_with(&dkim, &format!("v=DKIM1; h=sha1; p={key}"));
    assert_eq!(codes(&v), ["dkim.hash-excludes-sha256"], "{v}");
    let (_, v) = explain_with(&dkim, &format!("v=DKIM1; s=tlsrpt; p={key}"));
    assert_eq!(codes(&v), ["dkim.service-excludes-email"], "{v}");
    let (code, v) = explain_with(&dkim, &format!("v=DKIM1;\tk=rsa;\th=sha256;\ts=email;\tp={key}"));
    assert_eq!(codes(&v), Vec::<String>::new(), "{v}");
    assert_eq!(code, Some(0));
}

#[test]
fn explain_dkim_cut_key_without_expected_key_does_not_claim_truncation() {
    let key = std::fs::read_to_string(root().join("fixtures/keys/sf1-2048.b64")).expect("key");
    let (_, v) = explain("dkim", &format!("p={}", &key.trim()[..250]));
    assert_eq!(codes(&v), ["dkim.invalid-key"], "{v}");
    let message = v["diagnoses"][0]["message"].as_str().expect("message");
    assert!(!message.contains("given to SES"), "{message}");
}
