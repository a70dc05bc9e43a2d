//! `POST /api/v1/fix`: a setup (a manifest entry) and a form in, the
//! change-set out, as text in that form and as data (`sendlint fix`).

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Query, State};
use schemars::JsonSchema;

use sendlint::fix::Form;
use sendlint::fix::format::json::{FixOutput, output};
use serde::Serialize;
use serde_json::Value;

use crate::api::{CheckQuery, SetupBody, check_options, check_permit, entry_of, provider};
use crate::error::ApiError;
use crate::extract::{Api, JsonBody};
use crate::metrics::CheckOrigin;
use crate::state::AppState;

/// `POST /api/v1/fix`: the change-set, in a form and as data.
#[derive(Serialize, JsonSchema)]
#[schemars(rename = "FixAnswer")]
pub struct FixAnswer {
    /// The form of `text`: the one asked for, else the DNS host's own
    /// (`cloudflare`, `route53`), else `human`.
    #[schemars(extend("enum" = form_names()))]
    pub form: &'static str,
    /// A file name for `text`: the domain and the form's file name ending.
    pub file_name: String,
    /// The change-set in that form, ready to paste or save.
    pub text: String,
    /// The change-set as data (what `sendlint fix --format json` prints).
    pub changes: FixOutput,
}

/// The names `as` takes.
pub(crate) fn form_names() -> Vec<&'static str> {
    Form::ALL.iter().map(|f| f.as_str()).collect()
}

/// The form a DNS host takes its changes in: its API's, else steps to follow.
fn default_form(dns_host: Option<&str>) -> Form {
    match dns_host {
        Some("cloudflare") => Form::Cloudflare,
        Some("route53") => Form::Route53,
        _ => Form::Human,
    }
}

/// `POST /api/v1/fix`: a setup with `as` in, the change-set out.
pub async fn fix(
    State(state): State<Arc<AppState>>,
    Api(Query(q)): Api<Query<CheckQuery>>,
    Api(JsonBody(SetupBody(mut object))): Api<JsonBody<SetupBody>>,
) -> Result<Json<FixAnswer>, ApiError> {
    let asked = match object.remove("as") {
        None => None,
        Some(Value::String(name)) => Some(Form::parse(&name).ok_or_else(|| {
            ApiError::unprocessable(
                "bad_form",
                format!("as {:?}: expected one of {}", name, form_names().join(", ")),
            )
        })?),
        Some(_) => {
            return Err(ApiError::unprocessable(
                "bad_form",
                format!("as: expected one of {}", form_names().join(", ")),
            ));
        }
    };
    let entry = entry_of(SetupBody(object))?;
    let provider_id = provider(&state, q.provider.as_deref())?.map(|p| p.id.to_string());
    let _permit = check_permit(&state)?;
    let started = Instant::now();
    let opts = check_options(&state, &entry, provider_id).await;
    let changes = sendlint::fix::plan(&entry.setup, &*state.lookup, &state.config.rules, &opts).await;
    state.metrics.check_done(CheckOrigin::Api, Some(started.elapsed()));
    let form = asked.unwrap_or_else(|| default_form(changes.provider.as_deref()));
    let host = changes.provider.as_deref().and_then(|id| state.config.rules.provider(id));
    let text = sendlint::fix::render(&changes, form, host);
    // the domain is an A-label (the API takes no other): a file name as it is
    let file_name = format!("{}.{}", changes.domain, form.extension());
    Ok(Json(FixAnswer { form: form.as_str(), file_name, text, changes: output(&changes) }))
}
