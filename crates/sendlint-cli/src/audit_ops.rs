//! The operations flags of `audit`: `--ses` (live SES state for every entry)
//! and `--baseline` / `--fail-on` (what changed since an earlier audit).

use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use miette::{IntoDiagnostic, WrapErr, miette};
use sendlint::audit::baseline::Baseline;
use sendlint::audit::ses::{SesGate, SesLimits, SesSource};
use sendlint_dns::BoxFuture;
use sendlint_ses::SesLookup;
use sendlint_ses_client::{SesConfig, SesSession};

/// `audit --ses …`.
#[derive(Args, Debug)]
pub(crate) struct AuditSesArgs {
    /// Ask SES (GetEmailIdentity) about every entry, in the entry's region. Credentials
    /// come from the AWS default chain (environment, --profile/AWS_PROFILE, SSO, web
    /// identity, ECS, EC2 instance metadata). Replaces the manifest's `ses` blocks.
    #[arg(long)]
    ses: bool,
    /// The AWS profile for --ses (default: AWS_PROFILE, else `default`).
    #[arg(long, value_name = "NAME", requires = "ses")]
    profile: Option<String>,
    /// Send the SES requests of --ses to this endpoint instead of AWS's.
    #[arg(long, value_name = "URL", requires = "ses")]
    ses_endpoint: Option<String>,
    /// Most SES calls started per second, per region (keep it under the account's SES API quota).
    #[arg(long, value_name = "N", default_value_t = 1.0, requires = "ses", value_parser = parse_rate)]
    ses_rate: f64,
    /// Most SES calls in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, requires = "ses", value_parser = clap::value_parser!(u16).range(1..))]
    ses_jobs: u16,
    /// Give up on one SES call after this long, retries included (connecting: 3s at
    /// most; the answer's headers: 5s at most); that entry is then `ses.unavailable`.
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = crate::ses::parse_ses_timeout, requires = "ses")]
    ses_timeout: std::time::Duration,
}

fn parse_rate(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(q) if q.is_finite() && q > 0.0 => Ok(q),
        _ => Err(format!("{s:?} is not a positive number of calls per second")),
    }
}

/// The live client behind the audit's [`SesGate`].
struct LiveSes(SesSession);

impl SesSource for LiveSes {
    fn get<'a>(&'a self, region: &'a str, identity: &'a str) -> BoxFuture<'a, SesLookup> {
        Box::pin(self.0.get(Some(region), identity))
    }

    fn is_throttled(&self, lookup: &SesLookup) -> bool {
        sendlint_ses_client::is_throttled(lookup)
    }
}

impl AuditSesArgs {
    /// `--ses`: SES is asked live.
    pub(crate) fn live(&self) -> bool {
        self.ses
    }

    /// The SDK session behind the gate; reached only in `sendlint-full` (crate::linked).
    pub(crate) fn live_gate(&self, rt: &tokio::runtime::Runtime) -> miette::Result<Arc<SesGate>> {
        let config = SesConfig {
            region: "us-east-1".into(),
            region_source: "the manifest entry",
            // each entry names its region
            use_region_chain: false,
            profile: self.profile.clone(),
            endpoint: self.ses_endpoint.clone(),
            credentials: None,
            max_attempts: 3,
            initial_backoff: std::time::Duration::from_secs(1),
            timeout: self.ses_timeout,
        };
        let session = rt.block_on(SesSession::connect(&config)).map_err(|m| miette!("--ses: {m}"))?;
        let limits = SesLimits {
            in_flight: usize::from(self.ses_jobs),
            per_second: self.ses_rate,
            ..SesLimits::default()
        };
        Ok(Arc::new(SesGate::new(Arc::new(LiveSes(session)), limits)))
    }
}

/// When the exit status says "failed".
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FailOn {
    /// Exit 1 when any domain regressed since --baseline, else 0.
    Regression,
}

/// `audit --baseline …`.
#[derive(Args, Debug)]
pub(crate) struct BaselineArgs {
    /// Compare with an earlier `audit --format json` output (JSON Lines): per domain, the
    /// badges and codes that changed, and a summary of regressions, fixes, new and removed domains.
    #[arg(long, value_name = "PREVIOUS.jsonl")]
    baseline: Option<PathBuf>,
    /// Exit status: with `regression`, 1 when anything regressed since --baseline, else 0
    /// (2 still means bad input).
    #[arg(long, value_enum, value_name = "WHAT", requires = "baseline")]
    pub(crate) fail_on: Option<FailOn>,
}

impl BaselineArgs {
    /// The earlier audit, read.
    pub(crate) fn load(&self) -> miette::Result<Option<Baseline>> {
        let Some(path) = &self.baseline else { return Ok(None) };
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot read the baseline {name}"))?;
        Baseline::parse(&name, &text).map(Some).map_err(|e| miette!("--baseline: {e}"))
    }
}
