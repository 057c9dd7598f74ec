//! `/provider-auth-configs`: a user's connections.

use axum::extract::RawQuery;
use axum::{Extension, Json};
use metorial_models::{
    CreateProviderAuthConfigBody, ProviderAuthConfig, ProviderAuthConfigList,
    UpdateProviderAuthConfigBody,
};

use super::extract::{ApiPath, JsonBody, list_query};
use super::generated::OperationId;
use super::json::Page;
use crate::http::error::ApiError;
use crate::store::auth_configs;
use crate::tenant::Tenant;

/// `list_provider_auth_configs`.
pub(crate) async fn list(
    Extension(tenant): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Page<ProviderAuthConfigList>, ApiError> {
    let filters = OperationId::ListProviderAuthConfig.filters();
    let query = list_query(query.as_deref(), filters)?;
    let page = tenant
        .store
        .call(move |db| auth_configs::list(db, &query.page, &query.filters))
        .await?;
    Ok(Page(page))
}

/// `create_provider_auth_config`.
pub(crate) async fn create(
    Extension(tenant): Extension<Tenant>,
    JsonBody(body): JsonBody<CreateProviderAuthConfigBody>,
) -> Result<Json<ProviderAuthConfig>, ApiError> {
    Ok(Json(tenant.store.call(move |db| auth_configs::create(db, body)).await?))
}

/// `get_provider_auth_config`.
pub(crate) async fn get(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderAuthConfig>, ApiError> {
    Ok(Json(tenant.store.call(move |db| auth_configs::get(db, &id)).await?))
}

/// `update_provider_auth_config`.
pub(crate) async fn update(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<UpdateProviderAuthConfigBody>,
) -> Result<Json<ProviderAuthConfig>, ApiError> {
    let updated = tenant
        .store
        .call(move |db| auth_configs::update(db, &id, body))
        .await?;
    Ok(Json(updated))
}

/// `delete_provider_auth_config` (archives it: a disconnect).
pub(crate) async fn delete(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderAuthConfig>, ApiError> {
    Ok(Json(tenant.store.call(move |db| auth_configs::delete(db, &id)).await?))
}
