//! The REST API of `spec/metorial.yaml`: one module per resource, behind the API key check.

mod auth;
mod auth_exports;
mod extract;
mod json;
mod oauth_setups;
mod setup_sessions;
mod validate;

use axum::Router;
use axum::middleware;
use axum::routing::get;

use crate::server::AppState;

/// The API's routes, each requiring `Authorization: Bearer <api key>`.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/provider-setup-sessions",
            get(setup_sessions::list).post(setup_sessions::create),
        )
        .route(
            "/provider-setup-sessions/{provider_setup_session_id}",
            get(setup_sessions::get)
                .patch(setup_sessions::update)
                .delete(setup_sessions::delete),
        )
        .route(
            "/provider-deployments/{provider_deployment_id}/oauth-setups",
            get(oauth_setups::list).post(oauth_setups::create),
        )
        .route(
            "/provider-deployments/{provider_deployment_id}/oauth-setups/{provider_oauth_setup_id}",
            get(oauth_setups::get).patch(oauth_setups::update),
        )
        .route(
            "/provider-auth-config-exports",
            get(auth_exports::list).post(auth_exports::create),
        )
        .route(
            "/provider-auth-config-exports/{provider_auth_export_id}",
            get(auth_exports::get),
        )
        .route_layer(middleware::from_fn_with_state(state, auth::require_api_key))
}
