//! [`CallOptions`]: what one call (or every call through one handle) does differently from
//! the client: its timeout, its retry policy, extra headers, extra interceptors.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};
use crate::interceptor::Interceptor;
use crate::retry::RetryPolicy;

/// Overrides for some calls, without building a second client: pass them to
/// [`Metorial::with_options`](crate::Metorial::with_options) or to a handle's `with_options`,
/// and every call through what it returns uses them. Unset options keep the client's.
///
/// ```no_run
/// use std::time::Duration;
/// use metorial::{CallOptions, Metorial, RetryPolicy};
///
/// # async fn run(metorial: Metorial) -> metorial::Result<()> {
/// let patient = CallOptions::new()
///     .timeout(Duration::from_secs(120))
///     .retry(RetryPolicy::disabled())
///     .header("x-correlation-id", "order-1234");
/// let session = metorial
///     .setup_sessions()
///     .with_options(patient)
///     .get("pas_123")
///     .await?;
/// # let _ = session;
/// # Ok(()) }
/// ```
#[derive(Clone, Default)]
#[must_use]
pub struct CallOptions {
    /// The longest one attempt may take.
    timeout: Option<Duration>,
    /// When to retry.
    retry: Option<RetryPolicy>,
    /// Headers added to every attempt (after the SDK's own).
    headers: HeaderMap,
    /// Called around every attempt, after the client's interceptors.
    interceptors: Vec<Arc<dyn Interceptor>>,
    /// A header that could not be added: reported by the call, before anything is sent.
    invalid: Option<String>,
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header values may be credentials of the caller's own: only their names print.
        let names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("headers", &names)
            .field("interceptors", &self.interceptors.len())
            .finish()
    }
}

impl CallOptions {
    /// No overrides.
    pub fn new() -> Self {
        Self::default()
    }

    /// The longest one attempt may take (the client's `timeout` otherwise). It applies to
    /// each attempt; retries get the same again.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// When to retry (the client's policy otherwise).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Sends each request once: `retry(RetryPolicy::disabled())`.
    pub fn no_retries(self) -> Self {
        self.retry(RetryPolicy::disabled())
    }

    /// Adds a header to every attempt (replacing one of the same name). A name or value HTTP
    /// forbids, or `Authorization` (the key belongs to the client), makes the call fail with
    /// [`Error::InvalidRequest`] before anything is sent.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        match parse_header(name, value) {
            Ok((name, value)) => {
                self.headers.insert(name, value);
            }
            Err(message) => self.invalid = self.invalid.or(Some(message)),
        }
        self
    }

    /// Adds an interceptor for these calls (run after the client's own).
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.interceptors.push(Arc::new(interceptor));
        self
    }

    /// These options, then `later`'s on top (its headers added, its other settings winning).
    pub(crate) fn merged(&self, later: CallOptions) -> CallOptions {
        let mut headers = self.headers.clone();
        headers.extend(later.headers);
        let mut interceptors = self.interceptors.clone();
        interceptors.extend(later.interceptors);
        CallOptions {
            timeout: later.timeout.or(self.timeout),
            retry: later.retry.or_else(|| self.retry.clone()),
            headers,
            interceptors,
            invalid: self.invalid.clone().or(later.invalid),
        }
    }

    /// Refuses options with a header that could not be added.
    pub(crate) fn check(&self) -> Result<()> {
        match &self.invalid {
            Some(message) => Err(Error::InvalidRequest(message.clone())),
            None => Ok(()),
        }
    }

    /// The retry policy, if overridden.
    pub(crate) fn retry_policy(&self) -> Option<&RetryPolicy> {
        self.retry.as_ref()
    }

    /// The per-attempt timeout, if overridden.
    pub(crate) fn attempt_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The added headers.
    pub(crate) fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The added interceptors.
    pub(crate) fn interceptors(&self) -> &[Arc<dyn Interceptor>] {
        &self.interceptors
    }
}

/// A header to add, or why it cannot be (never echoing the value: it may be a credential).
fn parse_header(name: &str, value: &str) -> std::result::Result<(HeaderName, HeaderValue), String> {
    let name = HeaderName::try_from(name)
        .map_err(|_| format!("{name:?} is not a valid HTTP header name"))?;
    if name == AUTHORIZATION {
        return Err(
            "the Authorization header comes from the client's API key; build a client with \
             another key instead"
                .to_owned(),
        );
    }
    let mut value = HeaderValue::try_from(value)
        .map_err(|_| format!("the value of header {name} holds characters HTTP forbids"))?;
    value.set_sensitive(true);
    Ok((name, value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_options_win_and_headers_add_up() {
        let first = CallOptions::new()
            .timeout(Duration::from_secs(1))
            .header("x-a", "1");
        let merged = first.merged(CallOptions::new().header("x-b", "2").no_retries());
        assert_eq!(merged.attempt_timeout(), Some(Duration::from_secs(1)));
        assert_eq!(merged.retry_policy(), Some(&RetryPolicy::disabled()));
        assert_eq!(merged.headers().len(), 2);
        let later = merged.merged(CallOptions::new().timeout(Duration::from_secs(9)));
        assert_eq!(later.attempt_timeout(), Some(Duration::from_secs(9)));
    }

    #[test]
    fn bad_headers_fail_the_call_without_echoing_the_value() {
        for (name, value) in [
            ("bad name", "v"),
            ("x-ok", "line\nbreak secret-value"),
            ("Authorization", "Bearer other"),
        ] {
            let options = CallOptions::new().header(name, value);
            let Err(Error::InvalidRequest(message)) = options.check() else {
                panic!("{name} was accepted");
            };
            assert!(!message.contains("secret-value"), "{message}");
        }
        assert!(CallOptions::new().header("x-ok", "fine").check().is_ok());
    }

    #[test]
    fn debug_shows_header_names_only() {
        let options = CallOptions::new().header("x-api-token", "hunter2");
        let debug = format!("{options:?}");
        assert!(
            debug.contains("x-api-token") && !debug.contains("hunter2"),
            "{debug}"
        );
    }
}
