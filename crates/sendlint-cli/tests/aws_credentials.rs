//! `--ses` finds credentials and region the way every AWS tool does (aws-config's
//! default chain). Each test runs the binary with a scrubbed environment: no
//! AWS_* variable, HOME in a scratch directory (no ~/.aws), instance metadata
//! off, so nothing of the developer's AWS setup and no network is involved.
//! SES is `sendlint-testses` on 127.0.0.1, which records the key id and region
//! each request was signed with.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use sendlint_testses::{Reply, TestSes};

/// A fresh directory for one test, removed when the returned guard drops.
fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("sendlint-aws-creds-").tempdir().expect("scratch dir")
}

/// `check mail.globex.test --ses` against the demo zones and `ses`, with only
/// the AWS variables in `env` set.
fn check_ses(home: &Path, ses: &TestSes, env: &[(&str, String)], extra: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sendlint"));
    for (name, _) in std::env::vars_os().filter(|(k, _)| k.to_string_lossy().starts_with("AWS_")) {
        cmd.env_remove(name);
    }
    cmd.env("HOME", home).env("AWS_EC2_METADATA_DISABLED", "true").env("NO_COLOR", "1");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let endpoint = ses.endpoint();
    let mut args = vec![
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
        "--ses",
        "--ses-endpoint",
        &endpoint,
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    cmd.args(&args).current_dir(common::root()).stdin(Stdio::null()).output().expect("run sendlint")
}

fn ses_server() -> TestSes {
    TestSes::start(vec![Reply::identity_of_request("sf1", "SUCCESS", "SUCCESS")]).expect("server")
}

fn report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", common::stdout(out), common::stderr(out)))
}

/// A profile `ops` in temporary config and credentials files.
fn profile_files(dir: &Path) -> Vec<(&'static str, String)> {
    let config = dir.join("config");
    let credentials = dir.join("credentials");
    std::fs::write(&config, "[default]\nregion = us-east-1\n\n[profile ops]\nregion = eu-west-1\n")
        .expect("config");
    std::fs::write(
        &credentials,
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n\n\
         [ops]\naws_access_key_id = AKIDPROFILEOPS\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
    )
    .expect("credentials");
    vec![
        ("AWS_CONFIG_FILE", config.display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", credentials.display().to_string()),
    ]
}

#[test]
fn a_profile_named_with_the_flag_signs_the_request_in_its_region() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let ses = ses_server();
    let out = check_ses(dir, &ses, &profile_files(dir), &["--profile", "ops"]);
    let r = report(&out);
    assert_eq!(r["ses_consulted"], true, "{}", common::stderr(&out));
    let requests = ses.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].access_key_id.as_deref(), Some("AKIDPROFILEOPS"));
    assert_eq!(requests[0].region.as_deref(), Some("eu-west-1"), "the profile's region");
    assert_eq!(requests[0].path, "/v2/email/identities/mail.globex.test");

    // a --region given on the command line beats the profile's
    let ses = ses_server();
    let out = check_ses(dir, &ses, &profile_files(dir), &["--profile", "ops", "--region", "us-west-2"]);
    assert_eq!(report(&out)["ses_consulted"], true, "{}", common::stderr(&out));
    assert_eq!(ses.requests()[0].region.as_deref(), Some("us-west-2"));
    assert_eq!(ses.requests()[0].access_key_id.as_deref(), Some("AKIDPROFILEOPS"));
}

#[test]
fn aws_profile_selects_the_profile_too() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let ses = ses_server();
    let mut env = profile_files(dir);
    env.push(("AWS_PROFILE", "ops".into()));
    let out = check_ses(dir, &ses, &env, &[]);
    assert_eq!(report(&out)["ses_consulted"], true, "{}", common::stderr(&out));
    let requests = ses.requests();
    assert_eq!(requests[0].access_key_id.as_deref(), Some("AKIDPROFILEOPS"));
    assert_eq!(requests[0].region.as_deref(), Some("eu-west-1"));
    // and without AWS_PROFILE, the default profile
    let ses = ses_server();
    let out = check_ses(dir, &ses, &profile_files(dir), &[]);
    assert_eq!(report(&out)["ses_consulted"], true);
    assert_eq!(ses.requests()[0].access_key_id.as_deref(), Some("AKIDDEFAULT"));
    assert_eq!(ses.requests()[0].region.as_deref(), Some("us-east-1"));
}

/// An ECS/EKS-Pod-Identity style credentials endpoint on 127.0.0.1: answers
/// every request with the container credentials JSON, logging the request lines
/// and Authorization headers.
fn container_endpoint() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let log = Arc::new(Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut lines = Vec::new();
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line.trim().is_empty() {
                    break;
                }
                lines.push(line.trim().to_owned());
            }
            seen.lock().expect("log").extend(lines);
            let body = r#"{"AccessKeyId":"AKIDCONTAINER","SecretAccessKey":"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY","Token":"CONTAINERTOKEN","Expiration":"2099-01-01T00:00:00Z","RoleArn":"arn:aws:iam::123456789012:role/sendlint"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (format!("http://{addr}/v2/credentials/sendlint"), log)
}

#[test]
fn container_credentials_come_from_the_full_uri() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let ses = ses_server();
    let (uri, log) = container_endpoint();
    let env = vec![
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", uri),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "pod-token".to_owned()),
        ("AWS_REGION", "ap-southeast-2".to_owned()),
    ];
    let out = check_ses(dir, &ses, &env, &[]);
    assert_eq!(report(&out)["ses_consulted"], true, "{}", common::stderr(&out));
    let requests = ses.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].access_key_id.as_deref(), Some("AKIDCONTAINER"));
    assert_eq!(requests[0].session_token.as_deref(), Some("CONTAINERTOKEN"));
    assert_eq!(requests[0].region.as_deref(), Some("ap-southeast-2"), "AWS_REGION");
    let log = log.lock().expect("log").clone();
    assert!(log.iter().any(|l| l.starts_with("GET /v2/credentials/sendlint")), "{log:?}");
    assert!(log.iter().any(|l| l.eq_ignore_ascii_case("authorization: pod-token")), "{log:?}");
}

#[test]
fn no_credentials_anywhere_is_one_clear_sentence() {
    let dir_tmp = scratch();
    let dir = dir_tmp.path();
    let ses = ses_server();
    let env = vec![
        ("AWS_CONFIG_FILE", dir.join("none-config").display().to_string()),
        ("AWS_SHARED_CREDENTIALS_FILE", dir.join("none-credentials").display().to_string()),
    ];
    let out = check_ses(dir, &ses, &env, &[]);
    assert!(ses.requests().is_empty(), "nothing is sent unsigned");
    let r = report(&out);
    // One verdict: SES that cannot be asked is `ses.unavailable` (an error: SES
    // was asked for and not heard), so sending is not unlocked and the exit is 1.
    assert_eq!(r["sending_unlocked"], false, "{r:#}");
    assert_eq!(out.status.code(), Some(1), "{r:#}");
    assert_eq!(r["ses_consulted"], false, "the badges stay DNS-only");
    let messages: Vec<String> = r["diagnoses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["code"] == "ses.unavailable")
        .map(|d| d["message"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(messages.len(), 1, "{r:#}");
    let message = &messages[0];
    assert!(message.contains("no AWS credentials found"), "{message}");
    assert!(message.contains("--profile") && message.contains("AWS_ACCESS_KEY_ID"), "{message}");
    assert!(!message.contains('\n') && !message.contains("Error {"), "one sentence, no SDK dump: {message}");
}
