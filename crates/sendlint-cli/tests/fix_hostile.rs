//! `sendlint fix` with hostile TXT values at the names the setup owns: `"`,
//! `\`, `;`, `$(touch …)`, backticks, newlines, control and non-ASCII bytes.
//! For every form, the values cannot break out of their strings: the
//! nsupdate form is applied to BIND `named` and the bytes read back; the
//! Cloudflare script passes `bash -n` and runs against a `curl` shim that
//! records its arguments (nothing executed, arguments exact); the Route 53
//! batch and the JSON are parsed back and decoded byte for byte; the
//! Terraform strings are decoded and hold no template sequence; the zone form
//! is loaded by `named-checkzone`; the human form holds no raw control byte.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::bind::{Named, tools_present};
use common::{KEY, root, scratch_dir, sendlint, stderr, stdout};
use serde_json::Value;

/// The record kept at the MAIL FROM name (not SPF: someone else's).
fn keep(mark: &str) -> Vec<u8> {
    format!("site-verification=a\"b\\c;d$(touch {mark})`id`\nE\x01").bytes().chain([0xFF]).collect()
}

fn zone(mark: &str) -> String {
    format!(
        "$ORIGIN acme.test.\n$TTL 300\n@ SOA ns1.dns.test. hostmaster.acme.test. 1 3600 600 604800 300\n@ NS ns1.dns.test.\n\
         send.mail MX 10 feedback-smtp.us-east-1.amazonses.com.\n\
         send.mail TXT \"site-verification=a\\\"b\\\\c;d$(touch {mark})`id`\\010E\\001\\255\"\n\
         send.mail TXT \"v=spf1 include:evil.test $(touch {mark}) `id` \\\"q\\\" \\\\ \\059 \\010 ~all\"\n\
         sf1._domainkey.mail TXT \"p=abc\\\"; $(touch {mark})`x`\\010\\128\\255\"\n\
         _dmarc.mail TXT \"v=DMARC1; p=quarantne; rua=mailto:a@b.test; x=$(touch {mark})`y`\\\\\"\n"
    )
}

/// Character-strings of a quoted TXT text: `\X` is X, `\DDD` a byte, in
/// decimal (zone files) or octal (Route 53).
fn decode(text: &str, radix: u32) -> Vec<Vec<u8>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'"' {
            i += 1;
            continue;
        }
        i += 1;
        let mut s = Vec::new();
        while i < b.len() && b[i] != b'"' {
            if b[i] == b'\\' {
                if b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    let digits = std::str::from_utf8(&b[i + 1..i + 4]).expect("ASCII");
                    s.push(
                        u8::try_from(u32::from_str_radix(digits, radix).expect("number")).expect("a byte"),
                    );
                    i += 4;
                } else {
                    s.push(b[i + 1]);
                    i += 2;
                }
            } else {
                s.push(b[i]);
                i += 1;
            }
        }
        i += 1;
        out.push(s);
    }
    out
}

fn flags(zone_file: &Path) -> Vec<String> {
    [
        "mail.acme.test",
        "--selector",
        "sf1",
        "--public-key",
        KEY,
        "--zone",
        &zone_file.display().to_string(),
        "--now",
        "2026-11-26T06:00:00Z",
    ]
    .map(String::from)
    .to_vec()
}

fn fix(flags: &[String], extra: &[&str]) -> String {
    let mut args = vec!["fix"];
    args.extend(flags.iter().map(String::as_str));
    args.extend_from_slice(extra);
    let out = sendlint(&args);
    assert_eq!(out.status.code(), Some(1), "fix {extra:?}: {}", stderr(&out));
    stdout(&out)
}

struct Setup {
    dir: PathBuf,
    mark: PathBuf,
    flags: Vec<String>,
    plan: Value,
}

fn setup(tag: &str) -> Setup {
    let dir = scratch_dir(&format!("fix-hostile-{tag}"));
    let mark = dir.join("pwned");
    let file = dir.join("acme.test.zone");
    std::fs::write(&file, zone(&mark.display().to_string())).expect("zone");
    let flags = flags(&file);
    let plan: Value = serde_json::from_str(&fix(&flags, &["--format", "json"])).expect("JSON");
    Setup { dir, mark, flags, plan }
}

/// The final records of the MAIL FROM TXT set and the added DMARC record, as bytes.
fn expected(plan: &Value, name: &str) -> Vec<Vec<Vec<u8>>> {
    let set = plan["sets"]
        .as_array()
        .expect("sets")
        .iter()
        .find(|s| s["name"] == name && s["type"] == "TXT")
        .unwrap_or_else(|| panic!("a TXT set at {name}: {plan}"));
    set["after"].as_array().expect("after").iter().map(|v| decode(v.as_str().expect("text"), 10)).collect()
}

#[test]
fn json_keeps_the_hostile_bytes_exactly() {
    let s = setup("json");
    let after = expected(&s.plan, "send.mail.acme.test.");
    let kept = keep(&s.mark.display().to_string());
    assert!(after.iter().any(|r| r.concat() == kept), "the site verification record is kept byte for byte");
    assert!(after.iter().any(|r| r.concat() == b"v=spf1 include:amazonses.com ~all"), "{after:?}");
    let dels: Vec<Vec<u8>> = s.plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["op"] == "delete" && c["type"] == "TXT")
        .map(|c| decode(c["value"].as_str().expect("value"), 10).concat())
        .collect();
    let mark = s.mark.display().to_string();
    assert!(dels.contains(&format!("p=abc\"; $(touch {mark})`x`\n").bytes().chain([0x80, 0xFF]).collect()));
    // DMARC keeps the customer's tags, hostile ones too, as data.
    let dmarc = expected(&s.plan, "_dmarc.mail.acme.test.");
    assert_eq!(dmarc.len(), 1);
    let value = String::from_utf8(dmarc[0].concat()).expect("UTF-8");
    assert!(
        value.starts_with("v=DMARC1; p=quarantine;") && value.contains(&format!("x=$(touch {mark})`y`\\")),
        "{value}"
    );
    assert!(!s.mark.exists());
}

#[test]
fn route53_batch_decodes_to_the_exact_bytes() {
    let s = setup("route53");
    let batch: Value = serde_json::from_str(&fix(&s.flags, &["--as", "route53"])).expect("the batch is JSON");
    for change in batch["Changes"].as_array().expect("changes") {
        let rrset = &change["ResourceRecordSet"];
        if rrset["Type"] != "TXT" {
            continue;
        }
        let name = rrset["Name"].as_str().expect("name");
        let values: Vec<Vec<Vec<u8>>> = rrset["ResourceRecords"]
            .as_array()
            .expect("records")
            .iter()
            .map(|r| {
                let v = r["Value"].as_str().expect("value");
                assert!(v.bytes().all(|b| (0x20..=0x7E).contains(&b)), "printable ASCII only: {v:?}");
                decode(v, 8)
            })
            .collect();
        if change["Action"] == "UPSERT" {
            assert_eq!(values, expected(&s.plan, name), "{name}: the UPSERT holds the complete final set");
        }
        for v in values.iter().flatten() {
            assert!(v.len() <= 255);
        }
    }
}

#[test]
fn terraform_strings_are_escaped() {
    let s = setup("terraform");
    for registrar in [None, Some("cloudflare")] {
        let mut extra = vec!["--as", "terraform"];
        if let Some(r) = registrar {
            extra.extend(["--registrar", r]);
        }
        let text = fix(&s.flags, &extra);
        // Every string literal: decoded, with no unescaped template sequence.
        let b = text.as_bytes();
        let mut i = 0;
        let mut literals = Vec::new();
        while i < b.len() {
            if b[i] == b'#' {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            } else if b[i] == b'"' {
                let mut lit = String::new();
                i += 1;
                while b[i] != b'"' {
                    assert!(b[i] != b'\n', "a string literal ends at a newline:\n{text}");
                    match b[i] {
                        b'\\' => {
                            lit.push(char::from(b[i + 1]));
                            i += 2;
                        }
                        b'$' | b'%' if b[i + 1] == b'{' => panic!("a template sequence in a string:\n{text}"),
                        b'$' | b'%' if b[i + 1] == b[i] && b.get(i + 2) == Some(&b'{') => {
                            lit.push(char::from(b[i]));
                            lit.push('{');
                            i += 3;
                        }
                        c => {
                            lit.push(char::from(c));
                            i += 1;
                        }
                    }
                }
                i += 1;
                literals.push(lit);
            } else {
                i += 1;
            }
        }
        let mark = s.mark.display().to_string();
        let wanted = format!("x=$(touch {mark})`y`\\");
        let found = literals.iter().any(|l| {
            let strings = if registrar.is_some() { decode(l, 10) } else { decode(&format!("\"{l}\""), 8) };
            String::from_utf8_lossy(&strings.concat()).contains(&wanted)
        });
        assert!(found, "the DMARC value decodes back ({registrar:?}):\n{text}");
    }
}

#[test]
fn cloudflare_script_passes_values_as_data() {
    let s = setup("cloudflare");
    let script = fix(&s.flags, &["--as", "cloudflare"]);
    let path = s.dir.join("fix.sh");
    std::fs::write(&path, &script).expect("script");
    let syntax = Command::new("bash").arg("-n").arg(&path).output().expect("bash");
    assert!(syntax.status.success(), "bash -n: {}", String::from_utf8_lossy(&syntax.stderr));
    if Command::new("jq").arg("--version").output().is_err() {
        assert!(std::env::var_os("CI").is_none(), "CI: jq must be installed");
        eprintln!("skipped the run: jq missing");
        return;
    }
    // The shim: every call's arguments, NUL-separated, one file per call;
    // listings answer with the records as they are now, ids by position.
    let bin = s.dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let mut listing = Vec::new();
    for set in s.plan["sets"].as_array().expect("sets") {
        for (i, v) in set["before"].as_array().expect("before").iter().enumerate() {
            let v = v.as_str().expect("value");
            let (content, priority) = if set["type"] == "MX" {
                let (p, host) = v.split_once(' ').expect("MX");
                (host.trim_end_matches('.').to_owned(), p.parse::<u16>().ok())
            } else {
                (v.to_owned(), None)
            };
            listing.push(serde_json::json!({"id": format!("{}-{}-{i}", set["name"].as_str().unwrap_or(""), set["type"].as_str().unwrap_or("")), "content": content, "priority": priority}));
        }
    }
    std::fs::write(s.dir.join("listing.json"), serde_json::json!({ "result": listing }).to_string())
        .expect("listing");
    let log = s.dir.join("calls");
    std::fs::create_dir_all(&log).expect("log");
    let shim = format!(
        "#!/bin/bash\nn=$(printf %04d $(ls '{log}' | wc -l))\nprintf '%s\\0' \"$@\" > '{log}'/$n.args\n\
         if [[ \" $* \" == *' --data @- '* ]]; then cat > '{log}'/$n.body; fi\n\
         if [[ \" $* \" == *' -G '* ]]; then cat '{listing}'; else echo '{{\"success\":true}}'; fi\n",
        log = log.display(),
        listing = s.dir.join("listing.json").display()
    );
    let curl = bin.join("curl");
    std::fs::write(&curl, shim).expect("shim");
    Command::new("chmod").arg("+x").arg(&curl).status().expect("chmod");
    let run = Command::new("bash")
        .arg(&path)
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .env("CF_API_TOKEN", "token")
        .env("CF_ZONE_ID", "zone")
        .current_dir(&s.dir)
        .output()
        .expect("bash runs");
    assert!(run.status.success(), "the script fails: {}", String::from_utf8_lossy(&run.stderr));
    assert!(!s.mark.exists(), "a value was executed");
    // The deletions hit exactly the records the plan deletes; the creations
    // carry exactly the values it adds.
    let mut deleted = Vec::new();
    let mut bodies = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&log).expect("log").flatten().map(|e| e.path()).collect();
    entries.sort();
    for e in entries {
        if e.extension().is_some_and(|x| x == "args") {
            let args = std::fs::read(&e).expect("args");
            let args: Vec<String> =
                args.split(|b| *b == 0).map(|a| String::from_utf8_lossy(a).into_owned()).collect();
            if let Some(at) = args.iter().position(|a| a == "DELETE") {
                deleted.push(args[at + 1].rsplit('/').next().unwrap_or_default().to_owned());
            }
        } else if e.extension().is_some_and(|x| x == "body") {
            bodies.push(
                serde_json::from_slice::<Value>(&std::fs::read(&e).expect("body")).expect("a JSON body"),
            );
        }
    }
    let changes = s.plan["changes"].as_array().expect("changes");
    assert_eq!(deleted.len(), changes.iter().filter(|c| c["op"] == "delete").count(), "{deleted:?}");
    let adds: Vec<&Value> = changes.iter().filter(|c| c["op"] == "add").collect();
    assert_eq!(bodies.len(), adds.len());
    for (body, add) in bodies.iter().zip(adds) {
        assert_eq!(body["proxied"], false);
        assert_eq!(body["name"].as_str(), add["name"].as_str().map(|n| n.trim_end_matches('.')));
        if add["type"] == "TXT" {
            assert_eq!(body["content"], add["value"], "TXT content is the exact quoted form");
        }
    }
}

#[test]
fn nsupdate_applied_to_named_writes_the_exact_bytes() {
    if !tools_present() {
        assert!(std::env::var_os("CI").is_none(), "CI: named and nsupdate must be installed");
        eprintln!("skipped: named or nsupdate missing");
        return;
    }
    let s = setup("nsupdate");
    let mark = s.mark.display().to_string();
    let named = Named::start(&s.dir.join("named"), &[zone(&mark)]).expect("named serves the zone");
    let mut live = s.flags.clone();
    let at = live.iter().position(|a| a == "--zone").expect("--zone");
    live.splice(at..at + 2, ["--nameserver".to_owned(), named.address()]);
    let script = fix(&live, &["--as", "nsupdate"]);
    let (ok, said) = named.nsupdate(&script);
    assert!(ok, "nsupdate: {said}\n{script}");
    assert!(!s.mark.exists());
    for name in ["send.mail.acme.test.", "_dmarc.mail.acme.test."] {
        let mut now: Vec<Vec<Vec<u8>>> =
            named.dig(&["+short", name, "TXT"]).lines().map(|l| decode(l, 10)).collect();
        let mut want = expected(&s.plan, name);
        now.sort();
        want.sort();
        assert_eq!(now, want, "{name} as served after the update");
    }
    // The zone form of the same plan loads, hostile values and all.
    let form = fix(&s.flags, &["--as", "zone"]);
    let file = s.dir.join("form.zone");
    std::fs::write(&file, format!("$ORIGIN acme.test.\n@ 300 IN SOA ns1.dns.test. h.acme.test. 1 1 1 1 1\n@ 300 IN NS ns1.dns.test.\n{form}"))
        .expect("form");
    let check = Command::new("named-checkzone")
        .args(["-D", "acme.test"])
        .arg(&file)
        .output()
        .expect("named-checkzone");
    let dump = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "named-checkzone: {dump}");
    let kept = dump
        .lines()
        .filter(|l| l.contains("TXT"))
        .flat_map(|l| decode(l, 10))
        .any(|s| s.starts_with(b"site-verification"));
    assert!(kept, "{dump}");
    let again = sendlint(&[
        "fix",
        "mail.acme.test",
        "--selector",
        "sf1",
        "--public-key",
        KEY,
        "--nameserver",
        &named.address(),
    ]);
    assert_eq!(again.status.code(), Some(0), "nothing to change after the update: {}", stdout(&again));
    let _ = root();
}

#[test]
fn human_form_shows_values_escaped() {
    let s = setup("human");
    let text = fix(&s.flags, &[]);
    assert!(text.chars().all(|c| c == '\n' || !c.is_control()), "a raw control character:\n{text:?}");
    assert!(text.contains("\\x0A\\x80\\xFF"), "control and non-ASCII bytes shown escaped:\n{text}");
}
