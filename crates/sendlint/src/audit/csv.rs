//! The CSV output: a header, then one row per finished entry.

use sendlint_records::Role;
use sendlint_records::display::escape;

use super::{Finished, Outcome};

/// The CSV header (one row per manifest entry follows).
pub const CSV_HEADER: &str = "index,org,domain,zone,dns_host,unlocked,spf_mx,spf_txt,dkim,dmarc,codes,error";

/// One CSV field: quoted when needed (RFC 4180); control bytes escaped; a
/// leading `= + - @` defused so a spreadsheet never runs it as a formula.
fn csv_field(out: &mut String, value: &str) {
    let mut text = escape(value.as_bytes()).text;
    if text.starts_with(['=', '+', '-', '@']) {
        text.insert(0, '\'');
    }
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(&text);
    }
}

/// `value` as one CSV field (see [`csv_row`]).
pub fn csv_text(value: &str) -> String {
    let mut out = String::new();
    csv_field(&mut out, value);
    out
}

/// The CSV row of a finished entry: badges per role, the distinct codes
/// (space-separated, sorted), or the error of a bad entry.
pub fn csv_row(item: &Finished) -> String {
    let mut fields: Vec<String> = vec![item.index.to_string()];
    match &item.outcome {
        Outcome::Report(r) => {
            fields.push(r.org.clone().unwrap_or_default());
            fields.push(r.domain.clone());
            fields.push(r.zone.clone().unwrap_or_default());
            fields.push(r.dns_host.clone().unwrap_or_default());
            fields.push(r.sending_unlocked.to_string());
            for role in Role::RECORDS {
                fields.push(r.record(role).map(|rec| rec.state.as_str().to_owned()).unwrap_or_default());
            }
            let codes: std::collections::BTreeSet<&str> = r.codes().into_iter().collect();
            fields.push(codes.into_iter().collect::<Vec<_>>().join(" "));
            fields.push(String::new());
        }
        Outcome::BadEntry(e) => {
            fields.push(e.org.clone().unwrap_or_default());
            fields.push(e.domain.clone().unwrap_or_default());
            fields.extend(std::iter::repeat_n(String::new(), 8));
            fields.push(e.message().to_owned());
        }
        Outcome::Crashed { message } => {
            fields.extend(std::iter::repeat_n(String::new(), 10));
            fields.push(message.clone());
        }
    }
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        let mut out = String::new();
        csv_field(&mut out, "=HYPERLINK(\"x\")");
        assert_eq!(out, "\"'=HYPERLINK(\"\"x\"\")\"");
        let mut out = String::new();
        csv_field(&mut out, "a,b");
        assert_eq!(out, "\"a,b\"");
        let mut out = String::new();
        csv_field(&mut out, "plain");
        assert_eq!(out, "plain");
    }
}
