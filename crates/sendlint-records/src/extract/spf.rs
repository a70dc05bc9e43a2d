//! SPF facts, and what a receiver evaluates of the SPF record (policy and DNS-querying terms).

use super::*;

pub(super) fn spf_facts(f: &mut Facts, records: &[TxtRecord]) {
    let selected = select(records, is_spf);
    f.set(Fact::Found, !selected.is_empty());
    f.set(Fact::RecordCount, selected.len());
    let Some(first) = selected.first() else {
        return;
    };
    data_facts(f, &[first], records, false);
    let joined = join(&[first]);
    let rec = SpfRecord::parse(&joined.bytes);
    syntax_facts(f, rec.error.as_ref(), &joined);
    let bytes = &joined.bytes;
    let include = rec.terms_of(TermKind::Include).find(|t| {
        t.value.clone().is_some_and(|v| {
            let d = bytes.get(v).unwrap_or_default();
            let d = d.strip_suffix(b".").unwrap_or(d);
            d.eq_ignore_ascii_case(b"amazonses.com")
        })
    });
    f.set(Fact::IncludesAmazonses, include.is_some());
    f.set(Fact::IncludeSpan, include.map(|t| joined.span(t.span.clone())));
    f.set(Fact::LookupTerms, rec.direct_lookups());
    match rec.terms_of(TermKind::All).next() {
        Some(t) => {
            let q = [t.qualifier.unwrap_or(b'+')];
            f.set(Fact::AllQualifier, std::str::from_utf8(&q).unwrap_or("+"));
            f.set(Fact::AllSpan, joined.span(t.span.clone()));
        }
        None => f.set(Fact::AllQualifier, ""),
    }
    let redirect = rec
        .terms_of(TermKind::Redirect)
        .next()
        .and_then(|t| t.value.clone())
        .map(|v| String::from_utf8_lossy(bytes.get(v).unwrap_or_default()).into_owned());
    let ignored = ignored_terms(&rec);
    let ignored_text: Vec<String> = ignored
        .iter()
        .map(|t| crate::display::escape(bytes.get(t.span.clone()).unwrap_or_default()).text)
        .collect();
    f.set(Fact::IgnoredTerms, ignored_text.join(" "));
    f.set(Fact::IgnoredSpan, ignored.first().map(|t| joined.span(t.span.clone())));
    f.set(Fact::AmazonsesIgnored, include.is_some_and(|i| ignored.iter().any(|t| t.span == i.span)));
    // what the redirect leads to is known only by following it (the engine
    // does); without DNS it is unknown, and rules must not guess
    let effective_redirect = redirect.is_some() && rec.terms_of(TermKind::All).next().is_none();
    f.set(Fact::RedirectAmazonses, if effective_redirect { "unknown" } else { "" });
    f.set(Fact::Redirect, redirect.unwrap_or_default());
}

/// Terms a receiver never evaluates: mechanisms after the first `all`
/// (evaluation stops there, RFC 7208 §4.6.2, §5.1) and `redirect=` when the
/// record has an `all` (§6.1).
fn ignored_terms(rec: &SpfRecord) -> Vec<&crate::spf::SpfTerm> {
    let Some(all) = rec.terms.iter().position(|t| t.kind == TermKind::All) else { return Vec::new() };
    rec.terms
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            (*i > all && !matches!(t.kind, TermKind::Exp | TermKind::UnknownModifier | TermKind::Redirect))
                || t.kind == TermKind::Redirect
        })
        .map(|(_, t)| t)
        .collect()
}

/// What a receiver evaluates of the SPF record [`txt_facts`] selects (the
/// first `v=spf1` record after repair), or `None` when there is none.
pub fn spf_policy(records: &[TxtRecord]) -> Option<SpfPolicy> {
    let selected = select(records, is_spf);
    let first = selected.first()?;
    let joined = join(&[first]);
    let rec = SpfRecord::parse(&joined.bytes);
    let target = |v: Option<Range<usize>>| match v {
        None => SpfTarget::Current,
        Some(v) => match joined.bytes.get(v) {
            Some(b) if !b.contains(&b'%') => {
                DomainName::parse_bytes(b).map_or(SpfTarget::Unknown, SpfTarget::Name)
            }
            _ => SpfTarget::Unknown,
        },
    };
    let has_all = rec.terms_of(TermKind::All).next().is_some();
    let queries = rec
        .terms
        .iter()
        .take_while(|t| t.kind != TermKind::All)
        .filter(|t| t.kind.queries_dns() && t.kind != TermKind::Redirect)
        .map(|t| (t.kind, target(t.value.clone())))
        .collect();
    // only an include a receiver reaches (before `all`) authorizes SES
    let includes_amazonses = rec.terms.iter().take_while(|t| t.kind != TermKind::All).any(|t| {
        t.kind == TermKind::Include
            && t.value.clone().and_then(|v| joined.bytes.get(v)).is_some_and(|d| {
                let d = d.strip_suffix(b".").unwrap_or(d);
                d.eq_ignore_ascii_case(b"amazonses.com")
            })
    });
    Some(SpfPolicy {
        records: selected.len(),
        syntax_error: rec.error.is_some(),
        queries,
        redirect: if has_all {
            None
        } else {
            rec.terms_of(TermKind::Redirect).next().map(|t| target(t.value.clone()))
        },
        includes_amazonses,
    })
}

/// The DNS-querying terms of the SPF record [`txt_facts`] selects (the first
/// `v=spf1` record after repair), or `None` when there is none.
pub fn spf_lookups(records: &[TxtRecord]) -> Option<SpfLookups> {
    let selected = select(records, is_spf);
    let first = selected.first()?;
    let joined = join(&[first]);
    let rec = SpfRecord::parse(&joined.bytes);
    let name = |v: Option<Range<usize>>| {
        let b = joined.bytes.get(v?)?;
        if b.contains(&b'%') {
            return None;
        }
        DomainName::parse_bytes(b).ok()
    };
    Some(SpfLookups {
        direct: rec.direct_lookups(),
        includes: rec.terms_of(TermKind::Include).filter_map(|t| name(t.value.clone())).collect(),
        redirect: rec.terms_of(TermKind::Redirect).next().and_then(|t| name(t.value.clone())),
    })
}
