//! The report of every fixture (core, providers, SES, offline) validates
//! against the published schema of `sendlint check --format json`
//! (docs/schema/check.json), and each of its records against that of
//! `sendlint explain --format json` (docs/schema/explain.json), checked by an
//! independent validator (the `jsonschema` crate, draft 2020-12). The JSON is
//! what the CLI prints: `serde_json` of the same report.

use std::path::Path;

use sendlint_rules::RuleSet;
use sendlint_tests::{Fixture, fixture_files, fixtures_dir};
use serde_json::Value;

fn published(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../docs/schema/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("docs/schema/{name}.json is not a valid schema: {e}"))
}

fn errors(validator: &jsonschema::Validator, value: &Value) -> Vec<String> {
    validator.iter_errors(value).map(|e| format!("at {}: {e}", e.instance_path())).take(3).collect()
}

#[test]
fn every_fixture_report_validates_against_the_published_schemas() {
    let rules = RuleSet::builtin();
    let (check, explain) = (published("check"), published("explain"));
    let paths: Vec<_> = ["core", "providers", "ses", "offline"]
        .iter()
        .flat_map(|d| fixture_files(&fixtures_dir().join(d)))
        .collect();
    assert!(paths.len() > 40, "fixtures not found under {}", fixtures_dir().display());
    let mut failures = Vec::new();
    let mut shared = 0;
    for path in &paths {
        let name = path.strip_prefix(fixtures_dir()).unwrap_or(path).display().to_string();
        let fixture = Fixture::load(path).unwrap_or_else(|e| panic!("{e}"));
        let report = fixture.run(&name, &rules).unwrap_or_else(|e| panic!("{name}: {e}"));
        let value = serde_json::to_value(&report).expect("the report serializes");
        for e in errors(&check, &value) {
            failures.push(format!("{name}: {e}"));
        }
        for (i, record) in value["records"].as_array().expect("records").iter().enumerate() {
            for e in errors(&explain, record) {
                failures.push(format!("{name} record {i}: {e}"));
            }
        }
        shared += report.records.iter().flat_map(|r| &r.diagnoses).filter(|d| !d.records.is_empty()).count();
    }
    assert!(failures.is_empty(), "{} failure(s):\n{}", failures.len(), failures.join("\n"));
    assert!(shared > 0, "some fixture has a diagnosis shared by several records");
}
