//! `sendlint audit` with a streamed manifest (read back from the file entry
//! by entry, larger than what the first pass reads at a time), standard
//! input manifests, and zone-file audits judged on a rayon pool.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod common;
use common::{root, sendlint, stdout};

const NOW: &str = "2026-11-26T06:00:00Z";
const GEN: &str = "fixtures/workspace/generated/manifest.json";
const GEN_ZONES: &str = "fixtures/workspace/generated/zones";

fn by_index(out: &Output) -> BTreeMap<u64, Value> {
    let mut lines = BTreeMap::new();
    for line in stdout(out).lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let index = v["index"].as_u64().expect("index");
        assert!(lines.insert(index, v).is_none(), "index {index} twice");
    }
    lines
}

/// Runs the binary with `args` and `input` on standard input.
fn with_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input).expect("write stdin");
    drop(stdin);
    child.wait_with_output().expect("output")
}

/// Two bad entries: a bad field value, a value of the wrong type.
const BAD: [&str; 2] = [
    r#"{"org": "x", "domain": "mail.bad.test", "region": "mars-1", "dkim_selector": "s1"}"#,
    r#"{"org": "x", "domain": 7, "region": "us-east-1", "dkim_selector": "s1"}"#,
];

/// `line:column` (1-based, columns in characters) of byte `at` of `text`.
fn line_column(text: &str, at: usize) -> String {
    let line = text[..at].matches('\n').count() + 1;
    format!("{line}:{}", text[text[..at].rfind('\n').map_or(0, |n| n + 1)..at].chars().count() + 1)
}

/// A manifest of entries plus bad ones, over 1 MiB (more than
/// the first pass reads at a time), minified or one entry per line.
fn big_manifest(minified: bool) -> (String, Vec<usize>) {
    let good: Vec<Value> = serde_json::from_str::<Value>(
        &std::fs::read_to_string(root().join(GEN)).expect("generated manifest"),
    )
    .expect("JSON")["domains"]
        .as_array()
        .expect("domains")
        .clone();
    let mut entries: Vec<String> = Vec::new();
    let mut bad = Vec::new();
    let mut i = 0;
    // blanks between entries make the file big with few entries to check
    let pad = " ".repeat(4_000);
    while entries.iter().map(|e| e.len() + pad.len()).sum::<usize>() < 1_200_000 {
        entries.push(good[i % good.len()].to_string());
        i += 1;
    }
    for (k, text) in BAD.into_iter().enumerate() {
        let at = entries.len() - 3 - 40 * k;
        entries.insert(at, text.to_owned());
        bad.push(at);
    }
    bad.sort_unstable();
    let text = if minified {
        format!(r#"{{"domains":[{}]}}"#, entries.join(&format!(",{pad}")))
    } else {
        format!("{{\n  \"domains\": [\n    {}\n  ]\n}}\n", entries.join(&format!(",{pad}\n    ")))
    };
    (text, bad)
}

#[test]
fn entry_errors_of_a_streamed_manifest_point_at_their_place_in_the_file() {
    let dir_tmp = common::scratch_dir("audit-stream-errors");
    let dir = dir_tmp.path();
    for minified in [true, false] {
        let (text, bad) = big_manifest(minified);
        assert!(text.len() > 1 << 20);
        let path = dir.join(if minified { "mini.json" } else { "lines.json" });
        std::fs::write(&path, &text).expect("write");
        let path = path.to_str().expect("utf-8");
        let out = sendlint(&["audit", path, "--zone", GEN_ZONES, "--now", NOW, "--jobs", "8"]);
        assert_eq!(out.status.code(), Some(2), "bad entries are bad input");
        let human = stdout(&out);
        // a bad field: the whole entry, from its first byte
        let start = text.find(BAD[0]).expect("bad entry");
        let header = format!("[{path}:{}]", line_column(&text, start));
        assert!(human.contains(&header), "minified {minified}: no {header} in the output");
        // a value of the wrong type: where serde_json stops, at the 7
        let seven = text.find(BAD[1]).expect("bad entry") + BAD[1].find('7').expect("7");
        let at = line_column(&text, seven);
        assert!(human.contains(&format!("[{path}:{at}]")), "minified {minified}: not at {at}");
        assert!(human.contains(&format!("expected a string at line {}", at.replace(':', " column "))));
        assert!(human.contains(&format!("manifest entry {}:", bad[0])), "{minified}");
        assert!(human.contains("mars-1"), "the window shows the entry");
    }
}

#[test]
fn a_manifest_on_standard_input_is_audited_as_the_file_is() {
    let file = sendlint(&["audit", GEN, "--zone", GEN_ZONES, "--format", "json", "--now", NOW]);
    let text = std::fs::read(root().join(GEN)).expect("manifest");
    let piped = with_stdin(&["audit", "-", "--zone", GEN_ZONES, "--format", "json", "--now", NOW], &text);
    assert_eq!(piped.status.code(), file.status.code());
    assert_eq!(by_index(&piped), by_index(&file));
    // and its bad entries are drawn from the spooled copy, named `-`
    let (big, bad) = big_manifest(false);
    let out = with_stdin(&["audit", "-", "--zone", GEN_ZONES, "--now", NOW], big.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    let human = stdout(&out);
    assert!(human.contains(&format!("manifest entry {}:", bad[0])), "{}", common::stderr(&out));
    assert!(human.contains("[-:"), "the source is named -");
    // not a manifest: the parser's error, as for a file
    let out = with_stdin(&["audit", "-", "--zone", GEN_ZONES], b"{\"domains\": [1,]}");
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("not a workspace manifest"), "{}", common::stderr(&out));
}

#[test]
fn zone_audits_on_rayon_report_what_the_async_path_reports() {
    // `--qps` keeps an audit on the async path (it waits on a clock)
    let run = |extra: &[&str]| {
        let mut args = vec!["audit", GEN, "--zone", GEN_ZONES, "--format", "json", "--now", NOW];
        args.extend_from_slice(extra);
        let out = sendlint(&args);
        (out.status.code(), by_index(&out))
    };
    let async_path = run(&["--qps", "1000000000"]);
    assert_eq!(async_path.0, Some(1));
    for threads in ["1", "2", "7"] {
        assert_eq!(run(&["--threads", threads]), async_path, "--threads {threads}");
    }
    assert_eq!(run(&["--threads", "2", "--shard", "1/3"]).1.len(), {
        let shard = run(&["--qps", "1000000000", "--shard", "1/3"]).1;
        assert!(shard.values().all(|l| async_path.1[&l["index"].as_u64().expect("index")] == *l));
        shard.len()
    });
    // one thread and one job: both in manifest order, so the human report is the same text
    let human = |extra: &[&str]| {
        let mut args = vec!["audit", GEN, "--zone", GEN_ZONES, "--now", NOW, "--jobs", "1", "--threads", "1"];
        args.extend_from_slice(extra);
        stdout(&sendlint(&args))
    };
    assert_eq!(human(&[]), human(&["--qps", "1000000000"]));
}
