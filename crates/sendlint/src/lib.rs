//! The sendlint engine: check one sending domain, explain one pasted record,
//! audit a workspace.
//!
//! Data flows one way: DNS answers → decoded records with facts
//! (`sendlint-records`) → rules (`sendlint-rules`) → diagnoses → the badge
//! state machine (`sendlint-ses`) → a [`DomainReport`].

pub mod audit;
pub mod audit_baseline;
pub mod audit_ses;
pub mod check;
pub mod explain;
pub mod fixture;
pub mod manifest;
pub mod observe;
pub mod render;
pub mod report;
#[cfg(feature = "schema")]
pub mod schema;
mod ses_facts;
pub mod view;

pub use check::{CheckOptions, SesState, WorkspaceContext, check};
pub use explain::{ExplainError, ExplainInput, explain};
pub use manifest::{Entry, EntryError, ManifestError, ManifestIndex};
pub use render::{RenderOptions, render_domain, render_record};
pub use report::{DiagnosisReport, DomainReport, LabelReport, RecordReport};
