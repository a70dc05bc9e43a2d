//! The route table: one entry per route, from which both the router and the
//! OpenAPI document are built, so neither can name a route the other lacks.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{MethodRouter, get, post};
use serde_json::{Value, json};

use sendlint_rules::RuleSet;

use crate::openapi::{
    Answer, Bearer, Components, DocInfo, Document, Header, In, MediaType, Operation, Parameter, RequestBody,
    SecurityScheme, StringSchema,
};
use crate::state::AppState;
use crate::{api, assets, guard};

/// One route of the server.
pub struct Route {
    /// `GET` or `POST`.
    pub method: &'static str,
    /// The path, with `{param}` placeholders (axum's and OpenAPI's syntax alike).
    pub path: &'static str,
    /// A stable operation id.
    pub operation: &'static str,
    /// One line for the OpenAPI document.
    pub summary: &'static str,
    /// The request body's schema (a name under `components/schemas`).
    pub request: Option<&'static str>,
    /// The success answer: its media type and schema name.
    pub response: (&'static str, &'static str),
    /// The query parameters: `(name, required, description)`.
    pub query: &'static [(&'static str, bool, &'static str)],
    /// The error statuses it can answer besides the common ones.
    pub errors: &'static [u16],
    /// Whether the bearer token (when set) is needed.
    pub auth: bool,
    handler: fn() -> MethodRouter<Arc<AppState>>,
}

const JSON: &str = "application/json";

/// Every route of the server.
pub const ROUTES: &[Route] = &[
    Route {
        method: "POST",
        path: "/api/v1/check",
        operation: "check",
        summary: "Check one sending domain: a setup (the shape of a manifest entry) in, the domain report out.",
        request: Some("Setup"),
        response: (JSON, "DomainReport"),
        query: &[(
            "registrar",
            false,
            "Phrase the advice for this DNS provider instead of the detected one.",
        )],
        errors: &[400, 413, 422, 429],
        auth: true,
        handler: || post(api::check),
    },
    Route {
        method: "POST",
        path: "/api/v1/fix",
        operation: "fix",
        summary: "The change-set that makes one sending domain pass: a setup (the shape of a manifest entry) and `as` (the form) in, the change-set in that form and as data out.",
        request: Some("FixRequest"),
        response: (JSON, "FixAnswer"),
        query: &[("registrar", false, "Word the steps for this DNS provider instead of the detected one.")],
        errors: &[400, 413, 422, 429],
        auth: true,
        handler: || post(crate::fix::fix),
    },
    Route {
        method: "POST",
        path: "/api/v1/explain",
        operation: "explain",
        summary: "Explain one pasted record (or a `dig` answer) without looking anything up.",
        request: Some("ExplainRequest"),
        response: (JSON, "RecordReport"),
        query: &[],
        errors: &[400, 413, 422],
        auth: true,
        handler: || post(api::explain),
    },
    Route {
        method: "GET",
        path: "/api/v1/records",
        operation: "records",
        summary: "The four records to publish, written for a DNS provider's form.",
        request: None,
        response: (JSON, "Records"),
        query: &[
            ("domain", true, "The sending domain."),
            ("selector", true, "The DKIM selector."),
            ("region", false, "The SES region (default us-east-1)."),
            ("public_key", false, "The DKIM public key (base64 of the SubjectPublicKeyInfo)."),
            ("mail_from", false, "The MAIL FROM label or full name (default `send`)."),
            ("registrar", false, "Write the fields of this DNS provider's form."),
            ("apex", false, "The DNS zone the records go into (default: the last two labels)."),
        ],
        errors: &[400, 422],
        auth: true,
        handler: || get(api::records),
    },
    Route {
        method: "GET",
        path: "/api/v1/rules",
        operation: "rules",
        summary: "Every rule: code, severity, roles, provider, one line of documentation.",
        request: None,
        response: (JSON, "RuleList"),
        query: &[],
        errors: &[],
        auth: true,
        handler: || get(api::rules),
    },
    Route {
        method: "GET",
        path: "/api/v1/rules/{code}",
        operation: "rule",
        summary: "One rule's documentation.",
        request: None,
        response: (JSON, "RuleDoc"),
        query: &[],
        errors: &[404],
        auth: true,
        handler: || get(api::rule),
    },
    Route {
        method: "GET",
        path: "/api/v1/providers",
        operation: "providers",
        summary: "The DNS providers the rules know (ids for `registrar`).",
        request: None,
        response: (JSON, "ProviderList"),
        query: &[],
        errors: &[],
        auth: true,
        handler: || get(api::providers),
    },
    Route {
        method: "GET",
        path: "/api/v1/info",
        operation: "info",
        summary: "This server: version, whether it has a workspace, poll and refresh intervals.",
        request: None,
        response: (JSON, "Info"),
        query: &[],
        errors: &[],
        auth: true,
        handler: || get(api::info),
    },
    Route {
        method: "GET",
        path: "/api/v1/domains",
        operation: "domains",
        summary: "Every workspace domain with its badges (audit lines), the audit summary and the time of the last check.",
        request: None,
        response: (JSON, "Workspace"),
        query: &[],
        errors: &[404],
        auth: true,
        handler: || get(api::domains),
    },
    Route {
        method: "GET",
        path: "/api/v1/domains/{domain}",
        operation: "domain",
        summary: "One workspace domain (its audit line) as of the last check.",
        request: None,
        response: (JSON, "DomainLine"),
        query: &[],
        errors: &[404, 503],
        auth: true,
        handler: || get(api::domain),
    },
    Route {
        method: "GET",
        path: "/api/v1/openapi.json",
        operation: "openapi",
        summary: "This document.",
        request: None,
        response: (JSON, "OpenApi"),
        query: &[],
        errors: &[],
        auth: true,
        handler: || get(openapi_document),
    },
    Route {
        method: "GET",
        path: "/healthz",
        operation: "healthz",
        summary: "Liveness: always `{\"status\": \"ok\"}`; needs no token.",
        request: None,
        response: (JSON, "Health"),
        query: &[],
        errors: &[],
        auth: false,
        handler: || get(api::healthz),
    },
    Route {
        method: "GET",
        path: "/metrics",
        operation: "metrics",
        summary: "Prometheus text format: checks run, DNS queries, lookup failures, check latency histogram.",
        request: None,
        response: ("text/plain", "Text"),
        query: &[],
        errors: &[],
        auth: true,
        handler: || get(api::metrics),
    },
    Route {
        method: "GET",
        path: "/",
        operation: "page",
        summary: "The support page (HTML); needs no token, its API calls do.",
        request: None,
        response: ("text/html", "Text"),
        query: &[],
        errors: &[],
        auth: false,
        handler: || get(assets::index),
    },
    Route {
        method: "GET",
        path: "/assets/{file}",
        operation: "asset",
        summary: "The page's script, stylesheet and icon.",
        request: None,
        response: ("application/octet-stream", "Text"),
        query: &[],
        errors: &[404],
        auth: false,
        handler: || get(assets::asset),
    },
];

/// The router over [`ROUTES`] with every guard.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let mut router: Router<Arc<AppState>> = Router::new();
    for r in ROUTES {
        let mut method = (r.handler)();
        if r.request.is_some() {
            method = method.route_layer(middleware::from_fn_with_state(state.clone(), guard::json_only));
        }
        router = router.route(r.path, method);
    }
    let limit = state.config.limits.body_bytes;
    router
        .fallback(api::fallback)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), guard::deadline))
        .layer(middleware::from_fn_with_state(state.clone(), guard::require_token))
        .layer(middleware::from_fn_with_state(state.clone(), guard::body))
        .layer(middleware::from_fn_with_state(state.clone(), guard::same_origin))
        .layer(middleware::from_fn_with_state(state.clone(), guard::log))
        .layer(middleware::from_fn(guard::headers))
        .with_state(state)
}

fn error_response(status: u16) -> Answer {
    let description = match status {
        400 => "The request is malformed, or its `Host` is missing or not one this server answers as.",
        401 => "The bearer token is missing or wrong.",
        403 => "Sent by a page of another origin (`Origin`, `Sec-Fetch-Site`).",
        404 => "Not found.",
        413 => "The request body is too large.",
        415 => "The body is not `application/json`.",
        422 => "Well-formed, but not something that can be checked.",
        429 => "Too many checks in flight; see Retry-After.",
        503 => "Not ready yet; see Retry-After.",
        504 => "The request took longer than the server's deadline.",
        _ => "Error.",
    };
    let header = |name, description| {
        BTreeMap::from([(name, Header { description, required: true, schema: StringSchema::any() })])
    };
    let headers = match status {
        401 => Some(header("WWW-Authenticate", "`Bearer`.")),
        429 | 503 => Some(header("Retry-After", "Seconds to wait before asking again.")),
        _ => None,
    };
    Answer { description, content: BTreeMap::from([(JSON.to_owned(), MediaType::named("Error"))]), headers }
}

/// The schema of query parameter `name` of `operation`: what the handler
/// accepts (an empty value is the same as none where the handler says so).
/// Written here, not derived from the query types: a parameter's schema is
/// the handler's reading of one string (`Option<String>` fields, each
/// checked by the setup's own parsers), which no derive describes.
fn query_schema(operation: &str, name: &str, registrars: &[String]) -> StringSchema {
    use sendlint::schema::patterns;
    let or_empty = |pattern: &str| StringSchema::pattern(format!("^$|{pattern}"));
    match (operation, name) {
        (_, "registrar") => StringSchema::one_of(registrars.to_vec()),
        ("records", "domain") => {
            StringSchema { max_length: Some(patterns::DOMAIN_MAX), ..StringSchema::pattern(patterns::DOMAIN) }
        }
        ("records", "selector") => StringSchema::pattern(patterns::SELECTOR),
        ("records", "region") => {
            let mut regions: Vec<String> = sendlint_ses::SES_REGIONS.iter().map(|r| r.to_string()).collect();
            regions.push(String::new());
            StringSchema::one_of(regions)
        }
        ("records", "public_key") => or_empty(patterns::RSA_2048_SPKI),
        ("records", "mail_from") => or_empty(patterns::LABEL),
        ("records", "apex") => StringSchema { max_length: Some(253), ..or_empty(patterns::DOMAIN) },
        _ => StringSchema::any(),
    }
}

/// `GET /api/v1/openapi.json`: the document of this server (with its token or without).
async fn openapi_document(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> axum::Json<Value> {
    axum::Json(openapi(&state.config.rules, state.config.token.is_some()))
}

/// The OpenAPI 3.1 document of [`ROUTES`] for a server with `rules` and,
/// when `token` is true, a bearer token: it then names the token and the
/// 401 answers, and only then.
pub fn openapi(rules: &RuleSet, token: bool) -> Value {
    // every provider id, and "" (no provider)
    let mut registrars: Vec<String> = rules.providers().iter().map(|p| p.id.to_string()).collect();
    registrars.push(String::new());
    let mut paths: BTreeMap<&'static str, BTreeMap<String, Operation>> = BTreeMap::new();
    for r in ROUTES {
        let mut responses = BTreeMap::new();
        // a JSON answer has a schema; a page, a script or metrics text is just its media type
        let body = match r.response.0 {
            JSON => MediaType::named(r.response.1),
            _ => MediaType { schema: None },
        };
        let mut content = BTreeMap::from([(r.response.0.to_owned(), body)]);
        if r.operation == "asset" {
            // each file its own media type
            content = assets::ASSETS
                .iter()
                .map(|(_, media, _)| {
                    (media.split(';').next().unwrap_or_default().to_owned(), MediaType { schema: None })
                })
                .collect();
        }
        let description = match r.response.1 {
            // the workspace answers from its last round
            "DomainLine" | "Workspace" => "OK, as of the last complete round of checks.",
            _ => "OK",
        };
        responses.insert("200".to_owned(), Answer { description, content, headers: None });
        let mut statuses: Vec<u16> = r.errors.to_vec();
        // every route: a Host not ours or missing (400), another origin (403)
        statuses.extend([400, 403, 504]);
        if r.request.is_some() {
            statuses.extend([413, 415]);
        }
        if token && r.auth {
            statuses.push(401);
        }
        statuses.sort_unstable();
        statuses.dedup();
        for s in statuses {
            responses.insert(s.to_string(), error_response(s));
        }
        let mut parameters: Vec<Parameter> = r
            .query
            .iter()
            .map(|&(name, required, doc)| Parameter {
                name,
                location: In::Query,
                required,
                description: Some(doc),
                schema: query_schema(r.operation, name, &registrars),
            })
            .collect();
        let mut rest = r.path;
        while let Some(open) = rest.find('{') {
            let Some(close) = rest[open..].find('}') else { break };
            let name = &rest[open + 1..open + close];
            let schema = match name {
                "file" => StringSchema::one_of(assets::ASSETS.iter().map(|a| a.0.to_owned()).collect()),
                _ => StringSchema::any(),
            };
            parameters.push(Parameter {
                name,
                location: In::Path,
                required: true,
                description: None,
                schema,
            });
            rest = &rest[open + close..];
        }
        let op = Operation {
            operation_id: r.operation,
            summary: r.summary,
            parameters,
            responses,
            request_body: r.request.map(|schema| RequestBody {
                required: true,
                content: BTreeMap::from([(JSON, MediaType::named(schema))]),
            }),
            security: (token && !r.auth).then_some([]),
        };
        paths.entry(r.path).or_default().insert(r.method.to_ascii_lowercase(), op);
    }
    let mut schemas = crate::schemas::schemas();
    // The registrars this server knows are its rule set's providers, known
    // only at run time: the derived schema of `ExplainRequest.registrar`
    // (any string or null) gets them as its enum here.
    if let Some(p) = schemas.pointer_mut("/ExplainRequest/properties/registrar") {
        let mut ids: Vec<Option<String>> = registrars.into_iter().map(Some).collect();
        ids.push(None);
        p["enum"] = json!(ids);
    }
    let doc = Document {
        openapi: "3.1.0",
        info: DocInfo {
            title: "sendlint",
            version: env!("CARGO_PKG_VERSION"),
            description: "Diagnose the DNS records of Amazon SES sending domains (BYODKIM + custom MAIL FROM). The JSON shapes are those of the sendlint CLI (docs/json.md, docs/schema/).",
        },
        paths,
        components: Components {
            schemas,
            security_schemes: token.then(|| {
                BTreeMap::from([("bearer", SecurityScheme {
                    kind: "http",
                    scheme: "bearer",
                    description: "This server was started with --token: every route but the page, its assets and /healthz needs `Authorization: Bearer <token>`.",
                })])
            }),
        },
        security: token.then(|| vec![Bearer { bearer: [] }]),
    };
    // a document of these types always serializes
    serde_json::to_value(doc).unwrap_or_default()
}
