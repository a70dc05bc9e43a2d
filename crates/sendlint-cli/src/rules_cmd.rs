//! `sendlint rules`: the rule set and each rule's documentation, straight from
//! the rule files.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use miette::{IntoDiagnostic, miette};
use sendlint_records::FACTS;
use sendlint_rules::RuleSet;

#[derive(Args, Debug)]
pub(crate) struct RulesArgs {
    #[command(subcommand)]
    command: Option<RulesCommand>,
}

#[derive(Subcommand, Debug)]
enum RulesCommand {
    /// Show one rule's documentation.
    Show {
        /// The diagnosis code, e.g. dkim.quoted-value.
        code: String,
    },
    /// List the facts rule conditions and templates can use.
    Facts,
}

pub(crate) fn run(args: RulesArgs, rules: &RuleSet) -> miette::Result<ExitCode> {
    let mut out = io::stdout().lock();
    match args.command {
        None => {
            for r in rules.rules() {
                let summary = r.docs.what.lines().next().unwrap_or_default();
                writeln!(out, "{:<32} {:<8} {}", r.code, r.severity.to_string(), summary)
                    .into_diagnostic()?;
            }
        }
        Some(RulesCommand::Show { code }) => {
            let Some(r) = rules.rule(&code) else {
                return Err(miette!(
                    help = "`sendlint rules` lists every code",
                    "no rule has the code {code:?}"
                ));
            };
            write!(out, "{}", r.markdown()).into_diagnostic()?;
            writeln!(out, "\ndefined in {}", r.source).into_diagnostic()?;
        }
        Some(RulesCommand::Facts) => {
            for f in FACTS {
                let roles = if f.roles.is_empty() {
                    "all roles".to_owned()
                } else {
                    f.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
                };
                writeln!(out, "{:<24} {:<7} {:<34} {}", f.name, f.ty.to_string(), roles, f.doc)
                    .into_diagnostic()?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
