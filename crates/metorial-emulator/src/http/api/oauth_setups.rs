//! `/provider-deployments/{provider_deployment_id}/oauth-setups`.

use axum::extract::RawQuery;
use axum::{Extension, Json};
use metorial_models::{
    CreateProviderOauthSetupBody, ProviderOauthSetup, ProviderOauthSetupList,
    UpdateProviderOauthSetupBody,
};

use super::extract::{ApiPath, JsonBody, list_query};
use super::generated::OperationId;
use super::json::Page;
use super::validate;
use crate::http::error::ApiError;
use crate::splice::Spliced;
use crate::store::oauth_setups;
use crate::tenant::Tenant;

/// `list_provider_oauth_setups`.
pub(crate) async fn list(
    Extension(tenant): Extension<Tenant>,
    ApiPath(deployment_id): ApiPath<String>,
    RawQuery(query): RawQuery,
) -> Result<Page<Spliced<ProviderOauthSetupList>>, ApiError> {
    let filters = OperationId::ListProviderOauthSetups.filters();
    let query = list_query(query.as_deref(), filters)?;
    let page = tenant
        .store
        .call(move |db| oauth_setups::list(db, &deployment_id, &query.page, query.filters))
        .await?;
    Ok(Page(page))
}

/// `create_provider_oauth_setup`.
pub(crate) async fn create(
    Extension(tenant): Extension<Tenant>,
    ApiPath(deployment_id): ApiPath<String>,
    JsonBody(body): JsonBody<CreateProviderOauthSetupBody>,
) -> Result<Json<ProviderOauthSetup>, ApiError> {
    validate::redirect_url(body.redirect_url.as_deref())?;
    let setup = tenant
        .store
        .call(move |db| oauth_setups::create(db, &deployment_id, body))
        .await?;
    Ok(Json(setup))
}

/// `get_provider_oauth_setup`.
pub(crate) async fn get(
    Extension(tenant): Extension<Tenant>,
    ApiPath((deployment_id, id)): ApiPath<(String, String)>,
) -> Result<Json<ProviderOauthSetup>, ApiError> {
    let setup = tenant
        .store
        .call(move |db| oauth_setups::get(db, &deployment_id, &id))
        .await?;
    Ok(Json(setup))
}

/// `update_provider_oauth_setup`.
pub(crate) async fn update(
    Extension(tenant): Extension<Tenant>,
    ApiPath((deployment_id, id)): ApiPath<(String, String)>,
    JsonBody(body): JsonBody<UpdateProviderOauthSetupBody>,
) -> Result<Json<ProviderOauthSetup>, ApiError> {
    let setup = tenant
        .store
        .call(move |db| oauth_setups::update(db, &deployment_id, &id, body))
        .await?;
    Ok(Json(setup))
}
