//! Zone-file text: loading never panics, and the fast path gives exactly what
//! the hickory path gives (the same zones, or the same error at the same
//! position), with and without an origin.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendlint_dns::{ZoneError, ZoneSource};

fn outcome(r: Result<ZoneSource, ZoneError>) -> String {
    match r {
        Ok(source) => format!("ok {:?}", source.zones()),
        Err(e) => format!("err {e} at {:?}", e.position()),
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let origin = [None, Some("acme.test"), Some("Acme.Test.")][usize::from(pick % 3)];
    let fast = outcome(ZoneSource::from_text("fuzz.zone", text, origin));
    let slow = outcome(ZoneSource::from_text_via_hickory("fuzz.zone", text, origin));
    assert_eq!(fast, slow);
});
