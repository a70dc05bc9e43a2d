//! What the built-in rule set costs a process: run it with and without `load`
//! and compare wall time and page faults, e.g.
//! `cargo build --release -p sendlint-rules --example builtin_cost` then
//! `perf stat -r 200 target/release/examples/builtin_cost load` against the same
//! without `load`. A start-up cost cannot be seen in a criterion loop, where
//! every page is already mapped.

fn main() {
    if std::env::args().nth(1).as_deref() == Some("load") {
        let rules = sendlint_rules::RuleSet::builtin();
        std::hint::black_box(&rules);
    }
}
