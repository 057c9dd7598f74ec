//! The OAuth flow in the browser: a flow's `url` (`/setup/{id}`), the redirect URI
//! (`/oauth/callback`), and the built-in fake OAuth provider (`/_emulator/provider/...`), each
//! under its tenant's prefix `/t/{tenant id}` (a browser sends no API key).
//!
//! - `flow`: the emulator as an OAuth client (start, callback), with `client` (the `oauth2`
//!   crate's client and the code exchange over reqwest).
//! - `fake_provider`: the fake OAuth provider (authorize + consent, token).
//! - `pages`: the HTML pages, their security headers, and `PageError`.

mod client;
mod fake_provider;
mod flow;
mod pages;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::server::AppState;

/// Path of the emulator's OAuth callback (every flow's redirect URI).
pub(crate) const CALLBACK_PATH: &str = "/oauth/callback";
/// Path of the fake provider's authorize endpoint.
pub(crate) const FAKE_AUTHORIZE_PATH: &str = "/_emulator/provider/authorize";
/// Path of the fake provider's token endpoint.
pub(crate) const FAKE_TOKEN_PATH: &str = "/_emulator/provider/token";
/// Path of the fake provider's userinfo endpoint.
pub(crate) const FAKE_USERINFO_PATH: &str = "/_emulator/provider/userinfo";

/// Where a tenant's browser pages are: `/t/{tenant id}`.
const TENANT_PREFIX: &str = "/t/{tenant}";

/// The browser-facing routes (no API key: the user's browser opens them), each under the
/// tenant prefix.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(&format!("{TENANT_PREFIX}/setup/{{id}}"), get(flow::start))
        .route(
            &format!("{TENANT_PREFIX}{CALLBACK_PATH}"),
            get(flow::callback),
        )
        .route(
            &format!("{TENANT_PREFIX}{FAKE_AUTHORIZE_PATH}"),
            get(fake_provider::authorize).post(fake_provider::decide),
        )
        .route(
            &format!("{TENANT_PREFIX}{FAKE_TOKEN_PATH}"),
            post(fake_provider::token),
        )
        .route(
            &format!("{TENANT_PREFIX}{FAKE_USERINFO_PATH}"),
            get(fake_provider::userinfo),
        )
        .route_layer(middleware::from_fn_with_state(state, tenant_scope))
}

/// Attaches the tenant the path names to the request; an unknown one is a 404 page.
async fn tenant_scope(
    State(state): State<AppState>,
    Path(params): Path<HashMap<String, String>>,
    mut request: Request,
    next: Next,
) -> Response {
    let tenant = params.get("tenant").and_then(|id| state.tenants.by_id(id));
    let Some(tenant) = tenant else {
        return pages::PageError::new(
            StatusCode::NOT_FOUND,
            "Unknown tenant",
            "There is no tenant at this address: its emulator was restarted without its API \
             key, or the link is wrong.",
        )
        .into_response();
    };
    request.extensions_mut().insert(tenant);
    next.run(request).await
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
