//! MX facts: the exchange, its region and a priority typed into the name.

use super::*;

fn ses_region<L: AsRef<[u8]>>(labels: &[L]) -> Option<&[u8]> {
    let [a, r, b, c] = labels else {
        return None;
    };
    let (a, r, b, c) = (a.as_ref(), r.as_ref(), b.as_ref(), c.as_ref());
    (a.eq_ignore_ascii_case(b"feedback-smtp")
        && b.eq_ignore_ascii_case(b"amazonses")
        && c.eq_ignore_ascii_case(b"com")
        && !r.is_empty())
    .then_some(r)
}

/// Digits typed in front of the exchange: the span length (in presentation
/// text) of `10\ ` or `10.` at the start of the exchange.
fn priority_prefix(ex: &DomainName) -> Option<usize> {
    let labels: Vec<&[u8]> = ex.labels().collect();
    let first = labels.first()?;
    let digits = first.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    if first.get(digits) == Some(&b' ') {
        // `10\ ` in presentation: digits, backslash, space.
        return Some(digits + 2);
    }
    if digits == first.len() && labels.len() > 1 && ses_region(&labels[1..]).is_some() {
        return Some(digits + 1);
    }
    None
}

/// The exchange's labels with a priority typed in front removed (`10\ feedback-smtp…`
/// or `10.feedback-smtp…`), when there is one.
fn without_priority(ex: &DomainName) -> Option<Vec<Vec<u8>>> {
    let mut labels = ex.labels();
    let first = labels.next()?;
    let digits = first.iter().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return None;
    }
    let mut out: Vec<Vec<u8>> = Vec::new();
    if first.get(digits) == Some(&b' ') {
        out.push(first[digits..].iter().copied().skip_while(|c| *c == b' ').collect());
    } else if digits != first.len() {
        return None;
    }
    out.extend(labels.map(<[u8]>::to_vec));
    Some(out)
}

/// Facts of the MX role from the MX records at the MAIL FROM name, in answer
/// order. Spans index each record's [`MxRecord::presentation`].
pub fn mx_facts(records: &[MxRecord], exp: &Expectation) -> Facts {
    let mut f = Facts::new();
    let expected = format!("feedback-smtp.{}.amazonses.com", exp.region);
    f.set(Fact::Found, !records.is_empty());
    f.set(Fact::RecordCount, records.len());
    let Some(first) = records.first() else {
        f.set(Fact::ExpectedExchange, expected);
        return f;
    };
    let is_expected = |ex: &DomainName| {
        ses_region(&ex.labels().collect::<Vec<_>>())
            .is_some_and(|r| r.eq_ignore_ascii_case(exp.region.as_bytes()))
    };
    let off = first.exchange_offset();
    let ex_text = first.exchange.to_string();
    f.set(Fact::ExchangeSpan, Span::new(0, off, ex_text.len() + usize::from(!first.exchange.is_root())));
    // As the customer typed it: `10 feedback-smtp…`, not the presentation `10\ feedback-smtp…`.
    f.set(Fact::Exchange, ex_text.replace("\\ ", " ").replace("\\032", " "));
    f.set(Fact::Priority, first.preference);
    f.set(Fact::ExchangeCorrect, records.iter().any(|r| is_expected(&r.exchange)));
    let piv = records
        .iter()
        .enumerate()
        .find_map(|(i, r)| priority_prefix(&r.exchange).map(|n| Span::new(i, r.exchange_offset(), n)));
    f.set(Fact::PriorityInValue, piv.is_some());
    f.set(Fact::PriorityInValueSpan, piv);
    let suffix = records.iter().enumerate().find_map(|(i, r)| {
        let labels: Vec<&[u8]> = r.exchange.labels().collect();
        if labels.len() <= 4 || ses_region(labels.get(..4)?).is_none() {
            return None;
        }
        let tail = DomainName::from_labels(labels.get(4..)?).ok()?;
        let ok = exp.mail_from.is_subdomain_of(&tail)
            || exp.zone.is_some_and(|z| *z == tail)
            || *exp.domain == tail;
        if !ok {
            return None;
        }
        let head = DomainName::from_labels(labels.get(..4)?).ok()?;
        let start = r.exchange_offset() + head.to_string().len() + 1;
        Some(Span::new(i, start, tail.to_string().len()))
    });
    f.set(Fact::TargetSuffixAppended, suffix.is_some());
    f.set(Fact::TargetSuffixSpan, suffix);
    let first_labels: Vec<&[u8]> = first.exchange.labels().collect();
    let region = ses_region(&first_labels);
    f.set(Fact::TargetIsSes, region.is_some());
    // With the priority typed into the value, the region the rest names.
    let unprefixed = without_priority(&first.exchange);
    let region = region.or_else(|| unprefixed.as_deref().and_then(ses_region));
    f.set(Fact::TargetRegion, region.map_or(String::new(), |r| String::from_utf8_lossy(r).into_owned()));
    f.set(Fact::ExpectedExchange, expected);
    f
}
