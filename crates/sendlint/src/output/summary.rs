//! The human summary of an audit: counts by badge, code and DNS host.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::{self, Write as _};

use sendlint_records::Role;
use sendlint_ses::Badge;

use crate::outcome::{EntryOutcome, Finished};

/// Counts over an audit, for the human summary.
#[derive(Debug, Default)]
pub struct Summary {
    /// Entries finished.
    pub total: usize,
    /// Domains whose sending is unlocked.
    pub unlocked: usize,
    /// Bad manifest entries.
    pub bad_entries: usize,
    /// Checks that failed internally.
    pub crashed: usize,
    /// Per role, how many records got each badge (Pending, Verifying, Verified, Failed).
    pub badges: BTreeMap<Role, [usize; 4]>,
    /// Domains per diagnosis code (a code counts once per domain).
    pub codes: HashMap<String, usize>,
    /// The severity of each counted code (its most severe, should it vary).
    pub severities: HashMap<String, sendlint_rules::Severity>,
    /// Per DNS host (`unknown` when undetected): (domains, unlocked).
    pub providers: BTreeMap<String, (usize, usize)>,
}

/// Codes listed in the summary (by the human text and serve's workspace).
pub const TOP_CODES: usize = 10;

/// Errors first, then warnings, then info.
fn rank(s: sendlint_rules::Severity) -> u8 {
    match s {
        sendlint_rules::Severity::Error => 0,
        sendlint_rules::Severity::Warning => 1,
        sendlint_rules::Severity::Info => 2,
    }
}

fn badge_slot(b: Badge) -> usize {
    match b {
        Badge::Pending => 0,
        Badge::Verifying => 1,
        Badge::Verified => 2,
        Badge::Failed => 3,
    }
}

impl Summary {
    /// Counts one finished entry.
    pub fn add(&mut self, item: &Finished) {
        self.total += 1;
        match &item.outcome {
            EntryOutcome::Report(r) => {
                self.unlocked += usize::from(r.sending_unlocked);
                for rec in &r.records {
                    self.badges.entry(rec.role).or_default()[badge_slot(rec.state)] += 1;
                }
                let codes: HashSet<&str> = r.codes().into_iter().collect();
                for code in codes {
                    *self.codes.entry(code.to_owned()).or_default() += 1;
                }
                for d in r.records.iter().flat_map(|rec| &rec.diagnoses).chain(&r.diagnoses) {
                    let sev = self.severities.entry(d.code.clone()).or_insert(d.severity);
                    if rank(d.severity) < rank(*sev) {
                        *sev = d.severity;
                    }
                }
                let p =
                    self.providers.entry(r.provider.clone().unwrap_or_else(|| "unknown".into())).or_default();
                p.0 += 1;
                p.1 += usize::from(r.sending_unlocked);
            }
            EntryOutcome::BadEntry(_) => self.bad_entries += 1,
            EntryOutcome::Crashed { .. } => self.crashed += 1,
        }
    }

    /// Domains checked but not unlocked.
    pub fn not_unlocked(&self) -> usize {
        self.total - self.unlocked - self.bad_entries - self.crashed
    }

    /// The `n` top codes: errors before warnings before info, each by how
    /// many domains have it (ties by code).
    pub fn top_codes(&self, n: usize) -> Vec<(&str, usize)> {
        let sev = |c: &str| self.severities.get(c).map_or(3, |s| rank(*s));
        let mut codes: Vec<(&str, usize)> = self.codes.iter().map(|(c, n)| (c.as_str(), *n)).collect();
        codes.sort_by(|a, b| sev(a.0).cmp(&sev(b.0)).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0)));
        codes.truncate(n);
        codes
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: usize, one: &str, many: &str| if n == 1 { one.to_owned() } else { many.to_owned() };
        let mut head = format!(
            "{} {}: {} unlocked, {} not yet",
            self.total,
            plural(self.total, "domain", "domains"),
            self.unlocked,
            self.not_unlocked()
        );
        if self.bad_entries > 0 {
            let _ = write!(
                head,
                ", {} bad manifest {}",
                self.bad_entries,
                plural(self.bad_entries, "entry", "entries")
            );
        }
        if self.crashed > 0 {
            let _ = write!(head, ", {} internal {}", self.crashed, plural(self.crashed, "error", "errors"));
        }
        writeln!(f, "{head}")?;
        if !self.badges.is_empty() {
            writeln!(
                f,
                "\n  {:<9} {:>9} {:>9} {:>9} {:>9}",
                "record", "Pending", "Verifying", "Verified", "Failed"
            )?;
            for (role, [p, v, ok, failed]) in &self.badges {
                writeln!(f, "  {:<9} {p:>9} {v:>9} {ok:>9} {failed:>9}", role.as_str())?;
            }
        }
        let top = self.top_codes(TOP_CODES);
        if !top.is_empty() {
            writeln!(f, "\n  top codes (domains)")?;
            for (code, n) in &top {
                let sev = self.severities.get(*code).map_or("", |s| s.as_str());
                writeln!(f, "  {n:>9}  {code:<32} {sev}")?;
            }
            let more = self.codes.len() - top.len();
            if more > 0 {
                writeln!(f, "  and {more} more {}", plural(more, "code", "codes"))?;
            }
        }
        if !self.providers.is_empty() {
            writeln!(f, "\n  {:<12} {:>9} {:>9}", "DNS host", "domains", "unlocked")?;
            for (p, (n, u)) in &self.providers {
                // a provider id comes from a rule file's name
                writeln!(f, "  {:<12} {n:>9} {u:>9}", sendlint_records::display::untrusted(p))?;
            }
        }
        Ok(())
    }
}
