//! Objects made without a browser: `POST /_emulator/auth-configs` seeds an auth config holding
//! given tokens; `POST /_emulator/flows/{id}/complete` and `.../fail` end a setup session
//! (`pas_…`) or an OAuth setup as if the user had gone through the provider.

use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use crate::http::api::extract::{ApiPath, JsonBody};
use crate::http::error::ApiError;
use crate::store::seed::{SeedAuthConfig, SeedTokens};
use crate::tenant::Tenant;

/// `POST /_emulator/auth-configs`: 201 with the auth config.
pub(super) async fn auth_config(
    Extension(tenant): Extension<Tenant>,
    JsonBody(seed): JsonBody<SeedAuthConfig>,
) -> Result<(StatusCode, Json<impl Serialize>), ApiError> {
    let config = tenant.seed_auth_config(seed).await?;
    Ok((StatusCode::CREATED, Json(config)))
}

/// What ending a flow made.
#[derive(Serialize)]
pub(super) struct Ended {
    /// The flow's ID.
    id: String,
    /// Its status now: `completed` or `failed`.
    status: &'static str,
    /// The auth config holding the tokens, for a completed flow.
    #[serde(skip_serializing_if = "Option::is_none")]
    auth_config_id: Option<String>,
}

/// `POST /_emulator/flows/{id}/complete` with the tokens to store.
pub(super) async fn complete(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
    JsonBody(tokens): JsonBody<SeedTokens>,
) -> Result<Json<Ended>, ApiError> {
    let auth_config_id = tenant.complete_flow(id.clone(), tokens).await?;
    Ok(Json(Ended {
        id,
        status: "completed",
        auth_config_id: Some(auth_config_id),
    }))
}

/// `POST /_emulator/flows/{id}/fail`'s body.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct Failure {
    /// The OAuth error code (default `access_denied`).
    error: Option<String>,
    /// Its description.
    error_description: Option<String>,
}

/// `POST /_emulator/flows/{id}/fail`.
pub(super) async fn fail(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
    JsonBody(failure): JsonBody<Failure>,
) -> Result<Json<Ended>, ApiError> {
    tenant
        .fail_flow(id.clone(), failure.error, failure.error_description)
        .await?;
    Ok(Json(Ended {
        id,
        status: "failed",
        auth_config_id: None,
    }))
}
