//! The closed loop of `sendlint fix` against a real DNS server: for every
//! fixture of fixtures/core and fixtures/providers, BIND 9 `named` serves its
//! zones with dynamic updates allowed; `sendlint fix --nameserver … --as
//! nsupdate` plans the change, the real `nsupdate` applies it, and `sendlint
//! check` asks again: sending must be unlocked, every record the change-set
//! does not touch must be as it was (AXFR before and after), and `fix` must
//! then have nothing to change. The `zone` form is applied too: the zone as
//! transferred, its touched record sets replaced by the form's lines, loaded
//! with `--zone` and checked.
//!
//! Fixtures fix cannot fully address are excluded by reason (a lookup that
//! fails, no expected DKIM key): `fix` must say so. Without `named` or
//! `nsupdate` the test is skipped, except under CI (`CI` set), where it fails.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use common::bind::{Named, origin_of, tools_present};
use common::{root, sendlint, stderr, stdout};
use sendlint::fixture::{FIXTURE_NOW, Fixture, fixture_files};
use serde_json::Value;

/// The setup flags of a fixture, as `check` and `fix` take them.
fn setup_flags(f: &Fixture) -> Vec<String> {
    let s = &f.setup;
    let mut a =
        vec![s.domain.clone(), "--selector".into(), s.selector.clone(), "--region".into(), s.region.clone()];
    if let Some(k) = &s.public_key_file {
        a.push("--public-key-file".into());
        a.push(f.base.join(k).display().to_string());
    }
    if let Some(m) = &s.mail_from {
        a.push("--mail-from".into());
        a.push(m.clone());
    }
    for from in &s.from {
        a.push("--from".into());
        a.push(from.clone());
    }
    if let Some(r) = &s.provider {
        a.push("--registrar".into());
        a.push(r.clone());
    }
    a.extend(["--now".into(), FIXTURE_NOW.into()]);
    a
}

fn run(cmd: &str, flags: &[String], extra: &[&str]) -> std::process::Output {
    let mut args: Vec<&str> = vec![cmd];
    args.extend(flags.iter().map(String::as_str));
    args.extend_from_slice(extra);
    sendlint(&args)
}

fn check_json(flags: &[String], source: &[&str]) -> Value {
    let mut extra = source.to_vec();
    extra.extend(["--format", "json"]);
    let out = run("check", flags, &extra);
    serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("check JSON ({e}): {}", stderr(&out)))
}

/// What happened to one fixture.
enum Result_ {
    Fixed,
    NothingToDo,
    Excluded(String),
    Failed(String),
}

/// The (owner, type) of a record line as dig prints it, lower-cased.
fn key_of(line: &str) -> (String, String) {
    let mut p = line.split(' ');
    let name = p.next().unwrap_or_default().to_ascii_lowercase();
    let rtype = p.nth(2).unwrap_or_default().to_ascii_uppercase();
    (name, rtype)
}

fn touched(fix: &Value) -> BTreeSet<(String, String)> {
    fix["sets"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            (
                s["name"].as_str().unwrap_or_default().to_ascii_lowercase(),
                s["type"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn one(path: &Path, scratch: &Path) -> Result_ {
    let f = Fixture::load(path).expect("fixture loads");
    if f.zone.iter().any(|z| z.file.is_some()) {
        // fixtures/core/dnssec: signed zone files, validated from a trust anchor
        // (tests/dnssec_bind.rs serves such zones from named)
        return Result_::Excluded("a DNSSEC chain fault: no record change fixes it".into());
    }
    let zones: Vec<String> = f.zone.iter().map(|z| z.text.clone()).collect();
    let named = match Named::start(scratch, &zones) {
        Ok(n) => n,
        Err(e) => return Result_::Failed(format!("named does not serve the fixture's zones: {e}")),
    };
    let flags = setup_flags(&f);
    let ns = named.address();
    let live = ["--nameserver", ns.as_str()];
    let before: Vec<Vec<String>> = named.zones.iter().map(|z| named.records(z)).collect();
    let json_out = run("fix", &flags, &[&live[..], &["--format", "json"]].concat());
    let plan: Value = match serde_json::from_str(&stdout(&json_out)) {
        Ok(v) => v,
        Err(e) => return Result_::Failed(format!("fix --format json ({e}): {}", stderr(&json_out))),
    };
    let out = run("fix", &flags, &[&live[..], &["--as", "nsupdate"]].concat());
    let script = stdout(&out);
    let unknown: Vec<String> = plan["unknown"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|u| format!("{}: {}", u["name"].as_str().unwrap_or(""), u["reason"].as_str().unwrap_or("")))
        .collect();
    for u in plan["unknown"].as_array().into_iter().flatten() {
        let name = u["name"].as_str().unwrap_or_default();
        if !script.contains(&format!("not changed: {name}")) {
            return Result_::Failed(format!("the nsupdate form does not say why {name} is not changed"));
        }
    }
    match out.status.code() {
        Some(0) => {
            let check = check_json(&flags, &live);
            if check["sending_unlocked"] == true || !unknown.is_empty() {
                return if unknown.is_empty() {
                    Result_::NothingToDo
                } else {
                    Result_::Excluded(unknown.join("; "))
                };
            }
            return Result_::Failed(format!("fix has nothing to change but sending is locked:\n{script}"));
        }
        Some(1) => {}
        other => return Result_::Failed(format!("fix exited {other:?}: {}", stderr(&out))),
    }
    // The zone form, planned against the same DNS before anything is applied.
    let zone_form_text = stdout(&run("fix", &flags, &[&live[..], &["--as", "zone"]].concat()));
    let (applied, said) = named.nsupdate(&script);
    if !applied {
        return Result_::Failed(format!("nsupdate refused the script ({said}):\n{script}"));
    }
    // Everything the change-set does not touch is as it was.
    let sets = touched(&plan);
    for (z, was) in named.zones.iter().zip(&before) {
        let now = named.records(z);
        let untouched = |lines: &[String]| -> Vec<String> {
            lines.iter().filter(|l| !sets.contains(&key_of(l))).cloned().collect()
        };
        if untouched(was) != untouched(&now) {
            return Result_::Failed(format!(
                "records the change-set does not touch changed in {z}:\nbefore {:?}\nafter  {:?}",
                untouched(was),
                untouched(&now)
            ));
        }
    }
    let after = check_json(&flags, &live);
    let again = run("fix", &flags, &[&live[..], &["--as", "nsupdate"]].concat());
    if after["sending_unlocked"] != true {
        if !unknown.is_empty() {
            return Result_::Excluded(unknown.join("; "));
        }
        return Result_::Failed(format!(
            "after nsupdate, sending is still locked: {after}\nscript:\n{script}"
        ));
    }
    if again.status.code() != Some(0) {
        return Result_::Failed(format!("fix after applying its change is not empty:\n{}", stdout(&again)));
    }
    // The zone form: the zone as it was, its touched sets replaced by the form's lines.
    if let Err(e) = zone_form(&f, &flags, &zone_form_text, &before, &named, &sets, scratch) {
        return Result_::Failed(e);
    }
    if unknown.is_empty() { Result_::Fixed } else { Result_::Excluded(unknown.join("; ")) }
}

fn zone_form(
    f: &Fixture,
    flags: &[String],
    form: &str,
    before: &[Vec<String>],
    named: &Named,
    sets: &BTreeSet<(String, String)>,
    scratch: &Path,
) -> Result<(), String> {
    let lines: Vec<&str> = form.lines().filter(|l| !l.starts_with(';') && !l.trim().is_empty()).collect();
    let dir = scratch.join("zone-form");
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut args: Vec<String> = Vec::new();
    for (i, (origin, was)) in named.zones.iter().zip(before).enumerate() {
        // the SOA first: AXFR left it out
        let soa = f
            .zone
            .iter()
            .find(|z| origin_of(&z.text).as_deref() == Some(origin))
            .map(|_| named.dig(&["+short", origin, "SOA"]).trim().to_owned());
        let mut text = format!("$ORIGIN {origin}\n{origin} 300 IN SOA {}\n", soa.unwrap_or_default());
        for l in was.iter().filter(|l| !sets.contains(&key_of(l))) {
            text.push_str(l);
            text.push('\n');
        }
        for l in &lines {
            let name = l.split(' ').next().unwrap_or_default().to_ascii_lowercase();
            let in_zone = name.ends_with(&format!(".{origin}")) || name == *origin;
            // the longest zone holding the name takes the line
            let longer = named
                .zones
                .iter()
                .any(|z| z.len() > origin.len() && (name.ends_with(&format!(".{z}")) || name == *z));
            if in_zone && !longer {
                text.push_str(l);
                text.push('\n');
            }
        }
        let file = dir.join(format!("z{i}.zone"));
        std::fs::write(&file, text).map_err(|e| e.to_string())?;
        args.push("--zone".into());
        args.push(file.display().to_string());
    }
    let extra: Vec<&str> = args.iter().map(String::as_str).collect();
    let check = check_json(flags, &extra);
    if check["sending_unlocked"] != true {
        return Err(format!("the zone form, loaded, does not unlock sending: {check}\nform:\n{form}"));
    }
    Ok(())
}

fn fixtures() -> Vec<PathBuf> {
    let mut all = fixture_files(&root().join("fixtures/core"));
    all.extend(fixture_files(&root().join("fixtures/providers")));
    all
}

#[test]
fn fix_then_nsupdate_to_named_unlocks_every_dns_fault_fixture() {
    if !tools_present() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI: named, nsupdate and dig must be installed (.ci/run installs bind9)"
        );
        eprintln!("skipped: named, nsupdate or dig missing (Debian: bind9 bind9-utils bind9-dnsutils)");
        return;
    }
    let files = fixtures();
    assert!(files.len() > 100, "the fixtures are found");
    let base_dir = common::scratch_dir("fix-bind");
    let base = base_dir.path();
    let queue = Mutex::new(files.iter().enumerate().collect::<Vec<_>>());
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                loop {
                    let Some((i, path)) = queue.lock().unwrap().pop() else { break };
                    let scratch = base.join(format!("f{i}"));
                    let r = one(path, &scratch);
                    let _ = std::fs::remove_dir_all(&scratch);
                    results.lock().unwrap().push((path.clone(), r));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();
    results.sort_by(|a, b| a.0.cmp(&b.0));
    let name = |p: &Path| p.strip_prefix(root().join("fixtures")).unwrap_or(p).display().to_string();
    let (mut fixed, mut attempted, mut clean) = (0, 0, 0);
    let mut failures = Vec::new();
    for (path, r) in &results {
        match r {
            Result_::Fixed => {
                fixed += 1;
                attempted += 1;
            }
            Result_::NothingToDo => clean += 1,
            Result_::Excluded(why) => eprintln!("excluded {}: {why}", name(path)),
            Result_::Failed(why) => {
                attempted += 1;
                let why: String = why.chars().take(2500).collect();
                failures.push(format!("{}: {why}", name(path)));
            }
        }
    }
    eprintln!(
        "closed loop (fix → nsupdate → named → check, and the zone form): fixed {fixed}/{attempted} DNS-fault fixtures; \
         {clean} had nothing to change; {} excluded",
        results.len() - attempted - clean
    );
    assert!(failures.is_empty(), "{} of {attempted} not fixed:\n{}", failures.len(), failures.join("\n\n"));
}
