//! `/provider-setup-sessions`.

use axum::http::Uri;
use axum::response::Response;
use axum::{Extension, Json};
use metorial_models::{
    CreateProviderSetupSessionBody, ProviderSetupSession, ProviderSetupSessionStatus,
    UpdateProviderSetupSessionBody,
};

use super::extract::{ApiPath, JsonBody, list_query};
use super::generated::OperationId;
use super::json::read_cached;
use super::validate;
use crate::http::error::ApiError;
use crate::store::{Db, setup_sessions};
use crate::tenant::Tenant;

/// `list_provider_setup_sessions`: the spec's filters, paged (see [`list_query`]); answered
/// from the tenant's cache while no write or clock move could change it.
pub(crate) async fn list(
    Extension(tenant): Extension<Tenant>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let query = list_query(
        uri.query(),
        OperationId::ListProviderSetupSessions.filters(),
    )?;
    let key = format!("list_provider_setup_sessions {uri}");
    let read = move |db: &mut Db<'_>| setup_sessions::list(db, &query.page, &query.filters);
    read_cached(&tenant, key, read, |page| {
        page.list
            .items
            .iter()
            .map(shown_until)
            .min()
            .unwrap_or(i64::MAX)
    })
    .await
}

/// From when (clock ms) `session` would be shown differently: a `pending` session turns
/// `expired` at its `expires_at`; any other status stays.
fn shown_until(session: &ProviderSetupSession) -> i64 {
    if session.status == ProviderSetupSessionStatus::Pending {
        session.expires_at.timestamp_millis()
    } else {
        i64::MAX
    }
}

/// `create_provider_setup_session`.
pub(crate) async fn create(
    Extension(tenant): Extension<Tenant>,
    JsonBody(body): JsonBody<CreateProviderSetupSessionBody>,
) -> Result<Json<ProviderSetupSession>, ApiError> {
    validate::redirect_url(body.redirect_url.as_deref())?;
    let session = tenant
        .store
        .call(move |db| setup_sessions::create(db, body))
        .await?;
    Ok(Json(session))
}

/// `get_provider_setup_session`, answered from the tenant's cache while still right.
pub(crate) async fn get(
    Extension(tenant): Extension<Tenant>,
    uri: Uri,
    ApiPath(id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let key = format!("get_provider_setup_session {uri}");
    let read = move |db: &mut Db<'_>| setup_sessions::get(db, &id);
    read_cached(&tenant, key, read, shown_until).await
}

/// `update_provider_setup_session`.
pub(crate) async fn update(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<UpdateProviderSetupSessionBody>,
) -> Result<Json<ProviderSetupSession>, ApiError> {
    let session = tenant
        .store
        .call(move |db| setup_sessions::update(db, &id, body))
        .await?;
    Ok(Json(session))
}

/// `delete_provider_setup_session`.
pub(crate) async fn delete(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderSetupSession>, ApiError> {
    let session = tenant
        .store
        .call(move |db| setup_sessions::delete(db, &id))
        .await?;
    Ok(Json(session))
}
