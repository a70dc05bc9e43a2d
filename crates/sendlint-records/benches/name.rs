//! Domain names on the lookup path: parsing presentation text, hashing into a
//! map (cache keys, zone nodes), equality, and the subdomain test.
//!
//! `cargo bench -p sendlint-records --bench name -- --warm-up-time 1 --measurement-time 3`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sendlint_records::DomainName;
use std::collections::HashMap;
use std::hint::black_box;

/// Names as an audit asks them: the four record names of a setup, mixed case.
fn corpus() -> Vec<String> {
    (0..256)
        .flat_map(|i| {
            let d = format!("Mail{i}.Customer-{}.example.com", i % 37);
            [
                format!("send.{d}"),
                format!("sf{}._domainkey.{d}", i % 3),
                format!("_dmarc.{d}"),
                format!("_dmarc.customer-{}.example.com.", i % 37),
            ]
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = corpus();
    let names: Vec<DomainName> = texts.iter().map(|t| DomainName::parse(t).expect("name")).collect();
    let lower: Vec<DomainName> =
        texts.iter().map(|t| DomainName::parse(&t.to_ascii_lowercase()).expect("name")).collect();
    let zone = DomainName::parse("example.com").expect("name");

    let mut g = c.benchmark_group("name");
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(DomainName::parse(black_box(t)).expect("name"));
            }
        })
    });
    // The map type the lookup path uses for names (std SipHash before #13).
    let map: sendlint_records::NameMap<DomainName, usize> =
        names.iter().cloned().enumerate().map(|(i, n)| (n, i)).collect();
    g.bench_function("map get (other case)", |b| {
        b.iter(|| {
            for n in &lower {
                black_box(map.get(black_box(n)));
            }
        })
    });
    let std_map: HashMap<DomainName, usize> =
        names.iter().cloned().enumerate().map(|(i, n)| (n, i)).collect();
    g.bench_function("std HashMap get (other case)", |b| {
        b.iter(|| {
            for n in &lower {
                black_box(std_map.get(black_box(n)));
            }
        })
    });
    g.bench_function("eq (other case)", |b| {
        b.iter(|| {
            for (a, l) in names.iter().zip(&lower) {
                black_box(black_box(a) == black_box(l));
            }
        })
    });
    g.bench_function("clone", |b| {
        b.iter(|| {
            for n in &names {
                black_box(black_box(n).clone());
            }
        })
    });
    g.bench_function("is_subdomain_of", |b| {
        b.iter(|| {
            for n in &names {
                black_box(black_box(n).is_subdomain_of(&zone));
            }
        })
    });
    g.bench_function("to_string", |b| {
        b.iter(|| {
            for n in &names {
                black_box(black_box(n).to_string());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
