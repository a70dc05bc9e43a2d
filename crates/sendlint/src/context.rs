//! Context facts the engine derives for texts: the name as a host field takes
//! it, and the observed value to build a fix on.

use sendlint_records::display::escape;
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;
use sendlint_records::{Fact, Facts, Role};

/// `name` relative to `zone` (`@` for the apex), or `None` outside the zone.
pub(crate) fn relative_name(name: &DomainName, zone: &DomainName) -> Option<String> {
    let rel = name.strip_suffix(zone)?;
    Some(if rel.is_root() { "@".to_owned() } else { rel.to_string() })
}

/// The record of `role`'s kind (`v=spf1`, `v=DMARC1`, else the first) as
/// display text, without wrapping quotes and trailing `;` and blanks.
pub(crate) fn record_value(role: Role, txt: &[TxtRecord]) -> Option<String> {
    let prefix: &[u8] = match role {
        Role::SpfTxt => b"v=spf1",
        Role::Dmarc => b"v=dmarc1",
        _ => b"",
    };
    let data: Vec<Vec<u8>> = txt.iter().map(TxtRecord::data).collect();
    let pick = data
        .iter()
        .find(|d| {
            let t = strip_quotes(d);
            t.len() >= prefix.len() && t[..prefix.len()].eq_ignore_ascii_case(prefix)
        })
        .or(data.first())?;
    let text = escape(strip_quotes(pick)).text;
    let trimmed = text.trim_end_matches([';', ' ', '\t']).trim_start();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

fn strip_quotes(d: &[u8]) -> &[u8] {
    match std::str::from_utf8(d) {
        Ok(s) => s.trim_matches(['"', '\'', '“', '”', '‘', '’']).as_bytes(),
        Err(_) => {
            let mut t = d;
            while let [b'"' | b'\'', rest @ ..] = t {
                t = rest;
            }
            while let [rest @ .., b'"' | b'\''] = t {
                t = rest;
            }
            t
        }
    }
}

/// Sets `relative_name` and, for TXT roles, `record_value`.
pub(crate) fn set_derived(
    facts: &mut Facts,
    role: Role,
    name: &DomainName,
    zone: Option<&DomainName>,
    txt: &[TxtRecord],
) {
    if let Some(rel) = zone.and_then(|z| relative_name(name, z)) {
        facts.set(Fact::RelativeName, rel);
    }
    if role.is_txt()
        && let Some(v) = record_value(role, txt)
    {
        facts.set(Fact::RecordValue, v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived() {
        let n = |s: &str| DomainName::parse(s).unwrap();
        assert_eq!(
            relative_name(&n("sf1._domainkey.mail.acme.com"), &n("acme.com")).as_deref(),
            Some("sf1._domainkey.mail")
        );
        assert_eq!(relative_name(&n("acme.com"), &n("acme.com")).as_deref(), Some("@"));
        assert_eq!(relative_name(&n("x.other.com"), &n("acme.com")), None);
        let recs = vec![
            TxtRecord::from_value(b"google-site-verification=x"),
            TxtRecord::from_value(b"\"v=DMARC1; p=reject;  \""),
        ];
        assert_eq!(record_value(Role::Dmarc, &recs).as_deref(), Some("v=DMARC1; p=reject"));
        assert_eq!(record_value(Role::Dkim, &recs).as_deref(), Some("google-site-verification=x"));
    }
}
