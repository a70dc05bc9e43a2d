//! Errors of loading rule files: miette diagnostics that point into the TOML.

use miette::{Diagnostic, LabeledSpan, NamedSource};
use std::sync::Arc;
use thiserror::Error;

/// What kind of mistake a [`RuleError`] reports (for tools and tests; the
/// message says the specifics).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A rules directory or file could not be read.
    Io,
    /// The file is not valid TOML.
    TomlSyntax,
    /// A key the format does not know (often a typo).
    UnknownField,
    /// A required key is missing.
    MissingField,
    /// A key holds the wrong TOML type.
    WrongType,
    /// `role`/`roles` names no role.
    UnknownRole,
    /// `severity` is not error, warning or info.
    UnknownSeverity,
    /// A code is not `<prefix>.<kebab-name>`.
    BadCode,
    /// Two rules define the same code.
    DuplicateCode,
    /// The `when` condition does not parse or does not type-check (unknown fact, type error, …).
    Condition,
    /// A message, help or label template is invalid (unknown fact, unclosed brace, …).
    Template,
    /// A label names something other than a span fact of the rule's role.
    BadLabel,
    /// `suppresses` names a code no rule defines.
    UnknownSuppressed,
    /// `[[help]]` overrides a code that no core rule defines.
    UnknownHelpCode,
    /// `[[help]]` outside a provider file.
    HelpOutsideProvider,
    /// The provider id does not match the file name.
    ProviderIdMismatch,
    /// Two provider files declare the same id.
    DuplicateProvider,
    /// A provider-only rule's code does not start with `<provider id>.`.
    ProviderCodePrefix,
    /// A `[provider.records]` setting holds a value the format does not know.
    BadValue,
}

/// One mistake in one rule file, with labels on the exact bytes of the TOML.
#[derive(Debug, Error, Diagnostic)]
#[error("{message}")]
pub struct RuleError {
    /// What kind of mistake this is.
    pub kind: ErrorKind,
    /// The rule file's name.
    pub file: String,
    /// What is wrong.
    pub message: String,
    #[source_code]
    pub(crate) source_code: Option<NamedSource<Arc<str>>>,
    #[label(collection)]
    pub(crate) labels: Vec<LabeledSpan>,
    #[help]
    pub(crate) help: Option<String>,
    /// Byte offset of the primary label, to sort errors in file order.
    pub(crate) offset: usize,
}

impl RuleError {
    /// The help text, if any.
    pub fn help_text(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// Rule files failed to load; every error found is in [`RulesError::errors`]
/// (rendered by miette as related diagnostics).
#[derive(Debug, Error, Diagnostic)]
#[error("{summary}")]
pub struct RulesError {
    summary: String,
    #[related]
    errors: Vec<RuleError>,
    more: usize,
}

impl RulesError {
    pub(crate) fn new(mut errors: Vec<RuleError>, more: usize, file_order: &[String]) -> RulesError {
        let pos = |f: &str| file_order.iter().position(|n| n == f).unwrap_or(usize::MAX);
        errors.sort_by_key(|a| (pos(&a.file), a.offset));
        let mut files: Vec<&str> = errors.iter().map(|e| e.file.as_str()).collect();
        files.dedup();
        let n = errors.len() + more;
        let mut summary = match files.as_slice() {
            [one] => format!("could not load rules: {n} error{} in {one}", if n == 1 { "" } else { "s" }),
            _ => format!("could not load rules: {n} errors in {} files", files.len()),
        };
        if more > 0 {
            summary.push_str(&format!(" (the first {} shown, and {more} more)", errors.len()));
        }
        RulesError { summary, errors, more }
    }

    /// The errors kept (at most `load::MAX_ERRORS`), in file order.
    pub fn errors(&self) -> &[RuleError] {
        &self.errors
    }

    /// Errors found past the ones kept.
    pub fn more(&self) -> usize {
        self.more
    }
}
