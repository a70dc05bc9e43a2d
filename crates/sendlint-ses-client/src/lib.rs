//! Asks SES for a domain identity (`GetEmailIdentity`, aws-sdk-sesv2) and turns
//! the answer into [`SesLookup`].
//!
//! Lean on purpose: no `aws-config` (credentials and region come from the
//! standard environment variables, read here), rustls with ring for HTTPS,
//! plain HTTP allowed for a local endpoint (`--ses-endpoint`, tests).
//!
//! Nothing here panics on what SES or the environment says: every failure is a
//! [`SesLookup::Failed`] with one sentence for people ([`error_sentence`]), and
//! a missing identity is [`SesLookup::NotFound`].
//!
//! Nothing here waits for ever either: every call has deadlines
//! ([`SesConfig::timeout`], `--ses-timeout`): connecting, the answer's headers,
//! and the whole call with its retries (an endpoint that accepts and never
//! answers, or answers one byte a second, ends as a failed call).

use std::time::{Duration, SystemTime};

use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::config::timeout::TimeoutConfig;
use aws_sdk_sesv2::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
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
    /// The deadline of one whole call, retries included ([`SesConfig::DEFAULT_TIMEOUT`];
    /// `--ses-timeout`). Connecting and waiting for an answer's headers have
    /// shorter deadlines of their own ([`SesConfig::timeouts`]).
    pub timeout: Duration,
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
            timeout: SesConfig::DEFAULT_TIMEOUT,
        }
    }

    /// The default deadline of a whole call: 10 seconds.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
    /// Connecting (TCP and TLS) gives up after 3 seconds, or `timeout` if shorter.
    pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
    /// The answer's status line and headers must arrive within 5 seconds of
    /// sending the request, or `timeout` if shorter.
    pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

    /// The SDK's deadlines: connect, read (until the answer's headers), each
    /// attempt and the whole operation (retries and the body included).
    pub fn timeouts(&self) -> TimeoutConfig {
        let total = self.timeout.max(Duration::from_millis(1));
        TimeoutConfig::builder()
            .connect_timeout(SesConfig::CONNECT_TIMEOUT.min(total))
            .read_timeout(SesConfig::READ_TIMEOUT.min(total))
            .operation_attempt_timeout(total)
            .operation_timeout(total)
            .build()
    }

    /// Who is asked, for messages: `SES (us-east-1)` or `SES (us-east-1) at URL`.
    fn target(&self) -> String {
        match &self.endpoint {
            Some(url) => format!("SES ({}) at {url}", self.region),
            None => format!("SES ({})", self.region),
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
        .timeout_config(config.timeouts())
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
        Ok(out) => {
            let identity = identity_of(&out);
            match identity.unknown_status() {
                // A status we cannot place would be a guess at the badges: SES
                // counts as not read, and the badges stay DNS-only.
                Some((at, value)) => SesLookup::Failed {
                    message: format!(
                        "{} answered {at} {value:?}, which is not an SESv2 verification status (NOT_STARTED, PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE)",
                        config.target()
                    ),
                },
                None => SesLookup::Found(Box::new(identity)),
            }
        }
        Err(SdkError::ServiceError(err))
            if err.err().is_not_found_exception() && !(200..300).contains(&err.raw().status().as_u16()) =>
        {
            let what = safe(err.err().message().unwrap_or("no message"));
            SesLookup::NotFound {
                message: format!(
                    "SES ({}, from {}) answered NotFoundException: {what}",
                    config.region, config.region_source
                ),
            }
        }
        Err(err) => SesLookup::Failed { message: error_sentence(&err, config) },
    }
}

/// One sentence for people about a failed SES call: what SES answered (status,
/// error code, its message and a hint), or why there was no usable answer (a
/// deadline passed, the connection failed, the answer could not be read).
/// Never the SDK's debug dump.
pub fn error_sentence<E>(
    err: &SdkError<E, aws_sdk_sesv2::config::http::HttpResponse>,
    config: &SesConfig,
) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let target = config.target();
    match err {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let e = service.err();
            if (200..300).contains(&status) {
                // A success status whose body did not deserialize.
                return format!(
                    "{target} answered {status}, but the answer could not be read: {}",
                    root_cause(e)
                );
            }
            let code = safe(e.code().unwrap_or("an unnamed error"));
            let what = safe(e.message().map(|m| m.trim().trim_end_matches('.')).unwrap_or("no message"));
            let hint = match status {
                401 | 403 => " (check the AWS credentials and that they allow ses:GetEmailIdentity)",
                429 => " (still throttled after retrying)",
                _ => "",
            };
            format!("{target} answered {status} {code}: {what}{hint}")
        }
        SdkError::TimeoutError(_) => format!(
            "{target} did not answer within {} (the deadline of --ses-timeout)",
            seconds(config.timeout)
        ),
        SdkError::DispatchFailure(failure) if failure.is_timeout() => {
            let cause = root_cause(err);
            if cause.contains("connect") {
                format!(
                    "could not connect to {target} within {}",
                    seconds(SesConfig::CONNECT_TIMEOUT.min(config.timeout))
                )
            } else {
                format!(
                    "{target} accepted the request but sent no answer within {}",
                    seconds(SesConfig::READ_TIMEOUT.min(config.timeout))
                )
            }
        }
        SdkError::DispatchFailure(_) => format!("could not reach {target}: {}", root_cause(err)),
        SdkError::ResponseError(_) => format!("{target}'s answer could not be read: {}", root_cause(err)),
        SdkError::ConstructionFailure(_) => {
            format!("could not build the request to {target}: {}", root_cause(err))
        }
        _ => format!("the call to {target} failed: {}", root_cause(err)),
    }
}

/// The innermost error's words, without the OS error number: `Connection refused`.
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let text = cause.to_string();
    let text = match text.find(" (os error") {
        Some(i) => &text[..i],
        None => &text,
    };
    safe(text.trim().trim_end_matches('.'))
}

/// Text from SES or the network, with control bytes escaped (`\xNN`): it ends
/// up on a terminal.
fn safe(text: &str) -> String {
    sendlint_records::display::escape(text.as_bytes()).text
}

/// `2 s`, `1.5 s`, `500 ms`.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else if d < Duration::from_secs(1) {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
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
