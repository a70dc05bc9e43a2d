//! What only `sendlint-full` links: the AWS SDK (live SES) and the HTTP server.
//!
//! `sendlint` is the everyday binary. Without the AWS SDK, hyper, rustls and
//! axum it is a third of the size, and the dynamic loader applies a third of the
//! relocations on every start: a `check` from zone files starts and ends in a few
//! milliseconds. A command that needs those parts (`--ses`, `serve`) is
//! handed, argument for argument, to `sendlint-full`: the same command line with
//! them linked, installed next to it.
//!
//! Reachability, not cargo features, keeps them out of `sendlint`: only
//! `sendlint-full`'s `main` names [`Full`], so the linker drops everything that
//! only [`Full`] reaches. Building both binaries in one run (as `cargo build` and
//! the tests do) therefore gives each its own contents.

use std::process::ExitCode;
use std::sync::{Arc, OnceLock};

use miette::miette;
use sendlint::audit::ses::SesGate;
use sendlint_dns::BoxFuture;
use sendlint_rules::RuleSet;
use sendlint_ses::{SesLookup, Setup};

use crate::audit_ops::AuditSesArgs;
use crate::serve_cmd::ServeArgs;
use crate::ses::SesArgs;

/// The binary that links everything.
pub(crate) const FULL: &str = "sendlint-full";

/// The parts of the command line that need the AWS SDK or the HTTP server.
pub(crate) trait Linked: Sync {
    /// `check --ses`, `watch --ses`: GetEmailIdentity for one domain.
    fn ses_lookup<'a>(
        &'a self,
        args: &'a SesArgs,
        setup: &'a Setup,
        region_given: bool,
    ) -> BoxFuture<'a, SesLookup>;
    /// `audit --ses`: one SES session for the whole run, behind its rate gate.
    fn ses_gate(&self, args: &AuditSesArgs, rt: &tokio::runtime::Runtime) -> miette::Result<Arc<SesGate>>;
    /// `serve`.
    fn serve(&self, args: ServeArgs, rules: RuleSet) -> miette::Result<ExitCode>;
}

/// The real parts, named only by `sendlint-full`.
pub(crate) struct Full;

impl Linked for Full {
    fn ses_lookup<'a>(
        &'a self,
        args: &'a SesArgs,
        setup: &'a Setup,
        region_given: bool,
    ) -> BoxFuture<'a, SesLookup> {
        Box::pin(args.live_lookup(setup, region_given))
    }

    fn ses_gate(&self, args: &AuditSesArgs, rt: &tokio::runtime::Runtime) -> miette::Result<Arc<SesGate>> {
        args.live_gate(rt)
    }

    fn serve(&self, args: ServeArgs, rules: RuleSet) -> miette::Result<ExitCode> {
        crate::serve_cmd::run(args, rules)
    }
}

static LINKED: OnceLock<&'static dyn Linked> = OnceLock::new();

/// Called once by `sendlint-full`'s `main`.
pub(crate) fn install(parts: &'static dyn Linked) {
    let _ = LINKED.set(parts);
}

/// The linked parts. In `sendlint` a command that needs them was handed to
/// `sendlint-full` before it ran (see [`needed_by`]), so reaching here without
/// them is a bug, said as one rather than a panic.
pub(crate) fn get() -> miette::Result<&'static dyn Linked> {
    LINKED
        .get()
        .copied()
        .ok_or_else(|| miette!("internal error: this needs {FULL}, and the command was not handed to it"))
}

/// What SES says about `setup.domain`: the saved answer (`--ses-state`), the
/// live one (`--ses`, in `sendlint-full`), or `None` when no SES flag was
/// given. A live call that fails is a [`SesLookup::Failed`], reported with the
/// DNS findings.
pub(crate) async fn ses_lookup(
    args: &SesArgs,
    setup: &sendlint_ses::Setup,
    region_given: bool,
) -> miette::Result<Option<sendlint_ses::SesLookup>> {
    if let Some(saved) = args.saved()? {
        return Ok(Some(saved));
    }
    if args.live() {
        return Ok(Some(get()?.ses_lookup(args, setup, region_given).await));
    }
    Ok(None)
}

/// The SES gate of an audit, or `None` without `--ses`. Credentials are
/// resolved here, once: none anywhere is one sentence and exit 2, before any
/// DNS query.
pub(crate) fn audit_ses_gate(
    args: &AuditSesArgs,
    rt: &tokio::runtime::Runtime,
) -> miette::Result<Option<Arc<SesGate>>> {
    if !args.live() {
        return Ok(None);
    }
    get()?.ses_gate(args, rt).map(Some)
}

/// What in this command line needs `sendlint-full`, if anything.
pub(crate) fn needed_by(command: &crate::Command) -> Option<&'static str> {
    use crate::Command;
    match command {
        Command::Serve(_) => Some("`serve`"),
        Command::Check(a) if a.ses.live() => Some("`check --ses`"),
        Command::Watch(a) if a.ses.live() => Some("`watch --ses`"),
        Command::Audit(a) if a.ses.live() => Some("`audit --ses`"),
        _ => None,
    }
}

/// Replaces this process by `sendlint-full` with the same arguments,
/// standard streams and environment. Returns only when that fails.
pub(crate) fn hand_off(what: &str) -> miette::Report {
    use std::os::unix::process::CommandExt;
    let full = match std::env::current_exe() {
        Ok(me) => me.with_file_name(FULL),
        Err(e) => return miette!("{what} needs {FULL}, and where this binary is cannot be read: {e}"),
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(&full);
    if let Some(arg0) = args.next() {
        command.arg0(arg0);
    }
    let error = command.args(args).exec();
    let path = sendlint_records::display::escape(full.display().to_string().as_bytes()).text;
    miette!(
        help = build_hint(&full),
        "{what} needs {FULL} (the AWS SDK and the HTTP server), which cannot be run from {path}: {error}"
    )
}

/// How to get `sendlint-full` next to this binary. In a cargo target folder
/// (`cargo run` builds `sendlint` alone), building the package is quick once
/// `sendlint` is built: most of what it needs is compiled already.
fn build_hint(full: &std::path::Path) -> String {
    let install = "install both binaries of the package: `cargo install --locked --path crates/sendlint-cli`";
    let profile = full.parent().and_then(|d| d.file_name()).and_then(|n| n.to_str());
    match profile {
        Some("release") => format!("build it with `cargo build --release -p sendlint-cli`, or {install}"),
        Some("debug") => format!("build it with `cargo build -p sendlint-cli`, or {install}"),
        _ => install.to_owned(),
    }
}
