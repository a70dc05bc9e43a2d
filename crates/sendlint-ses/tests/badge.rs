//! The SES verification state machine against every cell of docs/badges.md.

use proptest::prelude::*;
use sendlint_records::Role;
use sendlint_ses::{
    Badge, BadgeDecision, BadgeInput, DnsState, MISSING_DEADLINE, SesStatus, decide, sending_unlocked,
};
use std::time::Duration;

const HOUR: Duration = Duration::from_secs(3600);

fn run(role: Role, dns: DnsState, ses: Option<SesStatus>, since: Option<Duration>) -> BadgeDecision {
    decide(&BadgeInput { role, dns, ses, since_submitted: since })
}

fn d(badge: Badge, notes: &[&'static str]) -> BadgeDecision {
    BadgeDecision { badge, notes: notes.to_vec() }
}

/// The SES columns of the table; `None` is "unknown (DNS-only)".
const COLUMNS: [Option<SesStatus>; 6] = [
    None,
    Some(SesStatus::NotStarted),
    Some(SesStatus::Pending),
    Some(SesStatus::TemporaryFailure),
    Some(SesStatus::Success),
    Some(SesStatus::Failed),
];

#[test]
fn every_cell_of_the_spec_table() {
    use Badge::*;
    use DnsState::*;
    let early = Some(HOUR);
    let late = Some(MISSING_DEADLINE + HOUR);
    for role in [Role::SpfMx, Role::SpfTxt, Role::Dkim] {
        for since in [None, early, late] {
            // correct
            assert_eq!(run(role, Correct, None, since), d(Verified, &[]));
            assert_eq!(run(role, Correct, Some(SesStatus::NotStarted), since), d(Verifying, &[]));
            assert_eq!(run(role, Correct, Some(SesStatus::Pending), since), d(Verifying, &[]));
            assert_eq!(
                run(role, Correct, Some(SesStatus::TemporaryFailure), since),
                d(Verifying, &["ses.temporary-failure"])
            );
            assert_eq!(run(role, Correct, Some(SesStatus::Success), since), d(Verified, &[]));
            assert_eq!(
                run(role, Correct, Some(SesStatus::Failed), since),
                d(Failed, &["ses.verification-failed"])
            );

            // absent
            let deadline_badge = if since == late { Failed } else { Pending };
            for ses in [None, Some(SesStatus::NotStarted), Some(SesStatus::Pending)] {
                assert_eq!(run(role, Absent, ses, since), d(deadline_badge, &[]), "{ses:?} {since:?}");
            }
            assert_eq!(
                run(role, Absent, Some(SesStatus::TemporaryFailure), since),
                d(Pending, &["ses.temporary-failure"])
            );
            // the "decide and document" cell
            assert_eq!(
                run(role, Absent, Some(SesStatus::Success), since),
                d(Failed, &["ses.record-removed"])
            );
            assert_eq!(run(role, Absent, Some(SesStatus::Failed), since), d(Failed, &[]));

            for ses in COLUMNS {
                assert_eq!(run(role, Wrong, ses, since), d(Failed, &[]));
                assert_eq!(run(role, LookupFailed, ses, since), d(Pending, &["dns.lookup-failed"]));
            }
        }
    }
}

#[test]
fn deadline_is_72_hours_inclusive() {
    assert_eq!(MISSING_DEADLINE, Duration::from_secs(72 * 3600));
    let just_before = MISSING_DEADLINE - Duration::from_secs(1);
    assert_eq!(run(Role::Dkim, DnsState::Absent, None, Some(just_before)).badge, Badge::Pending);
    assert_eq!(run(Role::Dkim, DnsState::Absent, None, Some(MISSING_DEADLINE)).badge, Badge::Failed);
}

#[test]
fn dmarc_ignores_ses() {
    for ses in COLUMNS {
        assert_eq!(run(Role::Dmarc, DnsState::Correct, ses, None), d(Badge::Verified, &[]));
        assert_eq!(run(Role::Dmarc, DnsState::Absent, ses, None), d(Badge::Pending, &[]));
        // DMARC is optional: absent stays Pending (with its warning) forever.
        assert_eq!(
            run(Role::Dmarc, DnsState::Absent, ses, Some(MISSING_DEADLINE * 10)),
            d(Badge::Pending, &[])
        );
    }
}

#[test]
fn unlock_needs_the_three_blocking_records_verified() {
    use Badge::*;
    let all = |spf_mx, spf_txt, dkim, dmarc| {
        sending_unlocked(
            [(Role::SpfMx, spf_mx), (Role::SpfTxt, spf_txt), (Role::Dkim, dkim), (Role::Dmarc, dmarc)]
                .into_iter(),
            0,
        )
    };
    assert!(all(Verified, Verified, Verified, Verified));
    assert!(all(Verified, Verified, Verified, Failed), "DMARC never blocks");
    assert!(all(Verified, Verified, Verified, Pending));
    assert!(!all(Verifying, Verified, Verified, Verified));
    assert!(!all(Verified, Pending, Verified, Verified));
    assert!(!all(Verified, Verified, Failed, Verified));
    // a blocking record that was never reported is not Verified
    assert!(!sending_unlocked([(Role::SpfMx, Verified), (Role::SpfTxt, Verified)].into_iter(), 0));
    assert!(!sending_unlocked(std::iter::empty(), 0));
    // a role reported twice must be Verified both times
    assert!(!sending_unlocked(
        [(Role::SpfMx, Verified), (Role::SpfTxt, Verified), (Role::Dkim, Verified), (Role::Dkim, Failed)]
            .into_iter(),
        0
    ));
    // an error that locks (on the domain, say) locks even with every badge Verified
    let verified = [(Role::SpfMx, Verified), (Role::SpfTxt, Verified), (Role::Dkim, Verified)];
    assert!(sending_unlocked(verified.into_iter(), 0));
    assert!(!sending_unlocked(verified.into_iter(), 1));
}

#[test]
fn spellings() {
    for status in SesStatus::ALL {
        assert_eq!(status.as_str().parse::<SesStatus>(), Ok(status));
        let json = serde_json::to_string(&status).unwrap();
        assert_eq!(json, format!("\"{}\"", status.as_str()));
        assert_eq!(serde_json::from_str::<SesStatus>(&json).unwrap(), status);
    }
    assert_eq!("TEMPORARY_FAILURE".parse(), Ok(SesStatus::TemporaryFailure));
    let err = "pending".parse::<SesStatus>().unwrap_err();
    assert!(err.to_string().contains("`pending`"), "{err}");
    for (badge, text) in [
        (Badge::Pending, "Pending"),
        (Badge::Verifying, "Verifying"),
        (Badge::Verified, "Verified"),
        (Badge::Failed, "Failed"),
    ] {
        assert_eq!(badge.to_string(), text);
        assert_eq!(serde_json::to_string(&badge).unwrap(), format!("\"{text}\""));
    }
}

fn role() -> impl Strategy<Value = Role> {
    prop_oneof![Just(Role::SpfMx), Just(Role::SpfTxt), Just(Role::Dkim), Just(Role::Dmarc)]
}

fn dns() -> impl Strategy<Value = DnsState> {
    prop_oneof![
        Just(DnsState::Correct),
        Just(DnsState::Absent),
        Just(DnsState::Wrong),
        Just(DnsState::LookupFailed)
    ]
}

fn ses() -> impl Strategy<Value = Option<SesStatus>> {
    proptest::option::of(proptest::sample::select(SesStatus::ALL.to_vec()))
}

fn since() -> impl Strategy<Value = Option<Duration>> {
    proptest::option::of((0u64..400 * 3600).prop_map(Duration::from_secs))
}

proptest! {
    #[test]
    fn invariants(role in role(), dns in dns(), ses in ses(), since in since()) {
        let out = run(role, dns, ses, since);
        let ses_effective = if role == Role::Dmarc { None } else { ses };
        if dns == DnsState::LookupFailed {
            prop_assert_ne!(out.badge, Badge::Failed);
            prop_assert!(out.notes.contains(&"dns.lookup-failed"));
        }
        if dns == DnsState::Wrong {
            prop_assert_eq!(out.badge, Badge::Failed);
        }
        if dns == DnsState::Correct && ses_effective.is_none() {
            prop_assert_eq!(out.badge, Badge::Verified);
        }
        if dns == DnsState::Absent && since.is_none() && ses_effective != Some(SesStatus::Failed)
            && ses_effective != Some(SesStatus::Success)
        {
            prop_assert_ne!(out.badge, Badge::Failed);
        }
        if dns != DnsState::Correct {
            prop_assert_ne!(out.badge, Badge::Verified);
            prop_assert_ne!(out.badge, Badge::Verifying);
        }
        // the deadline only ever moves Pending to Failed
        let without_deadline = run(role, dns, ses, None);
        if out != without_deadline {
            prop_assert_eq!(without_deadline.badge, Badge::Pending);
            prop_assert_eq!(out.badge, Badge::Failed);
        }
        // notes are known codes, at most one
        prop_assert!(out.notes.len() <= 1);
        for note in &out.notes {
            prop_assert!([
                "ses.temporary-failure", "ses.verification-failed", "ses.record-removed", "dns.lookup-failed"
            ].contains(note));
        }
    }
}
