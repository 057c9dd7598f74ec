//! `/provider-auth-config-exports`.

use std::net::SocketAddr;

use axum::Json;
use axum::extract::{ConnectInfo, RawQuery, State};
use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use metorial_models::{CreateProviderAuthExportBody, ProviderAuthExport, ProviderAuthExportList};

use super::extract::{ApiPath, JsonBody, list_query};
use super::json::Page;
use crate::errors::ApiError;
use crate::server::AppState;
use crate::store::auth_exports::{self, Requester};

/// The list filters: query key and column.
const FILTERS: &[(&str, &str)] = &[
    ("id", "id"),
    ("provider_id", "provider_id"),
    ("provider_auth_credentials_id", "credentials_id"),
    ("provider_auth_config_id", "auth_config_id"),
];

/// `list_provider_auth_exports`.
pub(crate) async fn list(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Page<ProviderAuthExportList>, ApiError> {
    let query = list_query(query.as_deref(), FILTERS)?;
    let page = state
        .store
        .call(move |db| auth_exports::list(db, &query.page, &query.filters))
        .await?;
    Ok(Page(page))
}

/// `create_provider_auth_export`: `ip` and `user_agent` come from the request.
pub(crate) async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateProviderAuthExportBody>,
) -> Result<Json<ProviderAuthExport>, ApiError> {
    let requester = Requester {
        ip: Some(peer.ip().to_canonical().to_string()),
        user_agent: headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let export = state
        .store
        .call(move |db| auth_exports::create(db, body, requester))
        .await?;
    Ok(Json(export))
}

/// `get_provider_auth_export`.
pub(crate) async fn get(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderAuthExport>, ApiError> {
    let export = state
        .store
        .call(move |db| auth_exports::get(db, &id))
        .await?;
    Ok(Json(export))
}
