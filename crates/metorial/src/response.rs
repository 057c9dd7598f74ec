//! [`Response`]: a call's value with the HTTP response it came in.

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
#[derive(Clone, Debug)]
pub struct Response<T> {
    /// The decoded value.
    value: T,
    /// The HTTP status.
    status: StatusCode,
    /// The response's headers.
    headers: HeaderMap,
    /// `X-Request-ID`, scrubbed.
    request_id: Option<String>,
}

impl<T> Response<T> {
    /// A value with its response's status, headers and request ID.
    pub(crate) fn new(
        value: T,
        status: StatusCode,
        headers: HeaderMap,
        request_id: Option<String>,
    ) -> Self {
        Self {
            value,
            status,
            headers,
            request_id,
        }
    }

    /// The decoded value.
    pub fn value(&self) -> &T {
        &self.value
    }

    /// The decoded value, without the response.
    pub fn into_value(self) -> T {
        self.value
    }

    /// The HTTP status (2xx).
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The response's headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request ID the API gave the call (`X-Request-ID`), to quote to Metorial's support.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The same response around `f(value)`.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Response<U> {
        Response {
            value: f(self.value),
            status: self.status,
            headers: self.headers,
            request_id: self.request_id,
        }
    }
}
