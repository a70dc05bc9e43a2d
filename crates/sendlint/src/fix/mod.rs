//! `sendlint fix`: the minimal change from what DNS publishes to what SES
//! needs, as data ([`ChangeSet`]) and in the form each kind of DNS takes it
//! ([`Form`]: steps for a provider's panel, an `nsupdate` script, a Route 53
//! change batch, a Cloudflare API script, Terraform resources, zone-file lines).
//!
//! The change touches only the names this setup owns (the MAIL FROM MX and
//! TXT, the DKIM name, `_dmarc.D`) and the misplaced copies the check found
//! (doubled suffix, priority in the host, a CNAME in the way); unrelated TXT
//! at those names (site verification strings) are kept. A record whose lookup
//! failed gets no change, and neither does DKIM without the expected key
//! ([`ChangeSet::unknown`] says why). Applying the change and planning again
//! gives an empty change-set.
//!
//! # Example
//!
//! ```
//! use sendlint::fix::{Form, Op, plan, render};
//! use sendlint::{CheckOptions, RuleSet, Setup, ZoneSource, audit::block_on};
//!
//! // The MX points at the wrong region; a site-verification TXT sits next to SPF.
//! let zone = r#"$ORIGIN acme.test.
//! $TTL 300
//! @          SOA ns1.acme.test. hostmaster.acme.test. 1 3600 600 604800 300
//! @          NS  ns1.acme.test.
//! send.mail  MX  10 feedback-smtp.eu-west-1.amazonses.com.
//! send.mail  TXT "v=spf1 include:amazonses.com ~all"
//! send.mail  TXT "site-verification=abc"
//! "#;
//! let dns = ZoneSource::from_text("acme.test.zone", zone, None)?;
//! let setup = Setup::builder("mail.acme.test").region("us-east-1").selector("sf1").build()?;
//!
//! let changes = block_on(plan(&setup, &dns, &RuleSet::builtin(), &CheckOptions::default()));
//! let mx: Vec<_> = changes.changes.iter().filter(|c| c.value.rtype() == "MX").collect();
//! assert_eq!(mx.len(), 2);
//! assert_eq!(mx[0].op, Op::Delete);
//! assert_eq!(mx[1].value.presentation(), "10 feedback-smtp.us-east-1.amazonses.com.");
//! // The site verification string is someone else's: kept.
//! assert!(!changes.changes.iter().any(|c| c.value.presentation().contains("site-verification")));
//! // Without the DKIM key there is no DKIM change, and the change-set says why.
//! assert!(changes.unknown.iter().any(|u| u.role == sendlint::Role::Dkim));
//!
//! let script = render(&changes, Form::Nsupdate, None);
//! assert!(script.contains("update delete send.mail.acme.test. IN MX 10 feedback-smtp.eu-west-1.amazonses.com."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod format;
mod plan;

use sendlint_records::Role;
use sendlint_records::mx::MxRecord;
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;

pub use format::{Form, render};
pub use plan::plan;

/// Delete a record, or add one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum Op {
    /// Delete exactly this resource record.
    Delete,
    /// Add this resource record.
    Add,
}

/// The data of one resource record the change touches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordValue {
    /// An MX record.
    Mx(MxRecord),
    /// A TXT record, its character-strings as served.
    Txt(TxtRecord),
    /// A CNAME (the alias in the way), its target.
    Cname(DomainName),
}

impl RecordValue {
    /// `MX`, `TXT` or `CNAME`.
    pub fn rtype(&self) -> &'static str {
        match self {
            RecordValue::Mx(_) => "MX",
            RecordValue::Txt(_) => "TXT",
            RecordValue::Cname(_) => "CNAME",
        }
    }

    /// The record data in zone-file syntax: `10 host.`, `"…" "…"` (with `\"`,
    /// `\\` and `\DDD` escapes, so ASCII only), or `target.`.
    pub fn presentation(&self) -> String {
        match self {
            RecordValue::Mx(mx) => mx.presentation(),
            RecordValue::Txt(t) => t.to_presentation(),
            RecordValue::Cname(t) => t.to_fqdn_string(),
        }
    }

    /// Same record data? MX and CNAME names compare case-insensitively, TXT
    /// byte for byte, string by string.
    pub fn same(&self, other: &RecordValue) -> bool {
        match (self, other) {
            (RecordValue::Mx(a), RecordValue::Mx(b)) => {
                a.preference == b.preference
                    && a.exchange.to_string().eq_ignore_ascii_case(&b.exchange.to_string())
            }
            (RecordValue::Txt(a), RecordValue::Txt(b)) => a.strings == b.strings,
            (RecordValue::Cname(a), RecordValue::Cname(b)) => {
                a.to_string().eq_ignore_ascii_case(&b.to_string())
            }
            _ => false,
        }
    }
}

/// One change: delete or add one resource record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Delete or add.
    pub op: Op,
    /// The role the record is for.
    pub role: Role,
    /// The owner name.
    pub name: DomainName,
    /// The TTL: the record's own for a deletion, the one to publish with for an addition.
    pub ttl: u32,
    /// The record data.
    pub value: RecordValue,
    /// Why, in one line.
    pub why: String,
}

/// A record set (one name, one type) the change touches: what is there now
/// and what is there after it, complete (kept records included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TouchedSet {
    /// The owner name.
    pub name: DomainName,
    /// `MX`, `TXT` or `CNAME`.
    pub rtype: &'static str,
    /// The TTL of the set now (0 when there is none).
    pub ttl_before: u32,
    /// The records now.
    pub before: Vec<RecordValue>,
    /// The TTL after the change.
    pub ttl: u32,
    /// The records after the change (empty: the set is deleted).
    pub after: Vec<RecordValue>,
}

/// A record the change leaves alone because nothing sure can be said about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unknown {
    /// The record's role.
    pub role: Role,
    /// Its name.
    pub name: DomainName,
    /// Why no change is given for it.
    pub reason: String,
}

/// The change from what DNS publishes to what SES needs, for one domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeSet {
    /// The sending domain.
    pub domain: DomainName,
    /// The zone holding it, when found.
    pub zone: Option<DomainName>,
    /// The DNS provider (detected, or `--registrar`).
    pub provider: Option<String>,
    /// Deletions first, then additions.
    pub changes: Vec<Change>,
    /// Every record set the changes touch, before and after.
    pub sets: Vec<TouchedSet>,
    /// Records given no change, with the reason.
    pub unknown: Vec<Unknown>,
    /// What else to know (a proxied name, a suggested report address).
    pub notes: Vec<String>,
    /// Whether sending was unlocked before the change.
    pub sending_unlocked: bool,
}

impl ChangeSet {
    /// Nothing to change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The deletions.
    pub fn deletions(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.op == Op::Delete)
    }

    /// The additions.
    pub fn additions(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.op == Op::Add)
    }
}
