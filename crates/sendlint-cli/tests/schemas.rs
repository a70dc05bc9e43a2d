//! Every JSON output validates against its **published** schema
//! (docs/schema/*.json, the files users download), checked by an independent
//! validator (the `jsonschema` crate, JSON Schema draft 2020-12, formats
//! asserted): `check --format json` of the demo domains, every `audit --format
//! json` line (demo and ws300 workspaces, bad manifest entries, with and
//! without `--baseline`), `explain --format json` of records of every role,
//! and the CSV header against its published column list.
//! (The fixtures' reports are validated by tests/tests/schemas.rs.)

mod common;

use common::{root, scratch_dir, sendlint, stderr, stdout};
use serde_json::{Value, json};

const NOW: &str = "2026-11-26T06:00:00Z";

/// The validator of docs/schema/`name`.json, as published.
fn published(name: &str) -> jsonschema::Validator {
    let path = root().join(format!("docs/schema/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("docs/schema/{name}.json is not a valid schema: {e}"))
}

/// Panics with every error when `value` does not validate.
fn assert_valid(validator: &jsonschema::Validator, value: &Value, what: &str) {
    let errors: Vec<String> =
        validator.iter_errors(value).map(|e| format!("at {}: {e}", e.instance_path())).take(5).collect();
    let shown: String = value.to_string().chars().take(600).collect();
    assert!(errors.is_empty(), "{what} does not validate:\n  {}\nvalue: {shown}", errors.join("\n  "));
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect()
}

/// `audit --format json` lines of `manifest` with `extra` arguments.
fn audit(manifest: &str, zones: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec!["audit", manifest, "--zone", zones, "--now", NOW, "--format", "json"];
    args.extend_from_slice(extra);
    let out = sendlint(&args);
    assert!(matches!(out.status.code(), Some(0..=2)), "audit failed: {:?}\n{}", out.status, stderr(&out));
    json_lines(&stdout(&out))
}

/// The demo manifest with bad entries of every kind added: one whose domain is
/// no domain, one without a domain, one whose domain is not a string, one that
/// is not an object, and one with a field no entry has.
fn manifest_with_bad_entries(dir: &std::path::Path) -> String {
    let text = std::fs::read_to_string(root().join("fixtures/demo/manifest.json")).expect("demo manifest");
    let mut m: Value = serde_json::from_str(&text).expect("JSON");
    let domains = m["domains"].as_array_mut().expect("domains");
    domains.extend([
        json!({"org": "bad", "domain": "bad..name", "region": "us-east-1", "dkim_selector": "s1"}),
        json!({"org": "bad", "region": "us-east-1", "dkim_selector": "s1"}),
        json!({"domain": 5, "region": "us-east-1", "dkim_selector": "s1"}),
        json!(42),
        json!({"domain": "mail.extra.test", "region": "us-east-1", "dkim_selector": "s1", "colour": "red"}),
    ]);
    let path = dir.join("manifest-bad.json");
    std::fs::write(&path, m.to_string()).expect("write");
    path.display().to_string()
}

#[test]
fn check_json_of_every_demo_domain_validates() {
    let check = published("check");
    let text = std::fs::read_to_string(root().join("fixtures/demo/manifest.json")).expect("demo manifest");
    let m: Value = serde_json::from_str(&text).expect("JSON");
    let mut checked = 0;
    for e in m["domains"].as_array().expect("domains") {
        let s = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
        let (domain, selector, region, key) =
            (s("domain"), s("dkim_selector"), s("region"), s("dkim_public_key"));
        let mut args = vec!["check", &domain, "--selector", &selector, "--region", &region];
        args.extend(["--zone", "fixtures/demo/zones", "--now", NOW, "--format", "json"]);
        if !key.is_empty() {
            args.extend(["--public-key", &key]);
        }
        for registrar in [None, Some("godaddy")] {
            let mut args = args.clone();
            if let Some(r) = registrar {
                args.extend(["--registrar", r]);
            }
            let out = sendlint(&args);
            let report: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("check {domain}: not JSON ({e}): {}", stderr(&out)));
            assert_valid(&check, &report, &format!("check {domain} (registrar {registrar:?})"));
            checked += 1;
        }
    }
    assert_eq!(checked, 10);
}

#[test]
fn audit_lines_validate_with_and_without_a_baseline() {
    let line = published("audit-line");
    let dir_tmp = scratch_dir("schema-audit");
    let dir = dir_tmp.path();
    let bad = manifest_with_bad_entries(dir);
    let demo = "fixtures/demo/manifest.json";
    let zones = "fixtures/demo/zones";

    let plain = audit(&bad, zones, &[]);
    assert_eq!(plain.len(), 10, "5 demo entries and 5 bad ones");
    assert!(
        plain.iter().any(|l| l["domain"].is_null() && l.get("error").is_some()),
        "a bad entry without a domain"
    );
    for l in &plain {
        assert_valid(&line, l, "audit line");
    }

    // A baseline that differs: the demo audit of its own, and the audit with
    // bad entries compared with it (new, changed and unchanged lines), then
    // the other way round (removed lines).
    let baseline = dir.join("baseline.jsonl");
    let before = audit(demo, zones, &[]);
    std::fs::write(&baseline, before.iter().map(|l| format!("{l}\n")).collect::<String>()).expect("write");
    let base = baseline.display().to_string();
    let compared = audit(&bad, zones, &["--baseline", &base]);
    assert_eq!(compared.len(), 10);
    let bad_baseline = dir.join("bad-baseline.jsonl");
    std::fs::write(&bad_baseline, plain.iter().map(|l| format!("{l}\n")).collect::<String>()).expect("write");
    let removed = audit(demo, zones, &["--baseline", &bad_baseline.display().to_string()]);
    assert!(removed.iter().any(|l| l["removed"] == true), "domains of the baseline not audited now");
    for l in compared.iter().chain(&removed) {
        assert_valid(&line, l, "audit line with --baseline");
        // docs/json.md: with --baseline, every line has a `changes` object
        // (null only where the line has no domain to match).
        let changes = l.get("changes").unwrap_or_else(|| panic!("no `changes` with --baseline: {l}"));
        assert!(changes.is_object() || (changes.is_null() && l["domain"].is_null()), "{l}");
    }
    let statuses: std::collections::BTreeSet<&str> =
        compared.iter().chain(&removed).filter_map(|l| l["changes"]["status"].as_str()).collect();
    assert_eq!(statuses, ["new", "removed", "unchanged"].into_iter().collect());
}

#[test]
fn audit_lines_of_every_fault_kind_validate() {
    // ws300: every fault kind of the benchmark, misplaced records and refused zones included
    let line = published("audit-line");
    let manifest = "tests/data/golden/ws300/manifest.json";
    let lines = audit(manifest, "tests/data/golden/ws300/zones", &[]);
    assert_eq!(lines.len(), 300);
    for l in &lines {
        assert_valid(&line, l, "ws300 audit line");
    }
    // compared with its golden output while its zones are not loaded: changed lines
    let golden = "tests/data/golden/ws300-offline.jsonl";
    let lines = audit(manifest, "fixtures/demo/zones", &["--baseline", golden]);
    assert!(lines.iter().any(|l| l["changes"]["status"] == "changed"));
    for l in &lines {
        assert_valid(&line, l, "ws300 audit line with --baseline");
    }
}

#[test]
fn explain_json_of_every_role_validates() {
    let explain = published("explain");
    let key = common::KEY;
    let expected_dkim = format!("p={key}");
    let cases: Vec<Vec<&str>> = vec![
        vec!["--role", "spf_mx", "--", "10 feedback-smtp.us-east-1.amazonses.com."],
        vec![
            "--role",
            "spf_mx",
            "--domain",
            "mail.acme.test",
            "--",
            "send.mail.acme.test. 300 IN MX 10 feedback-smtp.us-east-1.amazonses.com.acme.test.",
        ],
        vec!["--role", "spf_mx", "--registrar", "godaddy", "--", "10 feedback-smtp.eu-west-1.amazonses.com"],
        vec!["--role", "spf_txt", "--", "\"v=spf1 include:amazonses.com ~all\""],
        vec!["--role", "spf_txt", "--registrar", "google", "--", "'v=spf1 include:amazonses.com ~all'"],
        vec!["--role", "spf_txt", "--", "v=spf1 include:_spf.google.com -all"],
        vec!["--role", "dkim", "--expected", &expected_dkim, "--", &expected_dkim],
        vec![
            "--role",
            "dkim",
            "--expected",
            key,
            "--",
            "\"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp2AQ\"",
        ],
        vec!["--role", "dkim", "--", "v=DKIM1; k=rsa; t=y; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQ"],
        vec!["--role", "dmarc", "--", "v=DMARC1; p=quarantne"],
        vec!["--role", "dmarc", "--domain", "mail.acme.test", "--", "v=DMARC1; p=none; aspf=s"],
        vec!["--role", "dmarc", "--", "_dmarc.mail.acme.test. 300 IN TXT \"v=DMARC1; p=reject\""],
    ];
    for case in &cases {
        let mut args = vec!["explain", "--format", "json"];
        args.extend(case.iter().copied());
        let out = sendlint(&args);
        let report: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("explain {case:?}: not JSON ({e}): {}", stderr(&out)));
        assert_valid(&explain, &report, &format!("explain {case:?}"));
    }
}

#[test]
fn records_json_validates() {
    let records = published("records");
    let key = common::KEY;
    for registrar in [None, Some("godaddy"), Some("cloudflare"), Some("namecheap"), Some("google")] {
        let mut args =
            vec!["records", "mail.acme.test", "--selector", "sf1", "--public-key", key, "--format", "json"];
        if let Some(r) = registrar {
            args.extend(["--registrar", r]);
        }
        let out = sendlint(&args);
        let value: Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("records {registrar:?}: not JSON ({e}): {}", stderr(&out)));
        assert_eq!(value.as_array().map(Vec::len), Some(4));
        assert_valid(&records, &value, &format!("records (registrar {registrar:?})"));
    }
}

/// The fields of one CSV row (RFC 4180: quoted fields may hold commas and `""`).
fn csv_fields(row: &str) -> Vec<String> {
    let (mut fields, mut field, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, row.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[test]
fn audit_csv_has_the_published_columns() {
    // docs/audit-at-scale.md publishes the column list
    let doc = std::fs::read_to_string(root().join("docs/audit-at-scale.md")).expect("doc");
    let published = doc
        .lines()
        .map(|l| l.trim().trim_matches('`'))
        .find(|l| l.starts_with("index,org,domain"))
        .expect("the column list in docs/audit-at-scale.md")
        .to_owned();
    let dir_tmp = scratch_dir("schema-csv");
    let dir = dir_tmp.path();
    let bad = manifest_with_bad_entries(dir);
    let out = sendlint(&["audit", &bad, "--zone", "fixtures/demo/zones", "--now", NOW, "--format", "csv"]);
    let text = stdout(&out);
    let mut rows = text.lines();
    assert_eq!(rows.next(), Some(published.as_str()));
    let columns = published.split(',').count();
    let rows: Vec<&str> = rows.collect();
    assert_eq!(rows.len(), 10);
    for row in rows {
        assert_eq!(csv_fields(row).len(), columns, "{row}");
    }
}

/// Every authoritative server of the zone, live, through the binary: three
/// in-process servers for acme.test on 127.0.0.11–13 (one port, given with
/// `--authoritative-port`), ns2 stale (an older serial, the DKIM record
/// missing, the previous SPF value), ns3 silent; the resolver stand-in on
/// 127.0.0.1 gives ns1–ns3 those addresses. The human report (snapshot) and
/// the JSON report, which validates against the published schema.
#[test]
fn every_server_check_reads_and_validates() {
    use sendlint_dns::ZoneSource;
    use sendlint_testdns::{Mode, TestServer};
    use std::net::{IpAddr, Ipv4Addr, SocketAddr};
    let zone = |serial: u32, stale: bool| {
        let (a, b) = common::KEY.split_at(200);
        let spf = if stale { "v=spf1 ~all" } else { "v=spf1 include:amazonses.com ~all" };
        let dkim = if stale { String::new() } else { format!("sf1._domainkey.mail TXT \"p={a}\" \"{b}\"\n") };
        let text = format!(
            "$ORIGIN acme.test.\n$TTL 300\n@ SOA ns1.acme.test. hostmaster.acme.test. {serial} 3600 600 604800 120\n\
             @ NS ns1.acme.test.\n@ NS ns2.acme.test.\n@ NS ns3.acme.test.\n\
             ns1 A 127.0.0.11\nns2 A 127.0.0.12\nns3 A 127.0.0.13\n\
             send.mail MX 10 feedback-smtp.us-east-1.amazonses.com.\nsend.mail TXT \"{spf}\"\n{dkim}\
             _dmarc.mail TXT \"v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.test\"\n"
        );
        ZoneSource::from_text("acme.test.zone", &text, None).expect("zone")
    };
    let at = |ip: u8, port: u16| SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, 0, 0, ip)), port);
    let servers = (0..20)
        .find_map(|_| {
            let first = TestServer::start_at(at(11, 0), &zone(2026112402, false), Mode::Normal).ok()?;
            let port = first.addr().port();
            let second = TestServer::start_at(at(12, port), &zone(2026112401, true), Mode::Normal).ok()?;
            let third = TestServer::start_at(at(13, port), &zone(2026112402, false), Mode::Silent).ok()?;
            Some([first, second, third])
        })
        .expect("a port free on 127.0.0.11–13");
    let resolver = TestServer::start(&zone(2026112402, false), Mode::Normal).expect("resolver");
    let (ns, port) = (resolver.addr().to_string(), servers[0].addr().port().to_string());
    let args = ["check", "mail.acme.test", "--selector", "sf1", "--region", "us-east-1"];
    let live =
        ["--nameserver", &ns, "--authoritative-port", &port, "--now", NOW, "--public-key", common::KEY];
    let human = sendlint(&[&args[..], &live[..]].concat());
    assert_eq!(human.status.code(), Some(1), "{}", stderr(&human));
    insta::assert_snapshot!("every_server_check_human", stdout(&human));
    let json = sendlint(&[&args[..], &live[..], &["--format", "json"][..]].concat());
    let report: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_valid(&published("check"), &report, "check with a stale and a silent server");
    let codes: Vec<&str> = report["records"]
        .as_array()
        .expect("records")
        .iter()
        .flat_map(|r| r["diagnoses"].as_array().expect("diagnoses"))
        .map(|d| d["code"].as_str().expect("code"))
        .collect();
    assert_eq!(codes, ["dns.server-unreachable", "dns.server-differs"], "{report:#}");
}
