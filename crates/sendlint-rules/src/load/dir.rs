//! Reading rule files from a directory tree: bounded, each directory once.

use super::*;

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
