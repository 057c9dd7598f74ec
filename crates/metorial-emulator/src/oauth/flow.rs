//! The flow's two browser endpoints: `GET /setup/{id}` (off to the provider) and
//! `GET /oauth/callback` (back from it).

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use metorial_models::SecretObject;
use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, Scope};

use super::{client, form_pairs, pages, with_params};
use crate::ids::random_secret;
use crate::server::AppState;
use crate::store::flows::{self, Claim, Flow};

/// How long a `state` handed to the provider stays valid.
const STATE_LIFETIME_MS: i64 = 60 * 60 * 1000;

/// Longest provider error text passed on to the app.
const MAX_ERROR_LEN: usize = 500;

/// The page for a flow that is over.
fn closed_page(flow: &Flow) -> Response {
    let noun = flow.kind.noun();
    match flow.status.as_str() {
        "expired" => pages::error(
            StatusCode::GONE,
            "Setup expired",
            &format!("This {noun} has expired; ask for a new one."),
        ),
        status => pages::error(
            StatusCode::CONFLICT,
            "Setup already finished",
            &format!("This {noun} is already {status}."),
        ),
    }
}

fn internal_page(error: impl std::fmt::Display) -> Response {
    tracing::error!(%error, "OAuth flow failed");
    pages::error(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong",
        "The emulator could not continue the setup; see its log.",
    )
}

/// `GET /setup/{id}`: redirects to the provider's authorize endpoint with `response_type=code`,
/// the client ID, the callback as `redirect_uri`, the auth method's scopes, a new single-use
/// `state` and a PKCE `S256` challenge.
pub(crate) async fn start(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let lookup_id = id.clone();
    let flow = match state
        .store
        .call(move |db| flows::load(db, &lookup_id))
        .await
    {
        Ok(Some(flow)) => flow,
        Ok(None) => {
            return pages::error(
                StatusCode::NOT_FOUND,
                "Unknown setup",
                "There is no setup session or OAuth setup at this address.",
            );
        }
        Err(e) if e.status.is_client_error() => {
            return pages::error(e.status, "Setup not possible", &e.message);
        }
        Err(e) => return internal_page(e.message),
    };
    if !flow.is_open() {
        return closed_page(&flow);
    }
    let oauth = match client::for_flow(&flow, &state.runtime) {
        Ok(client) => client,
        Err(e) => return internal_page(e),
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let csrf = random_secret(43);
    let scopes = flow
        .auth_method
        .scopes
        .iter()
        .map(|s| Scope::new(s.scope.clone()));
    let (url, _) = oauth
        .authorize_url(|| CsrfToken::new(csrf.clone()))
        .add_scopes(scopes)
        .set_pkce_challenge(challenge)
        .url();
    let verifier = verifier.secret().to_owned();
    let flow_id = flow.id.clone();
    let kind = flow.kind;
    if let Err(e) = state
        .store
        .call(move |db| {
            flows::insert_state(db, &csrf, &flow_id, &verifier, STATE_LIFETIME_MS)?;
            if kind == flows::FlowKind::OauthSetup {
                crate::store::oauth_setups::mark_opened(db, &flow_id)?;
            }
            Ok(())
        })
        .await
    {
        return internal_page(e.message);
    }
    Redirect::to(url.as_str()).into_response()
}

/// Sends the browser back to the app (or shows the result when the flow has no
/// `redirect_url`).
fn finish(flow: &Flow, status: &str, error: Option<(&str, &str)>) -> Response {
    let noun = flow.kind.noun();
    if let Some(redirect_url) = &flow.redirect_url {
        let mut params = vec![(flow.kind.id_param(), flow.id.as_str()), ("status", status)];
        if let Some((code, description)) = error {
            params.push(("error", code));
            params.push(("error_description", description));
        }
        if let Some(url) = with_params(redirect_url, &params) {
            return Redirect::to(&url).into_response();
        }
    }
    match error {
        None => pages::page(
            StatusCode::OK,
            "Setup complete",
            &format!(
                "<p id=\"status\">The {noun} <code>{}</code> is {}. You can close this window.</p>",
                pages::escape(&flow.id),
                pages::escape(status)
            ),
        ),
        Some((code, description)) => pages::page(
            StatusCode::OK,
            "Setup failed",
            &format!(
                "<p id=\"status\">The {noun} <code>{}</code> is {}: <code>{}</code> {}</p>",
                pages::escape(&flow.id),
                pages::escape(status),
                pages::escape(code),
                pages::escape(description)
            ),
        ),
    }
}

/// Cuts provider-supplied text to a sane length.
fn clip(text: &str) -> String {
    text.chars().take(MAX_ERROR_LEN).collect()
}

/// `GET /oauth/callback`: checks `state` (known, unused, its flow still open), then either
/// records the provider's error (`failed`) or exchanges the code with the PKCE verifier and
/// stores the tokens in a new auth config (`completed`), and sends the browser to the app.
/// A forged, replayed or late callback changes nothing and gets an error page.
pub(crate) async fn callback(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let Some(params) = form_pairs(query.unwrap_or_default().as_bytes()) else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Invalid callback",
            "A parameter of the callback is repeated.",
        );
    };
    let Some(csrf) = params.get("state").cloned() else {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Invalid callback",
            "The callback has no state parameter.",
        );
    };
    let code = params.get("code").cloned();
    let provider_error = params.get("error").cloned();
    if code.is_none() && provider_error.is_none() {
        return pages::error(
            StatusCode::BAD_REQUEST,
            "Invalid callback",
            "The callback has neither a code nor an error.",
        );
    }
    let claim = match state
        .store
        .call(move |db| flows::claim_state(db, &csrf))
        .await
    {
        Ok(claim) => claim,
        Err(e) => return internal_page(e.message),
    };
    let (flow, verifier) = match claim {
        Claim::Unknown => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "Invalid callback",
                "This callback's state is unknown: it was not issued by this emulator, or its \
                 setup was deleted. Nothing was changed.",
            );
        }
        Claim::Used => {
            return pages::error(
                StatusCode::BAD_REQUEST,
                "Callback already used",
                "This callback's state was already used; a callback works only once. Nothing \
                 was changed.",
            );
        }
        Claim::Closed(flow) => return closed_page(&flow),
        Claim::Stale => {
            return pages::error(
                StatusCode::GONE,
                "Authorization expired",
                "This authorization attempt is too old. Open the setup link again to start \
                 over. Nothing was changed.",
            );
        }
        Claim::Claimed {
            flow,
            pkce_verifier,
        } => (flow, pkce_verifier),
    };

    if let Some(error) = provider_error {
        let error = clip(&error);
        let description = clip(
            params
                .get("error_description")
                .map_or("the provider refused the authorization", String::as_str),
        );
        return fail(&state, flow, &error, &description).await;
    }
    let Some(code) = code else {
        return internal_page("callback without code");
    };

    let oauth = match client::for_flow(&flow, &state.runtime) {
        Ok(client) => client,
        Err(e) => return internal_page(e),
    };
    let http = state.http.clone();
    let send = move |request| client::send(http.clone(), request);
    let exchanged = oauth
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&send)
        .await;
    let tokens = match exchanged {
        Ok(tokens) => tokens,
        Err(error) => {
            let description = match &error {
                oauth2::RequestTokenError::ServerResponse(response) => {
                    format!("the token endpoint answered {response}")
                }
                other => format!("the token request failed: {other}"),
            };
            tracing::warn!(flow = %flow.id, %description, "code exchange failed");
            return fail(&state, flow, "token_exchange_failed", &clip(&description)).await;
        }
    };
    let tokens = match serde_json::to_value(&tokens) {
        Ok(serde_json::Value::Object(map)) => SecretObject::new(map),
        Ok(_) => return internal_page("token response is not an object"),
        Err(e) => return internal_page(e),
    };
    let flow_for_store = flow.id.clone();
    let completed = state
        .store
        .call(move |db| {
            let Some(flow) = flows::load(db, &flow_for_store)? else {
                return Ok(None);
            };
            flows::complete(db, &flow, tokens)
        })
        .await;
    match completed {
        Ok(Some(_)) => finish(&flow, "completed", None),
        Ok(None) => pages::error(
            StatusCode::CONFLICT,
            "Setup already finished",
            &format!(
                "This {} finished, expired or was deleted during the exchange.",
                flow.kind.noun()
            ),
        ),
        Err(e) => internal_page(e.message),
    }
}

/// Marks the flow failed and tells the app.
async fn fail(state: &AppState, flow: Flow, error: &str, description: &str) -> Response {
    let id = flow.id.clone();
    let failed = state
        .store
        .call(move |db| match flows::load(db, &id)? {
            Some(flow) => flows::fail(db, &flow),
            None => Ok(false),
        })
        .await;
    match failed {
        Ok(true) => finish(&flow, "failed", Some((error, description))),
        Ok(false) => pages::error(
            StatusCode::CONFLICT,
            "Setup already finished",
            &format!(
                "This {} finished, expired or was deleted meanwhile.",
                flow.kind.noun()
            ),
        ),
        Err(e) => internal_page(e.message),
    }
}
