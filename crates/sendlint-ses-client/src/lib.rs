//! Asks SES for a domain identity (`GetEmailIdentity`, aws-sdk-sesv2) and turns
//! the answer into [`SesLookup`].
//!
//! Credentials and region come from aws-config's default chain, the way every
//! AWS tool finds them: environment variables, the shared config and
//! credentials files (`--profile` / `AWS_PROFILE`), SSO, web identity (EKS),
//! ECS container credentials and EC2 instance metadata. Every HTTP call (SES
//! and the credential providers) goes through one rustls-on-ring client; plain
//! HTTP is allowed for a local endpoint (`--ses-endpoint`, tests). That client
//! resolves host names with hickory-resolver, never the C library's NSS (the
//! [`dns`] module: the static binaries of the container image have no NSS
//! libraries), and trusts the system's CA certificates (`SSL_CERT_FILE`, else
//! `/etc/ssl/certs/ca-certificates.crt` and the other usual places).
//!
//! Nothing here panics on what SES or the environment says: every failure is a
//! [`SesLookup::Failed`] with one sentence for people ([`error_sentence`]), and
//! a missing identity is [`SesLookup::NotFound`].
//!
//! Nothing here waits for ever either: every call has deadlines
//! ([`SesConfig::timeout`], `--ses-timeout`): connecting, the answer's headers,
//! and the whole call with its retries (an endpoint that accepts and never
//! answers, or answers one byte a second, ends as a failed call).

use std::collections::HashMap;
use std::error::Error as _;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sesv2::config::retry::RetryConfig;
use aws_sdk_sesv2::config::timeout::TimeoutConfig;
use aws_sdk_sesv2::config::{Credentials, ProvideCredentials, Region};
use aws_sdk_sesv2::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sesv2::operation::get_email_identity::GetEmailIdentityOutput;
use aws_smithy_http_client::tls;
use sendlint_ses::{DkimAttributes, MailFromAttributes, SesIdentity, SesLookup, SoaRecord, VerificationInfo};

pub mod dns;

/// How to reach SES: region, credentials, endpoint and retry policy.
#[derive(Clone, Debug)]
pub struct SesConfig {
    /// The region to ask when the AWS region chain names none (or always,
    /// without `use_region_chain`), e.g. `us-east-1`.
    pub region: String,
    /// Where `region` came from, for messages (`--region`, `the manifest`, …).
    pub region_source: &'static str,
    /// Ask the AWS region chain first (`AWS_REGION`, `AWS_DEFAULT_REGION`, the
    /// profile's `region`, instance metadata); `region` is then the fallback.
    pub use_region_chain: bool,
    /// The profile of the shared config files; `None`: `AWS_PROFILE`, else `default`.
    pub profile: Option<String>,
    /// A local or non-default endpoint, e.g. `http://127.0.0.1:4566`.
    pub endpoint: Option<String>,
    /// Fixed credentials `(key id, secret, session token)`; `None`: the default chain.
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
    /// The default chain for credentials and region; `fallback_region` (the
    /// setup's region) when the chain names no region.
    pub fn from_env(fallback_region: &str, endpoint: Option<String>) -> SesConfig {
        SesConfig {
            region: fallback_region.to_owned(),
            region_source: "--region",
            use_region_chain: true,
            profile: None,
            endpoint,
            credentials: None,
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
}

/// Who is asked, for messages: `SES (us-east-1)` or `SES (us-east-1) at URL`.
fn target(region: &str, endpoint: Option<&str>) -> String {
    match endpoint {
        Some(url) => format!("SES ({region}) at {url}"),
        None => format!("SES ({region})"),
    }
}

/// A connection to SES: credentials resolved once, one client per region,
/// sharing the credentials cache and the HTTP client.
pub struct SesSession {
    sdk: SdkConfig,
    config: SesConfig,
    /// The region asked when none is given per call, and where it came from.
    default_region: (String, String),
    clients: Mutex<HashMap<String, aws_sdk_sesv2::Client>>,
}

impl std::fmt::Debug for SesSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SesSession").field("default_region", &self.default_region).finish_non_exhaustive()
    }
}

/// The sentence for "the chain found no credentials anywhere".
pub const NO_CREDENTIALS: &str = "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
name a profile with --profile or AWS_PROFILE, or run where an instance, container or web identity role provides them";

/// An error and its causes as one line, without repeats ("a: b: c"), so a
/// person reads one sentence rather than an SDK dump.
fn one_line(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(e) = next {
        let text = e.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = e.source();
    }
    parts.join(": ")
}

fn credentials_sentence(err: &CredentialsError) -> String {
    match err {
        CredentialsError::CredentialsNotLoaded(_) => NO_CREDENTIALS.to_owned(),
        CredentialsError::ProviderTimedOut(_) => {
            format!("the AWS credentials could not be loaded in time ({err})")
        }
        _ => match err.source() {
            Some(cause) => format!("the AWS credentials could not be loaded: {}", one_line(cause)),
            None => format!("the AWS credentials could not be loaded: {err}"),
        },
    }
}

impl SesSession {
    /// Loads the AWS configuration and resolves the credentials once: a
    /// failure is one sentence (no credentials anywhere, an expired SSO token,
    /// a profile that does not exist), said before any SES call.
    pub async fn connect(config: &SesConfig) -> Result<SesSession, String> {
        SesSession::connect_with(config, dns::HickoryDns::system()).await
    }

    /// [`SesSession::connect`] with host names resolved by `dns`.
    pub(crate) async fn connect_with(config: &SesConfig, dns: dns::HickoryDns) -> Result<SesSession, String> {
        // SES, STS, SSO and instance metadata: one client, one resolver
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::Ring))
            .build_with_resolver(dns);
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .timeout_config(config.timeouts());
        if let Some(profile) = &config.profile {
            loader = loader.profile_name(profile);
        }
        if !config.use_region_chain {
            loader = loader.region(Region::new(config.region.clone()));
        }
        if let Some((id, secret, token)) = &config.credentials {
            loader = loader.credentials_provider(Credentials::new(id, secret, token.clone(), None, "fixed"));
        }
        let sdk = loader.load().await;
        let Some(provider) = sdk.credentials_provider() else {
            return Err(NO_CREDENTIALS.to_owned());
        };
        if let Err(err) = provider.provide_credentials().await {
            return Err(credentials_sentence(&err));
        }
        let default_region = match sdk.region() {
            Some(r) if config.use_region_chain => {
                let env = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
                let source = if env("AWS_REGION").is_some() {
                    "AWS_REGION"
                } else if env("AWS_DEFAULT_REGION").is_some() {
                    "AWS_DEFAULT_REGION"
                } else {
                    "the AWS profile or instance metadata"
                };
                (r.to_string(), source.to_owned())
            }
            _ => (config.region.clone(), config.region_source.to_owned()),
        };
        Ok(SesSession { sdk, config: config.clone(), default_region, clients: Mutex::new(HashMap::new()) })
    }

    /// The region asked when a call names none.
    pub fn default_region(&self) -> &str {
        &self.default_region.0
    }

    fn client(&self, region: &str) -> aws_sdk_sesv2::Client {
        let build = || {
            let mut builder = aws_sdk_sesv2::config::Builder::from(&self.sdk)
                .region(Region::new(region.to_owned()))
                .retry_config(
                    RetryConfig::standard()
                        .with_max_attempts(self.config.max_attempts.max(1))
                        .with_initial_backoff(self.config.initial_backoff),
                );
            if let Some(endpoint) = &self.config.endpoint {
                builder = builder.endpoint_url(endpoint);
            }
            aws_sdk_sesv2::Client::from_conf(builder.build())
        };
        match self.clients.lock() {
            Ok(mut clients) => clients.entry(region.to_owned()).or_insert_with(build).clone(),
            Err(_) => build(),
        }
    }

    /// Asks SES for `identity` in `region` (`None`: the session's default region).
    pub async fn get(&self, region: Option<&str>, identity: &str) -> SesLookup {
        let (region, source) = match region {
            Some(r) => (r, self.config.region_source),
            None => (self.default_region.0.as_str(), self.default_region.1.as_str()),
        };
        let client = self.client(region);
        let result = client.get_email_identity().email_identity(identity).send().await;
        lookup_of(result, region, source, &self.config)
    }
}

/// Asks SES for `identity` (a domain such as `mail.acme.com`).
pub async fn get_email_identity(config: &SesConfig, identity: &str) -> SesLookup {
    match SesSession::connect(config).await {
        Ok(session) => session.get(None, identity).await,
        Err(message) => SesLookup::Failed { message },
    }
}

/// Was this answer SES saying "slow down", even after the SDK's own retries?
pub fn is_throttled(lookup: &SesLookup) -> bool {
    matches!(lookup, SesLookup::Failed { message } if message.contains(THROTTLED))
}

const THROTTLED: &str = "(still throttled after retrying)";

fn lookup_of(
    result: Result<
        GetEmailIdentityOutput,
        SdkError<aws_sdk_sesv2::operation::get_email_identity::GetEmailIdentityError>,
    >,
    region: &str,
    region_source: &str,
    config: &SesConfig,
) -> SesLookup {
    match result {
        Ok(out) => {
            let identity = identity_of(&out);
            match identity.unknown_status() {
                // A status we cannot place would be a guess at the badges: SES
                // counts as not read, and the badges stay DNS-only.
                Some((at, value)) => SesLookup::Failed {
                    message: format!(
                        "{} answered {at} {value:?}, which is not an SESv2 verification status (NOT_STARTED, PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE)",
                        target(region, config.endpoint.as_deref())
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
                message: format!("SES ({region}, from {region_source}) answered NotFoundException: {what}"),
            }
        }
        Err(err) => SesLookup::Failed { message: error_sentence(&err, region, config) },
    }
}

/// One sentence for people about a failed SES call: what SES answered (status,
/// error code, its message and a hint), or why there was no usable answer (a
/// deadline passed, the connection failed, the answer could not be read).
/// Never the SDK's debug dump.
pub fn error_sentence<E>(
    err: &SdkError<E, aws_sdk_sesv2::config::http::HttpResponse>,
    region: &str,
    config: &SesConfig,
) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let target = target(region, config.endpoint.as_deref());
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
                429 => " (still throttled after retrying)", // contains THROTTLED
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

#[cfg(test)]
mod tests {
    use super::*;
    use sendlint_testdns::{Mode, TestServer};
    use sendlint_testses::{Reply, TestSes, identity_body};

    const ZONE: &str = "$ORIGIN ses.test.\n\
        @ 300 IN SOA ns.ses.test. admin.ses.test. 1 3600 600 86400 300\n\
        @ 300 IN NS ns\n\
        email 300 IN A 127.0.0.1\n";

    fn config(endpoint: String) -> SesConfig {
        SesConfig {
            region: "us-east-1".into(),
            region_source: "test",
            use_region_chain: false,
            profile: None,
            endpoint: Some(endpoint),
            credentials: Some((
                "AKIDEXAMPLE".into(),
                "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".into(),
                None,
            )),
            max_attempts: 1,
            initial_backoff: Duration::from_millis(1),
            timeout: SesConfig::DEFAULT_TIMEOUT,
        }
    }

    /// The endpoint's name is asked of hickory's resolver (here: a test DNS
    /// server, the only one that knows `email.ses.test`), not of getaddrinfo.
    #[tokio::test]
    async fn endpoint_names_are_resolved_by_hickory() {
        let ses = TestSes::start(vec![Reply::identity(identity_body(
            "mail.acme.test",
            "sf1",
            "SUCCESS",
            "SUCCESS",
        ))])
        .expect("SES server");
        let dns = TestServer::from_text(&[ZONE], Mode::Normal).expect("DNS server");
        let port = ses.endpoint().rsplit(':').next().unwrap_or_default().to_owned();
        let endpoint = format!("http://email.ses.test:{port}");
        let session = SesSession::connect_with(&config(endpoint), dns::HickoryDns::asking(dns.addr()))
            .await
            .expect("session");
        let lookup = session.get(None, "mail.acme.test").await;
        assert!(matches!(lookup, SesLookup::Found(_)), "{lookup:?}");
        assert_eq!(dns.asked("email.ses.test", "A"), 1, "{:?}", dns.questions());
        assert_eq!(dns.asked("email.ses.test", "AAAA"), 0, "AAAA only for a name without A records");
        assert_eq!(ses.requests().len(), 1);
    }

    /// A name that does not exist is one sentence naming it, not an SDK dump.
    #[tokio::test]
    async fn an_endpoint_name_that_does_not_exist_is_one_sentence() {
        let dns = TestServer::from_text(&[ZONE], Mode::Normal).expect("DNS server");
        let endpoint = "http://nowhere.ses.test:4566".to_owned();
        let session = SesSession::connect_with(&config(endpoint), dns::HickoryDns::asking(dns.addr()))
            .await
            .expect("session");
        let SesLookup::Failed { message } = session.get(None, "mail.acme.test").await else {
            panic!("a name without an address cannot be reached")
        };
        assert_eq!(
            message,
            "could not reach SES (us-east-1) at http://nowhere.ses.test:4566: \
             nowhere.ses.test does not exist in DNS (NXDOMAIN)"
        );
    }
}
