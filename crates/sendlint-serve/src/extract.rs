//! The one extractor of the handlers: [`Api`] wraps an axum extractor and
//! refuses a request it cannot read with an [`ApiError`], so a malformed
//! body, query string or path is answered in the API's error shape.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A part of a request (`Api<Query<T>>`, `Api<Path<T>>`, `Api<JsonBody<T>>`)
/// whose rejection is an [`ApiError`].
pub struct Api<E>(pub E);

impl<S, E> FromRequestParts<S> for Api<E>
where
    S: Send + Sync,
    E: FromRequestParts<S>,
    ApiError: From<E::Rejection>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        E::from_request_parts(parts, state).await.map(Api).map_err(ApiError::from)
    }
}

impl<S, E> FromRequest<S> for Api<E>
where
    S: Send + Sync,
    E: FromRequest<S>,
    ApiError: From<E::Rejection>,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        E::from_request(request, state).await.map(Api).map_err(ApiError::from)
    }
}

/// A JSON request body read as `T` (the media type is checked by
/// `guard::json_only` before).
pub struct JsonBody<T>(pub T);

/// A type a request body is read as.
pub trait RequestBody: DeserializeOwned {
    /// What the error says a body that does not read as `Self` is not.
    const NOT_ONE: &'static str;
}

/// Why a body was refused.
pub enum BodyRejection {
    /// It could not be read (or it is too large).
    Bytes(BytesRejection),
    /// It is not JSON of the type wanted: what it is not, and why.
    Json(&'static str, serde_json::Error),
}

impl<S, T> FromRequest<S> for JsonBody<T>
where
    S: Send + Sync,
    T: RequestBody,
{
    type Rejection = BodyRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, BodyRejection> {
        let bytes = Bytes::from_request(request, state).await.map_err(BodyRejection::Bytes)?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| BodyRejection::Json(T::NOT_ONE, e))
    }
}

impl From<BodyRejection> for ApiError {
    fn from(rejection: BodyRejection) -> ApiError {
        match rejection {
            BodyRejection::Bytes(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                "the request body is too large",
            ),
            BodyRejection::Bytes(e) => ApiError::bad_request("bad_body", e.body_text()),
            BodyRejection::Json(not_one, e) => ApiError::bad_request("bad_json", format!("{not_one}: {e}")),
        }
    }
}

impl IntoResponse for BodyRejection {
    fn into_response(self) -> Response {
        ApiError::from(self).into_response()
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::bad_request("bad_query", rejection.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(rejection: PathRejection) -> ApiError {
        ApiError::new(rejection.status(), "bad_path", rejection.body_text())
    }
}
