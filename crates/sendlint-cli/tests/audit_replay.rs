//! `audit --record FILE` and `audit --replay FILE`: a live audit recorded
//! once replays offline, with the servers gone, to the same JSON byte for
//! byte, on one thread or two; a question the recording lacks is an honest
//! failed lookup naming it; a broken or oversized recording is a clean error.

mod common;

use common::{root, scratch_dir, sendlint, stderr};
use sendlint_dns::ZoneSource;
use sendlint_testdns::{Mode, TestServer};
use std::path::{Path, PathBuf};
use std::process::Output;

const NOW: &str = "2026-11-26T06:00:00Z";
const WS300: &str = "tests/data/golden/ws300/manifest.json";

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// `audit --format json` with `extra`, its lines sorted by `index`.
fn audit(manifest: &str, extra: &[&str]) -> (Output, Vec<String>) {
    let mut args = vec!["audit", manifest, "--now", NOW, "--format", "json"];
    args.extend_from_slice(extra);
    let out = sendlint(&args);
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout.clone()).expect("JSON output is UTF-8");
    let mut lines: Vec<(u64, String)> = text
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("each line is JSON");
            (v["index"].as_u64().expect("each line has an index"), l.to_owned())
        })
        .collect();
    lines.sort_by_key(|(i, _)| *i);
    (out, lines.into_iter().map(|(_, l)| l).collect())
}

/// The `--stats` object on standard error.
fn stats(out: &Output) -> serde_json::Value {
    let err = stderr(out);
    let line = err.lines().rev().find(|l| l.starts_with('{')).expect("--stats prints a JSON line");
    serde_json::from_str(line).expect("stats are JSON")
}

/// Two test servers for ws300: the zones' own servers (golden zones) and a
/// "resolver" serving an older copy, where every third organization's DMARC
/// records are not there yet, so the audit asks the zones' own servers
/// (propagation) and the recording holds authoritative answers too.
fn servers() -> (TestServer, TestServer) {
    let dir = root().join("tests/data/golden/ws300/zones");
    let current = ZoneSource::from_files(std::slice::from_ref(&dir)).expect("the golden zones load");
    let mut older = ZoneSource::new();
    let mut files: Vec<PathBuf> =
        std::fs::read_dir(&dir).expect("zones dir").map(|e| e.expect("dir entry").path()).collect();
    files.sort();
    for path in &files {
        let name = path.file_name().and_then(|n| n.to_str()).expect("a UTF-8 file name");
        let text = std::fs::read_to_string(path).expect("zone file");
        let org = name.strip_prefix("org").and_then(|f| f.strip_suffix(".test.zone"));
        let old = match org.and_then(|n| n.parse::<u32>().ok()) {
            Some(n) if n.is_multiple_of(3) => {
                text.lines().filter(|l| !l.starts_with("_dmarc")).map(|l| format!("{l}\n")).collect()
            }
            _ => text,
        };
        older.add(ZoneSource::from_text(name, &old, None).expect("the older zone loads"));
    }
    let authority = TestServer::start(&current, Mode::Normal).expect("authoritative test server");
    let resolver = TestServer::start(&older, Mode::Normal).expect("resolver test server");
    (authority, resolver)
}

#[test]
fn a_live_audit_recorded_once_replays_offline_byte_for_byte_on_one_thread_or_two() {
    let dir_tmp = scratch_dir("replay-live");
    let dir = dir_tmp.path();
    let (rec, rec_again) = (dir.join("ws300.json"), dir.join("ws300-again.json"));
    let (authority, resolver) = servers();
    let ns = resolver.addr().to_string();
    let port = authority.addr().port().to_string();
    let live = |file: &Path| {
        audit(WS300, &["--nameserver", &ns, "--authoritative-port", &port, "--record", s(file), "--stats"])
    };
    let (out, live_lines) = live(&rec);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", stderr(&out));
    assert_eq!(live_lines.len(), 300);
    // the recording does not hide what was sent
    assert!(stats(&out)["wire"]["udp"].as_u64().is_some_and(|n| n > 0), "{}", stderr(&out));
    // the propagation checks ran, so the recording holds the zones' own answers
    let propagating = live_lines.iter().filter(|l| l.contains("dns.propagating")).count();
    assert!(propagating > 10, "only {propagating} lines say dns.propagating");
    // and the workspace checks, which read the manifest, not DNS
    for code in ["workspace.domain-in-use", "workspace.selector-reused"] {
        assert!(live_lines.iter().any(|l| l.contains(code)), "no {code}");
    }
    let text = std::fs::read_to_string(&rec).expect("the recording is written");
    assert!(text.contains("\"authoritative\": true"), "no authoritative answers recorded");
    // stable: the same answers make the same file
    let (_, again) = live(&rec_again);
    assert_eq!(again, live_lines);
    assert!(text == std::fs::read_to_string(&rec_again).expect("second recording"), "recordings differ");
    // no temporary file is left beside it
    let left: Vec<_> = std::fs::read_dir(dir).expect("dir").map(|e| e.expect("entry").file_name()).collect();
    assert_eq!(left.len(), 2, "{left:?}");

    // the network is gone
    drop((authority, resolver));
    for threads in ["1", "2"] {
        let (out, replayed) = audit(WS300, &["--replay", s(&rec), "--threads", threads, "--stats"]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert_eq!(replayed.len(), live_lines.len());
        for (i, (a, b)) in live_lines.iter().zip(&replayed).enumerate() {
            assert!(a == b, "--threads {threads}: entry {i} differs\nlive:   {a}\nreplay: {b}");
        }
        // nothing goes on the wire; every question was asked of the recording
        let st = stats(&out);
        assert!(st["wire"].is_null(), "{st}");
        assert!(st["queries"].as_u64().is_some_and(|n| n > 300), "{st}");
    }
}

/// The error as one line (miette wraps it at 100 columns).
fn flat(err: &str) -> String {
    err.split_whitespace().filter(|w| !matches!(*w, "│" | "×")).collect::<Vec<_>>().join(" ")
}

/// The demo domains, recorded from the demo zones.
fn demo_recording(dir: &Path, manifest: &str) -> (PathBuf, Vec<String>, Output) {
    let rec = dir.join("demo.json");
    let (out, lines) = audit(manifest, &["--zone", "fixtures/demo/zones", "--record", s(&rec)]);
    (rec, lines, out)
}

#[test]
fn entries_that_failed_are_recorded_and_a_question_the_recording_lacks_names_it() {
    let dir_tmp = scratch_dir("replay-miss");
    let dir = dir_tmp.path();
    // the demo workspace plus a broken entry: the run fails (exit 2), the
    // recording is still written and replays every line, the broken one too
    let mut manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("fixtures/demo/manifest.json")).expect("demo manifest"),
    )
    .expect("demo manifest is JSON");
    let domains = manifest["domains"].as_array_mut().expect("domains");
    domains.push(serde_json::json!({"org": "broken", "domain": "mail..broken.test"}));
    let with_bad = dir.join("with-bad.json");
    std::fs::write(&with_bad, manifest.to_string()).expect("write manifest");
    let (rec, recorded, out) = demo_recording(dir, s(&with_bad));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let (out, replayed) = audit(s(&with_bad), &["--replay", s(&rec)]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(replayed, recorded);

    // a domain the recording never saw: its records are failed lookups that
    // name the recording, the run goes on (exit 1, not 2)
    let domains = manifest["domains"].as_array_mut().expect("domains");
    domains.pop();
    domains[1]["domain"] = "mail.hooli.test".into();
    let other = dir.join("other.json");
    std::fs::write(&other, manifest.to_string()).expect("write manifest");
    let (out, replayed) = audit(s(&other), &["--replay", s(&rec)]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(replayed.len(), recorded.len() - 1);
    let missed = &replayed[1];
    assert!(missed.contains("mail.hooli.test"), "{missed}");
    assert!(missed.contains("dns.lookup-failed"), "{missed}");
    assert!(missed.contains(&format!("the recording {}", rec.display())), "{missed}");
    assert!(missed.contains("not in the recording"), "{missed}");
    for i in (0..replayed.len()).filter(|&i| i != 1) {
        assert_eq!(replayed[i], recorded[i], "entry {i} changed");
    }
}

#[test]
fn a_broken_oversized_or_foreign_recording_is_a_clean_error() {
    let dir_tmp = scratch_dir("replay-bad");
    let dir = dir_tmp.path();
    let (rec, _, out) = demo_recording(dir, "fixtures/demo/manifest.json");
    assert!(out.status.success() || out.status.code() == Some(1), "{}", stderr(&out));
    let good = std::fs::read_to_string(&rec).expect("recording");
    let bad = |name: &str, text: &[u8]| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path
    };
    let half = good.len() / 2;
    let truncated = bad("truncated.json", &good.as_bytes()[..half]);
    let bad_name =
        bad("bad-name.json", good.replacen("\"mail.acme.test\"", "\"mail..acme.test\"", 1).as_bytes());
    let foreign = bad("foreign.json", good.replacen("sendlint-dns-recording/1", "other/9", 1).as_bytes());
    let garbage = bad("garbage.json", b"\xff\xfe\x00{\"format\"\x1b[2J");
    let huge = dir.join("huge.json");
    std::fs::File::create(&huge)
        .and_then(|f| f.set_len(256 * 1024 * 1024 + 1))
        .expect("a sparse file over the cap");
    let cases: [(&Path, &[&str]); 5] = [
        (&truncated, &["line ", "column "]),
        (&bad_name, &["line ", "column ", "mail..acme.test"]),
        (&foreign, &["line 2, column ", "\"other/9\" is not"]),
        (&garbage, &["line 1, column "]),
        (&huge, &["256 MiB"]),
    ];
    for (path, says) in cases {
        let out = sendlint(&["audit", "fixtures/demo/manifest.json", "--replay", s(path), "--now", NOW]);
        let err = flat(&stderr(&out));
        assert_eq!(out.status.code(), Some(2), "{}: {err}", path.display());
        assert!(out.stdout.is_empty(), "{}: output before the error", path.display());
        assert!(err.contains("--replay") && err.contains(s(path)), "{err}");
        for word in says {
            assert!(err.contains(word), "{}: no {word:?} in {err}", path.display());
        }
        assert!(!err.contains("panicked") && !err.contains('\u{1b}'), "{err}");
    }
}

#[test]
fn replay_excludes_other_sources_and_record_fails_before_the_audit() {
    let dir_tmp = scratch_dir("replay-flags");
    let dir = dir_tmp.path();
    let (rec, _, _) = demo_recording(dir, "fixtures/demo/manifest.json");
    for other in [["--zone", "fixtures/demo/zones"], ["--nameserver", "127.0.0.1:53"], ["--record", "x.json"]]
    {
        let out =
            sendlint(&["audit", "fixtures/demo/manifest.json", "--replay", s(&rec), other[0], other[1]]);
        assert_eq!(out.status.code(), Some(2), "{other:?}");
        assert!(flat(&stderr(&out)).contains("cannot be used with"), "{}", stderr(&out));
    }
    // an unwritable recording path fails at once, before any domain is checked
    let nowhere = dir.join("no-such-dir/rec.json");
    let out = sendlint(&[
        "audit",
        "fixtures/demo/manifest.json",
        "--zone",
        "fixtures/demo/zones",
        "--format",
        "json",
        "--record",
        s(&nowhere),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(out.stdout.is_empty());
    let err = flat(&stderr(&out));
    assert!(err.contains("--record") && err.contains("no-such-dir"), "{err}");
    // never over the manifest or the output
    let manifest = dir.join("manifest.json");
    std::fs::copy(root().join("fixtures/demo/manifest.json"), &manifest).expect("copy");
    let before = std::fs::read(&manifest).expect("read");
    let spelled = dir.join(".").join("manifest.json");
    let out_file = dir.join("out.jsonl");
    for extra in [vec!["--record", s(&spelled)], vec!["--output", s(&out_file), "--record", s(&out_file)]] {
        let mut args = vec!["audit", s(&manifest), "--zone", "fixtures/demo/zones"];
        args.extend(extra);
        let out = sendlint(&args);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(flat(&stderr(&out)).contains("refusing to overwrite it"), "{}", stderr(&out));
    }
    assert_eq!(std::fs::read(&manifest).expect("read"), before, "the manifest is untouched");
    // documented where people look
    let help = common::stdout(&sendlint(&["audit", "--help"]));
    assert!(help.contains("--record <FILE>") && help.contains("--replay <FILE>"), "{help}");
}

/// Interrupted: FILE is left as it was, like `--output`; what was asked so
/// far is in `FILE.partial`, which replays every line already written.
#[test]
fn an_interrupted_audit_keeps_the_previous_recording_and_saves_the_partial_one() {
    use std::process::{Command, Stdio};
    const GEN: &str = "fixtures/workspace/generated/manifest.json";
    let dir_tmp = scratch_dir("replay-interrupted");
    let dir = dir_tmp.path();
    let (out_file, rec) = (dir.join("out.jsonl"), dir.join("rec.json"));
    std::fs::write(&rec, "previous\n").expect("write");
    let partial_out = dir.join("out.jsonl.partial");
    let child = Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args(["audit", GEN, "--zone", "fixtures/workspace/generated/zones", "--format", "json"])
        .args(["--now", NOW, "--jobs", "1", "--qps", "20", "--output", s(&out_file), "--record", s(&rec)])
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    common::interrupt_when(&child, &partial_out, |t| t.lines().count() >= 2);
    let out = child.wait_with_output().expect("wait");
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert_eq!(std::fs::read_to_string(&rec).expect("read"), "previous\n", "the previous recording, whole");
    let partial_rec = dir.join("rec.json.partial");
    assert!(flat(&stderr(&out)).contains(s(&partial_rec)), "{}", stderr(&out));
    let done: Vec<String> =
        std::fs::read_to_string(&partial_out).expect("lines done").lines().map(str::to_owned).collect();
    let (_, replayed) = audit(GEN, &["--replay", s(&partial_rec)]);
    for line in &done {
        assert!(replayed.contains(line), "not replayed as written: {line}");
    }
}
