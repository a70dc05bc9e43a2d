//! The audit runner's guards: `--output` never destroys the manifest nor
//! leaves half a file, `--jobs`/`--threads` are bounded, and a dead resolver
//! is given up on instead of costing every domain its full timeout.

use std::process::{Command, Stdio};

use serde_json::Value;

mod common;
use common::{root, sendlint, stderr, stdout};

const NOW: &str = "2026-11-26T06:00:00Z";
const GEN: &str = "fixtures/workspace/generated/manifest.json";
const GEN_ZONES: &str = "fixtures/workspace/generated/zones";

fn tmp(name: &str) -> tempfile::TempDir {
    common::scratch_dir(&format!("runner-{name}"))
}

fn gen_entries() -> usize {
    let text = std::fs::read_to_string(root().join(GEN)).expect("manifest");
    serde_json::from_str::<Value>(&text).expect("JSON")["domains"].as_array().expect("domains").len()
}

#[test]
fn output_onto_the_manifest_is_refused_and_the_manifest_kept() {
    let dir_tmp = tmp("same");
    let dir = dir_tmp.path();
    let manifest = dir.join("manifest.json");
    std::fs::copy(root().join(GEN), &manifest).expect("copy");
    let before = std::fs::read(&manifest).expect("read");
    // the same file, spelled another way
    let other_spelling = dir.join(".").join("manifest.json");
    let out = sendlint(&[
        "audit",
        manifest.to_str().expect("utf-8"),
        "--zone",
        GEN_ZONES,
        "--output",
        other_spelling.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("is the manifest"), "{}", stderr(&out));
    assert_eq!(std::fs::read(&manifest).expect("read"), before, "the manifest is untouched");
}

#[test]
fn output_is_replaced_whole_at_the_end() {
    let dir_tmp = tmp("whole");
    let dir = dir_tmp.path();
    let target = dir.join("out.jsonl");
    std::fs::write(&target, "previous\n").expect("write");
    let out = sendlint(&[
        "audit",
        GEN,
        "--zone",
        GEN_ZONES,
        "--format",
        "json",
        "--now",
        NOW,
        "--output",
        target.to_str().expect("utf-8"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).is_empty(), "nothing on stdout with --output");
    let text = std::fs::read_to_string(&target).expect("read");
    assert_eq!(text.lines().count(), gen_entries(), "{text}");
    assert!(text.lines().all(|l| serde_json::from_str::<Value>(l).is_ok()));
    assert!(!dir.join("out.jsonl.partial").exists(), "no temporary file left");
}

/// Interrupted half-way: the previous output is still there, whole; the lines
/// already done are kept beside it, and the message says where.
#[test]
fn an_interrupted_audit_leaves_the_previous_output() {
    let dir_tmp = tmp("interrupted");
    let dir = dir_tmp.path();
    let target = dir.join("out.jsonl");
    std::fs::write(&target, "previous\n").expect("write");
    let partial = dir.join("out.jsonl.partial");
    let child = Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args([
            "audit",
            GEN,
            "--zone",
            GEN_ZONES,
            "--format",
            "json",
            "--now",
            NOW,
            "--jobs",
            "1",
            "--qps",
            "20",
            "--output",
            target.to_str().expect("utf-8"),
        ])
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    // once a first whole line is in the temporary file
    common::interrupt_when(&child, &partial, |t| t.contains('\n'));
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "previous\n", "the previous file, whole");
    let done = std::fs::read_to_string(&partial).expect("the lines done are kept");
    assert!(done.lines().count() < gen_entries());
    assert!(done.lines().all(|l| serde_json::from_str::<Value>(l).is_ok()), "whole lines: {done}");
    assert!(stderr(&out).contains("out.jsonl.partial"), "{}", stderr(&out));
}

#[test]
fn absurd_jobs_and_threads_are_refused_with_the_bound() {
    for (flag, value, want) in [
        ("--threads", "65536", "at most 256"),
        ("--jobs", "65536", "at most 1024"),
        ("--jobs", "0", "at least 1"),
        ("--threads", "many", "not a whole number"),
    ] {
        let out = sendlint(&["audit", GEN, "--zone", GEN_ZONES, flag, value]);
        assert_eq!(out.status.code(), Some(2), "{flag} {value}");
        assert!(stderr(&out).contains(want), "{flag} {value}: {}", stderr(&out));
        assert!(stdout(&out).is_empty());
    }
}

fn silent_server() -> sendlint_testdns::TestServer {
    let zones = sendlint_dns::ZoneSource::from_files(&[root().join(GEN_ZONES)]).expect("zones");
    sendlint_testdns::TestServer::start(&zones, sendlint_testdns::Mode::Silent).expect("server")
}

/// JSON lines of a run, each checked to blame `server` with a failed lookup
/// (never a missing record).
fn all_failed_naming(out: &std::process::Output, server: &str) -> Vec<Value> {
    let lines: Vec<Value> = stdout(out).lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert_eq!(lines.len(), gen_entries(), "one line per entry: {}", stderr(out));
    for line in &lines {
        let text = line.to_string();
        assert!(text.contains("dns.lookup-failed") && text.contains(server), "{text}");
        assert!(!text.contains(".missing\""), "a failed lookup is never a missing record: {text}");
        for r in line["records"].as_array().expect("records") {
            assert_eq!(r["state"], "Pending", "{r}");
        }
    }
    lines
}

/// A dead resolver: after `--give-up-after` timeouts with no answer, the rest
/// is not asked (fewer queries than domains) and the summary says so.
#[test]
fn a_dead_resolver_is_given_up_on_and_the_summary_says_so() {
    let server = silent_server();
    let addr = server.addr().to_string();
    let out = sendlint(&[
        "audit",
        GEN,
        "--nameserver",
        &addr,
        "--format",
        "json",
        "--now",
        NOW,
        "--jobs",
        "4",
        "--give-up-after",
        "4",
        "--stats",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines = all_failed_naming(&out, &addr);
    let skipped = lines.iter().filter(|l| l.to_string().contains("stopped asking it")).count();
    assert!(skipped > 0, "later domains were not asked");
    let err = stderr(&out);
    assert!(err.contains(&format!("gave up on {addr}")), "{err}");
    let stats: Value = serde_json::from_str(err.lines().last().expect("stats")).expect("stats JSON");
    let queries = stats["queries"].as_u64().expect("queries");
    assert!(queries < gen_entries() as u64, "{queries} queries for {} domains", gen_entries());
    // the human summary carries it too
    let human =
        sendlint(&["audit", GEN, "--nameserver", &addr, "--now", NOW, "--jobs", "4", "--give-up-after", "4"]);
    assert!(stdout(&human).contains(&format!("gave up on {addr}")), "{}", stdout(&human));
}

/// The per-domain deadline: with giving up switched off, each domain ends at
/// its deadline, its records failed lookups naming the deadline.
#[test]
fn each_domain_ends_at_its_deadline() {
    let server = silent_server();
    let addr = server.addr().to_string();
    let out = sendlint(&[
        "audit",
        GEN,
        "--nameserver",
        &addr,
        "--format",
        "json",
        "--now",
        NOW,
        "--give-up-after",
        "0",
        "--domain-timeout",
        "300ms",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let lines = all_failed_naming(&out, &addr);
    assert!(lines.iter().all(|l| l.to_string().contains("deadline of 300ms passed")), "{}", lines[0]);
}

/// `--stats` counts what went on the wire: every UDP packet the server
/// received, NS-address and CNAME lookups included; `null` offline.
#[test]
fn stats_count_the_questions_that_reached_the_server() {
    let zones = sendlint_dns::ZoneSource::from_files(&[root().join(GEN_ZONES)]).expect("zones");
    let server = sendlint_testdns::TestServer::start(&zones, sendlint_testdns::Mode::Normal).expect("server");
    let addr = server.addr().to_string();
    let out = sendlint(&["audit", GEN, "--nameserver", &addr, "--format", "json", "--now", NOW, "--stats"]);
    let err = stderr(&out);
    let stats: Value = serde_json::from_str(err.lines().last().expect("stats")).expect("stats JSON");
    let wire = &stats["wire"];
    let (udp, tcp) = server.received();
    assert!(udp > 0, "{err}");
    assert_eq!(wire["udp"].as_u64(), Some(udp), "{stats}");
    assert_eq!(wire["tcp"].as_u64(), Some(tcp), "{stats}");
    assert_eq!(wire["timeouts"].as_u64(), Some(0), "{stats}");
    let offline = sendlint(&["audit", GEN, "--zone", GEN_ZONES, "--format", "json", "--now", NOW, "--stats"]);
    let stats: Value =
        serde_json::from_str(stderr(&offline).lines().last().expect("stats")).expect("stats JSON");
    assert!(stats["wire"].is_null(), "{stats}");
}
