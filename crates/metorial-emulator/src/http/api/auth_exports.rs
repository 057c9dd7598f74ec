//! `/provider-auth-config-exports`.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, RawQuery};
use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use axum::{Extension, Json};
use metorial_models::{CreateProviderAuthExportBody, ProviderAuthExport, ProviderAuthExportList};

use super::extract::{ApiPath, JsonBody, list_query};
use super::generated::OperationId;
use super::json::Page;
use crate::http::error::ApiError;
use crate::store::auth_exports::{self, Requester};
use crate::tenant::Tenant;

/// `list_provider_auth_exports` (without the exported `value`s).
pub(crate) async fn list(
    Extension(tenant): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Page<ProviderAuthExportList>, ApiError> {
    let filters = OperationId::ListProviderAuthExports.filters();
    let query = list_query(query.as_deref(), filters)?;
    let page = tenant
        .store
        .call(move |db| auth_exports::list(db, &query.page, &query.filters))
        .await?;
    Ok(Page(page))
}

/// `create_provider_auth_export`: `ip` is the client's address, `user_agent` its
/// `User-Agent` header (`"unknown"` without one, as the live API records).
pub(crate) async fn create(
    Extension(tenant): Extension<Tenant>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<CreateProviderAuthExportBody>,
) -> Result<Json<ProviderAuthExport>, ApiError> {
    let requester = Requester {
        ip: Some(peer.ip().to_canonical().to_string()),
        user_agent: headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown")
            .to_owned(),
    };
    let export = tenant
        .store
        .call(move |db| auth_exports::create(db, body, requester))
        .await?;
    Ok(Json(export))
}

/// `get_provider_auth_export` (without the exported `value`).
pub(crate) async fn get(
    Extension(tenant): Extension<Tenant>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<ProviderAuthExport>, ApiError> {
    let export = tenant
        .store
        .call(move |db| auth_exports::get(db, &id))
        .await?;
    Ok(Json(export))
}
