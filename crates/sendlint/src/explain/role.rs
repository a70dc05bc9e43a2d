//! The role a text is a record of, read from the text itself.

use sendlint_records::display::terminal_safe;
use sendlint_records::name::DomainName;
use sendlint_records::{Role, mx, txt};

use super::RoleGuess;

/// The role `raw` is a record of, when the text tells: the type and owner
/// name of a `dig` answer line (`_dmarc.…` is DMARC, `S._domainkey.…` DKIM,
/// an MX line the MAIL FROM MX), else the value (`v=spf1`, `v=DMARC1`, a DKIM
/// tag-list or key, an MX value).
pub fn infer_role(raw: &str) -> Option<RoleGuess> {
    let shown = |o: &str| terminal_safe(o).into_owned();
    // `dig` prints the CNAME chain first: the name asked is its owner.
    if let Some((alias, _)) = txt::cname_answer(raw)
        && let Ok(name) = DomainName::parse(alias)
    {
        let role = match name.first_label() {
            Some(l) if l.eq_ignore_ascii_case(b"_dmarc") => Some(Role::Dmarc),
            _ if name.labels().any(|l| l.eq_ignore_ascii_case(b"_domainkey")) => Some(Role::Dkim),
            _ => None,
        };
        if let Some(role) = role {
            return Some(RoleGuess { role, reason: format!("the name `{}`", shown(alias)) });
        }
    }
    for line in raw.lines() {
        if let Some(owner) = mx::owner_name(line) {
            return Some(RoleGuess {
                role: Role::SpfMx,
                reason: format!("an MX record at `{}`", shown(owner)),
            });
        }
        if let Some(owner) = txt::owner_name(line) {
            let name = DomainName::parse(owner).ok();
            let has = |label: &[u8]| {
                name.as_ref().is_some_and(|n| n.labels().any(|l| l.eq_ignore_ascii_case(label)))
            };
            let by_name = if name
                .as_ref()
                .and_then(|n| n.first_label())
                .is_some_and(|l| l.eq_ignore_ascii_case(b"_dmarc"))
            {
                Some(Role::Dmarc)
            } else if has(b"_domainkey") {
                Some(Role::Dkim)
            } else {
                None
            };
            if let Some(role) = by_name {
                return Some(RoleGuess { role, reason: format!("the name `{}`", shown(owner)) });
            }
            let value = txt::parse_text(line).ok()?.first().map(txt::TxtRecord::data).unwrap_or_default();
            let role = role_of_txt_value(&value)?;
            return Some(RoleGuess {
                role,
                reason: format!("a TXT record at `{}` with this value", shown(owner)),
            });
        }
    }
    // A value alone.
    let first = raw.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with(';'))?;
    if let Some(role) = role_of_txt_value(first.as_bytes()) {
        return Some(RoleGuess { role, reason: "the value".into() });
    }
    let mx_like = mx::parse_pasted(first).is_ok_and(|m| m.len() == 1)
        && first.split_ascii_whitespace().last().is_some_and(|h| h.contains('.'));
    mx_like.then(|| RoleGuess { role: Role::SpfMx, reason: "the value (a mail server name)".into() })
}

/// The role a TXT value is written for, past wrapping quotes and blanks.
fn role_of_txt_value(data: &[u8]) -> Option<Role> {
    let text = String::from_utf8_lossy(data);
    let t = text.trim_start_matches(['"', '\'', '“', '”', '‘', '’', ' ', '\t']).to_ascii_lowercase();
    let compact: String = t.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.starts_with("v=spf1") {
        Some(Role::SpfTxt)
    } else if compact.starts_with("v=dmarc1") {
        Some(Role::Dmarc)
    } else if compact.starts_with("v=dkim1")
        || compact.starts_with("p=")
        || compact.starts_with("k=rsa")
        || compact.contains(";p=")
        || (compact.starts_with("miib") && compact.len() > 100)
    {
        Some(Role::Dkim)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_from_the_text() {
        let role = |s: &str| infer_role(s).map(|g| g.role);
        assert_eq!(role("_dmarc.a.test. 300 IN TXT \"v=DMARC1; p=none\""), Some(Role::Dmarc));
        assert_eq!(role("s._domainkey.a.test. IN TXT \"v=spf1\""), Some(Role::Dkim));
        assert_eq!(role("send.a.test. MX 10 x.test."), Some(Role::SpfMx));
        assert_eq!(role("send.a.test. TXT \"hello\""), None);
        assert_eq!(role("“v=spf1 -all”"), Some(Role::SpfTxt));
        assert_eq!(role("10 feedback-smtp.us-east-1.amazonses.com"), Some(Role::SpfMx));
        assert_eq!(role("hello"), None);
        assert_eq!(role("sf1._domainkey.a.test. 300 IN CNAME sf1.dkim.amazonses.com."), Some(Role::Dkim));
        assert_eq!(role(""), None);
    }
}
