//! Repairing TXT data: wrapping and embedded quotes found and cut, records joined, with a map back to the original bytes.

use super::*;

/// True when every byte satisfies `pred`; written without early exit per
/// chunk so it vectorises (the hot path scans ~400-byte DKIM keys).
#[inline]
pub(super) fn all_bytes(d: &[u8], pred: impl Fn(u8) -> bool + Copy) -> bool {
    d.chunks(32).all(|c| c.iter().fold(true, |acc, &b| acc & pred(b)))
}

/// True when `d` holds no byte that can start a quote character.
#[inline]
fn quote_free(d: &[u8]) -> bool {
    all_bytes(d, |b| b != b'"' && b != b'\'' && b != 0xE2)
}

/// True when `d` is printable ASCII only.
#[inline]
pub(super) fn printable_ascii(d: &[u8]) -> bool {
    all_bytes(d, |b| (0x20..0x7F).contains(&b))
}

/// A quote character at a position: its length in bytes and its text.
pub(super) fn quote_at(d: &[u8], i: usize) -> Option<(usize, &'static str)> {
    match d.get(i)? {
        b'"' => Some((1, "\"")),
        b'\'' => Some((1, "'")),
        0xE2 => match d.get(i + 1..i + 3)? {
            [0x80, 0x9C] => Some((3, "\u{201C}")),
            [0x80, 0x9D] => Some((3, "\u{201D}")),
            [0x80, 0x98] => Some((3, "\u{2018}")),
            [0x80, 0x99] => Some((3, "\u{2019}")),
            _ => None,
        },
        _ => None,
    }
}

/// A quote character ending at `end`.
fn quote_before(d: &[u8], end: usize) -> Option<(usize, &'static str)> {
    if end >= 1
        && let Some(q @ (1, _)) = quote_at(d, end - 1)
    {
        return Some(q);
    }
    if end >= 3 {
        return quote_at(d, end - 3).filter(|(n, _)| *n == 3);
    }
    None
}

/// How one record's data was repaired.
#[derive(Clone, Debug, Default)]
pub(super) struct Repair {
    /// Opening wrapping quote(s): start, len, the first quote character.
    pub(super) open: Option<(usize, usize, &'static str)>,
    /// Closing wrapping quote(s): start, len.
    pub(super) close: Option<(usize, usize)>,
    /// First embedded quote sequence: start, len.
    pub(super) embedded: Option<(usize, usize)>,
    /// The original ranges kept, in order: the repaired data is their concatenation.
    pub(super) kept: Vec<Range<usize>>,
}

pub(super) fn repair(d: &[u8]) -> Repair {
    let mut r = Repair::default();
    let (mut s, mut e) = (0, d.len());
    while let Some((n, q)) = quote_at(d, s) {
        match &mut r.open {
            None => r.open = Some((s, n, q)),
            Some((_, len, _)) => *len += n,
        }
        s += n;
    }
    while e > s
        && let Some((n, _)) = quote_before(d, e)
    {
        e -= n;
        r.close = Some((e, r.close.map_or(n, |(_, len)| len + n)));
    }
    if r.open.is_some() || r.close.is_some() {
        while s < e && d[s] == b' ' {
            s += 1;
        }
        while e > s && d[e - 1] == b' ' {
            e -= 1;
        }
    }
    if quote_free(d.get(s..e).unwrap_or_default()) {
        r.kept.push(s..e);
        return r;
    }
    // Embedded quote runs: two or more quote characters separated only by
    // blanks (`abc" "def`), or a lone double quote.
    let mut from = s;
    let mut i = s;
    while i < e {
        let Some((n, q)) = quote_at(d, i) else {
            i += 1;
            continue;
        };
        let mut j = i + n;
        let mut last = j;
        let mut count = 1;
        let mut double = q != "'" && q != "\u{2018}" && q != "\u{2019}";
        while j < e {
            if let Some((m, q2)) = quote_at(d, j) {
                count += 1;
                double |= q2 != "'" && q2 != "\u{2018}" && q2 != "\u{2019}";
                j += m;
                last = j;
            } else if d[j] == b' ' || d[j] == b'\t' {
                j += 1;
            } else {
                break;
            }
        }
        if count >= 2 || double {
            if r.embedded.is_none() {
                r.embedded = Some((i, last - i));
            }
            if from < i {
                r.kept.push(from..i);
            }
            from = last;
        }
        i = last;
    }
    if from < e || r.kept.is_empty() {
        r.kept.push(from..e.max(from));
    }
    r
}

/// One stretch of repaired bytes and where it came from.
#[derive(Clone, Copy, Debug)]
struct Seg {
    rep: usize,
    pub(super) record: usize,
    orig: usize,
    pub(super) len: usize,
}

/// Repaired data, possibly joined from several records, with its origin map.
#[derive(Debug, Default)]
pub(super) struct Joined<'a> {
    /// Borrowed when one record needed no cutting (the common case).
    pub(super) bytes: Cow<'a, [u8]>,
    segs: Vec<Seg>,
}

impl Joined<'_> {
    /// Maps a repaired range to a span in one original record (clipped to
    /// the record where the range starts).
    pub(super) fn span(&self, r: Range<usize>) -> Span {
        let Some(si) = self
            .segs
            .iter()
            .rposition(|s| s.rep <= r.start && (r.start < s.rep + s.len || s.len == 0))
            .or_else(|| self.segs.iter().rposition(|s| s.rep <= r.start))
        else {
            return Span::new(0, 0, 0);
        };
        let seg = self.segs[si];
        let start = seg.orig + (r.start - seg.rep).min(seg.len);
        if r.end <= r.start {
            return Span::new(seg.record, start, 0);
        }
        let last = r.end - 1;
        let mut end = start;
        for s in &self.segs[si..] {
            if s.record != seg.record {
                break;
            }
            if last < s.rep {
                break;
            }
            end = s.orig + (last - s.rep).min(s.len.saturating_sub(1)) + 1;
        }
        Span::new(seg.record, start, end.saturating_sub(start))
    }
}

fn data_of(r: &TxtRecord) -> Cow<'_, [u8]> {
    match r.strings.as_slice() {
        [one] => Cow::Borrowed(one.as_slice()),
        _ => Cow::Owned(r.data()),
    }
}

/// A record prepared for judging: original data, repair, repaired bytes.
pub(super) struct Prepared<'r> {
    pub(super) index: usize,
    pub(super) data: Cow<'r, [u8]>,
    pub(super) repair: Repair,
}

pub(super) fn prepare(records: &[TxtRecord]) -> Vec<Prepared<'_>> {
    records
        .iter()
        .enumerate()
        .map(|(index, r)| {
            let data = data_of(r);
            let repair = repair(&data);
            Prepared { index, data, repair }
        })
        .collect()
}

pub(super) fn join<'a>(parts: &[&'a Prepared<'_>]) -> Joined<'a> {
    if let [p] = parts
        && let [only] = p.repair.kept.as_slice()
    {
        let bytes = p.data.get(only.clone()).unwrap_or_default();
        let seg = Seg { rep: 0, record: p.index, orig: only.start, len: bytes.len() };
        return Joined { bytes: Cow::Borrowed(bytes), segs: vec![seg] };
    }
    let mut bytes = Vec::with_capacity(parts.iter().map(|p| p.data.len()).sum());
    let mut segs = Vec::with_capacity(parts.len());
    for p in parts {
        for k in &p.repair.kept {
            let part = p.data.get(k.clone()).unwrap_or_default();
            segs.push(Seg { rep: bytes.len(), record: p.index, orig: k.start, len: part.len() });
            bytes.extend_from_slice(part);
        }
    }
    Joined { bytes: Cow::Owned(bytes), segs }
}

/// True when `starts(repaired bytes)` without building them.
pub(super) fn repaired_starts(p: &Prepared<'_>, test: fn(&[u8]) -> bool) -> bool {
    match p.repair.kept.as_slice() {
        [only] => test(p.data.get(only.clone()).unwrap_or_default()),
        _ => test(&join(&[p]).bytes),
    }
}
