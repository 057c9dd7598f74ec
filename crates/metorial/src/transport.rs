//! Sending one call: headers, retries, tracing, and what the response looked like.
//!
//! The generated client hands every built request to a [`CallTransport`]. One is made per
//! call so that it can remember the final response's status and request id, which the
//! generated client's errors lose for bodies that are not JSON.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use metorial_client::{Transport, TransportFuture};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};
use tracing::{Instrument, field};

use crate::error::ResponseMeta;
use crate::redact::{ApiKey, Redactor};
use crate::retry::{RetryPolicy, Retryable, retry_after};

/// The header carrying the API version, when one is configured.
pub(crate) const VERSION_HEADER: HeaderName = HeaderName::from_static("metorial-version");
/// The response header carrying the request id.
pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Configuration shared by every call of a client.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
    pub(crate) authorization: HeaderValue,
    pub(crate) user_agent: HeaderValue,
    pub(crate) api_version: Option<HeaderValue>,
    pub(crate) retry: RetryPolicy,
    pub(crate) redactor: Redactor,
}

impl Shared {
    /// The bearer header value, marked sensitive so it never prints.
    pub(crate) fn authorization(key: &ApiKey) -> Result<HeaderValue, String> {
        let mut value = HeaderValue::try_from(format!("Bearer {}", key.expose()))
            .map_err(|_| "the API key holds characters not allowed in an HTTP header".to_owned())?;
        value.set_sensitive(true);
        Ok(value)
    }
}

/// Sends the requests of one call and remembers its final response.
#[derive(Debug)]
pub(crate) struct CallTransport {
    shared: Arc<Shared>,
    meta: Mutex<ResponseMeta>,
}

impl CallTransport {
    pub(crate) fn new(shared: Arc<Shared>) -> Self {
        Self {
            shared,
            meta: Mutex::new(ResponseMeta::default()),
        }
    }

    /// What the final response of the call looked like.
    pub(crate) fn meta(&self) -> ResponseMeta {
        self.meta.lock().map(|m| m.clone()).unwrap_or_default()
    }

    fn record(&self, meta: ResponseMeta) {
        if let Ok(mut slot) = self.meta.lock() {
            *slot = meta;
        }
    }
}

impl Transport for CallTransport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        operation_id: &'static str,
    ) -> TransportFuture<'a> {
        let shared = &self.shared;
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, shared.authorization.clone());
        headers.insert(USER_AGENT, shared.user_agent.clone());
        if let Some(version) = &shared.api_version {
            headers.insert(VERSION_HEADER, version.clone());
        }
        let span = tracing::info_span!(
            "metorial.request",
            operation = operation_id,
            method = %request.method(),
            path = request.url().path(),
            attempt = field::Empty,
            status = field::Empty,
            request_id = field::Empty,
            duration_ms = field::Empty,
        );
        Box::pin(
            self.send_with_retries(client, request, span.clone())
                .instrument(span),
        )
    }
}

impl CallTransport {
    async fn send_with_retries(
        &self,
        client: &reqwest::Client,
        request: reqwest::Request,
        span: tracing::Span,
    ) -> reqwest::Result<reqwest::Response> {
        let policy = &self.shared.retry;
        let method = request.method().clone();
        let started = Instant::now();
        // Built at the first retry: most calls succeed at once.
        let mut backoff = None;
        let mut attempt: u32 = 0;
        let mut request = request;
        loop {
            attempt += 1;
            // A copy for a possible retry (bodies here are always in memory).
            let spare = request.try_clone();
            let attempt_started = Instant::now();
            let result = client.execute(request).await;
            let elapsed_ms = attempt_started.elapsed().as_millis() as u64;
            let retry_wait = match result.as_ref() {
                Ok(response) => retry_after(response.headers()),
                Err(_) => None,
            };
            match &result {
                Ok(response) => tracing::debug!(
                    attempt,
                    status = response.status().as_u16(),
                    elapsed_ms,
                    "attempt answered"
                ),
                Err(error) => {
                    tracing::debug!(attempt, elapsed_ms, error = %error, "attempt failed")
                }
            }
            let retryable = Retryable::of(&result).filter(|r| r.allows(&method));
            let next = match (retryable, spare) {
                (Some(reason), Some(spare)) => backoff
                    .get_or_insert_with(|| policy.backoff())
                    .next()
                    .map(|computed| (reason, spare, computed)),
                _ => None,
            };
            if let Some((reason, spare, computed)) = next {
                let wait = policy.delay(computed, retry_wait);
                tracing::info!(
                    attempt,
                    reason = ?reason,
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                tokio::time::sleep(wait).await;
                request = spare;
                continue;
            }

            span.record("attempt", attempt);
            span.record("duration_ms", started.elapsed().as_millis() as u64);
            let mut meta = ResponseMeta {
                attempts: attempt,
                ..ResponseMeta::default()
            };
            if let Ok(response) = &result {
                let request_id = response
                    .headers()
                    .get(REQUEST_ID_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .map(|id| self.shared.redactor.scrub(id));
                span.record("status", response.status().as_u16());
                if let Some(id) = &request_id {
                    span.record("request_id", id.as_str());
                }
                meta.status = Some(response.status());
                meta.request_id = request_id;
                meta.retry_after = retry_wait;
            }
            self.record(meta);
            return result;
        }
    }
}
