//! `sendlint rules`: the rule set and each rule's documentation, straight from
//! the rule files; the rule reference (`rules docs`); and the rule author's
//! check of a rules directory and its fixtures (`rules check DIR`).

use sendlint_records::display::{untrusted, untrusted_lines};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use miette::{IntoDiagnostic, Report, miette};
use sendlint::fixture::{Fixture, code_diff, differences};
use sendlint_records::FACTS;
use sendlint_rules::RuleSet;

#[derive(Args, Debug)]
pub(crate) struct RulesArgs {
    #[command(subcommand)]
    command: Option<RulesCommand>,
    #[command(flatten)]
    pub(crate) rules: crate::RulesDir,
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
    /// Print the rule reference (Markdown) generated from the rule files: `docs/rules.md`.
    Docs,
    /// Validate a rules directory on top of the built-in rules and run its fixtures
    /// (`DIR/fixtures/**/*.toml`). Exit 0: all pass; 1: a fixture fails; 2: the rules do not load.
    Check {
        /// A directory laid out like `rules/` (`core/*.toml`, `providers/<id>.toml`), with
        /// its fixtures under `fixtures/`.
        dir: PathBuf,
    },
}

pub(crate) fn run(args: RulesArgs, rules: &RuleSet) -> miette::Result<ExitCode> {
    let mut out = crate::stdout::stdout();
    match args.command {
        None => {
            for r in rules.rules() {
                let summary = r.docs.what.lines().next().unwrap_or_default();
                // Rules of a --rules directory are a stranger's text: escaped on the way out.
                writeln!(out, "{:<32} {:<8} {}", r.code, r.severity.to_string(), untrusted(summary))
                    .into_diagnostic()?;
            }
        }
        Some(RulesCommand::Show { code }) => {
            let Some(r) = rules.rule(&code) else {
                return Err(miette!(
                    help = code_hint(&code, rules),
                    "no rule has the code {}",
                    sendlint_records::display::quote(&code)
                ));
            };
            write!(out, "{}", untrusted_lines(&r.markdown())).into_diagnostic()?;
            writeln!(out, "\ndefined in {}", untrusted(&r.source)).into_diagnostic()?;
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
        Some(RulesCommand::Docs) => {
            write!(out, "{}", untrusted_lines(&rules.reference_markdown())).into_diagnostic()?
        }
        Some(RulesCommand::Check { dir }) => return check(&dir, rules, &mut out),
    }
    Ok(ExitCode::SUCCESS)
}

/// "Did you mean" for a code that no rule has: the codes it begins (`dkim.doubled`
/// is `dkim.doubled-suffix`), else the closest by spelling.
fn code_hint(typed: &str, rules: &RuleSet) -> String {
    const LIST: &str = "(`sendlint rules` lists every code)";
    let typed = typed.trim().to_ascii_lowercase();
    let codes: Vec<&str> = rules.rules().map(|r| &*r.code).collect();
    let starting: Vec<&str> = codes.iter().copied().filter(|c| c.starts_with(typed.as_str())).collect();
    match starting.as_slice() {
        [one] => format!("did you mean `{one}`? {LIST}"),
        [_, _, ..] if starting.len() <= 6 && !typed.is_empty() => {
            let names: Vec<String> = starting.iter().map(|c| format!("`{c}`")).collect();
            format!("did you mean one of {}? {LIST}", names.join(", "))
        }
        _ => match sendlint_rules::suggest_among(&typed, &codes) {
            Some(close) => format!("did you mean `{close}`? {LIST}"),
            None => "`sendlint rules` lists every code".to_owned(),
        },
    }
}

/// `rules check DIR`: load DIR's rule files on top of `base` (every load error is
/// reported, exit 2), then run every fixture under `DIR/fixtures`, one line each.
fn check(dir: &Path, base: &RuleSet, out: &mut impl Write) -> miette::Result<ExitCode> {
    if !dir.is_dir() {
        return Err(miette!("{} is not a directory", dir.display()));
    }
    let rules = base.clone().with_dir(dir).map_err(Report::new)?;
    let added = rules.sources().len() - base.sources().len();
    writeln!(
        out,
        "rules: {} rule file{} from {} loaded on top of the built-in rules",
        added,
        plural(added),
        dir.display()
    )
    .into_diagnostic()?;

    let fixtures_root = dir.join("fixtures");
    let paths = sendlint::fixture::fixture_files(&fixtures_root);
    if paths.is_empty() {
        writeln!(out, "fixtures: none under {} (add some: see CONTRIBUTING.md)", fixtures_root.display())
            .into_diagnostic()?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = 0usize;
    for path in &paths {
        let name =
            untrusted(&path.strip_prefix(&fixtures_root).unwrap_or(path).display().to_string()).into_owned();
        let outcome = Fixture::load(path).and_then(|f| {
            let report = f.run(&name, &rules)?;
            Ok((differences(&f, &report), code_diff(&f, &report)))
        });
        match outcome {
            Ok((problems, _)) if problems.is_empty() => writeln!(out, "PASS {name}").into_diagnostic()?,
            Ok((problems, (missing, unexpected))) => {
                failed += 1;
                writeln!(out, "FAIL {name}").into_diagnostic()?;
                for code in &missing {
                    writeln!(out, "  - {code}    (expected, not reported)").into_diagnostic()?;
                }
                for code in &unexpected {
                    writeln!(out, "  + {code}    (reported, not expected)").into_diagnostic()?;
                }
                for p in problems.iter().filter(|p| !p.contains(" code ")) {
                    writeln!(out, "  ! {}", untrusted_lines(p)).into_diagnostic()?;
                }
            }
            Err(e) => {
                failed += 1;
                writeln!(out, "FAIL {name}").into_diagnostic()?;
                for line in e.to_string().lines() {
                    writeln!(out, "  ! {}", untrusted(line)).into_diagnostic()?;
                }
            }
        }
    }
    let total = paths.len();
    writeln!(out, "\nfixtures: {total}, passed {}, failed {failed}", total - failed).into_diagnostic()?;
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
