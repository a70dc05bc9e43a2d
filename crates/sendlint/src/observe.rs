//! What DNS says about one record role: the lookup at the expected name, and on
//! a miss the probes of the names customers publish at by mistake.

use std::net::IpAddr;

use sendlint_dns::{Answer, Lookup, LookupError, RData, RecordType};
use sendlint_records::Role;
use sendlint_records::dmarc::looks_like_dmarc;
use sendlint_records::mx::MxRecord;
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;

/// Why a record was found somewhere other than its expected name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Misplacement {
    /// At `<name>.<zone>`: the provider appended the zone to a full name.
    DoubledSuffix,
    /// At `10.<name>` or `10 <label>.…`: the MX priority typed into the host field.
    PriorityInHost,
}

/// The records of one role as DNS returned them.
#[derive(Clone, Debug, Default)]
pub struct Records {
    /// TXT records (TXT roles).
    pub txt: Vec<TxtRecord>,
    /// MX records (the MX role).
    pub mx: Vec<MxRecord>,
}

/// Whether the lookups of one role found its records, and where: found at
/// the expected name, found only at a misplaced name, absent, or unknown (the
/// lookup failed).
#[derive(Clone, Debug)]
pub enum Presence {
    /// Records at the expected name (which may still not be the right kind:
    /// e.g. TXT but no `v=spf1`).
    Found,
    /// Nothing at the expected name; records of the kind at a misplaced name.
    Misplaced(Misplacement, DomainName),
    /// The name answered NXDOMAIN or NODATA for the type.
    Absent,
    /// Our lookup failed: nothing can be said.
    Failed(LookupError),
}

/// The observation of one record role.
#[derive(Clone, Debug)]
pub struct Observation {
    /// The role.
    pub role: Role,
    /// The expected name.
    pub name: DomainName,
    /// What was found.
    pub presence: Presence,
    /// The records found (at the expected name, or the misplaced one).
    pub records: Records,
    /// A CNAME at the expected name, with its target.
    pub cname: Option<DomainName>,
    /// When nothing of the kind is at the name: the A/AAAA addresses it answers
    /// instead (a proxied name answers the proxy's addresses).
    pub addresses: Vec<IpAddr>,
}

/// The record type a role is looked up as.
pub(crate) fn rtype_of(role: Role) -> RecordType {
    match role {
        Role::SpfMx => RecordType::Mx,
        _ => RecordType::Txt,
    }
}

/// The records of the role's type in an answer, and the CNAME it went through
/// (negative answers keep their chain too: a dangling alias is still an alias).
pub(crate) fn records_of(role: Role, answer: &Answer) -> (Records, Option<DomainName>) {
    let mut records = Records::default();
    if let Answer::Records { records: rdata, .. } = answer {
        for rd in rdata {
            match (role, rd) {
                (Role::SpfMx, RData::Mx(mx)) => records.mx.push(mx.clone()),
                (r, RData::Txt(txt)) if r.is_txt() => records.txt.push(txt.clone()),
                _ => {}
            }
        }
    }
    (records, answer.cnames().first().map(|(_, target)| target.clone()))
}

/// Does this set of records hold what the role looks for? SPF and DMARC
/// need their version tag; any TXT counts for DKIM; any MX for the MX role.
pub(crate) fn holds_role(role: Role, records: &Records) -> bool {
    match role {
        Role::SpfMx => !records.mx.is_empty(),
        Role::Dkim => !records.txt.is_empty(),
        Role::SpfTxt => records.txt.iter().any(|t| starts_with_tag(&t.data(), b"v=spf1")),
        // Also near misses (`v=dmarc1`, ` v=DMARC1`, `v = DMARC1`): present,
        // and the rules say what receivers make of them.
        Role::Dmarc => records.txt.iter().any(|t| looks_like_dmarc(&t.data())),
        Role::Domain => false,
    }
}

/// True when `data`, past leading quote characters and blanks, starts with
/// `tag` (ASCII case-insensitive).
pub(crate) fn starts_with_tag(data: &[u8], tag: &[u8]) -> bool {
    let mut rest = data;
    loop {
        rest = match rest {
            [b'"' | b'\'' | b' ' | b'\t', tail @ ..] => tail,
            // “ ” ‘ ’ in UTF-8
            [0xE2, 0x80, 0x98..=0x9D, tail @ ..] => tail,
            _ => break,
        };
    }
    rest.len() >= tag.len() && rest[..tag.len()].eq_ignore_ascii_case(tag)
}

/// The names a record of `role` expected at `name` may have been published at
/// by mistake, most likely first.
pub(crate) fn misplaced_names(
    role: Role,
    name: &DomainName,
    zone: Option<&DomainName>,
) -> Vec<(Misplacement, DomainName)> {
    let mut out = Vec::new();
    if let Some(zone) = zone
        && let Ok(doubled) = name.join(zone)
    {
        out.push((Misplacement::DoubledSuffix, doubled));
    }
    if matches!(role, Role::SpfMx | Role::SpfTxt) {
        // `10.send.mail.acme.com`: the priority typed as its own label …
        if let Ok(n) = name.prepend_label(b"10") {
            out.push((Misplacement::PriorityInHost, n));
        }
        // … or `10 send` typed into the host field, one label with a space.
        let mut labels: Vec<Vec<u8>> = name.labels().map(<[u8]>::to_vec).collect();
        if let Some(first) = labels.first_mut() {
            let mut l = b"10 ".to_vec();
            l.extend_from_slice(first);
            *first = l;
            if let Ok(n) = DomainName::from_labels(labels) {
                out.push((Misplacement::PriorityInHost, n));
            }
        }
    }
    out
}

/// Looks up the record of `role` at `name`, and on a miss probes the
/// misplaced names.
pub async fn observe(
    lookup: &dyn Lookup,
    role: Role,
    name: DomainName,
    zone: Option<&DomainName>,
) -> Observation {
    let rtype = rtype_of(role);
    let answer = lookup.lookup(&name, rtype).await;
    let (records, mut cname) = records_of(role, &answer);

    let presence = match &answer {
        Answer::Failed(err) => Presence::Failed(err.clone()),
        Answer::Records { .. } if holds_role(role, &records) => Presence::Found,
        _ => Presence::Absent,
    };

    // A CNAME at the DKIM name (Easy DKIM style) may point outside what we
    // can resolve: when the lookup failed, ask for the CNAME itself so it is
    // reported as what it is. Any other answer already carries the chain it
    // went through, and only DKIM reports a CNAME that does not resolve.
    if cname.is_none()
        && matches!(presence, Presence::Failed(_))
        && role == Role::Dkim
        && let Answer::Records { records: rd, .. } = lookup.lookup(&name, RecordType::Cname).await
    {
        cname = rd.iter().find_map(|r| match r {
            RData::Cname(t) => Some(t.clone()),
            _ => None,
        });
    }
    if let Some(target) = cname {
        // DKIM needs a TXT at the name: a CNAME there is present and wrong,
        // whatever its target answers. For SPF and DMARC a CNAME that resolves
        // to the record is a legitimate delegation.
        if role == Role::Dkim || matches!(presence, Presence::Found) {
            return Observation {
                role,
                name,
                presence: Presence::Found,
                records,
                cname: Some(target),
                addresses: Vec::new(),
            };
        }
    }

    // Nothing exists under a name that does not exist (RFC 8020): of the
    // misplaced names only the sibling `10 <label>` can, and the name has no
    // addresses either.
    // (Through a CNAME the NXDOMAIN is the target's: the name itself exists.)
    let nxdomain = matches!(&answer, Answer::NxDomain { cnames, .. } if cnames.is_empty());
    if let Presence::Absent = presence {
        for (kind, probe) in misplaced_names(role, &name, zone) {
            if nxdomain && probe.is_subdomain_of(&name) {
                continue;
            }
            let answer = lookup.lookup(&probe, rtype).await;
            let (found, _) = records_of(role, &answer);
            if holds_role(role, &found) {
                return Observation {
                    role,
                    name,
                    presence: Presence::Misplaced(kind, probe),
                    records: found,
                    cname: None,
                    addresses: Vec::new(),
                };
            }
        }
    }
    // Nothing of the kind anywhere: does the name answer addresses instead
    // (a proxied CNAME or A record where the record should be)?
    let mut addresses = Vec::new();
    if matches!(presence, Presence::Absent) && !nxdomain {
        for rtype in [RecordType::A, RecordType::Aaaa] {
            if let Answer::Records { records: rd, .. } = lookup.lookup(&name, rtype).await {
                addresses.extend(rd.iter().filter_map(|r| match r {
                    RData::A(a) => Some(IpAddr::V4(*a)),
                    RData::Aaaa(a) => Some(IpAddr::V6(*a)),
                    _ => None,
                }));
            }
        }
    }
    Observation { role, name, presence, records, cname: None, addresses }
}

/// Is `ip` in Cloudflare's proxy ranges (104.16.0.0/13, 172.64.0.0/13,
/// 2606:4700::/32)? A name that answers these instead of its record is proxied.
pub fn is_cloudflare_proxy(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            (o[0] == 104 && (16..24).contains(&o[1])) || (o[0] == 172 && (64..72).contains(&o[1]))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            s[0] == 0x2606 && s[1] == 0x4700
        }
    }
}
