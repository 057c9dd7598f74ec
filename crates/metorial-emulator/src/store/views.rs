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

use super::catalog::{load, load_referenced};
use crate::errors::ApiError;
use crate::fixtures::{
    AuthConfig, AuthMethod, ConfigVault, Credentials, Deployment, ProviderConfig,
};

/// A deployment's full preview.
pub(crate) fn deployment_full(d: &Deployment) -> ProviderDeploymentPreview {
    ProviderDeploymentPreview {
        object: "provider.deployment#preview".to_owned(),
        id: d.id.clone(),
        is_default: Some(d.is_default),
        name: d.name.clone(),
        description: d.description.clone(),
        metadata: d.metadata.clone(),
        provider_id: d.provider_id.clone(),
        created_at: d.created_at,
        updated_at: d.updated_at,
    }
}

/// A deployment as an OAuth setup shows it.
pub(crate) fn deployment_short(d: &Deployment) -> ProviderOauthSetupDeployment {
    ProviderOauthSetupDeployment {
        id: d.id.clone(),
        name: d.name.clone(),
        provider_id: d.provider_id.clone(),
    }
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

/// What the live API shows as an object's tool filter when none narrows it.
pub(crate) fn allow_all() -> ToolFilter {
    KnownToolFilter::AllowAll {
        ignore_parent_filters: false,
    }
    .into()
}

/// An auth method's full view.
pub(crate) fn auth_method_full(m: &AuthMethod) -> ProviderAuthMethod {
    ProviderAuthMethod {
        object: "provider.capabilities.auth_method".to_owned(),
        id: m.id.clone(),
        type_: ProviderAuthMethodType::from(m.type_.clone()),
        key: m.key.clone().unwrap_or_else(|| m.type_.clone()),
        name: m.name.clone(),
        description: m.description.clone(),
        capabilities: m.capabilities.clone(),
        input_schema: wrapped_schema(&m.input_schema),
        output_schema: wrapped_schema(&m.output_schema),
        scopes: Some(scopes(m, "provider.capabilities.auth_method.scope")),
        provider_id: m.provider_id.clone(),
        provider_specification_id: m.provider_specification_id.clone(),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// An auth method as an OAuth setup shows it: the input schema as a plain JSON schema.
pub(crate) fn auth_method_short(m: &AuthMethod) -> ProviderOauthSetupAuthMethod {
    ProviderOauthSetupAuthMethod {
        object: "provider.auth_method".to_owned(),
        id: m.id.clone(),
        type_: ProviderAuthMethodType::from(m.type_.clone()),
        name: m.name.clone(),
        description: m.description.clone(),
        input_schema: (!m.input_schema.is_empty()).then(|| m.input_schema.clone()),
        scopes: Some(scopes(m, "provider.auth_method.scope")),
        provider_id: m.provider_id.clone(),
        provider_specification_id: m.provider_specification_id.clone(),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

fn scopes(m: &AuthMethod, object: &str) -> Vec<ProviderAuthMethodScope> {
    m.scopes
        .iter()
        .map(|s| ProviderAuthMethodScope {
            object: object.to_owned(),
            id: s.id.clone(),
            scope: s.scope.clone(),
            name: s.name.clone(),
            description: s.description.clone(),
        })
        .collect()
}

/// Credentials as setup sessions and exports show them: `object`, `status`, `is_default` and
/// `is_managed`, no client ID (nor secret).
pub(crate) fn credentials_full(c: &Credentials) -> ProviderAuthCredentials {
    ProviderAuthCredentials {
        object: "provider.auth_credentials".to_owned(),
        id: c.id.clone(),
        type_: Some(c.type_.clone()),
        status: Some("active".to_owned()),
        is_default: c.is_default,
        is_managed: Some(false),
        scopes: None,
        name: c.name.clone(),
        description: c.description.clone(),
        metadata: c.metadata.clone(),
        provider_id: c.provider_id.clone(),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

/// Credentials as an OAuth setup shows them: the client ID (never the secret).
pub(crate) fn credentials_short(c: &Credentials) -> ProviderOauthSetupCredentials {
    ProviderOauthSetupCredentials {
        id: c.id.clone(),
        type_: Some(c.type_.clone()),
        name: c.name.clone(),
        description: c.description.clone(),
        metadata: c.metadata.clone(),
        provider_id: c.provider_id.clone(),
        client_id: Some(c.client_id.clone()),
        created_at: c.created_at,
        updated_at: c.updated_at,
    }
}

/// A config vault.
fn vault(conn: &Connection, v: &ConfigVault) -> Result<ProviderConfigVault, ApiError> {
    Ok(ProviderConfigVault {
        object: "provider.config_vault".to_owned(),
        id: v.id.clone(),
        status: Some("active".to_owned()),
        name: v.name.clone(),
        description: v.description.clone(),
        metadata: v.metadata.clone(),
        provider_id: v.provider_id.clone(),
        deployment: match &v.deployment_id {
            Some(id) => load::<Deployment>(conn, id)?.as_ref().map(deployment_full),
            None => None,
        },
        created_at: v.created_at,
        updated_at: v.updated_at,
    })
}

/// A provider config, with its deployment and vault.
pub(crate) fn config(conn: &Connection, c: &ProviderConfig) -> Result<ConfigView, ApiError> {
    Ok(ConfigView {
        object: "provider.config".to_owned(),
        id: c.id.clone(),
        status: Some("active".to_owned()),
        is_default: Some(true),
        tool_filter: Some(allow_all()),
        name: c.name.clone(),
        description: c.description.clone(),
        metadata: c.metadata.clone(),
        provider_id: c.provider_id.clone(),
        specification_id: c.specification_id.clone(),
        deployment: match &c.deployment_id {
            Some(id) => load::<Deployment>(conn, id)?.as_ref().map(deployment_full),
            None => None,
        },
        from_vault: match &c.vault_id {
            Some(id) => match load::<ConfigVault>(conn, id)? {
                Some(v) => Some(vault(conn, &v)?),
                None => None,
            },
            None => None,
        },
        created_at: c.created_at,
        updated_at: c.updated_at,
    })
}

/// An auth config's full view (setup sessions, exports): nested deployment, credentials and
/// auth method. Never its tokens.
pub(crate) fn auth_config_full(
    conn: &Connection,
    a: &AuthConfig,
) -> Result<ProviderAuthConfig, ApiError> {
    Ok(ProviderAuthConfig {
        object: "provider.auth_config".to_owned(),
        id: a.id.clone(),
        type_: Some(a.type_.clone()),
        source: a.source.clone(),
        status: Some(a.status.clone()),
        is_default: Some(a.is_default),
        tool_filter: Some(allow_all()),
        provider_id: a.provider_id.clone(),
        name: a.name.clone(),
        description: a.description.clone(),
        metadata: a.metadata.clone(),
        deployment: match &a.deployment_id {
            Some(id) => load::<Deployment>(conn, id)?.as_ref().map(deployment_full),
            None => None,
        },
        deployment_preview: None,
        credentials: match &a.credentials_id {
            Some(id) => load::<Credentials>(conn, id)?
                .as_ref()
                .map(credentials_full),
            None => None,
        },
        auth_method: auth_method_full(&load_referenced::<AuthMethod>(conn, &a.auth_method_id)?),
        created_at: a.created_at,
        updated_at: a.updated_at,
    })
}

/// An auth config as an OAuth setup shows it: IDs instead of nested objects.
pub(crate) fn auth_config_short(a: &AuthConfig) -> ProviderOauthSetupAuthConfig {
    ProviderOauthSetupAuthConfig {
        id: a.id.clone(),
        type_: Some(a.type_.clone()),
        status: Some(a.status.clone()),
        provider_id: a.provider_id.clone(),
        name: a.name.clone(),
        description: a.description.clone(),
        metadata: a.metadata.clone(),
        provider_deployment_id: a.deployment_id.clone(),
        provider_auth_method_id: Some(a.auth_method_id.clone()),
        created_at: a.created_at,
        updated_at: a.updated_at,
    }
}

/// The nested views of one request, each built once: the sessions of a page share their
/// deployment, credentials and auth method, so a page costs one catalog read of each.
#[derive(Default)]
pub(crate) struct Memo {
    deployments: std::collections::HashMap<String, Option<ProviderDeploymentPreview>>,
    credentials: std::collections::HashMap<String, Option<ProviderAuthCredentials>>,
    auth_methods: std::collections::HashMap<String, ProviderAuthMethod>,
}

impl Memo {
    /// The full view of deployment `id`, if it exists.
    pub(crate) fn deployment_full(
        &mut self,
        conn: &Connection,
        id: &str,
    ) -> Result<Option<ProviderDeploymentPreview>, ApiError> {
        if let Some(view) = self.deployments.get(id) {
            return Ok(view.clone());
        }
        let view = load::<Deployment>(conn, id)?.as_ref().map(deployment_full);
        self.deployments.insert(id.to_owned(), view.clone());
        Ok(view)
    }

    /// The full view of credentials `id`, if they exist.
    pub(crate) fn credentials_full(
        &mut self,
        conn: &Connection,
        id: &str,
    ) -> Result<Option<ProviderAuthCredentials>, ApiError> {
        if let Some(view) = self.credentials.get(id) {
            return Ok(view.clone());
        }
        let view = load::<Credentials>(conn, id)?
            .as_ref()
            .map(credentials_full);
        self.credentials.insert(id.to_owned(), view.clone());
        Ok(view)
    }

    /// The full view of auth method `id`, which a stored object refers to.
    pub(crate) fn auth_method_full(
        &mut self,
        conn: &Connection,
        id: &str,
    ) -> Result<ProviderAuthMethod, ApiError> {
        if let Some(view) = self.auth_methods.get(id) {
            return Ok(view.clone());
        }
        let view = auth_method_full(&load_referenced::<AuthMethod>(conn, id)?);
        self.auth_methods.insert(id.to_owned(), view.clone());
        Ok(view)
    }
}
