//! The workspace manifest loader on arbitrary text: parsing, every entry and
//! the rendering of every error (miette windows, escaping) never panic, and a
//! rendered error never carries a raw control character.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendlint::manifest::ManifestIndex;
use sendlint::output::{RenderOptions, render_error};

fn safe(text: &str) -> bool {
    !text.chars().any(|c| c.is_control() && c != '\n')
}

fuzz_target!(|data: &[u8]| {
    // The input guard refuses invalid UTF-8 before the parser sees it.
    let Ok(text) = std::str::from_utf8(data) else { return };
    match ManifestIndex::parse("fuzz.json", text.to_owned()) {
        Err(e) => {
            let out = render_error(e.as_ref(), RenderOptions::plain());
            assert!(safe(&out), "{out:?}");
        }
        Ok(m) => {
            for i in 0..m.len().min(64) + 1 {
                if let Err(e) = m.entry(i) {
                    let out = render_error(e.as_ref(), RenderOptions::plain());
                    assert!(safe(&out), "{out:?}");
                }
            }
        }
    }
});
