//! `sendlint rules check DIR` and `sendlint rules docs`: the rule author's
//! workflow outside the repository.

mod common;
use common::{root, sendlint};

const PROVIDER: &str = r#"
[provider]
id = "acmedns"
name = "AcmeDNS"
nameservers = ["*.acmedns.test"]

[[help]]
code = "dkim.doubled-suffix"
help = "In AcmeDNS, set Host to the part of {name} before `.{zone}`."
"#;

/// A fixture of a doubled DKIM name in an AcmeDNS zone, expecting `expect`.
fn fixture(expect: &str) -> String {
    let key = std::fs::read_to_string(root().join("fixtures/keys/sf1-2048.b64")).expect("test key");
    let key = format!("p={}", key.trim());
    format!(
        r#"description = "doubled DKIM name at AcmeDNS"
expect = [{expect}]
[setup]
domain = "mail.acme.test"
region = "us-east-1"
selector = "sf1"
public_key_file = "keys/sf1.b64"
[[zone]]
text = '''
$ORIGIN acme.test.
$TTL 300
@ SOA ns1.acmedns.test. h.acme.test. 1 3600 600 604800 300
@ NS ns1.acmedns.test.
send.mail MX 10 feedback-smtp.us-east-1.amazonses.com.
send.mail TXT "v=spf1 include:amazonses.com ~all"
sf1._domainkey.mail.acme.test TXT "{}" "{}"
_dmarc.mail TXT "v=DMARC1; p=quarantine; rua=mailto:d@acme.test"
'''
"#,
        &key[..255],
        &key[255..]
    )
}

fn rules_dir(name: &str, files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::Builder::new()
        .prefix(&format!("sendlint-rules-check-{name}-"))
        .tempdir()
        .expect("scratch dir");
    let dir = tmp.path();
    for (path, text) in files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    let key = std::fs::read_to_string(root().join("fixtures/keys/sf1-2048.b64")).expect("test key");
    std::fs::create_dir_all(dir.join("fixtures/keys")).expect("mkdir");
    std::fs::write(dir.join("fixtures/keys/sf1.b64"), key).expect("write");
    tmp
}

#[test]
fn passing_fixtures_exit_0() {
    let good = fixture(r#""dkim.doubled-suffix""#);
    let dir_tmp = rules_dir(
        "pass",
        &[("providers/acmedns.toml", PROVIDER), ("fixtures/acmedns/doubled.toml", good.as_str())],
    );
    let dir = dir_tmp.path();
    let out = sendlint(&["rules", "check", dir.to_str().expect("utf-8")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("1 rule file from"), "{stdout}");
    assert!(stdout.contains("PASS acmedns/doubled.toml"), "{stdout}");
    assert!(stdout.contains("fixtures: 1, passed 1, failed 0"), "{stdout}");
}

#[test]
fn a_failing_fixture_exits_1_with_a_diff_of_codes() {
    let wrong = fixture(r#""dkim.missing""#);
    let dir_tmp = rules_dir(
        "fail",
        &[("providers/acmedns.toml", PROVIDER), ("fixtures/acmedns/doubled.toml", wrong.as_str())],
    );
    let dir = dir_tmp.path();
    let out = sendlint(&["rules", "check", dir.to_str().expect("utf-8")]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("FAIL acmedns/doubled.toml"), "{stdout}");
    assert!(stdout.contains("  - dkim.missing"), "{stdout}");
    assert!(stdout.contains("  + dkim.doubled-suffix"), "{stdout}");
}

#[test]
fn a_broken_rule_file_exits_2_pointing_into_it() {
    let broken = PROVIDER.replace("dkim.doubled-suffix", "dkim.doubled-sufix");
    let dir_tmp = rules_dir("broken", &[("providers/acmedns.toml", broken.as_str())]);
    let dir = dir_tmp.path();
    let out = sendlint(&["rules", "check", dir.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("acmedns.toml") && err.contains("dkim.doubled-sufix"), "{err}");
}

#[test]
fn rules_docs_prints_the_checked_in_reference() {
    let out = sendlint(&["rules", "docs"]);
    assert_eq!(out.status.code(), Some(0));
    let docs = std::fs::read_to_string(root().join("docs/rules.md")).unwrap_or_default();
    assert!(
        String::from_utf8_lossy(&out.stdout) == docs,
        "docs/rules.md is out of date: cargo run -p sendlint-cli -- rules docs > docs/rules.md"
    );
}
