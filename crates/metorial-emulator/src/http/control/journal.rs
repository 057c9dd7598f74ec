//! The tenant's request journal (see [`crate::journal`]): `GET /_emulator/journal` with
//! optional filters `operation_id`, `status`, `method`, `after_seq` and `limit` in the query,
//! `DELETE` clears it.

use axum::extract::Query;
use axum::http::{StatusCode, Uri};
use axum::{Extension, Json};

use crate::http::error::ApiError;
use crate::journal::{self, View};
use crate::tenant::Tenant;

/// `GET /_emulator/journal`: the recorded requests that pass the filters, oldest first.
pub(super) async fn query(
    Extension(tenant): Extension<Tenant>,
    uri: Uri,
) -> Result<Json<View>, ApiError> {
    let Query(query) = Query::<journal::Query>::try_from_uri(&uri)
        .map_err(|rejection| ApiError::bad_request(rejection.body_text()))?;
    Ok(Json(tenant.journal.query(&query)))
}

/// `DELETE /_emulator/journal`: 204.
pub(super) async fn clear(Extension(tenant): Extension<Tenant>) -> StatusCode {
    tenant.journal.clear();
    StatusCode::NO_CONTENT
}
