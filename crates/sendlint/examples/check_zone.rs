//! Checks the demo domain against the demo zone files and prints its badges.
//!
//! ```text
//! cargo run -p sendlint --example check_zone
//! ```
//!
//! `mail.acme.test` is set up as the demo workspace (`fixtures/demo/manifest.json`)
//! has it: region `us-east-1`, DKIM selector `sf1`, the key of
//! `fixtures/keys/sf1-2048.b64`. No network: every answer comes from the zone
//! files, so [`sendlint::audit::block_on`] drives the check without a runtime.

use std::error::Error;
use std::path::{Path, PathBuf};

use sendlint::output::badge_glyph;
use sendlint::{CheckOptions, RuleSet, Setup, ZoneSource, audit::block_on, check};

fn main() -> Result<(), Box<dyn Error>> {
    // The workspace root, two floors above this crate.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");

    // Every zone file of the demo: the source answers for all of them.
    let dns = ZoneSource::from_files(&[root.join("fixtures/demo/zones")])?;

    let key: PathBuf = root.join("fixtures/keys/sf1-2048.b64");
    let setup = Setup::builder("mail.acme.test")
        .region("us-east-1")
        .selector("sf1")
        .public_key_text(std::fs::read_to_string(&key)?.trim())
        .build()?;

    let report = block_on(check(&setup, &dns, &RuleSet::builtin(), &CheckOptions::default()));

    println!("{} (zone {})", report.domain, report.zone.as_deref().unwrap_or("not found"));
    for record in &report.records {
        println!(
            "  {} {:<9} {:<7} {:<4} {}",
            badge_glyph(record.state),
            record.state.as_str(),
            record.role.as_str(),
            record.rtype,
            record.name
        );
        for diagnosis in &record.diagnoses {
            println!("      {} {}: {}", diagnosis.severity, diagnosis.code, diagnosis.message);
        }
    }
    println!("sending {}", if report.sending_unlocked { "unlocked" } else { "locked" });
    Ok(())
}
