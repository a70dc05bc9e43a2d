//! The forms a change-set is printed in. Every form is safe to paste: values
//! from DNS are written only inside the form's own quoting, escaped for it
//! (zone-file `\DDD`, Route 53 `\ooo`, JSON, HCL, bash `$'…'`), so a TXT
//! value holding `"`, `\`, `;`, `$(…)`, a backtick, a newline or control
//! bytes stays one value.

mod cloudflare;
mod human;
pub mod json;
mod nsupdate;
mod route53;
mod terraform;
mod zone;

use sendlint_records::name::DomainName;
use sendlint_rules::Provider;

use super::ChangeSet;

/// A form of the change-set (`sendlint fix --as`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// Numbered steps in the DNS provider's words.
    Human,
    /// An RFC 2136 script for `nsupdate`.
    Nsupdate,
    /// A ChangeBatch for `aws route53 change-resource-record-sets`.
    Route53,
    /// A bash script of Cloudflare API v4 calls.
    Cloudflare,
    /// Terraform resources (`aws_route53_record`, or `cloudflare_dns_record`
    /// when the DNS host is Cloudflare).
    Terraform,
    /// Zone-file lines of the final records.
    Zone,
}

impl Form {
    /// Every form, in `--as` order.
    pub const ALL: [Form; 6] =
        [Form::Human, Form::Nsupdate, Form::Route53, Form::Cloudflare, Form::Terraform, Form::Zone];

    /// The name `--as` takes.
    pub fn as_str(self) -> &'static str {
        match self {
            Form::Human => "human",
            Form::Nsupdate => "nsupdate",
            Form::Route53 => "route53",
            Form::Cloudflare => "cloudflare",
            Form::Terraform => "terraform",
            Form::Zone => "zone",
        }
    }

    /// The form named `name`.
    pub fn parse(name: &str) -> Option<Form> {
        Form::ALL.into_iter().find(|f| f.as_str() == name)
    }

    /// The file name ending of the form: what the file is to the tool that takes it.
    pub fn extension(self) -> &'static str {
        match self {
            Form::Human => "txt",
            Form::Nsupdate => "nsupdate",
            Form::Route53 => "json",
            Form::Cloudflare => "sh",
            Form::Terraform => "tf",
            Form::Zone => "zone",
        }
    }
}

/// The change-set in `form`; `provider` words the human form (its panel's
/// field names) and picks the Terraform resource type.
pub fn render(cs: &ChangeSet, form: Form, provider: Option<&Provider>) -> String {
    match form {
        Form::Human => human::render(cs, provider),
        Form::Nsupdate => nsupdate::render(cs),
        Form::Route53 => route53::render(cs),
        Form::Cloudflare => cloudflare::render(cs),
        Form::Terraform => terraform::render(cs, provider.map(|p| &*p.id)),
        Form::Zone => zone::render(cs),
    }
}

/// Text for a comment line: printable ASCII kept, anything else (a newline
/// above all, which would end the comment) as `\xHH`.
pub(crate) fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if (0x20..=0x7E).contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    out
}

/// The comment lines every machine form starts with: what the change is,
/// what it leaves alone and why, and the notes. `mark` starts each line.
pub(crate) fn header(cs: &ChangeSet, mark: &str) -> String {
    let mut out = String::new();
    let dels = cs.deletions().count();
    let adds = cs.additions().count();
    let line = if cs.is_empty() {
        format!("sendlint fix {}: nothing to change", cs.domain)
    } else {
        format!("sendlint fix {}: {dels} to delete, {adds} to add", cs.domain)
    };
    out.push_str(&format!("{mark} {}\n", comment_text(&line)));
    for u in &cs.unknown {
        out.push_str(&format!("{mark} not changed: {} ({}): {}\n", u.name, u.role, comment_text(&u.reason)));
    }
    for n in &cs.notes {
        out.push_str(&format!("{mark} note: {}\n", comment_text(n)));
    }
    out
}

/// A name as a zone file and nsupdate write it: absolute, with escapes.
pub(crate) fn fqdn(name: &DomainName) -> String {
    name.to_fqdn_string()
}

#[cfg(test)]
mod tests {
    use super::cloudflare::bash_word;
    use super::route53::{r53_name, r53_string};
    use super::terraform::hcl_string;
    use super::*;

    #[test]
    fn comments_stay_on_their_line() {
        assert_eq!(comment_text("a\nb\x1b"), "a\\x0Ab\\x1B");
    }

    #[test]
    fn bash_words_are_printable_ascii_without_quote_or_backslash() {
        let w = bash_word(b"a'b\\c$(x)`y`\n\xff");
        assert_eq!(w, "$'a\\x27b\\x5cc$(x)`y`\\x0a\\xff'");
    }

    #[test]
    fn hcl_templates_are_doubled() {
        assert_eq!(hcl_string("${x} %{y} $z \"q\" \\"), "\"$${x} %%{y} $z \\\"q\\\" \\\\\"");
    }

    #[test]
    fn route53_escapes_in_octal() {
        assert_eq!(r53_string(b"a\"b\\c\n\xff"), "a\\\"b\\\\c\\012\\377");
        let name = DomainName::from_labels([b"10 send".as_slice(), b"acme", b"test"])
            .unwrap_or_else(|_| DomainName::root());
        assert_eq!(r53_name(&name), "10\\040send.acme.test.");
    }
}
