//! The `sendlint` binary end to end: exit codes, the JSON shape of docs/json.md,
//! errors on hostile input, and what `explain` prints.

use std::process::Output;

mod common;
use common::{root, sendlint, stderr, stdout};

const NOW: &str = "2026-11-26T06:00:00Z";

fn check(domain: &str, selector: &str, key: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "check",
        domain,
        "--selector",
        selector,
        "--public-key-file",
        key,
        "--zone",
        "fixtures/demo/zones",
        "--now",
        NOW,
    ];
    args.extend_from_slice(extra);
    sendlint(&args)
}

#[test]
fn check_json_has_the_spec_shape_and_exit_0_when_unlocked() {
    let out = check("mail.acme.test", "sf1", "fixtures/keys/sf1-2048.b64", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("one JSON object");
    let keys: Vec<&str> = v.as_object().expect("object").keys().map(String::as_str).collect();
    for k in
        ["org", "domain", "zone", "dns_host", "sending_unlocked", "ses_consulted", "records", "diagnoses"]
    {
        assert!(keys.contains(&k), "missing {k} in {keys:?}");
    }
    assert_eq!(v["zone"], "acme.test");
    assert_eq!(v["dns_host"], "cloudflare");
    assert_eq!(v["sending_unlocked"], true);
    assert_eq!(v["ses_consulted"], false);
    let records = v["records"].as_array().expect("records");
    let roles: Vec<&str> = records.iter().map(|r| r["role"].as_str().unwrap_or_default()).collect();
    assert_eq!(roles, ["spf_mx", "spf_txt", "dkim", "dmarc"]);
    for r in records {
        for k in ["role", "name", "type", "expected", "observed", "state", "diagnoses"] {
            assert!(r.get(k).is_some(), "record without {k}: {r}");
        }
        assert_eq!(r["state"], "Verified");
    }
}

#[test]
fn check_exits_1_when_not_unlocked_and_labels_index_observed() {
    let out = check("mail.globex.test", "sf1", "fixtures/keys/other-2048.b64", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let dkim = &v["records"][2];
    assert_eq!(dkim["state"], "Failed");
    let d = &dkim["diagnoses"][0];
    assert_eq!(d["code"], "dkim.quoted-value");
    assert_eq!(d["severity"], "error");
    let label = &d["labels"][0];
    let observed =
        dkim["observed"][label["record"].as_u64().expect("record") as usize].as_str().expect("observed");
    let (off, len) = (
        label["offset"].as_u64().expect("offset") as usize,
        label["length"].as_u64().expect("length") as usize,
    );
    assert_eq!(&observed[off..off + len], "\"");
}

#[test]
fn a_broken_zone_file_is_exit_2_with_file_line_and_column() {
    let tmp = tempfile::Builder::new().prefix("sendlint-cli-").tempdir().expect("tmp");
    let dir = tmp.path();
    let zone = dir.join("broken.test.zone");
    std::fs::write(&zone, "$ORIGIN broken.test.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 5\nsend MX ten feedback-smtp.us-east-1.amazonses.com.\n").expect("write");
    let out =
        sendlint(&["check", "mail.broken.test", "--selector", "s", "--zone", zone.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("broken.test.zone:4:"), "{err}");
}

#[test]
fn a_malformed_manifest_is_exit_2_pointing_into_the_file() {
    let tmp = tempfile::Builder::new().prefix("sendlint-cli-m-").tempdir().expect("tmp");
    let dir = tmp.path();
    let m = dir.join("manifest.json");
    std::fs::write(&m, "{\"domains\": [\n  {\"domain\": \"a.test\",}\n]}\n").expect("write");
    let out = sendlint(&["audit", m.to_str().expect("utf-8"), "--zone", "fixtures/demo/zones"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("manifest.json:2:"), "{err}");
}

#[test]
fn a_bad_manifest_entry_is_reported_and_the_audit_goes_on() {
    let tmp = tempfile::Builder::new().prefix("sendlint-cli-e-").tempdir().expect("tmp");
    let dir = tmp.path();
    let m = dir.join("manifest.json");
    let key = std::fs::read_to_string(root().join("fixtures/keys/sf1-2048.b64")).expect("key");
    let text = format!(
        r#"{{"domains": [
  {{"org": "acme", "domain": "mail.acme.test", "region": "us-east-1", "dkim_selector": "bad.selector"}},
  {{"org": "acme", "domain": "mail.acme.test", "region": "us-east-1", "dkim_selector": "sf1", "dkim_public_key": "{key}"}}
]}}"#
    );
    std::fs::write(&m, text).expect("write");
    let out = sendlint(&[
        "audit",
        m.to_str().expect("utf-8"),
        "--zone",
        "fixtures/demo/zones",
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(out.status.code(), Some(2), "a bad entry is bad input");
    let mut lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).expect("JSON Lines")).collect();
    // lines come in completion order, each with its manifest index
    lines.sort_by_key(|l| l["index"].as_u64());
    assert_eq!(lines.len(), 2, "one line per manifest entry");
    assert!(lines[0]["error"].as_str().expect("error").contains("selector"), "{}", lines[0]);
    assert_eq!(lines[1]["domain"], "mail.acme.test");
    // the bad entry is the same org's: no `workspace.domain-in-use`, which would lock
    assert_eq!(lines[1]["sending_unlocked"], true, "{}", lines[1]);
}

#[test]
fn the_demo_audit_is_json_lines_one_per_entry() {
    let out = sendlint(&[
        "audit",
        "fixtures/demo/manifest.json",
        "--zone",
        "fixtures/demo/zones",
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let mut lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).expect("JSON Lines")).collect();
    // lines come in completion order, each with its manifest index
    lines.sort_by_key(|l| l["index"].as_u64());
    assert_eq!(lines.len(), 5);
    let unlocked: Vec<&str> = lines
        .iter()
        .filter(|l| l["sending_unlocked"] == true)
        .map(|l| l["domain"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(unlocked, ["mail.acme.test"]);
    assert_eq!(lines[0]["ses_consulted"], true);
}

#[test]
fn explain_a_pasted_dig_answer() {
    let raw =
        r#"sf1._domainkey.mail.acme.com. 300 IN TXT "\"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\"""#;
    let out = sendlint(&["explain", "--role", "dkim", "--", raw]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("dkim.quoted-value"), "{text}");
    insta::assert_snapshot!("explain_dkim_quoted_dig_line", text);
}

#[test]
fn explain_an_mx_with_the_priority_in_the_value() {
    let out = sendlint(&[
        "explain",
        "--role",
        "spf_mx",
        "--expected",
        "10 feedback-smtp.us-east-1.amazonses.com",
        "--registrar",
        "cloudflare",
        "--",
        r"10 10\ feedback-smtp.us-east-1.amazonses.com.",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("mx.priority-in-value"), "{text}");
    insta::assert_snapshot!("explain_mx_priority_in_value_cloudflare", text);
}

#[test]
fn explain_never_writes_raw_control_bytes() {
    let raw = "v=spf1 include:amazonses.com \u{1b}[31m~all\u{7}";
    let out = sendlint(&["explain", "--role", "spf_txt", "--", raw]);
    let text = stdout(&out);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "raw control bytes on the terminal: {text:?}"
    );
    assert!(text.to_ascii_lowercase().contains("\\x1b"), "{text}");
    let json = sendlint(&["explain", "--role", "spf_txt", "--format", "json", "--", raw]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert!(v["observed"][0].as_str().expect("observed").to_ascii_lowercase().contains("\\x1b"));
}

#[test]
fn explain_a_correct_record_exits_0() {
    let out = sendlint(&["explain", "--role", "spf_txt", "--", "\"v=spf1 include:amazonses.com -all\""]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn rules_lists_every_code_and_shows_docs() {
    let out = sendlint(&["rules"]);
    assert_eq!(out.status.code(), Some(0));
    let list = stdout(&out);
    for code in [
        "mx.priority-in-value",
        "dkim.split-across-records",
        "dmarc.strict-spf-alignment",
        "sender.from-not-on-domain",
    ] {
        assert!(list.contains(code), "{code} not listed");
    }
    let show = sendlint(&["rules", "show", "dkim.quoted-value"]);
    assert_eq!(show.status.code(), Some(0));
    let text = stdout(&show);
    assert!(text.contains("What it does") && text.contains("Why is this bad?"), "{text}");
    let missing = sendlint(&["rules", "show", "no.such-code"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn records_prints_the_four_blocks() {
    let out = sendlint(&[
        "records",
        "mail.acme.com",
        "--selector",
        "sf1",
        "--public-key-file",
        "fixtures/keys/sf1-2048.b64",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("send.mail.acme.com"));
    assert!(text.contains("10 feedback-smtp.us-east-1.amazonses.com"));
    assert!(text.contains("sf1._domainkey.mail.acme.com"));
    assert!(text.contains("_dmarc.mail.acme.com"));
    insta::assert_snapshot!("records_default", text);
}

#[test]
fn bad_setup_flags_are_exit_2() {
    let out =
        sendlint(&["check", "mail.acme.test", "--selector", "has.dot", "--zone", "fixtures/demo/zones"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("selector"), "{}", stderr(&out));
}

/// Error reports quote the file they point into; a stranger's file must not
/// reach the terminal raw (ANSI escapes, a lone CR, bidi overrides).
#[test]
fn errors_never_quote_raw_control_bytes() {
    let tmp = tempfile::Builder::new().prefix("sendlint-cli-hostile-").tempdir().expect("tmp");
    let dir = tmp.path();
    let manifest = dir.join("manifest.json");
    std::fs::write(
        &manifest,
        "{\"domains\": [\n {\"domain\": \"a\u{1b}[2J\u{202e}.test\", \"region\": \"us-east-1\"}\n]}",
    )
    .expect("write");
    let zone = dir.join("evil.test.zone");
    std::fs::write(
        &zone,
        "$ORIGIN evil.test.\n$TTL 300\n@ SOA ns1 h 1 2 3 4 5\nsend \u{1b}[31mTXT \"x\"\r\n",
    )
    .expect("write");
    for out in [
        sendlint(&["audit", manifest.to_str().expect("utf-8"), "--zone", "fixtures/demo/zones"]),
        sendlint(&["check", "mail.evil.test", "--selector", "s", "--zone", zone.to_str().expect("utf-8")]),
        sendlint(&["explain", "--role", "dkim", "--", "\"p=abc\u{1b}[2J"]),
    ] {
        let all = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(2), "{all}");
        assert!(
            !all.contains(['\u{1b}', '\r', '\u{202e}']),
            "raw control characters reached the terminal: {all:?}"
        );
        assert!(all.contains('?'), "{all}");
    }
}
