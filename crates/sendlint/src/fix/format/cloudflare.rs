//! The Cloudflare form: a bash script of API v4 calls (`curl`, `jq`). It
//! reads the token and the zone id from `CF_API_TOKEN` and `CF_ZONE_ID`,
//! finds each record to delete by name, type and content (stopping if it is
//! not there: DNS changed since it was read), deletes it, and creates the
//! new records with `proxied: false`. Every value from DNS is a bash `$'…'`
//! string of printable ASCII (TXT content in its quoted, `\DDD`-escaped
//! form), handed to `jq --arg`: no DNS data is ever parsed as shell or as
//! JSON text.

use super::header;
use crate::fix::{Change, ChangeSet, RecordValue};

/// `text` as a bash `$'…'` word: printable ASCII except `'` and `\` as is,
/// everything else as `\xHH`.
pub(crate) fn bash_word(text: &[u8]) -> String {
    let mut out = String::from("$'");
    for &b in text {
        match b {
            b'\'' | b'\\' => out.push_str(&format!("\\x{b:02x}")),
            0x20..=0x7E => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('\'');
    out
}

const PRELUDE: &str = r#"set -euo pipefail
: "${CF_API_TOKEN:?set CF_API_TOKEN to an API token that may edit the zone's DNS}"
: "${CF_ZONE_ID:?set CF_ZONE_ID to the zone's id (Overview page, API section)}"
api="https://api.cloudflare.com/client/v4/zones/${CF_ZONE_ID}/dns_records"
cf() { curl -sS --fail-with-body -H "Authorization: Bearer ${CF_API_TOKEN}" -H 'Content-Type: application/json' "$@"; }
# record_ids TYPE NAME CONTENT ALT PRIORITY: the ids of the records with that
# name and type whose content is CONTENT (or ALT), and priority PRIORITY for MX.
record_ids() {
  cf -G "$api" --data-urlencode "type=$1" --data-urlencode "name.exact=$2" --data-urlencode 'per_page=5000' |
    jq -r --arg c "$3" --arg alt "$4" --arg prio "$5" \
      '.result[] | select((.content == $c or ($alt != "" and .content == $alt)) and ($prio == "" or ((.priority // -1) | tostring) == $prio)) | .id'
}
delete_record() {
  local ids
  ids=$(record_ids "$@")
  if [ -z "$ids" ]; then
    printf 'not found: %s %s (DNS changed since sendlint read it?): stopping\n' "$1" "$2" >&2
    exit 1
  fi
  for id in $ids; do cf -X DELETE "$api/$id" >/dev/null; done
}
# create_record TYPE NAME CONTENT TTL PRIORITY
create_record() {
  jq -n --arg type "$1" --arg name "$2" --arg content "$3" --argjson ttl "$4" --arg prio "$5" \
    '{type: $type, name: $name, content: $content, ttl: $ttl, proxied: false}
     + (if $prio == "" then {} else {priority: ($prio | tonumber)} end)' |
    cf -X POST "$api" --data @- >/dev/null
}
"#;

/// The content Cloudflare shows for a record, the plain alternative for TXT
/// (the value unquoted, when it is printable ASCII) and the MX priority.
fn content(v: &RecordValue) -> (String, String, String) {
    match v {
        RecordValue::Txt(t) => {
            let data = t.data();
            let plain = if data.iter().all(|b| (0x20..=0x7E).contains(b)) {
                String::from_utf8_lossy(&data).into_owned()
            } else {
                String::new()
            };
            (t.to_presentation(), plain, String::new())
        }
        RecordValue::Mx(mx) => (mx.exchange.to_string(), String::new(), mx.preference.to_string()),
        RecordValue::Cname(t) => (t.to_string(), String::new(), String::new()),
    }
}

fn call(f: &str, c: &Change, with_alt: bool) -> String {
    let (content, plain, prio) = content(&c.value);
    let name = c.name.to_string();
    let mut line =
        format!("{f} {} {} {}", c.value.rtype(), bash_word(name.as_bytes()), bash_word(content.as_bytes()));
    if with_alt {
        line.push_str(&format!(" {}", bash_word(plain.as_bytes())));
    } else {
        line.push_str(&format!(" {}", c.ttl));
    }
    line.push_str(&format!(" {}\n", bash_word(prio.as_bytes())));
    line
}

pub(super) fn render(cs: &ChangeSet) -> String {
    let mut out = String::from("#!/usr/bin/env bash\n");
    out.push_str(&header(cs, "#"));
    if cs.is_empty() {
        return out;
    }
    out.push_str(PRELUDE);
    let mut step = 0;
    for c in cs.deletions() {
        step += 1;
        out.push_str(&format!("# {step}. delete: {}\n", super::comment_text(&c.why)));
        out.push_str(&call("delete_record", c, true));
    }
    for c in cs.additions() {
        step += 1;
        out.push_str(&format!("# {step}. add: {}\n", super::comment_text(&c.why)));
        out.push_str(&call("create_record", c, false));
    }
    out.push_str("echo 'done: check again with sendlint check' >&2\n");
    out
}
