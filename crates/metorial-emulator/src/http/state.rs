//! What every handler of the HTTP wing shares: [`AppState`] (the tenants, the runtime
//! settings, the HTTP client of the OAuth code exchange), a request's [`RequestId`], and the
//! [`AbortConnection`] marker of a fault rule.

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderName;

use crate::config::Runtime;
use crate::tenant::Tenants;

/// The ID of one request (`req_…`): sent back as `X-Request-ID` on every answer, and recorded
/// in the journal.
#[derive(Clone, Debug)]
pub(crate) struct RequestId(pub(crate) String);

/// The header carrying the request ID, which the official SDKs read into their errors.
pub(crate) const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

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
