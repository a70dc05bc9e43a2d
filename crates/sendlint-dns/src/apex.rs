//! Finding the zone apex of a name, and its name servers, over any [`Lookup`].

use crate::{Answer, ApexMap, Lookup, LookupError, RData, RecordType, Soa};
use sendlint_records::name::DomainName;

/// The zone a name lives in, as DNS tells it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ZoneInfo {
    /// The zone apex (owner of the SOA), when found.
    pub apex: Option<DomainName>,
    /// The NS names at the apex, in answer order (provider detection matches
    /// these against provider patterns).
    pub nameservers: Vec<DomainName>,
    /// The zone's SOA as the answer that found the apex carried it (the
    /// record itself, or the SOA of a negative answer): its serial and
    /// primary name server are the zone's as DNS answers now.
    pub soa: Option<Soa>,
    /// The first lookup that failed, if one did.
    pub failure: Option<LookupError>,
}

/// Finds the zone apex of `name` and the apex's name servers.
///
/// Asks for the SOA at `name`: a positive answer's SOA owner is the apex; a
/// negative answer's SOA names the zone. Without SOA information it walks up
/// the parents (no public suffix list: test zones use `.test`). Then asks NS
/// at the apex. A failed SOA lookup stops the walk (the failure is reported,
/// the apex stays unknown); a failed NS lookup keeps the apex.
pub async fn find_zone(lookup: &dyn Lookup, name: &DomainName) -> ZoneInfo {
    find_zone_in(lookup, name, None).await
}

/// [`find_zone`], with the NS sets of the apexes met before in this run taken
/// from `apexes` (and the new ones added to it) instead of asked again.
pub async fn find_zone_in(lookup: &dyn Lookup, name: &DomainName, apexes: Option<&ApexMap>) -> ZoneInfo {
    let mut info = ZoneInfo::default();
    let mut at = Some(name.clone());
    while let Some(current) = at {
        let answer = lookup.lookup(&current, RecordType::Soa).await;
        let soa = match answer {
            Answer::Records { records, .. } => records.into_iter().find_map(|r| match r {
                RData::Soa(soa) => Some(soa),
                _ => None,
            }),
            Answer::NoData { soa, .. } | Answer::NxDomain { soa, .. } => soa,
            Answer::Failed(e) => {
                info.failure = Some(e);
                return info;
            }
        };
        if let Some(soa) = soa {
            info.apex = Some(soa.zone.clone());
            info.soa = Some(soa);
            break;
        }
        at = current.parent().filter(|p| !p.is_root());
    }
    let Some(apex) = &info.apex else {
        return info;
    };
    if let Some(known) = apexes.and_then(|m| m.nameservers(apex)) {
        info.nameservers = known.to_vec();
        return info;
    }
    match lookup.lookup(apex, RecordType::Ns).await {
        Answer::Records { records, .. } => {
            info.nameservers = records
                .into_iter()
                .filter_map(|r| match r {
                    RData::Ns(ns) => Some(ns),
                    _ => None,
                })
                .collect();
        }
        Answer::NoData { .. } | Answer::NxDomain { .. } => {}
        // not remembered: the next domain of the zone asks again
        Answer::Failed(e) => {
            info.failure = Some(e);
            return info;
        }
    }
    if let Some(map) = apexes {
        map.insert(apex, &info.nameservers);
    }
    info
}
