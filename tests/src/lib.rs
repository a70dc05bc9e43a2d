//! The fixture harness of the repository: the fixture model and runner live in
//! the engine (`sendlint::fixture`, shared with `sendlint rules check`); this
//! crate adds where the repository keeps its fixtures.
//!
//! A fixture is a domain setup, the zone text as the DNS provider serves it, and
//! the exact set of diagnosis codes expected; see [`sendlint::fixture`] for the
//! format.

use std::path::{Path, PathBuf};

pub use sendlint::fixture::{
    FIXTURE_NOW, FIXTURE_NOW_SECS, Fixture, FixtureSetup, FixtureZone, code_diff, differences, fixture_files,
    fixture_now, snapshot_text,
};

/// The workspace's `fixtures/` directory.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}
