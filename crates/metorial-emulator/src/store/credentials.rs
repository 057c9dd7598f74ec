//! Provider auth credentials (`/provider-auth-credentials`): a service's own OAuth apps.
//!
//! Credentials made through the API are the service's app at the provider: the fake provider
//! learns the app (client ID and secret) when they are made, as a developer registers an app
//! with a real provider. Changing the secret later changes what the emulator sends, not what
//! the provider expects, so an exchange with a wrong secret fails as it would live (and
//! rotating back makes it work again). They are never the provider's default credentials
//! (the live API offers no way to make them so): a session uses them when it names them.
//! Deleting archives them.

use metorial_models::{
    CreateProviderAuthCredentialsBody, ProviderAuthCredentials, ProviderAuthCredentialsList,
    ProviderAuthCredentialsStatus, UpdateProviderAuthCredentialsBody,
};
use rusqlite::{Transaction, params};

use super::catalog::{self, load, trimmed};
use super::paging::{Filter, PageRequest, Table};
use super::{Db, StoreError, fake_provider, views};
use crate::entity;
use crate::fixtures::{Credentials, Provider};
use crate::ids;
use crate::splice::{Spliced, Splices};
use crate::time::timestamp;

/// The table, for paging.
pub(crate) const TABLE: Table = Table {
    name: "credentials",
    columns: "id, data",
    filters: &[
        ("id", "id"),
        ("provider_id", "provider_id"),
        ("status", "status"),
        ("created_at", "created_ms"),
        ("updated_at", "updated_ms"),
    ],
};

/// A page of credentials.
pub(crate) fn list(
    db: &mut Db<'_>,
    request: &PageRequest,
    filters: &[Filter],
) -> Result<Spliced<ProviderAuthCredentialsList>, StoreError> {
    let (records, pagination) = catalog::page::<Credentials>(db.conn, &TABLE, filters, request)?;
    let items = records.iter().map(views::credentials_full);
    let list = ProviderAuthCredentialsList::builder()
        .items(items.collect::<Result<Vec<_>, _>>()?)
        .pagination(pagination)
        .try_into()?;
    // Credentials show no nested view: nothing to splice.
    Ok(Splices::default().page(list))
}

/// The credentials `id` (archived ones too; 404 `provider.auth_credentials`).
pub(crate) fn get(db: &mut Db<'_>, id: &str) -> Result<ProviderAuthCredentials, StoreError> {
    views::credentials_full(&find(db, id)?)
}

/// The stored credentials `id`, or 404.
fn find(db: &Db<'_>, id: &str) -> Result<Credentials, StoreError> {
    load::<Credentials>(db.conn, id)?
        .ok_or_else(|| StoreError::not_found(entity::AUTH_CREDENTIALS, id))
}

/// Registers an OAuth app: the provider must exist (404 `provider`); the fake provider learns
/// the app when its client ID is new to it.
pub(crate) fn create(
    db: &mut Db<'_>,
    body: CreateProviderAuthCredentialsBody,
) -> Result<ProviderAuthCredentials, StoreError> {
    let provider = load::<Provider>(db.conn, &body.provider_id)?
        .ok_or_else(|| StoreError::not_found(entity::PROVIDER, &body.provider_id))?;
    let now = timestamp(db.context.clock.now_ms());
    let config = body.config;
    let credentials = Credentials {
        id: db.ids.next(ids::CREDENTIALS, db.context.clock.now_ms()),
        provider_id: provider.id,
        type_: "oauth".to_owned(),
        status: ProviderAuthCredentialsStatus::Active,
        is_default: false,
        name: trimmed(body.name),
        description: trimmed(body.description),
        metadata: body.metadata,
        client_id: config.client_id,
        client_secret: config.client_secret,
        scopes: Some(config.scopes),
        created_at: now,
        updated_at: now,
    };
    let tx = db.conn.transaction()?;
    save(&tx, &credentials, true)?;
    let secret = credentials.client_secret.expose();
    fake_provider::register_app(&tx, db.context, &credentials.client_id, secret)?;
    tx.commit()?;
    views::credentials_full(&credentials)
}

/// Changes what the body sends (absent fields keep their value); archived credentials are
/// 410 `gone`.
pub(crate) fn update(
    db: &mut Db<'_>,
    id: &str,
    body: UpdateProviderAuthCredentialsBody,
) -> Result<ProviderAuthCredentials, StoreError> {
    let mut credentials = editable(db, id)?;
    let sent = |value: Option<String>, old: &mut Option<String>| {
        if let Some(value) = trimmed(value) {
            *old = Some(value);
        }
    };
    sent(body.name, &mut credentials.name);
    sent(body.description, &mut credentials.description);
    if let Some(metadata) = body.metadata {
        credentials.metadata = Some(metadata);
    }
    let new_app = body.client_id.is_some();
    if let Some(client_id) = body.client_id {
        credentials.client_id = client_id;
    }
    if let Some(secret) = body.client_secret {
        credentials.client_secret = secret;
    }
    if let Some(scopes) = body.scopes {
        credentials.scopes = Some(scopes);
    }
    credentials.updated_at = timestamp(db.context.clock.now_ms());
    let tx = db.conn.transaction()?;
    save(&tx, &credentials, false)?;
    if new_app {
        let secret = credentials.client_secret.expose();
        fake_provider::register_app(&tx, db.context, &credentials.client_id, secret)?;
    }
    tx.commit()?;
    views::credentials_full(&credentials)
}

/// Archives the credentials (`status: archived`, no longer the default); archived ones are
/// 410 `gone`.
pub(crate) fn delete(db: &mut Db<'_>, id: &str) -> Result<ProviderAuthCredentials, StoreError> {
    let mut credentials = editable(db, id)?;
    credentials.status = ProviderAuthCredentialsStatus::Archived;
    credentials.is_default = false;
    credentials.updated_at = timestamp(db.context.clock.now_ms());
    let tx = db.conn.transaction()?;
    save(&tx, &credentials, false)?;
    tx.commit()?;
    views::credentials_full(&credentials)
}

/// The credentials `id`, which must still be active (410 `gone` otherwise).
fn editable(db: &Db<'_>, id: &str) -> Result<Credentials, StoreError> {
    let credentials = find(db, id)?;
    if credentials.status != ProviderAuthCredentialsStatus::Active {
        return Err(StoreError::Gone("Resource cannot be updated.".to_owned()));
    }
    Ok(credentials)
}

/// Stores `credentials` (a new row made through the API, or a changed one).
fn save(tx: &Transaction<'_>, credentials: &Credentials, new: bool) -> Result<(), StoreError> {
    let data = serde_json::to_string(credentials)?;
    let c = credentials;
    if new {
        tx.prepare_cached(
            "INSERT INTO credentials (id, provider_id, client_id, is_default, position, data, origin)
             VALUES (?, ?, ?, 0, (SELECT coalesce(max(position), 0) + 1 FROM credentials), ?, 'api')",
        )?
        .execute(params![c.id, c.provider_id, c.client_id, data])?;
    } else {
        tx.prepare_cached(
            "UPDATE credentials SET client_id = ?, is_default = ?, data = ? WHERE id = ?",
        )?
        .execute(params![c.client_id, c.is_default, data, c.id])?;
    }
    Ok(())
}
