//! DKIM facts: the value to judge (records joined in the order that makes the key), the key and its match.

use super::*;

/// How a candidate joined value judges against the expected key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum KeyRank {
    Invalid,
    Valid,
    Expected,
}

/// The `p=` value of a DKIM record, ignoring anything else.
fn p_value(d: &[u8]) -> Option<&[u8]> {
    let rec = DkimRecord::parse(d);
    let key = rec.key?;
    d.get(key.value)
}

fn rank(d: &[u8], exp: &Expectation) -> KeyRank {
    let Some(p) = p_value(d) else {
        return KeyRank::Invalid;
    };
    if let Some(k) = exp.expected_key
        && same_base64(p, k.base64().as_bytes()) == Some(true)
    {
        return KeyRank::Expected;
    }
    match decode_key(p) {
        Ok((der, _)) if exp.expected_key.is_some_and(|k| k.der() == der) => KeyRank::Expected,
        Ok(_) => KeyRank::Valid,
        Err(_) => KeyRank::Invalid,
    }
}

/// Base64 to SubjectPublicKeyInfo DER and modulus bits, without re-encoding.
fn decode_key(p: &[u8]) -> Result<(Vec<u8>, u32), KeyError> {
    crate::key::parse_der(&crate::key::decode_base64(p)?)
}

/// Compares base64 text (whitespace in `p` ignored) with `expected`:
/// `Some(true)` equal, `Some(false)` a strict non-empty prefix, `None` otherwise.
fn same_base64(p: &[u8], expected: &[u8]) -> Option<bool> {
    if p == expected {
        return (!p.is_empty()).then_some(true);
    }
    let mut n = 0;
    for &c in p.iter().filter(|c| !c.is_ascii_whitespace()) {
        if expected.get(n) != Some(&c) {
            return None;
        }
        n += 1;
    }
    match n {
        0 => None,
        _ if n == expected.len() => Some(true),
        _ => Some(false),
    }
}

/// Every permutation of `0..n` (identity first), by Heap's algorithm.
fn permutations(n: usize) -> Vec<Vec<usize>> {
    let mut a: Vec<usize> = (0..n).collect();
    let mut out = vec![a.clone()];
    let mut c = vec![0; n];
    let mut i = 0;
    while i < n {
        if c[i] < i {
            if i % 2 == 0 {
                a.swap(0, i);
            } else {
                a.swap(c[i], i);
            }
            out.push(a.clone());
            c[i] += 1;
            i = 0;
        } else {
            c[i] = 0;
            i += 1;
        }
    }
    out
}

/// Most records whose orders are tried when joining a split key.
const MAX_PERMUTED: usize = 6;
/// Most bytes (all records together) for which orders are tried: a split
/// 4096-bit key is under 1 KiB, and hostile answers must not cost 720 joins
/// of megabytes.
const MAX_PERMUTED_BYTES: usize = 4096;

/// Which records (in which order) make the DKIM value to judge, and whether
/// the key was split across records.
fn choose_dkim(prepared: &[Prepared<'_>], exp: &Expectation) -> (Vec<usize>, bool) {
    let n = prepared.len();
    if n <= 1 {
        return ((0..n).collect(), false);
    }
    let by_order = |order: &[usize]| -> KeyRank {
        let parts: Vec<&Prepared<'_>> = order.iter().filter_map(|&i| prepared.get(i)).collect();
        rank(&join(&parts).bytes, exp)
    };
    let mut best_all: Option<(KeyRank, Vec<usize>)> = None;
    let total: usize = prepared.iter().map(|p| p.data.len()).sum();
    let orders = if n <= MAX_PERMUTED && total <= MAX_PERMUTED_BYTES {
        permutations(n)
    } else {
        vec![(0..n).collect()]
    };
    // Only a record holding a tag (`p=`, `v=`) can come first.
    let head: Vec<bool> =
        prepared.iter().map(|p| p.data.windows(2).any(|w| w == b"p=" || w == b"v=")).collect();
    for order in orders {
        if order.first().is_some_and(|&i| !head.get(i).copied().unwrap_or(false)) {
            continue;
        }
        let r = by_order(&order);
        if r > best_all.as_ref().map_or(KeyRank::Invalid, |b| b.0) {
            let done = r == KeyRank::Expected;
            best_all = Some((r, order));
            if done {
                break;
            }
        }
    }
    let mut best_single: Option<(KeyRank, usize)> = None;
    let all_expected = best_all.as_ref().is_some_and(|b| b.0 == KeyRank::Expected);
    for i in (0..n).filter(|_| !all_expected) {
        let r = by_order(&[i]);
        if r > best_single.map_or(KeyRank::Invalid, |b| b.0) {
            best_single = Some((r, i));
        }
    }
    let all_rank = best_all.as_ref().map_or(KeyRank::Invalid, |b| b.0);
    let single_rank = best_single.map_or(KeyRank::Invalid, |b| b.0);
    match (best_all, best_single) {
        (Some((_, order)), _) if all_rank >= single_rank && all_rank > KeyRank::Invalid => (order, true),
        (_, Some((_, i))) => (vec![i], false),
        _ => ((0..n).collect(), false),
    }
}

pub(super) fn dkim_facts(f: &mut Facts, records: &[TxtRecord], exp: &Expectation) {
    f.set(Fact::Found, !records.is_empty());
    f.set(Fact::RecordCount, records.len());
    f.set(Fact::ExpectedKeyKnown, exp.expected_key.is_some());
    if records.is_empty() {
        return;
    }
    let prepared = prepare(records);
    let (order, split) = choose_dkim(&prepared, exp);
    let used: Vec<&Prepared<'_>> = order.iter().filter_map(|&i| prepared.get(i)).collect();
    data_facts(f, &used, records, true);
    f.set(Fact::SplitAcrossRecords, split);
    let joined = join(&used);
    let d = &joined.bytes;
    let rec = DkimRecord::parse(d);
    syntax_facts(f, rec.error.as_ref(), &joined);
    f.set(Fact::TestingMode, rec.testing(d));
    if let Some(t) = &rec.flags {
        f.set(Fact::TestingSpan, joined.span(t.span.clone()));
    }
    let text = |t: &Option<crate::tags::Tag>, default: &str| {
        t.as_ref().map_or(default.to_owned(), |t| {
            String::from_utf8_lossy(d.get(t.value.clone()).unwrap_or_default()).into_owned()
        })
    };
    f.set(Fact::KeyType, text(&rec.key_type, "rsa"));
    f.set(Fact::Version, text(&rec.version, ""));
    f.set(Fact::HashExcludesSha256, rec.hash_excludes_sha256(d));
    f.set(Fact::HashSpan, rec.hashes.as_ref().map(|t| joined.span(t.span.clone())));
    f.set(Fact::ServiceExcludesEmail, rec.service_excludes_email(d));
    f.set(Fact::ServiceSpan, rec.services.as_ref().map(|t| joined.span(t.span.clone())));
    let Some(p) = &rec.key else {
        f.set(Fact::KeyPresent, false);
        f.set(Fact::KeyEmpty, false);
        f.set(Fact::KeyValid, false);
        f.set(Fact::KeyError, "no p= tag");
        f.set(Fact::KeyMatches, false);
        f.set(Fact::KeyTruncated, false);
        f.set(Fact::KeyMismatch, false);
        return;
    };
    let value = d.get(p.value.clone()).unwrap_or_default();
    let empty = value.iter().all(u8::is_ascii_whitespace);
    f.set(Fact::KeyPresent, !empty);
    f.set(Fact::KeyEmpty, empty);
    f.set(Fact::KeySpan, joined.span(if p.value.is_empty() { p.span.clone() } else { p.value.clone() }));
    if empty {
        f.set(Fact::KeyValid, false);
        f.set(Fact::KeyError, "p= is empty: the key is revoked");
        f.set(Fact::KeyMatches, false);
        f.set(Fact::KeyTruncated, false);
        f.set(Fact::KeyMismatch, false);
        return;
    }
    let expected = exp.expected_key;
    let prefix = expected.and_then(|k| same_base64(value, k.base64().as_bytes()));
    // The common case, the expected key verbatim, needs no decoding.
    let decoded = match (prefix, expected) {
        (Some(true), Some(k)) => Ok((None, k.bits())),
        _ => decode_key(value).map(|(der, bits)| (Some(der), bits)),
    };
    match decoded {
        Ok((der, bits)) => {
            let matches = expected.is_some_and(|k| der.as_deref().is_none_or(|d| d == k.der()));
            f.set(Fact::KeyValid, true);
            f.set(Fact::KeyError, "");
            f.set(Fact::KeyBits, bits);
            f.set(Fact::KeyMatches, matches);
            f.set(Fact::KeyTruncated, false);
            f.set(Fact::KeyMismatch, expected.is_some() && !matches);
        }
        Err(e) => {
            // Only a strict prefix of the key given to SES is "cut short"; a
            // DER length that runs past the data may equally be bytes lost in
            // the middle, and without an expected key there is nothing to be
            // a prefix of: both are an invalid key, with the DER's own words.
            let truncated = prefix == Some(false);
            f.set(Fact::KeyValid, false);
            f.set(Fact::KeyError, key_error_text(&e));
            f.set(Fact::KeyMatches, false);
            f.set(Fact::KeyTruncated, truncated);
            f.set(Fact::KeyMismatch, false);
        }
    }
}

fn key_error_text(e: &KeyError) -> String {
    match e {
        KeyError::BadBase64Char { .. } | KeyError::BadPadding { .. } => {
            format!("{e} of the p= value")
        }
        _ => e.to_string(),
    }
}
