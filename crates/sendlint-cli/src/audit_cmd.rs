//! `sendlint audit MANIFEST`: arguments, output and signals. The work (concurrency,
//! caching, workspace checks, sharding) is `sendlint::audit`.

use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use clap::{Args, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use miette::{IntoDiagnostic, Report, WrapErr};
use sendlint::RenderOptions;
use sendlint::audit::baseline::{self as audit_baseline, Baseline};
use sendlint::audit::{self, AuditOptions, AuditRun, Finished, Shard, Stop, StopLevel};
use sendlint::manifest::{ManifestIndex, OpenError};
use sendlint::output::{self, Counted, Format, Printer, Summary};
use sendlint_dns::{Lookup, LookupExt, RecordingFile, RecordingLookup, ReplayLookup};
use sendlint_records::input::{self, InputError, InputKind};
use sendlint_rules::RuleSet;

use crate::{DnsArgs, dns_source, parse_time, render_options};

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum AuditFormat {
    /// Each domain's diagnosis, then a summary.
    Human,
    /// JSON Lines: one object per manifest entry, in completion order, each with its `index`.
    Json,
    /// One row per manifest entry, for spreadsheets.
    Csv,
}

#[derive(Args, Debug)]
pub(crate) struct AuditArgs {
    /// The workspace manifest (JSON).
    manifest: PathBuf,
    #[command(flatten)]
    dns: DnsArgs,
    /// "Now" for the 72-hour window (RFC 3339), for reproducible runs.
    #[arg(long, value_name = "TIME")]
    now: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = AuditFormat::Human)]
    format: AuditFormat,
    /// Write the output here instead of standard output.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Most DNS queries in flight at once.
    #[arg(long, value_name = "N", default_value_t = audit::DEFAULT_JOBS, value_parser = parse_jobs)]
    jobs: usize,
    /// Most DNS queries started per second (default: no limit).
    #[arg(long, value_name = "QPS", value_parser = parse_qps)]
    qps: Option<f64>,
    /// Check only shard K of N (0-based K, e.g. `--shard "$JOB_COMPLETION_INDEX/8"`);
    /// entries are split by a stable hash of the domain. Workspace checks still read every entry.
    #[arg(long, value_name = "K/N", value_parser = Shard::parse)]
    shard: Option<Shard>,
    /// Worker threads for the checks (default: one per core).
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    threads: Option<usize>,
    /// Stop asking a DNS server that timed out on N questions in a row without
    /// ever answering; the remaining domains are reported as failed lookups (0: never).
    #[arg(long, value_name = "N", default_value_t = audit::DEFAULT_GIVE_UP_AFTER)]
    give_up_after: usize,
    /// Longest one domain's check may take (e.g. `30s`); what has not been
    /// answered by then is reported as a failed lookup. `0` for no limit.
    #[arg(long, value_name = "DURATION", default_value = "60s", value_parser = parse_deadline)]
    domain_timeout: Duration,
    /// Print the DNS counters (queries, cache hits, coalesced asks) as JSON on standard error.
    #[arg(long)]
    stats: bool,
    /// Save every DNS answer the audit used to FILE (JSON, one file for the
    /// whole audit, sorted), written when the audit ends; replay it with --replay.
    #[arg(long, value_name = "FILE", conflicts_with = "replay")]
    record: Option<PathBuf>,
    /// Answer from a file saved with --record instead of DNS (offline): the
    /// same reports, byte for byte. A question the file lacks is a failed lookup.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["zones", "nameservers"])]
    replay: Option<PathBuf>,
    /// Exit 0 when every selected entry was audited, whatever was found: domains
    /// not unlocked, regressions (--fail-on) and bad manifest entries are in the
    /// output, not the exit status. For schedulers that retry failed runs (a
    /// Kubernetes Job): bad input, an internal error, an output that cannot be
    /// written and interruptions still exit non-zero (docs/exit-codes.md).
    #[arg(long)]
    exit_zero_on_findings: bool,
    #[command(flatten)]
    pub(crate) ses: crate::audit_ops::AuditSesArgs,
    #[command(flatten)]
    baseline: crate::audit_ops::BaselineArgs,
    #[command(flatten)]
    fix: crate::audit_fix::FixDirArgs,
    #[command(flatten)]
    pub(crate) rules: crate::RulesDir,
}

/// Most queries in flight: each may hold a socket, and a process gets about
/// a thousand file descriptors by default.
const MAX_JOBS: usize = 1_024;
/// Most worker threads: far above any core count; each thread reserves a stack.
const MAX_THREADS: usize = 256;

fn parse_bounded(s: &str, max: usize, what: &str) -> Result<usize, String> {
    match s.trim().parse::<u64>() {
        Ok(n) if n >= 1 && n <= max as u64 => Ok(n as usize),
        Ok(0) => Err(format!("{what} must be at least 1")),
        Ok(_) => Err(format!("{s} is too many {what}: at most {max}")),
        Err(_) => Err(format!("{s:?} is not a whole number from 1 to {max}")),
    }
}

fn parse_deadline(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s.trim()).map_err(|e| format!("{s:?} is not a duration such as 30s or 2m: {e}"))
}

fn parse_jobs(s: &str) -> Result<usize, String> {
    parse_bounded(s, MAX_JOBS, "queries in flight")
}

fn parse_threads(s: &str) -> Result<usize, String> {
    parse_bounded(s, MAX_THREADS, "worker threads")
}

fn parse_qps(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(q) if q.is_finite() && q > 0.0 => Ok(q),
        _ => Err(format!("{s:?} is not a positive number of queries per second")),
    }
}

/// `--output FILE`: written beside FILE as `FILE.partial`, renamed over FILE
/// when the audit completes, so FILE is always the previous output or a
/// complete new one, never half of one.
struct Output {
    target: PathBuf,
    partial: PathBuf,
    file: fs::File,
}

impl Output {
    fn open(target: &Path, manifest: &Path) -> miette::Result<Output> {
        // the same file under any spelling (./m.json, a symlink, a hard link)
        if let (Ok(a), Ok(b)) = (fs::metadata(target), fs::metadata(manifest))
            && same_file(&a, &b)
        {
            return Err(miette::miette!(
                help = "write the output to another file",
                "--output {} is the manifest itself: refusing to overwrite it",
                target.display()
            ));
        }
        let mut name = target.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".partial");
        let partial = target.with_file_name(name);
        let file = fs::File::create(&partial)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write {}", partial.display()))?;
        Ok(Output { target: target.to_path_buf(), partial, file })
    }

    /// Complete: rename over the target. Interrupted: leave the target as it
    /// was and say where the lines already done are.
    fn finish(self, interrupted: bool) -> miette::Result<()> {
        self.file
            .sync_all()
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write {}", self.partial.display()))?;
        if interrupted {
            eprintln!(
                "{} is unchanged; the domains done before the interruption are in {}",
                self.target.display(),
                self.partial.display()
            );
            return Ok(());
        }
        fs::rename(&self.partial, &self.target).into_diagnostic().wrap_err_with(|| {
            format!("cannot rename {} to {}", self.partial.display(), self.target.display())
        })
    }
}

/// The same file under any spelling when both exist, else the same path.
fn same_path(a: &Path, b: &Path) -> bool {
    match (fs::metadata(a), fs::metadata(b)) {
        (Ok(a), Ok(b)) => same_file(&a, &b),
        _ => a == b,
    }
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    false
}

/// Where the lines go, flushed one by one: the audit's [`Printer`].
struct Sink {
    out: Box<dyn Write>,
    format: Format,
    bar: Option<ProgressBar>,
    /// The first write error: once writing fails, the audit stops.
    failed: Option<io::Error>,
    /// `--baseline`: each line gets its changes.
    baseline: Option<Baseline>,
    /// Whether the baseline saw something regress (known at the end).
    regressed: bool,
    /// `--fix-dir`: how many change-sets were written where, said after the human summary.
    fix_line: Option<String>,
}

impl Sink {
    fn write(&mut self, text: &str) {
        if self.failed.is_some() {
            return;
        }
        let out = &mut self.out;
        let mut put = || -> io::Result<()> {
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")?;
            // Flushed as each completes: nothing done is lost to Ctrl-C or a crash.
            out.flush()
        };
        let result = match &self.bar {
            Some(bar) => bar.suspend(put),
            None => put(),
        };
        if let Err(e) = result {
            self.failed = Some(e);
        }
    }

    /// After the run: the baseline domains this run did not see (a line or row
    /// each, unless interrupted: then "not seen" is not "removed"), and the
    /// summary block of changes (in the output for human, on stderr otherwise).
    fn finish_baseline(&mut self, interrupted: bool) {
        let Some(mut baseline) = self.baseline.take() else { return };
        if !interrupted {
            for (before, changes) in baseline.removed() {
                match self.format {
                    Format::Json => self.write(&audit_baseline::removed_json_line(&before, &changes)),
                    Format::Csv => {
                        let row = output::csv_row(output::Row::Gone {
                            org: before.org.as_deref(),
                            domain: &before.domain,
                        });
                        self.write(&format!("{row},{}", output::csv_text(&changes.describe())));
                    }
                    Format::Human(_) => {}
                }
            }
        }
        let summary = baseline.summary();
        match self.format {
            Format::Human(_) => self.write(&summary),
            _ => eprint!("{summary}"),
        }
        self.regressed = baseline.regressed();
    }
}

impl Printer for Sink {
    fn begin(&mut self) {
        if let Some(header) = self.format.header() {
            match &self.baseline {
                Some(_) => self.write(&format!("{header},changes")),
                None => self.write(&header),
            }
        }
    }

    fn entry(&mut self, item: &Finished) {
        let changes = self.baseline.as_mut().and_then(|b| b.compare(item));
        let text = self.format.entry(item);
        match self.format {
            Format::Json if self.baseline.is_some() => {
                self.write(&audit_baseline::json_with_changes(&text, changes.as_ref()))
            }
            Format::Csv if self.baseline.is_some() => {
                let described = changes.as_ref().map(|c| c.describe()).unwrap_or_default();
                self.write(&format!("{text},{}", output::csv_text(&described)))
            }
            _ => self.write(&text),
        }
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    fn finish(&mut self, summary: &Summary, run: &AuditRun) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.failed.is_some() {
            return;
        }
        self.finish_baseline(run.interrupted);
        match self.format.footer(summary, run) {
            Some(text) => {
                self.write(&text);
                if let Some(line) = self.fix_line.take() {
                    self.write(&line);
                }
            }
            // said wherever the output goes: it changes how every later line reads
            None => {
                if let Some(line) = output::gave_up_line(run) {
                    eprintln!("{line}");
                }
            }
        }
    }
}

/// SIGINT (Ctrl-C) and SIGTERM (what Kubernetes and AWS Batch send): the first
/// drains, the second abandons the domains in flight.
async fn watch_signals(stop: Arc<Stop>, got: Arc<std::sync::atomic::AtomicU8>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut int), Ok(mut term)) = (signal(SignalKind::interrupt()), signal(SignalKind::terminate()))
        else {
            return;
        };
        for level in [StopLevel::Drain, StopLevel::Abandon] {
            let code = tokio::select! {
                _ = int.recv() => 130,
                _ = term.recv() => 143,
            };
            let _ = got.compare_exchange(
                0,
                code,
                std::sync::atomic::Ordering::SeqCst,
                std::sync::atomic::Ordering::SeqCst,
            );
            stop.raise(level);
            if level == StopLevel::Drain {
                eprintln!("\ninterrupted: finishing the domains in flight (interrupt again to abandon them)");
            }
        }
    }
    #[cfg(not(unix))]
    for level in [StopLevel::Drain, StopLevel::Abandon] {
        if tokio::signal::ctrl_c().await.is_err() {
            return;
        }
        let _ = got.compare_exchange(
            0,
            130,
            std::sync::atomic::Ordering::SeqCst,
            std::sync::atomic::Ordering::SeqCst,
        );
        stop.raise(level);
    }
}

/// The manifest at `path`, streamed from the file (see `sendlint::manifest`).
fn open_manifest(path: &Path, name: &str) -> miette::Result<ManifestIndex> {
    let file = if input::is_stdin(path, InputKind::Manifest) {
        spool_stdin(path)?
    } else {
        input::open_file(path, InputKind::Manifest).map_err(|e| miette::miette!("{e}"))?
    };
    ManifestIndex::from_file(path, name, file).map_err(|e| match e {
        OpenError::Input(e) => miette::miette!("{e}"),
        OpenError::Manifest(e) => Report::new(*e),
    })
}

/// Standard input cannot be read twice (the workspace checks read the
/// manifest before the domains are checked): it is copied to an unnamed
/// temporary file, deleted when closed, capped like a manifest file.
fn spool_stdin(path: &Path) -> miette::Result<fs::File> {
    let kind = InputKind::Manifest;
    let mut file =
        tempfile::tempfile().into_diagnostic().wrap_err("cannot keep standard input in a temporary file")?;
    let copied = io::copy(&mut io::Read::take(io::stdin().lock(), kind.limit().saturating_add(1)), &mut file)
        .map_err(|source| miette::miette!("{}", InputError::Io { path: path.to_path_buf(), kind, source }))?;
    if copied > kind.limit() {
        return Err(miette::miette!("{}", InputError::TooLarge { path: path.to_path_buf(), kind }));
    }
    Ok(file)
}

pub(crate) fn run(args: AuditArgs, rules: &RuleSet) -> miette::Result<ExitCode> {
    let path = args.manifest.display().to_string();
    let manifest = Arc::new(open_manifest(&args.manifest, &path)?);
    let mut baseline = args.baseline.load()?;
    if let (Some(b), Some(shard)) = (&mut baseline, args.shard) {
        b.retain(|domain| shard.contains(domain));
    }
    if let Some(n) = args.threads {
        // Loading a directory of zone files runs on rayon's global pool: the
        // same `--threads` as the checks (an error means it was already built).
        let _ = rayon::ThreadPoolBuilder::new().num_threads(n).build_global();
    }
    let base: Box<dyn Lookup> = match &args.replay {
        Some(file) => Box::new(ReplayLookup::from_file(file).map_err(|e| miette::miette!("--replay: {e}"))?),
        None => dns_source(&args.dns)?,
    };
    // the recording's file is made now: an unwritable path fails before the audit
    let (lookup, recording): (Arc<dyn Lookup>, _) = match &args.record {
        Some(path) => {
            let clash = if same_path(path, &args.manifest) {
                Some("the manifest itself")
            } else if args.output.as_deref().is_some_and(|o| same_path(path, o)) {
                Some("the --output file")
            } else {
                None
            };
            if let Some(what) = clash {
                return Err(miette::miette!(
                    help = "write the recording to another file",
                    "--record {} is {what}: refusing to overwrite it",
                    sendlint_records::display::escape(path.display().to_string().as_bytes()).text
                ));
            }
            let file = RecordingFile::create(path).map_err(|e| miette::miette!("--record: {e}"))?;
            let recorded = Arc::new(base.recorded());
            (recorded.clone(), Some((recorded, file)))
        }
        None => (Arc::from(base), None),
    };
    // the source itself (not the audit's cache around it) counts what it sent
    let source = lookup.clone();
    let now = match &args.now {
        Some(t) => parse_time(t, "--now")?,
        None => SystemTime::now(),
    };
    let output = args.output.as_deref().map(|p| Output::open(p, &args.manifest)).transpose()?;
    let out: Box<dyn Write> = match &output {
        Some(o) => Box::new(io::BufWriter::new(o.file.try_clone().into_diagnostic()?)),
        None => Box::new(crate::stdout::stdout()),
    };
    let to_terminal = args.output.is_none() && io::stdout().is_terminal();
    let bar = io::stderr().is_terminal().then(|| {
        let selected = match args.shard {
            Some(_) => {
                (0..manifest.len()).filter(|&i| audit::entry_in_shard(&manifest, i, args.shard)).count()
            }
            None => manifest.len(),
        };
        let bar = ProgressBar::with_draw_target(Some(selected as u64), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{bar:40} {pos}/{len} domains  {per_sec}  eta {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.enable_steady_tick(Duration::from_millis(200));
        bar
    });
    let format = match args.format {
        AuditFormat::Human => {
            Format::Human(if to_terminal { render_options() } else { RenderOptions::plain() })
        }
        AuditFormat::Json => Format::Json,
        AuditFormat::Csv => Format::Csv,
    };
    let mut sink =
        Counted::new(Sink { out, format, bar, failed: None, baseline, regressed: false, fix_line: None });
    sink.begin();

    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        builder.worker_threads(n);
    }
    let rt = builder.enable_all().build().into_diagnostic()?;
    let ses = crate::linked::audit_ses_gate(&args.ses, &rt)?;
    let stop = Arc::new(Stop::new());
    let signal = Arc::new(std::sync::atomic::AtomicU8::new(0));
    let opts = AuditOptions {
        jobs: args.jobs,
        qps: args.qps,
        now,
        shard: args.shard,
        give_up_after: args.give_up_after,
        domain_deadline: (!args.domain_timeout.is_zero()).then_some(args.domain_timeout),
        ses,
        // zone files and recordings answer at once (the lookup says so): the
        // checks are then CPU work for a rayon pool, this thread waits
        pool_offline: true,
        threads: args.threads,
        json_lines: args.format == AuditFormat::Json,
        trust_anchors: args.dns.trust_anchors()?,
        ..AuditOptions::default()
    };
    let rules = Arc::new(rules.clone());
    let mut fix_candidates = crate::audit_fix::Candidates::default();
    let fix_lookup = lookup.clone();
    let run = rt.block_on(async {
        // Listen before the first query, so any interrupt is ours.
        let signals = tokio::spawn(watch_signals(stop.clone(), signal.clone()));
        tokio::task::yield_now().await;
        let run = audit::audit(manifest.clone(), lookup, rules.clone(), &opts, &stop, |item| {
            if args.fix.fix_dir.is_some() {
                fix_candidates.add(&item);
            }
            sink.entry(&item);
            if sink.printer.failed.is_some() {
                stop.raise(StopLevel::Abandon);
            }
        })
        .await;
        signals.abort();
        run
    });
    // what every change-set is planned with: the audit's "now" and trust anchors
    let fix_base =
        sendlint::CheckOptions { now, trust_anchors: opts.trust_anchors.clone(), ..Default::default() };
    // the change-sets of the entries done (none when interrupted: stopping is what
    // was asked, nor when writing the output failed)
    let fixed = match &args.fix.fix_dir {
        Some(dir) if !run.interrupted && sink.printer.failed.is_none() => {
            Some(rt.block_on(crate::audit_fix::write_all(
                &args.fix,
                dir,
                &manifest,
                &fix_candidates,
                fix_lookup,
                &rules,
                &fix_base,
            ))?)
        }
        _ => None,
    };
    let fixed_line = fixed.as_ref().zip(args.fix.fix_dir.as_deref()).map(|(w, dir)| w.line(dir));
    if let Some(line) = &fixed_line {
        eprintln!("{line}");
    }
    sink.printer.fix_line = fixed_line;
    sink.finish(&run);
    let Counted { printer: mut sink, summary } = sink;
    if args.format != AuditFormat::Human && io::stderr().is_terminal() {
        eprint!("{summary}");
        if run.interrupted {
            eprintln!("interrupted: {} of {} domains done", run.finished, run.selected);
        }
    }
    if let Some(e) = sink.failed.take() {
        return Err(Report::msg(format!("cannot write the output: {e}")));
    }
    let regressed = sink.regressed;
    drop(sink);
    if let Some((recorded, file)) = recording
        && let Some(path) = &args.record
    {
        save_recording(&recorded, file, path, run.interrupted)?;
    }
    if let Some(o) = output {
        o.finish(run.interrupted)?;
    }
    if args.stats {
        let audit::DnsTally { queries, cache_hits: hits, coalesced, max_in_flight } = run.dns;
        // `queries` are the questions the audit asked its source; `wire` what
        // went to the servers (tries, TCP, NS addresses and CNAME targets
        // included), null where nothing is sent or sends are not counted
        eprintln!(
            "{}",
            serde_json::json!({
                "entries": run.entries, "selected": run.selected, "finished": run.finished,
                "queries": queries, "cache_hits": hits, "coalesced": coalesced, "max_in_flight": max_in_flight,
                "wire": source.wire_stats(),
            })
        );
    }
    let code = signal.load(std::sync::atomic::Ordering::SeqCst);
    Ok(if run.interrupted && code != 0 {
        ExitCode::from(code)
    } else if args.exit_zero_on_findings && !run.interrupted && summary.crashed == 0 {
        // every entry was audited: what was found is in the output
        ExitCode::SUCCESS
    } else if summary.bad_entries > 0 || summary.crashed > 0 {
        ExitCode::from(2)
    } else if args.baseline.fail_on.is_some() {
        ExitCode::from(u8::from(regressed))
    } else if summary.unlocked == summary.total {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `--record FILE`: the answers of the whole audit, failed entries included.
/// Interrupted, FILE stays as it was (like `--output`) and the answers asked
/// so far go to `FILE.partial`.
fn save_recording(
    recorded: &RecordingLookup<Box<dyn Lookup>>,
    file: RecordingFile,
    path: &Path,
    interrupted: bool,
) -> miette::Result<()> {
    let target = if interrupted {
        let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
        name.push(".partial");
        path.with_file_name(name)
    } else {
        path.to_path_buf()
    };
    file.commit(recorded, &target).map_err(|e| miette::miette!("--record: {e}"))?;
    let shown = |p: &Path| sendlint_records::display::escape(p.display().to_string().as_bytes()).text;
    if interrupted {
        eprintln!(
            "{} is unchanged; the answers asked before the interruption are in {}",
            shown(path),
            shown(&target)
        );
    }
    // `--replay` reads at most this much: say so now, not when it is needed
    if let Ok(meta) = fs::metadata(&target)
        && meta.len() > InputKind::Replay.limit()
    {
        eprintln!(
            "warning: the recording {} is {} bytes, more than --replay reads ({}); record a shard at a time",
            shown(&target),
            meta.len(),
            input::human_size(InputKind::Replay.limit())
        );
    }
    Ok(())
}
