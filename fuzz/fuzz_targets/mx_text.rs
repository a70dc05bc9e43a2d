//! MX text decoding: never panics; decoded records round-trip through
//! their presentation form.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendlint_records::{DomainName, mx};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(records) = mx::parse_text(&text) {
        for r in &records {
            let back = mx::parse_text(&r.presentation()).expect("presentation decodes");
            assert_eq!(back, vec![r.clone()]);
        }
    }
    if let Ok(name) = DomainName::parse(&text) {
        assert_eq!(DomainName::parse(&name.to_fqdn_string()).expect("display parses"), name);
    }
});
