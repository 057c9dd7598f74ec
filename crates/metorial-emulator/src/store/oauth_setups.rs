//! Provider OAuth setups, scoped to a deployment.

use metorial_models::{
    CreateProviderOauthSetupBody, ProviderOauthSetup, ProviderOauthSetupList,
    ProviderOauthSetupStatus, UpdateProviderOauthSetupBody,
};
use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::catalog::{self, load, load_as, load_referenced};
use super::paging::{self, Filter, PageRequest, Table};
use super::{Context, Db, json_column, sweep_expired, views};
use crate::entity;
use crate::fixtures::{AuthMethod, Credentials, Deployment};
use crate::ids;
use crate::splice::{Spliced, Splices, nested};
use crate::time::timestamp;

/// The table, for paging.
pub(crate) const TABLE: Table = Table {
    name: "oauth_setups",
    columns: SetupRow::COLUMNS,
    // The list's own conditions (the spec gives it no filter).
    filters: &[
        ("deployment_id", "deployment_id"),
        ("is_ephemeral", "is_ephemeral"),
    ],
};

row! {
    /// A stored OAuth setup (without its secret config).
    struct SetupRow {
        id: String,
        deployment_id: String,
        provider_id: String,
        auth_method_id: String,
        credentials_id: Option<String>,
        auth_config_id: Option<String>,
        status: String,
        is_ephemeral: bool,
        name: Option<String>,
        description: Option<String>,
        metadata: Option<String>,
        redirect_url: Option<String>,
        created_at: i64,
        updated_at: i64,
        expires_at: i64,
    }
}

impl SetupRow {
    /// The API view; as an item of a page when `splices` (its nested views left to them).
    fn view(
        self,
        conn: &Connection,
        context: &Context,
        mut splices: Option<&mut Splices>,
    ) -> Result<ProviderOauthSetup, StoreError> {
        let credentials = nested(
            splices.as_deref_mut(),
            "credentials",
            self.credentials_id.as_deref(),
            |id| load_as(conn, id, views::credentials_short),
        )?;
        let auth_config = nested(
            splices.as_deref_mut(),
            "auth_config",
            self.auth_config_id.as_deref(),
            |id| load_as(conn, id, views::auth_config_short),
        )?;
        let auth_method = nested(
            splices.as_deref_mut(),
            "auth_method",
            Some(&self.auth_method_id),
            |id| views::auth_method_short(&load_referenced::<AuthMethod>(conn, id)?).map(Some),
        )?;
        let deployment = nested(splices, "deployment", Some(&self.deployment_id), |id| {
            load_as(conn, id, views::deployment_short)
        })?;
        // The live API stops offering the URL once the setup is over.
        let url = (!matches!(self.status.as_str(), "completed" | "expired"))
            .then(|| context.setup_url(&self.id));
        Ok(ProviderOauthSetup::builder()
            .object("provider.oauth_setup")
            .url(url)
            .id(self.id)
            .status(ProviderOauthSetupStatus::from(self.status))
            .is_ephemeral(self.is_ephemeral)
            .provider_id(self.provider_id)
            .name(self.name)
            .description(self.description)
            .metadata(json_column(self.metadata)?)
            .redirect_url(self.redirect_url)
            .auth_config(auth_config)
            .credentials(credentials)
            .auth_method(auth_method)
            .deployment(deployment)
            .created_at(timestamp(self.created_at))
            .updated_at(timestamp(self.updated_at))
            .expires_at(timestamp(self.expires_at))
            .try_into()?)
    }
}

/// The deployment in the path, or 404.
fn deployment_or_404(conn: &Connection, deployment_id: &str) -> Result<Deployment, StoreError> {
    load::<Deployment>(conn, deployment_id)?
        .ok_or_else(|| StoreError::not_found(entity::DEPLOYMENT, deployment_id))
}

/// The stored setup, or 404. Like the live API, the setup is found by its ID alone: the
/// deployment in the path is not checked against it.
fn find_or_404(conn: &Connection, _deployment_id: &str, id: &str) -> Result<SetupRow, StoreError> {
    let sql = format!("SELECT {} FROM {} WHERE id = ?", TABLE.columns, TABLE.name);
    conn.prepare_cached(&sql)?
        .query_row([id], SetupRow::read)
        .optional()?
        .ok_or_else(|| StoreError::not_found(entity::OAUTH_SETUP, id))
}

/// The OAuth client a setup's config names (`client_id` and `client_secret`), if it does.
pub(crate) fn config_client(
    config: &serde_json::Map<String, serde_json::Value>,
) -> Option<(String, String)> {
    let id = config.get("client_id")?.as_str()?;
    let secret = config.get("client_secret")?.as_str()?;
    (!id.is_empty()).then(|| (id.to_owned(), secret.to_owned()))
}

/// The auth method and the OAuth client of a new setup of `provider_id`: the credentials asked
/// for, none when the setup's config names its own OAuth app (registered with the fake
/// provider, which knows it from now on; it may not take over a client ID someone else
/// registered), or the provider's default credentials.
fn resolve_client(
    conn: &Connection,
    context: &Context,
    provider_id: &str,
    body: &CreateProviderOauthSetupBody,
) -> Result<(AuthMethod, Option<Credentials>), StoreError> {
    let auth_method = catalog::resolve_auth_method(
        conn,
        provider_id,
        "provider_auth_method_id",
        body.provider_auth_method_id.as_deref(),
    )?;
    let own_client =
        super::fake_provider::register_config_client(conn, context, body.config.expose_all())?;
    let credentials = match body.provider_auth_credentials_id.as_deref() {
        Some(id) => catalog::resolve_credentials(conn, provider_id, Some(id))?,
        None if own_client => None,
        None => Some(
            catalog::default_credentials(conn, provider_id)?.ok_or_else(|| {
                StoreError::MissingOauthCredentials(format!(
                    "provider {provider_id} has no OAuth credentials: pass \
                     provider_auth_credentials_id, or client_id and client_secret in config"
                ))
            })?,
        ),
    };
    Ok((auth_method, credentials))
}

/// Creates an OAuth setup for the deployment (its `redirect_url` already checked).
pub(crate) fn create(
    db: &mut Db<'_>,
    deployment_id: &str,
    body: CreateProviderOauthSetupBody,
) -> Result<ProviderOauthSetup, StoreError> {
    let tx = db.conn.transaction()?;
    let deployment = deployment_or_404(&tx, deployment_id)?;
    let provider_id = deployment.provider_id.clone();
    let (auth_method, credentials) = resolve_client(&tx, db.context, &provider_id, &body)?;
    let metadata = body
        .metadata
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let config = serde_json::to_string(body.config.expose_all())?;

    let now = db.context.clock.now_ms();
    let id = db.ids.next(ids::OAUTH_SETUP, now);
    let expires_at = crate::time::later(now, db.context.config.oauth_setup_lifetime_ms());
    tx.prepare_cached(
        "INSERT INTO oauth_setups (id, deployment_id, provider_id, auth_method_id, credentials_id,
             auth_config_id, status, is_ephemeral, name, description, metadata, redirect_url,
             config, created_at, updated_at, expires_at)
         VALUES (?, ?, ?, ?, ?, NULL, 'unused', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        id,
        deployment.id,
        provider_id,
        auth_method.id,
        credentials.as_ref().map(|c| &c.id),
        body.is_ephemeral.unwrap_or(false),
        body.name,
        body.description,
        metadata,
        body.redirect_url,
        config,
        now,
        now,
        expires_at,
    ])?;
    let setup = find_or_404(&tx, &deployment.id, &id)?.view(&tx, db.context, None)?;
    tx.commit()?;
    Ok(setup)
}

/// The OAuth setup with this ID, of this deployment.
pub(crate) fn get(
    db: &mut Db<'_>,
    deployment_id: &str,
    id: &str,
) -> Result<ProviderOauthSetup, StoreError> {
    sweep_expired(db.conn, db.context.clock.now_ms())?;
    deployment_or_404(db.conn, deployment_id)?;
    find_or_404(db.conn, deployment_id, id)?.view(db.conn, db.context, None)
}

/// A page of the deployment's OAuth setups that pass `filters`.
pub(crate) fn list(
    db: &mut Db<'_>,
    deployment_id: &str,
    request: &PageRequest,
    mut filters: Vec<Filter>,
) -> Result<Spliced<ProviderOauthSetupList>, StoreError> {
    sweep_expired(db.conn, db.context.clock.now_ms())?;
    deployment_or_404(db.conn, deployment_id)?;
    // Ephemeral setups are not listed (as on the live API).
    filters.extend([
        Filter {
            key: "deployment_id",
            values: vec![deployment_id.to_owned()],
        },
        Filter {
            key: "is_ephemeral",
            values: vec!["0".to_owned()],
        },
    ]);
    let (rows, pagination) = paging::page(db.conn, &TABLE, &filters, request, SetupRow::read)?;
    let mut splices = Splices::default();
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        splices.next_item();
        items.push(row.view(db.conn, db.context, Some(&mut splices))?);
    }
    let list = ProviderOauthSetupList::builder()
        .items(items)
        .pagination(pagination)
        .try_into()?;
    Ok(splices.page(list))
}

/// Updates the fields sent.
pub(crate) fn update(
    db: &mut Db<'_>,
    deployment_id: &str,
    id: &str,
    body: UpdateProviderOauthSetupBody,
) -> Result<ProviderOauthSetup, StoreError> {
    let now = db.context.clock.now_ms();
    sweep_expired(db.conn, now)?;
    let tx = db.conn.transaction()?;
    deployment_or_404(&tx, deployment_id)?;
    let row = find_or_404(&tx, deployment_id, id)?;
    let metadata = match &body.metadata {
        Some(m) => Some(serde_json::to_string(m)?),
        None => row.metadata,
    };
    tx.prepare_cached(
        "UPDATE oauth_setups SET name = ?, description = ?, metadata = ?, updated_at = ?
         WHERE id = ?",
    )?
    .execute(params![
        body.name.or(row.name),
        body.description.or(row.description),
        metadata,
        now.max(row.updated_at),
        id
    ])?;
    let setup = find_or_404(&tx, deployment_id, id)?.view(&tx, db.context, None)?;
    tx.commit()?;
    Ok(setup)
}

/// Marks an `unused` OAuth setup `opened`: its URL was visited (as on the live API).
pub(crate) fn mark_opened(db: &mut Db<'_>, id: &str) -> Result<(), StoreError> {
    db.conn
        .prepare_cached(
            "UPDATE oauth_setups SET status = 'opened', updated_at = ? WHERE id = ? AND status = 'unused'",
        )?
        .execute(params![db.context.clock.now_ms(), id])?;
    Ok(())
}
