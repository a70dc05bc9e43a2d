//! The verdict of one domain: may it send, and if not, what blocks it.
//!
//! One story everywhere: the header of the human report, the exit status of
//! `check`/`watch`/`audit`, `"sending_unlocked"` in JSON and `unlocked` in CSV
//! all come from [`Verdict::of`], which applies [`sendlint_ses::sending_unlocked`]
//! (docs/badges.md: the three blocking badges Verified, and no error that locks).

use sendlint_records::Role;
use sendlint_rules::Severity;
use sendlint_ses::{BLOCKING, Badge, sending_unlocked};

use crate::report::{DiagnosisReport, DomainReport, RecordReport};

/// Whether a domain may send, and why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Sending is unlocked.
    pub unlocked: bool,
    /// The blocking records that are not Verified, most serious first
    /// (Failed, Pending, Verifying), then in role order; a Pending record that
    /// no diagnosis speaks of is left to the domain-level error that explains it.
    pub waiting_on: Vec<(Role, Badge)>,
    /// The codes of the errors that lock sending on their own: errors on the
    /// domain as a whole, or on a blocking record whose badge is Verified (any
    /// other badge is already named in `waiting_on`). Distinct, in report order.
    pub locked_by: Vec<String>,
    /// DMARC is Failed: shown, never blocking.
    pub dmarc_failed: bool,
    /// Error diagnoses in the report, all of them.
    pub errors: usize,
    /// Warning diagnoses in the report.
    pub warnings: usize,
}

impl Verdict {
    /// The verdict of a domain's records and domain-level diagnoses.
    ///
    /// An error locks sending wherever it is, except on the DMARC record:
    /// DMARC never blocks sending, so its errors make its own badge
    /// Failed and nothing more.
    pub fn of(records: &[RecordReport], domain: &[DiagnosisReport]) -> Verdict {
        let is_error = |d: &&DiagnosisReport| d.severity == Severity::Error;
        let locking = records
            .iter()
            .filter(|r| r.role != Role::Dmarc)
            .flat_map(|r| &r.diagnoses)
            .chain(domain)
            .filter(is_error)
            .count();
        let unlocked = sending_unlocked(records.iter().map(|r| (r.role, r.state)), locking);

        let mut waiting_on: Vec<(Role, Badge)> = BLOCKING
            .iter()
            .map(|role| (*role, records.iter().find(|r| r.role == *role).map_or(Badge::Pending, |r| r.state)))
            .filter(|(_, badge)| *badge != Badge::Verified)
            .collect();
        let rank = |b: Badge| match b {
            Badge::Failed => 0,
            Badge::Pending => 1,
            Badge::Verifying => 2,
            Badge::Verified => 3,
        };
        waiting_on.sort_by_key(|(role, badge)| (rank(*badge), BLOCKING.iter().position(|r| r == role)));
        // A Pending record that nothing in the report speaks of was not looked
        // at because of an error on the domain as a whole (no loaded zone file
        // covers it, say): that error is the reason to name, not "Pending".
        if domain.iter().any(|d| d.severity == Severity::Error) {
            let spoken_of = |role: Role| {
                records.iter().any(|r| r.role == role && !r.diagnoses.is_empty())
                    || records
                        .iter()
                        .flat_map(|r| &r.diagnoses)
                        .chain(domain)
                        .any(|d| d.records.iter().any(|a| a.role == role))
            };
            waiting_on.retain(|(role, badge)| *badge != Badge::Pending || spoken_of(*role));
        }

        let mut locked_by: Vec<String> = Vec::new();
        let unnamed = records
            .iter()
            .filter(|r| BLOCKING.contains(&r.role) && r.state == Badge::Verified)
            .flat_map(|r| &r.diagnoses)
            .chain(domain)
            .filter(is_error);
        for d in unnamed {
            if !locked_by.contains(&d.code) {
                locked_by.push(d.code.clone());
            }
        }
        let all = records.iter().flat_map(|r| &r.diagnoses).chain(domain);
        let (errors, warnings) = all.fold((0, 0), |(e, w), d| match d.severity {
            Severity::Error => (e + 1, w),
            Severity::Warning => (e, w + 1),
            Severity::Info => (e, w),
        });
        Verdict {
            unlocked,
            waiting_on,
            locked_by,
            dmarc_failed: records.iter().any(|r| r.role == Role::Dmarc && r.state == Badge::Failed),
            errors,
            warnings,
        }
    }

    /// The header line of the human report, e.g.
    /// `sending locked: dkim Failed, spf_mx Pending; 2 errors, 1 warning`.
    pub fn headline(&self) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let counts = format!("{}, {}", plural(self.errors, "error"), plural(self.warnings, "warning"));
        if self.unlocked {
            return if self.dmarc_failed {
                format!("sending UNLOCKED (dmarc Failed, which never blocks sending): {counts}")
            } else {
                format!("sending UNLOCKED: {counts}")
            };
        }
        let mut causes: Vec<String> =
            self.waiting_on.iter().map(|(role, badge)| format!("{} {badge}", role.as_str())).collect();
        causes.extend(self.locked_by.iter().cloned());
        if causes.is_empty() {
            // Not reachable from a report of `check`; say so plainly rather than print nothing.
            causes.push("no record reported".to_owned());
        }
        format!("sending locked: {}; {counts}", causes.join(", "))
    }
}

impl DomainReport {
    /// The verdict of this report (see [`Verdict::of`]); `sending_unlocked` is its `unlocked`.
    pub fn verdict(&self) -> Verdict {
        Verdict::of(&self.records, &self.diagnoses)
    }
}
