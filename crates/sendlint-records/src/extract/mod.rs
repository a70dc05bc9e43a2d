//! Fact extraction: from observed records to the [`Facts`] rules judge.
//!
//! One fault, one diagnosis: judgement facts (syntax, key validity, match) are
//! computed on the *repaired* value (wrapping quotes stripped, embedded quote
//! sequences removed, records split across several TXT records joined), so a
//! quoted but otherwise correct key reports `quoted` and `key_matches`, not
//! also an invalid key. Spans always point into the original data of the
//! original record.

use crate::dkim::DkimRecord;
use crate::dmarc::{DmarcRecord, NearMiss, is_dmarc, near_miss};
use crate::facts::{Fact, Facts, Role, Span};
use crate::key::{KeyError, PublicKey};
use crate::mx::MxRecord;
use crate::name::DomainName;
use crate::spf::{SpfRecord, TermKind, is_spf};
use crate::tags::{SyntaxError, show};
use crate::txt::TxtRecord;
use std::borrow::Cow;
use std::ops::Range;

/// What the setup expects, for judging observed records.
#[derive(Clone, Copy, Debug)]
pub struct Expectation<'a> {
    /// The SES region, e.g. `us-east-1`.
    pub region: &'a str,
    /// The sending domain D.
    pub domain: &'a DomainName,
    /// The zone apex holding D, when known.
    pub zone: Option<&'a DomainName>,
    /// The MAIL FROM domain (full name).
    pub mail_from: &'a DomainName,
    /// The public key given to SES, when known.
    pub expected_key: Option<&'a PublicKey>,
}

/// DNS-querying terms of the selected SPF record, for following includes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfLookups {
    /// DNS-querying terms in the record itself (include, a, mx, ptr, exists, redirect).
    pub direct: usize,
    /// The `include:` targets that can be followed (no macros), in order.
    pub includes: Vec<DomainName>,
    /// The `redirect=` target, when it can be followed.
    pub redirect: Option<DomainName>,
}

/// Where the DNS query of an SPF term goes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpfTarget {
    /// The domain whose record it is (`a`, `mx` without `:domain`).
    Current,
    /// An explicit domain.
    Name(DomainName),
    /// A domain built with macros, or not a usable name: only a receiver,
    /// which knows the client, can tell.
    Unknown,
}

/// What a receiver evaluates of the SPF record [`txt_facts`] selects
/// (RFC 7208 §4.6, §5, §6.1), for following it through DNS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpfPolicy {
    /// How many `v=spf1` records the name holds: more than one is a permerror.
    pub records: usize,
    /// The selected record does not parse (a permerror).
    pub syntax_error: bool,
    /// The DNS-querying mechanisms before the `all` term, in order, with
    /// their targets (`include`, `a`, `mx`, `ptr`, `exists`).
    pub queries: Vec<(TermKind, SpfTarget)>,
    /// The `redirect=` target, when it takes effect (the record has no `all`).
    pub redirect: Option<SpfTarget>,
    /// The record has `include:amazonses.com` before any `all` term.
    pub includes_amazonses: bool,
}

mod data;
mod dkim;
mod dmarc;
mod mx;
mod repair;
mod spf;

use data::*;
use dkim::*;
use dmarc::*;
pub use dmarc::{PublishedDmarc, PublishedPolicy, ReportAddress, published_dmarc, report_addresses};
pub use mx::mx_facts;
use repair::*;
use spf::*;
pub use spf::{spf_lookups, spf_policy};

/// Facts of a TXT role from all TXT records at the name, in answer order
/// (spans index this slice). `role` is [`Role::SpfTxt`], [`Role::Dkim`] or
/// [`Role::Dmarc`]; other roles give empty facts.
pub fn txt_facts(role: Role, records: &[TxtRecord], exp: &Expectation) -> Facts {
    let mut f = Facts::new();
    match role {
        Role::SpfTxt => spf_facts(&mut f, records),
        Role::Dmarc => dmarc_facts(&mut f, records),
        Role::Dkim => dkim_facts(&mut f, records, exp),
        Role::SpfMx | Role::Domain => {}
    }
    f
}

fn select<'r>(records: &'r [TxtRecord], test: fn(&[u8]) -> bool) -> Vec<Prepared<'r>> {
    prepare(records).into_iter().filter(|p| repaired_starts(p, test)).collect()
}

#[cfg(test)]
mod tests;
