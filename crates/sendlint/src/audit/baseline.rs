//! `audit --baseline PREVIOUS.jsonl`: what changed since an earlier audit.
//!
//! The earlier audit's JSON Lines are read once into a small snapshot per
//! domain (badges, codes, unlocked); each entry of this run is compared as it
//! finishes, so the run still streams. A change is a **regression** when a
//! record's badge got worse (Verified → Failed, or the record is gone because
//! the entry no longer checks) or a domain that was unlocked is not; a **fix**
//! is the reverse. Codes that appeared or went away are listed with them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt::{self, Write as _};

use sendlint_records::Role;
use serde::Serialize;
use serde_json::Value;

use crate::outcome::{EntryOutcome, Finished};

/// One domain as an audit saw it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// The organization.
    pub org: Option<String>,
    /// The domain, as written.
    pub domain: String,
    /// Sending unlocked; `None` for an entry that did not check (bad entry).
    pub unlocked: Option<bool>,
    /// Role → badge (`Pending`, `Verifying`, `Verified`, `Failed`).
    pub badges: BTreeMap<String, String>,
    /// Every code reported.
    pub codes: BTreeSet<String>,
}

type Key = (String, String);

fn key(org: Option<&str>, domain: &str) -> Key {
    (org.unwrap_or_default().to_owned(), domain.trim_end_matches('.').to_ascii_lowercase())
}

impl Snapshot {
    /// The snapshot of an entry of this run (`None` for a crashed check, which has no domain).
    pub fn of(item: &Finished) -> Option<Snapshot> {
        match &item.outcome {
            EntryOutcome::Report(r) => Some(Snapshot {
                org: r.org.clone(),
                domain: r.domain.clone(),
                unlocked: Some(r.sending_unlocked),
                badges: r
                    .records
                    .iter()
                    .map(|rec| (rec.role.as_str().to_owned(), rec.state.as_str().to_owned()))
                    .collect(),
                codes: r.codes().into_iter().map(str::to_owned).collect(),
            }),
            EntryOutcome::BadEntry(e) => {
                Some(Snapshot { org: e.org.clone(), domain: e.domain.clone()?, ..Snapshot::default() })
            }
            EntryOutcome::Crashed { .. } => None,
        }
    }

    /// The snapshot of one line of an earlier audit's JSON Lines (`None` for
    /// a line without a domain, or a `removed` line of an earlier comparison).
    fn from_line(line: &Value) -> Option<Snapshot> {
        let domain = line.get("domain")?.as_str()?.to_owned();
        if line.get("removed").and_then(Value::as_bool) == Some(true) {
            return None;
        }
        let org = line.get("org").and_then(Value::as_str).map(str::to_owned);
        if line.get("error").is_some() {
            return Some(Snapshot { org, domain, ..Snapshot::default() });
        }
        let empty = Vec::new();
        let records = line.get("records").and_then(Value::as_array).unwrap_or(&empty);
        let mut codes = BTreeSet::new();
        let mut note = |diagnoses: Option<&Value>| {
            for d in diagnoses.and_then(Value::as_array).unwrap_or(&empty) {
                if let Some(c) = d.get("code").and_then(Value::as_str) {
                    codes.insert(c.to_owned());
                }
            }
        };
        let mut badges = BTreeMap::new();
        for r in records {
            if let (Some(role), Some(state)) =
                (r.get("role").and_then(Value::as_str), r.get("state").and_then(Value::as_str))
            {
                badges.insert(role.to_owned(), state.to_owned());
            }
            note(r.get("diagnoses"));
        }
        note(line.get("diagnoses"));
        Some(Snapshot {
            org,
            domain,
            unlocked: line.get("sending_unlocked").and_then(Value::as_bool),
            badges,
            codes,
        })
    }

    fn label(&self) -> String {
        match &self.org {
            Some(org) => format!("{} ({org})", self.domain),
            None => self.domain.clone(),
        }
    }
}

/// How good a badge is: a regression is a step down this order. A record
/// that is gone (the entry no longer checks) is below Failed.
fn rank(badge: Option<&str>) -> i8 {
    match badge {
        None => -1,
        Some("Failed") => 0,
        Some("Pending") => 1,
        Some("Verifying") => 2,
        Some("Verified") => 3,
        Some(_) => 0,
    }
}

/// One record's badge before and after.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct BadgeChange {
    /// `spf_mx`, `spf_txt`, `dkim` or `dmarc`.
    pub role: String,
    /// The badge in the baseline (null: the record was not checked).
    pub from: Option<String>,
    /// The badge now (null: the record is not checked any more).
    pub to: Option<String>,
    /// The badge got worse.
    pub regression: bool,
}

/// `sending_unlocked` before and after.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct UnlockedChange {
    /// Before (null: the entry did not check).
    pub from: Option<bool>,
    /// Now (null: the entry does not check).
    pub to: Option<bool>,
}

/// What became of a domain since the baseline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChangeStatus {
    /// Not in the baseline.
    New,
    /// In the baseline, not in this audit.
    Removed,
    /// Something changed.
    Changed,
    /// Same badges, same codes, same unlocked.
    Unchanged,
}

/// The changes of one domain: the `changes` field of a JSON line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DomainChanges {
    /// New, removed, changed or unchanged.
    pub status: ChangeStatus,
    /// A badge got worse, or the domain was unlocked and is not.
    pub regression: bool,
    /// A badge got better, or the domain is newly unlocked.
    pub fix: bool,
    /// `sending_unlocked`, when it changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "UnlockedChange"))]
    pub unlocked: Option<UnlockedChange>,
    /// The badges that changed, regressions first.
    pub badges: Vec<BadgeChange>,
    /// Codes reported now and not in the baseline.
    pub codes_added: Vec<String>,
    /// Codes of the baseline no longer reported.
    pub codes_removed: Vec<String>,
}

impl DomainChanges {
    /// Compares `now` with `before` (`None`: a new domain).
    pub fn between(before: Option<&Snapshot>, now: &Snapshot) -> DomainChanges {
        let Some(before) = before else {
            return DomainChanges {
                status: ChangeStatus::New,
                regression: false,
                fix: false,
                unlocked: None,
                badges: Vec::new(),
                codes_added: now.codes.iter().cloned().collect(),
                codes_removed: Vec::new(),
            };
        };
        let mut badges = Vec::new();
        for role in Role::RECORDS.map(Role::as_str) {
            let (from, to) = (before.badges.get(role), now.badges.get(role));
            if from != to {
                badges.push(BadgeChange {
                    role: role.to_owned(),
                    from: from.cloned(),
                    to: to.cloned(),
                    regression: from.is_some()
                        && rank(to.map(String::as_str)) < rank(from.map(String::as_str)),
                });
            }
        }
        // regressions first, then role order (stable sort)
        badges.sort_by_key(|b| !b.regression);
        let unlocked = (before.unlocked != now.unlocked)
            .then_some(UnlockedChange { from: before.unlocked, to: now.unlocked });
        let lost = before.unlocked == Some(true) && now.unlocked != Some(true);
        let gained = before.unlocked != Some(true) && now.unlocked == Some(true);
        let regression = lost || badges.iter().any(|b| b.regression);
        let fix = gained || badges.iter().any(|b| rank(b.to.as_deref()) > rank(b.from.as_deref()));
        let codes_added: Vec<String> = now.codes.difference(&before.codes).cloned().collect();
        let codes_removed: Vec<String> = before.codes.difference(&now.codes).cloned().collect();
        let changed =
            unlocked.is_some() || !badges.is_empty() || !codes_added.is_empty() || !codes_removed.is_empty();
        DomainChanges {
            status: if changed { ChangeStatus::Changed } else { ChangeStatus::Unchanged },
            regression,
            fix,
            unlocked,
            badges,
            codes_added,
            codes_removed,
        }
    }

    fn removed(before: &Snapshot) -> DomainChanges {
        DomainChanges {
            status: ChangeStatus::Removed,
            regression: false,
            fix: false,
            unlocked: None,
            badges: Vec::new(),
            codes_added: Vec::new(),
            codes_removed: before.codes.iter().cloned().collect(),
        }
    }

    /// One line for people: `dkim Verified → Failed; sending locked (was unlocked); new codes: …`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        match self.status {
            ChangeStatus::New => parts.push("new domain".into()),
            ChangeStatus::Removed => parts.push("no longer in the manifest".into()),
            ChangeStatus::Unchanged => parts.push("unchanged".into()),
            ChangeStatus::Changed => {}
        }
        if let Some(u) = self.unlocked {
            let text = match (u.from, u.to) {
                (Some(true), _) => "sending locked (was unlocked)",
                (_, Some(true)) => "sending unlocked (was locked)",
                (_, None) => "no longer checks (bad manifest entry)",
                (None, _) => "checks again (was a bad manifest entry)",
                _ => "unlocked changed",
            };
            parts.push(text.into());
        }
        for b in &self.badges {
            let show = |s: &Option<String>| s.clone().unwrap_or_else(|| "(not checked)".into());
            parts.push(format!("{} {} → {}", b.role, show(&b.from), show(&b.to)));
        }
        if !self.codes_added.is_empty() && self.status != ChangeStatus::New {
            parts.push(format!("new codes: {}", self.codes_added.join(" ")));
        }
        if !self.codes_removed.is_empty() && self.status != ChangeStatus::Removed {
            parts.push(format!("codes gone: {}", self.codes_removed.join(" ")));
        }
        parts.join("; ")
    }
}

/// An earlier audit, and what this run has seen of it so far.
#[derive(Debug)]
pub struct Baseline {
    /// Where it was read from, for the summary.
    pub name: String,
    before: HashMap<Key, Snapshot>,
    seen: HashSet<Key>,
    report: ChangeReport,
}

/// The changes of a whole run, for the summary block.
#[derive(Debug, Default)]
pub struct ChangeReport {
    /// Domains with a regression.
    pub regressed: Vec<(String, String)>,
    /// Domains with a fix and no regression.
    pub fixed: Vec<(String, String)>,
    /// Other changes (codes only, or a badge that moved sideways).
    pub other: Vec<(String, String)>,
    /// Domains not in the baseline.
    pub new: Vec<String>,
    /// Baseline domains not in this run.
    pub removed: Vec<String>,
    /// Domains without changes.
    pub unchanged: usize,
}

/// The baseline cannot be used.
#[derive(Debug)]
pub struct BaselineError {
    /// What went wrong, with the file and line.
    pub message: String,
}

impl fmt::Display for BaselineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BaselineError {}

impl Baseline {
    /// Reads an earlier `audit --format json` output (JSON Lines; shards
    /// concatenated in any order are fine). Blank lines are skipped; a line
    /// that is not a JSON object is an error naming its line number.
    pub fn parse(name: &str, text: &str) -> Result<Baseline, BaselineError> {
        let mut before = HashMap::new();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let value: Value = serde_json::from_str(line).map_err(|e| BaselineError {
                message: format!(
                    "{name} line {}: not an audit JSON line ({e}); give the output of `sendlint audit --format json`",
                    n + 1
                ),
            })?;
            if !value.is_object() {
                return Err(BaselineError {
                    message: format!(
                        "{name} line {}: not a JSON object; give the output of `sendlint audit --format json`",
                        n + 1
                    ),
                });
            }
            if let Some(s) = Snapshot::from_line(&value) {
                before.insert(key(s.org.as_deref(), &s.domain), s);
            }
        }
        Ok(Baseline { name: name.to_owned(), before, seen: HashSet::new(), report: ChangeReport::default() })
    }

    /// Keeps only the baseline domains `keep` accepts: a shard compares
    /// with its own part of the baseline, so the shards' union is the
    /// unsharded comparison and no shard reports the others' domains as removed.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.before.retain(|_, s| keep(&s.domain));
    }

    /// Domains in the baseline.
    pub fn len(&self) -> usize {
        self.before.len()
    }

    /// True when the baseline holds no domain.
    pub fn is_empty(&self) -> bool {
        self.before.is_empty()
    }

    /// Compares one finished entry with the baseline and counts it for the summary.
    pub fn compare(&mut self, item: &Finished) -> Option<DomainChanges> {
        let now = Snapshot::of(item)?;
        let k = key(now.org.as_deref(), &now.domain);
        let changes = DomainChanges::between(self.before.get(&k), &now);
        self.seen.insert(k);
        let entry = (now.label(), changes.describe());
        match changes.status {
            ChangeStatus::New => self.report.new.push(now.label()),
            ChangeStatus::Unchanged => self.report.unchanged += 1,
            _ if changes.regression => self.report.regressed.push(entry),
            _ if changes.fix => self.report.fixed.push(entry),
            _ => self.report.other.push(entry),
        }
        Some(changes)
    }

    /// The baseline domains this run did not see, once the run is over.
    pub fn removed(&mut self) -> Vec<(Snapshot, DomainChanges)> {
        let mut gone: Vec<&Snapshot> =
            self.before.iter().filter(|(k, _)| !self.seen.contains(*k)).map(|(_, s)| s).collect();
        gone.sort_by(|a, b| (&a.domain, &a.org).cmp(&(&b.domain, &b.org)));
        let gone: Vec<(Snapshot, DomainChanges)> =
            gone.into_iter().map(|s| (s.clone(), DomainChanges::removed(s))).collect();
        self.report.removed = gone.iter().map(|(s, _)| s.label()).collect();
        gone
    }

    /// True when anything regressed.
    pub fn regressed(&self) -> bool {
        !self.report.regressed.is_empty()
    }

    /// The summary block.
    pub fn summary(&self) -> String {
        let r = &self.report;
        let mut out = format!(
            "changes since {}: {} regressed, {} fixed, {} other, {} new, {} removed, {} unchanged\n",
            self.name,
            r.regressed.len(),
            r.fixed.len(),
            r.other.len(),
            r.new.len(),
            r.removed.len(),
            r.unchanged
        );
        const SHOWN: usize = 50;
        let mut section = |title: &str, rows: Vec<String>| {
            if rows.is_empty() {
                return;
            }
            let _ = write!(out, "\n  {title}\n");
            let mut sorted = rows;
            sorted.sort();
            for row in sorted.iter().take(SHOWN) {
                let _ = writeln!(out, "    {row}");
            }
            if sorted.len() > SHOWN {
                let _ = writeln!(out, "    … and {} more", sorted.len() - SHOWN);
            }
        };
        let rows = |v: &[(String, String)]| v.iter().map(|(d, what)| format!("{d}: {what}")).collect();
        section("regressions", rows(&r.regressed));
        section("fixes", rows(&r.fixed));
        section("other changes", rows(&r.other));
        section("new domains", r.new.clone());
        section("removed domains", r.removed.clone());
        out
    }
}

/// A JSON line of this run with its `changes` field added: null for a line
/// that has no domain to match with the baseline (a manifest entry whose
/// domain cannot be read, a check that failed internally), so that every
/// line of a comparison has the field (docs/json.md).
pub fn json_with_changes(line: &str, changes: Option<&DomainChanges>) -> String {
    let changes = changes.and_then(|c| serde_json::to_string(c).ok()).unwrap_or_else(|| "null".into());
    match line.trim_end().strip_suffix('}') {
        Some(head) if head.trim_end().ends_with('{') => format!("{head}\"changes\":{changes}}}"),
        Some(head) => format!("{head},\"changes\":{changes}}}"),
        None => line.to_owned(),
    }
}

/// The JSON line of a baseline domain that is not in this run.
pub fn removed_json_line(before: &Snapshot, changes: &DomainChanges) -> String {
    serde_json::json!({"org": before.org, "domain": before.domain, "removed": true, "changes": changes})
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(unlocked: bool, badges: &[(&str, &str)], codes: &[&str]) -> Snapshot {
        Snapshot {
            org: Some("acme".into()),
            domain: "mail.acme.test".into(),
            unlocked: Some(unlocked),
            badges: badges.iter().map(|(r, b)| ((*r).to_owned(), (*b).to_owned())).collect(),
            codes: codes.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    #[test]
    fn a_verified_record_now_failed_is_a_regression_listed_first() {
        let before = snap(true, &[("spf_mx", "Failed"), ("dkim", "Verified")], &["mx.wrong-target"]);
        let now = snap(false, &[("spf_mx", "Verified"), ("dkim", "Failed")], &["dkim.quoted-value"]);
        let c = DomainChanges::between(Some(&before), &now);
        assert!(c.regression && c.fix);
        assert_eq!(c.badges[0].role, "dkim", "regressions first");
        assert!(c.badges[0].regression && !c.badges[1].regression);
        assert_eq!(c.codes_added, ["dkim.quoted-value"]);
        assert_eq!(c.codes_removed, ["mx.wrong-target"]);
        assert_eq!(
            c.describe(),
            "sending locked (was unlocked); dkim Verified → Failed; spf_mx Failed → Verified; \
             new codes: dkim.quoted-value; codes gone: mx.wrong-target"
        );
    }

    #[test]
    fn a_record_that_is_gone_is_a_regression() {
        let before = snap(false, &[("dkim", "Verified")], &[]);
        let now = Snapshot { unlocked: None, badges: BTreeMap::new(), ..before.clone() };
        let c = DomainChanges::between(Some(&before), &now);
        assert!(c.regression);
        assert_eq!(c.badges[0].to, None);
    }

    #[test]
    fn same_state_is_unchanged() {
        let s = snap(true, &[("dkim", "Verified")], &["dmarc.policy-none"]);
        let c = DomainChanges::between(Some(&s), &s);
        assert_eq!(c.status, ChangeStatus::Unchanged);
        assert!(!c.regression && !c.fix);
    }

    #[test]
    fn changes_are_spliced_into_the_line() {
        let c = DomainChanges::between(None, &snap(true, &[], &[]));
        let line = json_with_changes(r#"{"index":0,"domain":"x"}"#, Some(&c));
        let v: Value = serde_json::from_str(&line).expect("json");
        assert_eq!(v["changes"]["status"], "new");
        assert_eq!(v["domain"], "x");
    }

    #[test]
    fn a_bad_baseline_line_names_its_line() {
        let err = Baseline::parse("prev.jsonl", "{\"domain\":\"a.test\"}\n\nnot json\n").expect_err("bad");
        assert!(err.message.starts_with("prev.jsonl line 3:"), "{}", err.message);
    }
}
