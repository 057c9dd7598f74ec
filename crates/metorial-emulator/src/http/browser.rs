//! The browser-facing routes: a flow's `url` (`/setup/{id}`), the redirect URI
//! (`/oauth/callback`) and the built-in fake OAuth provider (`/_emulator/provider/...`), each
//! under its tenant's prefix `/t/{tenant id}` (a browser sends no API key). Their HTML pages
//! get the pages' security headers here ([`html::HEADERS`]).

use std::collections::HashMap;

use axum::Router;
use axum::extract::{Path, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::http::fake_provider;
use crate::http::oauth::{flow, html};
use crate::http::state::AppState;
use crate::paths::{CALLBACK_PATH, FAKE_AUTHORIZE_PATH, FAKE_TOKEN_PATH, FAKE_USERINFO_PATH};

/// Where a tenant's browser pages are: `/t/{tenant id}`.
const TENANT_PREFIX: &str = "/t/{tenant}";

/// The browser-facing routes (no API key: the user's browser opens them), each under the
/// tenant prefix, their pages with the security headers.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    let routes = Router::new()
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
        .route_layer(middleware::from_fn_with_state(state, tenant_scope));
    html::HEADERS
        .into_iter()
        .fold(routes, |routes, (name, value)| {
            routes.layer(on_pages(name, value))
        })
}

/// Sets `name: value` on the HTML pages that do not set it themselves (the fake provider's
/// JSON answers and the redirects go as they are).
fn on_pages(
    name: HeaderName,
    value: &'static str,
) -> SetResponseHeaderLayer<impl Fn(&Response) -> Option<HeaderValue> + Clone> {
    SetResponseHeaderLayer::if_not_present(name, move |response: &Response| {
        let kind = response.headers().get(CONTENT_TYPE);
        let html = kind.is_some_and(|kind| kind.as_bytes().starts_with(b"text/html"));
        html.then_some(HeaderValue::from_static(value))
    })
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
        return html::HtmlError::new(
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
