//! Domain names typed by people (command line, manifest): strict host-name
//! syntax, internationalized names converted to A-labels (IDNA, UTS 46).
//! Names from DNS data stay permissive ([`DomainName::parse`]): a zone may
//! hold any byte, a person typing `mail acme.test` made a mistake.

use super::{DomainName, MAX_LABEL};
use idna::uts46::{AsciiDenyList, DnsLength, Hyphens, Uts46};
use std::fmt;
use std::net::IpAddr;

/// Why a domain name typed by a person is refused: a sentence saying what is
/// wrong and, where it helps, what to type instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputNameError {
    /// The reason, safe for a terminal (no raw control characters).
    pub reason: String,
}

impl fmt::Display for InputNameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl std::error::Error for InputNameError {}

fn bad(reason: impl Into<String>) -> InputNameError {
    InputNameError { reason: reason.into() }
}

/// Invisible characters that change how text reads (bidirectional overrides
/// and isolates, zero-width characters, the byte-order mark, soft hyphen).
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}' | '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
    )
}

/// How a refused character is named in a message (never the raw character
/// when it is invisible or a control).
fn describe(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '\n' => "a line break (\\n)".into(),
        '\r' => "a carriage return (\\r)".into(),
        '\t' => "a tab (\\t)".into(),
        '\0' => "a NUL byte (\\0)".into(),
        c if c.is_control() => format!("a control character (U+{:04X})", u32::from(c)),
        c if is_invisible(c) => format!("an invisible formatting character (U+{:04X})", u32::from(c)),
        c if c.is_whitespace() => format!("a space character (U+{:04X})", u32::from(c)),
        c => format!("`{c}`"),
    }
}

impl DomainName {
    /// Parses a domain name a person typed: labels of letters, digits,
    /// hyphens (and underscores), dot-separated, an optional trailing dot;
    /// internationalized labels (`bücher`) become their A-label
    /// (`xn--bcher-kva`), which is what DNS is asked. Refuses spaces, control
    /// and invisible characters, ports, paths, URLs, e-mail addresses, IP
    /// addresses and zone-file escapes, each with the reason.
    pub fn parse_input(text: &str) -> Result<DomainName, InputNameError> {
        if text.is_empty() {
            return Err(bad("it is empty; give a domain name such as `mail.example.com`"));
        }
        if let Some((at, c)) =
            text.chars().enumerate().find(|(_, c)| c.is_control() || c.is_whitespace() || is_invisible(*c))
        {
            return Err(bad(format!(
                "it holds {} at character {}; a domain name has none",
                describe(c),
                at + 1
            )));
        }
        let bare = text.strip_prefix('[').and_then(|t| t.strip_suffix(']')).unwrap_or(text);
        if bare.parse::<IpAddr>().is_ok() {
            return Err(bad("it is an IP address, not a domain name"));
        }
        if text.contains("://") {
            return Err(bad(
                "it is a URL; give the domain name alone (the part between `://` and the next `/`)",
            ));
        }
        if let Some((host, port)) = text.rsplit_once(':')
            && !port.is_empty()
            && port.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad(format!("`:{port}` looks like a port; give the domain name alone (`{host}`)")));
        }
        if let Some((_, domain)) = text.rsplit_once('@') {
            return Err(bad(format!(
                "it looks like an e-mail address; give the domain name alone (`{domain}`)"
            )));
        }
        if let Some(c) = text
            .chars()
            .find(|c| c.is_ascii() && !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')))
        {
            let why = match c {
                '/' => "; give the domain name alone, not a path or a URL",
                '\\' => "; escapes are zone-file syntax, not part of a name",
                _ => "",
            };
            return Err(bad(format!(
                "{} is not allowed in a domain name (letters, digits and hyphens){why}",
                describe(c)
            )));
        }
        let name = text.strip_suffix('.').unwrap_or(text);
        if name.is_empty() {
            return Err(bad("it is the root (`.`), not a domain name"));
        }
        let labels: Vec<&str> = name.split('.').collect();
        if labels.iter().any(|l| l.is_empty()) {
            let why = if name.starts_with('.') { "it starts with a dot" } else { "it has two dots in a row" };
            return Err(bad(format!("{why}: every label between dots needs at least one character")));
        }
        if let Some(label) = labels.iter().find(|l| l.starts_with('-') || l.ends_with('-')) {
            return Err(bad(format!("the label `{label}` starts or ends with a hyphen")));
        }
        if labels.last().is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit())) {
            return Err(bad("its last label is a number: a top-level domain is never all digits"));
        }
        // DNS names are case-insensitive: shown and emitted in lower case, as
        // UTS 46 also gives them (`MAIL.Acme.com` is `mail.acme.com`).
        let ascii = if name.is_ascii() && !labels.iter().any(|l| is_a_label(l)) {
            if name.bytes().any(|b| b.is_ascii_uppercase()) {
                std::borrow::Cow::Owned(name.to_ascii_lowercase())
            } else {
                std::borrow::Cow::Borrowed(name)
            }
        } else {
            // UTS 46 ToASCII, non-transitional (IDNA 2008 behaviour for ß, ς);
            // it also checks that every `xn--` label given decodes
            Uts46::new()
                .to_ascii(name.as_bytes(), AsciiDenyList::EMPTY, Hyphens::CheckFirstLast, DnsLength::Ignore)
                .map_err(|_| {
                    bad("it is not a valid internationalized domain name (IDNA): a label holds a character \
                         no domain name may hold, or an `xn--` label does not decode")
                })?
        };
        // UTS 46 maps some characters to ASCII a name cannot hold (´ → space + accent,
        // ⑴ → `(1)`), kept as they are by the empty deny list: refuse them here
        if ascii.bytes().any(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))) {
            return Err(bad(
                "it is not a valid internationalized domain name (IDNA): a label holds a character \
                            no domain name may hold once mapped (e.g. one that becomes a space)",
            ));
        }
        if let Some(long) = ascii.split('.').find(|l| l.len() > MAX_LABEL) {
            return Err(bad(format!(
                "the label `{long}` is {} characters long in DNS (at most {MAX_LABEL})",
                long.len()
            )));
        }
        DomainName::parse(&ascii).map_err(|e| bad(e.to_string()))
    }

    /// The name for people: `xn--` labels shown as Unicode (`mail.bücher.example`).
    /// Names without A-labels, and names that do not decode, are shown as
    /// [`Display`](fmt::Display) shows them.
    pub fn to_unicode(&self) -> String {
        let text = self.to_string();
        if !self.labels().any(|l| std::str::from_utf8(l).is_ok_and(is_a_label)) {
            return text;
        }
        let (unicode, ok) = Uts46::new().to_unicode(text.as_bytes(), AsciiDenyList::EMPTY, Hyphens::Allow);
        // a label that decodes to invisible or control characters stays an A-label
        if ok.is_err() || unicode.chars().any(|c| c.is_control() || is_invisible(c)) {
            return text;
        }
        unicode.into_owned()
    }
}

fn is_a_label(label: &str) -> bool {
    label.len() > 4 && label.as_bytes()[..4].eq_ignore_ascii_case(b"xn--")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(text: &str) -> String {
        DomainName::parse_input(text).expect_err(text).reason
    }

    #[test]
    fn a_character_that_maps_to_a_space_is_refused() {
        // UTS 46 maps U+00B4 ACUTE ACCENT to U+0020 U+0301: its A-label would hold a space
        // (found by schemathesis through `GET /api/v1/records?mail_from=%C2%B4`)
        for text in ["\u{b4}.example", "mail.\u{b4}x.example", "\u{2474}.example"] {
            let r = reason(text);
            assert!(r.contains("no domain name may hold"), "{text}: {r}");
        }
        assert_eq!(
            DomainName::parse_input("mail.b\u{fc}cher.example").expect("IDN").to_string(),
            "mail.xn--bcher-kva.example"
        );
    }

    #[test]
    fn plain_names_pass_as_the_same_name_in_lower_case() {
        for ok in ["mail.acme.test", "Mail.Acme.Test.", "send-1.mail.acme.test", "_dmarc.acme.test"] {
            let n = DomainName::parse_input(ok).expect(ok);
            assert_eq!(n, DomainName::parse(ok).expect(ok));
        }
        assert_eq!(DomainName::parse_input("Mail.Acme.test").expect("ok").to_string(), "mail.acme.test");
        assert_eq!(DomainName::parse_input("mail.acme.test").expect("ok").to_string(), "mail.acme.test");
    }

    #[test]
    fn typing_mistakes_are_refused_with_the_reason() {
        let cases = [
            ("mail acme.test", "a space at character 5"),
            ("mail.acme\u{0}.test", "a NUL byte"),
            ("mail.acme.test\n", "a line break"),
            ("mail.\u{202E}acme.test", "U+202E"),
            ("mail.acme.test:53", "`:53` looks like a port; give the domain name alone (`mail.acme.test`)"),
            ("mail/acme.test", "`/` is not allowed"),
            ("1.2.3.4", "an IP address"),
            ("[::1]", "an IP address"),
            ("https://mail.acme.test/", "a URL"),
            ("news@mail.acme.test", "(`mail.acme.test`)"),
            (r"a\046b.test", "escapes are zone-file syntax"),
            ("mail..acme.test", "two dots in a row"),
            (".acme.test", "starts with a dot"),
            ("-mail.acme.test", "hyphen"),
            ("", "empty"),
            (".", "root"),
            ("10.0.0", "last label is a number"),
            ("xn--zz.test", "IDNA"),
        ];
        for (text, want) in cases {
            let got = reason(text);
            assert!(got.contains(want), "{text:?}: {got}");
            assert!(!got.chars().any(|c| c.is_control() || is_invisible(c)), "{got:?}");
        }
        assert!(reason(&format!("{}.test", "a".repeat(64))).contains("at most 63"));
    }

    #[test]
    fn internationalized_names_become_a_labels() {
        let n = DomainName::parse_input("mail.bücher.example").expect("IDN");
        assert_eq!(n.to_string(), "mail.xn--bcher-kva.example");
        assert_eq!(n.to_unicode(), "mail.bücher.example");
        // the A-label typed directly is the same name
        assert_eq!(DomainName::parse_input("mail.xn--bcher-kva.example").expect("A-label"), n);
        // UTS 46 mapping: upper case folds
        assert_eq!(DomainName::parse_input("MAIL.BÜCHER.example").expect("IDN"), n);
        assert_eq!(DomainName::parse("mail.acme.test").expect("n").to_unicode(), "mail.acme.test");
    }
}
