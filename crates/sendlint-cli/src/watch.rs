//! `sendlint watch DOMAIN`: re-checks every `--interval` until sending unlocks
//! (exit 0) or a blocking record is Failed (exit 1); Ctrl-C leaves with 130.
//!
//! Every poll builds the DNS source anew, so `--zone FILE` is re-read (edit the
//! zone, watch the badge move) and live lookups are not served from a cache;
//! `--ses` asks SES again too. On a terminal the badges are redrawn in place;
//! piped, each poll appends one plain line.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use clap::Args;
use miette::IntoDiagnostic;
use sendlint::{CheckOptions, DomainReport};
use sendlint_records::Role;
use sendlint_rules::RuleSet;
use sendlint_ses::{Badge, Setup};

use crate::{DnsArgs, SetupArgs, build_setup, canonical_provider, dns_source, render_options, runtime, ses};

/// The arguments of `sendlint watch`.
#[derive(Args, Debug)]
pub(crate) struct WatchArgs {
    /// The sending domain, e.g. mail.acme.com.
    domain: String,
    #[command(flatten)]
    setup: SetupArgs,
    #[command(flatten)]
    dns: DnsArgs,
    #[command(flatten)]
    pub(crate) ses: ses::SesArgs,
    /// Use this DNS provider's advice instead of the detected one.
    #[arg(long = "registrar", value_name = "ID")]
    provider: Option<String>,
    /// Time between checks, e.g. `30s`, `2m` (at least 1s).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_interval)]
    interval: Duration,
    #[command(flatten)]
    pub(crate) rules: crate::RulesDir,
}

/// The shortest `--interval`: each poll asks DNS (and SES) anew, and neither
/// changes faster; a shorter interval only floods the servers.
const MIN_INTERVAL: Duration = Duration::from_secs(1);

fn parse_interval(s: &str) -> Result<Duration, String> {
    let d = humantime::parse_duration(s).map_err(|e| format!("{e} (e.g. 30s, 2m)"))?;
    if d < MIN_INTERVAL {
        return Err(format!(
            "{s} is too short: the interval must be at least {} (each poll asks DNS and SES anew)",
            humantime::format_duration(MIN_INTERVAL)
        ));
    }
    Ok(d)
}

/// The exit status of a watch stopped by Ctrl-C (128 + SIGINT).
const INTERRUPTED: u8 = 130;

pub(crate) fn run(args: WatchArgs, rules: &RuleSet) -> miette::Result<ExitCode> {
    let setup = build_setup(&args.domain, &args.setup)?;
    let mut args = args;
    args.provider = canonical_provider(args.provider.as_deref(), rules)?;
    runtime()?.block_on(watch(&args, &setup, rules))
}

async fn watch(args: &WatchArgs, setup: &Setup, rules: &RuleSet) -> miette::Result<ExitCode> {
    // Listen before the first poll, so a Ctrl-C at any point is ours.
    let mut interrupt = Interrupt::new().into_diagnostic()?;
    let tty = io::stdout().is_terminal();
    let mut drawn = 0;
    for poll in 1u64.. {
        let lookup = dns_source(&args.dns)?;
        let round = async {
            let ses_lookup = crate::linked::ses_lookup(&args.ses, setup, args.setup.region.is_some()).await?;
            let opts = CheckOptions {
                now: SystemTime::now(),
                provider: args.provider.clone(),
                ses_lookup,
                trust_anchors: args.dns.trust_anchors()?,
                ..CheckOptions::default()
            };
            Ok::<_, miette::Report>(sendlint::check(setup, lookup.as_ref(), rules, &opts).await)
        };
        let report = tokio::select! {
            report = round => report?,
            () = interrupt.recv() => return Ok(interrupted(tty)),
        };
        let mut out = crate::stdout::stdout();
        if tty {
            let lines = status_block(&report, poll, args.interval, args.ses.live());
            if drawn > 0 {
                // cursor up over the last block, clear to the end of the screen
                write!(out, "\x1b[{drawn}A\x1b[J").into_diagnostic()?;
            }
            for line in &lines {
                writeln!(out, "{line}").into_diagnostic()?;
            }
            drawn = lines.len();
        } else {
            writeln!(out, "{}", status_line(&report, poll, args.ses.live())).into_diagnostic()?;
        }
        let failed = report
            .records
            .iter()
            .any(|r| r.state == Badge::Failed && matches!(r.role, Role::SpfMx | Role::SpfTxt | Role::Dkim));
        // `--ses` asked and SES not read this time is `ses.unavailable`, an
        // error that keeps sending locked: the watch asks again.
        if report.sending_unlocked || failed {
            writeln!(out).into_diagnostic()?;
            write!(out, "{}", sendlint::render_domain(&report, render_options())).into_diagnostic()?;
            out.flush().into_diagnostic()?;
            return Ok(if report.sending_unlocked { ExitCode::SUCCESS } else { ExitCode::from(1) });
        }
        out.flush().into_diagnostic()?;
        drop(out);
        tokio::select! {
            () = tokio::time::sleep(args.interval) => {}
            () = interrupt.recv() => return Ok(interrupted(tty)),
        }
    }
    Ok(ExitCode::from(1))
}

fn interrupted(tty: bool) -> ExitCode {
    let mut out = crate::stdout::stdout();
    let _ = if tty { writeln!(out, "\nstopped") } else { writeln!(out, "stopped: interrupted") };
    let _ = out.flush();
    ExitCode::from(INTERRUPTED)
}

fn now_text() -> String {
    let secs = SystemTime::now().duration_since(SystemTime::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    humantime::format_rfc3339_seconds(SystemTime::UNIX_EPOCH + Duration::from_secs(secs)).to_string()
}

/// One line per poll, for pipes and logs.
fn status_line(report: &DomainReport, poll: u64, ses_live: bool) -> String {
    let badges: Vec<String> = report.records.iter().map(|r| format!("{} {}", r.role, r.state)).collect();
    format!(
        "{} poll {poll} {}: {}{}",
        now_text(),
        report.domain,
        badges.join(", "),
        verdict_note(report, ses_live)
    )
}

/// What the poll line adds after the badges.
fn verdict_note(report: &DomainReport, ses_live: bool) -> &'static str {
    // SES asked for and not read never unlocks (`ses.unavailable`): the watch asks again.
    match (report.sending_unlocked, ses_live && !report.ses_consulted) {
        (_, true) => " (SES could not be read, asking again)",
        (true, false) => " (sending unlocked)",
        (false, false) => "",
    }
}

/// The block redrawn on a terminal.
fn status_block(report: &DomainReport, poll: u64, interval: Duration, ses_live: bool) -> Vec<String> {
    let mut lines = vec![format!(
        "watching {} every {} (poll {poll}, {}){}; Ctrl-C to stop",
        report.domain,
        humantime::format_duration(interval),
        now_text(),
        verdict_note(report, ses_live)
    )];
    for r in &report.records {
        let codes: Vec<&str> = r.diagnoses.iter().map(|d| d.code.as_str()).collect();
        lines.push(format!(
            "  {} {:<9} {:<7} {:<4} {}  {}",
            sendlint::output::badge_glyph(r.state),
            r.state.to_string(),
            r.role.as_str(),
            r.rtype,
            r.name,
            codes.join(" ")
        ));
    }
    lines
}

/// Ctrl-C, registered when created (not on first poll) so none is missed.
struct Interrupt {
    #[cfg(unix)]
    signal: tokio::signal::unix::Signal,
}

impl Interrupt {
    fn new() -> io::Result<Interrupt> {
        Ok(Interrupt {
            #[cfg(unix)]
            signal: tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())?,
        })
    }

    async fn recv(&mut self) {
        #[cfg(unix)]
        {
            self.signal.recv().await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
