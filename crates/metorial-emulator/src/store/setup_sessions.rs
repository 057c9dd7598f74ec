//! Provider setup sessions.

use metorial_models::{
    CreateProviderSetupSessionBody, ProviderSetupSession, ProviderSetupSessionList,
    ProviderSetupSessionStatus, ProviderSetupSessionType, ProviderSetupSessionUiMode,
    UpdateProviderSetupSessionBody,
};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::catalog::{self, load};
use super::paging::{self, Filter, PageRequest, Table};
use super::{Db, StoreSettings, json_column, sweep_expired, views};
use crate::errors::ApiError;
use crate::fixtures::{AuthConfig, Deployment, Provider, ProviderConfig};
use crate::ids;
use crate::time::{now_ms, timestamp};

/// The table, for paging.
pub(crate) const TABLE: Table = Table {
    name: "setup_sessions",
    columns: "id, provider_id, deployment_id, auth_method_id, credentials_id, config_id, \
              auth_config_id, status, type, ui_mode, name, description, metadata, redirect_url, \
              created_at, updated_at, expires_at",
};

/// The entity name in errors.
const ENTITY: &str = "provider setup session";

/// A stored session.
struct SessionRow {
    id: String,
    provider_id: String,
    deployment_id: Option<String>,
    auth_method_id: String,
    credentials_id: Option<String>,
    config_id: Option<String>,
    auth_config_id: Option<String>,
    status: String,
    type_: String,
    ui_mode: String,
    name: Option<String>,
    description: Option<String>,
    metadata: Option<String>,
    redirect_url: Option<String>,
    created_at: i64,
    updated_at: i64,
    expires_at: i64,
}

impl SessionRow {
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            id: row.get(0)?,
            provider_id: row.get(1)?,
            deployment_id: row.get(2)?,
            auth_method_id: row.get(3)?,
            credentials_id: row.get(4)?,
            config_id: row.get(5)?,
            auth_config_id: row.get(6)?,
            status: row.get(7)?,
            type_: row.get(8)?,
            ui_mode: row.get(9)?,
            name: row.get(10)?,
            description: row.get(11)?,
            metadata: row.get(12)?,
            redirect_url: row.get(13)?,
            created_at: row.get(14)?,
            updated_at: row.get(15)?,
            expires_at: row.get(16)?,
        })
    }

    fn view(
        self,
        conn: &Connection,
        settings: &StoreSettings,
    ) -> Result<ProviderSetupSession, ApiError> {
        self.view_with(conn, settings, &mut views::Memo::default())
    }

    /// The API view, sharing nested views already built for this request.
    fn view_with(
        self,
        conn: &Connection,
        settings: &StoreSettings,
        memo: &mut views::Memo,
    ) -> Result<ProviderSetupSession, ApiError> {
        let deployment = match &self.deployment_id {
            Some(id) => memo.deployment_full(conn, id)?,
            None => None,
        };
        let credentials = match &self.credentials_id {
            Some(id) => memo.credentials_full(conn, id)?,
            None => None,
        };
        let auth_config = match &self.auth_config_id {
            Some(id) => match load::<AuthConfig>(conn, id)? {
                Some(a) => Some(views::auth_config_full(conn, &a)?),
                None => None,
            },
            None => None,
        };
        let config = match &self.config_id {
            Some(id) => match load::<ProviderConfig>(conn, id)? {
                Some(c) => Some(views::config(conn, &c)?),
                None => None,
            },
            None => None,
        };
        Ok(ProviderSetupSession {
            object: "provider.setup_session".to_owned(),
            url: settings.setup_url(&self.id),
            id: self.id,
            type_: ProviderSetupSessionType::from(self.type_),
            status: ProviderSetupSessionStatus::from(self.status),
            name: self.name,
            description: self.description,
            metadata: json_column(self.metadata)?,
            provider_id: self.provider_id,
            auth_method: memo.auth_method_full(conn, &self.auth_method_id)?,
            deployment,
            credentials,
            auth_config,
            config,
            ui_mode: ProviderSetupSessionUiMode::from(self.ui_mode),
            redirect_url: self.redirect_url,
            created_at: timestamp(self.created_at),
            updated_at: timestamp(self.updated_at),
            expires_at: timestamp(self.expires_at),
        })
    }
}

/// The stored session, if any.
fn find(conn: &Connection, id: &str) -> Result<Option<SessionRow>, ApiError> {
    let sql = format!("SELECT {} FROM {} WHERE id = ?", TABLE.columns, TABLE.name);
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], SessionRow::read)
        .optional()?)
}

fn find_or_404(conn: &Connection, id: &str) -> Result<SessionRow, ApiError> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found(ENTITY, id))
}

/// Creates a session (its `redirect_url` already checked).
pub(crate) fn create(
    db: &mut Db<'_>,
    body: CreateProviderSetupSessionBody,
) -> Result<ProviderSetupSession, ApiError> {
    let tx = db.conn.transaction()?;
    let provider_id = body.provider_id;
    if load::<Provider>(&tx, &provider_id)?.is_none() {
        return Err(ApiError::invalid_field(
            "provider_id",
            format!("unknown provider {provider_id:?}"),
        ));
    }
    let deployment = match body.provider_deployment_id.as_deref() {
        Some(id) => match load::<Deployment>(&tx, id)? {
            Some(d) if d.provider_id == provider_id => Some(d),
            Some(d) => {
                return Err(ApiError::invalid_field(
                    "provider_deployment_id",
                    format!(
                        "deployment {id:?} belongs to provider {:?}, not {provider_id:?}",
                        d.provider_id
                    ),
                ));
            }
            None => {
                return Err(ApiError::invalid_field(
                    "provider_deployment_id",
                    format!("unknown provider deployment {id:?}"),
                ));
            }
        },
        None => None,
    };
    let auth_method = catalog::resolve_auth_method(
        &tx,
        &provider_id,
        "provider_auth_method_id",
        body.provider_auth_method_id.as_deref(),
    )?;
    let credentials = catalog::resolve_credentials(
        &tx,
        &provider_id,
        "provider_auth_credentials_id",
        body.provider_auth_credentials_id.as_deref(),
    )?
    .ok_or_else(|| {
        ApiError::invalid_field(
            "provider_auth_credentials_id",
            format!("provider {provider_id:?} has no OAuth credentials; add some to the fixtures"),
        )
    })?;
    let config = match &deployment {
        Some(d) => catalog::deployment_config(&tx, &d.id)?,
        None => None,
    };
    let metadata = body
        .metadata
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;

    let now = now_ms();
    let id = db.ids.next(ids::SETUP_SESSION, now);
    let expires_at = now.saturating_add(db.settings.session_lifetime_ms);
    tx.prepare_cached(
        "INSERT INTO setup_sessions (id, provider_id, deployment_id, auth_method_id,
             credentials_id, config_id, auth_config_id, status, type, ui_mode, name, description,
             metadata, redirect_url, created_at, updated_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, NULL, 'pending', 'oauth', 'redirect', ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        id,
        provider_id,
        deployment.as_ref().map(|d| &d.id),
        auth_method.id,
        credentials.id,
        config.as_ref().map(|c| &c.id),
        body.name,
        body.description,
        metadata,
        body.redirect_url,
        now,
        now,
        expires_at,
    ])?;
    let session = find_or_404(&tx, &id)?.view(&tx, db.settings)?;
    tx.commit()?;
    Ok(session)
}

/// The session with this ID.
pub(crate) fn get(db: &mut Db<'_>, id: &str) -> Result<ProviderSetupSession, ApiError> {
    sweep_expired(db.conn, now_ms())?;
    find_or_404(db.conn, id)?.view(db.conn, db.settings)
}

/// A page of sessions.
pub(crate) fn list(
    db: &mut Db<'_>,
    request: &PageRequest,
    filters: &[Filter],
) -> Result<ProviderSetupSessionList, ApiError> {
    sweep_expired(db.conn, now_ms())?;
    let (rows, pagination) = paging::page(db.conn, &TABLE, filters, request, SessionRow::read)?;
    let mut memo = views::Memo::default();
    let items = rows
        .into_iter()
        .map(|row| row.view_with(db.conn, db.settings, &mut memo))
        .collect::<Result<_, _>>()?;
    Ok(ProviderSetupSessionList { items, pagination })
}

/// Updates the fields sent.
pub(crate) fn update(
    db: &mut Db<'_>,
    id: &str,
    body: UpdateProviderSetupSessionBody,
) -> Result<ProviderSetupSession, ApiError> {
    let now = now_ms();
    sweep_expired(db.conn, now)?;
    let tx = db.conn.transaction()?;
    let row = find_or_404(&tx, id)?;
    let metadata = body
        .metadata
        .apply(json_column(row.metadata)?)
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    tx.prepare_cached(
        "UPDATE setup_sessions SET name = ?, description = ?, metadata = ?, updated_at = ?
         WHERE id = ?",
    )?
    .execute(params![
        body.name.apply(row.name),
        body.description.apply(row.description),
        metadata,
        now.max(row.updated_at),
        id
    ])?;
    let session = find_or_404(&tx, id)?.view(&tx, db.settings)?;
    tx.commit()?;
    Ok(session)
}

/// Deletes a session; answers it as it was, with status `deleted`.
pub(crate) fn delete(db: &mut Db<'_>, id: &str) -> Result<ProviderSetupSession, ApiError> {
    let now = now_ms();
    sweep_expired(db.conn, now)?;
    let tx = db.conn.transaction()?;
    let mut session = find_or_404(&tx, id)?.view(&tx, db.settings)?;
    tx.prepare_cached("DELETE FROM setup_sessions WHERE id = ?")?
        .execute([id])?;
    tx.prepare_cached("DELETE FROM oauth_states WHERE flow_id = ?")?
        .execute([id])?;
    tx.commit()?;
    session.status = ProviderSetupSessionStatus::Deleted;
    session.updated_at = timestamp(now.max(crate::time::millis(&session.updated_at)));
    Ok(session)
}
