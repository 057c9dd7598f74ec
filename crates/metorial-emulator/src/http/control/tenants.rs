//! Tenants: `GET /_emulator/tenant` (the caller's), `POST /_emulator/tenants` (a new one, for
//! a key given as `{"api_key": ...}` or a new key), `DELETE /_emulator/tenants/{id}`.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::{Deserialize, Serialize};

use crate::http::api::extract::JsonBody;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::ids::random_secret;
use crate::tenant::Tenant;

/// A tenant as the control API shows it.
#[derive(Serialize)]
pub(super) struct TenantView {
    /// `tnt_…`.
    id: String,
    /// The base of its browser pages (`<public URL>/t/<id>`).
    public_url: String,
    /// How many requests its journal keeps.
    journal_size: usize,
    /// Its API key: only in the answer to the request that made it.
    #[serde(skip_serializing_if = "Option::is_none")]
    api_key: Option<String>,
}

/// `POST /_emulator/tenants`'s body.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct NewTenant {
    /// The new tenant's key; default: a new `metorial_sk_…` key.
    api_key: Option<String>,
}

/// `GET /_emulator/tenant`.
pub(super) async fn current(Extension(tenant): Extension<Tenant>) -> Json<TenantView> {
    Json(TenantView {
        id: tenant.id.clone(),
        public_url: tenant.public_url.clone(),
        journal_size: tenant.journal.capacity(),
        api_key: None,
    })
}

/// `POST /_emulator/tenants`: 201 with the tenant and its key; 400 `invalid_data` for a key
/// that breaks the key rule or has a tenant already; 409 `conflict` when the emulator holds
/// `--max-tenants` tenants.
pub(super) async fn create(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<NewTenant>,
) -> Result<(StatusCode, Json<TenantView>), ApiError> {
    let key = body
        .api_key
        .unwrap_or_else(|| format!("metorial_sk_{}", random_secret(32)));
    let tenants = state.tenants.clone();
    let added = key.clone();
    let tenant = tokio::task::spawn_blocking(move || tenants.add(&added))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::from)?;
    let view = TenantView {
        id: tenant.id.clone(),
        public_url: tenant.public_url.clone(),
        journal_size: tenant.journal.capacity(),
        api_key: Some(key),
    };
    Ok((StatusCode::CREATED, Json(view)))
}

/// `DELETE /_emulator/tenants/{id}`: 204; the tenant's key answers 401 from then on. 404
/// `not_found` for an unknown tenant or one the caller may not delete, 403 `forbidden` for a
/// tenant given with `--api-key`.
pub(super) async fn delete(
    State(state): State<AppState>,
    Extension(caller): Extension<Tenant>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.tenants.delete(&id, &caller).await?;
    Ok(StatusCode::NO_CONTENT)
}
