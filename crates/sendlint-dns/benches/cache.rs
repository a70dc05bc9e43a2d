//! `CachingLookup` hits: the cache as it is (answers keyed by the borrowed
//! name, then the type) against the cache before it (a `(DomainName,
//! RecordType)` key built, cloning the name, on every look-up), in one
//! process. Two kinds of answers: negative (cheap to clone: the key's clone
//! shows) and a DKIM TXT record (a 2048-bit key: the answer's clone dominates).
//!
//! `cargo bench -p sendlint-dns --bench cache -- --warm-up-time 1 --measurement-time 3`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sendlint_dns::{Answer, BoxFuture, CachingLookup, Lookup, RecordType, ZoneSource};
use sendlint_records::name::{DomainName, NameMap};
use std::hint::black_box;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

/// The cache before: a key tuple per look-up (a copy of the old code).
struct TupleKeyCache<L> {
    inner: L,
    answers: Mutex<NameMap<(DomainName, RecordType), Answer>>,
}

impl<L: Lookup> Lookup for TupleKeyCache<L> {
    fn lookup<'a>(&'a self, name: &'a DomainName, rtype: RecordType) -> BoxFuture<'a, Answer> {
        Box::pin(async move {
            let key = (name.clone(), rtype);
            if let Some(hit) = self.answers.lock().ok().and_then(|m| m.get(&key).cloned()) {
                return hit;
            }
            let answer = self.inner.lookup(name, rtype).await;
            if let Ok(mut m) = self.answers.lock() {
                return m.entry(key).or_insert(answer).clone();
            }
            answer
        })
    }
}

/// Both caches answer from memory: one poll completes the future.
fn now(lookup: &dyn Lookup, name: &DomainName, rtype: RecordType) -> Answer {
    let mut cx = Context::from_waker(Waker::noop());
    match lookup.lookup(name, rtype).as_mut().poll(&mut cx) {
        Poll::Ready(answer) => answer,
        Poll::Pending => unreachable!("the zone source answers at once"),
    }
}

const KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp2AQwh4GGIJ5FSMDzq9U32OhiFi6giFCEf0aA32raO3o2d9RGp2pzoHz3z2ka3kCTcPkKO0X1ul5ZKRzWO4r6Pshfb+Z10pbJZIJ1hOvl5at9vmg5TV+QNt6DyEd1LMgj6ZkT23+vmB9U2i0fGUJvVZsbP+fCCBVangTCeu2eFQ+RdnifPZBN/1wg+7c+NeZO9Zxu9yvStgweiEw3Ui5UKfi1mwxDc3zLHMKqiR1avqX9xlrZd/taGi/OkqUxcWiEVEe3tp8xmn0iRnjSzASSZR8OWAfqePBUjBWBphe02HLTnZFAJubuFyzJsR9745YLoXiZFkT4BUzdeHs9YoFbwIDAQAB";

fn zone() -> ZoneSource {
    let mut text = String::from(
        "$ORIGIN customer.example.\n$TTL 300\n@ SOA ns1.dns.example. h.customer.example. 1 3600 600 604800 300\n\
         @ NS ns1.dns.example.\n",
    );
    let (a, b) = KEY.split_at(200);
    for i in 0..256 {
        text.push_str(&format!("sf1._domainkey.mail{i} TXT \"v=DKIM1; k=rsa; p={a}\" \"{b}\"\n"));
    }
    ZoneSource::from_text("customer.example.zone", &text, None).expect("the bench zone loads")
}

fn bench(c: &mut Criterion) {
    let name = |s: String| DomainName::parse(&s).expect("name");
    let dkim: Vec<DomainName> =
        (0..256).map(|i| name(format!("sf1._domainkey.Mail{i}.customer.example"))).collect();
    let absent: Vec<DomainName> =
        (0..256).map(|i| name(format!("_dmarc.Mail{i}.customer.example"))).collect();
    let new = CachingLookup::new(zone());
    let old = TupleKeyCache { inner: zone(), answers: Mutex::new(NameMap::default()) };
    for n in dkim.iter().chain(&absent) {
        assert_eq!(now(&new, n, RecordType::Txt), now(&old, n, RecordType::Txt));
    }
    assert!(matches!(now(&new, &dkim[0], RecordType::Txt), Answer::Records { .. }));
    assert!(matches!(
        now(&new, &absent[0], RecordType::Txt),
        Answer::NxDomain { .. } | Answer::NoData { .. }
    ));

    let mut g = c.benchmark_group("cache hit");
    g.throughput(Throughput::Elements(256));
    for (what, names) in [("negative answer", &absent), ("DKIM TXT answer", &dkim)] {
        for (label, cache) in [("tuple key (before)", &old as &dyn Lookup), ("borrowed name (now)", &new)] {
            g.bench_function(format!("{what}, {label}"), |b| {
                b.iter(|| {
                    for n in names {
                        black_box(now(cache, black_box(n), RecordType::Txt));
                    }
                })
            });
        }
    }
    g.finish();
    paired(&old, &new, &absent, &dkim);
}

/// The machine is shared: criterion's runs of the two caches are seconds
/// apart and drift with the load. Here they alternate in short rounds (which
/// goes first alternates too) and the per-round ratio's median is printed.
fn paired(old: &dyn Lookup, new: &dyn Lookup, absent: &[DomainName], dkim: &[DomainName]) {
    let round = |cache: &dyn Lookup, names: &[DomainName]| {
        let t = std::time::Instant::now();
        for _ in 0..20 {
            for n in names {
                black_box(now(cache, black_box(n), RecordType::Txt));
            }
        }
        t.elapsed().as_nanos() as f64 / (20 * names.len()) as f64
    };
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    for (what, names) in [("negative answer", absent), ("DKIM TXT answer", dkim)] {
        let (mut before, mut now_, mut ratio) = (Vec::new(), Vec::new(), Vec::new());
        for i in 0..400 {
            let (b, n) = if i % 2 == 0 {
                let b = round(old, names);
                (b, round(new, names))
            } else {
                let n = round(new, names);
                (round(old, names), n)
            };
            before.push(b);
            now_.push(n);
            ratio.push(n / b);
        }
        println!(
            "paired, {what}: tuple key {:.1} ns/hit, borrowed name {:.1} ns/hit, now/before {:.3} (medians of 400 alternating rounds)",
            median(before),
            median(now_),
            median(ratio)
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
