use super::*;
use crate::facts::Value;

struct Setup {
    domain: DomainName,
    zone: DomainName,
    mail_from: DomainName,
    key: PublicKey,
}

fn setup() -> Setup {
    Setup {
        domain: DomainName::parse("mail.acme.com").unwrap(),
        zone: DomainName::parse("acme.com").unwrap(),
        mail_from: DomainName::parse("send.mail.acme.com").unwrap(),
        key: PublicKey::parse(&key_b64("sf1-2048")).unwrap(),
    }
}

fn exp(s: &Setup, with_key: bool) -> Expectation<'_> {
    Expectation {
        region: "us-east-1",
        domain: &s.domain,
        zone: Some(&s.zone),
        mail_from: &s.mail_from,
        expected_key: with_key.then_some(&s.key),
    }
}

fn key_b64(name: &str) -> String {
    crate::key::tests::fixture(&format!("{name}.b64")).trim().to_owned()
}

fn txt(s: &str) -> TxtRecord {
    TxtRecord::from_value(s.as_bytes())
}

fn facts(role: Role, records: &[TxtRecord], with_key: bool) -> Facts {
    let s = setup();
    txt_facts(role, records, &exp(&s, with_key))
}

/// The bytes a span covers.
fn spanned(records: &[TxtRecord], span: Option<Span>) -> String {
    let span = span.expect("span set");
    let data = records[span.record as usize].data();
    String::from_utf8_lossy(&data[span.start as usize..(span.start + span.len) as usize]).into_owned()
}

fn yes(f: &Facts, fact: Fact) {
    assert_eq!(f.get(fact), &Value::Bool(true), "{fact:?} in {:#?}", f.iter().collect::<Vec<_>>());
}

fn no(f: &Facts, fact: Fact) {
    assert_eq!(f.get(fact), &Value::Bool(false), "{fact:?} in {:#?}", f.iter().collect::<Vec<_>>());
}

// ------------------------------------------------------------------ SPF ----

#[test]
fn spf_correct() {
    let recs = [txt("google-site-verification=abc"), txt("v=spf1 include:amazonses.com ~all")];
    let f = facts(Role::SpfTxt, &recs, false);
    yes(&f, Fact::Found);
    assert_eq!(f.int(Fact::RecordCount), Some(1));
    yes(&f, Fact::IncludesAmazonses);
    no(&f, Fact::Quoted);
    no(&f, Fact::SyntaxError);
    no(&f, Fact::ControlBytes);
    no(&f, Fact::NonAscii);
    assert_eq!(f.str(Fact::AllQualifier), Some("~"));
    assert_eq!(spanned(&recs, f.span(Fact::AllSpan)), "~all");
    assert_eq!(f.span(Fact::IncludeSpan).unwrap().record, 1);
    assert_eq!(spanned(&recs, f.span(Fact::IncludeSpan)), "include:amazonses.com");
    assert_eq!(f.int(Fact::LookupTerms), Some(1));
    assert_eq!(f.int(Fact::StringCount), Some(1));
    assert_eq!(f.str(Fact::Redirect), Some(""));
}

#[test]
fn spf_quoted_is_only_quoted() {
    for (value, q) in [
        ("\"v=spf1 include:amazonses.com ~all\"", "\""),
        ("“v=spf1 include:amazonses.com ~all”", "“"),
        ("'v=spf1 include:amazonses.com -all'", "'"),
    ] {
        let recs = [txt(value)];
        let f = facts(Role::SpfTxt, &recs, false);
        yes(&f, Fact::Found);
        yes(&f, Fact::Quoted);
        no(&f, Fact::SyntaxError);
        no(&f, Fact::NonAscii);
        yes(&f, Fact::IncludesAmazonses);
        assert_eq!(f.str(Fact::QuoteChar), Some(q));
        assert_eq!(spanned(&recs, f.span(Fact::QuoteSpan)), q);
        assert!(!spanned(&recs, f.span(Fact::QuoteEndSpan)).is_empty());
        // Spans after the quote still point at the original bytes.
        assert_eq!(spanned(&recs, f.span(Fact::IncludeSpan)), "include:amazonses.com");
    }
}

#[test]
fn spf_multiple_missing_and_syntax() {
    let recs = [txt("v=spf1 -all"), txt("v=spf1 include:amazonses.com ~all")];
    let f = facts(Role::SpfTxt, &recs, false);
    assert_eq!(f.int(Fact::RecordCount), Some(2));
    no(&f, Fact::IncludesAmazonses);
    assert_eq!(f.str(Fact::AllQualifier), Some("-"));

    let f = facts(Role::SpfTxt, &[txt("v=spf10"), txt("hello")], false);
    no(&f, Fact::Found);
    assert_eq!(f.int(Fact::RecordCount), Some(0));
    assert_eq!(f.get(Fact::IncludesAmazonses), &Value::Unset);

    let recs = [txt("v=spf1 include:amazonses.com ip4:1.2.3.999 ~all")];
    let f = facts(Role::SpfTxt, &recs, false);
    yes(&f, Fact::SyntaxError);
    yes(&f, Fact::IncludesAmazonses);
    assert_eq!(spanned(&recs, f.span(Fact::SyntaxSpan)), "1.2.3.999");
    assert!(f.str(Fact::SyntaxMessage).unwrap().contains("IPv4"));

    let f = facts(Role::SpfTxt, &[txt("v=spf1 all")], false);
    assert_eq!(f.str(Fact::AllQualifier), Some("+"));
    let f = facts(Role::SpfTxt, &[txt("v=spf1 include:amazonses.com")], false);
    assert_eq!(f.str(Fact::AllQualifier), Some(""));
}

#[test]
fn spf_embedded_quotes_in_one_string() {
    // The customer pasted `"v=spf1 include:amazonses.com " "~all"` into one field.
    let recs = [txt("\"v=spf1 include:amazonses.com \" \"~all\"")];
    let f = facts(Role::SpfTxt, &recs, false);
    yes(&f, Fact::Quoted);
    yes(&f, Fact::EmbeddedQuotes);
    no(&f, Fact::SyntaxError);
    assert_eq!(spanned(&recs, f.span(Fact::EmbeddedQuoteSpan)), "\" \"");
    assert_eq!(spanned(&recs, f.span(Fact::AllSpan)), "~all");
}

#[test]
fn spf_lookup_targets() {
    let recs = [txt(
        "v=spf1 include:amazonses.com include:_spf.google.com a mx exists:%{i}.x.com redirect=_spf.acme.com",
    )];
    let l = spf_lookups(&recs).unwrap();
    assert_eq!(l.direct, 6);
    assert_eq!(l.includes.len(), 2);
    assert_eq!(l.includes[1].to_string(), "_spf.google.com");
    assert_eq!(l.redirect.unwrap().to_string(), "_spf.acme.com");
    let f = facts(Role::SpfTxt, &recs, false);
    assert_eq!(f.str(Fact::Redirect), Some("_spf.acme.com"));
    assert_eq!(spf_lookups(&[txt("hello")]), None);
}

#[test]
fn spf_policy_is_what_a_receiver_evaluates() {
    let name = |s: &str| SpfTarget::Name(DomainName::parse(s).unwrap());
    let p = spf_policy(&[txt(
        "v=spf1 a mx:mx.acme.com include:amazonses.com exists:%{i}.x.com ~all include:late.acme.com",
    )])
    .unwrap();
    assert_eq!(
        p.queries,
        [
            (TermKind::A, SpfTarget::Current),
            (TermKind::Mx, name("mx.acme.com")),
            (TermKind::Include, name("amazonses.com")),
            (TermKind::Exists, SpfTarget::Unknown),
        ]
    );
    assert!(p.includes_amazonses && p.redirect.is_none() && !p.syntax_error && p.records == 1);
    // `redirect=` counts only without `all` (RFC 7208 §6.1)
    assert_eq!(
        spf_policy(&[txt("v=spf1 redirect=_spf.acme.com")]).unwrap().redirect,
        Some(name("_spf.acme.com"))
    );
    assert_eq!(spf_policy(&[txt("v=spf1 redirect=_spf.acme.com ~all")]).unwrap().redirect, None);
    assert!(!spf_policy(&[txt("v=spf1 ~all include:amazonses.com")]).unwrap().includes_amazonses);
    assert_eq!(spf_policy(&[txt("v=spf1 -all"), txt("v=spf1 ~all")]).unwrap().records, 2);
}

#[test]
fn spf_terms_never_evaluated() {
    let recs = [txt("v=spf1 redirect=_spf.acme.com ~all include:amazonses.com a")];
    let f = facts(Role::SpfTxt, &recs, false);
    assert_eq!(f.str(Fact::IgnoredTerms), Some("redirect=_spf.acme.com include:amazonses.com a"));
    assert_eq!(spanned(&recs, f.span(Fact::IgnoredSpan)), "redirect=_spf.acme.com");
    yes(&f, Fact::AmazonsesIgnored);
    assert_eq!(f.str(Fact::RedirectAmazonses), Some(""));
    let f = facts(Role::SpfTxt, &[txt("v=spf1 include:amazonses.com ~all")], false);
    assert_eq!(f.str(Fact::IgnoredTerms), Some(""));
    no(&f, Fact::AmazonsesIgnored);
    // without DNS, where a redirect leads is unknown
    let f = facts(Role::SpfTxt, &[txt("v=spf1 redirect=_spf.acme.com")], false);
    assert_eq!(f.str(Fact::RedirectAmazonses), Some("unknown"));
}

// ----------------------------------------------------------------- DKIM ----

fn dkim_value(key: &str) -> String {
    format!("v=DKIM1; k=rsa; p={key}")
}

#[test]
fn dkim_correct_in_strings_of_one_record() {
    let recs = [TxtRecord::from_value(dkim_value(&key_b64("sf1-2048")).as_bytes())];
    assert_eq!(recs[0].strings.len(), 2);
    let f = facts(Role::Dkim, &recs, true);
    yes(&f, Fact::Found);
    yes(&f, Fact::KeyPresent);
    yes(&f, Fact::KeyValid);
    yes(&f, Fact::KeyMatches);
    yes(&f, Fact::ExpectedKeyKnown);
    no(&f, Fact::KeyMismatch);
    no(&f, Fact::KeyTruncated);
    no(&f, Fact::SplitAcrossRecords);
    no(&f, Fact::Quoted);
    no(&f, Fact::SyntaxError);
    no(&f, Fact::TestingMode);
    assert_eq!(f.int(Fact::KeyBits), Some(2048));
    assert_eq!(f.int(Fact::StringCount), Some(2));
    assert_eq!(f.str(Fact::KeyType), Some("rsa"));
    assert_eq!(f.str(Fact::Version), Some("DKIM1"));
    assert_eq!(spanned(&recs, f.span(Fact::KeySpan)), key_b64("sf1-2048"));
}

#[test]
fn dkim_without_expected_key() {
    let recs = [txt(&format!("p={}", key_b64("other-2048")))];
    let f = facts(Role::Dkim, &recs, false);
    yes(&f, Fact::KeyValid);
    no(&f, Fact::ExpectedKeyKnown);
    no(&f, Fact::KeyMatches);
    no(&f, Fact::KeyMismatch);
    assert_eq!(f.str(Fact::Version), Some(""));
}

#[test]
fn dkim_quoted_key_is_only_quoted() {
    for (open, close) in [("\"", "\""), ("“", "”"), ("'", "'")] {
        let value = format!("{open}{}{close}", dkim_value(&key_b64("sf1-2048")));
        let recs = [txt(&value)];
        let f = facts(Role::Dkim, &recs, true);
        yes(&f, Fact::Quoted);
        yes(&f, Fact::KeyValid);
        yes(&f, Fact::KeyMatches);
        no(&f, Fact::KeyMismatch);
        no(&f, Fact::SyntaxError);
        no(&f, Fact::NonAscii);
        assert_eq!(f.str(Fact::QuoteChar), Some(open));
        assert_eq!(spanned(&recs, f.span(Fact::QuoteSpan)), open);
        assert_eq!(spanned(&recs, f.span(Fact::QuoteEndSpan)), close);
        // The key span is exactly the key in the original (quoted) data.
        assert_eq!(spanned(&recs, f.span(Fact::KeySpan)), key_b64("sf1-2048"));
    }
}

#[test]
fn dkim_embedded_quotes_are_only_embedded() {
    let key = key_b64("sf1-2048");
    let (a, b) = key.split_at(200);
    // As a customer pastes dig output into one field.
    let value = format!("\"v=DKIM1; k=rsa; p={a}\" \"{b}\"");
    let recs = [txt(&value)];
    let f = facts(Role::Dkim, &recs, true);
    yes(&f, Fact::EmbeddedQuotes);
    yes(&f, Fact::Quoted);
    yes(&f, Fact::KeyMatches);
    no(&f, Fact::SyntaxError);
    yes(&f, Fact::KeyValid);
    assert_eq!(spanned(&recs, f.span(Fact::EmbeddedQuoteSpan)), "\" \"");
    // The key span starts at the key and runs to the end of its last byte.
    let ks = spanned(&recs, f.span(Fact::KeySpan));
    assert!(ks.starts_with(a) && ks.ends_with(b), "{ks}");
}

#[test]
fn dkim_split_across_records_any_order() {
    let value = dkim_value(&key_b64("sf1-2048"));
    let (a, b) = value.split_at(255);
    for recs in [[txt(a), txt(b)], [txt(b), txt(a)]] {
        let f = facts(Role::Dkim, &recs, true);
        yes(&f, Fact::SplitAcrossRecords);
        yes(&f, Fact::KeyMatches);
        no(&f, Fact::KeyTruncated);
        no(&f, Fact::SyntaxError);
        assert_eq!(f.int(Fact::RecordCount), Some(2));
        let ks = f.span(Fact::KeySpan).unwrap();
        assert!(recs[ks.record as usize].data().starts_with(b"v=DKIM1"));
    }
    // Without an expected key, a valid concatenation is still found.
    let recs = [txt(b), txt(a)];
    let f = facts(Role::Dkim, &recs, false);
    yes(&f, Fact::SplitAcrossRecords);
    yes(&f, Fact::KeyValid);
    // Quoted halves in separate records.
    let recs = [txt(&format!("\"{a}")), txt(&format!("{b}\""))];
    let f = facts(Role::Dkim, &recs, true);
    yes(&f, Fact::SplitAcrossRecords);
    yes(&f, Fact::Quoted);
    yes(&f, Fact::KeyMatches);
    assert_eq!(f.span(Fact::QuoteEndSpan).unwrap().record, 1);
}

#[test]
fn dkim_two_complete_records_pick_the_expected() {
    let recs = [txt(&dkim_value(&key_b64("other-2048"))), txt(&dkim_value(&key_b64("sf1-2048")))];
    let f = facts(Role::Dkim, &recs, true);
    no(&f, Fact::SplitAcrossRecords);
    yes(&f, Fact::KeyMatches);
    assert_eq!(f.span(Fact::KeySpan).unwrap().record, 1);
}

#[test]
fn dkim_truncated_key() {
    let value = dkim_value(&key_b64("sf1-2048"));
    let recs = [txt(&value[..255])];
    let f = facts(Role::Dkim, &recs, true);
    yes(&f, Fact::KeyTruncated);
    no(&f, Fact::KeyValid);
    no(&f, Fact::KeyMismatch);
    no(&f, Fact::SplitAcrossRecords);
    // Without an expected key nothing is "the beginning of the key given to
    // SES": the DER's own complaint is an invalid key.
    let f = facts(Role::Dkim, &recs, false);
    no(&f, Fact::KeyTruncated);
    no(&f, Fact::KeyValid);
    assert!(f.str(Fact::KeyError).unwrap().contains("bytes are missing"), "{f:?}");
}

#[test]
fn dkim_bytes_missing_in_the_middle_are_not_truncation() {
    let key = key_b64("sf1-2048");
    // 40 base64 characters (30 bytes) lost in the middle: the DER announces
    // more than is there, but the value is no prefix of the expected key.
    let cut = format!("{}{}", &key[..100], &key[140..]);
    let f = facts(Role::Dkim, &[txt(&dkim_value(&cut))], true);
    no(&f, Fact::KeyTruncated);
    no(&f, Fact::KeyValid);
    no(&f, Fact::KeyMismatch);
    assert!(!f.str(Fact::KeyError).unwrap().is_empty(), "{f:?}");
}

#[test]
fn dkim_hash_and_service_facts() {
    let key = key_b64("sf1-2048");
    let f = facts(Role::Dkim, &[txt(&format!("v=DKIM1; h=sha1; p={key}"))], true);
    yes(&f, Fact::HashExcludesSha256);
    no(&f, Fact::ServiceExcludesEmail);
    assert_eq!(f.span(Fact::HashSpan).map(|s| (s.start, s.len)), Some((9, 6)));
    let f = facts(Role::Dkim, &[txt(&format!("v=DKIM1; s=tlsrpt; p={key}"))], true);
    no(&f, Fact::HashExcludesSha256);
    yes(&f, Fact::ServiceExcludesEmail);
    let f = facts(Role::Dkim, &[txt(&format!("v=DKIM1; h=sha1:sha256; s=email; p={key}"))], true);
    no(&f, Fact::HashExcludesSha256);
    no(&f, Fact::ServiceExcludesEmail);
    yes(&f, Fact::KeyMatches);
}

#[test]
fn tabs_between_tags_are_not_control_bytes() {
    let key = key_b64("sf1-2048");
    let f = facts(Role::Dkim, &[txt(&format!("v=DKIM1;\tk=rsa;\tp=\t{key}"))], true);
    no(&f, Fact::ControlBytes);
    no(&f, Fact::SyntaxError);
    yes(&f, Fact::KeyMatches);
    // a tab inside the key is still one
    let f = facts(Role::Dkim, &[txt(&format!("v=DKIM1; p={}\t{}", &key[..50], &key[50..]))], true);
    yes(&f, Fact::ControlBytes);
    let f = facts(Role::Dmarc, &[txt("v=DMARC1;\tp\t=\treject\t;\tsp=none")], false);
    no(&f, Fact::ControlBytes);
    no(&f, Fact::SyntaxError);
    yes(&f, Fact::Found);
    assert_eq!(f.str(Fact::Policy), Some("reject"));
}

#[test]
fn dmarc_near_misses_and_report_uris() {
    let f = facts(Role::Dmarc, &[txt("v=dmarc1; p=none")], false);
    no(&f, Fact::Found);
    yes(&f, Fact::NotRecognized);
    assert_eq!(f.span(Fact::NotRecognizedSpan).map(|s| (s.start, s.len)), Some((2, 6)));
    let f = facts(Role::Dmarc, &[txt(" v=DMARC1; p=none")], false);
    no(&f, Fact::Found);
    yes(&f, Fact::NotRecognized);
    assert!(f.str(Fact::NotRecognizedReason).unwrap().contains("blank"));
    let f = facts(Role::Dmarc, &[txt("V=DMARC1; P=reject")], false);
    yes(&f, Fact::Found);
    no(&f, Fact::NotRecognized);
    no(&f, Fact::SyntaxError);
    assert_eq!(f.str(Fact::Policy), Some("reject"));
    let d = "v=DMARC1; p=none; rua=https://r.example/x";
    let f = facts(Role::Dmarc, &[txt(d)], false);
    no(&f, Fact::SyntaxError);
    yes(&f, Fact::ReportUriNotMailto);
    assert_eq!(f.span(Fact::ReportUriSpan).map(|s| (s.start, s.len)), Some((22, 19)));
}

#[test]
fn published_dmarc_policies() {
    use crate::extract::{PublishedDmarc, PublishedPolicy, published_dmarc};
    assert_eq!(
        published_dmarc(&[txt("v=DMARC1; p=reject; SP=quarantine; np=none; psd=y")]),
        PublishedDmarc::Policy(PublishedPolicy {
            p: "reject",
            sp: Some("quarantine"),
            np: Some("none"),
            psd: true
        })
    );
    assert_eq!(published_dmarc(&[txt("v=spf1 -all")]), PublishedDmarc::None);
    assert_eq!(published_dmarc(&[txt("v=dmarc1; p=reject")]), PublishedDmarc::None);
    assert_eq!(published_dmarc(&[txt("v=DMARC1; p=reject"), txt("v=DMARC1; p=none")]), PublishedDmarc::None);
    assert_eq!(published_dmarc(&[txt("v=DMARC1; p=rejct")]), PublishedDmarc::None);
}

#[test]
fn dkim_mismatch_invalid_weak_testing() {
    let f = facts(Role::Dkim, &[txt(&dkim_value(&key_b64("other-2048")))], true);
    yes(&f, Fact::KeyMismatch);
    yes(&f, Fact::KeyValid);
    no(&f, Fact::KeyMatches);

    let f = facts(Role::Dkim, &[txt(&dkim_value(&key_b64("ed25519")))], true);
    no(&f, Fact::KeyValid);
    no(&f, Fact::KeyMismatch);
    no(&f, Fact::KeyTruncated);
    assert!(f.str(Fact::KeyError).unwrap().contains("Ed25519"));

    let f = facts(Role::Dkim, &[txt("v=DKIM1; p=MIIB!AAAA")], true);
    no(&f, Fact::KeyValid);
    assert_eq!(f.str(Fact::KeyError), Some("invalid base64 character '!' at position 4 of the p= value"));

    let f = facts(Role::Dkim, &[txt(&format!("v=DKIM1; t=y; p={}", key_b64("weak-1024")))], false);
    assert_eq!(f.int(Fact::KeyBits), Some(1024));
    yes(&f, Fact::TestingMode);
    assert!(f.span(Fact::TestingSpan).is_some());

    let f = facts(Role::Dkim, &[txt("v=DKIM1; p=")], true);
    yes(&f, Fact::KeyEmpty);
    no(&f, Fact::KeyPresent);
    no(&f, Fact::KeyValid);

    // No p= at all parses; `dkim.missing-key` judges it.
    let f = facts(Role::Dkim, &[txt("v=DKIM1; k=rsa")], true);
    no(&f, Fact::SyntaxError);
    no(&f, Fact::KeyPresent);
    no(&f, Fact::KeyEmpty);

    let f = facts(Role::Dkim, &[], true);
    no(&f, Fact::Found);
    assert_eq!(f.int(Fact::RecordCount), Some(0));
}

#[test]
fn hostile_data_is_flagged() {
    let recs = [TxtRecord::from_strings([b"v=spf1 \x1b[31minclude:amazonses.com ~all\xff".to_vec()])];
    let f = facts(Role::SpfTxt, &recs, false);
    yes(&f, Fact::ControlBytes);
    assert_eq!(f.span(Fact::ControlSpan), Some(Span::new(0, 7, 1)));
    let recs = [txt("v=spf1\u{a0}include:amazonses.com ~all")];
    let f = facts(Role::SpfTxt, &recs, false);
    // `v=spf1` followed by NBSP is not an SPF record.
    no(&f, Fact::Found);
    let recs = [txt("v=spf1 include:amazonses.com\u{a0}~all")];
    let f = facts(Role::SpfTxt, &recs, false);
    yes(&f, Fact::NonAscii);
    no(&f, Fact::ControlBytes);
    assert_eq!(spanned(&recs, f.span(Fact::NonAsciiSpan)), "\u{a0}");
}

// ---------------------------------------------------------------- DMARC ----

#[test]
fn dmarc_facts_and_errors() {
    let recs = [txt("v=DMARC1; p=none; rua=mailto:d@acme.com")];
    let f = facts(Role::Dmarc, &recs, false);
    yes(&f, Fact::Found);
    no(&f, Fact::SyntaxError);
    assert_eq!(f.str(Fact::Policy), Some("none"));
    assert_eq!(spanned(&recs, f.span(Fact::PolicySpan)), "p=none");
    assert_eq!(f.str(Fact::Aspf), Some("r"));
    assert_eq!(f.str(Fact::Adkim), Some("r"));
    assert_eq!(f.int(Fact::Pct), Some(100));
    yes(&f, Fact::HasRua);

    let recs = [txt("\"v=DMARC1; p=quarantne; aspf=s; pct=20\"")];
    let f = facts(Role::Dmarc, &recs, false);
    yes(&f, Fact::Quoted);
    yes(&f, Fact::SyntaxError);
    assert_eq!(spanned(&recs, f.span(Fact::SyntaxSpan)), "quarantne");
    assert!(f.str(Fact::SyntaxMessage).unwrap().contains("did you mean \"quarantine\""));
    assert_eq!(f.str(Fact::Policy), Some(""));
    assert_eq!(f.str(Fact::Aspf), Some("s"));
    assert_eq!(spanned(&recs, f.span(Fact::AspfSpan)), "aspf=s");
    assert_eq!(f.int(Fact::Pct), Some(20));
    no(&f, Fact::HasRua);

    let f = facts(Role::Dmarc, &[txt("v=DMARC1; p=reject"), txt("v=DMARC1; p=none")], false);
    assert_eq!(f.int(Fact::RecordCount), Some(2));
    assert_eq!(f.str(Fact::Policy), Some("reject"));
    let f = facts(Role::Dmarc, &[txt("v=spf1 -all")], false);
    no(&f, Fact::Found);
}

// ------------------------------------------------------------------- MX ----

fn mx(s: &str) -> Vec<MxRecord> {
    crate::mx::parse_text(s).unwrap()
}

fn mxf(records: &[MxRecord]) -> Facts {
    let s = setup();
    mx_facts(records, &exp(&s, false))
}

fn mx_spanned(records: &[MxRecord], span: Option<Span>) -> String {
    let span = span.expect("span");
    records[span.record as usize].presentation()[span.start as usize..(span.start + span.len) as usize]
        .to_owned()
}

#[test]
fn mx_correct() {
    let r = mx("10 feedback-smtp.us-east-1.amazonses.com.");
    let f = mxf(&r);
    yes(&f, Fact::Found);
    yes(&f, Fact::ExchangeCorrect);
    yes(&f, Fact::TargetIsSes);
    no(&f, Fact::PriorityInValue);
    no(&f, Fact::TargetSuffixAppended);
    assert_eq!(f.str(Fact::TargetRegion), Some("us-east-1"));
    assert_eq!(f.int(Fact::Priority), Some(10));
    assert_eq!(f.str(Fact::Exchange), Some("feedback-smtp.us-east-1.amazonses.com"));
    assert_eq!(f.str(Fact::ExpectedExchange), Some("feedback-smtp.us-east-1.amazonses.com"));
    assert_eq!(mx_spanned(&r, f.span(Fact::ExchangeSpan)), "feedback-smtp.us-east-1.amazonses.com.");
    let f = mxf(&mx("10 FEEDBACK-SMTP.US-EAST-1.amazonses.com"));
    yes(&f, Fact::ExchangeCorrect);
}

#[test]
fn mx_faults() {
    let r = mx("10 feedback-smtp.eu-west-1.amazonses.com.");
    let f = mxf(&r);
    no(&f, Fact::ExchangeCorrect);
    yes(&f, Fact::TargetIsSes);
    assert_eq!(f.str(Fact::TargetRegion), Some("eu-west-1"));

    let r = mx(r"0 10\ feedback-smtp.us-east-1.amazonses.com.");
    let f = mxf(&r);
    yes(&f, Fact::PriorityInValue);
    no(&f, Fact::ExchangeCorrect);
    assert_eq!(mx_spanned(&r, f.span(Fact::PriorityInValueSpan)), r"10\ ");

    let r = mx("10 10.feedback-smtp.us-east-1.amazonses.com.");
    let f = mxf(&r);
    yes(&f, Fact::PriorityInValue);
    assert_eq!(mx_spanned(&r, f.span(Fact::PriorityInValueSpan)), "10.");
    // A numeric label in front of something else is not a priority.
    no(&mxf(&mx("10 10.example.com.")), Fact::PriorityInValue);

    for suffix in ["acme.com", "mail.acme.com", "send.mail.acme.com"] {
        let r = mx(&format!("10 feedback-smtp.us-east-1.amazonses.com.{suffix}."));
        let f = mxf(&r);
        yes(&f, Fact::TargetSuffixAppended);
        no(&f, Fact::ExchangeCorrect);
        no(&f, Fact::TargetIsSes);
        assert_eq!(mx_spanned(&r, f.span(Fact::TargetSuffixSpan)), suffix);
    }
    no(&mxf(&mx("10 feedback-smtp.us-east-1.amazonses.com.example.net.")), Fact::TargetSuffixAppended);

    let f = mxf(&[]);
    no(&f, Fact::Found);
    assert_eq!(f.int(Fact::RecordCount), Some(0));
    assert!(f.str(Fact::ExpectedExchange).is_some());

    let r = mx("10 feedback-smtp.us-east-1.amazonses.com.\n20 mx.example.com.");
    let f = mxf(&r);
    assert_eq!(f.int(Fact::RecordCount), Some(2));
    yes(&f, Fact::ExchangeCorrect);
}

#[test]
fn every_fact_of_the_record_sections_is_set() {
    // The TXT data facts and the role's own section are all computed for a
    // found record (spans may be unset when there is nothing to point at).
    let key = key_b64("sf1-2048");
    let cases: [(Role, Vec<TxtRecord>, &[Fact]); 3] = [
        (
            Role::SpfTxt,
            vec![txt("v=spf1 include:amazonses.com ~all")],
            &[Fact::IncludesAmazonses, Fact::LookupTerms, Fact::AllQualifier, Fact::Redirect],
        ),
        (
            Role::Dkim,
            vec![txt(&dkim_value(&key))],
            &[
                Fact::KeyPresent,
                Fact::KeyEmpty,
                Fact::KeyValid,
                Fact::KeyError,
                Fact::KeyBits,
                Fact::ExpectedKeyKnown,
                Fact::KeyMatches,
                Fact::KeyTruncated,
                Fact::KeyMismatch,
                Fact::SplitAcrossRecords,
                Fact::TestingMode,
                Fact::KeyType,
                Fact::Version,
            ],
        ),
        (
            Role::Dmarc,
            vec![txt("v=DMARC1; p=none")],
            &[Fact::Policy, Fact::SubdomainPolicy, Fact::Aspf, Fact::Adkim, Fact::HasRua, Fact::Pct],
        ),
    ];
    let common = [
        Fact::Found,
        Fact::RecordCount,
        Fact::Quoted,
        Fact::QuoteChar,
        Fact::EmbeddedQuotes,
        Fact::ControlBytes,
        Fact::NonAscii,
        Fact::StringCount,
        Fact::SyntaxError,
        Fact::SyntaxMessage,
    ];
    for (role, recs, own) in cases {
        let f = facts(role, &recs, true);
        for fact in common.iter().chain(own) {
            assert_ne!(f.get(*fact), &Value::Unset, "{role}: {fact:?}");
        }
    }
}

#[test]
fn many_or_large_records_fall_back_to_answer_order() {
    // Seven records: too many to permute; answer order is judged.
    let value = dkim_value(&key_b64("sf1-2048"));
    let parts: Vec<TxtRecord> = value.as_bytes().chunks(60).map(TxtRecord::from_value).collect();
    assert_eq!(parts.len(), 7);
    let f = facts(Role::Dkim, &parts, true);
    yes(&f, Fact::KeyMatches);
    yes(&f, Fact::SplitAcrossRecords);
    let mut shuffled = parts.clone();
    shuffled.swap(0, 6);
    let f = facts(Role::Dkim, &shuffled, true);
    no(&f, Fact::KeyMatches);
    no(&f, Fact::SplitAcrossRecords);
    // Big hostile records are judged without trying every order.
    let big: Vec<TxtRecord> = (0..6).map(|i| TxtRecord::from_value(&vec![b'A' + i; 65536])).collect();
    let f = facts(Role::Dkim, &big, true);
    no(&f, Fact::KeyValid);
    assert_eq!(f.int(Fact::RecordCount), Some(6));
}

mod prop {
    use super::*;
    use proptest::prelude::*;

    fn check_spans(recs: &[TxtRecord], f: &Facts) -> Result<(), TestCaseError> {
        for (def, v) in f.iter() {
            if let Value::Span(s) = v {
                let r = recs.get(s.record as usize);
                prop_assert!(r.is_some(), "{}: record {}", def.name, s.record);
                let len = r.map_or(0, TxtRecord::data_len);
                prop_assert!((s.start + s.len) as usize <= len, "{}: {s:?} beyond {len}", def.name);
            }
        }
        Ok(())
    }

    fn record() -> impl Strategy<Value = TxtRecord> {
        let atom = prop_oneof![
            Just(b"\"".to_vec()),
            Just("“".as_bytes().to_vec()),
            Just("”".as_bytes().to_vec()),
            Just(b"'".to_vec()),
            Just(b" ".to_vec()),
            Just(b"v=spf1 ".to_vec()),
            Just(b"v=DKIM1; p=".to_vec()),
            Just(b"v=DMARC1; p=".to_vec()),
            Just(b"include:amazonses.com".to_vec()),
            // SPF domain-specs: CIDR suffixes, macros, top labels, `all`
            Just(b"a:x.y".to_vec()),
            Just(b"mx:".to_vec()),
            Just(b"/".to_vec()),
            Just(b"//".to_vec()),
            Just(b"%{".to_vec()),
            Just(b"}".to_vec()),
            Just(b".-".to_vec()),
            Just(b" ~all".to_vec()),
            Just(b" redirect=".to_vec()),
            Just(b"MIIBIjAN".to_vec()),
            Just(b";".to_vec()),
            proptest::collection::vec(any::<u8>(), 0..8),
        ];
        proptest::collection::vec(proptest::collection::vec(atom, 0..6), 1..3)
            .prop_map(|strings| TxtRecord::from_strings(strings.into_iter().map(|s| s.concat())))
    }

    proptest! {
        #[test]
        fn facts_never_panic_and_spans_stay_inside(recs in proptest::collection::vec(record(), 0..4)) {
            for role in [Role::SpfTxt, Role::Dkim, Role::Dmarc] {
                for with_key in [true, false] {
                    let f = facts(role, &recs, with_key);
                    check_spans(&recs, &f)?;
                }
            }
            let _ = spf_lookups(&recs);
            let _ = spf_policy(&recs);
        }

        #[test]
        fn quoting_a_correct_spf_only_adds_quoted(open in prop_oneof![Just("\""), Just("“"), Just("'")], close in prop_oneof![Just("\""), Just("”"), Just("'")]) {
            let recs = [txt(&format!("{open}v=spf1 include:amazonses.com ~all{close}"))];
            let f = facts(Role::SpfTxt, &recs, false);
            prop_assert!(f.flag(Fact::Quoted));
            prop_assert!(!f.flag(Fact::SyntaxError));
            prop_assert!(!f.flag(Fact::NonAscii));
            prop_assert!(f.flag(Fact::IncludesAmazonses));
        }
    }
}

#[test]
fn dmarc_report_addresses_with_spans() {
    let records = [txt(
        "v=DMARC1; p=none; rua=mailto:A@Vendor.Example!10m, mailto:b@acme.test; ruf=mailto:f@x.example?subject=r,https://r.example/x",
    )];
    let got = report_addresses(&records);
    let seen: Vec<(&str, String, String)> =
        got.iter().map(|a| (a.tag, a.uri.clone(), a.host.to_string())).collect();
    assert_eq!(
        seen,
        [
            ("rua", "mailto:A@Vendor.Example".to_owned(), "vendor.example".to_owned()),
            ("rua", "mailto:b@acme.test".to_owned(), "acme.test".to_owned()),
            ("ruf", "mailto:f@x.example?subject=r".to_owned(), "x.example".to_owned()),
        ]
    );
    // each span covers the URI without its size limit
    let spans: Vec<String> = got.iter().map(|a| spanned(&records, Some(a.span))).collect();
    assert_eq!(spans, ["mailto:A@Vendor.Example", "mailto:b@acme.test", "mailto:f@x.example?subject=r"]);
}

#[test]
fn dmarc_report_addresses_only_of_a_usable_record() {
    // a record receivers discard sends no reports anywhere
    assert!(report_addresses(&[txt("v=DMARC1; p=quarantne; rua=mailto:a@vendor.example")]).is_empty());
    let two = [txt("v=DMARC1; p=none; rua=mailto:a@vendor.example"), txt("v=DMARC1; p=none")];
    assert!(report_addresses(&two).is_empty());
    // address literals and one-label hosts are not domains to ask
    assert!(
        report_addresses(&[txt("v=DMARC1; p=none; rua=mailto:a@[192.0.2.1],mailto:b@localhost")]).is_empty()
    );
    // quoted data is judged repaired, with spans into the original
    let quoted = [txt("\"v=DMARC1; p=none; rua=mailto:a@vendor.example\"")];
    let got = report_addresses(&quoted);
    assert_eq!(got.len(), 1);
    assert_eq!(spanned(&quoted, Some(got[0].span)), "mailto:a@vendor.example");
}
