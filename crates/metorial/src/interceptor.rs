//! [`Interceptor`]: your code around every attempt of every call: it sees each request before
//! it is sent ([`AttemptRequest`], whose headers it may change) and each response or failure
//! after ([`AttemptOutcome`]), retries included.

use std::fmt;
use std::time::Duration;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode, Url};

/// Code run around every attempt of every call: a request-ID propagator, metrics, logging.
///
/// Register it on the client ([`MetorialBuilder::interceptor`](crate::MetorialBuilder::interceptor))
/// or for some calls ([`CallOptions::interceptor`](crate::CallOptions::interceptor)). Both
/// methods run on the task making the call, in the order the interceptors were added, once per
/// attempt: a call retried twice calls each three times. Keep them quick (they run inline) and
/// don't panic (a panic ends the call's task).
///
/// What they are handed never shows a secret when printed: the `Authorization` header (and
/// every header added through [`CallOptions::header`](crate::CallOptions::header)) is marked
/// sensitive, so `Debug` prints `Sensitive` instead of its value; request and response bodies
/// are not handed over at all.
///
/// ```
/// use std::sync::atomic::{AtomicU32, Ordering};
/// use metorial::{AttemptOutcome, AttemptRequest, Interceptor};
///
/// /// Tags every attempt with a trace ID and counts the answers that were errors.
/// #[derive(Default)]
/// struct Tracing { errors: AtomicU32 }
///
/// impl Interceptor for Tracing {
///     fn before_attempt(&self, request: &mut AttemptRequest<'_>) {
///         let value = format!("{}-{}", request.operation(), request.attempt());
///         request.headers_mut().insert("x-trace-id", value.parse().unwrap());
///     }
///     fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
///         if outcome.status().is_none_or(|s| !s.is_success()) {
///             self.errors.fetch_add(1, Ordering::Relaxed);
///         }
///     }
/// }
/// ```
pub trait Interceptor: Send + Sync + 'static {
    /// Called before an attempt is sent; may add, change or remove its headers.
    fn before_attempt(&self, request: &mut AttemptRequest<'_>) {
        let _ = request;
    }

    /// Called once the attempt has its response (any status) or failed to get one.
    fn after_attempt(&self, outcome: &AttemptOutcome<'_>) {
        let _ = outcome;
    }
}

/// An attempt about to be sent, as an [`Interceptor`] sees it.
pub struct AttemptRequest<'a> {
    /// The operation (`get_provider_setup_session`, ...).
    pub(crate) operation: &'static str,
    /// 1 for the first attempt, 2 for the first retry, ...
    pub(crate) attempt: u32,
    /// The HTTP method.
    pub(crate) method: &'a Method,
    /// The URL.
    pub(crate) url: &'a Url,
    /// The headers it will be sent with.
    pub(crate) headers: &'a mut HeaderMap,
}

impl AttemptRequest<'_> {
    /// The operation (`get_provider_setup_session`, ...).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// 1 for the first attempt, 2 for the first retry, ...
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        self.method
    }

    /// The URL (IDs and filters; never a secret).
    pub fn url(&self) -> &Url {
        self.url
    }

    /// The headers it will be sent with (`Authorization` marked sensitive).
    pub fn headers(&self) -> &HeaderMap {
        self.headers
    }

    /// The headers, to change. A header marked sensitive keeps its value out of `Debug`.
    pub fn headers_mut(&mut self) -> &mut HeaderMap {
        self.headers
    }
}

impl fmt::Debug for AttemptRequest<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptRequest")
            .field("operation", &self.operation)
            .field("attempt", &self.attempt)
            .field("method", self.method)
            .field("url", &self.url.as_str())
            .field("headers", &self.headers)
            .finish()
    }
}

/// How an attempt ended, as an [`Interceptor`] sees it.
pub struct AttemptOutcome<'a> {
    /// The operation.
    pub(crate) operation: &'static str,
    /// Which attempt.
    pub(crate) attempt: u32,
    /// The HTTP method.
    pub(crate) method: &'a Method,
    /// The URL.
    pub(crate) url: &'a Url,
    /// How long from sending to the response's head (or the failure).
    pub(crate) elapsed: Duration,
    /// The response's status and headers, or why there is none.
    pub(crate) result: Result<(StatusCode, &'a HeaderMap), &'a reqwest::Error>,
    /// The `X-Request-ID` of the response, scrubbed.
    pub(crate) request_id: Option<&'a str>,
}

impl AttemptOutcome<'_> {
    /// The operation (`get_provider_setup_session`, ...).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// 1 for the first attempt, 2 for the first retry, ...
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The HTTP method.
    pub fn method(&self) -> &Method {
        self.method
    }

    /// The URL.
    pub fn url(&self) -> &Url {
        self.url
    }

    /// How long the attempt took, from sending to the response's head (or the failure).
    pub fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// The response's status; `None` when no response came (a connection failure or a
    /// timeout).
    pub fn status(&self) -> Option<StatusCode> {
        self.result.as_ref().ok().map(|(status, _)| *status)
    }

    /// The response's headers, if a response came.
    pub fn response_headers(&self) -> Option<&HeaderMap> {
        self.result.as_ref().ok().map(|(_, headers)| *headers)
    }

    /// The request ID the API gave the attempt (`X-Request-ID`), if a response came.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id
    }

    /// Why no response came, if none did.
    pub fn error(&self) -> Option<&reqwest::Error> {
        self.result.as_ref().err().copied()
    }
}

impl fmt::Debug for AttemptOutcome<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttemptOutcome")
            .field("operation", &self.operation)
            .field("attempt", &self.attempt)
            .field("method", self.method)
            .field("url", &self.url.as_str())
            .field("elapsed", &self.elapsed)
            .field("status", &self.status())
            .field("request_id", &self.request_id)
            .field("error", &self.error().map(ToString::to_string))
            .finish()
    }
}
