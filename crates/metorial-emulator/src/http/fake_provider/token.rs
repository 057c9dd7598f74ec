//! The fake provider's token endpoint: `grant_type=authorization_code` (with PKCE) and
//! `grant_type=refresh_token` (refresh tokens rotate: each works once). Failures are
//! [`TokenError`]s: the OAuth 2.0 error JSON of RFC 6749 section 5.2.

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use serde::Serialize;
use subtle::ConstantTimeEq;

use crate::faults::{OAuthFault, ProviderEndpoint};
use crate::http::form::form_pairs;
use crate::store::fake_provider::IssuedToken;
use crate::store::{Db, StoreError, fake_provider};
use crate::tenant::Tenant;

/// A failed token request: `{"error", "error_description"}` with its status (401 with
/// `WWW-Authenticate` for `invalid_client`), never cached.
#[derive(Debug)]
pub(crate) struct TokenError {
    /// The HTTP status.
    status: StatusCode,
    /// The RFC 6749 error code.
    error: &'static str,
    /// What went wrong, for the client's developer.
    description: String,
}

impl TokenError {
    /// 400 with this error code.
    fn bad_request(error: &'static str, description: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            description: description.into(),
        }
    }

    /// 400 `invalid_request`: a parameter is missing or repeated.
    fn invalid_request(description: &str) -> Self {
        Self::bad_request("invalid_request", description)
    }

    /// 400 `invalid_grant`: the code cannot be exchanged.
    fn invalid_grant(description: &str) -> Self {
        Self::bad_request("invalid_grant", description)
    }

    /// 401 `invalid_client`: the client did not authenticate.
    fn invalid_client(description: &str) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            error: "invalid_client",
            description: description.to_owned(),
        }
    }
}

impl From<OAuthFault> for TokenError {
    /// The error a fault rule makes the token endpoint answer, with RFC 6749's status for it.
    fn from(fault: OAuthFault) -> Self {
        let (status, error) = match fault.error.as_str() {
            "invalid_grant" => (StatusCode::BAD_REQUEST, "invalid_grant"),
            "invalid_client" => (StatusCode::UNAUTHORIZED, "invalid_client"),
            "temporarily_unavailable" => {
                (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable")
            }
            _ => (StatusCode::INTERNAL_SERVER_ERROR, "server_error"),
        };
        Self {
            status,
            error,
            description: fault
                .description
                .unwrap_or_else(|| "injected by a fault rule of the emulator".to_owned()),
        }
    }
}

impl From<StoreError> for TokenError {
    /// A store failure: 500 `server_error` (a bug or an I/O failure is logged, and described
    /// only as such).
    fn from(error: StoreError) -> Self {
        let description = if error.is_internal() {
            tracing::error!(%error, "internal error");
            "the emulator failed; see its log".to_owned()
        } else {
            error.to_string()
        };
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            description,
        }
    }
}

/// The body of a [`TokenError`].
#[derive(Serialize)]
struct ErrorBody {
    /// The error code.
    error: &'static str,
    /// Its description.
    error_description: String,
}

impl IntoResponse for TokenError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: self.error,
            error_description: self.description,
        };
        let mut response = no_store((self.status, Json(body)).into_response());
        if self.status == StatusCode::UNAUTHORIZED {
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
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
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

/// Whether the verifier is well-formed (RFC 7636 4.1) and hashes to the challenge.
fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return false;
    }
    let computed =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()));
    computed
        .as_str()
        .as_bytes()
        .ct_eq(challenge.as_bytes())
        .into()
}

/// A token request, its parameters present.
struct Grant {
    /// The authenticating client.
    client_id: String,
    /// Its secret.
    client_secret: String,
    /// What is exchanged.
    kind: GrantKind,
}

/// What a token request exchanges.
enum GrantKind {
    /// An authorization code, for the redirect URI it was issued to, with its PKCE verifier.
    Code {
        code: String,
        redirect_uri: String,
        code_verifier: String,
    },
    /// A refresh token.
    Refresh { refresh_token: String },
}

impl Grant {
    /// Reads the request: the client's credentials (HTTP Basic, or `client_id`/`client_secret`
    /// in the body) and, by `grant_type`, `code`, `redirect_uri` and `code_verifier`
    /// (`authorization_code`) or `refresh_token` (`refresh_token`).
    fn read(headers: &HeaderMap, body: &[u8]) -> Result<Self, TokenError> {
        let params = form_pairs(body)
            .ok_or_else(|| TokenError::invalid_request("a parameter is repeated"))?;
        let (client_id, client_secret) = basic_credentials(headers)
            .or_else(|| {
                Some((
                    params.get("client_id")?.clone(),
                    params.get("client_secret")?.clone(),
                ))
            })
            .ok_or_else(|| TokenError::invalid_client("client authentication is required"))?;
        let required = |key: &str, what: &str| {
            params
                .get(key)
                .cloned()
                .ok_or_else(|| TokenError::invalid_request(what))
        };
        let kind = match params.get("grant_type").map(String::as_str) {
            Some("authorization_code") => {
                let what = "code, redirect_uri and code_verifier are required";
                GrantKind::Code {
                    code: required("code", what)?,
                    redirect_uri: required("redirect_uri", what)?,
                    code_verifier: required("code_verifier", what)?,
                }
            }
            Some("refresh_token") => GrantKind::Refresh {
                refresh_token: required("refresh_token", "refresh_token is required")?,
            },
            _ => {
                return Err(TokenError::bad_request(
                    "unsupported_grant_type",
                    "grant_type must be authorization_code or refresh_token",
                ));
            }
        };
        Ok(Self {
            client_id,
            client_secret,
            kind,
        })
    }

    /// Authenticates the client, then exchanges the code or the refresh token for new tokens.
    fn redeem(&self, db: &mut Db<'_>) -> Result<Result<IssuedToken, TokenError>, StoreError> {
        let client = fake_provider::client(db.conn, db.settings, &self.client_id)?;
        if !client.is_some_and(|c| c.authenticates(&self.client_secret)) {
            return Ok(Err(TokenError::invalid_client(
                "unknown client or wrong client secret",
            )));
        }
        let scope = match &self.kind {
            GrantKind::Code {
                code,
                redirect_uri,
                code_verifier,
            } => match self.check_code(db, code, redirect_uri, code_verifier)? {
                Ok(scope) => scope,
                Err(error) => return Ok(Err(error)),
            },
            GrantKind::Refresh { refresh_token } => {
                match fake_provider::redeem_refresh_token(db, &self.client_id, refresh_token)? {
                    Some(scope) => scope,
                    None => {
                        return Ok(Err(TokenError::invalid_grant(
                            "the refresh token is unknown, of another client or already used",
                        )));
                    }
                }
            }
        };
        fake_provider::issue_tokens(db, &self.client_id, scope.as_deref()).map(Ok)
    }

    /// Uses up the code (even if a later check fails), checks that it was issued to this
    /// client and redirect URI and that the verifier matches; the scope it grants.
    fn check_code(
        &self,
        db: &mut Db<'_>,
        code: &str,
        redirect_uri: &str,
        code_verifier: &str,
    ) -> Result<Result<Option<String>, TokenError>, StoreError> {
        let Some(code) = fake_provider::redeem_code(db, code)? else {
            return Ok(Err(TokenError::invalid_grant(
                "the code is unknown, expired or already used",
            )));
        };
        if code.client_id != self.client_id || code.redirect_uri != redirect_uri {
            return Ok(Err(TokenError::invalid_grant(
                "the code was issued to another client or redirect_uri",
            )));
        }
        if !pkce_matches(code_verifier, &code.code_challenge) {
            return Ok(Err(TokenError::invalid_grant("PKCE verification failed")));
        }
        Ok(Ok(code.scope))
    }
}

/// `POST /_emulator/provider/token`: exchanges an authorization code or a refresh token for
/// tokens (unless a fault rule of the tenant makes it answer an error).
pub(crate) async fn token(
    Extension(tenant): Extension<Tenant>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, TokenError> {
    if let Some(fault) = tenant.faults.for_provider(ProviderEndpoint::Token) {
        return Err(fault.into());
    }
    let grant = Grant::read(&headers, &body)?;
    let issued = tenant.store.call(move |db| grant.redeem(db)).await??;
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

    #[test]
    fn pkce_checks_the_verifier() {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        assert!(pkce_matches(verifier.secret(), challenge.as_str()));
        assert!(!pkce_matches(&"a".repeat(43), challenge.as_str()));
        assert!(!pkce_matches("short", challenge.as_str()));
    }

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
        let response = TokenError::invalid_client("no").into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert!(response.headers().contains_key(WWW_AUTHENTICATE));
        assert_eq!(response.headers()[CACHE_CONTROL], "no-store");
    }
}
