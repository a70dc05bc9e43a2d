//! The real SDK over real HTTP against `sendlint-testses` on 127.0.0.1: the
//! request on the wire, a realistic answer, and each failure SES can give.

use std::time::{Duration, Instant, SystemTime};

use sendlint_ses::{SesLookup, SesStatus};
use sendlint_ses_client::{SesConfig, get_email_identity};
use sendlint_testses::{Pace, Reply, TestSes, identity_body};

fn config(ses: &TestSes) -> SesConfig {
    SesConfig {
        region: "us-east-1".into(),
        region_source: "test",
        use_region_chain: false,
        profile: None,
        endpoint: Some(ses.endpoint()),
        // fake keys, never from the environment
        credentials: Some(("AKIDEXAMPLE".into(), "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(), None)),
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        timeout: SesConfig::DEFAULT_TIMEOUT,
    }
}

fn ask(ses: &TestSes) -> SesLookup {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(get_email_identity(&config(ses), "mail.acme.test"))
}

#[test]
fn reads_a_byodkim_identity() {
    let ses =
        TestSes::start(vec![Reply::identity(identity_body("mail.acme.test", "sf1", "PENDING", "SUCCESS"))])
            .expect("server");
    let lookup = ask(&ses);
    let SesLookup::Found(id) = &lookup else { panic!("{lookup:?}") };
    let dkim = id.dkim.as_ref().expect("DkimAttributes");
    assert_eq!(dkim.signing_attributes_origin.as_deref(), Some("EXTERNAL"));
    assert_eq!(dkim.tokens, vec!["sf1".to_owned()]);
    assert_eq!(dkim.signing_enabled, Some(true));
    let mail_from = id.mail_from.as_ref().expect("MailFromAttributes");
    assert_eq!(mail_from.mail_from_domain, "send.mail.acme.test");
    assert_eq!(mail_from.behavior_on_mx_failure.as_deref(), Some("USE_DEFAULT_VALUE"));
    let info = id.verification_info.as_ref().expect("VerificationInfo");
    let soa = info.soa.as_ref().expect("SOARecord");
    assert_eq!(soa.primary_name_server.as_deref(), Some("ns1.dns.test"));
    assert_eq!(soa.serial_number, Some(2026112401));
    assert_eq!(info.last_success, Some(SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_600_000)));
    let checked = info.last_checked.and_then(|t| t.duration_since(SystemTime::UNIX_EPOCH).ok());
    assert_eq!(checked.map(|d| d.as_secs()), Some(1_795_650_000));
    assert_eq!(lookup.statuses(), (Some(SesStatus::Pending), Some(SesStatus::Success)));

    let requests = ses.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "GET");
    assert_eq!(requests[0].path, "/v2/email/identities/mail.acme.test");
    assert!(requests[0].signed, "SigV4 Authorization header");
}

#[test]
fn not_found_is_a_finding_not_a_failure() {
    let ses = TestSes::start(vec![Reply::not_found("mail.acme.test")]).expect("server");
    let lookup = ask(&ses);
    let SesLookup::NotFound { message } = &lookup else { panic!("{lookup:?}") };
    assert!(message.contains("NotFoundException") && message.contains("does not exist"), "{message}");
    assert!(message.contains("us-east-1"), "{message}");
    assert_eq!(ses.requests().len(), 1, "a 404 is not retried");
}

#[test]
fn throttling_is_retried() {
    let ses = TestSes::start(vec![
        Reply::throttled(),
        Reply::throttled(),
        Reply::identity(identity_body("mail.acme.test", "sf1", "SUCCESS", "SUCCESS")),
    ])
    .expect("server");
    let lookup = ask(&ses);
    assert!(matches!(lookup, SesLookup::Found(_)), "{lookup:?}");
    assert_eq!(ses.requests().len(), 3, "two 429s, then the answer");
}

#[test]
fn throttling_past_the_retries_fails_clearly() {
    let ses = TestSes::start(vec![Reply::throttled()]).expect("server");
    let lookup = ask(&ses);
    let SesLookup::Failed { message } = &lookup else { panic!("{lookup:?}") };
    assert!(message.contains("429") && message.contains("TooManyRequestsException"), "{message}");
    assert_eq!(ses.requests().len(), 3, "max_attempts");
}

#[test]
fn bad_credentials_fail_clearly() {
    let ses = TestSes::start(vec![Reply::bad_credentials()]).expect("server");
    let lookup = ask(&ses);
    let SesLookup::Failed { message } = &lookup else { panic!("{lookup:?}") };
    assert!(message.contains("403") && message.contains("UnrecognizedClientException"), "{message}");
    assert!(message.contains("security token"), "{message}");
    assert!(message.contains("credentials"), "{message}");
    assert_eq!(ses.requests().len(), 1, "a 403 is not retried");
}

#[test]
fn a_malformed_body_fails_clearly() {
    let ses = TestSes::start(vec![Reply::malformed()]).expect("server");
    let lookup = ask(&ses);
    let SesLookup::Failed { message } = &lookup else { panic!("{lookup:?}") };
    assert!(message.contains("could not be read"), "{message}");
    assert_eq!(lookup.statuses(), (None, None), "a failed call leaves the badges DNS-only");
}

#[test]
fn the_request_is_signed_with_the_given_key_in_the_given_region() {
    let ses = TestSes::start(vec![Reply::identity_of_request("sf1", "SUCCESS", "SUCCESS")]).expect("server");
    let mut cfg = config(&ses);
    cfg.region = "eu-west-1".into();
    cfg.credentials = Some(("AKIDTEMP".into(), "secret".into(), Some("TOKEN123".into())));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let lookup = rt.block_on(get_email_identity(&cfg, "mail.globex.test"));
    let SesLookup::Found(id) = &lookup else { panic!("{lookup:?}") };
    let mail_from = id.mail_from.as_ref().map(|m| m.mail_from_domain.as_str());
    assert_eq!(mail_from, Some("send.mail.globex.test"), "the reply names the identity asked for");
    let requests = ses.requests();
    assert_eq!(requests[0].access_key_id.as_deref(), Some("AKIDTEMP"));
    assert_eq!(requests[0].region.as_deref(), Some("eu-west-1"));
    assert_eq!(requests[0].session_token.as_deref(), Some("TOKEN123"));
}

#[test]
fn nothing_listening_fails_clearly() {
    // a port that was free a moment ago: bind, read it, drop
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("port").port();
    let cfg = SesConfig {
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        max_attempts: 1,
        ..config(&TestSes::start(vec![]).expect("server"))
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let lookup = rt.block_on(get_email_identity(&cfg, "mail.acme.test"));
    let SesLookup::Failed { message } = &lookup else { panic!("{lookup:?}") };
    assert_eq!(
        message,
        &format!("could not reach SES (us-east-1) at http://127.0.0.1:{port}: Connection refused"),
        "one sentence, no SDK debug dump"
    );
}

/// Asks with a 1-second deadline; returns what came back and how long it took.
fn ask_with_deadline(ses: &TestSes) -> (SesLookup, Duration) {
    let cfg = SesConfig { timeout: Duration::from_secs(1), ..config(ses) };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    let started = Instant::now();
    let lookup = rt.block_on(get_email_identity(&cfg, "mail.acme.test"));
    (lookup, started.elapsed())
}

#[test]
fn a_server_that_never_answers_times_out() {
    let ses = TestSes::start(vec![Reply::never()]).expect("server");
    let (lookup, took) = ask_with_deadline(&ses);
    let SesLookup::Failed { message } = &lookup else { panic!("{lookup:?}") };
    assert!(took < Duration::from_secs(4), "the deadline is 1 s, took {took:?}");
    assert!(message.contains("within 1 s"), "{message}");
    assert!(!message.contains("Error") && !message.contains('{'), "one sentence: {message}");
    assert!(!ses.requests().is_empty(), "the request was sent and accepted");
}

#[test]
fn a_server_that_trickles_times_out() {
    let identity = Reply::identity(identity_body("mail.acme.test", "sf1", "SUCCESS", "SUCCESS"));
    for pace in [Pace::Trickle(Duration::from_secs(1)), Pace::TrickleBody(Duration::from_secs(1))] {
        let ses = TestSes::start(vec![identity.clone().paced(pace)]).expect("server");
        let (lookup, took) = ask_with_deadline(&ses);
        let SesLookup::Failed { message } = &lookup else { panic!("{pace:?}: {lookup:?}") };
        assert!(took < Duration::from_secs(4), "{pace:?}: the deadline is 1 s, took {took:?}");
        assert!(message.contains("within 1 s"), "{pace:?}: {message}");
    }
}

#[test]
fn an_unknown_status_is_not_a_guess() {
    let body = identity_body("mail.acme.test", "sf1", "SUCCESS", "SUCCESS")
        .replace(r#""MailFromDomainStatus":"SUCCESS""#, r#""MailFromDomainStatus":"VERIFIED""#);
    let ses = TestSes::start(vec![Reply::identity(body)]).expect("server");
    let lookup = ask(&ses);
    let SesLookup::Failed { message } = &lookup else { panic!("{lookup:?}") };
    assert!(message.contains("MailFromDomainStatus") && message.contains("\"VERIFIED\""), "{message}");
    assert_eq!(lookup.statuses(), (None, None), "the badges stay DNS-only");
}
