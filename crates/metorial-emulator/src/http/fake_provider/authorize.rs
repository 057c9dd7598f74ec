//! The fake provider's authorize endpoint: `GET` checks the request and shows the consent page
//! (or approves at once); `POST` takes the consent form's answer.
//!
//! Nothing goes back to a client before its ID and redirect URI are checked: an unknown client,
//! or a redirect URI it did not register, gets an error page, never a redirect (no open
//! redirect). The parameters the provider stores or echoes are bounded ([`LIMITS`]).

use std::collections::HashMap;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::INJECTED;
use crate::faults::ProviderEndpoint;
use crate::http::form::{form_pairs, with_params};
use crate::http::oauth::html::{self, HtmlError};
use crate::http::state::AppState;
use crate::store::fake_provider::grant::{self, GrantError};
use crate::store::fake_provider::{self, AuthorizationRequest, Client, MAX_CLIENT_ID_LEN};
use crate::store::flows;
use crate::tenant::Tenant;

/// The longest value accepted for each parameter, in bytes; a longer one gets a 400 page.
const LIMITS: [(&str, usize); 7] = [
    ("client_id", MAX_CLIENT_ID_LEN),
    ("redirect_uri", 2048),
    ("state", 2048),
    ("scope", 1024),
    ("code_challenge", 128),
    ("code_challenge_method", 16),
    ("response_type", 32),
];

/// The parameters of an authorization request.
type Params = HashMap<String, String>;

/// The non-empty value of parameter `key`.
fn param<'a>(params: &'a Params, key: &str) -> Option<&'a str> {
    params
        .get(key)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

/// The request's parameters (none repeated, none too long), its client ID and its redirect URI
/// (an absolute http(s) URL). Without these, errors cannot go back to the client: 400 page.
fn read_request(query: Option<&str>) -> Result<(Params, String, url::Url), HtmlError> {
    let invalid = |message: String| HtmlError::bad_request("Invalid request", message);
    let params = form_pairs(query.unwrap_or_default().as_bytes()).ok_or_else(|| {
        invalid("A parameter of the authorization request is repeated.".to_owned())
    })?;
    for (key, max) in LIMITS {
        if params.get(key).is_some_and(|value| value.len() > max) {
            return Err(invalid(format!("{key} is too long (at most {max} bytes).")));
        }
    }
    let client_id = param(&params, "client_id")
        .ok_or_else(|| invalid("client_id is missing.".to_owned()))?
        .to_owned();
    let redirect_uri = param(&params, "redirect_uri")
        .and_then(|uri| url::Url::parse(uri).ok())
        .filter(|url| matches!(url.scheme(), "http" | "https"))
        .ok_or_else(|| invalid("redirect_uri is missing or not an absolute http(s) URL.".into()))?;
    Ok((params, client_id, redirect_uri))
}

/// The client, if it is known and registered `redirect_uri`; a 400 page otherwise.
async fn registered_client(
    tenant: &Tenant,
    client_id: &str,
    redirect_uri: &url::Url,
) -> Result<Client, HtmlError> {
    let id = client_id.to_owned();
    let client = tenant
        .store
        .call(move |db| fake_provider::client(db.conn, db.context, &id))
        .await?
        .ok_or_else(|| {
            HtmlError::bad_request(
                "Unknown application",
                "This client_id is not registered with the fake provider (see the fixtures' \
                 credentials, or pass client_id and client_secret in an OAuth setup's config).",
            )
        })?;
    if !client.allows_redirect(redirect_uri) {
        return Err(HtmlError::bad_request(
            "Invalid redirect_uri",
            "This redirect_uri is not registered for this client_id: the fake provider only \
             answers to the emulator's own callback (<public URL>/oauth/callback). Nothing was \
             sent.",
        ));
    }
    Ok(client)
}

/// Sends the browser back to the client's (checked) redirect URI with `params` and the
/// client's `state`.
fn answer(
    redirect_uri: &str,
    params: &[(&str, &str)],
    state: Option<&str>,
) -> Result<Response, HtmlError> {
    let mut params = params.to_vec();
    if let Some(state) = state {
        params.push(("state", state));
    }
    let url = with_params(redirect_uri, &params).ok_or_else(|| {
        HtmlError::bad_request("Invalid request", "The redirect_uri is not a valid URL.")
    })?;
    Ok(Redirect::to(&url).into_response())
}

/// [`answer`] with the code the provider issued, or why it refused to.
fn answer_grant(
    redirect_uri: &str,
    code: Result<&str, &GrantError>,
    state: Option<&str>,
) -> Result<Response, HtmlError> {
    match code {
        Ok(code) => answer(redirect_uri, &[("code", code)], state),
        Err(error) => {
            let params = [
                ("error", error.code()),
                ("error_description", &error.to_string()),
            ];
            answer(redirect_uri, &params, state)
        }
    }
}

/// `GET /_emulator/provider/authorize`: checks the request, then shows the consent page (or
/// approves at once); a fault rule of the tenant sends its error to the client instead.
pub(crate) async fn authorize(
    State(state): State<AppState>,
    Extension(tenant): Extension<Tenant>,
    RawQuery(query): RawQuery,
) -> Result<Response, HtmlError> {
    let (params, client_id, redirect_uri) = read_request(query.as_deref())?;
    let client = registered_client(&tenant, &client_id, &redirect_uri).await?;
    let client_state = param(&params, "state");
    if let Some(fault) = tenant.faults.for_provider(ProviderEndpoint::Authorize) {
        let description = fault.description.as_deref().unwrap_or(INJECTED);
        let params = [
            ("error", fault.error.as_str()),
            ("error_description", description),
        ];
        return answer(redirect_uri.as_str(), &params, client_state);
    }
    let code_challenge = match grant::code_challenge(&params) {
        Ok(challenge) => challenge,
        Err(error) => return answer_grant(redirect_uri.as_str(), Err(&error), client_state),
    };
    let request = AuthorizationRequest {
        scope: param(&params, "scope").map(str::to_owned),
        client_id,
        redirect_uri: redirect_uri.into(),
        state: client_state.map(str::to_owned),
        code_challenge,
    };
    if state.config.oauth_auto_approve {
        approve_at_once(&tenant, request).await
    } else {
        let app = client.name.unwrap_or_else(|| request.client_id.clone());
        consent_page(&tenant, request, &app).await
    }
}

/// Issues a code and sends it to the client (`--oauth-auto-approve`).
async fn approve_at_once(
    tenant: &Tenant,
    request: AuthorizationRequest,
) -> Result<Response, HtmlError> {
    let approved = request.clone();
    let code = tenant
        .store
        .call(move |db| fake_provider::issue_code(db, &approved))
        .await?;
    answer_grant(&request.redirect_uri, Ok(&code), request.state.as_deref())
}

/// Stores the request and shows the consent page. Its form may lead (CSP `form-action`) to the
/// client's redirect URI and, when the client is one of the emulator's flows, to where that
/// flow ends (the app's `redirect_url`).
async fn consent_page(
    tenant: &Tenant,
    request: AuthorizationRequest,
    app: &str,
) -> Result<Response, HtmlError> {
    let stored = request.clone();
    let (request_id, final_redirect) = tenant
        .store
        .call(move |db| {
            let id = fake_provider::insert_request(db, &stored)?;
            let final_redirect = match &stored.state {
                Some(client_state) => flows::final_redirect(db, client_state)?.flatten(),
                None => None,
            };
            Ok((id, final_redirect))
        })
        .await?;
    let scopes: Vec<&str> = request
        .scope
        .as_deref()
        .map(|s| s.split([' ', ',']).filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let mut destinations = vec![request.redirect_uri.as_str()];
    destinations.extend(final_redirect.as_deref());
    Ok(html::consent(
        app,
        &scopes,
        &request_id,
        // Relative: the consent page is at the authorize endpoint, under its tenant's prefix.
        "authorize",
        &destinations,
    ))
}

/// The consent form's answer: the request ID and whether it was approved.
fn decision(body: &[u8]) -> Result<(String, bool), HtmlError> {
    let invalid = |message| HtmlError::bad_request("Invalid answer", message);
    let params = form_pairs(body).unwrap_or_default();
    let (Some(request_id), Some(decision)) = (params.get("request"), params.get("decision")) else {
        return Err(invalid("The consent form's answer is incomplete."));
    };
    match decision.as_str() {
        "approve" => Ok((request_id.clone(), true)),
        "deny" => Ok((request_id.clone(), false)),
        _ => Err(invalid("The decision must be approve or deny.")),
    }
}

/// `POST /_emulator/provider/authorize`: the consent form's answer (`request`, `decision`);
/// a request can be answered once.
pub(crate) async fn decide(
    Extension(tenant): Extension<Tenant>,
    body: Bytes,
) -> Result<Response, HtmlError> {
    let (request_id, approve) = decision(&body)?;
    let (request, code) = tenant
        .store
        .call(move |db| grant::decide(db, &request_id, approve))
        .await?
        .ok_or_else(|| {
            HtmlError::bad_request(
                "Request already answered",
                "This authorization request is unknown, expired or already answered.",
            )
        })?;
    answer_grant(
        &request.redirect_uri,
        code.as_deref(),
        request.state.as_deref(),
    )
}
