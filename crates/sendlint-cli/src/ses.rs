//! `--ses`, `--ses-state FILE`, `--ses-endpoint URL`: where the SES state of a
//! checked domain comes from.

use sendlint_records::display::terminal_safe;
use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use miette::{Diagnostic, IntoDiagnostic, NamedSource, SourceSpan, WrapErr};
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
    /// What SES says about `setup.domain`, or `None` when no SES flag was given.
    /// A saved file that cannot be read or parsed is an error (bad input); a
    /// live call that fails is a [`SesLookup::Failed`], reported with the DNS findings.
    pub(crate) async fn lookup(
        &self,
        setup: &Setup,
        region_given: bool,
    ) -> miette::Result<Option<SesLookup>> {
        if let Some(path) = &self.ses_state {
            let name = path.display().to_string();
            let text = std::fs::read_to_string(path)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot read the SES state file {name}"))?;
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
        if self.ses {
            let mut config =
                sendlint_ses_client::SesConfig::from_env(&setup.region, self.ses_endpoint.clone());
            config.profile = self.profile.clone();
            // An explicit --region names the identity's region, as a flag beats the environment in AWS tools.
            config.use_region_chain = !region_given;
            let domain = setup.domain.to_string();
            return Ok(Some(sendlint_ses_client::get_email_identity(&config, &domain).await));
        }
        Ok(None)
    }
}
