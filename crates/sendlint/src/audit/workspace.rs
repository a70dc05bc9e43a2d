//! Workspace checks: a domain claimed by two organizations, one DKIM key
//! reused across domains. They need the whole manifest, read once before the
//! per-domain checks.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use serde::Deserialize;

use super::shard::fnv1a;
use crate::check::NO_ORG;
use crate::check::{Claimant, WorkspaceContext};
use crate::manifest::{Entry, ManifestIndex};

/// What one entry claims, read without building its setup.
#[derive(Deserialize)]
struct Claim<'a> {
    #[serde(borrow, default)]
    org: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    domain: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    dkim_selector: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    dkim_public_key: Option<Cow<'a, str>>,
}

/// What an entry claims: its domain (lowercased), its org, the hash of its
/// (selector, key) when the key decodes; `None` without a readable domain.
fn claim_of(raw: &str) -> Option<(String, String, Option<u64>)> {
    let (domain, claimant) = claim_with_key(raw)?;
    let key = match (&claimant.selector, &claimant.key) {
        (Some(sel), Some(k)) => Some(selector_key_hash(sel, k)),
        _ => None,
    };
    Some((domain, claimant.org, key))
}

/// [`claim_of`], with the selector and key themselves (both, or neither).
fn claim_with_key(raw: &str) -> Option<(String, Claimant)> {
    let claim = serde_json::from_str::<Claim<'_>>(raw).ok()?;
    let domain = claim.domain.as_deref().and_then(domain_key)?;
    let org = claim.org.as_deref().unwrap_or(NO_ORG).to_owned();
    let (selector, key) = match (&claim.dkim_selector, &claim.dkim_public_key) {
        (Some(sel), Some(key)) => match PublicKey::parse(key) {
            Ok(k) => (Some(sel.to_string()), Some(k)),
            Err(_) => (None, None),
        },
        _ => (None, None),
    };
    Some((domain, Claimant { org, selector, key }))
}

/// The hashes of `pairs` that come with two or more distinct values.
fn conflicts(mut pairs: Vec<(u64, u64)>) -> HashSet<u64> {
    pairs.sort_unstable();
    pairs.dedup();
    pairs.windows(2).filter(|w| w[0].0 == w[1].0).map(|w| w[0].0).collect()
}

/// The cross-entry facts of a workspace: only the conflicts are kept, so a
/// 100,000-entry manifest without conflicts costs next to nothing.
#[derive(Debug, Default)]
pub struct Workspace {
    /// Domain → the distinct orgs claiming it (only domains with two or more),
    /// each with the DKIM selector and key of its (first) entry, when given.
    claims: HashMap<String, Vec<Claimant>>,
    /// (selector, key) hash → the distinct domains using it (only when two or more).
    keys: HashMap<u64, Vec<String>>,
}

fn domain_key(domain: &str) -> Option<String> {
    DomainName::parse_input(domain).ok().map(|d| d.to_string().to_ascii_lowercase())
}

/// One hash for a (selector, key) pair: selectors are DNS labels (case-insensitive).
fn selector_key_hash(selector: &str, key: &PublicKey) -> u64 {
    let mut bytes = selector.to_ascii_lowercase().into_bytes();
    bytes.push(0);
    bytes.extend_from_slice(key.der());
    fnv1a(&bytes)
}

impl Workspace {
    /// Reads every entry of the manifest for the workspace checks. An entry
    /// claims its domain as soon as the domain parses (even if another field
    /// is bad); it shares a key when the key decodes.
    ///
    /// Two passes keep a big manifest cheap: the first holds 64-bit hashes
    /// only (16 bytes per entry and per key), the second collects the names
    /// of the few domains and keys that are in conflict.
    pub fn scan(manifest: &ManifestIndex) -> Workspace {
        // First pass, over a streamed manifest too: (what, who) hash pairs,
        // 16 bytes per entry and per key; sorted, a run of one hash with two
        // distinct values is a conflict.
        let mut claims: Vec<(u64, u64)> = Vec::with_capacity(manifest.len());
        let mut keys: Vec<(u64, u64)> = Vec::new();
        manifest.for_each_raw(|_, raw| {
            let Some((domain, org, key)) = claim_of(raw) else { return };
            let d = fnv1a(domain.as_bytes());
            claims.push((d, fnv1a(org.as_bytes())));
            if let Some(k) = key {
                keys.push((k, d));
            }
        });
        let claims = conflicts(claims);
        let keys = conflicts(keys);
        let mut ws = Workspace::default();
        if claims.is_empty() && keys.is_empty() {
            return ws;
        }
        manifest.for_each_raw(|_, raw| {
            let Some((domain, claimant)) = claim_with_key(raw) else { return };
            let key = match (&claimant.selector, &claimant.key) {
                (Some(sel), Some(k)) => Some(selector_key_hash(sel, k)),
                _ => None,
            };
            if claims.contains(&fnv1a(domain.as_bytes())) {
                let orgs = ws.claims.entry(domain.clone()).or_default();
                if !orgs.iter().any(|c| c.org == claimant.org) {
                    orgs.push(claimant);
                }
            }
            if let Some(k) = key
                && keys.contains(&k)
            {
                let domains = ws.keys.entry(k).or_default();
                if !domains.contains(&domain) {
                    domains.push(domain);
                }
            }
        });
        ws
    }

    /// What the rest of the workspace says about `entry`.
    pub fn context(&self, entry: &Entry) -> WorkspaceContext {
        let domain = entry.setup.domain.to_string().to_ascii_lowercase();
        let org = entry.org.as_deref().unwrap_or(NO_ORG);
        let mut other_claims: Vec<Claimant> =
            self.claims.get(&domain).into_iter().flatten().filter(|c| c.org != org).cloned().collect();
        other_claims.sort_by(|a, b| a.org.cmp(&b.org));
        let other_claimants: Vec<String> = other_claims.iter().map(|c| c.org.clone()).collect();
        let mut key_shared_with: Vec<String> = match &entry.setup.public_key {
            Some(key) => self
                .keys
                .get(&selector_key_hash(&entry.setup.selector, key))
                .into_iter()
                .flatten()
                .filter(|d| **d != domain)
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        key_shared_with.sort();
        WorkspaceContext { other_claimants, other_claims, key_shared_with }
    }

    /// Domains claimed by two or more organizations.
    pub fn contested_domains(&self) -> usize {
        self.claims.len()
    }
}
