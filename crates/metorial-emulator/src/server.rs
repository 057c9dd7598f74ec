//! The HTTP server: state, routes, and serving with graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{Method, Uri};
use axum::response::IntoResponse;
use metorial_models::ErrorCode;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Runtime;
use crate::errors::ApiError;
use crate::store::Store;

/// What every request handler can use.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The database.
    pub(crate) store: Store,
    /// The settings.
    pub(crate) runtime: Arc<Runtime>,
    /// For the OAuth code exchange (no redirects followed).
    pub(crate) http: reqwest::Client,
}

/// Every route: the API, the OAuth pages, and JSON 404/405 answers for the rest.
pub(crate) fn app(state: AppState) -> Router {
    Router::new()
        .merge(crate::api::router(state.clone()))
        .merge(crate::oauth::router())
        .fallback(|uri: Uri| async move { ApiError::no_route(uri.path()) })
        .method_not_allowed_fallback(|method: Method, uri: Uri| async move {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::BadRequest,
                format!("{method} is not allowed on {:?}", uri.path()),
            )
            .into_response()
        })
        .with_state(state)
}

/// The HTTP client for token requests: a timeout, and no redirects (RFC 6749 wants the token
/// endpoint's answer itself).
pub(crate) fn http_client() -> Result<reqwest::Client, crate::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("metorial-emulator/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| crate::Error::Server(format!("cannot build the HTTP client: {e}")))
}

/// Serves `app` on `listener` until `shutdown` fires (or its sender is dropped), then lets
/// requests in flight finish.
pub(crate) fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: oneshot::Receiver<()>,
) -> JoinHandle<std::io::Result<()>> {
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = shutdown.await;
        })
        .await
    })
}
