//! The fake provider as a resource server: `GET /_emulator/provider/userinfo` with
//! `Authorization: Bearer <access token>` answers who the token belongs to while it is valid,
//! and 401 `invalid_token` (RFC 6750) once the tenant's clock passes its expiry, or for a token
//! it never issued. What a service does with a provider's token, so a test can see a token
//! expire by moving the clock.

use axum::Extension;
use axum::Json;
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use metorial_models::Timestamp;
use serde::Serialize;

use super::authorization;
use super::token::TokenError;
use crate::store::fake_provider::{self, AccessToken};
use crate::tenant::Tenant;
use crate::time::timestamp;

/// What a valid access token belongs to.
#[derive(Serialize)]
struct UserInfo {
    /// The fake user (the same for every token).
    sub: &'static str,
    /// The client the token was issued to.
    client_id: String,
    /// The scopes granted.
    scope: Option<String>,
    /// When the token expires.
    expires_at: Timestamp,
}

/// `GET /_emulator/provider/userinfo`.
pub(crate) async fn userinfo(
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
) -> Result<Response, TokenError> {
    let Some(token) = authorization(&headers, "bearer").map(str::to_owned) else {
        return Ok(invalid_token(
            "send the access token as `Authorization: Bearer <token>`",
        ));
    };
    let now = tenant.clock().now_ms();
    let found = tenant
        .store
        .call(move |db| fake_provider::access_token(db, &token))
        .await?;
    Ok(match found {
        None => invalid_token("the access token is unknown"),
        Some(AccessToken { expires_at, .. }) if expires_at <= now => {
            invalid_token("the access token expired")
        }
        Some(token) => Json(UserInfo {
            sub: "emulator-user",
            client_id: token.client_id,
            scope: token.scope,
            expires_at: timestamp(token.expires_at),
        })
        .into_response(),
    })
}

/// 401 `invalid_token` with its description, in the body and in `WWW-Authenticate`.
fn invalid_token(description: &'static str) -> Response {
    let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{description}\"");
    let body = serde_json::json!({"error": "invalid_token", "error_description": description});
    let mut response = (StatusCode::UNAUTHORIZED, Json(body)).into_response();
    if let Ok(value) = HeaderValue::from_str(&challenge) {
        response.headers_mut().insert(WWW_AUTHENTICATE, value);
    }
    response
}
