//! `sendlint audit` end to end: JSON Lines per entry whatever the concurrency,
//! bad entries in the middle, shards, CSV, the workspace-level checks, and
//! Ctrl-C. No test here measures time: concurrency is checked by results.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use serde_json::Value;

mod common;
use common::{root, sendlint};

const NOW: &str = "2026-11-26T06:00:00Z";
const DEMO: &str = "fixtures/demo/manifest.json";
const DEMO_ZONES: &str = "fixtures/demo/zones";
const GEN: &str = "fixtures/workspace/generated/manifest.json";
const GEN_ZONES: &str = "fixtures/workspace/generated/zones";

fn tmp(name: &str) -> tempfile::TempDir {
    common::scratch_dir(&format!("audit-{name}"))
}

fn manifest_entries(path: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(root().join(path)).expect("manifest");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    v["domains"].as_array().expect("domains").clone()
}

/// Runs a JSON audit; returns the exit code and the lines by manifest index
/// (every line parses, no index twice).
fn audit_json(manifest: &str, zones: &str, extra: &[&str]) -> (Option<i32>, BTreeMap<u64, Value>) {
    let mut args = vec!["audit", manifest, "--zone", zones, "--format", "json", "--now", NOW];
    args.extend_from_slice(extra);
    let out = sendlint(&args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut lines = BTreeMap::new();
    for line in stdout.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let index = v["index"].as_u64().expect("every line has its manifest index");
        assert!(lines.insert(index, v).is_none(), "index {index} twice");
    }
    (out.status.code(), lines)
}

fn codes(line: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let domain = line["diagnoses"].as_array().into_iter().flatten();
    let records =
        line["records"].as_array().into_iter().flatten().flat_map(|r| r["diagnoses"].as_array()).flatten();
    for d in domain.chain(records) {
        out.insert(d["code"].as_str().expect("code").to_owned());
    }
    out
}

#[test]
fn the_demo_audit_is_the_same_whatever_the_concurrency() {
    let (code1, one) = audit_json(DEMO, DEMO_ZONES, &["--jobs", "1", "--threads", "1"]);
    let (code64, many) = audit_json(DEMO, DEMO_ZONES, &["--jobs", "64", "--threads", "2"]);
    assert_eq!(code1, Some(1));
    assert_eq!(code64, Some(1));
    assert_eq!(one.len(), manifest_entries(DEMO).len());
    assert_eq!(one, many);
    let unlocked: Vec<&str> =
        one.values().filter(|l| l["sending_unlocked"] == true).filter_map(|l| l["domain"].as_str()).collect();
    assert_eq!(unlocked, ["mail.acme.test"]);
}

#[test]
fn a_generated_workspace_is_the_same_whatever_the_concurrency() {
    let entries = manifest_entries(GEN);
    let (code, serial) = audit_json(GEN, GEN_ZONES, &["--jobs", "1", "--threads", "1"]);
    assert_eq!(code, Some(1));
    assert_eq!(serial.len(), entries.len(), "one line per entry");
    for jobs in ["3", "64", "1000"] {
        let (code, parallel) = audit_json(GEN, GEN_ZONES, &["--jobs", jobs, "--threads", "2"]);
        assert_eq!(code, Some(1));
        assert_eq!(parallel, serial, "--jobs {jobs}");
    }
    // the lines are in manifest index order once sorted, and say which entry they are
    for (i, entry) in entries.iter().enumerate() {
        let line = &serial[&(i as u64)];
        assert_eq!(line["domain"], entry["domain"]);
        assert_eq!(line["org"], entry["org"]);
    }
}

#[test]
fn a_bad_entry_in_the_middle_does_not_stop_the_others() {
    let mut entries = manifest_entries(GEN);
    let middle = entries.len() / 2;
    entries.insert(
        middle,
        serde_json::json!({"org": "bad", "domain": "mail.bad.test", "region": "us-east-1", "dkim_selector": "not.a.selector"}),
    );
    entries.insert(middle + 2, serde_json::json!({"org": "worse", "domain": 7}));
    let dir_tmp = tmp("bad");
    let dir = dir_tmp.path();
    let path = dir.join("manifest.json");
    std::fs::write(&path, serde_json::json!({ "domains": entries }).to_string()).expect("write");
    let (code, lines) = audit_json(path.to_str().expect("utf-8"), GEN_ZONES, &[]);
    assert_eq!(code, Some(2), "bad entries are bad input");
    assert_eq!(lines.len(), entries.len());
    let errors: Vec<u64> = lines.iter().filter(|(_, l)| l.get("error").is_some()).map(|(i, _)| *i).collect();
    assert_eq!(errors, [middle as u64, middle as u64 + 2]);
    assert!(lines[&(middle as u64)]["error"].as_str().expect("error").contains("selector"));
    assert_eq!(lines[&(middle as u64)]["domain"], "mail.bad.test");
    assert!(lines.values().filter(|l| l.get("error").is_none()).all(|l| l["records"].as_array().is_some()));
}

#[test]
fn shards_split_the_manifest_and_their_union_is_the_whole() {
    let (_, whole) = audit_json(GEN, GEN_ZONES, &[]);
    let mut union = BTreeMap::new();
    for k in 0..3 {
        let shard = format!("{k}/3");
        let (_, part) = audit_json(GEN, GEN_ZONES, &["--shard", &shard]);
        assert!(!part.is_empty(), "shard {shard} is empty: the hash does not spread");
        for (i, line) in part {
            assert!(union.insert(i, line).is_none(), "entry {i} in two shards");
        }
    }
    // identical lines, workspace checks included: every shard read every entry for them
    assert_eq!(union, whole);
    // all entries of one domain land in one shard
    let mut shard_of: HashMap<String, String> = HashMap::new();
    for k in 0..3 {
        let shard = format!("{k}/3");
        for line in audit_json(GEN, GEN_ZONES, &["--shard", &shard]).1.values() {
            let domain = line["domain"].as_str().expect("domain").to_owned();
            let prev = shard_of.insert(domain.clone(), shard.clone());
            assert!(prev.is_none() || prev.as_ref() == Some(&shard), "{domain} in two shards");
        }
    }
    let out = sendlint(&["audit", GEN, "--zone", GEN_ZONES, "--shard", "3/3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("0-based"));
}

/// Splits one CSV line (RFC 4180 quoting).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut fields, mut cur, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    fields.push(cur);
    fields
}

#[test]
fn csv_has_a_header_and_one_row_per_entry() {
    let dir_tmp = tmp("csv");
    let dir = dir_tmp.path();
    let path = dir.join("audit.csv");
    let out = sendlint(&[
        "audit",
        GEN,
        "--zone",
        GEN_ZONES,
        "--format",
        "csv",
        "--now",
        NOW,
        "--output",
        path.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "--output takes the rows");
    let text = std::fs::read_to_string(&path).expect("csv");
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("index,org,domain,zone,dns_host,unlocked,spf_mx,spf_txt,dkim,dmarc,codes,error")
    );
    let (_, json) = audit_json(GEN, GEN_ZONES, &[]);
    let rows: Vec<Vec<String>> = lines.map(csv_fields).collect();
    assert_eq!(rows.len(), manifest_entries(GEN).len());
    for row in &rows {
        assert_eq!(row.len(), 12, "{row:?}");
        let line = &json[&row[0].parse::<u64>().expect("index")];
        assert_eq!(row[2], line["domain"].as_str().expect("domain"));
        assert_eq!(row[5], line["sending_unlocked"].to_string());
        assert_eq!(row[8], line["records"][2]["state"].as_str().expect("dkim badge"));
        let want: Vec<String> = codes(line).into_iter().collect();
        assert_eq!(row[10], want.join(" "));
    }
}

#[test]
fn workspace_checks_fire_on_every_claimant_and_nowhere_else() {
    let entries = manifest_entries(GEN);
    let mut orgs: HashMap<&str, BTreeSet<&str>> = HashMap::new();
    let mut keys: HashMap<(&str, &str), BTreeSet<&str>> = HashMap::new();
    for e in &entries {
        let domain = e["domain"].as_str().expect("domain");
        orgs.entry(domain).or_default().insert(e["org"].as_str().expect("org"));
        let key = (e["dkim_selector"].as_str().expect("sel"), e["dkim_public_key"].as_str().expect("key"));
        keys.entry(key).or_default().insert(domain);
    }
    let (_, lines) = audit_json(GEN, GEN_ZONES, &[]);
    let (mut in_use, mut reused) = (0, 0);
    for (i, e) in entries.iter().enumerate() {
        let domain = e["domain"].as_str().expect("domain");
        let got = codes(&lines[&(i as u64)]);
        let contested = orgs[domain].len() > 1;
        assert_eq!(got.contains("workspace.domain-in-use"), contested, "entry {i} {domain}: {got:?}");
        let key = (e["dkim_selector"].as_str().expect("sel"), e["dkim_public_key"].as_str().expect("key"));
        let shared = keys[&key].len() > 1;
        assert_eq!(got.contains("workspace.selector-reused"), shared, "entry {i} {domain}: {got:?}");
        in_use += usize::from(contested);
        reused += usize::from(shared);
    }
    assert!(in_use >= 4 && reused >= 2, "the fixture exercises both checks ({in_use}, {reused})");
    // the error names the other claimant, and is an error
    let (i, e) = entries
        .iter()
        .enumerate()
        .find(|(_, e)| orgs[e["domain"].as_str().unwrap_or("")].len() > 1)
        .expect("one");
    let line = &lines[&(i as u64)];
    let d = line["diagnoses"]
        .as_array()
        .expect("domain diagnoses")
        .iter()
        .find(|d| d["code"] == "workspace.domain-in-use")
        .expect("diagnosis");
    assert_eq!(d["severity"], "error");
    let others: Vec<&&str> =
        orgs[e["domain"].as_str().expect("domain")].iter().filter(|o| **o != e["org"]).collect();
    assert!(d["message"].as_str().expect("message").contains(*others[0]), "{d}");
    // a single check knows nothing of the workspace
    let demo = audit_json(DEMO, DEMO_ZONES, &[]).1;
    assert!(demo.values().all(|l| !codes(l).iter().any(|c| c.starts_with("workspace."))));
}

#[test]
fn human_output_ends_with_a_summary_and_no_progress_bar_when_piped() {
    let out = sendlint(&["audit", GEN, "--zone", GEN_ZONES, "--now", NOW]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    let n = manifest_entries(GEN).len();
    assert!(text.contains(&format!("{n} domains: ")), "{text}");
    for part in ["record      Pending Verifying  Verified    Failed", "top codes (domains)", "DNS host"] {
        assert!(text.contains(part), "missing {part:?}");
    }
    assert!(out.stderr.is_empty(), "no progress bar on a pipe: {}", String::from_utf8_lossy(&out.stderr));
}

/// Ctrl-C: the lines already done are on stdout, whole; the exit status is 130.
/// Not a timed test: the rate limit only makes the audit long enough to be
/// interrupted after its first line, whenever that comes.
#[test]
fn an_interrupted_audit_keeps_what_is_done_and_exits_130() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args([
            "audit", GEN, "--zone", GEN_ZONES, "--format", "json", "--now", NOW, "--jobs", "2", "--qps", "40",
        ])
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let stdout = child.stdout.take().expect("stdout");
    let mut reader = BufReader::new(stdout);
    let mut first = String::new();
    reader.read_line(&mut first).expect("first line");
    assert!(first.ends_with('\n'), "a whole line, flushed as it completed: {first:?}");
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut reader, &mut rest).expect("rest");
    let status = child.wait().expect("wait");
    assert_eq!(status.code(), Some(130));
    let lines: Vec<Value> = first
        .lines()
        .chain(rest.lines())
        .map(|l| serde_json::from_str(l).expect("whole JSON lines"))
        .collect();
    let n = manifest_entries(GEN).len();
    assert!(!lines.is_empty() && lines.len() < n, "{} of {n}", lines.len());
    let indexes: BTreeSet<u64> = lines.iter().filter_map(|l| l["index"].as_u64()).collect();
    assert_eq!(indexes.len(), lines.len());
}
