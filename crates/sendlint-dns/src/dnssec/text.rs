//! The presentation format of the DNSSEC record types (RFC 4034 §2.2, §3.2,
//! §4.2, §5.3; RFC 5155 §3.3): hickory's zone-file parser refuses DNSKEY,
//! RRSIG, NSEC and NSEC3 ("should be dynamically generated"), so their text is
//! read here into wire form, and hickory decodes the wire form into its own
//! record data (which checks it once more, and is what verification needs).

use hickory_proto::rr::{self as hrr, Name};
use hickory_proto::serialize::binary::{BinDecoder, Restrict};
use std::str::FromStr;

/// The types whose text this module reads (and the zone loader sets aside).
pub(crate) const TYPES: [&str; 8] =
    ["DNSKEY", "RRSIG", "NSEC", "NSEC3", "NSEC3PARAM", "DS", "CDS", "CDNSKEY"];

/// True for a type token this module reads.
pub(crate) fn is_dnssec_type(word: &str) -> bool {
    TYPES.iter().any(|t| t.eq_ignore_ascii_case(word))
}

/// A record type from its mnemonic or `TYPEnnn` (RFC 3597 §5).
pub(crate) fn parse_type(word: &str) -> Result<hrr::RecordType, String> {
    let upper = word.to_ascii_uppercase();
    if let Some(code) = upper.strip_prefix("TYPE")
        && !code.is_empty()
        && code.bytes().all(|b| b.is_ascii_digit())
    {
        return code
            .parse::<u16>()
            .map(hrr::RecordType::from)
            .map_err(|_| format!("`{word}` is not a record type"));
    }
    match hrr::RecordType::from_str(&upper) {
        Ok(t) if !matches!(t, hrr::RecordType::Unknown(_)) => Ok(t),
        _ => Err(format!("`{word}` is not a record type")),
    }
}

fn number<T: TryFrom<u64>>(word: &str, what: &str) -> Result<T, String> {
    word.parse::<u64>()
        .ok()
        .and_then(|n| T::try_from(n).ok())
        .ok_or_else(|| format!("the {what} `{word}` is not a number in range"))
}

/// An algorithm: its number, or a mnemonic of RFC 8624 §3.1.
fn algorithm(word: &str) -> Result<u8, String> {
    if let Ok(n) = word.parse::<u8>() {
        return Ok(n);
    }
    let known = [
        ("RSAMD5", 1),
        ("DSA", 3),
        ("RSASHA1", 5),
        ("DSA-NSEC3-SHA1", 6),
        ("RSASHA1-NSEC3-SHA1", 7),
        ("RSASHA256", 8),
        ("RSASHA512", 10),
        ("ECC-GOST", 12),
        ("ECDSAP256SHA256", 13),
        ("ECDSAP384SHA384", 14),
        ("ED25519", 15),
        ("ED448", 16),
    ];
    known
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(word))
        .map(|(_, n)| *n)
        .ok_or_else(|| format!("`{word}` is not a DNSSEC algorithm"))
}

fn base64(words: &[&str], what: &str) -> Result<Vec<u8>, String> {
    let joined: String = words.concat();
    if joined.is_empty() {
        return Err(format!("the {what} is missing"));
    }
    data_encoding::BASE64.decode(joined.as_bytes()).map_err(|_| format!("the {what} is not valid base64"))
}

fn hex(words: &[&str], what: &str) -> Result<Vec<u8>, String> {
    let joined: String = words.concat();
    if joined.is_empty() {
        return Err(format!("the {what} is missing"));
    }
    data_encoding::HEXLOWER_PERMISSIVE
        .decode(joined.as_bytes())
        .map_err(|_| format!("the {what} `{joined}` is not valid hexadecimal"))
}

/// A signature time: `YYYYMMDDHHmmSS` (UTC) or seconds since the epoch
/// (RFC 4034 §3.2), as the 32-bit serial of the wire form.
pub(crate) fn sig_time(word: &str) -> Result<u32, String> {
    let bad = || format!("the signature time `{word}` is neither YYYYMMDDHHmmSS nor a number of seconds");
    if word.len() == 14 && word.bytes().all(|b| b.is_ascii_digit()) {
        let part = |r: std::ops::Range<usize>| word[r].parse::<i64>().map_err(|_| bad());
        let (y, mo, d, h, mi, s) =
            (part(0..4)?, part(4..6)?, part(6..8)?, part(8..10)?, part(10..12)?, part(12..14)?);
        if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s > 60 {
            return Err(bad());
        }
        let days = days_from_civil(y, mo, d);
        let secs = days * 86_400 + h * 3_600 + mi * 60 + s;
        // the wire form is the time modulo 2^32 (RFC 4034 §3.1.5)
        return Ok(secs.rem_euclid(1 << 32) as u32);
    }
    word.parse::<u32>().map_err(|_| bad())
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYYMMDDHHmmSS` of a time in seconds since the epoch (UTC).
pub fn format_time(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", rem / 3_600, rem % 3_600 / 60, rem % 60)
}

fn name(word: &str, origin: Option<&Name>) -> Result<Name, String> {
    if word == "@" {
        return origin.cloned().ok_or_else(|| "`@` but no origin is known".to_owned());
    }
    if !word.ends_with('.') && origin.is_none() {
        return Err(format!("the name `{word}` is relative, but no origin is known"));
    }
    Name::parse(word, origin).map_err(|e| format!("`{word}` is not a domain name: {e}"))
}

fn push_name(out: &mut Vec<u8>, name: &Name) {
    for label in name.iter() {
        out.push(label.len() as u8);
        out.extend_from_slice(label);
    }
    out.push(0);
}

/// The type bit maps field (RFC 4034 §4.1.2).
fn type_bitmaps(words: &[&str]) -> Result<Vec<u8>, String> {
    let mut codes: Vec<u16> = words.iter().map(|w| parse_type(w).map(u16::from)).collect::<Result<_, _>>()?;
    codes.sort_unstable();
    codes.dedup();
    let mut out = Vec::new();
    let mut i = 0;
    while i < codes.len() {
        let window = codes[i] >> 8;
        let mut bits = [0u8; 32];
        let mut len = 0;
        while i < codes.len() && codes[i] >> 8 == window {
            let low = usize::from(codes[i] & 0xff);
            bits[low / 8] |= 0x80 >> (low % 8);
            len = low / 8 + 1;
            i += 1;
        }
        out.push(window as u8);
        out.push(len as u8);
        out.extend_from_slice(&bits[..len]);
    }
    Ok(out)
}

fn at<'w>(words: &[&'w str], i: usize, what: &str) -> Result<&'w str, String> {
    words.get(i).copied().ok_or_else(|| format!("the {what} is missing"))
}

/// The record data of `rtype` from its presentation tokens, in wire form.
fn wire(rtype: hrr::RecordType, words: &[&str], origin: Option<&Name>) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    match rtype {
        hrr::RecordType::DNSKEY | hrr::RecordType::CDNSKEY => {
            out.extend_from_slice(&number::<u16>(at(words, 0, "flags field")?, "flags field")?.to_be_bytes());
            out.push(number::<u8>(at(words, 1, "protocol field")?, "protocol field")?);
            out.push(algorithm(at(words, 2, "algorithm")?)?);
            out.extend(base64(words.get(3..).unwrap_or_default(), "public key")?);
        }
        hrr::RecordType::DS | hrr::RecordType::CDS => {
            out.extend_from_slice(&number::<u16>(at(words, 0, "key tag")?, "key tag")?.to_be_bytes());
            out.push(algorithm(at(words, 1, "algorithm")?)?);
            out.push(number::<u8>(at(words, 2, "digest type")?, "digest type")?);
            out.extend(hex(words.get(3..).unwrap_or_default(), "digest")?);
        }
        hrr::RecordType::RRSIG => {
            out.extend_from_slice(&u16::from(parse_type(at(words, 0, "type covered")?)?).to_be_bytes());
            out.push(algorithm(at(words, 1, "algorithm")?)?);
            out.push(number::<u8>(at(words, 2, "labels field")?, "labels field")?);
            out.extend_from_slice(
                &number::<u32>(at(words, 3, "original TTL")?, "original TTL")?.to_be_bytes(),
            );
            out.extend_from_slice(&sig_time(at(words, 4, "signature expiration")?)?.to_be_bytes());
            out.extend_from_slice(&sig_time(at(words, 5, "signature inception")?)?.to_be_bytes());
            out.extend_from_slice(&number::<u16>(at(words, 6, "key tag")?, "key tag")?.to_be_bytes());
            push_name(&mut out, &name(at(words, 7, "signer's name")?, origin)?);
            out.extend(base64(words.get(8..).unwrap_or_default(), "signature")?);
        }
        hrr::RecordType::NSEC => {
            push_name(&mut out, &name(at(words, 0, "next domain name")?, origin)?);
            out.extend(type_bitmaps(words.get(1..).unwrap_or_default())?);
        }
        hrr::RecordType::NSEC3 | hrr::RecordType::NSEC3PARAM => {
            out.push(number::<u8>(at(words, 0, "hash algorithm")?, "hash algorithm")?);
            out.push(number::<u8>(at(words, 1, "flags field")?, "flags field")?);
            out.extend_from_slice(
                &number::<u16>(at(words, 2, "iterations field")?, "iterations field")?.to_be_bytes(),
            );
            let salt = at(words, 3, "salt")?;
            let salt = if salt == "-" { Vec::new() } else { hex(&[salt], "salt")? };
            out.push(u8::try_from(salt.len()).map_err(|_| "the salt is longer than 255 bytes".to_owned())?);
            out.extend(salt);
            if rtype == hrr::RecordType::NSEC3 {
                let next = at(words, 4, "next hashed owner name")?;
                let hash = data_encoding::BASE32_DNSSEC
                    .decode(next.to_ascii_lowercase().as_bytes())
                    .map_err(|_| format!("the next hashed owner name `{next}` is not base32hex"))?;
                out.push(
                    u8::try_from(hash.len())
                        .map_err(|_| "the next hashed owner name is too long".to_owned())?,
                );
                out.extend(hash);
                out.extend(type_bitmaps(words.get(5..).unwrap_or_default())?);
            }
        }
        other => return Err(format!("{other} is not a DNSSEC type")),
    }
    Ok(out)
}

/// One DNSSEC record from its presentation form: `rtype` and the data tokens
/// after it, relative names completed with `origin`.
pub(crate) fn parse_record(
    owner: Name,
    ttl: u32,
    type_word: &str,
    words: &[&str],
    origin: Option<&Name>,
) -> Result<hrr::Record, String> {
    let rtype = parse_type(type_word)?;
    if words.first() == Some(&"\\#") {
        return Err(format!(
            "the generic form (`\\#`) of {rtype} is not read; write the record in its own form"
        ));
    }
    let bytes = wire(rtype, words, origin)?;
    let len =
        u16::try_from(bytes.len()).map_err(|_| format!("the {rtype} record is longer than 65535 bytes"))?;
    let mut decoder = BinDecoder::new(&bytes);
    let data = hrr::RData::read(&mut decoder, rtype, Restrict::new(len))
        .map_err(|e| format!("the {rtype} record does not decode: {e}"))?;
    if decoder.index() != bytes.len() {
        return Err(format!("the {rtype} record has trailing data"));
    }
    Ok(hrr::Record::from_rdata(owner, ttl, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_times_read_both_forms() {
        assert_eq!(sig_time("20240101000000"), Ok(1_704_067_200));
        assert_eq!(sig_time("1704067200"), Ok(1_704_067_200));
        assert_eq!(sig_time("19700101000000"), Ok(0));
        assert!(sig_time("20241301000000").is_err());
        assert!(sig_time("soon").is_err());
        assert_eq!(format_time(1_704_067_200), "2024-01-01 00:00:00 UTC");
        assert_eq!(format_time(951_782_400), "2000-02-29 00:00:00 UTC");
    }

    #[test]
    fn type_bitmaps_follow_rfc_4034_example() {
        // RFC 4034 §4.3: A MX RRSIG NSEC TYPE1234
        let got = type_bitmaps(&["A", "MX", "RRSIG", "NSEC", "TYPE1234"]).expect("types");
        let mut want = vec![0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1b];
        want.extend([0u8; 26]);
        want.push(0x20);
        assert_eq!(got, want);
    }

    #[test]
    fn records_parse_and_bad_ones_say_why() {
        let origin = Name::from_ascii("acme.test.").expect("name");
        let owner = origin.clone();
        let ds = parse_record(
            owner.clone(),
            300,
            "DS",
            &["60485", "5", "1", "2BB183AF5F22588179A53B0A", "98631FAD1A292118"],
            None,
        )
        .expect("DS");
        assert_eq!(ds.record_type(), hrr::RecordType::DS);
        let sig = parse_record(
            owner.clone(),
            300,
            "RRSIG",
            &["MX", "13", "2", "300", "20240201000000", "20240101000000", "12345", "acme.test.", "AAAA"],
            Some(&origin),
        )
        .expect("RRSIG");
        assert_eq!(sig.record_type(), hrr::RecordType::RRSIG);
        let nsec =
            parse_record(owner.clone(), 300, "NSEC", &["send", "MX", "TXT", "RRSIG", "NSEC"], Some(&origin))
                .expect("NSEC");
        assert_eq!(nsec.record_type(), hrr::RecordType::NSEC);
        let n3 = parse_record(
            owner.clone(),
            300,
            "NSEC3",
            &["1", "0", "0", "-", "2T7B4G4VSA5SMI47K61MV5BV1A22BOJR", "A", "RRSIG"],
            None,
        )
        .expect("NSEC3");
        assert_eq!(n3.record_type(), hrr::RecordType::NSEC3);
        for (t, words) in [
            ("DNSKEY", &["257", "3", "13"][..]),
            ("DNSKEY", &["257", "3", "13", "not*base64"][..]),
            ("DS", &["70000", "13", "2", "00"][..]),
            ("RRSIG", &["MX", "13", "2", "300", "tomorrow", "20240101000000", "1", "a.", "AAAA"][..]),
            ("NSEC", &["next", "BOGUS"][..]),
            ("NSEC3", &["1", "0", "0", "zz", "x"][..]),
            ("DS", &["\\#", "4", "00000000"][..]),
        ] {
            assert!(parse_record(owner.clone(), 300, t, words, None).is_err(), "{t} {words:?}");
        }
    }
}
