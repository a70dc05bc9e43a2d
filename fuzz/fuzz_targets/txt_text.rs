//! TXT text decoding: never panics; what decodes round-trips through its
//! presentation form; display escaping never lets a control byte through.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendlint_records::{display, txt};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(records) = txt::parse_text(&text) {
        for r in &records {
            let back = txt::parse_text(&r.to_presentation()).expect("presentation decodes");
            assert_eq!(back, vec![r.clone()]);
            let d = r.data();
            let e = display::escape(&d);
            assert!(!e.text.chars().any(|c| c.is_control()), "{:?}", e.text);
            let m = e.map(0, d.len());
            assert!(
                m.end <= e.text.len() && e.text.is_char_boundary(m.start) && e.text.is_char_boundary(m.end)
            );
        }
    }
});
