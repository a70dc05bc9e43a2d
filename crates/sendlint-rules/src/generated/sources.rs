// @generated from rules/**/*.toml by crates/sendlint-rules/src/codegen.rs: do not edit.
// Regenerate with `SENDLINT_BLESS=1 cargo test -p sendlint-rules --lib generated`.
&[
RuleSource {
    name: Text::Borrowed("rules/core/dkim.toml"),
    text: Text::Borrowed(r#"# The DKIM TXT record at `S._domainkey.D` (role dkim): `p=<public key>` or `v=DKIM1; k=rsa; p=<public key>`.
# One fault, one diagnosis: how the value was mangled (quotes, split records, control bytes) is
# reported instead of what it breaks (syntax, invalid or mismatched key).

[[rule]]
code = "dkim.missing"
role = "dkim"
severity = "error"
when = "absent && !doubled_suffix && !has_cname"
message = "no TXT record at {name}"
help = "Add a TXT record with host `{name}` and this value: `{expected}`. If your DNS host limits a value to 255 characters, enter it as several quoted strings in that one record."
[rule.docs]
what = "Reports that the DKIM selector name has no TXT record."
why = """
With Bring-Your-Own-DKIM, SES signs with your private key and verifiers fetch the public key from `<selector>._domainkey.<domain>`. Without the record SES cannot verify the domain, so sending stays locked, and any signature that is made cannot be checked."""
example = """
sf1._domainkey.mail.acme.com.  TXT  (none)

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…" "…IDAQAB\""""
references = ["RFC 6376 §3.6.2.1", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]

[[rule]]
code = "dkim.doubled-suffix"
role = "dkim"
severity = "error"
when = "doubled_suffix"
message = "the DKIM record is at {misplaced_name} instead of {name}: the DNS host appended {zone} to a name that already ended with it"
help = "Edit the record's host field and enter only the part of {name} before `.{zone}`; your DNS host adds `.{zone}` itself."
[rule.docs]
what = "Reports a DKIM record published at `<selector>._domainkey.<domain>.<zone>`."
why = """
The host field of most DNS forms is relative to the zone. Pasting the full name from the SES console creates the record one zone too deep, where neither SES nor any verifier looks."""
example = """
sf1._domainkey.mail.acme.com.acme.com.  TXT  "p=MIIBIjANBg…"

Fixed (host field: sf1._domainkey.mail):
sf1._domainkey.mail.acme.com.           TXT  "p=MIIBIjANBg…\""""
references = ["RFC 1035 §5.1"]


[[rule]]
code = "dkim.wrong-name"
role = "dkim"
severity = "error"
when = "wrong_name"
message = "this DKIM record is at {misplaced_name}, but SES looks for the key at {name}"
help = "Add the TXT record at {name} (the selector you gave SES, then `._domainkey.` and the domain) with the value `{expected}`; the one at {misplaced_name} is not checked for this domain."
[rule.docs]
what = "Reports, for a record pasted into `sendlint explain` with its name, a DKIM record whose name is not `<selector>._domainkey.<domain>` for the selector given to SES (another selector, another domain, or a name without `_domainkey`)."
why = """
With Bring-Your-Own-DKIM, SES and every verifier fetch the key at the selector SES was given, under the domain. A key at any other name is never read: SES cannot verify the domain. `check` never meets this fault (it looks only at the expected names and the known misplacements); a record pasted from a ticket can be from anywhere."""
example = """
sf2._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…"   (selector sf1)

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…""""
references = ["RFC 6376 §3.6.2.1", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]

[[rule]]
code = "dkim.cname-instead-of-txt"
role = "dkim"
severity = "error"
when = "has_cname"
suppresses = ["dkim.missing", "dkim.syntax", "dkim.invalid-key", "dkim.key-mismatch", "dkim.truncated-key", "dkim.weak-key", "dkim.quoted-value", "dkim.embedded-quotes", "dkim.multiple-records", "dkim.split-across-records", "dkim.revoked-key", "dkim.missing-key", "dkim.not-rsa", "dkim.key-too-small", "dkim.key-too-large", "dkim.hash-excludes-sha256", "dkim.service-excludes-email"]
message = "{name} is a CNAME to {cname_target}; Bring-Your-Own-DKIM needs a TXT record holding your public key"
help = "Delete the CNAME (it belongs to an Easy DKIM setup) and add a TXT record at {name} with the value `{expected}`."
[rule.docs]
what = "Reports a CNAME at the DKIM selector name, the shape of Easy DKIM, where Bring-Your-Own-DKIM expects a TXT record."
why = """
Easy DKIM publishes `<token>._domainkey` CNAMEs to keys that Amazon holds. With BYODKIM, SES signs with your own private key, so the public key must be published by you, as TXT, at the selector you gave SES. A CNAME there points verifiers at some other key (or nowhere) and SES's check fails. A CNAME also forbids any other record at the same name."""
example = """
sf1._domainkey.mail.acme.com.  CNAME  abcdef123._domainkey.amazonses.com.

Fixed:
sf1._domainkey.mail.acme.com.  TXT    "p=MIIBIjANBg…\""""
references = ["https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html", "RFC 1034 §3.6.2"]

[[rule]]
code = "dkim.split-across-records"
role = "dkim"
severity = "error"
when = "split_across_records"
suppresses = ["dkim.multiple-records", "dkim.syntax", "dkim.truncated-key", "dkim.key-mismatch", "dkim.invalid-key", "dkim.missing-key", "dkim.weak-key", "dkim.key-too-small", "dkim.quoted-value"]
message = "the key is split across {record_count} separate TXT records at {name}; it must be several strings inside one record"
help = "Delete these {record_count} records and create one TXT record at {name} holding the whole value `{expected}`. If your DNS form limits a value to 255 characters, enter the parts as quoted strings separated by a space in that single record (`\"p=MIIB…\" \"…IDAQAB\"`)."
[rule.docs]
what = "Reports a key that was cut into pieces and published as several TXT records at the selector name, instead of several character-strings of one TXT record."
why = """
A 2048-bit key is longer than the 255 bytes one DNS character-string can hold, so it must be stored as several strings in one record; verifiers concatenate the strings of a record. Separate records are separate answers in no guaranteed order: a verifier takes one of them, sees part of a key, and DKIM fails. SES cannot verify the domain."""
example = """
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…"
sf1._domainkey.mail.acme.com.  TXT  "…IDAQAB"

Fixed (one record, two strings):
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…" "…IDAQAB\""""
references = ["RFC 6376 §3.6.2.2", "RFC 7208 §3.3", "RFC 1035 §3.3.14"]

[[rule]]
code = "dkim.multiple-records"
role = "dkim"
severity = "error"
when = "record_count > 1 && !split_across_records"
message = "{record_count} TXT records at {name}; verifiers use only one of them"
help = "Keep a single TXT record at {name} with the value `{expected}` and delete the others."
[rule.docs]
what = "Reports several TXT records at the DKIM selector name (other than one key split across records, which is `dkim.split-across-records`)."
why = "A verifier may pick any of the records (RFC 6376 leaves the result undefined), so signatures verify only some of the time, and SES's verification can fail."
example = """
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…(old key)"
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…(new key)"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…(new key)\""""
references = ["RFC 6376 §3.6.2.2"]

[[rule]]
code = "dkim.embedded-quotes"
role = "dkim"
severity = "error"
when = "embedded_quotes"
suppresses = ["dkim.quoted-value", "dkim.syntax", "dkim.invalid-key", "dkim.missing-key", "dkim.non-ascii"]
message = "the DKIM value contains quote characters inside it: its quoted strings were pasted, quotes and all, into one field"
help = "Edit the TXT record at {name} and remove every quote character and the spaces between the parts, so the value is one unbroken `{expected}`. Your DNS host splits long values into strings itself."
labels = [{ span = "embedded_quote_span", text = "these quotes are part of the key now" }]
[rule.docs]
what = "Reports quote characters inside the DKIM data, e.g. `p=MIIB…abc\" \"def…IDAQAB`, typically zone-file text copied into a web form."
why = """
In a zone file, `"abc" "def"` is two strings that verifiers join into `abcdef`. Typed into a DNS form, the quotes and the space are stored as data, so the key contains `" "` and is no longer valid base64. Every signature fails and SES cannot verify the domain."""
example = """
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…Q8AMIIBCgKCAQEA\\" \\"w6T3…IDAQAB"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…Q8AMIIBCgKCAQEA" "w6T3…IDAQAB\""""
references = ["RFC 6376 §3.6.2.2", "RFC 1035 §5.1"]

[[rule]]
code = "dkim.quoted-value"
role = "dkim"
severity = "error"
when = "quoted && !embedded_quotes"
suppresses = ["dkim.syntax", "dkim.missing-key", "dkim.non-ascii"]
message = "the DKIM value is wrapped in {quote_char} quote characters, which are now part of the record"
help = "Edit the TXT record at {name} and delete the quote characters at both ends, so the value starts with `p=` (or `v=DKIM1`)."
labels = [
    { span = "quote_span", text = "this quote is part of the value" },
    { span = "quote_end_span", text = "and so is this one" },
]
[rule.docs]
what = "Reports DKIM data that starts and ends with quote characters (`\"`, `'`, `“ ”`): the quotes were typed or pasted into the DNS form."
why = """
DNS forms quote TXT data themselves; quotes in the value become data. The first tag then reads `"p` or `"v` instead of `p`/`v`, and the key ends with a quote, so the record no longer parses as a DKIM key: verifiers fail every signature and SES cannot verify the domain. Curly quotes from a document or chat do the same."""
example = """
sf1._domainkey.mail.acme.com.  TXT  "\\"p=MIIBIjANBg…IDAQAB\\""

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…IDAQAB\""""
references = ["RFC 6376 §3.6.1", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]

[[rule]]
code = "dkim.control-bytes"
role = "dkim"
severity = "error"
when = "control_bytes"
suppresses = ["dkim.syntax", "dkim.invalid-key", "dkim.key-mismatch", "dkim.truncated-key", "dkim.non-ascii"]
message = "the DKIM value contains control bytes or invalid UTF-8"
help = "Replace the value of the TXT record at {name} with a clean copy: `{expected}`. Copy it from a plain-text source, not a terminal or a rich-text document."
labels = [{ span = "control_span", text = "control byte" }]
[rule.docs]
what = "Reports control characters (line breaks, tabs, terminal escape sequences) or invalid UTF-8 in the DKIM data."
why = "Line breaks are the usual culprit: a PEM key copied with its line endings. Whitespace inside `p=` is tolerated by some verifiers and not others; other control bytes break the base64 outright, so the key does not verify."
example = """
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBgkqhkiG9w0B\\010AQEFAAOCAQ8A…"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A…\""""
references = ["RFC 6376 §3.6.1", "RFC 6376 §3.2"]

[[rule]]
code = "dkim.non-ascii"
role = "dkim"
severity = "error"
when = "non_ascii && !control_bytes"
suppresses = ["dkim.syntax", "dkim.invalid-key", "dkim.key-mismatch", "dkim.truncated-key"]
message = "the DKIM value contains a non-ASCII character"
help = "Replace the value of the TXT record at {name} with a clean copy: `{expected}`. Look for a non-breaking space or a look-alike character pasted from a document."
labels = [{ span = "non_ascii_span", text = "not ASCII" }]
[rule.docs]
what = "Reports non-ASCII characters in the DKIM data, such as a non-breaking space."
why = "DKIM key records are ASCII tag lists; a non-ASCII character breaks the tag or the base64 it sits in, and the key does not verify."
example = """
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1;<U+00A0>p=MIIBIjANBg…"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; p=MIIBIjANBg…\""""
references = ["RFC 6376 §3.6.1"]

[[rule]]
code = "dkim.syntax"
role = "dkim"
severity = "error"
when = "syntax_error"
suppresses = ["dkim.invalid-key", "dkim.missing-key", "dkim.key-mismatch", "dkim.truncated-key", "dkim.not-rsa", "dkim.weak-key", "dkim.bad-version"]
message = "the DKIM record does not parse as a tag list: {syntax_message}"
help = "Correct the marked part. The simplest valid record is `{expected}`."
labels = [{ span = "syntax_span", text = "{syntax_message}" }]
[rule.docs]
what = "Reports DKIM data that is not a valid `tag=value; tag=value` list."
why = "Verifiers discard a key record they cannot parse, so every signature fails with `permerror (no key)`, and SES cannot verify the domain."
example = """
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1, k=rsa, p=MIIBIjANBg…"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; k=rsa; p=MIIBIjANBg…\""""
references = ["RFC 6376 §3.2", "RFC 6376 §3.6.1"]

[[rule]]
code = "dkim.bad-version"
role = "dkim"
severity = "error"
when = 'version != "" && version != "DKIM1"'
message = "the record declares v={version}; a DKIM key record must say v=DKIM1 or leave v= out"
help = "Change the start of the value to `v=DKIM1;`, or remove the `v=` tag: `{expected}`."
[rule.docs]
what = "Reports a `v=` tag with a value other than `DKIM1`."
why = "RFC 6376 tells verifiers to discard a key record whose version is not `DKIM1`, so every signature fails. A common cause is `v=DKIM2` or `v=spf1` copied from another record."
example = """
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM; p=MIIBIjANBg…"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; p=MIIBIjANBg…\""""
references = ["RFC 6376 §3.6.1"]

[[rule]]
code = "dkim.revoked-key"
role = "dkim"
severity = "error"
when = "key_empty"
suppresses = ["dkim.invalid-key", "dkim.key-mismatch", "dkim.truncated-key", "dkim.missing-key"]
message = "the record has an empty `p=`, which in DKIM means the key is revoked"
help = "Put the public key after `p=`: `{expected}`."
labels = [{ span = "key_span", text = "empty key" }]
[rule.docs]
what = "Reports a DKIM record whose `p=` tag is present but empty."
why = "An empty `p=` is how a domain revokes a key: verifiers fail every signature made with this selector, and SES cannot verify the domain. Often a template was published before the key was pasted in."
example = """
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; k=rsa; p="

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; k=rsa; p=MIIBIjANBg…\""""
references = ["RFC 6376 §3.6.1", "RFC 6376 §6.1.2"]

[[rule]]
code = "dkim.missing-key"
role = "dkim"
severity = "error"
when = "found && !key_present && !key_empty && !syntax_error"
suppresses = ["dkim.invalid-key", "dkim.key-mismatch"]
message = "the TXT record at {name} has no `p=` tag, so it holds no public key"
help = "Set the value to `{expected}`."
[rule.docs]
what = "Reports a TXT record at the selector name that has no `p=` tag (often the SES selector was reused for some other TXT)."
why = "`p=` is the only required tag of a DKIM key record; without it verifiers have no key and SES cannot verify the domain."
example = """
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; k=rsa"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; k=rsa; p=MIIBIjANBg…\""""
references = ["RFC 6376 §3.6.1"]

[[rule]]
code = "dkim.not-rsa"
role = "dkim"
severity = "error"
when = 'key_type != "rsa"'
suppresses = ["dkim.invalid-key", "dkim.key-mismatch", "dkim.weak-key"]
message = "the record declares k={key_type}, but SES Bring-Your-Own-DKIM signs with RSA keys"
help = "Generate an RSA key pair (2048 bits), give SES the private key, and publish `{expected}` with `k=rsa` or no `k=` tag."
[rule.docs]
what = "Reports a DKIM record whose `k=` key type is not `rsa`."
why = "SES signs Bring-Your-Own-DKIM mail with RSA-SHA256. A record declaring another key type (such as `ed25519`) cannot verify those signatures, and SES does not accept it."
example = """
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; k=rsa; p=MIIBIjANBg…\""""
references = ["RFC 6376 §3.6.1", "RFC 8463", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]

[[rule]]
code = "dkim.truncated-key"
role = "dkim"
severity = "error"
when = "key_truncated"
suppresses = ["dkim.key-mismatch", "dkim.invalid-key", "dkim.weak-key", "dkim.key-too-small"]
message = "the published key is cut short: it is only the beginning of the key given to SES"
help = "Replace the value of the TXT record at {name} with the complete `{expected}`. If your DNS form stops at 255 characters, enter the value as several quoted strings in the same record."
labels = [{ span = "key_span", text = "incomplete key" }]
[rule.docs]
what = "Reports a `p=` value that is a strict prefix of the expected key (the key given to SES). Without an expected key, or with bytes missing in the middle, a key whose DER announces more bytes than are there is `dkim.invalid-key` instead: only a prefix is known to be the beginning of that key."
why = """
A 2048-bit key is about 400 characters of base64. Forms and tools that cap a TXT string at 255 characters silently drop the rest; the truncated key cannot verify any signature, and SES cannot verify the domain."""
example = """
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…(253 characters)"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA…" "…IDAQAB\""""
references = ["RFC 6376 §3.6.2.2", "RFC 1035 §3.3.14"]

[[rule]]
code = "dkim.key-mismatch"
role = "dkim"
severity = "error"
when = "key_mismatch && !key_truncated"
suppresses = ["dkim.invalid-key"]
message = "the published key is a valid RSA key, but not the public half of the key pair given to SES"
help = "Publish the public key that belongs to the private key you uploaded to SES: `{expected}`. Check that the key was not copied from another selector or an older key pair."
labels = [{ span = "key_span", text = "a different key" }]
[rule.docs]
what = "Reports a published key that parses but differs from the public key of the setup."
why = "SES signs with the private key it was given; a signature made with it only verifies against the matching public key. With another key in DNS every signature fails and SES cannot verify the domain."
example = """
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…(key of an old key pair)"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…(public half of the key uploaded to SES)\""""
references = ["RFC 6376 §6.1.3", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]


[[rule]]
code = "dkim.invalid-key"
role = "dkim"
severity = "error"
when = "key_present && !key_valid && !key_truncated && !key_mismatch"
message = "the `p=` value is not a valid RSA public key: {key_error}"
help = "Replace the `p=` value with the base64 public key, without the `-----BEGIN PUBLIC KEY-----` lines or line breaks: `{expected}`."
labels = [{ span = "key_span", text = "{key_error}" }]
[rule.docs]
what = "Reports a `p=` value that is not base64 of an RSA public key (SubjectPublicKeyInfo or PKCS#1)."
why = "Verifiers cannot load the key, so every signature fails with `permerror`, and SES cannot verify the domain. Typical causes: PEM armor or line breaks pasted along, the private key instead of the public one, a character lost in copying."
example = """
sf1._domainkey.mail.acme.com.  TXT  "p=-----BEGIN PUBLIC KEY-----MIIBIjANBg…"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…\""""
references = ["RFC 6376 §3.6.1", "RFC 5280 §4.1.2.7", "RFC 8017 §A.1.1"]

[[rule]]
code = "dkim.key-too-small"
role = "dkim"
severity = "error"
when = "key_valid && key_bits < 1024"
suppresses = ["dkim.weak-key"]
message = "the key is {key_bits} bits; SES accepts RSA keys of 1024 to 2048 bits"
help = "Generate a 2048-bit RSA key pair (`openssl genrsa -out private.pem 2048`), upload the private key to SES and publish the public key at {name}."
labels = [{ span = "key_span", text = "{key_bits}-bit key" }]
[rule.docs]
what = "Reports an RSA key shorter than 1024 bits."
why = "SES rejects Bring-Your-Own-DKIM keys below 1024 bits, and RFC 8301 forbids verifiers from accepting them: such keys can be factored."
example = """
sf1._domainkey.mail.acme.com.  TXT  "p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBA…(512 bits)"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…(2048 bits)\""""
references = ["RFC 8301 §3.2", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]

[[rule]]
code = "dkim.key-too-large"
role = "dkim"
severity = "error"
when = "key_valid && key_bits > 2048"
message = "the key is {key_bits} bits; SES Bring-Your-Own-DKIM accepts RSA keys of at most 2048 bits"
help = "Generate a 2048-bit RSA key pair (`openssl genrsa -out private.pem 2048`), upload the private key to SES and publish the public key at {name}."
labels = [{ span = "key_span", text = "{key_bits}-bit key" }]
[rule.docs]
what = "Reports an RSA key longer than 2048 bits."
why = "SES does not accept Bring-Your-Own-DKIM keys longer than 2048 bits, so a 3072- or 4096-bit key pair cannot be used to verify this domain."
example = """
sf1._domainkey.mail.acme.com.  TXT  "p=MIICIjANBg…(4096 bits)"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…(2048 bits)\""""
references = ["https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]

[[rule]]
code = "dkim.weak-key"
role = "dkim"
severity = "warning"
when = "key_valid && key_bits < 2048"
message = "the key is {key_bits} bits; use 2048 bits"
help = "SES accepts it, but plan a rotation: generate a 2048-bit RSA key pair, publish it under a new selector, switch SES to it, then remove this record."
labels = [{ span = "key_span", text = "{key_bits}-bit key" }]
[rule.docs]
what = "Warns about an RSA key of at least 1024 but fewer than 2048 bits."
why = "1024-bit RSA is within reach of well-funded attackers and is being phased out; some receivers already score such signatures lower. 2048 bits is the current recommendation and the largest SES accepts."
example = """
sf1._domainkey.mail.acme.com.  TXT  "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQ…(1024 bits)"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A…(2048 bits)\""""
references = ["RFC 8301 §3.2", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]

[[rule]]
code = "dkim.testing-mode"
role = "dkim"
severity = "warning"
when = "testing_mode"
message = "the record has t=y: verifiers are told this domain is testing DKIM and may ignore failures"
help = "Remove `t=y` from the record at {name} once signing works: `{expected}`."
labels = [{ span = "testing_span", text = "testing mode" }]
[rule.docs]
what = "Warns about the `t=y` flag on a DKIM key record."
why = "`t=y` asks verifiers to treat signed and unsigned mail alike. Some receivers then give DKIM no weight, which undermines DMARC and reputation for a domain that is otherwise set up correctly."
example = """
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; t=y; p=MIIBIjANBg…"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; p=MIIBIjANBg…\""""
references = ["RFC 6376 §3.6.1"]

[[rule]]
code = "dkim.hash-excludes-sha256"
role = "dkim"
severity = "error"
when = "hash_excludes_sha256"
message = "the record's h= tag does not list sha256, so verifiers reject the rsa-sha256 signatures SES makes"
help = "Remove the `h=` tag from the record at {name} (every hash algorithm is then accepted), or set it to `h=sha256`. The simplest valid record is `{expected}`."
labels = [{ span = "hash_span", text = "no sha256 here" }]
[rule.docs]
what = "Reports an `h=` tag (acceptable hash algorithms) that does not list `sha256`, e.g. `h=sha1`."
why = "SES signs with rsa-sha256. A verifier must ignore a signature whose hash algorithm the key record's `h=` excludes, so every message fails DKIM, DMARC rests on SPF alone, and SES cannot verify the domain's DKIM."
example = """
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; h=sha1; k=rsa; p=MIIBIjANBg…"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; k=rsa; p=MIIBIjANBg…\""""
references = ["RFC 6376 §3.6.1", "RFC 6376 §6.1.2", "RFC 8301 §3.1"]

[[rule]]
code = "dkim.service-excludes-email"
role = "dkim"
severity = "error"
when = "service_excludes_email"
message = "the record's s= tag lists neither email nor *, so the key may not be used to verify email"
help = "Remove the `s=` tag from the record at {name} (the default, `*`, covers every service), or set it to `s=email`. The simplest valid record is `{expected}`."
labels = [{ span = "service_span", text = "email is not listed" }]
[rule.docs]
what = "Reports an `s=` tag (service types) that lists neither `email` nor `*`."
why = "RFC 6376 defines `s=` as the services the key may be used for; a key record restricted to other services is not applicable to email, so verifiers treat every signature as made with no usable key and SES cannot verify the domain's DKIM."
example = """
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; s=tlsrpt; p=MIIBIjANBg…"

Fixed:
sf1._domainkey.mail.acme.com.  TXT  "v=DKIM1; s=email; p=MIIBIjANBg…\""""
references = ["RFC 6376 §3.6.1", "RFC 6376 §6.1.2"]

[[rule]]
code = "dkim.key-not-compared"
role = "dkim"
severity = "warning"
when = 'dns_state == "not_compared" && badge != "Verified"'
message = "the DKIM key published{?name != \"\"} at {name}{/?} was not compared with the key given to SES: no expected public key was given"
help = "Give the public key that was given to SES, so the published key can be compared with it: `--public-key-file FILE` (PEM or base64) or `--public-key KEY` for `check` and `watch`, `--expected KEY` for `explain`, `dkim_public_key` in the workspace manifest entry for `audit` and `serve`, or ask SES for its own verdict with `--ses`. Until the key is compared (or SES reports DKIM verified), this record cannot be Verified and sending is not shown as unlocked: a well-formed key may still be the wrong one."
[rule.docs]
what = "Reports a well-formed DKIM record that was checked without the public key given to SES (no `--public-key`/`--public-key-file`, no `dkim_public_key` in the manifest entry), while SES has not verified DKIM itself."
why = """
A verdict claims only what was compared. The record can hold a valid RSA key and still be the wrong one (an old key, another tenant's, a key from another selector): SES compares it with the private key it signs with and fails. Without the expected key sendlint cannot tell, so the badge is Pending, never Verified, and sending is not shown as unlocked. It is never Failed for this reason either: nothing wrong was seen. When SES's DKIM status is `SUCCESS` (from `--ses`, `--ses-state` or the manifest's `ses` block), SES has made the comparison with its own key and the badge is Verified without this note."""
example = """
$ sendlint check mail.acme.com --selector sf1
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…"   (a valid key, but whose?)

Compared: sendlint check mail.acme.com --selector sf1 --public-key-file sf1.pub.pem"""
references = ["RFC 6376 §3.6.1", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]
"#),
},
RuleSource {
    name: Text::Borrowed("rules/core/dmarc.toml"),
    text: Text::Borrowed(r#"# The DMARC TXT record at `_dmarc.D` (role dmarc): `v=DMARC1; p=none; rua=mailto:…`.
# DMARC never blocks sending, but a broken record is still an error: it does not do what it says.

[[rule]]
code = "dmarc.missing"
role = "dmarc"
severity = "warning"
when = "absent && !doubled_suffix && !inherited && !discovery_failed"
message = "no DMARC policy applies: there is no DMARC record at {name} nor at any parent domain"
help = "Add a TXT record with host `{name}` and value `{expected}`. Start with `p=none` and read the aggregate reports; move to `p=quarantine`, then `p=reject`, once all legitimate mail passes."
[rule.docs]
what = "Warns when no DMARC policy covers the sending domain: no record at `_dmarc.<domain>` and none found by policy discovery at a parent domain."
why = """
Gmail and Yahoo require a DMARC record from bulk senders, and without one nobody tells receivers what to do with mail that fails SPF and DKIM, nor sends you reports about who uses your domain.

Policy discovery: when `_dmarc.<domain>` has no record, receivers look for the policy of a parent domain. sendlint follows DMARCbis (RFC 9989, which obsoletes RFC 7489 and RFC 9091; checkdmarc and mailauth do the same): a DNS tree walk that asks `_dmarc.` of each parent in turn (for names of eight or more labels, starting from the last seven), up to the single-label parent, at most 8 queries, and takes the first valid record. RFC 7489 §6.6.3 instead asks only the organizational domain found with a public suffix list; the walk finds the same record for ordinary domains, also works for private and test zones that no list knows, and honours `psd=`. A record the walk finds is reported as `dmarc.inherited` (or `dmarc.inherited-psd` for a public suffix operator's record), not as missing; when a lookup of the walk fails, `dmarc.discovery-failed` says so instead."""
example = """
_dmarc.mail.acme.com.  TXT  (none)
_dmarc.acme.com.       TXT  (none)

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc-reports@acme.com\""""
references = ["RFC 7489 §6.1", "RFC 7489 §6.6.3", "RFC 9989 (DMARCbis): DNS Tree Walk, DMARC Policy Discovery", "https://support.google.com/a/answer/81126", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dmarc.html"]

[[rule]]
code = "dmarc.not-recognized"
role = "dmarc"
severity = "error"
when = "not_recognized && !found"
suppresses = ["dmarc.missing"]
message = "receivers do not recognise the TXT record at {name} as DMARC: {not_recognized_reason}"
help = "Edit the TXT record at {name} so it starts exactly with `v=DMARC1;` (capital letters, nothing before it), e.g. `{expected}`."
labels = [{ span = "not_recognized_span", text = "receivers stop here" }]
[rule.docs]
what = "Reports a TXT record at `_dmarc.<domain>` that reads like DMARC but that receivers discard: a blank before `v=`, or the version not spelled exactly `DMARC1` (e.g. `v=dmarc1`)."
why = """
A DMARC record must begin with `v=DMARC1`: the tag name `v` may be in either case and blanks may surround `=`, but the value is the exact, case-sensitive `DMARC1`, and nothing may come before it. Receivers ignore any other record, so the domain has no policy of its own (a parent domain's policy may still apply, see `dmarc.inherited`)."""
example = """
_dmarc.mail.acme.com.  TXT  "v=dmarc1; p=reject"
_dmarc.mail.acme.com.  TXT  " v=DMARC1; p=reject"

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=reject\""""
references = ["RFC 7489 §6.4", "RFC 7489 §6.6.3"]

[[rule]]
code = "dmarc.inherited"
role = "dmarc"
severity = "info"
when = "inherited && !inherited_psd"
message = "no DMARC record at {name}: receivers apply {inherited_tag}={inherited_policy} from {inherited_from} to {domain}, so {inherited_effect}"
help = "Nothing to do if that policy suits {domain}. To give {domain} its own policy and its own reports, add a TXT record at {name} starting with `v=DMARC1`, e.g. `{expected}`; its `p=` then replaces the inherited `{inherited_tag}={inherited_policy}`."
[rule.docs]
what = "Notes that the sending domain has no record of its own at `_dmarc.<domain>` and is covered by a parent domain's DMARC policy, found by policy discovery; says where the policy comes from and which tag applies."
why = """
Receivers that find no record at `_dmarc.<domain>` walk up the DNS tree and apply the first DMARC record they find (DMARCbis, RFC 9989; RFC 7489 §6.6.3 reaches the same organizational domain through the public suffix list). For a subdomain, `sp=` applies when the record has it, else `p=`; for a domain that does not exist in DNS, DMARCbis applies `np=` first. A record with `psd=y` is a public suffix operator's policy rather than the organization's own.

So this is not a fault: the domain is protected by that policy (its badge is Verified). It is worth knowing, because a change at the parent changes what happens to this domain's mail, and aggregate reports go to the parent's `rua=` address. sendlint does not apply `pct=` (removed by DMARCbis); `t=y` (DMARCbis testing mode) is accepted."""
example = """
_dmarc.mail.acme.com.  TXT  (none)
_dmarc.acme.com.       TXT  "v=DMARC1; p=reject; sp=quarantine; rua=mailto:dmarc@acme.com"

mail.acme.com gets sp=quarantine from _dmarc.acme.com.

Its own policy, if wanted:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@acme.com\""""
references = ["RFC 9989 (DMARCbis): DNS Tree Walk, DMARC Policy Discovery, tags np and psd", "RFC 7489 §6.3 (sp)", "RFC 7489 §6.6.3", "RFC 9091"]

[[rule]]
code = "dmarc.inherited-psd"
role = "dmarc"
severity = "warning"
when = "inherited && inherited_psd"
message = "no DMARC record at {name} nor at any parent of {domain} below the public suffix: receivers apply {inherited_tag}={inherited_policy} from {inherited_from}, a public suffix operator's policy (psd=y), so {inherited_effect}"
help = "Publish your own policy, so that it and not the registry's applies and the aggregate reports come to you: add a TXT record at {name}, e.g. `{expected}`."
[rule.docs]
what = "Warns that the only DMARC policy covering the sending domain is a public suffix operator's (a record with `psd=y`, e.g. at `_dmarc.<tld>`), found by policy discovery."
why = """
Public suffix operators (registries of TLDs such as `.gov` or `.bank`) may publish a DMARC policy for the names below them (RFC 9091, folded into DMARCbis, RFC 9989). Receivers apply it to domains without a policy of their own, so mail is handled by the registry's choice, and the aggregate reports go to the registry, not to you. The domain is covered (its badge is Verified), but its owner has published no DMARC at all."""
example = """
_dmarc.mail.acme.gov.  TXT  (none)
_dmarc.acme.gov.       TXT  (none)
_dmarc.gov.            TXT  "v=DMARC1; p=reject; psd=y"

Fixed:
_dmarc.mail.acme.gov.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc-reports@acme.gov\""""
references = ["RFC 9989 (DMARCbis): DNS Tree Walk, tag psd", "RFC 9091"]

[[rule]]
code = "dmarc.discovery-failed"
role = "dmarc"
severity = "warning"
when = "discovery_failed"
message = "no DMARC record at {name}, and looking for a parent domain's DMARC policy failed: {discovery_error}"
help = "Our own lookup failed, so whether a parent domain's policy covers {domain} is unknown; check again later. A record of its own at {name} makes {domain} independent of its parents: `{expected}`."
[rule.docs]
what = "Warns that `_dmarc.<domain>` holds no DMARC record and a lookup of policy discovery (the walk up the parent domains) failed: timeout, SERVFAIL, REFUSED from a resolver, a CNAME loop."
why = "A failed lookup says nothing about the customer's records: reporting `dmarc.missing` would be a guess. Receivers that hit the same failure treat it as a temporary error and may defer the decision."
example = """
_dmarc.mail.acme.com.  TXT  (none)
_dmarc.acme.com.       TXT  → SERVFAIL"""
references = ["RFC 9989 (DMARCbis): DNS Tree Walk", "RFC 7489 §6.6.3"]

[[rule]]
code = "dmarc.report-uri-not-mailto"
role = "dmarc"
severity = "warning"
when = "report_uri_not_mailto"
message = "a rua=/ruf= report address is not a mailto: URI: receivers send DMARC reports only by email, so they skip it"
help = "Replace the marked URI with a `mailto:` address whose mailbox collects reports, as in `{expected}`."
labels = [{ span = "report_uri_span", text = "not a mailto: URI" }]
[rule.docs]
what = "Warns about a `rua=` or `ruf=` URI with a scheme other than `mailto:`, such as `https:`."
why = "The record's syntax allows any URI, so it is not a syntax error and the policy still applies; but receivers only send reports by email and skip other URIs. With no `mailto:` left, nobody gets the reports needed before moving to enforcement."
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none; rua=https://reports.acme.com/dmarc"

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc-reports@acme.com\""""
references = ["RFC 7489 §6.2", "RFC 7489 §6.3", "RFC 7489 §6.4"]

[[rule]]
code = "dmarc.report-destination-unauthorized"
role = "dmarc"
severity = "warning"
when = "report_auth_missing_count > 0"
message = "{?report_auth_missing_count == 1}{report_auth_domains} does not accept DMARC reports about {domain}, so receivers send nothing to {report_auth_missing}: there is no TXT record starting with `v=DMARC1` at {report_auth_names}{:}{report_auth_missing_count} report destinations do not accept DMARC reports about {domain}, so receivers send nothing to {report_auth_missing}: there is no TXT record starting with `v=DMARC1` at {report_auth_names}{/?}"
help = "{?report_auth_missing_count == 1}The owner of {report_auth_domains} (your report provider, or the team that runs that mailbox) must publish this record in the DNS of {report_auth_domains}: name `{report_auth_names}`, type TXT, value `v=DMARC1`.{:}The owner of each destination domain ({report_auth_domains}) must publish one record in its own DNS, type TXT, value `v=DMARC1`, at each of these names: {report_auth_names}.{/?} A record `*._report._dmarc.<destination>` with the same value authorizes every domain at once. Or send the reports to a mailbox under your own organizational domain, such as `dmarc-reports@{domain}`, which needs no authorization."
labels = [{ span = "report_auth_span", text = "this destination has not authorized reports about {domain}" }]
[rule.docs]
what = "Warns when a `rua=` or `ruf=` address of the DMARC record at `_dmarc.<domain>` lies at another organizational domain that has not agreed to receive reports about this domain: no TXT record starting with `v=DMARC1` at `<domain>._report._dmarc.<destination>`, nor a wildcard `*._report._dmarc.<destination>` answering there. Names the exact record the destination must publish, one name per destination domain."
why = """
RFC 7489 §7.1 ("Verifying External Destinations") keeps DMARC from being used to flood a third party with reports: when the organizational domain of a report address differs from that of the domain whose DMARC record lists it, a receiver first asks for a TXT record at `<domain>._report._dmarc.<destination host>` (the domain whose record lists the address goes first), and sends reports only if a record there starts with `v=DMARC1`. Without it, receivers that follow the RFC (Google, Microsoft, Yahoo and most others) silently drop the reports: the record looks right and no report ever arrives.

Organizational domains are those of RFC 7489 §3.2, found with the public suffix list (sendlint's built-in copy), so addresses at the domain itself, at its parent organization or at another subdomain of it (`dmarc@acme.com` for `mail.acme.com`) need no authorization and cost no query. (Policy discovery follows DMARCbis's DNS tree walk instead, see `dmarc.missing`; here the list answers without asking DNS.) One TXT query is asked per distinct destination host at another organization, at most 10 per record; a record with a syntax error, or several DMARC records, sends no reports at all and is reported as such instead. A lookup that fails is `dmarc.report-destination-unchecked`, never this warning."""
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc@reports.vendor.example"
mail.acme.com._report._dmarc.reports.vendor.example.  TXT  (none)

Fixed, in the DNS of vendor.example:
mail.acme.com._report._dmarc.reports.vendor.example.  TXT  "v=DMARC1"
(or, for every customer at once: *._report._dmarc.reports.vendor.example.  TXT  "v=DMARC1")"""
references = ["RFC 7489 §7.1", "RFC 7489 §3.2", "RFC 4592"]

[[rule]]
code = "dmarc.report-destination-unchecked"
role = "dmarc"
severity = "info"
when = "report_auth_unchecked_count > 0"
message = "whether {?report_auth_unchecked_count == 1}a report destination accepts{:}{report_auth_unchecked_count} report destinations accept{/?} DMARC reports about {domain} could not be checked: {report_auth_unchecked}"
help = "Nothing is known to be wrong yet. Offline (`--zone`), give the destination domain's zone file too to check it; live, run the check again, and if the lookup keeps failing, ask the owner of the destination domain to make its name servers answer the TXT question named above (with a record `v=DMARC1` if it accepts the reports): receivers that cannot get that answer send no reports either."
[rule.docs]
what = "Notes that the authorization record of a `rua=`/`ruf=` destination at another organizational domain (RFC 7489 §7.1) could not be looked up: the query timed out, was refused or failed, or (offline) no loaded zone file covers the destination. Says which name was asked and what failed."
why = """
A verdict claims only what was compared: a failed lookup says nothing about whether the destination accepts the reports, so it is not reported as `dmarc.report-destination-unauthorized`. It is worth a note because a receiver whose own lookup fails does not send the reports either."""
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc@vendor.example"
mail.acme.com._report._dmarc.vendor.example.  TXT  → SERVFAIL"""
references = ["RFC 7489 §7.1"]

[[rule]]
code = "dmarc.doubled-suffix"
role = "dmarc"
severity = "error"
when = "doubled_suffix"
message = "the DMARC record is at {misplaced_name} instead of {name}: the DNS host appended {zone} to a name that already ended with it"
help = "Edit the record's host field and enter only the part of {name} before `.{zone}`; your DNS host adds `.{zone}` itself."
[rule.docs]
what = "Reports a DMARC record published at `_dmarc.<domain>.<zone>`."
why = "The host field of most DNS forms is relative to the zone. Typing the full name creates the record one zone too deep, where receivers never look: the domain has no DMARC policy."
example = """
_dmarc.mail.acme.com.acme.com.  TXT  "v=DMARC1; p=none"

Fixed (host field: _dmarc.mail):
_dmarc.mail.acme.com.           TXT  "v=DMARC1; p=none\""""
references = ["RFC 1035 §5.1", "RFC 7489 §6.1"]


[[rule]]
code = "dmarc.wrong-name"
role = "dmarc"
severity = "error"
when = "wrong_name"
message = "this DMARC record is at {misplaced_name}, but receivers look for the policy of {domain|the domain} at {name}"
help = "Add the TXT record at {name} with the value `{expected}`; the one at {misplaced_name} is not the policy of {domain|this domain}."
[rule.docs]
what = "Reports, for a record pasted into `sendlint explain` with its name, a DMARC record whose name is neither `_dmarc.<domain>` nor `_dmarc.` of a parent of the domain (whose policy the domain inherits)."
why = """
Receivers look for a domain's policy at `_dmarc.<domain>`, then at its organizational domain (RFC 7489 §6.6.3). A record at any other name is not the domain's policy. `check` never meets this fault (it looks only at the expected names and the known misplacements); a record pasted from a ticket can be from anywhere."""
example = """
_dmarc.other.org.       TXT  "v=DMARC1; p=none"   (domain mail.acme.com)

Fixed:
_dmarc.mail.acme.com.   TXT  "v=DMARC1; p=none""""
references = ["RFC 7489 §6.1", "RFC 7489 §6.6.3"]

[[rule]]
code = "dmarc.embedded-quotes"
role = "dmarc"
severity = "error"
when = "embedded_quotes"
suppresses = ["dmarc.quoted-value", "dmarc.syntax", "dmarc.non-ascii", "dmarc.missing", "dmarc.not-recognized"]
message = "the DMARC record contains quote characters inside its value: quoted strings were pasted, quotes and all, into one field"
help = "Edit the TXT record at {name} and remove every quote character, e.g. `{expected}`."
labels = [{ span = "embedded_quote_span", text = "quotes inside the value" }]
[rule.docs]
what = "Reports quote characters inside the DMARC data, e.g. `v=DMARC1; p=none\" \"rua=…`."
why = "Zone-file quoting typed into a web form is stored literally; the tag next to the quotes no longer parses and receivers may ignore the record or the tag."
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none;\\" \\"rua=mailto:dmarc@acme.com"

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc@acme.com\""""
references = ["RFC 7489 §6.4"]

[[rule]]
code = "dmarc.quoted-value"
role = "dmarc"
severity = "error"
when = "quoted && !embedded_quotes"
suppresses = ["dmarc.syntax", "dmarc.non-ascii", "dmarc.missing"]
message = "the DMARC record is wrapped in {quote_char} quote characters, which are now part of the record"
help = "Edit the TXT record at {name} and delete the quote characters at both ends, so the value starts with `v=DMARC1`."
labels = [
    { span = "quote_span", text = "this quote is part of the value" },
    { span = "quote_end_span", text = "and so is this one" },
]
[rule.docs]
what = "Reports DMARC data that starts and ends with quote characters (`\"`, `'`, `“ ”`)."
why = "A DMARC record must begin with exactly `v=DMARC1`. With a quote in front, receivers do not recognise it and treat the domain as having no DMARC policy."
example = """
_dmarc.mail.acme.com.  TXT  "\\"v=DMARC1; p=none\\""

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none\""""
references = ["RFC 7489 §6.4", "RFC 7489 §6.6.3"]

[[rule]]
code = "dmarc.control-bytes"
role = "dmarc"
severity = "error"
when = "control_bytes"
suppresses = ["dmarc.syntax", "dmarc.non-ascii"]
message = "the DMARC record contains control bytes or invalid UTF-8"
help = "Retype the value of the TXT record at {name} by hand, e.g. `{expected}`."
labels = [{ span = "control_span", text = "control byte" }]
[rule.docs]
what = "Reports control characters or invalid UTF-8 in the DMARC data."
why = "They come from copying out of terminals or documents, and break the tag they sit in; receivers may ignore the tag or the whole record."
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1;\\010p=none"

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none\""""
references = ["RFC 7489 §6.4"]

[[rule]]
code = "dmarc.non-ascii"
role = "dmarc"
severity = "error"
when = "non_ascii && !control_bytes"
suppresses = ["dmarc.syntax"]
message = "the DMARC record contains a non-ASCII character"
help = "Retype the value of the TXT record at {name} by hand, e.g. `{expected}`. Look for a non-breaking space or a look-alike character pasted from a document."
labels = [{ span = "non_ascii_span", text = "not ASCII" }]
[rule.docs]
what = "Reports non-ASCII characters in the DMARC data, such as a non-breaking space."
why = "DMARC records are ASCII; a look-alike character breaks the tag it sits in."
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1;<U+00A0>p=none"

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none\""""
references = ["RFC 7489 §6.4"]

[[rule]]
code = "dmarc.multiple-records"
role = "dmarc"
severity = "error"
when = "record_count > 1"
message = "{record_count} DMARC records at {name}; with more than one, receivers apply none of them"
help = "Merge them into a single TXT record starting `v=DMARC1` at {name} and delete the others."
[rule.docs]
what = "Reports more than one TXT record starting with `v=DMARC1` at `_dmarc.<domain>`."
why = "RFC 7489 tells receivers to ignore DMARC entirely when more than one record is returned: the domain effectively has no policy and gets no reports."
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc@acme.com"
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=quarantine"

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.com\""""
references = ["RFC 7489 §6.6.3"]

[[rule]]
code = "dmarc.syntax"
role = "dmarc"
severity = "error"
when = "syntax_error"
message = "the DMARC record does not parse: {syntax_message}"
help = "Correct the marked tag; valid policies are `none`, `quarantine` and `reject`. A minimal record is `{expected}`."
labels = [{ span = "syntax_span", text = "{syntax_message}" }]
[rule.docs]
what = "Reports a DMARC record with a malformed tag list or an invalid value, e.g. `p=quarantne`."
why = "Receivers discard a record whose `p=` they cannot read (the domain then has no policy) and ignore other invalid tags, so the record does less than its owner believes."
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=quarantne"

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=quarantine\""""
references = ["RFC 7489 §6.3", "RFC 7489 §6.4"]

[[rule]]
code = "dmarc.policy-none"
role = "dmarc"
severity = "info"
when = 'policy == "none"'
message = "the DMARC policy is p=none: receivers report failures but deliver the mail anyway"
help = "Good for a start. Once the aggregate reports show that all your legitimate mail passes, raise it to `p=quarantine`, then to `p=reject`."
labels = [{ span = "policy_span", text = "monitor only" }]
[rule.docs]
what = "Notes a DMARC record in monitoring mode (`p=none`)."
why = "`p=none` is the right first step: it collects reports without affecting delivery. Left there, it protects no one, since spoofed mail that fails DMARC is still delivered; mailbox providers also favour domains that enforce."
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc@acme.com"

Later:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=quarantine; rua=mailto:dmarc@acme.com"
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=reject; rua=mailto:dmarc@acme.com\""""
references = ["RFC 7489 §6.3", "RFC 7489 §6.7"]

[[rule]]
code = "dmarc.strict-spf-alignment"
role = "dmarc"
severity = "warning"
when = 'aspf == "s"'
message = "aspf=s requires the MAIL FROM domain to equal the From domain, which a MAIL FROM subdomain{?mail_from != \"\"} such as {mail_from}{/?} never does"
help = "Remove `aspf=s` (relaxed is the default), or accept that only DKIM can align: SES's DKIM signature for {domain} still passes DMARC."
labels = [{ span = "aspf_span", text = "strict SPF alignment" }]
[rule.docs]
what = "Warns about strict SPF alignment (`aspf=s`) in the DMARC record."
why = """
SES uses a MAIL FROM subdomain (`send.mail.acme.com`) for bounces. Under strict alignment SPF only counts for DMARC when the MAIL FROM domain is exactly the From domain, so SPF can never align and DMARC rests on DKIM alone: a single DKIM problem (a key rotation gone wrong, a forwarding relay that alters the message) then fails DMARC outright."""
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=reject; aspf=s"

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=reject\""""
references = ["RFC 7489 §3.1.2", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dmarc.html"]

[[rule]]
code = "dmarc.no-reports"
role = "dmarc"
severity = "info"
when = "found && !has_rua && !syntax_error"
message = "the DMARC record has no rua= address, so no aggregate reports are sent to you"
help = "Add `rua=mailto:` with a mailbox that collects reports to your record, keeping everything else: `{record_value}; rua=mailto:dmarc-reports@{domain}`."
[rule.docs]
what = "Notes a DMARC record without an aggregate report address (`rua=`)."
why = "Aggregate reports are how you learn which servers send as your domain and whether they pass; without them, moving from `p=none` to enforcement is guesswork."
example = """
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none"

Fixed:
_dmarc.mail.acme.com.  TXT  "v=DMARC1; p=none; rua=mailto:dmarc-reports@acme.com\""""
references = ["RFC 7489 §6.3", "RFC 7489 §7.2"]
"#),
},
RuleSource {
    name: Text::Borrowed("rules/core/dns.toml"),
    text: Text::Borrowed(r#"# Findings about our own lookups, shared by every record role.

[[rule]]
code = "dns.lookup-failed"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "warning"
when = "lookup_failed && !zone_file_missing"
message = "could not look up {name}: {lookup_error}"
help = "This is a failure of sendlint's own DNS query, not evidence that the record is wrong or missing. Retry in a minute; if it keeps failing, check that every nameserver of {zone} answers for {name} (`dig +trace {name}`), since SES's resolvers may hit the same broken server."
[rule.docs]
what = "Reports that a DNS query for the record timed out or was answered with SERVFAIL, REFUSED or another server failure."
why = """
Nothing can be said about a record that could not be fetched, so sendlint keeps the badge Pending rather than calling it Failed. A server failure that persists usually means a lame or misconfigured nameserver (a delegation to a server that no longer hosts the zone, or broken DNSSEC), which will also stop SES from verifying the domain."""
example = """
;; ->>HEADER<<- opcode: QUERY, status: SERVFAIL
send.mail.acme.com.  IN  MX   (no answer)

Fixed: every nameserver listed for acme.com answers authoritatively."""
references = ["RFC 1035 §4.1.1", "RFC 8914 (Extended DNS Errors)"]

[[rule]]
code = "dns.zone-not-loaded"
role = "domain"
severity = "error"
when = "zone_file_missing"
message = "{lookup_error}"
help = "Answering offline, sendlint only knows the zones of the files given with --zone, and none of them holds this domain's records: check the domain's spelling, or add the zone file that holds them (`--zone FILE`, or a directory of zone files), or check live without --zone. The records were not looked at, so their badges stay Pending and sending is not shown as unlocked."
[rule.docs]
what = "Reports, offline (answers from zone files), a domain whose records lie in none of the loaded zones: once for the domain, naming what was loaded and, when a loaded zone is one typo away, the name that was most likely meant."
why = """
No server failed and retrying changes nothing: the domain is misspelled, or the zone file that would answer was not given. Nothing was looked at, so the records stay Pending (as for any lookup that could not be made, never Failed) and this error says why the verdict is "not unlocked": a check that saw nothing cannot unlock sending. One diagnosis for the domain, not one per record: the four records share the one cause."""
example = """
$ sendlint check mail.acme.tset -s sf1 --zone zones/
no zone file covers mail.acme.tset (loaded: acme.test, globex.test): did you mean mail.acme.test?

Fixed: sendlint check mail.acme.test -s sf1 --zone zones/"""
references = ["RFC 1035 §5 (master files)"]

[[rule]]
code = "dns.propagating"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "info"
when = "propagating"
suppresses = ["mx.missing", "spf.missing", "dkim.missing", "dmarc.missing"]
message = "{name} is published on the zone's own servers ({authoritative_servers}), but the resolver still holds the old \"not found\" answer"
help = "Nothing to change: wait for caches to expire. Resolvers may keep the old answer for up to {negative_ttl} seconds (the zone's negative-caching TTL: the smaller of the SOA minimum and the SOA's own TTL); the record itself is served with a TTL of {published_ttl} seconds. SES reads the record through resolvers too, so it sees it once their caches expire. Lower the SOA minimum before the next change to shorten the wait."
[rule.docs]
what = "Reports, in live mode only, a record that the resolver does not return yet although the zone's own authoritative servers already serve it."
why = """
A record published a moment ago is invisible to every resolver that cached the earlier "no such record" answer, until that negative answer expires (RFC 2308: at most the smaller of the SOA minimum field and the SOA record's TTL). sendlint asks the zone's authoritative servers (the NS names at the apex, resolved to addresses) to tell "not published at all" (`<role>.missing`) from "published, but caches still hold the old answer" (this note); not when the server it asks is itself one of them, since its answer is the published one. The badge stays Pending: nothing is wrong, and nothing needs fixing."""
example = """
$ dig +short TXT sf1._domainkey.mail.acme.com            # resolver: nothing yet
$ dig +short TXT sf1._domainkey.mail.acme.com @ns1.dns.com
"p=MIIBIjANBgkqhkiG9w0BAQEFAAOC…" "…IDAQAB"

acme.com.  3600  SOA  ns1.dns.com. hostmaster.acme.com. 1 7200 900 1209600 300
→ resolvers may cache the old answer for up to 300 s."""
references = ["RFC 2308 §5 (negative caching)", "RFC 1035 §3.3.13 (SOA MINIMUM)"]

[[rule]]
code = "dns.stale-cache"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "info"
when = "stale"
message = "{name} was changed on the zone's own servers ({authoritative_servers}), but the resolver still returns the previous value; the value judged here is the published one"
help = "If the published value is right (any other finding on this record is about it), there is nothing to change: resolvers may keep serving the previous value for up to {cached_ttl} more seconds, and SES reads through resolvers too. The record is published with a TTL of {published_ttl} seconds: lower it before the next change to shorten the wait."
[rule.docs]
what = "Reports, in live mode only, a record whose value on the zone's authoritative servers differs from what the resolver returns."
why = """
A changed record is not changed for the world until every resolver's cached copy expires, up to the TTL the old record was published with. Support engineers otherwise see the old value in `dig`, tell the customer to fix a record they already fixed, and the customer edits it again. sendlint asks the zone's authoritative servers (the NS names at the apex, resolved to addresses); when they publish a different value, it judges the published value and says how long caches may lag. It asks only about a value the rules judge wrong (a correct value needs no second opinion), and never when the server it asks is itself one of the zone's servers (there is no cache to lag)."""
example = """
$ dig +short TXT send.mail.acme.com                    # resolver: the old value
"v=spf1 include:_spf.google.com ~all"
$ dig +short TXT send.mail.acme.com @ns1.dns.com       # the zone's server: fixed
"v=spf1 include:amazonses.com ~all"
→ judged: the fixed value; resolvers may serve the old one for the TTL they have left."""
references = ["RFC 1035 §3.2.1 (TTL)", "RFC 2181 §8"]

[[rule]]
code = "dns.server-differs"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "error"
when = "server_differs"
suppresses = ["mx.missing", "spf.missing", "dkim.missing", "dmarc.missing"]
message = "the zone's name servers disagree: the copy on {differing_servers}{?serials_differ} (zone serial {differing_serial}){/?} is not the one on {agreeing_servers}{?serials_differ} (zone serial {agreeing_serial}){/?}"
help = "At {name}, the copy on {differing_servers} holds {?differing_records != \"\"}{differing_records}{:}no record{/?}, the copy on {agreeing_servers} holds {?agreeing_records != \"\"}{agreeing_records}{:}no record{/?}. SES's resolvers, like every resolver, ask one of the zone's servers at random, so SES sees one copy or the other and verification flaps, and receivers fail their checks whenever they ask the server with the wrong copy. {?serials_differ}The older copy is a server that has not transferred the zone since it changed: check at {provider} that every name server listed for {zone} receives the zone from the primary (NOTIFY and zone transfers, RFC 1996), or remove the server that no longer follows it from the zone's NS records and from the delegation at the registrar.{:}The copies are not told apart by their serials (the same or unknown), so the servers are not copies of one primary (two DNS hosts listed at once, or a host whose servers fell out of sync): make every server listed in the NS records of {zone} serve the same records, or remove the ones that should not be listed, in the zone and at the registrar.{/?}"
[rule.docs]
what = "Reports, in live mode only, a record that the zone's authoritative servers do not all serve alike: asked one by one (every address of every NS name at the apex, without recursion), one server serves another value, or none. Names the servers on each side, what each serves, and both SOA serials when they differ."
why = """
Every resolver, SES's included, picks one of the zone's name servers for each question (RFC 1034 §4.3.2; resolvers spread their questions over the servers and prefer the fastest), so a record that one server lacks or holds with an old value is seen some of the time: SES's verification flaps between found and not found (and after 72 hours of not finding it, fails), and receivers fail DKIM and SPF checks whenever their resolver asks the stale server. RFC 1034 §4.2.1 requires every server of a zone to hold the same copy: secondaries follow the primary by its SOA serial (compared in RFC 1982 serial arithmetic) when it NOTIFYs them (RFC 1996) or at each SOA refresh. A secondary whose serial stays behind has stopped transferring the zone (a transfer refused, an ACL, a primary it no longer reaches, a server left over from a previous DNS host). Right after a change, a secondary may lag for seconds (NOTIFY) to the SOA refresh interval (without it): a lag that persists is the fault. This is an error because what SES sees depends on which server answers: the record's badge is Failed until every server serves the same copy. sendlint asks each record once per server address, in parallel; the address of the resolver it asks already is not asked again (its answer stands for that server), and nothing is said when no server answered at all (the network between sendlint and the servers may be the one that fails)."""
example = """
$ dig +norec +short TXT sf1._domainkey.mail.acme.com @ns1.dns.com   # 192.0.2.1
"p=MIIBIjANBgkqhkiG9w0BAQEFAAOC…"
$ dig +norec +short TXT sf1._domainkey.mail.acme.com @ns2.dns.com   # 192.0.2.2: nothing
$ dig +norec +short SOA acme.com @ns1.dns.com   → … 2026112402 …
$ dig +norec +short SOA acme.com @ns2.dns.com   → … 2026112401 …

Fixed: ns2.dns.com transfers the zone again and serves serial 2026112402."""
references = ["RFC 1034 §4.2.1", "RFC 1034 §4.3.2", "RFC 1982 (serial number arithmetic)", "RFC 1996 (NOTIFY)"]

[[rule]]
code = "dns.server-unreachable"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "warning"
when = 'unreachable_servers != ""'
message = "no answer from {unreachable_servers}, listed in the NS records of {zone}; {answering_servers} answered"
help = "Resolvers, SES's included, that pick a silent server wait for it to time out before they ask another, so every lookup that picks it is slow, and one that gives up first sees no record at all. Check that the server is running and that the address is right in the zone's NS and glue records (at the apex and at the registrar), or remove it from the NS records and from the delegation at the registrar. If other networks get an answer (`dig +norec SOA <zone> @<address>`), a firewall between sendlint and the server may be what failed."
[rule.docs]
what = "Reports, in live mode only, an authoritative server of the zone (an address of an NS name at the apex) that gives no answer at all to the record's question (a timeout, an exchange that broke off) while another server of the zone answers it: one diagnosis naming every record it was asked for."
why = """
A resolver spreads its questions over every server of the zone (RFC 1034 §4.3.2) and waits for a silent one to time out before it tries the next: lookups get slow, and a resolver with a tight deadline, or one that reaches only the silent server, answers SERVFAIL, which SES reports as a DNS server error and counts against verification. RFC 8499 §7 counts a listed server that does not answer among the lame delegations. Only servers the zone lists in its apex NS records are asked, each address once per run: an address that timed out is not asked again in the same run (its later questions are reported as not answered without waiting again). Nothing is said when no server of the zone answered, since sendlint's own network may then be the one failing."""
example = """
$ dig +norec SOA acme.com @ns3.dns.com     # 192.0.2.3
;; connection timed out; no servers could be reached

Fixed: ns3.dns.com removed from the NS records of acme.com and from the delegation at the registrar."""
references = ["RFC 1034 §4.3.2", "RFC 8499 §7 (lame delegation)"]

[[rule]]
code = "dns.lame-server"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "warning"
when = 'lame_servers != ""'
message = "{lame_servers}: listed in the NS records of {zone}, but not serving the zone; {answering_servers} answered for it"
help = "This is a lame delegation: resolvers, SES's included, that pick this server get no usable answer and must ask another, so lookups are slower, and fail when the other servers are slow or down. Either make the server serve the zone (set it up as a secondary of the zone at {provider}, or fix the zone's configuration on it), or remove it from the zone's NS records and from the delegation at the registrar."
[rule.docs]
what = "Reports, in live mode only, an authoritative server of the zone (an address of an NS name at the apex) that answers, but not for the zone: REFUSED, SERVFAIL, a referral elsewhere instead of the records, or an answer without the authoritative (AA) flag, while another server of the zone answers. One diagnosis naming every record it was asked for."
why = """
RFC 8499 §7 calls a server that is listed for a zone but does not serve it a lame delegation. A resolver that asks it gets nothing it can use (RFC 1034 §4.3.2: only an authoritative answer, or a referral closer to the name, is progress; RFC 1035 §4.1.1: the AA flag marks an authoritative answer), marks the server bad and asks another one: lookups are slower, and when the other servers fail too, SES sees SERVFAIL (a DNS server error) instead of the records. Typical causes: a DNS host that was left, still listed at the registrar; a secondary whose copy of the zone expired (SERVFAIL); a server that holds the parent zone only (a referral)."""
example = """
$ dig +norec SOA acme.com @ns2.old-host.net     # 198.51.100.2
;; ->>HEADER<<- opcode: QUERY, status: REFUSED

Fixed: ns2.old-host.net removed from the NS records of acme.com and from the delegation at the registrar."""
references = ["RFC 8499 §7 (lame delegation)", "RFC 1034 §4.3.2", "RFC 1035 §4.1.1 (AA)"]
"#),
},
RuleSource {
    name: Text::Borrowed("rules/core/dnssec.toml"),
    text: Text::Borrowed(r#"# DNSSEC, as a validating resolver (SES's among them) sees each record: the chain from a trust
# anchor (the root, or --trust-anchor) down to the record must validate, or the resolver answers
# SERVFAIL and SES cannot see the record, however right it is. Secure and insecure (unsigned) are
# silent; a chain that was not validated says so (info). A fault of the zone (its DS, its DNSKEY
# set) is worded per zone, so the four records share one diagnosis.

[[rule]]
code = "dnssec.signature-expired"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "error"
when = 'dnssec_fault == "signature-expired"'
message = "the DNSSEC signature over {dnssec_rrset} (key tag {dnssec_key_tag}, signer {dnssec_signer}) expired at {dnssec_time}: validating resolvers, SES's among them, answer SERVFAIL"
help = "The zone {dnssec_signer} is no longer being re-signed. At the DNS host that serves it, re-sign the zone (or turn its DNSSEC signing back on) so that every RRSIG is renewed before it expires; if the zone has moved to a host that does not sign it, remove the DS records of {dnssec_signer} at the registrar instead. Until then every validating resolver fails the lookup, and SES cannot verify the domain."
[rule.docs]
what = "Reports that every RRSIG over an RRset the record depends on (the record itself, or the zone's DNSKEY set, or a parent's DS) is past its expiration time, judged at the check's \"now\"."
why = """
A validating resolver accepts an RRset only with a signature whose validity interval contains the current time (RFC 4035 §5.3.1, with the serial-number arithmetic of RFC 4034 §3.1.5 and RFC 1982). Signatures carry an expiration date so that a zone must be re-signed regularly; when signing stops (a signer or cron job broken, DNSSEC "turned off" at a host that left the old signed data in place, a zone copied to a new host together with its signatures), the signatures run out and every validating resolver answers SERVFAIL for the names of the zone. SES's resolvers validate: the records become invisible to SES, so verification fails or never completes, while `dig` without `+dnssec` through a non-validating resolver still shows them. The RRset named is where the chain breaks: `DNSKEY <zone>` means the whole zone is affected (one diagnosis for every record), a record's own RRset only that record."""
example = """
send.mail.acme.com.  300  MX     10 feedback-smtp.us-east-1.amazonses.com.
send.mail.acme.com.  300  RRSIG  MX 13 4 300 20261101000000 20260901000000 40761 acme.com. …
                                             ^ expired 2026-11-01

Fixed: the zone re-signed: RRSIG … 20270101000000 20261201000000 …"""
references = ["RFC 4035 §5.3.1", "RFC 4034 §3.1.5", "RFC 1982 (serial number arithmetic)", "RFC 6781 §4.4.2 (signature validity periods)"]

[[rule]]
code = "dnssec.signature-not-yet-valid"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "error"
when = 'dnssec_fault == "signature-not-yet-valid"'
message = "the DNSSEC signature over {dnssec_rrset} (key tag {dnssec_key_tag}, signer {dnssec_signer}) is valid only from {dnssec_time}: validating resolvers, SES's among them, answer SERVFAIL until then"
help = "The signer of {dnssec_signer} dates its signatures in the future (its clock is ahead, or the inception time was set by hand). Re-sign the zone at the DNS host with an inception time in the past (signers usually backdate it by an hour); until then every validating resolver fails the lookup, and SES cannot verify the domain."
[rule.docs]
what = "Reports that every RRSIG over an RRset the record depends on has an inception time later than the check's \"now\"."
why = """
A signature is valid only between its inception and its expiration (RFC 4035 §5.3.1). A signer whose clock runs ahead, or a zone signed with a start date in the future, publishes signatures no validating resolver accepts yet: every lookup fails with SERVFAIL until that time comes."""
example = """
send.mail.acme.com.  300  RRSIG  MX 13 4 300 20270101000000 20261201000000 40761 acme.com. …
                                                            ^ valid only from 2026-12-01"""
references = ["RFC 4035 §5.3.1", "RFC 4034 §3.1.5"]

[[rule]]
code = "dnssec.bad-signature"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "error"
when = 'dnssec_fault == "bad-signature"'
message = "the DNSSEC signature over {dnssec_rrset} (key tag {dnssec_key_tag}, signer {dnssec_signer}) does not verify: the data was changed after signing, so validating resolvers, SES's among them, answer SERVFAIL"
help = "The RRset {dnssec_rrset} was edited without being re-signed (a zone file changed by hand after dnssec-signzone, or a secondary serving other data than its primary signed). Re-sign the zone at the DNS host that signs it, or make every name server serve the signed zone as it was signed."
[rule.docs]
what = "Reports an RRset whose RRSIGs name a key the zone serves and are within their validity period, but whose signature does not verify over the data served."
why = """
The signature covers the canonical form of every record of the RRset (RFC 4034 §3.1.8.1, §6.2, §6.3); a single changed byte (a TXT edited after signing, an MX priority changed on one server) makes it fail. A validating resolver then treats the data as bogus and answers SERVFAIL (RFC 4035 §5.3.3), so SES cannot see the record at all."""
example = """
send.mail.acme.com.  TXT    "v=spf1 include:amazonses.com -all"   ← edited after signing
send.mail.acme.com.  RRSIG  TXT 13 4 300 … 40761 acme.com. (signed over "…~all")"""
references = ["RFC 4035 §5.3.3", "RFC 4034 §3.1.8.1", "RFC 4034 §6.2"]

[[rule]]
code = "dnssec.signing-key-missing"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "error"
when = 'dnssec_fault == "signing-key-missing"'
message = "{dnssec_rrset} is signed with key tag {dnssec_key_tag} by {dnssec_signer}, but {dnssec_signer} serves no such DNSKEY (it serves: {dnssec_keys}): validating resolvers, SES's among them, answer SERVFAIL"
help = "The zone {dnssec_signer} was signed with a key it no longer publishes (a key rollover that removed the old key too early, or a zone copied to a host with other keys). At the DNS host, re-sign the zone with its current keys, or publish the key again until every old signature has expired."
[rule.docs]
what = "Reports an RRset whose every RRSIG names a key (tag and algorithm) that the signer's DNSKEY set does not hold."
why = """
A validator checks a signature only with a DNSKEY of the signer's zone whose key tag and algorithm match (RFC 4035 §5.3.1). When the key that made the signatures is gone from the DNSKEY set, no signature can be checked and the data is bogus: resolvers answer SERVFAIL. Key rollovers must keep the old key published until the old signatures have expired from caches (RFC 6781 §4.1)."""
example = """
acme.com.            DNSKEY 256 3 13 …   ; key tag 2371
send.mail.acme.com.  RRSIG  MX 13 4 300 … 40761 acme.com. …   ← key 40761 is gone"""
references = ["RFC 4035 §5.3.1", "RFC 6781 §4.1"]

[[rule]]
code = "dnssec.ds-matches-no-key"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "error"
when = 'dnssec_fault == "ds-matches-no-key"'
message = "the DS records for {dnssec_zone} ({dnssec_ds}) match no DNSKEY that {dnssec_zone} serves (it serves: {dnssec_keys}): validating resolvers, SES's among them, answer SERVFAIL for every name in {dnssec_zone}"
help = "The registrar still publishes DS records for a key {dnssec_zone} no longer has, which typically happens after moving the zone to another DNS host. Either remove the DS records of {dnssec_zone} at the registrar (the zone then resolves unsigned), or turn DNSSEC on at the current DNS host and replace the DS at the registrar with the one that host shows. Resolvers may keep the old DS for its TTL after the change."
[rule.docs]
what = "Reports that the DS RRset at the parent zone (the registrar's, for a registered domain) matches none of the zone's DNSKEYs (key tag, algorithm and digest compared), or that the zone serves no DNSKEY at all, or that the DNSKEY set is not signed by a key the DS names. A trust anchor given with --trust-anchor that matches no key is reported the same way."
why = """
A DS record at the parent says "this zone is signed, with this key" (RFC 4034 §5). A validating resolver follows it: if no DNSKEY of the zone matches a DS with an algorithm it supports, or the DNSKEY set is not signed by such a key, the zone is bogus and every name in it gets SERVFAIL (RFC 4035 §5.2). The classic cause is a move to another DNS host: the new host serves the zone unsigned (or signs it with its own keys) while the registrar still holds the old host's DS. All four records of the zone are affected: one diagnosis names them all."""
example = """
acme.com.  DS      40761 13 2 3F5A…   (at the registrar: the old host's key)
acme.com.  DNSKEY  257 3 13 …          ; key tag 2371 (the new host's key)

Fixed: the DS removed at the registrar, or replaced by the new host's DS for key 2371."""
references = ["RFC 4035 §5.2", "RFC 4034 §5", "RFC 6840 §5.2", "RFC 7583 (key rollover timing)"]

[[rule]]
code = "dnssec.unsigned-rrset"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "error"
when = 'dnssec_fault == "unsigned-rrset"'
message = "{dnssec_rrset} carries no RRSIG, although {dnssec_zone} is signed (its parent publishes a DS): validating resolvers, SES's among them, answer SERVFAIL"
help = "The record was added to the signed zone {dnssec_zone} without being signed (edited into the zone file after signing, or added at a server that does not sign). Re-sign the zone at the DNS host (a host that signs automatically signs records added through it), or serve the signed zone from every name server."
[rule.docs]
what = "Reports an RRset of a signed zone (a zone whose DS and DNSKEY validate) that is served without any RRSIG."
why = """
In a signed zone every authoritative RRset must carry at least one RRSIG (RFC 4035 §2.2). A validating resolver that gets an RRset without a signature from a zone it knows to be signed cannot tell it from forged data and answers SERVFAIL (RFC 4035 §5.3, §4.3). This is what happens when a record is added to a signed zone file by hand after signing, or on a secondary that serves an unsigned copy."""
example = """
send.mail.acme.com.  300  MX  10 feedback-smtp.us-east-1.amazonses.com.
                          (no RRSIG MX)"""
references = ["RFC 4035 §2.2", "RFC 4035 §5.3"]

[[rule]]
code = "dnssec.unproven-denial"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "error"
when = 'dnssec_fault == "unproven-denial"'
message = "{dnssec_zone} is signed, but its \"no such record\" answer for {dnssec_rrset} carries no NSEC or NSEC3 proof: validating resolvers, SES's among them, answer SERVFAIL instead of \"not found\""
help = "The name servers of {dnssec_zone} answer negative questions without the signed NSEC/NSEC3 records that prove the denial (an unsigned secondary, or a zone whose NSEC chain was removed). Re-sign the zone at the DNS host, with NSEC or NSEC3, and serve the signed zone from every name server."
[rule.docs]
what = "Reports a negative answer (NXDOMAIN or NODATA) from a signed zone that holds no NSEC or NSEC3 record. The proof's signatures are verified when present; that it covers the name exactly is not checked."
why = """
In a signed zone a resolver believes "no such record" only with signed NSEC or NSEC3 records proving it (RFC 4035 §3.1.3, §5.4; RFC 5155 §8). Without them the answer is bogus and resolvers return SERVFAIL: a record that is simply absent (DMARC, say) turns into a lookup failure for SES and receivers alike."""
example = """
_dmarc.mail.acme.com.  TXT  → NOERROR, no records, no NSEC in the authority section"""
references = ["RFC 4035 §5.4", "RFC 4035 §3.1.3", "RFC 5155 §8"]

[[rule]]
code = "dnssec.not-validated"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "info"
when = 'dnssec_state == "not-validated"'
message = "DNSSEC was not validated: {dnssec_reason}"
help = "Nothing is claimed about DNSSEC here, neither secure nor broken. To validate, check live (the root trust anchor is built in), or give the anchor of the zone or of a loaded parent zone with --trust-anchor FILE (DS or DNSKEY records in zone-file form, e.g. what `dnssec-dsfromkey` prints)."
[rule.docs]
what = "Notes that the DNSSEC chain of the record could not be validated, and why: no trust anchor reaches the zone (a signed zone file whose parent is not loaded, an anchor file for other zones), the DNS source gives no signatures (a recording), a question of the chain failed, or only algorithms sendlint cannot check are used."
why = """
A verdict claims only what was compared. A signed zone that was not validated may still be bogus for SES's validating resolvers, so sendlint says that it did not look rather than staying silent as it does for a secure or an unsigned zone (RFC 4035 §4.3: without a trust anchor data is indeterminate, not secure)."""
example = """
$ sendlint check mail.acme.test -s sf1 --zone acme.test.zone
info dnssec.not-validated: DNSSEC was not validated: acme.test is signed, but no trust anchor reaches it …

$ sendlint check mail.acme.test -s sf1 --zone zones/ --trust-anchor test.anchor"""
references = ["RFC 4035 §4.3", "RFC 4033 §3", "RFC 7958 (root trust anchors)"]
"#),
},
RuleSource {
    name: Text::Borrowed("rules/core/domain.toml"),
    text: Text::Borrowed(r#"# Findings about the sending domain as a whole.

[[rule]]
code = "domain.apex-sending"
role = "domain"
severity = "warning"
when = "is_apex"
message = "{domain} is the zone apex: mail is sent from the organization's main domain rather than a dedicated subdomain"
help = "Verify a subdomain such as `mail.{domain}` or `news.{domain}` in SES and send from addresses on it. Keep the apex for people's mailboxes."
[rule.docs]
what = "Warns when the sending domain is the zone apex (e.g. `acme.com`) instead of a subdomain (e.g. `mail.acme.com`)."
why = """
Mailbox providers keep reputation per domain. Bulk or transactional mail from a dedicated subdomain builds its own reputation, so a complaint spike from one campaign does not push the company's everyday mail into spam folders. A subdomain also lets you tighten DMARC on the apex independently, and keeps SES's MX, SPF and DKIM records away from the records of the corporate mail system (a second SPF record at the apex, for example, breaks both)."""
example = """
Sending domain: acme.com            (apex)
Better:         mail.acme.com       (From: news@mail.acme.com)"""
references = ["https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html", "https://www.m3aawg.org/sites/default/files/m3aawg-sending-domains-bcp-2022-08.pdf"]

[[rule]]
code = "sender.from-not-on-domain"
role = "domain"
severity = "warning"
when = "off_domain_from_count > 0"
message = "From address not on {domain}: {off_domain_from}"
help = "Send from addresses @{domain} only, or verify the other domain in SES with its own DKIM key. Mail From an address outside {domain} is not DKIM-aligned with this domain, so it fails DMARC."
[rule.docs]
what = "Warns when a sender profile lists a From address whose domain is not the verified sending domain."
why = """
SES signs with DKIM for the verified domain (`d=mail.acme.com`) and uses its MAIL FROM subdomain for SPF. DMARC passes only when one of those domains aligns with the domain of the From header. A From address on another domain aligns with neither: DMARC fails (and with `p=quarantine`/`reject` on that domain the mail is junked or refused), and Gmail shows the message as sent "via amazonses.com". SES also refuses to send From an identity that is not verified."""
example = """
Sending domain: mail.acme.com
From: billing@acme-payments.com      (not aligned)
From: billing@mail.acme.com          (aligned)"""
references = ["RFC 7489 §3.1", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dmarc.html"]
"#),
},
RuleSource {
    name: Text::Borrowed("rules/core/mx.toml"),
    text: Text::Borrowed(r#"# The MX record at the MAIL FROM name (role spf_mx): `10 feedback-smtp.<region>.amazonses.com`.
# Misplaced records (doubled suffix, priority in the host) are reported instead of `mx.missing`;
# a value mangled by the form is reported instead of `mx.wrong-target`.

[[rule]]
code = "mx.missing"
role = "spf_mx"
severity = "error"
when = "absent && !doubled_suffix && !priority_in_host"
message = "no MX record at {name}"
help = "Add an MX record with host `{name}`, priority `10` and value `{expected_exchange}`. SES uses this MAIL FROM domain for bounces and complaints and will not enable it without the MX."
[rule.docs]
what = "Reports that the MAIL FROM name has no MX record."
why = """
SES only uses a custom MAIL FROM domain once it finds an MX record pointing at its feedback endpoint for the region. Without it the MAIL FROM setup stays pending and then fails, and SES falls back to `amazonses.com` as the envelope sender, so SPF no longer aligns with your domain for DMARC."""
example = """
send.mail.acme.com.  MX  (none)

Fixed:
send.mail.acme.com.  MX  10 feedback-smtp.us-east-1.amazonses.com."""
references = ["https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"]

[[rule]]
code = "mx.doubled-suffix"
role = "spf_mx"
severity = "error"
when = "doubled_suffix"
message = "the MX record is at {misplaced_name} instead of {name}: the DNS host appended {zone} to a name that already ended with it"
help = "Edit the record's host field and enter only the part of {name} before `.{zone}`; your DNS host adds `.{zone}` itself."
[rule.docs]
what = "Reports an MX record published at `<MAIL FROM>.<zone>`, e.g. `send.mail.acme.com.acme.com`."
why = """
Most DNS hosts treat the host field as relative to the zone and append the zone to whatever is typed. Pasting the full name therefore creates the record one zone too deep, where SES never looks. The expected name stays empty, so verification fails even though the record "is there"."""
example = """
send.mail.acme.com.acme.com.  MX  10 feedback-smtp.us-east-1.amazonses.com.

Fixed (host field: send.mail):
send.mail.acme.com.           MX  10 feedback-smtp.us-east-1.amazonses.com."""
references = ["RFC 1035 §5.1", "https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"]

[[rule]]
code = "mx.priority-in-host"
role = "spf_mx"
severity = "error"
when = "priority_in_host"
message = "the MX record is at {misplaced_name} instead of {name}: the priority was typed into the host field"
help = "Delete that record and add it again with host `{name}`, `10` in the separate priority field, and value `{expected_exchange}`."
[rule.docs]
what = "Reports an MX record published at `<priority>.<MAIL FROM>`, e.g. `10.send.mail.acme.com`."
why = """
The SES console shows the MX value as `10 feedback-smtp…`. Copying the `10` into the host field of a DNS form creates the record at a name that starts with `10.`, and the MAIL FROM name itself stays without an MX."""
example = """
10.send.mail.acme.com.  MX  10 feedback-smtp.us-east-1.amazonses.com.

Fixed:
send.mail.acme.com.     MX  10 feedback-smtp.us-east-1.amazonses.com."""
references = ["https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"]


[[rule]]
code = "mx.wrong-name"
role = "spf_mx"
severity = "error"
when = "wrong_name"
message = "this MX record is at {misplaced_name}, but SES looks for the MAIL FROM MX at {name}"
help = "Add the MX record at {name} (priority 10, value `{expected_exchange|feedback-smtp.<region>.amazonses.com}`); the one at {misplaced_name} is not used for this domain."
[rule.docs]
what = "Reports, for a record pasted into `sendlint explain` with its name, an MX record whose name is not the MAIL FROM name of the domain (another domain, or the name of another record)."
why = """
SES reads the MX record at exactly the MAIL FROM domain it was given. A correct value at any other name leaves the MAIL FROM name without an MX, and SES's MAIL FROM setup fails. `check` never meets this fault (it looks only at the expected names and the known misplacements); a record pasted from a ticket can be from anywhere."""
example = """
bounce.other.com.     MX  10 feedback-smtp.us-east-1.amazonses.com.   (domain mail.acme.com)

Fixed:
send.mail.acme.com.   MX  10 feedback-smtp.us-east-1.amazonses.com."""
references = ["https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"]

[[rule]]
code = "mx.priority-in-value"
role = "spf_mx"
severity = "error"
when = "priority_in_value"
suppresses = ["mx.wrong-target", "mx.target-suffix-appended"]
message = "the MX exchange `{exchange}` starts with the priority: the priority was typed into the value field{?target_region != \"\" && region != \"\" && target_region != region}, and it names SES region {target_region} while this domain is set up in {region}{/?}"
help = "Set the value to `{expected_exchange}` alone and put `10` in the separate priority field."
labels = [{ span = "priority_in_value_span", text = "priority typed into the value" }]
[rule.docs]
what = "Reports an MX exchange that holds the priority, e.g. `10 feedback-smtp.us-east-1.amazonses.com` typed into the value field of a form that has its own priority field."
why = """
The form stores its own priority and takes the whole typed text as the mail exchanger's name, so the MX points at a host literally named `10\\ feedback-smtp…` (or `10.feedback-smtp…`). That host does not exist and SES does not recognise its endpoint."""
example = """
send.mail.acme.com.  MX  10 10\\032feedback-smtp.us-east-1.amazonses.com.

Fixed (priority field: 10):
send.mail.acme.com.  MX  10 feedback-smtp.us-east-1.amazonses.com."""
references = ["RFC 1035 §3.3.9"]

[[rule]]
code = "mx.target-suffix-appended"
role = "spf_mx"
severity = "error"
when = "target_suffix_appended && !priority_in_value"
suppresses = ["mx.wrong-target"]
message = "the MX points at {exchange}: the DNS host treated {expected_exchange} as relative and appended the zone"
help = "Enter the value as `{expected_exchange}.` with a trailing dot, so your DNS host does not append `.{zone}`."
labels = [{ span = "target_suffix_span", text = "appended by the DNS host" }]
[rule.docs]
what = "Reports an MX exchange that is the SES endpoint with the customer's zone appended, e.g. `feedback-smtp.us-east-1.amazonses.com.acme.com`."
why = """
In zone files and in many DNS forms a name without a trailing dot is relative to the zone. The record then points at a host inside your own zone that does not exist, so SES's check of the MX fails."""
example = """
send.mail.acme.com.  MX  10 feedback-smtp.us-east-1.amazonses.com.acme.com.

Fixed:
send.mail.acme.com.  MX  10 feedback-smtp.us-east-1.amazonses.com."""
references = ["RFC 1035 §5.1"]

[[rule]]
code = "mx.wrong-target"
role = "spf_mx"
severity = "error"
when = "found && !exchange_correct && !priority_in_value && !target_suffix_appended"
message = "the MX points at {exchange}{?region != \"\"}, but this domain is set up in SES region {region}, which expects {expected_exchange}{:}, not at an SES feedback endpoint `feedback-smtp.<region>.amazonses.com`{/?}"
help = "Change the MX value to `{expected_exchange}` (priority 10). The feedback endpoint must be the one of the region where the domain is verified in SES."
labels = [{ span = "exchange_span", text = "expected {expected_exchange}" }]
[rule.docs]
what = "Reports an MX at the MAIL FROM name that points anywhere other than `feedback-smtp.<region>.amazonses.com` for the domain's SES region, including the endpoint of another region."
why = """
SES checks that the MAIL FROM MX points at the feedback endpoint of the region the identity lives in. An endpoint of another region (a setup copied from a different AWS region) or the organization's own mail servers does not count, so the MAIL FROM domain never verifies."""
example = """
send.mail.acme.com.  MX  10 feedback-smtp.eu-west-1.amazonses.com.   (domain is in us-east-1)

Fixed:
send.mail.acme.com.  MX  10 feedback-smtp.us-east-1.amazonses.com."""
references = ["https://docs.aws.amazon.com/ses/latest/dg/mail-from.html", "https://docs.aws.amazon.com/general/latest/gr/ses.html"]

[[rule]]
code = "mx.extra-records"
role = "spf_mx"
severity = "error"
when = "record_count > 1"
message = "{record_count} MX records at {name}; SES requires exactly one"
help = "Delete every MX record at {name} except `10 {expected_exchange}`. The MAIL FROM name is used only by SES: it should not list your own mail servers."
[rule.docs]
what = "Reports more than one MX record at the MAIL FROM name."
why = """
SES only accepts a custom MAIL FROM domain whose MX set is exactly its feedback endpoint. Extra exchanges, often inherited from a wildcard or copied from the apex, make the MAIL FROM setup fail, and bounces could be delivered to servers that do not process them."""
example = """
send.mail.acme.com.  MX  10 feedback-smtp.us-east-1.amazonses.com.
send.mail.acme.com.  MX  20 mx.acme-mail.net.

Fixed:
send.mail.acme.com.  MX  10 feedback-smtp.us-east-1.amazonses.com."""
references = ["https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"]
"#),
},
RuleSource {
    name: Text::Borrowed("rules/core/ses.toml"),
    text: Text::Borrowed(r#"# What SES says, next to what DNS shows. Facts: `ses_*` (from `--ses`, `--ses-state FILE` or the
# manifest's `ses` block), and `dns_state` / `badge` / `badge_note`, which the engine sets after the
# badge state machine (docs/badges.md) has decided; they are unset while the DNS rules run, so the
# rules below never fire on the first pass.

# ---- the notes of the badge state machine ----

[[rule]]
code = "ses.temporary-failure"
roles = ["spf_mx", "spf_txt", "dkim"]
severity = "warning"
when = 'badge_note == "ses.temporary-failure"'
message = "SES reports TEMPORARY_FAILURE for {name}: it is rechecking a record it had verified"
help = "Make sure {name} keeps serving `{expected}` from every nameserver of {zone}. SES retries on its own for about 72 hours; if it still cannot see the record then, it turns to FAILED and stops sending (or DKIM signing) for {domain}."
[rule.docs]
what = "Reports that SES's status for the record's group (MAIL FROM for `spf_mx`/`spf_txt`, DKIM for `dkim`) is `TEMPORARY_FAILURE`."
why = """
SES rechecks verified identities. When a recheck cannot find a record it had verified, SES sets TEMPORARY_FAILURE and keeps trying for about 72 hours before giving up (FAILED). The badge is Verifying when DNS is correct now (usually a brief outage, a nameserver serving an old zone, or a record that was restored) and Pending when the record is gone."""
example = """
aws sesv2 get-email-identity … → "DkimAttributes": {"Status": "TEMPORARY_FAILURE"}
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…"    (served again: SES will pass at its next check)"""
references = ["https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html", "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_DkimAttributes.html"]

[[rule]]
code = "ses.verification-failed"
roles = ["spf_mx", "spf_txt", "dkim"]
severity = "error"
when = 'badge_note == "ses.verification-failed"'
message = "SES gave up verifying {name} (FAILED){?dns_state == \"not_compared\"}; DNS serves a well-formed key there, not compared with the key given to SES{:}, although DNS serves the correct record now{/?}"
help = "{?dns_state == \"not_compared\"}First make sure the key published at {name} is the public half of the private key given to SES (see `dkim.key-not-compared`). Then restart{:}Restart{/?} verification: for DKIM, re-save the BYODKIM settings of {domain} (SES console → Identities → {domain} → Authentication → Edit, or `aws sesv2 put-email-identity-dkim-signing-attributes` with the same selector and private key); for MAIL FROM, set the MAIL FROM domain {mail_from} again (`aws sesv2 put-email-identity-mail-from-attributes`). SES then checks DNS anew."
[rule.docs]
what = "Reports a record that is correct in DNS now while SES's status for it is `FAILED`."
why = """
SES checks a new record for 72 hours. If it could not see the record in that window (it was added late, misspelled at first, or served by a nameserver that was not updated), SES stops trying and the status stays FAILED even after DNS is fixed: nothing happens until verification is restarted."""
example = """
DKIM status FAILED, sf1._domainkey.mail.acme.com TXT "p=MIIBIjANBg…" correct now
Fixed: re-save the DKIM signing attributes; the status goes to PENDING, then SUCCESS."""
references = ["https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html", "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_PutEmailIdentityDkimSigningAttributes.html"]

[[rule]]
code = "ses.record-removed"
roles = ["spf_mx", "spf_txt", "dkim"]
severity = "error"
when = 'badge_note == "ses.record-removed"'
suppresses = ["mx.missing", "spf.missing", "dkim.missing"]
message = "SES verified {name} (SUCCESS), but DNS no longer serves it"
help = "Publish the record again at {name}: `{expected}`. Sending works until SES's next check; then SES turns to TEMPORARY_FAILURE and, about 72 hours later, to FAILED, and sending (or DKIM signing) for {domain} stops."
[rule.docs]
what = "Reports a record that SES has verified (`SUCCESS`) and that DNS no longer answers for. Replaces `<role>.missing`."
why = """
A verified record was deleted, or the domain's DNS hosting moved without copying it. Nothing breaks at once, which is why it goes unnoticed: SES rechecks verified identities, and after about 72 hours of not finding the record it disables DKIM signing or the custom MAIL FROM. Restoring the record before then avoids any interruption."""
example = """
DKIM status SUCCESS, sf1._domainkey.mail.acme.com TXT (none)
Fixed: sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…\""""
references = ["https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html"]

# ---- the identity in SES ----

[[rule]]
code = "ses.identity-not-found"
role = "domain"
severity = "error"
when = 'ses_lookup == "not_found"'
message = "SES has no identity {domain}: {ses_lookup_error}"
help = "Create the domain identity in SES in {region} (the same account and region the sending application uses), with Bring-Your-Own-DKIM selector `{selector}` and your private key, then set its MAIL FROM domain to {mail_from}. Until then no badge can be Verified."
[rule.docs]
what = "Reports that `GetEmailIdentity` answered `NotFoundException`: the identity does not exist in that AWS account and region."
why = """
SES identities are per account and per region. The domain may have been created in another region (the DKIM records are the same, the MX target is not), in another account, or deleted. DNS can be perfect and SES will still refuse to send."""
example = """
aws sesv2 get-email-identity --email-identity mail.acme.com --region eu-west-1
→ NotFoundException: Email identity mail.acme.com does not exist."""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetEmailIdentity.html", "https://docs.aws.amazon.com/ses/latest/dg/regions.html"]

[[rule]]
code = "ses.unavailable"
role = "domain"
severity = "error"
when = 'ses_lookup == "failed"'
message = "SES was asked for but could not be read, so sending is not shown as unlocked for {domain}: {ses_lookup_error}"
help = "The badges above are from DNS alone; the verdict waits for SES. If SES was slow or unreachable, run again (or allow more time with `--ses-timeout`); if it refused or found no credentials, check the AWS credentials and region sendlint found through the AWS chain (environment variables, `--profile` or AWS_PROFILE, SSO, a container or instance role) and that they allow `ses:GetEmailIdentity`. Or pass a saved answer with `--ses-state FILE` (`aws sesv2 get-email-identity --email-identity {domain} > FILE`)."
[rule.docs]
what = "Reports that SES could not be asked: bad or expired credentials, access denied, throttling that outlasted the retries, a network error, no answer within the deadline (`--ses-timeout`, 10 s by default; connecting 3 s, the answer's headers 5 s at most), or an answer that could not be read (including a verification status that is not an SESv2 value)."
why = """
A failed SES call says nothing about the domain, so it never hides the DNS findings: the badges fall back to DNS-only (`"ses_consulted": false`). But SES was asked for and not heard, and a verdict claims only what was compared: this error locks sending, so the verdict is "not unlocked" and the exit status 1 (`check`, `watch`, `audit`), whatever DNS shows. A failed call is not bad input, so never 2. A call never hangs: an endpoint that accepts and never answers, or answers a byte at a time, ends at the deadline."""
example = """
SES (us-east-1) answered 403 UnrecognizedClientException: The security token included in the request is invalid (check the AWS credentials and that they allow ses:GetEmailIdentity)
SES (us-east-1) did not answer within 10 s (the deadline of --ses-timeout)"""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/CommonErrors.html", "https://docs.aws.amazon.com/sdkref/latest/guide/environment-variables.html"]

[[rule]]
code = "ses.other-identity"
role = "domain"
severity = "error"
when = 'ses_lookup == "other_identity"'
message = "the SES state given belongs to another identity: its MAIL FROM domain {ses_mail_from_domain} is not under {domain}"
help = "SES only accepts a MAIL FROM domain under the identity itself, so this answer describes another domain and says nothing about {domain}: change no DNS record because of it. Save the state of {domain} (`aws sesv2 get-email-identity --email-identity {domain} > FILE`) and check again with `--ses-state FILE`."
[rule.docs]
what = "Reports an SES answer (usually a saved `--ses-state` file) whose `MailFromAttributes.MailFromDomain` is neither the checked domain nor a name under it."
why = """
SES requires the custom MAIL FROM domain to be a subdomain of the identity, so such an answer is another identity's: a file saved for the wrong domain, or mixed up between customers. Its statuses are not used for any badge (the badges are DNS-only, `"ses_consulted": false`), no other SES finding is drawn from it, and the error locks sending until the right state is given: advice to publish records at someone else's domain would be wrong."""
example = """
sendlint check mail.acme.com --ses-state other.json
other.json: "MailFromAttributes": {"MailFromDomain": "bounce.example.org"}"""
references = ["https://docs.aws.amazon.com/ses/latest/dg/mail-from.html", "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetEmailIdentity.html"]

[[rule]]
code = "ses.byodkim-not-configured"
role = "domain"
severity = "error"
when = 'ses_signing_origin != "" && ses_signing_origin != "EXTERNAL"'
message = "SES signs {domain} with Easy DKIM ({ses_signing_origin}), not with your own key: the TXT record at selector `{selector}` is never checked"
help = "Switch the identity to Bring-Your-Own-DKIM: SES console → Identities → {domain} → Authentication → DKIM → Edit → Provide DKIM authentication token (BYODKIM), selector `{selector}`, your private key; or `aws sesv2 put-email-identity-dkim-signing-attributes --email-identity {domain} --signing-attributes-origin EXTERNAL --signing-attributes DomainSigningSelector={selector},DomainSigningPrivateKey=…`."
[rule.docs]
what = "Reports an identity whose `DkimAttributes.SigningAttributesOrigin` is not `EXTERNAL`: SES uses Easy DKIM (its own keys, published through CNAMEs) rather than your key."
why = """
With Easy DKIM, SES verifies three `<token>._domainkey` CNAMEs and ignores the TXT record at your selector. The BYODKIM record can be perfect and the domain stays unverified (or verified through records nobody meant to publish)."""
example = """
"DkimAttributes": {"SigningAttributesOrigin": "AWS_SES", "Tokens": ["abcd…", "efgh…", "ijkl…"]}
Fixed: "SigningAttributesOrigin": "EXTERNAL", "Tokens": ["sf1"]"""
references = ["https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html", "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_PutEmailIdentityDkimSigningAttributes.html"]

[[rule]]
code = "ses.selector-mismatch"
role = "domain"
severity = "error"
when = 'ses_signing_origin == "EXTERNAL" && ses_tokens != "" && !ses_tokens_have_selector'
message = "SES signs {domain} with selector `{ses_tokens}`, not `{selector}`: SES checks a different DKIM record than this one"
help = "Either publish the public key at `{ses_tokens}._domainkey.{domain}` (and check again with `--selector {ses_tokens}`), or re-save the BYODKIM settings in SES with selector `{selector}`. Keep the old record until SES shows SUCCESS for the new one."
[rule.docs]
what = "Reports a BYODKIM identity whose selector in SES (`DkimAttributes.Tokens`) is not the selector of the setup being checked."
why = """
With BYODKIM, SES looks up `<selector>._domainkey.<domain>` with the selector it was given. A record under any other selector is invisible to SES, however correct it is."""
example = """
"DkimAttributes": {"SigningAttributesOrigin": "EXTERNAL", "Tokens": ["sf2"]}
checked: sf1._domainkey.mail.acme.com"""
references = ["https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]

[[rule]]
code = "ses.mail-from-not-configured"
role = "domain"
severity = "error"
when = 'ses_lookup == "found" && ses_mail_from_domain == ""'
message = "SES has no custom MAIL FROM domain for {domain}: the records at {mail_from} are never checked"
help = "Set the MAIL FROM domain: SES console → Identities → {domain} → Custom MAIL FROM domain → Edit → `{mail_from}`; or `aws sesv2 put-email-identity-mail-from-attributes --email-identity {domain} --mail-from-domain {mail_from} --behavior-on-mx-failure USE_DEFAULT_VALUE`."
[rule.docs]
what = "Reports an identity without `MailFromAttributes.MailFromDomain`."
why = """
Without a custom MAIL FROM, SES sends with an `amazonses.com` envelope sender: SPF passes for amazonses.com, not for your domain, so SPF never aligns with the From domain and DMARC rests on DKIM alone. SES also never verifies the MX and SPF records you published, so their badges cannot become Verified."""
example = """
"MailFromAttributes": {"MailFromDomain": "", "MailFromDomainStatus": "FAILED"}
Fixed: "MailFromDomain": "send.mail.acme.com\""""
references = ["https://docs.aws.amazon.com/ses/latest/dg/mail-from.html", "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_PutEmailIdentityMailFromAttributes.html"]

[[rule]]
code = "ses.mail-from-mismatch"
role = "domain"
severity = "error"
when = 'ses_lookup == "found" && ses_mail_from_domain != "" && ses_mail_from_domain != mail_from'
message = "SES's MAIL FROM domain for {domain} is {ses_mail_from_domain}, not {mail_from}: SES checks the MX and SPF records there"
help = "Either publish the MX and SPF records at {ses_mail_from_domain} (and check again with `--mail-from {ses_mail_from_domain}`), or change the MAIL FROM domain in SES to {mail_from}."
[rule.docs]
what = "Reports an identity whose `MailFromAttributes.MailFromDomain` is not the MAIL FROM domain of the setup being checked."
why = """
SES verifies the MX and SPF TXT records at the MAIL FROM domain it was given. Records at any other name are invisible to it."""
example = """
"MailFromAttributes": {"MailFromDomain": "bounce.mail.acme.com"}
checked: send.mail.acme.com"""
references = ["https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"]

[[rule]]
code = "ses.mx-failure-rejects"
role = "domain"
severity = "error"
when = 'ses_mx_failure_behavior == "REJECT_MESSAGE" && ses_mail_from_domain != "" && ses_mail_from_status != "SUCCESS"'
message = "SES rejects mail from {domain} while its MAIL FROM domain {ses_mail_from_domain} is {ses_mail_from_status} (BehaviorOnMxFailure=REJECT_MESSAGE)"
help = "Until the MAIL FROM domain is verified, set the behavior on MX failure to USE_DEFAULT_VALUE (SES console → Custom MAIL FROM domain → Behavior on MX failure → Use default MAIL FROM domain; or `aws sesv2 put-email-identity-mail-from-attributes --email-identity {domain} --mail-from-domain {ses_mail_from_domain} --behavior-on-mx-failure USE_DEFAULT_VALUE`), so mail goes out with the amazonses.com MAIL FROM instead of failing."
[rule.docs]
what = "Reports `BehaviorOnMxFailure=REJECT_MESSAGE` on an identity whose MAIL FROM domain is not verified."
why = """
With REJECT_MESSAGE, every `SendEmail` fails with `MailFromDomainNotVerified` while SES cannot find the MX record of the MAIL FROM domain. USE_DEFAULT_VALUE falls back to an amazonses.com envelope sender instead: SPF then does not align with the From domain, but mail is delivered (and DKIM carries DMARC)."""
example = """
"MailFromAttributes": {"MailFromDomain": "send.mail.acme.com", "MailFromDomainStatus": "PENDING", "BehaviorOnMxFailure": "REJECT_MESSAGE"}"""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_MailFromAttributes.html", "https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"]

# ---- SES's last check (VerificationInfo), next to what DNS shows now ----

[[rule]]
code = "ses.check-error-resolved"
role = "dkim"
severity = "info"
when = 'ses_error_type != "" && dns_state == "correct"'
message = "SES's last check of {name} ({ses_last_checked}) failed with {ses_error_type}, but DNS serves the correct record now"
help = "Nothing to change in DNS. SES retries on its own while the status is PENDING or TEMPORARY_FAILURE; if it is FAILED, restart verification (see `ses.verification-failed`)."
[rule.docs]
what = "Reports an error from SES's last verification attempt (`VerificationInfo.ErrorType`) for a DKIM record that is correct in DNS now."
why = """
The error is history: the record was fixed (or the outage ended) after SES looked. Saying so keeps support from chasing a problem that is gone, and from telling the customer to change a record that is right."""
example = """
"VerificationInfo": {"ErrorType": "HOST_NOT_FOUND", "LastCheckedTimestamp": 1795600000}
sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…"   (correct now)"""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_VerificationInfo.html"]

[[rule]]
code = "ses.host-not-found"
role = "dkim"
severity = "warning"
when = 'ses_error_type == "HOST_NOT_FOUND" && dns_state in ["absent", "wrong"]'
message = "SES's last check ({ses_last_checked}) found no name {name} (HOST_NOT_FOUND), and DNS still has no correct record there ({dns_state})"
help = "Fix the record as the diagnosis above says; SES needs `{expected}` at exactly {name}. SES saw the zone from {ses_soa}: if that is not where you edit DNS, the domain's delegation points elsewhere."
[rule.docs]
what = "Explains `VerificationInfo.ErrorType = HOST_NOT_FOUND`: SES's resolver got NXDOMAIN for the DKIM name."
why = """
The name does not exist for SES: the record is missing, published one zone too deep (the zone appended twice), under another selector, or in a DNS service that is not the one the domain is delegated to. The SOA that SES saw tells which zone it looked in."""
example = """
"ErrorType": "HOST_NOT_FOUND", "SOARecord": {"PrimaryNameServer": "ns1.old-host.example"}"""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_VerificationInfo.html", "RFC 8020"]

[[rule]]
code = "ses.type-not-found"
role = "dkim"
severity = "warning"
when = 'ses_error_type == "TYPE_NOT_FOUND" && dns_state in ["absent", "wrong"]'
message = "SES's last check ({ses_last_checked}) found {name} but no TXT record there (TYPE_NOT_FOUND), and DNS still has no correct record ({dns_state})"
help = "Add a TXT record (not CNAME, not another type) at {name} with `{expected}`."
[rule.docs]
what = "Explains `VerificationInfo.ErrorType = TYPE_NOT_FOUND`: the DKIM name exists for SES, but holds no record of the type SES needs."
why = """
The name exists (it has other records, or records below it), but no TXT record: typically an Easy DKIM CNAME left in place, or a record created with the wrong type in the DNS form."""
example = """
sf1._domainkey.mail.acme.com.  CNAME  sf1.dkim.amazonses.com.
Fixed: sf1._domainkey.mail.acme.com.  TXT  "p=MIIBIjANBg…\""""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_VerificationInfo.html", "RFC 2308 §2.2"]

[[rule]]
code = "ses.invalid-value"
role = "dkim"
severity = "warning"
when = 'ses_error_type == "INVALID_VALUE" && dns_state in ["absent", "wrong"]'
message = "SES's last check ({ses_last_checked}) found a DKIM record at {name} with a value it does not accept (INVALID_VALUE), and DNS still serves no correct record ({dns_state})"
help = "Replace the value with exactly `{expected}`: no quotes typed into the value, the whole key in one record, the key that matches the private key given to SES."
[rule.docs]
what = "Explains `VerificationInfo.ErrorType = INVALID_VALUE`: SES found a TXT record at the DKIM name, but not the value it expects."
why = """
The public key does not match the private key SES holds, or the value is mangled (quotes, a truncated or split key). The record-level diagnoses above say exactly how."""
example = """
sf1._domainkey.mail.acme.com.  TXT  "\\"p=MIIBIjANBg…\\""   (quotes inside the value)"""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_VerificationInfo.html"]

[[rule]]
code = "ses.dns-server-error"
role = "dkim"
severity = "warning"
when = 'ses_error_type == "DNS_SERVER_ERROR" && dns_state != "correct" && dns_state != "not_compared"'
message = "SES's last check ({ses_last_checked}) could not get an answer for {name} from the zone's nameservers (DNS_SERVER_ERROR); DNS now: {dns_state}"
help = "Make every nameserver of {zone} answer authoritatively for {name} (`dig +norec @<each nameserver> {name} TXT`): a lame delegation, a nameserver that is down or a broken DNSSEC chain makes SES's resolver fail. SES saw the zone from {ses_soa}."
[rule.docs]
what = "Explains `VerificationInfo.ErrorType = DNS_SERVER_ERROR`: SES's resolver got SERVFAIL, a timeout or a refusal."
why = """
The fault is in the zone's servers, not in the record: SES cannot verify what it cannot fetch, however right the record is on the one server you look at."""
example = """
"ErrorType": "DNS_SERVER_ERROR"
dig @ns2.acme.com sf1._domainkey.mail.acme.com TXT → REFUSED"""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_VerificationInfo.html", "RFC 1035 §4.1.1"]

[[rule]]
code = "ses.service-error"
role = "dkim"
severity = "warning"
when = 'ses_error_type == "SERVICE_ERROR" && dns_state != "correct" && dns_state != "not_compared"'
message = "SES's last check ({ses_last_checked}) failed inside SES (SERVICE_ERROR), not because of DNS; DNS now: {dns_state}"
help = "Fix what the record-level diagnoses say, if any; SES retries on its own. If the status stays FAILED with DNS correct, restart verification, and contact AWS Support if it fails again."
[rule.docs]
what = "Explains `VerificationInfo.ErrorType = SERVICE_ERROR`: an internal error of SES during its check."
why = "The error says nothing about the customer's DNS. Reporting it next to what DNS shows now keeps support from blaming the record."
example = """
"ErrorType": "SERVICE_ERROR\""""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_VerificationInfo.html"]

# ---- SES's last look (VerificationInfo.SOARecord), reconciled with the zone's SOA and NS now ----
# Facts set only when SES answered with an SOA for this identity; with anything missing (no
# VerificationInfo, no SOA in it, no zone SOA known) they stay unset and none of these fire.

[[rule]]
code = "ses.saw-other-dns-host"
role = "domain"
severity = "warning"
when = "ses_saw_other_host"
suppresses = ["ses.checked-before-change", "ses.saw-newer-serial"]
message = "SES's last check ({ses_last_checked}) saw the zone of {domain} at another DNS host: primary name server {ses_soa_primary}, serial {ses_soa_serial|unknown}; the zone {zone} is served now by {zone_nameservers|unknown name servers} (primary {zone_primary|unknown}, serial {zone_serial|unknown})"
help = "SES's resolvers got the zone from {ses_soa_primary}, which is neither a name server of {zone} now nor its primary. Either the delegation moved after SES's check (SES reads the new host at its next check: while a status is PENDING it keeps retrying, for up to 72 hours after verification started, then it is FAILED and verification must be restarted, see `ses.verification-failed`), or the records were edited at a DNS host the domain is not delegated to: edit them where the registrar's delegation points (`dig +trace NS {zone}`), or move the delegation to the host that holds them."
[rule.docs]
what = "Warns when the primary name server in the SOA that SES saw at its last check (`GetEmailIdentity` → `VerificationInfo.SOARecord.PrimaryNameServer`) is neither one of the zone's NS names now nor the primary (MNAME) of the zone's SOA now. Both servers and both serials are in the message."
why = """
SES looks up the records through validating resolvers that follow the registrar's delegation. If the SOA it saw came from another host, SES read another copy of the zone: the domain moved to a new DNS host (and SES has not looked since), or the customer edits records at a DNS service the domain is not delegated to (the old host, or a second account), so SES never sees the edits however right they look there.

The zone's SOA primary counts as its own host too, so a hidden primary (an MNAME that is not among the NS names) is not reported. When the hosts differ, their serials are unrelated, so this replaces `ses.checked-before-change` and `ses.saw-newer-serial`. Names are compared without case or trailing dot."""
example = """
"VerificationInfo": {"LastCheckedTimestamp": 1795650000, "SOARecord": {"PrimaryNameServer": "ns1.old-host.example", "SerialNumber": 2026112401}}
acme.com.  NS  ada.ns.cloudflare.com.  bob.ns.cloudflare.com.
acme.com.  SOA ada.ns.cloudflare.com. dns.cloudflare.com. 2351234567 …"""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_GetEmailIdentity.html", "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_VerificationInfo.html", "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SOARecord.html", "RFC 1035 §3.3.13"]

[[rule]]
code = "ses.checked-before-change"
role = "domain"
severity = "info"
when = 'ses_serial_order == "older"'
message = "SES last looked at serial {ses_soa_serial} at {ses_last_checked} (from {ses_soa_primary|an unknown name server}); the zone {zone} is at serial {zone_serial} now (primary {zone_primary|unknown}): your change came after SES's last check"
help = "What SES reported is about the zone before that change, so judge the records as they are now (above), not by SES's last error. {?ses_dkim_status == \"FAILED\" || ses_mail_from_status == \"FAILED\"}A status that is FAILED is not retried: restart verification (see `ses.verification-failed`) so SES reads serial {zone_serial}.{:}SES retries on its own while a status is PENDING (or TEMPORARY_FAILURE) and reads serial {zone_serial} at its next check; SES checks for up to 72 hours after verification started, and a status that is FAILED by then needs verification restarted (see `ses.verification-failed`).{/?}"
[rule.docs]
what = "Notes that the zone serial SES saw at its last check (`VerificationInfo.SOARecord.SerialNumber`) is older than the zone's serial now, compared with RFC 1982 serial arithmetic (serials wrap around at 2^32). Gives both serials, both primaries and when SES looked."
why = """
Tickets stay open because a record is right now and SES still says PENDING or reports an error: SES's last check came before the fix. The serial proves it: every change to a zone raises its serial, so an older serial means SES has not yet seen the current zone. While the status is PENDING SES keeps checking on its own; once it is FAILED (72 hours without success) only restarting verification makes SES look again.

Information, not a fault: any edit after a verified check also makes SES's serial older, and SES reads the new zone at its next periodic check. Equal serials (SES saw the current zone) are silent. Serials exactly 2^31 apart are not ordered by RFC 1982 and are not compared. The zone's serial is what DNS answers sendlint now: the zone file offline, the resolver's answer live (which may be up to the SOA's TTL old)."""
example = """
"VerificationInfo": {"LastCheckedTimestamp": 1795650000, "SOARecord": {"PrimaryNameServer": "ns1.dns.example", "SerialNumber": 2026112401}}
acme.com.  SOA  ns1.dns.example. hostmaster.acme.com. 2026112502 …   (the record was fixed in serial 2026112502)"""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_VerificationInfo.html", "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SOARecord.html", "RFC 1982 §3.2", "https://docs.aws.amazon.com/ses/latest/dg/troubleshoot-verification.html"]

[[rule]]
code = "ses.saw-newer-serial"
role = "domain"
severity = "warning"
when = 'ses_serial_order == "newer"'
message = "SES's last check ({ses_last_checked}) saw serial {ses_soa_serial} from {ses_soa_primary|an unknown name server}, newer than the zone's serial now, {zone_serial} (primary {zone_primary|unknown}): SES saw a version of {zone} that DNS does not serve now"
help = "Either the zone was rolled back (restored from a backup or re-created with a lower serial: changes made after serial {zone_serial} may be gone, and secondaries that hold serial {ses_soa_serial} ignore the primary until its serial is higher), or SES got its answer from a server that sendlint did not (a second DNS host, or a name server ahead of the others). Make every name server of {zone} ({zone_nameservers|its NS records}) serve the same zone (`dig +norec @<each name server> {zone} SOA`), and after a rollback raise the serial above {ses_soa_serial}. If sendlint asked a caching resolver, its copy of the SOA may also be up to the SOA's TTL old."
[rule.docs]
what = "Warns when the zone serial SES saw at its last check (`VerificationInfo.SOARecord.SerialNumber`) is newer than the zone's serial now, compared with RFC 1982 serial arithmetic, from the same DNS host (another host is `ses.saw-other-dns-host`). Gives both serials and both primaries."
why = """
Zone serials only go up. A serial that went down means the zone was rolled back — a restore, or a zone re-created at the same host — and secondaries that already hold the higher serial keep serving the old copy, because a secondary transfers only a serial greater than its own. Or SES asked a name server that serves a newer copy than the one sendlint was answered from, so SES and the customer see different records. Either way SES's view is not the zone you look at, which is why this is a warning."""
example = """
"SOARecord": {"PrimaryNameServer": "ns1.dns.example", "SerialNumber": 2026112409}
acme.com.  SOA  ns1.dns.example. hostmaster.acme.com. 2026112401 …"""
references = ["https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_VerificationInfo.html", "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_SOARecord.html", "RFC 1982 §3.2", "RFC 1034 §4.3.5", "RFC 1996"]
"#),
},
RuleSource {
    name: Text::Borrowed("rules/core/spf.toml"),
    text: Text::Borrowed(r#"# The SPF TXT record at the MAIL FROM name (role spf_txt): `v=spf1 include:amazonses.com ~all`.
# Data problems (quotes, control bytes) explain parse failures and are reported instead of them.

[[rule]]
code = "spf.missing"
role = "spf_txt"
severity = "error"
when = "absent && !doubled_suffix && !priority_in_host"
message = "no SPF record (a TXT starting `v=spf1`) at {name}"
help = "Add a TXT record with host `{name}` and value `{expected}`."
[rule.docs]
what = "Reports that the MAIL FROM name has no TXT record starting with `v=spf1`."
why = """
Receivers check SPF against the MAIL FROM (envelope sender) domain. Without a record there, SES's mail gets SPF `none`, SES does not complete the custom MAIL FROM setup, and SPF cannot count toward DMARC alignment."""
example = """
send.mail.acme.com.  TXT  (none)

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §4", "https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"]

[[rule]]
code = "spf.doubled-suffix"
role = "spf_txt"
severity = "error"
when = "doubled_suffix"
message = "the SPF record is at {misplaced_name} instead of {name}: the DNS host appended {zone} to a name that already ended with it"
help = "Edit the record's host field and enter only the part of {name} before `.{zone}`; your DNS host adds `.{zone}` itself."
[rule.docs]
what = "Reports an SPF record published at `<MAIL FROM>.<zone>`, e.g. `send.mail.acme.com.acme.com`."
why = """
The host field of most DNS forms is relative to the zone. Typing the full name creates the record one zone too deep; receivers and SES look at the MAIL FROM name and find nothing."""
example = """
send.mail.acme.com.acme.com.  TXT  "v=spf1 include:amazonses.com ~all"

Fixed (host field: send.mail):
send.mail.acme.com.           TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 1035 §5.1"]

[[rule]]
code = "spf.priority-in-host"
role = "spf_txt"
severity = "error"
when = "priority_in_host && !doubled_suffix"
message = "the SPF record is at {misplaced_name} instead of {name}: an MX priority was typed into the host field"
help = "Delete that record and add it again with host `{name}` and value `{expected}`."
[rule.docs]
what = "Reports an SPF record published at `<number>.<MAIL FROM>`, usually copied together with the MX record's priority."
why = "The record sits at a name no receiver queries, and the MAIL FROM name has no SPF record."
example = """
10.send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all"

Fixed:
send.mail.acme.com.     TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §4"]


[[rule]]
code = "spf.wrong-name"
role = "spf_txt"
severity = "error"
when = "wrong_name"
message = "this SPF record is at {misplaced_name}, but SES checks SPF for the MAIL FROM domain, {name}"
help = "Add the TXT record at {name} with the value `{expected}`; the one at {misplaced_name} does not authorize SES for this domain."
[rule.docs]
what = "Reports, for a record pasted into `sendlint explain` with its name, an SPF record whose name is not the MAIL FROM name of the domain (another domain, or the name of another record)."
why = """
Receivers evaluate SPF for the envelope sender's domain, which is the MAIL FROM domain SES uses. An SPF record at any other name does not authorize SES for that domain. `check` never meets this fault (it looks only at the expected names and the known misplacements); a record pasted from a ticket can be from anywhere."""
example = """
acme.com.             TXT  "v=spf1 include:amazonses.com ~all"   (domain mail.acme.com)

Fixed:
send.mail.acme.com.   TXT  "v=spf1 include:amazonses.com ~all""""
references = ["RFC 7208 §2.4", "https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"]

[[rule]]
code = "spf.embedded-quotes"
role = "spf_txt"
severity = "error"
when = "embedded_quotes"
suppresses = ["spf.quoted-value", "spf.syntax", "spf.non-ascii", "spf.missing"]
message = "the SPF record contains quote characters inside its value: quoted strings were pasted, quotes and all, into one field"
help = "Edit the TXT record at {name} and remove every quote character, so the value reads exactly `{expected}`."
labels = [{ span = "embedded_quote_span", text = "quotes inside the value" }]
[rule.docs]
what = "Reports quote characters inside the SPF data (not just around it), e.g. `v=spf1 include:amazonses.com\" \"~all`."
why = """
Zone-file syntax such as `"v=spf1 …" "~all"` typed into a web form is stored literally: the quotes become part of the record, the terms around them do not parse, and receivers return `permerror`."""
example = """
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com\\" \\"~all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §3.3", "RFC 7208 §4.6"]

[[rule]]
code = "spf.quoted-value"
role = "spf_txt"
severity = "error"
when = "quoted && !embedded_quotes"
suppresses = ["spf.syntax", "spf.non-ascii", "spf.missing"]
message = "the SPF record is wrapped in {quote_char} quote characters, which are now part of the record"
help = "Edit the TXT record at {name} and delete the quote characters at both ends, so the value starts with `v=spf1`: `{expected}`."
labels = [
    { span = "quote_span", text = "this quote is part of the value" },
    { span = "quote_end_span", text = "and so is this one" },
]
[rule.docs]
what = "Reports SPF data that starts and ends with quote characters (`\"`, `'`, `“ ”`): the quotes were typed into the DNS form."
why = """
DNS forms add the quoting of TXT data themselves. Quotes typed into the value become data, so the record starts with `"v=spf1` instead of `v=spf1`; receivers do not recognise it as SPF at all, which is the same as having no SPF record. Curly quotes pasted from a document or chat do the same."""
example = """
send.mail.acme.com.  TXT  "\\"v=spf1 include:amazonses.com ~all\\""

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §4.5", "RFC 1035 §3.3.14"]

[[rule]]
code = "spf.control-bytes"
role = "spf_txt"
severity = "error"
when = "control_bytes"
suppresses = ["spf.syntax", "spf.non-ascii", "spf.missing-include"]
message = "the SPF record contains control bytes or invalid UTF-8"
help = "Retype the value of the TXT record at {name} by hand (do not paste it): `{expected}`."
labels = [{ span = "control_span", text = "control byte" }]
[rule.docs]
what = "Reports control characters (tabs, line breaks, terminal escape sequences) or invalid UTF-8 in the SPF data."
why = "Such bytes usually come from copying out of a terminal, spreadsheet or rich-text editor. They make the term they touch unparsable, and receivers return `permerror`."
example = """
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com\\010~all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §3", "RFC 7208 §12"]

[[rule]]
code = "spf.non-ascii"
role = "spf_txt"
severity = "error"
when = "non_ascii && !control_bytes"
suppresses = ["spf.syntax", "spf.missing-include"]
message = "the SPF record contains a non-ASCII character"
help = "Retype the value of the TXT record at {name} by hand: `{expected}`. Look for a non-breaking space or a typographic dash pasted from a document."
labels = [{ span = "non_ascii_span", text = "not ASCII" }]
[rule.docs]
what = "Reports non-ASCII characters in the SPF data, such as a non-breaking space (U+00A0) or an en dash instead of `-all`."
why = "SPF is ASCII. A look-alike character is invisible in most interfaces but makes the term unparsable, and receivers return `permerror`."
example = """
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com<U+00A0>~all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §12"]

[[rule]]
code = "spf.multiple-records"
role = "spf_txt"
severity = "error"
when = "record_count > 1"
message = "{record_count} SPF records at {name}; with more than one, receivers return permerror and SPF fails"
help = "Keep a single TXT record starting `v=spf1` at {name} and delete the others. The MAIL FROM name is used only by SES, so `{expected}` is all it needs."
[rule.docs]
what = "Reports more than one TXT record starting with `v=spf1` at the MAIL FROM name."
why = "RFC 7208 requires exactly one SPF record per name; with two, every receiver treats SPF as a permanent error, which counts as a failure for DMARC."
example = """
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all"
send.mail.acme.com.  TXT  "v=spf1 include:_spf.google.com ~all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §3.2", "RFC 7208 §4.5"]

[[rule]]
code = "spf.syntax"
role = "spf_txt"
severity = "error"
when = "syntax_error"
suppresses = ["spf.missing-include", "spf.too-many-lookups"]
message = "the SPF record does not parse: {syntax_message}"
help = "Correct the marked term. For the MAIL FROM name the whole record can simply be `{expected}`."
labels = [{ span = "syntax_span", text = "{syntax_message}" }]
[rule.docs]
what = "Reports SPF data that does not follow the SPF grammar, pointing at the first bad term."
why = "A syntax error is a permanent error (`permerror`) for every receiver, which DMARC counts as an SPF failure."
example = """
send.mail.acme.com.  TXT  "v=spf1 include=amazonses.com ~all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §4.6", "RFC 7208 §12"]

[[rule]]
code = "spf.missing-include"
role = "spf_txt"
severity = "error"
when = 'found && !includes_amazonses && !syntax_error && redirect_amazonses in ["", "no"]'
message = "the SPF record at {name} does not include amazonses.com, so mail sent through SES fails SPF"
help = "Add `include:amazonses.com` before the `all` term: `{expected}`."
[rule.docs]
what = "Reports an SPF record at the MAIL FROM name that does not authorize SES with `include:amazonses.com`, neither itself nor through the record its `redirect=` leads to (a `redirect=` counts only when the record has no `all` term)."
why = "SES sends from its own IP addresses, which `include:amazonses.com` authorizes. Without it receivers see mail from an unauthorized server, SPF fails, and DMARC has to rely on DKIM alone."
example = """
send.mail.acme.com.  TXT  "v=spf1 mx ~all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-spf.html", "RFC 7208 §5.2"]

[[rule]]
code = "spf.too-many-lookups"
role = "spf_txt"
severity = "error"
when = "lookup_terms > 10"
message = "the SPF record needs {lookup_terms} DNS lookups; receivers stop at 10 and return permerror"
help = "Remove includes this name does not need: the MAIL FROM name {name} is used only by SES, so `{expected}` (one lookup) is enough."
[rule.docs]
what = "Counts the DNS-querying terms (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`) a receiver evaluates, through every include and the `redirect=` in effect, and reports more than 10. Terms after `all` are not counted: receivers never reach them."
why = "RFC 7208 caps SPF evaluation at 10 DNS lookups; beyond that receivers return `permerror`, so SPF fails for all mail, including mail from SES."
example = """
send.mail.acme.com.  TXT  "v=spf1 include:_spf.google.com include:spf.protection.outlook.com include:sendgrid.net include:mailgun.org include:amazonses.com ~all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §4.6.4"]

[[rule]]
code = "spf.pass-all"
role = "spf_txt"
severity = "error"
when = 'all_qualifier == "+"'
message = "the SPF record ends with `+all`, which authorizes every server on the internet to send as {name}"
help = "Replace `+all` with `~all` (or `-all`): `{expected}`."
labels = [{ span = "all_span", text = "passes everyone" }]
[rule.docs]
what = "Reports an SPF record whose `all` term has the `+` (pass) qualifier; a bare `all` means `+all`."
why = "`+all` makes SPF meaningless: any sender passes. Many receivers treat such records as a spam signal."
example = """
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com +all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §5.1", "RFC 7208 §10.1"]

[[rule]]
code = "spf.missing-all"
role = "spf_txt"
severity = "warning"
when = 'found && !syntax_error && all_qualifier == "" && !(redirect != "")'
message = "the SPF record has no `all` term, so mail from other servers gets a neutral result"
help = "End the record with `~all` (or `-all`): `{expected}`."
[rule.docs]
what = "Reports an SPF record with neither an `all` mechanism nor a `redirect=` modifier."
why = "Without a final `all`, mail from unlisted servers gets `neutral`: the record authorizes SES but says nothing against spoofing."
example = """
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all\""""
references = ["RFC 7208 §4.7", "RFC 7208 §5.1"]

[[rule]]
code = "spf.loop"
role = "spf_txt"
severity = "error"
when = 'spf_loop != ""'
message = "the SPF include/redirect chain comes back to a name already on it: {spf_loop}; receivers return permerror"
help = "Remove the `include:` or `redirect=` that leads back. The MAIL FROM name {name} is used only by SES, so `{expected}` is all it needs."
[rule.docs]
what = "Follows every `include:` and the `redirect=` in effect, and reports a chain that comes back to a name already on it (a record that includes or redirects to itself, directly or through others)."
why = """
A receiver following the chain never finishes it: it stops at the 10-lookup limit or on the loop itself, and returns `permerror`, so SPF fails for all mail, including mail from SES."""
example = """
send.mail.acme.com.  TXT  "v=spf1 include:spf.acme.com ~all"
spf.acme.com.        TXT  "v=spf1 include:send.mail.acme.com -all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all""""
references = ["RFC 7208 §4.6.4", "RFC 7208 §5.2", "RFC 7208 §6.1"]

[[rule]]
code = "spf.include-target-missing"
role = "spf_txt"
severity = "error"
when = 'include_target_missing != ""'
message = "an `include:` names a domain with no SPF record: {include_target_missing}; receivers return permerror"
help = "Correct the domain after `include:` or remove the term. The MAIL FROM name {name} is used only by SES, so `{expected}` is all it needs."
[rule.docs]
what = "Reports an `include:` (at the MAIL FROM name or in a record it includes) whose domain has no TXT record starting with `v=spf1`, or does not exist."
why = """
RFC 7208 makes an include of a domain without SPF a permanent error (the included check returns `none`, which `include` turns into `permerror`): SPF fails for all mail. A mistyped include or a retired provider is the usual cause."""
example = """
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com include:spf.oldprovider.example ~all"
(spf.oldprovider.example has no SPF record)

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all""""
references = ["RFC 7208 §5.2"]

[[rule]]
code = "spf.include-target-invalid"
role = "spf_txt"
severity = "error"
when = 'include_target_invalid != ""'
message = "an `include:` names a domain whose SPF record is invalid: {include_target_invalid}; receivers return permerror"
help = "Remove that `include:`, or have the owner of that domain fix its SPF record (one record starting `v=spf1`, valid terms). The MAIL FROM name {name} is used only by SES, so `{expected}` is all it needs."
[rule.docs]
what = "Reports an `include:` whose domain publishes an SPF record that does not parse, or several `v=spf1` records."
why = "The included check ends in `permerror`, and `include` passes a permerror on: SPF fails for all mail that reaches that include."
example = """
send.mail.acme.com.  TXT  "v=spf1 include:spf.acme.com ~all"
spf.acme.com.        TXT  "v=spf1 include +all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all""""
references = ["RFC 7208 §4.5", "RFC 7208 §5.2"]

[[rule]]
code = "spf.redirect-target-missing"
role = "spf_txt"
severity = "error"
when = 'redirect_target_missing != ""'
message = "`redirect=` names a domain with no SPF record: {redirect_target_missing}; receivers return permerror"
help = "Correct the domain after `redirect=`, or replace the record with `{expected}`."
[rule.docs]
what = "Reports a `redirect=` in effect (the record has no `all` term) whose domain has no TXT record starting with `v=spf1`, or does not exist."
why = "RFC 7208 makes a redirect to a domain without SPF a permanent error, not `none`: SPF fails for all mail."
example = """
send.mail.acme.com.  TXT  "v=spf1 redirect=_spf.acme.com"
(_spf.acme.com has no SPF record)

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all""""
references = ["RFC 7208 §6.1"]

[[rule]]
code = "spf.redirect-target-invalid"
role = "spf_txt"
severity = "error"
when = 'redirect_target_invalid != ""'
message = "`redirect=` names a domain whose SPF record is invalid: {redirect_target_invalid}; receivers return permerror"
help = "Fix the SPF record of that domain (one record starting `v=spf1`, valid terms), or replace the record at {name} with `{expected}`."
[rule.docs]
what = "Reports a `redirect=` in effect whose domain publishes an SPF record that does not parse, or several `v=spf1` records."
why = "The redirected check replaces this one; its `permerror` becomes the result for all mail."
example = """
send.mail.acme.com.  TXT  "v=spf1 redirect=_spf.acme.com"
_spf.acme.com.       TXT  "v=spf1 inlcude:amazonses.com -all"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all""""
references = ["RFC 7208 §4.5", "RFC 7208 §6.1"]

[[rule]]
code = "spf.too-many-mx-names"
role = "spf_txt"
severity = "error"
when = "mx_names > 10"
message = "an `mx` term leads to {mx_names} MX names ({mx_names_target}); receivers look up at most 10 and return permerror"
help = "Replace the `mx` term with `ip4:`/`ip6:` terms for the servers that really send, or remove it. The MAIL FROM name {name} is used only by SES, so `{expected}` is enough."
[rule.docs]
what = "Looks up the MX records an `mx` term names (through includes and redirects) and reports a domain with more than 10."
why = "RFC 7208 limits an `mx` term to 10 MX names; with more, evaluating it is a permanent error and SPF fails for every client that reaches it."
example = """
send.mail.acme.com.  TXT  "v=spf1 mx:acme.com include:amazonses.com ~all"
acme.com.            MX   (11 records)

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all""""
references = ["RFC 7208 §4.6.4"]

[[rule]]
code = "spf.too-many-void-lookups"
role = "spf_txt"
severity = "error"
when = "void_lookups > 2"
message = "{void_lookups} lookups for the SPF record find nothing ({void_names}); receivers allow 2 and return permerror"
help = "Remove the `a`, `mx` and `exists` terms that name domains without records. The MAIL FROM name {name} is used only by SES, so `{expected}` is enough."
[rule.docs]
what = "Looks up the domains of `a` (A and AAAA), `mx` and `exists` terms (through includes and redirects) and counts the lookups that find no records (NXDOMAIN or no data): more than 2 is reported."
why = "RFC 7208 lets receivers stop after 2 void lookups with `permerror`, to limit abuse; common receivers do, so SPF fails for every client that reaches the third."
example = """
send.mail.acme.com.  TXT  "v=spf1 a:old1.acme.com a:old2.acme.com a:old3.acme.com include:amazonses.com ~all"
(none of the three names exists any more)

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all""""
references = ["RFC 7208 §4.6.4"]

[[rule]]
code = "spf.terms-after-all"
role = "spf_txt"
severity = "warning"
when = 'ignored_terms != ""'
message = "receivers never evaluate {ignored_terms}: evaluation ends at the `all` term (and a record with `all` ignores `redirect=`)"
help = "Move the mechanisms you need before the `all` term and delete the rest (a `redirect=` works only in a record without `all`): `{expected}`."
labels = [{ span = "ignored_span", text = "never evaluated" }]
[rule.docs]
what = "Reports mechanisms written after the `all` term, and a `redirect=` in a record that has an `all` term."
why = """
`all` matches every client, so evaluation ends there: later mechanisms never count, and a `redirect=` only applies when there is no `all` at all. Whatever those terms were meant to authorize is not authorized."""
example = """
send.mail.acme.com.  TXT  "v=spf1 ~all include:amazonses.com"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all""""
references = ["RFC 7208 §4.6.2", "RFC 7208 §5.1", "RFC 7208 §6.1"]

[[rule]]
code = "spf.include-after-all"
role = "spf_txt"
severity = "error"
when = "amazonses_ignored"
suppresses = ["spf.terms-after-all"]
message = "`include:amazonses.com` comes after the `all` term, where receivers never evaluate it, so mail sent through SES fails SPF"
help = "Move `include:amazonses.com` before the `all` term: `{expected}`."
labels = [{ span = "include_span", text = "never evaluated: it comes after `all`" }]
[rule.docs]
what = "Reports an SPF record whose `include:amazonses.com` is written after the `all` term."
why = """
Evaluation ends at `all`, which matches every client: an include after it never counts, so SES's servers get the `all` result (`softfail` or `fail`) instead of `pass`, and DMARC has to rely on DKIM alone."""
example = """
send.mail.acme.com.  TXT  "v=spf1 ~all include:amazonses.com"

Fixed:
send.mail.acme.com.  TXT  "v=spf1 include:amazonses.com ~all""""
references = ["RFC 7208 §4.6.2", "RFC 7208 §5.1"]
"#),
},
RuleSource {
    name: Text::Borrowed("rules/core/workspace.toml"),
    text: Text::Borrowed(r#"# Findings that need the whole workspace manifest. `sendlint audit` computes
# the facts they use over every entry before the per-domain checks (`check`
# of one domain sets them to 0 and "", so these rules stay silent there).

[[rule]]
code = "workspace.domain-in-use"
role = "domain"
severity = "error"
when = "other_claimant_count > 0 && !(claim_keys_known && claim_published_count == 1 && claim_published_here)"
message = "{domain} is also claimed by another organization of this workspace: {other_claimants}; {?claim_keys_known && claim_published_count == 1}DNS decides against this claim: the DKIM key published for {domain} is the one of {claim_published_by}, not this entry's{/?}{?!claim_keys_known}DNS does not tell whose setup is published: not every claim gives a DKIM key to compare{/?}{?claim_keys_known && claim_published_count == 0}DNS does not tell whose setup is published: no claim's DKIM key is published{/?}{?claim_keys_known && claim_published_count > 1}DNS does not tell whose setup is published: the DKIM keys of {claim_published_by} are all published{/?}"
help = "One domain belongs to one organization. {?claim_keys_known && claim_published_count == 1}DNS serves the setup of {claim_published_by}: remove {domain} from this organization's entry (or, if it really owns the domain, publish its own DKIM key and remove the other claim).{:}Find out which organization owns {domain} and remove it from the others (an SES identity, its DKIM key and its reputation cannot be shared between tenants); until then every claim stays locked.{/?}"
[rule.docs]
what = "Reports a domain that two or more organizations of the workspace manifest list as theirs, on every claim that DNS does not show to be the published one."
why = """
An SES identity is one domain in one account and region, with one DKIM key. When two tenants of a workspace both claim `mail.acme.com`, at most one of them can have published the records the other was told to publish: one setup silently overwrites the other, and mail of one tenant is signed, bounced or reported under the other's name. It is also how a domain takeover between tenants starts.

The DKIM key is the evidence: each claim gives its selector and public key, and sendlint compares the key DNS serves at each claim's selector with that claim's key. When exactly one claim's key is published (and every claim gave a key), DNS shows whose setup is live: that claim keeps its verdict (with the warning `workspace.domain-also-claimed`) and this error is on the others, saying whose key DNS serves. When DNS cannot tell (no claim's key is published, several are, or a claim gives no key to compare), the error is on every claim, because either may be the wrong one, and it says which of those it was."""
example = """
{"org": "acme",   "domain": "mail.acme.com", "dkim_selector": "sf1", "dkim_public_key": "MIIB…acme…"}
{"org": "globex", "domain": "mail.acme.com", "dkim_selector": "sf1", "dkim_public_key": "MIIB…globex…"}
sf1._domainkey.mail.acme.com. TXT "p=MIIB…acme…"   ← acme keeps its verdict; globex gets workspace.domain-in-use"""
references = ["https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html"]

[[rule]]
code = "workspace.domain-also-claimed"
role = "domain"
severity = "warning"
when = "other_claimant_count > 0 && claim_keys_known && claim_published_count == 1 && claim_published_here"
message = "{domain} is also claimed by another organization of this workspace ({other_claimants}), but DNS publishes this entry's DKIM key for it: this claim stands"
help = "Remove {domain} from the entries of {other_claimants}: their setup is not what DNS publishes, and each of them is reported with `workspace.domain-in-use`."
[rule.docs]
what = "Reports, on the one claim of a contested domain whose DKIM key DNS serves, that other organizations of the workspace claim the same domain."
why = """
DNS shows whose setup is live: the DKIM key published at this entry's selector is this entry's key, and no other claim's key is published. This claim keeps its verdict (this is a warning, it does not lock sending); the other claims are errors (`workspace.domain-in-use`) until they are removed, because a second tenant's records would overwrite this one's."""
example = """
{"org": "acme",   "domain": "mail.acme.com", "dkim_selector": "sf1", "dkim_public_key": "MIIB…acme…"}   ← workspace.domain-also-claimed
{"org": "globex", "domain": "mail.acme.com", "dkim_selector": "sf1", "dkim_public_key": "MIIB…globex…"} ← workspace.domain-in-use
sf1._domainkey.mail.acme.com. TXT "p=MIIB…acme…""""
references = ["https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html"]

[[rule]]
code = "workspace.selector-reused"
role = "domain"
severity = "warning"
when = "key_shared_count > 0"
message = "{domain} uses DKIM selector {selector} with the same public key as {key_shared_count} other domain(s) of this workspace: {key_shared_with}"
help = "Generate a separate key pair for {domain}, publish its public key at {selector}._domainkey.{domain} and give the new private key to SES (BYODKIM). One key per domain limits what a leaked key can sign."
[rule.docs]
what = "Warns when the same DKIM selector and public key are used by two or more domains of the workspace manifest."
why = """
A DKIM private key signs for every domain whose DNS publishes its public key. Reusing one key pair across domains (or tenants) means a single leaked or mishandled key lets anyone sign mail that passes DKIM for all of them, and rotating it means touching every domain at once. With BYODKIM the key pair is yours to generate: make one per domain."""
example = """
mail.acme.com    sf1  p=MIIBIjANBgkq…IDAQAB
news.globex.com  sf1  p=MIIBIjANBgkq…IDAQAB   ← same key: workspace.selector-reused on both"""
references = ["RFC 6376 §3.6.1", "https://docs.aws.amazon.com/ses/latest/dg/send-email-authentication-dkim-bring-your-own.html"]
"#),
},
RuleSource {
    name: Text::Borrowed("rules/providers/cloudflare.toml"),
    text: Text::Borrowed(r#"# Cloudflare DNS: https://developers.cloudflare.com/dns/manage-dns-records/
# Records are edited in the dashboard under DNS → Records (Type, Name, Content / Mail server, Priority,
# Proxy status). Only A, AAAA and CNAME records can be proxied (orange cloud); MX and TXT are always
# "DNS only".

[provider]
id = "cloudflare"
name = "Cloudflare"
nameservers = ["*.ns.cloudflare.com"]
docs = """
Records are edited in the dashboard under DNS → Records. The Name field accepts the full name or the part before the zone; Content takes TXT data without quotes and splits long values into 255-byte strings itself. Mail records must be "DNS only" (grey cloud); only A/AAAA/CNAME can be proxied."""

[provider.records]
host = "full"
host_field = "Name"
value_field = "Content"
mx_value_field = "Mail server"
priority = "separate"
priority_field = "Priority"
txt = "plain"
notes = [
    "Cloudflare: DNS → Records → Add record. Paste TXT Content without quotes, in one piece; Cloudflare splits long values into 255-byte strings itself.",
    "Any A, AAAA or CNAME record at these names must be DNS only (grey cloud), never Proxied.",
]

[[help]]
code = "mx.missing"
help = "In the Cloudflare dashboard (DNS → Records), add a record: Type `MX`, Name `{name}`, Mail server `{expected_exchange}`, Priority `10`."

[[help]]
code = "spf.missing"
help = "In the Cloudflare dashboard (DNS → Records), add a record: Type `TXT`, Name `{name}`, Content `{expected}` (no quotes)."

[[help]]
code = "dkim.missing"
help = "In the Cloudflare dashboard (DNS → Records), add a record: Type `TXT`, Name `{name}`, Content: the whole value `{expected}`, pasted as one line without quotes. Cloudflare splits it into 255-byte strings itself."

[[help]]
code = "dkim.quoted-value"
help = "In the Cloudflare dashboard (DNS → Records), edit the TXT record {name} and delete the quote characters at both ends of Content, so it starts with `p=` (or `v=DKIM1`). Cloudflare adds the quoting a TXT record needs itself."

[[help]]
code = "spf.quoted-value"
help = "In the Cloudflare dashboard (DNS → Records), edit the TXT record {name} and set Content to `{expected}`, without quote characters."

[[help]]
code = "dkim.embedded-quotes"
help = "In the Cloudflare dashboard (DNS → Records), edit the TXT record {name} and replace Content with the key as one unbroken value, without quotes or spaces: `{expected}`. Cloudflare splits it into 255-byte strings itself."

[[help]]
code = "dkim.split-across-records"
help = "In the Cloudflare dashboard (DNS → Records), delete the {record_count} TXT records named {name} and add one TXT record with that name whose Content is the whole value `{expected}`, pasted as one line. Cloudflare stores it as several strings of one record, which is what DKIM needs."

[[help]]
code = "mx.priority-in-value"
help = "In the Cloudflare dashboard (DNS → Records), edit the MX record: Mail server `{expected_exchange}`, Priority `10`."

[[rule]]
code = "cloudflare.proxied"
roles = ["spf_mx", "spf_txt", "dkim", "dmarc"]
severity = "error"
when = "proxied"
suppresses = ["mx.missing", "spf.missing", "dkim.missing", "dmarc.missing"]
message = "{name} is proxied by Cloudflare (orange cloud): it answers Cloudflare's proxy addresses ({proxy_addresses}) and not the record SES needs"
help = "In the Cloudflare dashboard (DNS → Records), find the A, AAAA or CNAME record named {name} (or a `*` wildcard that covers it) whose Proxy status is Proxied. Mail names must be DNS only: switch it to DNS only (grey cloud) or delete it, then make sure the records SES needs at {name} are there (`sendlint records` prints them)."
[rule.docs]
what = "Reports a name of the setup that answers Cloudflare proxy addresses (104.16.0.0/13, 172.64.0.0/13, 2606:4700::/32) instead of the MX or TXT record SES needs, in a zone on Cloudflare's nameservers."
why = """
Cloudflare can only proxy web traffic (A, AAAA and CNAME records, orange cloud). A proxied record at a mail name, typically the SES value entered as a proxied CNAME, or a proxied `*` wildcard, makes Cloudflare answer its own edge addresses there and hides any CNAME target, so SES and receivers find no MX or TXT record. The record looks "added" in the dashboard, yet verification fails."""
example = """
send.mail.acme.com.  CNAME  feedback-smtp.us-east-1.amazonses.com.   (Proxied)
→ dig MX send.mail.acme.com: no answer; dig A: 104.16.0.1

Fixed:
send.mail.acme.com.  MX  10 feedback-smtp.us-east-1.amazonses.com.   (DNS only)"""
references = ["https://developers.cloudflare.com/dns/proxy-status/", "https://docs.aws.amazon.com/ses/latest/dg/mail-from.html"]

[[help]]
code = "dnssec.ds-matches-no-key"
help = "The registrar still publishes DS records for a key {dnssec_zone} does not have at Cloudflare (typical after moving the zone to Cloudflare). Either remove the DS records of {dnssec_zone} at the registrar, or in the Cloudflare dashboard go to DNS → Settings → DNSSEC, choose Enable DNSSEC, and replace the DS at the registrar with the DS record Cloudflare shows (with Cloudflare Registrar this is done for you). Resolvers may keep the old DS for its TTL after the change."

[[help]]
code = "dnssec.signature-expired"
help = "Cloudflare re-signs zones it serves on every answer, so expired signatures mean the answers come from elsewhere: check that the name servers of {dnssec_signer} at the registrar are Cloudflare's (DNS → Records shows them), and, if the zone moved away from Cloudflare, remove the DS records of {dnssec_signer} at the registrar or turn DNSSEC on at the new host and give the registrar its DS."
"#),
},
RuleSource {
    name: Text::Borrowed("rules/providers/godaddy.toml"),
    text: Text::Borrowed(r#"# GoDaddy DNS (nameservers nsNN.domaincontrol.com): https://www.godaddy.com/help/manage-dns-records-680
# Records are edited under My Products → Domain → DNS → DNS Records → Add New Record, with the fields
# Type, Name, Value, Priority (MX only) and TTL. Name is relative: GoDaddy appends the domain (`@` is
# the domain itself). The MX priority has a field of its own.

[provider]
id = "godaddy"
name = "GoDaddy"
nameservers = ["*.domaincontrol.com"]
docs = """
Records are edited under the domain's DNS → DNS Records → Add New Record (Type, Name, Value, Priority for MX, TTL). Name is relative to the domain, which GoDaddy appends itself: type `send.mail` for `send.mail.acme.com`. The MX priority goes in the separate Priority field, never into Name or Value: SES shows `10 feedback-smtp…` as one string, and copying it whole is the classic GoDaddy mistake."""

[provider.records]
host = "relative"
host_field = "Name"
value_field = "Value"
mx_value_field = "Value"
priority = "separate"
priority_field = "Priority"
txt = "plain"
notes = [
    "GoDaddy: the domain's DNS → DNS Records → Add New Record. Name is relative: GoDaddy appends the domain itself.",
    "Type the MX priority only in the Priority field: not in Name, not in front of the Value.",
]

[[help]]
code = "mx.missing"
help = "In GoDaddy's DNS Records, choose Add New Record: Type `MX`, Name = `{relative_name}` (the part of {name} before `.{zone}`), Priority `10`, Value `{expected_exchange}`."

[[help]]
code = "mx.priority-in-value"
help = "In GoDaddy's DNS Records, edit the MX record: Value must be `{expected_exchange}` alone. The `10` goes in GoDaddy's separate Priority field, not in front of the Value."

[[help]]
code = "mx.priority-in-host"
help = "In GoDaddy's DNS Records, delete the MX record whose Name starts with the priority, and add it again: Type `MX`, Name = `{relative_name}` (the part of {name} before `.{zone}`, no number in front), Priority `10` in its own field, Value `{expected_exchange}`."

[[help]]
code = "spf.priority-in-host"
help = "In GoDaddy's DNS Records, edit the TXT record whose Name starts with the priority and set Name to `{relative_name}` (the part of {name} before `.{zone}`); a TXT record has no priority. Value stays `{expected}`."

[[help]]
code = "mx.doubled-suffix"
help = "In GoDaddy's DNS Records, edit the MX record and set Name to `{relative_name}` (the part of {name} before `.{zone}`). GoDaddy appends `.{zone}` itself."

[[help]]
code = "spf.doubled-suffix"
help = "In GoDaddy's DNS Records, edit the TXT record and set Name to `{relative_name}` (the part of {name} before `.{zone}`). GoDaddy appends `.{zone}` itself."

[[help]]
code = "dkim.doubled-suffix"
help = "In GoDaddy's DNS Records, edit the TXT record and set Name to `{relative_name}` (the part of {name} before `.{zone}`). GoDaddy appends `.{zone}` itself."

[[help]]
code = "dmarc.doubled-suffix"
help = "In GoDaddy's DNS Records, edit the TXT record and set Name to `{relative_name}` (the part of {name} before `.{zone}`). GoDaddy appends `.{zone}` itself."

[[help]]
code = "dkim.split-across-records"
help = "In GoDaddy's DNS Records, delete the {record_count} TXT records at {name} and add one TXT record with that Name whose Value is the whole key `{expected}`, pasted as one line without quotes."

[[help]]
code = "dmarc.strict-spf-alignment"
help = "In GoDaddy's DNS Records, edit the TXT record at {name} and delete `aspf=s;` from its Value (relaxed alignment is the default). Keep your policy: with `p=quarantine` or `p=reject` and strict SPF alignment, any DKIM hiccup sends SES mail to spam or gets it refused."
"#),
},
RuleSource {
    name: Text::Borrowed("rules/providers/google.toml"),
    text: Text::Borrowed(r#"# Google Domains, now Squarespace Domains (nameservers ns-cloud-*.googledomains.com):
# Squarespace Help Center, "Adding custom DNS records to your Squarespace-managed domain".
# Custom records take Host, Type, Priority (MX), TTL and Data; Host is relative to the domain.

[provider]
id = "google"
name = "Google Domains / Squarespace Domains"
nameservers = ["*.googledomains.com"]
docs = """
Zones created at Google Domains moved to Squarespace Domains and keep the `ns-cloud-*.googledomains.com` nameservers. Records are edited under Domains → the domain → DNS → DNS Settings → Custom records (Host, Type, Priority, TTL, Data). Host is relative to the domain. TXT Data must be typed without quotes; quotes typed into Data are stored as part of the value. When an existing TXT record is opened for editing the value can be shown in quotes again, and saving it unchanged keeps them: delete them before saving."""

[provider.records]
host = "relative"
host_field = "Host"
value_field = "Data"
mx_value_field = "Data"
priority = "separate"
priority_field = "Priority"
txt = "plain"
notes = [
    "Squarespace Domains (formerly Google Domains): DNS → DNS Settings → Custom records. Host is relative to the domain.",
    "Type TXT Data WITHOUT quotes. If you edit a TXT record later and the editor shows quotes around the value, delete them before saving.",
]

[[help]]
code = "dkim.quoted-value"
help = "In Squarespace Domains, formerly Google Domains (DNS → DNS Settings → Custom records), edit the TXT record for {name} and delete the quote characters at both ends of Data, so it starts with `p=` (or `v=DKIM1`). The editor can show the value in quotes again when you reopen it: delete them before every save."

[[help]]
code = "spf.quoted-value"
help = "In Squarespace Domains, formerly Google Domains (DNS → DNS Settings → Custom records), edit the TXT record for {name} and set Data to `{expected}`, with no quote characters. The editor can show the value in quotes again when you reopen it: delete them before every save."

[[help]]
code = "dmarc.quoted-value"
help = "In Squarespace Domains, formerly Google Domains (DNS → DNS Settings → Custom records), edit the TXT record for {name} and delete the quote characters at both ends of Data, so it starts with `v=DMARC1`. The editor can show the value in quotes again when you reopen it: delete them before every save."

[[help]]
code = "dkim.embedded-quotes"
help = "In Squarespace Domains, formerly Google Domains (DNS → DNS Settings → Custom records), edit the TXT record for {name} and replace Data with the key as one unbroken value, without any quotes or spaces: `{expected}`."

[[help]]
code = "dkim.split-across-records"
help = "In Squarespace Domains, formerly Google Domains (DNS → DNS Settings → Custom records), delete the {record_count} TXT records for {name} and add one TXT record with that Host whose Data is the whole key `{expected}`, pasted as one line without quotes."

[[help]]
code = "mx.doubled-suffix"
help = "In Squarespace Domains, formerly Google Domains (DNS → DNS Settings → Custom records), edit the MX record and set Host to `{relative_name}` (the part of {name} before `.{zone}`); the domain is appended to Host."

[[help]]
code = "dkim.doubled-suffix"
help = "In Squarespace Domains, formerly Google Domains (DNS → DNS Settings → Custom records), edit the TXT record and set Host to `{relative_name}` (the part of {name} before `.{zone}`); the domain is appended to Host."

[[help]]
code = "dmarc.strict-spf-alignment"
help = "In Squarespace Domains, formerly Google Domains (DNS → DNS Settings → Custom records), edit the TXT record for {name} and delete `aspf=s;` from Data (relaxed alignment is the default), without adding quotes. Keep your policy: with `p=quarantine` or `p=reject` and strict SPF alignment, any DKIM hiccup sends SES mail to spam or gets it refused."
"#),
},
RuleSource {
    name: Text::Borrowed("rules/providers/namecheap.toml"),
    text: Text::Borrowed(r#"# Namecheap BasicDNS / PremiumDNS: https://www.namecheap.com/support/knowledgebase/article.aspx/319/2237/how-can-i-set-up-an-a-address-record-for-my-domain/
# Records are edited under Domain List → Manage → Advanced DNS. The Host field is relative to the
# domain: Namecheap appends it, so a full name typed there ends up doubled.

[provider]
id = "namecheap"
name = "Namecheap"
nameservers = ["*.registrar-servers.com"]
docs = """
Records are edited under Domain List → Manage → Advanced DNS. The Host field is relative: Namecheap always appends the domain, so `sf1._domainkey.mail` is entered for `sf1._domainkey.mail.acme.com`. MX records on a subdomain are added in the Host Records section only when Mail Settings is set to Custom MX."""

[provider.records]
host = "relative"
host_field = "Host"
value_field = "Value"
mx_value_field = "Value"
priority = "separate"
priority_field = "Priority"
txt = "plain"
notes = [
    "Namecheap: Domain List → Manage → Advanced DNS. The Host field is relative: Namecheap appends the domain itself, so never type the full name there.",
    "The MX record can only be added once Mail Settings (same tab) is set to Custom MX.",
]

[[help]]
code = "dkim.doubled-suffix"
help = "In Namecheap's Advanced DNS tab, edit the TXT record and set Host to `{relative_name}` (the part of {name} before `.{zone}`). Namecheap appends `.{zone}` itself."

[[help]]
code = "spf.doubled-suffix"
help = "In Namecheap's Advanced DNS tab, edit the TXT record and set Host to `{relative_name}` (the part of {name} before `.{zone}`). Namecheap appends `.{zone}` itself."

[[help]]
code = "mx.doubled-suffix"
help = "In Namecheap's Advanced DNS tab (Mail Settings: Custom MX), edit the MX record and set Host to `{relative_name}` (the part of {name} before `.{zone}`). Namecheap appends `.{zone}` itself."

[[help]]
code = "dmarc.doubled-suffix"
help = "In Namecheap's Advanced DNS tab, edit the TXT record and set Host to `{relative_name}` (the part of {name} before `.{zone}`). Namecheap appends `.{zone}` itself."

[[help]]
code = "mx.missing"
help = "In Namecheap's Advanced DNS tab, set Mail Settings to Custom MX, then add an MX record: Host = `{relative_name}` (the part of {name} before `.{zone}`), Value `{expected_exchange}`, Priority `10`. Without Custom MX, Namecheap does not publish MX records you add."

[[help]]
code = "mx.priority-in-value"
help = "In Namecheap's Advanced DNS tab (Mail Settings: Custom MX), edit the MX record: Value `{expected_exchange}` alone, and `10` in the Priority field."

[[help]]
code = "dkim.split-across-records"
help = "In Namecheap's Advanced DNS tab, delete the {record_count} TXT records whose Host is `{relative_name}` (the part of {name} before `.{zone}`), and add one TXT record with that Host whose Value is the whole key `{expected}`, pasted as one line without quotes."
"#),
},
RuleSource {
    name: Text::Borrowed("rules/providers/porkbun.toml"),
    text: Text::Borrowed(r#"# Porkbun DNS (nameservers *.ns.porkbun.com). Added purely as data: this file, fixtures under
# fixtures/providers/porkbun/ and their snapshots, with no Rust change.
# Records are edited under Domain Management → the domain → DNS (Type, Host, Answer, TTL, Priority).
# Host is relative: Porkbun appends the domain (blank Host is the domain itself).

[provider]
id = "porkbun"
name = "Porkbun"
nameservers = ["*.ns.porkbun.com"]
docs = """
Records are edited under Domain Management → the domain → DNS (Type, Host, Answer, TTL, Priority). Host is relative: Porkbun appends the domain, so type `send.mail` for `send.mail.acme.com` (leave Host empty for the domain itself). The MX priority has its own Priority field; Answer holds only the server or the TXT text, without quotes."""

[provider.records]
host = "relative"
host_field = "Host"
value_field = "Answer"
mx_value_field = "Answer"
priority = "separate"
priority_field = "Priority"
txt = "plain"
notes = ["Porkbun: Domain Management → the domain → DNS. Host is relative: Porkbun appends the domain itself."]

[[help]]
code = "mx.doubled-suffix"
help = "In Porkbun's DNS editor, edit the MX record and set Host to `{relative_name}` (the part of {name} before `.{zone}`). Porkbun appends `.{zone}` itself."

[[help]]
code = "spf.doubled-suffix"
help = "In Porkbun's DNS editor, edit the TXT record and set Host to `{relative_name}` (the part of {name} before `.{zone}`). Porkbun appends `.{zone}` itself."

[[help]]
code = "dkim.doubled-suffix"
help = "In Porkbun's DNS editor, edit the TXT record and set Host to `{relative_name}` (the part of {name} before `.{zone}`). Porkbun appends `.{zone}` itself."

[[help]]
code = "dmarc.doubled-suffix"
help = "In Porkbun's DNS editor, edit the TXT record and set Host to `{relative_name}` (the part of {name} before `.{zone}`). Porkbun appends `.{zone}` itself."

[[help]]
code = "mx.priority-in-value"
help = "In Porkbun's DNS editor, edit the MX record: Answer `{expected_exchange}` alone, and `10` in the Priority field."

[[help]]
code = "dkim.quoted-value"
help = "In Porkbun's DNS editor, edit the TXT record at {name} and delete the quote characters at both ends of Answer, so it starts with `p=` (or `v=DKIM1`)."
"#),
},
RuleSource {
    name: Text::Borrowed("rules/providers/route53.toml"),
    text: Text::Borrowed(r#"# Amazon Route 53 (nameservers ns-NNN.awsdns-NN.com/.net/.org/.co.uk).
# https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/ResourceRecordTypes.html
# Console: Hosted zones → the zone → Create record (Record name, Record type, Value, TTL). The Value
# box holds one record per line; MX values are `priority exchange`; TXT values are double-quoted
# character-strings, at most 255 characters each, several strings of one record on one line.

[provider]
id = "route53"
name = "Amazon Route 53"
nameservers = ["*.awsdns-*"]
docs = """
Records are edited in the Route 53 console under Hosted zones → the zone → Create record / Edit record (Record name, Record type, Value, TTL). Record name is the part before the zone, shown next to the field. The Value box holds one record per line: an MX value is `10 feedback-smtp.<region>.amazonses.com` (priority and server together); a TXT value is written in double quotes, and a value over 255 characters (a 2048-bit DKIM key) must be split into several quoted strings on ONE line, `"p=MIIB…" "…IDAQAB"`. Putting the pieces on separate lines creates separate records, which breaks DKIM."""

[provider.records]
host = "relative"
host_field = "Record name"
value_field = "Value"
mx_value_field = "Value"
priority = "in-value"
txt = "quoted"
notes = [
    "Route 53: Hosted zones → your zone → Create record. Record name is relative: Route 53 shows the zone after the field.",
    "Every line of the Value box is a separate record. Keep each value below on ONE line, including the DKIM key's several quoted strings.",
]

[[help]]
code = "dkim.split-across-records"
help = "In the Route 53 console, edit the TXT record {name}: each line of the Value box is a separate record. Replace the {record_count} lines with ONE line holding the key as quoted strings of at most 255 characters separated by a space (`\"p=MIIB…\" \"…IDAQAB\"`); `sendlint records --registrar route53` prints the exact line."

[[help]]
code = "dkim.truncated-key"
help = "In the Route 53 console, edit the TXT record {name} and enter the complete key on one line of Value as several quoted strings of at most 255 characters (`\"p=MIIB…\" \"…IDAQAB\"`): Route 53 refuses a single string longer than 255 characters, which is often how a key gets cut."

[[help]]
code = "dkim.embedded-quotes"
help = "In the Route 53 console, edit the TXT record {name}: every string needs its own plain double quotes and the strings are separated by a space, on one line: `\"p=MIIB…\" \"…IDAQAB\"`. Do not escape the quotes (`\\\"`) or wrap the whole line in another pair; `sendlint records --registrar route53` prints the exact line."

[[help]]
code = "dkim.quoted-value"
help = "In the Route 53 console, edit the TXT record {name}: the value needs exactly one pair of plain double quotes per string. Remove the extra (escaped or typographic) quotes, so the data itself starts with `p=` (or `v=DKIM1`)."

[[help]]
code = "spf.quoted-value"
help = "In the Route 53 console, edit the TXT record {name} and set Value to `\"{expected}\"`: one pair of plain double quotes, none inside."

[[help]]
code = "mx.priority-in-value"
help = "In the Route 53 console, edit the MX record {name}: Value holds the priority and the server together, once: `10 {expected_exchange}`."

[[help]]
code = "mx.priority-in-host"
help = "In the Route 53 console, delete the MX record whose Record name starts with the priority and create it again with Record name = `{relative_name}` (the part of {name} before `.{zone}`) and Value `10 {expected_exchange}`; the priority belongs in Value."

[[help]]
code = "dnssec.ds-matches-no-key"
help = "The registrar still publishes DS records for a key {dnssec_zone} does not have in Route 53 (typical after moving the zone to Route 53). Either remove the DS records of {dnssec_zone} at the registrar (Route 53 Domains: Registered domains → the domain → DNSSEC keys), or in the Route 53 console open the hosted zone → DNSSEC signing → Enable DNSSEC signing, then View information to create DS record, and give the registrar that DS. Resolvers may keep the old DS for its TTL after the change."

[[help]]
code = "dnssec.signature-expired"
help = "Route 53 stops re-signing {dnssec_signer} when the key-signing key's customer managed KMS key is disabled, deleted, or no longer usable by Route 53 (the hosted zone's DNSSEC signing status then shows an action needed). In the Route 53 console open the hosted zone → DNSSEC signing, fix the KSK's KMS key (enable it, restore its key policy) so signing resumes; if the zone no longer lives in Route 53, remove the DS records of {dnssec_signer} at the registrar instead."
"#),
},
RuleSource {
    name: Text::Borrowed("rules/providers/wix.toml"),
    text: Text::Borrowed(r#"# Wix DNS (nameservers nsN.wixdns.net). Records are edited under the site's Settings → Domains → ⋮ →
# Manage DNS Records, one section per record type, each with "+ Add Record" (Host Name, Value, TTL).
# Wix help: "Managing DNS records in your Wix account".

[provider]
id = "wix"
name = "Wix"
nameservers = ["*.wixdns.net"]
docs = """
Records are edited under Settings → Domains → ⋮ → Manage DNS Records, one section per record type. Host Name is relative to the domain, which Wix appends. Depending on the domain and plan, Wix's DNS editor does not accept records on a subdomain such as `send.mail.acme.com`, which the SES MAIL FROM records need: the records then never appear in DNS. The way out is to host the zone's DNS elsewhere (point the nameservers at a DNS host that allows subdomain records, copying the existing records first) or to change the Wix plan."""

[provider.records]
host = "relative"
host_field = "Host Name"
value_field = "Value"
mx_value_field = "Value"
priority = "separate"
priority_field = "Priority"
txt = "plain"
notes = [
    "Wix: Settings → Domains → ⋮ → Manage DNS Records; each record type has its own section with + Add Record. Host Name is relative: Wix appends the domain.",
    "Depending on your domain and plan, Wix may not accept records on a subdomain such as the MAIL FROM name below. If Wix refuses them or they never appear in DNS, move the domain's DNS hosting elsewhere (copy every existing record, then change the nameservers) or change your Wix plan.",
]

# A missing MAIL FROM record on a Wix zone is `mx.missing` / `spf.missing` like anywhere else: the
# plan limitation is a likely cause the engine cannot observe, so it changes the advice, not the code.
[[help]]
code = "mx.missing"
help = "In Wix (Settings → Domains → ⋮ → Manage DNS Records), under MX choose + Add Record: Host Name `{relative_name}` (the part of {name} before `.{zone}`), Value `{expected_exchange}`, Priority `10`. If Wix refuses a Host Name on a subdomain, or the record never appears in DNS, your Wix domain does not support subdomain records: move DNS hosting to a provider that does (copy every existing record there first, then point the nameservers at it), or change your Wix plan."

[[help]]
code = "spf.missing"
help = "In Wix (Settings → Domains → ⋮ → Manage DNS Records), under TXT choose + Add Record: Host Name `{relative_name}` (the part of {name} before `.{zone}`), Value `{expected}`. If Wix refuses a Host Name on a subdomain, or the record never appears in DNS, your Wix domain does not support subdomain records: move DNS hosting to a provider that does (copy every existing record there first, then point the nameservers at it), or change your Wix plan."

[[help]]
code = "dkim.missing"
help = "In Wix (Settings → Domains → ⋮ → Manage DNS Records), under TXT choose + Add Record: Host Name = `{relative_name}` (the part of {name} before `.{zone}`), Value `{expected}`. If Wix refuses the Host Name, your Wix domain does not support subdomain records: move DNS hosting elsewhere or change your Wix plan."

[[help]]
code = "dkim.split-across-records"
help = "In Wix (Manage DNS Records, TXT section), delete the {record_count} TXT records at {name} and add one TXT record with the same Host Name whose Value is the whole key `{expected}`, pasted as one line without quotes."

[[help]]
code = "dkim.embedded-quotes"
help = "In Wix (Manage DNS Records, TXT section), edit the TXT record at {name} and replace its Value with the key as one unbroken value, without quotes or spaces: `{expected}`."

[[help]]
code = "mx.priority-in-value"
help = "In Wix (Manage DNS Records, MX section), edit the MX record: Value `{expected_exchange}` alone, Priority `10` in its own field."
"#),
},
]
