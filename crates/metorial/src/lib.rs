//! Rust SDK for [Metorial](https://metorial.com)'s provider-auth API: provider setup
//! sessions, provider OAuth setups and provider auth exports.
//!
//! # Quickstart
//!
//! ```no_run
//! use metorial::{Metorial, WaitOptions};
//! use metorial::models::{CreateProviderAuthExportBody, CreateProviderSetupSessionBody};
//!
//! # async fn run() -> metorial::Result<()> {
//! // METORIAL_API_KEY (and optionally METORIAL_BASE_URL) from the environment.
//! let metorial = Metorial::from_env()?;
//!
//! // Start an OAuth flow and send the user to its URL.
//! let session = metorial
//!     .setup_sessions()
//!     .create(CreateProviderSetupSessionBody::new().provider_id("pro_5gHjKlMnPqRsTuVw").name("GitHub"))
//!     .await?;
//! println!("open {}", session.url);
//!
//! // Wait for the user to finish, then export the tokens it produced.
//! let session = metorial
//!     .setup_sessions()
//!     .wait_for_completion(&session.id, WaitOptions::default())
//!     .await?;
//! if let Some(auth_config) = session.auth_config {
//!     let export = metorial
//!         .auth_exports()
//!         .create(CreateProviderAuthExportBody::new(auth_config.id, "sync job"))
//!         .await?;
//!     let token = export.value.as_ref().and_then(|v| v.expose_str("access_token"));
//!     println!("got a token: {}", token.is_some());
//! }
//! # Ok(()) }
//! ```
//!
//! # What the client does for you
//!
//! - **Retries** 429, 502, 503, 504, timeouts and connection failures with exponential
//!   backoff and jitter, honouring `Retry-After`; `POST` only when the request never reached
//!   the server. See [`RetryPolicy`].
//! - **Pagination**: `list` returns a [`Page`]; `list_all` is a `Stream` of every item that
//!   fetches the next page (`after` = the last ID) as you read, keeping your filters.
//! - **Errors** are one [`Error`] type: API errors carry status, code, message, hint,
//!   validation errors and the request id; a non-JSON error body still gives the status.
//! - **Secrets** never print: the API key, an export's tokens (a
//!   [`SecretObject`](models::SecretObject)) and an OAuth setup's client secret are redacted
//!   from `Debug`, errors and tracing output.
//! - **Tracing**: one `metorial.request` span per call (operation, method, path, attempt,
//!   status, request id, duration), with an event per attempt and retry.
//! - **Per-call options**: `with_options(`[`CallOptions`]`)` on the client or a handle
//!   changes the timeout, the retry policy or the headers of the calls made through what it
//!   returns, without a second client.
//! - **The response behind a value**: every method `x` has a twin `x_with_response` returning
//!   a [`Response`] (the value with the status, headers and request ID).
//! - **Interceptors**: an [`Interceptor`] sees every attempt's request before it is sent (and
//!   may change its headers) and its response or failure after, retries included: a request-ID
//!   propagator, metrics. `crates/metorial/examples/call_options.rs` shows all three.
//!
//! The request and response types live in [`models`] (generated from the OpenAPI spec);
//! open enumerations have an `Unknown(String)` variant, so new API values never break
//! decoding, and shapes of both the public docs and the live API decode.
//!
//! The resource handles ([`SetupSessions`], [`OauthSetups`], [`AuthExports`]), their methods,
//! list parameters ([`ListSetupSessions`], ...) and waiters are generated from the same spec,
//! one method per operation; every call sends `Metorial-Version: `[`api_version()`].

mod call;
mod client;
mod config;
mod error;
// Formatted by the generator (prettyplease), not rustfmt: `cargo xtask generate --check` compares bytes.
#[rustfmt::skip]
mod generated;
mod interceptor;
mod list;
mod options;
mod redact;
mod response;
mod retry;
mod shared;
mod transport;
mod wait;

pub use client::Metorial;
pub use config::{API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, MetorialBuilder};
pub use error::{ApiError, Error, FlowError, Result};
pub use generated::*;
pub use interceptor::{AttemptOutcome, AttemptRequest, Interceptor};
pub use list::{List, MAX_PAGE_SIZE, Page};
pub use metorial_client::api_version;
pub use options::CallOptions;
pub use response::Response;
pub use retry::RetryPolicy;
pub use wait::WaitOptions;

/// The API's request and response types (the `metorial-models` crate).
pub use metorial_models as models;
