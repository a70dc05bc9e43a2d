//! `audit --fix-dir DIR --as FORM`: one change-set per entry that needs one,
//! named by its domain, each what `sendlint fix` prints for that entry; no
//! file for a clean domain or one whose lookups failed; no manifest domain
//! writes outside DIR.

mod common;

use std::fs;
use std::path::Path;

use common::{root, scratch_dir, sendlint, stderr, stdout};

const NOW: &str = "2026-11-26T06:00:00Z";

fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("the dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_demo_workspace_gets_a_change_set_per_broken_domain() {
    let scratch = scratch_dir("audit-fix-demo");
    let dir = scratch.path().join("fixes");
    let _ = fs::remove_dir_all(&dir);
    let d = dir.to_str().expect("utf-8 path");
    let out = sendlint(&[
        "audit",
        "fixtures/demo/manifest.json",
        "--zone",
        "fixtures/demo/zones",
        "--now",
        NOW,
        "--fix-dir",
        d,
        "--as",
        "route53",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    // mail.acme.test is clean: no file
    assert_eq!(
        names(&dir),
        ["hooli.test.json", "mail.globex.test.json", "mail.umbrella.test.json", "news.initech.test.json"]
    );
    let said = format!("fix: 4 change-sets written to {d}");
    assert!(stderr(&out).contains(&said), "{}", stderr(&out));
    assert!(stdout(&out).contains(&said), "the human summary says it too: {}", stdout(&out));

    // each file is what `sendlint fix` prints for the entry
    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(root().join("fixtures/demo/manifest.json")).expect("manifest"),
    )
    .expect("json");
    let hooli = &manifest["domains"][4];
    assert_eq!(hooli["domain"], "hooli.test");
    let key = hooli["dkim_public_key"].as_str().expect("key");
    let fix = sendlint(&[
        "fix",
        "hooli.test",
        "--selector",
        "hooli",
        "--public-key",
        key,
        "--zone",
        "fixtures/demo/zones",
        "--now",
        NOW,
        "--as",
        "route53",
    ]);
    assert_eq!(fix.status.code(), Some(1), "{}", stderr(&fix));
    assert_eq!(fs::read_to_string(dir.join("hooli.test.json")).expect("the file"), stdout(&fix));
    let _ = fs::remove_dir_all(dir.parent().expect("scratch"));
}

#[test]
fn no_manifest_domain_writes_outside_the_directory() {
    let scratch_tmp = scratch_dir("audit-fix-hostile");
    let scratch = scratch_tmp.path();
    let zone = "$ORIGIN evil.test.\n$TTL 300\n@ SOA ns1.evil.test. h.evil.test. 1 3600 600 604800 300\n\
                @ NS ns1.evil.test.\nsend.mail MX 10 feedback-smtp.eu-west-1.amazonses.com.\n\
                send.a\\047b MX 10 feedback-smtp.eu-west-1.amazonses.com.\n";
    fs::write(scratch.join("evil.test.zone"), zone).expect("zone");
    let entry =
        |domain: &str| serde_json::json!({"domain": domain, "region": "us-east-1", "dkim_selector": "s1"});
    let manifest = serde_json::json!({"domains": [
        entry("../../escape.test"),
        entry("a/b.evil.test"),
        entry("a\\047b.evil.test"),
        entry("..evil.test"),
        entry("MAIL.Evil.test."),
        entry("mail.evil.test"),
        entry("mail.nowhere.test"),
    ]});
    fs::write(scratch.join("m.json"), manifest.to_string()).expect("manifest");
    // a link planted where a change-set goes is replaced, not followed
    let dir = scratch.join("out");
    fs::create_dir_all(&dir).expect("out");
    fs::write(scratch.join("victim"), "untouched").expect("victim");
    #[cfg(unix)]
    std::os::unix::fs::symlink("../victim", dir.join("mail.evil.test.txt")).expect("symlink");

    let s = scratch.to_str().expect("utf-8");
    let out = sendlint(&[
        "audit",
        &format!("{s}/m.json"),
        "--zone",
        &format!("{s}/evil.test.zone"),
        "--now",
        NOW,
        "--format",
        "json",
        "--fix-dir",
        &format!("{s}/out"),
    ]);
    // the bad entries make it exit 2; the others still get their files
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(names(scratch), ["evil.test.zone", "m.json", "out", "victim"], "nothing written beside DIR");
    // the same domain twice (spelled two ways): the second gets its index; the
    // domain whose lookups fail gets none
    assert_eq!(names(&dir), ["mail.evil.test-5.txt", "mail.evil.test.txt"]);
    assert!(!dir.join("mail.evil.test.txt").is_symlink());
    assert_eq!(fs::read_to_string(scratch.join("victim")).expect("victim"), "untouched");
    assert!(stderr(&out).contains("fix: 2 change-sets written to"), "{}", stderr(&out));
    assert!(stderr(&out).contains("1 more domain(s) need a change that cannot be given"), "{}", stderr(&out));
}
