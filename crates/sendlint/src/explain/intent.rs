//! The value to publish: what SES expects, keeping what the customer meant
//! (their SPF terms and DMARC tags, the SES region their MX names, the key
//! they gave).

use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_records::{Fact, Facts, Role};
use sendlint_ses::expected_exchange;

/// The region an MX value like `10 feedback-smtp.eu-west-1.amazonses.com` names.
pub(super) fn region_of(value: &str) -> Option<String> {
    let host = value.split_whitespace().last()?.trim_end_matches('.').to_ascii_lowercase();
    let rest = host.strip_prefix("feedback-smtp.")?;
    let region = rest.strip_suffix(".amazonses.com")?;
    (!region.is_empty() && !region.contains('.')).then(|| region.to_owned())
}

/// The key inside an expected DKIM value: `p=…` in a tag-list, or the key itself.
pub(super) fn expected_key(value: &str) -> Result<PublicKey, String> {
    let key_text = value.split(';').map(str::trim).find_map(|t| t.strip_prefix("p=")).unwrap_or(value);
    PublicKey::parse(key_text).map_err(|e| format!("the expected key does not decode: {e}"))
}

/// The value the record should hold: the one given, or the one SES expects,
/// built on the customer's own record where it can be.
pub(super) fn expected_value(
    role: Role,
    expected: Option<&str>,
    key: Option<&PublicKey>,
    region_meant: &str,
    facts: &Facts,
    domain: Option<&DomainName>,
) -> String {
    match (role, expected, key) {
        (Role::SpfMx, _, _) if !region_meant.is_empty() => format!("10 {}", expected_exchange(region_meant)),
        // The key as SES takes it and DNS publishes it, whatever form it was given in.
        (Role::Dkim, _, Some(k)) => format!("p={}", k.base64()),
        (_, Some(v), _) => v.to_owned(),
        (Role::SpfMx, None, _) => "10 feedback-smtp.<region>.amazonses.com".to_owned(),
        (Role::SpfTxt, None, _) => spf_value(facts),
        (Role::Dkim, None, _) => format!("p={}", sendlint_ses::UNKNOWN_KEY_PLACEHOLDER),
        (_, None, _) => dmarc_value(facts, domain),
    }
}

/// The SPF record to publish, built on the customer's own: their terms kept,
/// `include:amazonses.com` added before `all` when it is missing.
fn spf_value(facts: &Facts) -> String {
    let generic = || sendlint_ses::SPF_VALUE.to_owned();
    // Without a readable record of their own there is nothing to keep.
    let Some(own) = facts.str(Fact::RecordValue).filter(|_| !facts.flag(Fact::SyntaxError)) else {
        return generic();
    };
    let mut terms = own.split_ascii_whitespace();
    if !terms.next().is_some_and(|v| v.eq_ignore_ascii_case("v=spf1")) {
        return generic();
    }
    let mut out: Vec<&str> = vec!["v=spf1"];
    let rest: Vec<&str> = terms.collect();
    let ends = |t: &&str| {
        let t = t.trim_start_matches(['+', '-', '~', '?']).to_ascii_lowercase();
        t == "all" || t.starts_with("redirect=")
    };
    let has_include =
        rest.iter().any(|t| t.trim_start_matches('+').eq_ignore_ascii_case("include:amazonses.com"));
    let at = rest.iter().position(ends).unwrap_or(rest.len());
    out.extend(&rest[..at]);
    if !has_include {
        out.push("include:amazonses.com");
    }
    out.extend(&rest[at..]);
    if at == rest.len() {
        out.push("~all");
    }
    out.join(" ")
}

/// The DMARC record to publish, built on the customer's own: a misspelt
/// policy or mode corrected (`p=quarantne` → `p=quarantine`), a bad `pct=`
/// dropped, `p=` added when missing, their other tags and addresses kept;
/// a `rua=` is suggested when they have none.
pub(crate) fn dmarc_value(facts: &Facts, domain: Option<&DomainName>) -> String {
    let rua = match domain {
        Some(d) => format!("rua=mailto:dmarc-reports@{d}"),
        None => "rua=mailto:dmarc-reports@<your domain>".to_owned(),
    };
    let Some(own) = facts.str(Fact::RecordValue).filter(|v| !v.is_empty()) else {
        return format!("v=DMARC1; p=none; {rua}");
    };
    const POLICIES: [&str; 3] = ["none", "quarantine", "reject"];
    let policy = |v: &str| {
        let v = v.to_ascii_lowercase();
        POLICIES
            .iter()
            .find(|p| **p == v)
            .copied()
            .or_else(|| sendlint_rules::suggest_among(&v, &POLICIES))
            .unwrap_or("none")
    };
    let mut policy_tag = None;
    let mut tags: Vec<String> = Vec::new();
    let mut has_rua = false;
    for part in own.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        // Text that is no tag is the fault: left out.
        let Some((name, value)) = part.split_once('=') else { continue };
        let (name, value) = (name.trim(), value.trim());
        let lower = name.to_ascii_lowercase();
        match lower.as_str() {
            "v" => {}
            "p" => policy_tag = Some(format!("p={}", policy(value))),
            "sp" | "np" => tags.push(format!("{lower}={}", policy(value))),
            "aspf" | "adkim" => {
                let mode = value.to_ascii_lowercase();
                if mode == "r" || mode == "s" {
                    tags.push(format!("{lower}={mode}"));
                }
            }
            "pct" => {
                if let Ok(n) = value.parse::<u8>()
                    && n <= 100
                {
                    tags.push(format!("pct={n}"));
                }
            }
            _ => {
                has_rua |= lower == "rua";
                tags.push(format!("{name}={value}"));
            }
        }
    }
    if !has_rua {
        tags.push(rua);
    }
    // `v=` first and `p=` right after it (RFC 7489 §6.4).
    let mut out = vec!["v=DMARC1".to_owned(), policy_tag.unwrap_or_else(|| "p=none".to_owned())];
    out.extend(tags);
    out.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> DomainName {
        DomainName::parse(s).unwrap()
    }

    #[test]
    fn intent_is_kept() {
        let with = |role, value: &str| {
            let mut f = Facts::new();
            f.set(Fact::RecordValue, value);
            if role == Role::SpfTxt { spf_value(&f) } else { dmarc_value(&f, Some(&n("mail.acme.com"))) }
        };
        assert_eq!(
            with(Role::Dmarc, "v=DMARC1; p=quarantne; rua=mailto:dmarc@acme.com"),
            "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.com"
        );
        assert_eq!(
            with(Role::Dmarc, "v=dmarc1; rua=mailto:a@b.c; sp=rejct; pct=200; aspf=x"),
            "v=DMARC1; p=none; rua=mailto:a@b.c; sp=reject"
        );
        assert_eq!(
            with(Role::Dmarc, "v=DMARC1; p=reject"),
            "v=DMARC1; p=reject; rua=mailto:dmarc-reports@mail.acme.com"
        );
        assert_eq!(with(Role::SpfTxt, "v=spf1 mx -all"), "v=spf1 mx include:amazonses.com -all");
        assert_eq!(with(Role::SpfTxt, "v=spf1 include:amazonses.com"), "v=spf1 include:amazonses.com ~all");
        assert_eq!(
            with(Role::SpfTxt, "v=spf1 redirect=_spf.acme.com"),
            "v=spf1 include:amazonses.com redirect=_spf.acme.com"
        );
    }
}
