//! The catalog: providers, deployments, auth methods, credentials, configs, config vaults and
//! auth configs, stored as JSON of the [`fixtures`](crate::fixtures) records.

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::StoreError;
use super::paging::{self, Filter, PageRequest, Table};
use crate::entity;
use crate::fixtures::{
    AuthConfig, AuthMethod, ConfigVault, Credentials, Deployment, Fixtures, Provider,
    ProviderConfig,
};

/// A kind of catalog record and the table it lives in.
pub(crate) trait Record: DeserializeOwned {
    /// The table (a constant).
    const TABLE: &'static str;
}

impl Record for Provider {
    const TABLE: &'static str = "providers";
}
impl Record for Deployment {
    const TABLE: &'static str = "deployments";
}
impl Record for AuthMethod {
    const TABLE: &'static str = "auth_methods";
}
impl Record for Credentials {
    const TABLE: &'static str = "credentials";
}
impl Record for ConfigVault {
    const TABLE: &'static str = "config_vaults";
}
impl Record for ProviderConfig {
    const TABLE: &'static str = "configs";
}
impl Record for AuthConfig {
    const TABLE: &'static str = "auth_configs";
}

/// The record with this ID, if any.
pub(crate) fn load<T: Record>(conn: &Connection, id: &str) -> Result<Option<T>, StoreError> {
    let sql = format!("SELECT data FROM {} WHERE id = ?", T::TABLE);
    let data: Option<String> = conn
        .prepare_cached(&sql)?
        .query_row([id], |row| row.get(0))
        .optional()?;
    match data {
        Some(data) => Ok(Some(serde_json::from_str(&data)?)),
        None => Ok(None),
    }
}

/// The view `show` makes of the record with this ID, if there is one.
pub(crate) fn load_as<T: Record, V>(
    conn: &Connection,
    id: &str,
    show: impl FnOnce(&T) -> Result<V, StoreError>,
) -> Result<Option<V>, StoreError> {
    load::<T>(conn, id)?.as_ref().map(show).transpose()
}

/// A page of `T` records of `table` (whose columns are `id, data`), and its pagination.
pub(crate) fn page<T: Record>(
    conn: &Connection,
    table: &Table,
    filters: &[Filter],
    request: &PageRequest,
) -> Result<(Vec<T>, metorial_models::Pagination), StoreError> {
    let read = |row: &rusqlite::Row<'_>| row.get::<_, String>("data");
    let (rows, pagination) = paging::page(conn, table, filters, request, read)?;
    let records = rows.iter().map(|data| serde_json::from_str(data));
    Ok((records.collect::<Result<_, _>>()?, pagination))
}

/// A sent name or description, trimmed; `None` when blank (the live API keeps no blank ones).
pub(crate) fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())
}

/// The provider's auth methods, in fixtures order.
pub(crate) fn auth_methods(
    conn: &Connection,
    provider_id: &str,
) -> Result<Vec<AuthMethod>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT data FROM auth_methods WHERE provider_id = ? ORDER BY position")?;
    let rows = stmt.query_map([provider_id], |row| row.get::<_, String>(0))?;
    let mut found = Vec::new();
    for data in rows {
        found.push(serde_json::from_str(&data?)?);
    }
    Ok(found)
}

/// The record with this ID, which another stored object refers to.
pub(crate) fn load_referenced<T: Record>(conn: &Connection, id: &str) -> Result<T, StoreError> {
    load(conn, id)?
        .ok_or_else(|| StoreError::Internal(format!("{} {id} is referenced but missing", T::TABLE)))
}

/// The first record of a query returning `data`.
fn first<T: DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Option<T>, StoreError> {
    let data: Option<String> = conn
        .prepare_cached(sql)?
        .query_row(params, |row| row.get(0))
        .optional()?;
    match data {
        Some(data) => Ok(Some(serde_json::from_str(&data)?)),
        None => Ok(None),
    }
}

/// The provider's first auth method (in fixtures order).
pub(crate) fn default_auth_method(
    conn: &Connection,
    provider_id: &str,
) -> Result<Option<AuthMethod>, StoreError> {
    first(
        conn,
        "SELECT data FROM auth_methods WHERE provider_id = ? ORDER BY position LIMIT 1",
        [provider_id],
    )
}

/// The provider's default credentials: active fixtures' credentials, `is_default` first, then
/// in fixtures order (credentials made through the API are never a default, as on the live
/// API).
pub(crate) fn default_credentials(
    conn: &Connection,
    provider_id: &str,
) -> Result<Option<Credentials>, StoreError> {
    first(
        conn,
        "SELECT data FROM credentials WHERE provider_id = ? AND origin = 'fixtures' \
         AND status = 'active' ORDER BY is_default DESC, position LIMIT 1",
        [provider_id],
    )
}

/// Every fixtures' credentials record with this OAuth client ID (the fake provider's clients;
/// the apps of credentials made through the API are registered with it when made).
pub(crate) fn credentials_by_client_id(
    conn: &Connection,
    client_id: &str,
) -> Result<Vec<Credentials>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT data FROM credentials WHERE client_id = ? AND origin = 'fixtures' \
             ORDER BY position",
    )?;
    let rows = stmt.query_map([client_id], |row| row.get::<_, String>(0))?;
    let mut found = Vec::new();
    for data in rows {
        found.push(serde_json::from_str(&data?)?);
    }
    Ok(found)
}

/// The config of a deployment, if it has one.
pub(crate) fn deployment_config(
    conn: &Connection,
    deployment_id: &str,
) -> Result<Option<ProviderConfig>, StoreError> {
    first(
        conn,
        "SELECT data FROM configs WHERE deployment_id = ? ORDER BY id LIMIT 1",
        [deployment_id],
    )
}

/// Stores a new auth config.
pub(crate) fn insert_auth_config(
    tx: &Transaction<'_>,
    config: &AuthConfig,
) -> Result<(), StoreError> {
    tx.prepare_cached("INSERT INTO auth_configs (id, provider_id, data) VALUES (?, ?, ?)")?
        .execute(params![
            config.id,
            config.provider_id,
            serde_json::to_string(config)?
        ])?;
    Ok(())
}

/// Writes the fixtures into the catalog. Catalog records are upserted (the fixtures win); auth
/// configs are only added when missing (the database wins, so a restart keeps what the flows
/// did). Nothing is ever removed: stored sessions keep their references.
pub(crate) fn load_fixtures(tx: &Transaction<'_>, fixtures: &Fixtures) -> rusqlite::Result<()> {
    load_providers(tx, fixtures)?;
    load_configs(tx, fixtures)
}

/// The JSON of a catalog record, as stored.
fn json(value: &impl Serialize) -> rusqlite::Result<String> {
    serde_json::to_string(value).map_err(|e| rusqlite::Error::ToSqlConversionFailure(e.into()))
}

/// Providers, deployments, auth methods and credentials.
fn load_providers(tx: &Transaction<'_>, fixtures: &Fixtures) -> rusqlite::Result<()> {
    for p in &fixtures.providers {
        tx.execute(
            "INSERT INTO providers (id, data) VALUES (?1, ?2)
             ON CONFLICT (id) DO UPDATE SET data = excluded.data",
            params![p.id, json(p)?],
        )?;
    }
    for d in &fixtures.deployments {
        tx.execute(
            "INSERT INTO deployments (id, provider_id, data) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id, data = excluded.data",
            params![d.id, d.provider_id, json(d)?],
        )?;
    }
    for (position, m) in fixtures.auth_methods.iter().enumerate() {
        tx.execute(
            "INSERT INTO auth_methods (id, provider_id, position, data) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id,
                 position = excluded.position, data = excluded.data",
            params![m.id, m.provider_id, position as i64, json(m)?],
        )?;
    }
    for (position, c) in fixtures.credentials.iter().enumerate() {
        tx.execute(
            "INSERT INTO credentials (id, provider_id, client_id, is_default, position, data)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id,
                 client_id = excluded.client_id, is_default = excluded.is_default,
                 position = excluded.position, data = excluded.data",
            params![
                c.id,
                c.provider_id,
                c.client_id,
                c.is_default,
                position as i64,
                json(c)?
            ],
        )?;
    }
    Ok(())
}

/// Config vaults, configs and auth configs.
fn load_configs(tx: &Transaction<'_>, fixtures: &Fixtures) -> rusqlite::Result<()> {
    for v in &fixtures.config_vaults {
        tx.execute(
            "INSERT INTO config_vaults (id, provider_id, data) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id, data = excluded.data",
            params![v.id, v.provider_id, json(v)?],
        )?;
    }
    for c in &fixtures.configs {
        tx.execute(
            "INSERT INTO configs (id, provider_id, deployment_id, data) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (id) DO UPDATE SET provider_id = excluded.provider_id,
                 deployment_id = excluded.deployment_id, data = excluded.data",
            params![c.id, c.provider_id, c.deployment_id, json(c)?],
        )?;
    }
    for a in &fixtures.auth_configs {
        tx.execute(
            "INSERT INTO auth_configs (id, provider_id, data) VALUES (?1, ?2, ?3)
             ON CONFLICT (id) DO NOTHING",
            params![a.id, a.provider_id, json(a)?],
        )?;
    }
    Ok(())
}

/// A catalog record that belongs to one provider.
pub(crate) trait Owned: Record {
    /// The `entity` of a `not_found` about it.
    const ENTITY: &'static str;
    /// The provider it belongs to.
    fn provider_id(&self) -> &str;
}

impl Owned for AuthMethod {
    const ENTITY: &'static str = entity::AUTH_METHOD;
    fn provider_id(&self) -> &str {
        &self.provider_id
    }
}
impl Owned for Credentials {
    const ENTITY: &'static str = entity::AUTH_CREDENTIALS;
    fn provider_id(&self) -> &str {
        &self.provider_id
    }
}
impl Owned for Deployment {
    const ENTITY: &'static str = entity::DEPLOYMENT;
    fn provider_id(&self) -> &str {
        &self.provider_id
    }
}

/// The record `id` a request refers to, which must belong to `provider_id` when that is known:
/// 404 `not_found` when it does not exist, 400 `provider_mismatch` when it is another
/// provider's (as the live API answers).
pub(crate) fn referenced<T: Owned>(
    conn: &Connection,
    provider_id: Option<&str>,
    id: &str,
) -> Result<T, StoreError> {
    let record = load::<T>(conn, id)?.ok_or_else(|| StoreError::not_found(T::ENTITY, id))?;
    match provider_id {
        Some(provider_id) if record.provider_id() != provider_id => {
            Err(StoreError::ProviderMismatch(format!(
                "{} {id} belongs to provider {}, not {provider_id}",
                T::ENTITY,
                record.provider_id()
            )))
        }
        _ => Ok(record),
    }
}

/// The auth method a new flow of `provider_id` uses: the one asked for, which must be the
/// provider's, or the provider's first.
pub(crate) fn resolve_auth_method(
    conn: &Connection,
    provider_id: &str,
    field: &str,
    requested: Option<&str>,
) -> Result<AuthMethod, StoreError> {
    match requested {
        // The live API answers an unknown auth method with its own code, not a 404.
        Some(id) if load::<AuthMethod>(conn, id)?.is_none() => Err(StoreError::InvalidAuthMethod(
            format!("{field}: there is no auth method {id}"),
        )),
        Some(id) => referenced(conn, Some(provider_id), id),
        None => default_auth_method(conn, provider_id)?.ok_or_else(|| {
            StoreError::invalid_field(
                field,
                format!("provider {provider_id:?} has no auth method"),
            )
        }),
    }
}

/// The credentials a new flow of `provider_id` uses: the ones asked for, which must be the
/// provider's, or the provider's default ones (if it has any).
pub(crate) fn resolve_credentials(
    conn: &Connection,
    provider_id: &str,
    requested: Option<&str>,
) -> Result<Option<Credentials>, StoreError> {
    let Some(id) = requested else {
        return default_credentials(conn, provider_id);
    };
    let credentials: Credentials = referenced(conn, Some(provider_id), id)?;
    if credentials.status != metorial_models::ProviderAuthCredentialsStatus::Active {
        return Err(StoreError::UseAfterDelete(
            "Cannot use resource as it has been deleted or archived.".to_owned(),
        ));
    }
    Ok(Some(credentials))
}
