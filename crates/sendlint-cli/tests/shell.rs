//! Install habits: shell completions, the man page, and `records` offering only
//! the options it uses.

mod common;

use common::{sendlint, stderr, stdout};

const SUBCOMMANDS: [&str; 8] =
    ["check", "audit", "explain", "records", "rules", "watch", "completions", "man"];

#[test]
fn completions_for_each_shell_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let out = sendlint(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", stderr(&out));
        let script = stdout(&out);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} completion lacks {sub}");
        }
        assert!(script.contains("baseline") && script.contains("fail-on"), "{shell}: audit's flags");
    }
    assert!(stdout(&sendlint(&["completions", "bash"])).contains("complete -F _sendlint"));
    assert!(stdout(&sendlint(&["completions", "zsh"])).starts_with("#compdef sendlint"));
    assert!(stdout(&sendlint(&["completions", "fish"])).contains("complete -c sendlint"));
    assert_eq!(sendlint(&["completions", "tcsh"]).status.code(), Some(2), "an unknown shell is bad input");
}

#[test]
fn the_man_page_lists_the_subcommands_and_each_has_its_own() {
    let out = sendlint(&["man"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let page = stdout(&out);
    assert!(page.contains(".TH sendlint 1"), "{page}");
    for sub in SUBCOMMANDS {
        assert!(page.contains(&format!("sendlint\\-{sub}(1)")), "man page lacks {sub}");
    }
    let check = stdout(&sendlint(&["man", "check"]));
    assert!(check.contains(".TH sendlint-check 1"), "{check}");
    assert!(check.contains("\\-\\-profile") && check.contains("\\-\\-ses"), "{check}");
    let bad = sendlint(&["man", "nope"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("no subcommand \"nope\""), "{}", stderr(&bad));
}

#[test]
fn records_lists_only_the_options_it_uses() {
    let help = stdout(&sendlint(&["records", "--help"]));
    for used in
        ["--selector", "--public-key-file", "--region", "--mail-from", "--registrar", "--apex", "--format"]
    {
        assert!(help.contains(used), "records --help lacks {used}");
    }
    for unused in ["--from", "--submitted-at", "--zone", "--ses"] {
        assert!(!help.contains(&format!("{unused} ")), "records --help offers {unused}: {help}");
    }
    let out = sendlint(&[
        "records",
        "mail.acme.test",
        "--selector",
        "sf1",
        "--submitted-at",
        "2026-11-24T10:00:00Z",
    ]);
    assert_eq!(out.status.code(), Some(2), "an option records does not use is refused");
}

#[test]
fn each_subcommand_is_described_by_its_own_summary() {
    // Subcommand arguments are added to clap's tree only when used
    // (src/deferred.rs); a flattened struct's doc comment must not take over.
    let top = stdout(&sendlint(&["--help"]));
    for sub in ["check", "audit", "explain", "records", "watch", "serve"] {
        let summary = top
            .lines()
            .find_map(|l| l.trim_start().strip_prefix(sub).filter(|rest| rest.starts_with(' ')))
            .map(str::trim)
            .unwrap_or_else(|| panic!("--help lists {sub}: {top}"));
        let help = stdout(&sendlint(&[sub, "--help"]));
        assert_eq!(help.lines().next(), Some(summary), "{sub} --help:\n{help}");
        let man = stdout(&sendlint(&["man", sub]));
        assert!(man.contains(&summary.replace('\'', "\\*(Aq").replace('-', "\\-")), "man {sub}:\n{man}");
    }
}
