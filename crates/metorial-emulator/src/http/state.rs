//! What every handler of the HTTP wing shares: [`AppState`] (the tenants, the emulator's
//! configuration, the HTTP client of the OAuth code exchange), how requests get their ID
//! ([`MakeId`], read back as tower-http's [`RequestId`]), and the [`AbortConnection`] marker of
//! a fault rule.

use std::ops::Deref;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Request};
use tower_http::request_id::MakeRequestId;
pub(crate) use tower_http::request_id::RequestId;

use crate::config::Config;
use crate::ids::random_secret;
use crate::tenant::Tenants;

/// The header carrying the request ID, which the official SDKs read into their errors.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Makes the ID of one request, `req_` and 24 random characters: sent back as `X-Request-ID`
/// on every answer, and recorded in the journal.
#[derive(Clone, Copy, Debug)]
pub(crate) struct MakeId;

impl MakeRequestId for MakeId {
    /// A new ID, whatever the request.
    fn make_request_id<B>(&mut self, request: &Request<B>) -> Option<RequestId> {
        new_request_id(request).map(RequestId::new)
    }
}

/// A new request ID (`req_` and 24 random characters), whatever the request.
pub(crate) fn new_request_id<B>(_: &Request<B>) -> Option<HeaderValue> {
    HeaderValue::try_from(format!("req_{}", random_secret(24))).ok()
}

/// Put in a response's extensions: close the connection instead of answering (a fault rule's
/// `close_connection`).
#[derive(Clone, Copy, Debug, thiserror::Error)]
#[error("the connection was closed by a fault rule")]
pub(crate) struct AbortConnection;

/// What every request handler can use (a request's tenant is in its extensions). Several
/// layers clone it for every request, so it is one shared reference (one count to change,
/// where three were).
#[derive(Clone)]
pub(crate) struct AppState(Arc<Shared>);

/// What an [`AppState`] shares.
pub(crate) struct Shared {
    /// Every tenant, by API key and by ID.
    pub(crate) tenants: Arc<Tenants>,
    /// The emulator's configuration.
    pub(crate) config: Arc<Config>,
    /// For the OAuth code exchange (no redirects followed).
    pub(crate) http: reqwest::Client,
}

impl AppState {
    /// The state of a server of these tenants and this configuration.
    pub(crate) fn new(tenants: Arc<Tenants>, config: Arc<Config>, http: reqwest::Client) -> Self {
        Self(Arc::new(Shared {
            tenants,
            config,
            http,
        }))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The HTTP client for token requests: a timeout, and no redirects (RFC 6749 wants the token
/// endpoint's answer itself).
pub(crate) fn http_client() -> Result<reqwest::Client, crate::error::Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("metorial-emulator/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| crate::error::Error::Server(format!("cannot build the HTTP client: {e}")))
}
