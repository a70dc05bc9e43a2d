//! `sendlint completions SHELL` and `sendlint man`: generated from the same
//! clap definition as the parser, so they never drift from it.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Args;
use clap_complete::Shell;
use miette::IntoDiagnostic;

#[derive(Args, Debug)]
pub(crate) struct CompletionsArgs {
    /// The shell. Install, e.g.: bash `sendlint completions bash > ~/.local/share/bash-completion/completions/sendlint`;
    /// zsh `sendlint completions zsh > ~/.zfunc/_sendlint`; fish `sendlint completions fish > ~/.config/fish/completions/sendlint.fish`.
    #[arg(value_enum)]
    shell: Shell,
}

pub(crate) fn completions(args: CompletionsArgs, mut cmd: clap::Command) -> miette::Result<ExitCode> {
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "sendlint", &mut out);
    io::stdout().lock().write_all(&out).into_diagnostic()?;
    Ok(ExitCode::SUCCESS)
}

#[derive(Args, Debug)]
pub(crate) struct ManArgs {
    /// A subcommand's page instead (`sendlint man check` is sendlint-check(1)).
    command: Option<String>,
}

/// The man page of `sendlint` (which lists the subcommands), or of one subcommand.
pub(crate) fn man(args: ManArgs, mut cmd: clap::Command) -> miette::Result<ExitCode> {
    // every subcommand's arguments, deferred ones included (crate::deferred)
    cmd.build();
    let page = match &args.command {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name) else {
                let known: Vec<&str> = cmd.get_subcommands().map(|s| s.get_name()).collect();
                return Err(miette::miette!(
                    help = format!("subcommands: {}", known.join(", ")),
                    "no subcommand {name:?}"
                ));
            };
            let bin = format!("sendlint-{}", sub.get_name());
            sub.clone().bin_name(bin.clone()).display_name(bin)
        }
    };
    let mut out = Vec::new();
    let source = format!("sendlint {}", env!("CARGO_PKG_VERSION"));
    clap_mangen::Man::new(page).source(source).render(&mut out).into_diagnostic()?;
    io::stdout().lock().write_all(&out).into_diagnostic()?;
    Ok(ExitCode::SUCCESS)
}

/// `sendlint schema NAME`: the JSON Schema, as in docs/schema/NAME.json.
pub(crate) fn schema(name: &str) -> miette::Result<ExitCode> {
    let text = sendlint::schema::schema(name).ok_or_else(|| miette::miette!("no schema {name:?}"))?;
    io::stdout().lock().write_all(text.as_bytes()).into_diagnostic()?;
    Ok(ExitCode::SUCCESS)
}
