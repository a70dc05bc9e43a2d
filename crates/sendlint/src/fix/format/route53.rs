//! The Route 53 form: a ChangeBatch for `aws route53
//! change-resource-record-sets --change-batch file://…`. Route 53 replaces
//! whole record sets: a set that keeps records is an UPSERT of its complete
//! final content (unrelated TXT values kept), a set that ends empty a DELETE
//! of its exact current values and TTL. TXT values are written as Route 53
//! wants them: each character-string in double quotes, `\"` and `\\` escaped,
//! bytes outside printable ASCII as `\ooo` (octal).

use serde_json::{Value, json};

use crate::fix::{ChangeSet, RecordValue};
use sendlint_records::name::DomainName;

/// A name as Route 53 writes it: absolute, bytes other than letters, digits,
/// `-` and `_` as `\ooo`.
pub(crate) fn r53_name(name: &DomainName) -> String {
    let mut out = String::new();
    for label in name.labels() {
        for &b in label {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("\\{b:03o}"));
            }
        }
        out.push('.');
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// One character-string in Route 53's escaping, without the quotes.
pub(crate) fn r53_string(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7E => out.push(char::from(b)),
            _ => out.push_str(&format!("\\{b:03o}")),
        }
    }
    out
}

/// A record value as Route 53 takes it.
pub(crate) fn r53_value(v: &RecordValue) -> String {
    match v {
        RecordValue::Txt(t) => {
            t.strings.iter().map(|s| format!("\"{}\"", r53_string(s))).collect::<Vec<_>>().join(" ")
        }
        RecordValue::Mx(mx) => format!("{} {}", mx.preference, r53_name(&mx.exchange)),
        RecordValue::Cname(t) => r53_name(t),
    }
}

fn rrset(name: &DomainName, rtype: &str, ttl: u32, values: &[RecordValue]) -> Value {
    let records: Vec<Value> = values.iter().map(|v| json!({ "Value": r53_value(v) })).collect();
    json!({ "Name": r53_name(name), "Type": rtype, "TTL": ttl, "ResourceRecords": records })
}

/// The ChangeBatch as a JSON value.
pub fn change_batch(cs: &ChangeSet) -> Value {
    let mut changes = Vec::new();
    // CNAMEs go first: nothing else can be added next to one.
    let mut sets: Vec<_> = cs.sets.iter().collect();
    sets.sort_by_key(|s| s.rtype != "CNAME");
    for set in sets {
        if set.after.is_empty() {
            changes.push(json!({
                "Action": "DELETE",
                "ResourceRecordSet": rrset(&set.name, set.rtype, set.ttl_before, &set.before),
            }));
        } else {
            changes.push(json!({
                "Action": "UPSERT",
                "ResourceRecordSet": rrset(&set.name, set.rtype, set.ttl, &set.after),
            }));
        }
    }
    let mut comment = format!("sendlint fix {}", cs.domain);
    if !cs.unknown.is_empty() {
        let names: Vec<String> = cs.unknown.iter().map(|u| u.name.to_string()).collect();
        comment.push_str(&format!("; not changed (see sendlint fix): {}", names.join(", ")));
    }
    json!({ "Comment": comment, "Changes": changes })
}

pub(super) fn render(cs: &ChangeSet) -> String {
    let mut text = serde_json::to_string_pretty(&change_batch(cs)).unwrap_or_default();
    text.push('\n');
    text
}
