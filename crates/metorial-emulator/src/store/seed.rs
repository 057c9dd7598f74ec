//! Objects made directly, without going through the OAuth flow, for the control API: an auth
//! config holding given tokens ([`auth_config`]), and a setup session or OAuth setup completed
//! ([`complete_flow`]) or failed ([`fail_flow`]) as if the browser had gone through the provider.
//!
//! The tokens are stored as a completed flow stores the provider's token response (`access_token`,
//! `token_type`, then `expires_in`, `refresh_token` and `scope` when given), so an auth export
//! of the auth config later hands back exactly those.

use std::fmt;

use metorial_models::{
    ProviderAuthConfig, ProviderAuthConfigSource, ProviderAuthConfigStatus, ProviderAuthConfigType,
    SecretObject,
};
use rusqlite::Connection;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::catalog::{self, load};
use super::flows::{self, Flow, FlowKind};
use super::{Db, StoreError, views};
use crate::entity;
use crate::fixtures::{AuthConfig, Deployment, Provider};
use crate::ids;
use crate::time::timestamp;

/// The `token_type` of tokens that do not say (as the `oauth2` crate writes a bearer token).
const DEFAULT_TOKEN_TYPE: &str = "bearer";

/// What a redacted secret prints as.
const REDACTED: &str = "<redacted>";

/// Tokens as a provider's token endpoint would have answered them.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedTokens {
    /// The access token.
    pub access_token: String,
    /// The refresh token, if any.
    pub refresh_token: Option<String>,
    /// The access token's lifetime in seconds, if known.
    pub expires_in: Option<i64>,
    /// The scopes granted (space-separated), if said.
    pub scope: Option<String>,
    /// The token type; `bearer` when not given.
    pub token_type: Option<String>,
}

/// Prints the tokens as `<redacted>`.
impl fmt::Debug for SeedTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedTokens")
            .field("access_token", &REDACTED)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| REDACTED),
            )
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .finish()
    }
}

impl SeedTokens {
    /// Tokens with just this access token (type `bearer`, no refresh token, no expiry).
    pub fn new(access_token: impl Into<String>) -> Self {
        Self {
            access_token: access_token.into(),
            refresh_token: None,
            expires_in: None,
            scope: None,
            token_type: None,
        }
    }

    /// The token data an auth config stores, shaped like the token response a completed flow
    /// stores; an empty `access_token` is 400 `invalid_value` at `access_token`.
    fn into_value(self) -> Result<SecretObject, StoreError> {
        if self.access_token.is_empty() {
            return Err(StoreError::invalid_field(
                "access_token",
                "access_token must not be empty",
            ));
        }
        let mut value = Map::new();
        value.insert("access_token".into(), Value::String(self.access_token));
        let token_type = self
            .token_type
            .unwrap_or_else(|| DEFAULT_TOKEN_TYPE.to_owned());
        value.insert("token_type".into(), Value::String(token_type));
        if let Some(seconds) = self.expires_in {
            value.insert("expires_in".into(), Value::from(seconds));
        }
        if let Some(token) = self.refresh_token {
            value.insert("refresh_token".into(), Value::String(token));
        }
        if let Some(scope) = self.scope {
            value.insert("scope".into(), Value::String(scope));
        }
        Ok(SecretObject::new(value))
    }
}

/// An auth config to make: what it belongs to (resolved as a setup session's references are),
/// how it is shown, and its tokens.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAuthConfig {
    /// The deployment (its provider is the auth config's, unless `provider_id` says).
    pub provider_deployment_id: Option<String>,
    /// The provider; needed when no deployment is given.
    pub provider_id: Option<String>,
    /// The auth method; the provider's first by default.
    pub provider_auth_method_id: Option<String>,
    /// The OAuth app credentials; the provider's default ones (if any) by default.
    pub provider_auth_credentials_id: Option<String>,
    /// Display name; `<provider> OAuth` by default, as a completed flow names it.
    pub name: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Custom key-value pairs.
    pub metadata: Option<Map<String, Value>>,
    /// The access token.
    pub access_token: String,
    /// The refresh token, if any.
    pub refresh_token: Option<String>,
    /// The access token's lifetime in seconds, if known.
    pub expires_in: Option<i64>,
    /// The scopes granted (space-separated), if said.
    pub scope: Option<String>,
    /// The token type; `bearer` when not given.
    pub token_type: Option<String>,
}

impl SeedAuthConfig {
    /// An auth config of the deployment `provider_deployment_id` holding `access_token`
    /// (everything else as a completed flow would set it).
    pub fn for_deployment(
        provider_deployment_id: impl Into<String>,
        access_token: impl Into<String>,
    ) -> Self {
        Self {
            provider_deployment_id: Some(provider_deployment_id.into()),
            provider_id: None,
            provider_auth_method_id: None,
            provider_auth_credentials_id: None,
            name: None,
            description: None,
            metadata: None,
            access_token: access_token.into(),
            refresh_token: None,
            expires_in: None,
            scope: None,
            token_type: None,
        }
    }
}

/// Prints the tokens as `<redacted>`.
impl fmt::Debug for SeedAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SeedAuthConfig")
            .field("provider_deployment_id", &self.provider_deployment_id)
            .field("provider_id", &self.provider_id)
            .field("provider_auth_method_id", &self.provider_auth_method_id)
            .field(
                "provider_auth_credentials_id",
                &self.provider_auth_credentials_id,
            )
            .field("name", &self.name)
            .field("description", &self.description)
            .field("metadata", &self.metadata)
            .field("access_token", &REDACTED)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| REDACTED),
            )
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .field("token_type", &self.token_type)
            .finish()
    }
}

/// What an auth config belongs to, resolved against the catalog.
struct Target {
    /// The provider.
    provider: Provider,
    /// The deployment, if one was given.
    deployment_id: Option<String>,
    /// The auth method.
    auth_method_id: String,
    /// The OAuth app credentials, if the provider has any.
    credentials_id: Option<String>,
}

impl Target {
    /// Resolves a seed's references as a setup session's are: unknown IDs are 404 `not_found`,
    /// another provider's objects 400 `provider_mismatch`, an unknown auth method 400
    /// `invalid_auth_method`; neither a deployment nor a provider is 400 `invalid_type` at
    /// `provider_id`.
    fn resolve(conn: &Connection, seed: &SeedAuthConfig) -> Result<Self, StoreError> {
        let deployment = match seed.provider_deployment_id.as_deref() {
            Some(id) => Some(catalog::referenced::<Deployment>(
                conn,
                seed.provider_id.as_deref(),
                id,
            )?),
            None => None,
        };
        let provider_id = match (&seed.provider_id, &deployment) {
            (Some(id), _) => id.clone(),
            (None, Some(d)) => d.provider_id.clone(),
            (None, None) => {
                return Err(StoreError::invalid_with_code(
                    vec!["provider_id".into()],
                    "invalid_type",
                    "give `provider_id` or `provider_deployment_id`",
                ));
            }
        };
        let provider = load::<Provider>(conn, &provider_id)?
            .ok_or_else(|| StoreError::not_found(entity::PROVIDER, &provider_id))?;
        let auth_method = catalog::resolve_auth_method(
            conn,
            &provider.id,
            "provider_auth_method_id",
            seed.provider_auth_method_id.as_deref(),
        )?;
        let credentials = catalog::resolve_credentials(
            conn,
            &provider.id,
            seed.provider_auth_credentials_id.as_deref(),
        )?;
        Ok(Self {
            provider,
            deployment_id: deployment.map(|d| d.id),
            auth_method_id: auth_method.id,
            credentials_id: credentials.map(|c| c.id),
        })
    }
}

impl SeedAuthConfig {
    /// Its tokens.
    fn tokens(&self) -> SeedTokens {
        SeedTokens {
            access_token: self.access_token.clone(),
            refresh_token: self.refresh_token.clone(),
            expires_in: self.expires_in,
            scope: self.scope.clone(),
            token_type: self.token_type.clone(),
        }
    }

    /// The active auth config it describes, as a completed flow makes it
    /// (`oauth_automated`, from a `setup_session`).
    fn record(self, id: String, target: Target, value: SecretObject, now: i64) -> AuthConfig {
        AuthConfig {
            id,
            name: Some(
                self.name
                    .unwrap_or_else(|| format!("{} OAuth", target.provider.name)),
            ),
            provider_id: target.provider.id,
            deployment_id: target.deployment_id,
            auth_method_id: target.auth_method_id,
            credentials_id: target.credentials_id,
            type_: ProviderAuthConfigType::OauthAutomated,
            source: ProviderAuthConfigSource::SetupSession,
            status: ProviderAuthConfigStatus::Active,
            is_default: false,
            description: self.description,
            metadata: self.metadata,
            value,
            created_at: timestamp(now),
            updated_at: timestamp(now),
        }
    }
}

/// Makes an active auth config holding the given tokens, as a completed OAuth flow would; its
/// full view (never the tokens).
pub(crate) fn auth_config(
    db: &mut Db<'_>,
    seed: SeedAuthConfig,
) -> Result<ProviderAuthConfig, StoreError> {
    let value = seed.tokens().into_value()?;
    let now = db.context.clock.now_ms();
    let tx = db.conn.transaction()?;
    let target = Target::resolve(&tx, &seed)?;
    let id = db.ids.next(ids::AUTH_CONFIG, now);
    let record = seed.record(id, target, value, now);
    catalog::insert_auth_config(&tx, &record)?;
    let view = views::auth_config_full(&tx, &record)?;
    tx.commit()?;
    Ok(view)
}

/// The `entity` of a flow ID's `not_found`: an OAuth setup for `pos_...`, else a setup session.
fn flow_entity(id: &str) -> &'static str {
    match FlowKind::of(id) {
        Some(FlowKind::OauthSetup) => entity::OAUTH_SETUP,
        _ => entity::SETUP_SESSION,
    }
}

/// A flow that has finished (completed, failed, expired, archived): 410 `gone`.
fn finished(flow: &Flow) -> StoreError {
    StoreError::Gone(format!(
        "The {} {} is {} and can no longer be completed or failed.",
        flow.kind.noun(),
        flow.id,
        flow.status
    ))
}

/// The open flow `id`: 404 `not_found` if there is none, [`StoreError::Gone`] if it has
/// finished, 400 `bad_request` for a session that sets up configuration only.
fn open_flow(db: &mut Db<'_>, id: &str) -> Result<Flow, StoreError> {
    let flow = flows::load(db, id)?.ok_or_else(|| StoreError::not_found(flow_entity(id), id))?;
    if flow.is_open() {
        Ok(flow)
    } else {
        Err(finished(&flow))
    }
}

/// Completes a setup session (`pas_...`) or OAuth setup (`pos_...`) with these tokens, as the
/// OAuth callback does: a new active auth config holds them and the flow is `completed` with
/// it. The new auth config's ID.
pub(crate) fn complete_flow(
    db: &mut Db<'_>,
    flow_id: &str,
    tokens: SeedTokens,
) -> Result<String, StoreError> {
    let value = tokens.into_value()?;
    let flow = open_flow(db, flow_id)?;
    flows::complete(db, &flow, value)?.ok_or_else(|| finished(&flow))
}

/// Fails a setup session or OAuth setup, as the OAuth callback does when the provider refuses.
/// Like the callback, the store keeps only the status: `error` and `description` (what the
/// browser's redirect would have carried) are logged, not stored.
pub(crate) fn fail_flow(
    db: &mut Db<'_>,
    flow_id: &str,
    error: Option<String>,
    description: Option<String>,
) -> Result<(), StoreError> {
    let flow = open_flow(db, flow_id)?;
    if !flows::fail(db, &flow)? {
        return Err(finished(&flow));
    }
    tracing::info!(
        flow = %flow.id,
        error = ?error,
        description = ?description,
        "flow failed through the control API"
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use metorial_models::{PathSegment, ProviderAuthExport};
    use serde_json::json;

    use super::*;
    use crate::store::snapshot::testing::{DEPLOYMENT, PROVIDER, store, with_db};
    use crate::store::{Store, auth_exports, oauth_setups, setup_sessions};

    /// A seed of this JSON.
    fn seed(value: Value) -> SeedAuthConfig {
        serde_json::from_value(value).expect("a seed")
    }

    /// Tokens of this JSON.
    fn tokens(value: Value) -> SeedTokens {
        serde_json::from_value(value).expect("tokens")
    }

    /// Exports auth config `id`: the export holding its tokens.
    fn export(db: &mut Db<'_>, id: &str) -> Result<ProviderAuthExport, StoreError> {
        let body = serde_json::from_value(json!({"note": "test", "provider_auth_config_id": id}))?;
        let requester = auth_exports::Requester {
            ip: None,
            user_agent: "test".into(),
        };
        auth_exports::create(db, body, requester)
    }

    /// The tokens an export of auth config `id` hands out.
    fn exported_tokens(store: &Store, id: &str) -> Value {
        let export = with_db(store, |db| export(db, id)).expect("export");
        Value::Object(export.value.expect("tokens").into_exposed())
    }

    /// A new setup session of the built-in deployment; its ID.
    fn new_session(store: &Store) -> String {
        let body = serde_json::from_value(json!({"provider_deployment_id": DEPLOYMENT}));
        with_db(store, |db| setup_sessions::create(db, body?))
            .expect("a session")
            .id
    }

    /// A new OAuth setup of the built-in deployment; its ID.
    fn new_oauth_setup(store: &Store) -> String {
        let body = serde_json::from_value(json!({"name": "test", "config": {}}));
        with_db(store, |db| oauth_setups::create(db, DEPLOYMENT, body?))
            .expect("an OAuth setup")
            .id
    }

    #[test]
    fn a_seeded_auth_config_exports_its_very_tokens() {
        let store = store();
        let created = with_db(&store, |db| {
            auth_config(
                db,
                seed(json!({
                    "provider_deployment_id": DEPLOYMENT,
                    "name": "Seeded",
                    "access_token": "at-1",
                    "refresh_token": "rt-1",
                    "expires_in": 3600,
                    "scope": "repo",
                })),
            )
        })
        .expect("seeded");
        assert_eq!(created.provider_id, PROVIDER);
        assert_eq!(created.name.as_deref(), Some("Seeded"));
        assert_eq!(
            created.deployment.as_ref().map(|d| d.id.as_str()),
            Some(DEPLOYMENT)
        );
        assert_eq!(
            exported_tokens(&store, &created.id),
            json!({
                "access_token": "at-1",
                "token_type": "bearer",
                "refresh_token": "rt-1",
                "expires_in": 3600,
                "scope": "repo",
            })
        );
    }

    #[test]
    fn a_seed_without_provider_or_deployment_is_invalid() {
        let store = store();
        let result = with_db(&store, |db| {
            auth_config(db, seed(json!({"access_token": "at"})))
        });
        match result {
            Err(StoreError::Invalid { path, code, .. }) => {
                assert_eq!(path, vec![PathSegment::from("provider_id")]);
                assert_eq!(code, "invalid_type");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn seeds_do_not_print_their_tokens() {
        let seeded = seed(json!({"provider_id": PROVIDER, "access_token": "at-secret",
                                  "refresh_token": "rt-secret"}));
        let printed = format!(
            "{seeded:?} {:?}",
            tokens(json!({"access_token": "at-secret", "refresh_token": "rt-secret"}))
        );
        assert!(!printed.contains("secret"), "{printed}");
    }

    #[test]
    fn completing_a_session_stores_the_tokens_in_its_auth_config() {
        let store = store();
        let id = new_session(&store);
        let auth_config_id = with_db(&store, |db| {
            complete_flow(db, &id, tokens(json!({"access_token": "at-2"})))
        })
        .expect("completed");
        let session = with_db(&store, |db| setup_sessions::get(db, &id)).expect("session");
        assert_eq!(session.status.to_string(), "completed");
        assert_eq!(
            session.auth_config.as_ref().map(|a| a.id.as_str()),
            Some(auth_config_id.as_str())
        );
        assert_eq!(
            exported_tokens(&store, &auth_config_id),
            json!({"access_token": "at-2", "token_type": "bearer"})
        );
    }

    #[test]
    fn failing_a_flow_marks_it_failed() {
        let store = store();
        let session = new_session(&store);
        let setup = new_oauth_setup(&store);
        with_db(&store, |db| {
            fail_flow(db, &session, Some("access_denied".into()), None)?;
            fail_flow(db, &setup, None, None)
        })
        .expect("failed");
        let session = with_db(&store, |db| setup_sessions::get(db, &session)).expect("session");
        assert_eq!(session.status.to_string(), "failed");
        let setup = with_db(&store, |db| oauth_setups::get(db, DEPLOYMENT, &setup)).expect("setup");
        assert_eq!(
            setup.status.map(|s| s.to_string()).as_deref(),
            Some("failed")
        );
    }

    #[test]
    fn a_finished_flow_is_gone() {
        let store = store();
        let session = new_session(&store);
        let setup = new_oauth_setup(&store);
        let results = with_db(&store, |db| {
            complete_flow(db, &session, tokens(json!({"access_token": "at"})))?;
            fail_flow(db, &setup, None, None)?;
            Ok::<_, StoreError>([
                complete_flow(db, &session, tokens(json!({"access_token": "at"}))).err(),
                fail_flow(db, &session, None, None).err(),
                complete_flow(db, &setup, tokens(json!({"access_token": "at"}))).err(),
            ])
        })
        .expect("the first calls succeed");
        for result in results {
            assert!(matches!(result, Some(StoreError::Gone(_))), "{result:?}");
        }
    }

    #[test]
    fn an_unknown_flow_is_not_found() {
        let store = store();
        for (id, expected) in [
            ("pas_nope", entity::SETUP_SESSION),
            ("pos_nope", entity::OAUTH_SETUP),
            ("nope", entity::SETUP_SESSION),
        ] {
            let result = with_db(&store, |db| {
                complete_flow(db, id, tokens(json!({"access_token": "at"})))
            });
            match result {
                Err(StoreError::NotFound {
                    entity,
                    id: missing,
                }) => {
                    assert_eq!((entity, missing.as_str()), (expected, id));
                }
                other => panic!("{id}: {other:?}"),
            }
            let failed = with_db(&store, |db| fail_flow(db, id, None, None));
            assert!(matches!(failed, Err(StoreError::NotFound { .. })), "{id}");
        }
    }
}
