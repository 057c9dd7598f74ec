//! [`Error`]: everything a call can fail with.

use std::fmt;
use std::time::Duration;

use metorial_models::{ErrorBody, ErrorCode, ValidationError};
use reqwest::StatusCode;

use crate::redact::Redactor;

/// The result of every SDK call.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a call can fail with.
///
/// Match on the variant, or use the helpers: [`is_not_found`](Error::is_not_found),
/// [`is_rate_limited`](Error::is_rate_limited), [`is_retryable`](Error::is_retryable),
/// [`status`](Error::status).
///
/// No variant holds or prints the API key or a token: text that came from a response is
/// scrubbed of the key, and bodies of responses that may hold secrets are not kept.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (4xx or 5xx), after any retries.
    #[error(transparent)]
    Api(Box<ApiError>),

    /// The request (one attempt) took longer than the configured timeout.
    #[error("{operation} timed out after {attempts} attempt(s)")]
    Timeout {
        /// The operation (`get_provider_setup_session`, ...).
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
    },

    /// The connection failed (refused, reset, DNS, TLS), after any retries.
    #[error("{operation}: connection failed after {attempts} attempt(s): {source}")]
    Connection {
        /// The operation (`get_provider_setup_session`, ...).
        operation: &'static str,
        /// How many attempts were made.
        attempts: u32,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },

    /// A successful response whose body is not what the spec says.
    #[error("{operation}: the {status} response could not be decoded: {message}")]
    Decode {
        /// The operation (`get_provider_setup_session`, ...).
        operation: &'static str,
        /// The response status.
        status: StatusCode,
        /// The `X-Request-ID` response header, if any.
        request_id: Option<String>,
        /// What the decoder said.
        message: String,
        /// The start of the body (at most 512 bytes, secrets scrubbed); `None` for
        /// operations whose responses hold secrets.
        body_snippet: Option<String>,
    },

    /// The request was refused before anything was sent (e.g. `limit` out of range, an
    /// empty ID).
    #[error("invalid request: {0}")]
    InvalidRequest(String),

    /// The client could not be configured.
    #[error("invalid configuration: {0}")]
    Config(String),

    /// Waiting for a setup session or OAuth setup ended without it completing.
    #[error(transparent)]
    Flow(#[from] FlowError),
}

impl Error {
    /// The HTTP status of the response the error came from, if any.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(api) => Some(api.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The API error, if the API answered with an error status.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(api) => Some(api),
            _ => None,
        }
    }

    /// Whether the object does not exist (404).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// Whether the API refused the request for its rate (429).
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Whether the same request could succeed later: 429, 502, 503, 504, timeouts and
    /// connection failures. (The client already retried these as configured.)
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(api) => is_retryable_status(api.status),
            Error::Timeout { .. } | Error::Connection { .. } => true,
            _ => false,
        }
    }

    /// The `X-Request-ID` of the response the error came from, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(api) => api.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }
}

/// The statuses worth retrying.
pub(crate) fn is_retryable_status(status: StatusCode) -> bool {
    matches!(status.as_u16(), 429 | 502 | 503 | 504)
}

/// An error response of the API.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// The operation that failed (`get_provider_setup_session`, ...).
    pub operation: &'static str,
    /// The HTTP status.
    pub status: StatusCode,
    /// The machine-readable code, when the body was a Metorial error.
    pub code: Option<ErrorCode>,
    /// What went wrong. For a body that was not a Metorial error (a gateway's HTML page, an
    /// empty body), the status' reason phrase.
    pub message: String,
    /// How to fix the request, when the API says.
    pub hint: Option<String>,
    /// A longer explanation, when the API gives one.
    pub description: Option<String>,
    /// The individual failures of a validation error (`invalid_data`).
    pub errors: Vec<ValidationError>,
    /// The `X-Request-ID` response header, to quote to Metorial's support.
    pub request_id: Option<String>,
    /// When the body was not a Metorial error: its start (at most 512 bytes, secrets
    /// scrubbed).
    pub body_snippet: Option<String>,
    /// How long the API asked to wait before retrying (`Retry-After`), if it did.
    pub retry_after: Option<Duration>,
}

impl ApiError {
    /// Builds the error from a decoded Metorial error body, scrubbing secrets from its text.
    pub(crate) fn from_body(
        operation: &'static str,
        status: StatusCode,
        body: ErrorBody,
        meta: &ResponseMeta,
        redactor: &Redactor,
    ) -> Self {
        let errors = body
            .errors
            .unwrap_or_default()
            .into_iter()
            .map(|mut e| {
                e.message = redactor.scrub(&e.message);
                e
            })
            .collect();
        ApiError {
            operation,
            status,
            code: Some(body.code),
            message: redactor.scrub(&body.message),
            hint: body.hint.map(|h| redactor.scrub(&h)),
            description: body.description.map(|d| redactor.scrub(&d)),
            errors,
            request_id: meta.request_id.clone(),
            body_snippet: None,
            retry_after: meta.retry_after,
        }
    }

    /// Builds the error for a body that is not a Metorial error (HTML, empty, truncated).
    pub(crate) fn from_status(
        operation: &'static str,
        status: StatusCode,
        body_snippet: Option<String>,
        meta: &ResponseMeta,
    ) -> Self {
        ApiError {
            operation,
            status,
            code: None,
            message: status
                .canonical_reason()
                .unwrap_or("unknown status")
                .to_owned(),
            hint: None,
            description: None,
            errors: Vec::new(),
            request_id: meta.request_id.clone(),
            body_snippet,
            retry_after: meta.retry_after,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} failed with {}", self.operation, self.status.as_u16())?;
        if let Some(code) = &self.code {
            write!(f, " {code}")?;
        }
        write!(f, ": {}", self.message)?;
        for e in &self.errors {
            let path: Vec<String> = e.path.iter().flatten().map(ToString::to_string).collect();
            write!(f, "; {} ({})", e.message, path.join("."))?;
        }
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Why waiting for a flow ended without it completing.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The flow ended in a state that will not become `completed` (`failed`, `expired`,
    /// `archived`, `deleted`, ...).
    #[error("{id} ended as {status} without completing")]
    Ended {
        /// The setup session or OAuth setup.
        id: String,
        /// The state it ended in.
        status: String,
    },
    /// The object was deleted while waiting (the API answered 404).
    #[error("{id} was deleted while waiting for it to complete")]
    Deleted {
        /// The setup session or OAuth setup.
        id: String,
    },
    /// The deadline passed first.
    #[error("{id} was still {status} after {waited:?}")]
    DeadlineExceeded {
        /// The setup session or OAuth setup.
        id: String,
        /// Its last state.
        status: String,
        /// How long the wait lasted.
        waited: Duration,
    },
}

/// What the transport saw of an attempt's response: what progenitor's errors lose.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResponseMeta {
    /// The request's method (set once the request was built and sent).
    pub(crate) method: Option<reqwest::Method>,
    pub(crate) status: Option<StatusCode>,
    pub(crate) request_id: Option<String>,
    pub(crate) retry_after: Option<Duration>,
}
