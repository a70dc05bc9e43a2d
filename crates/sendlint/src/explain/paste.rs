//! The pasted text as a customer gave it: breaks a ticket e-mail inserted
//! into a value, and strings no DNS answer could hold.

use sendlint_records::{Role, txt};

/// A pasted TXT text with the line breaks a ticket e-mail inserted into a
/// value removed: a line that continues a quoted string left open, and a
/// bare line that does not start a record of the role (`v=spf1`, `v=DMARC1`,
/// `v=DKIM1`), are joined to the line before. A DKIM key is cut anywhere, so
/// its pieces join with nothing between them; SPF and DMARC wrap at blanks,
/// so theirs join with one space. `dig` answer lines, comments, blank lines
/// and parenthesised zone-file groups are left as they are.
pub(super) fn unwrap_pasted(raw: &str, role: Role) -> String {
    let joiner = if role == Role::Dkim { "" } else { " " };
    let mut out: Vec<String> = Vec::new();
    // What the last line leaves open: a quoted string, or a bare value (a
    // value alone, or an answer line with unquoted data) that may go on.
    let mut open_quote = false;
    let mut bare = false;
    let mut depth = 0usize;
    for line in raw.split('\n') {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let body = line.trim();
        let answer = txt::owner_name(body).is_some() || is_other_answer(body);
        let is_bare = !body.is_empty() && !body.starts_with('"') && !body.starts_with(';') && !answer;
        let continues = open_quote || (bare && depth == 0 && is_bare && !starts_record(role, body));
        if continues && let Some(last) = out.last_mut() {
            last.truncate(last.trim_end().len());
            last.push_str(joiner);
            last.push_str(body);
            if open_quote {
                (open_quote, depth) = scan_quotes(body, true, depth);
                bare = false;
            }
            continue;
        }
        (open_quote, depth) = if is_bare { (false, depth) } else { scan_quotes(line, false, depth) };
        bare = is_bare || (answer && !line.contains('"'));
        out.push(line.to_owned());
    }
    out.join("\n")
}

/// Does `line` start a record of `role` (its version tag, past quotes and blanks)?
fn starts_record(role: Role, line: &str) -> bool {
    let t = line.trim_start_matches(['"', '\'', '“', '”', '‘', '’', ' ', '\t']).to_ascii_lowercase();
    let compact: String = t.chars().take(12).filter(|c| !c.is_ascii_whitespace()).collect();
    match role {
        Role::SpfTxt => compact.starts_with("v=spf1"),
        Role::Dmarc => compact.starts_with("v=dmarc1"),
        Role::Dkim => compact.starts_with("v=dkim1"),
        Role::SpfMx | Role::Domain => true,
    }
}

/// A `dig` answer line of a type that is not TXT (e.g. the CNAME dig prints first).
fn is_other_answer(line: &str) -> bool {
    txt::parse_text(line).is_ok_and(|v| v.is_empty())
}

/// After `text`, starting inside a quote or not and at parenthesis depth
/// `depth`: inside a quote at its end, and the depth.
fn scan_quotes(text: &str, mut open: bool, mut depth: usize) -> (bool, usize) {
    let mut chars = text.bytes();
    while let Some(c) = chars.next() {
        match c {
            b'\\' if open => {
                chars.next();
            }
            b'"' => open = !open,
            b';' if !open => break,
            b'(' if !open => depth += 1,
            b')' if !open => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (open, depth)
}

/// A DNS answer's TXT strings are at most 255 bytes: an unquoted string of a
/// `dig` answer line longer than that was not printed by DNS (a pasted value
/// alone is split as a form would; quoted strings are read leniently).
/// Returns its offset and length in bytes (escapes counted once).
pub(super) fn overlong_string(raw: &str) -> Option<(usize, usize)> {
    let mut offset = 0;
    for line in raw.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_start();
        let lead = line.len() - body.len();
        let data = if body.starts_with('"') {
            None
        } else {
            // `owner [ttl] [class] TXT data`
            let mut idx = lead;
            let mut found = None;
            for (i, tok) in body.split_ascii_whitespace().enumerate().take(4) {
                let at = line[idx..].find(tok).map_or(idx, |p| idx + p);
                idx = at + tok.len();
                if i > 0 && (tok.eq_ignore_ascii_case("TXT") || tok.eq_ignore_ascii_case("SPF")) {
                    found = Some(idx);
                    break;
                }
            }
            found
        };
        let Some(from) = data else { continue };
        let bytes = line.as_bytes();
        let mut i = from;
        while i < bytes.len() {
            match bytes[i] {
                b' ' | b'\t' | b'\r' | b'\n' | b'(' | b')' => i += 1,
                b';' => break,
                quote => {
                    let quoted = quote == b'"';
                    let tok_start = i;
                    if quoted {
                        i += 1;
                    }
                    let mut len = 0;
                    while i < bytes.len() {
                        let c = bytes[i];
                        if (quoted && c == b'"') || (!quoted && c.is_ascii_whitespace()) {
                            break;
                        }
                        if c == b'\\' {
                            // `\DDD` or `\X`: one byte of data
                            let digits =
                                bytes[i + 1..].iter().take(3).take_while(|b| b.is_ascii_digit()).count();
                            i += 1 + if digits == 3 { 3 } else { 1 };
                        } else {
                            i += 1;
                        }
                        len += 1;
                    }
                    i += usize::from(quoted);
                    if !quoted && len > 255 {
                        return Some((start + tok_start, len));
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unwrapping() {
        assert_eq!(unwrap_pasted("p=abc\r\ndef\nghi", Role::Dkim), "p=abcdefghi");
        assert_eq!(unwrap_pasted("x. TXT \"p=abc\ndef\"", Role::Dkim), "x. TXT \"p=abcdef\"");
        assert_eq!(unwrap_pasted("v=spf1 a\n-all", Role::SpfTxt), "v=spf1 a -all");
        assert_eq!(unwrap_pasted("v=spf1 a\nv=spf1 b", Role::SpfTxt), "v=spf1 a\nv=spf1 b");
        // Answer lines, quoted lines and zone-file groups stay as they are.
        let dig = "x. 300 IN TXT \"p=a\"\nx. 300 IN TXT \"b\"";
        assert_eq!(unwrap_pasted(dig, Role::Dkim), dig);
        let group = "x. IN TXT ( \"abc\" ; one\n  \"def\" )";
        assert_eq!(unwrap_pasted(group, Role::Dkim), group);
    }
}
