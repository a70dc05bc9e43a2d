//! The zone form: the final records of every record set the change touches,
//! as zone-file lines, for providers that import zone files. Each set's
//! current records are replaced by its lines; a set that ends empty is named
//! in a comment.

use super::{comment_text, fqdn, header};
use crate::fix::ChangeSet;

pub(super) fn render(cs: &ChangeSet) -> String {
    let mut out = header(cs, ";");
    if cs.is_empty() {
        return out;
    }
    out.push_str("; Replace the records of each set below with its lines (records at other names stay).\n");
    for set in &cs.sets {
        if set.after.is_empty() {
            out.push_str(&format!(
                "; delete every {} record at {} (nothing replaces them)\n",
                set.rtype,
                comment_text(&fqdn(&set.name))
            ));
            continue;
        }
        out.push_str(&format!("; {} {}\n", comment_text(&fqdn(&set.name)), set.rtype));
        for v in &set.after {
            out.push_str(&format!("{} {} IN {} {}\n", fqdn(&set.name), set.ttl, set.rtype, v.presentation()));
        }
    }
    out
}
