//! `/providers` and `/provider-auth-methods`: the catalog, read-only.

use axum::extract::RawQuery;
use axum::{Extension, Json};
use metorial_models::{Provider, ProviderAuthMethod, ProviderAuthMethodList, ProviderList};

use super::extract::{ApiPath, list_query};
use super::generated::OperationId;
use super::json::Page;
use crate::http::error::ApiError;
use crate::store::providers;
use crate::tenant::Tenant;

/// `list_providers`.
pub(crate) async fn list(
    Extension(tenant): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Page<ProviderList>, ApiError> {
    let query = list_query(query.as_deref(), OperationId::ListProviders.filters())?;
    let page = tenant
        .store
        .call(move |db| providers::list(db, &query.page, &query.filters))
        .await?;
    Ok(Page(page))
}

/// `get_provider`.
pub(crate) async fn get(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<Provider>, ApiError> {
    Ok(Json(
        tenant.store.call(move |db| providers::get(db, &id)).await?,
    ))
}

/// `list_provider_auth_methods` (`provider_version_id` required, as on the live API).
pub(crate) async fn list_auth_methods(
    Extension(tenant): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Page<ProviderAuthMethodList>, ApiError> {
    let filters = OperationId::ListProviderAuthMethods.filters();
    let query = list_query(query.as_deref(), filters)?;
    let page = tenant
        .store
        .call(move |db| providers::list_auth_methods(db, &query.page, &query.filters))
        .await?;
    Ok(Page(page))
}

/// `get_provider_auth_method`.
pub(crate) async fn get_auth_method(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderAuthMethod>, ApiError> {
    let method = tenant
        .store
        .call(move |db| providers::get_auth_method(db, &id))
        .await?;
    Ok(Json(method))
}
