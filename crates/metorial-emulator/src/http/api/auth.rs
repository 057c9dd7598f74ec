//! The API key check: `Authorization: Bearer <key>`, compared in constant time; the key's
//! tenant goes into the request's extensions for the handlers.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::http::error::ApiError;
use crate::http::state::AppState;

/// Lets the request through only with a valid API key, its tenant attached; 401
/// `unauthorized` otherwise.
pub(crate) async fn require_api_key(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let Some(header) = request.headers().get(AUTHORIZATION) else {
        return ApiError::unauthorized(
            "missing API key: send it as `Authorization: Bearer <api key>`",
        )
        .into_response();
    };
    let presented = header.to_str().ok().and_then(|value| {
        let (scheme, key) = value.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
    });
    let Some(presented) = presented else {
        return ApiError::unauthorized(
            "malformed Authorization header: expected `Bearer <api key>`",
        )
        .into_response();
    };
    let Some(tenant) = state.tenants.by_key(presented) else {
        return ApiError::unauthorized("invalid API key").into_response();
    };
    request.extensions_mut().insert(tenant);
    next.run(request).await
}
