//! `/provider-setup-sessions`.

use axum::extract::RawQuery;
use axum::{Extension, Json};
use metorial_models::{
    CreateProviderSetupSessionBody, ProviderSetupSession, ProviderSetupSessionList,
    UpdateProviderSetupSessionBody,
};

use super::error::ApiError;
use super::extract::{ApiPath, JsonBody, list_query};
use super::json::Page;
use super::validate;
use crate::store::setup_sessions;
use crate::tenant::Tenant;

/// The statuses the `status` filter accepts (the live API's list; `deleted` is not one).
const STATUSES: &[&str] = &["pending", "completed", "failed", "expired", "archived"];

/// The list filters: query key, column, and what each accepts.
const FILTERS: &[super::extract::ListFilter] = {
    use super::extract::ListFilter;
    &[
        ListFilter::values("id", "id"),
        ListFilter::values("provider_id", "provider_id"),
        ListFilter::values("provider_deployment_id", "deployment_id"),
        ListFilter::values("provider_auth_method_id", "auth_method_id"),
        ListFilter::values("provider_auth_config_id", "auth_config_id"),
        ListFilter::values("provider_auth_credentials_id", "credentials_id"),
        ListFilter::one_of("status", "status", STATUSES),
        ListFilter::dates("created_at", "created_at"),
        ListFilter::dates("updated_at", "updated_at"),
    ]
};

/// `list_provider_setup_sessions`: the filters above, paged (see [`list_query`]).
pub(crate) async fn list(
    Extension(tenant): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Page<ProviderSetupSessionList>, ApiError> {
    let query = list_query(query.as_deref(), FILTERS)?;
    let page = tenant
        .store
        .call(move |db| setup_sessions::list(db, &query.page, &query.filters))
        .await?;
    Ok(Page(page))
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

/// `get_provider_setup_session`.
pub(crate) async fn get(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderSetupSession>, ApiError> {
    let session = tenant
        .store
        .call(move |db| setup_sessions::get(db, &id))
        .await?;
    Ok(Json(session))
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
