//! Decoders for what DNS returns for an email sending domain, and the facts
//! that sendlint's rules judge.
//!
//! TXT and MX answers come in as wire character-strings (as a resolver hands
//! them) or as presentation text (as `dig` prints them or a customer pastes
//! them). They decode into [`TxtRecord`]s and [`MxRecord`]s, then into typed
//! SPF, DKIM and DMARC records with byte spans, and finally into [`Facts`].
//!
//! ```
//! use sendlint_records::{DomainName, Expectation, Fact, Role, txt, txt_facts};
//!
//! // The MAIL FROM SPF record as a DNS form stored it: with the quotes typed into the value.
//! let records = txt::parse_text(r#""\"v=spf1 include:amazonses.com ~all\"""#)?;
//! let domain = DomainName::parse("mail.acme.com")?;
//! let mail_from = DomainName::parse("send.mail.acme.com")?;
//! let expect = Expectation {
//!     region: "us-east-1",
//!     domain: &domain,
//!     zone: None,
//!     mail_from: &mail_from,
//!     expected_key: None,
//! };
//! let facts = txt_facts(Role::SpfTxt, &records, &expect);
//! assert!(facts.flag(Fact::Quoted));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

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
