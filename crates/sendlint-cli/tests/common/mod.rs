//! What every end-to-end test of the binary needs: run `sendlint` from the
//! workspace root, without colour, with no standard input.

#![allow(dead_code)] // each test file uses its own part

pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The workspace root, where `fixtures/` lives.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs the binary with `args` in the workspace root.
pub fn sendlint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sendlint"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("the binary runs")
}

/// Standard output, lossily decoded.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error, lossily decoded.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
