//! RSA public keys as DKIM publishes them: base64 of a DER
//! SubjectPublicKeyInfo (or a bare PKCS#1 RSAPublicKey), read by a tiny DER
//! reader. No cryptography happens here; we only need to know what the bytes
//! are, how long the modulus is, and whether two keys are the same.

use base64::Engine as _;
use std::fmt;

/// DER of the rsaEncryption algorithm identifier: OID 1.2.840.113549.1.1.1 + NULL.
const RSA_ALG_ID: [u8; 15] =
    [0x30, 0x0D, 0x06, 0x09, 0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01, 0x05, 0x00];
const RSA_OID: [u8; 9] = [0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x01, 0x01];

/// An RSA public key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PublicKey {
    /// DER SubjectPublicKeyInfo (a PKCS#1 key is wrapped into one).
    der: Vec<u8>,
    /// Standard base64 of `der`: what `p=` should hold.
    base64: String,
    /// Modulus length in bits.
    bits: u32,
}

/// What is wrong with a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// Nothing but whitespace.
    Empty,
    /// A byte outside the base64 alphabet, at this byte position of the text.
    BadBase64Char {
        /// Byte position in the text given.
        position: usize,
        /// The offending character (or U+FFFD for invalid UTF-8).
        found: char,
    },
    /// `=` padding followed by more data, at this byte position.
    BadPadding {
        /// Byte position in the text given.
        position: usize,
    },
    /// A PEM block without its END line, or an unknown PEM label.
    BadPem(String),
    /// The bytes are not the DER structure of a public key.
    NotDer(String),
    /// A public key, but not RSA.
    NotRsa {
        /// The algorithm OID in dotted form.
        oid: String,
    },
    /// The DER says it is longer than the bytes present.
    Truncated {
        /// Bytes present.
        have: usize,
        /// Bytes the DER announces.
        need: usize,
    },
}

impl fmt::Display for KeyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyError::Empty => write!(f, "the key is empty"),
            KeyError::BadBase64Char { position, found } => {
                write!(f, "invalid base64 character {:?} at position {position}", found)
            }
            KeyError::BadPadding { position } => {
                write!(f, "base64 padding '=' at position {position} is followed by more data")
            }
            KeyError::BadPem(m) => write!(f, "bad PEM: {m}"),
            KeyError::NotDer(m) => write!(f, "not a DER public key: {m}"),
            KeyError::NotRsa { oid } => match oid_name(oid) {
                Some(name) => write!(f, "not an RSA key: algorithm {name} (OID {oid})"),
                None => write!(f, "not an RSA key: algorithm OID {oid}"),
            },
            KeyError::Truncated { have, need } => {
                write!(f, "bytes are missing: its encoding announces {need} bytes, {have} are present")
            }
        }
    }
}

impl std::error::Error for KeyError {}

fn oid_name(oid: &str) -> Option<&'static str> {
    Some(match oid {
        "1.3.101.112" => "Ed25519",
        "1.3.101.113" => "Ed448",
        "1.2.840.10045.2.1" => "EC",
        "1.2.840.10040.4.1" => "DSA",
        "1.2.840.113549.1.1.10" => "RSASSA-PSS",
        _ => return None,
    })
}

fn b64_value(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes base64, skipping ASCII whitespace. A trailing partial group is
/// decoded as far as it goes (a key cut mid-group still shows as truncated
/// DER rather than as a base64 error). Positions in errors are byte offsets
/// into `text`.
pub fn decode_base64(text: &[u8]) -> Result<Vec<u8>, KeyError> {
    // Fast path: canonical base64 decodes with the base64 crate; anything it
    // rejects goes through the slow decoder below for a precise error.
    if let Ok(v) = base64::engine::general_purpose::STANDARD.decode(text) {
        return Ok(v);
    }
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let mut acc: u32 = 0;
    let mut nbits = 0u32;
    let mut pad_at: Option<usize> = None;
    for (i, &c) in text.iter().enumerate() {
        if c.is_ascii_whitespace() {
            continue;
        }
        if c == b'=' {
            pad_at.get_or_insert(i);
            continue;
        }
        let Some(v) = b64_value(c) else {
            return Err(KeyError::BadBase64Char { position: i, found: bad_char(text, i) });
        };
        if let Some(p) = pad_at {
            return Err(KeyError::BadPadding { position: p });
        }
        acc = (acc << 6) | u32::from(v);
        nbits += 6;
        if nbits >= 8 {
            nbits -= 8;
            out.push((acc >> nbits) as u8);
            acc &= (1 << nbits) - 1;
        }
    }
    Ok(out)
}

/// The character at byte `i` (decoding UTF-8 when it is valid there).
fn bad_char(text: &[u8], i: usize) -> char {
    let n = crate::name::utf8_len(text.get(i).copied().unwrap_or(0));
    text.get(i..i + n)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.chars().next())
        .unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// One DER TLV: tag, content, and the bytes after it.
struct Tlv<'a> {
    tag: u8,
    content: &'a [u8],
    rest: &'a [u8],
}

/// Reads one TLV from `buf`, which starts `base` bytes into the whole DER of
/// `total` bytes (so truncation can be reported against the whole).
fn tlv(buf: &[u8], base: usize, total: usize) -> Result<Tlv<'_>, KeyError> {
    let [tag, first, ..] = *buf else {
        return Err(KeyError::Truncated { have: total, need: base + 2 });
    };
    let (len, hdr) = if first < 0x80 {
        (usize::from(first), 2)
    } else {
        let n = usize::from(first & 0x7F);
        if n == 0 || n > 4 {
            return Err(KeyError::NotDer(format!("unsupported length encoding at byte {}", base + 1)));
        }
        let Some(bytes) = buf.get(2..2 + n) else {
            return Err(KeyError::Truncated { have: total, need: base + 2 + n });
        };
        (bytes.iter().fold(0usize, |a, &b| (a << 8) | usize::from(b)), 2 + n)
    };
    match buf.get(hdr..hdr + len) {
        Some(content) => Ok(Tlv { tag, content, rest: buf.get(hdr + len..).unwrap_or_default() }),
        None => Err(KeyError::Truncated { have: total, need: base + hdr + len }),
    }
}

fn oid_to_string(oid: &[u8]) -> String {
    let mut parts: Vec<u64> = Vec::new();
    let mut v: u64 = 0;
    for &b in oid {
        v = (v << 7) | u64::from(b & 0x7F);
        if b & 0x80 == 0 {
            if parts.is_empty() {
                let first = (v / 40).min(2);
                parts.push(first);
                parts.push(v - first * 40);
            } else {
                parts.push(v);
            }
            v = 0;
        }
        if v > u64::MAX >> 8 {
            break;
        }
    }
    parts.iter().map(u64::to_string).collect::<Vec<_>>().join(".")
}

/// Checks an RSAPublicKey (`SEQUENCE { INTEGER n, INTEGER e }`) starting
/// `base` bytes into a DER of `total` bytes; returns the modulus bits.
fn rsa_public_key(buf: &[u8], base: usize, total: usize) -> Result<u32, KeyError> {
    let seq = tlv(buf, base, total)?;
    if seq.tag != 0x30 {
        return Err(KeyError::NotDer("RSAPublicKey is not a SEQUENCE".into()));
    }
    let inner = base + (buf.len() - seq.rest.len() - seq.content.len());
    let n = tlv(seq.content, inner, total)?;
    if n.tag != 0x02 {
        return Err(KeyError::NotDer("RSA modulus is not an INTEGER".into()));
    }
    let e_base = inner + (seq.content.len() - n.rest.len());
    let e = tlv(n.rest, e_base, total)?;
    if e.tag != 0x02 || e.content.is_empty() {
        return Err(KeyError::NotDer("RSA exponent is not an INTEGER".into()));
    }
    let m = n.content;
    let first = m.iter().position(|&b| b != 0);
    let Some(first) = first else {
        return Err(KeyError::NotDer("RSA modulus is zero".into()));
    };
    let top = m[first];
    let bits = (m.len() - first - 1) * 8 + (8 - top.leading_zeros() as usize);
    Ok(u32::try_from(bits).unwrap_or(u32::MAX))
}

/// Parses DER: a SubjectPublicKeyInfo with rsaEncryption, or a bare PKCS#1
/// RSAPublicKey. Returns the SubjectPublicKeyInfo DER and the modulus bits.
pub fn parse_der(der: &[u8]) -> Result<(Vec<u8>, u32), KeyError> {
    let total = der.len();
    if total == 0 {
        return Err(KeyError::Empty);
    }
    // Check the tag before the length, so random bytes are "not DER"
    // rather than "truncated".
    if let Some(&t) = der.first().filter(|&&t| t != 0x30) {
        return Err(KeyError::NotDer(format!("expected a SEQUENCE (0x30) at byte 0, found 0x{t:02X}")));
    }
    let outer = tlv(der, 0, total)?;
    if !outer.rest.is_empty() {
        return Err(KeyError::NotDer(format!("{} bytes of trailing data after the key", outer.rest.len())));
    }
    let hdr = total - outer.rest.len() - outer.content.len();
    let first = tlv(outer.content, hdr, total)?;
    match first.tag {
        // PKCS#1: wrap it into a SubjectPublicKeyInfo so keys compare equal.
        0x02 => {
            let bits = rsa_public_key(der, 0, total)?;
            let used = total - outer.rest.len();
            Ok((wrap_pkcs1(der.get(..used).unwrap_or_default()), bits))
        }
        0x30 => {
            let alg = tlv(first.content, hdr + 2, total)?;
            if alg.tag != 0x06 {
                return Err(KeyError::NotDer("algorithm is not an OID".into()));
            }
            if alg.content != RSA_OID {
                return Err(KeyError::NotRsa { oid: oid_to_string(alg.content) });
            }
            let bs_base = total - outer.rest.len() - first.rest.len();
            let bits = tlv(first.rest, bs_base, total)?;
            if bits.tag != 0x03 {
                return Err(KeyError::NotDer("public key is not a BIT STRING".into()));
            }
            let Some((&0, key)) = bits.content.split_first() else {
                return Err(KeyError::NotDer("bad BIT STRING padding".into()));
            };
            let key_base = total - outer.rest.len() - bits.rest.len() - key.len();
            let n = rsa_public_key(key, key_base, total)?;
            let used = total - outer.rest.len();
            Ok((der.get(..used).unwrap_or_default().to_vec(), n))
        }
        t => {
            Err(KeyError::NotDer(format!("expected an AlgorithmIdentifier or INTEGER, found tag 0x{t:02X}")))
        }
    }
}

fn der_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        out.push(len as u8);
    } else if len <= 0xFF {
        out.extend_from_slice(&[0x81, len as u8]);
    } else if len <= 0xFFFF {
        out.extend_from_slice(&[0x82, (len >> 8) as u8, len as u8]);
    } else {
        out.extend_from_slice(&[0x83, (len >> 16) as u8, (len >> 8) as u8, len as u8]);
    }
}

fn wrap_pkcs1(pkcs1: &[u8]) -> Vec<u8> {
    let mut bit_string = Vec::with_capacity(pkcs1.len() + 6);
    bit_string.push(0x03);
    der_len(&mut bit_string, pkcs1.len() + 1);
    bit_string.push(0);
    bit_string.extend_from_slice(pkcs1);
    let mut out = Vec::with_capacity(bit_string.len() + RSA_ALG_ID.len() + 5);
    out.push(0x30);
    der_len(&mut out, RSA_ALG_ID.len() + bit_string.len());
    out.extend_from_slice(&RSA_ALG_ID);
    out.extend_from_slice(&bit_string);
    out
}

impl PublicKey {
    /// Parses PEM (`BEGIN PUBLIC KEY` or `BEGIN RSA PUBLIC KEY`) or bare
    /// base64 (whitespace ignored) of an RSA public key.
    pub fn parse(text: &str) -> Result<PublicKey, KeyError> {
        let t = text.trim();
        if t.is_empty() {
            return Err(KeyError::Empty);
        }
        if let Some(begin) = t.find("-----BEGIN ") {
            let after = &t[begin + 11..];
            let Some(label_end) = after.find("-----") else {
                return Err(KeyError::BadPem("unterminated BEGIN line".into()));
            };
            let label = &after[..label_end];
            if label != "PUBLIC KEY" && label != "RSA PUBLIC KEY" {
                return Err(KeyError::BadPem(format!(
                    "expected BEGIN PUBLIC KEY or BEGIN RSA PUBLIC KEY, found BEGIN {label}"
                )));
            }
            let body_start = begin + 11 + label_end + 5;
            let body = &t[body_start..];
            let end_marker = format!("-----END {label}-----");
            let Some(end) = body.find(&end_marker) else {
                return Err(KeyError::BadPem(format!("no {end_marker} line")));
            };
            let der = decode_base64(&body.as_bytes()[..end]).map_err(|e| match e {
                KeyError::BadBase64Char { position, found } => KeyError::BadBase64Char {
                    position: position + body_start + (text.len() - text.trim_start().len()),
                    found,
                },
                other => other,
            })?;
            return Self::from_der(&der);
        }
        Self::from_base64(text.as_bytes())
    }

    /// Parses base64 text (whitespace ignored), e.g. a `p=` value.
    pub fn from_base64(text: &[u8]) -> Result<PublicKey, KeyError> {
        let der = decode_base64(text)?;
        Self::from_der(&der)
    }

    /// Parses DER (SubjectPublicKeyInfo or PKCS#1).
    pub fn from_der(der: &[u8]) -> Result<PublicKey, KeyError> {
        let (der, bits) = parse_der(der)?;
        let base64 = base64::engine::general_purpose::STANDARD.encode(&der);
        Ok(PublicKey { der, base64, bits })
    }

    /// The DER SubjectPublicKeyInfo.
    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Its standard base64: the value for `p=`.
    pub fn base64(&self) -> &str {
        &self.base64
    }

    /// The RSA modulus length in bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }
}

impl std::str::FromStr for PublicKey {
    type Err = KeyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PublicKey::parse(s)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn fixture(name: &str) -> String {
        let path = format!("{}/../../fixtures/keys/{name}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn parses_fixture_keys() {
        for (name, bits) in
            [("sf1-2048", 2048), ("other-2048", 2048), ("weak-1024", 1024), ("big-4096", 4096)]
        {
            let b64 = fixture(&format!("{name}.b64"));
            let k = PublicKey::parse(&b64).unwrap();
            assert_eq!(k.bits(), bits, "{name}");
            assert_eq!(k.base64(), b64.trim(), "{name}");
            let pem = PublicKey::parse(&fixture(&format!("{name}.pem"))).unwrap();
            assert_eq!(pem, k, "{name}");
        }
        let a = PublicKey::parse(&fixture("sf1-2048.b64")).unwrap();
        let b = PublicKey::parse(&fixture("other-2048.b64")).unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn whitespace_is_ignored() {
        let b64 = fixture("sf1-2048.b64");
        let spaced: String = b64
            .trim()
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect::<Vec<_>>()
            .join("\n ");
        assert_eq!(PublicKey::parse(&spaced).unwrap().bits(), 2048);
    }

    #[test]
    fn pkcs1_is_wrapped() {
        let k = PublicKey::parse(&fixture("sf1-2048.b64")).unwrap();
        // The BIT STRING content after the unused-bits byte is the PKCS#1 key.
        let pkcs1 = &k.der()[24..];
        let b64 = base64::engine::general_purpose::STANDARD.encode(pkcs1);
        let pem = format!("-----BEGIN RSA PUBLIC KEY-----\n{b64}\n-----END RSA PUBLIC KEY-----\n");
        let p = PublicKey::parse(&pem).unwrap();
        assert_eq!(p, k);
        assert_eq!(PublicKey::from_base64(b64.as_bytes()).unwrap(), k);
    }

    #[test]
    fn errors_say_what_is_wrong() {
        let e = PublicKey::parse(&fixture("ed25519.b64")).unwrap_err();
        assert_eq!(e, KeyError::NotRsa { oid: "1.3.101.112".into() });
        assert!(e.to_string().contains("Ed25519"), "{e}");
        let b64 = fixture("sf1-2048.b64");
        let e = PublicKey::parse(&b64[..255]).unwrap_err();
        assert_eq!(e, KeyError::Truncated { have: 191, need: 294 });
        assert_eq!(e.to_string(), "bytes are missing: its encoding announces 294 bytes, 191 are present");
        let e = PublicKey::parse("MIIB\"IjAN").unwrap_err();
        assert_eq!(e, KeyError::BadBase64Char { position: 4, found: '"' });
        assert!(matches!(PublicKey::parse("AAAA=AAA"), Err(KeyError::BadPadding { position: 4 })));
        assert!(matches!(PublicKey::parse("aGVsbG8="), Err(KeyError::NotDer(_))));
        assert_eq!(PublicKey::parse("  \n"), Err(KeyError::Empty));
        assert!(matches!(
            PublicKey::parse("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"),
            Err(KeyError::BadPem(_))
        ));
        assert!(matches!(PublicKey::parse("-----BEGIN PUBLIC KEY-----\nAAAA\n"), Err(KeyError::BadPem(_))));
        let e = PublicKey::parse("“MIIB”").unwrap_err();
        assert_eq!(e, KeyError::BadBase64Char { position: 0, found: '“' });
    }

    proptest! {
        #[test]
        fn never_panics_on_der(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = PublicKey::from_der(&bytes);
        }

        #[test]
        fn never_panics_on_text(s in "\\PC*") {
            let _ = PublicKey::parse(&s);
        }

        #[test]
        fn every_prefix_of_a_key_is_an_error(cut in 0usize..392) {
            let b64 = fixture("sf1-2048.b64");
            prop_assert!(PublicKey::parse(&b64.trim()[..cut]).is_err());
        }
    }
}
