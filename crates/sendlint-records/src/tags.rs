//! The tag-list grammar shared by DKIM (RFC 6376 §3.2) and DMARC (RFC 7489
//! §6.4): `tag=value; tag=value;`, whitespace tolerant, duplicate tags are an
//! error. Also the syntax error type of every record grammar.

use nom::IResult;
use nom::Parser;
use nom::bytes::complete::take_while1;
use nom::combinator::recognize;
use nom::sequence::pair;
use std::fmt;
use std::ops::Range;

/// A syntax error in a record: the offending bytes and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// The offending term, tag or value, as a byte range into the record data.
    pub span: Range<usize>,
    /// What is wrong, e.g. `unknown policy "quarantne" (did you mean "quarantine"?)`.
    pub message: String,
}

impl SyntaxError {
    pub(crate) fn new(span: Range<usize>, message: impl Into<String>) -> SyntaxError {
        SyntaxError { span, message: message.into() }
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (bytes {}..{})", self.message, self.span.start, self.span.end)
    }
}

impl std::error::Error for SyntaxError {}

/// One `name=value` tag; ranges index the record data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tag {
    /// The tag name.
    pub name: Range<usize>,
    /// The value, without surrounding whitespace (may be empty).
    pub value: Range<usize>,
    /// The whole tag, `name` through the end of `value`.
    pub span: Range<usize>,
}

pub(crate) fn is_fws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

fn tag_name(input: &[u8]) -> IResult<&[u8], &[u8]> {
    recognize(pair(
        take_while1(|c: u8| c.is_ascii_alphabetic()),
        nom::bytes::complete::take_while(|c: u8| c.is_ascii_alphanumeric() || c == b'_'),
    ))
    .parse(input)
}

/// Parses a tag-list. Returns every well-formed tag and the first error.
/// Tag names are case-sensitive, as DKIM's are (RFC 6376 §3.2).
pub fn parse_tag_list(data: &[u8]) -> (Vec<Tag>, Option<SyntaxError>) {
    parse_tags(data, false)
}

/// Parses a tag-list whose tag names are case-insensitive, as DMARC's are
/// (RFC 7489 §6.4: ABNF literals): `p=none; P=reject` is a duplicate.
pub fn parse_tag_list_ci(data: &[u8]) -> (Vec<Tag>, Option<SyntaxError>) {
    parse_tags(data, true)
}

fn parse_tags(data: &[u8], fold_case: bool) -> (Vec<Tag>, Option<SyntaxError>) {
    let mut tags: Vec<Tag> = Vec::with_capacity(8);
    let mut error: Option<SyntaxError> = None;
    let mut seg_start = 0;
    while seg_start <= data.len() {
        let seg_end = data
            .get(seg_start..)
            .unwrap_or_default()
            .iter()
            .position(|&c| c == b';')
            .map_or(data.len(), |i| seg_start + i);
        let mut s = seg_start;
        let mut e = seg_end;
        while s < e && is_fws(data[s]) {
            s += 1;
        }
        while e > s && is_fws(data[e - 1]) {
            e -= 1;
        }
        if s < e {
            match one_tag(data, s, e) {
                Ok(tag) => {
                    let name = &data[tag.name.clone()];
                    let same = |t: &&Tag| {
                        let other = &data[t.name.clone()];
                        if fold_case { other.eq_ignore_ascii_case(name) } else { other == name }
                    };
                    if let Some(first) = tags.iter().find(same) {
                        if error.is_none() {
                            error = Some(SyntaxError::new(
                                tag.span.clone(),
                                format!(
                                    "duplicate tag \"{}\" (first defined at byte {})",
                                    String::from_utf8_lossy(name),
                                    first.span.start
                                ),
                            ));
                        }
                    } else {
                        tags.push(tag);
                    }
                }
                Err(err) => {
                    if error.is_none() {
                        error = Some(err);
                    }
                }
            }
        }
        seg_start = seg_end + 1;
    }
    (tags, error)
}

fn one_tag(data: &[u8], s: usize, e: usize) -> Result<Tag, SyntaxError> {
    let seg = &data[s..e];
    let Ok((_, name)) = tag_name(seg) else {
        let len = seg.iter().position(|&c| c == b'=' || is_fws(c)).unwrap_or(seg.len());
        return Err(SyntaxError::new(
            s..s + len.max(1),
            format!(
                "expected a tag name (a letter, then letters, digits or '_'), found \"{}\"",
                String::from_utf8_lossy(&seg[..len.max(1).min(seg.len())])
            ),
        ));
    };
    let name_end = s + name.len();
    let mut i = name_end;
    while i < e && is_fws(data[i]) {
        i += 1;
    }
    if data.get(i) != Some(&b'=') || i >= e {
        // Point at the whole segment: `p` alone, or `p:abc`.
        return Err(SyntaxError::new(
            s..e,
            format!(
                "tag \"{}\" has no '=' (expected {}=value)",
                String::from_utf8_lossy(name),
                String::from_utf8_lossy(name)
            ),
        ));
    }
    i += 1;
    while i < e && is_fws(data[i]) {
        i += 1;
    }
    Ok(Tag { name: s..name_end, value: i..e, span: s..e })
}

/// Levenshtein distance, for did-you-mean hints on short words.
pub(crate) fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, &ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(!ca.eq_ignore_ascii_case(&cb));
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest candidate within a small edit distance, for a did-you-mean.
pub(crate) fn did_you_mean<'c>(found: &[u8], candidates: &[&'c str]) -> Option<&'c str> {
    if found.len() > 40 {
        return None;
    }
    candidates
        .iter()
        .map(|c| (edit_distance(found, c.as_bytes()), *c))
        .filter(|(d, c)| *d > 0 && *d <= 2.max(c.len() / 4))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// `text` for a message, lossy and capped.
pub(crate) fn show(bytes: &[u8]) -> String {
    let cut = bytes.get(..60).unwrap_or(bytes);
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if cut.len() < bytes.len() {
        s.push('…');
    }
    s.chars().map(|c| if c.is_control() { '\u{FFFD}' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(data: &str) -> Vec<String> {
        let (tags, err) = parse_tag_list(data.as_bytes());
        assert_eq!(err, None, "{data}");
        tags.iter().map(|t| format!("{}={}", &data[t.name.clone()], &data[t.value.clone()])).collect()
    }

    #[test]
    fn parses_tags() {
        assert_eq!(names("v=DKIM1; k=rsa; p=AB CD"), ["v=DKIM1", "k=rsa", "p=AB CD"]);
        assert_eq!(names(" v = DKIM1 ;\r\n\tp=;"), ["v=DKIM1", "p="]);
        assert_eq!(names("a=1;;b=2;"), ["a=1", "b=2"]);
        assert!(names("").is_empty());
    }

    #[test]
    fn errors() {
        let d = b"v=DKIM1; p=abc; p=def";
        let (tags, err) = parse_tag_list(d);
        assert_eq!(tags.len(), 2);
        let err = err.unwrap();
        assert_eq!(err.span, 16..21);
        assert!(err.message.starts_with("duplicate tag \"p\""), "{}", err.message);
        let (_, err) = parse_tag_list(b"v=DKIM1; pabc");
        assert_eq!(err.unwrap().span, 9..13);
        let (_, err) = parse_tag_list(b"v=DKIM1; 1x=2");
        assert_eq!(err.unwrap().span, 9..11);
        let (_, err) = parse_tag_list("“v=DKIM1".as_bytes());
        assert!(err.is_some());
    }

    #[test]
    fn hints() {
        assert_eq!(did_you_mean(b"quarantne", &["none", "quarantine", "reject"]), Some("quarantine"));
        assert_eq!(did_you_mean(b"bogus", &["none", "quarantine", "reject"]), None);
        assert_eq!(did_you_mean(b"inlcude", &["include", "a"]), Some("include"));
    }
}
