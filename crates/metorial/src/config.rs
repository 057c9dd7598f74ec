//! [`MetorialBuilder`]: configuring a client.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::HeaderValue;

use crate::client::Metorial;
use crate::error::{Error, Result};
use crate::interceptor::Interceptor;
use crate::redact::{ApiKey, Redactor};
use crate::retry::RetryPolicy;
use crate::shared::Shared;
use crate::transport::SdkTransport;

/// The API used when no base URL is given.
pub const DEFAULT_BASE_URL: &str = "https://api.metorial.com";
/// The environment variable [`Metorial::from_env`] reads the API key from.
pub const API_KEY_ENV: &str = "METORIAL_API_KEY";
/// The environment variable [`Metorial::from_env`] reads the base URL from.
pub const BASE_URL_ENV: &str = "METORIAL_BASE_URL";

/// Configures a [`Metorial`] client. Every problem is reported by [`build`](Self::build),
/// before any request is sent.
///
/// ```
/// use std::time::Duration;
/// use metorial::{Metorial, RetryPolicy};
///
/// let metorial = Metorial::builder()
///     .api_key("metorial_sk_example")
///     .base_url("http://127.0.0.1:8710")
///     .timeout(Duration::from_secs(10))
///     .retry(RetryPolicy::default().max_retries(5))
///     .user_agent_suffix("billing-service/1.4")
///     .build()?;
/// # let _ = metorial;
/// # Ok::<(), metorial::Error>(())
/// ```
#[derive(Debug, Default)]
#[must_use]
pub struct MetorialBuilder {
    api_key: Option<ApiKeyInput>,
    base_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent_suffix: Option<String>,
    api_version: Option<String>,
    http_client: Option<reqwest::Client>,
    interceptors: Interceptors,
}

/// The interceptors added, in order (`Debug` shows how many).
#[derive(Default)]
struct Interceptors(Vec<Arc<dyn Interceptor>>);

impl std::fmt::Debug for Interceptors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} interceptor(s)", self.0.len())
    }
}

/// The key as given, kept out of `Debug`.
struct ApiKeyInput(String);

impl std::fmt::Debug for ApiKeyInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

impl Metorial {
    /// A builder; only the API key is required.
    pub fn builder() -> MetorialBuilder {
        MetorialBuilder::default()
    }

    /// A client configured from the environment: `METORIAL_API_KEY` (required) and
    /// `METORIAL_BASE_URL` (optional).
    ///
    /// # Errors
    /// [`Error::Config`] when the key is missing or malformed, or the URL is malformed.
    pub fn from_env() -> Result<Metorial> {
        let mut builder = Metorial::builder();
        match std::env::var(API_KEY_ENV) {
            Ok(key) => builder = builder.api_key(key),
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(Error::Config(format!("{API_KEY_ENV} is not valid UTF-8")));
            }
            Err(std::env::VarError::NotPresent) => {}
        }
        if let Ok(url) = std::env::var(BASE_URL_ENV) {
            builder = builder.base_url(url);
        }
        builder.build()
    }
}

impl MetorialBuilder {
    /// The API key (`metorial_sk_...`), sent as `Authorization: Bearer <key>`. Required.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(ApiKeyInput(key.into()));
        self
    }

    /// The API's base URL; [`DEFAULT_BASE_URL`] when not set. An emulator's URL for tests.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The longest one attempt of a request may take (default 30 s). Ignored when an
    /// [`http_client`](Self::http_client) is given: configure that client instead.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The longest connecting may take (default 10 s). Ignored when an
    /// [`http_client`](Self::http_client) is given.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// When to retry (default: [`RetryPolicy::default`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// Shorthand for `retry(RetryPolicy::default().max_retries(n))`; `0` disables retries.
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.retry = Some(self.retry.unwrap_or_default().max_retries(max_retries));
        self
    }

    /// Text appended to the `User-Agent` header (`metorial-rust/<version> <suffix>`).
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// The `Metorial-Version` header's value. By default it is the version the SDK was
    /// generated for ([`api_version()`](crate::api_version)), whose shapes its types decode;
    /// override it only to pin another version explicitly.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// The `reqwest::Client` to send requests with (its own timeouts, proxy and TLS settings
    /// apply). The SDK adds its headers to each request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Adds an [`Interceptor`]: code run before and after every attempt of every call
    /// (retries included), in the order added.
    pub fn interceptor(mut self, interceptor: impl Interceptor) -> Self {
        self.interceptors.0.push(Arc::new(interceptor));
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// # Errors
    /// [`Error::Config`] when the API key is missing or malformed, the base URL is not an
    /// absolute `http(s)` URL, a header value holds characters HTTP forbids, or the HTTP
    /// client cannot be built.
    pub fn build(self) -> Result<Metorial> {
        let key = self.api_key.ok_or_else(|| {
            Error::Config(format!(
                "no API key: call `api_key(..)` or set {API_KEY_ENV}"
            ))
        })?;
        let key = validate_key(key.0)?;
        let base_url = validate_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let mut user_agent = format!("metorial-rust/{}", env!("CARGO_PKG_VERSION"));
        if let Some(suffix) = &self.user_agent_suffix {
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        let user_agent = HeaderValue::try_from(user_agent).map_err(|_| {
            Error::Config("the user agent suffix is not a valid header value".into())
        })?;
        let api_version = HeaderValue::try_from(
            self.api_version
                .unwrap_or_else(|| metorial_client::api_version().to_owned()),
        )
        .map_err(|_| Error::Config("the API version is not a valid header value".into()))?;
        let http = match self.http_client {
            Some(client) => client,
            None => reqwest::Client::builder()
                .timeout(self.timeout.unwrap_or(Duration::from_secs(30)))
                .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(10)))
                .build()
                .map_err(|e| Error::Config(format!("the HTTP client could not be built: {e}")))?,
        };
        let redactor = Redactor::new(key.clone());
        let interceptors = self.interceptors.0;
        let count = interceptors.len();
        let transport = SdkTransport::new(
            &key,
            user_agent,
            api_version,
            redactor.clone(),
            interceptors,
        )
        .map_err(Error::Config)?;
        let client = metorial_client::Client::new_with_client(
            &base_url,
            http,
            metorial_client::Hooks::with_transport(Arc::new(transport)),
        );
        let shared = Shared {
            client,
            base_url,
            retry: self.retry.unwrap_or_default(),
            redactor,
            interceptors: count,
        };
        Ok(Metorial::from_shared(Arc::new(shared)))
    }
}

fn validate_key(key: String) -> Result<ApiKey> {
    if key.trim().is_empty() {
        return Err(Error::Config("the API key is empty".into()));
    }
    if let Some(bad) = key.chars().find(|c| !c.is_ascii_graphic()) {
        let what = if bad.is_whitespace() {
            "whitespace"
        } else {
            "a character that is not printable ASCII"
        };
        return Err(Error::Config(format!(
            "the API key is malformed: it contains {what}"
        )));
    }
    Ok(ApiKey::new(key))
}

fn validate_base_url(text: &str) -> Result<String> {
    let url = url::Url::parse(text)
        .map_err(|e| Error::Config(format!("the base URL is not an absolute URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Error::Config(format!(
            "the base URL must be http or https, not `{}`",
            url.scheme()
        )));
    }
    if url.cannot_be_a_base() || url.host().is_none() {
        return Err(Error::Config("the base URL has no host".into()));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::Config(
            "the base URL must not have a query or a fragment".into(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::Config(
            "the base URL must not hold credentials: use `api_key`".into(),
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config_error(builder: MetorialBuilder) -> String {
        match builder.build() {
            Err(Error::Config(message)) => message,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn a_missing_key_is_reported_at_build_time() {
        assert_eq!(
            config_error(MetorialBuilder::default()),
            "no API key: call `api_key(..)` or set METORIAL_API_KEY"
        );
    }

    #[test]
    fn malformed_keys_are_reported_without_echoing_them() {
        for key in [
            "",
            "   ",
            "metorial_sk_a b",
            "metorial_sk_\n",
            "metorial_sk_é",
        ] {
            let message = config_error(Metorial::builder().api_key(key));
            assert!(message.contains("API key"), "{message}");
            if key.len() > 4 {
                assert!(!message.contains(key.trim()), "{message}");
            }
        }
    }

    #[test]
    fn malformed_base_urls_are_reported() {
        for (url, expected) in [
            ("api.metorial.com", "not an absolute URL"),
            ("ftp://api.metorial.com", "must be http or https"),
            ("https://api.metorial.com/?x=1", "query or a fragment"),
            (
                "https://user:pw@api.metorial.com",
                "must not hold credentials",
            ),
        ] {
            let message = config_error(Metorial::builder().api_key("k").base_url(url));
            assert!(message.contains(expected), "{url}: {message}");
        }
    }

    #[test]
    fn the_base_url_loses_its_trailing_slash() {
        assert_eq!(
            validate_base_url("http://localhost:8710/").unwrap(),
            "http://localhost:8710"
        );
        assert_eq!(
            validate_base_url("https://x.test/api/").unwrap(),
            "https://x.test/api"
        );
    }

    #[test]
    fn builder_debug_hides_the_key() {
        let builder = Metorial::builder().api_key("metorial_sk_secret123");
        assert!(!format!("{builder:?}").contains("secret123"));
    }
}
