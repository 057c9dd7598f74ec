//! The HTTP server: state, routes, and serving with graceful shutdown.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{Method, Uri};
use axum::response::IntoResponse;
use metorial_models::{ErrorCode, Operation};
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

/// Every route: the API (every operation of the spec, 501 for those not implemented yet), the
/// OAuth pages, and JSON 404/405 answers for the rest.
///
/// # Panics
///
/// Never for the spec's own operation table: what [`app_for`] refuses in it fails the build
/// (see `api::IMPLEMENTED`), or cannot be written in OpenAPI (an operation twice).
pub(crate) fn app(state: AppState) -> Router {
    app_for(state, metorial_models::OPERATIONS)
        .unwrap_or_else(|error| panic!("{error} (checked at compile time: a bug)"))
}

/// [`app`] for an operation table (the spec's, or one with more operations in tests).
///
/// Fails when the emulator implements an operation the table does not have, or the table has
/// an unknown method or an operation twice.
pub(crate) fn app_for(state: AppState, operations: &[Operation]) -> Result<Router, crate::Error> {
    Ok(Router::new()
        .merge(crate::api::router(state.clone(), operations)?)
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
        .with_state(state))
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

#[cfg(test)]
mod tests {
    use metorial_models::OPERATIONS;
    use serde_json::Value;

    use super::*;
    use crate::config::Runtime;
    use crate::fixtures::Fixtures;
    use crate::store::StoreSettings;

    /// The API key of these tests.
    const KEY: &str = "metorial_sk_server_test";

    /// Operations the spec does not have: one beside implemented ones on their path, one on a
    /// path of its own.
    const FAKE: [Operation; 2] = [
        Operation {
            id: "delete_provider_oauth_setup",
            method: "DELETE",
            path: "/provider-deployments/{provider_deployment_id}/oauth-setups/{provider_oauth_setup_id}",
            tag: "provider-oauth-setups",
        },
        Operation {
            id: "list_provider_widgets",
            method: "GET",
            path: "/provider-widgets",
            tag: "provider-widgets",
        },
    ];

    /// The state of a server with the built-in fixtures, in memory.
    fn state() -> AppState {
        let settings = StoreSettings {
            public_url: "http://localhost".into(),
            session_lifetime_ms: 60_000,
            oauth_setup_lifetime_ms: 60_000,
        };
        AppState {
            store: Store::open(None, &Fixtures::builtin(), settings).unwrap(),
            runtime: Arc::new(Runtime {
                api_keys: vec![KEY.to_owned()],
                public_url: "http://localhost".into(),
                internal_url: "http://localhost".into(),
                oauth_auto_approve: false,
            }),
            http: http_client().unwrap(),
        }
    }

    /// Serves the spec's operations plus [`FAKE`]; returns the base URL and the stop switch.
    async fn spawn_with_fakes() -> (String, oneshot::Sender<()>) {
        let operations: Vec<Operation> = OPERATIONS.iter().chain(&FAKE).copied().collect();
        let app = app_for(state(), &operations).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel();
        serve(listener, app, stopped);
        (url, stop)
    }

    /// Sends `method path` (with the API key when `key`); returns the status and JSON body.
    async fn send(method: Method, url: &str, key: bool) -> (u16, Value) {
        let mut request = reqwest::Client::new().request(method, url);
        if key {
            request = request.bearer_auth(KEY);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let body = serde_json::from_str(&response.text().await.unwrap()).unwrap();
        (status, body)
    }

    #[tokio::test]
    async fn an_operation_without_a_handler_answers_501_naming_it() {
        let (base, _stop) = spawn_with_fakes().await;
        let setup = format!("{base}/provider-deployments/pde_1/oauth-setups/pos_1");
        for (method, url, id) in [
            (Method::DELETE, setup.clone(), "delete_provider_oauth_setup"),
            (
                Method::GET,
                format!("{base}/provider-widgets"),
                "list_provider_widgets",
            ),
        ] {
            let (status, body) = send(method.clone(), &url, true).await;
            assert_eq!(status, 501, "{method} {url}: {body}");
            assert_eq!(body["status"], 501, "{body}");
            assert_eq!(body["code"], "not_implemented", "{body}");
            assert_eq!(body["ok"], false, "{body}");
            let expected = format!("the emulator does not implement `{id}` yet");
            assert_eq!(body["message"], expected.as_str(), "{body}");
            // Behind the API key check, like every operation.
            assert_eq!(send(method, &url, false).await.0, 401, "{url}");
        }
    }

    #[tokio::test]
    async fn implemented_operations_404_and_405_are_unchanged_beside_fakes() {
        let (base, _stop) = spawn_with_fakes().await;
        let setup = format!("{base}/provider-deployments/pde_1/oauth-setups/pos_1");
        let (status, body) = send(Method::GET, &setup, true).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(body["code"], "not_found", "{body}");
        assert!(body["entity"].is_string(), "a handler's 404: {body}");

        let (status, body) = send(Method::PUT, &format!("{base}/provider-widgets"), true).await;
        assert_eq!(status, 405, "{body}");
        assert_eq!(body["code"], "bad_request", "{body}");

        let (status, body) = send(Method::GET, &format!("{base}/provider-gadgets"), true).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(
            body["message"], "no endpoint at \"/provider-gadgets\"",
            "{body}"
        );
    }

    #[test]
    fn a_table_without_an_implemented_operation_is_a_startup_error() {
        let without: Vec<Operation> = OPERATIONS
            .iter()
            .filter(|op| op.id != "list_provider_setup_sessions")
            .copied()
            .collect();
        let Err(error) = app_for(state(), &without) else {
            panic!("the router was built");
        };
        let message = error.to_string();
        assert!(
            message.contains("`list_provider_setup_sessions`"),
            "{message}"
        );
    }
}
