//! The routes: the REST API, the control API, the OAuth pages, and JSON 404/405 answers for the
//! rest, behind the [`guard`] and the request-ID layers.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware;
use axum::response::IntoResponse;
use metorial_models::{ErrorCode, Operation};
use tower_http::request_id::{PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetRequestHeaderLayer;

use std::sync::Arc;

use crate::config::Config;
use crate::http::error::ApiError;
use crate::http::guard::guard;
use crate::http::state::{AppState, MakeId, REQUEST_ID, new_request_id};

/// Every route: the API (every operation of the spec, 501 for those not implemented yet), the
/// OAuth pages, and JSON 404/405 answers for the rest, behind the [`guard`].
///
/// # Panics
///
/// Never for the spec's own operation table: what [`app_for`] refuses in it fails the build
/// (the generated `api::generated::Handlers`), or cannot be written in OpenAPI (an operation twice).
pub(crate) fn app(state: AppState) -> Router {
    app_for(state, metorial_models::OPERATIONS)
        .unwrap_or_else(|error| panic!("{error} (checked at compile time: a bug)"))
}

/// [`app`] for an operation table (the spec's, or one with more operations in tests).
///
/// Fails when the emulator implements an operation the table does not have, or the table has
/// an unknown method or an operation twice.
pub(crate) fn app_for(
    state: AppState,
    operations: &[Operation],
) -> Result<Router, crate::error::Error> {
    let config: Arc<Config> = Arc::clone(&state.config);
    Ok(Router::new()
        .merge(crate::http::api::router(state.clone(), operations)?)
        .merge(crate::http::control::router(state.clone()))
        .merge(crate::http::browser::router(state.clone()))
        .fallback(|uri: Uri| async move { ApiError::no_route(uri.path()) })
        .method_not_allowed_fallback(|method: Method, uri: Uri| async move {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::BadRequest,
                format!("{method} is not allowed on {:?}", uri.path()),
            )
            .into_response()
        })
        // One body limit, the guard's: axum's own for its extractors (2 MB unless told) is off.
        .layer(DefaultBodyLimit::disable())
        .layer(middleware::from_fn_with_state(config, guard))
        // Every answer carries a request ID the emulator made (not one a client sent).
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeId))
        // A client's own `X-Request-ID` is replaced: the ID is always the emulator's.
        .layer(SetRequestHeaderLayer::overriding(
            REQUEST_ID,
            new_request_id,
        ))
        .with_state(state))
}

#[cfg(test)]
mod tests {
    use metorial_models::OPERATIONS;
    use serde_json::Value;

    use std::sync::Arc;

    use axum::body::Body;
    use axum::extract::Request;
    use axum::http::Method;
    use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
    use tokio::net::TcpListener;
    use tokio::sync::oneshot;
    use tower::ServiceExt as _;

    use super::*;
    use crate::http::server::serve;
    use crate::http::state::http_client;
    use crate::tenant::Tenants;

    /// The API key of these tests.
    const KEY: &str = "metorial_sk_server_test";

    /// Operations the spec can never have, so the spec's growth never meets them: one beside
    /// implemented ones on their path (`TRACE`, a method the API does not use), one on a path
    /// of its own (`~` is in no path of the API).
    const FAKE: [Operation; 2] = [
        Operation {
            id: "trace_provider_oauth_setup",
            method: "TRACE",
            path: "/provider-deployments/{provider_deployment_id}/oauth-setups/{provider_oauth_setup_id}",
            tag: "provider-oauth-setups",
            carries_secrets: false,
        },
        Operation {
            id: "list_test_widgets",
            method: "GET",
            path: "/~test-widgets",
            tag: "test-widgets",
            carries_secrets: false,
        },
    ];

    /// The state of a server with the built-in fixtures, in memory, and `config`.
    fn state_with(config: Config) -> AppState {
        let config = Arc::new(Config {
            api_keys: vec![KEY.to_owned()],
            journal_size: 10,
            max_tenants: 10,
            ..config
        });
        let urls = ("http://localhost".to_owned(), "http://localhost".to_owned());
        let tenants = Arc::new(Tenants::open(Arc::clone(&config), urls).unwrap());
        AppState::new(tenants, config, http_client().unwrap())
    }

    /// [`state_with`] the default configuration.
    fn state() -> AppState {
        state_with(Config::default())
    }

    /// Serves the spec's operations plus [`FAKE`]; returns the base URL and the stop switch.
    async fn spawn_with_fakes() -> (String, oneshot::Sender<()>) {
        let operations: Vec<Operation> = OPERATIONS.iter().chain(&FAKE).copied().collect();
        let app = app_for(state(), &operations).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel();
        serve(listener, app, &Config::default(), stopped);
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
            (Method::TRACE, setup.clone(), "trace_provider_oauth_setup"),
            (
                Method::GET,
                format!("{base}/~test-widgets"),
                "list_test_widgets",
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

        let (status, body) = send(Method::PUT, &format!("{base}/~test-widgets"), true).await;
        assert_eq!(status, 405, "{body}");
        assert_eq!(body["code"], "bad_request", "{body}");

        let (status, body) = send(Method::GET, &format!("{base}/~test-gadgets"), true).await;
        assert_eq!(status, 404, "{body}");
        assert_eq!(
            body["message"], "no endpoint at \"/~test-gadgets\"",
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

    #[tokio::test]
    async fn the_guards_body_limit_is_the_only_one() {
        // Over axum's own default for its extractors (2 MB), within the configured limit.
        let config = Config {
            max_body_bytes: 3 << 20,
            ..Config::default()
        };
        let metadata: serde_json::Map<String, Value> = (0..2500)
            .map(|i| (format!("k{i}"), Value::String("v".repeat(1000))))
            .collect();
        let body = serde_json::json!({"provider_id": "pro_5gHjKlMnPqRsTuVw", "metadata": metadata});
        let request = Request::post("/provider-setup-sessions")
            .header(AUTHORIZATION, format!("Bearer {KEY}"))
            .header(CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let response = app(state_with(config)).oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn every_request_id_is_the_emulators_own() {
        let request = Request::get("/nowhere")
            .header(REQUEST_ID, "client-chosen")
            .body(Body::empty())
            .unwrap();
        let app = app(state());
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let id = response.headers()[REQUEST_ID].to_str().unwrap();
        assert!(id.starts_with("req_") && id.len() == 28, "{id}");
    }
}
