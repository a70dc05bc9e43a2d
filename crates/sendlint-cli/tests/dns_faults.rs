//! The binary against misbehaving DNS servers (crates/sendlint-testdns) and
//! closed pipes: every fault is a `dns.lookup-failed` naming the server, the
//! process never dies of a signal, and `| head` stays quiet.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use sendlint_dns::ZoneSource;
use sendlint_testdns::{Mode, TestServer};
use serde_json::Value;

mod common;
use common::{root, sendlint, stderr, stdout};

const NOW: &str = "2026-11-26T06:00:00Z";
const GEN: &str = "fixtures/workspace/generated/manifest.json";
const GEN_ZONES: &str = "fixtures/workspace/generated/zones";
const DEMO_ZONES: &str = "fixtures/demo/zones";

fn tmp(name: &str) -> tempfile::TempDir {
    common::scratch_dir(&format!("dnsfaults-{name}"))
}

fn serve(zones: &str, mode: Mode) -> TestServer {
    let zones = ZoneSource::from_files(&[root().join(zones)]).expect("the zones load");
    TestServer::start(&zones, mode).expect("server")
}

/// Every code of a report line (domain and record diagnoses).
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

/// A manifest of `copies` × the generated workspace's entries.
fn big_manifest(dir: &Path, copies: usize) -> PathBuf {
    let text = std::fs::read_to_string(root().join(GEN)).expect("manifest");
    let v: Value = serde_json::from_str(&text).expect("JSON");
    let entries = v["domains"].as_array().expect("domains");
    let all: Vec<Value> = (0..copies).flat_map(|_| entries.iter().cloned()).collect();
    let path = dir.join("manifest.json");
    std::fs::write(&path, serde_json::json!({ "domains": all }).to_string()).expect("write");
    path
}

/// A server that sets TC over UDP and closes every TCP connection unanswered:
/// hickory reuses the TCP stream, so a later write fails with EPIPE. The
/// audit must classify it (not die of SIGPIPE, exit 141, with lines lost).
#[test]
fn tc_then_closed_tcp_is_a_lookup_failure_not_a_sigpipe() {
    let server = serve(GEN_ZONES, Mode::TruncateThenCloseTcp);
    let addr = server.addr().to_string();
    let out =
        sendlint(&["audit", GEN, "--nameserver", &addr, "--format", "json", "--now", NOW, "--jobs", "16"]);
    assert_eq!(out.status.code(), Some(1), "killed by a signal? {:?}\n{}", out.status, stderr(&out));
    let lines: Vec<Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).expect("whole JSON lines")).collect();
    let n = serde_json::from_str::<Value>(&std::fs::read_to_string(root().join(GEN)).expect("m"))
        .expect("JSON")["domains"]
        .as_array()
        .expect("domains")
        .len();
    assert_eq!(lines.len(), n, "one line per entry");
    for line in &lines {
        let codes = codes(line);
        assert!(codes.contains("dns.lookup-failed"), "{line}");
        assert!(
            !codes.iter().any(|c| c.ends_with(".missing")),
            "a failed lookup is never a missing record: {line}"
        );
        assert!(line.to_string().contains(&addr), "names the server: {line}");
    }
}

/// The same through `check`, human output: the summary of the failure is there.
#[test]
fn check_against_a_tc_then_close_server_exits_1_naming_the_server() {
    let server = serve(DEMO_ZONES, Mode::TruncateThenCloseTcp);
    let addr = server.addr().to_string();
    let out =
        sendlint(&["check", "mail.acme.test", "--selector", "sf1", "--nameserver", &addr, "--now", NOW]);
    assert_eq!(out.status.code(), Some(1), "{:?}\n{}", out.status, stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("dns.lookup-failed") && text.contains(&addr), "{text}");
}

/// Records owned by another name are a failed lookup, not four
/// `.missing` records.
#[test]
fn answers_about_another_name_are_lookup_failures_not_missing_records() {
    let server = serve(DEMO_ZONES, Mode::WrongOwner);
    let addr = server.addr().to_string();
    let out = sendlint(&[
        "check",
        "mail.acme.test",
        "--selector",
        "sf1",
        "--public-key-file",
        "fixtures/keys/sf1-2048.b64",
        "--nameserver",
        &addr,
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    let codes = codes(&report);
    assert!(!codes.iter().any(|c| c.ends_with(".missing")), "{codes:?}");
    assert!(codes.contains("dns.lookup-failed"), "{codes:?}");
    for record in report["records"].as_array().expect("records") {
        if record["role"] != "dmarc" {
            assert_eq!(record["state"], "Pending", "{record}");
        }
    }
    assert!(report.to_string().contains("wrong-owner.invalid"), "says what came back: {report}");
}

/// `sendlint audit … | head -1`: the reader goes away; the audit ends
/// quietly (nothing on stderr) with 141, the status of a filter ended by
/// SIGPIPE, without having SIGPIPE kill it (that kills it on sockets too).
#[test]
fn a_closed_stdout_ends_the_audit_quietly() {
    let dir_tmp = tmp("pipe");
    let dir = dir_tmp.path();
    let manifest = big_manifest(dir, 50);
    let mut child = Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args(["audit", manifest.to_str().expect("utf-8"), "--zone", GEN_ZONES, "--now", NOW])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    reader.read_line(&mut first).expect("a first line");
    drop(reader);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(141), "{:?}", out.status);
    assert_eq!(stderr(&out), "", "quiet");
}
