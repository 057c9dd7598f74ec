//! The tenant's state as a whole: `POST /_emulator/reset` (back to the fixtures),
//! `POST /_emulator/reset-all` (every tenant), `GET /_emulator/snapshot` (everything as JSON,
//! secrets included) and `PUT /_emulator/snapshot` (replace everything with a snapshot).

use axum::extract::State;
use axum::http::StatusCode;
use axum::{Extension, Json};

use crate::http::api::extract::JsonBody;
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::store::snapshot::Snapshot;
use crate::tenant::Tenant;

/// `POST /_emulator/reset`: 204.
pub(super) async fn reset(Extension(tenant): Extension<Tenant>) -> Result<StatusCode, ApiError> {
    crate::control::reset(&tenant).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /_emulator/reset-all`: 204.
pub(super) async fn reset_all(State(state): State<AppState>) -> Result<StatusCode, ApiError> {
    crate::control::reset_all(&state.tenants).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /_emulator/snapshot`.
pub(super) async fn export(
    Extension(tenant): Extension<Tenant>,
) -> Result<Json<Snapshot>, ApiError> {
    Ok(Json(tenant.export().await?))
}

/// `PUT /_emulator/snapshot`: 204; a snapshot the emulator cannot take is 400 and changes
/// nothing.
pub(super) async fn import(
    Extension(tenant): Extension<Tenant>,
    JsonBody(snapshot): JsonBody<Snapshot>,
) -> Result<StatusCode, ApiError> {
    tenant.import(snapshot).await?;
    Ok(StatusCode::NO_CONTENT)
}
