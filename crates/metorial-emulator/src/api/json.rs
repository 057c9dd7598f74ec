//! [`Page`]: a list page as a JSON response, serialized without growing a fresh buffer.

use std::cell::RefCell;

use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::error::ApiError;

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
        let encoded = BUFFER.with(|buffer| {
            let mut buffer = buffer.borrow_mut();
            buffer.clear();
            let encoded = serde_json::to_writer(&mut *buffer, &self.0)
                .map(|()| Bytes::copy_from_slice(&buffer));
            // Keep a warm buffer, not the largest page ever answered.
            if buffer.capacity() > MAX_KEPT {
                *buffer = Vec::with_capacity(KEPT);
            }
            encoded
        });
        match encoded {
            Ok(body) => ([(CONTENT_TYPE, "application/json")], body).into_response(),
            Err(error) => ApiError::from(error).into_response(),
        }
    }
}
