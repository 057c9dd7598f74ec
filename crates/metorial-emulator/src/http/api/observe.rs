//! What wraps every API operation once its tenant is known: the tenant's fault rules (an
//! injected status, latency or closed connection) and its request journal.

use std::time::Instant;

use axum::Extension;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::RETRY_AFTER;
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metorial_models::{ErrorCode, Operation};

use crate::faults::ApiFault;
use crate::http::error::ApiError;
use crate::http::state::{AbortConnection, RequestId};
use crate::journal::Entry;
use crate::tenant::Tenant;
use crate::time::timestamp;

/// Applies the first fault rule of the tenant that matches the request, runs the operation
/// (unless the fault answers instead), and records the request in the tenant's journal (its
/// body only when the operation carries no secrets; never its headers).
pub(crate) async fn observe(
    State(op): State<Operation>,
    Extension(tenant): Extension<Tenant>,
    Extension(id): Extension<RequestId>,
    request: Request,
    next: Next,
) -> Response {
    let started = Instant::now();
    let request_id = id.header_value().to_str().unwrap_or_default().to_owned();
    let time = timestamp(tenant.clock().now_ms());
    let (parts, body) = request.into_parts();
    // The guard has read the body into memory already: this takes it without waiting.
    let body = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let fault = tenant
        .faults
        .for_api(Some(op.id), parts.method.as_str(), parts.uri.path());
    let mut entry = Entry {
        seq: 0,
        time,
        method: parts.method.to_string(),
        path: parts.uri.path().to_owned(),
        query: parts.uri.query().map(str::to_owned),
        operation_id: Some(op.id),
        status: 0,
        request_id,
        duration_ms: 0.0,
        body: None,
        body_truncated: false,
        fault: fault.as_ref().map(ApiFault::describe),
    };
    if !op.carries_secrets {
        entry = entry.with_body(&body);
    }
    let request = Request::from_parts(parts, Body::from(body));
    let response = answer(fault, request, next).await;
    entry.status = response.status().as_u16();
    entry.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    tenant.journal.record(entry);
    response
}

/// The operation's answer, or the fault's.
async fn answer(fault: Option<ApiFault>, request: Request, next: Next) -> Response {
    match fault {
        None => next.run(request).await,
        Some(ApiFault::Latency(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Some(ApiFault::Status {
            status,
            retry_after_seconds,
        }) => injected(status, retry_after_seconds),
        Some(ApiFault::Close) => {
            let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
            response.extensions_mut().insert(AbortConnection);
            response
        }
    }
}

/// The API's error body for an injected status (with `Retry-After` when the rule gives one).
fn injected(status: u16, retry_after_seconds: Option<u64>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let code = match status {
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::TooManyRequests,
        StatusCode::GATEWAY_TIMEOUT => ErrorCode::Timeout,
        _ => ErrorCode::InternalServerError,
    };
    let reason = status.canonical_reason().unwrap_or("Error");
    let mut response = ApiError::new(
        status,
        code,
        format!("{reason} (injected by a fault rule of the emulator)"),
    )
    .into_response();
    if let Some(seconds) = retry_after_seconds {
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}
