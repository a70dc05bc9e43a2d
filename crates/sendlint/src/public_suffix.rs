//! Offline guesses of a name's zone from the public suffix list: for the places
//! where there is no DNS to ask (`records` host fields, `explain`). Checks find
//! the real apex from SOA/NS answers instead, and test zones use `.test`.

use sendlint_records::name::DomainName;

/// The registrable domain of `name` (`mail.acme.co.uk` → `acme.co.uk`,
/// `mail.acme.test` → `acme.test`), or `None` when `name` is itself a public
/// suffix or not a name the list can judge.
pub fn registrable_domain(name: &DomainName) -> Option<DomainName> {
    let text = name.to_string().to_ascii_lowercase();
    let text = text.trim_end_matches('.');
    let domain = psl::Psl::domain(&psl::List, text.as_bytes())?;
    let domain = std::str::from_utf8(domain.as_bytes()).ok()?;
    DomainName::parse(domain).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(s: &str) -> Option<String> {
        registrable_domain(&DomainName::parse(s).ok()?).map(|d| d.to_string())
    }

    #[test]
    fn guesses() {
        assert_eq!(reg("mail.acme.co.uk").as_deref(), Some("acme.co.uk"));
        assert_eq!(reg("send.mail.acme.com").as_deref(), Some("acme.com"));
        assert_eq!(reg("mail.acme.test").as_deref(), Some("acme.test"));
        assert_eq!(reg("Mail.Acme.COM.").as_deref(), Some("acme.com"));
        assert_eq!(reg("co.uk"), None);
    }
}
