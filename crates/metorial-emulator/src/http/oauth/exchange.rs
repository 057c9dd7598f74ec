//! The OAuth client side of a flow, with the `oauth2` crate: the authorize URL (PKCE `S256`)
//! and the code exchange, over our reqwest client.

use std::fmt;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields, RedirectUrl,
    StandardRevocableToken, StandardTokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::paths::{FAKE_AUTHORIZE_PATH, FAKE_TOKEN_PATH};
use crate::store::flows::Flow;
use crate::tenant::Tenant;

/// The fields of a token response beyond the standard ones (`id_token`, ...), kept so the auth
/// config holds what the provider sent.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct ExtraFields {
    /// The fields, by name.
    #[serde(flatten)]
    fields: Map<String, Value>,
}

impl fmt::Debug for ExtraFields {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.fields.keys()).finish()
    }
}

impl ExtraTokenFields for ExtraFields {}

/// A token response, extra fields included.
pub(crate) type TokenResponse = StandardTokenResponse<ExtraFields, BasicTokenType>;

/// An OAuth client with its authorize and token endpoints set.
pub(crate) type FlowClient = oauth2::Client<
    BasicErrorResponse,
    TokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The client for a flow: the provider's endpoints (the fake provider's unless the fixtures
/// name real ones), the flow's OAuth app, and the emulator's callback as redirect URI.
pub(crate) fn for_flow(flow: &Flow, tenant: &Tenant) -> Result<FlowClient, String> {
    let (authorize, token) = match &flow.provider.oauth {
        Some(endpoints) => (endpoints.authorize_url.clone(), endpoints.token_url.clone()),
        None => (
            format!("{}{FAKE_AUTHORIZE_PATH}", tenant.public_url),
            format!("{}{FAKE_TOKEN_PATH}", tenant.internal_url),
        ),
    };
    let auth_url = AuthUrl::new(authorize).map_err(|e| format!("authorize URL: {e}"))?;
    let token_url = TokenUrl::new(token).map_err(|e| format!("token URL: {e}"))?;
    let redirect =
        RedirectUrl::new(tenant.callback_url()).map_err(|e| format!("callback URL: {e}"))?;
    Ok(oauth2::Client::new(ClientId::new(flow.client_id.clone()))
        .set_client_secret(ClientSecret::new(flow.client_secret.expose().to_owned()))
        .set_auth_uri(auth_url)
        .set_token_uri(token_url)
        .set_redirect_uri(redirect))
}

/// Why a token request failed on the wire.
#[derive(Debug, thiserror::Error)]
pub(crate) enum HttpError {
    /// The request could not be sent or its response read.
    #[error("HTTP request failed: {0}")]
    Request(#[from] reqwest::Error),
    /// The response could not be rebuilt.
    #[error("invalid HTTP response: {0}")]
    Response(#[from] oauth2::http::Error),
}

/// Sends an `oauth2` request with reqwest (the `AsyncHttpClient` the exchange uses).
pub(crate) async fn send(
    http: reqwest::Client,
    request: oauth2::HttpRequest,
) -> Result<oauth2::HttpResponse, HttpError> {
    let (parts, body) = request.into_parts();
    let response = http
        .request(parts.method, parts.uri.to_string())
        .headers(parts.headers)
        .body(body)
        .send()
        .await?;
    let mut builder = oauth2::http::Response::builder().status(response.status());
    for (name, value) in response.headers() {
        builder = builder.header(name, value);
    }
    let body = response.bytes().await?;
    Ok(builder.body(body.to_vec())?)
}
