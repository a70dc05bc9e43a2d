//! Message, help and label templates: text with `{fact}` placeholders,
//! precompiled into segments so rendering is a walk over a short array.
//!
//! Every text must read correctly when context is missing (no region, no zone,
//! no domain…), so templates have two ways to say something else then:
//! - `{fact|fallback}`: the fact, or the literal fallback when it is unset or "";
//! - `{?cond}text{:}other{/?}`: `text` when the condition (the rule condition
//!   language) holds, else `other` (the `{:}` branch is optional).
//!
//! The context facts (domain, zone, region, …) also have a built-in fallback
//! ([`missing_text`]), so a plain `{zone}` never renders as nothing: in prose
//! it reads "your DNS zone", between backticks (text to type) `<zone>`.

use super::cond::{self, Cond, Node};
use super::{List, Text};
use sendlint_records::{Fact, FactType, Facts, Role, Value};
use std::fmt::Write as _;

/// One piece of a template.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Segment {
    Text(Text),
    Fact(Fact),
    /// The fact, or this text when it is unset or empty.
    Fallback(Fact, Text),
    /// A conditional section: `then` when the condition holds, else `otherwise`.
    Section {
        // boxed: a condition is several times the size of the other segments,
        // and every segment of the built-in rules is relocated at start
        cond: Node<Cond>,
        then: List<Segment>,
        otherwise: List<Segment>,
    },
}

/// A compiled template.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Template {
    pub(crate) segments: List<Segment>,
}

/// A problem in a template, at a byte range of the template text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub offset: usize,
    pub len: usize,
    pub message: String,
    pub help: Option<String>,
}

/// A section being compiled: where it starts, its condition, the segments
/// outside it, and its `then` branch once `{:}` was seen.
struct Open {
    offset: usize,
    cond: Cond,
    outer: Vec<Segment>,
    then: Option<Vec<Segment>>,
}

impl Template {
    /// Compiles `src` for rules of `roles`; all errors found.
    pub(crate) fn compile(src: &str, roles: &[Role]) -> Result<Template, Vec<TemplateError>> {
        let mut segments = Vec::new();
        let mut errors = Vec::new();
        let mut text = String::new();
        let mut open: Option<Open> = None;
        let bytes = src.as_bytes();
        let mut i = 0;
        let flush = |text: &mut String, segments: &mut Vec<Segment>| {
            if !text.is_empty() {
                segments.push(Segment::Text(std::mem::take(text).into()));
            }
        };
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
                let inner = &rest[1..close];
                let span_len = close + 1;
                flush(&mut text, &mut segments);
                if let Some(cond_src) = inner.strip_prefix('?') {
                    if open.is_some() {
                        errors.push(TemplateError {
                            offset: i,
                            len: span_len,
                            message: String::from("a conditional section cannot start inside another"),
                            help: Some(String::from("close the first section with `{/?}` first")),
                        });
                    } else {
                        match cond::compile(cond_src, roles) {
                            Ok(cond) => {
                                let outer = std::mem::take(&mut segments);
                                open = Some(Open { offset: i, cond, outer, then: None });
                            }
                            Err(es) => {
                                errors.extend(es.into_iter().map(|e| TemplateError {
                                    offset: i + 2 + e.offset.min(cond_src.len()),
                                    len: e.len.max(1),
                                    message: format!("{} (in a `{{?…}}` condition)", e.message),
                                    help: e.help,
                                }));
                                // still a section, so its `{/?}` is not reported too
                                let outer = std::mem::take(&mut segments);
                                open = Some(Open { offset: i, cond: Cond::Const(false), outer, then: None });
                            }
                        }
                    }
                } else if inner == ":" {
                    match &mut open {
                        Some(o) if o.then.is_none() => o.then = Some(std::mem::take(&mut segments)),
                        _ => errors.push(TemplateError {
                            offset: i,
                            len: span_len,
                            message: String::from("`{:}` outside a conditional section, or twice in one"),
                            help: Some(String::from(
                                "write `{?condition}shown when true{:}shown otherwise{/?}`",
                            )),
                        }),
                    }
                } else if inner == "/?" {
                    match open.take() {
                        Some(o) => {
                            let last = std::mem::take(&mut segments);
                            let (then, otherwise) = match o.then {
                                Some(then) => (then, last),
                                None => (last, Vec::new()),
                            };
                            segments = o.outer;
                            segments.push(Segment::Section {
                                cond: Node::Owned(Box::new(o.cond)),
                                then: then.into(),
                                otherwise: otherwise.into(),
                            });
                        }
                        None => errors.push(TemplateError {
                            offset: i,
                            len: span_len,
                            message: String::from("`{/?}` closes no conditional section"),
                            help: Some(String::from("open one with `{?condition}`")),
                        }),
                    }
                } else {
                    let (name, fallback) = match inner.split_once('|') {
                        Some((n, f)) => (n, Some(f)),
                        None => (inner, None),
                    };
                    // Inside backticks (odd count so far) the text is to be typed.
                    let in_code = src[..i].matches('`').count() % 2 == 1;
                    match Self::placeholder(name, roles) {
                        Ok(fact) => segments.push(match fallback.or_else(|| missing_text(fact, in_code)) {
                            Some(f) => Segment::Fallback(fact, f.to_owned().into()),
                            None => Segment::Fact(fact),
                        }),
                        Err((message, help)) => {
                            errors.push(TemplateError { offset: i, len: span_len, message, help })
                        }
                    }
                }
                i += span_len;
            } else {
                let next = rest.find(['{', '}']).unwrap_or(rest.len());
                text.push_str(&rest[..next]);
                i += next;
            }
        }
        flush(&mut text, &mut segments);
        if let Some(o) = open {
            errors.push(TemplateError {
                offset: o.offset,
                len: 2,
                message: String::from("conditional section is never closed"),
                help: Some(String::from("end it with `{/?}`")),
            });
        }
        if errors.is_empty() { Ok(Template { segments: segments.into() }) } else { Err(errors) }
    }

    fn placeholder(name: &str, roles: &[Role]) -> Result<Fact, (String, Option<String>)> {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err((
                format!("`{{{name}}}` is not a placeholder"),
                Some(String::from(
                    "placeholders name one fact, like `{region}` or `{region|your SES region}`; write `{{` and `}}` for literal braces",
                )),
            ));
        }
        let fact = super::cond::resolve_fact(name, roles)?;
        if fact.def().ty == FactType::Span {
            return Err((
                format!("`{name}` is a span fact and cannot be written into text"),
                Some(String::from("use it as a label: `labels = [{ span = \"…\", text = \"…\" }]`")),
            ));
        }
        Ok(fact)
    }

    /// Renders the template; unset facts render as "" (or their fallback).
    pub(crate) fn render(&self, facts: &Facts) -> String {
        if let [Segment::Text(t)] = &*self.segments {
            return t.to_string();
        }
        let mut out = String::new();
        render_into(&mut out, &self.segments, facts);
        out
    }
}

/// What a context fact reads as when the engine does not know it (no region
/// given to `explain`, no zone found, …): prose, or a `<placeholder>` inside
/// backticks, where the customer types what is shown.
pub(crate) fn missing_text(fact: Fact, in_code: bool) -> Option<&'static str> {
    let (prose, code) = match fact {
        Fact::Domain => ("your sending domain", "<domain>"),
        Fact::Zone => ("your DNS zone", "<zone>"),
        Fact::Provider => ("your DNS provider", "<dns-provider>"),
        Fact::Region => ("your SES region", "<region>"),
        Fact::Selector => ("your DKIM selector", "<selector>"),
        Fact::MailFrom => ("your MAIL FROM domain", "<mail-from-domain>"),
        Fact::Name => ("the record's name", "<name>"),
        Fact::RelativeName => ("the part of the name before your DNS zone", "<host>"),
        Fact::Expected => ("the value SES expects", "<expected value>"),
        Fact::ExpectedExchange => {
            ("feedback-smtp.<region>.amazonses.com", "feedback-smtp.<region>.amazonses.com")
        }
        _ => return None,
    };
    Some(if in_code { code } else { prose })
}

fn render_into(out: &mut String, segments: &[Segment], facts: &Facts) {
    for seg in segments {
        match seg {
            Segment::Text(t) => out.push_str(t),
            Segment::Fact(f) => push_value(out, facts.get(*f)),
            Segment::Fallback(f, fallback) => match facts.get(*f) {
                Value::Unset | Value::Span(_) => out.push_str(fallback),
                Value::Str(s) if s.is_empty() => out.push_str(fallback),
                v => push_value(out, v),
            },
            Segment::Section { cond, then, otherwise } => {
                render_into(out, if cond.eval(facts) { then } else { otherwise }, facts)
            }
        }
    }
}

fn push_value(out: &mut String, v: &Value) {
    match v {
        Value::Str(s) => out.push_str(s),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Unset | Value::Span(_) => {}
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
            "the MX points at feedback-smtp.eu-west-1.amazonses.com (eu-west-1), not {feedback-smtp.<region>.amazonses.com}; {}"
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

    #[test]
    fn fallbacks_and_sections() {
        let t = Template::compile(
            "nameservers of {zone|the zone}{?region != \"\"} in {region}{:} (no region){/?}; host `{name}` at {name}",
            &[Role::SpfMx],
        )
        .unwrap();
        let mut f = Facts::new();
        assert_eq!(t.render(&f), "nameservers of the zone (no region); host `<name>` at the record's name");
        f.set(Fact::Zone, "");
        f.set(Fact::Region, "eu-west-1");
        f.set(Fact::Name, "send.mail.acme.test");
        assert_eq!(
            t.render(&f),
            "nameservers of the zone in eu-west-1; host `send.mail.acme.test` at send.mail.acme.test"
        );
        f.set(Fact::Zone, "acme.test");
        assert!(t.render(&f).starts_with("nameservers of acme.test in"));
        let e = |src: &str| {
            Template::compile(src, &[Role::SpfMx])
                .unwrap_err()
                .into_iter()
                .map(|e| (e.message, e.offset))
                .collect::<Vec<_>>()
        };
        assert_eq!(e("a {?region != \"\"} b"), [("conditional section is never closed".into(), 2)]);
        assert_eq!(e("a {/?}"), [("`{/?}` closes no conditional section".into(), 2)]);
        assert_eq!(e("a {:}"), [("`{:}` outside a conditional section, or twice in one".into(), 2)]);
        assert_eq!(
            e("{?quoted}x{/?}"),
            [("fact `quoted` is not computed for role `spf_mx` (in a `{?…}` condition)".into(), 2)]
        );
        assert_eq!(e("{?found}{?found}{/?}{/?}")[0].0, "a conditional section cannot start inside another");
    }
}

/// Every text a customer reads must read correctly whatever context the
/// engine lacks (`explain` knows no zone, often no region or domain; `check`
/// may find no zone or provider): every template of every rule and provider
/// override, rendered with each context fact missing in turn and all of them
/// missing, must have no empty value.
#[cfg(test)]
mod missing_context {
    use super::*;
    use crate::RuleSet;
    use sendlint_records::FACTS;

    const CONTEXT: [Fact; 10] = [
        Fact::Domain,
        Fact::Zone,
        Fact::Provider,
        Fact::Region,
        Fact::Selector,
        Fact::MailFrom,
        Fact::Name,
        Fact::Expected,
        Fact::ExpectedExchange,
        Fact::RelativeName,
    ];

    /// Every fact of the roles set to a plausible value; context as for `mail.acme.test`.
    fn full(roles: &[Role]) -> Facts {
        let mut f = Facts::new();
        for def in FACTS.iter().filter(|d| roles.iter().all(|r| d.applies_to(*r))) {
            match def.ty {
                FactType::Bool => f.set(def.fact, true),
                FactType::Int => f.set(def.fact, 2_i64),
                FactType::Str => f.set(def.fact, format!("sample-{}", def.name)),
                FactType::Span => {}
            }
        }
        for (fact, v) in [
            (Fact::Domain, "mail.acme.test"),
            (Fact::Zone, "acme.test"),
            (Fact::Provider, "cloudflare"),
            (Fact::Region, "us-east-1"),
            (Fact::Selector, "sf1"),
            (Fact::MailFrom, "send.mail.acme.test"),
            (Fact::Name, "send.mail.acme.test"),
            (Fact::Expected, "v=spf1 include:amazonses.com ~all"),
            (Fact::ExpectedExchange, "feedback-smtp.us-east-1.amazonses.com"),
            (Fact::RelativeName, "send.mail"),
        ] {
            f.set(fact, v);
        }
        f
    }

    /// What reads wrong: an empty value shows as empty quotes, doubled or
    /// dangling spaces, a space before punctuation, or empty brackets.
    fn problems(text: &str) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (bad, what) in [
            ("``", "empty backticks"),
            ("  ", "double space"),
            (" ,", "space before a comma"),
            (" .", "space before a full stop"),
            (" ;", "space before a semicolon"),
            (" :", "space before a colon"),
            ("()", "empty brackets"),
            ("( ", "space after a bracket"),
            (" )", "space before a bracket"),
            ("\"\"", "empty quotes"),
            ("@.", "address without a domain"),
            ("..", "an empty label"),
            ("`.`", "a bare dot"),
        ] {
            if text.contains(bad) && !text.contains("...") {
                out.push(what);
            }
        }
        if text.ends_with(' ') || text.starts_with(' ') {
            out.push("a space at an end");
        }
        out
    }

    #[test]
    fn every_text_reads_with_any_context_missing() {
        let rules = RuleSet::builtin();
        let mut templates: Vec<(String, &[Role], &Template)> = Vec::new();
        for rule in rules.rules.iter() {
            let c = &rule.compiled;
            templates.push((format!("{} message", rule.code), &rule.roles, &c.message));
            templates.push((format!("{} help", rule.code), &rule.roles, &c.help));
            for (_, t) in c.labels.iter() {
                templates.push((format!("{} label", rule.code), &rule.roles, t));
            }
        }
        for (p, pr) in rules.providers.iter().zip(rules.provider_rules.iter()) {
            for (i, t) in pr.help.iter() {
                let rule = &rules.rules[*i as usize];
                templates.push((format!("{} help for {}", rule.code, p.id), &rule.roles, t));
            }
        }
        assert!(templates.len() > 100, "{} templates", templates.len());
        let mut failures = Vec::new();
        for (what, roles, t) in &templates {
            let base = full(roles);
            let mut variants: Vec<(String, Facts)> = vec![("nothing".into(), base.clone())];
            let mut none = base.clone();
            for fact in CONTEXT {
                for (how, value) in [("unset", Value::Unset), ("empty", Value::Str(String::new()))] {
                    let mut f = base.clone();
                    f.set(fact, value.clone());
                    none.set(fact, value);
                    variants.push((format!("{} {how}", fact.def().name), f));
                }
            }
            variants.push(("every context fact".into(), none));
            for (missing, facts) in variants {
                let text = t.render(&facts);
                let p = problems(&text);
                if !p.is_empty() {
                    failures.push(format!("{what}, {missing} missing: {} in {text:?}", p.join(", ")));
                }
            }
        }
        failures.dedup();
        assert!(failures.is_empty(), "{} texts read wrong:\n{}", failures.len(), failures.join("\n"));
    }

    #[test]
    fn the_check_sees_an_empty_value() {
        assert_eq!(problems("Value must be `` alone"), ["empty backticks"]);
        assert_eq!(problems("a MAIL FROM subdomain such as  never does"), ["double space"]);
        assert_eq!(problems("every nameserver of  answers"), ["double space"]);
        assert_eq!(
            problems("set up in SES region , which expects "),
            ["space before a comma", "a space at an end"]
        );
        assert!(problems("Value must be `feedback-smtp.us-east-1.amazonses.com` alone").is_empty());
    }
}
