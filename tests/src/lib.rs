//! The fixture harness: a fixture is a domain setup, the zone text as the DNS
//! provider serves it, and the exact set of diagnosis codes expected.
//!
//! ```toml
//! description = "The quotes were typed into the DKIM value."
//! expect = ["dkim.quoted-value"]      # exact set: any other code fails the test
//!
//! [setup]                             # the flags of `sendlint check`
//! domain = "mail.acme.test"
//! region = "us-east-1"
//! selector = "sf1"
//! public_key_file = "keys/sf1-2048.b64"   # relative to fixtures/
//! mail_from = "send"                  # optional
//! from = ["news@mail.acme.test"]      # optional
//! submitted_at = "2026-11-24T10:00:00Z"   # optional
//! registrar = "cloudflare"            # optional: force a provider's advice
//!
//! [badges]                            # optional: expected badge per role
//! dkim = "Failed"
//!
//! [[zone]]                            # one or more zone files, served offline
//! text = '''
//! $ORIGIN acme.test.
//! …
//! '''
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use sendlint::{CheckOptions, DomainReport, RenderOptions};
use sendlint_dns::ZoneSource;
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_rules::RuleSet;
use sendlint_ses::Setup;
use serde::Deserialize;

/// "Now" for every fixture, so the 72-hour window is reproducible.
pub const FIXTURE_NOW: &str = "2026-11-26T06:00:00Z";

/// The workspace's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
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
    /// The public key file, relative to `fixtures/`.
    pub public_key_file: Option<String>,
    /// MAIL FROM label or name.
    pub mail_from: Option<String>,
    /// From addresses.
    #[serde(default)]
    pub from: Vec<String>,
    /// RFC 3339 submission time.
    pub submitted_at: Option<String>,
    /// Force this provider's advice.
    pub registrar: Option<String>,
}

/// One `[[zone]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixtureZone {
    /// Zone file text (with `$ORIGIN`).
    pub text: String,
}

impl Fixture {
    /// Reads a fixture file.
    pub fn load(path: &Path) -> Result<Fixture, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The setup as the engine takes it.
    pub fn setup(&self) -> Result<Setup, String> {
        let s = &self.setup;
        let domain = DomainName::parse(&s.domain).map_err(|e| e.to_string())?;
        let mut setup = Setup::new(domain, &s.region, &s.selector).map_err(|e| e.to_string())?;
        if let Some(m) = &s.mail_from {
            setup = setup.with_mail_from(m).map_err(|e| e.to_string())?;
        }
        if let Some(file) = &s.public_key_file {
            let text =
                std::fs::read_to_string(fixtures_dir().join(file)).map_err(|e| format!("{file}: {e}"))?;
            setup = setup.with_public_key(PublicKey::parse(&text).map_err(|e| format!("{file}: {e}"))?);
        }
        if let Some(t) = &s.submitted_at {
            setup = setup.with_submitted_at(t).map_err(|e| e.to_string())?;
        }
        Ok(setup.with_from_addresses(s.from.clone()))
    }

    /// The zones as a lookup source.
    pub fn zones(&self, name: &str) -> Result<ZoneSource, String> {
        let mut source = ZoneSource::default();
        for (i, z) in self.zone.iter().enumerate() {
            let zone_name = format!("{name}#zone{i}");
            let one = ZoneSource::from_text(&zone_name, &z.text, None)
                .map_err(|e| format!("{:?}", miette::Report::new(e)))?;
            source.add(one);
        }
        Ok(source)
    }

    /// Runs the check the fixture describes.
    pub fn run(&self, name: &str, rules: &RuleSet) -> Result<DomainReport, String> {
        let setup = self.setup()?;
        let zones = self.zones(name)?;
        let opts = CheckOptions {
            now: fixture_now(),
            registrar: self.setup.registrar.clone(),
            ..CheckOptions::default()
        };
        let rt = tokio::runtime::Builder::new_current_thread().build().map_err(|e| e.to_string())?;
        Ok(rt.block_on(sendlint::check(&setup, &zones, rules, &opts)))
    }
}

/// [`FIXTURE_NOW`] as a time.
pub fn fixture_now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(FIXTURE_NOW_SECS)
}

/// [`FIXTURE_NOW`] in seconds since the epoch (checked by a test).
pub const FIXTURE_NOW_SECS: u64 = 1_795_672_800;

/// What a fixture's snapshot holds: the scenario, the human rendering and the JSON.
pub fn snapshot_text(fixture: &Fixture, report: &DomainReport) -> String {
    let json = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("<json error: {e}>"));
    format!(
        "{}\n\n── human ──────────────────────────────────────────────\n{}\n── json ───────────────────────────────────────────────\n{}\n",
        fixture.description,
        sendlint::render_domain(report, RenderOptions::plain()),
        json
    )
}

/// Compares a report with the fixture's expectations; every difference, in words.
pub fn differences(fixture: &Fixture, report: &DomainReport) -> Vec<String> {
    let mut problems = Vec::new();
    let mut got: Vec<&str> = report.codes();
    got.sort_unstable();
    got.dedup();
    let mut want: Vec<&str> = fixture.expect.iter().map(String::as_str).collect();
    want.sort_unstable();
    for code in &got {
        if !want.contains(code) {
            problems.push(format!("unexpected code {code}"));
        }
    }
    for code in &want {
        if !got.contains(code) {
            problems.push(format!("expected code {code} was not reported"));
        }
    }
    for (role, badge) in &fixture.badges {
        match report.records.iter().find(|r| r.role.as_str() == role) {
            Some(r) if r.state.to_string() == *badge => {}
            Some(r) => problems.push(format!("{role}: badge {} but the fixture expects {badge}", r.state)),
            None => problems.push(format!("no record with role {role}")),
        }
    }
    problems
}
