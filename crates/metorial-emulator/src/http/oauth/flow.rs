//! The flow's two browser endpoints, the emulator acting as the OAuth client:
//! `GET /setup/{id}` (off to the provider) and `GET /oauth/callback` (back from it). Their
//! failures are error pages ([`HtmlError`]).

use axum::Extension;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use metorial_models::SecretObject;
use oauth2::{AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, Scope};

use super::exchange;
use super::html::{self, HtmlError};
use crate::http::form::{form_pairs, with_params};
use crate::http::state::AppState;
use crate::ids::random_secret;
use crate::store::flows::{self, Claim, Flow, FlowKind, FlowStatus};
use crate::tenant::Tenant;

/// Longest provider error text passed on to the app.
const MAX_ERROR_LEN: usize = 500;

/// The error for a flow that is over: 410 if it expired, 409 otherwise.
fn closed(flow: &Flow) -> HtmlError {
    let noun = flow.kind.noun();
    match &flow.status {
        FlowStatus::Expired => HtmlError::new(
            StatusCode::GONE,
            "Setup expired",
            format!("This {noun} has expired; ask for a new one."),
        ),
        status => HtmlError::new(
            StatusCode::CONFLICT,
            "Setup already finished",
            format!("This {noun} is already {status}."),
        ),
    }
}

/// The flow with this ID, if it can still complete.
async fn open_flow(tenant: &Tenant, id: String) -> Result<Flow, HtmlError> {
    let flow = tenant
        .store
        .call(move |db| flows::load(db, &id))
        .await?
        .ok_or_else(|| {
            HtmlError::new(
                StatusCode::NOT_FOUND,
                "Unknown setup",
                "There is no setup session or OAuth setup at this address.",
            )
        })?;
    if flow.is_open() {
        Ok(flow)
    } else {
        Err(closed(&flow))
    }
}

/// `GET /setup/{id}`: redirects to the provider's authorize endpoint with `response_type=code`,
/// the client ID, the callback as `redirect_uri`, the auth method's scopes, a new single-use
/// `state` and a PKCE `S256` challenge.
pub(crate) async fn start(
    Extension(tenant): Extension<Tenant>,
    Path((_tenant_id, id)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let flow = open_flow(&tenant, id).await?;
    let oauth = exchange::for_flow(&flow, &tenant).map_err(HtmlError::internal)?;
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
    let (flow_id, kind) = (flow.id, flow.kind);
    tenant
        .store
        .call(move |db| {
            flows::insert_state(db, &csrf, &flow_id, &verifier)?;
            if kind == FlowKind::OauthSetup {
                crate::store::oauth_setups::mark_opened(db, &flow_id)?;
            }
            Ok(())
        })
        .await?;
    Ok(Redirect::to(url.as_str()).into_response())
}

/// Cuts provider-supplied text to a sane length.
fn clip(text: &str) -> String {
    text.chars().take(MAX_ERROR_LEN).collect()
}

/// What the provider sent back.
enum ProviderAnswer {
    /// An authorization code to exchange.
    Code(String),
    /// A refusal (`error`, `error_description`), clipped.
    Refused {
        /// The OAuth error code.
        error: String,
        /// Its description.
        description: String,
    },
}

/// The callback's parameters: the `state` and the provider's answer (an `error` wins over a
/// `code`). A repeated parameter, no `state`, or neither answer: 400.
fn callback_params(query: Option<&str>) -> Result<(String, ProviderAnswer), HtmlError> {
    let invalid = |message: &str| HtmlError::bad_request("Invalid callback", message);
    let mut params = form_pairs(query.unwrap_or_default().as_bytes())
        .ok_or_else(|| invalid("A parameter of the callback is repeated."))?;
    let csrf = params
        .remove("state")
        .ok_or_else(|| invalid("The callback has no state parameter."))?;
    let answer = match (params.remove("error"), params.remove("code")) {
        (Some(error), _) => ProviderAnswer::Refused {
            error: clip(&error),
            description: clip(
                params
                    .get("error_description")
                    .map_or("the provider refused the authorization", String::as_str),
            ),
        },
        (None, Some(code)) => ProviderAnswer::Code(code),
        (None, None) => return Err(invalid("The callback has neither a code nor an error.")),
    };
    Ok((csrf, answer))
}

/// The flow and PKCE verifier of a claimed `state`; the error page for any other claim.
fn claimed(claim: Claim) -> Result<(Flow, String), HtmlError> {
    match claim {
        Claim::Claimed {
            flow,
            pkce_verifier,
        } => Ok((flow, pkce_verifier)),
        Claim::Unknown => Err(HtmlError::bad_request(
            "Invalid callback",
            "This callback's state is unknown: it was not issued by this emulator, or its \
             setup was deleted. Nothing was changed.",
        )),
        Claim::Used => Err(HtmlError::bad_request(
            "Callback already used",
            "This callback's state was already used; a callback works only once. Nothing \
             was changed.",
        )),
        Claim::Closed(flow) => Err(closed(&flow)),
        Claim::Stale => Err(HtmlError::new(
            StatusCode::GONE,
            "Authorization expired",
            "This authorization attempt is too old. Open the setup link again to start \
             over. Nothing was changed.",
        )),
    }
}

/// How a flow ends.
enum Outcome {
    /// With these tokens.
    Completed(SecretObject),
    /// With this error for the app.
    Failed {
        /// The OAuth error code.
        error: String,
        /// Its description.
        description: String,
    },
}

/// `GET /oauth/callback`: checks `state` (known, unused, its flow still open), then either
/// records the provider's error (`failed`) or exchanges the code with the PKCE verifier and
/// stores the tokens in a new auth config (`completed`), and sends the browser to the app.
/// A forged, replayed or late callback changes nothing and gets an error page.
pub(crate) async fn callback(
    State(state): State<AppState>,
    Extension(tenant): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Response, HtmlError> {
    let (csrf, answer) = callback_params(query.as_deref())?;
    let claim = tenant
        .store
        .call(move |db| flows::claim_state(db, &csrf))
        .await?;
    let (flow, verifier) = claimed(claim)?;
    let outcome = match answer {
        ProviderAnswer::Refused { error, description } => Outcome::Failed { error, description },
        ProviderAnswer::Code(code) => exchange(&state, &tenant, &flow, code, verifier).await?,
    };
    conclude(&tenant, &flow, outcome).await
}

/// Exchanges the code (with the PKCE verifier) at the provider's token endpoint: the tokens,
/// or `token_exchange_failed` when the provider does not give them.
async fn exchange(
    state: &AppState,
    tenant: &Tenant,
    flow: &Flow,
    code: String,
    verifier: String,
) -> Result<Outcome, HtmlError> {
    let oauth = exchange::for_flow(flow, tenant).map_err(HtmlError::internal)?;
    let http = state.http.clone();
    let send = move |request| exchange::send(http.clone(), request);
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
            return Ok(Outcome::Failed {
                error: "token_exchange_failed".to_owned(),
                description: clip(&description),
            });
        }
    };
    match serde_json::to_value(&tokens).map_err(HtmlError::internal)? {
        serde_json::Value::Object(map) => Ok(Outcome::Completed(SecretObject::new(map))),
        _ => Err(HtmlError::internal("token response is not an object")),
    }
}

/// Records the outcome (the flow `completed` with a new auth config, or `failed`) and sends
/// the browser to the app; 409 if the flow ended meanwhile.
async fn conclude(tenant: &Tenant, flow: &Flow, outcome: Outcome) -> Result<Response, HtmlError> {
    let (status, failure) = match &outcome {
        Outcome::Completed(_) => (FlowStatus::Completed, None),
        Outcome::Failed { error, description } => (
            FlowStatus::Failed,
            Some((error.clone(), description.clone())),
        ),
    };
    let id = flow.id.clone();
    let recorded = tenant
        .store
        .call(move |db| {
            let Some(current) = flows::load(db, &id)? else {
                return Ok(false);
            };
            match outcome {
                Outcome::Completed(tokens) => Ok(flows::complete(db, &current, tokens)?.is_some()),
                Outcome::Failed { .. } => flows::fail(db, &current),
            }
        })
        .await?;
    if !recorded {
        return Err(HtmlError::new(
            StatusCode::CONFLICT,
            "Setup already finished",
            format!(
                "This {} finished, expired or was deleted meanwhile.",
                flow.kind.noun()
            ),
        ));
    }
    let failure = failure.as_ref().map(|(e, d)| (e.as_str(), d.as_str()));
    Ok(finish(flow, &status, failure))
}

/// Sends the browser back to the app (or shows the result when the flow has no
/// `redirect_url`).
fn finish(flow: &Flow, status: &FlowStatus, error: Option<(&str, &str)>) -> Response {
    let noun = flow.kind.noun();
    let status = status.as_str();
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
    let id = html::escape(&flow.id);
    let status = html::escape(status);
    match error {
        None => html::page(
            StatusCode::OK,
            "Setup complete",
            &format!(
                "<p id=\"status\">The {noun} <code>{id}</code> is {status}. You can close this \
                 window.</p>"
            ),
        ),
        Some((code, description)) => html::page(
            StatusCode::OK,
            "Setup failed",
            &format!(
                "<p id=\"status\">The {noun} <code>{id}</code> is {status}: <code>{}</code> {}</p>",
                html::escape(code),
                html::escape(description)
            ),
        ),
    }
}
