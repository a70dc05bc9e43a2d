//! What every end-to-end test of the binary needs: run `sendlint` from the
//! workspace root, without colour, with no standard input.

#![allow(dead_code)] // each test file uses its own part

pub mod bind;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The workspace root, where `fixtures/` lives.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the binary with `args` in the workspace root.
pub fn sendlint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// The binary, run from the workspace root without colour or standard
/// input, with fake AWS credentials in the child only: nothing from the
/// developer's AWS setup (profiles, config files, region) reaches it.
pub fn sendlint_fake_aws() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sendlint"));
    for var in ["AWS_PROFILE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_DEFAULT_REGION"] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
        .env("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        .env("AWS_REGION", "us-east-1")
        .env("NO_COLOR", "1")
        .current_dir(root())
        .stdin(Stdio::null());
    cmd
}

/// Standard output, lossily decoded.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error, lossily decoded.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The DKIM public key of the acme.test zones below (2048-bit, base64).
pub const KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp2AQwh4GGIJ5FSMDzq9U32OhiFi6giFCEf0aA32raO3o2d9RGp2pzoHz3z2ka3kCTcPkKO0X1ul5ZKRzWO4r6Pshfb+Z10pbJZIJ1hOvl5at9vmg5TV+QNt6DyEd1LMgj6ZkT23+vmB9U2i0fGUJvVZsbP+fCCBVangTCeu2eFQ+RdnifPZBN/1wg+7c+NeZO9Zxu9yvStgweiEw3Ui5UKfi1mwxDc3zLHMKqiR1avqX9xlrZd/taGi/OkqUxcWiEVEe3tp8xmn0iRnjSzASSZR8OWAfqePBUjBWBphe02HLTnZFAJubuFyzJsR9745YLoXiZFkT4BUzdeHs9YoFbwIDAQAB";

/// An acme.test zone with the given MX value, DKIM line and DMARC value; the
/// SPF TXT is right. Its SOA is the one `sendlint_testses::identity_body` says
/// SES saw at its last check (primary ns1.dns.test, serial 2026112401), so
/// SES's last look agrees with the zone unless a test says otherwise.
pub fn acme_zone(mx: &str, dkim: &str, dmarc: &str) -> String {
    format!(
        "$ORIGIN acme.test.\n$TTL 300\n@ SOA ns1.dns.test. hostmaster.acme.test. 2026112401 3600 600 604800 300\n@ NS ns1.dns.test.\n\
         send.mail MX {mx}\nsend.mail TXT \"v=spf1 include:amazonses.com ~all\"\n{dkim}\n\
         _dmarc.mail TXT \"{dmarc}\"\n"
    )
}

/// The DKIM line of [`KEY`], as two strings of one record.
pub fn dkim_ok() -> String {
    let (a, b) = KEY.split_at(200);
    format!("sf1._domainkey.mail TXT \"p={a}\" \"{b}\"")
}

/// A fresh scratch directory for one test, `sendlint-{tag}-…` under the system's
/// temporary directory; removed when the returned guard drops.
pub fn scratch_dir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new().prefix(&format!("sendlint-{tag}-")).tempdir().expect("scratch dir")
}

/// Sends SIGINT to `child`, as Ctrl-C would, once `file` reads as `ready`
/// (no timing assumption beyond "it eventually comes"; 60 s at most).
pub fn interrupt_when(child: &std::process::Child, file: &Path, ready: impl Fn(&str) -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !std::fs::read_to_string(file).is_ok_and(|t| ready(&t)) {
        assert!(std::time::Instant::now() < deadline, "{} never got ready", file.display());
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let status = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("kill");
    assert!(status.success());
}
