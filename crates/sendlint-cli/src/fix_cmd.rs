//! `sendlint fix`: the minimal change-set from what DNS publishes to what SES
//! needs, in the form the DNS takes it (`--as`), or as data (`--format json`).
//! Exit 0 when nothing needs to change, 1 when a change-set was printed.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Args, ValueEnum};
use miette::{IntoDiagnostic, miette};
use sendlint::CheckOptions;
use sendlint::fix::{Form, format::json};
use sendlint_dns::{Lookup, ReplayLookup};
use sendlint_rules::RuleSet;

use crate::{DnsArgs, Format, RulesDir, SetupArgs, build_setup, canonical_provider, dns_source, parse_time};

/// The forms `--as` takes.
#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum FixForm {
    /// Numbered steps in the DNS provider's words.
    Human,
    /// An RFC 2136 script for `nsupdate` (add your `server` line).
    Nsupdate,
    /// A ChangeBatch for `aws route53 change-resource-record-sets --change-batch file://…`.
    Route53,
    /// A bash script of Cloudflare API v4 calls (CF_API_TOKEN, CF_ZONE_ID).
    Cloudflare,
    /// Terraform resources (aws_route53_record, or cloudflare_dns_record for Cloudflare).
    Terraform,
    /// The final records as zone-file lines.
    Zone,
}

impl FixForm {
    fn form(self) -> Form {
        match self {
            FixForm::Human => Form::Human,
            FixForm::Nsupdate => Form::Nsupdate,
            FixForm::Route53 => Form::Route53,
            FixForm::Cloudflare => Form::Cloudflare,
            FixForm::Terraform => Form::Terraform,
            FixForm::Zone => Form::Zone,
        }
    }
}

#[derive(Args, Debug)]
pub(crate) struct FixArgs {
    /// The sending domain, e.g. mail.acme.com.
    domain: String,
    #[command(flatten)]
    setup: SetupArgs,
    #[command(flatten)]
    dns: DnsArgs,
    /// The form of the change-set.
    #[arg(long = "as", value_enum, default_value_t = FixForm::Human, value_name = "FORM")]
    form: FixForm,
    /// Word the steps for this DNS provider instead of the detected one (and, for
    /// --as terraform, `cloudflare` picks cloudflare_dns_record).
    #[arg(long = "registrar", value_name = "ID")]
    provider: Option<String>,
    /// "Now" for the 72-hour window (RFC 3339), for reproducible runs.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// Output format: json prints the changes as data (docs/schema/fix.json).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Answer from a file saved with `check --record` instead of DNS (offline).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["zones", "nameservers"])]
    replay: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) rules: RulesDir,
}

pub(crate) fn run(args: FixArgs, rules: &RuleSet) -> miette::Result<ExitCode> {
    if args.format == Format::Json && args.form != FixForm::Human {
        return Err(miette!(
            help = "drop --format json for a form to paste, or --as for the data",
            "--format json prints the changes as data; --as {} prints a form: give one",
            args.form.form().as_str()
        ));
    }
    let setup = build_setup(&args.domain, &args.setup)?;
    let provider = canonical_provider(args.provider.as_deref(), rules)?;
    let now = match &args.now {
        Some(t) => parse_time(t, "--now")?,
        None => SystemTime::now(),
    };
    let lookup: Box<dyn Lookup> = match &args.replay {
        Some(file) => Box::new(ReplayLookup::from_file(file).map_err(|e| miette!("--replay: {e}"))?),
        None => dns_source(&args.dns)?,
    };
    let opts =
        CheckOptions { now, provider, trust_anchors: args.dns.trust_anchors()?, ..CheckOptions::default() };
    let work = sendlint::fix::plan(&setup, &*lookup, rules, &opts);
    let offline = args.replay.is_some() || !args.dns.zones.is_empty();
    let changes = if offline { sendlint::audit::block_on(work) } else { crate::runtime()?.block_on(work) };
    let mut out = crate::stdout::stdout();
    if args.format == Format::Json {
        let text = serde_json::to_string(&json::output(&changes)).into_diagnostic()?;
        writeln!(out, "{text}").into_diagnostic()?;
    } else {
        let provider = changes.provider.as_deref().and_then(|id| rules.provider(id));
        write!(out, "{}", sendlint::fix::render(&changes, args.form.form(), provider)).into_diagnostic()?;
    }
    Ok(if changes.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
