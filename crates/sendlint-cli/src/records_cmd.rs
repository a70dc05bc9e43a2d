//! `sendlint records`: the four records to publish.

use std::io::{self, Write};
use std::process::ExitCode;

use miette::IntoDiagnostic;
use sendlint_records::txt::TxtRecord;
use sendlint_rules::RuleSet;
use sendlint_ses::{ExpectedRecord, expected_records};
use serde_json::json;

use crate::{SetupArgs, build_setup, unknown_registrar};

fn title(r: &ExpectedRecord) -> &'static str {
    match r.role {
        sendlint_records::Role::SpfMx => "MAIL FROM MX (SPF badge, part 1)",
        sendlint_records::Role::SpfTxt => "MAIL FROM SPF TXT (SPF badge, part 2)",
        sendlint_records::Role::Dkim => "DKIM TXT",
        sendlint_records::Role::Dmarc => "DMARC TXT (recommended; never blocks sending)",
        sendlint_records::Role::Domain => "",
    }
}

/// Prints the records for `domain`.
pub(crate) fn run(
    domain: &str,
    args: &SetupArgs,
    registrar: Option<&str>,
    json: bool,
    rules: &RuleSet,
) -> miette::Result<ExitCode> {
    if let Some(id) = registrar
        && rules.provider(id).is_none()
    {
        return Err(unknown_registrar(id, rules));
    }
    let setup = build_setup(domain, args)?;
    let records = expected_records(&setup);
    let mut out = io::stdout().lock();
    if json {
        let list: Vec<_> = records
            .iter()
            .map(|r| json!({"role": r.role, "name": r.name.to_string(), "type": r.rtype, "value": r.value}))
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list).into_diagnostic()?).into_diagnostic()?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "Publish these records for {} (SES region {}):", setup.domain, setup.region)
        .into_diagnostic()?;
    for (i, r) in records.iter().enumerate() {
        writeln!(out, "\n{}. {}", i + 1, title(r)).into_diagnostic()?;
        writeln!(out, "   Type:  {}", r.rtype).into_diagnostic()?;
        writeln!(out, "   Name:  {}", r.name).into_diagnostic()?;
        writeln!(out, "   Value: {}", r.value).into_diagnostic()?;
        if r.rtype == "TXT" && r.value.len() > 255 {
            let split = TxtRecord::from_value(r.value.as_bytes()).to_presentation();
            writeln!(
                out,
                "   The value is longer than 255 characters. Paste it as ONE value; a form or zone file\n   that takes character-strings needs them in ONE record:\n   {split}"
            )
            .into_diagnostic()?;
        }
    }
    writeln!(out, "\nZone-file form:").into_diagnostic()?;
    for r in &records {
        let value = if r.rtype == "TXT" {
            TxtRecord::from_value(r.value.as_bytes()).to_presentation()
        } else {
            format!("{}.", r.value)
        };
        writeln!(out, "{}. 3600 IN {} {}", r.name, r.rtype, value).into_diagnostic()?;
    }
    Ok(ExitCode::SUCCESS)
}
