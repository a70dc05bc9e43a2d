//! The facts that rules judge.
//!
//! Detection is code, judgment is data: decoders and the engine compute the
//! facts below for each record role, and the rule files in `rules/` decide what
//! they mean with conditions over these names. This table *is* the documentation
//! a rule author reads (`sendlint rules facts`), so every fact carries a doc line.
//!
//! Facts are stored by index in [`Facts`], so evaluating a compiled rule
//! condition is an array lookup, not a string comparison.

use serde::Serialize;
use std::fmt;

/// Which published record a fact, rule or diagnosis is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The MX record at the MAIL FROM name.
    SpfMx,
    /// The SPF TXT record at the MAIL FROM name.
    SpfTxt,
    /// The DKIM TXT record at `S._domainkey.D`.
    Dkim,
    /// The DMARC TXT record at `_dmarc.D`.
    Dmarc,
    /// The sending domain as a whole (apex sending, sender addresses, …).
    Domain,
}

impl Role {
    /// Every role, in report order.
    pub const ALL: [Role; 5] = [Role::SpfMx, Role::SpfTxt, Role::Dkim, Role::Dmarc, Role::Domain];
    /// The four published records, in report order.
    pub const RECORDS: [Role; 4] = [Role::SpfMx, Role::SpfTxt, Role::Dkim, Role::Dmarc];

    /// The spelling used in rule files, the CLI and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::SpfMx => "spf_mx",
            Role::SpfTxt => "spf_txt",
            Role::Dkim => "dkim",
            Role::Dmarc => "dmarc",
            Role::Domain => "domain",
        }
    }

    /// Parses the spelling of [`Role::as_str`].
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// True for the three TXT roles.
    pub fn is_txt(self) -> bool {
        matches!(self, Role::SpfTxt | Role::Dkim | Role::Dmarc)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A byte range inside one observed record.
///
/// `record` indexes the records observed for a role (in answer order);
/// `start`/`len` are byte offsets into that record's *data*: for TXT the
/// character-strings concatenated with nothing between them, for MX the
/// presentation text `PREF EXCHANGE`. Renderers map data offsets to the escaped
/// display text (see [`crate::display`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Span {
    /// Index of the record among the observed records of the role.
    pub record: u16,
    /// Byte offset into the record's data.
    pub start: u32,
    /// Length in bytes.
    pub len: u32,
}

impl Span {
    /// A span in record `record` covering `start..start + len`.
    pub fn new(record: usize, start: usize, len: usize) -> Span {
        Span {
            record: u16::try_from(record).unwrap_or(u16::MAX),
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(len).unwrap_or(0),
        }
    }
}

/// The type of a fact, checked when a rule file is loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FactType {
    /// true / false
    Bool,
    /// a signed integer
    Int,
    /// text
    Str,
    /// a byte range in an observed record, usable only as a label
    Span,
}

impl fmt::Display for FactType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FactType::Bool => "bool",
            FactType::Int => "int",
            FactType::Str => "string",
            FactType::Span => "span",
        })
    }
}

/// The value of one fact for one record role. `Unset` means "does not apply"
/// (e.g. `key_bits` when there is no key): every comparison with it is false.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Value {
    /// Not computed / not applicable.
    #[default]
    Unset,
    /// A boolean fact.
    Bool(bool),
    /// An integer fact.
    Int(i64),
    /// A text fact.
    Str(String),
    /// A span fact.
    Span(Span),
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<usize> for Value {
    fn from(v: usize) -> Self {
        Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}
impl From<u16> for Value {
    fn from(v: u16) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<u32> for Value {
    fn from(v: u32) -> Self {
        Value::Int(i64::from(v))
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Str(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Str(v.to_owned())
    }
}
impl From<Span> for Value {
    fn from(v: Span) -> Self {
        Value::Span(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Unset, Into::into)
    }
}

/// The definition of one fact: its name in rule files, type, roles and doc.
#[derive(Clone, Copy, Debug)]
pub struct FactDef {
    /// The fact.
    pub fact: Fact,
    /// Its name in rule conditions and templates.
    pub name: &'static str,
    /// Its type.
    pub ty: FactType,
    /// The roles it is computed for; empty means every role.
    pub roles: &'static [Role],
    /// What it means, for rule authors.
    pub doc: &'static str,
}

impl FactDef {
    /// True when rules of `role` may use this fact.
    pub fn applies_to(&self, role: Role) -> bool {
        self.roles.is_empty() || self.roles.contains(&role)
    }
}

macro_rules! facts {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal : $ty:ident [$($role:ident),*] ;)*) => {
        /// A fact a rule can name. See [`FACTS`] for names, types and docs.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(u16)]
        pub enum Fact { $( $(#[doc = $doc])+ $variant ),* }

        /// Every fact, in [`Fact`] order: the catalogue rule files are validated against.
        pub const FACTS: &[FactDef] = &[ $( FactDef {
            fact: Fact::$variant,
            name: $name,
            ty: FactType::$ty,
            roles: &[$(Role::$role),*],
            doc: concat!($($doc),+),
        } ),* ];
    };
}

facts! {
    // ---- context, every role (set by the engine) ----
    /// The sending domain D, e.g. `mail.acme.com`.
    Domain = "domain": Str [];
    /// The zone apex that holds D (from the SOA), e.g. `acme.com`.
    Zone = "zone": Str [];
    /// The DNS host detected from the apex NS records (`cloudflare`, `godaddy`, …), or "" when unknown.
    Provider = "provider": Str [];
    /// The SES region of the setup, e.g. `us-east-1`.
    Region = "region": Str [];
    /// The DKIM selector of the setup.
    Selector = "selector": Str [];
    /// The MAIL FROM domain of the setup (full name), e.g. `send.mail.acme.com`.
    MailFrom = "mail_from": Str [];
    /// The name this record is expected at.
    Name = "name": Str [];
    /// The value this record should have, as it would be typed into a DNS form.
    Expected = "expected": Str [];
    /// The record's name relative to the zone, as a host field that appends the zone takes it (`sf1._domainkey.mail` for `sf1._domainkey.mail.acme.com` in `acme.com`; `@` at the apex); unset when the zone is unknown.
    RelativeName = "relative_name": Str [];

    // ---- the observation, record roles (set by the engine) ----
    /// At least one record of the kind this role needs was found at the expected name (MX; a `v=spf1` TXT; any TXT for DKIM; a `v=DMARC1` TXT).
    Found = "found": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// The lookup succeeded and no record of the kind exists at the expected name (NXDOMAIN, NODATA, or only unrelated TXT).
    Absent = "absent": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// Our own lookup failed (timeout, SERVFAIL, REFUSED, …): nothing can be said about the record.
    LookupFailed = "lookup_failed": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// What failed and where, e.g. `SERVFAIL from 127.0.0.1:53 for TXT send.mail.acme.com`. On the domain: with `zone_file_missing`, which name no loaded zone covers, what was loaded and the loaded zone it most likely meant, e.g. `no zone file covers mail.acme.tset (loaded: acme.test): did you mean mail.acme.test?`.
    LookupError = "lookup_error": Str [SpfMx, SpfTxt, Dkim, Dmarc, Domain];
    /// Offline (`--zone`), the name lies in no loaded zone file: the lookup failed because a zone file was not given. On the domain: true when any of its records' names lies in no loaded zone (reported once, for the domain).
    ZoneFileMissing = "zone_file_missing": Bool [SpfMx, SpfTxt, Dkim, Dmarc, Domain];
    /// Nothing at the expected name, but the record exists at `<name>.<zone>`: the provider appended the zone to a full name.
    DoubledSuffix = "doubled_suffix": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// Nothing at the expected name, but the record exists at `<priority>.<name>`: the MX priority was typed into the host field.
    PriorityInHost = "priority_in_host": Bool [SpfMx, SpfTxt];
    /// Where a misplaced record was found (with `doubled_suffix` / `priority_in_host` / `wrong_name`), else "".
    MisplacedName = "misplaced_name": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// `explain` only: the pasted record's owner name is neither the name this role's record belongs at nor a known misplacement of it (another domain, another DKIM selector, the name of another role); `misplaced_name` holds the owner name.
    WrongName = "wrong_name": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// How many records of the kind this role needs were found (MX records; `v=spf1` TXT; TXT at the DKIM name; `v=DMARC1` TXT).
    RecordCount = "record_count": Int [SpfMx, SpfTxt, Dkim, Dmarc];
    /// A CNAME sits at the expected name.
    HasCname = "has_cname": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// The target of that CNAME, else "".
    CnameTarget = "cname_target": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// No record of the kind at the name, but the name answers A/AAAA addresses in Cloudflare's proxy ranges (104.16.0.0/13, 172.64.0.0/13, 2606:4700::/32): the name is proxied (orange cloud).
    Proxied = "proxied": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// Those proxy addresses, comma-separated, else "".
    ProxyAddresses = "proxy_addresses": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// Live DNS only: the resolver has no record of the kind at the name, but the zone's own authoritative servers already serve it: caches still hold the old answer.
    Propagating = "propagating": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `propagating`: how long resolvers may keep the old "not found" answer, in seconds (the negative-caching TTL: the smaller of the SOA minimum and the SOA's own TTL).
    NegativeTtl = "negative_ttl": Int [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `propagating`: the TTL of the record on the authoritative servers, in seconds.
    PublishedTtl = "published_ttl": Int [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `propagating` or `stale`: the authoritative servers asked (the NS names at the apex), comma-separated.
    AuthoritativeServers = "authoritative_servers": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// Live DNS only: the resolver returns a different value than the zone's own authoritative servers publish: caches still hold the previous value. The facts of this record then describe the *published* value.
    Stale = "stale": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `stale`: how long the resolver may keep serving the previous value, in seconds (the TTL left on its cached answer).
    CachedTtl = "cached_ttl": Int [SpfMx, SpfTxt, Dkim, Dmarc];

    // ---- every authoritative server, one by one (live DNS; set by the engine, crates/sendlint/src/servers.rs) ----
    /// Live DNS only: the zone's authoritative servers (every address of every NS name at the apex, asked one by one) do not all serve the same records at the name: some serve another value, or none.
    ServerDiffers = "server_differs": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `server_differs`: the servers that serve another copy, as `NS-NAME (ADDRESS)`, comma-separated, e.g. `ns2.dns.com (192.0.2.2)`.
    DifferingServers = "differing_servers": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `server_differs`: what the differing servers serve at the name (values quoted and escaped, comma-separated; with several differing copies, each followed by its servers); "" when they serve no record there.
    DifferingRecords = "differing_records": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `server_differs`: the servers whose copy is taken as the current one (the newest SOA serial, else the most servers, else the copy that holds records), as `NS-NAME (ADDRESS)`, comma-separated.
    AgreeingServers = "agreeing_servers": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `server_differs`: what the agreeing servers serve at the name (as `differing_records`); "" when they serve no record there.
    AgreeingRecords = "agreeing_records": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `server_differs`: the differing and the agreeing servers are at different SOA serials (RFC 1982 comparison).
    SerialsDiffer = "serials_differ": Bool [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `serials_differ`: the SOA serial(s) of the differing servers, e.g. `2026112401` (several: comma-separated).
    DifferingSerial = "differing_serial": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `serials_differ`: the SOA serial(s) of the agreeing servers.
    AgreeingSerial = "agreeing_serial": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// Live DNS only: authoritative servers of the zone that gave no answer at all for the name (timeout, the exchange broke off) while another server of the zone answered, as `NS-NAME (ADDRESS)`, comma-separated; "" when none.
    UnreachableServers = "unreachable_servers": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// Live DNS only: authoritative servers of the zone that answer, but not for the zone (REFUSED, SERVFAIL, a referral, an answer without the AA flag) while another server of the zone answered, each as `NS-NAME (ADDRESS) answers …`, semicolon-separated; "" when none.
    LameServers = "lame_servers": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `unreachable_servers` or `lame_servers`: the servers that did answer, as `NS-NAME (ADDRESS)`, comma-separated.
    AnsweringServers = "answering_servers": Str [SpfMx, SpfTxt, Dkim, Dmarc];

    // ---- DNSSEC: what a validating resolver makes of the record (set by the engine) ----
    /// The DNSSEC status of the record as a validating resolver (SES's) sees it: `secure`, `insecure` (unsigned, no DS at the parent), `bogus` (the chain does not validate: resolvers answer SERVFAIL), `not-validated` (no trust anchor reaches the zone, or the source gives no signatures), or "" (not asked).
    DnssecState = "dnssec_state": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `bogus`: what failed, the code suffix: `signature-expired`, `signature-not-yet-valid`, `bad-signature`, `signing-key-missing`, `ds-matches-no-key`, `unsigned-rrset`, `unproven-denial`; else "".
    DnssecFault = "dnssec_fault": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `bogus`: the zone where the chain breaks (e.g. `acme.com`); else "".
    DnssecZone = "dnssec_zone": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With a signature fault or `unsigned-rrset`: the RRset, e.g. `MX send.mail.acme.com` or `DNSKEY acme.com`.
    DnssecRrset = "dnssec_rrset": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With a signature fault: the key tag the RRSIG names.
    DnssecKeyTag = "dnssec_key_tag": Int [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With a signature fault: the signer's name (the zone that signed).
    DnssecSigner = "dnssec_signer": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `signature-expired`: when the signature expired; with `signature-not-yet-valid`: when it starts (UTC, `2026-11-01 00:00:00 UTC`).
    DnssecTime = "dnssec_time": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `ds-matches-no-key`: the DS records at the parent (key tag, algorithm, digest type each).
    DnssecDs = "dnssec_ds": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `ds-matches-no-key` or `signing-key-missing`: the DNSKEYs the zone serves (key tag, KSK/ZSK, algorithm each), or `none`.
    DnssecKeys = "dnssec_keys": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// With `not-validated`: why nothing is claimed (e.g. no trust anchor reaches the zone).
    DnssecReason = "dnssec_reason": Str [SpfMx, SpfTxt, Dkim, Dmarc];

    // ---- TXT data, TXT roles (records crate) ----
    /// The record data itself starts and ends with quote characters (`"`, `'`, `“ ”`, `‘ ’`), e.g. the customer typed the quotes into the form.
    Quoted = "quoted": Bool [SpfTxt, Dkim, Dmarc];
    /// The wrapping quote character, e.g. `"` or `“`, else "".
    QuoteChar = "quote_char": Str [SpfTxt, Dkim, Dmarc];
    /// The opening wrapping quote.
    QuoteSpan = "quote_span": Span [SpfTxt, Dkim, Dmarc];
    /// The closing wrapping quote (when there is one).
    QuoteEndSpan = "quote_end_span": Span [SpfTxt, Dkim, Dmarc];
    /// Quote characters inside the data that do not wrap it, e.g. `…abc" "def…` pasted into one field.
    EmbeddedQuotes = "embedded_quotes": Bool [SpfTxt, Dkim, Dmarc];
    /// The first embedded quote sequence.
    EmbeddedQuoteSpan = "embedded_quote_span": Span [SpfTxt, Dkim, Dmarc];
    /// The data holds control bytes, ANSI escapes or invalid UTF-8.
    ControlBytes = "control_bytes": Bool [SpfTxt, Dkim, Dmarc];
    /// The first such byte.
    ControlSpan = "control_span": Span [SpfTxt, Dkim, Dmarc];
    /// The data holds non-ASCII characters other than wrapping quotes (e.g. a non-breaking space pasted from a document).
    NonAscii = "non_ascii": Bool [SpfTxt, Dkim, Dmarc];
    /// The first non-ASCII character.
    NonAsciiSpan = "non_ascii_span": Span [SpfTxt, Dkim, Dmarc];
    /// The record's data as text (the first record of the kind; control bytes escaped), without wrapping quotes and trailing `;`/spaces: what to build on when adding a tag.
    RecordValue = "record_value": Str [SpfTxt, Dkim, Dmarc];
    /// How many character-strings the (first) record holds.
    StringCount = "string_count": Int [SpfTxt, Dkim, Dmarc];
    /// The record (after removing wrapping/embedded quotes) does not parse as its grammar.
    SyntaxError = "syntax_error": Bool [SpfTxt, Dkim, Dmarc];
    /// What is wrong, e.g. `unknown policy "quarantne"`, else "".
    SyntaxMessage = "syntax_message": Str [SpfTxt, Dkim, Dmarc];
    /// The offending term, tag or value.
    SyntaxSpan = "syntax_span": Span [SpfTxt, Dkim, Dmarc];

    // ---- SPF ----
    /// The SPF record has `include:amazonses.com`.
    IncludesAmazonses = "includes_amazonses": Bool [SpfTxt];
    /// DNS-querying terms (include, a, mx, ptr, exists, redirect) a receiver evaluates: before `all`, through includes and the `redirect=` in effect that could be resolved.
    LookupTerms = "lookup_terms": Int [SpfTxt];
    /// The `include:amazonses.com` term.
    IncludeSpan = "include_span": Span [SpfTxt];
    /// The qualifier of the `all` term: `-`, `~`, `?`, `+` (also for a bare `all`), or "" when there is no `all` term.
    AllQualifier = "all_qualifier": Str [SpfTxt];
    /// The `all` term.
    AllSpan = "all_span": Span [SpfTxt];
    /// The domain of a `redirect=` modifier, else "".
    Redirect = "redirect": Str [SpfTxt];
    /// Terms receivers never evaluate, space-separated: mechanisms after `all`, and `redirect=` when the record has an `all` term; else "".
    IgnoredTerms = "ignored_terms": Str [SpfTxt];
    /// The first term receivers never evaluate.
    IgnoredSpan = "ignored_span": Span [SpfTxt];
    /// `include:amazonses.com` is there, but after the `all` term, where receivers never evaluate it.
    AmazonsesIgnored = "amazonses_ignored": Bool [SpfTxt];
    /// When the record takes effect through `redirect=` (no `all` term): `yes` if the record it leads to includes amazonses.com, `no` if not, `unknown` if it could not be followed; "" without a `redirect=` in effect.
    RedirectAmazonses = "redirect_amazonses": Str [SpfTxt];
    /// The include/redirect chain that comes back to a name already on it, e.g. `send.acme.test -> include:a.test -> include:send.acme.test`; "" when there is none (set by following the record through DNS).
    SpfLoop = "spf_loop": Str [SpfTxt];
    /// The chains to `include:` targets with no SPF record, comma-separated; "" when none (set by following the record through DNS).
    IncludeTargetMissing = "include_target_missing": Str [SpfTxt];
    /// The chains to `include:` targets whose SPF is invalid (a syntax error or several `v=spf1` records), comma-separated; "" when none.
    IncludeTargetInvalid = "include_target_invalid": Str [SpfTxt];
    /// The chains to `redirect=` targets with no SPF record, comma-separated; "" when none.
    RedirectTargetMissing = "redirect_target_missing": Str [SpfTxt];
    /// The chains to `redirect=` targets whose SPF is invalid, comma-separated; "" when none.
    RedirectTargetInvalid = "redirect_target_invalid": Str [SpfTxt];
    /// The most MX names one `mx` mechanism leads to (RFC 7208 §4.6.4 allows 10), 0 without `mx`.
    MxNames = "mx_names": Int [SpfTxt];
    /// The domain whose MX records `mx_names` counts, and the chain to it, else "".
    MxNamesTarget = "mx_names_target": Str [SpfTxt];
    /// Lookups of `a`, `mx` and `exists` terms that found no records (NXDOMAIN or no data), through includes and redirects (RFC 7208 §4.6.4 allows 2).
    VoidLookups = "void_lookups": Int [SpfTxt];
    /// Those terms (`a:name`, `mx:name`, `exists:name`), comma-separated, else "".
    VoidNames = "void_names": Str [SpfTxt];

    // ---- DKIM ----
    /// The `p=` tag holds a non-empty value.
    KeyPresent = "key_present": Bool [Dkim];
    /// `p=` is present and empty: the key is revoked.
    KeyEmpty = "key_empty": Bool [Dkim];
    /// The `p=` value is base64 of an RSA public key (SubjectPublicKeyInfo or PKCS#1).
    KeyValid = "key_valid": Bool [Dkim];
    /// Why the key is not valid (bad base64 at a position, not a SubjectPublicKeyInfo, not RSA, …), else "".
    KeyError = "key_error": Str [Dkim];
    /// The `p=` value.
    KeySpan = "key_span": Span [Dkim];
    /// The RSA modulus length in bits.
    KeyBits = "key_bits": Int [Dkim];
    /// The setup gave the public key that SES holds, so the published key can be compared.
    ExpectedKeyKnown = "expected_key_known": Bool [Dkim];
    /// The published key is the expected key.
    KeyMatches = "key_matches": Bool [Dkim];
    /// The published key is a strict prefix of the expected key (its end was cut off). Only with `expected_key_known`: a key whose DER merely announces more bytes than are there is `key_valid == false` with a `key_error`.
    KeyTruncated = "key_truncated": Bool [Dkim];
    /// The published key is a valid key other than the expected one.
    KeyMismatch = "key_mismatch": Bool [Dkim];
    /// The key was split into several TXT records (not strings of one record) that concatenate, in some order, to the key.
    SplitAcrossRecords = "split_across_records": Bool [Dkim];
    /// The flags tag holds `y` (testing mode).
    TestingMode = "testing_mode": Bool [Dkim];
    /// The `t=` tag.
    TestingSpan = "testing_span": Span [Dkim];
    /// The `k=` value (`rsa` when absent).
    KeyType = "key_type": Str [Dkim];
    /// The `v=` value, else "".
    Version = "version": Str [Dkim];
    /// An `h=` tag lists the acceptable hash algorithms and `sha256` is not among them: rsa-sha256 signatures (SES's) cannot verify.
    HashExcludesSha256 = "hash_excludes_sha256": Bool [Dkim];
    /// The `h=` tag.
    HashSpan = "hash_span": Span [Dkim];
    /// An `s=` tag lists service types and neither `email` nor `*` is among them: the key may not be used for email.
    ServiceExcludesEmail = "service_excludes_email": Bool [Dkim];
    /// The `s=` tag.
    ServiceSpan = "service_span": Span [Dkim];

    // ---- DMARC ----
    /// The `p=` policy (`none`, `quarantine`, `reject`), else "".
    Policy = "policy": Str [Dmarc];
    /// The `p=` tag.
    PolicySpan = "policy_span": Span [Dmarc];
    /// The `sp=` policy, else "".
    SubdomainPolicy = "subdomain_policy": Str [Dmarc];
    /// SPF alignment mode: `r` (relaxed, the default) or `s` (strict).
    Aspf = "aspf": Str [Dmarc];
    /// The `aspf=` tag, when present.
    AspfSpan = "aspf_span": Span [Dmarc];
    /// DKIM alignment mode: `r` or `s`.
    Adkim = "adkim": Str [Dmarc];
    /// A `rua=` aggregate report address is present.
    HasRua = "has_rua": Bool [Dmarc];
    /// The `pct=` value (100 when absent).
    Pct = "pct": Int [Dmarc];
    /// A TXT record at the name reads like DMARC to a person but receivers discard it: blanks before `v=`, or the version not spelled exactly `DMARC1` (e.g. `v=dmarc1`). Set when no record is recognised.
    NotRecognized = "not_recognized": Bool [Dmarc];
    /// Why, in words, e.g. `the version is written "dmarc1"`, else "".
    NotRecognizedReason = "not_recognized_reason": Str [Dmarc];
    /// The blanks or the version value at fault.
    NotRecognizedSpan = "not_recognized_span": Span [Dmarc];
    /// A `rua=` or `ruf=` URI uses a scheme other than `mailto:` (e.g. `https:`), which receivers do not send reports to.
    ReportUriNotMailto = "report_uri_not_mailto": Bool [Dmarc];
    /// The first such URI.
    ReportUriSpan = "report_uri_span": Span [Dmarc];
    /// No DMARC record at `_dmarc.D`, and policy discovery (the DMARCbis DNS tree walk) found a parent domain's record whose policy applies to D (set by the engine).
    Inherited = "inherited": Bool [Dmarc];
    /// With `inherited`: the name of that record, e.g. `_dmarc.acme.com`, else "".
    InheritedFrom = "inherited_from": Str [Dmarc];
    /// With `inherited`: the policy that applies to D: `none`, `quarantine` or `reject`, else "".
    InheritedPolicy = "inherited_policy": Str [Dmarc];
    /// With `inherited`: the tag it comes from: `sp` (subdomain policy), `np` (policy for non-existent subdomains, DMARCbis) or `p`, else "".
    InheritedTag = "inherited_tag": Str [Dmarc];
    /// With `inherited`: what receivers do with mail from D that fails DMARC under that policy, in words, else "".
    InheritedEffect = "inherited_effect": Str [Dmarc];
    /// With `inherited`: the record says `psd=y`, a public suffix operator's policy rather than the organization's own.
    InheritedPsd = "inherited_psd": Bool [Dmarc];
    /// No DMARC record at `_dmarc.D`, and a lookup of the policy discovery failed (timeout, SERVFAIL, …), so whether a parent's policy applies is unknown (set by the engine).
    DiscoveryFailed = "discovery_failed": Bool [Dmarc];
    /// With `discovery_failed`: what failed and where, else "".
    DiscoveryError = "discovery_error": Str [Dmarc];

    // ---- DMARC report destinations (RFC 7489 §7.1; set by the engine for a usable record at `_dmarc.D`) ----
    /// The `rua=`/`ruf=` addresses at another organizational domain whose domain publishes no authorization for reports about D (no TXT record starting with `v=DMARC1` at `<D>._report._dmarc.<destination>`, nor a wildcard answering there), comma-separated as written (`rua=mailto:dmarc@vendor.example`), else "".
    ReportAuthMissing = "report_auth_missing": Str [Dmarc];
    /// How many distinct destination domains lack that authorization (0 when none, or none was asked).
    ReportAuthMissingCount = "report_auth_missing_count": Int [Dmarc];
    /// Those destination domains, comma-separated, e.g. `vendor.example`, else "".
    ReportAuthDomains = "report_auth_domains": Str [Dmarc];
    /// The names where each of them must publish a TXT record `v=DMARC1`, comma-separated, e.g. `mail.acme.com._report._dmarc.vendor.example`, else "".
    ReportAuthNames = "report_auth_names": Str [Dmarc];
    /// The first such address in the observed record.
    ReportAuthSpan = "report_auth_span": Span [Dmarc];
    /// The destinations whose authorization could not be checked because the lookup failed, each with the name asked and what failed, `; `-separated, else "".
    ReportAuthUnchecked = "report_auth_unchecked": Str [Dmarc];
    /// How many distinct destination domains could not be checked.
    ReportAuthUncheckedCount = "report_auth_unchecked_count": Int [Dmarc];

    // ---- MX ----
    /// The exchange of the (first) MX as it was typed (`10 feedback-smtp…` rather than the presentation form `10\ feedback-smtp…`).
    Exchange = "exchange": Str [SpfMx];
    /// That exchange in the observed record.
    ExchangeSpan = "exchange_span": Span [SpfMx];
    /// The preference of the (first) MX.
    Priority = "priority": Int [SpfMx];
    /// The exchange that SES expects: `feedback-smtp.<region>.amazonses.com`.
    ExpectedExchange = "expected_exchange": Str [SpfMx];
    /// Some MX points exactly at the expected exchange.
    ExchangeCorrect = "exchange_correct": Bool [SpfMx];
    /// The priority was typed into the value: the exchange's first label holds `10 …`, or is all digits.
    PriorityInValue = "priority_in_value": Bool [SpfMx];
    /// The priority inside the exchange.
    PriorityInValueSpan = "priority_in_value_span": Span [SpfMx];
    /// The exchange is the expected one with the zone (or domain) appended: the value lacked a trailing dot.
    TargetSuffixAppended = "target_suffix_appended": Bool [SpfMx];
    /// The appended suffix.
    TargetSuffixSpan = "target_suffix_span": Span [SpfMx];
    /// The exchange is `feedback-smtp.<region>.amazonses.com` for some region.
    TargetIsSes = "target_is_ses": Bool [SpfMx];
    /// That region (also when the priority was typed in front of it, `10 feedback-smtp.<region>…`), else "".
    TargetRegion = "target_region": Str [SpfMx];

    // ---- the domain as a whole ----
    /// The sending domain is the zone apex (e.g. `acme.com` rather than `mail.acme.com`).
    IsApex = "is_apex": Bool [Domain];
    /// How many From addresses the setup lists.
    FromCount = "from_count": Int [Domain];
    /// The From addresses that are not on the sending domain, comma-separated, else "".
    OffDomainFrom = "off_domain_from": Str [Domain];
    /// How many From addresses are not on the sending domain.
    OffDomainFromCount = "off_domain_from_count": Int [Domain];

    // ---- the workspace (set by `audit` over the whole manifest; 0 and "" for `check`) ----
    /// The other organizations of the workspace manifest that claim this same domain, comma-separated, else "".
    OtherClaimants = "other_claimants": Str [Domain];
    /// How many other organizations of the workspace manifest claim this same domain.
    OtherClaimantCount = "other_claimant_count": Int [Domain];
    /// The other domains of the workspace manifest that use this domain's DKIM selector with the same public key, comma-separated (at most 10 named), else "".
    KeySharedWith = "key_shared_with": Str [Domain];
    /// How many other domains of the workspace manifest use this domain's DKIM selector with the same public key.
    KeySharedCount = "key_shared_count": Int [Domain];
    /// With `other_claimant_count > 0`: every claim on the domain (this one and the others) gave a DKIM selector and key to compare with DNS.
    ClaimKeysKnown = "claim_keys_known": Bool [Domain];
    /// With `other_claimant_count > 0`: the organizations whose DKIM key DNS serves at their selector, this entry's first, comma-separated, else "".
    ClaimPublishedBy = "claim_published_by": Str [Domain];
    /// With `other_claimant_count > 0`: how many claims' DKIM keys DNS serves (see `claim_published_by`).
    ClaimPublishedCount = "claim_published_count": Int [Domain];
    /// With `other_claimant_count > 0`: DNS serves this entry's DKIM key at its selector.
    ClaimPublishedHere = "claim_published_here": Bool [Domain];

    // ---- the badge and SES (set by the engine; see docs/badges.md) ----
    /// How the DNS rules judged the record: `correct`, `not_compared` (a well-formed DKIM record checked without the expected public key), `absent`, `wrong` (an error diagnosis) or `lookup_failed`. Set for a second evaluation after the badge is decided, so unset while the DNS rules themselves run.
    DnsState = "dns_state": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// The record's badge: `Pending`, `Verifying`, `Verified` or `Failed` (set with `dns_state`).
    Badge = "badge": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// The code the badge state machine added to the record (`ses.temporary-failure`, `ses.verification-failed`, `ses.record-removed`, `dns.lookup-failed`), else "" (set with `dns_state`).
    BadgeNote = "badge_note": Str [SpfMx, SpfTxt, Dkim, Dmarc];
    /// SES state (live `--ses`, `--ses-state FILE` or the manifest's `ses` block) was part of the decision.
    SesConsulted = "ses_consulted": Bool [];
    /// The SES status that drives this record (MAIL FROM status for `spf_mx`/`spf_txt`, DKIM status for `dkim`), e.g. `PENDING`, else "".
    SesStatus = "ses_status": Str [SpfMx, SpfTxt, Dkim];
    /// How asking SES for the identity went: `found`, `not_found` (no such identity in that account and region), `failed` (SES could not be asked), `other_identity` (the answer is another identity's: its MAIL FROM domain is not under the checked domain), or "" when SES was not asked (DNS-only, or statuses from a manifest).
    SesLookup = "ses_lookup": Str [];
    /// What SES or the SES call said when `ses_lookup` is `not_found` or `failed`, else "".
    SesLookupError = "ses_lookup_error": Str [];
    /// `DkimAttributes.SigningAttributesOrigin`: `EXTERNAL` for BYODKIM, `AWS_SES` (or a regional `AWS_SES_…`) for Easy DKIM, else "".
    SesSigningOrigin = "ses_signing_origin": Str [Dkim, Domain];
    /// `DkimAttributes.SigningEnabled` (unset when SES did not say).
    SesSigningEnabled = "ses_signing_enabled": Bool [Dkim, Domain];
    /// `DkimAttributes.Tokens`, comma-separated (the selector, for BYODKIM), else "".
    SesTokens = "ses_tokens": Str [Dkim, Domain];
    /// The setup's selector is one of `DkimAttributes.Tokens` (unset when SES listed no tokens).
    SesTokensHaveSelector = "ses_tokens_have_selector": Bool [Dkim, Domain];
    /// `DkimAttributes.Status` as SES spelled it, else "".
    SesDkimStatus = "ses_dkim_status": Str [Domain];
    /// `MailFromAttributes.MailFromDomain`, lower case without a trailing dot; "" when SES has no custom MAIL FROM (unset when SES was not asked).
    SesMailFromDomain = "ses_mail_from_domain": Str [SpfMx, SpfTxt, Domain];
    /// `MailFromAttributes.MailFromDomainStatus` as SES spelled it, else "".
    SesMailFromStatus = "ses_mail_from_status": Str [Domain];
    /// `MailFromAttributes.BehaviorOnMxFailure`: `USE_DEFAULT_VALUE` or `REJECT_MESSAGE`, else "".
    SesMxFailureBehavior = "ses_mx_failure_behavior": Str [Domain];
    /// The identity's `VerificationStatus` as SES spelled it, else "".
    SesVerificationStatus = "ses_verification_status": Str [Domain];
    /// `VerificationInfo.ErrorType` of SES's last check: `HOST_NOT_FOUND`, `TYPE_NOT_FOUND`, `INVALID_VALUE`, `DNS_SERVER_ERROR`, `SERVICE_ERROR`, else "".
    SesErrorType = "ses_error_type": Str [Dkim, Domain];
    /// `VerificationInfo.LastCheckedTimestamp` as RFC 3339 (`2026-11-24T10:00:00Z`), else "an unknown time".
    SesLastChecked = "ses_last_checked": Str [Dkim, Domain];
    /// `VerificationInfo.LastSuccessTimestamp` as RFC 3339, else "".
    SesLastSuccess = "ses_last_success": Str [Dkim, Domain];
    /// `VerificationInfo.SOARecord` as SES saw it: `<primary name server> serial <n>`, else "".
    SesSoa = "ses_soa": Str [Dkim, Domain];

    // ---- SES's last look (VerificationInfo.SOARecord) next to the zone's SOA now (set by the engine) ----
    /// `VerificationInfo.SOARecord.SerialNumber`: the zone serial SES saw at its last check (unset when SES gave none).
    SesSoaSerial = "ses_soa_serial": Int [Domain];
    /// `VerificationInfo.SOARecord.PrimaryNameServer`: the primary name server SES saw, lower case without a trailing dot, else "".
    SesSoaPrimary = "ses_soa_primary": Str [Domain];
    /// The serial of the zone's SOA as DNS answers now (the SOA the zone apex was found from), unset when unknown (no SOA answer, the lookup failed).
    ZoneSerial = "zone_serial": Int [Domain];
    /// The primary name server (MNAME) of that SOA, else "".
    ZonePrimary = "zone_primary": Str [Domain];
    /// The zone's NS names at the apex now, comma-separated, else "".
    ZoneNameservers = "zone_nameservers": Str [Domain];
    /// SES's serial compared with the zone's under RFC 1982 serial arithmetic: `older` (SES looked before the zone's last change), `equal`, `newer` (SES saw a serial the zone does not have yet: rolled back, or another host), `undefined` (exactly 2^31 apart); "" when not compared (no VerificationInfo or no serial in it, SES's serial not a 32-bit value, the zone's serial unknown).
    SesSerialOrder = "ses_serial_order": Str [Domain];
    /// SES's primary name server is neither one of the zone's NS names nor its SOA primary now: SES saw another DNS host. Unset when not compared (no primary from SES, or neither the NS names nor the SOA of the zone known).
    SesSawOtherHost = "ses_saw_other_host": Bool [Domain];
}

impl Fact {
    /// This fact's definition.
    pub fn def(self) -> &'static FactDef {
        &FACTS[self as usize]
    }

    /// The fact named `name`.
    pub fn by_name(name: &str) -> Option<Fact> {
        FACTS.iter().find(|d| d.name == name).map(|d| d.fact)
    }
}

/// How many facts the catalogue holds.
pub const FACT_COUNT: usize = FACTS.len();

/// The facts of one record role: a value per [`Fact`], indexed by the enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    values: Box<[Value; FACT_COUNT]>,
}

impl Default for Facts {
    fn default() -> Self {
        Facts::new()
    }
}

impl Facts {
    /// Every fact unset.
    pub fn new() -> Facts {
        // A constant array initialises with plain stores (no per-element clone).
        Facts { values: Box::new([const { Value::Unset }; FACT_COUNT]) }
    }

    /// Sets one fact.
    pub fn set(&mut self, fact: Fact, value: impl Into<Value>) {
        self.values[fact as usize] = value.into();
    }

    /// One fact's value.
    pub fn get(&self, fact: Fact) -> &Value {
        &self.values[fact as usize]
    }

    /// A boolean fact, false when unset.
    pub fn flag(&self, fact: Fact) -> bool {
        matches!(self.get(fact), Value::Bool(true))
    }

    /// An integer fact.
    pub fn int(&self, fact: Fact) -> Option<i64> {
        match self.get(fact) {
            Value::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// A text fact.
    pub fn str(&self, fact: Fact) -> Option<&str> {
        match self.get(fact) {
            Value::Str(v) => Some(v),
            _ => None,
        }
    }

    /// A span fact.
    pub fn span(&self, fact: Fact) -> Option<Span> {
        match self.get(fact) {
            Value::Span(v) => Some(*v),
            _ => None,
        }
    }

    /// Copies every set value of `other` over this one.
    pub fn merge(&mut self, other: &Facts) {
        for (mine, theirs) in self.values.iter_mut().zip(other.values.iter()) {
            if *theirs != Value::Unset {
                mine.clone_from(theirs);
            }
        }
    }

    /// The set facts with their names, in catalogue order (for debugging and `explain --facts`).
    pub fn iter(&self) -> impl Iterator<Item = (&'static FactDef, &Value)> {
        FACTS.iter().zip(self.values.iter()).filter(|(_, v)| **v != Value::Unset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_in_enum_order_and_names_are_unique() {
        for (i, def) in FACTS.iter().enumerate() {
            assert_eq!(def.fact as usize, i, "{} out of order", def.name);
            assert_eq!(Fact::by_name(def.name), Some(def.fact));
            assert!(!def.doc.trim().is_empty(), "{} has no doc", def.name);
        }
    }

    #[test]
    fn roles_limit_facts() {
        assert!(Fact::KeyBits.def().applies_to(Role::Dkim));
        assert!(!Fact::KeyBits.def().applies_to(Role::SpfMx));
        assert!(Fact::Domain.def().applies_to(Role::Domain));
    }
}
