//! The tenant's fault rules (see [`crate::faults`] for the rule format): `GET
//! /_emulator/faults` lists them, `POST` adds one, `DELETE` removes all, `DELETE
//! /_emulator/faults/{id}` one.

use axum::http::StatusCode;
use axum::{Extension, Json};
use metorial_models::PathSegment;

use crate::faults::{FaultError, Rule, RuleView};
use crate::http::api::extract::{ApiPath, JsonBody};
use crate::http::error::ApiError;
use crate::tenant::Tenant;

/// A refused rule: 400 `invalid_data`, naming the field.
impl From<FaultError> for ApiError {
    fn from(error: FaultError) -> Self {
        let path = error.field.iter().map(|f| PathSegment::from(f.as_str()));
        ApiError::invalid(path.collect(), error.message)
    }
}

/// The rules, in the order they are tried.
#[derive(serde::Serialize)]
pub(super) struct Rules {
    /// Each rule with its ID and counts.
    rules: Vec<RuleView>,
}

/// `GET /_emulator/faults`.
pub(super) async fn list(Extension(tenant): Extension<Tenant>) -> Json<Rules> {
    Json(Rules {
        rules: tenant.faults.list(),
    })
}

/// `POST /_emulator/faults`: 201 with the rule's view (its ID).
pub(super) async fn add(
    Extension(tenant): Extension<Tenant>,
    JsonBody(rule): JsonBody<Rule>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    Ok((StatusCode::CREATED, Json(tenant.faults.add(rule)?)))
}

/// `DELETE /_emulator/faults`: 204.
pub(super) async fn clear(Extension(tenant): Extension<Tenant>) -> StatusCode {
    tenant.faults.clear();
    StatusCode::NO_CONTENT
}

/// `DELETE /_emulator/faults/{id}`: 204, or 404 for an unknown rule.
pub(super) async fn remove(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
) -> Result<StatusCode, ApiError> {
    if tenant.faults.remove(&id) {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::not_found(crate::entity::FAULT_RULE, &id))
    }
}
