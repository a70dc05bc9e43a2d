//! DNSSEC validation against a real DNS server: BIND's `dnssec-keygen` and
//! `dnssec-signzone` sign a parent zone `test.` (holding the DS of
//! `acme.test`) and `acme.test` at test time, BIND `named` serves both, and
//! `sendlint check --nameserver … --trust-anchor FILE` must report a valid
//! chain as secure (no DNSSEC code, every record Verified), and each broken
//! chain as the fault it is: expired signatures, a DS matching no key, a
//! record without RRSIG. Without the BIND tools the test is skipped, except
//! under CI (`CI` set), where it fails.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::bind::{Named, tools_present};
use common::{root, sendlint, stderr, stdout};
use serde_json::Value;

/// The fixtures' "now" (2026-11-26 06:00 UTC): signatures are dated around it.
const NOW: &str = "2026-11-26T06:00:00Z";
const VALID: [&str; 4] = ["-s", "20260101000000", "-e", "20270101000000"];
const EXPIRED: [&str; 4] = ["-s", "20260901000000", "-e", "20261101000000"];

fn on_path(name: &str) -> bool {
    std::env::var("PATH").unwrap_or_default().split(':').any(|d| Path::new(d).join(name).is_file())
}

fn tool(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(out.status.success(), "{program} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn keygen(dir: &Path, zone: &str, ksk: bool) -> String {
    let mut args = vec!["-q", "-a", "ECDSAP256SHA256"];
    if ksk {
        args.extend(["-f", "KSK"]);
    }
    args.push(zone);
    tool(dir, "dnssec-keygen", &args)
}

/// `text` signed with the two keys (their DNSKEYs added), comments dropped.
fn sign(dir: &Path, zone: &str, text: &str, ksk: &str, zsk: &str, times: &[&str]) -> String {
    let mut input = text.to_owned();
    for key in [ksk, zsk] {
        input.push_str(&std::fs::read_to_string(dir.join(format!("{key}.key"))).expect("key file"));
    }
    std::fs::write(dir.join("in.zone"), input).expect("write");
    let ksk_file = format!("{ksk}.key");
    let zsk_file = format!("{zsk}.key");
    let mut args: Vec<&str> = vec!["-q", "-P", "-o", zone];
    args.extend_from_slice(times);
    args.extend(["-k", ksk_file.as_str(), "-f", "out.zone", "in.zone", zsk_file.as_str()]);
    tool(dir, "dnssec-signzone", &args);
    let out = std::fs::read_to_string(dir.join("out.zone")).expect("signed zone");
    // named (and the test's Named) want the origin stated
    let body = out.lines().filter(|l| !l.starts_with(';')).collect::<Vec<_>>().join("\n");
    format!("$ORIGIN {zone}\n{body}\n")
}

const ACME: &str = "$ORIGIN acme.test.\n$TTL 300\n\
@ SOA ns1.dns.test. hostmaster.acme.test. 1 3600 600 604800 300\n\
@ NS ns1.dns.test.\n\
send.mail MX 10 feedback-smtp.us-east-1.amazonses.com.\n\
send.mail TXT \"v=spf1 include:amazonses.com ~all\"\n\
_dmarc.mail TXT \"v=DMARC1; p=none\"\n";

struct Keys {
    dir: PathBuf,
    test: (String, String),
    acme: (String, String),
    old: String,
}

fn parent(k: &Keys, ds_of: &str) -> String {
    let ds = tool(&k.dir, "dnssec-dsfromkey", &["-2", &format!("{ds_of}.key")]);
    let text = format!(
        "$ORIGIN test.\n$TTL 300\n@ SOA ns1.dns.test. hostmaster.test. 1 3600 600 604800 300\n@ NS ns1.dns.test.\nacme NS ns1.dns.test.\n{ds}\n"
    );
    sign(&k.dir, "test.", &text, &k.test.0, &k.test.1, &VALID)
}

/// `check` of mail.acme.test against named serving `zones`: the DNSSEC codes and the badges.
fn check(k: &Keys, scratch: &Path, zones: &[String]) -> (Vec<String>, Vec<String>) {
    let named = Named::start(scratch, zones).unwrap_or_else(|e| panic!("named: {e}"));
    let anchor = k.dir.join("anchor.key");
    let key = root().join("fixtures/keys/sf1-2048.b64");
    let out = sendlint(&[
        "check",
        "mail.acme.test",
        "--selector",
        "sf1",
        "--public-key-file",
        &key.display().to_string(),
        "--nameserver",
        &named.address(),
        "--trust-anchor",
        &anchor.display().to_string(),
        "--now",
        NOW,
        "--format",
        "json",
    ]);
    let report: Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("check JSON ({e}): {}", stderr(&out)));
    let mut codes: Vec<String> = Vec::new();
    let mut badges = Vec::new();
    for r in report["records"].as_array().into_iter().flatten() {
        badges.push(format!("{}={}", r["role"].as_str().unwrap_or(""), r["state"].as_str().unwrap_or("")));
        for d in r["diagnoses"].as_array().into_iter().flatten() {
            let code = d["code"].as_str().unwrap_or_default().to_owned();
            if code.starts_with("dnssec.") && !codes.contains(&code) {
                codes.push(code);
            }
        }
    }
    (codes, badges)
}

#[test]
fn named_serves_signed_zones_and_check_validates_them() {
    let tools = ["dnssec-keygen", "dnssec-signzone", "dnssec-dsfromkey"];
    if !tools_present() || !tools.iter().all(|t| on_path(t)) {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: named, dig and dnssec-keygen/dnssec-signzone/dnssec-dsfromkey must be installed (.ci/run installs bind9 bind9-utils)"
        );
        eprintln!("skipped: BIND tools missing (Debian: bind9 bind9-utils bind9-dnsutils)");
        return;
    }
    let scratch_dir = common::scratch_dir("dnssec-bind");
    let scratch = scratch_dir.path();
    let dir = scratch.join("keys");
    std::fs::create_dir_all(dir.join("old")).expect("mkdir");
    let k = Keys {
        test: (keygen(&dir, "test.", true), keygen(&dir, "test.", false)),
        acme: (keygen(&dir, "acme.test.", true), keygen(&dir, "acme.test.", false)),
        old: format!("old/{}", keygen(&dir.join("old"), "acme.test.", true)),
        dir: dir.clone(),
    };
    // the anchor: test.'s KSK, as dnssec-keygen wrote it
    std::fs::copy(dir.join(format!("{}.key", k.test.0)), dir.join("anchor.key")).expect("anchor");

    let good_parent = parent(&k, &k.acme.0);
    let valid = sign(&dir, "acme.test.", ACME, &k.acme.0, &k.acme.1, &VALID);

    let (codes, badges) = check(&k, &scratch.join("valid"), &[good_parent.clone(), valid.clone()]);
    assert_eq!(codes, Vec::<String>::new(), "a valid chain is secure and silent");
    assert!(badges.iter().take(2).all(|b| b.ends_with("=Verified")), "{badges:?}");

    let expired = sign(&dir, "acme.test.", ACME, &k.acme.0, &k.acme.1, &EXPIRED);
    let (codes, badges) = check(&k, &scratch.join("expired"), &[good_parent.clone(), expired]);
    assert_eq!(codes, ["dnssec.signature-expired"]);
    // (no DKIM record in this zone: absent stays Pending, the others fail)
    assert_eq!(badges, ["spf_mx=Failed", "spf_txt=Failed", "dkim=Pending", "dmarc=Failed"]);

    let (codes, _) = check(&k, &scratch.join("ds"), &[parent(&k, &k.old), valid.clone()]);
    assert_eq!(codes, ["dnssec.ds-matches-no-key"]);

    // the RRSIG over the MX removed: the MX alone is bogus
    let mut no_rrsig = String::new();
    let mut skipping = false;
    let mut after_mx = false;
    for line in valid.lines() {
        if line.starts_with("send.mail.acme.test.") && line.contains("MX") {
            after_mx = true;
        } else if after_mx && line.contains("RRSIG") && line.contains("MX") {
            skipping = true;
        }
        if skipping {
            if line.contains(')') {
                skipping = false;
                after_mx = false;
            }
            continue;
        }
        no_rrsig.push_str(line);
        no_rrsig.push('\n');
    }
    assert_ne!(no_rrsig, valid, "an RRSIG was removed");
    let (codes, badges) = check(&k, &scratch.join("no-rrsig"), &[good_parent, no_rrsig]);
    assert_eq!(codes, ["dnssec.unsigned-rrset"]);
    assert_eq!(badges[0], "spf_mx=Failed");
    assert_eq!(badges[1], "spf_txt=Verified");
}
