//! `audit --exit-zero-on-findings`: the exit status a scheduler (a Kubernetes
//! Job, an AWS Batch array job) retries on. Findings (domains not unlocked,
//! regressions, bad manifest entries) are in the output and exit 0; bad input,
//! usage errors and interruptions still exit non-zero (docs/exit-codes.md).

use std::process::{Command, Stdio};

mod common;
use common::{root, sendlint, stderr, stdout};

const NOW: &str = "2026-11-26T06:00:00Z";
const DEMO: &str = "fixtures/demo/manifest.json";
const DEMO_ZONES: &str = "fixtures/demo/zones";
const GEN: &str = "fixtures/workspace/generated/manifest.json";
const GEN_ZONES: &str = "fixtures/workspace/generated/zones";
const FLAG: &str = "--exit-zero-on-findings";

/// The lines of standard output, sorted (entries are printed as they complete).
fn sorted_lines(o: &std::process::Output) -> Vec<String> {
    let mut lines: Vec<String> = stdout(o).lines().map(str::to_owned).collect();
    lines.sort();
    lines
}

fn demo(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["audit", DEMO, "--zone", DEMO_ZONES, "--now", NOW];
    args.extend_from_slice(extra);
    sendlint(&args)
}

#[test]
fn findings_exit_1_without_the_flag_and_0_with_it_the_output_unchanged() {
    let without = demo(&["--format", "json"]);
    assert_eq!(without.status.code(), Some(1), "the demo has domains not unlocked: {}", stderr(&without));
    let with = demo(&["--format", "json", FLAG]);
    assert_eq!(with.status.code(), Some(0), "{}", stderr(&with));
    assert_eq!(sorted_lines(&with), sorted_lines(&without), "the flag changes the exit status only");
    assert_eq!(stdout(&with).lines().count(), 5, "one line per demo entry");
    // the human format too (what deploy/container/test.sh runs in the image)
    let human = demo(&[FLAG]);
    assert_eq!(human.status.code(), Some(0), "{}", stderr(&human));
    assert_eq!(sorted_lines(&human), sorted_lines(&demo(&[])));
}

#[test]
fn bad_manifest_entries_are_findings() {
    let dir = common::scratch_dir("exit-policy-entries");
    let text = std::fs::read_to_string(root().join(DEMO)).expect("demo manifest");
    let mut manifest: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    manifest["domains"]
        .as_array_mut()
        .expect("domains")
        .push(serde_json::json!({"org": "worse", "domain": 7}));
    let path = dir.path().join("manifest.json");
    std::fs::write(&path, manifest.to_string()).expect("write");
    let path = path.to_str().expect("utf-8");
    let args = ["audit", path, "--zone", DEMO_ZONES, "--now", NOW, "--format", "json"];
    let without = sendlint(&args);
    assert_eq!(without.status.code(), Some(2), "a bad entry: {}", stderr(&without));
    let with = sendlint(&[&args[..], &[FLAG]].concat());
    assert_eq!(with.status.code(), Some(0), "{}", stderr(&with));
    let out = stdout(&with);
    assert_eq!(out.lines().count(), 6, "the five entries and the bad one: {out}");
    let bad: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).expect("JSON line"))
        .filter(|v| v.get("error").is_some())
        .collect();
    assert_eq!(bad.len(), 1, "{out}");
    assert_eq!(bad[0]["index"], 5, "the entry added last");
}

#[test]
fn regressions_are_findings() {
    let dir = common::scratch_dir("exit-policy-baseline");
    // yesterday every domain was unlocked: today's demo regressed
    let today = demo(&["--format", "json"]);
    let mut yesterday = String::new();
    for line in stdout(&today).lines() {
        let mut v: serde_json::Value = serde_json::from_str(line).expect("JSON line");
        v["sending_unlocked"] = serde_json::Value::Bool(true);
        v["records"] = serde_json::json!([]);
        v["diagnoses"] = serde_json::json!([]);
        yesterday.push_str(&v.to_string());
        yesterday.push('\n');
    }
    let baseline = dir.path().join("yesterday.jsonl");
    std::fs::write(&baseline, yesterday).expect("write");
    let baseline = baseline.to_str().expect("utf-8");
    let without = demo(&["--format", "json", "--baseline", baseline, "--fail-on", "regression"]);
    assert_eq!(without.status.code(), Some(1), "something regressed: {}", stderr(&without));
    assert!(stdout(&without).contains("\"regression\":true"), "{}", stdout(&without));
    let with = demo(&["--format", "json", "--baseline", baseline, "--fail-on", "regression", FLAG]);
    assert_eq!(with.status.code(), Some(0), "{}", stderr(&with));
}

#[test]
fn bad_input_and_usage_errors_still_fail() {
    let dir = common::scratch_dir("exit-policy-bad");
    let not_json = dir.path().join("manifest.json");
    std::fs::write(&not_json, "{ not json").expect("write");
    let not_json = not_json.to_str().expect("utf-8");
    let cases: [(&str, Vec<&str>); 5] = [
        ("a manifest that is not JSON", vec!["audit", not_json, "--zone", DEMO_ZONES, FLAG]),
        (
            "a manifest that does not exist",
            vec!["audit", "no/such/manifest.json", "--zone", DEMO_ZONES, FLAG],
        ),
        ("a zone directory that does not exist", vec!["audit", DEMO, "--zone", "no/such/zones", FLAG]),
        ("a shard out of range", vec!["audit", DEMO, "--zone", DEMO_ZONES, "--shard", "3/3", FLAG]),
        ("an unknown flag", vec!["audit", DEMO, "--zone", DEMO_ZONES, "--no-such-flag", FLAG]),
    ];
    for (what, args) in cases {
        let out = sendlint(&args);
        assert_eq!(out.status.code(), Some(2), "{what}: {}", stderr(&out));
        assert!(!stderr(&out).trim().is_empty(), "{what}: the reason is said");
    }
    // the flag takes no value, and is audit's alone
    let out = sendlint(&["check", "mail.acme.test", "--zone", DEMO_ZONES, FLAG]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn an_interrupted_audit_is_not_a_success() {
    let dir = common::scratch_dir("exit-policy-interrupted");
    let target = dir.path().join("out.jsonl");
    let child = Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args(["audit", GEN, "--zone", GEN_ZONES, "--format", "json", "--now", NOW])
        .args(["--jobs", "1", "--qps", "20", FLAG, "--output", target.to_str().expect("utf-8")])
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    common::interrupt_when(&child, &dir.path().join("out.jsonl.partial"), |t| t.contains('\n'));
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130), "Kubernetes retries the index: {}", stderr(&out));
}
