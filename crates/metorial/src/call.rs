//! Running one call of the generated client: retries (the call's policy or the client's), the
//! tracing span, and turning its outcome into a [`Response`] or an [`Error`].

use std::borrow::Cow;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use metorial_models::ErrorBody;
use progenitor_client::ResponseValue;
use tracing::{Instrument, field};

use crate::error::{ApiError, Error, ResponseMeta, Result};
use crate::options::CallOptions;
use crate::redact::Redactor;
use crate::response::Response;
use crate::retry::{RetryPolicy, Retryable};
use crate::shared::Shared;
use crate::transport::AttemptContext;

/// What one attempt of the generated client returns.
type Attempt<T> = std::result::Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>;

/// One call of an operation.
pub(crate) struct Call<'a> {
    shared: &'a Shared,
    /// The overrides of the handle the call was made through, if any.
    options: Option<&'a Arc<CallOptions>>,
    operation: &'static str,
    redactor: Cow<'a, Redactor>,
    /// The response holds secrets (`x-metorial-secret-response`): its body is never kept.
    sensitive: bool,
}

impl<'a> Call<'a> {
    pub(crate) fn new(
        shared: &'a Shared,
        options: Option<&'a Arc<CallOptions>>,
        operation: &'static str,
    ) -> Self {
        Call {
            shared,
            options,
            operation,
            redactor: Cow::Borrowed(&shared.redactor),
            sensitive: false,
        }
    }

    /// Marks the response as holding secrets: no body of it is kept in errors.
    pub(crate) fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Also scrubs these values (secrets the call sends) from the call's errors.
    pub(crate) fn sending_secrets(mut self, secrets: impl IntoIterator<Item = String>) -> Self {
        self.redactor = Cow::Owned(self.redactor.with_sent(secrets));
        self
    }

    /// Sends the request `send` builds, again while the retry policy allows, and returns the
    /// value with its response, or the final error. One `metorial.request` span covers every
    /// attempt.
    pub(crate) async fn run<T, F, Fut>(&self, send: F) -> Result<Response<T>>
    where
        F: FnMut(&'a metorial_client::Client) -> Fut,
        Fut: Future<Output = Attempt<T>>,
    {
        let span = tracing::info_span!(
            "metorial.request",
            operation = self.operation,
            method = field::Empty,
            path = field::Empty,
            attempt = field::Empty,
            status = field::Empty,
            request_id = field::Empty,
            duration_ms = field::Empty,
        );
        if let Some(options) = self.options {
            options.check()?;
        }
        if span.is_disabled() {
            // No subscriber wants it: no span to enter at every poll.
            self.attempts(send, span).await
        } else {
            self.attempts(send, span.clone()).instrument(span).await
        }
    }

    /// The retry policy: the call's, else the client's.
    fn policy(&self) -> &RetryPolicy {
        self.options
            .and_then(|options| options.retry_policy())
            .unwrap_or(&self.shared.retry)
    }

    async fn attempts<T, F, Fut>(&self, mut send: F, span: tracing::Span) -> Result<Response<T>>
    where
        F: FnMut(&'a metorial_client::Client) -> Fut,
        Fut: Future<Output = Attempt<T>>,
    {
        let policy = self.policy();
        let started = Instant::now();
        // Built at the first retry: most calls succeed at once.
        let mut backoff = None;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            tracing::debug!(attempt, "sending");
            let context = AttemptContext {
                attempt,
                options: self.options.cloned(),
            };
            let (result, meta) =
                crate::transport::observed(context, send(&self.shared.client)).await;
            let error = match result {
                Ok(value) => {
                    record(&span, attempt, started, &meta);
                    return Ok(Response::new(value, meta.request_id));
                }
                Err(error) => error,
            };
            let retry = Retryable::of(&error, meta.status)
                .filter(|reason| meta.method.as_ref().is_some_and(|m| reason.allows(m)))
                .and_then(|reason| {
                    let computed = backoff.get_or_insert_with(|| policy.backoff()).next()?;
                    Some((reason, policy.delay(computed, meta.retry_after)))
                });
            if let Some((reason, wait)) = retry {
                tracing::info!(attempt, reason = ?reason, wait_ms = wait.as_millis() as u64, "retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            record(&span, attempt, started, &meta);
            return Err(self.error(error, meta, attempt));
        }
    }

    fn error(
        &self,
        error: progenitor_client::Error<ErrorBody>,
        mut meta: ResponseMeta,
        attempts: u32,
    ) -> Error {
        use progenitor_client::Error as E;
        let operation = self.operation;
        let redactor = &*self.redactor;
        match error {
            E::ErrorResponse(value) => {
                let status = value.status();
                Error::Api(Box::new(ApiError::from_body(
                    operation,
                    status,
                    value.into_inner(),
                    &meta,
                    redactor,
                )))
            }
            E::InvalidResponsePayload(bytes, decode) => {
                let snippet = (!self.sensitive).then(|| redactor.snippet(&bytes));
                match meta.status {
                    Some(status) if status.is_client_error() || status.is_server_error() => {
                        Error::Api(Box::new(ApiError::from_status(
                            operation, status, snippet, &meta,
                        )))
                    }
                    status => Error::Decode {
                        operation,
                        status: status.unwrap_or(reqwest::StatusCode::OK),
                        request_id: meta.request_id.clone(),
                        message: decode_message(&decode, self.sensitive, redactor),
                        body_snippet: snippet,
                    },
                }
            }
            E::UnexpectedResponse(response) => {
                meta.status = Some(response.status());
                Error::Api(Box::new(ApiError::from_status(
                    operation,
                    response.status(),
                    None,
                    &meta,
                )))
            }
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                if e.is_timeout() {
                    Error::Timeout {
                        operation,
                        attempts,
                    }
                } else {
                    Error::Connection {
                        operation,
                        attempts,
                        source: e,
                    }
                }
            }
            E::InvalidRequest(message) | E::Custom(message) => {
                Error::InvalidRequest(redactor.scrub(&message))
            }
        }
    }
}

/// The call's outcome, on its span.
fn record(span: &tracing::Span, attempts: u32, started: Instant, meta: &ResponseMeta) {
    span.record("attempt", attempts);
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    if let Some(status) = meta.status {
        span.record("status", status.as_u16());
    }
    if let Some(id) = &meta.request_id {
        span.record("request_id", id.as_str());
    }
}

/// What went wrong decoding, without echoing values for responses that carry secrets.
fn decode_message(error: &serde_json::Error, sensitive: bool, redactor: &Redactor) -> String {
    if sensitive {
        let kind = match error.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Eof => "truncated JSON",
        };
        format!("{kind} at line {} column {}", error.line(), error.column())
    } else {
        redactor.scrub(&error.to_string())
    }
}

/// Refuses an empty ID before anything is sent.
pub(crate) fn require_id(what: &str, id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::InvalidRequest(format!("the {what} ID is empty")));
    }
    Ok(())
}
