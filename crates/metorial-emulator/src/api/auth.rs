//! The API key check: `Authorization: Bearer <key>`, compared in constant time.

use axum::extract::{Request, State};
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::{Choice, ConstantTimeEq};

use super::error::ApiError;
use crate::server::AppState;

/// Lets the request through only with a valid API key; 401 `unauthorized` otherwise.
pub(crate) async fn require_api_key(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let Some(header) = request.headers().get(AUTHORIZATION) else {
        return ApiError::unauthorized(
            "missing API key: send it as `Authorization: Bearer <api key>`",
        )
        .into_response();
    };
    let presented = header.to_str().ok().and_then(|value| {
        let (scheme, key) = value.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| key.trim())
    });
    let Some(presented) = presented else {
        return ApiError::unauthorized(
            "malformed Authorization header: expected `Bearer <api key>`",
        )
        .into_response();
    };
    if !key_matches(&state.runtime.api_keys, presented) {
        return ApiError::unauthorized("invalid API key").into_response();
    }
    next.run(request).await
}

/// Whether `presented` is one of `keys`; every key is compared, in constant time for keys of
/// the same length.
fn key_matches(keys: &[String], presented: &str) -> bool {
    let mut found = Choice::from(0);
    for key in keys {
        found |= key.as_bytes().ct_eq(presented.as_bytes());
    }
    found.into()
}

#[cfg(test)]
mod tests {
    use super::key_matches;

    #[test]
    fn only_exact_keys_match() {
        let keys = vec!["metorial_sk_a".to_owned(), "metorial_sk_b".to_owned()];
        assert!(key_matches(&keys, "metorial_sk_a"));
        assert!(key_matches(&keys, "metorial_sk_b"));
        assert!(!key_matches(&keys, "metorial_sk_"));
        assert!(!key_matches(&keys, "metorial_sk_ab"));
        assert!(!key_matches(&keys, ""));
    }
}
