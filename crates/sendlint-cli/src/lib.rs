//! The `sendlint` command line: explain why an email sending domain does or
//! does not pass SES verification. Argument parsing and rendering only; the
//! work is in the `sendlint` engine crate. Two binaries run it: `sendlint`
//! (src/main.rs) and `sendlint-full` (src/full.rs), which also links the AWS
//! SDK and the HTTP server (see the `linked` module).

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::SystemTime;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use deferred::Deferred;
use miette::{IntoDiagnostic, Report, WrapErr, miette};
use sendlint::{CheckOptions, DomainReport, ExplainInput, RenderOptions};
use sendlint_dns::{
    LiveOptions, LiveSource, Lookup, RecordingLookup, ReplayLookup, ZoneSource, parse_nameserver,
};
use sendlint_records::Role;
use sendlint_records::input::InputKind;
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_rules::RuleSet;
use sendlint_ses::Setup;

mod audit_cmd;
mod audit_fix;
mod audit_ops;
mod deferred;
mod fix_cmd;
mod linked;
mod records_cmd;
mod rules_cmd;
mod serve_cmd;
mod ses;
mod shell_cmd;
mod stdout;
mod watch;

/// Diagnose the DNS records of an Amazon SES sending domain (BYODKIM + custom MAIL FROM).
#[derive(Parser, Debug)]
#[command(name = "sendlint", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Load extra rule files from this directory (on top of the built-in rules), for the
    /// commands that use rules; also accepted after the subcommand's name.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
}

/// `--rules DIR` of a subcommand that judges records with the rule set.
#[derive(Args, Debug, Clone, Default)]
pub(crate) struct RulesDir {
    /// Load extra rule files from this directory (on top of the built-in rules).
    #[arg(long = "rules", value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Check one domain's four records and give each its badge.
    Check(Deferred<CheckArgs>),
    /// Check every domain of a workspace manifest (JSON Lines with --format json).
    Audit(Deferred<audit_cmd::AuditArgs>),
    /// Explain one record as `dig` printed it or a customer pasted it.
    Explain(Deferred<ExplainArgs>),
    /// Print the four records to publish, written for the DNS provider's form.
    Records(Deferred<RecordsArgs>),
    /// Print the minimal change-set that makes the domain pass, in the form its DNS takes.
    Fix(Deferred<fix_cmd::FixArgs>),
    /// List the rules (show CODE, facts, docs, and check DIR for rule authors).
    Rules(rules_cmd::RulesArgs),
    /// Re-check one domain until sending unlocks (exit 0) or a record fails (exit 1).
    Watch(Deferred<watch::WatchArgs>),
    /// Serve the JSON API (/api/v1) and the support page over HTTP.
    Serve(Deferred<serve_cmd::ServeArgs>),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions(shell_cmd::CompletionsArgs),
    /// Print the JSON Schema of an output: check, audit-line, explain, records or fix (docs/schema/).
    Schema {
        /// Which output.
        #[arg(value_parser = clap::builder::PossibleValuesParser::new(sendlint::schema::NAMES))]
        name: String,
    },
    /// Print the manual page (roff), e.g. `sendlint man > sendlint.1`, `sendlint man check > sendlint-check.1`.
    Man(shell_cmd::ManArgs),
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Human,
    Json,
}

#[derive(Args, Debug, Clone)]
struct SetupArgs {
    /// The DKIM selector given to SES (the `S` in `S._domainkey.D`).
    #[arg(long, short = 's')]
    selector: String,
    /// The DKIM public key given to SES: base64 of the SubjectPublicKeyInfo, or PEM.
    #[arg(long, conflicts_with = "public_key_file")]
    public_key: Option<String>,
    /// A file holding the DKIM public key (PEM or bare base64).
    #[arg(long, value_name = "FILE")]
    public_key_file: Option<PathBuf>,
    /// The SES region [default: us-east-1].
    #[arg(long, short = 'r')]
    region: Option<String>,
    /// The MAIL FROM domain: a label like `send`, or the full name.
    #[arg(long, default_value = "send")]
    mail_from: String,
    /// A From address the domain sends as (repeatable).
    #[arg(long = "from", value_name = "ADDRESS")]
    from: Vec<String>,
    /// When the domain was submitted to SES (RFC 3339), for the 72-hour window.
    #[arg(long, value_name = "TIME")]
    submitted_at: Option<String>,
}

#[derive(Args, Debug)]
struct DnsArgs {
    /// Answer from this zone file (repeatable; a directory loads every zone file in it).
    #[arg(long = "zone", value_name = "FILE")]
    zones: Vec<PathBuf>,
    /// Ask this DNS server (repeatable).
    #[arg(long = "nameserver", value_name = "IP[:PORT]")]
    nameservers: Vec<String>,
    /// The port at which a zone's own name servers are asked for the
    /// propagation checks (53). Hidden: only test and benchmark rigs, whose
    /// authoritative server listens elsewhere, need it.
    #[arg(long, value_name = "PORT", hide = true, default_value_t = 53)]
    authoritative_port: u16,
    /// Start DNSSEC validation from these trust anchors (DS or DNSKEY records
    /// in zone-file form) instead of the root's, built in: for private zones.
    #[arg(long = "trust-anchor", value_name = "FILE")]
    trust_anchor: Option<PathBuf>,
}

impl DnsArgs {
    /// The trust anchors of `--trust-anchor`; `None`: the built-in root's.
    fn trust_anchors(&self) -> miette::Result<Option<std::sync::Arc<sendlint::TrustAnchors>>> {
        match &self.trust_anchor {
            None => Ok(None),
            Some(path) => {
                Ok(Some(std::sync::Arc::new(sendlint::TrustAnchors::from_file(path).map_err(Report::new)?)))
            }
        }
    }
}

#[derive(Args, Debug)]
struct CheckArgs {
    /// The sending domain, e.g. mail.acme.com.
    domain: String,
    #[command(flatten)]
    setup: SetupArgs,
    #[command(flatten)]
    dns: DnsArgs,
    #[command(flatten)]
    ses: ses::SesArgs,
    /// Use this DNS provider's advice instead of the detected one.
    #[arg(long = "registrar", value_name = "ID")]
    provider: Option<String>,
    /// "Now" for the 72-hour window (RFC 3339), for reproducible runs.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Save every DNS answer the check used to FILE (JSON), to replay later.
    #[arg(long, value_name = "FILE", conflicts_with = "replay")]
    record: Option<PathBuf>,
    /// Answer from a file saved with --record instead of DNS (offline).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["zones", "nameservers"])]
    replay: Option<PathBuf>,
    #[command(flatten)]
    rules: RulesDir,
}

#[derive(Args, Debug)]
struct ExplainArgs {
    /// Which record the text is meant to be [default: what the name or value says].
    #[arg(long, value_parser = parse_role)]
    role: Option<Role>,
    /// What it should be: the MX value, the DKIM key (`p=…`, base64 or PEM), …
    #[arg(long)]
    expected: Option<String>,
    /// The SES region, for the MX target.
    #[arg(long)]
    region: Option<String>,
    /// The sending domain, when known: the record's name is judged against it.
    #[arg(long)]
    domain: Option<String>,
    /// The DKIM selector given to SES, when known.
    #[arg(long, short = 's')]
    selector: Option<String>,
    /// The MAIL FROM domain, when known: a label like `send`, or the full name.
    #[arg(long)]
    mail_from: Option<String>,
    /// Phrase the advice for this DNS provider.
    #[arg(long = "registrar", value_name = "ID")]
    provider: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// The record as `dig` printed it or as pasted (`-` reads standard input);
    /// put `--` before it when it starts with `-`.
    #[arg(required = true, value_name = "RAW", trailing_var_arg = true, allow_hyphen_values = true)]
    raw: Vec<String>,
    #[command(flatten)]
    rules: RulesDir,
}

/// The setup flags `records` uses: what the records say, not when they were
/// submitted or who sends.
#[derive(Args, Debug, Clone)]
struct RecordsSetupArgs {
    /// The DKIM selector given to SES (the `S` in `S._domainkey.D`).
    #[arg(long, short = 's')]
    selector: String,
    /// The DKIM public key given to SES: base64 of the SubjectPublicKeyInfo, or PEM.
    #[arg(long, conflicts_with = "public_key_file")]
    public_key: Option<String>,
    /// A file holding the DKIM public key (PEM or bare base64).
    #[arg(long, value_name = "FILE")]
    public_key_file: Option<PathBuf>,
    /// The SES region.
    #[arg(long, short = 'r', default_value = "us-east-1")]
    region: String,
    /// The MAIL FROM domain: a label like `send`, or the full name.
    #[arg(long, default_value = "send")]
    mail_from: String,
}

impl From<RecordsSetupArgs> for SetupArgs {
    fn from(a: RecordsSetupArgs) -> SetupArgs {
        SetupArgs {
            selector: a.selector,
            public_key: a.public_key,
            public_key_file: a.public_key_file,
            region: Some(a.region),
            mail_from: a.mail_from,
            from: Vec::new(),
            submitted_at: None,
        }
    }
}

#[derive(Args, Debug)]
struct RecordsArgs {
    /// The sending domain.
    domain: String,
    #[command(flatten)]
    setup: RecordsSetupArgs,
    /// Write the blocks for this DNS provider's form.
    #[arg(long = "registrar", value_name = "ID")]
    provider: Option<String>,
    /// The DNS zone the records go into, for providers whose host field is relative
    /// (default: the registrable domain by the public suffix list, e.g. acme.co.uk for
    /// mail.acme.co.uk; give it when your zone is another, such as mail.acme.co.uk itself).
    #[arg(long, value_name = "ZONE")]
    apex: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    #[command(flatten)]
    rules: RulesDir,
}

fn parse_role(s: &str) -> Result<Role, String> {
    match Role::parse(s) {
        Some(r) if r != Role::Domain => Ok(r),
        _ => Err("expected one of spf_mx, spf_txt, dkim, dmarc".into()),
    }
}

/// `sendlint`'s entry point. A command that needs the AWS SDK or the HTTP
/// server is handed to `sendlint-full` (see the `linked` module).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(what) = linked::needed_by(&cli.command) {
        return fail(linked::hand_off(what));
    }
    finish(run(cli))
}

/// `sendlint-full`'s entry point: the same command line, everything linked.
pub fn main_full() -> ExitCode {
    linked::install(&linked::Full);
    finish(run(Cli::parse()))
}

fn finish(result: miette::Result<ExitCode>) -> ExitCode {
    result.unwrap_or_else(fail)
}

fn fail(report: Report) -> ExitCode {
    // Errors quote files, manifests, SES answers and flags: rendered
    // through the one escaping and windowing path, never raw.
    let color = io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let text = sendlint::output::render_error(report.as_ref(), RenderOptions { color, width: 100 });
    eprint!("{text}");
    ExitCode::from(2)
}

fn run(cli: Cli) -> miette::Result<ExitCode> {
    let given = match &cli.command {
        Command::Check(a) => &a.rules,
        Command::Audit(a) => &a.rules,
        Command::Explain(a) => &a.rules,
        Command::Records(a) => &a.rules,
        Command::Fix(a) => &a.rules,
        Command::Rules(a) => &a.rules,
        Command::Watch(a) => &a.rules,
        Command::Serve(a) => &a.rules,
        Command::Schema { .. } | Command::Completions(_) | Command::Man(_) => {
            if cli.rules.is_some() {
                return Err(miette!(
                    help = "--rules goes with check, audit, explain, records, fix, rules, watch and serve",
                    "`sendlint {}` uses no rules: --rules would change nothing",
                    subcommand_name(&cli.command)
                ));
            }
            &RulesDir { dir: None }
        }
    };
    let dir = match (&cli.rules, &given.dir) {
        (Some(_), Some(_)) => {
            return Err(miette!("--rules is given twice (before and after the subcommand): give it once"));
        }
        (Some(d), None) | (None, Some(d)) => Some(d.as_path()),
        (None, None) => None,
    };
    let rules = load_rules(dir)?;
    match cli.command {
        Command::Check(Deferred(args)) => cmd_check(args, &rules),
        Command::Audit(Deferred(args)) => audit_cmd::run(args, &rules),
        Command::Explain(Deferred(args)) => cmd_explain(args, &rules),
        Command::Records(Deferred(args)) => records_cmd::run(
            &args.domain,
            &args.setup.into(),
            args.provider.as_deref(),
            args.apex.as_deref(),
            args.format == Format::Json,
            &rules,
        ),
        Command::Fix(Deferred(args)) => fix_cmd::run(args, &rules),
        Command::Rules(args) => rules_cmd::run(args, &rules),
        Command::Watch(Deferred(args)) => watch::run(args, &rules),
        Command::Serve(Deferred(args)) => linked::get()?.serve(args, rules),
        Command::Schema { name } => shell_cmd::schema(&name),
        Command::Completions(args) => shell_cmd::completions(args, Cli::command()),
        Command::Man(args) => shell_cmd::man(args, Cli::command()),
    }
}

fn subcommand_name(command: &Command) -> &'static str {
    match command {
        Command::Check(_) => "check",
        Command::Audit(_) => "audit",
        Command::Explain(_) => "explain",
        Command::Records(_) => "records",
        Command::Fix(_) => "fix",
        Command::Rules(_) => "rules",
        Command::Watch(_) => "watch",
        Command::Serve(_) => "serve",
        Command::Schema { .. } => "schema",
        Command::Completions(_) => "completions",
        Command::Man(_) => "man",
    }
}

fn load_rules(extra: Option<&Path>) -> miette::Result<RuleSet> {
    let rules = RuleSet::builtin();
    match extra {
        Some(dir) => rules.with_dir(dir).map_err(Report::new),
        None => Ok(rules),
    }
}

fn render_options() -> RenderOptions {
    let color = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    RenderOptions { color, width: 100 }
}

fn parse_time(s: &str, what: &str) -> miette::Result<SystemTime> {
    humantime::parse_rfc3339_weak(s)
        .into_diagnostic()
        .wrap_err_with(|| format!("{what} {s:?} is not an RFC 3339 time (e.g. 2026-11-24T10:00:00Z)"))
}

/// The SES region when `--region` is not given.
const DEFAULT_REGION: &str = "us-east-1";

fn build_setup(domain: &str, args: &SetupArgs) -> miette::Result<Setup> {
    let region = args.region.as_deref().unwrap_or(DEFAULT_REGION);
    let domain = DomainName::parse_input(domain).map_err(|e| {
        miette!(
            "the domain `{}` is not a domain name: {e}",
            sendlint_records::display::escape(domain.as_bytes()).text
        )
    })?;
    let mut setup = Setup::new(domain, region, &args.selector).map_err(|e| miette!("{e}"))?;
    setup = setup.with_mail_from(&args.mail_from).map_err(|e| miette!("--mail-from: {e}"))?;
    let key_text = match (&args.public_key, &args.public_key_file) {
        (Some(k), _) => Some(k.clone()),
        (None, Some(path)) => Some(read_input(path, InputKind::PublicKey)?),
        (None, None) => None,
    };
    if let Some(text) = key_text {
        let key = PublicKey::parse(&text).map_err(|e| miette!("the DKIM public key does not decode: {e}"))?;
        setup = setup.with_public_key(key);
    }
    if let Some(t) = &args.submitted_at {
        setup = setup.with_submitted_at(t).map_err(|e| miette!("--submitted-at: {e}"))?;
    }
    Ok(setup.with_from_addresses(args.from.clone()))
}

fn dns_source(args: &DnsArgs) -> miette::Result<Box<dyn Lookup>> {
    if !args.zones.is_empty() {
        if !args.nameservers.is_empty() {
            return Err(miette!("give --zone (offline) or --nameserver (live), not both"));
        }
        let mut source = ZoneSource::new();
        for path in &args.zones {
            let one = ZoneSource::from_files(std::slice::from_ref(path)).map_err(Report::new)?;
            // loading nothing is legal but never what was meant: say so
            if one.apexes().is_empty() {
                let what = if path.is_dir() {
                    "is a directory without zone files (*.zone, *.db, *.txt)"
                } else {
                    "holds no records"
                };
                eprintln!(
                    "warning: --zone {} {what}: nothing was loaded from it",
                    sendlint_records::display::escape(path.display().to_string().as_bytes()).text
                );
            }
            source.add(one);
        }
        return Ok(Box::new(source));
    }
    let options = LiveOptions { authoritative_port: args.authoritative_port, ..LiveOptions::default() };
    if args.nameservers.is_empty() {
        let source = LiveSource::system(options).map_err(|e| {
            miette!(
                help =
                    "name a server with --nameserver IP[:PORT], or answer from zone files with --zone FILE",
                "{e}"
            )
        })?;
        return Ok(Box::new(source));
    }
    let servers = args
        .nameservers
        .iter()
        .map(|s| parse_nameserver(s).map_err(|e| miette!("--nameserver: {e}")))
        .collect::<miette::Result<Vec<_>>>()?;
    Ok(Box::new(LiveSource::new(&servers, options).map_err(|e| miette!("{e}"))?))
}

/// Reads a file named on the command line through the one input guard
/// (regular files only, `-` for standard input where meant, capped per kind).
pub(crate) fn read_input(path: &Path, kind: InputKind) -> miette::Result<String> {
    sendlint_records::input::read_text(path, kind).map_err(|e| miette!("{e}"))
}

fn runtime() -> miette::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().into_diagnostic()
}

fn cmd_check(args: CheckArgs, rules: &RuleSet) -> miette::Result<ExitCode> {
    let setup = build_setup(&args.domain, &args.setup)?;
    let lookup: Box<dyn Lookup> = match &args.replay {
        Some(file) => Box::new(ReplayLookup::from_file(file).map_err(|e| miette!("--replay: {e}"))?),
        None => dns_source(&args.dns)?,
    };
    let lookup = RecordingLookup::new(lookup);
    let now = match &args.now {
        Some(t) => parse_time(t, "--now")?,
        None => SystemTime::now(),
    };
    let provider = canonical_provider(args.provider.as_deref(), rules)?;
    let trust_anchors = args.dns.trust_anchors()?;
    let work = async {
        let ses_lookup = linked::ses_lookup(&args.ses, &setup, args.setup.region.is_some()).await?;
        let opts = CheckOptions {
            now,
            provider: provider.clone(),
            ses_lookup,
            trust_anchors: trust_anchors.clone(),
            ..CheckOptions::default()
        };
        Ok::<_, Report>(sendlint::check(&setup, &lookup, rules, &opts).await)
    };
    // Zone files and replays answer at once and a saved SES state is a file:
    // nothing waits on the network, so no runtime is started.
    let offline = (args.replay.is_some() || !args.dns.zones.is_empty()) && !args.ses.live();
    let report = if offline { sendlint::audit::block_on(work)? } else { runtime()?.block_on(work)? };
    if let Some(file) = &args.record {
        lookup.save(file).map_err(|e| miette!("--record: {e}"))?;
    }
    let mut out = crate::stdout::stdout();
    match args.format {
        Format::Json => writeln!(out, "{}", to_json(&report)?).into_diagnostic()?,
        Format::Human => {
            write!(out, "{}", sendlint::render_domain(&report, render_options())).into_diagnostic()?
        }
    }
    // One verdict: a failed SES call is `ses.unavailable` (an error: DNS-only
    // badges, sending not unlocked) and changes the exit status only through it.
    Ok(if report.sending_unlocked { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// The provider id as the rule set spells it (`CloudFlare` is `cloudflare`),
/// or the error that lists the known ones.
pub(crate) fn canonical_provider(id: Option<&str>, rules: &RuleSet) -> miette::Result<Option<String>> {
    match id {
        None => Ok(None),
        Some(id) => match rules.provider(id) {
            Some(p) => Ok(Some(p.id.to_string())),
            None => Err(unknown_provider(id, rules)),
        },
    }
}

fn unknown_provider(id: &str, rules: &RuleSet) -> Report {
    let known: Vec<&str> = rules.providers().iter().map(|p| &*p.id).collect();
    let id_safe = sendlint_records::display::terminal_safe(id);
    let hint = match sendlint_rules::suggest_among(&id.to_ascii_lowercase(), &known) {
        Some(close) => format!("did you mean `{close}`? Known providers: {}", known.join(", ")),
        None => format!("known providers: {}", known.join(", ")),
    };
    miette!(help = hint, "unknown DNS provider {id_safe:?}")
}

fn to_json(report: &DomainReport) -> miette::Result<String> {
    serde_json::to_string(report).into_diagnostic()
}

/// A role as the texts name it.
fn role_title(role: Role) -> &'static str {
    match role {
        Role::SpfMx => "MAIL FROM MX",
        Role::SpfTxt => "MAIL FROM SPF",
        Role::Dkim => "DKIM",
        Role::Dmarc => "DMARC",
        Role::Domain => "domain",
    }
}

fn cmd_explain(args: ExplainArgs, rules: &RuleSet) -> miette::Result<ExitCode> {
    let raw = if args.raw.len() == 1 && args.raw[0] == "-" {
        read_input(Path::new("-"), InputKind::Pasted)?
    } else {
        args.raw.join(" ")
    };
    let provider = canonical_provider(args.provider.as_deref(), rules)?;
    // Without --role, the text says which record it is; say what was assumed.
    if args.role.is_none()
        && let Some(guess) = sendlint::infer_role(&raw)
    {
        eprintln!(
            "note: read as the {} record (--role {}), from {}; give --role to read it as another",
            role_title(guess.role),
            guess.role.as_str(),
            guess.reason
        );
    }
    let input = ExplainInput {
        role: args.role,
        raw,
        expected: args.expected,
        region: args.region,
        domain: args.domain,
        selector: args.selector,
        mail_from: args.mail_from,
        provider,
    };
    let report = sendlint::explain(&input, rules).map_err(Report::new)?;
    let mut out = crate::stdout::stdout();
    match args.format {
        Format::Json => {
            writeln!(out, "{}", serde_json::to_string(&report).into_diagnostic()?).into_diagnostic()?
        }
        Format::Human => {
            write!(out, "{}", sendlint::render_record(&report, render_options())).into_diagnostic()?
        }
    }
    let failed = report.diagnoses.iter().any(|d| d.severity == sendlint_rules::Severity::Error);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}
