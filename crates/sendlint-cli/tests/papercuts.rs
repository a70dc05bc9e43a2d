//! The command line's small promises, each a bug once (issue: the support
//! desk's paste-in path, papercuts): suggestions, ids as people type them,
//! help texts that say what the command does, one style for every error, the
//! normalised domain name, and columns counted in characters.

mod common;

use common::{root, scratch_dir, sendlint, stderr, stdout};
use std::process::{Command, Stdio};

#[test]
fn rules_show_suggests_the_code_a_prefix_or_a_typo_means() {
    let out = sendlint(&["rules", "show", "dkim.doubled"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("did you mean `dkim.doubled-suffix`?"), "{}", stderr(&out));

    let out = sendlint(&["rules", "show", "dmarc.syntx"]);
    assert!(stderr(&out).contains("did you mean `dmarc.syntax`?"), "{}", stderr(&out));

    // a prefix several codes share names them all
    let out = sendlint(&["rules", "show", "spf.multiple"]);
    assert!(stderr(&out).contains("`spf.multiple-records`"), "{}", stderr(&out));

    // nothing close: only the pointer to the list
    let out = sendlint(&["rules", "show", "zzzz.qqqq"]);
    let err = stderr(&out);
    assert!(!err.contains("did you mean"), "{err}");
    assert!(err.contains("`sendlint rules` lists every code"), "{err}");
}

#[test]
fn registrar_ids_are_taken_in_any_case_and_reported_as_the_rule_set_spells_them() {
    let check = [
        "check",
        "mail.acme.test",
        "-s",
        "sf1",
        "--public-key-file",
        "fixtures/keys/sf1-2048.b64",
        "--zone",
        "fixtures/demo/zones",
        "--format",
        "json",
    ];
    let out = sendlint(&[&check[..], &["--registrar", "CloudFlare"]].concat());
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    let lower = sendlint(&[&check[..], &["--registrar", "cloudflare"]].concat());
    assert_eq!(stdout(&out), stdout(&lower), "CloudFlare and cloudflare give the same report");

    // GoDaddy has its own advice for strict SPF alignment
    let dmarc = "v=DMARC1; p=none; aspf=s; rua=mailto:d@acme.test";
    let out =
        sendlint(&["explain", "--role", "dmarc", "--registrar", "GoDaddy", "--format", "json", "--", dmarc]);
    assert!(out.status.code() != Some(2), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("json");
    let registrars: Vec<&str> = report["diagnoses"]
        .as_array()
        .expect("diagnoses")
        .iter()
        .filter_map(|d| d["registrar"].as_str())
        .collect();
    assert!(!registrars.is_empty() && registrars.iter().all(|r| *r == "godaddy"), "{report}");

    let out = sendlint(&["records", "mail.acme.test", "-s", "sf1", "--registrar", "NameCheap"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Namecheap"), "{}", stdout(&out));
}

#[test]
fn help_and_man_say_what_sendlint_is() {
    let help = stdout(&sendlint(&["--help"]));
    let first = help.lines().next().unwrap_or_default();
    assert!(first.contains("SES") && !first.contains("command line"), "{first}");
    let man = stdout(&sendlint(&["man"]));
    let name = man.lines().skip_while(|l| !l.starts_with(".SH NAME")).nth(1).unwrap_or_default();
    assert!(name.contains("SES") && !name.contains("command line"), "man NAME: {name}");

    // `rules --help` names every subcommand in its summary, not only `show`
    let rules = stdout(&sendlint(&["rules", "--help"]));
    let summary = rules.lines().next().unwrap_or_default();
    for sub in ["show", "facts", "docs", "check"] {
        assert!(summary.contains(sub), "rules --help summary names `{sub}`: {summary}");
    }

    // records' --apex default is the public suffix list's guess, and says so
    let records = stdout(&sendlint(&["records", "--help"]));
    assert!(records.contains("public suffix list"), "{records}");
    assert!(!records.contains("last two labels"), "{records}");
}

#[test]
fn rules_is_offered_only_where_rules_are_used() {
    for sub in ["schema", "completions", "man"] {
        let help = stdout(&sendlint(&[sub, "--help"]));
        assert!(!help.contains("--rules"), "{sub} --help offers --rules:\n{help}");
    }
    for sub in ["check", "audit", "explain", "records", "rules", "watch", "serve"] {
        let help = stdout(&sendlint(&[sub, "--help"]));
        assert!(help.contains("--rules <DIR>"), "{sub} --help lacks --rules:\n{help}");
    }
    let out = sendlint(&["--rules", "rules", "schema", "check"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("uses no rules"), "{}", stderr(&out));

    // before or after the subcommand's name, the same rule set; not both
    let before = sendlint(&["--rules", "rules", "rules"]);
    let after = sendlint(&["rules", "--rules", "rules"]);
    assert_eq!(before.status.code(), Some(2), "the built-in rules again are duplicates");
    assert_eq!(stderr(&before), stderr(&after));
    let both = sendlint(&["--rules", "rules", "rules", "--rules", "rules"]);
    assert_eq!(both.status.code(), Some(2));
    assert!(stderr(&both).contains("given twice"), "{}", stderr(&both));
}

#[test]
fn every_error_has_one_style_no_rust_path_header_no_bare_error_prefix() {
    let dir_tmp = scratch_dir("papercut-errors");
    let dir = dir_tmp.path();
    let cases: Vec<Vec<String>> = vec![
        vec!["check".into(), "mail.acme.test".into(), "-s".into(), "sf1".into(), "--zone".into(), "/nonexistent/zone".into()],
        vec!["--rules".into(), dir.join("missing").display().to_string(), "rules".into()],
        vec!["audit".into(), write(dir, "broken.json", "{\"domains\": [").display().to_string()],
        vec![
            "audit".into(),
            write(dir, "one.json", &format!(
                "{{\"domains\":[{{\"org\":\"a\",\"domain\":\"mail.x.test\",\"region\":\"us-east-1\",\"dkim_selector\":\"s1\",\"dkim_public_key\":\"{}\"}}]}}",
                "A".repeat(400)
            ))
            .display()
            .to_string(),
            "--zone".into(),
            "fixtures/demo/zones".into(),
        ],
    ];
    for args in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = sendlint(&args);
        // a bad manifest entry is part of the audit's report, on standard output
        let err = stderr(&out) + &stdout(&out);
        assert!(!err.contains("sendlint::"), "{args:?}:\n{err}");
        assert!(!err.contains("Error:"), "{args:?}:\n{err}");
        assert!(err.contains('×'), "{args:?}:\n{err}");
        // the snippet is a window: no line wider than a terminal, whatever the entry's length
        for line in err.lines() {
            assert!(
                line.chars().count() <= 110,
                "{args:?}: a line of {} columns:\n{err}",
                line.chars().count()
            );
        }
    }
}

#[test]
fn the_domain_is_shown_and_emitted_normalised() {
    let args = ["check", "MAIL.Acme.test", "-s", "sf1", "--zone", "fixtures/demo/zones"];
    let human = stdout(&sendlint(&args));
    assert!(human.starts_with("mail.acme.test\n"), "{human}");
    assert!(!human.contains("Acme"), "{human}");
    let json = stdout(&sendlint(&[&args[..], &["--format", "json"]].concat()));
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    assert_eq!(report["domain"], "mail.acme.test");
    for r in report["records"].as_array().expect("records") {
        let name = r["name"].as_str().expect("name");
        assert_eq!(name, name.to_ascii_lowercase(), "{r}");
    }
}

#[test]
fn snippet_columns_count_characters() {
    let dir_tmp = scratch_dir("papercut-columns");
    let dir = dir_tmp.path();
    // `“` is three bytes and one column; the bad value is at character 34
    let manifest = write(dir, "m.json", "{\"domains\":[{\"org\":\"“\", \"domain\":1}]}");
    let out = sendlint(&["audit", &manifest.display().to_string(), "--zone", "fixtures/demo/zones"]);
    let err = stdout(&out);
    assert!(err.contains("m.json:1:34]"), "{err}");
    assert!(err.contains("at line 1 column 34"), "{err}");
}

#[test]
fn without_sendlint_full_the_hint_is_the_quick_build_of_the_same_profile() {
    let dir_tmp = scratch_dir("papercut-handoff");
    let dir = dir_tmp.path().join("release");
    std::fs::create_dir_all(&dir).expect("dir");
    let lone = dir.join("sendlint");
    std::fs::copy(env!("CARGO_BIN_EXE_sendlint"), &lone).expect("copy");
    let out = Command::new(&lone)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("cargo build --release -p sendlint-cli"), "{err}");
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

#[test]
fn texts_name_the_record_even_when_no_domain_is_known() {
    let cases: [(&str, &str); 4] = [
        ("dkim", "p=“abc"),
        ("spf_txt", "v=spf1 ~all"),
        ("dmarc", "“v=DMARC1; p=none”"),
        ("spf_mx", "10 feedback-smtp.us-east-1.amazonses.com.acme.test"),
    ];
    for (role, value) in cases {
        let out = sendlint(&["explain", "--role", role, "--", value]);
        let text = stdout(&out);
        assert!(!text.contains("the record's name"), "{role}:\n{text}");
        assert!(!text.is_empty(), "{role}: {}", stderr(&out));
    }
    let out = sendlint(&["explain", "--role", "dkim", "--", "p=“abc"]);
    assert!(stdout(&out).contains("<selector>._domainkey.<your domain>"), "{}", stdout(&out));
    let out = sendlint(&[
        "explain",
        "--role",
        "dkim",
        "--domain",
        "mail.acme.test",
        "--selector",
        "s1",
        "--",
        "p=“abc",
    ]);
    assert!(stdout(&out).contains("s1._domainkey.mail.acme.test"), "{}", stdout(&out));
}
