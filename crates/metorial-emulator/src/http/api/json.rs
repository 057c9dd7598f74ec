//! JSON answers: [`Page`] (a list page serialized without growing a fresh buffer), and reads
//! answered through the tenant's
//! [`ResponseCache`](crate::cache::ResponseCache) ([`read_cached`]).

use std::cell::RefCell;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::http::error::ApiError;
use crate::store::{Db, StoreError};
use crate::tenant::Tenant;

/// The buffer each thread starts with.
const KEPT: usize = 256 * 1024;
/// A buffer grown past this by a huge page is given back.
const MAX_KEPT: usize = 4 * 1024 * 1024;

thread_local! {
    /// A warm buffer per thread: a page of 100 sessions is ~170 KB, and growing a new buffer
    /// to that size for every response (reallocations, fresh pages) costs more than encoding.
    static BUFFER: RefCell<Vec<u8>> = RefCell::new(Vec::with_capacity(KEPT));
}

/// A list page answered as JSON (large bodies; see [`BUFFER`]).
pub(crate) struct Page<T>(pub(crate) T);

impl<T: Serialize> IntoResponse for Page<T> {
    fn into_response(self) -> Response {
        match encode(&self.0) {
            Ok(body) => json_body(body),
            Err(error) => error.into_response(),
        }
    }
}

/// `value` as JSON, encoded in this thread's warm buffer (see [`BUFFER`]).
pub(crate) fn encode<T: Serialize>(value: &T) -> Result<Bytes, ApiError> {
    BUFFER.with(|buffer| {
        let mut buffer = buffer.borrow_mut();
        buffer.clear();
        let encoded =
            serde_json::to_writer(&mut *buffer, value).map(|()| Bytes::copy_from_slice(&buffer));
        // Keep a warm buffer, not the largest page ever answered.
        if buffer.capacity() > MAX_KEPT {
            *buffer = Vec::with_capacity(KEPT);
        }
        encoded.map_err(ApiError::from)
    })
}

/// A 200 answer with this JSON body.
pub(crate) fn json_body(body: Bytes) -> Response {
    ([(CONTENT_TYPE, "application/json")], body).into_response()
}

/// The answer of a read through the tenant's [`ResponseCache`](crate::cache::ResponseCache):
/// the cached body while it is
/// still right, else `read` run at a known version, encoded and kept for next time;
/// `valid_until` says from which clock time (ms) the value would be shown differently.
pub(crate) async fn read_cached<T, F>(
    tenant: &Tenant,
    key: String,
    read: F,
    valid_until: impl FnOnce(&T) -> i64,
) -> Result<Response, ApiError>
where
    T: Serialize + Send + 'static,
    F: FnOnce(&mut Db<'_>) -> Result<T, StoreError> + Send + 'static,
{
    let now = tenant.clock().now_ms();
    if let Some(body) = tenant.cache.get(&key, tenant.store.version(), now) {
        return Ok(json_body(body));
    }
    let (value, version) = tenant.store.read(read).await?;
    let body = encode(&value)?;
    tenant
        .cache
        .put(key, body.clone(), version, valid_until(&value));
    Ok(json_body(body))
}
