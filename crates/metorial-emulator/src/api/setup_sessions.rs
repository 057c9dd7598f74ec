//! `/provider-setup-sessions`.

use axum::Json;
use axum::extract::{RawQuery, State};
use metorial_models::{
    CreateProviderSetupSessionBody, ProviderSetupSession, ProviderSetupSessionList,
    UpdateProviderSetupSessionBody,
};

use super::extract::{ApiPath, JsonBody, list_query};
use super::json::Page;
use super::validate;
use crate::errors::ApiError;
use crate::server::AppState;
use crate::store::setup_sessions;

/// The list filters: query key and column.
const FILTERS: &[(&str, &str)] = &[
    ("id", "id"),
    ("provider_id", "provider_id"),
    ("provider_deployment_id", "deployment_id"),
    ("provider_auth_method_id", "auth_method_id"),
    ("provider_auth_config_id", "auth_config_id"),
    ("provider_auth_credentials_id", "credentials_id"),
    ("status", "status"),
];

/// `list_provider_setup_sessions`.
pub(crate) async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Page<ProviderSetupSessionList>, ApiError> {
    let query = list_query(query.as_deref(), FILTERS)?;
    let page = state
        .store
        .call(move |db| setup_sessions::list(db, &query.page, &query.filters))
        .await?;
    Ok(Page(page))
}

/// `create_provider_setup_session`.
pub(crate) async fn create(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CreateProviderSetupSessionBody>,
) -> Result<Json<ProviderSetupSession>, ApiError> {
    validate::redirect_url(body.redirect_url.as_deref())?;
    let session = state
        .store
        .call(move |db| setup_sessions::create(db, body))
        .await?;
    Ok(Json(session))
}

/// `get_provider_setup_session`.
pub(crate) async fn get(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderSetupSession>, ApiError> {
    let session = state
        .store
        .call(move |db| setup_sessions::get(db, &id))
        .await?;
    Ok(Json(session))
}

/// `update_provider_setup_session`.
pub(crate) async fn update(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
    JsonBody(body): JsonBody<UpdateProviderSetupSessionBody>,
) -> Result<Json<ProviderSetupSession>, ApiError> {
    let session = state
        .store
        .call(move |db| setup_sessions::update(db, &id, body))
        .await?;
    Ok(Json(session))
}

/// `delete_provider_setup_session`.
pub(crate) async fn delete(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderSetupSession>, ApiError> {
    let session = state
        .store
        .call(move |db| setup_sessions::delete(db, &id))
        .await?;
    Ok(Json(session))
}
