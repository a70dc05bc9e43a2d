//! The badge of each record: the SES verification state machine (`docs/badges.md`).
//!
//! [`decide`] is the whole table as one pure function; [`sending_unlocked`]
//! says whether the badges of a domain let it send.

use sendlint_records::Role;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// How long a record may stay absent after the domain was submitted before its
/// badge turns from Pending to Failed (SES gives up after 72 hours).
pub const MISSING_DEADLINE: Duration = Duration::from_secs(72 * 60 * 60);

/// The diagnosis codes [`decide`] adds to a record (see [`BadgeDecision::notes`]).
pub mod notes {
    /// SES is rechecking a previously verified record (`TEMPORARY_FAILURE`).
    pub const SES_TEMPORARY_FAILURE: &str = "ses.temporary-failure";
    /// SES gave up (`FAILED`) although DNS may be right now: restart verification.
    pub const SES_VERIFICATION_FAILED: &str = "ses.verification-failed";
    /// SES verified the record (`SUCCESS`) but DNS no longer serves it.
    pub const SES_RECORD_REMOVED: &str = "ses.record-removed";
    /// Our own lookup failed; nothing can be said about the record.
    pub const DNS_LOOKUP_FAILED: &str = "dns.lookup-failed";
}

/// The badge of one published record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Badge {
    /// Not visible (yet), or we could not look.
    Pending,
    /// Found and correct; SES is still finishing its own check.
    Verifying,
    /// Found and correct, and SES (when consulted) agrees.
    Verified,
    /// Missing past the deadline, mismatched, mangled, or given up on by SES.
    Failed,
}

impl Badge {
    /// The spelling used in reports: `Pending`, `Verifying`, `Verified`, `Failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            Badge::Pending => "Pending",
            Badge::Verifying => "Verifying",
            Badge::Verified => "Verified",
            Badge::Failed => "Failed",
        }
    }
}

impl fmt::Display for Badge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What DNS showed for one record, as judged by the rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DnsState {
    /// Present, and no error-severity diagnosis.
    Correct,
    /// Present and well-formed, but its value could not be compared with what
    /// SES expects: a DKIM record checked without the public key given to SES.
    /// A verdict claims only what was compared, so this is never Verified on
    /// DNS alone; only SES's own `SUCCESS` (SES compared its key) makes it so.
    NotCompared,
    /// The lookup succeeded and the record is not there (NXDOMAIN, NODATA).
    Absent,
    /// Present but wrong: at least one error-severity diagnosis.
    Wrong,
    /// Our own lookup failed (timeout, SERVFAIL, REFUSED, …).
    LookupFailed,
}

/// A verification status as SES reports it (SESv2 `VerificationStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SesStatus {
    /// `NOT_STARTED`
    NotStarted,
    /// `PENDING`
    Pending,
    /// `SUCCESS`
    Success,
    /// `FAILED`
    Failed,
    /// `TEMPORARY_FAILURE`
    TemporaryFailure,
}

impl SesStatus {
    /// Every status, in the order of the SESv2 enum.
    pub const ALL: [SesStatus; 5] = [
        SesStatus::Pending,
        SesStatus::Success,
        SesStatus::Failed,
        SesStatus::TemporaryFailure,
        SesStatus::NotStarted,
    ];

    /// The SESv2 spelling, e.g. `TEMPORARY_FAILURE`.
    pub fn as_str(self) -> &'static str {
        match self {
            SesStatus::NotStarted => "NOT_STARTED",
            SesStatus::Pending => "PENDING",
            SesStatus::Success => "SUCCESS",
            SesStatus::Failed => "FAILED",
            SesStatus::TemporaryFailure => "TEMPORARY_FAILURE",
        }
    }
}

impl fmt::Display for SesStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the SESv2 verification statuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown SES verification status `{0}`: expected one of NOT_STARTED, PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE"
)]
pub struct UnknownSesStatus(pub String);

impl FromStr for SesStatus {
    type Err = UnknownSesStatus;

    /// Parses the SESv2 spelling exactly (`PENDING`, not `Pending`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SesStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == s)
            .ok_or_else(|| UnknownSesStatus(s.to_owned()))
    }
}

/// Everything [`decide`] looks at for one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BadgeInput {
    /// Which record. `Role::Dmarc` is DNS-only: its `ses` is ignored.
    pub role: Role,
    /// What DNS showed.
    pub dns: DnsState,
    /// What SES says for this record (MAIL FROM status for `spf_mx`/`spf_txt`,
    /// DKIM status for `dkim`), `None` in DNS-only mode.
    pub ses: Option<SesStatus>,
    /// Time since the domain was submitted to SES, when `submitted_at` is known.
    pub since_submitted: Option<Duration>,
}

/// The outcome of [`decide`]: the badge and the codes the table adds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BadgeDecision {
    /// The record's badge.
    pub badge: Badge,
    /// Extra diagnosis codes the state machine contributes (see [`notes`]),
    /// e.g. `ses.temporary-failure`, `ses.verification-failed`, `dns.lookup-failed`.
    pub notes: Vec<&'static str>,
}

impl BadgeDecision {
    fn plain(badge: Badge) -> Self {
        BadgeDecision { badge, notes: Vec::new() }
    }

    fn noted(badge: Badge, note: &'static str) -> Self {
        BadgeDecision { badge, notes: vec![note] }
    }
}

/// Decides one record's badge: the table of `docs/badges.md`, every cell.
///
/// | DNS ↓ / SES →  | unknown (DNS-only) | NOT_STARTED, PENDING | TEMPORARY_FAILURE | SUCCESS | FAILED |
/// |---|---|---|---|---|---|
/// | correct        | Verified | Verifying | Verifying + `ses.temporary-failure` | Verified | Failed + `ses.verification-failed` |
/// | not compared   | Pending | Pending | Pending + `ses.temporary-failure` | Verified | Failed + `ses.verification-failed` |
/// | absent         | Pending; Failed after 72 h | Pending; Failed after 72 h | Pending + `ses.temporary-failure` | **Failed + `ses.record-removed`** | Failed |
/// | wrong          | Failed | Failed | Failed | Failed | Failed |
/// | lookup failed  | Pending + `dns.lookup-failed` | same | same | same | same |
///
/// - "Failed after 72 h" means `since_submitted >= MISSING_DEADLINE`
///   ([`MISSING_DEADLINE`]); without `since_submitted` an absent record stays
///   Pending for as long as SES has not said `FAILED`.
/// - `Role::Dmarc` is DNS-only: `ses` is ignored and the "unknown" column applies,
///   except that an absent DMARC record stays Pending (with its warning) past
///   the 72 hours: it is optional, SES never checks it, and it never blocks
///   sending (see [`sending_unlocked`]).
/// - A failed lookup is never Failed: our own lookup failing says nothing about
///   the customer's record.
/// - Absent and SES `FAILED` is Failed without `ses.verification-failed`: that
///   note says "DNS may be right now, restart verification", which is not true
///   while the record is missing; the missing record is the one fault to report.
///
/// # Absent while SES says `SUCCESS`
///
/// SES verified the record earlier and DNS no longer serves it: someone deleted
/// it, or moved the domain's DNS hosting without copying the records. Sending
/// still works for now, but SES rechecks verified identities, will flip to
/// `TEMPORARY_FAILURE` at its next check and to `FAILED` about 72 hours later,
/// and then sending (or DKIM signing) stops. The badge is **Failed** with the
/// note `ses.record-removed`:
/// - not Verified, because the record is gone and Verified would tell the
///   customer there is nothing to do;
/// - not Pending, which means "not visible *yet*, wait" and would make the
///   customer wait out the 72 hours until SES disables the identity;
/// - Failed, because only the customer can fix it (restore the record), and the
///   sooner the better; the note explains that SES still had it verified, so
///   support does not read it as a record that never existed.
///
/// The 72-hour deadline since submission plays no part here: SES's own clock
/// starts when it notices the removal, which we cannot see.
pub fn decide(input: &BadgeInput) -> BadgeDecision {
    use notes::*;
    let ses = match input.role {
        Role::Dmarc => None,
        _ => input.ses,
    };
    let past_deadline = input.since_submitted.is_some_and(|since| since >= MISSING_DEADLINE);

    match (input.dns, ses) {
        (DnsState::LookupFailed, _) => BadgeDecision::noted(Badge::Pending, DNS_LOOKUP_FAILED),
        (DnsState::Wrong, _) => BadgeDecision::plain(Badge::Failed),

        (DnsState::Correct, None | Some(SesStatus::Success)) => BadgeDecision::plain(Badge::Verified),
        (DnsState::Correct, Some(SesStatus::NotStarted | SesStatus::Pending)) => {
            BadgeDecision::plain(Badge::Verifying)
        }
        (DnsState::Correct, Some(SesStatus::TemporaryFailure)) => {
            BadgeDecision::noted(Badge::Verifying, SES_TEMPORARY_FAILURE)
        }
        (DnsState::Correct | DnsState::NotCompared, Some(SesStatus::Failed)) => {
            BadgeDecision::noted(Badge::Failed, SES_VERIFICATION_FAILED)
        }

        // SES compared the record with its own key: its SUCCESS stands.
        (DnsState::NotCompared, Some(SesStatus::Success)) => BadgeDecision::plain(Badge::Verified),
        (DnsState::NotCompared, None | Some(SesStatus::NotStarted | SesStatus::Pending)) => {
            BadgeDecision::plain(Badge::Pending)
        }
        (DnsState::NotCompared, Some(SesStatus::TemporaryFailure)) => {
            BadgeDecision::noted(Badge::Pending, SES_TEMPORARY_FAILURE)
        }

        (DnsState::Absent, None | Some(SesStatus::NotStarted | SesStatus::Pending)) => {
            BadgeDecision::plain(if past_deadline && input.role != Role::Dmarc {
                Badge::Failed
            } else {
                Badge::Pending
            })
        }
        (DnsState::Absent, Some(SesStatus::TemporaryFailure)) => {
            BadgeDecision::noted(Badge::Pending, SES_TEMPORARY_FAILURE)
        }
        (DnsState::Absent, Some(SesStatus::Success)) => {
            BadgeDecision::noted(Badge::Failed, SES_RECORD_REMOVED)
        }
        (DnsState::Absent, Some(SesStatus::Failed)) => BadgeDecision::plain(Badge::Failed),
    }
}

/// True when the domain may send: `spf_mx`, `spf_txt` and `dkim` are all
/// Verified **and** no error diagnosis locks it (`locking_errors == 0`: an
/// error on the domain, such as two organizations claiming it or an SES
/// identity that contradicts the setup, locks sending even when every badge is
/// Verified). DMARC (and any other role) never blocks; a blocking role that is
/// not in `badges` at all counts as not Verified.
///
/// The single rule behind every verdict sendlint prints: the header, the exit
/// status, `"sending_unlocked"` in JSON and `unlocked` in CSV all come from it.
pub fn sending_unlocked(badges: impl Iterator<Item = (Role, Badge)>, locking_errors: usize) -> bool {
    let mut verified = [false; 3];
    let mut blocked = locking_errors > 0;
    for (role, badge) in badges {
        if let Some(i) = BLOCKING.iter().position(|r| *r == role) {
            if badge == Badge::Verified {
                verified[i] = true;
            } else {
                blocked = true;
            }
        }
    }
    !blocked && verified.iter().all(|v| *v)
}

/// The records whose badge must be Verified for the domain to send.
pub const BLOCKING: [Role; 3] = [Role::SpfMx, Role::SpfTxt, Role::Dkim];

/// The table of [`decide`] for `role`, rendered as Markdown from the function
/// itself: one row per [`DnsState`], one column per SES status (and "unknown").
///
/// A cell shows the badge and the notes without a submission time; when the
/// 72-hour deadline changes it, the cell adds what happens after it.
/// `docs/badges.md` holds these tables and a test keeps it in sync.
pub fn table_markdown(role: Role) -> String {
    use std::fmt::Write as _;
    const ROWS: [(DnsState, &str); 5] = [
        (DnsState::Correct, "correct"),
        (DnsState::NotCompared, "present, value not compared (no expected DKIM key)"),
        (DnsState::Absent, "absent (NXDOMAIN/NODATA)"),
        (DnsState::Wrong, "present but wrong (an error diagnosis)"),
        (DnsState::LookupFailed, "lookup failed (timeout, SERVFAIL, REFUSED)"),
    ];
    let columns: [Option<SesStatus>; 6] = [
        None,
        Some(SesStatus::NotStarted),
        Some(SesStatus::Pending),
        Some(SesStatus::TemporaryFailure),
        Some(SesStatus::Success),
        Some(SesStatus::Failed),
    ];
    let show = |d: &BadgeDecision| {
        let mut s = d.badge.to_string();
        for note in &d.notes {
            let _ = write!(s, " + `{note}`");
        }
        s
    };
    let mut out = String::from("| DNS ↓ / SES → | unknown (DNS-only) |");
    for status in columns.iter().flatten() {
        let _ = write!(out, " {status} |");
    }
    out.push_str("\n|---|");
    out.push_str(&"---|".repeat(columns.len()));
    out.push('\n');
    for (dns, label) in ROWS {
        // Only a DKIM key is compared: DMARC is never "not compared".
        if dns == DnsState::NotCompared && role == Role::Dmarc {
            continue;
        }
        let _ = write!(out, "| {label} |");
        for ses in columns {
            let input = |since| BadgeInput { role, dns, ses, since_submitted: since };
            let before = decide(&input(None));
            let after = decide(&input(Some(MISSING_DEADLINE)));
            let cell = if before == after {
                show(&before)
            } else {
                format!("{}; {} after 72 h", show(&before), show(&after))
            };
            let _ = write!(out, " {cell} |");
        }
        out.push('\n');
    }
    out
}
