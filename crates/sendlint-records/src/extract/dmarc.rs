//! DMARC facts, near misses, and the policy a DMARC record publishes.

use super::*;

pub(super) fn dmarc_facts(f: &mut Facts, records: &[TxtRecord]) {
    let selected = select(records, is_dmarc);
    f.set(Fact::Found, !selected.is_empty());
    f.set(Fact::RecordCount, selected.len());
    f.set(Fact::NotRecognized, false);
    let Some(first) = selected.first() else {
        near_miss_facts(f, records);
        return;
    };
    data_facts(f, &[first], records, true);
    let joined = join(&[first]);
    let d = &joined.bytes;
    let rec = DmarcRecord::parse(d);
    syntax_facts(f, rec.error.as_ref(), &joined);
    f.set(Fact::ReportUriNotMailto, rec.report_uri_not_mailto.is_some());
    f.set(Fact::ReportUriSpan, rec.report_uri_not_mailto.clone().map(|r| joined.span(r)));
    let keyword = |name: &str, allowed: &[&str], default: &str| -> String {
        match rec.value(d, name) {
            None => default.to_owned(),
            Some(v) => allowed
                .iter()
                .find(|a| v.eq_ignore_ascii_case(a.as_bytes()))
                .map_or(String::new(), |a| (*a).to_owned()),
        }
    };
    let policies = ["none", "quarantine", "reject"];
    f.set(Fact::Policy, keyword("p", &policies, ""));
    if let Some(t) = rec.tag(d, "p") {
        f.set(Fact::PolicySpan, joined.span(t.span.clone()));
    }
    f.set(Fact::SubdomainPolicy, keyword("sp", &policies, ""));
    f.set(Fact::Aspf, keyword("aspf", &["r", "s"], "r"));
    if let Some(t) = rec.tag(d, "aspf") {
        f.set(Fact::AspfSpan, joined.span(t.span.clone()));
    }
    f.set(Fact::Adkim, keyword("adkim", &["r", "s"], "r"));
    f.set(Fact::HasRua, rec.tag(d, "rua").is_some());
    match rec.value(d, "pct") {
        None => f.set(Fact::Pct, 100i64),
        Some(v) => {
            let n = std::str::from_utf8(v).ok().and_then(|s| s.parse::<i64>().ok());
            f.set(Fact::Pct, n);
        }
    }
}

/// No record is recognised as DMARC: is one a near miss a person would take
/// for DMARC (leading blanks, `v=dmarc1`)? Then say why receivers ignore it.
fn near_miss_facts(f: &mut Facts, records: &[TxtRecord]) {
    let prepared = prepare(records);
    for p in &prepared {
        let joined = join(&[p]);
        let Some(miss) = near_miss(&joined.bytes) else { continue };
        data_facts(f, &[p], records, true);
        let (reason, span) = match miss {
            NearMiss::LeadingSpace(r) => ("it starts with a blank before `v=DMARC1`".to_owned(), r),
            NearMiss::VersionCase(r) => {
                let v = joined.bytes.get(r.clone()).unwrap_or_default();
                (
                    format!(
                        "its version is written `{}`, and only `DMARC1` in capitals is recognised",
                        show(v)
                    ),
                    r,
                )
            }
        };
        f.set(Fact::NotRecognized, true);
        f.set(Fact::NotRecognizedReason, reason);
        f.set(Fact::NotRecognizedSpan, joined.span(span));
        return;
    }
}

/// What a DMARC record at one name says for policy discovery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishedDmarc {
    /// No record is recognised as DMARC (or several are, which receivers
    /// treat as none, RFC 7489 §6.6.3), or its `p=` is unusable.
    None,
    /// One usable record.
    Policy(PublishedPolicy),
}

/// The policy tags of one DMARC record, as lower-case keywords.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishedPolicy {
    /// `p=`.
    pub p: &'static str,
    /// `sp=`, when valid.
    pub sp: Option<&'static str>,
    /// `np=` (DMARCbis), when valid.
    pub np: Option<&'static str>,
    /// `psd=y`: a public suffix operator's record.
    pub psd: bool,
}

/// The DMARC policy published by the TXT records at one `_dmarc` name.
pub fn published_dmarc(records: &[TxtRecord]) -> PublishedDmarc {
    let selected = select(records, is_dmarc);
    let [one] = selected.as_slice() else { return PublishedDmarc::None };
    let joined = join(&[one]);
    let d = &joined.bytes;
    let rec = DmarcRecord::parse(d);
    let keyword = |name: &str| -> Option<&'static str> {
        let v = rec.value(d, name)?;
        ["none", "quarantine", "reject"].into_iter().find(|k| v.eq_ignore_ascii_case(k.as_bytes()))
    };
    let Some(p) = keyword("p") else { return PublishedDmarc::None };
    PublishedDmarc::Policy(PublishedPolicy {
        p,
        sp: keyword("sp"),
        np: keyword("np"),
        psd: rec.value(d, "psd").is_some_and(|v| v.eq_ignore_ascii_case(b"y")),
    })
}

/// A `mailto:` report destination of the DMARC record [`txt_facts`] judges at
/// `_dmarc.D` (RFC 7489 §6.2, §7.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportAddress {
    /// The tag that lists it: `rua` or `ruf`.
    pub tag: &'static str,
    /// The URI as written, without the `!size` limit (control bytes shown
    /// as `\u{FFFD}`), e.g. `mailto:dmarc@vendor.example`.
    pub uri: String,
    /// The host of the address (the part after the last `@`, before any
    /// `?header`), lower case: the destination whose authorization counts.
    pub host: DomainName,
    /// The URI in the observed record.
    pub span: Span,
}

/// The `mailto:` report addresses of the one usable DMARC record among
/// `records`, in record order. None when no record, or several, are
/// recognised as DMARC, or the record has a syntax error: receivers then use
/// no record, so they send no reports anywhere. An address whose host is not
/// a host name of letters, digits, `-` and `_` (an address literal such as
/// `[192.0.2.1]`, a single label, a name in Unicode rather than A-labels) is
/// left out.
pub fn report_addresses(records: &[TxtRecord]) -> Vec<ReportAddress> {
    let selected = select(records, is_dmarc);
    let [one] = selected.as_slice() else { return Vec::new() };
    let joined = join(&[one]);
    let d = &joined.bytes;
    let rec = DmarcRecord::parse(d);
    if rec.error.is_some() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for t in &rec.tags {
        let name = d.get(t.name.clone()).unwrap_or_default();
        let tag = if name.eq_ignore_ascii_case(b"rua") {
            "rua"
        } else if name.eq_ignore_ascii_case(b"ruf") {
            "ruf"
        } else {
            continue;
        };
        let mut at = t.value.start;
        for part in d.get(t.value.clone()).unwrap_or_default().split(|&c| c == b',') {
            let lead = part.iter().take_while(|c| c.is_ascii_whitespace()).count();
            let uri = part.trim_ascii();
            let start = at + lead;
            at += part.len() + 1;
            let Some(addr) =
                uri.get(7..).filter(|_| uri.get(..7).is_some_and(|s| s.eq_ignore_ascii_case(b"mailto:")))
            else {
                continue;
            };
            // `!10m`: a size limit, not part of the URI (RFC 7489 §6.2)
            let addr = addr.split(|&c| c == b'!').next().unwrap_or_default();
            let uri_len = 7 + addr.len();
            let addr = addr.split(|&c| c == b'?').next().unwrap_or_default();
            let Some(host) = addr.rsplit(|&c| c == b'@').next().filter(|_| addr.contains(&b'@')) else {
                continue;
            };
            // a host name of letters, digits, `-`, `_`: an address literal
            // (`[192.0.2.1]`) or a name with escapes is no domain to ask
            if !host.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.')) {
                continue;
            }
            let Ok(host) = DomainName::parse_bytes(&host.to_ascii_lowercase()) else { continue };
            if host.is_root() || host.label_count() < 2 {
                continue;
            }
            out.push(ReportAddress {
                tag,
                uri: show(uri.get(..uri_len).unwrap_or(uri)),
                host,
                span: joined.span(start..start + uri_len),
            });
        }
    }
    out
}
