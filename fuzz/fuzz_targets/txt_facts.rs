//! Fact extraction on arbitrary wire records, for every TXT role: never
//! panics, and every span points inside the record it names.
//!
//! Input format: a byte `0` starts a new record; any other byte `k` is
//! followed by a character-string of `k - 1` bytes (truncated at the end).
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendlint_records::{DomainName, Expectation, PublicKey, Role, TxtRecord, Value, spf_lookups, txt_facts};
use std::sync::OnceLock;

const KEY: &str = include_str!("../../fixtures/keys/sf1-2048.b64");

fn records(mut data: &[u8]) -> Vec<TxtRecord> {
    let mut out = vec![TxtRecord::default()];
    while let Some((&k, rest)) = data.split_first() {
        if k == 0 {
            if out.len() < 8 {
                out.push(TxtRecord::default());
            }
            data = rest;
            continue;
        }
        let n = usize::from(k - 1).min(rest.len());
        let (s, rest) = rest.split_at(n);
        if let Some(last) = out.last_mut() {
            last.strings.push(s.to_vec());
        }
        data = rest;
    }
    out.retain(|r| !r.strings.is_empty());
    out
}

fuzz_target!(|data: &[u8]| {
    static KEYS: OnceLock<(DomainName, DomainName, DomainName, PublicKey)> = OnceLock::new();
    let (domain, zone, mail_from, key) = KEYS.get_or_init(|| {
        (
            DomainName::parse("mail.acme.com").unwrap(),
            DomainName::parse("acme.com").unwrap(),
            DomainName::parse("send.mail.acme.com").unwrap(),
            PublicKey::parse(KEY).unwrap(),
        )
    });
    let recs = records(data);
    for with_key in [true, false] {
        let exp = Expectation {
            region: "us-east-1",
            domain,
            zone: Some(zone),
            mail_from,
            expected_key: with_key.then_some(key),
        };
        for role in [Role::SpfTxt, Role::Dkim, Role::Dmarc] {
            let facts = txt_facts(role, &recs, &exp);
            for (def, v) in facts.iter() {
                if let Value::Span(s) = v {
                    let r = recs
                        .get(usize::from(s.record))
                        .unwrap_or_else(|| panic!("{} record out of range", def.name));
                    let end = s.start as usize + s.len as usize;
                    assert!(end <= r.data_len(), "{} {s:?} beyond {}", def.name, r.data_len());
                }
            }
        }
    }
    let _ = spf_lookups(&recs);
});
