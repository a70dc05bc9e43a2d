//! `sendlint serve`: wires the command line to the `sendlint-serve` crate.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use miette::{IntoDiagnostic, Report, WrapErr, miette};
use sendlint::ManifestIndex;
use sendlint_dns::BoxFuture;
use sendlint_rules::RuleSet;
use sendlint_serve::{Config, Limits, SesSource};
use sendlint_ses::{SesLookup, Setup};

use crate::DnsArgs;

#[derive(Args, Debug)]
pub(crate) struct ServeArgs {
    /// A workspace manifest: its domains are shown on the page and under
    /// /api/v1/domains, re-checked every --refresh.
    manifest: Option<PathBuf>,
    /// Where to listen. Anything but a loopback address needs --token.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: SocketAddr,
    #[command(flatten)]
    dns: DnsArgs,
    /// Ask SES live (GetEmailIdentity) for every check, with the credentials of
    /// the standard AWS environment variables.
    #[arg(long)]
    ses: bool,
    /// Send the SES requests of --ses to this endpoint instead of AWS's.
    #[arg(long, value_name = "URL", requires = "ses")]
    ses_endpoint: Option<String>,
    /// How often the manifest's domains are re-checked.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    refresh: Duration,
    /// How often the page re-checks the domain it shows.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    poll: Duration,
    /// Every API request must carry `Authorization: Bearer TOKEN` (default: $SENDLINT_TOKEN).
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// The largest request body, in bytes.
    #[arg(long, default_value_t = 64 * 1024, value_name = "BYTES")]
    max_body: usize,
    /// How long one request may take.
    #[arg(long, default_value = "15s", value_parser = parse_duration)]
    deadline: Duration,
    /// How many checks requests may run at once (429 beyond).
    #[arg(long, default_value_t = 32, value_name = "N")]
    max_checks: usize,
    #[command(flatten)]
    pub(crate) rules: crate::RulesDir,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    match humantime::parse_duration(s) {
        Ok(d) if !d.is_zero() => Ok(d),
        Ok(_) => Err("must be more than zero".into()),
        Err(e) => Err(format!("{e} (e.g. 30s, 2m)")),
    }
}

/// `--ses`: GetEmailIdentity per check, through the SDK only the binary links.
struct LiveSes {
    endpoint: Option<String>,
}

impl SesSource for LiveSes {
    fn lookup<'a>(&'a self, setup: &'a Setup) -> BoxFuture<'a, SesLookup> {
        Box::pin(async move {
            let config = sendlint_ses_client::SesConfig::from_env(&setup.region, self.endpoint.clone());
            sendlint_ses_client::get_email_identity(&config, &setup.domain.to_string()).await
        })
    }
}

pub(crate) fn run(args: ServeArgs, rules: RuleSet) -> miette::Result<ExitCode> {
    let token = args.token.clone().or_else(|| std::env::var("SENDLINT_TOKEN").ok()).filter(|t| !t.is_empty());
    sendlint_serve::check_listen(args.listen, token.as_deref()).map_err(|m| miette!("{m}"))?;
    let manifest = match &args.manifest {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot read the manifest {}", path.display()))?;
            let index =
                ManifestIndex::parse(&path.display().to_string(), text).map_err(|e| Report::new(*e))?;
            Some(Arc::new(index))
        }
        None => None,
    };
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().into_diagnostic()?;
    rt.block_on(async move {
        // the live source binds its sockets on the runtime
        let lookup = crate::dns_source(&args.dns)?;
        let mut config = Config::new(Arc::from(lookup), Arc::new(rules));
        config.manifest = manifest;
        config.refresh = args.refresh;
        config.poll = args.poll;
        config.token = token;
        config.ses =
            args.ses.then(|| Arc::new(LiveSes { endpoint: args.ses_endpoint.clone() }) as Arc<dyn SesSource>);
        config.limits =
            Limits { body_bytes: args.max_body, deadline: args.deadline, checks_in_flight: args.max_checks };
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr().into_diagnostic()?;
        eprintln!("sendlint serve: listening on http://{addr}/ (Ctrl-C stops)");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        sendlint_serve::serve(listener, config, shutdown).await.into_diagnostic()?;
        Ok(ExitCode::SUCCESS)
    })
}
