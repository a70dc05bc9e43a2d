//! What a sending domain must publish for Amazon SES with BYODKIM, and the
//! verification state machine that turns observations into badges.
//!
//! - [`badge`]: the SPEC §2 table as one pure function, [`decide`].

pub mod badge;

pub use badge::{
    Badge, BadgeDecision, BadgeInput, DnsState, MISSING_DEADLINE, SesStatus, UnknownSesStatus,
    decide, notes, sending_unlocked,
};
