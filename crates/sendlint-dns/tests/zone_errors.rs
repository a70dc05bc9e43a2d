//! Zone files that do not load: each error points at the file, line and
//! column, says what is wrong and what to do; hostile input never panics.

use sendlint_dns::{ZoneError, ZoneSource};

/// Loads `text` and returns the syntax error, its (line, column), and the
/// labelled text.
fn error(text: &str, origin: Option<&str>) -> (String, (usize, usize), String, String) {
    let err = ZoneSource::from_text("test.zone", text, origin).expect_err("should not load");
    let ZoneError::Syntax(syntax) = &err else {
        panic!("not a syntax error: {err:?}");
    };
    let start = syntax.span.offset();
    let labelled = text[start..start + syntax.span.len()].to_owned();
    assert_eq!(syntax.file, "test.zone");
    assert_eq!(err.position(), Some((syntax.line, syntax.column)));
    (syntax.message.clone(), (syntax.line, syntax.column), labelled, syntax.help.clone())
}

const HEAD: &str = "$ORIGIN bad.test.\n$TTL 300\n@ IN SOA ns1.bad.test. host.bad.test. ( 1 2 3\n  4 5 )\n";

#[test]
fn bad_address_points_at_the_data() {
    let (msg, pos, labelled, help) = error(&format!("{HEAD}www IN A 999.1.2.3\n"), None);
    assert_eq!(msg, "invalid record: network address parse error: invalid IPv4 address syntax");
    assert_eq!(pos, (5, 10));
    assert_eq!(labelled, "999.1.2.3");
    assert!(help.contains("TYPE DATA"), "{help}");
}

#[test]
fn unknown_type_points_at_the_type() {
    let (msg, pos, labelled, help) = error(&format!("{HEAD}www IN AAA 1.2.3.4\n"), None);
    assert!(msg.contains("record type string unknown: AAA"), "{msg}");
    assert_eq!(pos, (5, 8));
    assert_eq!(labelled, "AAA");
    assert!(help.contains("spelling"), "{help}");
}

#[test]
fn bad_mx_preference_points_at_the_data() {
    let (msg, pos, labelled, _) = error(&format!("{HEAD}www IN MX ten mx.bad.test.\n"), None);
    assert!(msg.contains("invalid digit"), "{msg}");
    assert_eq!(pos, (5, 11));
    assert_eq!(labelled, "ten mx.bad.test.");
}

#[test]
fn missing_data_inside_a_group_points_at_its_first_line() {
    let text = format!("{HEAD}; comment\nwww IN SOA ( ns. host. 1 2\n 3 )\nok IN A 1.2.3.4\n");
    let (msg, pos, labelled, _) = error(&text, None);
    assert!(msg.contains("token is missing"), "{msg}");
    assert_eq!(pos, (6, 1));
    assert!(labelled.starts_with("www IN SOA") && labelled.ends_with('3'), "{labelled}");
}

#[test]
fn missing_ttl_and_relative_names_without_origin() {
    let (msg, pos, _, help) = error("www IN A 1.2.3.4\n", Some("x.test"));
    assert_eq!(msg, "invalid record: record ttl not specified");
    assert_eq!(pos, (1, 1));
    assert!(help.contains("$TTL"), "{help}");

    let (msg, pos, labelled, help) = error("$TTL 300\n\n  ; note\nwww IN A 1.2.3.4\n", None);
    assert_eq!(msg, "cannot use the name `www`: a relative name, but no origin is known");
    assert_eq!(pos, (4, 1));
    assert_eq!(labelled, "www");
    assert!(help.contains("$ORIGIN"), "{help}");

    // absolute names need no origin
    assert!(ZoneSource::from_text("t", "www.x.test. 60 IN A 1.2.3.4\n", None).is_ok());
}

#[test]
fn include_is_refused() {
    let text = format!("{HEAD}$INCLUDE /etc/passwd\n");
    let (msg, pos, labelled, help) = error(&text, None);
    assert!(msg.starts_with("`$INCLUDE` is not allowed"), "{msg}");
    assert_eq!(pos, (5, 1));
    assert_eq!(labelled, "$INCLUDE");
    assert!(help.contains("must not make sendlint read local files"), "{help}");
    // hidden after another directive on the same line, lower case, in a group
    for hidden in ["$TTL 60 $INCLUDE /etc/passwd\n", "$include /etc/passwd\n", "a 60 TXT ( x\n $INCLUDE )\n"]
    {
        let (msg, ..) = error(&format!("{HEAD}{hidden}"), None);
        assert!(msg.contains("$INCLUDE"), "{hidden:?}: {msg}");
    }
}

#[test]
fn structural_faults() {
    let (msg, pos, labelled, _) = error(&format!("{HEAD}a TXT \"never closed\nb A 1.2.3.4\n"), None);
    assert_eq!(msg, "unterminated quoted string");
    assert_eq!((pos, labelled.as_str()), ((5, 7), "\""));

    let (msg, pos, labelled, _) = error(&format!("{HEAD}a TXT ( \"x\"\n"), None);
    assert_eq!(msg, "unclosed `(`: the file ends inside this group");
    assert_eq!((pos, labelled.as_str()), ((5, 7), "("));

    let (msg, pos, _, _) = error(&format!("{HEAD}a A 1.2.3.4 )\n"), None);
    assert_eq!(msg, "`)` without a matching `(`");
    assert_eq!(pos, (5, 13));

    let (msg, pos, labelled, _) = error(&format!("{HEAD}a TXT \"x\\256y\"\n"), None);
    assert!(msg.contains("not a byte"), "{msg}");
    assert_eq!((pos, labelled.as_str()), ((5, 9), "\\256"));

    let long = "k".repeat(256);
    let (msg, pos, _, help) = error(&format!("{HEAD}a TXT \"{long}\"\n"), None);
    assert_eq!(msg, "TXT character-string of 256 bytes: at most 255 fit in one string");
    assert_eq!(pos, (5, 7));
    assert!(help.contains("several quoted strings"), "{help}");

    let (msg, pos, _, _) = error(&format!("{HEAD}a TXT x\u{7}y\n"), None);
    assert_eq!(msg, "control character U+0007 outside a quoted string");
    assert_eq!(pos, (5, 8));
}

#[test]
fn errors_render_with_miette() {
    let err = ZoneSource::from_text("acme.zone", &format!("{HEAD}www IN A 999.1.2.3\n"), None).unwrap_err();
    let diagnostic: &dyn miette::Diagnostic = &err;
    assert_eq!(diagnostic.code().unwrap().to_string(), "sendlint::zone::syntax");
    let labels: Vec<_> = diagnostic.labels().unwrap().collect();
    assert_eq!(labels.len(), 1);
    assert_eq!(labels[0].label(), Some("this record"));
    let source = diagnostic.source_code().unwrap();
    let contents = source.read_span(labels[0].inner(), 0, 0).unwrap();
    assert_eq!(contents.name(), Some("acme.zone"));
    assert_eq!((contents.line(), contents.column()), (4, 9), "0-based");
}

#[test]
fn not_utf8_points_at_the_byte() {
    let dir = tempfile::Builder::new().prefix("sendlint-dns-utf8-").tempdir().expect("tmp");
    let path = dir.path().join("latin1.test.zone");
    std::fs::write(&path, b"$TTL 60\na TXT \"caf\xe9\"\n").unwrap();
    let err = ZoneSource::from_files(&[path]).unwrap_err();
    assert_eq!(err.position(), Some((2, 11)));
    assert!(err.to_string().contains("not valid UTF-8"), "{err}");
}

/// Must return (Ok or Err) without panicking, in reasonable time.
fn survives(text: &str) {
    if let Err(ZoneError::Syntax(e)) = ZoneSource::from_text("hostile.zone", text, Some("h.test")) {
        assert!(e.line >= 1 && e.column >= 1);
        assert!(e.span.offset() + e.span.len() <= text.len());
    }
}

#[test]
fn hostile_input_never_panics() {
    let good =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/acme.test.zone")).unwrap();
    // every truncation (on char boundaries)
    for end in (0..good.len()).step_by(7).filter(|i| good.is_char_boundary(*i)) {
        survives(&good[..end]);
    }
    for text in [
        "",
        "\n\n\n",
        "(",
        ")",
        "\"",
        "\\",
        "$",
        "$ORIGIN",
        "$ORIGIN .",
        "$TTL -1",
        "$TTL 99999999999999999999",
        "@ 60 IN SOA",
        "@ 60 IN TXT \\",
        "@ 60 IN TXT \"\\",
        "@ 60 IN TXT \"\\1\"",
        "@ 60 IN TXT \"\\12",
        "@ 60 IN MX 99999 x.",
        "@ 60 IN MX -1 x.",
        "@ 60 IN CNAME",
        "@ 60 IN CAA 0 issue",
        "@ 60 IN SRV 1 2",
        "@ 60 IN SVCB 1 . alpn=",
        "@ 60 IN HTTPS 1 . ech=====",
        "@ 60 IN SSHFP 1 1 zz",
        "@ 60 IN TLSA 3 1 1 xyz",
        "@ 60 IN HINFO",
        "@ 60 IN NAPTR 1 1 \"",
        "@ 60 IN OPENPGPKEY !!",
        "@ 60 IN CSYNC 1 1 A BOGUS",
        "@ 60 IN CERT 1 1 1 ===",
        "@ 60 IN TYPE65535 \\# 1 ff",
        "@ 60 IN ANY x",
        "@ 60 IN \u{0} 1",
        "a\r\rb",
        "\u{feff}@ 60 IN A 1.2.3.4",
        "\u{f7ff}\u{f700} 60 IN TXT \u{f7ff}",
        "* 60 IN CNAME *",
        "a 60 IN CNAME a",
        "a.b.c.d.e 60 IN CNAME a.b.c.d.e.f",
        &"(".repeat(10_000),
        &")".repeat(10_000),
        &"\"".repeat(10_001),
        &"a".repeat(1_000_000),
        &format!("x 60 IN TXT {}", "\"abc\" ".repeat(100_000)),
        &format!("{}. 60 IN A 1.2.3.4", "a.".repeat(200)),
        &format!("{} 60 IN A 1.2.3.4", "a".repeat(64)),
        &"x 60 IN A 1.2.3.4\n".repeat(20_000),
        &format!("{}x 60 IN A 1.2.3.4.5\n", "y 60 IN A 1.2.3.4\n".repeat(20_000)),
    ] {
        survives(text);
    }
    // pseudo-random garbage from a fixed seed, with zone-ish characters
    let alphabet: Vec<char> = "aZ09.-_*@$();\"\\ \t\n\r\u{0}\u{7f}é€\u{f700}INTXTMXSOA".chars().collect();
    let mut state: u64 = 0x5eed;
    for _ in 0..300 {
        let len = (state % 400) as usize;
        let text: String = (0..len)
            .map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                alphabet[(state >> 33) as usize % alphabet.len()]
            })
            .collect();
        survives(&text);
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,300}") {
        survives(&text);
    }

    #[test]
    fn zone_shaped_text_never_panics(
        text in r#"((@|\*|[a-z0-9._-]{1,12}|\$(ORIGIN|TTL|include)) ?[0-9]{0,6} ?(IN )?(A|AAAA|MX|TXT|CNAME|NS|SOA|CAA|SRV)? ?([a-z0-9.\\"();@ -]{0,40})\n){0,8}"#
    ) {
        survives(&text);
    }
}
