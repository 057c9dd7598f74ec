//! Sending one attempt: the SDK's headers on the request, the call's options (timeout,
//! headers), the interceptors around it, and what the response looked like.
//!
//! The generated client hands every built request to the [`SdkTransport`]. The call puts what
//! the attempt needs (its number, its options) in a per-attempt slot (see [`observed`]); the
//! transport records the status, request id and `Retry-After` of the response there, because
//! the generated client's errors lose them for bodies that are not JSON, and retrying needs
//! them.

use std::cell::RefCell;
use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use metorial_client::{Transport, TransportFuture};
use reqwest::header::{AUTHORIZATION, HeaderName, HeaderValue, USER_AGENT};

use crate::error::ResponseMeta;
use crate::interceptor::{AttemptOutcome, AttemptRequest, Interceptor};
use crate::options::CallOptions;
use crate::redact::{ApiKey, Redactor};
use crate::retry::retry_after;

/// The header carrying the API version.
pub(crate) const VERSION_HEADER: HeaderName = HeaderName::from_static("metorial-version");
/// The response header carrying the request id.
pub(crate) const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// What the transport needs to know about the attempt it sends.
#[derive(Clone, Default)]
pub(crate) struct AttemptContext {
    /// 1 for the first attempt, 2 for the first retry, ...
    pub(crate) attempt: u32,
    /// The call's options, if it has any.
    pub(crate) options: Option<Arc<CallOptions>>,
}

/// The per-attempt slot: what the call tells the transport, and what the transport saw.
#[derive(Default)]
struct Slot {
    /// The attempt's context.
    context: AttemptContext,
    /// What its response looked like.
    meta: ResponseMeta,
}

tokio::task_local! {
    /// The attempt being run.
    static ATTEMPT: RefCell<Slot>;
}

/// Runs one attempt of a call with `context`, returning its output and what its response
/// looked like.
pub(crate) async fn observed<T>(
    context: AttemptContext,
    attempt: impl Future<Output = T>,
) -> (T, ResponseMeta) {
    let slot = Slot {
        context,
        meta: ResponseMeta::default(),
    };
    ATTEMPT
        .scope(RefCell::new(slot), async move {
            let output = attempt.await;
            let meta = ATTEMPT.with(|slot| std::mem::take(&mut slot.borrow_mut().meta));
            (output, meta)
        })
        .await
}

/// The context of the attempt being run (the default outside [`observed`]: never, in this
/// crate).
fn current_context() -> AttemptContext {
    ATTEMPT
        .try_with(|slot| slot.borrow().context.clone())
        .unwrap_or_default()
}

/// Adds the SDK's headers (and the call's) to every request, runs the interceptors around it,
/// and records what each response looked like.
pub(crate) struct SdkTransport {
    authorization: HeaderValue,
    user_agent: HeaderValue,
    api_version: HeaderValue,
    redactor: Redactor,
    /// The client's interceptors (a call's own run after them).
    interceptors: Vec<Arc<dyn Interceptor>>,
}

impl std::fmt::Debug for SdkTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SdkTransport")
            .field("interceptors", &self.interceptors.len())
            .finish_non_exhaustive()
    }
}

impl SdkTransport {
    pub(crate) fn new(
        key: &ApiKey,
        user_agent: HeaderValue,
        api_version: HeaderValue,
        redactor: Redactor,
        interceptors: Vec<Arc<dyn Interceptor>>,
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
            interceptors,
        })
    }

    /// The client's interceptors, then the call's.
    fn interceptors<'a>(
        &'a self,
        options: Option<&'a CallOptions>,
    ) -> impl Iterator<Item = &'a Arc<dyn Interceptor>> {
        let call = options.map(CallOptions::interceptors).unwrap_or_default();
        self.interceptors.iter().chain(call)
    }

    /// The SDK's headers, then the call's options (headers, timeout), then the
    /// interceptors' changes.
    fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation: &'static str,
        context: &AttemptContext,
    ) {
        let headers = request.headers_mut();
        headers.insert(AUTHORIZATION, self.authorization.clone());
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(VERSION_HEADER, self.api_version.clone());
        let options = context.options.as_deref();
        if let Some(options) = options {
            for (name, value) in options.headers() {
                headers.insert(name.clone(), value.clone());
            }
            if let Some(timeout) = options.attempt_timeout() {
                *request.timeout_mut() = Some(timeout);
            }
        }
        if self.interceptors(options).next().is_none() {
            return;
        }
        let (method, url) = (request.method().clone(), request.url().clone());
        let mut view = AttemptRequest {
            operation,
            attempt: context.attempt,
            method: &method,
            url: &url,
            headers: request.headers_mut(),
        };
        for interceptor in self.interceptors(options) {
            interceptor.before_attempt(&mut view);
        }
    }
}

impl Transport for SdkTransport {
    fn execute<'a>(
        &'a self,
        client: &'a reqwest::Client,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> TransportFuture<'a> {
        let context = current_context();
        self.prepare(&mut request, operation, &context);
        let span = tracing::Span::current();
        if !span.is_disabled() {
            span.record("method", request.method().as_str());
            span.record("path", request.url().path());
        }
        let method = request.method().clone();
        // Only interceptors need the URL after the request is gone.
        let intercepted = self
            .interceptors(context.options.as_deref())
            .next()
            .is_some();
        let url = intercepted.then(|| request.url().clone());
        Box::pin(async move {
            let started = Instant::now();
            let result = client.execute(request).await;
            let mut meta = ResponseMeta {
                method: Some(method.clone()),
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
            if let Some(url) = &url {
                let outcome = AttemptOutcome {
                    operation,
                    attempt: context.attempt,
                    method: &method,
                    url,
                    elapsed: started.elapsed(),
                    result: match &result {
                        Ok(response) => Ok((response.status(), response.headers())),
                        Err(error) => Err(error),
                    },
                    request_id: meta.request_id.as_deref(),
                };
                for interceptor in self.interceptors(context.options.as_deref()) {
                    interceptor.after_attempt(&outcome);
                }
            }
            // Outside `observed` (never, in this crate) there is no slot: nothing to record.
            let _ = ATTEMPT.try_with(|slot| slot.borrow_mut().meta = meta);
            result
        })
    }
}
