//! `--zone` papercuts, end to end: escapes spelled either way, files that are
//! not zone files, files that do not exist, paths that load nothing, and a
//! domain no loaded zone covers.

mod common;
use common::{sendlint, stderr, stdout};

const NOW: &str = "2026-11-26T06:00:00Z";

fn tmp(name: &str) -> tempfile::TempDir {
    common::scratch_dir(&format!("zonefiles-{name}"))
}

fn check_with(zone: &str) -> std::process::Output {
    sendlint(&["check", "mail.acme.test", "--selector", "sf1", "--zone", zone, "--now", NOW])
}

const HEAD: &str =
    "$ORIGIN acme.test.\n$TTL 300\n@ SOA ns1.acme.test. hostmaster.acme.test. 1 3600 600 604800 300\n";

/// `a\046b` and `a\.b` are the same name (a label holding a dot): both load.
#[test]
fn an_escaped_dot_loads_whichever_way_it_is_spelled() {
    let dir_tmp = tmp("escapes");
    let dir = dir_tmp.path();
    for (file, owner) in [("decimal.zone", r"a\046b"), ("backslash.zone", r"a\.b")] {
        let path = dir.join(file);
        std::fs::write(&path, format!("{HEAD}{owner} TXT \"x\"\n")).expect("write");
        let out = check_with(path.to_str().expect("utf-8"));
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{owner} loads: {err}");
        assert!(!err.contains("Err(Errors)"), "{err}");
    }
}

/// hickory's `Label contains invalid characters: Err(Errors)` never reaches a person.
#[test]
fn no_internal_error_text_in_zone_errors() {
    let dir_tmp = tmp("internal");
    let dir = dir_tmp.path();
    let path = dir.join("bad.zone");
    std::fs::write(&path, format!("{HEAD}a%b TXT \"x\"\n")).expect("write");
    let out = check_with(path.to_str().expect("utf-8"));
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(!err.contains("Err(") && err.contains("cannot hold as is"), "{err}");
    assert!(err.contains("bad.zone:4:"), "points at the record: {err}");
}

#[test]
fn a_json_file_given_as_a_zone_says_it_is_not_a_zone_file() {
    let out = check_with("fixtures/demo/manifest.json");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("this is JSON, not a zone file"), "{err}");
    assert!(err.contains("manifest.json:"), "points into the file: {err}");
    assert!(!err.contains("Label contains invalid characters") && !err.contains("Err(Errors)"), "{err}");
}

#[test]
fn a_missing_zone_file_prints_the_os_error_once() {
    let out = check_with("no/such/acme.test.zone");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no/such/acme.test.zone"), "{err}");
    assert_eq!(err.matches("No such file or directory").count(), 1, "{err}");
}

/// An empty directory loads nothing: said, not silent. `/dev/null` is not a
/// regular file: refused by the input guard (exit 2), never read as an empty zone.
#[test]
fn a_zone_path_that_loads_nothing_is_warned_about() {
    let empty_tmp = tmp("empty-dir");
    let empty = empty_tmp.path();
    let zone = empty.to_str().expect("utf-8");
    let out = check_with(zone);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(&format!("warning: --zone {zone}")) && err.contains("nothing was loaded"), "{err}");
    let out = check_with("/dev/null");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("/dev/null") && err.contains("not a regular file"), "{err}");
    // a path that loads something is not warned about
    let out = check_with("fixtures/demo/zones");
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}

/// Offline, a domain in no loaded zone names what is missing; nothing says
/// "retry in a minute" (no server failed).
#[test]
fn a_domain_under_no_loaded_zone_says_which_zone_file_is_missing() {
    let out = sendlint(&[
        "check",
        "mail.acme.test",
        "--selector",
        "sf1",
        "--zone",
        "fixtures/demo/zones/globex.test.zone",
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    for record in report["records"].as_array().expect("records") {
        assert_eq!(record["state"], "Pending");
        assert_eq!(record["diagnoses"], serde_json::json!([]), "said once, for the domain: {record}");
    }
    let domain = report["diagnoses"].as_array().expect("diagnoses");
    assert_eq!(domain.len(), 1, "one diagnosis for the domain: {report:#}");
    let d = &domain[0];
    assert_eq!(d["code"], "dns.zone-not-loaded", "{d}");
    let text = d.to_string();
    assert!(text.contains("loaded: globex.test") && text.contains("--zone"), "{text}");
    assert!(!text.to_lowercase().contains("retry"), "{text}");
    assert!(!text.contains("did you mean"), "acme.test is not a typo of globex.test: {text}");
}

/// A mistyped domain offline: one diagnosis for the domain, naming the loaded
/// zone it most likely meant; the verdict names it rather than reading "Pending".
#[test]
fn a_mistyped_domain_offline_is_one_diagnosis_with_did_you_mean() {
    let args =
        ["check", "mail.acme.tset", "--selector", "sf1", "--zone", "fixtures/demo/zones", "--now", NOW];
    let human = sendlint(&args);
    assert_eq!(human.status.code(), Some(1), "{}", stderr(&human));
    let text = stdout(&human);
    let blocks = text.lines().filter(|l| l.trim() == "dns.zone-not-loaded").count();
    assert_eq!(blocks, 1, "one block, not four: {text}");
    assert!(text.contains("sending locked: dns.zone-not-loaded; 1 error, 0 warnings"), "{text}");
    let flat = text.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
    assert!(flat.contains("did you mean mail.acme.test?"), "{text}");

    let json = sendlint(&[&args[..], &["--format", "json"]].concat());
    let report: serde_json::Value = serde_json::from_str(&stdout(&json)).expect("JSON");
    assert_eq!(report["sending_unlocked"], false);
    let message = report["diagnoses"][0]["message"].as_str().expect("message");
    assert!(
        message.starts_with("no zone file covers mail.acme.tset (loaded: acme.test,")
            && message.ends_with("did you mean mail.acme.test?"),
        "{message}"
    );
}
