//! The human form: numbered steps in the DNS provider's words (its form's
//! field names and host style, from `[provider.records]`), deletions first,
//! each with the values to paste. Values from DNS are shown escaped (control
//! bytes, non-ASCII), never raw.

use sendlint_records::display::escape;
use sendlint_rules::{HostStyle, PriorityStyle, Provider, RecordsForm, TxtStyle};

use crate::fix::{Change, ChangeSet, Op, RecordValue};
use crate::publish::host_field;

fn field(out: &mut String, name: &str, value: &str) {
    out.push_str(&format!("     {:<14} {value}\n", format!("{name}:")));
}

fn step(
    out: &mut String,
    n: usize,
    c: &Change,
    form: &RecordsForm,
    zone: &sendlint_records::name::DomainName,
) {
    let verb = if c.op == Op::Delete { "Delete" } else { "Add" };
    let host = host_field(&c.name, zone, form.host);
    let shown_host = escape(host.as_bytes()).text;
    out.push_str(&format!(
        "{n}. {verb} the {} record at {}\n",
        c.value.rtype(),
        escape(c.name.to_string().as_bytes()).text
    ));
    field(out, "Type", c.value.rtype());
    field(out, &form.host_field, &shown_host);
    match &c.value {
        RecordValue::Mx(mx) => {
            // as a panel shows it: labels unescaped (but terminal-safe)
            let exchange: String = mx.exchange.labels().map(|l| escape(l).text).collect::<Vec<_>>().join(".");
            match form.priority {
                PriorityStyle::Separate => {
                    field(out, &form.mx_value_field, &exchange);
                    field(out, &form.priority_field, &mx.preference.to_string());
                }
                PriorityStyle::InValue => {
                    field(out, &form.mx_value_field, &format!("{} {exchange}", mx.preference));
                }
            }
        }
        RecordValue::Txt(t) => {
            let value = match form.txt {
                TxtStyle::Plain => escape(&t.data()).text,
                TxtStyle::Quoted => t.to_presentation(),
            };
            field(out, &form.value_field, &value);
        }
        RecordValue::Cname(target) => field(out, "Target", &target.to_string()),
    }
    if c.op == Op::Add {
        field(out, "TTL", &c.ttl.to_string());
        for (k, v) in form.fields.iter() {
            field(out, k, v);
        }
    }
    out.push_str(&format!("   Why: {}.\n\n", escape(c.why.as_bytes()).text));
}

pub(super) fn render(cs: &ChangeSet, provider: Option<&Provider>) -> String {
    let generic = RecordsForm::default();
    let provider_form = provider.map_or(&generic, |p| &p.records);
    // without the zone a relative host cannot be worked out: full names, said so
    let full_names;
    let form = if cs.zone.is_none() && provider_form.host == HostStyle::Relative {
        full_names = RecordsForm { host: HostStyle::Full, ..provider_form.clone() };
        &full_names
    } else {
        provider_form
    };
    let host = match provider {
        Some(p) => format!(" (DNS host: {})", p.name),
        None => String::new(),
    };
    let mut out = format!("sendlint fix {}{host}\n\n", cs.domain);
    if cs.is_empty() {
        out.push_str(if cs.unknown.is_empty() {
            "Nothing to change: DNS already holds what SES needs.\n"
        } else {
            "Nothing to change in what could be compared. The records below were not compared, \
             so this does not say that they are right.\n"
        });
    } else {
        let dels = cs.deletions().count();
        let adds = cs.additions().count();
        out.push_str(&format!("{dels} to delete, {adds} to add. Delete first, then add.\n"));
        match &cs.zone {
            Some(zone) if form.host == HostStyle::Relative => out.push_str(&format!(
                "The {} field is relative to the zone {zone}: the provider appends it.\n",
                form.host_field
            )),
            None if provider_form.host == HostStyle::Relative => out.push_str(&format!(
                "The zone holding {} could not be found, so the names below are full names: type the \
                 part before your zone into the {} field (the provider appends the zone).\n",
                cs.domain, form.host_field
            )),
            _ => {}
        }
        for note in form.notes.iter() {
            out.push_str(&format!("{note}\n"));
        }
        out.push('\n');
        let zone = cs.zone.clone().unwrap_or_else(|| cs.domain.clone());
        for (i, c) in cs.changes.iter().enumerate() {
            step(&mut out, i + 1, c, form, &zone);
        }
    }
    if !cs.unknown.is_empty() {
        out.push_str("\nNot changed:\n");
        for u in &cs.unknown {
            out.push_str(&format!("  - {} ({}): {}\n", u.name, u.role, escape(u.reason.as_bytes()).text));
        }
    }
    if !cs.notes.is_empty() {
        out.push_str("\nNotes:\n");
        for n in &cs.notes {
            out.push_str(&format!("  - {}\n", escape(n.as_bytes()).text));
        }
    }
    if !cs.is_empty() {
        while out.ends_with("\n\n") {
            out.pop();
        }
        out.push_str(&format!("\nThen check again: sendlint check {} (the same flags).\n", cs.domain));
    }
    out
}
