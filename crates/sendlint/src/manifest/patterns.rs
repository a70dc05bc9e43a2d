//! What a request field must look like to be accepted, as JSON Schema
//! patterns (ECMA 262 syntax that Python's `re` reads the same way, so
//! generators such as schemathesis can produce values from them).

/// A host label: letters, digits, inner hyphens, 1–63 characters.
pub const LABEL: &str = "^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$";
/// An SES DKIM selector: one label.
pub const SELECTOR: &str = LABEL;
/// A sending domain: two labels or more, the last starting with a letter
/// (so never an IP address), an optional final dot. Its length is bounded
/// separately: the DKIM name `S._domainkey.D` must fit in 253 characters
/// with any selector.
pub const DOMAIN: &str =
    "^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.?$";
/// The longest sending domain: `S._domainkey.D` with a 63-character
/// selector is then 253 characters, the most a DNS name may hold.
pub const DOMAIN_MAX: usize = 253 - 63 - ".".len() - "_domainkey.".len();
/// The base64 of the DER SubjectPublicKeyInfo of a 2048-bit RSA key
/// with exponent 65537: a fixed header, the modulus (top bit set), then
/// `0x02 0x03 0x01 0x00 0x01`.
pub const RSA_2048_SPKI: &str =
    "^MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA[g-z0-9+/][A-Za-z0-9+/]{339}[A-Za-z0-9+/][AQgw]IDAQAB$";
/// An RFC 3339 time from 1971 on, `Z` or a numeric offset; a day that
/// exists in every year (29 February is accepted by the server too).
pub const RFC3339: &str = "^(?:19[89][0-9]|197[1-9]|[2-9][0-9]{3})-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\\.[0-9]{1,9})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])$";
/// The SESv2 verification statuses, and null (not known).
pub const SES_STATUSES: [Option<&str>; 6] =
    [Some("NOT_STARTED"), Some("PENDING"), Some("SUCCESS"), Some("FAILED"), Some("TEMPORARY_FAILURE"), None];
