//! Embeds every `rules/**/*.toml` file of the repository into the crate, so adding a
//! provider file needs no Rust change: this script lists the files and writes
//! `include_str!` entries into `$OUT_DIR/builtin_rules.rs`.
//!
//! It also loads and validates them with the crate's own loader (its sources,
//! compiled here as the module `rules`): a broken built-in rule fails the build
//! with the loader's errors, and `$OUT_DIR/builtin_compiled.rs` rebuilds the
//! compiled rule set as statics: nothing is parsed, allocated or copied at run time.

#[allow(dead_code, unused_imports, clippy::all)]
#[path = "src/lib.rs"]
mod rules;

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let root = manifest.join("../../rules");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_default());
    let out = out_dir.join("builtin_rules.rs");
    println!("cargo::rustc-cfg=sendlint_rules_built");

    // A directory path makes cargo rescan the whole tree, so new files trigger a rebuild.
    println!("cargo:rerun-if-changed={}", root.display());
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();

    let mut code = String::from("&[\n");
    let mut sources = Vec::new();
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file.strip_prefix(&root).unwrap_or(file);
        let name = format!(
            "rules/{}",
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/")
        );
        let text = fs::read_to_string(file).unwrap_or_else(|e| panic!("cannot read {}: {e}", file.display()));
        sources.push(rules::RuleSource { name: name.clone().into(), text: text.into() });
        let abs = fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        let _ = writeln!(
            code,
            "    RuleSource {{ name: Text::Borrowed({name:?}), text: Text::Borrowed(include_str!({:?})) }},",
            abs.display().to_string()
        );
    }
    code.push(']');
    if let Err(err) = fs::write(&out, code) {
        panic!("cannot write {}: {err}", out.display());
    }
    let set = match rules::RuleSet::from_sources(sources) {
        Ok(set) => set,
        Err(err) => {
            let mut msg = format!("the built-in rules do not load: {err}\n");
            for e in err.errors() {
                msg.push_str(&format!(
                    "  {}: {}{}\n",
                    e.file,
                    e.message,
                    e.help_text().map(|h| format!(" ({h})")).unwrap_or_default()
                ));
            }
            panic!("{msg}");
        }
    };
    let compiled = out_dir.join("builtin_compiled.rs");
    if let Err(err) = fs::write(&compiled, rules::codegen::emit(&set)) {
        panic!("cannot write {}: {err}", compiled.display());
    }
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            walk(&path, files);
        } else if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
}
