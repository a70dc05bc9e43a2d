//! The records to publish, as data: each expected record and, for a DNS
//! provider, what to type into which field of its form. The shape of each
//! provider's form is `[provider.records]` in `rules/providers/<id>.toml`.
//! The JSON of a [`PublishRecord`] is the JSON of `sendlint records --format json`.

use sendlint_records::Role;
use sendlint_records::name::DomainName;
use sendlint_records::txt::TxtRecord;
use sendlint_rules::{HostStyle, PriorityStyle, Provider, TxtStyle};
use sendlint_ses::{ExpectedRecord, Setup, expected_exchange, expected_records};
use serde::Serialize;

/// One field of a provider's form and what to type into it.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct FormField {
    /// The field's label in the provider's UI.
    pub field: String,
    /// What to type.
    pub value: String,
}

/// One record to publish.
#[derive(Clone, Debug, Serialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct PublishRecord {
    /// Its role.
    pub role: Role,
    /// The full name it goes at.
    pub name: String,
    /// `MX` or `TXT`.
    #[serde(rename = "type")]
    #[cfg_attr(feature = "schema", schemars(extend("enum" = ["MX", "TXT"])))]
    pub rtype: &'static str,
    /// The value, as DNS serves it.
    pub value: String,
    /// The provider whose form the fields below are for.
    #[serde(rename = "registrar", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub provider: Option<String>,
    /// The host field as that provider wants it (relative or full).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub host: Option<String>,
    /// The value field as that provider wants it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub form_value: Option<String>,
    /// The MX priority, when the form has a field for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "schema", schemars(with = "u16"))]
    pub priority: Option<u16>,
    /// Every field of the form, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FormField>,
}

/// The zone given as the apex does not contain the domain.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the zone {zone} does not contain the domain {domain}")]
pub struct ZoneApexError {
    /// The zone given.
    pub zone: DomainName,
    /// The domain it should contain.
    pub domain: DomainName,
}

/// The zone a provider's relative host fields are relative to: `apex` when
/// given (it must contain the domain), else the registrable domain of the
/// domain by the public suffix list (there is no DNS to ask here:
/// `mail.acme.co.uk` → `acme.co.uk`).
pub fn zone_apex(domain: &DomainName, apex: Option<&DomainName>) -> Result<DomainName, ZoneApexError> {
    if let Some(zone) = apex {
        if !domain.is_subdomain_of(zone) {
            return Err(ZoneApexError { zone: zone.clone(), domain: domain.clone() });
        }
        return Ok(zone.clone());
    }
    Ok(crate::public_suffix::registrable_domain(domain).unwrap_or_else(|| domain.clone()))
}

/// `name` as typed into a host field of `style`.
pub fn host_field(name: &DomainName, zone: &DomainName, style: HostStyle) -> String {
    match style {
        HostStyle::Full => name.to_string(),
        HostStyle::Relative => match name.strip_suffix(zone) {
            Some(rel) if rel.is_root() => "@".to_owned(),
            Some(rel) => rel.to_string(),
            None => name.to_string(),
        },
    }
}

fn form(r: &ExpectedRecord, p: &Provider, zone: &DomainName, region: &str, out: &mut PublishRecord) {
    let f = &p.records;
    let host = host_field(&r.name, zone, f.host);
    let mut lines =
        vec![(String::from("Type"), r.rtype.to_owned()), (f.host_field.to_string(), host.clone())];
    let (value, priority) = if r.rtype == "MX" {
        let exchange = expected_exchange(region);
        match f.priority {
            PriorityStyle::Separate => {
                lines.push((f.mx_value_field.to_string(), exchange.clone()));
                lines.push((f.priority_field.to_string(), "10".to_owned()));
                (exchange, Some(10))
            }
            PriorityStyle::InValue => {
                let v = format!("10 {exchange}");
                lines.push((f.mx_value_field.to_string(), v.clone()));
                (v, None)
            }
        }
    } else {
        let v = match f.txt {
            TxtStyle::Plain => r.value.clone(),
            TxtStyle::Quoted => TxtRecord::from_value(r.value.as_bytes()).to_presentation(),
        };
        lines.push((f.value_field.to_string(), v.clone()));
        (v, None)
    };
    lines.extend(f.fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    out.provider = Some(p.id.to_string());
    out.host = Some(host);
    out.form_value = Some(value);
    out.priority = priority;
    out.fields = lines.into_iter().map(|(field, value)| FormField { field, value }).collect();
}

/// The four records of `setup`, with `provider`'s form fields when given
/// (relative hosts relative to `zone`, see [`zone_apex`]).
pub fn publish_records(setup: &Setup, provider: Option<&Provider>, zone: &DomainName) -> Vec<PublishRecord> {
    expected_records(setup)
        .iter()
        .map(|r| {
            let mut out = PublishRecord {
                role: r.role,
                name: r.name.to_string(),
                rtype: r.rtype,
                value: r.value.clone(),
                provider: None,
                host: None,
                form_value: None,
                priority: None,
                fields: Vec::new(),
            };
            match provider {
                Some(p) => form(r, p, zone, &setup.region, &mut out),
                // what a form with a priority field takes: the priority has a
                // field of its own, never the value (`mx.priority-in-value`)
                None if r.rtype == "MX" => {
                    out.form_value = Some(expected_exchange(&setup.region));
                    out.priority = Some(10);
                }
                None => {}
            }
            out
        })
        .collect()
}
