//! "Reports unchanged": `audit --format json` of fixed workspaces, compared
//! byte for byte with output the engine produced before issue #13's speed work
//! (tests/data/golden/). Three runs:
//!
//! - `ws300`, offline from its zone files;
//! - `ws300`, live against the in-process test DNS server serving the same
//!   zones, whose provider name server names resolve to that server (127.0.0.1)
//!   and `--authoritative-port` points at it, so the propagation checks really
//!   ask the zone's own servers;
//! - `ws300` live with a stale "resolver": the configured server serves an
//!   older copy of the zones (some DMARC records not yet there, some MX and
//!   SPF values still the previous ones, see [`stale`]) while the zone's own
//!   servers, a second test server at `--authoritative-port`, serve the
//!   golden zones: the propagation diagnoses and "judge what is published";
//! - the demo workspace in fixtures/demo, offline.
//!
//! `ws300` was generated with
//! `python3 bench/gen-workspace.py --domains 300 --out tests/data/golden/ws300 --seed 7`
//! (mailfrom-domains.txt removed): every fault kind of the benchmark, refused
//! (unserved) zones and misplaced records included.
//!
//! Lines are sorted by `index`; in the live run the test server's port is
//! written `PORT` (it is random).
//!
//! A DELIBERATE change of the reports is re-blessed with
//!
//! ```text
//! SENDLINT_BLESS=1 cargo nextest run -p sendlint-cli -E 'test(golden)'
//! ```
//!
//! and the commit that does so must name every changed output line and why.
//! Anything else that makes these tests fail is a regression.

mod common;

use common::{root, sendlint, stderr};
use sendlint_dns::ZoneSource;
use sendlint_testdns::{Mode, TestServer};
use std::path::PathBuf;

const NOW: &str = "2026-11-26T06:00:00Z";

fn golden_dir() -> PathBuf {
    root().join("tests/data/golden")
}

/// `audit --format json` lines, sorted by their `index`.
fn audit(manifest: &str, dns: &[&str]) -> Vec<String> {
    let mut args = vec!["audit", manifest, "--now", NOW, "--format", "json"];
    args.extend_from_slice(dns);
    let out = sendlint(&args);
    // exit 1 means "findings", 2 and up a failed run
    assert!(matches!(out.status.code(), Some(0 | 1)), "audit failed: {:?}\n{}", out.status, stderr(&out));
    let text = String::from_utf8(out.stdout).expect("JSON output is UTF-8");
    let mut lines: Vec<(u64, String)> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("each line is JSON");
            let i = v.get("index").and_then(serde_json::Value::as_u64).expect("each line has an index");
            (i, l.to_owned())
        })
        .collect();
    lines.sort_by_key(|(i, _)| *i);
    lines.into_iter().map(|(_, l)| l).collect()
}

/// Compares `lines` with the golden file `name` (or writes it when blessing).
fn check(name: &str, lines: &[String]) {
    let path = golden_dir().join(name);
    let actual = lines.iter().map(|l| format!("{l}\n")).collect::<String>();
    if std::env::var_os("SENDLINT_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &actual).expect("write the golden file");
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (bless it with SENDLINT_BLESS=1)", path.display()));
    if expected == actual {
        return;
    }
    let exp: Vec<&str> = expected.lines().collect();
    let act: Vec<&str> = actual.lines().collect();
    let mut report = format!(
        "{name}: the report changed ({} golden lines, {} now); first differences:\n",
        exp.len(),
        act.len()
    );
    let mut shown = 0;
    for i in 0..exp.len().max(act.len()) {
        let (e, a) = (exp.get(i).copied(), act.get(i).copied());
        if e == a {
            continue;
        }
        report += &format!("line {}:\n{}", i + 1, line_diff(e.unwrap_or("<none>"), a.unwrap_or("<none>")));
        shown += 1;
        if shown == 3 {
            break;
        }
    }
    report += "A deliberate change: SENDLINT_BLESS=1 cargo nextest run -p sendlint-cli -E 'test(golden)', \
               and name every changed line in the commit.";
    panic!("{report}");
}

/// Two long lines shown from a little before where they first differ.
fn line_diff(expected: &str, actual: &str) -> String {
    let at = expected.bytes().zip(actual.bytes()).take_while(|(a, b)| a == b).count();
    let mut from = at.saturating_sub(120);
    while !expected.is_char_boundary(from) || !actual.is_char_boundary(from) {
        from -= 1;
    }
    let tail = |s: &str| -> String { s[from..].chars().take(400).collect() };
    format!("  golden: …{}\n  now:    …{}\n", tail(expected), tail(actual))
}

#[test]
fn golden_ws300_offline() {
    let lines = audit("tests/data/golden/ws300/manifest.json", &["--zone", "tests/data/golden/ws300/zones"]);
    assert_eq!(lines.len(), 300);
    check("ws300-offline.jsonl", &lines);
}

#[test]
fn golden_ws300_live() {
    let zones = ZoneSource::from_files(&[golden_dir().join("ws300/zones")]).expect("the golden zones load");
    let server = TestServer::start(&zones, Mode::Normal).expect("test server");
    let addr = server.addr();
    let ns = addr.to_string();
    let port = addr.port().to_string();
    let lines =
        audit("tests/data/golden/ws300/manifest.json", &["--nameserver", &ns, "--authoritative-port", &port]);
    assert_eq!(lines.len(), 300);
    let lines: Vec<String> = lines.iter().map(|l| l.replace(&ns, "127.0.0.1:PORT")).collect();
    check("ws300-live.jsonl", &lines);
}

/// The older copy of a golden zone file that the stale "resolver" serves:
/// in every third organization zone the DMARC records are not there yet, in
/// the next one the MAIL FROM MX still points at another region and the SPF
/// lacks the include. Provider and amazonses.com zones are unchanged.
fn stale(file: &str, text: &str) -> String {
    let Some(n) = file.strip_prefix("org").and_then(|f| f.strip_suffix(".test.zone")) else {
        return text.to_owned();
    };
    let n: u32 = n.parse().expect("orgNNNNNN.test.zone");
    let keep = |l: &&str| !(n.is_multiple_of(3) && l.starts_with("_dmarc"));
    text.lines()
        .filter(keep)
        .map(|l| {
            if n % 3 != 1 {
                return format!("{l}\n");
            }
            let l = l.replace("feedback-smtp.us-east-1.", "feedback-smtp.eu-west-1.");
            format!("{}\n", l.replace("v=spf1 include:amazonses.com ~all", "v=spf1 ~all"))
        })
        .collect()
}

#[test]
fn golden_ws300_live_stale_resolver() {
    let dir = golden_dir().join("ws300/zones");
    let current = ZoneSource::from_files(std::slice::from_ref(&dir)).expect("the golden zones load");
    let mut files: Vec<_> =
        std::fs::read_dir(&dir).expect("zones dir").map(|e| e.expect("dir entry").path()).collect();
    files.sort();
    let mut older = ZoneSource::new();
    let mut changed = 0;
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 file name");
        let text = std::fs::read_to_string(path).expect("zone file");
        let old = stale(name, &text);
        changed += usize::from(old != text);
        older.add(ZoneSource::from_text(name, &old, None).expect("the older zone loads"));
    }
    assert!(changed > 100, "only {changed} zones differ");
    let authority = TestServer::start(&current, Mode::Normal).expect("authoritative test server");
    let resolver = TestServer::start(&older, Mode::Normal).expect("resolver test server");
    let ns = resolver.addr().to_string();
    let port = authority.addr().port().to_string();
    let lines =
        audit("tests/data/golden/ws300/manifest.json", &["--nameserver", &ns, "--authoritative-port", &port]);
    assert_eq!(lines.len(), 300);
    let lines: Vec<String> = lines.iter().map(|l| l.replace(&ns, "127.0.0.1:PORT")).collect();
    check("ws300-live-stale.jsonl", &lines);
}

#[test]
fn golden_demo_offline() {
    let lines = audit("fixtures/demo/manifest.json", &["--zone", "fixtures/demo/zones"]);
    check("demo-offline.jsonl", &lines);
}

/// `--authoritative-port` is for test and benchmark rigs: accepted, not shown.
#[test]
fn golden_authoritative_port_is_hidden() {
    for cmd in ["check", "audit"] {
        let help = sendlint(&[cmd, "--help"]);
        assert!(help.status.success());
        assert!(!common::stdout(&help).contains("authoritative-port"), "{cmd} --help shows it");
    }
    let bad = sendlint(&["audit", "x.json", "--authoritative-port", "seventy"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--authoritative-port"), "{}", stderr(&bad));
}
