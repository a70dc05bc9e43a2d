//! `docs/badges.md` holds the tables of `decide`, rendered from the function:
//! this test fails when the two drift apart. `SENDLINT_BLESS=1 cargo test -p
//! sendlint-ses --test badge_doc` rewrites the tables in the document.

use std::path::PathBuf;

use sendlint_records::Role;
use sendlint_ses::{Badge, BadgeInput, DnsState, MISSING_DEADLINE, SesStatus, decide, notes, table_markdown};
use std::time::Duration;

fn doc_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/badges.md")
}

/// Replaces the text between `<!-- BEGIN name -->` and `<!-- END name -->`.
fn splice(doc: &str, name: &str, body: &str) -> Option<String> {
    let begin = format!("<!-- BEGIN {name} -->\n");
    let end = format!("<!-- END {name} -->");
    let start = doc.find(&begin)? + begin.len();
    let stop = start + doc[start..].find(&end)?;
    Some(format!("{}{}{}", &doc[..start], body, &doc[stop..]))
}

#[test]
fn docs_badges_md_is_rendered_from_decide() {
    let path = doc_path();
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut want = doc.clone();
    for (name, role) in [("table:spf_mx,spf_txt,dkim", Role::Dkim), ("table:dmarc", Role::Dmarc)] {
        want = splice(&want, name, &table_markdown(role))
            .unwrap_or_else(|| panic!("docs/badges.md lacks the markers of {name}"));
    }
    if std::env::var_os("SENDLINT_BLESS").is_some() {
        std::fs::write(&path, &want).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        return;
    }
    assert!(
        doc == want,
        "docs/badges.md is out of date with `decide`; run `SENDLINT_BLESS=1 cargo test -p sendlint-ses --test badge_doc`.\nExpected:\n{want}"
    );
}

#[test]
fn the_three_blocking_records_share_one_table() {
    let dkim = table_markdown(Role::Dkim);
    assert_eq!(table_markdown(Role::SpfMx), dkim);
    assert_eq!(table_markdown(Role::SpfTxt), dkim);
    assert_ne!(table_markdown(Role::Dmarc), dkim, "DMARC ignores SES and never fails for absence");
    // the table shows the notes and the deadline
    assert!(dkim.contains("Pending; Failed after 72 h"), "{dkim}");
    assert!(dkim.contains(notes::SES_RECORD_REMOVED), "{dkim}");
}

/// Every combination, with the deadline at its edges: properties the table
/// must have whatever its cells say.
#[test]
fn every_combination() {
    let statuses = std::iter::once(None).chain(SesStatus::ALL.into_iter().map(Some));
    let statuses: Vec<Option<SesStatus>> = statuses.collect();
    let times = [
        None,
        Some(Duration::ZERO),
        Some(MISSING_DEADLINE - Duration::from_secs(1)),
        Some(MISSING_DEADLINE),
        Some(MISSING_DEADLINE * 100),
    ];
    let known = [
        notes::SES_TEMPORARY_FAILURE,
        notes::SES_VERIFICATION_FAILED,
        notes::SES_RECORD_REMOVED,
        notes::DNS_LOOKUP_FAILED,
    ];
    let mut seen_notes = std::collections::BTreeSet::new();
    for role in Role::RECORDS {
        for dns in [
            DnsState::Correct,
            DnsState::NotCompared,
            DnsState::Absent,
            DnsState::Wrong,
            DnsState::LookupFailed,
        ] {
            for &ses in &statuses {
                let mut previous: Option<Badge> = None;
                for since in times {
                    let out = decide(&BadgeInput { role, dns, ses, since_submitted: since });
                    for note in &out.notes {
                        assert!(known.contains(note), "{note}");
                        seen_notes.insert(*note);
                    }
                    // an SES note only where SES was consulted
                    let ses_note = out.notes.iter().any(|n| n.starts_with("ses."));
                    assert!(!ses_note || (ses.is_some() && role != Role::Dmarc), "{role} {dns:?} {ses:?}");
                    // Verified needs correct DNS and SES (when known) at SUCCESS
                    if out.badge == Badge::Verified {
                        assert!(matches!(dns, DnsState::Correct | DnsState::NotCompared), "{role} {dns:?}");
                        assert!(role == Role::Dmarc || matches!(ses, None | Some(SesStatus::Success)));
                    }
                    // a value nobody compared is Verified only by SES's own SUCCESS,
                    // and never Failed unless SES says FAILED
                    if dns == DnsState::NotCompared && role != Role::Dmarc {
                        assert_eq!(
                            out.badge == Badge::Verified,
                            ses == Some(SesStatus::Success),
                            "{role} {ses:?}"
                        );
                        assert_eq!(
                            out.badge == Badge::Failed,
                            ses == Some(SesStatus::Failed),
                            "{role} {ses:?}"
                        );
                    }
                    // time only ever turns Pending into Failed, never back
                    if let Some(before) = previous
                        && before != out.badge
                    {
                        assert_eq!(
                            (before, out.badge),
                            (Badge::Pending, Badge::Failed),
                            "{role} {dns:?} {ses:?}"
                        );
                    }
                    previous = Some(out.badge);
                }
            }
        }
    }
    assert_eq!(seen_notes.len(), known.len(), "every note is reachable: {seen_notes:?}");
}
