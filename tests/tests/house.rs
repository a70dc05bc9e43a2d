//! The shape of the house: no two modules of a crate import each other.
//!
//! A module is a top-level file or folder of a crate's `src/` (`audit/driver.rs`
//! belongs to `audit`). A module uses another when its code (tests excluded)
//! names `crate::other…`. Two modules that use each other usually want the
//! shared type moved down a floor (STYLE.md).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The code of a file without comments and without its `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod ") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(at) => &l[..at],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn ident(s: &str) -> &str {
    let end = s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(s.len());
    &s[..end]
}

/// The names that follow each `crate::` of `code`: `crate::a::b` gives `a`,
/// `crate::{a, b::c, D}` gives `a`, `b` and `D`.
fn crate_paths(code: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = &group[..group.find('}').unwrap_or(group.len())];
            out.extend(group.split(',').map(|part| ident(part.trim())).filter(|n| !n.is_empty()));
        } else {
            out.push(ident(rest));
        }
    }
    out
}

#[test]
fn no_two_modules_of_a_crate_import_each_other() {
    let mut circles = Vec::new();
    let mut crates = 0;
    for entry in std::fs::read_dir(workspace().join("crates")).expect("crates/").flatten() {
        let src = entry.path().join("src");
        if !src.is_dir() {
            continue;
        }
        crates += 1;
        let modules: BTreeSet<String> = std::fs::read_dir(&src)
            .expect("src/")
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                match name.strip_suffix(".rs") {
                    Some("lib" | "main") => None,
                    Some(stem) => Some(stem.to_owned()),
                    None if e.path().is_dir() => Some(name),
                    None => None,
                }
            })
            .collect();
        let mut uses: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut files = Vec::new();
        rust_files(&src, &mut files);
        for file in files {
            let rel = file.strip_prefix(&src).expect("under src");
            let first = rel.components().next().expect("a component").as_os_str().to_string_lossy();
            let top = first.strip_suffix(".rs").unwrap_or(&first).to_owned();
            if !modules.contains(&top) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("read");
            for name in crate_paths(&code(&text)) {
                if name != top && modules.contains(name) {
                    uses.entry(top.clone()).or_default().insert(name.to_owned());
                }
            }
        }
        for (a, used) in &uses {
            for b in used {
                if a < b && uses.get(b).is_some_and(|u| u.contains(a)) {
                    circles.push(format!("{}: {a} <-> {b}", entry.file_name().to_string_lossy()));
                }
            }
        }
    }
    assert!(crates >= 8, "found the crates ({crates})");
    assert!(circles.is_empty(), "modules that import each other: {circles:#?}");
}

#[test]
fn the_circle_check_sees_a_circle() {
    let a = code("use crate::b::Thing;\n#[cfg(test)]\nmod tests { use crate::c; }\n");
    let b = code("// crate::a in a comment\nfn f() { crate::a::g() }\n");
    assert_eq!(crate_paths(&a), ["b"]);
    assert_eq!(crate_paths(&b), ["a"]);
    assert_eq!(crate_paths("use crate::{x, y::Z, W};"), ["x", "y", "W"]);
}
