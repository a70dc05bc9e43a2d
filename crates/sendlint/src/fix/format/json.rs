//! `sendlint fix --format json`: the change-set as data
//! (docs/schema/fix.json).

use serde::Serialize;

use crate::fix::{ChangeSet, Op};
use sendlint_records::Role;

/// One change.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JsonChange {
    /// `delete` or `add`.
    pub op: Op,
    /// The role the record is for.
    pub role: Role,
    /// The owner name, absolute with a trailing dot.
    pub name: String,
    /// `MX`, `TXT` or `CNAME`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["MX", "TXT", "CNAME"])))]
    pub rtype: &'static str,
    /// The TTL: the record's own for a deletion, the one to publish with for an addition.
    pub ttl: u32,
    /// The record data in zone-file syntax (TXT: quoted character-strings with
    /// `\"`, `\\` and `\DDD` escapes, so exact bytes in ASCII).
    pub value: String,
    /// Why, in one line.
    pub why: String,
}

/// A record set the change touches, before and after.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JsonSet {
    /// The owner name, absolute.
    pub name: String,
    /// `MX`, `TXT` or `CNAME`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["MX", "TXT", "CNAME"])))]
    pub rtype: &'static str,
    /// The TTL of the set now (0 when there is none).
    pub ttl_before: u32,
    /// The records now, in zone-file syntax.
    pub before: Vec<String>,
    /// The TTL after the change.
    pub ttl: u32,
    /// The records after the change (empty: the set is deleted).
    pub after: Vec<String>,
}

/// A record given no change.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JsonUnknown {
    /// Its role.
    pub role: Role,
    /// Its name.
    pub name: String,
    /// Why no change is given for it.
    pub reason: String,
}

/// The output of `sendlint fix --format json`.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FixOutput {
    /// The sending domain.
    pub domain: String,
    /// The zone holding it, when found.
    pub zone: Option<String>,
    /// The DNS provider (detected, or `--registrar`).
    pub dns_host: Option<String>,
    /// Whether sending was unlocked before the change.
    pub sending_unlocked: bool,
    /// Deletions first, then additions; empty when nothing needs to change.
    pub changes: Vec<JsonChange>,
    /// Every record set the changes touch.
    pub sets: Vec<JsonSet>,
    /// Records given no change, with the reason.
    pub unknown: Vec<JsonUnknown>,
    /// What else to know.
    pub notes: Vec<String>,
}

/// The change-set as the JSON output's data.
pub fn output(cs: &ChangeSet) -> FixOutput {
    FixOutput {
        domain: cs.domain.to_string(),
        zone: cs.zone.as_ref().map(ToString::to_string),
        dns_host: cs.provider.clone(),
        sending_unlocked: cs.sending_unlocked,
        changes: cs
            .changes
            .iter()
            .map(|c| JsonChange {
                op: c.op,
                role: c.role,
                name: c.name.to_fqdn_string(),
                rtype: c.value.rtype(),
                ttl: c.ttl,
                value: c.value.presentation(),
                why: c.why.clone(),
            })
            .collect(),
        sets: cs
            .sets
            .iter()
            .map(|s| JsonSet {
                name: s.name.to_fqdn_string(),
                rtype: s.rtype,
                ttl_before: s.ttl_before,
                before: s.before.iter().map(|v| v.presentation()).collect(),
                ttl: s.ttl,
                after: s.after.iter().map(|v| v.presentation()).collect(),
            })
            .collect(),
        unknown: cs
            .unknown
            .iter()
            .map(|u| JsonUnknown { role: u.role, name: u.name.to_string(), reason: u.reason.clone() })
            .collect(),
        notes: cs.notes.clone(),
    }
}
