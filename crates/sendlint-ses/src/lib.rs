//! What a sending domain must publish for Amazon SES with BYODKIM, and the
//! verification state machine that turns observations into badges.
//!
//! - [`setup`]: a domain's SES setup, validated ([`Setup`], [`SetupBuilder`]).
//! - [`expected`]: the records to publish for it ([`expected_records`]).
//! - [`badge`]: the badge table (`docs/badges.md`) as one pure function, [`decide`].
//! - [`identity`]: what SES says about the identity ([`SesIdentity`], [`SesLookup`]),
//!   read from a saved `GetEmailIdentity` answer or filled in by `sendlint-ses-client`.
//!
//! ```
//! use sendlint_records::Role;
//! use sendlint_ses::{Badge, BadgeInput, DnsState, SesStatus, decide};
//!
//! // SES verified the DKIM record, and DNS no longer serves it.
//! let decision = decide(&BadgeInput {
//!     role: Role::Dkim,
//!     dns: DnsState::Absent,
//!     ses: Some(SesStatus::Success),
//!     since_submitted: None,
//! });
//! assert_eq!(decision.badge, Badge::Failed);
//! assert_eq!(decision.notes, ["ses.record-removed"]);
//! ```

pub mod badge;
pub mod expected;
pub mod identity;
pub mod region;
pub mod setup;

pub use badge::{
    BLOCKING, Badge, BadgeDecision, BadgeInput, DnsState, MISSING_DEADLINE, SesStatus, UnknownSesStatus,
    decide, notes, sending_unlocked, table_markdown,
};
pub use expected::{ExpectedRecord, SPF_VALUE, UNKNOWN_KEY_PLACEHOLDER, expected_exchange, expected_records};
pub use identity::{
    DkimAttributes, MailFromAttributes, SesIdentity, SesLookup, SesStateError, SoaRecord, VerificationInfo,
};
pub use region::{SES_REGIONS, did_you_mean, is_ses_region};
pub use setup::{DEFAULT_MAIL_FROM_LABEL, Setup, SetupBuilder, SetupError, check_region};
