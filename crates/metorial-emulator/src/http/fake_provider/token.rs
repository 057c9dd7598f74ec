//! The fake provider's token endpoint: reads the request (the form body; the client's
//! credentials from HTTP Basic or the body), has [`grant::exchange`] answer it, and sends the
//! tokens or a [`TokenError`]: the OAuth 2.0 error JSON of RFC 6749 section 5.2.

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::http::header::{CACHE_CONTROL, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde::Serialize;

use super::{INJECTED, authorization};
use crate::faults::{OAuthFault, ProviderEndpoint};
use crate::http::form::form_pairs;
use crate::store::StoreError;
use crate::store::fake_provider::grant::{self, Grant, GrantError, TokenRequest};
use crate::tenant::Tenant;

/// A failed token request, answered with `{"error", "error_description"}` and RFC 6749's status
/// for the error (401 with `WWW-Authenticate` for `invalid_client`), never cached.
#[derive(Debug, thiserror::Error)]
pub(crate) enum TokenError {
    /// The grant was refused, or the store failed.
    #[error(transparent)]
    Refused(#[from] GrantError),
    /// A fault rule of the tenant made the endpoint answer this error.
    #[error("injected by a fault rule: {}", .0.error)]
    Injected(OAuthFault),
}

impl From<StoreError> for TokenError {
    /// A store failure: `server_error`.
    fn from(error: StoreError) -> Self {
        Self::Refused(error.into())
    }
}

impl IntoResponse for TokenError {
    /// The error's JSON, with the status RFC 6749 gives its code. A fault rule's code other
    /// than `invalid_grant`, `invalid_client` and `temporarily_unavailable` is answered as
    /// `server_error`; a store failure that is a bug or an I/O failure is logged, and described
    /// only as such.
    fn into_response(self) -> Response {
        let (error, description) = match self {
            Self::Refused(GrantError::Store(error)) if error.is_internal() => {
                tracing::error!(%error, "internal error");
                ("server_error", "the emulator failed; see its log".into())
            }
            Self::Refused(refusal) => (refusal.code(), refusal.to_string()),
            Self::Injected(fault) => {
                let code = match fault.error.as_str() {
                    "invalid_grant" => "invalid_grant",
                    "invalid_client" => "invalid_client",
                    "temporarily_unavailable" => "temporarily_unavailable",
                    _ => "server_error",
                };
                (code, fault.description.unwrap_or_else(|| INJECTED.into()))
            }
        };
        let status = match error {
            "invalid_client" => StatusCode::UNAUTHORIZED,
            "temporarily_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
            "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        };
        let body = serde_json::json!({"error": error, "error_description": description});
        let mut response = no_store((status, Json(body)).into_response());
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"fake provider\""),
            );
        }
        response
    }
}

/// A successful answer (RFC 6749 section 5.1).
#[derive(Serialize)]
struct TokenBody {
    /// The access token.
    access_token: String,
    /// Always `bearer`.
    token_type: &'static str,
    /// The access token's lifetime in seconds.
    expires_in: i64,
    /// The refresh token.
    refresh_token: String,
    /// The scopes granted.
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: Option<String>,
}

/// `response` with `Cache-Control: no-store`, as token answers must be.
fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The client's ID and secret from HTTP Basic auth (each form-urlencoded, RFC 6749 2.3.1).
fn basic_credentials(headers: &HeaderMap) -> Option<(String, String)> {
    let encoded = authorization(headers, "basic")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let unescape = |s: &str| {
        url::form_urlencoded::parse(format!("v={}", s.replace('&', "%26")).as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
    };
    Some((unescape(id)?, unescape(secret)?))
}

/// Reads a token request: the client's credentials (HTTP Basic, or `client_id`/`client_secret`
/// in the body) and, by `grant_type`, `code`, `redirect_uri` and `code_verifier`
/// (`authorization_code`) or `refresh_token` (`refresh_token`).
fn read(headers: &HeaderMap, body: &[u8]) -> Result<TokenRequest, GrantError> {
    let params = form_pairs(body).ok_or(GrantError::InvalidRequest("a parameter is repeated"))?;
    let (client_id, client_secret) = basic_credentials(headers)
        .or_else(|| {
            Some((
                params.get("client_id")?.clone(),
                params.get("client_secret")?.clone(),
            ))
        })
        .ok_or(GrantError::InvalidClient(
            "client authentication is required",
        ))?;
    let required = |key: &str, what: &'static str| {
        params
            .get(key)
            .cloned()
            .ok_or(GrantError::InvalidRequest(what))
    };
    let grant = match params.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let what = "code, redirect_uri and code_verifier are required";
            Grant::Code {
                code: required("code", what)?,
                redirect_uri: required("redirect_uri", what)?,
                code_verifier: required("code_verifier", what)?,
            }
        }
        Some("refresh_token") => Grant::Refresh {
            refresh_token: required("refresh_token", "refresh_token is required")?,
        },
        _ => return Err(GrantError::UnsupportedGrantType),
    };
    Ok(TokenRequest {
        client_id,
        client_secret,
        grant,
    })
}

/// `POST /_emulator/provider/token`: exchanges an authorization code or a refresh token for
/// tokens (unless a fault rule of the tenant makes it answer an error).
pub(crate) async fn token(
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, TokenError> {
    if let Some(fault) = tenant.faults.for_provider(ProviderEndpoint::Token) {
        return Err(TokenError::Injected(fault));
    }
    let request = read(&headers, &body)?;
    let issued = tenant
        .store
        .call(move |db| Ok(grant::exchange(db, &request)))
        .await??;
    Ok(no_store(
        Json(TokenBody {
            access_token: issued.access_token,
            token_type: "bearer",
            expires_in: issued.expires_in,
            refresh_token: issued.refresh_token,
            scope: issued.scope,
        })
        .into_response(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::header::AUTHORIZATION;

    #[test]
    fn basic_auth_is_decoded() {
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode("my%20id:s%3Acret");
        headers.insert(AUTHORIZATION, format!("Basic {encoded}").parse().unwrap());
        assert_eq!(
            basic_credentials(&headers),
            Some(("my id".to_owned(), "s:cret".to_owned()))
        );
    }

    #[test]
    fn errors_are_rfc_6749_json() {
        let response = TokenError::from(GrantError::InvalidClient("no")).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key(WWW_AUTHENTICATE));
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    }
}
