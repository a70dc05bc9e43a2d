//! Loading rule files: TOML with spans (`toml::de::DeTable`), validated by
//! hand so that every mistake of a file is reported at once, each with a label
//! on the exact bytes.

use crate::cond;
use crate::error::{ErrorKind, RuleError, RulesError};
use crate::template::Template;
use crate::{
    Compiled, HostStyle, LabelDef, List, PriorityStyle, Provider, ProviderRules, RecordsForm, Rule, RuleDocs,
    RuleSet, RuleSource, Severity, Text, TxtStyle, role_index, suggest_among,
};
use miette::{LabeledSpan, NamedSource};
use sendlint_records::display::terminal_safe;
use sendlint_records::{Fact, FactType, Role};
use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A string value with its span in the file, and where its content starts
/// when the raw TOML maps byte for byte onto the value (no escapes).
#[derive(Clone, Debug)]
struct SStr {
    value: String,
    span: Range<usize>,
    inner: Option<usize>,
}

impl SStr {
    /// The file range of `off..off+len` inside the value (the whole string when
    /// escapes make the mapping inexact).
    fn sub(&self, off: usize, len: usize) -> Range<usize> {
        match self.inner {
            Some(s) => s + off..s + off + len,
            None => self.span.clone(),
        }
    }
}

/// Where the content of the string literal at `span` starts, if unescaped.
fn inner_start(text: &str, span: &Range<usize>, value: &str) -> Option<usize> {
    let raw = text.get(span.clone())?;
    let (skip, raw_inner) = if let Some(r) = raw.strip_prefix("\"\"\"").or_else(|| raw.strip_prefix("'''")) {
        let nl = if r.starts_with("\r\n") { 2 } else { usize::from(r.starts_with('\n')) };
        (3 + nl, &r[nl..])
    } else if let Some(r) = raw.strip_prefix('"').or_else(|| raw.strip_prefix('\'')) {
        (1, r)
    } else {
        return None;
    };
    (raw_inner.get(..value.len())? == value).then_some(span.start + skip)
}

struct File {
    name: String,
    text: Arc<str>,
    /// The text made terminal-safe, made once on the first error and shared
    /// by every error of the file (10,000 errors must not hold 10,000 copies).
    safe: Option<Arc<str>>,
}

struct Builder {
    files: Vec<File>,
    errors: Vec<RuleError>,
    rules: Vec<Rule>,
    /// code → (rule index, file index, span of the code value)
    codes: HashMap<String, (u32, usize, Range<usize>)>,
    providers: Vec<Provider>,
    provider_rules: Vec<ProviderRules>,
    provider_spans: Vec<(usize, Range<usize>)>,
    pending_suppress: Vec<(u32, usize, Vec<SStr>)>,
    pending_help: Vec<(usize, usize, SStr, SStr)>,
    /// Errors found past [`MAX_ERRORS`]: counted, not kept.
    more_errors: usize,
}

/// Most errors kept from one load; the rest are counted ("and N more").
pub const MAX_ERRORS: usize = 50;

mod dir;
mod provider;
mod rule;

pub(crate) use dir::read_dir;

/// Loads and validates `sources` into a rule set.
pub(crate) fn load(sources: Vec<RuleSource>) -> Result<RuleSet, RulesError> {
    let mut b = Builder {
        files: Vec::new(),
        errors: Vec::new(),
        rules: Vec::new(),
        codes: HashMap::new(),
        providers: Vec::new(),
        provider_rules: Vec::new(),
        provider_spans: Vec::new(),
        pending_suppress: Vec::new(),
        pending_help: Vec::new(),
        more_errors: 0,
    };
    for s in &sources {
        b.files.push(File { name: s.name.to_string(), text: Arc::from(&*s.text), safe: None });
        let file = b.files.len() - 1;
        b.load_file(file, &s.text);
    }
    b.resolve();
    if !b.errors.is_empty() {
        let order: Vec<String> = b.files.iter().map(|f| f.name.clone()).collect();
        return Err(RulesError::new(b.errors, b.more_errors, &order));
    }
    let mut by_role: [Vec<u32>; 5] = Default::default();
    let mut provider_by_role: Vec<[Vec<u32>; 5]> = vec![Default::default(); b.providers.len()];
    // Core rules first, provider rules after, each in file order.
    let mut order: Vec<u32> = (0..b.rules.len() as u32).collect();
    order.sort_by_key(|&i| b.rules[i as usize].provider.is_some());
    for i in order {
        let rule = &b.rules[i as usize];
        let target = match &rule.provider {
            None => &mut by_role,
            Some(p) => match b.providers.iter().position(|x| x.id.eq_ignore_ascii_case(p)) {
                Some(pi) => &mut provider_by_role[pi],
                None => continue,
            },
        };
        for role in rule.roles.iter() {
            target[role_index(*role)].push(i);
        }
    }
    for (rules, roles) in b.provider_rules.iter_mut().zip(provider_by_role) {
        rules.by_role = roles.map(List::Owned);
    }
    Ok(RuleSet {
        sources: sources.into(),
        rules: b.rules.into(),
        by_role: by_role.map(List::Owned),
        providers: b.providers.into(),
        provider_rules: b.provider_rules.into(),
    })
}

const RULE_KEYS: &[&str] =
    &["code", "role", "roles", "severity", "when", "suppresses", "message", "help", "labels", "docs"];
const DOCS_KEYS: &[&str] = &["what", "why", "example", "references"];
const PROVIDER_KEYS: &[&str] = &["id", "name", "nameservers", "docs", "records"];
const RECORDS_KEYS: &[&str] = &[
    "host",
    "host_field",
    "value_field",
    "mx_value_field",
    "priority",
    "priority_field",
    "txt",
    "fields",
    "notes",
];
const HELP_KEYS: &[&str] = &["code", "help"];
const LABEL_KEYS: &[&str] = &["span", "text"];
const TOP_KEYS: &[&str] = &["rule", "provider", "help"];

/// The keys of a table, consumed as they are read; the rest are unknown.
struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    span: Range<usize>,
}

impl<'a, 'i> Fields<'a, 'i> {
    fn get(&self, key: &str) -> Option<&'a Spanned<DeValue<'i>>> {
        self.table.iter().find(|(k, _)| k.get_ref().as_ref() == key).map(|(_, v)| v)
    }
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl Builder {
    fn error(
        &mut self,
        file: usize,
        kind: ErrorKind,
        labels: Vec<(Range<usize>, String)>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        if self.errors.len() >= MAX_ERRORS {
            self.more_errors += 1;
            return;
        }
        let f = &mut self.files[file];
        let safe = Arc::clone(f.safe.get_or_insert_with(|| match terminal_safe(&f.text) {
            std::borrow::Cow::Borrowed(_) => Arc::clone(&f.text),
            std::borrow::Cow::Owned(s) => Arc::from(s),
        }));
        let f = &self.files[file];
        let len = f.text.len();
        // miette drops a zero-length label at the very end of the source: mark the last byte.
        let labels: Vec<LabeledSpan> = labels
            .into_iter()
            .map(|(r, text)| {
                let start = r.start.min(len);
                let end = r.end.clamp(start, len);
                let (start, end) =
                    if start == end && start == len && len > 0 { (len - 1, len) } else { (start, end) };
                LabeledSpan::new(Some(text), start, end - start)
            })
            .collect();
        let offset = labels.first().map_or(0, |l| l.offset());
        self.errors.push(RuleError {
            kind,
            file: f.name.clone(),
            message: message.into(),
            source_code: Some(NamedSource::new(&f.name, safe).with_language("toml")),
            labels,
            help,
            offset,
        });
    }

    /// The first line of a span (a table header), so labels stay short.
    fn head(&self, file: usize, span: &Range<usize>) -> Range<usize> {
        let text = &self.files[file].text;
        let rest = text.get(span.start..span.end).unwrap_or("");
        let line = rest.find('\n').unwrap_or(rest.len());
        span.start..span.start + rest[..line].trim_end().len().max(1).min(rest.len().max(1))
    }

    fn text(&self, file: usize) -> Arc<str> {
        Arc::clone(&self.files[file].text)
    }

    fn unknown_fields(&mut self, file: usize, fields: &Fields<'_, '_>, known: &[&str], what: &str) {
        for (k, _) in fields.table.iter() {
            let key = k.get_ref().as_ref();
            if known.contains(&key) {
                continue;
            }
            let help = match suggest_among(key, known) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("{what} takes: {}", known.join(", ")),
            };
            self.error(
                file,
                ErrorKind::UnknownField,
                vec![(k.span(), String::from("unknown key"))],
                format!("unknown key `{key}` in {what}"),
                Some(help),
            );
        }
    }

    fn missing(&mut self, file: usize, fields: &Fields<'_, '_>, key: &str, what: &str) {
        self.error(
            file,
            ErrorKind::MissingField,
            vec![(self.head(file, &fields.span), format!("this {what} has no `{key}`"))],
            format!("missing `{key}` in {what}"),
            None,
        );
    }

    fn string(&mut self, file: usize, fields: &Fields<'_, '_>, key: &str) -> Option<SStr> {
        let v = fields.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => {
                let text = self.text(file);
                let span = v.span();
                Some(SStr { inner: inner_start(&text, &span, s), value: s.to_string(), span })
            }
            other => {
                self.error(
                    file,
                    ErrorKind::WrongType,
                    vec![(v.span(), format!("this is {}", type_name(other)))],
                    format!("`{key}` must be a string"),
                    None,
                );
                None
            }
        }
    }

    fn required(&mut self, file: usize, fields: &Fields<'_, '_>, key: &str, what: &str) -> Option<SStr> {
        if fields.get(key).is_none() {
            self.missing(file, fields, key, what);
            return None;
        }
        self.string(file, fields, key)
    }

    fn string_list(
        &mut self,
        file: usize,
        fields: &Fields<'_, '_>,
        key: &str,
    ) -> Option<(Vec<SStr>, Range<usize>)> {
        let v = fields.get(key)?;
        let DeValue::Array(items) = v.get_ref() else {
            self.error(
                file,
                ErrorKind::WrongType,
                vec![(v.span(), format!("this is {}", type_name(v.get_ref())))],
                format!("`{key}` must be an array of strings"),
                None,
            );
            return None;
        };
        let text = self.text(file);
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(SStr {
                    inner: inner_start(&text, &item.span(), s),
                    value: s.to_string(),
                    span: item.span(),
                }),
                other => self.error(
                    file,
                    ErrorKind::WrongType,
                    vec![(item.span(), format!("this is {}", type_name(other)))],
                    format!("`{key}` must be an array of strings"),
                    None,
                ),
            }
        }
        Some((out, v.span()))
    }

    fn load_file(&mut self, file: usize, text: &str) {
        let (doc, syntax) = DeTable::parse_recoverable(text);
        if !syntax.is_empty() {
            for e in syntax {
                let span = e.span().unwrap_or(0..0);
                self.error(
                    file,
                    ErrorKind::TomlSyntax,
                    vec![(span, String::from("here"))],
                    format!("invalid TOML: {}", e.message().trim()),
                    Some(String::from("see https://toml.io for the syntax")),
                );
            }
            return;
        }
        let top = Fields { table: doc.get_ref(), span: doc.span() };
        self.unknown_fields(file, &top, TOP_KEYS, "a rule file");

        let provider = top.get("provider").and_then(|v| self.provider(file, v));

        if let Some(rules) = top.get("rule") {
            for table in self.tables(file, rules, "rule") {
                self.rule(file, table.0, table.1, provider);
            }
        }
        if let Some(helps) = top.get("help") {
            let tables = self.tables(file, helps, "help");
            match provider {
                Some(p) => {
                    for (table, span) in tables {
                        let fields = Fields { table, span };
                        self.unknown_fields(file, &fields, HELP_KEYS, "a [[help]] table");
                        let code = self.required(file, &fields, "code", "[[help]] table");
                        let help = self.required(file, &fields, "help", "[[help]] table");
                        if let (Some(code), Some(help)) = (code, help) {
                            self.providers[p]
                                .help
                                .to_mut()
                                .push((code.value.clone().into(), help.value.clone().into()));
                            self.pending_help.push((p, file, code, help));
                        }
                    }
                }
                None => self.error(
                    file,
                    ErrorKind::HelpOutsideProvider,
                    vec![(self.head(file, &helps.span()), String::from("no [provider] in this file"))],
                    "[[help]] overrides belong in a provider file",
                    Some(String::from(
                        "move it to rules/providers/<id>.toml, which starts with a [provider] table",
                    )),
                ),
            }
        }
    }

    /// The tables of an array of tables (`[[rule]]`), each with its span.
    fn tables<'a, 'i>(
        &mut self,
        file: usize,
        v: &'a Spanned<DeValue<'i>>,
        key: &str,
    ) -> Vec<(&'a DeTable<'i>, Range<usize>)> {
        let DeValue::Array(items) = v.get_ref() else {
            self.error(
                file,
                ErrorKind::WrongType,
                vec![(self.head(file, &v.span()), format!("this is {}", type_name(v.get_ref())))],
                format!("`{key}` must be an array of tables: write `[[{key}]]`"),
                None,
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => out.push((t, item.span())),
                other => self.error(
                    file,
                    ErrorKind::WrongType,
                    vec![(item.span(), format!("this is {}", type_name(other)))],
                    format!("`{key}` must be an array of tables: write `[[{key}]]`"),
                    None,
                ),
            }
        }
        out
    }

    /// `file:line:column` of a byte offset.
    fn location(&self, file: usize, offset: usize) -> String {
        let f = &self.files[file];
        let before = f.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before.rfind('\n').map_or(before.len(), |n| before.len() - n - 1) + 1;
        format!("{}:{line}:{col}", f.name)
    }

    /// Cross-file checks: `suppresses` and `[[help]]` name codes defined anywhere.
    fn resolve(&mut self) {
        for (idx, file, codes) in std::mem::take(&mut self.pending_suppress) {
            let mut resolved = Vec::new();
            for c in codes {
                match self.codes.get(&c.value) {
                    Some((i, _, _)) if *i != idx => resolved.push(*i),
                    Some(_) => self.error(
                        file,
                        ErrorKind::UnknownSuppressed,
                        vec![(c.span.clone(), String::from("this rule's own code"))],
                        format!("rule `{}` suppresses itself", c.value),
                        None,
                    ),
                    None => {
                        let help = self.code_hint(&c.value);
                        self.error(
                            file,
                            ErrorKind::UnknownSuppressed,
                            vec![(c.span.clone(), String::from("no rule has this code"))],
                            format!("`suppresses` names unknown code `{}`", c.value),
                            help,
                        );
                    }
                }
            }
            self.rules[idx as usize].compiled.suppresses = resolved.into();
        }
        for (p, file, code, help) in std::mem::take(&mut self.pending_help) {
            let rule = self
                .codes
                .get(&code.value)
                .map(|(i, _, _)| *i)
                .filter(|i| self.rules[*i as usize].provider.is_none());
            let Some(i) = rule else {
                let hint = self.code_hint(&code.value);
                self.error(
                    file,
                    ErrorKind::UnknownHelpCode,
                    vec![(code.span.clone(), String::from("no core rule has this code"))],
                    format!("[[help]] overrides `{}`, which no core rule defines", code.value),
                    hint.or_else(|| {
                        Some(String::from(
                            "[[help]] rewrites the help of a core code; a provider's own finding is a [[rule]]",
                        ))
                    }),
                );
                continue;
            };
            let roles = self.rules[i as usize].roles.clone();
            let Some(t) = self.template(file, &help, &roles, "help") else { continue };
            let overrides = self.provider_rules[p].help.to_mut();
            let at = overrides.binary_search_by_key(&i, |(k, _)| *k);
            if let Err(at) = at {
                overrides.insert(at, (i, t));
            } else {
                self.error(
                    file,
                    ErrorKind::DuplicateCode,
                    vec![(code.span.clone(), String::from("overridden again here"))],
                    format!("`{}` has two [[help]] overrides", code.value),
                    Some(String::from("keep one")),
                );
            }
        }
    }

    fn code_hint(&self, code: &str) -> Option<String> {
        let names: Vec<&str> = self.codes.keys().map(String::as_str).collect();
        suggest_among(code, &names).map(|s| format!("did you mean `{s}`?"))
    }
}
