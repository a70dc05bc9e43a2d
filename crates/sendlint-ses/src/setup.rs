//! A sending domain's SES setup, validated: domain, region, MAIL FROM,
//! DKIM selector and key, sender addresses, submission time.

use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use std::time::{Duration, SystemTime};

/// The MAIL FROM label used when none is given: `send.<domain>`.
pub const DEFAULT_MAIL_FROM_LABEL: &str = "send";

/// Why a setup is invalid. Each message names the value and what is expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SetupError {
    /// The sending domain is not a usable domain name.
    #[error("invalid sending domain `{domain}`: {reason}")]
    Domain {
        /// The domain as given.
        domain: String,
        /// Why.
        reason: String,
    },
    /// No SES region was given.
    #[error("no SES region given: pass the region the identity lives in, e.g. `us-east-1`")]
    MissingRegion,
    /// The region is not shaped like an AWS region code.
    #[error("invalid SES region `{}`: {reason}", sendlint_records::display::untrusted(region))]
    Region {
        /// The region as given.
        region: String,
        /// Why.
        reason: String,
    },
    /// No DKIM selector was given.
    #[error("no DKIM selector given: pass the selector the key was registered with in SES")]
    MissingSelector,
    /// The selector breaks the SES selector rules.
    #[error("invalid DKIM selector `{selector}`: {reason}")]
    Selector {
        /// The selector as given.
        selector: String,
        /// Why.
        reason: String,
    },
    /// The MAIL FROM domain is invalid or not a subdomain of the sending domain.
    #[error("invalid MAIL FROM domain `{mail_from}`: {reason}")]
    MailFrom {
        /// The MAIL FROM value as given.
        mail_from: String,
        /// Why.
        reason: String,
    },
    /// The DKIM public key does not parse.
    #[error("invalid DKIM public key: {reason}")]
    PublicKey {
        /// Why.
        reason: String,
    },
    /// A sender From address is not an address.
    #[error("invalid From address `{address}`: {reason}")]
    FromAddress {
        /// The address as given.
        address: String,
        /// Why.
        reason: String,
    },
    /// The submission time is not an RFC 3339 timestamp.
    #[error(
        "invalid submission time `{value}`: expected an RFC 3339 timestamp such as `2026-11-24T10:00:00Z`"
    )]
    SubmittedAt {
        /// The value as given.
        value: String,
    },
}

/// One sending domain as set up in SES.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// The sending domain D, e.g. `mail.acme.com`.
    pub domain: DomainName,
    /// The SES region R, e.g. `us-east-1`.
    pub region: String,
    /// The MAIL FROM domain (full name), a subdomain of `domain`; `send.D` by default.
    pub mail_from: DomainName,
    /// The DKIM selector S.
    pub selector: String,
    /// The public key registered with SES, when known.
    pub public_key: Option<PublicKey>,
    /// The From addresses of the sender profiles.
    pub from_addresses: Vec<String>,
    /// When the domain was submitted to SES (starts the 72-hour window).
    pub submitted_at: Option<SystemTime>,
}

impl Setup {
    /// A setup with the default MAIL FROM (`send.<domain>`), no key, no
    /// senders, no submission time. Validates the domain, region and selector.
    pub fn new(domain: DomainName, region: &str, selector: &str) -> Result<Setup, SetupError> {
        check_domain(&domain, &domain.to_string())?;
        check_region(region)?;
        check_selector(selector)?;
        let mail_from = resolve_mail_from(&domain, DEFAULT_MAIL_FROM_LABEL)?;
        dkim_name_of(&domain, selector).ok_or_else(|| SetupError::Selector {
            selector: selector.to_owned(),
            reason: format!("`{selector}._domainkey.{domain}` is longer than a DNS name may be"),
        })?;
        Ok(Setup {
            domain,
            region: region.to_owned(),
            mail_from,
            selector: selector.to_owned(),
            public_key: None,
            from_addresses: Vec::new(),
            submitted_at: None,
        })
    }

    /// A builder that takes every field as text (CLI flags, manifest entries).
    pub fn builder(domain: impl Into<String>) -> SetupBuilder {
        SetupBuilder::new(domain)
    }

    /// Sets the MAIL FROM domain: a single label (`send` → `send.<domain>`) or
    /// a full name, which must be a subdomain of the sending domain.
    pub fn set_mail_from(&mut self, mail_from: &str) -> Result<(), SetupError> {
        self.mail_from = resolve_mail_from(&self.domain, mail_from)?;
        Ok(())
    }

    /// Sets the DKIM public key from PEM or bare base64.
    pub fn set_public_key(&mut self, text: &str) -> Result<(), SetupError> {
        let key = PublicKey::parse(text).map_err(|e| SetupError::PublicKey { reason: e.to_string() })?;
        self.public_key = Some(key);
        Ok(())
    }

    /// Adds a sender From address (`local@domain`).
    pub fn add_from_address(&mut self, address: &str) -> Result<(), SetupError> {
        self.from_addresses.push(check_address(address)?);
        Ok(())
    }

    /// Sets the submission time from RFC 3339 text (`Z` or a numeric offset).
    pub fn set_submitted_at(&mut self, text: &str) -> Result<(), SetupError> {
        self.submitted_at = Some(parse_rfc3339(text)?);
        Ok(())
    }

    /// [`Setup::set_mail_from`], by value.
    pub fn with_mail_from(mut self, mail_from: &str) -> Result<Setup, SetupError> {
        self.set_mail_from(mail_from)?;
        Ok(self)
    }

    /// The setup with the DKIM public key registered with SES.
    pub fn with_public_key(mut self, key: PublicKey) -> Setup {
        self.public_key = Some(key);
        self
    }

    /// [`Setup::set_submitted_at`], by value.
    pub fn with_submitted_at(mut self, text: &str) -> Result<Setup, SetupError> {
        self.set_submitted_at(text)?;
        Ok(self)
    }

    /// The setup with these sender From addresses, kept as given (rules report
    /// addresses off the domain; [`Setup::add_from_address`] validates the shape).
    pub fn with_from_addresses(mut self, addresses: Vec<String>) -> Setup {
        self.from_addresses = addresses;
        self
    }

    /// The DKIM record's name, `S._domainkey.D`.
    ///
    /// Valid by construction; should the public fields be edited by hand into
    /// a name longer than DNS allows, this falls back to the domain itself.
    pub fn dkim_name(&self) -> DomainName {
        dkim_name_of(&self.domain, &self.selector).unwrap_or_else(|| self.domain.clone())
    }

    /// The DMARC record's name, `_dmarc.D`.
    pub fn dmarc_name(&self) -> DomainName {
        self.domain.prepend_label(b"_dmarc").unwrap_or_else(|_| self.domain.clone())
    }

    /// Time since submission at `now` (zero when `now` is earlier), when the
    /// submission time is known: the `since_submitted` of a badge input.
    pub fn since_submitted(&self, now: SystemTime) -> Option<Duration> {
        self.submitted_at.map(|at| now.duration_since(at).unwrap_or(Duration::ZERO))
    }
}

/// Builds a [`Setup`] from text, validating every field at [`SetupBuilder::build`].
#[derive(Clone, Debug, Default)]
pub struct SetupBuilder {
    domain: String,
    region: Option<String>,
    selector: Option<String>,
    mail_from: Option<String>,
    public_key: Option<String>,
    parsed_key: Option<PublicKey>,
    from_addresses: Vec<String>,
    submitted_at: Option<String>,
}

impl SetupBuilder {
    /// A builder for the sending domain `domain` (presentation text).
    pub fn new(domain: impl Into<String>) -> SetupBuilder {
        SetupBuilder { domain: domain.into(), ..SetupBuilder::default() }
    }

    /// The SES region, e.g. `us-east-1` (required).
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// The DKIM selector (required).
    pub fn selector(mut self, selector: impl Into<String>) -> Self {
        self.selector = Some(selector.into());
        self
    }

    /// The MAIL FROM label or full name (default `send`).
    pub fn mail_from(mut self, mail_from: impl Into<String>) -> Self {
        self.mail_from = Some(mail_from.into());
        self
    }

    /// The DKIM public key as PEM or bare base64.
    pub fn public_key_text(mut self, text: impl Into<String>) -> Self {
        self.public_key = Some(text.into());
        self
    }

    /// The DKIM public key, already parsed.
    pub fn public_key(mut self, key: PublicKey) -> Self {
        self.parsed_key = Some(key);
        self
    }

    /// Adds a sender From address.
    pub fn from_address(mut self, address: impl Into<String>) -> Self {
        self.from_addresses.push(address.into());
        self
    }

    /// The submission time as RFC 3339 text.
    pub fn submitted_at(mut self, text: impl Into<String>) -> Self {
        self.submitted_at = Some(text.into());
        self
    }

    /// Validates and builds; the first invalid field (in the order above) is
    /// the error.
    pub fn build(self) -> Result<Setup, SetupError> {
        let text = self.domain.trim();
        let domain = DomainName::parse_input(text)
            .map_err(|e| SetupError::Domain { domain: self.domain.clone(), reason: e.to_string() })?;
        check_domain(&domain, &self.domain)?;
        let region = self.region.ok_or(SetupError::MissingRegion)?;
        let selector = self.selector.ok_or(SetupError::MissingSelector)?;
        let mut setup = Setup::new(domain, region.trim(), selector.trim())?;
        if let Some(mail_from) = &self.mail_from {
            setup.set_mail_from(mail_from)?;
        }
        setup.public_key = self.parsed_key;
        if let Some(key) = &self.public_key {
            setup.set_public_key(key)?;
        }
        for address in &self.from_addresses {
            setup.add_from_address(address)?;
        }
        if let Some(at) = &self.submitted_at {
            setup.set_submitted_at(at)?;
        }
        Ok(setup)
    }
}

fn check_domain(domain: &DomainName, text: &str) -> Result<(), SetupError> {
    if domain.label_count() < 2 {
        return Err(SetupError::Domain {
            domain: text.to_owned(),
            reason: "a sending domain has at least two labels, e.g. `mail.acme.com`".into(),
        });
    }
    Ok(())
}

/// Checks an SES region code: shape, availability-zone suffix, and that SES
/// has an endpoint there (with a "did you mean" for a typo).
pub fn check_region(region: &str) -> Result<(), SetupError> {
    let bad = |reason: &str| SetupError::Region { region: region.to_owned(), reason: reason.to_owned() };
    if region.is_empty() {
        return Err(bad("it is empty; expected a region code like `us-east-1`"));
    }
    if region.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(bad(&format!("region codes are lower case: `{}`", region.to_ascii_lowercase())));
    }
    let parts: Vec<&str> = region.split('-').collect();
    let letters = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
    let shaped =
        parts.len() >= 3 && parts[0].len() == 2 && parts[..parts.len() - 1].iter().all(|p| letters(p));
    let last = parts.last().copied().unwrap_or_default();
    if shaped
        && last.len() > 1
        && last.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && last.bytes().last().is_some_and(|b| b.is_ascii_lowercase())
    {
        let trimmed = region.trim_end_matches(|c: char| c.is_ascii_lowercase());
        return Err(bad(&format!("that is an availability zone; its region is `{trimmed}`")));
    }
    if !shaped || last.is_empty() || last.len() > 2 || !last.bytes().all(|b| b.is_ascii_digit()) {
        let hint = crate::region::did_you_mean(region);
        return Err(bad(&if hint.is_empty() {
            "expected a region code like `us-east-1` or `eu-west-2`".to_owned()
        } else {
            format!("expected a region code like `us-east-1`; {hint}")
        }));
    }
    if !crate::region::is_ses_region(region) {
        // A typo would make a correct MX look wrong and print an endpoint that does not exist.
        let hint = crate::region::did_you_mean(region);
        return Err(bad(&if hint.is_empty() {
            "Amazon SES has no endpoint in that region; use the region the SES console shows for the identity, e.g. `us-east-1`".to_owned()
        } else {
            format!("Amazon SES has no endpoint in that region; {hint}")
        }));
    }
    Ok(())
}

/// SES: 1–63 characters, letters/digits with inner hyphens, no dots.
fn check_selector(selector: &str) -> Result<(), SetupError> {
    let bad = |reason: String| SetupError::Selector { selector: selector.to_owned(), reason };
    if selector.is_empty() {
        return Err(bad("it is empty; SES selectors are 1–63 characters".into()));
    }
    if selector.contains('.') {
        let first = selector.split('.').next().unwrap_or_default();
        return Err(bad(format!(
            "a selector is one label without dots; `._domainkey.<domain>` is added for you (did you mean `{first}`?)"
        )));
    }
    let len = selector.chars().count();
    if len > 63 {
        return Err(bad(format!("it is {len} characters; SES selectors are at most 63")));
    }
    if let Some(c) = selector.chars().find(|c| !c.is_ascii_alphanumeric() && *c != '-') {
        return Err(bad(format!(
            "`{}` is not allowed; selectors hold letters, digits and hyphens",
            c.escape_debug()
        )));
    }
    if selector.starts_with('-') || selector.ends_with('-') {
        return Err(bad("a selector cannot start or end with a hyphen".into()));
    }
    Ok(())
}

fn dkim_name_of(domain: &DomainName, selector: &str) -> Option<DomainName> {
    domain.prepend_label(b"_domainkey").and_then(|n| n.prepend_label(selector.as_bytes())).ok()
}

/// A label (`send`) or a full name that must be a strict subdomain of `domain`.
fn resolve_mail_from(domain: &DomainName, text: &str) -> Result<DomainName, SetupError> {
    let bad = |reason: String| SetupError::MailFrom { mail_from: text.to_owned(), reason };
    let trimmed = text.trim();
    let value = trimmed.strip_suffix('.').unwrap_or(trimmed);
    if value.is_empty() {
        return Err(bad(format!(
            "it is empty; use a label such as `{DEFAULT_MAIL_FROM_LABEL}` (for `{DEFAULT_MAIL_FROM_LABEL}.{domain}`)"
        )));
    }
    if !value.contains('.') && value.is_ascii() {
        if let Some(c) = value.chars().find(|c| !c.is_ascii_alphanumeric() && *c != '-') {
            return Err(bad(format!(
                "`{}` is not allowed in a host label; use letters, digits and hyphens",
                c.escape_debug()
            )));
        }
        if value.starts_with('-') || value.ends_with('-') {
            return Err(bad("a label cannot start or end with a hyphen".into()));
        }
        return domain.prepend_label(value.as_bytes()).map_err(|e| bad(e.to_string()));
    }
    let name = if value.contains('.') {
        DomainName::parse_input(value).map_err(|e| bad(e.to_string()))?
    } else {
        // an internationalized label: its A-label under the domain
        let label = DomainName::parse_input(&format!("{value}.invalid")).map_err(|e| bad(e.to_string()))?;
        let first = label.first_label().map(<[u8]>::to_vec).unwrap_or_default();
        domain.prepend_label(&first).map_err(|e| bad(e.to_string()))?
    };
    if name == *domain {
        return Err(bad(format!(
            "it is the sending domain itself; SES needs a subdomain of it, such as `{DEFAULT_MAIL_FROM_LABEL}.{domain}`"
        )));
    }
    if !name.is_subdomain_of(domain) {
        let hint = match name.join(domain) {
            Ok(joined) => format!(" (did you mean `{joined}`?)"),
            Err(_) => String::new(),
        };
        return Err(bad(format!(
            "SES requires the MAIL FROM domain to be a subdomain of the sending domain `{domain}`{hint}"
        )));
    }
    Ok(name)
}

fn check_address(address: &str) -> Result<String, SetupError> {
    let address = address.trim();
    let bad =
        |reason: &str| SetupError::FromAddress { address: address.to_owned(), reason: reason.to_owned() };
    let Some((local, domain)) = address.rsplit_once('@') else {
        return Err(bad("expected `name@domain`"));
    };
    if local.is_empty() {
        return Err(bad("the part before `@` is empty"));
    }
    if domain.is_empty() || DomainName::parse(domain).is_err() || !domain.contains('.') {
        return Err(bad("the part after `@` is not a domain name"));
    }
    if address.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("an address holds no spaces or control characters"));
    }
    Ok(address.to_owned())
}

/// RFC 3339 with `Z` or a numeric offset (`+01:00`); humantime itself only
/// takes UTC.
pub(crate) fn parse_rfc3339(text: &str) -> Result<SystemTime, SetupError> {
    let bad = || SetupError::SubmittedAt { value: text.to_owned() };
    let t = text.trim().to_ascii_uppercase();
    if let Ok(at) = humantime::parse_rfc3339(&t) {
        return Ok(at);
    }
    // `…±HH:MM`: parse the local time as if UTC, then shift by the offset
    let offset_at = t.len().checked_sub(6).ok_or_else(bad)?;
    let (local, offset) = t.split_at_checked(offset_at).ok_or_else(bad)?;
    let sign = match offset.as_bytes().first() {
        Some(b'+') => 1,
        Some(b'-') => -1,
        _ => return Err(bad()),
    };
    let (hh, mm) = offset.get(1..).and_then(|o| o.split_once(':')).ok_or_else(bad)?;
    let (Ok(hh), Ok(mm)) = (hh.parse::<u64>(), mm.parse::<u64>()) else {
        return Err(bad());
    };
    if hh > 23 || mm > 59 {
        return Err(bad());
    }
    let local = humantime::parse_rfc3339(&format!("{local}Z")).map_err(|_| bad())?;
    let shift = Duration::from_secs(hh * 3600 + mm * 60);
    let utc = if sign > 0 { local.checked_sub(shift) } else { local.checked_add(shift) };
    utc.ok_or_else(bad)
}
