//! Domain names as people type them: a malformed one is bad input (exit 2,
//! with the reason) wherever it is given, never four `dns.lookup-failed`;
//! an internationalized one is asked as its A-label and shown as its U-label.

use serde_json::Value;

mod common;
use common::{root, sendlint, stderr, stdout};

const NOW: &str = "2026-11-26T06:00:00Z";
const KEY: &str = "fixtures/keys/sf1-2048.b64";

fn tmp(name: &str) -> tempfile::TempDir {
    common::scratch_dir(&format!("domain-{name}"))
}

/// The error text with miette's wrapping undone.
fn flat(text: &str) -> String {
    text.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Typing mistakes and what the error must say about each.
const BAD: [(&str, &str); 7] = [
    ("mail acme.test", "a space"),
    ("mail.acme\u{0}.test", "NUL"),
    ("mail.acme.test\n", "line break"),
    ("mail.\u{202E}acme.test", "U+202E"),
    ("mail.acme.test:53", "looks like a port"),
    ("mail/acme.test", "`/` is not allowed"),
    ("1.2.3.4", "an IP address"),
];

#[test]
fn check_refuses_a_malformed_domain_with_exit_2_and_the_reason() {
    // an argument cannot hold NUL (the manifest test covers it)
    for (domain, why) in BAD.into_iter().filter(|(d, _)| !d.contains('\0')) {
        let out =
            sendlint(&["check", domain, "--selector", "sf1", "--zone", "fixtures/demo/zones", "--now", NOW]);
        let err = flat(&stderr(&out));
        assert_eq!(out.status.code(), Some(2), "{domain:?}: {err}");
        assert!(err.contains(why), "{domain:?}: {err}");
        assert!(
            !err.contains("lookup-failed") && stdout(&out).is_empty(),
            "{domain:?}: nothing was looked up"
        );
        assert!(!err.chars().any(|c| c == '\u{202E}' || c == '\0'), "escaped: {err:?}");
    }
}

#[test]
fn records_watch_and_explain_refuse_it_too() {
    let (domain, why) = BAD[0];
    let runs: [Vec<&str>; 3] = [
        vec!["records", domain, "--selector", "sf1"],
        vec!["watch", domain, "--selector", "sf1", "--zone", "fixtures/demo/zones"],
        vec!["explain", "--role", "spf_txt", "--domain", domain, "--", "v=spf1 include:amazonses.com ~all"],
    ];
    for args in runs {
        let out = sendlint(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(flat(&stderr(&out)).contains(why), "{args:?}: {}", stderr(&out));
    }
}

/// In a manifest, each bad domain (or MAIL FROM) is an error line; the others are checked.
#[test]
fn an_audit_reports_each_bad_domain_as_an_error_line_and_goes_on() {
    let dir_tmp = tmp("audit");
    let dir = dir_tmp.path();
    let key = std::fs::read_to_string(root().join(KEY)).expect("key");
    let mut entries: Vec<Value> = BAD
        .iter()
        .map(|(d, _)| serde_json::json!({"org": "x", "domain": d, "region": "us-east-1", "dkim_selector": "sf1"}))
        .collect();
    entries.push(
        serde_json::json!({"org": "acme", "domain": "mail.acme.test", "mail_from": "send mail.acme.test",
        "region": "us-east-1", "dkim_selector": "sf1"}),
    );
    entries.push(serde_json::json!({"org": "acme", "domain": "mail.acme.test", "region": "us-east-1",
        "dkim_selector": "sf1", "dkim_public_key": key.trim()}));
    let manifest = dir.join("manifest.json");
    std::fs::write(&manifest, serde_json::json!({ "domains": entries }).to_string()).expect("write");
    let out = sendlint(&[
        "audit",
        manifest.to_str().expect("utf-8"),
        "--zone",
        "fixtures/demo/zones",
        "--format",
        "json",
        "--now",
        NOW,
    ]);
    assert_eq!(out.status.code(), Some(2), "bad entries are bad input: {}", stderr(&out));
    let mut lines: Vec<Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    lines.sort_by_key(|l| l["index"].as_u64());
    assert_eq!(lines.len(), BAD.len() + 2);
    for (line, (domain, why)) in lines.iter().zip(BAD) {
        let error = line["error"].as_str().unwrap_or_else(|| panic!("{domain:?} is an error line: {line}"));
        assert!(error.contains(why), "{domain:?}: {error}");
    }
    assert!(lines[BAD.len()]["error"].as_str().expect("error").contains("a space"), "{}", lines[BAD.len()]);
    assert_eq!(lines[BAD.len() + 1]["sending_unlocked"], true, "the good entry is still checked");
}

/// `mail.bücher.test` is asked (and matched in zone files) as
/// `mail.xn--bcher-kva.test`, and shown to people as typed.
#[test]
fn an_internationalized_domain_is_asked_as_its_a_label() {
    let dir_tmp = tmp("idn");
    let dir = dir_tmp.path();
    let zone = std::fs::read_to_string(root().join("fixtures/demo/zones/acme.test.zone"))
        .expect("zone")
        .replace("acme.test", "xn--bcher-kva.test");
    let path = dir.join("xn--bcher-kva.test.zone");
    std::fs::write(&path, zone).expect("write");
    let zone_arg = path.to_str().expect("utf-8");
    let out = sendlint(&[
        "check",
        "mail.bücher.test",
        "--selector",
        "sf1",
        "--public-key-file",
        KEY,
        "--zone",
        zone_arg,
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert_eq!(report["domain"], "mail.xn--bcher-kva.test");
    assert_eq!(report["sending_unlocked"], true);
    let human =
        sendlint(&["check", "mail.bücher.test", "--selector", "sf1", "--zone", zone_arg, "--now", NOW]);
    let text = stdout(&human);
    assert!(text.starts_with("mail.bücher.test (mail.xn--bcher-kva.test)"), "{text}");
}
