//! The observed records as a user sees them: escaped for a terminal, with
//! diagnosis labels mapped from data bytes onto that text.

use sendlint_records::display::{Escaped, escape};
use sendlint_rules::Diagnosis;

use crate::observe::Observation;
use crate::report::{DiagnosisReport, LabelReport};

/// The observed records of one role, one escaped line each.
#[derive(Debug)]
pub struct ObservedView {
    /// One escaped rendering per observed record, in answer order.
    pub lines: Vec<Escaped>,
}

/// The data of each observed record, escaped: TXT character-strings
/// concatenated, MX as `PREF EXCHANGE`.
pub fn observed_view(obs: &Observation) -> ObservedView {
    let lines = if obs.records.mx.is_empty() {
        obs.records.txt.iter().map(|t| escape(&t.data())).collect()
    } else {
        obs.records.mx.iter().map(|m| escape(m.presentation().as_bytes())).collect()
    };
    ObservedView { lines }
}

/// A view of records that were not looked up but given (e.g. `explain`).
pub fn view_of_data<'a>(data: impl IntoIterator<Item = &'a [u8]>) -> ObservedView {
    ObservedView { lines: data.into_iter().map(escape).collect() }
}

/// A rule's diagnosis as reported, its labels mapped onto `view`.
pub fn report_diagnosis(d: &Diagnosis, view: Option<&ObservedView>) -> DiagnosisReport {
    let labels = view
        .map(|view| {
            d.labels
                .iter()
                .filter_map(|l| {
                    let line = view.lines.get(usize::from(l.span.record))?;
                    let start = usize::try_from(l.span.start).ok()?;
                    let len = usize::try_from(l.span.len).ok()?;
                    let range = line.map(start, len);
                    Some(LabelReport {
                        offset: range.start,
                        length: range.end.saturating_sub(range.start),
                        text: l.text.clone(),
                        record: usize::from(l.span.record),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    DiagnosisReport {
        code: d.code.clone(),
        severity: d.severity,
        message: d.message.clone(),
        help: d.help.clone(),
        provider: d.provider.clone(),
        labels,
        records: Vec::new(),
    }
}
