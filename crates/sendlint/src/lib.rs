//! The sendlint engine: check one sending domain, explain one pasted record,
//! audit a workspace.
//!
//! Data flows one way: DNS answers (a [`Lookup`]: zone files or live DNS) →
//! decoded records with facts (`sendlint-records`) → rules ([`RuleSet`]) →
//! diagnoses → the badge state machine (`sendlint-ses`) → a [`DomainReport`]:
//! one [`RecordReport`] per published record, each with its [`Badge`] and its
//! [`DiagnosisReport`]s, and whether sending is unlocked.
//!
//! # Example
//!
//! Check a domain against a zone file's text: no network, no runtime
//! ([`audit::block_on`] drives the check, since a zone source answers at once).
//!
//! ```
//! use sendlint::{Badge, CheckOptions, Role, RuleSet, Setup, ZoneSource, audit::block_on, check};
//!
//! # // The public half of fixtures/keys/sf1-2048.b64: a TXT string holds at
//! # // most 255 bytes, so the record splits it in two.
//! # const KEY: &str = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAp2AQwh4GGIJ5FSMDzq9U32OhiFi6giFCEf0aA32raO3o2d9RGp2pzoHz3z2ka3kCTcPkKO0X1ul5ZKRzWO4r6Pshfb+Z10pbJZIJ1hOvl5at9vmg5TV+QNt6DyEd1LMgj6ZkT23+vmB9U2i0fGUJvVZsbP+fCCBVangTCeu2eFQ+RdnifPZBN/1wg+7c+NeZO9Zxu9yvStgweiEw3Ui5UKfi1mwxDc3zLHMKqiR1avqX9xlrZd/taGi/OkqUxcWiEVEe3tp8xmn0iRnjSzASSZR8OWAfqePBUjBWBphe02HLTnZFAJubuFyzJsR9745YLoXiZFkT4BUzdeHs9YoFbwIDAQAB";
//! # let (key_a, key_b) = KEY.split_at(200);
//! // The zone as the DNS host serves it.
//! let zone = format!(
//!     r#"$ORIGIN acme.test.
//! $TTL 300
//! @            SOA  ns1.acme.test. hostmaster.acme.test. 1 3600 600 604800 300
//! @            NS   ns1.acme.test.
//! send.mail    MX   10 feedback-smtp.us-east-1.amazonses.com.
//! send.mail    TXT  "v=spf1 include:amazonses.com ~all"
//! sf1._domainkey.mail TXT "p={key_a}" "{key_b}"
//! _dmarc.mail  TXT  "v=DMARC1; p=quarantine"
//! "#
//! );
//! let dns = ZoneSource::from_text("acme.test.zone", &zone, None)?;
//!
//! // The domain as it is set up in SES, with the DKIM key registered there.
//! let setup = Setup::builder("mail.acme.test")
//!     .region("us-east-1")
//!     .selector("sf1")
//!     .public_key_text(KEY)
//!     .build()?;
//!
//! let report = block_on(check(&setup, &dns, &RuleSet::builtin(), &CheckOptions::default()));
//!
//! for record in &report.records {
//!     println!("{:<8} {:<4} {:<28} {}", record.role, record.rtype, record.name, record.state);
//! }
//! assert_eq!(report.record(Role::Dkim).map(|r| r.state), Some(Badge::Verified));
//! assert!(report.sending_unlocked);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! [`render_domain`] turns the report into the text `sendlint check` prints;
//! the report serializes (serde) to the JSON `sendlint check --json` prints.
//!
//! # What to use
//!
//! - **One domain**: a [`Setup`] (from `sendlint-ses`), a [`Lookup`] (a
//!   [`ZoneSource`] over zone files, or a [`LiveSource`] with [`LiveOptions`]
//!   over DNS servers; both from `sendlint-dns`), the [`RuleSet`] (the
//!   built-in rules, or more from a directory), [`CheckOptions`], then
//!   [`check()`]. The result is a [`DomainReport`]; [`Verdict`] sums it up.
//! - **One pasted record**, nothing looked up: [`explain()`] an [`ExplainInput`]
//!   into a [`RecordReport`].
//! - **Many domains**: a [`ManifestIndex`] (the workspace manifest, entry by
//!   entry) and [`audit::audit`].
//! - **The change that fixes a domain**: [`fix::plan`] (the same inputs as
//!   [`check()`]) gives a [`ChangeSet`] (records to delete and to add, the record
//!   sets they touch, what is left alone and why); [`fix::render`] writes it in a
//!   [`FixForm`] (provider steps, `nsupdate`, Route 53, Cloudflare, Terraform,
//!   zone file), [`fix::format::json::output`] as data.
//! - **Output**: [`render_domain`] and [`render_record`] for people; for an
//!   audit, the [`output`] module: a [`output::Printer`] is given each entry,
//!   and [`output::Format`] prints it as text, JSON Lines or CSV.
//!
//! The items above are the ones meant for embedders. The other public modules
//! are working parts that the CLI and the server of this workspace reach into
//! ([`audit`]'s drivers, [`output`]'s formats, [`dmarc_policy`], [`spf_walk`],
//! [`fixture`], [`publish`], [`safe`]); observation and report assembly stay
//! private.
//!
//! # Features
//!
//! - `schema`: `schemars::JsonSchema` on the report types, and the `schema`
//!   module that builds the JSON Schemas of `docs/schema/`.

pub mod audit;
pub mod check;
mod context;
pub mod dmarc_policy;
mod dnssec_facts;
pub mod explain;
pub mod fix;
pub mod fixture;
pub mod manifest;
mod observe;
mod outcome;
pub mod output;
mod public_suffix;
pub mod publish;
mod report;
mod report_auth;
pub mod safe;
#[cfg(feature = "schema")]
pub mod schema;
mod servers;
mod ses_facts;
mod ses_lastlook;
mod shared;
pub mod spf_walk;
mod verdict;
mod view;

pub use check::{CheckOptions, SesState, WorkspaceContext, check};
pub use explain::{ExplainError, ExplainInput, RoleGuess, explain, infer_role};
pub use fix::{Change, ChangeSet, Form as FixForm, Op, RecordValue, TouchedSet, Unknown};
pub use manifest::{Entry, EntryError, ManifestError, ManifestIndex};
pub use output::{RenderOptions, render_domain, render_record};
pub use report::{AffectedRecord, DiagnosisReport, DomainReport, LabelReport, RecordReport};
pub use verdict::Verdict;

// What an embedder needs from the crates under the engine, so that one
// `use sendlint::{…}` suffices: the setup, the DNS sources, the rules, and
// the types the report is made of.
pub use sendlint_dns::AnchorError;
pub use sendlint_dns::dnssec::TrustAnchors;
pub use sendlint_dns::{LiveError, LiveOptions, LiveSource, Lookup, ZoneError, ZoneSource};
pub use sendlint_records::Role;
pub use sendlint_rules::{RuleSet, Severity};
pub use sendlint_ses::{Badge, SesStatus, Setup, SetupBuilder, SetupError};
