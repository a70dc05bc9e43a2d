//! SES's last look, reconciled with the zone: the SOA that SES saw at its last
//! check (`GetEmailIdentity` → `VerificationInfo.SOARecord`) next to the SOA
//! and NS names the zone has now ([`ZoneInfo`], from the apex discovery).
//!
//! Detection only: the facts say how SES's serial compares with the zone's
//! (RFC 1982 serial arithmetic) and whether SES's primary name server is one
//! of the zone's hosts now; `rules/core/ses.toml` decides what is said. With
//! anything missing (no `VerificationInfo`, no SOA in it, no zone SOA known,
//! another identity's answer) the comparison facts stay unset, so no rule
//! claims anything.

use sendlint_dns::ZoneInfo;
use sendlint_records::name::DomainName;
use sendlint_records::{Fact, Facts};
use sendlint_ses::SesLookup;

use crate::ses_facts::SesView;

/// How serial `ses` stands to serial `zone` under RFC 1982 §3.2 (32-bit
/// serial arithmetic: the distance wraps, and two serials exactly 2^31 apart
/// are not ordered).
pub(crate) fn serial_order(ses: u32, zone: u32) -> &'static str {
    match zone.wrapping_sub(ses) {
        0 => "equal",
        1..=0x7FFF_FFFF => "older",
        0x8000_0000 => "undefined",
        _ => "newer",
    }
}

/// Sets the facts of SES's last look on the domain's facts.
pub(crate) fn set_facts(facts: &mut Facts, ses: &SesView<'_>, zone: &ZoneInfo) {
    if ses.other_identity.is_some() {
        // another identity's answer says nothing about this zone
        return;
    }
    let soa = ses
        .lookup
        .and_then(SesLookup::identity)
        .and_then(|id| id.verification_info.as_ref())
        .and_then(|info| info.soa.as_ref());
    let Some(soa) = soa else { return };
    let zone_soa = zone.soa.as_ref();
    let primary = soa
        .primary_name_server
        .as_deref()
        .and_then(|p| DomainName::parse(&p.trim().to_ascii_lowercase()).ok());
    facts.set(Fact::SesSoaSerial, soa.serial_number);
    facts.set(Fact::SesSoaPrimary, primary.as_ref().map(ToString::to_string).unwrap_or_default());
    facts.set(Fact::ZoneSerial, zone_soa.and_then(|s| s.serial));
    facts.set(Fact::ZonePrimary, zone_soa.map(|s| s.mname.to_string()).unwrap_or_default());
    let ns: Vec<String> = zone.nameservers.iter().map(ToString::to_string).collect();
    facts.set(Fact::ZoneNameservers, ns.join(", "));

    let ses_serial = soa.serial_number.and_then(|s| u32::try_from(s).ok());
    let order = match (ses_serial, zone_soa.and_then(|s| s.serial)) {
        (Some(ses), Some(zone)) => serial_order(ses, zone),
        _ => "",
    };
    facts.set(Fact::SesSerialOrder, order);

    // A hidden primary (an SOA MNAME that is not among the NS names) is the
    // zone's own host too: compare with both.
    if let Some(primary) = &primary
        && (zone_soa.is_some() || !zone.nameservers.is_empty())
    {
        let same_host = zone.nameservers.contains(primary) || zone_soa.is_some_and(|s| s.mname == *primary);
        facts.set(Fact::SesSawOtherHost, !same_host);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serials_compare_as_rfc_1982_says() {
        assert_eq!(serial_order(2026112401, 2026112401), "equal");
        assert_eq!(serial_order(2026112401, 2026112402), "older");
        assert_eq!(serial_order(2026112402, 2026112401), "newer");
        // the distance wraps: 4294967295 + 2 is 1, so 4294967295 is older than 1
        assert_eq!(serial_order(u32::MAX, 1), "older");
        assert_eq!(serial_order(1, u32::MAX), "newer");
        // 2^31 - 1 apart is still ordered; 2^31 apart is not (RFC 1982 §3.2)
        assert_eq!(serial_order(0, 0x7FFF_FFFF), "older");
        assert_eq!(serial_order(0, 0x8000_0000), "undefined");
        assert_eq!(serial_order(0x8000_0000, 0), "undefined");
        assert_eq!(serial_order(0, 0x8000_0001), "newer");
    }
}
