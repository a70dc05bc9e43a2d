//! `sendlint explain` judges everything that was pasted (issue #18, section 1):
//! the owner name as `check` judges a published name, the role the name or
//! value tells, values as customers type them, and an "expected" value that
//! keeps the customer's intent.

mod common;
use common::{KEY, root, sendlint, stderr, stdout};
use serde_json::Value;

/// Runs `explain --format json` with `args`, then `--` and `raw`.
fn explain(args: &[&str], raw: &str) -> (Option<i32>, Value, String) {
    let mut all = vec!["explain", "--format", "json"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--", raw]);
    let out = sendlint(&all);
    let v: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{args:?} {raw:?}: {e}: {}{}", stdout(&out), stderr(&out)));
    (out.status.code(), v, stderr(&out))
}

fn codes(v: &Value) -> Vec<String> {
    v["diagnoses"]
        .as_array()
        .map(|a| a.iter().filter_map(|d| d["code"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn diagnosis<'a>(v: &'a Value, code: &str) -> &'a Value {
    v["diagnoses"]
        .as_array()
        .and_then(|a| a.iter().find(|d| d["code"] == code))
        .unwrap_or_else(|| panic!("no {code} in {v}"))
}

/// The seed's headline mistake, for every role: a full name typed into a
/// form that appends the zone.
#[test]
fn explain_reports_a_doubled_suffix_for_every_role() {
    let cases = [
        (
            "spf_txt",
            r#"send.mail.acme.com.acme.com. 300 IN TXT "v=spf1 include:amazonses.com ~all""#.to_owned(),
            "spf.doubled-suffix",
            "send.mail.acme.com",
        ),
        (
            "spf_mx",
            "send.mail.acme.com.acme.com. 300 IN MX 10 feedback-smtp.us-east-1.amazonses.com.".to_owned(),
            "mx.doubled-suffix",
            "send.mail.acme.com",
        ),
        (
            "dkim",
            format!(
                r#"sf1._domainkey.mail.acme.com.acme.com. 300 IN TXT "p={}" "{}""#,
                &KEY[..200],
                &KEY[200..]
            ),
            "dkim.doubled-suffix",
            "sf1._domainkey.mail.acme.com",
        ),
        (
            "dmarc",
            r#"_dmarc.mail.acme.com.acme.com. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:d@acme.com""#
                .to_owned(),
            "dmarc.doubled-suffix",
            "_dmarc.mail.acme.com",
        ),
    ];
    for (role, raw, code, name) in &cases {
        // With the domain given, and from the name alone.
        for domain in [&["--domain", "mail.acme.com"][..], &[]] {
            let mut args = vec!["--role", role];
            if *role == "dkim" {
                args.extend_from_slice(&["--expected", KEY]);
            }
            args.extend_from_slice(domain);
            let (exit, v, _) = explain(&args, raw);
            assert_eq!(codes(&v), [*code], "{args:?}: {v}");
            assert_eq!(v["state"], "Failed", "{v}");
            assert_eq!(exit, Some(1));
            assert_eq!(v["name"], *name, "{v}");
            assert_eq!(v["found_at"], format!("{name}.acme.com"), "{v}");
            let message = diagnosis(&v, code)["message"].as_str().unwrap_or_default().to_owned();
            assert!(message.contains("appended acme.com"), "{message}");
        }
    }
}

/// A name that is not the role's for the domain is never Verified; nor is a
/// DKIM key under another selector than the one given.
#[test]
fn explain_reports_a_name_that_is_not_where_the_record_belongs() {
    let dmarc = r#"_dmarc.totally.other.org. 300 IN TXT "v=DMARC1; p=none; rua=mailto:d@other.org""#;
    let (exit, v, _) = explain(&["--role", "dmarc", "--domain", "mail.acme.com"], dmarc);
    assert_eq!(codes(&v), ["dmarc.wrong-name", "dmarc.policy-none"], "{v}");
    assert_eq!((v["state"].as_str(), exit), (Some("Failed"), Some(1)), "{v}");
    assert_eq!(v["name"], "_dmarc.mail.acme.com");
    assert_eq!(v["found_at"], "_dmarc.totally.other.org");

    let dkim = format!("sf2._domainkey.mail.acme.com. 300 IN TXT \"p={KEY}\"");
    let (_, v, _) = explain(&["--domain", "mail.acme.com", "--selector", "sf1", "--expected", KEY], &dkim);
    assert_eq!(codes(&v), ["dkim.wrong-name"], "{v}");
    assert_eq!(v["name"], "sf1._domainkey.mail.acme.com");
    assert_eq!(v["state"], "Failed");

    let mx = "acme.com. 300 IN MX 10 feedback-smtp.us-east-1.amazonses.com.";
    let (_, v, _) = explain(&["--role", "spf_mx", "--domain", "mail.acme.com"], mx);
    assert_eq!(codes(&v), ["mx.wrong-name"], "{v}");

    // An SPF record pasted as the DMARC one: the name is not DMARC's.
    let spf = r#"send.mail.acme.com. 300 IN TXT "v=DMARC1; p=none; rua=mailto:d@acme.com""#;
    let (_, v, _) = explain(&["--role", "dmarc"], spf);
    assert_eq!(codes(&v), ["dmarc.wrong-name", "dmarc.policy-none"], "{v}");

    // The priority typed into the host field, as `check` names it.
    let host = "10.send.mail.acme.com. 300 IN MX 10 feedback-smtp.us-east-1.amazonses.com.";
    let (_, v, _) = explain(&["--role", "spf_mx", "--domain", "mail.acme.com"], host);
    assert_eq!(codes(&v), ["mx.priority-in-host"], "{v}");

    // A MAIL FROM label given: other names below the domain are wrong.
    let spf = r#"bounce.mail.acme.com. 300 IN TXT "v=spf1 include:amazonses.com ~all""#;
    let (_, v, _) = explain(&["--role", "spf_txt", "--mail-from", "send"], spf);
    assert_eq!(codes(&v), ["spf.wrong-name"], "{v}");
    assert_eq!(v["name"], "send.mail.acme.com");

    // Right names stay right: any MAIL FROM label below the domain, and the
    // organizational domain's DMARC policy, which the domain inherits.
    let spf = r#"bounce.mail.acme.com. 300 IN TXT "v=spf1 include:amazonses.com ~all""#;
    let (exit, v, _) = explain(&["--role", "spf_txt", "--domain", "mail.acme.com"], spf);
    assert_eq!((codes(&v), exit), (vec![], Some(0)), "{v}");
    assert_eq!(v["state"], "Verified");
    let parent = r#"_dmarc.acme.com. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:d@acme.com""#;
    let (_, v, _) = explain(&["--role", "dmarc", "--domain", "mail.acme.com"], parent);
    assert!(!codes(&v).contains(&"dmarc.wrong-name".to_owned()), "{v}");
}

/// `--role` only when the text cannot tell; the role assumed is said.
#[test]
fn explain_takes_the_role_from_what_was_pasted() {
    let cases = [
        (r#"_dmarc.mail.acme.com. 300 IN TXT "v=DMARC1; p=none; rua=mailto:d@acme.com""#.to_owned(), "dmarc"),
        (format!("sf1._domainkey.mail.acme.com. 300 IN TXT \"p={KEY}\""), "dkim"),
        ("send.mail.acme.com. 300 IN MX 10 feedback-smtp.us-east-1.amazonses.com.".to_owned(), "spf_mx"),
        (r#"send.mail.acme.com. 300 IN TXT "v=spf1 include:amazonses.com ~all""#.to_owned(), "spf_txt"),
        ("v=spf1 include:amazonses.com ~all".to_owned(), "spf_txt"),
        ("\"v=DMARC1; p=quarantne\"".to_owned(), "dmarc"),
        (format!("v=DKIM1; k=rsa; p={KEY}"), "dkim"),
        ("feedback-smtp.us-east-1.amazonses.com".to_owned(), "spf_mx"),
    ];
    for (raw, role) in &cases {
        let (_, v, err) = explain(&[], raw);
        assert_eq!(v["role"], *role, "{raw}: {v}");
        assert!(err.contains(&format!("--role {role}")), "{raw}: the role assumed is said: {err:?}");
    }
    // The text cannot tell: ask for --role.
    let out = sendlint(&["explain", "--", "hello world"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--role"), "{}", stderr(&out));
    // A role given is not second-guessed.
    let (_, v, err) = explain(&["--role", "spf_txt"], "v=spf1 include:amazonses.com ~all");
    assert_eq!(v["role"], "spf_txt");
    assert!(!err.contains("note:"), "{err}");
}

/// The value field alone, and the priority typed into it.
#[test]
fn explain_reads_mx_values_as_customers_type_them() {
    let (exit, v, _) = explain(&["--role", "spf_mx"], "feedback-smtp.us-east-1.amazonses.com");
    assert_eq!((codes(&v), exit), (vec![], Some(0)), "{v}");
    assert_eq!(v["state"], "Verified");
    let (_, v, _) =
        explain(&["--role", "spf_mx", "--region", "eu-west-1"], "feedback-smtp.us-east-1.amazonses.com");
    assert_eq!(codes(&v), ["mx.wrong-target"], "{v}");

    let (exit, v, _) = explain(&["--role", "spf_mx"], "10 10 feedback-smtp.us-east-1.amazonses.com.");
    assert_eq!((codes(&v), exit), (vec!["mx.priority-in-value".to_owned()], Some(1)), "{v}");
    assert_eq!(v["state"], "Failed");
    // The fix keeps the region the customer typed.
    assert_eq!(v["expected"], "10 feedback-smtp.us-east-1.amazonses.com", "{v}");
    let help = diagnosis(&v, "mx.priority-in-value")["help"].as_str().unwrap_or_default().to_owned();
    assert!(help.contains("`feedback-smtp.us-east-1.amazonses.com`"), "{help}");
}

/// A key wrapped by a ticket e-mail is one value with breaks inserted.
#[test]
fn explain_joins_a_dkim_key_wrapped_by_an_email() {
    let value = format!("v=DKIM1; k=rsa; p={KEY}");
    let wrapped: Vec<String> =
        value.as_bytes().chunks(76).map(|c| String::from_utf8_lossy(c).into_owned()).collect();
    let raw = wrapped.join("\r\n");
    let (exit, v, _) = explain(&["--role", "dkim", "--expected", KEY], &raw);
    assert_eq!((codes(&v), exit), (vec![], Some(0)), "{v}");
    assert_eq!(v["state"], "Verified");
    assert_eq!(v["observed"].as_array().map(Vec::len), Some(1), "{v}");

    // A `dig` line whose quoted string was wrapped.
    let dig = format!("sf1._domainkey.mail.acme.com. 300 IN TXT \"p={}\n{}\"", &KEY[..100], &KEY[100..]);
    let (_, v, _) = explain(&["--expected", KEY], &dig);
    assert_eq!(codes(&v), Vec::<String>::new(), "{v}");
    assert_eq!(v["state"], "Verified");

    // Two `dig` lines are two records: still split across records.
    let split = format!(
        "sf1._domainkey.mail.acme.com. 300 IN TXT \"p={}\"\nsf1._domainkey.mail.acme.com. 300 IN TXT \"{}\"",
        &KEY[..200],
        &KEY[200..]
    );
    let (_, v, _) = explain(&["--expected", KEY], &split);
    assert_eq!(codes(&v), ["dkim.split-across-records"], "{v}");

    // SPF wrapped at a blank keeps the blank; a second `v=spf1` is a second record.
    let (_, v, _) = explain(&["--role", "spf_txt"], "v=spf1 include:amazonses.com\n~all");
    assert_eq!(codes(&v), Vec::<String>::new(), "{v}");
    assert_eq!(v["observed"][0], "v=spf1 include:amazonses.com ~all");
    let (_, v, _) = explain(&["--role", "spf_txt"], "v=spf1 include:amazonses.com ~all\nv=spf1 -all");
    assert_eq!(codes(&v), ["spf.multiple-records"], "{v}");
}

/// "expected" fixes the fault and keeps everything else.
#[test]
fn explain_expected_keeps_the_customers_intent() {
    let (_, v, _) = explain(&["--role", "dmarc"], "v=DMARC1; p=quarantne; rua=mailto:dmarc@acme.com");
    assert_eq!(codes(&v), ["dmarc.syntax"], "{v}");
    assert_eq!(v["expected"], "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.com");
    let help = diagnosis(&v, "dmarc.syntax")["help"].as_str().unwrap_or_default().to_owned();
    assert!(!help.contains("p=none"), "{help}");

    let (_, v, _) = explain(&["--role", "spf_txt"], "v=spf1 include:_spf.google.com ~all");
    assert_eq!(codes(&v), ["spf.missing-include"], "{v}");
    assert_eq!(v["expected"], "v=spf1 include:_spf.google.com include:amazonses.com ~all");

    // The key given as PEM or base64 is published as `p=<base64>`.
    let pem = std::fs::read_to_string(root().join("fixtures/keys/sf1-2048.pem")).expect("key file");
    for given in [pem.as_str(), KEY] {
        let out = sendlint(&[
            "explain",
            "--role",
            "dkim",
            "--expected",
            given,
            "--",
            "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp2AQ",
        ]);
        let text = stdout(&out);
        assert!(!text.contains("BEGIN PUBLIC KEY") && !text.contains("-----"), "{text}");
        let out = sendlint(&[
            "explain",
            "--role",
            "dkim",
            "--format",
            "json",
            "--expected",
            given,
            "--",
            "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp2AQ",
        ]);
        let v: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
        assert_eq!(v["expected"], format!("p={KEY}"), "{v}");
        assert_eq!(codes(&v), ["dkim.truncated-key"], "{v}");
    }
}

/// Without the key given to SES, a DKIM record is not Verified.
#[test]
fn explain_a_dkim_key_without_expected_is_pending() {
    let (exit, v, _) = explain(&["--role", "dkim"], &format!("p={KEY}"));
    assert_eq!(codes(&v), ["dkim.key-not-compared"], "{v}");
    assert_eq!(v["state"], "Pending", "{v}");
    assert_eq!(exit, Some(0), "a warning");
    let d = diagnosis(&v, "dkim.key-not-compared");
    assert_eq!(d["severity"], "warning");
    assert!(d["help"].as_str().unwrap_or_default().contains("--expected"), "{d}");
}

/// What a support engineer sees for the issue's headline case, and for a
/// record pasted from another domain.
#[test]
fn explain_names_as_a_support_engineer_sees_them() {
    let raw = r#"send.mail.acme.com.acme.com. 300 IN TXT "v=spf1 include:amazonses.com ~all""#;
    let out = sendlint(&["explain", "--role", "spf_txt", "--domain", "mail.acme.com", "--", raw]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("explain_spf_doubled_suffix", stdout(&out));
    let raw = r#"_dmarc.totally.other.org. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:d@other.org""#;
    let out = sendlint(&["explain", "--domain", "mail.acme.com", "--", raw]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    insta::assert_snapshot!("explain_dmarc_wrong_name", stdout(&out));
    assert!(stderr(&out).contains("--role dmarc"), "{}", stderr(&out));
}
