//! [`Response`]: a call's value with the HTTP response it came in.

use std::fmt;

use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// A successful call's value, with the status, headers and request ID of the response it came
/// in. Every method `x` of a handle has a twin `x_with_response` that returns one.
///
/// ```no_run
/// # async fn run(metorial: metorial::Metorial) -> metorial::Result<()> {
/// let response = metorial.setup_sessions().get_with_response("pas_123").await?;
/// println!("{} (request {:?})", response.status(), response.request_id());
/// let session = response.into_value();
/// # let _ = session;
/// # Ok(()) }
/// ```
pub struct Response<T> {
    /// The decoded value with the response's status and headers, as the generated client
    /// returned it: kept whole, so a call that only wants the value copies no header.
    inner: ResponseValue<T>,
    /// `X-Request-ID`, scrubbed.
    request_id: Option<String>,
}

impl<T> Response<T> {
    /// The generated client's response, with its scrubbed request ID.
    pub(crate) fn new(inner: ResponseValue<T>, request_id: Option<String>) -> Self {
        Self { inner, request_id }
    }

    /// The decoded value.
    pub fn value(&self) -> &T {
        &self.inner
    }

    /// The decoded value, without the response.
    pub fn into_value(self) -> T {
        self.inner.into_inner()
    }

    /// The HTTP status (2xx).
    pub fn status(&self) -> StatusCode {
        self.inner.status()
    }

    /// The response's headers.
    pub fn headers(&self) -> &HeaderMap {
        self.inner.headers()
    }

    /// The request ID the API gave the call (`X-Request-ID`), to quote to Metorial's support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The same response around `f(value)`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        let (status, headers) = (self.status(), self.headers().clone());
        Response {
            inner: ResponseValue::new(f(self.inner.into_inner()), status, headers),
            request_id: self.request_id,
        }
    }
}

impl<T: Clone> Clone for Response<T> {
    fn clone(&self) -> Self {
        Response {
            inner: ResponseValue::new(self.value().clone(), self.status(), self.headers().clone()),
            request_id: self.request_id.clone(),
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("value", self.value())
            .field("status", &self.status())
            .field("headers", self.headers())
            .field("request_id", &self.request_id)
            .finish()
    }
}
