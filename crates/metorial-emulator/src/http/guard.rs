//! [`guard`]: what one request may take, refused with the API's error body before a handler
//! sees it: an over-long target (414), too many query values (400), an over-large head (431)
//! or body (413), a body that does not arrive within the body timeout (408). (Its ID, on every
//! answer, comes from the request-ID layers around it: see [`router`](crate::http::router).)

use std::sync::Arc;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::header::{CONNECTION, CONTENT_LENGTH};
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use metorial_models::ErrorCode;

use crate::config::Config;
use crate::http::error::ApiError;

/// The longest request target (path and query) the API answers: 8 KiB; longer is 414.
pub(crate) const MAX_URI_BYTES: usize = 8 * 1024;

/// The most `&`-separated values a query string may have (a list takes at most 100 values
/// per filter); more is 400.
pub(crate) const MAX_QUERY_VALUES: usize = 512;

/// The largest request head (target and header lines) the API answers: 32 KiB; larger is
/// 431.
pub(crate) const MAX_HEAD_BYTES: usize = 32 * 1024;

/// The largest request head hyper parses (its `max_header_size`), and its read buffer per
/// connection: a head between [`MAX_HEAD_BYTES`] and this gets the guard's 431, a larger one
/// hyper's, which [`ProtocolErrors`](crate::http::protocol_errors::ProtocolErrors) gives the API's error body. (Large enough for a request
/// target over hyper's limit of 65,534 bytes to reach its parser and get its 414; below
/// hyper's default buffer of about 400 KiB: there is one per connection.)
pub(crate) const MAX_HEAD_BUFFER: usize = 256 * 1024;
/// Refuses, with the API's error body, what one request may not take (see [`check_head`] and
/// [`read_body`]), then hands it on with its body read. Every refusal closes the connection:
/// the body it leaves unread cannot be told from the next request.
pub(crate) async fn guard(
    State(config): State<Arc<Config>>,
    request: Request,
    next: Next,
) -> Response {
    if let Err(error) = check_head(request.uri(), request.headers()) {
        return closing(error);
    }
    let (parts, body) = request.into_parts();
    match read_body(body, &parts.headers, &config).await {
        Ok(bytes) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        Err(error) => closing(error),
    }
}

/// `error`'s answer, closing the connection after it.
fn closing(error: ApiError) -> Response {
    let mut response = error.into_response();
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Refuses a request target over [`MAX_URI_BYTES`] (414), a query with more than
/// [`MAX_QUERY_VALUES`] values (400) and a head over [`MAX_HEAD_BYTES`] (431).
fn check_head(uri: &Uri, headers: &HeaderMap) -> Result<(), ApiError> {
    let target = uri
        .path_and_query()
        .map_or(0, |target| target.as_str().len());
    if target > MAX_URI_BYTES {
        return Err(ApiError::new(
            StatusCode::URI_TOO_LONG,
            ErrorCode::BadRequest,
            format!("the request target is longer than {MAX_URI_BYTES} bytes"),
        ));
    }
    let values = uri.query().map_or(0, |query| {
        query.split('&').filter(|pair| !pair.is_empty()).count()
    });
    if values > MAX_QUERY_VALUES {
        return Err(ApiError::bad_request(format!(
            "the query string has more than {MAX_QUERY_VALUES} values"
        )));
    }
    // As sent: `name: value\r\n` per header line.
    let lines: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len() + 4)
        .sum();
    if target.saturating_add(lines) > MAX_HEAD_BYTES {
        return Err(ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ErrorCode::BadRequest,
            format!("the request's headers are larger than {MAX_HEAD_BYTES} bytes"),
        ));
    }
    Ok(())
}

/// The whole body, read within the body timeout (else 408 `timeout`) and the size limit
/// (else 413, at once when `Content-Length` announces more). This is the only body limit: the
/// router turns axum's own (for its extractors) off.
///
/// The body timeout is a deadline for the whole body, which tower-http's
/// `RequestBodyTimeoutLayer` is not: its `TimeoutBody` restarts its timer at every frame, so a
/// body trickled a byte at a time would never be cut off.
async fn read_body(body: Body, headers: &HeaderMap, config: &Config) -> Result<Bytes, ApiError> {
    if body.is_end_stream() {
        return Ok(Bytes::new());
    }
    let max = config.max_body_bytes;
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if announced.is_some_and(|length| length > max as u64) {
        return Err(too_large(max));
    }
    match tokio::time::timeout(config.body_timeout, collect(body, max)).await {
        Ok(read) => read,
        Err(_) => Err(ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            ErrorCode::Timeout,
            format!(
                "the request body did not arrive within {} ms",
                config.body_timeout.as_millis()
            ),
        )),
    }
}

/// Reads `body` to its end; more than `max` bytes is 413, a broken stream 400.
async fn collect(body: Body, max: usize) -> Result<Bytes, ApiError> {
    match Limited::new(body, max).collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<LengthLimitError>() => Err(too_large(max)),
        Err(error) => Err(ApiError::bad_request(format!(
            "cannot read the request body: {error}"
        ))),
    }
}

/// 413: a body over `max` bytes (code `bad_request`, as the extractors' own answer).
fn too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorCode::BadRequest,
        format!("the request body is too large (at most {max} bytes)"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guard_measures_targets_queries_and_heads() {
        let ok = HeaderMap::new();
        let uri = |text: String| text.parse::<Uri>().unwrap();
        let at_limit = uri(format!("/p?{}", "a".repeat(MAX_URI_BYTES - 3)));
        assert!(check_head(&at_limit, &ok).is_ok());
        let over = uri(format!("/p?{}", "a".repeat(MAX_URI_BYTES - 2)));
        assert_eq!(
            check_head(&over, &ok).unwrap_err().status,
            StatusCode::URI_TOO_LONG
        );

        let values = |n: usize| uri(format!("/p?{}", vec!["a=1"; n].join("&")));
        assert!(check_head(&values(MAX_QUERY_VALUES), &ok).is_ok());
        let error = check_head(&values(MAX_QUERY_VALUES + 1), &ok).unwrap_err();
        assert_eq!(
            (error.status, error.code),
            (StatusCode::BAD_REQUEST, ErrorCode::BadRequest)
        );

        let mut big = HeaderMap::new();
        big.insert("x-pad", "a".repeat(MAX_HEAD_BYTES).parse().unwrap());
        let error = check_head(&uri("/p".to_owned()), &big).unwrap_err();
        assert_eq!(error.status, StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    }

    #[tokio::test]
    async fn bodies_are_read_up_to_the_limit() {
        let config = Config {
            max_body_bytes: 10,
            ..Config::default()
        };
        let none = HeaderMap::new();
        let read = read_body(Body::from("0123456789"), &none, &config).await;
        assert_eq!(read.unwrap(), "0123456789");
        let error = read_body(Body::from("0123456789a"), &none, &config)
            .await
            .unwrap_err();
        assert_eq!(error.status, StatusCode::PAYLOAD_TOO_LARGE);
        // An announced length over the limit is refused without reading.
        let mut announced = HeaderMap::new();
        announced.insert(CONTENT_LENGTH, HeaderValue::from_static("11"));
        let error = read_body(Body::from("0"), &announced, &config)
            .await
            .unwrap_err();
        assert_eq!(error.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(
            read_body(Body::empty(), &none, &config)
                .await
                .unwrap()
                .is_empty()
        );
    }
}
