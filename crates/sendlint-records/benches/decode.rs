//! Decoding and fact extraction over a mixed corpus of realistic answers.
//!
//! `cargo bench -p sendlint-records --bench decode -- --warm-up-time 1 --measurement-time 3`
//! Throughput is in answers (elements) per second; the target is at least
//! 1,000,000 TXT answers per second per core.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sendlint_records::{
    DomainName, Expectation, MxRecord, PublicKey, Role, TxtRecord, mx, mx_facts, txt, txt_facts,
};
use std::hint::black_box;

fn key(name: &str) -> String {
    let path = format!("{}/../../fixtures/keys/{name}.b64", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path).expect("fixture key").trim().to_owned()
}

/// One answer: the role and every record at the name.
type Answer = (Role, Vec<TxtRecord>);

fn txt_corpus() -> Vec<Answer> {
    let sf1 = key("sf1-2048");
    let other = key("other-2048");
    let weak = key("weak-1024");
    let dkim = format!("v=DKIM1; k=rsa; p={sf1}");
    let v = |s: &str| TxtRecord::from_value(s.as_bytes());
    let (a, b) = dkim.split_at(255);
    vec![
        (Role::Dkim, vec![v(&dkim)]),
        (Role::Dkim, vec![v(&format!("p={sf1}"))]),
        (Role::Dkim, vec![v(&format!("\"{dkim}\""))]),
        (Role::Dkim, vec![v(&format!("“{dkim}”"))]),
        (Role::Dkim, vec![v(b), v(a)]),
        (Role::Dkim, vec![v(a)]),
        (Role::Dkim, vec![v(&format!("v=DKIM1; k=rsa; p={other}"))]),
        (Role::Dkim, vec![v(&format!("v=DKIM1; t=y; p={weak}"))]),
        (Role::SpfTxt, vec![v("v=spf1 include:amazonses.com ~all")]),
        (
            Role::SpfTxt,
            vec![v("google-site-verification=abcdefghijklmnop"), v("v=spf1 include:amazonses.com -all")],
        ),
        (Role::SpfTxt, vec![v("\"v=spf1 include:amazonses.com ~all\"")]),
        (
            Role::SpfTxt,
            vec![v(
                "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.google.com include:amazonses.com mx a ?all",
            )],
        ),
        (Role::SpfTxt, vec![v("v=spf1 inlcude:amazonses.com ~all")]),
        (Role::SpfTxt, vec![v("v=spf1 -all"), v("v=spf1 include:amazonses.com ~all")]),
        (Role::Dmarc, vec![v("v=DMARC1; p=none; rua=mailto:dmarc@acme.com")]),
        (
            Role::Dmarc,
            vec![v(
                "v=DMARC1; p=reject; sp=quarantine; adkim=s; aspf=r; pct=100; rua=mailto:a@acme.com,mailto:b@acme.com; ruf=mailto:f@acme.com; fo=1",
            )],
        ),
        (Role::Dmarc, vec![v("v=DMARC1; p=quarantne")]),
        (Role::Dmarc, vec![v("“v=DMARC1; p=none”")]),
    ]
}

fn bench(c: &mut Criterion) {
    let domain = DomainName::parse("mail.acme.com").expect("name");
    let zone = DomainName::parse("acme.com").expect("name");
    let mail_from = DomainName::parse("send.mail.acme.com").expect("name");
    let expected = PublicKey::parse(&key("sf1-2048")).expect("key");
    let exp = Expectation {
        region: "us-east-1",
        domain: &domain,
        zone: Some(&zone),
        mail_from: &mail_from,
        expected_key: Some(&expected),
    };
    let corpus = txt_corpus();
    let mx_text = "10 feedback-smtp.us-east-1.amazonses.com.\n";
    let mx_corpus: Vec<Vec<MxRecord>> = [
        "10 feedback-smtp.us-east-1.amazonses.com.",
        "10 feedback-smtp.eu-west-1.amazonses.com.",
        "0 10\\ feedback-smtp.us-east-1.amazonses.com.",
        "10 feedback-smtp.us-east-1.amazonses.com.acme.com.",
    ]
    .iter()
    .map(|s| mx::parse_text(s).expect("mx"))
    .collect();

    let mut g = c.benchmark_group("facts");
    g.throughput(Throughput::Elements(corpus.len() as u64));
    // Baseline, same invocation: the least any decoder does per answer —
    // concatenate its character-strings and touch every byte. The ratio of
    // `txt_facts/mixed` to this is what the machine's noise cannot move.
    g.bench_function("baseline/concat+sum", |b| {
        b.iter(|| {
            for (_, recs) in &corpus {
                for r in black_box(recs) {
                    black_box(r.data().iter().map(|&x| u64::from(x)).sum::<u64>());
                }
            }
        })
    });
    g.bench_function("txt_facts/mixed", |b| {
        b.iter(|| {
            for (role, recs) in &corpus {
                black_box(txt_facts(*role, black_box(recs), &exp));
            }
        })
    });
    g.throughput(Throughput::Elements(mx_corpus.len() as u64));
    g.bench_function("mx_facts/mixed", |b| {
        b.iter(|| {
            for recs in &mx_corpus {
                black_box(mx_facts(black_box(recs), &exp));
            }
        })
    });
    g.finish();
    if std::env::var_os("SENDLINT_BENCH_CASES").is_some() {
        let mut g = c.benchmark_group("case");
        g.bench_function("facts-new", |b| b.iter(|| black_box(sendlint_records::Facts::new())));
        for (i, (role, recs)) in corpus.iter().enumerate() {
            g.bench_function(format!("{i:02}-{role}"), |b| {
                b.iter(|| black_box(txt_facts(*role, black_box(recs), &exp)))
            });
        }
        g.finish();
    }

    // Text decoding of the same answers as dig prints them.
    let dig: Vec<String> = corpus
        .iter()
        .map(|(_, recs)| {
            recs.iter().map(|r| format!("x.acme.com. 300 IN TXT {}\n", r.to_presentation())).collect()
        })
        .collect();
    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(dig.len() as u64));
    g.bench_function("txt_text/dig", |b| {
        b.iter(|| {
            for d in &dig {
                black_box(txt::parse_text(black_box(d)).ok());
            }
        })
    });
    g.bench_function("txt_text+facts/dig", |b| {
        b.iter(|| {
            for (d, (role, _)) in dig.iter().zip(&corpus) {
                if let Ok(recs) = txt::parse_text(black_box(d)) {
                    black_box(txt_facts(*role, &recs, &exp));
                }
            }
        })
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("mx_text", |b| b.iter(|| black_box(mx::parse_text(black_box(mx_text)).ok())));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
