//! Loading rule files: TOML with spans (`toml::de::DeTable`), validated by
//! hand so that every mistake of a file is reported at once, each with a label
//! on the exact bytes.

// `super::`, not `crate::`: build.rs compiles these files as a module of its own.
use super::cond;
use super::error::{ErrorKind, RuleError, RulesError};
use super::template::Template;
use super::{
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

/// Most rule files read from one directory tree.
const MAX_FILES: usize = 10_000;

/// Deepest directory nesting walked.
const MAX_DEPTH: usize = 32;

/// Reads every `*.toml` below `dir`, sorted by path, appending to `out`.
/// `dir` may also be one rule file.
pub(crate) fn read_dir(dir: &Path, out: &mut Vec<RuleSource>) -> Result<(), RulesError> {
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
        paths.push(dir.to_path_buf());
    } else {
        let mut seen = std::collections::HashSet::new();
        walk(dir, 0, &mut seen, &mut paths, &mut errors);
    }
    paths.sort();
    for path in paths {
        // The one input guard: a FIFO named `x.toml` is refused, not waited on.
        match sendlint_records::input::read_text(&path, sendlint_records::input::InputKind::Rules) {
            Ok(text) => out.push(RuleSource { name: path.display().to_string().into(), text: text.into() }),
            Err(e) => errors.push(io_error(&path, e.to_string())),
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        let names: Vec<String> = errors.iter().map(|e| e.file.clone()).collect();
        let more = errors.len().saturating_sub(MAX_ERRORS);
        errors.truncate(MAX_ERRORS);
        Err(RulesError::new(errors, more, &names))
    }
}

fn io_error(path: &Path, message: String) -> RuleError {
    RuleError {
        kind: ErrorKind::Io,
        file: path.display().to_string(),
        message,
        source_code: None,
        labels: Vec::new(),
        help: None,
        offset: 0,
    }
}

/// Collects the `*.toml` files below `dir`. Each directory is walked once,
/// whatever symlinks lead to it (`ln -s . d/a` would otherwise recurse
/// without end), at most [`MAX_DEPTH`] deep and [`MAX_FILES`] files.
fn walk(
    dir: &Path,
    depth: usize,
    seen: &mut std::collections::HashSet<std::path::PathBuf>,
    out: &mut Vec<std::path::PathBuf>,
    errors: &mut Vec<RuleError>,
) {
    let real = match std::fs::canonicalize(dir) {
        Ok(r) => r,
        Err(e) => {
            errors.push(io_error(dir, format!("cannot read {}: {e}", dir.display())));
            return;
        }
    };
    if !seen.insert(real) {
        return;
    }
    if depth > MAX_DEPTH {
        errors.push(io_error(
            dir,
            format!("{} is nested more than {MAX_DEPTH} directories deep", dir.display()),
        ));
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(io_error(dir, format!("cannot read {}: {e}", dir.display())));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            // A rules directory keeps its fixtures (scenario files, not rules) in `fixtures/`.
            if path.file_name().is_some_and(|n| n == "fixtures") {
                continue;
            }
            walk(&path, depth + 1, seen, out, errors);
        } else if path.extension().is_some_and(|e| e == "toml") {
            if out.len() >= MAX_FILES {
                errors
                    .push(io_error(dir, format!("more than {MAX_FILES} rule files below {}", dir.display())));
                return;
            }
            out.push(path);
        }
    }
}

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

    fn provider(&mut self, file: usize, v: &Spanned<DeValue<'_>>) -> Option<usize> {
        let DeValue::Table(table) = v.get_ref() else {
            self.error(
                file,
                ErrorKind::WrongType,
                vec![(v.span(), format!("this is {}", type_name(v.get_ref())))],
                "`provider` must be a table: write `[provider]`",
                None,
            );
            return None;
        };
        let fields = Fields { table, span: v.span() };
        self.unknown_fields(file, &fields, PROVIDER_KEYS, "[provider]");
        let id = self.required(file, &fields, "id", "[provider] table");
        let name = self.required(file, &fields, "name", "[provider] table");
        let nameservers = match self.string_list(file, &fields, "nameservers") {
            Some((list, _)) => list.into_iter().map(|s| s.value).collect(),
            None => {
                if fields.get("nameservers").is_none() {
                    self.missing(file, &fields, "nameservers", "[provider] table");
                }
                Vec::new()
            }
        };
        let docs = self.string(file, &fields, "docs").map(|s| s.value).unwrap_or_default();
        let records = fields.get("records").map(|v| self.records_form(file, v)).unwrap_or_default();
        let (id, name) = (id?, name?);
        let stem = Path::new(&self.files[file].name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if id.value != stem {
            self.error(
                file,
                ErrorKind::ProviderIdMismatch,
                vec![(id.span.clone(), format!("the file is named `{stem}.toml`"))],
                format!("provider id `{}` does not match the file name", id.value),
                Some(format!("name the file `{}.toml`, or set `id = \"{stem}\"`", id.value)),
            );
            return None;
        }
        if let Some(k) = self.providers.iter().position(|p| p.id.eq_ignore_ascii_case(&id.value)) {
            let (first_file, first_span) = self.provider_spans[k].clone();
            let where_ = self.location(first_file, first_span.start);
            self.error(
                file,
                ErrorKind::DuplicateProvider,
                vec![(id.span.clone(), String::from("declared again here"))],
                format!("provider `{}` is declared twice", id.value),
                Some(format!("it is first declared at {where_}")),
            );
            return None;
        }
        self.providers.push(Provider {
            id: id.value.into(),
            name: name.value.into(),
            nameservers: nameservers.into_iter().map(Text::from).collect(),
            docs: docs.into(),
            help: List::Owned(Vec::new()),
            records,
            source: self.files[file].name.clone().into(),
        });
        self.provider_rules.push(ProviderRules::default());
        self.provider_spans.push((file, id.span));
        Some(self.providers.len() - 1)
    }

    /// `[provider.records]`: how the provider's form wants the records typed.
    fn records_form(&mut self, file: usize, v: &Spanned<DeValue<'_>>) -> RecordsForm {
        let mut form = RecordsForm::default();
        let DeValue::Table(table) = v.get_ref() else {
            self.error(
                file,
                ErrorKind::WrongType,
                vec![(v.span(), format!("this is {}", type_name(v.get_ref())))],
                "`records` must be a table: write `[provider.records]`",
                None,
            );
            return form;
        };
        let fields = Fields { table, span: v.span() };
        self.unknown_fields(file, &fields, RECORDS_KEYS, "[provider.records]");
        if let Some(s) = self.string(file, &fields, "host") {
            match s.value.as_str() {
                "full" => form.host = HostStyle::Full,
                "relative" => form.host = HostStyle::Relative,
                _ => self.bad_value(file, &s, "host", &["full", "relative"]),
            }
        }
        if let Some(s) = self.string(file, &fields, "priority") {
            match s.value.as_str() {
                "separate" => form.priority = PriorityStyle::Separate,
                "in-value" => form.priority = PriorityStyle::InValue,
                _ => self.bad_value(file, &s, "priority", &["separate", "in-value"]),
            }
        }
        if let Some(s) = self.string(file, &fields, "txt") {
            match s.value.as_str() {
                "plain" => form.txt = TxtStyle::Plain,
                "quoted" => form.txt = TxtStyle::Quoted,
                _ => self.bad_value(file, &s, "txt", &["plain", "quoted"]),
            }
        }
        for (key, slot) in [
            ("host_field", &mut form.host_field),
            ("value_field", &mut form.value_field),
            ("mx_value_field", &mut form.mx_value_field),
            ("priority_field", &mut form.priority_field),
        ] {
            if let Some(s) = self.string(file, &fields, key) {
                *slot = s.value.into();
            }
        }
        if let Some((notes, _)) = self.string_list(file, &fields, "notes") {
            form.notes = notes.into_iter().map(|s| Text::from(s.value)).collect();
        }
        if let Some(extra) = fields.get("fields") {
            match extra.get_ref() {
                DeValue::Table(t) => {
                    for (k, val) in t.iter() {
                        match val.get_ref() {
                            DeValue::String(s) => {
                                form.fields.to_mut().push((k.get_ref().to_string().into(), s.to_string().into()))
                            }
                            other => self.error(
                                file,
                                ErrorKind::WrongType,
                                vec![(val.span(), format!("this is {}", type_name(other)))],
                                "the values of `fields` must be strings",
                                None,
                            ),
                        }
                    }
                }
                other => self.error(
                    file,
                    ErrorKind::WrongType,
                    vec![(extra.span(), format!("this is {}", type_name(other)))],
                    "`fields` must be a table of field name = value, e.g. `{ \"Proxy status\" = \"DNS only\" }`",
                    None,
                ),
            }
        }
        form
    }

    fn bad_value(&mut self, file: usize, s: &SStr, key: &str, allowed: &[&str]) {
        let help = match suggest_among(&s.value, allowed) {
            Some(m) => format!("did you mean `{m}`? `{key}` takes: {}", allowed.join(", ")),
            None => format!("`{key}` takes: {}", allowed.join(", ")),
        };
        self.error(
            file,
            ErrorKind::BadValue,
            vec![(s.span.clone(), String::from("unknown value"))],
            format!("`{key}` cannot be {:?}", s.value),
            Some(help),
        );
    }

    /// `file:line:column` of a byte offset.
    fn location(&self, file: usize, offset: usize) -> String {
        let f = &self.files[file];
        let before = f.text.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let col = before.rfind('\n').map_or(before.len(), |n| before.len() - n - 1) + 1;
        format!("{}:{line}:{col}", f.name)
    }

    fn roles(&mut self, file: usize, fields: &Fields<'_, '_>) -> Option<Vec<Role>> {
        let parse = |b: &mut Builder, s: &SStr| -> Option<Role> {
            let role = Role::parse(&s.value);
            if role.is_none() {
                let names: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
                let help = match suggest_among(&s.value, &names) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => format!("roles are: {}", names.join(", ")),
                };
                b.error(
                    file,
                    ErrorKind::UnknownRole,
                    vec![(s.span.clone(), String::from("unknown role"))],
                    format!("unknown role `{}`", s.value),
                    Some(help),
                );
            }
            role
        };
        match (fields.get("role").is_some(), fields.get("roles").is_some()) {
            (true, true) => {
                let span = fields.get("roles").map(|v| v.span()).unwrap_or(0..0);
                self.error(
                    file,
                    ErrorKind::UnknownField,
                    vec![(span, String::from("remove this, or `role`"))],
                    "a rule has `role` or `roles`, not both",
                    None,
                );
                None
            }
            (false, false) => {
                self.missing(file, fields, "role", "rule");
                None
            }
            (true, false) => {
                let s = self.string(file, fields, "role")?;
                Some(vec![parse(self, &s)?])
            }
            (false, true) => {
                let (list, span) = self.string_list(file, fields, "roles")?;
                if list.is_empty() {
                    self.error(
                        file,
                        ErrorKind::UnknownRole,
                        vec![(span, String::from("empty"))],
                        "`roles` must name at least one role",
                        None,
                    );
                    return None;
                }
                let mut roles = Vec::new();
                let mut ok = true;
                for s in &list {
                    match parse(self, s) {
                        Some(r) if !roles.contains(&r) => roles.push(r),
                        Some(_) => {}
                        None => ok = false,
                    }
                }
                ok.then_some(roles)
            }
        }
    }

    fn template(&mut self, file: usize, s: &SStr, roles: &[Role], field: &str) -> Option<Template> {
        match Template::compile(&s.value, roles) {
            Ok(t) => Some(t),
            Err(errors) => {
                for e in errors {
                    self.error(
                        file,
                        ErrorKind::Template,
                        vec![(s.sub(e.offset, e.len), String::from("here"))],
                        format!("{} (in `{field}`)", e.message),
                        e.help,
                    );
                }
                None
            }
        }
    }

    fn rule(&mut self, file: usize, table: &DeTable<'_>, span: Range<usize>, provider: Option<usize>) {
        let fields = Fields { table, span };
        self.unknown_fields(file, &fields, RULE_KEYS, "a rule");
        let code = self.required(file, &fields, "code", "rule");
        if let Some(code) = &code
            && !valid_code(&code.value)
        {
            self.error(
                file,
                ErrorKind::BadCode,
                vec![(code.span.clone(), String::from("not `<prefix>.<kebab-name>`"))],
                format!("`{}` is not a valid rule code", code.value),
                Some(String::from("codes are lowercase `<prefix>.<kebab-name>`, e.g. `dkim.quoted-value`")),
            );
        }
        if let (Some(code), Some(p)) = (&code, provider) {
            let id = self.providers[p].id.clone();
            if !code.value.starts_with(&format!("{id}.")) {
                self.error(
                    file,
                    ErrorKind::ProviderCodePrefix,
                    vec![(code.span.clone(), format!("does not start with `{id}.`"))],
                    format!(
                        "provider-only rule `{}` must be named `{id}.<kebab-name>`",
                        code.value
                    ),
                    Some(format!(
                        "to change the advice of a core code for {id} customers, use a [[help]] override instead"
                    )),
                );
            }
        }
        let roles = self.roles(file, &fields);
        let severity = self.required(file, &fields, "severity", "rule").and_then(|s| {
            let sev = Severity::parse(&s.value);
            if sev.is_none() {
                let names = ["error", "warning", "info"];
                let help = match suggest_among(&s.value, &names) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => String::from("severities are: error, warning, info"),
                };
                self.error(
                    file,
                    ErrorKind::UnknownSeverity,
                    vec![(s.span.clone(), String::from("unknown severity"))],
                    format!("unknown severity `{}`", s.value),
                    Some(help),
                );
            }
            sev
        });
        let when = self.required(file, &fields, "when", "rule");
        let message = self.required(file, &fields, "message", "rule");
        let help = self.required(file, &fields, "help", "rule");
        let suppresses = self.string_list(file, &fields, "suppresses").map(|(l, _)| l).unwrap_or_default();
        let labels = self.labels(file, &fields, roles.as_deref());
        let docs = self.docs(file, &fields);

        // Conditions and templates are checked against the roles; without
        // roles there is nothing to check them against.
        let Some(roles) = roles else { return };
        let cond = when.as_ref().and_then(|w| match cond::compile(&w.value, &roles) {
            Ok(c) => Some(c),
            Err(errors) => {
                for e in errors {
                    self.error(
                        file,
                        ErrorKind::Condition,
                        vec![(w.sub(e.offset, e.len), String::from("here"))],
                        e.message,
                        e.help,
                    );
                }
                None
            }
        });
        let message_t = message.as_ref().and_then(|m| self.template(file, m, &roles, "message"));
        let help_t = help.as_ref().and_then(|h| self.template(file, h, &roles, "help"));

        let (
            Some(code),
            Some(severity),
            Some(when),
            Some(message),
            Some(help),
            Some(cond),
            Some(message_t),
            Some(help_t),
            Some(labels),
            Some(docs),
        ) = (code, severity, when, message, help, cond, message_t, help_t, labels, docs)
        else {
            return;
        };
        let idx = self.rules.len() as u32;
        if let Some((_, first_file, first_span)) = self.codes.get(&code.value).cloned() {
            let mut labels = vec![(code.span.clone(), String::from("defined again here"))];
            let help = if first_file == file {
                labels.push((first_span.clone(), String::from("first defined here")));
                String::from(
                    "codes are unique: rename one rule, or merge them (a rule may have `roles = [...]`)",
                )
            } else {
                format!(
                    "first defined at {}; codes are unique across all rule files",
                    self.location(first_file, first_span.start)
                )
            };
            self.error(
                file,
                ErrorKind::DuplicateCode,
                labels,
                format!("duplicate rule code `{}`", code.value),
                Some(help),
            );
            return;
        }
        self.codes.insert(code.value.clone(), (idx, file, code.span.clone()));
        if !suppresses.is_empty() {
            self.pending_suppress.push((idx, file, suppresses.clone()));
        }
        self.rules.push(Rule {
            code: code.value.into(),
            role: roles[0],
            roles: roles.into(),
            severity,
            provider: provider.map(|p| self.providers[p].id.clone()),
            docs,
            when: when.value.into(),
            message: message.value.into(),
            help: help.value.into(),
            labels: labels.iter().map(|(d, _, _)| d.clone()).collect(),
            suppresses: suppresses.into_iter().map(|s| Text::from(s.value)).collect(),
            source: self.files[file].name.clone().into(),
            compiled: Compiled {
                cond,
                message: message_t,
                help: help_t,
                labels: labels.into_iter().map(|(_, f, t)| (f, t)).collect(),
                suppresses: List::Owned(Vec::new()),
            },
        });
    }

    #[allow(clippy::type_complexity)]
    fn labels(
        &mut self,
        file: usize,
        fields: &Fields<'_, '_>,
        roles: Option<&[Role]>,
    ) -> Option<Vec<(LabelDef, Fact, Template)>> {
        let Some(v) = fields.get("labels") else {
            return Some(Vec::new());
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.error(
                file,
                ErrorKind::WrongType,
                vec![(v.span(), format!("this is {}", type_name(v.get_ref())))],
                "`labels` must be an array of `{ span = \"…\", text = \"…\" }`",
                None,
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for item in items.iter() {
            let DeValue::Table(table) = item.get_ref() else {
                self.error(
                    file,
                    ErrorKind::WrongType,
                    vec![(item.span(), format!("this is {}", type_name(item.get_ref())))],
                    "a label must be a table: `{ span = \"…\", text = \"…\" }`",
                    None,
                );
                ok = false;
                continue;
            };
            let lf = Fields { table, span: item.span() };
            self.unknown_fields(file, &lf, LABEL_KEYS, "a label");
            let span = self.required(file, &lf, "span", "label");
            let text = self.required(file, &lf, "text", "label");
            let (Some(span), Some(text), Some(roles)) = (span, text, roles) else {
                ok = false;
                continue;
            };
            let fact = match cond::resolve_fact(&span.value, roles) {
                Ok(f) if f.def().ty == FactType::Span => Some(f),
                Ok(f) => {
                    self.error(
                        file,
                        ErrorKind::BadLabel,
                        vec![(
                            span.span.clone(),
                            format!("{} fact, not a span", super::cond::article(f.def().ty)),
                        )],
                        format!("label span `{}` is not a span fact", span.value),
                        Some(String::from(
                            "labels mark a span fact of the record, e.g. `quote_span`, `key_span`",
                        )),
                    );
                    None
                }
                Err((message, help)) => {
                    self.error(
                        file,
                        ErrorKind::BadLabel,
                        vec![(span.span.clone(), String::from("here"))],
                        message,
                        help,
                    );
                    None
                }
            };
            let t = self.template(file, &text, roles, "label text");
            match (fact, t) {
                (Some(f), Some(t)) => {
                    out.push((LabelDef { span: span.value.into(), text: text.value.into() }, f, t))
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn docs(&mut self, file: usize, fields: &Fields<'_, '_>) -> Option<RuleDocs> {
        let Some(v) = fields.get("docs") else {
            self.missing(file, fields, "docs", "rule");
            return None;
        };
        let DeValue::Table(table) = v.get_ref() else {
            self.error(
                file,
                ErrorKind::WrongType,
                vec![(v.span(), format!("this is {}", type_name(v.get_ref())))],
                "`docs` must be a table: write `[rule.docs]`",
                None,
            );
            return None;
        };
        let df = Fields { table, span: v.span() };
        self.unknown_fields(file, &df, DOCS_KEYS, "[rule.docs]");
        let what = self.required(file, &df, "what", "[rule.docs] table");
        let why = self.required(file, &df, "why", "[rule.docs] table");
        let example = self.string(file, &df, "example");
        let references = self.string_list(file, &df, "references");
        Some(RuleDocs {
            what: what?.value.into(),
            why: why?.value.into(),
            example: example.map(|s| s.value).unwrap_or_default().into(),
            references: references
                .map(|(l, _)| l.into_iter().map(|s| Text::from(s.value)).collect())
                .unwrap_or_default(),
        })
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

/// `<prefix>.<kebab-name>`, lowercase ASCII.
fn valid_code(code: &str) -> bool {
    let kebab = |s: &str| {
        !s.is_empty()
            && s.split('-')
                .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
    };
    match code.split_once('.') {
        Some((prefix, name)) => kebab(prefix) && kebab(name),
        None => false,
    }
}
