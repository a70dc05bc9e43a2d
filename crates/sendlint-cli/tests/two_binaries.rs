//! `sendlint` leaves the AWS SDK and the HTTP server to `sendlint-full` and
//! hands it the commands that need them (src/linked.rs).

mod common;

use std::process::{Command, Stdio};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn binary(path: &str) -> Vec<u8> {
    std::fs::read(path).expect("the binary is built")
}

#[test]
fn sendlint_links_neither_the_aws_sdk_nor_the_http_server() {
    let lean = binary(env!("CARGO_BIN_EXE_sendlint"));
    let full = binary(env!("CARGO_BIN_EXE_sendlint-full"));
    // SigV4's date header (the SDK signs every request with it) and the
    // server's own start-up line: each text is in the binary only when the
    // code that uses it is.
    for marker in [&b"x-amz-date"[..], b"sendlint serve: listening"] {
        let shown = String::from_utf8_lossy(marker);
        assert!(contains(&full, marker), "sendlint-full holds {shown:?}");
        assert!(
            !contains(&lean, marker),
            "sendlint does not hold {shown:?}: something it runs reaches that code"
        );
    }
    assert!(lean.len() < full.len() * 3 / 4, "{} vs {} bytes", lean.len(), full.len());
}

/// `sendlint` copied somewhere on its own: the directory (removed when its guard
/// drops) and the copy.
fn lone_sendlint(tag: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = common::scratch_dir(tag);
    let lone = dir.path().join("sendlint");
    std::fs::copy(env!("CARGO_BIN_EXE_sendlint"), &lone).expect("copy");
    (dir, lone)
}

#[test]
fn a_lone_sendlint_says_what_needs_sendlint_full_and_still_checks() {
    let (_dir, lone) = lone_sendlint("lone");
    let run = |args: &[&str]| {
        Command::new(&lone)
            .args(args)
            .current_dir(common::root())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .expect("runs")
    };
    let check = ["check", "mail.acme.test", "-s", "sf1", "--zone", "fixtures/demo/zones"];
    let out = run(&[&check[..], &["--ses", "--ses-endpoint", "http://127.0.0.1:9"]].concat());
    assert_eq!(out.status.code(), Some(2), "{}", common::stderr(&out));
    let err = common::stderr(&out);
    assert!(err.contains("`check --ses` needs sendlint-full"), "{err}");
    assert!(err.contains(&lone.with_file_name("sendlint-full").display().to_string()), "{err}");
    assert!(err.contains("install both binaries"), "{err}");
    assert!(common::stdout(&out).is_empty());

    let out = run(&["serve", "--zone", "fixtures/demo/zones", "--listen", "127.0.0.1:0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("`serve` needs sendlint-full"), "{}", common::stderr(&out));

    let out = run(&["audit", "fixtures/demo/manifest.json", "--zone", "fixtures/demo/zones", "--ses"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(common::stderr(&out).contains("`audit --ses` needs sendlint-full"), "{}", common::stderr(&out));

    // Everything else is sendlint's own.
    let out = run(&check);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", common::stderr(&out));
    assert!(common::stdout(&out).contains("mail.acme.test"));
}

#[test]
fn a_handed_off_command_keeps_its_arguments_and_standard_input() {
    // `audit -` reads the manifest from standard input: sendlint must not
    // touch it before handing over, and sendlint-full must get every argument.
    let manifest = std::fs::read(common::root().join("fixtures/demo/manifest.json")).expect("manifest");
    let home_tmp = common::scratch_dir("handoff");
    let home = home_tmp.path();
    let mut child = Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args(["audit", "-", "--zone", "fixtures/demo/zones", "--format", "json", "--ses"])
        .args(["--ses-endpoint", "http://127.0.0.1:9", "--ses-timeout", "1s"])
        .current_dir(common::root())
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", home.join("no-credentials"))
        .env_remove("AWS_PROFILE")
        .env("AWS_ACCESS_KEY_ID", "AKIDHANDOFF")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("runs");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(&manifest).expect("manifest written");
    }
    let out = child.wait_with_output().expect("ends");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{}", common::stderr(&out));
    let lines: Vec<serde_json::Value> =
        common::stdout(&out).lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
    assert_eq!(lines.len(), 5, "every entry of the manifest read from standard input");
    for line in &lines {
        // port 9 refuses: SES was tried (the flag arrived) and failed honestly
        let codes: Vec<&str> =
            line["diagnoses"].as_array().into_iter().flatten().filter_map(|d| d["code"].as_str()).collect();
        assert!(codes.contains(&"ses.unavailable"), "{line}");
    }
}
