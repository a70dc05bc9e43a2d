//! `audit --fix-dir DIR --as FORM`: after the audit, one change-set file per
//! entry that needs one (`sendlint fix` for each), named by its domain.
//!
//! Only entries whose report has a record not verified are planned again
//! (the plan leaves verified records alone, so the others need nothing). A
//! record whose lookup failed gets no change: the plan lists it as unknown,
//! and an entry with nothing but unknowns gets no file.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use clap::{Args, ValueEnum};
use miette::{IntoDiagnostic, WrapErr};
use sendlint::CheckOptions;
use sendlint::audit::EntryOutcome;
use sendlint::fix::Form;
use sendlint::manifest::ManifestIndex;
use sendlint_dns::Lookup;
use sendlint_rules::RuleSet;
use sendlint_ses::Badge;

use crate::fix_cmd::FixForm;

/// `--fix-dir` and `--as`.
#[derive(Args, Debug)]
pub(crate) struct FixDirArgs {
    /// Write one change-set per entry that needs one into DIR (made if
    /// missing), each named by its domain (`mail.acme.com.sh`, …); see `sendlint fix`.
    #[arg(long, value_name = "DIR")]
    pub(crate) fix_dir: Option<PathBuf>,
    /// The form of the change-sets written to --fix-dir.
    #[arg(long = "as", value_enum, default_value_t = FixForm::Human, value_name = "FORM", requires = "fix_dir")]
    form: FixForm,
}

/// The engine's form of `--as`.
pub(crate) fn form_of(form: FixForm) -> Form {
    form.to_possible_value().and_then(|v| Form::parse(v.get_name())).unwrap_or(Form::Human)
}

/// A file name for `domain` that stays inside the directory it is joined to:
/// letters, digits, `-`, `_` and inner dots are kept, any other character
/// becomes `_`, and a name that would start with a dot (`..`, a hidden file)
/// or be empty gets a leading `_`.
pub(crate) fn safe_stem(domain: &str) -> String {
    let mut stem: String = domain
        .trim_end_matches('.')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() || stem.starts_with('.') {
        stem.insert(0, '_');
    }
    // a file system's name limit is 255 bytes: room for `-N.nsupdate`
    stem.truncate(200);
    stem
}

/// The entries to plan: those the audit reported with a record not verified.
#[derive(Default)]
pub(crate) struct Candidates(BTreeSet<usize>);

impl Candidates {
    /// Notes one finished entry.
    pub(crate) fn add(&mut self, item: &sendlint::audit::Finished) {
        if let EntryOutcome::Report(r) = &item.outcome
            && r.records.iter().any(|rec| !matches!(rec.state, Badge::Verified | Badge::Verifying))
        {
            self.0.insert(item.index);
        }
    }
}

/// What was written.
pub(crate) struct Written {
    /// Files written.
    pub(crate) files: usize,
    /// Entries planned that needed no change.
    pub(crate) nothing: usize,
    /// Entries given no file because nothing sure could be said (failed lookups, no key).
    pub(crate) unknown_only: usize,
}

impl Written {
    /// The line said on standard error and after the human summary.
    pub(crate) fn line(&self, dir: &Path) -> String {
        let shown = sendlint_records::display::escape(dir.display().to_string().as_bytes()).text;
        let plural = if self.files == 1 { "" } else { "s" };
        let mut line = format!("fix: {} change-set{plural} written to {shown}", self.files);
        if self.unknown_only > 0 {
            line.push_str(&format!(
                "; {} more domain(s) need a change that cannot be given (failed lookups or no DKIM key)",
                self.unknown_only
            ));
        }
        line
    }
}

/// Plans each candidate over `lookup` and writes its change-set into `dir`;
/// `base` gives what every plan shares (the audit's "now" and trust anchors).
pub(crate) async fn write_all(
    args: &FixDirArgs,
    dir: &Path,
    manifest: &ManifestIndex,
    candidates: &Candidates,
    lookup: Arc<dyn Lookup>,
    rules: &RuleSet,
    base: &CheckOptions,
) -> miette::Result<Written> {
    std::fs::create_dir_all(dir)
        .into_diagnostic()
        .wrap_err_with(|| format!("--fix-dir {}", dir.display()))?;
    let form = form_of(args.form);
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut written = Written { files: 0, nothing: 0, unknown_only: 0 };
    for &index in &candidates.0 {
        let Ok(entry) = manifest.entry(index) else { continue };
        let opts = CheckOptions { ses: entry.ses, org: entry.org.clone(), ..base.clone() };
        let changes = sendlint::fix::plan(&entry.setup, &*lookup, rules, &opts).await;
        if changes.is_empty() {
            if changes.unknown.is_empty() {
                written.nothing += 1;
            } else {
                written.unknown_only += 1;
            }
            continue;
        }
        let provider = changes.provider.as_deref().and_then(|id| rules.provider(id));
        let text = sendlint::fix::render(&changes, form, provider);
        // two entries of one domain (two organizations' claims): the later gets its index
        let stem = safe_stem(&entry.setup.domain.to_string());
        let name = if used.insert(format!("{stem}.{}", form.extension())) {
            format!("{stem}.{}", form.extension())
        } else {
            format!("{stem}-{index}.{}", form.extension())
        };
        write_file(dir, &name, &text)?;
        written.files += 1;
    }
    Ok(written)
}

/// Writes `text` to `dir/name` through a temporary file renamed over it: a
/// symbolic link already at that name is replaced, not followed.
fn write_file(dir: &Path, name: &str, text: &str) -> miette::Result<()> {
    let target = dir.join(name);
    debug_assert_eq!(target.parent(), Some(dir));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .into_diagnostic()
        .wrap_err_with(|| format!("cannot write into {}", dir.display()))?;
    tmp.write_all(text.as_bytes()).into_diagnostic()?;
    // a change-set is no secret: readable as a file written by the shell would be
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    tmp.persist(&target).into_diagnostic().wrap_err_with(|| format!("cannot write {}", target.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::safe_stem;

    #[test]
    fn stems_stay_in_the_directory() {
        assert_eq!(safe_stem("mail.acme.test"), "mail.acme.test");
        assert_eq!(safe_stem("Mail.Acme.Test."), "mail.acme.test");
        assert_eq!(safe_stem("../../etc/passwd"), "_.._.._etc_passwd");
        assert_eq!(safe_stem(".."), "_");
        assert_eq!(safe_stem(".hidden"), "_.hidden");
        assert_eq!(safe_stem(""), "_");
        assert_eq!(safe_stem("a\\b/c\0d"), "a_b_c_d");
        assert!(safe_stem(&"a".repeat(300)).len() <= 200);
    }
}
