//! `check --ses` / `--ses-state` and `watch`, end to end through the binary.
//! SES is `sendlint-testses` on 127.0.0.1; fake AWS keys are set in the child
//! process only. DNS is a zone file the test writes (and, for `watch`, rewrites).

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use sendlint_testses::{Reply, TestSes, identity_body};

mod common;
use common::{KEY, acme_zone, dkim_ok};

/// The acme.test zone: `dkim` and `mx` lines as given.
fn zone(mx: &str, dkim: &str) -> String {
    acme_zone(mx, dkim, "v=DMARC1; p=none; rua=mailto:d@acme.test")
}

const MX_OK: &str = "10 feedback-smtp.us-east-1.amazonses.com.";

/// A fresh directory for one test, removed when the returned guard drops.
fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("sendlint-ses-watch-").tempdir().expect("scratch dir")
}

/// Writes `text` to `path` atomically, so a poll never reads half a zone.
fn write_atomic(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).expect("write zone");
    std::fs::rename(&tmp, path).expect("rename zone");
}

fn sendlint() -> Command {
    common::sendlint_fake_aws()
}

fn check(zone_file: &Path, extra: &[&str]) -> Output {
    let zone = zone_file.to_str().expect("utf-8 path");
    let mut args = vec!["check", "mail.acme.test", "--selector", "sf1", "--public-key", KEY, "--zone", zone];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--format", "json"]);
    sendlint().args(&args).output().expect("run sendlint")
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{e}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

fn codes(report: &serde_json::Value) -> Vec<String> {
    let records = report["records"].as_array().into_iter().flatten();
    records
        .flat_map(|r| r["diagnoses"].as_array().into_iter().flatten())
        .chain(report["diagnoses"].as_array().into_iter().flatten())
        .filter_map(|d| d["code"].as_str().map(str::to_owned))
        .collect()
}

fn states(report: &serde_json::Value) -> Vec<String> {
    let records = report["records"].as_array().into_iter().flatten();
    records
        .map(|r| format!("{}={}", r["role"].as_str().unwrap_or("?"), r["state"].as_str().unwrap_or("?")))
        .collect()
}

#[test]
fn live_ses_success_unlocks() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = dir.join("acme.test.zone");
    write_atomic(&zone_file, &zone(MX_OK, &dkim_ok()));
    let ses =
        TestSes::start(vec![Reply::identity(identity_body("mail.acme.test", "sf1", "SUCCESS", "SUCCESS"))])
            .expect("server");
    let out = check(&zone_file, &["--ses", "--ses-endpoint", &ses.endpoint()]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report}");
    assert_eq!(report["ses_consulted"], true);
    assert_eq!(codes(&report), vec!["dmarc.policy-none".to_owned()]);
    let requests = ses.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].path, "/v2/email/identities/mail.acme.test");
    assert!(requests[0].signed);
}

#[test]
fn live_ses_pending_is_verifying() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = dir.join("acme.test.zone");
    write_atomic(&zone_file, &zone(MX_OK, &dkim_ok()));
    let ses =
        TestSes::start(vec![Reply::identity(identity_body("mail.acme.test", "sf1", "PENDING", "SUCCESS"))])
            .expect("server");
    let out = check(&zone_file, &["--ses", "--ses-endpoint", &ses.endpoint()]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert_eq!(states(&report), ["spf_mx=Verified", "spf_txt=Verified", "dkim=Verifying", "dmarc=Verified"]);
}

#[test]
fn identity_not_found_is_a_diagnosis() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = dir.join("acme.test.zone");
    write_atomic(&zone_file, &zone(MX_OK, &dkim_ok()));
    let ses = TestSes::start(vec![Reply::not_found("mail.acme.test")]).expect("server");
    let out = check(&zone_file, &["--ses", "--ses-endpoint", &ses.endpoint()]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(codes(&report).contains(&"ses.identity-not-found".to_owned()), "{report}");
    assert_eq!(report["sending_unlocked"], false);
}

#[test]
fn a_failed_ses_call_keeps_the_dns_findings_and_the_dns_verdict() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = dir.join("acme.test.zone");
    // DKIM missing: the DNS finding must survive the SES failure
    write_atomic(&zone_file, &zone(MX_OK, ""));
    for reply in [Reply::bad_credentials(), Reply::malformed()] {
        let ses = TestSes::start(vec![reply]).expect("server");
        let out = check(&zone_file, &["--ses", "--ses-endpoint", &ses.endpoint()]);
        let report = json(&out);
        // a failed SES call is not bad input (never 2) and never unlocks: 1
        assert_eq!(out.status.code(), Some(1), "{report}");
        assert_eq!(report["sending_unlocked"], false);
        assert_eq!(report["ses_consulted"], false);
        let codes = codes(&report);
        assert!(codes.contains(&"dkim.missing".to_owned()), "{codes:?}");
        assert!(codes.contains(&"ses.unavailable".to_owned()), "{codes:?}");
    }
}

#[test]
fn throttling_is_retried_by_the_cli() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = dir.join("acme.test.zone");
    write_atomic(&zone_file, &zone(MX_OK, &dkim_ok()));
    let ses = TestSes::start(vec![
        Reply::throttled(),
        Reply::identity(identity_body("mail.acme.test", "sf1", "SUCCESS", "SUCCESS")),
    ])
    .expect("server");
    let out = check(&zone_file, &["--ses", "--ses-endpoint", &ses.endpoint()]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(ses.requests().len(), 2, "the 429 was retried");
}

#[test]
fn ses_state_file() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = dir.join("acme.test.zone");
    write_atomic(&zone_file, &zone(MX_OK, &dkim_ok()));
    let saved = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/ses/saved/get-email-identity-pending.json");
    let out = check(&zone_file, &["--ses-state", saved.to_str().expect("utf-8")]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert_eq!(report["ses_consulted"], true);
    assert_eq!(
        states(&report),
        ["spf_mx=Verifying", "spf_txt=Verifying", "dkim=Verifying", "dmarc=Verified"]
    );

    let bad = dir.join("bad.json");
    std::fs::write(&bad, "{\"DkimAttributes\": {\"Tokens\": 7}}").expect("write");
    let out = check(&zone_file, &["--ses-state", bad.to_str().expect("utf-8")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.json") && err.contains("not a GetEmailIdentity answer"), "{err}");
}

/// Starts `sendlint watch` with a short interval, stdout piped (plain lines).
fn watch(zone_file: &Path) -> Child {
    sendlint()
        .args([
            "watch",
            "mail.acme.test",
            "--selector",
            "sf1",
            "--public-key",
            KEY,
            "--interval",
            "1s",
            "--zone",
        ])
        .arg(zone_file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn sendlint watch")
}

/// Kills the child if the test fails before it exits, so no process outlives the test.
struct Reaper(Child);
impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn watch_exits_0_once_the_zone_is_fixed() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = dir.join("acme.test.zone");
    write_atomic(&zone_file, &zone(MX_OK, ""));
    let mut child = Reaper(watch(&zone_file));
    let stdout = child.0.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let first = lines.next().and_then(Result::ok).expect("a first poll line");
    assert!(first.contains("poll 1") && first.contains("dkim Pending"), "{first}");
    // publish the DKIM record; a later poll sees it
    write_atomic(&zone_file, &zone(MX_OK, &dkim_ok()));
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.0.wait().expect("wait");
    assert_eq!(status.code(), Some(0), "{rest:#?}");
    assert!(rest.iter().any(|l| l.contains("dkim Verified") && l.contains("sending unlocked")), "{rest:#?}");
}

#[test]
fn watch_exits_1_on_failed() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = dir.join("acme.test.zone");
    write_atomic(&zone_file, &zone("10 feedback-smtp.eu-west-1.amazonses.com.", &dkim_ok()));
    let mut child = Reaper(watch(&zone_file));
    let out = BufReader::new(child.0.stdout.take().expect("stdout"));
    let text: Vec<String> = out.lines().map_while(Result::ok).collect();
    let status = child.0.wait().expect("wait");
    assert_eq!(status.code(), Some(1), "{text:#?}");
    assert!(text.iter().any(|l| l.contains("spf_mx Failed")), "{text:#?}");
    assert!(text.iter().any(|l| l.contains("mx.wrong-target")), "the full report follows: {text:#?}");
}

#[cfg(unix)]
#[test]
fn watch_leaves_on_ctrl_c_with_130() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = dir.join("acme.test.zone");
    write_atomic(&zone_file, &zone(MX_OK, ""));
    let mut child = Reaper(watch(&zone_file));
    let mut lines = BufReader::new(child.0.stdout.take().expect("stdout")).lines();
    let first = lines.next().and_then(Result::ok).expect("a first poll line");
    assert!(first.contains("poll 1"), "{first}");
    let kill = Command::new("kill").args(["-INT", &child.0.id().to_string()]).status().expect("kill");
    assert!(kill.success());
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    let status = child.0.wait().expect("wait");
    assert_eq!(status.code(), Some(130), "{rest:#?}");
    assert!(rest.last().is_some_and(|l| l.contains("interrupted")), "{rest:#?}");
}
