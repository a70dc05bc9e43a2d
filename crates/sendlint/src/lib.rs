//! The sendlint engine: check one sending domain, explain one pasted record,
//! audit a workspace.
//!
//! Data flows one way: DNS answers → decoded records with facts
//! (`sendlint-records`) → rules (`sendlint-rules`) → diagnoses → the badge
//! state machine (`sendlint-ses`) → a [`DomainReport`].

pub mod audit;
pub mod check;
mod context;
pub mod dmarc_policy;
pub mod explain;
pub mod fixture;
pub mod manifest;
pub mod observe;
pub mod public_suffix;
pub mod publish;
pub mod render;
pub mod report;
pub mod safe;
#[cfg(feature = "schema")]
pub mod schema;
mod ses_facts;
mod shared;
pub mod spf_walk;
pub mod verdict;
pub mod view;

pub use check::{CheckOptions, SesState, WorkspaceContext, check};
pub use explain::{ExplainError, ExplainInput, RoleGuess, explain, infer_role};
pub use manifest::{Entry, EntryError, ManifestError, ManifestIndex};
pub use render::{RenderOptions, render_domain, render_record};
pub use report::{AffectedRecord, DiagnosisReport, DomainReport, LabelReport, RecordReport};
pub use verdict::Verdict;
