//! The `nsupdate` form: one RFC 2136 update. Prerequisites first: each touched
//! record set must still be exactly what was read (`prereq yxrrset` of every
//! record, compared as a set), or still absent (`prereq nxrrset`), so the
//! update fails as a whole if DNS changed since. Then the exact deletions and
//! the additions, and `send`. No `server` line: the admin adds theirs, or
//! nsupdate finds the zone's primary.

use super::{fqdn, header};
use crate::fix::ChangeSet;

pub(super) fn render(cs: &ChangeSet) -> String {
    let mut out = header(cs, ";");
    if cs.is_empty() {
        return out;
    }
    if let Some(zone) = &cs.zone {
        out.push_str(&format!("zone {}\n", fqdn(zone)));
    }
    for set in &cs.sets {
        if set.before.is_empty() {
            out.push_str(&format!("prereq nxrrset {} IN {}\n", fqdn(&set.name), set.rtype));
        }
        for v in &set.before {
            out.push_str(&format!(
                "prereq yxrrset {} IN {} {}\n",
                fqdn(&set.name),
                set.rtype,
                v.presentation()
            ));
        }
    }
    for c in cs.deletions() {
        out.push_str(&format!(
            "update delete {} IN {} {}\n",
            fqdn(&c.name),
            c.value.rtype(),
            c.value.presentation()
        ));
    }
    for c in cs.additions() {
        out.push_str(&format!(
            "update add {} {} IN {} {}\n",
            fqdn(&c.name),
            c.ttl,
            c.value.rtype(),
            c.value.presentation()
        ));
    }
    out.push_str("send\n");
    out
}
