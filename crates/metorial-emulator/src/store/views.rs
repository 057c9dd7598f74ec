//! Catalog records as the live API shows them. Setup sessions and auth exports show the full
//! views (`provider.capabilities.auth_method`, `provider.deployment#preview`, an auth config's
//! `deployment`, `is_default` and `tool_filter`, ...); OAuth setups show the short ones.

use metorial_models::{
    KnownToolFilter, ProviderAuthConfig, ProviderAuthCredentials, ProviderAuthMethod,
    ProviderAuthMethodScope, ProviderAuthMethodType, ProviderConfig as ConfigView,
    ProviderConfigVault, ProviderDeploymentPreview, ProviderOauthSetupAuthConfig,
    ProviderOauthSetupAuthMethod, ProviderOauthSetupCredentials, ProviderOauthSetupDeployment,
    ToolFilter,
};
use rusqlite::Connection;
use serde_json::{Map, Value, json};

use super::StoreError;
use super::catalog::{load, load_referenced};
use crate::fixtures::{
    AuthConfig, AuthMethod, ConfigVault, Credentials, Deployment, ProviderConfig,
};
use crate::splice::{Splices, nested};

/// A deployment's full preview.
pub(crate) fn deployment_full(d: &Deployment) -> Result<ProviderDeploymentPreview, StoreError> {
    Ok(ProviderDeploymentPreview::builder()
        .object("provider.deployment#preview")
        .id(d.id.clone())
        .is_default(d.is_default)
        .name(d.name.clone())
        .description(d.description.clone())
        .metadata(d.metadata.clone())
        .provider_id(d.provider_id.clone())
        .created_at(d.created_at)
        .updated_at(d.updated_at)
        .try_into()?)
}

/// A deployment as an OAuth setup shows it.
pub(crate) fn deployment_short(d: &Deployment) -> Result<ProviderOauthSetupDeployment, StoreError> {
    Ok(ProviderOauthSetupDeployment::builder()
        .id(d.id.clone())
        .name(d.name.clone())
        .provider_id(d.provider_id.clone())
        .try_into()?)
}

/// A JSON schema wrapped as `{type: json_schema, schema}`; `None` (sent as `null`, as the live
/// API does) for an auth method without one.
fn wrapped_schema(schema: &Map<String, Value>) -> Option<Map<String, Value>> {
    if schema.is_empty() {
        return None;
    }
    match json!({ "type": "json_schema", "schema": schema }) {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// What the live API shows as an object's tool filter when none narrows it. Decoded from its
/// JSON rather than written as a variant literal: typify writes no builder for an enum's
/// variants, and a field the spec adds to `allow_all` must leave this compiling.
pub(crate) fn allow_all() -> Result<ToolFilter, StoreError> {
    let known: KnownToolFilter =
        serde_json::from_value(json!({ "type": "allow_all", "ignore_parent_filters": false }))
            .map_err(|error| StoreError::Internal(format!("the allow_all filter: {error}")))?;
    Ok(known.into())
}

/// An auth method's full view.
pub(crate) fn auth_method_full(m: &AuthMethod) -> Result<ProviderAuthMethod, StoreError> {
    Ok(ProviderAuthMethod::builder()
        .object("provider.capabilities.auth_method")
        .id(m.id.clone())
        .type_(ProviderAuthMethodType::from(m.type_.clone()))
        .key(m.key.clone().unwrap_or_else(|| m.type_.clone()))
        .name(m.name.clone())
        .description(m.description.clone())
        .capabilities(m.capabilities.clone())
        .input_schema(wrapped_schema(&m.input_schema))
        .output_schema(wrapped_schema(&m.output_schema))
        .scopes(scopes(m, "provider.capabilities.auth_method.scope")?)
        .provider_id(m.provider_id.clone())
        .provider_specification_id(m.provider_specification_id.clone())
        .created_at(m.created_at)
        .updated_at(m.updated_at)
        .try_into()?)
}

/// An auth method as an OAuth setup shows it: the input schema as a plain JSON schema.
pub(crate) fn auth_method_short(
    m: &AuthMethod,
) -> Result<ProviderOauthSetupAuthMethod, StoreError> {
    Ok(ProviderOauthSetupAuthMethod::builder()
        .object("provider.auth_method")
        .id(m.id.clone())
        .type_(ProviderAuthMethodType::from(m.type_.clone()))
        .name(m.name.clone())
        .description(m.description.clone())
        .input_schema((!m.input_schema.is_empty()).then(|| m.input_schema.clone()))
        .scopes(scopes(m, "provider.auth_method.scope")?)
        .provider_id(m.provider_id.clone())
        .provider_specification_id(m.provider_specification_id.clone())
        .created_at(m.created_at)
        .updated_at(m.updated_at)
        .try_into()?)
}

fn scopes(m: &AuthMethod, object: &str) -> Result<Vec<ProviderAuthMethodScope>, StoreError> {
    m.scopes
        .iter()
        .map(|s| {
            Ok(ProviderAuthMethodScope::builder()
                .object(object.to_owned())
                .id(s.id.clone())
                .scope(s.scope.clone())
                .name(s.name.clone())
                .description(s.description.clone())
                .try_into()?)
        })
        .collect()
}

/// Credentials as setup sessions and exports show them: `object`, `status`, `is_default` and
/// `is_managed`, no client ID (nor secret).
pub(crate) fn credentials_full(c: &Credentials) -> Result<ProviderAuthCredentials, StoreError> {
    Ok(ProviderAuthCredentials::builder()
        .object("provider.auth_credentials")
        .id(c.id.clone())
        .type_(c.type_.clone())
        .status(c.status.clone())
        .is_default(c.is_default)
        .is_managed(false)
        .scopes(c.scopes.clone())
        .name(c.name.clone())
        .description(c.description.clone())
        .metadata(c.metadata.clone())
        .provider_id(c.provider_id.clone())
        .created_at(c.created_at)
        .updated_at(c.updated_at)
        .try_into()?)
}

/// Credentials as an OAuth setup shows them: the client ID (never the secret).
pub(crate) fn credentials_short(
    c: &Credentials,
) -> Result<ProviderOauthSetupCredentials, StoreError> {
    Ok(ProviderOauthSetupCredentials::builder()
        .id(c.id.clone())
        .type_(c.type_.clone())
        .name(c.name.clone())
        .description(c.description.clone())
        .metadata(c.metadata.clone())
        .provider_id(c.provider_id.clone())
        .client_id(c.client_id.clone())
        .created_at(c.created_at)
        .updated_at(c.updated_at)
        .try_into()?)
}

/// The full view of the deployment `id` refers to, if there is one and it exists.
pub(crate) fn deployment_of(
    conn: &Connection,
    id: Option<&str>,
) -> Result<Option<ProviderDeploymentPreview>, StoreError> {
    match id {
        Some(id) => load::<Deployment>(conn, id)?
            .as_ref()
            .map(deployment_full)
            .transpose(),
        None => Ok(None),
    }
}

/// A config vault.
fn vault(conn: &Connection, v: &ConfigVault) -> Result<ProviderConfigVault, StoreError> {
    Ok(ProviderConfigVault::builder()
        .object("provider.config_vault")
        .id(v.id.clone())
        .status("active".to_owned())
        .name(v.name.clone())
        .description(v.description.clone())
        .metadata(v.metadata.clone())
        .provider_id(v.provider_id.clone())
        .deployment(deployment_of(conn, v.deployment_id.as_deref())?)
        .created_at(v.created_at)
        .updated_at(v.updated_at)
        .try_into()?)
}

/// A provider config, with its deployment and vault.
pub(crate) fn config(conn: &Connection, c: &ProviderConfig) -> Result<ConfigView, StoreError> {
    let from_vault = match &c.vault_id {
        Some(id) => match load::<ConfigVault>(conn, id)? {
            Some(v) => Some(vault(conn, &v)?),
            None => None,
        },
        None => None,
    };
    Ok(ConfigView::builder()
        .object("provider.config")
        .id(c.id.clone())
        .status("active".to_owned())
        .is_default(true)
        .tool_filter(allow_all()?)
        .name(c.name.clone())
        .description(c.description.clone())
        .metadata(c.metadata.clone())
        .provider_id(c.provider_id.clone())
        .specification_id(c.specification_id.clone())
        .deployment(deployment_of(conn, c.deployment_id.as_deref())?)
        .from_vault(from_vault)
        .created_at(c.created_at)
        .updated_at(c.updated_at)
        .try_into()?)
}

/// An auth config's full view (setup sessions, exports): nested deployment, credentials and
/// auth method. Never its tokens.
pub(crate) fn auth_config_full(
    conn: &Connection,
    a: &AuthConfig,
) -> Result<ProviderAuthConfig, StoreError> {
    auth_config_at(conn, a, None)
}

/// [`auth_config_full`]; as an item of a page when `splices` (its nested deployment and
/// credentials left to them).
pub(crate) fn auth_config_at(
    conn: &Connection,
    a: &AuthConfig,
    mut splices: Option<&mut Splices>,
) -> Result<ProviderAuthConfig, StoreError> {
    let deployment = nested(
        splices.as_deref_mut(),
        "deployment",
        a.deployment_id.as_deref(),
        |id| deployment_of(conn, Some(id)),
    )?;
    let credentials = nested(splices, "credentials", a.credentials_id.as_deref(), |id| {
        credentials_of(conn, id)
    })?;
    Ok(ProviderAuthConfig::builder()
        .object("provider.auth_config")
        .id(a.id.clone())
        .type_(a.type_.clone())
        .source(a.source.clone())
        .status(a.status.clone())
        .is_default(a.is_default)
        .tool_filter(allow_all()?)
        .provider_id(a.provider_id.clone())
        .name(a.name.clone())
        .description(a.description.clone())
        .metadata(a.metadata.clone())
        .deployment(deployment)
        .deployment_preview(None)
        .credentials(credentials)
        // Required, so never left out for splicing.
        .auth_method(auth_method_of(conn, &a.auth_method_id)?)
        .created_at(a.created_at)
        .updated_at(a.updated_at)
        .try_into()?)
}

/// An auth config as an OAuth setup shows it: IDs instead of nested objects.
pub(crate) fn auth_config_short(
    a: &AuthConfig,
) -> Result<ProviderOauthSetupAuthConfig, StoreError> {
    Ok(ProviderOauthSetupAuthConfig::builder()
        .id(a.id.clone())
        .type_(a.type_.clone())
        .status(a.status.clone())
        .provider_id(a.provider_id.clone())
        .name(a.name.clone())
        .description(a.description.clone())
        .metadata(a.metadata.clone())
        .provider_deployment_id(a.deployment_id.clone())
        .provider_auth_method_id(a.auth_method_id.clone())
        .created_at(a.created_at)
        .updated_at(a.updated_at)
        .try_into()?)
}

/// The full view of credentials `id`, if they exist.
pub(crate) fn credentials_of(
    conn: &Connection,
    id: &str,
) -> Result<Option<ProviderAuthCredentials>, StoreError> {
    load::<Credentials>(conn, id)?
        .as_ref()
        .map(credentials_full)
        .transpose()
}

/// The full view of auth method `id`, which a stored object refers to.
pub(crate) fn auth_method_of(
    conn: &Connection,
    id: &str,
) -> Result<ProviderAuthMethod, StoreError> {
    auth_method_full(&load_referenced::<AuthMethod>(conn, id)?)
}
