//! The AWS regions where Amazon SES has an endpoint: the one list every input
//! (`--region`, a manifest's `region`, `explain --region`) is checked against.

use sendlint_records::display::edit_distance;

/// Regions with an SES endpoint (`email.<region>.amazonaws.com`), commercial,
/// GovCloud and the isolated partitions, after the AWS General Reference
/// ("Amazon Simple Email Service endpoints and quotas"). The newest AWS regions
/// are listed too: refusing a real region would be worse than accepting one
/// where SES has not launched yet (the SES call then says so).
pub const SES_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-south-1",
    "ap-south-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-south-1",
    "eu-south-2",
    "eu-north-1",
    "il-central-1",
    "me-south-1",
    "me-central-1",
    "mx-central-1",
    "sa-east-1",
    "us-gov-west-1",
    "us-gov-east-1",
    "us-iso-east-1",
    "us-iso-west-1",
    "us-isob-east-1",
];

/// True when SES has an endpoint in `region` (exact, lower-case code).
pub fn is_ses_region(region: &str) -> bool {
    SES_REGIONS.contains(&region)
}

/// The SES regions closest to `region` by edit distance (at most 2 edits), best first,
/// at most three: the "did you mean" of an unknown region.
pub fn closest_regions(region: &str) -> Vec<&'static str> {
    let region = region.to_ascii_lowercase();
    // Ties (`us-est-1` is one edit from `us-east-1` and `us-west-1`) go to the
    // longest common prefix: people mistype the middle, not the start.
    let prefix = |r: &str| region.bytes().zip(r.bytes()).take_while(|(a, b)| a == b).count();
    let mut scored: Vec<((usize, std::cmp::Reverse<usize>), &'static str)> = SES_REGIONS
        .iter()
        .map(|r| ((edit_distance(&region, r), std::cmp::Reverse(prefix(r))), *r))
        .filter(|((d, _), _)| *d <= 2)
        .collect();
    scored.sort_by_key(|(k, _)| *k);
    let Some(best) = scored.first().map(|(k, _)| *k) else { return Vec::new() };
    scored.into_iter().filter(|(k, _)| *k == best).take(3).map(|(_, r)| r).collect()
}

/// "did you mean `a`?" / "did you mean `a`, `b` or `c`?", or "" when nothing is close.
pub fn did_you_mean(region: &str) -> String {
    let close = closest_regions(region);
    let quoted: Vec<String> = close.iter().map(|r| format!("`{r}`")).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => format!("did you mean {one}?"),
        [init @ .., last] => format!("did you mean {} or {last}?", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(closest_regions("us-est-1"), ["us-east-1"]);
        assert_eq!(did_you_mean("us-est-1"), "did you mean `us-east-1`?");
        assert_eq!(did_you_mean("eu-west-4"), "did you mean `eu-west-1`, `eu-west-2` or `eu-west-3`?");
        assert_eq!(did_you_mean("xx-nowhere-9"), "");
        assert!(SES_REGIONS.iter().all(|r| is_ses_region(r) && closest_regions(r) == [*r]));
    }
}
