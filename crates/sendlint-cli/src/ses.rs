//! `--ses`, `--ses-state FILE`, `--ses-endpoint URL`: where the SES state of a
//! checked domain comes from.

use sendlint_records::display::terminal_safe;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use miette::{Diagnostic, NamedSource, SourceSpan};
use sendlint_ses::{SesIdentity, SesLookup, Setup};
use thiserror::Error;

/// The SES flags of `check` and `watch`.
#[derive(Args, Debug, Clone)]
pub(crate) struct SesArgs {
    /// Ask SES live (GetEmailIdentity). Credentials and region come from the AWS
    /// default chain: environment variables, the shared config and credentials files
    /// (--profile or AWS_PROFILE), SSO, web identity, ECS container credentials, EC2
    /// instance metadata. Region: AWS_REGION, AWS_DEFAULT_REGION, the profile's,
    /// the instance's, else us-east-1; a --region given on the command line wins.
    #[arg(long, conflicts_with = "ses_state")]
    ses: bool,
    /// The AWS profile of the shared config and credentials files for --ses (default: AWS_PROFILE, else `default`).
    #[arg(long, value_name = "NAME", requires = "ses")]
    profile: Option<String>,
    /// Read the SES state from a saved `aws sesv2 get-email-identity` answer (JSON).
    #[arg(long, value_name = "FILE")]
    ses_state: Option<PathBuf>,
    /// Send the SES requests of --ses to this endpoint instead of AWS's, e.g. http://127.0.0.1:4566.
    #[arg(long, value_name = "URL", requires = "ses")]
    ses_endpoint: Option<String>,
    /// Give up on SES after this long, retries included (connecting: 3s at most; the
    /// answer's headers: 5s at most); then the badges are from DNS alone and sending is not
    /// unlocked (`ses.unavailable`).
    #[arg(long, value_name = "DURATION", default_value = "10s", value_parser = parse_ses_timeout, requires = "ses")]
    ses_timeout: std::time::Duration,
}

pub(crate) fn parse_ses_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{e} (e.g. 10s, 30s, 1m)"))?;
    if d < std::time::Duration::from_millis(100) {
        return Err("the SES timeout must be at least 100ms".into());
    }
    Ok(d)
}

/// A saved GetEmailIdentity answer that is not one.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
#[diagnostic(
    code(sendlint::ses_state),
    help("save it with `aws sesv2 get-email-identity --email-identity DOMAIN --output json > FILE`")
)]
struct SesStateFileError {
    message: String,
    #[source_code]
    src: NamedSource<Arc<str>>,
    #[label("here")]
    at: SourceSpan,
}

impl SesArgs {
    /// SES is asked live (`--ses`) on every check.
    pub(crate) fn live(&self) -> bool {
        self.ses
    }

    /// What the saved GetEmailIdentity answer (`--ses-state FILE`) says, or
    /// `None` without one. A file that cannot be read or parsed is an error
    /// (bad input). `--ses` (live) is asked through [`crate::linked::ses_lookup`].
    pub(crate) fn saved(&self) -> miette::Result<Option<SesLookup>> {
        if let Some(path) = &self.ses_state {
            let name = path.display().to_string();
            let text = crate::read_input(path, sendlint_records::input::InputKind::SesState)?;
            return match SesIdentity::from_json(&text) {
                Ok(identity) => Ok(Some(SesLookup::Found(Box::new(identity)))),
                Err(e) => {
                    let offset = sendlint::manifest::offset_of(&text, e.line, e.column);
                    Err(SesStateFileError {
                        message: format!("{name} is not a GetEmailIdentity answer: {}", e.reason),
                        src: NamedSource::new(name, Arc::from(terminal_safe(&text).as_ref()))
                            .with_language("json"),
                        at: SourceSpan::from((offset, 0)),
                    }
                    .into())
                }
            };
        }
        Ok(None)
    }

    /// GetEmailIdentity through the SDK; reached only in `sendlint-full` (crate::linked).
    pub(crate) async fn live_lookup(&self, setup: &Setup, region_given: bool) -> SesLookup {
        {
            let mut config =
                sendlint_ses_client::SesConfig::from_env(&setup.region, self.ses_endpoint.clone());
            config.timeout = self.ses_timeout;
            config.profile = self.profile.clone();
            // An explicit --region names the identity's region, as a flag beats the environment in AWS tools.
            config.use_region_chain = !region_given;
            let domain = setup.domain.to_string();
            sendlint_ses_client::get_email_identity(&config, &domain).await
        }
    }
}
