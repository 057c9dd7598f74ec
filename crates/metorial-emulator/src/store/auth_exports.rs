//! Provider auth exports: a snapshot of an active auth config's tokens.

use metorial_models::{
    CreateProviderAuthExportBody, ProviderAuthConfigStatus, ProviderAuthExport,
    ProviderAuthExportList, SecretObject,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::catalog::{load, load_referenced};
use super::paging::{self, Filter, PageRequest, Table};
use super::{Db, json_column, views};
use crate::errors::ApiError;
use crate::fixtures::AuthConfig;
use crate::ids;
use crate::time::{now_ms, timestamp};

/// The table, for paging.
pub(crate) const TABLE: Table = Table {
    name: "auth_exports",
    columns: "id, auth_config_id, provider_id, deployment_id, auth_method_id, credentials_id, \
              note, ip, user_agent, metadata, value, created_at, expires_at",
};

/// The entity name in errors.
const ENTITY: &str = "provider auth export";

/// Who asked for an export.
pub(crate) struct Requester {
    /// The client's IP address.
    pub(crate) ip: Option<String>,
    /// The client's `User-Agent`.
    pub(crate) user_agent: Option<String>,
}

struct ExportRow {
    id: String,
    auth_config_id: String,
    provider_id: String,
    deployment_id: Option<String>,
    auth_method_id: String,
    credentials_id: Option<String>,
    note: String,
    ip: Option<String>,
    user_agent: Option<String>,
    metadata: Option<String>,
    value: Option<String>,
    created_at: i64,
    expires_at: Option<i64>,
}

impl ExportRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            auth_config_id: row.get(1)?,
            provider_id: row.get(2)?,
            deployment_id: row.get(3)?,
            auth_method_id: row.get(4)?,
            credentials_id: row.get(5)?,
            note: row.get(6)?,
            ip: row.get(7)?,
            user_agent: row.get(8)?,
            metadata: row.get(9)?,
            value: row.get(10)?,
            created_at: row.get(11)?,
            expires_at: row.get(12)?,
        })
    }

    fn view(self, conn: &Connection) -> Result<ProviderAuthExport, ApiError> {
        let auth_config = load_referenced::<AuthConfig>(conn, &self.auth_config_id)?;
        Ok(ProviderAuthExport {
            object: "provider.auth_export".to_owned(),
            id: self.id,
            note: self.note,
            ip: self.ip,
            user_agent: self.user_agent,
            metadata: json_column(self.metadata)?,
            auth_config: views::auth_config_full(conn, &auth_config)?,
            provider_id: self.provider_id,
            provider_deployment_id: self.deployment_id,
            auth_method_id: self.auth_method_id,
            credentials_id: self.credentials_id,
            value: json_column(self.value)?.map(SecretObject::new),
            created_at: timestamp(self.created_at),
            expires_at: self.expires_at.map(timestamp),
        })
    }
}

fn find_or_404(conn: &Connection, id: &str) -> Result<ExportRow, ApiError> {
    let sql = format!("SELECT {} FROM {} WHERE id = ?", TABLE.columns, TABLE.name);
    conn.prepare_cached(&sql)?
        .query_row([id], ExportRow::read)
        .optional()?
        .ok_or_else(|| ApiError::not_found(ENTITY, id))
}

/// Exports an active auth config's current token data.
pub(crate) fn create(
    db: &mut Db<'_>,
    body: CreateProviderAuthExportBody,
    requester: Requester,
) -> Result<ProviderAuthExport, ApiError> {
    let tx = db.conn.transaction()?;
    let config_id = body.provider_auth_config_id;
    let auth_config = load::<AuthConfig>(&tx, &config_id)?.ok_or_else(|| {
        ApiError::invalid_field(
            "provider_auth_config_id",
            format!("unknown provider auth config {config_id:?}"),
        )
    })?;
    if auth_config.status != ProviderAuthConfigStatus::Active {
        return Err(ApiError::invalid_field(
            "provider_auth_config_id",
            format!(
                "provider auth config {config_id:?} is {}: only active auth configs can be exported",
                auth_config.status
            ),
        ));
    }
    let now = now_ms();
    let id = db.ids.next(ids::AUTH_EXPORT, now);
    let metadata = body
        .metadata
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let value = serde_json::to_string(auth_config.value.expose_all())?;
    tx.prepare_cached(
        "INSERT INTO auth_exports (id, auth_config_id, provider_id, deployment_id, auth_method_id,
             credentials_id, note, ip, user_agent, metadata, value, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
    )?
    .execute(params![
        id,
        auth_config.id,
        auth_config.provider_id,
        auth_config.deployment_id,
        auth_config.auth_method_id,
        auth_config.credentials_id,
        body.note,
        requester.ip,
        requester.user_agent,
        metadata,
        value,
        now,
    ])?;
    let export = find_or_404(&tx, &id)?.view(&tx)?;
    tx.commit()?;
    Ok(export)
}

/// The export with this ID.
pub(crate) fn get(db: &mut Db<'_>, id: &str) -> Result<ProviderAuthExport, ApiError> {
    find_or_404(db.conn, id)?.view(db.conn)
}

/// A page of exports.
pub(crate) fn list(
    db: &mut Db<'_>,
    request: &PageRequest,
    filters: &[Filter],
) -> Result<ProviderAuthExportList, ApiError> {
    let (rows, pagination) = paging::page(db.conn, &TABLE, filters, request, ExportRow::read)?;
    let items = rows
        .into_iter()
        .map(|row| row.view(db.conn))
        .collect::<Result<_, _>>()?;
    Ok(ProviderAuthExportList { items, pagination })
}
