//! The shapes of the OpenAPI 3.1 document, as far as the server's document
//! uses them; `routes::openapi` fills them from the route table. The
//! document is served as a `serde_json::Value`, whose object keys are
//! sorted, so the field order here does not reach the wire.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

/// The document.
#[derive(Serialize)]
pub struct Document {
    /// The OpenAPI version, `3.1.0`.
    pub openapi: &'static str,
    /// The API's title, version and description.
    pub info: DocInfo,
    /// Path → method (lower case) → operation.
    pub paths: BTreeMap<&'static str, BTreeMap<String, Operation>>,
    /// The schemas and, with a token, the bearer scheme.
    pub components: Components,
    /// With a token: every operation needs the bearer token unless it says otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<Vec<Bearer>>,
}

/// The document's `info`.
#[derive(Serialize)]
pub struct DocInfo {
    /// `sendlint`.
    pub title: &'static str,
    /// The server's version.
    pub version: &'static str,
    /// What the API does.
    pub description: &'static str,
}

/// A security requirement: the bearer token, no scopes.
#[derive(Serialize)]
pub struct Bearer {
    /// No scopes.
    pub bearer: [&'static str; 0],
}

/// One operation of a path.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Operation {
    /// Its stable id.
    pub operation_id: &'static str,
    /// One line.
    pub summary: &'static str,
    /// Query parameters, then path parameters.
    pub parameters: Vec<Parameter>,
    /// Status → answer.
    pub responses: BTreeMap<String, Answer>,
    /// The JSON body it reads.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_body: Option<RequestBody>,
    /// `[]` on a route that needs no token on a server that has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security: Option<[Bearer; 0]>,
}

/// Where a parameter is.
#[derive(Clone, Copy, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum In {
    /// The query string.
    Query,
    /// The path.
    Path,
}

/// A query or path parameter.
#[derive(Serialize)]
pub struct Parameter {
    /// Its name.
    pub name: &'static str,
    /// Where it is.
    #[serde(rename = "in")]
    pub location: In,
    /// Whether it must be given.
    pub required: bool,
    /// What it is (query parameters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<&'static str>,
    /// What values it takes.
    pub schema: StringSchema,
}

/// The schema of a parameter: a string, maybe of a set of values or a pattern.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StringSchema {
    /// `string`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The values it may take.
    #[serde(rename = "enum", skip_serializing_if = "Option::is_none")]
    pub one_of: Option<Vec<String>>,
    /// The pattern it matches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// Its largest length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<usize>,
}

impl StringSchema {
    /// Any string.
    pub fn any() -> StringSchema {
        StringSchema { kind: "string", one_of: None, pattern: None, max_length: None }
    }

    /// One of `values`.
    pub fn one_of(values: Vec<String>) -> StringSchema {
        StringSchema { one_of: Some(values), ..StringSchema::any() }
    }

    /// A string matching `pattern`.
    pub fn pattern(pattern: impl Into<String>) -> StringSchema {
        StringSchema { pattern: Some(pattern.into()), ..StringSchema::any() }
    }
}

/// An answer of an operation.
#[derive(Serialize)]
pub struct Answer {
    /// What it means.
    pub description: &'static str,
    /// Media type → its schema.
    pub content: BTreeMap<String, MediaType>,
    /// Headers it always carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<BTreeMap<&'static str, Header>>,
}

/// A media type of a body: its schema for JSON, nothing for the others.
#[derive(Serialize)]
pub struct MediaType {
    /// The schema.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schema: Option<SchemaRef>,
}

impl MediaType {
    /// A body described by `components/schemas/{name}`.
    pub fn named(name: &str) -> MediaType {
        MediaType { schema: Some(SchemaRef { reference: format!("#/components/schemas/{name}") }) }
    }
}

/// A reference to a schema.
#[derive(Serialize)]
pub struct SchemaRef {
    /// `#/components/schemas/…`.
    #[serde(rename = "$ref")]
    pub reference: String,
}

/// A header of an answer.
#[derive(Serialize)]
pub struct Header {
    /// What it says.
    pub description: &'static str,
    /// Always true: the answer always carries it.
    pub required: bool,
    /// A string.
    pub schema: StringSchema,
}

/// The body an operation reads.
#[derive(Serialize)]
pub struct RequestBody {
    /// Always true.
    pub required: bool,
    /// Media type → its schema.
    pub content: BTreeMap<&'static str, MediaType>,
}

/// The document's `components`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Components {
    /// Name → schema, generated from the types (`schemas::schemas`).
    pub schemas: Value,
    /// With a token: the bearer scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub security_schemes: Option<BTreeMap<&'static str, SecurityScheme>>,
}

/// An HTTP authentication scheme.
#[derive(Serialize)]
pub struct SecurityScheme {
    /// `http`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `bearer`.
    pub scheme: &'static str,
    /// When it is needed.
    pub description: &'static str,
}
