//! Asks SES for a domain identity (`GetEmailIdentity`, aws-sdk-sesv2) and turns
//! the answer into [`SesLookup`].
//!
//! Lean on purpose: no `aws-config` (credentials and region come from the
//! standard environment variables, read here), rustls with ring for HTTPS,
//! plain HTTP allowed for a local endpoint (`--ses-endpoint`, tests).
//!
//! Nothing here panics on what SES or the environment says: every failure is a
//! [`SesLookup::Failed`] with a message for people, and a missing identity is
//! [`SesLookup::NotFound`].

use std::time::{Duration, SystemTime};

use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sesv2::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::operation::get_email_identity::GetEmailIdentityOutput;
use aws_smithy_http_client::tls;
use sendlint_ses::{DkimAttributes, MailFromAttributes, SesIdentity, SesLookup, SoaRecord, VerificationInfo};

/// How to reach SES: region, credentials, endpoint and retry policy.
#[derive(Clone, Debug)]
pub struct SesConfig {
    /// The region to ask, e.g. `us-east-1`.
    pub region: String,
    /// Where the region came from, for messages (`AWS_REGION`, `--region`, …).
    pub region_source: &'static str,
    /// A local or non-default endpoint, e.g. `http://127.0.0.1:4566`.
    pub endpoint: Option<String>,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
    pub credentials: Option<(String, String, Option<String>)>,
    /// Attempts per call, the first included (throttling and 5xx are retried).
    pub max_attempts: u32,
    /// The first retry's backoff; later ones grow exponentially, with jitter.
    pub initial_backoff: Duration,
}

impl SesConfig {
    /// Reads the standard AWS environment variables: `AWS_REGION` (else
    /// `AWS_DEFAULT_REGION`, else `fallback_region`, the setup's region),
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
    pub fn from_env(fallback_region: &str, endpoint: Option<String>) -> SesConfig {
        let var =
            |name: &str| std::env::var(name).ok().map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
        let (region, region_source) = match (var("AWS_REGION"), var("AWS_DEFAULT_REGION")) {
            (Some(r), _) => (r, "AWS_REGION"),
            (None, Some(r)) => (r, "AWS_DEFAULT_REGION"),
            (None, None) => (fallback_region.to_owned(), "--region"),
        };
        let credentials = match (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY")) {
            (Some(id), Some(secret)) => Some((id, secret, var("AWS_SESSION_TOKEN"))),
            _ => None,
        };
        SesConfig {
            region,
            region_source,
            endpoint,
            credentials,
            max_attempts: 3,
            initial_backoff: Duration::from_secs(1),
        }
    }
}

/// Asks SES for `identity` (a domain such as `mail.acme.com`).
pub async fn get_email_identity(config: &SesConfig, identity: &str) -> SesLookup {
    let Some((id, secret, token)) = &config.credentials else {
        return SesLookup::Failed {
            message: "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials)".into(),
        };
    };
    let http = aws_smithy_http_client::Builder::new()
        .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
        .build_https();
    let mut builder = aws_sdk_sesv2::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(config.region.clone()))
        .credentials_provider(Credentials::new(id, secret, token.clone(), None, "environment"))
        .http_client(http)
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(config.max_attempts.max(1))
                .with_initial_backoff(config.initial_backoff),
        );
    if let Some(endpoint) = &config.endpoint {
        builder = builder.endpoint_url(endpoint);
    }
    let client = aws_sdk_sesv2::Client::from_conf(builder.build());
    match client.get_email_identity().email_identity(identity).send().await {
        Ok(out) => SesLookup::Found(Box::new(identity_of(&out))),
        Err(SdkError::ServiceError(err)) => {
            let status = err.raw().status().as_u16();
            let e = err.err();
            let what = e.message().unwrap_or("no message");
            if (200..300).contains(&status) {
                // A success status whose body did not deserialize.
                SesLookup::Failed {
                    message: format!("SES's answer could not be read: {}", DisplayErrorContext(e)),
                }
            } else if e.is_not_found_exception() {
                SesLookup::NotFound {
                    message: format!(
                        "SES ({}, from {}) answered NotFoundException: {what}",
                        config.region, config.region_source
                    ),
                }
            } else {
                let code = e.code().unwrap_or("an unnamed error");
                let hint = match status {
                    401 | 403 => " (check the AWS credentials and that they allow ses:GetEmailIdentity)",
                    429 => " (still throttled after retrying)",
                    _ => "",
                };
                SesLookup::Failed { message: format!("SES answered {status} {code}: {what}{hint}") }
            }
        }
        Err(err @ SdkError::ResponseError(_)) => SesLookup::Failed {
            message: format!("SES's answer could not be read: {}", DisplayErrorContext(&err)),
        },
        Err(err) => SesLookup::Failed {
            message: format!("could not reach SES in {}: {}", config.region, DisplayErrorContext(&err)),
        },
    }
}

fn time(t: Option<&aws_sdk_sesv2::primitives::DateTime>) -> Option<SystemTime> {
    t.and_then(|t| SystemTime::try_from(*t).ok())
}

fn identity_of(out: &GetEmailIdentityOutput) -> SesIdentity {
    SesIdentity {
        verification_status: out.verification_status().map(|s| s.as_str().to_owned()),
        dkim: out.dkim_attributes().map(|d| DkimAttributes {
            signing_enabled: Some(d.signing_enabled()),
            status: d.status().map(|s| s.as_str().to_owned()),
            tokens: d.tokens().to_vec(),
            signing_attributes_origin: d.signing_attributes_origin().map(|o| o.as_str().to_owned()),
        }),
        mail_from: out.mail_from_attributes().map(|m| MailFromAttributes {
            mail_from_domain: m.mail_from_domain().to_owned(),
            status: Some(m.mail_from_domain_status().as_str().to_owned()),
            behavior_on_mx_failure: Some(m.behavior_on_mx_failure().as_str().to_owned()),
        }),
        verification_info: out.verification_info().map(|v| VerificationInfo {
            error_type: v.error_type().map(|e| e.as_str().to_owned()),
            soa: v.soa_record().map(|s| SoaRecord {
                primary_name_server: s.primary_name_server().map(str::to_owned),
                admin_email: s.admin_email().map(str::to_owned),
                serial_number: Some(s.serial_number()),
            }),
            last_checked: time(v.last_checked_timestamp()),
            last_success: time(v.last_success_timestamp()),
        }),
    }
}
