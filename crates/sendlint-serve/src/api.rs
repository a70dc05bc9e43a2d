//! The `/api/v1` handlers. Every answer is the JSON the CLI prints for the
//! same question (`check --format json`, an `audit` line, `explain --format json`).

use std::sync::Arc;
use std::time::{Instant, SystemTime};

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use sendlint::publish::{publish_records, zone_apex};
use sendlint::{CheckOptions, DomainReport, Entry, ExplainInput, ManifestIndex, RecordReport};
use sendlint_records::Role;
use sendlint_records::key::PublicKey;
use sendlint_records::name::DomainName;
use sendlint_rules::{Provider, Rule};
use sendlint_ses::Setup;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::error::ApiError;
use crate::extract::{Api, JsonBody, RequestBody};
use crate::metrics::{CheckOrigin, Rejection};
use crate::schemas::{
    ExplainBody, Health, Info, ProviderSummary, RecordsAnswer, RuleDoc, RuleDocs, RuleSummary, Workspace,
};
use crate::state::AppState;

type Shared = State<Arc<AppState>>;

/// The provider of a `registrar`: an id exactly as `GET /api/v1/providers`
/// spells it (the OpenAPI document's enum), or empty for none.
pub(crate) fn provider<'a>(state: &'a AppState, id: Option<&str>) -> Result<Option<&'a Provider>, ApiError> {
    let Some(id) = id.filter(|id| !id.is_empty()) else { return Ok(None) };
    match state.config.rules.providers().iter().find(|p| *p.id == *id) {
        Some(p) => Ok(Some(p)),
        None => {
            let known: Vec<&str> = state.config.rules.providers().iter().map(|p| &*p.id).collect();
            Err(ApiError::unprocessable(
                "unknown_registrar",
                format!("unknown DNS provider {id:?}; known: {}", known.join(", ")),
            ))
        }
    }
}

/// The `registrar` of a check: `?registrar=` on the URL.
#[derive(Deserialize)]
pub struct CheckQuery {
    #[serde(rename = "registrar")]
    pub(crate) provider: Option<String>,
}

/// The body of `POST /api/v1/check`: a JSON object, read as a manifest entry.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct SetupBody(pub(crate) Map<String, Value>);

impl RequestBody for SetupBody {
    const NOT_ONE: &'static str = "the body is not a JSON object";
}

impl RequestBody for ExplainBody {
    const NOT_ONE: &'static str = "not an explain request";
}

/// A manifest entry (docs/manifest.md) as a setup, with the manifest's own checks
/// and messages: the body is parsed as a one-entry manifest.
pub(crate) fn entry_of(SetupBody(object): SetupBody) -> Result<Entry, ApiError> {
    if let Some(Value::String(d)) = object.get("domain") {
        ascii_domain(d)?;
    }
    let text = json!({"domains": [Value::Object(object)]}).to_string();
    let manifest = ManifestIndex::parse("request", text)
        .map_err(|e| ApiError::unprocessable("bad_setup", e.to_string()))?;
    manifest.entry(0).map_err(|e| ApiError::unprocessable("bad_setup", e.message().to_owned()))
}

/// The API takes a sending domain as the OpenAPI document's pattern says: in
/// ASCII (letters, digits, hyphens), two labels or more, each of 1 to 63
/// characters with no hyphen at either end, the last starting with a letter,
/// 178 characters at most. An internationalized name is given as its A-label
/// (`xn--…`; the page converts what is typed into it).
fn ascii_domain(name: &str) -> Result<(), ApiError> {
    let bare = name.strip_suffix('.').unwrap_or(name);
    let labels: Vec<&str> = bare.split('.').collect();
    let label_ok = |l: &&str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    let ok = name.len() <= 178
        && labels.len() >= 2
        && labels.iter().all(label_ok)
        && labels.last().is_some_and(|l| l.as_bytes()[0].is_ascii_alphabetic());
    if ok {
        return Ok(());
    }
    let why = if name.is_ascii() {
        "a domain name of two labels or more: letters, digits and hyphens"
    } else {
        "a domain name in ASCII: give an internationalized name as its A-label (xn--…)"
    };
    Err(ApiError::unprocessable(
        "bad_setup",
        format!("domain {}: the API takes {why}", sendlint_records::display::quote(name)),
    ))
}

/// A place among the checks in flight, or 429 with `Retry-After` when there is none.
pub(crate) fn check_permit(state: &AppState) -> Result<tokio::sync::OwnedSemaphorePermit, ApiError> {
    let Ok(permit) = state.checks.clone().try_acquire_owned() else {
        state.metrics.rejected(Rejection::Busy);
        let mut e = ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "busy",
            "too many checks in flight; retry in a moment",
        );
        e.retry_after = Some(1);
        return Err(e);
    };
    Ok(permit)
}

/// The options of a check a request runs: now, the provider asked for, and what
/// SES says (the entry's statuses, or live SES when the server has it).
pub(crate) async fn check_options(state: &AppState, entry: &Entry, provider: Option<String>) -> CheckOptions {
    let ses_lookup = match &state.config.ses {
        Some(ses) => Some(ses.lookup(&entry.setup).await),
        None => None,
    };
    CheckOptions {
        now: SystemTime::now(),
        provider,
        ses: entry.ses,
        org: entry.org.clone(),
        ses_lookup,
        trust_anchors: state.config.trust_anchors.clone(),
        ..CheckOptions::default()
    }
}

/// `POST /api/v1/check`: a setup in, the domain report out.
pub async fn check(
    State(state): Shared,
    Api(Query(q)): Api<Query<CheckQuery>>,
    Api(JsonBody(body)): Api<JsonBody<SetupBody>>,
) -> Result<Json<DomainReport>, ApiError> {
    let entry = entry_of(body)?;
    let provider_id = provider(&state, q.provider.as_deref())?.map(|p| p.id.to_string());
    let _permit = check_permit(&state)?;
    let started = Instant::now();
    let opts = check_options(&state, &entry, provider_id).await;
    let report = sendlint::check(&entry.setup, &*state.lookup, &state.config.rules, &opts).await;
    state.metrics.check_done(CheckOrigin::Api, Some(started.elapsed()));
    Ok(Json(report))
}

/// `POST /api/v1/explain`: a pasted record in, its diagnoses out.
pub async fn explain(
    State(state): Shared,
    Api(JsonBody(b)): Api<JsonBody<ExplainBody>>,
) -> Result<Json<RecordReport>, ApiError> {
    let role = match Role::parse(&b.role) {
        Some(r) if r != Role::Domain => r,
        _ => {
            return Err(ApiError::unprocessable(
                "bad_role",
                format!("role {:?}: expected one of spf_mx, spf_txt, dkim, dmarc", b.role),
            ));
        }
    };
    let provider_id = provider(&state, b.provider.as_deref())?.map(|p| p.id.to_string());
    // an empty field is no value (the page sends one for every field left blank)
    let nonempty = |v: Option<String>| v.filter(|s| !s.is_empty());
    if let Some(d) = b.domain.as_deref().filter(|d| !d.is_empty()) {
        ascii_domain(d)?;
    }
    let input = ExplainInput {
        role: Some(role),
        raw: b.raw,
        expected: nonempty(b.expected),
        region: nonempty(b.region),
        domain: nonempty(b.domain),
        provider: provider_id,
        ..ExplainInput::default()
    };
    sendlint::explain(&input, &state.config.rules)
        .map(Json)
        .map_err(|e| ApiError::unprocessable("bad_record", e.to_string()))
}

/// The query of `GET /api/v1/records`.
#[derive(Deserialize)]
pub struct RecordsQuery {
    domain: String,
    selector: String,
    region: Option<String>,
    public_key: Option<String>,
    mail_from: Option<String>,
    #[serde(rename = "registrar")]
    provider: Option<String>,
    apex: Option<String>,
}

fn setup_of(q: &RecordsQuery) -> Result<Setup, ApiError> {
    let bad = |m: String| ApiError::unprocessable("bad_setup", m);
    let domain = DomainName::parse(&q.domain).map_err(|e| bad(format!("domain {:?}: {e}", q.domain)))?;
    let region = q.region.as_deref().filter(|r| !r.is_empty()).unwrap_or("us-east-1");
    let mut setup = Setup::new(domain, region, &q.selector).map_err(|e| bad(e.to_string()))?;
    if let Some(m) = q.mail_from.as_deref().filter(|m| !m.is_empty()) {
        setup = setup.with_mail_from(m).map_err(|e| bad(format!("mail_from: {e}")))?;
    }
    if let Some(k) = q.public_key.as_deref().filter(|k| !k.is_empty()) {
        let key = PublicKey::parse(k).map_err(|e| bad(format!("public_key: {e}")))?;
        setup = setup.with_public_key(key);
    }
    Ok(setup)
}

/// `GET /api/v1/records`: the four records to publish, for a provider's form.
pub async fn records(
    State(state): Shared,
    Api(Query(q)): Api<Query<RecordsQuery>>,
) -> Result<Json<RecordsAnswer>, ApiError> {
    let setup = setup_of(&q)?;
    let p = provider(&state, q.provider.as_deref())?;
    let apex = match q.apex.as_deref().filter(|a| !a.is_empty()) {
        Some(a) => Some(
            DomainName::parse(a)
                .map_err(|e| ApiError::unprocessable("bad_setup", format!("apex {a:?}: {e}")))?,
        ),
        None => None,
    };
    let zone = zone_apex(&setup.domain, apex.as_ref())
        .map_err(|e| ApiError::unprocessable("bad_setup", e.to_string()))?;
    let records = publish_records(&setup, p, &zone);
    Ok(Json(RecordsAnswer {
        domain: setup.domain.to_string(),
        region: setup.region.clone(),
        provider: p.map(|p| p.id.to_string()),
        provider_name: p.map(|p| p.name.to_string()),
        zone: zone.to_string(),
        zone_guessed: apex.is_none(),
        notes: p.map(|p| p.records.notes.iter().map(|n| n.to_string()).collect()).unwrap_or_default(),
        records,
    }))
}

fn rule_summary(r: &Rule) -> RuleSummary {
    RuleSummary {
        code: r.code.to_string(),
        severity: r.severity,
        roles: r.roles.iter().copied().collect(),
        provider: r.provider.as_ref().map(|p| p.to_string()),
        summary: r.docs.what.lines().next().unwrap_or_default().to_owned(),
    }
}

/// `GET /api/v1/rules`: every rule, one line of documentation each.
pub async fn rules(State(state): Shared) -> Json<Vec<RuleSummary>> {
    Json(state.config.rules.rules().map(rule_summary).collect())
}

/// `GET /api/v1/rules/{code}`: one rule's documentation.
pub async fn rule(
    State(state): Shared,
    Api(Path(code)): Api<Path<String>>,
) -> Result<Json<RuleDoc>, ApiError> {
    let r = state
        .config
        .rules
        .rule(&code)
        .ok_or_else(|| ApiError::not_found("unknown_rule", format!("no rule has the code {code:?}")))?;
    Ok(Json(RuleDoc {
        rule: rule_summary(r),
        docs: RuleDocs {
            what: r.docs.what.to_string(),
            why: r.docs.why.to_string(),
            example: r.docs.example.to_string(),
            references: r.docs.references.iter().map(|x| x.to_string()).collect(),
        },
        markdown: r.markdown(),
        source: r.source.to_string(),
    }))
}

/// `GET /api/v1/providers`: the DNS providers the rules know.
pub async fn providers(State(state): Shared) -> Json<Vec<ProviderSummary>> {
    Json(
        state
            .config
            .rules
            .providers()
            .iter()
            .map(|p| ProviderSummary {
                id: p.id.to_string(),
                name: p.name.to_string(),
                docs: p.docs.to_string(),
            })
            .collect(),
    )
}

/// `GET /api/v1/info`: what the page needs to know about this server.
pub async fn info(State(state): Shared) -> Json<Info> {
    Json(Info {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        workspace: state.config.manifest.is_some(),
        poll_seconds: state.config.poll.as_secs_f64(),
        refresh_seconds: state.config.refresh.as_secs_f64(),
        ses: state.config.ses.is_some(),
    })
}

fn rfc3339(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

fn no_manifest() -> ApiError {
    ApiError::not_found("no_manifest", "this server was started without a workspace manifest")
}

/// `GET /api/v1/domains`: every manifest entry with its badges, as of the last round.
pub async fn domains(State(state): Shared) -> Result<Json<Workspace>, ApiError> {
    if state.config.manifest.is_none() {
        return Err(no_manifest());
    }
    let view = state.workspace();
    Ok(Json(Workspace {
        checked_at: view.checked_at.map(rfc3339),
        refresh_seconds: state.config.refresh.as_secs_f64(),
        summary: view.summary.clone(),
        domains: view.lines.clone(),
    }))
}

/// `GET /api/v1/domains/{domain}`: one manifest entry, as of the last round.
pub async fn domain(
    State(state): Shared,
    Api(Path(domain)): Api<Path<String>>,
) -> Result<Response, ApiError> {
    let Some(manifest) = &state.config.manifest else { return Err(no_manifest()) };
    let view = state.workspace();
    if view.checked_at.is_none() {
        let mut e = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_ready",
            format!("the first check of the workspace ({} domains) is still running", manifest.len()),
        );
        e.retry_after = Some(1);
        return Err(e);
    }
    let line = view.domain(&domain).ok_or_else(|| {
        ApiError::not_found("unknown_domain", format!("{domain:?} is not in the workspace manifest"))
    })?;
    let mut v = line.clone();
    v["checked_at"] = view.checked_at.map(rfc3339).into();
    Ok(Json(v).into_response())
}

/// `GET /healthz`.
pub async fn healthz() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// `GET /metrics`: Prometheus text format.
pub async fn metrics(State(state): Shared) -> Response {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], state.metrics.render())
        .into_response()
}

/// Anything else: 404 in the API's error shape.
pub async fn fallback() -> ApiError {
    ApiError::not_found("not_found", "no such route; see /api/v1/openapi.json")
}
