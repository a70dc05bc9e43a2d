//! The docs are self-contained and generated where they can be: the JSON
//! Schemas in docs/schema/ match the types, the outputs match the schemas'
//! field lists, and every relative link in README.md, CONTRIBUTING.md and
//! docs/ points at a file of this repository.

mod common;

use common::{root, sendlint, stdout};
use serde_json::Value;

#[test]
fn docs_schema_is_up_to_date() {
    for name in sendlint::schema::NAMES {
        let out = sendlint(&["schema", name]);
        assert_eq!(out.status.code(), Some(0));
        let path = root().join(format!("docs/schema/{name}.json"));
        let doc = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            doc == stdout(&out),
            "docs/schema/{name}.json is out of date: cargo run -q -p sendlint-cli -- schema {name} > docs/schema/{name}.json"
        );
    }
}

/// The properties of `$defs/NAME` (or of the root when `NAME` is the title).
fn properties<'a>(schema: &'a Value, name: &str) -> Vec<&'a str> {
    let def = if schema["title"] == name { schema } else { &schema["$defs"][name] };
    def["properties"].as_object().map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default()
}

fn schema(name: &str) -> Value {
    serde_json::from_str(&stdout(&sendlint(&["schema", name]))).expect("schema JSON")
}

fn assert_keys_in(value: &Value, allowed: &[&str], what: &str) {
    for key in value.as_object().expect("object").keys() {
        assert!(allowed.contains(&key.as_str()), "{what}: field {key:?} is not in the schema {allowed:?}");
    }
}

#[test]
fn outputs_have_exactly_the_schemas_fields() {
    let check = schema("check");
    let out = sendlint(&[
        "check",
        "mail.globex.test",
        "--selector",
        "sf1",
        "--public-key-file",
        "fixtures/keys/other-2048.b64",
        "--zone",
        "fixtures/demo/zones",
        "--now",
        "2026-11-26T06:00:00Z",
        "--format",
        "json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("check JSON");
    assert_keys_in(&report, &properties(&check, "DomainReport"), "check");
    let mut seen_label = false;
    for record in report["records"].as_array().expect("records") {
        assert_keys_in(record, &properties(&check, "RecordReport"), "record");
        for d in record["diagnoses"].as_array().expect("diagnoses") {
            assert_keys_in(d, &properties(&check, "DiagnosisReport"), "diagnosis");
            for l in d["labels"].as_array().expect("labels") {
                assert_keys_in(l, &properties(&check, "LabelReport"), "label");
                seen_label = true;
            }
        }
    }
    assert!(seen_label, "the globex demo has labelled diagnoses");

    let line = schema("audit-line");
    let out = sendlint(&[
        "audit",
        "fixtures/demo/manifest.json",
        "--zone",
        "fixtures/demo/zones",
        "--format",
        "json",
    ]);
    let mut checked = properties(&line, "CheckedLine");
    checked.extend(properties(&line, "DomainReport"));
    for l in stdout(&out).lines() {
        let v: Value = serde_json::from_str(l).expect("line");
        assert_keys_in(&v, &checked, "audit line");
    }

    let explain = schema("explain");
    let out = sendlint(&["explain", "--role", "dmarc", "--format", "json", "--", "v=DMARC1; p=quarantne"]);
    let v: Value = serde_json::from_slice(&out.stdout).expect("explain JSON");
    assert_keys_in(&v, &properties(&explain, "RecordReport"), "explain");
}

#[test]
fn every_relative_link_resolves_inside_the_repository() {
    let root = root();
    let mut files = vec![root.join("README.md"), root.join("CONTRIBUTING.md")];
    for entry in std::fs::read_dir(root.join("docs")).expect("docs") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            files.push(path);
        }
    }
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        assert!(
            !text.contains("SPEC.md") && !text.contains("../shared"),
            "{}: names a file outside the repository",
            file.display()
        );
        let dir = file.parent().expect("dir");
        for (i, _) in text.match_indices("](") {
            let rest = &text[i + 2..];
            let target = &rest[..rest.find(')').unwrap_or(0)];
            let target = target.split('#').next().unwrap_or_default();
            if target.is_empty() || target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let resolved = dir.join(target);
            assert!(resolved.exists(), "{}: link to {target} does not resolve", file.display());
        }
    }
}
