//! Provider auth exports: a snapshot of an active auth config's tokens. The tokens are handed
//! out once, in the answer to the create call; the stored export keeps only who asked, when,
//! and when the tokens expire (like the live API, get and list show `value: null`).

use metorial_models::{
    CreateProviderAuthExportBody, ProviderAuthConfigStatus, ProviderAuthExport,
    ProviderAuthExportList,
};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::Value;

use super::StoreError;
use super::catalog::{load, load_referenced};
use super::paging::{self, Filter, PageRequest, Table};
use super::{Db, json_column, views};
use crate::entity;
use crate::fixtures::AuthConfig;
use crate::ids;
use crate::time::{millis, timestamp};

/// The table, for paging. (Its `value` column stays NULL: the tokens are not kept.)
pub(crate) const TABLE: Table = Table {
    name: "auth_exports",
    columns: ExportRow::COLUMNS,
    // An export never changes: `updated_at` is its `created_at`.
    filters: &[
        ("id", "id"),
        ("provider_id", "provider_id"),
        ("provider_auth_credentials_id", "credentials_id"),
        ("provider_auth_config_id", "auth_config_id"),
        ("created_at", "created_at"),
        ("updated_at", "created_at"),
    ],
};

/// Who asked for an export.
pub(crate) struct Requester {
    /// The client's IP address.
    pub(crate) ip: Option<String>,
    /// The client's `User-Agent` (`"unknown"` when it sent none).
    pub(crate) user_agent: String,
}

row! {
    /// A stored export.
    struct ExportRow {
        /// Its ID.
        id: String,
        /// The auth config exported.
        auth_config_id: String,
        /// The auth config's provider.
        provider_id: String,
        /// The auth config's deployment.
        deployment_id: Option<String>,
        /// The auth config's auth method.
        auth_method_id: String,
        /// The auth config's OAuth app credentials.
        credentials_id: Option<String>,
        /// Why it was exported.
        note: String,
        /// The requester's address.
        ip: Option<String>,
        /// The requester's `User-Agent`.
        user_agent: Option<String>,
        /// Custom key-value pairs (JSON).
        metadata: Option<String>,
        /// When it was made (ms).
        created_at: i64,
        /// When the exported tokens expire (ms), if known.
        expires_at: Option<i64>,
    }
}

impl ExportRow {
    /// The API view, without the tokens (`value: null`).
    fn view(self, conn: &Connection) -> Result<ProviderAuthExport, StoreError> {
        let auth_config = load_referenced::<AuthConfig>(conn, &self.auth_config_id)?;
        Ok(ProviderAuthExport::builder()
            .object("provider.auth_export")
            .id(self.id)
            .note(self.note)
            .ip(self.ip)
            .user_agent(self.user_agent)
            .metadata(json_column(self.metadata)?)
            .auth_config(views::auth_config_full(conn, &auth_config)?)
            .provider_id(self.provider_id)
            .provider_deployment_id(self.deployment_id)
            .auth_method_id(self.auth_method_id)
            .credentials_id(self.credentials_id)
            .value(None)
            .created_at(timestamp(self.created_at))
            .expires_at(self.expires_at.map(timestamp))
            .try_into()?)
    }
}

/// The stored export, or 404 `not_found` naming it.
fn find_or_404(conn: &Connection, id: &str) -> Result<ExportRow, StoreError> {
    let sql = format!("SELECT {} FROM {} WHERE id = ?", TABLE.columns, TABLE.name);
    conn.prepare_cached(&sql)?
        .query_row([id], ExportRow::read)
        .optional()?
        .ok_or_else(|| StoreError::not_found(entity::AUTH_EXPORT, id))
}

/// The auth config an export is asked for: 404 `not_found` when there is none, 400
/// `use_after_delete` when it is archived or deleted.
fn exportable(conn: &Connection, id: &str) -> Result<AuthConfig, StoreError> {
    let auth_config = load::<AuthConfig>(conn, id)?
        .ok_or_else(|| StoreError::not_found(entity::AUTH_CONFIG, id))?;
    match auth_config.status {
        ProviderAuthConfigStatus::Archived | ProviderAuthConfigStatus::Deleted => {
            Err(StoreError::UseAfterDelete(format!(
                "The provider auth config {id} is {} and cannot be exported.",
                auth_config.status
            )))
        }
        _ => Ok(auth_config),
    }
}

/// When the tokens of an auth config expire (ms): their `expires_at` (an RFC 3339 date, or
/// seconds since the epoch; milliseconds past year 5000 are taken as such), else their
/// `expires_in` (seconds) counted from when the auth config was created; `None` if neither.
fn token_expiry(auth_config: &AuthConfig) -> Option<i64> {
    let value = auth_config.value.expose_all();
    let number = |v: &Value| match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    let at = value.get("expires_at").and_then(|v| match v {
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.timestamp_millis()),
        other => number(other).map(|n| (if n > 1e11 { n } else { n * 1000.0 }) as i64),
    });
    let within = || {
        let seconds = value.get("expires_in").and_then(number)?;
        let ms = (seconds * 1000.0) as i64; // saturating
        Some(crate::time::later(millis(&auth_config.created_at), ms))
    };
    at.or_else(within)
}

/// Exports an active auth config's current token data: the one answer holding them.
pub(crate) fn create(
    db: &mut Db<'_>,
    body: CreateProviderAuthExportBody,
    requester: Requester,
) -> Result<ProviderAuthExport, StoreError> {
    let tx = db.conn.transaction()?;
    let auth_config = exportable(&tx, &body.provider_auth_config_id)?;
    let now = db.context.clock.now_ms();
    let id = db.ids.next(ids::AUTH_EXPORT, now);
    let metadata = body
        .metadata
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    tx.prepare_cached(
        "INSERT INTO auth_exports (id, auth_config_id, provider_id, deployment_id, auth_method_id,
             credentials_id, note, ip, user_agent, metadata, value, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
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
        now,
        token_expiry(&auth_config),
    ])?;
    let mut export = find_or_404(&tx, &id)?.view(&tx)?;
    tx.commit()?;
    export.value = Some(auth_config.value);
    Ok(export)
}

/// The export with this ID (without its tokens).
pub(crate) fn get(db: &mut Db<'_>, id: &str) -> Result<ProviderAuthExport, StoreError> {
    find_or_404(db.conn, id)?.view(db.conn)
}

/// A page of exports (without their tokens).
pub(crate) fn list(
    db: &mut Db<'_>,
    request: &PageRequest,
    filters: &[Filter],
) -> Result<ProviderAuthExportList, StoreError> {
    let (rows, pagination) = paging::page(db.conn, &TABLE, filters, request, ExportRow::read)?;
    let items: Vec<_> = rows
        .into_iter()
        .map(|row| row.view(db.conn))
        .collect::<Result<_, _>>()?;
    Ok(ProviderAuthExportList::builder()
        .items(items)
        .pagination(pagination)
        .try_into()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Fixtures;
    use metorial_models::SecretObject;

    /// The built-in auth config holding `tokens`.
    fn holding(tokens: Value) -> AuthConfig {
        let mut auth_config = Fixtures::builtin().auth_configs[0].clone();
        auth_config.created_at = timestamp(1_000_000);
        auth_config.value = SecretObject::new(tokens.as_object().cloned().unwrap_or_default());
        auth_config
    }

    #[test]
    fn tokens_expire_when_they_say() {
        let expiry = |tokens| token_expiry(&holding(tokens));
        assert_eq!(expiry(serde_json::json!({"access_token": "t"})), None);
        assert_eq!(
            expiry(serde_json::json!({"expires_in": 3600})),
            Some(4_600_000)
        );
        assert_eq!(
            expiry(serde_json::json!({"expires_in": "60"})),
            Some(1_060_000)
        );
        assert_eq!(
            expiry(serde_json::json!({"expires_in": 1, "expires_at": "1970-01-01T00:00:05Z"})),
            Some(5_000)
        );
        assert_eq!(expiry(serde_json::json!({"expires_at": 7})), Some(7_000));
        assert_eq!(
            expiry(serde_json::json!({"expires_at": 1_700_000_000_000_i64})),
            Some(1_700_000_000_000)
        );
        assert_eq!(expiry(serde_json::json!({"expires_in": null})), None);
    }
}
