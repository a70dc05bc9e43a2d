//! What a "not covered" message says: the zones loaded, and the one a
//! mistyped name most likely meant.

use super::ZoneSource;
use sendlint_records::name::DomainName;

/// How many loaded zones a "not covered" message names before "and N more":
/// enough to spot a typo in a small run, bounded in a run of 20,000 zones.
const LOADED_NAMED: usize = 5;

/// Above this many loaded zones a miss suggests no "did you mean" zone.
const SUGGEST_MAX_ZONES: usize = 1_000;

/// Edits between `a` and `b`: insertions, deletions, substitutions and swaps of
/// two neighbours (optimal string alignment), the slips of typing a name.
fn typo_distance(a: &[u8], b: &[u8]) -> usize {
    let mut rows: Vec<Vec<usize>> = vec![vec![0; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (rows[i - 1][j] + 1).min(rows[i][j - 1] + 1).min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = d;
        }
    }
    rows[a.len()][b.len()]
}

impl ZoneSource {
    /// `loaded: a.test, b.test` (the first [`LOADED_NAMED`] apexes in name
    /// order, then how many more), or `none loaded`.
    pub(super) fn loaded_summary(&self) -> String {
        let apexes = self.apexes();
        if apexes.is_empty() {
            return "none loaded".to_owned();
        }
        let named: Vec<String> = apexes.iter().take(LOADED_NAMED).map(ToString::to_string).collect();
        let mut text = format!("loaded: {}", named.join(", "));
        if apexes.len() > LOADED_NAMED {
            text.push_str(&format!(" and {} more", apexes.len() - LOADED_NAMED));
        }
        text
    }

    /// A name no loaded zone covers, with its tail replaced by the loaded apex
    /// it most likely meant (a typo: `mail.acme.tset` → `mail.acme.test`
    /// when `acme.test` is loaded), if one is close enough. Not looked for in
    /// runs of more than [`SUGGEST_MAX_ZONES`] zones (each miss scans them all).
    pub(super) fn suggest(&self, name: &DomainName) -> Option<DomainName> {
        if self.zones.len() > SUGGEST_MAX_ZONES {
            return None;
        }
        let labels: Vec<&[u8]> = name.labels().collect();
        let mut best: Option<(usize, String, DomainName)> = None;
        for apex in self.zones.keys() {
            let n = apex.label_count();
            if n == 0 || n > labels.len() {
                continue;
            }
            let Ok(tail) = DomainName::from_labels(labels[labels.len() - n..].iter().copied()) else {
                continue;
            };
            let (tail_text, apex_text) =
                (tail.to_string().to_ascii_lowercase(), apex.to_string().to_ascii_lowercase());
            // one slip in a short name, about one in four characters in a long one
            let most = 1.max(apex_text.len() / 4);
            if tail_text.len().abs_diff(apex_text.len()) > most {
                continue;
            }
            let distance = typo_distance(tail_text.as_bytes(), apex_text.as_bytes());
            if distance == 0 || distance > most {
                continue;
            }
            if best.as_ref().is_some_and(|(d, text, _)| (*d, text.as_str()) <= (distance, apex_text.as_str()))
            {
                continue;
            }
            let Ok(head) = DomainName::from_labels(labels[..labels.len() - n].iter().copied()) else {
                continue;
            };
            let Ok(meant) = head.join(apex) else { continue };
            best = Some((distance, apex_text, meant));
        }
        best.map(|(_, _, meant)| meant)
    }
}
