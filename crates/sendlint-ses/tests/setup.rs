//! Setup validation and the expected records.

use sendlint_records::Role;
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_ses::{Setup, SetupError, expected_exchange, expected_records};
use std::time::{Duration, UNIX_EPOCH};

fn name(s: &str) -> DomainName {
    DomainName::parse(s).unwrap()
}

fn key_b64() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/keys/sf1-2048.b64"))
        .unwrap()
        .trim()
        .to_owned()
}

fn key_pem() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/keys/sf1-2048.pem")).unwrap()
}

fn base() -> sendlint_ses::SetupBuilder {
    Setup::builder("mail.acme.com").region("us-east-1").selector("sf1")
}

#[test]
fn defaults() {
    let setup = Setup::new(name("mail.acme.com"), "us-east-1", "sf1").unwrap();
    assert_eq!(setup.mail_from, name("send.mail.acme.com"));
    assert_eq!(setup.public_key, None);
    assert!(setup.from_addresses.is_empty());
    assert_eq!(setup.submitted_at, None);
    assert_eq!(setup.dkim_name(), name("sf1._domainkey.mail.acme.com"));
    assert_eq!(setup.dmarc_name(), name("_dmarc.mail.acme.com"));
    assert_eq!(base().build().unwrap(), setup);
}

#[test]
fn expected_records_in_role_order() {
    let setup = base().public_key_text(key_pem()).build().unwrap();
    let records = expected_records(&setup);
    let rows: Vec<(Role, String, &str, String)> =
        records.iter().map(|r| (r.role, r.name.to_string(), r.rtype, r.value.clone())).collect();
    assert_eq!(
        rows,
        vec![
            (
                Role::SpfMx,
                "send.mail.acme.com".into(),
                "MX",
                "10 feedback-smtp.us-east-1.amazonses.com".into()
            ),
            (Role::SpfTxt, "send.mail.acme.com".into(), "TXT", "v=spf1 include:amazonses.com ~all".into()),
            (Role::Dkim, "sf1._domainkey.mail.acme.com".into(), "TXT", format!("p={}", key_b64())),
            (
                Role::Dmarc,
                "_dmarc.mail.acme.com".into(),
                "TXT",
                "v=DMARC1; p=none; rua=mailto:dmarc-reports@mail.acme.com".into()
            ),
        ]
    );
    // without a key: a placeholder to fill in
    let records = expected_records(&base().region("eu-west-2").build().unwrap());
    assert_eq!(records[2].value, "p=<your public key>");
    assert_eq!(records[0].value, "10 feedback-smtp.eu-west-2.amazonses.com");
    assert_eq!(expected_exchange("ap-southeast-2"), "feedback-smtp.ap-southeast-2.amazonses.com");
}

#[test]
fn all_fields_from_text() {
    let setup = base()
        .mail_from("bounce.mail.acme.com.")
        .public_key_text(key_b64())
        .from_address("news@mail.acme.com")
        .from_address(" ops@acme.com ")
        .submitted_at("2026-11-24T10:00:00Z")
        .build()
        .unwrap();
    assert_eq!(setup.mail_from, name("bounce.mail.acme.com"));
    assert_eq!(setup.public_key.as_ref().map(PublicKey::bits), Some(2048));
    assert_eq!(setup.from_addresses, ["news@mail.acme.com", "ops@acme.com"]);
    let at = UNIX_EPOCH + Duration::from_secs(1_795_514_400);
    assert_eq!(setup.submitted_at, Some(at));
    assert_eq!(setup.since_submitted(at + Duration::from_secs(90)), Some(Duration::from_secs(90)));
    assert_eq!(setup.since_submitted(at - Duration::from_secs(90)), Some(Duration::ZERO));

    // a label, and a numeric offset
    let setup = base().mail_from("bounces").submitted_at("2026-11-24T11:30:00+01:30").build().unwrap();
    assert_eq!(setup.mail_from, name("bounces.mail.acme.com"));
    assert_eq!(setup.submitted_at, Some(at));
    let setup = base().submitted_at("2026-11-24T05:00:00-05:00").build().unwrap();
    assert_eq!(setup.submitted_at, Some(at));
}

fn err(builder: sendlint_ses::SetupBuilder) -> String {
    builder.build().unwrap_err().to_string()
}

#[test]
fn region_shapes() {
    for ok in
        ["us-east-1", "eu-central-2", "us-gov-west-1", "us-isob-east-1", "ap-southeast-5", "il-central-1"]
    {
        assert!(base().region(ok).build().is_ok(), "{ok}");
    }
    assert_eq!(
        err(base().region("us-east-1a")),
        "invalid SES region `us-east-1a`: that is an availability zone; its region is `us-east-1`"
    );
    assert_eq!(
        err(base().region("US-EAST-1")),
        "invalid SES region `US-EAST-1`: region codes are lower case: `us-east-1`"
    );
    for bad in
        ["useast1", "us-east", "us_east_1", "us-east-123", "u-east-1", "us--1", "", "us-east-1.amazonaws.com"]
    {
        let e = base().region(bad).build().unwrap_err();
        assert!(matches!(e, SetupError::Region { .. }), "{bad}: {e}");
    }
    assert_eq!(Setup::builder("mail.acme.com").selector("sf1").build(), Err(SetupError::MissingRegion));
}

#[test]
fn regions_without_ses_are_refused_with_a_suggestion() {
    assert_eq!(
        err(base().region("us-est-1")),
        "invalid SES region `us-est-1`: Amazon SES has no endpoint in that region; did you mean `us-east-1`?"
    );
    assert_eq!(
        err(base().region("eu-west-4")),
        "invalid SES region `eu-west-4`: Amazon SES has no endpoint in that region; did you mean `eu-west-1`, `eu-west-2` or `eu-west-3`?"
    );
    assert!(err(base().region("zz-north-7")).ends_with("e.g. `us-east-1`"));
    assert_eq!(
        err(base().region("us-east")),
        "invalid SES region `us-east`: expected a region code like `us-east-1`; did you mean `us-east-1` or `us-east-2`?"
    );
    for ok in sendlint_ses::SES_REGIONS {
        assert!(base().region(*ok).build().is_ok(), "{ok}");
    }
}

#[test]
fn selector_rules() {
    for ok in ["s", "sf1", "2026-11", "A-b-C", &"x".repeat(63)] {
        assert!(base().selector(ok).build().is_ok(), "{ok}");
    }
    assert_eq!(
        err(base().selector("sf1._domainkey.mail.acme.com")),
        "invalid DKIM selector `sf1._domainkey.mail.acme.com`: a selector is one label without dots; `._domainkey.<domain>` is added for you (did you mean `sf1`?)"
    );
    assert_eq!(
        err(base().selector("x".repeat(64))),
        format!(
            "invalid DKIM selector `{}`: it is 64 characters; SES selectors are at most 63",
            "x".repeat(64)
        )
    );
    assert_eq!(
        err(base().selector("sf_1")),
        "invalid DKIM selector `sf_1`: `_` is not allowed; selectors hold letters, digits and hyphens"
    );
    assert_eq!(
        err(base().selector("-sf1")),
        "invalid DKIM selector `-sf1`: a selector cannot start or end with a hyphen"
    );
    assert!(err(base().selector("")).contains("it is empty"));
    assert!(err(base().selector("sf 1")).contains("` ` is not allowed"));
    assert_eq!(Setup::builder("mail.acme.com").region("us-east-1").build(), Err(SetupError::MissingSelector));
}

#[test]
fn mail_from_must_be_under_the_domain() {
    assert_eq!(
        err(base().mail_from("send.acme.com")),
        "invalid MAIL FROM domain `send.acme.com`: SES requires the MAIL FROM domain to be a subdomain of the sending domain `mail.acme.com` (did you mean `send.acme.com.mail.acme.com`?)"
    );
    assert_eq!(
        err(base().mail_from("mail.acme.com")),
        "invalid MAIL FROM domain `mail.acme.com`: it is the sending domain itself; SES needs a subdomain of it, such as `send.mail.acme.com`"
    );
    assert!(err(base().mail_from("")).contains("it is empty"));
    assert!(err(base().mail_from("bad_label")).contains("`_` is not allowed"));
    assert!(err(base().mail_from("-send")).contains("hyphen"));
    // deeper subdomains are fine
    assert_eq!(base().mail_from("a.b.mail.acme.com").build().unwrap().mail_from, name("a.b.mail.acme.com"));
}

#[test]
fn other_fields() {
    assert!(
        err(Setup::builder("acme..com").region("us-east-1").selector("s"))
            .starts_with("invalid sending domain `acme..com`")
    );
    assert_eq!(
        err(Setup::builder("localhost").region("us-east-1").selector("s")),
        "invalid sending domain `localhost`: a sending domain has at least two labels, e.g. `mail.acme.com`"
    );
    assert!(err(base().public_key_text("not a key")).starts_with("invalid DKIM public key: "));
    assert_eq!(err(base().from_address("news")), "invalid From address `news`: expected `name@domain`");
    assert!(err(base().from_address("@acme.com")).contains("before `@` is empty"));
    assert!(err(base().from_address("a@b")).contains("not a domain name"));
    assert_eq!(
        err(base().submitted_at("yesterday")),
        "invalid submission time `yesterday`: expected an RFC 3339 timestamp such as `2026-11-24T10:00:00Z`"
    );
    for bad in ["2026-11-24", "2026-11-24T10:00:00+25:00", "2026-13-24T10:00:00Z", "+01:00"] {
        assert!(matches!(base().submitted_at(bad).build(), Err(SetupError::SubmittedAt { .. })), "{bad}");
    }
    // a selector that makes the DKIM name too long for DNS
    let long_domain = format!("{}.com", ["d".repeat(63), "e".repeat(63), "f".repeat(63)].join("."));
    let e = Setup::builder(long_domain).region("us-east-1").selector("s".repeat(60)).build().unwrap_err();
    assert!(e.to_string().contains("longer than a DNS name may be"), "{e}");
}

#[test]
fn consuming_setters() {
    let key = PublicKey::parse(&key_b64()).unwrap();
    let setup = Setup::new(name("mail.acme.com"), "us-east-1", "sf1")
        .unwrap()
        .with_mail_from("bounce")
        .unwrap()
        .with_public_key(key.clone())
        .with_submitted_at("2026-11-24T10:00:00Z")
        .unwrap()
        .with_from_addresses(vec!["news@mail.acme.com".into()]);
    assert_eq!(setup.mail_from, name("bounce.mail.acme.com"));
    assert_eq!(setup.public_key, Some(key));
    assert!(setup.submitted_at.is_some());
    assert_eq!(setup.from_addresses, ["news@mail.acme.com"]);
    let e = Setup::new(name("mail.acme.com"), "us-east-1", "sf1").unwrap().with_mail_from("x.other.com");
    assert!(matches!(e, Err(SetupError::MailFrom { .. })));
}
