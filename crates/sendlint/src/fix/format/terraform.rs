//! The Terraform form: the final records as `aws_route53_record` resources
//! (one per record set, its complete final content, `allow_overwrite` so it
//! takes over the set as it is), or as `cloudflare_dns_record` resources (one
//! per record to add, `proxied = false`) when the DNS host is Cloudflare.
//! Deletions Terraform does not manage are listed as comments. Strings are
//! HCL-escaped: `\`, `"`, and the template openers `${` and `%{`.

use super::{comment_text, header, route53};
use crate::fix::{ChangeSet, RecordValue};
use sendlint_records::name::DomainName;

/// `text` as an HCL quoted string.
pub(crate) fn hcl_string(text: &str) -> String {
    let mut out = String::from("\"");
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '$' | '%' if chars.peek() == Some(&'{') => {
                out.push(c);
                out.push(c);
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A resource name from a record's name and type: letters, digits, `_`.
fn resource_name(name: &DomainName, rtype: &str, taken: &mut Vec<String>) -> String {
    let base: String = format!("{name}_{rtype}")
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let base = if base.starts_with(|c: char| c.is_ascii_digit()) { format!("r_{base}") } else { base };
    let mut name = base.clone();
    let mut n = 1;
    while taken.contains(&name) {
        n += 1;
        name = format!("{base}_{n}");
    }
    taken.push(name.clone());
    name
}

/// A record value as the AWS provider's `records` takes it: the provider
/// quotes a TXT value itself, and `""` inside it separates character-strings.
fn route53_record(v: &RecordValue) -> String {
    match v {
        RecordValue::Txt(t) => {
            t.strings.iter().map(|s| route53::r53_string(s)).collect::<Vec<_>>().join("\"\"")
        }
        other => route53::r53_value(other),
    }
}

fn render_route53(cs: &ChangeSet, out: &mut String) {
    let mut taken = Vec::new();
    for set in &cs.sets {
        if set.after.is_empty() {
            out.push_str(&format!(
                "\n# Delete every {} record at {} (nothing replaces them): in the Route 53 console, or with `sendlint fix --as route53`.\n",
                set.rtype,
                comment_text(&set.name.to_string())
            ));
            continue;
        }
        let id = resource_name(&set.name, set.rtype, &mut taken);
        out.push_str(&format!("\nresource \"aws_route53_record\" \"{id}\" {{\n"));
        out.push_str("  zone_id         = var.zone_id\n");
        out.push_str(&format!("  name            = {}\n", hcl_string(&set.name.to_string())));
        out.push_str(&format!("  type            = \"{}\"\n", set.rtype));
        out.push_str(&format!("  ttl             = {}\n", set.ttl));
        out.push_str("  allow_overwrite = true\n");
        out.push_str("  records = [\n");
        for v in &set.after {
            out.push_str(&format!("    {},\n", hcl_string(&route53_record(v))));
        }
        out.push_str("  ]\n}\n");
    }
}

fn render_cloudflare(cs: &ChangeSet, out: &mut String) {
    for c in cs.deletions() {
        out.push_str(&format!(
            "\n# Delete first (Terraform does not manage it): {} {} {}\n",
            comment_text(&c.name.to_string()),
            c.value.rtype(),
            comment_text(&c.value.presentation())
        ));
    }
    let mut taken = Vec::new();
    for c in cs.additions() {
        let id = resource_name(&c.name, c.value.rtype(), &mut taken);
        out.push_str(&format!("\nresource \"cloudflare_dns_record\" \"{id}\" {{\n"));
        out.push_str("  zone_id  = var.zone_id\n");
        out.push_str(&format!("  name     = {}\n", hcl_string(&c.name.to_string())));
        out.push_str(&format!("  type     = \"{}\"\n", c.value.rtype()));
        match &c.value {
            RecordValue::Mx(mx) => {
                out.push_str(&format!("  content  = {}\n", hcl_string(&mx.exchange.to_string())));
                out.push_str(&format!("  priority = {}\n", mx.preference));
            }
            RecordValue::Txt(t) => {
                out.push_str(&format!("  content  = {}\n", hcl_string(&t.to_presentation())))
            }
            RecordValue::Cname(t) => out.push_str(&format!("  content  = {}\n", hcl_string(&t.to_string()))),
        }
        out.push_str(&format!("  ttl      = {}\n", c.ttl));
        out.push_str("  proxied  = false\n}\n");
    }
}

pub(super) fn render(cs: &ChangeSet, provider: Option<&str>) -> String {
    let mut out = header(cs, "#");
    if cs.is_empty() {
        return out;
    }
    let cloudflare = provider.or(cs.provider.as_deref()) == Some("cloudflare");
    let what = if cloudflare { "Cloudflare zone id" } else { "Route 53 hosted zone id" };
    out.push_str(&format!(
        "\nvariable \"zone_id\" {{\n  type        = string\n  description = \"The {what}\"\n}}\n"
    ));
    if cloudflare {
        render_cloudflare(cs, &mut out);
    } else {
        render_route53(cs, &mut out);
    }
    out
}
