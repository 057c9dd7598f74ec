//! Sending one attempt: the SDK's headers on the request, and what the response looked like.
//!
//! The generated client hands every built request to the [`SdkTransport`]. It records the
//! status, request id and `Retry-After` of the response in a per-attempt slot (see
//! [`observed`]), because the generated client's errors lose them for bodies that are not
//! JSON, and retrying needs them.

use std::cell::RefCell;
use std::future::Future;

use metorial_client::{Transport, TransportFuture};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};

use crate::error::ResponseMeta;
use crate::redact::{ApiKey, Redactor};
use crate::retry::retry_after;

/// The header carrying the API version.
pub(crate) const VERSION_HEADER: HeaderName = HeaderName::from_static("metorial-version");
/// The response header carrying the request id.
pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    /// What the response of the attempt being run looked like.
    static ATTEMPT: RefCell<ResponseMeta>;
}

/// Runs one attempt of a call, returning its output and what its response looked like.
pub(crate) async fn observed<T>(attempt: impl Future<Output = T>) -> (T, ResponseMeta) {
    ATTEMPT
        .scope(RefCell::new(ResponseMeta::default()), async move {
            let output = attempt.await;
            let meta = ATTEMPT.with(|slot| slot.take());
            (output, meta)
        })
        .await
}

/// Adds the SDK's headers to every request and records what each response looked like.
#[derive(Debug)]
pub(crate) struct SdkTransport {
    authorization: HeaderValue,
    user_agent: HeaderValue,
    api_version: HeaderValue,
    redactor: Redactor,
}

impl SdkTransport {
    pub(crate) fn new(
        key: &ApiKey,
        user_agent: HeaderValue,
        api_version: HeaderValue,
        redactor: Redactor,
    ) -> Result<Self, String> {
        let mut authorization = HeaderValue::try_from(format!("Bearer {}", key.expose()))
            .map_err(|_| "the API key holds characters not allowed in an HTTP header".to_owned())?;
        // Never printed, not even by `Debug` of the request.
        authorization.set_sensitive(true);
        Ok(Self {
            authorization,
            user_agent,
            api_version,
            redactor,
        })
    }
}

impl Transport for SdkTransport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        _operation_id: &'static str,
    ) -> TransportFuture<'a> {
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(VERSION_HEADER, self.api_version.clone());
        let span = tracing::Span::current();
        span.record("method", request.method().as_str());
        span.record("path", request.url().path());
        let method = request.method().clone();
        Box::pin(async move {
            let result = client.execute(request).await;
            let mut meta = ResponseMeta {
                method: Some(method),
                ..ResponseMeta::default()
            };
            match &result {
                Ok(response) => {
                    meta.status = Some(response.status());
                    meta.retry_after = retry_after(response.headers());
                    meta.request_id = response
                        .headers()
                        .get(REQUEST_ID_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .map(|id| self.redactor.scrub(id));
                    tracing::debug!(status = response.status().as_u16(), "attempt answered");
                }
                Err(error) => tracing::debug!(error = %error, "attempt failed"),
            }
            // Outside `observed` (never, in this crate) there is no slot: nothing to record.
            let _ = ATTEMPT.try_with(|slot| *slot.borrow_mut() = meta);
            result
        })
    }
}
