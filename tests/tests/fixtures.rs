//! Every fixture under `fixtures/core` (and providers): the exact set of codes,
//! the expected badges, and one snapshot of what a user sees (human + JSON).

//!
//! A `harness = false` target on libtest-mimic: each fixture is its own trial, named by
//! its path under `fixtures/` with `::` between the parts (`core::dkim::missing-key`), so
//! one fixture runs alone with `cargo test -p sendlint-tests --test fixtures -- NAME` or
//! `cargo nextest run -p sendlint-tests -E 'test(NAME)'`. Its snapshot keeps the name
//! with `__` between the parts (`tests/snapshots/core__dkim__missing-key.snap`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use libtest_mimic::{Arguments, Trial};
use sendlint_rules::RuleSet;
use sendlint_tests::{Fixture, differences, fixture_files, fixtures_dir, snapshot_text};

/// The fixture directories under `fixtures/` that get a trial and a snapshot each.
const FIXTURE_DIRS: [&str; 4] = ["core", "providers", "ses", "offline"];

fn main() -> ExitCode {
    let args = Arguments::from_args();
    let paths: Vec<PathBuf> =
        FIXTURE_DIRS.iter().flat_map(|d| fixture_files(&fixtures_dir().join(d))).collect();
    let found = paths.len();
    let mut trials: Vec<Trial> = paths
        .into_iter()
        .map(|path| Trial::test(trial_name(&path), move || passes(|| fixture(&path))))
        .collect();
    trials.push(Trial::test("fixtures_are_found", move || {
        assert!(found > 40, "fixtures not found under {}", fixtures_dir().display());
        Ok(())
    }));
    let tests: [(&str, fn()); 4] = [
        ("every_record_level_code_has_a_fixture", every_record_level_code_has_a_fixture),
        (
            "provider_advice_only_where_the_provider_hosts_the_zone",
            provider_advice_only_where_the_provider_hosts_the_zone,
        ),
        ("every_ses_code_has_a_fixture", every_ses_code_has_a_fixture),
        ("fixture_now_is_what_it_says", fixture_now_is_what_it_says),
    ];
    trials.extend(tests.into_iter().map(|(name, test)| Trial::test(name, move || passes(test))));
    libtest_mimic::run(&args, trials).exit_code()
}

/// A trial's outcome: a test fails by panicking (libtest-mimic reports the panic).
fn passes(test: impl FnOnce()) -> Result<(), libtest_mimic::Failed> {
    test();
    Ok(())
}

fn rules() -> RuleSet {
    RuleSet::builtin()
}

/// The trial name: the fixture's path under `fixtures/` without its extension, parts
/// joined by `::` (`core::dkim::missing-key`).
fn trial_name(path: &Path) -> String {
    let rel = path.strip_prefix(fixtures_dir()).unwrap_or(path).with_extension("");
    let parts: Vec<_> = rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    parts.join("::")
}

/// The snapshot name (and the fixture's name in its report): `core__dkim__missing-key`.
fn fixture_name(path: &Path) -> String {
    let rel = path.strip_prefix(fixtures_dir()).unwrap_or(path);
    rel.with_extension("").to_string_lossy().replace(['/', '\\'], "__")
}

/// One fixture: the exact set of codes, then the snapshot of what a user sees.
fn fixture(path: &Path) {
    let rules = rules();
    let name = fixture_name(path);
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("../snapshots");
    settings.set_omit_expression(true);
    settings.bind(|| {
        let fixture = Fixture::load(path).unwrap_or_else(|e| panic!("{e}"));
        let report = fixture.run(&name, &rules).unwrap_or_else(|e| panic!("{name}: {e}"));
        let problems = differences(&fixture, &report);
        assert!(
            problems.is_empty(),
            "{name}:\n  {}\n\n{}",
            problems.join("\n  "),
            snapshot_text(&fixture, &report)
        );
        insta::assert_snapshot!(name.clone(), snapshot_text(&fixture, &report));
    });
}

/// Every record-level code of docs/rules.md has at least one fixture that expects it.
fn every_record_level_code_has_a_fixture() {
    let rules = rules();
    let mut covered = BTreeSet::new();
    for entry in fixture_files(&fixtures_dir().join("core")) {
        let fixture = Fixture::load(&entry).unwrap_or_else(|e| panic!("{e}"));
        covered.extend(fixture.expect);
    }
    let prefixes = ["mx.", "spf.", "dkim.", "dmarc.", "domain.", "sender."];
    // Faults only a pasted record can have (check looks only at the expected
    // names and their known misplacements): covered by the `explain` tests
    // (crates/sendlint-cli/tests/explain.rs) instead.
    let explain_only = ["mx.wrong-name", "spf.wrong-name", "dkim.wrong-name", "dmarc.wrong-name"];
    let missing: Vec<&str> = rules
        .rules()
        .filter(|r| r.provider.is_none() && prefixes.iter().any(|p| r.code.starts_with(p)))
        .map(|r| &*r.code)
        .filter(|c| !covered.contains(*c) && !explain_only.contains(c))
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

/// Provider advice appears exactly where that provider hosts the zone: each
/// `fixtures/providers/<id>/` zone is detected as `<id>` from its apex NS records,
/// every diagnosis there carries either no registrar or `<id>`, at least one fixture
/// per provider shows its advice, and no core fixture (unknown DNS host) gets any.
fn provider_advice_only_where_the_provider_hosts_the_zone() {
    let rules = rules();
    let mut advised = BTreeSet::new();
    let mut problems = Vec::new();
    for path in fixture_files(&fixtures_dir().join("providers"))
        .into_iter()
        .chain(fixture_files(&fixtures_dir().join("core")))
    {
        let name = fixture_name(&path);
        let fixture = Fixture::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let report = fixture.run(&name, &rules).unwrap_or_else(|e| panic!("{name}: {e}"));
        let rel = path.strip_prefix(fixtures_dir()).unwrap_or(&path);
        let want: Option<String> = match rel.components().next().map(|c| c.as_os_str().to_string_lossy()) {
            Some(dir) if dir == "providers" => {
                rel.components().nth(1).map(|c| c.as_os_str().to_string_lossy().into_owned())
            }
            _ => None,
        };
        if fixture.setup.provider.is_none() && report.provider != want {
            problems.push(format!("{name}: DNS host {:?}, expected {want:?}", report.provider));
        }
        let all = report.records.iter().flat_map(|r| r.diagnoses.iter()).chain(report.diagnoses.iter());
        for d in all {
            match (&d.provider, &want) {
                (None, _) => {}
                (Some(r), Some(w)) if r == w => {
                    advised.insert(r.clone());
                }
                (Some(r), _) => problems.push(format!("{name}: {} carries {r}'s advice", d.code)),
            }
        }
    }
    for p in rules.providers() {
        if !advised.contains(&*p.id) {
            problems.push(format!("no fixture shows {}'s advice", p.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every `ses.` code has a fixture under `fixtures/ses` that expects it.
fn every_ses_code_has_a_fixture() {
    let rules = rules();
    let mut covered = BTreeSet::new();
    for entry in fixture_files(&fixtures_dir().join("ses")) {
        let fixture = Fixture::load(&entry).unwrap_or_else(|e| panic!("{e}"));
        covered.extend(fixture.expect);
    }
    let missing: Vec<&str> = rules
        .rules()
        .filter(|r| r.provider.is_none() && r.code.starts_with("ses."))
        .map(|r| &*r.code)
        .filter(|c| !covered.contains(*c))
        .collect();
    assert!(missing.is_empty(), "ses codes without a fixture: {missing:?}");
}

fn fixture_now_is_what_it_says() {
    let t = humantime_free_parse(sendlint_tests::FIXTURE_NOW);
    assert_eq!(t, sendlint_tests::FIXTURE_NOW_SECS);
}

/// 2026-11-26T06:00:00Z → seconds, without a date library.
fn humantime_free_parse(s: &str) -> u64 {
    let (date, time) = s.trim_end_matches('Z').split_once('T').expect("RFC 3339");
    let d: Vec<u64> = date.split('-').map(|x| x.parse().expect("digits")).collect();
    let t: Vec<u64> = time.split(':').map(|x| x.parse().expect("digits")).collect();
    let (y, m, day) = (d[0], d[1], d[2]);
    let days_before_year: u64 =
        (1970..y).map(|yr| if (yr % 4 == 0 && yr % 100 != 0) || yr % 400 == 0 { 366 } else { 365 }).sum();
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [31, if leap { 29 } else { 28 }, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let days: u64 = days_before_year + month_days[..(m - 1) as usize].iter().sum::<u64>() + day - 1;
    days * 86400 + t[0] * 3600 + t[1] * 60 + t[2]
}
