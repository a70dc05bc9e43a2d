//! Tests over whole rule files: loading, validation errors as a rule author
//! sees them, evaluation, suppression and provider overrides.

use super::*;
use miette::{GraphicalReportHandler, GraphicalTheme};

fn render(err: &RulesError) -> String {
    let mut out = String::new();
    GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .render_report(&mut out, err)
        .expect("rendering into a String cannot fail");
    out
}

fn src(name: &str, text: &str) -> RuleSource {
    RuleSource { name: name.to_owned().into(), text: text.to_owned().into() }
}

fn load(files: &[(&str, &str)]) -> Result<RuleSet, RulesError> {
    RuleSet::from_sources(files.iter().map(|(n, t)| src(n, t)).collect())
}

fn builtin() -> RuleSet {
    RuleSet::builtin()
}

/// Everything a rule set holds, maps in a stable order.
fn canonical(set: &RuleSet) -> String {
    format!(
        "{:#?}\n{:#?}\n{:#?}\n{:#?}\n{:#?}",
        set.sources, set.rules, set.by_role, set.providers, set.provider_rules
    )
}

/// The rule files of the repository's `rules/`, named `rules/…` as the built-in
/// set names them.
fn rules_on_disk() -> Vec<RuleSource> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    let mut files = Vec::new();
    load::read_dir(&root, &mut files).expect("rules/ is readable");
    for f in &mut files {
        let rel = Path::new(&*f.name).strip_prefix(&root).expect("read_dir names files by path");
        let rel: Vec<String> =
            rel.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
        f.name = format!("rules/{}", rel.join("/")).into();
    }
    files
}

/// `src/generated/` is the code generated from `rules/`: this fails when it is out
/// of date, and rewrites it with `SENDLINT_BLESS=1`.
#[test]
fn generated_builtin_rules_are_up_to_date() {
    let sources = rules_on_disk();
    let set = RuleSet::from_sources(sources.clone())
        .unwrap_or_else(|e| panic!("the rule files in rules/ do not load:\n{}", render(&e)));
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/generated");
    let files = [("sources.rs", codegen::emit_sources(&sources)), ("compiled.rs", codegen::emit(&set))];
    let bless = std::env::var_os("SENDLINT_BLESS").is_some();
    let mut stale = Vec::new();
    for (name, want) in files {
        let path = dir.join(name);
        if std::fs::read_to_string(&path).ok().as_deref() != Some(want.as_str()) {
            if bless {
                std::fs::write(&path, want)
                    .unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
            } else {
                stale.push(name);
            }
        }
    }
    assert!(
        stale.is_empty(),
        "crates/sendlint-rules/src/generated/{{{}}} is out of date with rules/: regenerate it with \
         `SENDLINT_BLESS=1 cargo test -p sendlint-rules --lib generated` and commit it with the rule files",
        stale.join(",")
    );
}

#[test]
fn builtin_compiled_at_build_time_equals_loading_the_files() {
    // The files on disk, loaded at run time as `--rules` directories are …
    let on_disk = RuleSet::from_sources(rules_on_disk()).unwrap_or_else(|e| panic!("{}", render(&e)));
    let built = builtin();
    // … name their sources by path; the built-in set names them `rules/…`.
    let names = |set: &RuleSet| set.sources.iter().map(|s| s.text.clone()).collect::<Vec<_>>();
    assert_eq!(names(&on_disk), names(&built), "the embedded files are the files in rules/");
    // … and give the same rules, providers, indexes and compiled conditions and templates
    // as the set generated into src/generated/.
    let loaded = RuleSet::from_sources(built.sources.to_vec()).unwrap_or_else(|e| panic!("{}", render(&e)));
    assert_eq!(canonical(&loaded), canonical(&built));
}

#[test]
fn builtin_loads() {
    let rules = builtin();
    assert!(rules.rules().count() > 40);
    // The providers documented in docs/rules.md at least; adding one is a data change that needs no edit here.
    let ids: Vec<&str> = rules.providers().iter().map(|p| &*p.id).collect();
    for id in ["cloudflare", "godaddy", "namecheap", "google", "wix", "route53"] {
        assert!(ids.contains(&id), "provider {id} missing from {ids:?}");
    }
}

/// Every record-level code the rule files must define, with its severity.
const SPEC_CODES: &[&str] = &[
    "mx.missing",
    "mx.wrong-target",
    "mx.priority-in-value",
    "mx.priority-in-host",
    "mx.doubled-suffix",
    "mx.target-suffix-appended",
    "mx.extra-records",
    "spf.missing",
    "spf.quoted-value",
    "spf.multiple-records",
    "spf.missing-include",
    "spf.doubled-suffix",
    "spf.too-many-lookups",
    "spf.syntax",
    "dkim.missing",
    "dkim.quoted-value",
    "dkim.embedded-quotes",
    "dkim.split-across-records",
    "dkim.truncated-key",
    "dkim.key-mismatch",
    "dkim.invalid-key",
    "dkim.doubled-suffix",
    "dkim.cname-instead-of-txt",
    "dkim.syntax",
    "dkim.testing-mode",
    "dkim.weak-key",
    "dmarc.missing",
    "dmarc.quoted-value",
    "dmarc.multiple-records",
    "dmarc.syntax",
    "dmarc.doubled-suffix",
    "dmarc.policy-none",
    "dmarc.strict-spf-alignment",
    "domain.apex-sending",
    "sender.from-not-on-domain",
    "dns.lookup-failed",
];

#[test]
fn every_spec_code_is_defined_with_its_severity() {
    let rules = builtin();
    for code in SPEC_CODES {
        let rule = rules.rule(code).unwrap_or_else(|| panic!("{code} missing"));
        let expected = match *code {
            "dkim.testing-mode"
            | "dkim.weak-key"
            | "dmarc.missing"
            | "dmarc.strict-spf-alignment"
            | "domain.apex-sending"
            | "sender.from-not-on-domain"
            | "dns.lookup-failed" => Severity::Warning,
            "dmarc.policy-none" => Severity::Info,
            _ => Severity::Error,
        };
        assert_eq!(rule.severity, expected, "{code}");
        assert!(rule.provider.is_none(), "{code}");
    }
    assert_eq!(rules.rule("dns.lookup-failed").map(|r| r.roles.to_vec()), Some(Role::RECORDS.to_vec()));
}

#[test]
fn every_builtin_rule_is_documented() {
    for rule in builtin().rules() {
        assert!(!rule.docs.what.trim().is_empty(), "{}", rule.code);
        assert!(!rule.docs.why.trim().is_empty(), "{}", rule.code);
        assert!(!rule.docs.example.trim().is_empty(), "{}", rule.code);
        assert!(!rule.docs.references.is_empty(), "{}", rule.code);
        assert!(!rule.message.contains('\n'), "{}: message is one line", rule.code);
        assert!(rule.markdown().contains("### Why is this bad?"));
    }
}

fn codes(d: &[Diagnosis]) -> Vec<&str> {
    d.iter().map(|d| d.code.as_str()).collect()
}

fn context(f: &mut Facts) {
    f.set(Fact::Domain, "mail.acme.com");
    f.set(Fact::Zone, "acme.com");
    f.set(Fact::Region, "us-east-1");
    f.set(Fact::Selector, "sf1");
    f.set(Fact::MailFrom, "send.mail.acme.com");
}

fn mx_facts() -> Facts {
    let mut f = Facts::new();
    context(&mut f);
    f.set(Fact::Name, "send.mail.acme.com");
    f.set(Fact::Expected, "10 feedback-smtp.us-east-1.amazonses.com");
    f.set(Fact::ExpectedExchange, "feedback-smtp.us-east-1.amazonses.com");
    f.set(Fact::Found, true);
    f.set(Fact::Absent, false);
    f.set(Fact::RecordCount, 1_i64);
    f
}

fn dkim_facts() -> Facts {
    let mut f = Facts::new();
    context(&mut f);
    f.set(Fact::Name, "sf1._domainkey.mail.acme.com");
    f.set(Fact::Expected, "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAw6T3IDAQAB");
    f.set(Fact::Found, true);
    f.set(Fact::Absent, false);
    f.set(Fact::RecordCount, 1_i64);
    f.set(Fact::KeyType, "rsa");
    f.set(Fact::Version, "");
    f
}

#[test]
fn correct_records_give_no_diagnosis() {
    let rules = builtin();
    let mut mx = mx_facts();
    mx.set(Fact::Exchange, "feedback-smtp.us-east-1.amazonses.com");
    mx.set(Fact::ExchangeCorrect, true);
    mx.set(Fact::TargetIsSes, true);
    mx.set(Fact::TargetRegion, "us-east-1");
    assert_eq!(rules.evaluate(Role::SpfMx, &mx, None), []);
    let mut dkim = dkim_facts();
    for (fact, v) in [
        (Fact::KeyPresent, true),
        (Fact::KeyValid, true),
        (Fact::KeyMatches, true),
        (Fact::ExpectedKeyKnown, true),
    ] {
        dkim.set(fact, v);
    }
    dkim.set(Fact::KeyBits, 2048_i64);
    assert_eq!(rules.evaluate(Role::Dkim, &dkim, None), []);
}

#[test]
fn wrong_region_says_where_it_points() {
    let rules = builtin();
    let mut f = mx_facts();
    f.set(Fact::Exchange, "feedback-smtp.eu-west-1.amazonses.com");
    f.set(Fact::ExchangeSpan, Span::new(0, 3, 37));
    f.set(Fact::TargetIsSes, true);
    f.set(Fact::TargetRegion, "eu-west-1");
    f.set(Fact::ExchangeCorrect, false);
    let d = rules.evaluate(Role::SpfMx, &f, None);
    assert_eq!(codes(&d), ["mx.wrong-target"]);
    assert_eq!(
        d[0].message,
        "the MX points at feedback-smtp.eu-west-1.amazonses.com, but this domain is set up in SES region us-east-1, which expects feedback-smtp.us-east-1.amazonses.com"
    );
    assert_eq!(
        d[0].labels,
        [Label { span: Span::new(0, 3, 37), text: "expected feedback-smtp.us-east-1.amazonses.com".into() }]
    );
    assert_eq!(d[0].provider, None);
    assert_eq!(d[0].severity, Severity::Error);
    assert_eq!(d[0].role, Role::SpfMx);
}

#[test]
fn mangled_exchange_is_not_also_a_wrong_target() {
    let rules = builtin();
    let mut f = mx_facts();
    f.set(Fact::Exchange, "feedback-smtp.us-east-1.amazonses.com.acme.com");
    f.set(Fact::ExchangeCorrect, false);
    f.set(Fact::TargetSuffixAppended, true);
    f.set(Fact::TargetSuffixSpan, Span::new(0, 40, 9));
    let d = rules.evaluate(Role::SpfMx, &f, None);
    assert_eq!(codes(&d), ["mx.target-suffix-appended"]);
    f.set(Fact::PriorityInValue, true);
    f.set(Fact::TargetSuffixAppended, false);
    assert_eq!(codes(&rules.evaluate(Role::SpfMx, &f, None)), ["mx.priority-in-value"]);
}

#[test]
fn misplaced_records_are_not_also_missing() {
    let rules = builtin();
    let mut f = mx_facts();
    f.set(Fact::Found, false);
    f.set(Fact::Absent, true);
    f.set(Fact::RecordCount, 0_i64);
    assert_eq!(codes(&rules.evaluate(Role::SpfMx, &f, None)), ["mx.missing"]);
    f.set(Fact::DoubledSuffix, true);
    f.set(Fact::MisplacedName, "send.mail.acme.com.acme.com");
    let d = rules.evaluate(Role::SpfMx, &f, None);
    assert_eq!(codes(&d), ["mx.doubled-suffix"]);
    assert_eq!(
        d[0].message,
        "the MX record is at send.mail.acme.com.acme.com instead of send.mail.acme.com: the DNS host appended acme.com to a name that already ended with it"
    );
    f.set(Fact::DoubledSuffix, false);
    f.set(Fact::PriorityInHost, true);
    f.set(Fact::MisplacedName, "10.send.mail.acme.com");
    assert_eq!(codes(&rules.evaluate(Role::SpfMx, &f, None)), ["mx.priority-in-host"]);
}

#[test]
fn a_failed_lookup_is_never_missing() {
    let rules = builtin();
    for role in Role::RECORDS {
        let mut f = Facts::new();
        context(&mut f);
        f.set(Fact::Name, "x.mail.acme.com");
        f.set(Fact::LookupFailed, true);
        f.set(Fact::LookupError, "SERVFAIL from 127.0.0.1:53 for TXT x.mail.acme.com");
        let d = rules.evaluate(role, &f, None);
        assert_eq!(codes(&d), ["dns.lookup-failed"], "{role}");
        assert_eq!(
            d[0].message,
            "could not look up x.mail.acme.com: SERVFAIL from 127.0.0.1:53 for TXT x.mail.acme.com"
        );
        assert_eq!(d[0].role, role);
    }
}

#[test]
fn quotes_explain_the_broken_key() {
    let rules = builtin();
    let mut f = dkim_facts();
    f.set(Fact::Quoted, true);
    f.set(Fact::QuoteChar, "“");
    f.set(Fact::QuoteSpan, Span::new(0, 0, 3));
    f.set(Fact::QuoteEndSpan, Span::new(0, 60, 3));
    f.set(Fact::SyntaxError, true);
    f.set(Fact::SyntaxMessage, "bad tag");
    f.set(Fact::KeyPresent, true);
    f.set(Fact::KeyValid, false);
    f.set(Fact::KeyError, "invalid base64");
    f.set(Fact::ExpectedKeyKnown, true);
    let d = rules.evaluate(Role::Dkim, &f, None);
    assert_eq!(codes(&d), ["dkim.quoted-value"]);
    assert_eq!(
        d[0].message,
        "the DKIM value is wrapped in “ quote characters, which are now part of the record"
    );
    assert_eq!(d[0].labels.len(), 2);
    // Quotes inside the value explain the wrapping quotes too.
    f.set(Fact::EmbeddedQuotes, true);
    f.set(Fact::EmbeddedQuoteSpan, Span::new(0, 30, 3));
    let d = rules.evaluate(Role::Dkim, &f, None);
    assert_eq!(codes(&d), ["dkim.embedded-quotes"]);
    assert_eq!(
        d[0].labels,
        [Label { span: Span::new(0, 30, 3), text: "these quotes are part of the key now".into() }]
    );
}

#[test]
fn key_faults_are_exclusive() {
    let rules = builtin();
    let base = {
        let mut f = dkim_facts();
        f.set(Fact::KeyPresent, true);
        f.set(Fact::ExpectedKeyKnown, true);
        f.set(Fact::KeySpan, Span::new(0, 2, 200));
        f
    };
    let mut f = base.clone();
    f.set(Fact::KeyValid, false);
    f.set(Fact::KeyTruncated, true);
    f.set(Fact::KeyError, "DER length says 294 bytes, 190 present");
    assert_eq!(codes(&rules.evaluate(Role::Dkim, &f, None)), ["dkim.truncated-key"]);

    let mut f = base.clone();
    f.set(Fact::KeyValid, false);
    f.set(Fact::KeyError, "invalid base64 at byte 12");
    let d = rules.evaluate(Role::Dkim, &f, None);
    assert_eq!(codes(&d), ["dkim.invalid-key"]);
    assert_eq!(d[0].message, "the `p=` value is not a valid RSA public key: invalid base64 at byte 12");

    let mut f = base.clone();
    f.set(Fact::KeyValid, true);
    f.set(Fact::KeyMismatch, true);
    f.set(Fact::KeyBits, 2048_i64);
    assert_eq!(codes(&rules.evaluate(Role::Dkim, &f, None)), ["dkim.key-mismatch"]);

    // Split records explain the truncated-looking key and the record count.
    let mut f = base.clone();
    f.set(Fact::RecordCount, 2_i64);
    f.set(Fact::SplitAcrossRecords, true);
    f.set(Fact::KeyTruncated, true);
    f.set(Fact::KeyValid, false);
    let d = rules.evaluate(Role::Dkim, &f, None);
    assert_eq!(codes(&d), ["dkim.split-across-records"]);
    assert!(d[0].message.contains("split across 2 separate TXT records"));
}

#[test]
fn key_sizes() {
    let rules = builtin();
    let with_bits = |bits: i64| {
        let mut f = dkim_facts();
        f.set(Fact::KeyPresent, true);
        f.set(Fact::KeyValid, true);
        f.set(Fact::ExpectedKeyKnown, true);
        f.set(Fact::KeyMatches, true);
        f.set(Fact::KeyBits, bits);
        rules.evaluate(Role::Dkim, &f, None)
    };
    assert_eq!(codes(&with_bits(512)), ["dkim.key-too-small"]);
    assert_eq!(codes(&with_bits(1024)), ["dkim.weak-key"]);
    assert_eq!(with_bits(1024)[0].message, "the key is 1024 bits; use 2048 bits");
    assert_eq!(codes(&with_bits(2048)), Vec::<&str>::new());
    assert_eq!(codes(&with_bits(4096)), ["dkim.key-too-large"]);
}

#[test]
fn dmarc_advice() {
    let rules = builtin();
    let mut f = Facts::new();
    context(&mut f);
    f.set(Fact::Name, "_dmarc.mail.acme.com");
    f.set(Fact::Found, true);
    f.set(Fact::RecordCount, 1_i64);
    f.set(Fact::Policy, "none");
    f.set(Fact::Aspf, "s");
    f.set(Fact::HasRua, true);
    let d = rules.evaluate(Role::Dmarc, &f, None);
    assert_eq!(codes(&d), ["dmarc.policy-none", "dmarc.strict-spf-alignment"]);
    assert_eq!(d[0].severity, Severity::Info);
    assert_eq!(
        d[1].message,
        "aspf=s requires the MAIL FROM domain to equal the From domain, which a MAIL FROM subdomain such as send.mail.acme.com never does"
    );
}

#[test]
fn domain_rules() {
    let rules = builtin();
    let mut f = Facts::new();
    context(&mut f);
    f.set(Fact::Domain, "acme.com");
    f.set(Fact::IsApex, true);
    f.set(Fact::OffDomainFromCount, 1_i64);
    f.set(Fact::OffDomainFrom, "billing@acme-payments.com");
    let d = rules.evaluate(Role::Domain, &f, None);
    assert_eq!(codes(&d), ["domain.apex-sending", "sender.from-not-on-domain"]);
    assert_eq!(d[1].message, "From address not on acme.com: billing@acme-payments.com");
}

#[test]
fn provider_help_overrides_core_help() {
    let rules = builtin();
    let mut f = dkim_facts();
    f.set(Fact::DoubledSuffix, true);
    f.set(Fact::Absent, true);
    f.set(Fact::Found, false);
    f.set(Fact::MisplacedName, "sf1._domainkey.mail.acme.com.acme.com");
    f.set(Fact::RelativeName, "sf1._domainkey.mail");
    let plain = rules.evaluate(Role::Dkim, &f, None);
    let nc = rules.evaluate(Role::Dkim, &f, Some("namecheap"));
    let cf = rules.evaluate(Role::Dkim, &f, Some("cloudflare"));
    assert_eq!(codes(&plain), ["dkim.doubled-suffix"]);
    assert_eq!(plain[0].provider, None);
    assert_eq!(cf, plain, "cloudflare has no override for this code");
    assert_eq!(nc[0].provider.as_deref(), Some("namecheap"));
    assert_eq!(nc[0].message, plain[0].message);
    assert_eq!(
        nc[0].help,
        "In Namecheap's Advanced DNS tab, edit the TXT record and set Host to `sf1._domainkey.mail` (the part of sf1._domainkey.mail.acme.com before `.acme.com`). Namecheap appends `.acme.com` itself."
    );
    // An unknown provider id is no provider.
    assert_eq!(rules.evaluate(Role::Dkim, &f, Some("nope")), plain);
}

const CORE: &str = r#"
[[rule]]
code = "dkim.quoted-value"
role = "dkim"
severity = "error"
when = "quoted"
suppresses = ["dkim.syntax"]
message = "quoted with {quote_char}"
help = "remove the quotes"
[rule.docs]
what = "w"
why = "y"

[[rule]]
code = "dkim.syntax"
role = "dkim"
severity = "error"
when = "syntax_error"
message = "syntax: {syntax_message}"
help = "fix it"
[rule.docs]
what = "w"
why = "y"
"#;

const ACME: &str = r#"
[provider]
id = "acme"
name = "Acme DNS"
nameservers = ["ns?.acme-dns.test", "*.ACME.example."]

[[help]]
code = "dkim.syntax"
help = "In Acme's panel, fix {name}"

[[rule]]
code = "acme.mangles-keys"
role = "dkim"
severity = "warning"
when = 'syntax_error && syntax_message == "mangled"'
suppresses = ["dkim.syntax"]
message = "Acme mangled the key"
help = "open a ticket"
[rule.docs]
what = "w"
why = "y"
"#;

#[test]
fn provider_only_rules_run_only_for_their_provider() {
    let rules = load(&[("core.toml", CORE), ("providers/acme.toml", ACME)]).unwrap();
    let mut f = Facts::new();
    f.set(Fact::Name, "sf1._domainkey.x.test");
    f.set(Fact::SyntaxError, true);
    f.set(Fact::SyntaxMessage, "mangled");
    let none = rules.evaluate(Role::Dkim, &f, None);
    assert_eq!(codes(&none), ["dkim.syntax"]);
    assert_eq!(none[0].help, "fix it");
    let acme = rules.evaluate(Role::Dkim, &f, Some("acme"));
    assert_eq!(codes(&acme), ["acme.mangles-keys"]);
    assert_eq!(acme[0].provider.as_deref(), Some("acme"));
    f.set(Fact::SyntaxMessage, "other");
    let acme = rules.evaluate(Role::Dkim, &f, Some("acme"));
    assert_eq!(codes(&acme), ["dkim.syntax"]);
    assert_eq!(acme[0].help, "In Acme's panel, fix sf1._domainkey.x.test");
    assert_eq!(acme[0].provider.as_deref(), Some("acme"));
    // Suppression: quoted explains syntax.
    f.set(Fact::Quoted, true);
    f.set(Fact::QuoteChar, "'");
    let d = rules.evaluate(Role::Dkim, &f, None);
    assert_eq!(codes(&d), ["dkim.quoted-value"]);
    assert_eq!(d[0].message, "quoted with '");
    assert_eq!(rules.rule("acme.mangles-keys").and_then(|r| r.provider.as_deref()), Some("acme"));
}

#[test]
fn provider_detection() {
    let rules = load(&[("core.toml", CORE), ("providers/acme.toml", ACME)]).unwrap();
    let ns = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        rules.detect_provider(&ns(&["NS1.Acme-DNS.test.", "ns2.acme-dns.test"])).map(|p| &*p.id),
        Some("acme")
    );
    assert_eq!(rules.detect_provider(&ns(&["a.b.acme.example"])).map(|p| &*p.name), Some("Acme DNS"));
    assert_eq!(rules.detect_provider(&ns(&["ns10.acme-dns.test"])), None);
    assert_eq!(rules.detect_provider(&[]), None);
    let builtin = builtin();
    let id = |names: &[&str]| builtin.detect_provider(&ns(names)).map(|p| p.id.clone());
    assert_eq!(id(&["ada.ns.cloudflare.com.", "bob.ns.cloudflare.com."]).as_deref(), Some("cloudflare"));
    assert_eq!(id(&["dns1.registrar-servers.com"]).as_deref(), Some("namecheap"));
    assert_eq!(id(&["ns.cloudflare.com"]), None);
    assert!(glob(b"*.awsdns-*", b"ns-1.awsdns-45.co.uk"));
    assert!(!glob(b"*.awsdns-*", b"ns-1.awsdns.com"));
}

#[test]
fn with_dir_adds_files_and_validates_across_them() {
    let tmp = tempfile::Builder::new().prefix("sendlint-rules-test-").tempdir().expect("tmp");
    let dir = tmp.path();
    std::fs::create_dir_all(dir.join("providers")).unwrap();
    std::fs::write(dir.join("providers/acme.toml"), ACME.replace("dkim.syntax", "dkim.quoted-value"))
        .unwrap();
    std::fs::write(dir.join("notes.txt"), "not a rule file").unwrap();
    // Fixtures live next to the rules and are not rules.
    std::fs::create_dir_all(dir.join("fixtures/acme")).unwrap();
    std::fs::write(dir.join("fixtures/acme/clean.toml"), "description = \"a fixture\"\nexpect = []\n")
        .unwrap();
    let base = load(&[("core.toml", CORE)]).unwrap();
    let rules = base.clone().with_dir(dir).unwrap();
    assert!(rules.provider("acme").is_some());
    assert!(rules.rule("acme.mangles-keys").is_some());
    // The same directory twice defines everything twice.
    let err = rules.with_dir(dir).unwrap_err();
    assert!(err.errors().iter().any(|e| e.kind == ErrorKind::DuplicateProvider));
    let err = base.with_dir(&dir.join("nope")).unwrap_err();
    assert_eq!(err.errors()[0].kind, ErrorKind::Io);
}

// ---------------------------------------------------------------- loader errors, as a rule author sees them

/// A valid rule with `field = value` lines replaced or added.
fn rule_with(changes: &[(&str, &str)]) -> String {
    let mut lines: Vec<(String, String)> = [
        ("code", r#""dkim.quoted-value""#),
        ("role", r#""dkim""#),
        ("severity", r#""error""#),
        ("when", r#""quoted && !embedded_quotes""#),
        ("message", r#""the DKIM value is wrapped in {quote_char} quotes""#),
        ("help", r#""delete the quotes""#),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    for (k, v) in changes {
        match lines.iter_mut().find(|(key, _)| key == k) {
            Some(line) => line.1 = v.to_string(),
            None => lines.push((k.to_string(), v.to_string())),
        }
    }
    let mut out = String::from("[[rule]]\n");
    for (k, v) in lines.iter().filter(|(_, v)| !v.is_empty()) {
        out.push_str(&format!("{k} = {v}\n"));
    }
    out.push_str("[rule.docs]\nwhat = \"w\"\nwhy = \"y\"\n");
    out
}

fn load_err(files: &[(&str, &str)]) -> RulesError {
    match load(files) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

fn kinds(e: &RulesError) -> Vec<ErrorKind> {
    e.errors().iter().map(|e| e.kind).collect()
}

#[test]
fn error_toml_syntax() {
    let e = load_err(&[("rules/core/dkim.toml", "[[rule]]\ncode = \"dkim.x\nrole = \"dkim\"\n")]);
    assert_eq!(kinds(&e)[0], ErrorKind::TomlSyntax);
    insta::assert_snapshot!(render(&e));
}

#[test]
fn error_unknown_fact_in_condition() {
    let text = rule_with(&[("when", r#""quoted && !embeded_quotes""#)]);
    let e = load_err(&[("rules/core/dkim.toml", &text)]);
    assert_eq!(kinds(&e), [ErrorKind::Condition]);
    insta::assert_snapshot!(render(&e));
}

#[test]
fn error_condition_syntax() {
    let text = rule_with(&[("when", r#""quoted & !embedded_quotes""#)]);
    insta::assert_snapshot!(render(&load_err(&[("rules/core/dkim.toml", &text)])));
}

#[test]
fn error_type_mismatch_and_fact_of_other_role() {
    let text = rule_with(&[("when", r#"'key_bits == "2048" || exchange_correct || quote_span'"#)]);
    let e = load_err(&[("rules/core/dkim.toml", &text)]);
    assert_eq!(kinds(&e), [ErrorKind::Condition; 3]);
    insta::assert_snapshot!(render(&e));
}

#[test]
fn error_many_mistakes_in_one_file_are_reported_together() {
    let text = rule_with(&[("role", r#""dkm""#), ("severity", r#""warn""#), ("mesage", r#""typo""#)])
        + &rule_with(&[("code", r#""Bad Code""#), ("help", "")]);
    let e = load_err(&[("rules/core/dkim.toml", &text)]);
    assert_eq!(
        kinds(&e),
        [
            ErrorKind::UnknownRole,
            ErrorKind::UnknownSeverity,
            ErrorKind::UnknownField,
            ErrorKind::MissingField,
            ErrorKind::BadCode
        ]
    );
    insta::assert_snapshot!(render(&e));
}

#[test]
fn error_duplicate_code_in_one_file() {
    let text = rule_with(&[]) + "\n" + &rule_with(&[]);
    let e = load_err(&[("rules/core/dkim.toml", &text)]);
    assert_eq!(kinds(&e), [ErrorKind::DuplicateCode]);
    insta::assert_snapshot!(render(&e));
}

#[test]
fn error_duplicate_code_across_files() {
    let text = rule_with(&[]);
    let e = load_err(&[("rules/core/dkim.toml", &text), ("rules/core/more.toml", &text)]);
    assert_eq!(kinds(&e), [ErrorKind::DuplicateCode]);
    insta::assert_snapshot!(render(&e));
}

#[test]
fn error_bad_templates() {
    let text = rule_with(&[
        ("message", r#""wrapped in {quote_char quotes""#),
        ("help", r#""see {key_bit} and {exchange} and {quote_span}""#),
        ("labels", r#"[{ span = "quote_char", text = "here" }, { span = "quote_span", text = "x}" }]"#),
    ]);
    let e = load_err(&[("rules/core/dkim.toml", &text)]);
    assert!(kinds(&e).iter().all(|k| matches!(k, ErrorKind::Template | ErrorKind::BadLabel)));
    insta::assert_snapshot!(render(&e));
}

#[test]
fn error_provider_files() {
    let core = rule_with(&[]);
    let provider = r#"
[provider]
id = "cloudflair"
name = "Cloudflare"
nameservers = ["*.ns.cloudflare.com"]
"#;
    let e = load_err(&[("rules/core/dkim.toml", &core), ("rules/providers/cloudflare.toml", provider)]);
    assert_eq!(kinds(&e), [ErrorKind::ProviderIdMismatch]);
    insta::assert_snapshot!("error_provider_id", render(&e));

    let provider = r#"
[provider]
id = "cloudflare"
name = "Cloudflare"
nameservers = ["*.ns.cloudflare.com"]

[[help]]
code = "dkim.quoted-valeu"
help = "In the dashboard …"
"#
    .to_owned()
        + &rule_with(&[("code", r#""dkim.proxied""#)]);
    let e = load_err(&[("rules/core/dkim.toml", &core), ("rules/providers/cloudflare.toml", &provider)]);
    assert_eq!(kinds(&e), [ErrorKind::UnknownHelpCode, ErrorKind::ProviderCodePrefix]);
    insta::assert_snapshot!("error_provider_help_and_prefix", render(&e));

    let e = load_err(&[(
        "rules/core/dkim.toml",
        &(core.clone() + "[[help]]\ncode = \"dkim.quoted-value\"\nhelp = \"x\"\n"),
    )]);
    assert_eq!(kinds(&e), [ErrorKind::HelpOutsideProvider]);
    insta::assert_snapshot!("error_help_outside_provider", render(&e));
}

#[test]
fn error_unknown_suppressed_code() {
    let text =
        rule_with(&[("suppresses", r#"["dkim.sintax"]"#)]) + &rule_with(&[("code", r#""dkim.syntax""#)]);
    let e = load_err(&[("rules/core/dkim.toml", &text)]);
    assert_eq!(kinds(&e), [ErrorKind::UnknownSuppressed]);
    insta::assert_snapshot!(render(&e));
}

#[test]
fn error_missing_docs_and_wrong_types() {
    let text = "[[rule]]\ncode = \"dkim.x\"\nrole = \"dkim\"\nseverity = 1\nwhen = \"quoted\"\nmessage = \"m\"\nhelp = [\"h\"]\n";
    let e = load_err(&[("rules/core/dkim.toml", text)]);
    insta::assert_snapshot!(render(&e));
}

#[test]
fn hostile_rule_files_give_errors_not_panics() {
    let deep = "(".repeat(10_000) + "quoted" + &")".repeat(10_000);
    let e = load_err(&[("deep.toml", &rule_with(&[("when", &format!("\"{deep}\""))]))]);
    assert_eq!(kinds(&e), [ErrorKind::Condition]);
    assert!(e.errors()[0].message.contains("nested more than 32 levels"));

    let e = load_err(&[("big.toml", &rule_with(&[("when", "\"key_bits > 999999999999999999999999\"")]))]);
    assert_eq!(e.errors()[0].message, "integer `999999999999999999999999` is out of range");
    insta::assert_snapshot!("error_huge_integer", render(&e));

    // Escapes in the TOML string: the label covers the whole string instead of guessing.
    let e = load_err(&[("esc.toml", &rule_with(&[("when", "\"key_type == \\\"rsa\\\" && nope\"")]))]);
    assert_eq!(e.errors()[0].message, "unknown fact `nope`");

    // Deeply nested TOML arrays and inline tables.
    let arrays = format!("rule = {}{}", "[".repeat(10_000), "]".repeat(10_000));
    let tables = format!("rule = {}{}", "{ a = ".repeat(10_000), "}".repeat(10_000));
    for text in [arrays, tables] {
        assert!(load(&[("nested.toml", &text)]).is_err());
    }

    // Empty and comment-only files are valid and define nothing.
    for text in ["", "# nothing\n", "\n\n"] {
        assert_eq!(load(&[("empty.toml", text)]).map(|r| r.rules().count()).ok(), Some(0));
    }
    // Wrong shapes everywhere.
    for text in [
        "rule = 1",
        "rule = [1, \"x\"]",
        "provider = \"x\"",
        "[rule]\ncode = \"a.b\"",
        "[[rule]]\nlabels = \"x\"\ndocs = 3\nroles = []\n",
        "[[rule]]\nroles = [\"dkim\", 3]\nrole = \"dkim\"\n",
        "[[help]]\ncode = 1\n",
        "[provider]\nid = 3\nnameservers = \"x\"\n",
        "[[rule]]\nlabels = [1, { span = 2 }]\n",
        "x = 1979-05-27T07:32:00Z",
        "[[rule]]\ncode = \"\\u0000.x\"\nwhen = \"\\u0000\"\n",
        "\u{feff}[[rule]]",
        "[[rule]]\nwhen = '''\n\n'''\n",
    ] {
        let e = load_err(&[("hostile.toml", text)]);
        assert!(!e.errors().is_empty(), "{text:?}");
        let _ = render(&e);
    }
}

/// The documentation of every builtin rule, so wording changes show up in review.
#[test]
fn builtin_rule_docs() {
    let rules = builtin();
    let mut out = String::new();
    for rule in rules.rules() {
        out.push_str(&rule.markdown());
        out.push_str(&format!("Message: {}\n\nHelp: {}\n\n", rule.message, rule.help));
    }
    for p in rules.providers() {
        out.push_str(&format!("## provider `{}` ({})\n\n", p.id, p.name));
        for (code, help) in p.help.iter() {
            out.push_str(&format!("- `{code}`: {help}\n"));
        }
        out.push('\n');
    }
    insta::assert_snapshot!(out);
}

#[test]
fn provider_records_form() {
    let provider = r#"
[provider]
id = "acme"
name = "Acme DNS"
nameservers = ["*.acme-dns.test"]
[provider.records]
host = "relative"
host_field = "Host"
value_field = "Answer"
priority = "in-value"
txt = "quoted"
fields = { "Proxy status" = "DNS only", TTL = "Automatic" }
notes = ["Acme appends the zone."]
"#;
    let rules = load(&[("core.toml", CORE), ("providers/acme.toml", provider)]).unwrap();
    let form = &rules.provider("acme").unwrap().records;
    assert_eq!(form.host, HostStyle::Relative);
    assert_eq!(form.host_field, "Host");
    assert_eq!(form.value_field, "Answer");
    assert_eq!(form.mx_value_field, "Value", "unset labels keep their default");
    assert_eq!(form.priority, PriorityStyle::InValue);
    assert_eq!(form.txt, TxtStyle::Quoted);
    assert_eq!(
        *form.fields,
        [("Proxy status".into(), "DNS only".into()), ("TTL".into(), "Automatic".into())]
    );
    assert_eq!(*form.notes, [Text::from("Acme appends the zone.")]);
    // A provider without the table gets the generic form.
    let rules = load(&[("core.toml", CORE), ("providers/acme.toml", ACME)]).unwrap();
    assert_eq!(rules.provider("acme").unwrap().records, RecordsForm::default());
}

#[test]
fn error_provider_records_form() {
    let provider = r#"
[provider]
id = "acme"
name = "Acme DNS"
nameservers = ["*.acme-dns.test"]
[provider.records]
host = "relatve"
priority = "inline"
txt = 1
fields = { "Proxy status" = false }
hots_field = "Host"
"#;
    let e = load_err(&[("core.toml", CORE), ("providers/acme.toml", provider)]);
    assert_eq!(
        kinds(&e),
        [
            ErrorKind::BadValue,
            ErrorKind::BadValue,
            ErrorKind::WrongType,
            ErrorKind::WrongType,
            ErrorKind::UnknownField
        ]
    );
    insta::assert_snapshot!(render(&e));
}

/// `docs/rules.md` is generated from the rule files; this fails when it is out of
/// date (CI keeps it in sync). Regenerate with `sendlint rules docs > docs/rules.md`,
/// or run this test with `SENDLINT_UPDATE_DOCS=1`.
#[test]
fn docs_rules_md_is_up_to_date() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules.md");
    let want = builtin().reference_markdown();
    if std::env::var_os("SENDLINT_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &want).unwrap();
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/rules.md is out of date: run `cargo run -p sendlint-cli -- rules docs > docs/rules.md` \
         (or `SENDLINT_UPDATE_DOCS=1 cargo test -p sendlint-rules docs_rules_md`)"
    );
}

#[test]
fn reference_lists_every_rule_and_provider() {
    let rules = builtin();
    let md = rules.reference_markdown();
    for r in rules.rules() {
        assert!(md.contains(&format!("## `{}`", r.code)), "{} has no section", r.code);
    }
    for p in rules.providers() {
        assert!(md.contains(&format!("## `{}`: {}", p.id, p.name)), "{} has no section", p.id);
    }
}

#[test]
fn segments_and_conditions_stay_small() {
    // Every segment and condition of the built-in rules is a static the loader
    // relocates at each start: keep them a few words each.
    assert!(std::mem::size_of::<template::Segment>() <= 64, "{}", std::mem::size_of::<template::Segment>());
    assert!(std::mem::size_of::<cond::Cond>() <= 56, "{}", std::mem::size_of::<cond::Cond>());
}
