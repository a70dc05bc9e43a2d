//! The rule file loader on arbitrary text: loading and the rendering of every
//! error (miette windows, escaping, the error cap) never panic, and a
//! rendered error never carries a raw control character.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendlint::output::{RenderOptions, render_error};
use sendlint_rules::{RuleSet, RuleSource};

fuzz_target!(|data: &[u8]| {
    // The input guard refuses invalid UTF-8 before the loader sees it.
    let Ok(text) = std::str::from_utf8(data) else { return };
    let sources = vec![RuleSource { name: "providers/fuzz.toml".into(), text: text.to_owned() }];
    if let Err(e) = RuleSet::from_sources(sources) {
        assert!(e.errors().len() <= 50);
        let out = render_error(&e, RenderOptions::plain());
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
    }
});
