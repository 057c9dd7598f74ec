//! The OAuth flow in the browser: a flow's `url` (`/setup/{id}`), the redirect URI
//! (`/oauth/callback`), and the built-in fake OAuth provider (`/_emulator/provider/...`).
//!
//! - `flow`: the emulator as an OAuth client (start, callback), with `client` (the `oauth2`
//!   crate's client and the code exchange over reqwest).
//! - `fake_provider`: the fake OAuth provider (authorize + consent, token).
//! - `pages`: the HTML pages, their security headers, and `PageError`.

mod client;
mod fake_provider;
mod flow;
mod pages;

use axum::Router;
use axum::routing::{get, post};

use crate::server::AppState;

/// Path of the emulator's OAuth callback (every flow's redirect URI).
pub(crate) const CALLBACK_PATH: &str = "/oauth/callback";
/// Path of the fake provider's authorize endpoint.
pub(crate) const FAKE_AUTHORIZE_PATH: &str = "/_emulator/provider/authorize";
/// Path of the fake provider's token endpoint.
pub(crate) const FAKE_TOKEN_PATH: &str = "/_emulator/provider/token";

/// The browser-facing routes (no API key: the user's browser opens them).
pub(crate) fn router() -> Router<AppState> {
    Router::new()
        .route("/setup/{id}", get(flow::start))
        .route(CALLBACK_PATH, get(flow::callback))
        .route(
            FAKE_AUTHORIZE_PATH,
            get(fake_provider::authorize).post(fake_provider::decide),
        )
        .route(FAKE_TOKEN_PATH, post(fake_provider::token))
}

/// The decoded `key=value` pairs of a query string or form body; `None` if a key repeats (an
/// OAuth request must not repeat parameters).
pub(crate) fn form_pairs(raw: &[u8]) -> Option<std::collections::HashMap<String, String>> {
    let mut pairs = std::collections::HashMap::new();
    for (key, value) in url::form_urlencoded::parse(raw) {
        if pairs.insert(key.into_owned(), value.into_owned()).is_some() {
            return None;
        }
    }
    Some(pairs)
}

/// `base` with the query parameters appended (keeping the ones it has).
pub(crate) fn with_params(base: &str, params: &[(&str, &str)]) -> Option<String> {
    let mut url = url::Url::parse(base).ok()?;
    {
        let mut query = url.query_pairs_mut();
        for (key, value) in params {
            query.append_pair(key, value);
        }
    }
    Some(url.into())
}
