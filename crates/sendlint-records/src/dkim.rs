//! DKIM key records (RFC 6376 §3.6.1): a tag-list with `v`, `k`, `p`, `t`,
//! `h`, `s`, `n`; unknown tags are ignored as the RFC requires.

use crate::tags::{SyntaxError, Tag, parse_tag_list, show};
use std::ops::Range;

/// A parsed DKIM key record; ranges index the record data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DkimRecord {
    /// Every well-formed tag, in order.
    pub tags: Vec<Tag>,
    /// The `v=` tag.
    pub version: Option<Tag>,
    /// The `k=` tag.
    pub key_type: Option<Tag>,
    /// The `p=` tag.
    pub key: Option<Tag>,
    /// The `t=` tag.
    pub flags: Option<Tag>,
    /// The `h=` tag: acceptable hash algorithms.
    pub hashes: Option<Tag>,
    /// The `s=` tag: service types.
    pub services: Option<Tag>,
    /// The first syntax error, if any.
    pub error: Option<SyntaxError>,
}

impl DkimRecord {
    /// Parses DKIM record data.
    pub fn parse(data: &[u8]) -> DkimRecord {
        let (tags, mut error) = parse_tag_list(data);
        let find = |n: &[u8]| tags.iter().find(|t| &data[t.name.clone()] == n).cloned();
        let version = find(b"v");
        let key_type = find(b"k");
        let key = find(b"p");
        let flags = find(b"t");
        let hashes = find(b"h");
        let services = find(b"s");
        let mut set = |e: SyntaxError| {
            if error.is_none() {
                error = Some(e);
            }
        };
        // A version other than DKIM1 parses; the `version` fact carries it
        // and the rule `dkim.bad-version` judges it.
        if let Some(v) = &version
            && tags.first().is_some_and(|t| t.name != v.name)
        {
            set(SyntaxError::new(v.span.clone(), "v= must be the first tag of a DKIM record"));
        }
        if let Some(k) = &key_type {
            let val = &data[k.value.clone()];
            if let Some(eq) = val.iter().position(|&c| c == b'=') {
                // `k=rsa p=MIIB…`: the next tag ran into this value.
                let before = &val[..eq];
                let start = before.iter().rposition(|c| c.is_ascii_whitespace()).map_or(0, |i| i + 1);
                let next = show(&before[start..]);
                let at = k.value.start + start;
                set(SyntaxError::new(
                    at..at + eq - start + 1,
                    format!("a `;` is missing before `{next}=`: the k= value runs into the next tag"),
                ));
            } else if val.is_empty() || !val.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-') {
                set(SyntaxError::new(
                    nonempty(k.value.clone(), &k.span),
                    format!("bad key type \"{}\" (expected rsa)", show(val)),
                ));
            }
        }
        // A record without `p=` parses: `key_present` is false and the rule
        // `dkim.missing-key` says so, more precisely than a syntax error would.
        DkimRecord { tags, version, key_type, key, flags, hashes, services, error }
    }

    /// True when an `h=` tag is present and lists no `sha256`: verifiers
    /// then reject every rsa-sha256 signature, which is what SES makes
    /// (RFC 6376 §3.6.1: "h= ... a colon-separated list of hash algorithms").
    pub fn hash_excludes_sha256(&self, data: &[u8]) -> bool {
        self.hashes.as_ref().is_some_and(|t| !list_has(data, t, &[b"sha256"]))
    }

    /// True when an `s=` tag is present and lists neither `email` nor `*`:
    /// the key must not be used for email (RFC 6376 §3.6.1).
    pub fn service_excludes_email(&self, data: &[u8]) -> bool {
        self.services.as_ref().is_some_and(|t| !list_has(data, t, &[b"email", b"*"]))
    }

    /// True when the `t=` flags hold `y` (testing mode).
    pub fn testing(&self, data: &[u8]) -> bool {
        self.flags
            .as_ref()
            .is_some_and(|t| data[t.value.clone()].split(|&c| c == b':').any(|f| f.trim_ascii() == b"y"))
    }
}

/// Does the colon-separated list in `t`'s value hold one of `wanted`? Items
/// may carry whitespace (FWS) around them; ABNF literals ignore case.
fn list_has(data: &[u8], t: &Tag, wanted: &[&[u8]]) -> bool {
    data.get(t.value.clone()).unwrap_or_default().split(|&c| c == b':').any(|item| {
        let item = item.trim_ascii();
        wanted.iter().any(|w| item.eq_ignore_ascii_case(w))
    })
}

/// `value` when non-empty, else the whole tag (so a label is never empty).
fn nonempty(value: Range<usize>, tag: &Range<usize>) -> Range<usize> {
    if value.is_empty() { tag.clone() } else { value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        let d = b"v=DKIM1; k=rsa; t=s:y; p=MIIB AQAB";
        let r = DkimRecord::parse(d);
        assert_eq!(r.error, None);
        assert_eq!(&d[r.key.clone().unwrap().value], b"MIIB AQAB");
        assert!(r.testing(d));
        let r = DkimRecord::parse(b"p=");
        assert_eq!(r.error, None);
        assert!(r.key.unwrap().value.is_empty());
        assert!(!DkimRecord::parse(b"p=x; t=s").testing(b"p=x; t=s"));
    }

    #[test]
    fn hash_and_service_tags() {
        let judge = |d: &str| {
            let r = DkimRecord::parse(d.as_bytes());
            (r.hash_excludes_sha256(d.as_bytes()), r.service_excludes_email(d.as_bytes()))
        };
        assert_eq!(judge("v=DKIM1; p=abc"), (false, false));
        assert_eq!(judge("v=DKIM1; h=sha1; p=abc"), (true, false));
        assert_eq!(judge("v=DKIM1; h=sha1 : SHA256; p=abc"), (false, false));
        assert_eq!(judge("v=DKIM1; h=sha256; s=email; p=abc"), (false, false));
        assert_eq!(judge("v=DKIM1; s=*; p=abc"), (false, false));
        assert_eq!(judge("v=DKIM1; s=tlsrpt; p=abc"), (false, true));
        assert_eq!(judge("v=DKIM1; s=tlsrpt:email; p=abc"), (false, false));
    }

    #[test]
    fn errors() {
        let e = |d: &str| DkimRecord::parse(d.as_bytes()).error.unwrap();
        let x = e("k=rsa; v=DKIM1; p=abc");
        assert_eq!(x.message, "v= must be the first tag of a DKIM record");
        assert_eq!(x.span, 7..14);
        assert_eq!(DkimRecord::parse(b"v=DKIM2; p=abc").error, None, "the version is judged by a rule");
        assert_eq!(DkimRecord::parse(b"v=DKIM1; k=rsa").error, None, "a missing p= is judged by a rule");
        assert!(e("v=DKIM1; p=a; p=b").message.starts_with("duplicate"));
        let x = e("v=DKIM1; k=rsa p=abc");
        assert!(x.message.contains("`;` is missing before `p=`"), "{}", x.message);
        assert_eq!(x.span, 15..17);
        assert!(e("v=DKIM1; k=; p=a").message.contains("key type"));
    }
}
