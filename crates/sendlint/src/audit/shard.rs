//! Sharding: which entries one array-job task checks, by a stable hash of
//! the domain's organizational name.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;

use crate::manifest::ManifestIndex;

/// One shard of `count`: `index` in `0..count` (0-based, like
/// `JOB_COMPLETION_INDEX` and `AWS_BATCH_JOB_ARRAY_INDEX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, 0-based.
    pub index: u32,
    /// How many shards.
    pub count: u32,
}

/// Text that is not a shard `K/N` with 0 ≤ K < N.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{text:?} is not K/N with 0 <= K < N (e.g. 0/4; K is 0-based like array job indexes)")]
pub struct ShardParseError {
    /// The text as given.
    pub text: String,
}

impl Shard {
    /// Parses `K/N` (0 ≤ K < N).
    pub fn parse(text: &str) -> Result<Shard, ShardParseError> {
        let bad = || ShardParseError { text: text.to_owned() };
        let (k, n) = text.trim().split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Does this shard check `domain` (as written in the manifest)?
    pub fn contains(&self, domain: &str) -> bool {
        shard_of(domain, self.count) == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The shard of `domain` among `count`: FNV-1a (stable across platforms and
/// releases, unlike std's hasher) of the domain's organizational name, so
/// every entry of one domain, and usually every domain of one zone, lands in
/// one shard and shares its answer cache.
pub fn shard_of(domain: &str, count: u32) -> u32 {
    if count <= 1 {
        return 0;
    }
    let key = shard_key(domain);
    (fnv1a(key.as_bytes()) % u64::from(count)) as u32
}

/// The name entries are grouped by: the last two labels, or three when the
/// second-level label is a common registry suffix (`acme.co.uk`). A guess
/// (no public suffix list); it only decides cache locality, never a result.
pub fn shard_key(domain: &str) -> String {
    let lower = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let labels: Vec<&str> = lower.split('.').collect();
    let keep = match labels.as_slice() {
        [.., sld, tld]
            if tld.len() == 2
                && matches!(
                    *sld,
                    "co" | "com" | "net" | "org" | "ac" | "gov" | "edu" | "ne" | "or" | "go"
                ) =>
        {
            3
        }
        _ => 2,
    };
    labels[labels.len().saturating_sub(keep)..].join(".")
}

pub(super) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// Is entry `index` of `manifest` in `shard` (every entry is, without one)?
pub fn entry_in_shard(manifest: &ManifestIndex, index: usize, shard: Option<Shard>) -> bool {
    let Some(shard) = shard else { return true };
    #[derive(Deserialize)]
    struct DomainOnly<'a> {
        #[serde(borrow, default)]
        domain: Option<Cow<'a, str>>,
    }
    let raw = manifest.raw(index);
    let domain = raw.as_deref().and_then(|raw| serde_json::from_str::<DomainOnly<'_>>(raw).ok());
    // An entry without a readable domain goes to shard 0, so it is reported exactly once.
    match domain.and_then(|d| d.domain) {
        Some(d) => shard.contains(&d),
        None => shard.index == 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_keep_a_zone_together() {
        assert_eq!(shard_key("send.mail.acme.com."), "acme.com");
        assert_eq!(shard_key("news.acme.co.uk"), "acme.co.uk");
        assert_eq!(shard_key("localhost"), "localhost");
        assert_eq!(shard_of("mail.acme.com", 4), shard_of("news.ACME.com", 4));
        // FNV-1a is fixed (published test vectors): shards never move between releases.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        let counts = (0..1000).fold([0usize; 4], |mut c, i| {
            c[shard_of(&format!("mail.org{i}.test"), 4) as usize] += 1;
            c
        });
        assert!(counts.iter().all(|&n| n > 150), "{counts:?}");
    }

    #[test]
    fn shard_parsing() {
        assert_eq!(Shard::parse("0/4"), Ok(Shard { index: 0, count: 4 }));
        assert_eq!(Shard::parse(" 3 / 4 ").map(|s| s.to_string()), Ok("3/4".into()));
        for bad in ["4/4", "1/0", "x/2", "2", "-1/3", ""] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
    }
}
