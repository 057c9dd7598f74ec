//! `/provider-auth-credentials`: a service's own OAuth apps.

use axum::extract::RawQuery;
use axum::{Extension, Json};
use metorial_models::{
    CreateProviderAuthCredentialsBody, ProviderAuthCredentials, ProviderAuthCredentialsList,
    UpdateProviderAuthCredentialsBody,
};

use super::extract::{ApiPath, JsonBody, list_query};
use super::generated::OperationId;
use super::json::Page;
use crate::http::error::ApiError;
use crate::store::credentials;
use crate::tenant::Tenant;

/// `list_provider_auth_credentials`.
pub(crate) async fn list(
    Extension(tenant): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Page<ProviderAuthCredentialsList>, ApiError> {
    let filters = OperationId::ListProviderAuthCredentials.filters();
    let query = list_query(query.as_deref(), filters)?;
    let page = tenant
        .store
        .call(move |db| credentials::list(db, &query.page, &query.filters))
        .await?;
    Ok(Page(page))
}

/// `create_provider_auth_credentials`.
pub(crate) async fn create(
    Extension(tenant): Extension<Tenant>,
    JsonBody(body): JsonBody<CreateProviderAuthCredentialsBody>,
) -> Result<Json<ProviderAuthCredentials>, ApiError> {
    Ok(Json(tenant.store.call(move |db| credentials::create(db, body)).await?))
}

/// `get_provider_auth_credentials`.
pub(crate) async fn get(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderAuthCredentials>, ApiError> {
    Ok(Json(tenant.store.call(move |db| credentials::get(db, &id)).await?))
}

/// `update_provider_auth_credentials`.
pub(crate) async fn update(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<UpdateProviderAuthCredentialsBody>,
) -> Result<Json<ProviderAuthCredentials>, ApiError> {
    let updated = tenant
        .store
        .call(move |db| credentials::update(db, &id, body))
        .await?;
    Ok(Json(updated))
}

/// `delete_provider_auth_credentials` (archives them).
pub(crate) async fn delete(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderAuthCredentials>, ApiError> {
    Ok(Json(tenant.store.call(move |db| credentials::delete(db, &id)).await?))
}
