//! The built-in fake OAuth provider: an authorize endpoint with a consent page (Approve /
//! Deny, or approval at once with `--oauth-auto-approve`) and a token endpoint that checks the
//! client secret and the PKCE verifier and issues random tokens. Its registered clients are the
//! fixtures' credentials and the OAuth apps OAuth setups name in their `config`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::{AUTHORIZATION, CACHE_CONTROL, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use serde::Serialize;
use subtle::ConstantTimeEq;

use super::{FAKE_AUTHORIZE_PATH, form_pairs, pages, with_params};
use crate::server::AppState;
use crate::store::catalog;
use crate::store::provider::{self, AuthorizationRequest};

fn internal_page(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "fake provider failed");
    pages::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The fake provider failed; see the emulator's log.",
    )
}

/// Sends the browser back to the client with `params` (and the client's `state`).
fn answer<'a>(
    redirect_uri: &str,
    mut params: Vec<(&'a str, &'a str)>,
    state: Option<&'a str>,
) -> Response {
    if let Some(state) = state {
        params.push(("state", state));
    }
    match with_params(redirect_uri, &params) {
        Some(url) => Redirect::to(&url).into_response(),
        None => pages::error(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "The redirect_uri is not a valid URL.",
        ),
    }
}

/// `GET /_emulator/provider/authorize`: checks the request, then shows the consent page (or
/// approves at once).
pub(crate) async fn authorize(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(params) = form_pairs(query.unwrap_or_default().as_bytes()) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "A parameter of the authorization request is repeated.",
        );
    };
    let get = |key: &str| {
        params
            .get(key)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    // Without a known client and a usable redirect URI, errors cannot go back to the client.
    let Some(client_id) = get("client_id").map(str::to_owned) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Invalid request",
            "client_id is missing.",
        );
    };
    let redirect_uri = match get("redirect_uri").map(url::Url::parse) {
        Some(Ok(url)) if matches!(url.scheme(), "http" | "https") => url.to_string(),
        _ => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "Invalid request",
                "redirect_uri is missing or not an absolute http(s) URL.",
            );
        }
    };
    let known_id = client_id.clone();
    let known = match state
        .store
        .call(move |db| provider::client_known(db, &known_id))
        .await
    {
        Ok(known) => known,
        Err(e) => return internal_page(e.message),
    };
    if !known {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Unknown application",
            "This client_id is not registered with the fake provider (see the fixtures' \
             credentials, or pass client_id and client_secret in an OAuth setup's config).",
        );
    }
    let client_state = get("state");
    if get("response_type") != Some("code") {
        return answer(
            &redirect_uri,
            vec![
                ("error", "unsupported_response_type"),
                ("error_description", "only response_type=code is supported"),
            ],
            client_state,
        );
    }
    let Some(challenge) =
        get("code_challenge").filter(|_| get("code_challenge_method") == Some("S256"))
    else {
        return answer(
            &redirect_uri,
            vec![
                ("error", "invalid_request"),
                (
                    "error_description",
                    "PKCE is required: code_challenge with code_challenge_method=S256",
                ),
            ],
            client_state,
        );
    };
    let request = AuthorizationRequest {
        client_id,
        redirect_uri,
        scope: get("scope").map(str::to_owned),
        state: client_state.map(str::to_owned),
        code_challenge: challenge.to_owned(),
    };

    if state.runtime.oauth_auto_approve {
        let approved = request.clone();
        return match state
            .store
            .call(move |db| provider::issue_code(db, &approved))
            .await
        {
            Ok(code) => answer(
                &request.redirect_uri,
                vec![("code", &code)],
                request.state.as_deref(),
            ),
            Err(e) => internal_page(e.message),
        };
    }

    let stored = request.clone();
    let looked_up = state
        .store
        .call(move |db| {
            let id = provider::insert_request(db, &stored)?;
            let app = catalog::credentials_by_client_id(db.conn, &stored.client_id)?
                .into_iter()
                .find_map(|c| c.name)
                .unwrap_or_else(|| stored.client_id.clone());
            Ok((id, app))
        })
        .await;
    match looked_up {
        Ok((request_id, app)) => {
            let scopes: Vec<&str> = request
                .scope
                .as_deref()
                .map(|s| s.split([' ', ',']).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default();
            pages::consent(&app, &scopes, &request_id, FAKE_AUTHORIZE_PATH)
        }
        Err(e) => internal_page(e.message),
    }
}

/// `POST /_emulator/provider/authorize`: the consent form's answer (`request`, `decision`).
pub(crate) async fn decide(State(state): State<AppState>, body: Bytes) -> Response {
    let params = form_pairs(&body).unwrap_or_default();
    let (Some(request_id), Some(decision)) = (params.get("request"), params.get("decision")) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Invalid answer",
            "The consent form's answer is incomplete.",
        );
    };
    let approve = match decision.as_str() {
        "approve" => true,
        "deny" => false,
        _ => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "Invalid answer",
                "The decision must be approve or deny.",
            );
        }
    };
    let request_id = request_id.clone();
    let taken = state
        .store
        .call(move |db| {
            let Some(request) = provider::take_request(db, &request_id)? else {
                return Ok(None);
            };
            let code = if approve {
                Some(provider::issue_code(db, &request)?)
            } else {
                None
            };
            Ok(Some((request, code)))
        })
        .await;
    match taken {
        Ok(Some((request, Some(code)))) => answer(
            &request.redirect_uri,
            vec![("code", &code)],
            request.state.as_deref(),
        ),
        Ok(Some((request, None))) => answer(
            &request.redirect_uri,
            vec![
                ("error", "access_denied"),
                ("error_description", "The user denied access."),
            ],
            request.state.as_deref(),
        ),
        Ok(None) => pages::error(
            StatusCode::BAD_REQUEST,
            "Request already answered",
            "This authorization request is unknown, expired or already answered.",
        ),
        Err(e) => internal_page(e.message),
    }
}

/// A token endpoint answer (RFC 6749 section 5).
#[derive(Serialize)]
#[serde(untagged)]
enum TokenAnswer {
    Tokens {
        access_token: String,
        token_type: &'static str,
        expires_in: i64,
        refresh_token: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        scope: Option<String>,
    },
    Error {
        error: &'static str,
        error_description: String,
    },
}

fn token_error(
    status: StatusCode,
    error: &'static str,
    description: impl Into<String>,
) -> Response {
    let mut response = (
        status,
        Json(TokenAnswer::Error {
            error,
            error_description: description.into(),
        }),
    )
        .into_response();
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if status == StatusCode::UNAUTHORIZED {
        response.headers_mut().insert(
            WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"fake provider\""),
        );
    }
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

/// `POST /_emulator/provider/token`: `grant_type=authorization_code` with the code, the
/// redirect URI and the PKCE verifier; the client authenticates with HTTP Basic or
/// `client_id`/`client_secret` in the body.
pub(crate) async fn token(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(params) = form_pairs(&body) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "a parameter is repeated",
        );
    };
    if params.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return token_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "only grant_type=authorization_code is supported",
        );
    }
    let credentials = basic_credentials(&headers).or_else(|| {
        Some((
            params.get("client_id")?.clone(),
            params.get("client_secret")?.clone(),
        ))
    });
    let Some((client_id, client_secret)) = credentials else {
        return token_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client authentication is required",
        );
    };
    let (Some(code), Some(redirect_uri), Some(verifier)) = (
        params.get("code").cloned(),
        params.get("redirect_uri").cloned(),
        params.get("code_verifier").cloned(),
    ) else {
        return token_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "code, redirect_uri and code_verifier are required",
        );
    };

    let outcome = state
        .store
        .call(move |db| {
            if !provider::client_authenticates(db, &client_id, &client_secret)? {
                return Ok(Err((
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "unknown client or wrong client secret",
                )));
            }
            let Some(redeemed) = provider::redeem_code(db, &code)? else {
                return Ok(Err((
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the code is unknown, expired or already used",
                )));
            };
            if redeemed.client_id != client_id || redeemed.redirect_uri != redirect_uri {
                return Ok(Err((
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "the code was issued to another client or redirect_uri",
                )));
            }
            if !pkce_matches(&verifier, &redeemed.code_challenge) {
                return Ok(Err((
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "PKCE verification failed",
                )));
            }
            provider::issue_tokens(db, &client_id, redeemed.scope.as_deref()).map(Ok)
        })
        .await;
    match outcome {
        Ok(Ok(issued)) => {
            let mut response = Json(TokenAnswer::Tokens {
                access_token: issued.access_token,
                token_type: "bearer",
                expires_in: issued.expires_in,
                refresh_token: issued.refresh_token,
                scope: issued.scope,
            })
            .into_response();
            response
                .headers_mut()
                .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
            response
        }
        Ok(Err((status, error, description))) => token_error(status, error, description),
        Err(e) => token_error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", e.message),
    }
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
}
