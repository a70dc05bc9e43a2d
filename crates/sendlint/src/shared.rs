//! One fault, one diagnosis — also across records. A fault that touches
//! several records (a proxied name holding both MAIL FROM records, SES giving
//! up on the MAIL FROM domain) fires the same rule on each record; it is
//! reported once, on the first affected record, naming every record it
//! affects (`records`). Badges are decided per record before this step, so
//! each keeps its own state.

use crate::report::{AffectedRecord, DiagnosisReport, RecordReport};

/// Merges the diagnoses of `records` that report one fault: same code,
/// severity, message and registrar, and no labels (a label points into one
/// record's data, so a labelled finding is about that record).
pub(crate) fn merge_shared(records: &mut [RecordReport]) {
    for i in 0..records.len() {
        let mut k = 0;
        while k < records[i].diagnoses.len() {
            let d = records[i].diagnoses[k].clone();
            if !d.labels.is_empty() {
                k += 1;
                continue;
            }
            let mut affected: Vec<(AffectedRecord, String)> = Vec::new();
            for later in records.iter_mut().skip(i + 1) {
                let Some(pos) = later.diagnoses.iter().position(|o| same_fault(&d, o)) else { continue };
                let other = later.diagnoses.remove(pos);
                affected.push((affected_of(later), other.help));
            }
            if !affected.is_empty() {
                let first = affected_of(&records[i]);
                let mut helps = vec![(first.clone(), d.help.clone())];
                helps.extend(affected.iter().cloned());
                let merged = &mut records[i].diagnoses[k];
                merged.help = merged_help(&helps);
                merged.records = std::iter::once(first).chain(affected.into_iter().map(|(a, _)| a)).collect();
            }
            k += 1;
        }
    }
}

fn same_fault(a: &DiagnosisReport, b: &DiagnosisReport) -> bool {
    b.labels.is_empty()
        && a.code == b.code
        && a.severity == b.severity
        && a.message == b.message
        && a.provider == b.provider
}

fn affected_of(r: &RecordReport) -> AffectedRecord {
    AffectedRecord { role: r.role, name: r.name.clone(), rtype: r.rtype }
}

/// One help when every record got the same; else each record's own part,
/// named, then the sentences they share, once.
fn merged_help(helps: &[(AffectedRecord, String)]) -> String {
    let first = helps[0].1.as_str();
    if helps.iter().all(|(_, h)| h == first) {
        return first.to_owned();
    }
    // The longest common tail that starts a sentence.
    let mut tail = first.len();
    for (_, h) in helps {
        let common = first.bytes().rev().zip(h.bytes().rev()).take_while(|(a, b)| a == b).count();
        tail = tail.min(common);
    }
    let mut start = first.len() - tail;
    while start < first.len() && !(first.is_char_boundary(start) && first[..start].ends_with(". ")) {
        start += 1;
    }
    let shared = &first[start..];
    let mut out: Vec<String> = helps
        .iter()
        .map(|(a, h)| format!("{} {}: {}", a.rtype, a.name, h[..h.len() - shared.len()].trim_end()))
        .collect();
    if !shared.is_empty() {
        out.push(shared.to_owned());
    }
    out.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use sendlint_records::Role;
    use sendlint_rules::Severity;
    use sendlint_ses::Badge;

    fn diag(code: &str, help: &str) -> DiagnosisReport {
        DiagnosisReport {
            code: code.into(),
            severity: Severity::Error,
            message: "m".into(),
            help: help.into(),
            provider: None,
            labels: Vec::new(),
            records: Vec::new(),
        }
    }

    fn rec(role: Role, rtype: &'static str, d: Vec<DiagnosisReport>) -> RecordReport {
        RecordReport {
            role,
            name: "send.mail.acme.test".into(),
            rtype,
            expected: String::new(),
            found_at: None,
            observed: Vec::new(),
            state: Badge::Failed,
            diagnoses: d,
        }
    }

    #[test]
    fn one_fault_on_two_records_is_reported_once_naming_both() {
        let mut records = vec![
            rec(Role::SpfMx, "MX", vec![diag("cloudflare.proxied", "h"), diag("mx.other", "x")]),
            rec(Role::SpfTxt, "TXT", vec![diag("cloudflare.proxied", "h")]),
            rec(Role::Dkim, "TXT", vec![diag("ses.record-removed", "a")]),
        ];
        merge_shared(&mut records);
        assert_eq!(records[0].diagnoses.len(), 2);
        assert_eq!(records[0].diagnoses[0].records.len(), 2);
        assert_eq!(records[0].diagnoses[0].help, "h");
        assert!(records[1].diagnoses.is_empty());
        assert_eq!(records[1].state, Badge::Failed, "badges stay");
        assert_eq!(records[2].diagnoses.len(), 1);
        assert!(records[2].diagnoses[0].records.is_empty());

        let mut records = vec![
            rec(Role::SpfMx, "MX", vec![diag("ses.record-removed", "publish `10 f`")]),
            rec(Role::SpfTxt, "TXT", vec![diag("ses.record-removed", "publish `v=spf1`")]),
        ];
        merge_shared(&mut records);
        assert_eq!(
            records[0].diagnoses[0].help,
            "MX send.mail.acme.test: publish `10 f`\nTXT send.mail.acme.test: publish `v=spf1`"
        );
        let shared = |mx: &str, txt: &str| {
            let mut r = vec![
                rec(Role::SpfMx, "MX", vec![diag("ses.record-removed", mx)]),
                rec(Role::SpfTxt, "TXT", vec![diag("ses.record-removed", txt)]),
            ];
            merge_shared(&mut r);
            r[0].diagnoses[0].help.clone()
        };
        assert_eq!(
            shared("Publish `10 f`. Then wait. Done.", "Publish `v=spf1`. Then wait. Done."),
            "MX send.mail.acme.test: Publish `10 f`.\nTXT send.mail.acme.test: Publish `v=spf1`.\nThen wait. Done."
        );
    }
}
