//! Message, help and label templates: text with `{fact}` placeholders,
//! precompiled into segments so rendering is a walk over a short array.

use sendlint_records::{Fact, FactType, Facts, Role, Value};
use std::fmt::Write as _;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Segment {
    Text(Box<str>),
    Fact(Fact),
}

/// A compiled template.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Template {
    segments: Box<[Segment]>,
}

/// A problem in a template, at a byte range of the template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub help: Option<String>,
}

impl Template {
    /// Compiles `src` for rules of `roles`; all errors found.
    pub(crate) fn compile(src: &str, roles: &[Role]) -> Result<Template, Vec<TemplateError>> {
        let mut segments = Vec::new();
        let mut errors = Vec::new();
        let mut text = String::new();
        let bytes = src.as_bytes();
        let mut i = 0;
        while i < src.len() {
            let rest = &src[i..];
            if rest.starts_with("{{") {
                text.push('{');
                i += 2;
            } else if rest.starts_with("}}") {
                text.push('}');
                i += 2;
            } else if bytes[i] == b'}' {
                errors.push(TemplateError {
                    offset: i,
                    len: 1,
                    message: String::from("unmatched `}` in template"),
                    help: Some(String::from("write `}}` for a literal `}`")),
                });
                i += 1;
            } else if bytes[i] == b'{' {
                let Some(close) = rest.find('}') else {
                    errors.push(TemplateError {
                        offset: i,
                        len: 1,
                        message: String::from("unclosed `{` in template"),
                        help: Some(String::from(
                            "close the placeholder with `}`, or write `{{` for a literal `{`",
                        )),
                    });
                    break;
                };
                let name = &rest[1..close];
                let span_len = close + 1;
                match Self::placeholder(name, roles) {
                    Ok(fact) => {
                        if !text.is_empty() {
                            segments.push(Segment::Text(std::mem::take(&mut text).into()));
                        }
                        segments.push(Segment::Fact(fact));
                    }
                    Err((message, help)) => {
                        errors.push(TemplateError { offset: i, len: span_len, message, help })
                    }
                }
                i += span_len;
            } else {
                let next = rest.find(['{', '}']).unwrap_or(rest.len());
                text.push_str(&rest[..next]);
                i += next;
            }
        }
        if !text.is_empty() {
            segments.push(Segment::Text(text.into()));
        }
        if errors.is_empty() { Ok(Template { segments: segments.into() }) } else { Err(errors) }
    }

    fn placeholder(name: &str, roles: &[Role]) -> Result<Fact, (String, Option<String>)> {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err((
                format!("`{{{name}}}` is not a placeholder"),
                Some(String::from(
                    "placeholders name one fact, like `{region}`; write `{{` and `}}` for literal braces",
                )),
            ));
        }
        let fact = crate::cond::resolve_fact(name, roles)?;
        if fact.def().ty == FactType::Span {
            return Err((
                format!("`{name}` is a span fact and cannot be written into text"),
                Some(String::from("use it as a label: `labels = [{ span = \"…\", text = \"…\" }]`")),
            ));
        }
        Ok(fact)
    }

    /// Renders the template; unset facts render as "".
    pub(crate) fn render(&self, facts: &Facts) -> String {
        if let [Segment::Text(t)] = &*self.segments {
            return t.to_string();
        }
        let mut out = String::new();
        for seg in &self.segments {
            match seg {
                Segment::Text(t) => out.push_str(t),
                Segment::Fact(f) => match facts.get(*f) {
                    Value::Str(s) => out.push_str(s),
                    Value::Int(i) => {
                        let _ = write!(out, "{i}");
                    }
                    Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
                    Value::Unset | Value::Span(_) => {}
                },
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_placeholders_and_escapes() {
        let t = Template::compile(
            "the MX points at {exchange} ({target_region}), not {{{expected_exchange}}}; {{}}",
            &[Role::SpfMx],
        )
        .unwrap();
        let mut f = Facts::new();
        f.set(Fact::Exchange, "feedback-smtp.eu-west-1.amazonses.com");
        f.set(Fact::TargetRegion, "eu-west-1");
        f.set(Fact::Priority, 10_i64);
        assert_eq!(
            t.render(&f),
            "the MX points at feedback-smtp.eu-west-1.amazonses.com (eu-west-1), not {}; {}"
        );
        let t = Template::compile("priority {priority}, found={found}", &[Role::SpfMx]).unwrap();
        f.set(Fact::Found, true);
        assert_eq!(t.render(&f), "priority 10, found=true");
        assert_eq!(Template::compile("", &[Role::Dkim]).unwrap().render(&f), "");
    }

    #[test]
    fn errors() {
        let e = |src: &str| {
            Template::compile(src, &[Role::SpfMx])
                .unwrap_err()
                .into_iter()
                .map(|e| (e.message, e.offset, e.len))
                .collect::<Vec<_>>()
        };
        assert_eq!(e("a {nope} b"), [("unknown fact `nope`".into(), 2, 6)]);
        assert_eq!(e("a {region"), [("unclosed `{` in template".into(), 2, 1)]);
        assert_eq!(e("a } b"), [("unmatched `}` in template".into(), 2, 1)]);
        assert_eq!(e("{}"), [("`{}` is not a placeholder".into(), 0, 2)]);
        assert_eq!(
            e("{exchange_span}"),
            [("`exchange_span` is a span fact and cannot be written into text".into(), 0, 15)]
        );
        assert_eq!(e("{key_bits}"), [("fact `key_bits` is not computed for role `spf_mx`".into(), 0, 10)]);
        assert_eq!(e("{x} {y}").len(), 2);
    }
}
