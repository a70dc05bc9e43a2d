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
    /// Where to listen: ADDRESS:PORT or NAME:PORT (e.g. localhost:8080). Anything but
    /// loopback needs --token.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: String,
    /// Also answer requests for this host name (a reverse proxy's public name);
    /// besides it, only localhost and the server's own addresses are answered.
    #[arg(long = "allowed-host", value_name = "NAME")]
    allowed_hosts: Vec<String>,
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
    /// Every API request must carry `Authorization: Bearer TOKEN` (default:
    /// $SENDLINT_TOKEN); at least 16 visible ASCII characters, e.g. `openssl rand -hex 16`.
    #[arg(long, value_name = "TOKEN")]
    token: Option<String>,
    /// The largest request body, in bytes (413 beyond, at once when the declared
    /// Content-Length is larger).
    #[arg(long, default_value_t = 64 * 1024, value_name = "BYTES")]
    max_body: usize,
    /// How long one request may take once its head is read (504 beyond).
    #[arg(long, default_value = "15s", value_parser = parse_duration)]
    deadline: Duration,
    /// How long a connection may take to send a whole request head, from when it opens
    /// and again from each answer (so idle kept-alive connections close after it too).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    header_timeout: Duration,
    /// How many connections are held at once; beyond, a new one takes the place of the
    /// one that has waited longest for a request.
    #[arg(long, default_value_t = 128, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,
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

/// Ctrl-C (SIGINT), or SIGTERM as a service manager sends. The handlers are
/// installed by this call, not when the future is first polled, so a signal
/// that comes early is not lost (nor kills the process without a word).
fn stop_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let signals = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()));
        async move {
            match signals {
                (Ok(mut int), Ok(mut term)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
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

/// `--listen`: an address, or a host name and port; the name (when one was
/// given) and every address it resolves to.
fn resolve_listen(listen: &str) -> miette::Result<(Option<String>, Vec<SocketAddr>)> {
    if let Ok(addr) = listen.parse::<SocketAddr>() {
        return Ok((None, vec![addr]));
    }
    let Some((name, port)) =
        listen.rsplit_once(':').filter(|(n, p)| !n.is_empty() && p.parse::<u16>().is_ok())
    else {
        return Err(miette!("--listen {listen:?}: expected ADDRESS:PORT or NAME:PORT, e.g. localhost:8080"));
    };
    let port = port.parse::<u16>().unwrap_or(0);
    // hickory (/etc/resolv.conf, /etc/hosts; localhost is loopback), never the C
    // library's NSS, which the static binaries of the container image lack
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().into_diagnostic()?;
    let ips = rt
        .block_on(sendlint_ses_client::dns::HickoryDns::system().lookup(name))
        .map_err(|e| miette!("--listen {listen:?}: {e}"))?;
    let mut addrs: Vec<SocketAddr> = ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect();
    addrs.dedup();
    if addrs.is_empty() {
        return Err(miette!("--listen {listen:?}: {name:?} resolves to no address"));
    }
    Ok((Some(name.trim_end_matches('.').to_owned()), addrs))
}

/// Binds the first of `addrs` that can be bound (`localhost` may resolve to
/// `::1` on a machine without IPv6).
async fn bind(addrs: &[SocketAddr]) -> miette::Result<tokio::net::TcpListener> {
    let mut last = None;
    for addr in addrs {
        match tokio::net::TcpListener::bind(addr).await {
            Ok(l) => return Ok(l),
            Err(e) => last = Some((addr, e)),
        }
    }
    let (addr, e) = last.ok_or_else(|| miette!("no address to listen on"))?;
    Err(e).into_diagnostic().wrap_err_with(|| format!("cannot listen on {addr}"))
}

pub(crate) fn run(args: ServeArgs, rules: RuleSet) -> miette::Result<ExitCode> {
    let token = match &args.token {
        Some(t) => Some(t.clone()),
        // an empty variable is as good as none
        None => std::env::var("SENDLINT_TOKEN").ok().filter(|t| !t.is_empty()),
    };
    if let Some(t) = &token {
        sendlint_serve::check_token(t).map_err(|m| miette!("--token (or SENDLINT_TOKEN): {m}"))?;
    }
    let (name, addrs) = resolve_listen(&args.listen)?;
    for addr in &addrs {
        sendlint_serve::check_listen(*addr, token.as_deref()).map_err(|m| miette!("{m}"))?;
    }
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
        config.limits = Limits {
            body_bytes: args.max_body,
            deadline: args.deadline,
            checks_in_flight: args.max_checks,
            header_timeout: args.header_timeout,
            connections: args.max_connections as usize,
        };
        config.allowed_hosts = args.allowed_hosts.clone();
        config.trust_anchors = args.dns.trust_anchors()?;
        config.allowed_hosts.extend(name.clone());
        config.log_requests = true;
        let listener = bind(&addrs).await?;
        let stop = stop_signal();
        let addr = listener.local_addr().into_diagnostic()?;
        match &name {
            Some(name) => eprintln!(
                "sendlint serve: listening on http://{name}:{}/ ({addr}) (Ctrl-C stops)",
                addr.port()
            ),
            None => eprintln!("sendlint serve: listening on http://{addr}/ (Ctrl-C stops)"),
        }
        let shutdown = async {
            stop.await;
            eprintln!("sendlint serve: stopping: no new connections, finishing the requests being answered");
        };
        sendlint_serve::serve(listener, config, shutdown).await.into_diagnostic()?;
        eprintln!("sendlint serve: stopped");
        Ok(ExitCode::SUCCESS)
    })
}
