//! The HTTP server: state, routes, the request guard, and serving connections (timeouts, a
//! connection cap, graceful shutdown).
//!
//! One client must not be able to hold the server: a request head must arrive within the
//! header timeout (hyper's `header_read_timeout`, which also closes idle kept-alive
//! connections), a body within the body timeout (else 408), at most `max_connections`
//! connections are served at once (more wait in the kernel's accept queue), and [`guard`]
//! answers an over-long URI (414), too many query values (400), an over-large head (431) or
//! body (413) with the API's error body.
//!
//! What hyper refuses before any service sees the request gets the API's error body too:
//! hyper answers it itself with a bare head, which [`ProtocolErrors`] replaces as hyper writes
//! it. That is a malformed request line or header line (400), a request target over 65,534
//! bytes (hyper's own limit, beyond the guard's [`MAX_URI_BYTES`]: 414), and a head over
//! [`MAX_HEAD_BUFFER`] bytes or with more than 100 header lines (hyper's parser limits, beyond
//! the guard's [`MAX_HEAD_BYTES`]: 431). Each closes the connection after its answer.
//!
//! What stays without an answer, because there is no request to answer:
//! - a head not complete within the header timeout: the connection is closed with no answer;
//! - a connection over the cap: it is not accepted until another closes, so it gets nothing.

use std::future::poll_fn;
use std::net::SocketAddr;
use std::pin::{Pin, pin};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{ConnectInfo, DefaultBodyLimit, Request, State};
use axum::http::header::{CONNECTION, CONTENT_LENGTH};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use metorial_models::{ErrorCode, Operation};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};
use tokio::task::JoinHandle;
use tower::Service as _;

use crate::api::error::ApiError;
use crate::config::{Limits, Runtime};
use crate::ids::random_secret;
use crate::protocol_errors::ProtocolErrors;
use crate::tenant::Tenants;

/// The longest request target (path and query) the API answers: 8 KiB; longer is 414.
const MAX_URI_BYTES: usize = 8 * 1024;

/// The most `&`-separated values a query string may have (a list takes at most 100 values
/// per filter); more is 400.
const MAX_QUERY_VALUES: usize = 512;

/// The largest request head (target and header lines) the API answers: 32 KiB; larger is
/// 431.
const MAX_HEAD_BYTES: usize = 32 * 1024;

/// The largest request head hyper parses (its `max_header_size`), and its read buffer per
/// connection: a head between [`MAX_HEAD_BYTES`] and this gets the guard's 431, a larger one
/// hyper's, which [`ProtocolErrors`] gives the API's error body. (Large enough for a request
/// target over hyper's limit of 65,534 bytes to reach its parser and get its 414; below
/// hyper's default buffer of about 400 KiB: there is one per connection.)
pub(crate) const MAX_HEAD_BUFFER: usize = 256 * 1024;

/// How long the accept loop pauses after a failure that is not one connection's (such as
/// running out of file descriptors), instead of spinning.
const ACCEPT_BACKOFF: Duration = Duration::from_secs(1);

/// The ID of one request (`req_…`): sent back as `X-Request-ID` on every answer, and recorded
/// in the journal.
#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub(crate) String);

/// The header carrying the request ID, which the official SDKs read into their errors.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Put in a response's extensions: close the connection instead of answering (a fault rule's
/// `close_connection`).
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error("the connection was closed by a fault rule")]
pub(crate) struct AbortConnection;

/// What every request handler can use (a request's tenant is in its extensions).
#[derive(Clone)]
pub(crate) struct AppState {
    /// Every tenant, by API key and by ID.
    pub(crate) tenants: Arc<Tenants>,
    /// The settings.
    pub(crate) runtime: Arc<Runtime>,
    /// For the OAuth code exchange (no redirects followed).
    pub(crate) http: reqwest::Client,
}

/// Every route: the API (every operation of the spec, 501 for those not implemented yet), the
/// OAuth pages, and JSON 404/405 answers for the rest, behind the [`guard`].
///
/// # Panics
///
/// Never for the spec's own operation table: what [`app_for`] refuses in it fails the build
/// (see `api::IMPLEMENTED`), or cannot be written in OpenAPI (an operation twice).
pub(crate) fn app(state: AppState, limits: &Limits) -> Router {
    app_for(state, metorial_models::OPERATIONS, limits)
        .unwrap_or_else(|error| panic!("{error} (checked at compile time: a bug)"))
}

/// [`app`] for an operation table (the spec's, or one with more operations in tests).
///
/// Fails when the emulator implements an operation the table does not have, or the table has
/// an unknown method or an operation twice.
pub(crate) fn app_for(
    state: AppState,
    operations: &[Operation],
    limits: &Limits,
) -> Result<Router, crate::Error> {
    Ok(Router::new()
        .merge(crate::api::router(state.clone(), operations)?)
        .merge(crate::api::control::router(state.clone()))
        .merge(crate::oauth::router(state.clone()))
        .fallback(|uri: Uri| async move { ApiError::no_route(uri.path()) })
        .method_not_allowed_fallback(|method: Method, uri: Uri| async move {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorCode::BadRequest,
                format!("{method} is not allowed on {:?}", uri.path()),
            )
            .into_response()
        })
        // The guard reads bodies within the limit already; the extractors agree with it.
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(middleware::from_fn_with_state(*limits, guard))
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

/// Refuses, with the API's error body, what one request may not take (see [`check_head`] and
/// [`read_body`]), then hands it on with its body read. Every refusal closes the connection:
/// the body it leaves unread cannot be told from the next request.
/// Every answer carries the request's ID (`X-Request-ID`).
async fn guard(State(limits): State<Limits>, mut request: Request, next: Next) -> Response {
    let id = RequestId(format!("req_{}", random_secret(24)));
    let header = HeaderValue::from_str(&id.0).ok();
    request.extensions_mut().insert(id);
    let mut response = match check_head(request.uri(), request.headers()) {
        Err(error) => closing(error),
        Ok(()) => {
            let (parts, body) = request.into_parts();
            match read_body(body, &parts.headers, &limits).await {
                Ok(bytes) => {
                    next.run(Request::from_parts(parts, Body::from(bytes)))
                        .await
                }
                Err(error) => closing(error),
            }
        }
    };
    if let Some(header) = header {
        response.headers_mut().insert(REQUEST_ID, header);
    }
    response
}

/// `error`'s answer, closing the connection after it.
fn closing(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Refuses a request target over [`MAX_URI_BYTES`] (414), a query with more than
/// [`MAX_QUERY_VALUES`] values (400) and a head over [`MAX_HEAD_BYTES`] (431).
fn check_head(uri: &Uri, headers: &HeaderMap) -> Result<(), ApiError> {
    let target = uri
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > MAX_URI_BYTES {
        return Err(ApiError::new(
            StatusCode::URI_TOO_LONG,
            ErrorCode::BadRequest,
            format!("the request target is longer than {MAX_URI_BYTES} bytes"),
        ));
    }
    let values = uri.query().map_or(0, |query| {
        query.split('&').filter(|pair| !pair.is_empty()).count()
    });
    if values > MAX_QUERY_VALUES {
        return Err(ApiError::bad_request(format!(
            "the query string has more than {MAX_QUERY_VALUES} values"
        )));
    }
    // As sent: `name: value\r\n` per header line.
    let lines: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if target.saturating_add(lines) > MAX_HEAD_BYTES {
        return Err(ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::BadRequest,
            format!("the request's headers are larger than {MAX_HEAD_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// The whole body, read within the body timeout (else 408 `timeout`) and the size limit
/// (else 413, at once when `Content-Length` announces more).
async fn read_body(body: Body, headers: &HeaderMap, limits: &Limits) -> Result<Bytes, ApiError> {
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let max = limits.max_body_bytes;
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > max as u64) {
        return Err(too_large(max));
    }
    match tokio::time::timeout(limits.body_timeout, collect(body, max)).await {
        Ok(read) => read,
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Timeout,
            format!(
                "the request body did not arrive within {} ms",
                limits.body_timeout.as_millis()
            ),
        )),
    }
}

/// Reads `body` to its end; more than `max` bytes is 413, a broken stream 400.
async fn collect(mut body: Body, max: usize) -> Result<Bytes, ApiError> {
    let mut buffer = Vec::new();
    while let Some(frame) = poll_fn(|cx| Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|error| {
            ApiError::bad_request(format!("cannot read the request body: {error}"))
        })?;
        // Trailers carry nothing the API reads.
        let Ok(data) = frame.into_data() else {
            continue;
        };
        if data.len() > max - buffer.len() {
            return Err(too_large(max));
        }
        buffer.extend_from_slice(&data);
    }
    Ok(Bytes::from(buffer))
}

/// 413: a body over `max` bytes (code `bad_request`, as the extractors' own answer).
fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BadRequest,
        format!("the request body is too large (at most {max} bytes)"),
    )
}

/// Serves `app` on `listener` until `shutdown` fires (or its sender is dropped), then stops
/// accepting, lets requests in flight finish and closes idle connections (a connection still
/// sending its head gets until the header timeout).
pub(crate) fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: oneshot::Receiver<()>,
) -> JoinHandle<()> {
    tokio::spawn(accept_loop(
        listener,
        Connections::new(app, &limits),
        shutdown,
    ))
}

/// Accepts connections (each once a slot is free) until `shutdown`, then drains them.
async fn accept_loop(
    listener: TcpListener,
    connections: Connections,
    mut shutdown: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = connections.accept(&listener) => {
                if let Some((stream, peer, slot)) = accepted {
                    connections.spawn(stream, peer, slot);
                }
            }
        }
    }
    drop(listener);
    connections.drain().await;
}

/// How connections are served: the app, hyper's settings, the slots capping how many are
/// open, and the switch telling them to stop.
struct Connections {
    /// The routes.
    app: Router,
    /// hyper's HTTP/1 settings (the header timeout, the head buffer).
    http1: http1::Builder,
    /// One permit per connection served.
    slots: Arc<Semaphore>,
    /// How many permits there are.
    capacity: u32,
    /// Set to `true` when the server stops.
    stop: watch::Sender<bool>,
}

impl Connections {
    /// Settings from `limits` (already validated: the cap fits a `u32`).
    fn new(app: Router, limits: &Limits) -> Self {
        let mut http1 = http1::Builder::new();
        http1
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_timeout)
            .max_header_size(MAX_HEAD_BUFFER)
            .max_buf_size(MAX_HEAD_BUFFER);
        let capacity = u32::try_from(limits.max_connections).unwrap_or(u32::MAX);
        Self {
            app,
            http1,
            slots: Arc::new(Semaphore::new(capacity as usize)),
            capacity,
            stop: watch::channel(false).0,
        }
    }

    /// Waits for a free slot, then accepts a connection; `None` when accepting failed (a
    /// failure that is not the connection's own is logged and followed by a pause).
    async fn accept(
        &self,
        listener: &TcpListener,
    ) -> Option<(TcpStream, SocketAddr, OwnedSemaphorePermit)> {
        let slot = Arc::clone(&self.slots).acquire_owned().await.ok()?;
        match listener.accept().await {
            Ok((stream, peer)) => Some((stream, peer, slot)),
            Err(error) => {
                use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
                if !matches!(
                    error.kind(),
                    ConnectionAborted | ConnectionRefused | ConnectionReset
                ) {
                    tracing::warn!(%error, "cannot accept a connection");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
                None
            }
        }
    }

    /// Serves one connection in its own task, holding `slot` until it closes; each request
    /// carries the peer's address (`ConnectInfo`), and hyper's own answers to what it cannot
    /// parse get the API's error body ([`ProtocolErrors`]).
    fn spawn(&self, stream: TcpStream, peer: SocketAddr, slot: OwnedSemaphorePermit) {
        // Small answers go out at once (no Nagle delay); failing to set it is harmless.
        let _ = stream.set_nodelay(true);
        let app = self.app.clone();
        let service = service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let answer = app.clone().call(request);
            async move {
                // Infallible: the router answers every request.
                let Ok(response) = answer.await;
                // An error from the service makes hyper close the connection unanswered.
                match response.extensions().get::<AbortConnection>() {
                    Some(abort) => Err(*abort),
                    None => Ok(response),
                }
            }
        });
        let io = ProtocolErrors::new(TokioIo::new(stream));
        let connection = self.http1.serve_connection(io, service);
        let mut stop = self.stop.subscribe();
        tokio::spawn(async move {
            let _slot = slot;
            let mut connection = pin!(connection);
            tokio::select! {
                ended = connection.as_mut() => return log_end(ended),
                _ = stop.changed() => {}
            }
            connection.as_mut().graceful_shutdown();
            log_end(connection.await);
        });
    }

    /// Tells every connection to stop (each finishes its request in flight) and waits until
    /// all are closed.
    async fn drain(self) {
        self.stop.send_replace(true);
        let _ = self.slots.acquire_many(self.capacity).await;
    }
}

/// Logs how a connection ended when it was not cleanly (at debug level: a client's doing).
fn log_end(ended: Result<(), hyper::Error>) {
    if let Err(error) = ended {
        tracing::debug!(%error, "connection closed");
    }
}

#[cfg(test)]
mod tests {
    use metorial_models::OPERATIONS;
    use serde_json::Value;

    use super::*;
    use crate::config::Runtime;
    use crate::fixtures::Fixtures;
    use crate::tenant::Template;

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
            carries_secrets: false,
        },
        Operation {
            id: "list_provider_widgets",
            method: "GET",
            path: "/provider-widgets",
            tag: "provider-widgets",
            carries_secrets: false,
        },
    ];

    /// The state of a server with the built-in fixtures, in memory.
    fn state() -> AppState {
        let template = Template {
            public_url: "http://localhost".into(),
            internal_url: "http://localhost".into(),
            session_lifetime_ms: 60_000,
            oauth_setup_lifetime_ms: 60_000,
            fixtures: Fixtures::builtin(),
            database: None,
            journal_size: 10,
            max_tenants: 10,
        };
        AppState {
            tenants: Arc::new(Tenants::open(template, &[KEY.to_owned()]).unwrap()),
            runtime: Arc::new(Runtime {
                oauth_auto_approve: false,
            }),
            http: http_client().unwrap(),
        }
    }

    /// Serves the spec's operations plus [`FAKE`]; returns the base URL and the stop switch.
    async fn spawn_with_fakes() -> (String, oneshot::Sender<()>) {
        let operations: Vec<Operation> = OPERATIONS.iter().chain(&FAKE).copied().collect();
        let app = app_for(state(), &operations, &Limits::default()).unwrap();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel();
        serve(listener, app, Limits::default(), stopped);
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
    fn the_guard_measures_targets_queries_and_heads() {
        let ok = HeaderMap::new();
        let uri = |text: String| text.parse::<Uri>().unwrap();
        let at_limit = uri(format!("/p?{}", "a".repeat(MAX_URI_BYTES - 3)));
        assert!(check_head(&at_limit, &ok).is_ok());
        let over = uri(format!("/p?{}", "a".repeat(MAX_URI_BYTES - 2)));
        assert_eq!(
            check_head(&over, &ok).unwrap_err().status,
            StatusCode::URI_TOO_LONG
        );

        let values = |n: usize| uri(format!("/p?{}", vec!["a=1"; n].join("&")));
        assert!(check_head(&values(MAX_QUERY_VALUES), &ok).is_ok());
        let error = check_head(&values(MAX_QUERY_VALUES + 1), &ok).unwrap_err();
        assert_eq!(
            (error.status, error.code),
            (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
        );

        let mut big = HeaderMap::new();
        big.insert("x-pad", "a".repeat(MAX_HEAD_BYTES).parse().unwrap());
        let error = check_head(&uri("/p".to_owned()), &big).unwrap_err();
        assert_eq!(error.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }

    #[tokio::test]
    async fn bodies_are_read_up_to_the_limit() {
        let limits = Limits {
            max_body_bytes: 10,
            ..Limits::default()
        };
        let none = HeaderMap::new();
        let read = read_body(Body::from("0123456789"), &none, &limits).await;
        assert_eq!(read.unwrap(), "0123456789");
        let error = read_body(Body::from("0123456789a"), &none, &limits)
            .await
            .unwrap_err();
        assert_eq!(error.status, StatusCode::PAYLOAD_TOO_LARGE);
        // An announced length over the limit is refused without reading.
        let mut announced = HeaderMap::new();
        announced.insert(CONTENT_LENGTH, HeaderValue::from_static("11"));
        let error = read_body(Body::from("0"), &announced, &limits)
            .await
            .unwrap_err();
        assert_eq!(error.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            read_body(Body::empty(), &none, &limits)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn a_table_without_an_implemented_operation_is_a_startup_error() {
        let without: Vec<Operation> = OPERATIONS
            .iter()
            .filter(|op| op.id != "list_provider_setup_sessions")
            .copied()
            .collect();
        let Err(error) = app_for(state(), &without, &Limits::default()) else {
            panic!("the router was built");
        };
        let message = error.to_string();
        assert!(
            message.contains("`list_provider_setup_sessions`"),
            "{message}"
        );
    }
}
