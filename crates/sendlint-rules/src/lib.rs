//! Rules as data: the rule file format, the condition language, loading with
//! validation, and evaluation of facts into diagnoses.
//!
//! Facts are computed in Rust (`sendlint-records`); the judgement lives in
//! TOML files under the repository's `rules/` (compiled into this crate, see
//! [`RuleSet::builtin`]).
//! The format is documented in `docs/rules-format.md`.
//!
//! ```
//! use sendlint_records::{DomainName, Expectation, Role, txt, txt_facts};
//! use sendlint_rules::{RuleSet, Severity};
//!
//! let records = txt::parse_text(r#""\"v=spf1 include:amazonses.com ~all\"""#)?;
//! let domain = DomainName::parse("mail.acme.com")?;
//! let mail_from = DomainName::parse("send.mail.acme.com")?;
//! let expect =
//!     Expectation { region: "us-east-1", domain: &domain, zone: None, mail_from: &mail_from, expected_key: None };
//! let facts = txt_facts(Role::SpfTxt, &records, &expect);
//!
//! let diagnoses = RuleSet::builtin().evaluate(Role::SpfTxt, &facts, None);
//! assert_eq!(diagnoses[0].code, "spf.quoted-value");
//! assert_eq!(diagnoses[0].severity, Severity::Error);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(test)]
mod codegen;
mod cond;
mod error;
mod load;
mod template;

pub use error::{ErrorKind, RuleError, RulesError};

/// Text in a rule set: borrowed from the binary for the built-in rules (built
/// at compile time, so nothing is allocated or copied at start), owned for rule
/// files loaded at run time.
pub type Text = Cow<'static, str>;

/// A list in a rule set, borrowed or owned like [`Text`].
pub type List<T> = Cow<'static, [T]>;
pub use sendlint_records::{Fact, Facts, Role, Span};

use sendlint_records::display::edit_distance;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;
use std::path::Path;
use template::Template;

/// How bad a diagnosis is. An error makes the record Failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The record is wrong: it will fail verification.
    Error,
    /// Works, but should be fixed.
    Warning,
    /// Advice.
    Info,
}

impl Severity {
    /// The spelling in rule files and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }

    /// Parses the spelling of [`Severity::as_str`].
    pub fn parse(s: &str) -> Option<Severity> {
        [Severity::Error, Severity::Warning, Severity::Info].into_iter().find(|v| v.as_str() == s)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A label of a diagnosis: a span of the observed record and a short text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where, in record data coordinates (the engine maps it to display text).
    pub span: Span,
    /// What is there.
    pub text: String,
}

/// One finding about one record role.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    /// The stable code, e.g. `dkim.quoted-value`.
    pub code: String,
    /// The record role it is about.
    pub role: Role,
    /// How bad it is.
    pub severity: Severity,
    /// What is wrong, one line.
    pub message: String,
    /// What to do (for this customer's DNS provider when known).
    pub help: String,
    /// The DNS provider id whose advice or rule produced this, else `None`
    /// (`registrar` on the wire).
    #[serde(rename = "registrar")]
    pub provider: Option<String>,
    /// Spans into the observed record.
    pub labels: Vec<Label>,
}

/// The documentation of a rule (`sendlint rules show CODE`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RuleDocs {
    /// What it does.
    pub what: Text,
    /// Why is this bad?
    pub why: Text,
    /// A broken record and the fixed one.
    pub example: Text,
    /// RFC sections and URLs.
    pub references: List<Text>,
}

/// A label template as written in the rule file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelDef {
    /// The span fact the label marks.
    pub span: Text,
    /// The label text template.
    pub text: Text,
}

/// One rule as loaded from a rule file.
#[derive(Clone, Debug)]
pub struct Rule {
    /// The stable code.
    pub code: Text,
    /// The first (usually only) role the rule is evaluated for.
    pub role: Role,
    /// Every role the rule is evaluated for.
    pub roles: List<Role>,
    /// The severity of its diagnoses.
    pub severity: Severity,
    /// The provider id for a provider-only rule, else `None`.
    pub provider: Option<Text>,
    /// The documentation.
    pub docs: RuleDocs,
    /// The condition, as written.
    pub when: Text,
    /// The message template, as written.
    pub message: Text,
    /// The help template, as written.
    pub help: Text,
    /// The label templates, as written.
    pub labels: List<LabelDef>,
    /// The codes this rule explains (dropped when it fires).
    pub suppresses: List<Text>,
    /// The rule file it was defined in.
    pub source: Text,
    compiled: Compiled,
}

#[derive(Clone, Debug)]
struct Compiled {
    cond: cond::Cond,
    message: Template,
    help: Template,
    labels: List<(Fact, Template)>,
    suppresses: List<u32>,
}

impl Rule {
    /// The rule's documentation page as Markdown (for `docs/rules.md`).
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "## `{}`\n\n{} · {}{}\n\n",
            self.code,
            self.severity,
            self.roles.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", "),
            self.provider.as_ref().map(|p| format!(" · provider `{p}`")).unwrap_or_default()
        );
        out.push_str(&format!("### What it does\n\n{}\n\n", self.docs.what.trim()));
        out.push_str(&format!("### Why is this bad?\n\n{}\n\n", self.docs.why.trim()));
        if !self.docs.example.trim().is_empty() {
            out.push_str(&format!("### Example\n\n```text\n{}\n```\n\n", self.docs.example.trim()));
        }
        if !self.docs.references.is_empty() {
            out.push_str("### References\n\n");
            for r in self.docs.references.iter() {
                out.push_str(&format!("- {r}\n"));
            }
            out.push('\n');
        }
        out.push_str(&format!("Condition: `{}`\n", self.when));
        out
    }
}

/// A DNS provider, detected from the zone's apex NS records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provider {
    /// The id, equal to the file stem (`cloudflare`).
    pub id: Text,
    /// The display name.
    pub name: Text,
    /// Glob patterns of its nameserver names (`*.ns.cloudflare.com`).
    pub nameservers: List<Text>,
    /// Notes for support engineers.
    pub docs: Text,
    /// Help overrides: `(core code, help template as written)`.
    pub help: List<(Text, Text)>,
    /// How the provider's DNS form wants the records typed (`[provider.records]`),
    /// for `sendlint records --registrar`; the generic form when absent.
    pub records: RecordsForm,
    /// The rule file it was defined in.
    pub source: Text,
}

/// How a host (name) field takes the record's name.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum HostStyle {
    /// The full name, e.g. `send.mail.acme.com`.
    #[default]
    Full,
    /// Relative to the zone, which the provider appends: `send.mail`; `@` for the apex.
    Relative,
}

/// Where the MX priority is typed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PriorityStyle {
    /// In a priority field of its own.
    #[default]
    Separate,
    /// In the value field, before the exchange: `10 feedback-smtp…`.
    InValue,
}

/// How TXT values are typed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TxtStyle {
    /// As one unquoted value, however long (the provider quotes and splits it).
    #[default]
    Plain,
    /// In double quotes; values over 255 bytes as several quoted strings on one line.
    Quoted,
}

/// The shape of a provider's DNS record form (`[provider.records]` in its rule file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordsForm {
    /// How the name is typed.
    pub host: HostStyle,
    /// The label of the name field, e.g. `Host`.
    pub host_field: Text,
    /// The label of the TXT value field, e.g. `Value`.
    pub value_field: Text,
    /// The label of the MX value field, e.g. `Mail server`.
    pub mx_value_field: Text,
    /// Where the MX priority goes.
    pub priority: PriorityStyle,
    /// The label of the priority field (with [`PriorityStyle::Separate`]).
    pub priority_field: Text,
    /// How TXT values are typed.
    pub txt: TxtStyle,
    /// Extra `(field, value)` lines printed in every record block, e.g. `("Proxy status", "DNS only")`.
    pub fields: List<(Text, Text)>,
    /// Notes printed before the records.
    pub notes: List<Text>,
}

impl Default for RecordsForm {
    fn default() -> Self {
        RecordsForm {
            host: HostStyle::Full,
            host_field: "Name".into(),
            value_field: "Value".into(),
            mx_value_field: "Value".into(),
            priority: PriorityStyle::Separate,
            priority_field: "Priority".into(),
            txt: TxtStyle::Plain,
            fields: List::Borrowed(&[]),
            notes: List::Borrowed(&[]),
        }
    }
}

impl Provider {
    /// True when `ns` (case-insensitive, trailing dot ignored) matches one of the patterns.
    pub fn matches_nameserver(&self, ns: &str) -> bool {
        let ns = ns.trim_end_matches('.').to_ascii_lowercase();
        self.nameservers
            .iter()
            .any(|p| glob(p.trim_end_matches('.').to_ascii_lowercase().as_bytes(), ns.as_bytes()))
    }

    /// The help override this provider gives for `code`, as written.
    pub fn help_for(&self, code: &str) -> Option<&str> {
        self.help.iter().find(|(c, _)| c == code).map(|(_, h)| &**h)
    }
}

/// `*` matches any run of characters (dots included), `?` one character.
fn glob(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && (pattern[p] == b'?' || pattern[p] == text[t]) {
            p += 1;
            t += 1;
        } else if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|c| *c == b'*')
}

/// One rule file: its name (for errors and `Rule::source`) and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSource {
    /// The file name, e.g. `rules/core/dkim.toml`.
    pub name: Text,
    /// The TOML text.
    pub text: Text,
}

/// A provider's compiled additions.
#[derive(Clone, Debug, Default)]
struct ProviderRules {
    by_role: [List<u32>; 5],
    /// Help overrides by rule index, sorted by it.
    help: List<(u32, Template)>,
}

/// A loaded, validated rule set.
#[derive(Clone, Debug)]
pub struct RuleSet {
    sources: List<RuleSource>,
    rules: List<Rule>,
    by_role: [List<u32>; 5],
    providers: List<Provider>,
    provider_rules: List<ProviderRules>,
}

fn role_index(role: Role) -> usize {
    match role {
        Role::SpfMx => 0,
        Role::SpfTxt => 1,
        Role::Dkim => 2,
        Role::Dmarc => 3,
        Role::Domain => 4,
    }
}

// The built-in rules, generated from `rules/` by `codegen` and checked in
// (`src/generated/`). `--cfg sendlint_rules_bootstrap` leaves them out, to
// regenerate them after a change to the types they name (see `codegen`).
#[cfg(not(sendlint_rules_bootstrap))]
mod builtin {
    use super::cond::{CmpOp, Cond, Node, Operand};
    use super::template::{Segment, Template};
    use super::*;
    use sendlint_records::Fact;

    /// Every file under `rules/`.
    pub(crate) static SOURCES: &[RuleSource] = include!("generated/sources.rs");

    // The built-in rules as the generator loaded and validated them: statics in
    // the binary, so `RuleSet::builtin` allocates nothing.
    include!("generated/compiled.rs");
}

// The bootstrap build: no built-in rules.
#[cfg(sendlint_rules_bootstrap)]
mod builtin {
    use super::*;

    pub(crate) static SOURCES: &[RuleSource] = &[];
    pub(crate) static RULES: &[Rule] = &[];
    pub(crate) static BY_ROLE: [&[u32]; 5] = [&[], &[], &[], &[], &[]];
    pub(crate) static PROVIDERS: &[Provider] = &[];
    pub(crate) static PROVIDER_RULES: &[ProviderRules] = &[];
}

impl RuleSet {
    /// The rule files shipped with sendlint (`rules/**/*.toml`), loaded and
    /// validated when they were generated into this crate: this only borrows
    /// the compiled set (no TOML parsing at run time).
    pub fn builtin() -> RuleSet {
        RuleSet {
            sources: List::Borrowed(builtin::SOURCES),
            rules: List::Borrowed(builtin::RULES),
            by_role: builtin::BY_ROLE.map(List::Borrowed),
            providers: List::Borrowed(builtin::PROVIDERS),
            provider_rules: List::Borrowed(builtin::PROVIDER_RULES),
        }
    }

    /// Loads and validates rule files; every error of every file is reported together.
    pub fn from_sources(sources: Vec<RuleSource>) -> Result<RuleSet, RulesError> {
        load::load(sources)
    }

    /// Adds the rule files of an extra directory (`*.toml` anywhere below, same layout).
    pub fn with_dir(self, dir: &Path) -> Result<RuleSet, RulesError> {
        let mut sources = self.sources.into_owned();
        load::read_dir(dir, &mut sources)?;
        RuleSet::from_sources(sources)
    }

    /// The diagnoses for one record role: the core rules of the role plus the
    /// provider's own rules, with the provider's help overrides applied and
    /// suppressed codes dropped, in file order.
    pub fn evaluate(&self, role: Role, facts: &Facts, provider: Option<&str>) -> Vec<Diagnosis> {
        let r = role_index(role);
        let prov = provider.and_then(|id| {
            let i = self.providers.iter().position(|p| p.id.eq_ignore_ascii_case(id))?;
            Some((&*self.providers[i].id, &self.provider_rules[i]))
        });
        let mut fired: Vec<u32> = self.by_role[r]
            .iter()
            .copied()
            .filter(|&i| self.rules[i as usize].compiled.cond.eval(facts))
            .collect();
        if let Some((_, pr)) = prov {
            fired.extend(
                pr.by_role[r].iter().copied().filter(|&i| self.rules[i as usize].compiled.cond.eval(facts)),
            );
        }
        if fired.is_empty() {
            return Vec::new();
        }
        let suppressed: Vec<u32> =
            fired.iter().flat_map(|&i| self.rules[i as usize].compiled.suppresses.iter().copied()).collect();
        fired
            .into_iter()
            .filter(|i| !suppressed.contains(i))
            .map(|i| {
                let rule = &self.rules[i as usize];
                let c = &rule.compiled;
                let over = prov.and_then(|(id, pr)| {
                    let at = pr.help.binary_search_by_key(&i, |(k, _)| *k).ok()?;
                    Some((id, &pr.help[at].1))
                });
                let (help, provider) = match (over, &rule.provider) {
                    (Some((id, t)), _) => (t.render(facts), Some(id.to_owned())),
                    (None, Some(p)) => (c.help.render(facts), Some(p.to_string())),
                    (None, None) => (c.help.render(facts), None),
                };
                Diagnosis {
                    code: rule.code.to_string(),
                    role,
                    severity: rule.severity,
                    message: c.message.render(facts),
                    help,
                    provider,
                    labels: c
                        .labels
                        .iter()
                        .filter_map(|(fact, text)| {
                            Some(Label { span: facts.span(*fact)?, text: text.render(facts) })
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// Every rule, core rules first, in file order.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter()
    }

    /// The rule with this code.
    pub fn rule(&self, code: &str) -> Option<&Rule> {
        // a hundred rules: a scan is as fast as a map, and needs none built at start
        self.rules.iter().find(|r| r.code == code)
    }

    /// Every provider, in file order.
    pub fn providers(&self) -> &[Provider] {
        &self.providers
    }

    /// The provider with this id. Ids are compared without regard to ASCII
    /// case (`CloudFlare` is `cloudflare`): people type them.
    pub fn provider(&self, id: &str) -> Option<&Provider> {
        self.providers.iter().find(|p| p.id.eq_ignore_ascii_case(id))
    }

    /// The provider whose patterns match the most of the apex NS names (ties: file order).
    pub fn detect_provider(&self, nameservers: &[String]) -> Option<&Provider> {
        let mut best: Option<(&Provider, usize)> = None;
        for p in self.providers.iter() {
            let n = nameservers.iter().filter(|ns| p.matches_nameserver(ns)).count();
            if n > 0 && best.is_none_or(|(_, b)| n > b) {
                best = Some((p, n));
            }
        }
        best.map(|(p, _)| p)
    }

    /// The rule files this set was loaded from.
    pub fn sources(&self) -> &[RuleSource] {
        &self.sources
    }

    /// The rule reference (`docs/rules.md`, `sendlint rules docs`): every rule's
    /// documentation page and every provider's notes and help overrides, generated
    /// from the rule files so it cannot drift from them.
    pub fn reference_markdown(&self) -> String {
        let mut out = String::from(
            "# Rule reference\n\n<!-- Generated from rules/**/*.toml by `sendlint rules docs > docs/rules.md`; do not edit by hand. -->\n\n",
        );
        out.push_str("| code | severity | roles | provider |\n|---|---|---|---|\n");
        for r in self.rules.iter() {
            let roles = r.roles.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ");
            let anchor: String = r.code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            out.push_str(&format!(
                "| [`{}`](#{anchor}) | {} | {roles} | {} |\n",
                r.code,
                r.severity,
                r.provider.as_deref().unwrap_or("")
            ));
        }
        out.push_str("\n# Rules\n\n");
        for r in self.rules.iter() {
            // Demote the rule page one level under "# Rules".
            for line in r.markdown().lines() {
                if line.starts_with('#') {
                    out.push('#');
                }
                out.push_str(line);
                out.push('\n');
            }
            out.push_str(&format!("\nDefined in `{}`.\n\n", r.source));
        }
        out.push_str("# DNS providers\n\n");
        for p in self.providers.iter() {
            out.push_str(&format!("## `{}`: {}\n\n", p.id, p.name));
            let ns = p.nameservers.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
            out.push_str(&format!(
                "Detected from apex NS records matching {ns}. Defined in `{}`.\n\n",
                p.source
            ));
            if !p.docs.trim().is_empty() {
                out.push_str(&format!("{}\n\n", p.docs.trim()));
            }
            let own: Vec<&Rule> =
                self.rules.iter().filter(|r| r.provider.as_deref() == Some(&*p.id)).collect();
            if !own.is_empty() {
                out.push_str("Provider-only rules: ");
                out.push_str(&own.iter().map(|r| format!("`{}`", r.code)).collect::<Vec<_>>().join(", "));
                out.push_str(".\n\n");
            }
            if !p.help.is_empty() {
                out.push_str("Help in this provider's words:\n\n| code | help |\n|---|---|\n");
                for (code, help) in p.help.iter() {
                    out.push_str(&format!("| `{code}` | {} |\n", help.replace('|', "\\|")));
                }
                out.push('\n');
            }
        }
        out
    }
}

/// The fact name closest to `name`, for "did you mean" hints.
pub(crate) fn suggest(name: &str) -> Option<&'static str> {
    sendlint_records::FACTS
        .iter()
        .map(|d| (d.name, edit_distance(name, d.name)))
        .filter(|(_, d)| *d <= 2.max(name.len() / 4))
        .min_by_key(|(_, d)| *d)
        .map(|(n, _)| n)
}

/// The closest of `candidates` to `name` (a few edits away), for "did you mean" hints.
pub fn suggest_among<'a>(name: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (*c, edit_distance(name, c)))
        .filter(|(_, d)| *d <= 2.max(name.len() / 4))
        .min_by_key(|(_, d)| *d)
        .map(|(n, _)| n)
}

#[cfg(test)]
mod tests;
