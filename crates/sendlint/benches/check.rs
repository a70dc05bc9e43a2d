//! One `check` of a demo domain from zone files, in process: zone parsing,
//! rule loading and the check itself, separately and together.
//!
//! `cargo bench -p sendlint --bench check`

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use sendlint::{CheckOptions, check};
use sendlint_dns::ZoneSource;
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_rules::RuleSet;
use sendlint_ses::Setup;

fn demo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/zones")
}

fn setup() -> Setup {
    let key = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/keys/sf1-2048.b64"),
    )
    .expect("key file");
    let domain = DomainName::parse("mail.acme.test").expect("name");
    Setup::new(domain, "us-east-1", "sf1")
        .expect("setup")
        .with_public_key(PublicKey::parse(&key).expect("key"))
}

fn bench(c: &mut Criterion) {
    let zones = [demo()];
    let rules = RuleSet::builtin();
    let source = ZoneSource::from_files(&zones).expect("zones");
    let setup = setup();
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("runtime");
    let opts = CheckOptions::default();

    c.bench_function("load builtin rules", |b| b.iter(|| black_box(RuleSet::builtin())));
    c.bench_function("load demo zones", |b| {
        b.iter(|| black_box(ZoneSource::from_files(&zones).expect("zones")))
    });
    c.bench_function("check one domain (loaded)", |b| {
        b.iter(|| black_box(rt.block_on(check(&setup, &source, &rules, &opts))))
    });
    c.bench_function("check one domain (load + check)", |b| {
        b.iter(|| {
            let rules = RuleSet::builtin();
            let source = ZoneSource::from_files(&zones).expect("zones");
            black_box(rt.block_on(check(&setup, &source, &rules, &opts)))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
