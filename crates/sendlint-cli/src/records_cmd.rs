//! `sendlint records`: the four records to publish, written for the DNS
//! provider's form when `--registrar` names one. The shape of each provider's
//! form (relative or full host, where the MX priority goes, TXT quoting, extra
//! fields, notes) is data: `[provider.records]` in `rules/providers/<id>.toml`.

use std::io::Write;
use std::process::ExitCode;

use miette::{IntoDiagnostic, miette};
use sendlint::publish::{self, FormField};
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;
use sendlint_rules::{HostStyle, RuleSet, TxtStyle};
use sendlint_ses::{ExpectedRecord, Setup, expected_exchange, expected_records};

use crate::{SetupArgs, build_setup, canonical_provider};

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
    provider_id: Option<&str>,
    apex: Option<&str>,
    json: bool,
    rules: &RuleSet,
) -> miette::Result<ExitCode> {
    let provider = canonical_provider(provider_id, rules)?.and_then(|id| rules.provider(&id));
    let setup = build_setup(domain, args)?;
    let records = expected_records(&setup);
    let mut out = crate::stdout::stdout();
    let Some(p) = provider else {
        return generic(&mut out, &setup, &records, json);
    };
    let apex = match apex {
        Some(a) => Some(DomainName::parse_input(a).map_err(|e| miette!("--apex is not a domain name: {e}"))?),
        None => None,
    };
    let zone = publish::zone_apex(&setup.domain, apex.as_ref()).map_err(|e| miette!("--apex: {e}"))?;
    let guessed = apex.is_none();
    let forms = publish::publish_records(&setup, Some(p), &zone);
    if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&forms).into_diagnostic()?).into_diagnostic()?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "Publish these records for {} (SES region {}) in {}:", setup.domain, setup.region, p.name)
        .into_diagnostic()?;
    writeln!(out).into_diagnostic()?;
    for note in p.records.notes.iter() {
        writeln!(out, "{}", wrap(note, "  ", 96)).into_diagnostic()?;
    }
    if p.records.host == HostStyle::Relative {
        let why = if guessed {
            format!(
                "the registrable domain of {} by the public suffix list; if your DNS zone is another one, pass --apex ZONE",
                setup.domain
            )
        } else {
            "from --apex".to_owned()
        };
        writeln!(
            out,
            "{}",
            wrap(
                &format!("{} values are relative to the zone {zone} ({why}).", p.records.host_field),
                "  ",
                96
            )
        )
        .into_diagnostic()?;
    }
    // One column for every block, so the values line up down the page.
    let width = forms.iter().flat_map(|f| &f.fields).map(|f| f.field.chars().count()).max().unwrap_or(0) + 1;
    for (i, (r, f)) in records.iter().zip(&forms).enumerate() {
        writeln!(out, "\n{}. {}", i + 1, title(r)).into_diagnostic()?;
        for FormField { field, value } in &f.fields {
            writeln!(out, "   {:<width$} {value}", format!("{field}:")).into_diagnostic()?;
        }
        if r.rtype == "TXT" && r.value.len() > 255 {
            let hint = match p.records.txt {
                TxtStyle::Plain => format!(
                    "Paste this into {} in one piece: one line, no quotes, not split.",
                    p.records.value_field
                ),
                TxtStyle::Quoted => format!(
                    "The value is longer than 255 characters, so it is several quoted strings of ONE record: keep them on ONE line of {}.",
                    p.records.value_field
                ),
            };
            writeln!(out, "{}", wrap(&hint, "   ", 96)).into_diagnostic()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The records without a provider: every field in full, plus the zone-file form.
fn generic(
    out: &mut impl Write,
    setup: &Setup,
    records: &[ExpectedRecord],
    json: bool,
) -> miette::Result<ExitCode> {
    let (domain, region) = (&setup.domain, setup.region.as_str());
    if json {
        let list = publish::publish_records(setup, None, domain);
        writeln!(out, "{}", serde_json::to_string_pretty(&list).into_diagnostic()?).into_diagnostic()?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "Publish these records for {domain} (SES region {region}):").into_diagnostic()?;
    for (i, r) in records.iter().enumerate() {
        writeln!(out, "\n{}. {}", i + 1, title(r)).into_diagnostic()?;
        writeln!(out, "   Type:     {}", r.rtype).into_diagnostic()?;
        writeln!(out, "   Name:     {}", r.name).into_diagnostic()?;
        if r.rtype == "MX" {
            // The priority has a field of its own in nearly every form: typed
            // into Value it becomes part of the host name (`mx.priority-in-value`).
            writeln!(out, "   Value:    {}", expected_exchange(region)).into_diagnostic()?;
            writeln!(out, "   Priority: 10").into_diagnostic()?;
        } else {
            writeln!(out, "   Value:    {}", r.value).into_diagnostic()?;
        }
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
    for r in records {
        let value = if r.rtype == "TXT" {
            TxtRecord::from_value(r.value.as_bytes()).to_presentation()
        } else {
            format!("{}.", r.value)
        };
        writeln!(out, "{}. 3600 IN {} {}", r.name, r.rtype, value).into_diagnostic()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Wraps prose at `width` columns, every line starting with `indent`.
fn wrap(text: &str, indent: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = String::from(indent);
    for word in text.split_whitespace() {
        if line.len() > indent.len() && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(line.trim_end());
            out.push('\n');
            line = String::from(indent);
        }
        if line.len() > indent.len() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(line.trim_end());
    out
}
