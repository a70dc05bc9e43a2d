//! `sendlint fix` on the demo workspace: every form for the demo's broken
//! domain (mail.globex.test, hosted at GoDaddy: the MX priority typed into
//! the value, the DKIM key wrapped in quotes) as snapshots, the exit
//! statuses, and every demo domain's `--format json` against the published
//! schema (docs/schema/fix.json, the `jsonschema` crate as validator).
//! The closed loop against BIND is tests/fix_bind.rs; hostile values are
//! tests/fix_hostile.rs.

mod common;

use common::{root, sendlint, stderr, stdout};
use serde_json::Value;

const NOW: &str = "2026-11-26T06:00:00Z";

/// The setup flags of each demo domain, from fixtures/demo/manifest.json.
fn demo() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(root().join("fixtures/demo/manifest.json")).expect("demo manifest");
    let m: Value = serde_json::from_str(&text).expect("JSON");
    m["domains"]
        .as_array()
        .expect("domains")
        .iter()
        .map(|d| {
            let domain = d["domain"].as_str().expect("domain").to_owned();
            let mut a = vec![
                domain.clone(),
                "--selector".into(),
                d["dkim_selector"].as_str().expect("selector").into(),
                "--region".into(),
                d["region"].as_str().expect("region").into(),
                "--public-key".into(),
                d["dkim_public_key"].as_str().expect("key").into(),
                "--zone".into(),
                "fixtures/demo/zones".into(),
                "--now".into(),
                NOW.into(),
            ];
            if let Some(m) = d["mail_from"].as_str() {
                a.extend(["--mail-from".into(), m.into()]);
            }
            (domain, a)
        })
        .collect()
}

fn fix(flags: &[String], extra: &[&str]) -> std::process::Output {
    let mut args = vec!["fix"];
    args.extend(flags.iter().map(String::as_str));
    args.extend_from_slice(extra);
    sendlint(&args)
}

fn globex() -> Vec<String> {
    demo().into_iter().find(|(d, _)| d == "mail.globex.test").expect("globex in the demo").1
}

#[test]
fn every_form_for_the_demo_broken_domain() {
    let flags = globex();
    for form in ["human", "nsupdate", "route53", "cloudflare", "terraform", "zone"] {
        let out = fix(&flags, &["--as", form]);
        assert_eq!(out.status.code(), Some(1), "{form}: a change-set is printed: {}", stderr(&out));
        insta::assert_snapshot!(format!("fix_globex_{form}"), stdout(&out));
    }
    let out = fix(&flags, &["--as", "terraform", "--registrar", "cloudflare"]);
    insta::assert_snapshot!("fix_globex_terraform_cloudflare", stdout(&out));
    let out = fix(&flags, &["--format", "json"]);
    let value: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    insta::assert_snapshot!("fix_globex_json", serde_json::to_string_pretty(&value).expect("JSON"));
}

#[test]
fn exit_statuses() {
    let all = demo();
    let acme = &all.iter().find(|(d, _)| d == "mail.acme.test").expect("acme").1;
    let out = fix(acme, &[]);
    assert_eq!(out.status.code(), Some(0), "nothing to change: {}", stdout(&out));
    assert!(stdout(&out).contains("Nothing to change"), "{}", stdout(&out));
    let out = fix(acme, &["--as", "nsupdate"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stdout(&out).lines().any(|l| l == "send"), "no update is sent: {}", stdout(&out));
    let out = sendlint(&["fix", "not a domain", "--selector", "s1", "--zone", "fixtures/demo/zones"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = fix(&globex(), &["--as", "route53", "--format", "json"]);
    assert_eq!(out.status.code(), Some(2), "--as with --format json is refused");
    let out = fix(&globex(), &["--as", "bind"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn json_of_every_demo_domain_validates_against_the_published_schema() {
    let text = std::fs::read_to_string(root().join("docs/schema/fix.json")).expect("docs/schema/fix.json");
    let schema: Value = serde_json::from_str(&text).expect("JSON");
    let validator =
        jsonschema::options().should_validate_formats(true).build(&schema).expect("a valid schema");
    for (domain, flags) in demo() {
        let out = fix(&flags, &["--format", "json"]);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{domain}: {}", stderr(&out));
        let value: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
        let errors: Vec<String> =
            validator.iter_errors(&value).map(|e| format!("{}: {e}", e.instance_path())).collect();
        assert!(errors.is_empty(), "{domain}: {errors:?}\n{value}");
        // deletions first, then additions, each with its TTL
        let ops: Vec<&str> = value["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(|c| c["op"].as_str().unwrap_or(""))
            .collect();
        assert!(ops.windows(2).all(|w| !(w[0] == "add" && w[1] == "delete")), "{domain}: {ops:?}");
    }
}

/// With context missing (no DKIM key, no DNS host, no zone for the domain) the
/// text claims only what was compared and shows no empty value.
#[test]
fn missing_context_claims_only_what_was_compared() {
    let dir = common::scratch_dir("fix-missing-context");
    let zone = dir.path().join("foo.test.zone");
    std::fs::write(
        &zone,
        "$ORIGIN foo.test.\n$TTL 300\n@ SOA ns1.foo.test. h.foo.test. 1 3600 600 604800 300\n@ NS ns1.foo.test.\n\
         send.mail MX 10 feedback-smtp.us-east-1.amazonses.com.\n\
         send.mail TXT \"v=spf1 include:amazonses.com ~all\"\n\
         sf1._domainkey.mail TXT \"p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\"\n\
         _dmarc.mail TXT \"v=DMARC1; p=none\"\n",
    )
    .expect("zone");
    let zone = zone.to_str().expect("UTF-8");
    for domain in ["mail.foo.test", "mail.bar.test"] {
        let out = sendlint(&["fix", domain, "--selector", "sf1", "--region", "us-east-1", "--zone", zone]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{domain}: {}", stderr(&out));
        assert!(
            !text.contains("already holds what SES needs"),
            "{domain}: claims what was not compared:\n{text}"
        );
        assert!(text.contains("were not compared"), "{domain}:\n{text}");
        assert!(!text.contains("()") && !text.contains("zone :") && !text.contains("DNS host: )"), "{text}");
    }
}
