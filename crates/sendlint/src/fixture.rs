//! Fixtures: a domain setup, the zone text as the DNS provider serves it, and
//! the exact set of diagnosis codes expected. Shared by the repository's test
//! harness (`sendlint-tests`) and `sendlint rules check DIR`, so a rule author's
//! fixtures run the same way in both.
//!
//! ```toml
//! description = "The quotes were typed into the DKIM value."
//! expect = ["dkim.quoted-value"]      # exact set: any other code fails
//!
//! [setup]                             # the flags of `sendlint check`
//! domain = "mail.acme.test"
//! region = "us-east-1"
//! selector = "sf1"
//! public_key_file = "keys/sf1-2048.b64"   # relative to the `fixtures/` directory
//! mail_from = "send"                  # optional
//! from = ["news@mail.acme.test"]      # optional
//! submitted_at = "2026-11-24T10:00:00Z"   # optional
//! registrar = "cloudflare"            # optional: force a provider's advice
//!
//! [badges]                            # optional: expected badge per role
//! dkim = "Failed"
//!
//! [ses]                               # optional: what SES says (statuses, or a
//! dkim = "PENDING"                    # GetEmailIdentity answer: state / state_file,
//! mail_from = "SUCCESS"               # or not_found / failed)
//!
//! [[zone]]                            # one or more zone files, served offline
//! text = '''
//! $ORIGIN acme.test.
//! …
//! '''
//!
//! [[zone]]                            # or a zone file, relative to `fixtures/`
//! file = "core/dnssec/zones/acme.test.zone"
//! ```
//!
//! `trust_anchor_file = "…"` (top level, relative to `fixtures/`) gives the
//! DNSSEC trust anchors, as `--trust-anchor` does.

use sendlint_records::input::{InputKind, read_text};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use crate::{CheckOptions, DomainReport, RenderOptions, SesState};
use sendlint_dns::{ZoneError, ZoneSource};
use sendlint_records::input::InputError;
use sendlint_records::key::{KeyError, PublicKey};
use sendlint_records::name::{DomainName, NameError};
use sendlint_rules::RuleSet;
use sendlint_ses::{SesIdentity, SesLookup, SesStateError, SesStatus, Setup, SetupError};
use serde::Deserialize;

/// Why a fixture could not be loaded or run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FixtureError {
    /// A file (the fixture, a key, a saved SES state) could not be read.
    #[error(transparent)]
    Read(#[from] InputError),
    /// The fixture file is not a valid fixture.
    #[error("{path}: {source}")]
    Toml {
        /// The fixture file.
        path: PathBuf,
        /// What the TOML parser said.
        source: toml::de::Error,
    },
    /// `[setup] domain` is not a domain name.
    #[error(transparent)]
    Domain(#[from] NameError),
    /// The setup is invalid (region, selector, MAIL FROM, submission time).
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// `public_key_file` does not hold a public key.
    #[error("{file}: {source}")]
    Key {
        /// The key file, as the fixture names it.
        file: String,
        /// Why it is not a key.
        source: KeyError,
    },
    /// A `[[zone]]` text is not a valid zone file (rendered with its source snippet).
    #[error("{0}")]
    Zone(String),
    /// An `[ses]` status is not an SESv2 status.
    #[error("[ses] {what}: unknown SES status {value:?}")]
    SesStatus {
        /// `dkim` or `mail_from`.
        what: &'static str,
        /// The status as written.
        value: String,
    },
    /// The `[ses]` state is not a `GetEmailIdentity` answer.
    #[error("[ses] state: {0}")]
    SesState(#[from] SesStateError),
    /// The async runtime the check runs on could not start.
    #[error(transparent)]
    Runtime(#[from] std::io::Error),
}

impl FixtureError {
    fn zone(e: ZoneError) -> FixtureError {
        FixtureError::Zone(format!("{:?}", miette::Report::new(e)))
    }
}

/// "Now" for every fixture, so the 72-hour window is reproducible.
pub const FIXTURE_NOW: &str = "2026-11-26T06:00:00Z";

/// [`FIXTURE_NOW`] in seconds since the epoch.
pub const FIXTURE_NOW_SECS: u64 = 1_795_672_800;

/// [`FIXTURE_NOW`] as a time.
pub fn fixture_now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(FIXTURE_NOW_SECS)
}

/// Every fixture file (`*.toml`) below `dir`, sorted; none when `dir` is missing.
pub fn fixture_files(dir: &Path) -> Vec<PathBuf> {
    // Each directory once, whatever symlinks lead to it (`ln -s . d/a` loops).
    fn walk(dir: &Path, out: &mut Vec<PathBuf>, seen: &mut std::collections::HashSet<PathBuf>) {
        let Ok(real) = std::fs::canonicalize(dir) else { return };
        if !seen.insert(real) || seen.len() > 10_000 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out, seen);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, &mut out, &mut std::collections::HashSet::new());
    out.sort();
    out
}

/// One fixture file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// What the scenario shows.
    pub description: String,
    /// The exact set of codes the check must report.
    pub expect: Vec<String>,
    /// The domain setup.
    pub setup: FixtureSetup,
    /// Expected badges by role name.
    #[serde(default)]
    pub badges: BTreeMap<String, String>,
    /// Zone files.
    pub zone: Vec<FixtureZone>,
    /// What SES says about the identity, when the scenario involves SES.
    pub ses: Option<FixtureSes>,
    /// DNSSEC trust anchors (DS or DNSKEY records), relative to the
    /// `fixtures/` directory, as `--trust-anchor` gives them.
    pub trust_anchor_file: Option<String>,
    /// The directory `public_key_file` is relative to.
    #[serde(skip)]
    pub base: PathBuf,
}

/// The `[setup]` table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureSetup {
    /// The sending domain.
    pub domain: String,
    /// SES region.
    pub region: String,
    /// DKIM selector.
    pub selector: String,
    /// The public key file, relative to the `fixtures/` directory.
    pub public_key_file: Option<String>,
    /// MAIL FROM label or name.
    pub mail_from: Option<String>,
    /// From addresses.
    #[serde(default)]
    pub from: Vec<String>,
    /// RFC 3339 submission time.
    pub submitted_at: Option<String>,
    /// Force this DNS provider's advice (`registrar` in the file).
    #[serde(rename = "registrar")]
    pub provider: Option<String>,
}

/// One `[[zone]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureZone {
    /// Zone file text (with `$ORIGIN`).
    #[serde(default)]
    pub text: String,
    /// Or a zone file, relative to the `fixtures/` directory (a signed zone
    /// made by dnssec-signzone).
    pub file: Option<String>,
}

/// The `[ses]` table: SES statuses (`dkim`, `mail_from`, SESv2 spellings), or a
/// whole `GetEmailIdentity` answer (`state` inline, or `state_file` relative to the
/// `fixtures/` directory), or what asking SES gave instead (`not_found`, `failed`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureSes {
    /// DKIM status, e.g. `PENDING`.
    pub dkim: Option<String>,
    /// MAIL FROM status, e.g. `SUCCESS`.
    pub mail_from: Option<String>,
    /// A `GetEmailIdentity` answer as JSON.
    pub state: Option<String>,
    /// A file holding such an answer.
    pub state_file: Option<String>,
    /// SES does not know the identity: its message.
    pub not_found: Option<String>,
    /// SES could not be asked: what went wrong.
    pub failed: Option<String>,
}

impl FixtureSes {
    fn status(s: Option<&String>, what: &'static str) -> Result<Option<SesStatus>, FixtureError> {
        s.map(|s| s.parse::<SesStatus>().map_err(|_| FixtureError::SesStatus { what, value: s.clone() }))
            .transpose()
    }

    fn lookup(&self, base: &Path) -> Result<Option<SesLookup>, FixtureError> {
        let json = match (&self.state, &self.state_file) {
            (Some(text), _) => Some(text.clone()),
            (None, Some(file)) => Some(read_text(&base.join(file), InputKind::SesState)?),
            (None, None) => None,
        };
        Ok(match (json, &self.not_found, &self.failed) {
            // `.into()`: the variant holds the identity itself or a box of it.
            #[allow(clippy::useless_conversion)]
            (Some(text), _, _) => Some(SesLookup::Found(SesIdentity::from_json(&text)?.into())),
            (None, Some(m), _) => Some(SesLookup::NotFound { message: m.clone() }),
            (None, None, Some(m)) => Some(SesLookup::Failed { message: m.clone() }),
            (None, None, None) => None,
        })
    }
}

/// The directory key files are relative to: the nearest ancestor of `path`
/// named `fixtures`, else the file's own directory.
fn base_dir(path: &Path) -> PathBuf {
    path.ancestors()
        .skip(1)
        .find(|p| p.file_name().is_some_and(|n| n == "fixtures"))
        .or_else(|| path.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default()
}

impl Fixture {
    /// Reads a fixture file; `public_key_file` resolves against the nearest
    /// enclosing `fixtures/` directory.
    pub fn load(path: &Path) -> Result<Fixture, FixtureError> {
        let text = read_text(path, InputKind::Rules)?;
        let mut fixture: Fixture = toml::from_str(&text)
            .map_err(|source| FixtureError::Toml { path: path.to_path_buf(), source })?;
        fixture.base = base_dir(path);
        Ok(fixture)
    }

    /// The setup as the engine takes it.
    pub fn setup(&self) -> Result<Setup, FixtureError> {
        let s = &self.setup;
        let domain = DomainName::parse(&s.domain)?;
        let mut setup = Setup::new(domain, &s.region, &s.selector)?;
        if let Some(m) = &s.mail_from {
            setup = setup.with_mail_from(m)?;
        }
        if let Some(file) = &s.public_key_file {
            let text = read_text(&self.base.join(file), InputKind::PublicKey)?;
            let key =
                PublicKey::parse(&text).map_err(|source| FixtureError::Key { file: file.clone(), source })?;
            setup = setup.with_public_key(key);
        }
        if let Some(t) = &s.submitted_at {
            setup = setup.with_submitted_at(t)?;
        }
        Ok(setup.with_from_addresses(s.from.clone()))
    }

    /// The zones as a lookup source.
    pub fn zones(&self, name: &str) -> Result<ZoneSource, FixtureError> {
        let mut source = ZoneSource::default();
        for (i, z) in self.zone.iter().enumerate() {
            let zone_name = format!("{name}#zone{i}");
            let one = match &z.file {
                Some(file) => {
                    let text = read_text(&self.base.join(file), InputKind::Zone)?;
                    ZoneSource::from_text(file, &text, None).map_err(FixtureError::zone)?
                }
                None => ZoneSource::from_text(&zone_name, &z.text, None).map_err(FixtureError::zone)?,
            };
            source.add(one);
        }
        Ok(source)
    }

    /// The DNSSEC trust anchors of `trust_anchor_file`; `None`: the built-in root's.
    pub fn trust_anchors(&self) -> Result<Option<std::sync::Arc<crate::TrustAnchors>>, FixtureError> {
        let Some(file) = &self.trust_anchor_file else { return Ok(None) };
        let anchors = crate::TrustAnchors::from_file(&self.base.join(file))
            .map_err(|e| FixtureError::Zone(format!("{:?}", miette::Report::new(e))))?;
        Ok(Some(std::sync::Arc::new(anchors)))
    }

    /// Runs the check the fixture describes, at [`FIXTURE_NOW`].
    pub fn run(&self, name: &str, rules: &RuleSet) -> Result<DomainReport, FixtureError> {
        let setup = self.setup()?;
        let zones = self.zones(name)?;
        let mut opts = CheckOptions {
            now: fixture_now(),
            provider: self.setup.provider.clone(),
            ..CheckOptions::default()
        };
        opts.trust_anchors = self.trust_anchors()?;
        if let Some(ses) = &self.ses {
            opts.ses = SesState {
                dkim: FixtureSes::status(ses.dkim.as_ref(), "dkim")?,
                mail_from: FixtureSes::status(ses.mail_from.as_ref(), "mail_from")?,
            };
            opts.ses_lookup = ses.lookup(&self.base)?;
        }
        let rt = tokio::runtime::Builder::new_current_thread().build()?;
        Ok(rt.block_on(crate::check(&setup, &zones, rules, &opts)))
    }
}

/// What a fixture's snapshot holds: the scenario, the human rendering and the JSON.
pub fn snapshot_text(fixture: &Fixture, report: &DomainReport) -> String {
    let json = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("<json error: {e}>"));
    format!(
        "{}\n\n── human ──────────────────────────────────────────────\n{}\n── json ───────────────────────────────────────────────\n{}\n",
        fixture.description,
        crate::render_domain(report, RenderOptions::plain()),
        json
    )
}

/// The codes a report differs from a fixture by: `(expected but not reported,
/// reported but not expected)`, each sorted.
pub fn code_diff(fixture: &Fixture, report: &DomainReport) -> (Vec<String>, Vec<String>) {
    let mut got: Vec<&str> = report.codes();
    got.sort_unstable();
    got.dedup();
    let mut want: Vec<&str> = fixture.expect.iter().map(String::as_str).collect();
    want.sort_unstable();
    want.dedup();
    let missing = want.iter().filter(|c| !got.contains(c)).map(|c| (*c).to_owned()).collect();
    let unexpected = got.iter().filter(|c| !want.contains(c)).map(|c| (*c).to_owned()).collect();
    (missing, unexpected)
}

/// Compares a report with the fixture's expectations; every difference, in words.
pub fn differences(fixture: &Fixture, report: &DomainReport) -> Vec<String> {
    let (missing, unexpected) = code_diff(fixture, report);
    let mut problems: Vec<String> = unexpected.iter().map(|c| format!("unexpected code {c}")).collect();
    problems.extend(missing.iter().map(|c| format!("expected code {c} was not reported")));
    for (role, badge) in &fixture.badges {
        match report.records.iter().find(|r| r.role.as_str() == role) {
            Some(r) if r.state.to_string() == *badge => {}
            Some(r) => problems.push(format!("{role}: badge {} but the fixture expects {badge}", r.state)),
            None => problems.push(format!("no record with role {role}")),
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_files_resolve_against_the_enclosing_fixtures_directory() {
        assert_eq!(base_dir(Path::new("/r/fixtures/providers/x/a.toml")), Path::new("/r/fixtures"));
        assert_eq!(base_dir(Path::new("/my-rules/fixtures/a.toml")), Path::new("/my-rules/fixtures"));
        assert_eq!(base_dir(Path::new("/elsewhere/a.toml")), Path::new("/elsewhere"));
    }
}
