//! Decoders for what DNS returns for an email sending domain, and the facts
//! that sendlint's rules judge.
//!
//! TXT and MX answers come in as wire character-strings (as a resolver hands
//! them) or as presentation text (as `dig` prints them or a customer pastes
//! them). They decode into [`TxtRecord`]s and [`MxRecord`]s, then into typed
//! SPF, DKIM and DMARC records with byte spans, and finally into [`Facts`].

pub mod display;
pub mod dkim;
pub mod dmarc;
pub mod extract;
pub mod facts;
pub mod input;
pub mod key;
pub mod mx;
pub mod name;
pub mod spf;
pub mod tags;
mod text;
pub mod txt;

pub use dkim::DkimRecord;
pub use dmarc::DmarcRecord;
pub use extract::{
    Expectation, SpfLookups, SpfPolicy, SpfTarget, mx_facts, spf_lookups, spf_policy, txt_facts,
};
pub use facts::{FACTS, Fact, FactDef, FactType, Facts, Role, Span, Value};
pub use key::{KeyError, PublicKey};
pub use mx::MxRecord;
pub use name::{DomainName, NameError, NameMap};
pub use spf::SpfRecord;
pub use tags::SyntaxError;
pub use text::DecodeError;
pub use txt::TxtRecord;
