//! Provider auth configs (`/provider-auth-configs`): a user's connections. Setup sessions make
//! them (`source: setup_session`, `type: oauth_automated`); `create` makes one from an auth
//! method's input (an API key, a token), checked against the method's input schema.
//! Deleting archives: the config stays readable, and exports of it fail (`use_after_delete`).

use metorial_models::{
    CreateProviderAuthConfigBody, PathSegment, ProviderAuthConfig, ProviderAuthConfigList,
    ProviderAuthConfigSource, ProviderAuthConfigStatus, ProviderAuthConfigType,
    UpdateProviderAuthConfigBody,
};
use serde_json::{Map, Value};

use super::catalog::{self, load, trimmed};
use super::paging::{Filter, PageRequest, Table};
use super::{Db, StoreError, views};
use crate::entity;
use crate::fixtures::{AuthConfig, AuthMethod, Deployment};
use crate::ids;
use crate::splice::{Spliced, Splices};
use crate::time::timestamp;

/// The table, for paging.
pub(crate) const TABLE: Table = Table {
    name: "auth_configs",
    columns: "id, data",
    filters: &[
        ("id", "id"),
        ("provider_id", "provider_id"),
        ("provider_deployment_id", "deployment_id"),
        ("provider_auth_credentials_id", "credentials_id"),
        ("provider_auth_method_id", "auth_method_id"),
        ("status", "status"),
        ("created_at", "created_ms"),
        ("updated_at", "updated_ms"),
    ],
};

/// A page of auth configs.
pub(crate) fn list(
    db: &mut Db<'_>,
    request: &PageRequest,
    filters: &[Filter],
) -> Result<Spliced<ProviderAuthConfigList>, StoreError> {
    let (records, pagination) = catalog::page::<AuthConfig>(db.conn, &TABLE, filters, request)?;
    let mut splices = Splices::default();
    let mut items = Vec::with_capacity(records.len());
    for record in &records {
        splices.next_item();
        items.push(views::auth_config_at(db.conn, record, Some(&mut splices))?);
    }
    let list = ProviderAuthConfigList::builder()
        .items(items)
        .pagination(pagination)
        .try_into()?;
    Ok(splices.page(list))
}

/// The auth config `id` (archived ones too; 404 `provider.auth_config`).
pub(crate) fn get(db: &mut Db<'_>, id: &str) -> Result<ProviderAuthConfig, StoreError> {
    views::auth_config_full(db.conn, &find(db, id)?)
}

/// The stored auth config `id`, or 404.
fn find(db: &Db<'_>, id: &str) -> Result<AuthConfig, StoreError> {
    load::<AuthConfig>(db.conn, id)?.ok_or_else(|| StoreError::not_found(entity::AUTH_CONFIG, id))
}

/// A manual auth config from an auth method's input. The auth method decides the provider
/// (unknown: 404 `provider_tool`, the live label); a deployment must be the provider's.
pub(crate) fn create(
    db: &mut Db<'_>,
    body: CreateProviderAuthConfigBody,
) -> Result<ProviderAuthConfig, StoreError> {
    let method_id = &body.provider_auth_method_id;
    let method = load::<AuthMethod>(db.conn, method_id)?
        .ok_or_else(|| StoreError::not_found(entity::PROVIDER_TOOL, method_id))?;
    if let Some(id) = &body.provider_deployment_id {
        catalog::referenced::<Deployment>(db.conn, Some(&method.provider_id), id)?;
    }
    let value = body.value.into_exposed();
    check_input(&method, &value)?;
    let now_ms = db.context.clock.now_ms();
    let now = timestamp(now_ms);
    let config = AuthConfig {
        id: db.ids.next(ids::AUTH_CONFIG, now_ms),
        provider_id: method.provider_id.clone(),
        deployment_id: body.provider_deployment_id,
        auth_method_id: method.id.clone(),
        credentials_id: None,
        type_: match method.type_.as_str() {
            "oauth" => ProviderAuthConfigType::OauthManual,
            _ => ProviderAuthConfigType::Manual,
        },
        source: ProviderAuthConfigSource::Manual,
        status: ProviderAuthConfigStatus::Active,
        is_default: false,
        name: trimmed(body.name),
        description: trimmed(body.description),
        metadata: body.metadata,
        value: value.into(),
        created_at: now,
        updated_at: now,
    };
    let tx = db.conn.transaction()?;
    catalog::insert_auth_config(&tx, &config)?;
    tx.commit()?;
    views::auth_config_full(db.conn, &config)
}

/// Renames (or re-describes) an auth config: blank names keep the old one, metadata is
/// replaced. One a flow made (`oauth_automated`) is 400
/// `cannot_update_automated_oauth_config`; an archived one 410 `gone`.
pub(crate) fn update(
    db: &mut Db<'_>,
    id: &str,
    body: UpdateProviderAuthConfigBody,
) -> Result<ProviderAuthConfig, StoreError> {
    let mut config = editable(db, id)?;
    if config.type_ == ProviderAuthConfigType::OauthAutomated {
        return Err(StoreError::AutomatedOauthConfig(
            "Cannot update automated OAuth provider auth configs".to_owned(),
        ));
    }
    if let Some(name) = trimmed(body.name) {
        config.name = Some(name);
    }
    if let Some(description) = trimmed(body.description) {
        config.description = Some(description);
    }
    if let Some(metadata) = body.metadata {
        config.metadata = Some(metadata);
    }
    save(db, config)
}

/// Disconnects: archives the auth config (`status: archived`, no longer a default); an
/// archived one is 410 `gone`.
pub(crate) fn delete(db: &mut Db<'_>, id: &str) -> Result<ProviderAuthConfig, StoreError> {
    let mut config = editable(db, id)?;
    config.status = ProviderAuthConfigStatus::Archived;
    config.is_default = false;
    save(db, config)
}

/// The auth config `id`, which must still be active (410 `gone` otherwise).
fn editable(db: &Db<'_>, id: &str) -> Result<AuthConfig, StoreError> {
    let config = find(db, id)?;
    if config.status != ProviderAuthConfigStatus::Active {
        return Err(StoreError::Gone("Resource cannot be updated.".to_owned()));
    }
    Ok(config)
}

/// Stores a changed auth config, updated now, and shows it.
fn save(db: &mut Db<'_>, mut config: AuthConfig) -> Result<ProviderAuthConfig, StoreError> {
    config.updated_at = timestamp(db.context.clock.now_ms());
    let data = serde_json::to_string(&config)?;
    db.conn
        .prepare_cached("UPDATE auth_configs SET data = ? WHERE id = ?")?
        .execute([&data, &config.id])?;
    views::auth_config_full(db.conn, &config)
}

/// Refuses an input its auth method's input schema rejects: 400 `invalid_data` at the first
/// failing place under `value`, saying which rule of the schema failed (never the input).
fn check_input(method: &AuthMethod, value: &Map<String, Value>) -> Result<(), StoreError> {
    if method.input_schema.is_empty() {
        return Ok(());
    }
    let schema = Value::Object(method.input_schema.clone());
    let validator = jsonschema::validator_for(&schema).map_err(|error| {
        StoreError::Internal(format!(
            "auth method {}: its input schema: {error}",
            method.id
        ))
    })?;
    let instance = Value::Object(value.clone());
    let Some(error) = validator.iter_errors(&instance).next() else {
        return Ok(());
    };
    let mut path = vec![PathSegment::from("value")];
    for segment in error.instance_path().as_str().split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        path.push(match segment.parse::<u64>() {
            Ok(index) => PathSegment::Index(index),
            Err(_) => PathSegment::Key(segment),
        });
    }
    // The schema's words, never the input's: `value` holds secrets (jsonschema's own message
    // quotes the failing value).
    let message = format!(
        "does not match the auth method's input schema (at {})",
        error.schema_path()
    );
    Err(StoreError::invalid_with_code(
        path,
        "invalid_value",
        message,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;

    #[test]
    fn a_refused_input_is_never_quoted_back() {
        let fixtures = Fixtures::builtin();
        let method = fixtures
            .auth_methods
            .iter()
            .find(|m| m.type_ == "token")
            .unwrap();
        let value = |v: Value| v.as_object().unwrap().clone();
        check_input(method, &value(serde_json::json!({"token": "ghp_fine"}))).unwrap();
        for bad in [
            serde_json::json!({"token": 987654321}),
            serde_json::json!({"tok": "ghp_leak"}),
        ] {
            let Err(error) = check_input(method, &value(bad.clone())) else {
                panic!("{bad} was accepted");
            };
            let shown = format!("{error} {error:?}");
            assert!(
                !shown.contains("987654321") && !shown.contains("ghp_leak"),
                "{shown}"
            );
            assert!(shown.contains("input schema"), "{shown}");
        }
    }
}
