//! `sendlint records`: the four records to publish, written for the DNS
//! provider's form when `--registrar` names one. The shape of each provider's
//! form (relative or full host, where the MX priority goes, TXT quoting, extra
//! fields, notes) is data: `[provider.records]` in `rules/providers/<id>.toml`.

use std::io::Write;
use std::process::ExitCode;

use miette::{IntoDiagnostic, miette};
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;
use sendlint_rules::{HostStyle, PriorityStyle, Provider, RuleSet, TxtStyle};
use sendlint_ses::{ExpectedRecord, expected_exchange, expected_records};
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

/// One record as a provider's form wants it: `(field label, what to type)` lines.
struct FormRecord {
    host: String,
    value: String,
    priority: Option<u16>,
    lines: Vec<(String, String)>,
}

/// Where the zone apex is: `--apex`, else the registrable domain of the domain
/// by the public suffix list (there is no DNS to ask: `mail.acme.co.uk` → `acme.co.uk`).
fn zone_apex(domain: &DomainName, apex: Option<&str>) -> miette::Result<(DomainName, bool)> {
    if let Some(a) = apex {
        let zone = DomainName::parse_input(a).map_err(|e| miette!("--apex is not a domain name: {e}"))?;
        if !domain.is_subdomain_of(&zone) {
            return Err(miette!("--apex {zone} does not contain the domain {domain}"));
        }
        return Ok((zone, false));
    }
    let zone = sendlint::public_suffix::registrable_domain(domain).unwrap_or_else(|| domain.clone());
    Ok((zone, true))
}

/// `name` as typed into a host field of `style`.
fn host(name: &DomainName, zone: &DomainName, style: HostStyle) -> String {
    match style {
        HostStyle::Full => name.to_string(),
        HostStyle::Relative => match name.strip_suffix(zone) {
            Some(rel) if rel.is_root() => "@".to_owned(),
            Some(rel) => rel.to_string(),
            None => name.to_string(),
        },
    }
}

fn form_record(r: &ExpectedRecord, p: &Provider, zone: &DomainName, region: &str) -> FormRecord {
    let f = &p.records;
    let host = host(&r.name, zone, f.host);
    let mut lines = vec![("Type".to_owned(), r.rtype.to_owned()), (f.host_field.clone(), host.clone())];
    let (value, priority) = if r.rtype == "MX" {
        let exchange = expected_exchange(region);
        match f.priority {
            PriorityStyle::Separate => {
                lines.push((f.mx_value_field.clone(), exchange.clone()));
                lines.push((f.priority_field.clone(), "10".to_owned()));
                (exchange, Some(10))
            }
            PriorityStyle::InValue => {
                let v = format!("10 {exchange}");
                lines.push((f.mx_value_field.clone(), v.clone()));
                (v, None)
            }
        }
    } else {
        let v = match f.txt {
            TxtStyle::Plain => r.value.clone(),
            TxtStyle::Quoted => TxtRecord::from_value(r.value.as_bytes()).to_presentation(),
        };
        lines.push((f.value_field.clone(), v.clone()));
        (v, None)
    };
    lines.extend(f.fields.iter().cloned());
    FormRecord { host, value, priority, lines }
}

/// Prints the records for `domain`.
pub(crate) fn run(
    domain: &str,
    args: &SetupArgs,
    registrar: Option<&str>,
    apex: Option<&str>,
    json: bool,
    rules: &RuleSet,
) -> miette::Result<ExitCode> {
    let provider = match registrar {
        Some(id) => Some(rules.provider(id).ok_or_else(|| unknown_registrar(id, rules))?),
        None => None,
    };
    let setup = build_setup(domain, args)?;
    let records = expected_records(&setup);
    let mut out = crate::stdout::stdout();
    let Some(p) = provider else {
        return generic(&mut out, &setup.domain, &setup.region, &records, json);
    };
    let (zone, guessed) = zone_apex(&setup.domain, apex)?;
    let forms: Vec<FormRecord> = records.iter().map(|r| form_record(r, p, &zone, &setup.region)).collect();
    if json {
        let list: Vec<_> = records
            .iter()
            .zip(&forms)
            .map(|(r, f)| {
                json!({
                    "role": r.role, "name": r.name.to_string(), "type": r.rtype, "value": r.value,
                    "registrar": p.id, "host": f.host, "form_value": f.value, "priority": f.priority,
                    "fields": f.lines.iter().map(|(k, v)| json!({"field": k, "value": v})).collect::<Vec<_>>(),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&list).into_diagnostic()?).into_diagnostic()?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "Publish these records for {} (SES region {}) in {}:", setup.domain, setup.region, p.name)
        .into_diagnostic()?;
    writeln!(out).into_diagnostic()?;
    for note in &p.records.notes {
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
    let width = forms.iter().flat_map(|f| &f.lines).map(|(k, _)| k.chars().count()).max().unwrap_or(0) + 1;
    for (i, (r, f)) in records.iter().zip(&forms).enumerate() {
        writeln!(out, "\n{}. {}", i + 1, title(r)).into_diagnostic()?;
        for (k, v) in &f.lines {
            writeln!(out, "   {:<width$} {v}", format!("{k}:")).into_diagnostic()?;
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
    domain: &DomainName,
    region: &str,
    records: &[ExpectedRecord],
    json: bool,
) -> miette::Result<ExitCode> {
    if json {
        let list: Vec<_> = records
            .iter()
            .map(|r| {
                let mut v =
                    json!({"role": r.role, "name": r.name.to_string(), "type": r.rtype, "value": r.value});
                if r.rtype == "MX" {
                    // what a form with a priority field takes
                    v["form_value"] = json!(expected_exchange(region));
                    v["priority"] = json!(10);
                }
                v
            })
            .collect();
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
