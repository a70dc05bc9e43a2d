//! One story: the header, the badges, the exit status and the JSON/CSV verdict
//! of the `sendlint` binary always agree; an error locks sending wherever it is
//! (DMARC aside, which never blocks); SES that cannot be read or that
//! contradicts the setup never unlocks, and never hangs.
//!
//! SES is `sendlint-testses` on 127.0.0.1 (fake keys in the child only); DNS is
//! a zone file each test writes.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sendlint_testses::{Pace, Reply, TestSes, identity_body};

mod common;
use common::{KEY, acme_zone, dkim_ok};
use serde_json::Value;

const MX_OK: &str = "10 feedback-smtp.us-east-1.amazonses.com.";
const DMARC_OK: &str = "v=DMARC1; p=none; rua=mailto:d@acme.test";

/// The acme.test zone with the given MX, DKIM line and DMARC value.
fn zone(mx: &str, dkim: &str, dmarc: &str) -> String {
    acme_zone(mx, dkim, dmarc)
}

fn good_zone() -> String {
    zone(MX_OK, &dkim_ok(), DMARC_OK)
}

fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("sendlint-verdict-").tempdir().expect("scratch dir")
}

/// Writes the zone (and anything else) into a fresh directory.
fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write");
    path
}

fn sendlint() -> Command {
    common::sendlint_fake_aws()
}

/// Kills the child if the test fails before it exits.
struct Reaper(Child);
impl Drop for Reaper {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs `cmd` to its end, failing the test (and killing the process) after
/// `deadline`: a hang is a failure, not a stuck test run.
fn run_within(mut cmd: Command, deadline: Duration) -> Output {
    let mut child = Reaper(cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn"));
    let mut stdout = child.0.stdout.take().expect("stdout");
    let mut stderr = child.0.stderr.take().expect("stderr");
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stdout.read_to_end(&mut v);
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = stderr.read_to_end(&mut v);
        v
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().expect("wait") {
            break status;
        }
        assert!(started.elapsed() < deadline, "sendlint still running after {deadline:?}: it hangs");
        std::thread::sleep(Duration::from_millis(50));
    };
    Output { status, stdout: out.join().expect("stdout"), stderr: err.join().expect("stderr") }
}

/// `check mail.acme.test` against `zone_file` with `extra` flags, in `format`.
fn check(zone_file: &Path, format: &str, extra: &[&str]) -> Output {
    let mut cmd = sendlint();
    cmd.args(["check", "mail.acme.test", "--selector", "sf1", "--public-key", KEY, "--zone"])
        .arg(zone_file)
        .args(extra)
        .args(["--format", format]);
    run_within(cmd, Duration::from_secs(60))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", text(&out.stdout), text(&out.stderr)))
}

fn codes(report: &Value) -> Vec<String> {
    let records = report["records"].as_array().into_iter().flatten();
    records
        .flat_map(|r| r["diagnoses"].as_array().into_iter().flatten())
        .chain(report["diagnoses"].as_array().into_iter().flatten())
        .filter_map(|d| d["code"].as_str().map(str::to_owned))
        .collect()
}

/// The verdict line of the human report.
fn headline(out: &Output) -> String {
    let stdout = text(&out.stdout);
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with("sending "))
        .unwrap_or_else(|| panic!("no verdict line in:\n{stdout}"))
        .trim()
        .to_owned()
}

/// Human and JSON of one check tell the same story: exit status, header, `sending_unlocked`.
fn check_both(zone_file: &Path, extra: &[&str]) -> (Output, Output, Value) {
    let human = check(zone_file, "human", extra);
    let machine = check(zone_file, "json", extra);
    let report = json(&machine);
    assert_eq!(human.status.code(), machine.status.code(), "one exit status whatever the format");
    let unlocked = report["sending_unlocked"] == true;
    assert_eq!(machine.status.code(), Some(if unlocked { 0 } else { 1 }), "{report}");
    assert_eq!(headline(&human).starts_with("sending UNLOCKED"), unlocked, "{}", text(&human.stdout));
    (human, machine, report)
}

fn live_ses(reply: Reply) -> (TestSes, Vec<String>) {
    let ses = TestSes::start(vec![reply]).expect("server");
    let args = vec!["--ses".to_owned(), "--ses-endpoint".to_owned(), ses.endpoint()];
    (ses, args)
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

// ---- the header names what blocks ----

#[test]
fn the_header_names_the_badges_that_block() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file =
        write(dir, "acme.test.zone", &zone("10 feedback-smtp.eu-west-1.amazonses.com.", "", DMARC_OK));
    let (human, _, report) = check_both(&zone_file, &[]);
    assert_eq!(report["sending_unlocked"], false);
    assert_eq!(headline(&human), "sending locked: spf_mx Failed, dkim Pending; 2 errors, 0 warnings");
}

#[test]
fn a_dmarc_error_never_locks_and_the_header_says_why() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &zone(MX_OK, &dkim_ok(), "v=DMARC1; p=quarantne"));
    let (human, _, report) = check_both(&zone_file, &[]);
    assert_eq!(report["sending_unlocked"], true, "{report}");
    assert!(codes(&report).contains(&"dmarc.syntax".to_owned()), "{report}");
    assert_eq!(
        headline(&human),
        "sending UNLOCKED (dmarc Failed, which never blocks sending): 1 error, 0 warnings"
    );
}

// ---- SES contradictions lock ----

#[test]
fn an_ses_identity_with_another_selector_locks() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    // every status SUCCESS, but SES signs with selector sf2
    let (_ses, args) =
        live_ses(Reply::identity(identity_body("mail.acme.test", "sf2", "SUCCESS", "SUCCESS")));
    let (human, _, report) = check_both(&zone_file, &strs(&args));
    assert_eq!(report["sending_unlocked"], false, "{report}");
    assert_eq!(report["ses_consulted"], true);
    assert!(codes(&report).contains(&"ses.selector-mismatch".to_owned()), "{report}");
    assert_eq!(headline(&human), "sending locked: ses.selector-mismatch; 1 error, 0 warnings");
}

#[test]
fn an_ses_mail_from_elsewhere_on_the_domain_locks() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let body = identity_body("mail.acme.test", "sf1", "SUCCESS", "SUCCESS").replace(
        "\"MailFromDomain\":\"send.mail.acme.test\"",
        "\"MailFromDomain\":\"bounce.mail.acme.test\"",
    );
    let (_ses, args) = live_ses(Reply::identity(body));
    let (human, _, report) = check_both(&zone_file, &strs(&args));
    assert_eq!(report["sending_unlocked"], false, "{report}");
    assert!(codes(&report).contains(&"ses.mail-from-mismatch".to_owned()), "{report}");
    assert!(headline(&human).starts_with("sending locked: ses.mail-from-mismatch;"), "{}", headline(&human));
}

/// A saved answer of `aws sesv2 get-email-identity`, with `MailFromAttributes` as given.
fn saved_state(mail_from_domain: &str, mail_from_status: &str) -> String {
    format!(
        r#"{{
  "IdentityType": "DOMAIN",
  "VerifiedForSendingStatus": true,
  "DkimAttributes": {{"SigningEnabled": true, "Status": "SUCCESS", "Tokens": ["sf1"], "SigningAttributesOrigin": "EXTERNAL"}},
  "MailFromAttributes": {{"MailFromDomain": "{mail_from_domain}", "MailFromDomainStatus": "{mail_from_status}", "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"}},
  "VerificationStatus": "SUCCESS"
}}
"#
    )
}

#[test]
fn a_saved_state_of_another_identity_is_an_error_not_advice() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let state = write(dir, "other.json", &saved_state("bounce.example.org", "SUCCESS"));
    let (human, _, report) = check_both(&zone_file, &["--ses-state", state.to_str().expect("utf-8")]);
    assert_eq!(report["sending_unlocked"], false, "{report}");
    assert_eq!(report["ses_consulted"], false, "another identity's statuses drive no badge");
    assert_eq!(codes(&report), ["dmarc.policy-none", "ses.other-identity"], "one fault, one diagnosis");
    let states: Vec<&str> = report["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["state"].as_str().expect("state"))
        .collect();
    assert_eq!(states, ["Verified", "Verified", "Verified", "Verified"], "DNS-only badges");
    let stdout = text(&human.stdout);
    assert_eq!(headline(&human), "sending locked: ses.other-identity; 1 error, 0 warnings");
    let message = report["diagnoses"][0]["message"].as_str().expect("message");
    assert!(message.contains("bounce.example.org is not under mail.acme.test"), "{message}");
    assert!(
        !stdout.contains("--mail-from bounce.example.org"),
        "no advice to publish at someone else's domain: {stdout}"
    );
}

#[test]
fn a_saved_state_with_an_unknown_status_is_bad_input() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let state = write(dir, "odd.json", &saved_state("send.mail.acme.test", "VERIFIED"));
    for format in ["human", "json"] {
        let out = check(&zone_file, format, &["--ses-state", state.to_str().expect("utf-8")]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stdout));
        assert!(out.stdout.is_empty(), "no verdict from a state that cannot be read: {}", text(&out.stdout));
        let err = text(&out.stderr);
        // miette wraps the message: compare its words, not its line breaks
        let flat = err.split_whitespace().filter(|w| *w != "│").collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("odd.json") && flat.contains("unknown SES verification status `VERIFIED`"),
            "{err}"
        );
        assert!(err.contains("odd.json:5:"), "points at the line of the value: {err}");
    }
}

// ---- SES that cannot be read: an error, DNS-only badges, never unlocked, never a hang ----

/// The `ses.unavailable` diagnosis of a report.
fn unavailable(report: &Value) -> &Value {
    report["diagnoses"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == "ses.unavailable"))
        .unwrap_or_else(|| panic!("no ses.unavailable: {report}"))
}

#[test]
fn an_ses_endpoint_that_never_answers_times_out_and_does_not_unlock() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let identity = Reply::identity(identity_body("mail.acme.test", "sf1", "SUCCESS", "SUCCESS"));
    for reply in [
        Reply::never(),
        identity.clone().paced(Pace::Trickle(Duration::from_secs(1))),
        identity.paced(Pace::TrickleBody(Duration::from_secs(1))),
    ] {
        let pace = reply.pace;
        let (_ses, mut args) = live_ses(reply);
        args.extend(["--ses-timeout".to_owned(), "2s".to_owned()]);
        let started = Instant::now();
        let (human, _, report) = check_both(&zone_file, &strs(&args));
        assert!(started.elapsed() < Duration::from_secs(30), "{pace:?}: two checks of a 2 s deadline");
        assert_eq!(report["ses_consulted"], false, "{pace:?}: {report}");
        assert_eq!(report["sending_unlocked"], false, "{pace:?}: SES asked for and not heard: {report}");
        let states: Vec<&str> = report["records"]
            .as_array()
            .expect("records")
            .iter()
            .map(|r| r["state"].as_str().expect("state"))
            .collect();
        assert_eq!(states, ["Verified", "Verified", "Verified", "Verified"], "{pace:?}: DNS-only badges");
        let unavailable = unavailable(&report);
        assert_eq!(unavailable["severity"], "error");
        let message = unavailable["message"].as_str().expect("message");
        assert!(message.contains("within 2 s"), "{pace:?}: {message}");
        assert!(!message.contains("DispatchFailure") && !message.contains("ConnectorError"), "{message}");
        assert_eq!(human.status.code(), Some(1), "{pace:?}");
        assert_eq!(headline(&human), "sending locked: ses.unavailable; 1 error, 0 warnings");
        assert!(text(&human.stdout).contains("DNS only (SES asked for, could not be read)"));
    }
}

#[test]
fn a_failed_ses_call_reads_as_one_sentence() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let (human, _, report) = check_both(&zone_file, &["--ses", "--ses-endpoint", &endpoint]);
    assert_eq!(human.status.code(), Some(1), "nothing listening at the endpoint: not unlocked");
    let message = unavailable(&report)["message"].as_str().expect("message").to_owned();
    assert_eq!(
        message,
        format!(
            "SES was asked for but could not be read, so sending is not shown as unlocked for mail.acme.test: could not reach SES (us-east-1) at {endpoint}: Connection refused"
        )
    );
}

#[test]
fn an_ses_answer_that_cannot_be_read_or_a_refusal_does_not_unlock() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    for reply in [Reply::malformed(), Reply::bad_credentials()] {
        let (_ses, args) = live_ses(reply);
        let (human, _, report) = check_both(&zone_file, &strs(&args));
        assert_eq!(human.status.code(), Some(1), "{report:#}");
        assert_eq!(report["sending_unlocked"], false, "{report:#}");
        assert_eq!(report["ses_consulted"], false, "{report:#}");
        assert_eq!(unavailable(&report)["severity"], "error");
        assert_eq!(headline(&human), "sending locked: ses.unavailable; 1 error, 0 warnings");
    }
}

#[test]
fn no_aws_credentials_anywhere_does_not_unlock() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let mut cmd = sendlint();
    for (name, _) in std::env::vars_os().filter(|(k, _)| k.to_string_lossy().starts_with("AWS_")) {
        cmd.env_remove(name);
    }
    cmd.env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("HOME", dir)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", dir.join("none-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("none-credentials"))
        .args(["check", "mail.acme.test", "--selector", "sf1", "--public-key", KEY, "--zone"])
        .arg(&zone_file)
        .args(["--ses", "--ses-endpoint", &format!("http://127.0.0.1:{port}"), "--format", "json"]);
    let out = run_within(cmd, Duration::from_secs(60));
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    assert_eq!(report["sending_unlocked"], false, "{report:#}");
    assert_eq!(report["ses_consulted"], false, "{report:#}");
    let message = unavailable(&report)["message"].as_str().expect("message");
    assert!(message.contains("no AWS credentials found"), "{message}");
}

// ---- a verdict claims only what was compared: the DKIM key ----

/// `check mail.acme.test` without any DKIM public key.
fn check_without_key(zone_file: &Path, format: &str, extra: &[&str]) -> Output {
    let mut cmd = sendlint();
    cmd.args(["check", "mail.acme.test", "--selector", "sf1", "--zone"])
        .arg(zone_file)
        .args(extra)
        .args(["--format", format]);
    run_within(cmd, Duration::from_secs(60))
}

#[test]
fn without_the_key_the_dkim_record_is_not_verified_and_sending_stays_locked() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let human = check_without_key(&zone_file, "human", &[]);
    let machine = check_without_key(&zone_file, "json", &[]);
    let report = json(&machine);
    assert_eq!(human.status.code(), Some(1), "{}", text(&human.stdout));
    assert_eq!(machine.status.code(), Some(1));
    assert_eq!(report["sending_unlocked"], false, "{report:#}");
    assert_eq!(headline(&human), "sending locked: dkim Pending; 0 errors, 1 warning");
    let dkim = report["records"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["role"] == "dkim"))
        .unwrap_or_else(|| panic!("{report}"));
    assert_eq!(dkim["state"], "Pending", "never Verified, never Failed for this: {dkim}");
    let d = &dkim["diagnoses"][0];
    assert_eq!(d["code"], "dkim.key-not-compared", "{dkim}");
    assert_eq!(d["severity"], "warning");
    let help = d["help"].as_str().expect("help");
    for way in ["--public-key-file", "--public-key", "dkim_public_key", "--ses"] {
        assert!(help.contains(way), "the help says how to give the key ({way}): {help}");
    }
    assert_eq!(codes(&report), ["dkim.key-not-compared", "dmarc.policy-none"], "{report:#}");
}

#[test]
fn without_the_key_ses_success_stands_because_ses_compared_its_own() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let state = write(dir, "state.json", &saved_state("send.mail.acme.test", "SUCCESS"));
    let out = check_without_key(&zone_file, "json", &["--ses-state", state.to_str().expect("utf-8")]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(0), "{report:#}");
    assert_eq!(report["sending_unlocked"], true, "{report:#}");
    assert!(!codes(&report).contains(&"dkim.key-not-compared".to_owned()), "{report:#}");
    // SES still checking: Pending, not Verifying (nobody has said the key is right)
    let pending = saved_state("send.mail.acme.test", "SUCCESS")
        .replace("\"Status\": \"SUCCESS\", \"Tokens\"", "\"Status\": \"PENDING\", \"Tokens\"");
    assert!(pending.contains("\"Status\": \"PENDING\""), "{pending}");
    let state = write(dir, "pending.json", &pending);
    let out = check_without_key(&zone_file, "json", &["--ses-state", state.to_str().expect("utf-8")]);
    let report = json(&out);
    assert_eq!(out.status.code(), Some(1), "{report:#}");
    let dkim =
        report["records"].as_array().and_then(|r| r.iter().find(|r| r["role"] == "dkim")).expect("dkim");
    assert_eq!(dkim["state"], "Pending", "{dkim}");
    assert_eq!(dkim["diagnoses"][0]["code"], "dkim.key-not-compared", "{dkim}");
}

#[test]
fn watch_polls_on_when_ses_never_answers() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    // DKIM not published yet: the watch keeps polling
    let zone_file = write(dir, "acme.test.zone", &zone(MX_OK, "", DMARC_OK));
    let ses = TestSes::start(vec![Reply::never()]).expect("server");
    let mut child = Reaper(
        sendlint()
            .args(["watch", "mail.acme.test", "--selector", "sf1", "--public-key", KEY, "--interval", "1s"])
            .args(["--ses", "--ses-endpoint", &ses.endpoint(), "--ses-timeout", "1s", "--zone"])
            .arg(&zone_file)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sendlint watch"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut polls = Vec::new();
    while polls.len() < 2 {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => polls.push(line),
            Err(_) => panic!("watch hangs on SES: {polls:#?}"),
        }
    }
    assert!(polls[0].contains("poll 1") && polls[1].contains("poll 2"), "{polls:#?}");
    assert!(polls[1].contains("dkim Pending"), "{polls:#?}");
    assert!(ses.requests().len() >= 2, "each poll asks SES again");
}

#[test]
fn watch_does_not_stop_on_a_dns_only_unlock_when_ses_was_asked() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    // the first call never answers, the next one says SUCCESS
    let ses = TestSes::start(vec![
        Reply::never(),
        Reply::identity(identity_body("mail.acme.test", "sf1", "SUCCESS", "SUCCESS")),
    ])
    .expect("server");
    let mut cmd = sendlint();
    cmd.args(["watch", "mail.acme.test", "--selector", "sf1", "--public-key", KEY, "--interval", "1s"])
        .args(["--ses", "--ses-endpoint", &ses.endpoint(), "--ses-timeout", "1s", "--zone"])
        .arg(&zone_file);
    let out = run_within(cmd, Duration::from_secs(30));
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let polls: Vec<&str> = stdout.lines().filter(|l| l.contains(" poll ")).collect();
    assert_eq!(polls.len(), 2, "{stdout}");
    assert!(polls[0].contains("(SES could not be read, asking again)"), "{stdout}");
    assert!(!polls[0].contains("sending unlocked"), "SES not heard never unlocks: {stdout}");
    assert!(polls[1].ends_with("(sending unlocked)"), "{stdout}");
    assert!(stdout.contains("SES consulted"), "the final report is SES's: {stdout}");
}

#[test]
fn watch_refuses_an_interval_below_one_second() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let mut cmd = sendlint();
    cmd.args([
        "watch",
        "mail.acme.test",
        "--selector",
        "sf1",
        "--public-key",
        KEY,
        "--interval",
        "1ms",
        "--zone",
    ])
    .arg(&zone_file);
    let out = run_within(cmd, Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("1ms is too short") && err.contains("at least 1s"), "{err}");
    assert!(out.stdout.is_empty(), "no poll ran");
}

// ---- audit: CSV, JSON Lines and exit status agree ----

#[test]
fn audit_domain_in_use_locks_in_every_format() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    write(dir, "acme.test.zone", &good_zone());
    let entry = |org: &str| {
        format!(
            r#"{{"org": "{org}", "domain": "mail.acme.test", "region": "us-east-1", "dkim_selector": "sf1", "dkim_public_key": "{KEY}"}}"#
        )
    };
    let manifest =
        write(dir, "manifest.json", &format!("{{\"domains\": [{}, {}]}}", entry("acme"), entry("globex")));
    let run = |format: &str| {
        let mut cmd = sendlint();
        cmd.arg("audit")
            .arg(&manifest)
            .arg("--zone")
            .arg(dir.join("acme.test.zone"))
            .args(["--format", format]);
        run_within(cmd, Duration::from_secs(60))
    };

    let lines = run("json");
    assert_eq!(lines.status.code(), Some(1), "{}", text(&lines.stdout));
    let lines: Vec<Value> =
        text(&lines.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(lines.len(), 2);
    for line in &lines {
        assert!(codes(line).contains(&"workspace.domain-in-use".to_owned()), "{line}");
        assert_eq!(line["sending_unlocked"], false, "an error on the domain locks: {line}");
    }

    let csv = run("csv");
    assert_eq!(csv.status.code(), Some(1));
    let csv = text(&csv.stdout);
    let rows: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    for row in rows {
        let fields: Vec<&str> = row.split(',').collect();
        assert_eq!(fields[5], "false", "unlocked column: {row}");
        assert_eq!(&fields[6..10], ["Verified", "Verified", "Verified", "Verified"], "{row}");
    }

    let human = run("human");
    assert_eq!(human.status.code(), Some(1));
    let stdout = text(&human.stdout);
    let headers: Vec<&str> = stdout.lines().filter(|l| l.trim_start().starts_with("sending ")).collect();
    assert_eq!(
        headers.iter().map(|h| h.trim()).collect::<Vec<_>>(),
        ["sending locked: workspace.domain-in-use; 1 error, 0 warnings"; 2],
        "{stdout}"
    );
}

/// `audit MANIFEST --zone ZONE --format FORMAT` with `extra` flags.
fn audit(manifest: &Path, zone_file: &Path, format: &str, extra: &[&str]) -> Output {
    let mut cmd = sendlint();
    cmd.arg("audit").arg(manifest).arg("--zone").arg(zone_file).args(["--format", format]).args(extra);
    run_within(cmd, Duration::from_secs(60))
}

fn json_lines(out: &Output) -> Vec<Value> {
    text(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect()
}

fn diagnosis<'a>(report: &'a Value, code: &str) -> Option<&'a Value> {
    report["diagnoses"].as_array().and_then(|d| d.iter().find(|d| d["code"] == code))
}

#[test]
fn audit_domain_in_use_when_both_keys_are_published_dns_cannot_tell() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let entry = |org: &str| {
        format!(
            r#"{{"org": "{org}", "domain": "mail.acme.test", "region": "us-east-1", "dkim_selector": "sf1", "dkim_public_key": "{KEY}"}}"#
        )
    };
    let manifest =
        write(dir, "manifest.json", &format!("{{\"domains\": [{}, {}]}}", entry("acme"), entry("globex")));
    let out = audit(&manifest, &zone_file, "json", &[]);
    for line in json_lines(&out) {
        let message =
            diagnosis(&line, "workspace.domain-in-use").expect("domain-in-use")["message"].to_string();
        assert!(
            message.contains(
                "DNS does not tell whose setup is published: the DKIM keys of acme, globex are all published"
            ) || message.contains(
                "DNS does not tell whose setup is published: the DKIM keys of globex, acme are all published"
            ),
            "says which evidence decided: {message}"
        );
    }
}

#[test]
fn audit_domain_in_use_the_published_dkim_key_decides_whose_claim_stands() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    // acme's key is what DNS serves at sf1; globex claims the domain with another key
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let other = std::fs::read_to_string(common::root().join("fixtures/keys/other-2048.b64")).expect("key");
    let entry = |org: &str, key: &str| {
        format!(
            r#"{{"org": "{org}", "domain": "mail.acme.test", "region": "us-east-1", "dkim_selector": "sf1", "dkim_public_key": "{}"}}"#,
            key.trim()
        )
    };
    let manifest = write(
        dir,
        "manifest.json",
        &format!("{{\"domains\": [{}, {}]}}", entry("acme", KEY), entry("globex", &other)),
    );
    let out = audit(&manifest, &zone_file, "json", &[]);
    assert_eq!(out.status.code(), Some(1), "globex is not unlocked: {}", text(&out.stdout));
    let lines = json_lines(&out);
    let by_org =
        |org: &str| lines.iter().find(|l| l["org"] == org).unwrap_or_else(|| panic!("{org}: {lines:#?}"));

    let acme = by_org("acme");
    assert_eq!(acme["sending_unlocked"], true, "the published claim keeps its verdict: {acme:#}");
    assert!(diagnosis(acme, "workspace.domain-in-use").is_none(), "{acme:#}");
    let kept = diagnosis(acme, "workspace.domain-also-claimed").expect("domain-also-claimed");
    assert_eq!(kept["severity"], "warning");
    assert!(kept["message"].as_str().expect("message").contains("globex"), "{kept}");

    let globex = by_org("globex");
    assert_eq!(globex["sending_unlocked"], false, "{globex:#}");
    let error = diagnosis(globex, "workspace.domain-in-use").expect("domain-in-use");
    let message = error["message"].as_str().expect("message");
    assert!(
        message.contains(
            "DNS decides against this claim: the DKIM key published for mail.acme.test is the one of acme"
        ),
        "says which evidence decided: {message}"
    );

    // the same claims, neither key published: DNS cannot tell, both locked
    let zone_file = write(dir, "nokey.zone", &zone(MX_OK, "", DMARC_OK));
    let out = audit(&manifest, &zone_file, "json", &[]);
    for line in json_lines(&out) {
        let message =
            diagnosis(&line, "workspace.domain-in-use").expect("both locked")["message"].to_string();
        assert!(message.contains("no claim's DKIM key is published"), "{message}");
    }
}

#[test]
fn audit_ses_that_cannot_be_read_locks_in_every_format() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let manifest = write(
        dir,
        "manifest.json",
        &format!(
            r#"{{"domains": [{{"org": "acme", "domain": "mail.acme.test", "region": "us-east-1", "dkim_selector": "sf1", "dkim_public_key": "{KEY}"}}]}}"#
        ),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let ses = ["--ses", "--ses-endpoint", endpoint.as_str(), "--ses-timeout", "2s"];

    let out = audit(&manifest, &zone_file, "json", &ses);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stdout));
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["sending_unlocked"], false, "{:#}", lines[0]);
    assert_eq!(lines[0]["ses_consulted"], false);
    assert_eq!(diagnosis(&lines[0], "ses.unavailable").expect("ses.unavailable")["severity"], "error");

    let csv = audit(&manifest, &zone_file, "csv", &ses);
    assert_eq!(csv.status.code(), Some(1));
    let csv = text(&csv.stdout);
    let row: Vec<&str> = csv.lines().nth(1).expect("one row").split(',').collect();
    assert_eq!(row[5], "false", "unlocked column: {csv}");

    let human = audit(&manifest, &zone_file, "human", &ses);
    assert_eq!(human.status.code(), Some(1));
    assert!(
        text(&human.stdout).contains("sending locked: ses.unavailable; 1 error, 0 warnings"),
        "{}",
        text(&human.stdout)
    );
}

// ---- serve: the same verdict over HTTP ----

/// `sendlint serve ARGS --listen 127.0.0.1:0`, killed on drop; the address it listens on.
fn serve(args: &[&str]) -> (Reaper, String) {
    let mut child = sendlint()
        .arg("serve")
        .args(args)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sendlint serve starts");
    let stderr = child.stderr.take().expect("stderr");
    let child = Reaper(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let addr = rest.split(['/', ' ']).next().unwrap_or_default().to_owned();
                let _ = tx.send(addr);
            }
        }
    });
    let addr = rx.recv_timeout(Duration::from_secs(60)).expect("sendlint serve listens");
    (child, addr)
}

/// `POST path` with a JSON body through the shared test client: the status and the body.
fn post_json(addr: &str, path: &str, body: &str) -> (u16, String) {
    let answer = sendlint_testhttp::Request::post_json(path, body)
        .timeout(Duration::from_secs(60))
        .send(addr)
        .expect("answer");
    (answer.status, answer.body)
}

#[test]
fn serve_ses_that_cannot_be_read_and_a_missing_key_never_unlock() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let zone_file = write(dir, "acme.test.zone", &good_zone());
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let zone_arg = zone_file.to_str().expect("utf-8");
    let (_server, addr) = serve(&["--zone", zone_arg, "--ses", "--ses-endpoint", &endpoint]);

    let with_key = format!(
        r#"{{"domain": "mail.acme.test", "region": "us-east-1", "dkim_selector": "sf1", "dkim_public_key": "{KEY}"}}"#
    );
    let (status, body) = post_json(&addr, "/api/v1/check", &with_key);
    assert_eq!(status, 200, "{body}");
    let report: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(report["sending_unlocked"], false, "{report:#}");
    assert_eq!(report["ses_consulted"], false, "{report:#}");
    assert_eq!(unavailable(&report)["severity"], "error");

    let without_key = r#"{"domain": "mail.acme.test", "region": "us-east-1", "dkim_selector": "sf1"}"#;
    let (status, body) = post_json(&addr, "/api/v1/check", without_key);
    assert_eq!(status, 200, "{body}");
    let report: Value = serde_json::from_str(&body).expect("JSON");
    assert_eq!(report["sending_unlocked"], false, "{report:#}");
    let dkim =
        report["records"].as_array().and_then(|r| r.iter().find(|r| r["role"] == "dkim")).expect("dkim");
    assert_eq!(dkim["state"], "Pending", "{dkim}");
    assert_eq!(dkim["diagnoses"][0]["code"], "dkim.key-not-compared", "{dkim}");
}
