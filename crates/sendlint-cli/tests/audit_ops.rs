//! `audit --ses` against the local SESv2 server (with throttling) and
//! `audit --baseline` / `--fail-on regression` with two demo audits that differ.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use sendlint_testses::{Reply, TestSes};

fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("sendlint-audit-ops-").tempdir().expect("scratch dir")
}

/// The binary with no AWS setup of the developer's, instance metadata off.
fn sendlint(home: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sendlint"));
    for (name, _) in std::env::vars_os().filter(|(k, _)| k.to_string_lossy().starts_with("AWS_")) {
        cmd.env_remove(name);
    }
    cmd.env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env("NO_COLOR", "1")
        .current_dir(common::root())
        .stdin(Stdio::null());
    cmd
}

const NOW: &str = "2026-11-26T06:00:00Z";

fn lines(out: &Output) -> Vec<serde_json::Value> {
    common::stdout(out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{}", common::stderr(out))))
        .collect()
}

#[test]
fn audit_ses_asks_every_entry_in_its_region_through_throttling() {
    let home_tmp = scratch();
    let home = home_tmp.path();
    let mut script = vec![Reply::throttled(); 4];
    script.push(Reply::identity_of_request("sf1", "SUCCESS", "SUCCESS"));
    let ses = TestSes::start(script).expect("server");
    let endpoint = ses.endpoint();
    let out = sendlint(home)
        .env("AWS_ACCESS_KEY_ID", "AKIDAUDIT")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .args(["audit", "fixtures/demo/manifest.json", "--zone", "fixtures/demo/zones", "--now", NOW])
        .args([
            "--format",
            "json",
            "--ses",
            "--ses-endpoint",
            &endpoint,
            "--ses-rate",
            "50",
            "--ses-jobs",
            "2",
        ])
        .output()
        .expect("run");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", common::stderr(&out));
    let lines = lines(&out);
    assert_eq!(lines.len(), 5, "every entry, none lost");
    for line in &lines {
        assert_eq!(line["ses_consulted"], true, "{line}");
        let codes = line["diagnoses"].as_array().into_iter().flatten().map(|d| d["code"].clone());
        assert!(!codes.clone().any(|c| c == "ses.unavailable"), "{line}");
    }
    let requests = ses.requests();
    assert_eq!(requests.len(), 5 + 4, "one answer per entry after four 429s: {requests:#?}");
    for (domain, region) in [
        ("mail.acme.test", "us-east-1"),
        ("mail.globex.test", "us-east-1"),
        ("news.initech.test", "us-west-2"),
        ("mail.umbrella.test", "us-east-1"),
        ("hooli.test", "us-east-1"),
    ] {
        let path = format!("/v2/email/identities/{domain}");
        let asked: Vec<_> = requests.iter().filter(|r| r.path == path).collect();
        assert!(!asked.is_empty(), "{domain} asked");
        assert!(asked.iter().all(|r| r.region.as_deref() == Some(region)), "{domain} in {region}: {asked:?}");
        assert!(asked.iter().all(|r| r.access_key_id.as_deref() == Some("AKIDAUDIT")));
    }
}

#[test]
fn audit_ses_without_credentials_stops_before_checking() {
    let home_tmp = scratch();
    let home = home_tmp.path();
    let ses = TestSes::start(vec![Reply::not_found("x")]).expect("server");
    let endpoint = ses.endpoint();
    let out = sendlint(home)
        .args(["audit", "fixtures/demo/manifest.json", "--zone", "fixtures/demo/zones", "--now", NOW])
        .args(["--format", "json", "--ses", "--ses-endpoint", &endpoint])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stdout(&out).is_empty());
    let err = common::stderr(&out);
    assert!(err.contains("--ses: no AWS credentials found"), "{err}");
    assert!(ses.requests().is_empty());
}

/// A second demo workspace: acme's MX now points at the wrong region
/// (regression), globex's MX is fixed, hooli is gone, news.acme.test is new.
fn changed_workspace(dir: &Path) -> (PathBuf, PathBuf) {
    let root = common::root();
    let zones = dir.join("zones");
    std::fs::create_dir_all(&zones).expect("zones dir");
    for entry in std::fs::read_dir(root.join("fixtures/demo/zones")).expect("demo zones") {
        let path = entry.expect("entry").path();
        let mut text = std::fs::read_to_string(&path).expect("zone");
        if path.ends_with("acme.test.zone") {
            text = text.replace(
                "MX   10 feedback-smtp.us-east-1.amazonses.com.",
                "MX   10 feedback-smtp.eu-west-1.amazonses.com.",
            );
        }
        text = text.replace(
            "MX   10 10\\ feedback-smtp.eu-west-1.amazonses.com.",
            "MX   10 feedback-smtp.us-east-1.amazonses.com.",
        );
        std::fs::write(zones.join(path.file_name().expect("name")), text).expect("write zone");
    }
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("fixtures/demo/manifest.json")).expect("manifest"),
    )
    .expect("json");
    let mut domains: Vec<serde_json::Value> = manifest["domains"].as_array().expect("domains").clone();
    domains.retain(|d| d["org"] != "hooli");
    domains.push(serde_json::json!({"org": "acme", "domain": "news.acme.test", "region": "us-east-1", "dkim_selector": "sf1"}));
    let path = dir.join("manifest.json");
    std::fs::write(&path, serde_json::json!({"domains": domains}).to_string()).expect("write manifest");
    (path, zones)
}

fn audit(home: &Path, manifest: &Path, zones: &Path, extra: &[&str]) -> Output {
    sendlint(home)
        .arg("audit")
        .arg(manifest)
        .arg("--zone")
        .arg(zones)
        .args(["--now", NOW, "--jobs", "1"])
        .args(extra)
        .output()
        .expect("run")
}

#[test]
fn baseline_says_what_changed_regressions_first() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let root = common::root();
    let (demo, demo_zones) = (root.join("fixtures/demo/manifest.json"), root.join("fixtures/demo/zones"));
    let first = audit(dir, &demo, &demo_zones, &["--format", "json"]);
    let previous = dir.join("previous.jsonl");
    std::fs::write(&previous, &first.stdout).expect("write baseline");
    let prev = previous.to_str().expect("utf-8");
    let (manifest, zones) = changed_workspace(dir);

    // JSON: a `changes` field on every line, a line per removed domain, exit 1 on regression
    let out =
        audit(dir, &manifest, &zones, &["--format", "json", "--baseline", prev, "--fail-on", "regression"]);
    assert_eq!(out.status.code(), Some(1), "a regression: {}", common::stderr(&out));
    let first_lines = lines(&out);
    let by_domain = |d: &str| first_lines.iter().find(|l| l["domain"] == d).unwrap_or_else(|| panic!("{d}"));
    let acme = &by_domain("mail.acme.test")["changes"];
    assert_eq!(acme["regression"], true, "{acme}");
    assert_eq!(acme["unlocked"], serde_json::json!({"from": true, "to": false}));
    assert_eq!(
        acme["badges"][0],
        serde_json::json!({"role": "spf_mx", "from": "Verified", "to": "Failed", "regression": true})
    );
    assert_eq!(acme["codes_added"], serde_json::json!(["mx.wrong-target"]));
    let globex = &by_domain("mail.globex.test")["changes"];
    assert_eq!(
        (globex["regression"].clone(), globex["fix"].clone()),
        (false.into(), true.into()),
        "{globex}"
    );
    assert_eq!(by_domain("news.acme.test")["changes"]["status"], "new");
    assert_eq!(by_domain("news.initech.test")["changes"]["status"], "unchanged");
    let hooli = by_domain("hooli.test");
    assert_eq!(
        (hooli["removed"].clone(), hooli["changes"]["status"].clone()),
        (true.into(), "removed".into())
    );
    let err = common::stderr(&out);
    assert!(err.contains("1 regressed, 1 fixed, 0 other, 1 new, 1 removed, 2 unchanged"), "{err}");

    // human: the summary block, as a user reads it
    let out = audit(dir, &manifest, &zones, &["--baseline", prev]);
    let text = common::stdout(&out);
    let block = &text[text.find("changes since").expect("summary block")..];
    let block = block.replace(prev, "previous.jsonl");
    let block = &block[..block.find("\n5 domains").unwrap_or(block.len())];
    insta::assert_snapshot!("baseline_human_summary", block);
    assert_eq!(out.status.code(), Some(1), "without --fail-on: the usual status (not all unlocked)");

    // CSV: a `changes` column
    let out = audit(dir, &manifest, &zones, &["--format", "csv", "--baseline", prev]);
    let csv = common::stdout(&out);
    assert!(csv.lines().next().expect("header").ends_with(",error,changes"), "{csv}");
    let acme_row = csv.lines().find(|l| l.contains(",mail.acme.test,")).expect("acme row");
    assert!(acme_row.contains("spf_mx Verified → Failed"), "{acme_row}");
    let hooli_row = csv.lines().find(|l| l.contains(",hooli.test,")).expect("hooli row");
    assert!(
        hooli_row.starts_with(",hooli,hooli.test,") && hooli_row.ends_with(",no longer in the manifest"),
        "{hooli_row}"
    );

    // the same workspace against its own audit: nothing regressed, exit 0
    let out =
        audit(dir, &demo, &demo_zones, &["--format", "json", "--baseline", prev, "--fail-on", "regression"]);
    assert_eq!(out.status.code(), Some(0), "{}", common::stderr(&out));
    assert!(lines(&out).iter().all(|l| l["changes"]["status"] == "unchanged"));
}

#[test]
fn a_baseline_that_is_not_json_lines_is_bad_input() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"domain\": \"a.test\"}\nnot json\n").expect("write");
    let root = common::root();
    let out = audit(
        dir,
        &root.join("fixtures/demo/manifest.json"),
        &root.join("fixtures/demo/zones"),
        &["--baseline", bad.to_str().expect("utf-8")],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("bad.jsonl line 2"), "{}", common::stderr(&out));
}
