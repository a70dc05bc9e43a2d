//! Key parsing: never panics on text or DER; a parsed key re-parses from its
//! own base64 to the same key.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendlint_records::PublicKey;

fuzz_target!(|data: &[u8]| {
    for k in
        [PublicKey::from_der(data), PublicKey::parse(&String::from_utf8_lossy(data))].into_iter().flatten()
    {
        let again = PublicKey::parse(k.base64()).expect("own base64 parses");
        assert_eq!(again, k);
        assert!(k.bits() > 0);
    }
});
