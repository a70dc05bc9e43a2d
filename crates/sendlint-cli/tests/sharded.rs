//! `deploy/sharded-audit.sh` on the demo workspace: the merged shards equal one
//! unsharded audit, with and without a baseline.

mod common;

use std::path::Path;
use std::process::{Command, Output};

const NOW: &str = "2026-11-26T06:00:00Z";

fn scratch(name: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("sendlint-sharded-{name}-")).tempdir().expect("scratch dir")
}

fn script(n: &str, out: &Path, extra: &[&str]) -> Output {
    Command::new("bash")
        .arg("deploy/sharded-audit.sh")
        .args([n, "fixtures/demo/manifest.json"])
        .arg(out)
        .args(extra)
        .env("SENDLINT", env!("CARGO_BIN_EXE_sendlint"))
        .current_dir(common::root())
        .output()
        .expect("bash runs")
}

fn unsharded(extra: &[&str]) -> Output {
    let mut args =
        vec!["audit", "fixtures/demo/manifest.json", "--zone", "fixtures/demo/zones", "--now", NOW];
    args.extend_from_slice(&["--format", "json"]);
    args.extend_from_slice(extra);
    common::sendlint(&args)
}

/// The lines in manifest order (removed domains, without an index, last by domain).
fn sorted(text: &str) -> Vec<serde_json::Value> {
    let mut lines: Vec<serde_json::Value> =
        text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect();
    lines.sort_by_key(|l| (l["index"].as_u64().unwrap_or(u64::MAX), l["domain"].to_string()));
    lines
}

#[test]
fn merged_shards_equal_one_unsharded_audit() {
    let out_tmp = scratch("plain");
    let out = out_tmp.path();
    let run = script("3", out, &["--", "--zone", "fixtures/demo/zones", "--now", NOW]);
    let single = unsharded(&[]);
    assert_eq!(run.status.code(), single.status.code(), "{}", common::stderr(&run));
    let merged = std::fs::read_to_string(out.join("audit.jsonl")).expect("merged");
    assert_eq!(merged.lines().count(), 5);
    assert_eq!(sorted(&merged), sorted(&common::stdout(&single)));
    // manifest order in the merged file itself
    let indexes: Vec<u64> = sorted(&merged).iter().filter_map(|l| l["index"].as_u64()).collect();
    let in_file: Vec<u64> = merged
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?["index"].as_u64())
        .collect();
    assert_eq!(in_file, indexes);
    // every shard wrote its part: 3 files whose lines add up
    let parts: usize = (0..3)
        .map(|k| std::fs::read_to_string(out.join(format!("audit-{k}.jsonl"))).expect("part").lines().count())
        .sum();
    assert_eq!(parts, 5);
}

#[test]
fn merged_shards_with_a_baseline_equal_the_unsharded_comparison() {
    // a baseline with one domain the workspace no longer has, and one domain less
    let dir_tmp = scratch("baseline");
    let dir = dir_tmp.path();
    let first = unsharded(&[]);
    let mut previous: Vec<String> = common::stdout(&first)
        .lines()
        .filter(|l| !l.contains("\"domain\":\"hooli.test\""))
        .map(str::to_owned)
        .collect();
    previous.push(r#"{"index":9,"org":"gone","domain":"old.gone.test","sending_unlocked":true,"records":[{"role":"dkim","state":"Verified","diagnoses":[]}],"diagnoses":[]}"#.into());
    let baseline = dir.join("previous.jsonl");
    std::fs::write(&baseline, previous.join("\n")).expect("baseline");
    let b = baseline.to_str().expect("utf-8");
    let out = dir.join("out");
    let run = script("4", &out, &["--baseline", b, "--", "--zone", "fixtures/demo/zones", "--now", NOW]);
    let single = unsharded(&["--baseline", b, "--fail-on", "regression"]);
    assert_eq!(run.status.code(), single.status.code(), "{}", common::stderr(&run));
    let merged = std::fs::read_to_string(out.join("audit.jsonl")).expect("merged");
    let merged = sorted(&merged);
    assert_eq!(merged, sorted(&common::stdout(&single)));
    let removed: Vec<&serde_json::Value> = merged.iter().filter(|l| l["removed"] == true).collect();
    assert_eq!(removed.len(), 1, "reported by exactly one shard");
    assert_eq!(removed[0]["domain"], "old.gone.test");
    let hooli = merged.iter().find(|l| l["domain"] == "hooli.test").expect("hooli");
    assert_eq!(hooli["changes"]["status"], "new");
    assert!(common::stderr(&run).contains("1 removed"), "{}", common::stderr(&run));
}
