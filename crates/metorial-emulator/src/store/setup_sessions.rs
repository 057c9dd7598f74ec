//! Provider setup sessions.

use metorial_models::{
    CreateProviderSetupSessionBody, CreateProviderSetupSessionType, ProviderAuthConfig,
    ProviderAuthCredentials, ProviderAuthMethod, ProviderDeploymentPreview, ProviderSetupSession,
    ProviderSetupSessionList, ProviderSetupSessionStatus, ProviderSetupSessionType,
    ProviderSetupSessionUiMode, SetupSessionConfiguration, UpdateProviderSetupSessionBody,
};
use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;
use super::catalog::{self, load, load_as};
use super::paging::{self, Filter, PageRequest, Table};
use super::{Context, Db, json_column, views};
use crate::entity;
use crate::fixtures::{AuthConfig, Deployment, Provider, ProviderConfig};
use crate::ids;
use crate::splice::{Spliced, Splices, nested, stored};
use crate::time::timestamp;

/// The table, for paging.
pub(crate) const TABLE: Table = Table {
    name: "setup_sessions",
    columns: SessionRow::COLUMNS,
    filters: &[
        ("id", "id"),
        ("provider_id", "provider_id"),
        ("provider_deployment_id", "deployment_id"),
        ("provider_auth_method_id", "auth_method_id"),
        ("provider_auth_config_id", "auth_config_id"),
        ("provider_auth_credentials_id", "credentials_id"),
        ("status", "status"),
        ("created_at", "created_at"),
        ("updated_at", "updated_at"),
    ],
};

/// The name a session gets when the request gives none (as on the live API).
const DEFAULT_NAME: &str = "Setup Session";

row! {
    /// A stored session.
    struct SessionRow {
        id: String,
        provider_id: Option<String>,
        deployment_id: Option<String>,
        auth_method_id: Option<String>,
        identity_id: Option<String>,
        configuration: Option<String>,
        credentials_id: Option<String>,
        config_id: Option<String>,
        auth_config_id: Option<String>,
        status: String,
        type_ as "type": String,
        ui_mode: String,
        name: Option<String>,
        description: Option<String>,
        metadata: Option<String>,
        redirect_url: Option<String>,
        created_at: i64,
        updated_at: i64,
        expires_at: i64,
    }
}

impl SessionRow {
    /// The API view, now.
    fn view(
        self,
        conn: &Connection,
        context: &Context,
    ) -> Result<ProviderSetupSession, StoreError> {
        self.view_at(conn, context, &blank()?, None, context.clock.now_ms())
    }

    /// The API view at time `now`, filled into a copy of `blank`; as an item of a page when
    /// `splices` (its nested views and JSON columns left to them).
    fn view_at(
        self,
        conn: &Connection,
        context: &Context,
        blank: &ProviderSetupSession,
        mut splices: Option<&mut Splices>,
        now: i64,
    ) -> Result<ProviderSetupSession, StoreError> {
        let status = shown_status(&self.status, self.expires_at, now);
        let shown = self.shown(conn, splices.as_deref_mut())?;
        let metadata = stored(splices.as_deref_mut(), "metadata", self.metadata, |text| {
            json_column(Some(text))
        })?;
        let configuration = match self.configuration {
            None => None,
            // The defaults alone, as most sessions show them: encoded once per page.
            Some(sent) if sent == NO_SECTIONS => {
                nested(splices, "configuration", Some(NO_SECTIONS), |_| {
                    Ok::<_, StoreError>(Some(configuration(None)))
                })?
            }
            Some(sent) => Some(configuration(json_column(Some(sent))?)),
        };
        Ok(ProviderSetupSession {
            url: context.setup_url(&self.id),
            status: ProviderSetupSessionStatus::from(status),
            id: self.id,
            type_: ProviderSetupSessionType::from(self.type_),
            name: self.name,
            description: self.description,
            metadata,
            provider_id: self.provider_id,
            auth_method: shown.auth_method,
            deployment: shown.deployment,
            credentials: shown.credentials,
            auth_config: shown.auth_config,
            config: shown.config,
            ui_mode: ProviderSetupSessionUiMode::from(self.ui_mode),
            redirect_url: self.redirect_url,
            created_at: timestamp(self.created_at),
            updated_at: timestamp(self.updated_at),
            expires_at: timestamp(self.expires_at),
            configuration,
            identity_id: self.identity_id,
            ..blank.clone()
        })
    }

    /// The records the session shows; left to `splices` when given.
    fn shown(
        &self,
        conn: &Connection,
        mut splices: Option<&mut Splices>,
    ) -> Result<Shown, StoreError> {
        Ok(Shown {
            deployment: nested(
                splices.as_deref_mut(),
                "deployment",
                self.deployment_id.as_deref(),
                |id| views::deployment_of(conn, Some(id)),
            )?,
            credentials: nested(
                splices.as_deref_mut(),
                "credentials",
                self.credentials_id.as_deref(),
                |id| views::credentials_of(conn, id),
            )?,
            auth_method: nested(
                splices.as_deref_mut(),
                "auth_method",
                self.auth_method_id.as_deref(),
                |id| views::auth_method_of(conn, id).map(Some),
            )?,
            auth_config: nested(
                splices.as_deref_mut(),
                "auth_config",
                self.auth_config_id.as_deref(),
                |id| load_as(conn, id, |a: &AuthConfig| views::auth_config_full(conn, a)),
            )?,
            config: nested(splices, "config", self.config_id.as_deref(), |id| {
                load_as(conn, id, |c: &ProviderConfig| views::config(conn, c))
            })?,
        })
    }
}

/// The records a session shows (each `None` when it has none, or when left to a page's
/// splices).
struct Shown {
    /// Its deployment.
    deployment: Option<ProviderDeploymentPreview>,
    /// Its OAuth app credentials.
    credentials: Option<ProviderAuthCredentials>,
    /// Its auth method.
    auth_method: Option<ProviderAuthMethod>,
    /// The auth config it made.
    auth_config: Option<ProviderAuthConfig>,
    /// Its provider config.
    config: Option<metorial_models::ProviderConfig>,
}

/// A session whose every row-given field is empty, built through the generated builder (so a
/// field the spec adds gets its default): views are filled into copies of it, one built per
/// page, where a builder's setter chain per item moved the whole struct, room for its nested
/// views included, at every step (14% of a list page's time).
fn blank() -> Result<ProviderSetupSession, StoreError> {
    let never = timestamp(0);
    Ok(ProviderSetupSession::builder()
        .object("provider.setup_session")
        .url(String::new())
        .id(String::new())
        .type_(ProviderSetupSessionType::from(""))
        .status(ProviderSetupSessionStatus::from(""))
        .name(None)
        .description(None)
        .metadata(None)
        .provider_id(None)
        .auth_method(None)
        .deployment(None)
        .credentials(None)
        .auth_config(None)
        .config(None)
        .ui_mode(ProviderSetupSessionUiMode::from(""))
        .redirect_url(None)
        .created_at(never)
        .updated_at(never)
        .expires_at(never)
        .identity_credential_id(None)
        .try_into()?)
}

/// The status the live API shows for a stored status: a `pending` session whose time is up is
/// shown `expired`, though the stored row (and its `updated_at`) stay as they are.
pub(crate) fn shown_status(stored: &str, expires_at: i64, now: i64) -> &str {
    if stored == "pending" && expires_at <= now {
        "expired"
    } else {
        stored
    }
}

/// The stored session, if any.
fn find(conn: &Connection, id: &str) -> Result<Option<SessionRow>, StoreError> {
    let sql = format!("SELECT {} FROM {} WHERE id = ?", TABLE.columns, TABLE.name);
    Ok(conn
        .prepare_cached(&sql)?
        .query_row([id], SessionRow::read)
        .optional()?)
}

fn find_or_404(conn: &Connection, id: &str) -> Result<SessionRow, StoreError> {
    find(conn, id)?.ok_or_else(|| StoreError::not_found(entity::SETUP_SESSION, id))
}

/// Creates a session (its `redirect_url` already checked).
pub(crate) fn create(
    db: &mut Db<'_>,
    body: CreateProviderSetupSessionBody,
) -> Result<ProviderSetupSession, StoreError> {
    let tx = db.conn.transaction()?;
    let plan = Plan::resolve(&tx, &body)?;
    let configuration = sent_configuration(body.configuration.as_ref())?;
    let metadata = body
        .metadata
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let now = db.context.clock.now_ms();
    let id = db.ids.next(ids::SETUP_SESSION, now);
    let expires_at = crate::time::later(now, db.context.config.session_lifetime_ms());
    tx.prepare_cached(
        "INSERT INTO setup_sessions (id, provider_id, deployment_id, auth_method_id, identity_id,
             configuration, credentials_id, config_id, auth_config_id, status, type, ui_mode,
             name, description, metadata, redirect_url, created_at, updated_at, expires_at)
         VALUES (:id, :provider_id, :deployment_id, :auth_method_id, :identity_id,
             :configuration, :credentials_id, :config_id, NULL, 'pending', :type,
             'metorial_elements', :name, :description, :metadata, :redirect_url, :now, :now,
             :expires_at)",
    )?
    .execute(rusqlite::named_params! {
        ":id": id,
        ":provider_id": plan.provider_id,
        ":deployment_id": plan.deployment_id,
        ":auth_method_id": plan.auth_method_id,
        ":identity_id": body.identity_id,
        ":configuration": configuration,
        ":credentials_id": plan.credentials_id,
        ":config_id": plan.config_id,
        ":type": plan.type_.to_string(),
        ":name": name(body.name.as_deref()),
        ":description": body.description,
        ":metadata": metadata,
        ":redirect_url": body.redirect_url,
        ":now": now,
        ":expires_at": expires_at,
    })?;
    let session = find_or_404(&tx, &id)?.view(&tx, db.context)?;
    tx.commit()?;
    Ok(session)
}

/// What a new session refers to, resolved and checked against the catalog.
struct Plan {
    type_: ProviderSetupSessionType,
    provider_id: Option<String>,
    deployment_id: Option<String>,
    auth_method_id: Option<String>,
    credentials_id: Option<String>,
    config_id: Option<String>,
}

impl Plan {
    /// Resolves the body's references: unknown IDs are 404 `not_found`, another provider's
    /// objects 400 `provider_mismatch`, as on the live API.
    fn resolve(
        conn: &Connection,
        body: &CreateProviderSetupSessionBody,
    ) -> Result<Self, StoreError> {
        let deployment = match body.provider_deployment_id.as_deref() {
            Some(id) => Some(catalog::referenced::<Deployment>(
                conn,
                body.provider_id.as_deref(),
                id,
            )?),
            None => None,
        };
        let provider_id = match (&body.provider_id, &deployment) {
            (Some(id), _) => Some(provider(conn, id)?),
            (None, Some(d)) => Some(d.provider_id.clone()),
            (None, None) => None,
        };
        let config = match &deployment {
            Some(d) => catalog::deployment_config(conn, &d.id)?,
            None => None,
        };
        let has_auth = match &provider_id {
            Some(id) => catalog::default_auth_method(conn, id)?.is_some(),
            None => false,
        };
        let type_ = session_type(body.type_.as_ref(), has_auth, config.is_some())?;
        let with_config = type_ != ProviderSetupSessionType::AuthOnly;
        let config_id = config.filter(|_| with_config).map(|c| c.id);
        let mut plan = Self {
            type_,
            provider_id,
            deployment_id: deployment.map(|d| d.id),
            auth_method_id: None,
            credentials_id: None,
            config_id,
        };
        if plan.type_ != ProviderSetupSessionType::ConfigOnly {
            plan.resolve_auth(conn, body)?;
        }
        Ok(plan)
    }

    /// The auth method and OAuth credentials of a session that sets up auth.
    fn resolve_auth(
        &mut self,
        conn: &Connection,
        body: &CreateProviderSetupSessionBody,
    ) -> Result<(), StoreError> {
        // The live API lets the user pick a provider in Metorial's UI; the emulator has no
        // provider picker, so a session that sets up auth names its provider (FIDELITY.md).
        let provider_id = self.provider_id.clone().ok_or_else(|| {
            StoreError::invalid_with_code(
                vec!["provider_id".into()],
                "invalid_type",
                "the emulator needs `provider_id` (or `provider_deployment_id`) for a session \
                 that sets up auth",
            )
        })?;
        let method = catalog::resolve_auth_method(
            conn,
            &provider_id,
            "provider_auth_method_id",
            body.provider_auth_method_id.as_deref(),
        )?;
        let credentials = catalog::resolve_credentials(
            conn,
            &provider_id,
            body.provider_auth_credentials_id.as_deref(),
        )?
        .ok_or_else(|| {
            StoreError::MissingAuthCredentials(format!(
                "No default provider auth credentials found for oauth method (provider \
                 {provider_id}: name some with provider_auth_credentials_id)"
            ))
        })?;
        self.auth_method_id = Some(method.id);
        self.credentials_id = Some(credentials.id);
        Ok(())
    }
}

/// The name a new session gets: the one sent, trimmed; none when that is blank; "Setup
/// Session" when none was sent (as on the live API).
fn name(sent: Option<&str>) -> Option<&str> {
    match sent {
        None => Some(DEFAULT_NAME),
        Some(name) => Some(name.trim()).filter(|n| !n.is_empty()),
    }
}

/// What a session stores of its configuration: the sections the request sent (`{}` for none;
/// the defaults are not stored with every session, [`configuration`] adds them when shown). A
/// row without one (`NULL`: a snapshot's, as the live API's rows from before the defaults)
/// shows none.
const NO_SECTIONS: &str = "{}";

/// The configuration text a new session stores (see [`NO_SECTIONS`]).
fn sent_configuration(sent: Option<&SetupSessionConfiguration>) -> Result<String, StoreError> {
    Ok(match sent.map(serde_json::to_value).transpose()? {
        Some(serde_json::Value::Object(sent)) => serde_json::Value::Object(sent).to_string(),
        _ => NO_SECTIONS.to_owned(),
    })
}

/// The configuration a session shows: the live API's defaults, with the sections it was sent
/// (`stored`) on top.
fn configuration(
    stored: Option<serde_json::Map<String, serde_json::Value>>,
) -> serde_json::Map<String, serde_json::Value> {
    let mut merged = match serde_json::json!({
        "provider_search": { "groups": [], "collections": [], "categories": [] },
        "tool_filters": { "enabled": false },
        "ui": { "layout": "box" },
    }) {
        serde_json::Value::Object(map) => map,
        _ => serde_json::Map::new(),
    };
    for (section, fields) in stored.unwrap_or_default() {
        match (merged.get_mut(&section), fields) {
            (Some(serde_json::Value::Object(into)), serde_json::Value::Object(fields)) => {
                into.extend(fields);
            }
            (_, fields) => {
                merged.insert(section, fields);
            }
        }
    }
    merged
}

/// The provider `id`, which must exist (404 otherwise).
fn provider(conn: &Connection, id: &str) -> Result<String, StoreError> {
    match load::<Provider>(conn, id)? {
        Some(p) => Ok(p.id),
        None => Err(StoreError::not_found(entity::PROVIDER, id)),
    }
}

/// The type a new session gets. `auto` (the default) resolves as on the live API: auth and
/// configuration when the provider has an auth method and the deployment a config, auth only
/// when it has just the auth method, configuration only otherwise.
fn session_type(
    requested: Option<&CreateProviderSetupSessionType>,
    has_auth: bool,
    has_config: bool,
) -> Result<ProviderSetupSessionType, StoreError> {
    use CreateProviderSetupSessionType as Requested;
    Ok(match requested {
        None | Some(Requested::Auto) => match (has_auth, has_config) {
            (true, true) => ProviderSetupSessionType::AuthAndConfig,
            (true, false) => ProviderSetupSessionType::AuthOnly,
            (false, _) => ProviderSetupSessionType::ConfigOnly,
        },
        Some(Requested::AuthOnly) => ProviderSetupSessionType::AuthOnly,
        Some(Requested::ConfigOnly) => ProviderSetupSessionType::ConfigOnly,
        Some(Requested::AuthAndConfig) => ProviderSetupSessionType::AuthAndConfig,
        Some(Requested::Unknown(other)) => {
            return Err(StoreError::invalid_with_code(
                vec!["type".into()],
                "invalid_enum",
                format!(
                    "Invalid input, expected one of auto, auth_only, config_only, \
                     auth_and_config, received {other}"
                ),
            ));
        }
    })
}

/// The session with this ID.
pub(crate) fn get(db: &mut Db<'_>, id: &str) -> Result<ProviderSetupSession, StoreError> {
    find_or_404(db.conn, id)?.view(db.conn, db.context)
}

/// A page of sessions. The `status` filter matches the stored status, as on the live API, so
/// a `pending` session whose time is up is found by `status=pending` and shown `expired`.
pub(crate) fn list(
    db: &mut Db<'_>,
    request: &PageRequest,
    filters: &[Filter],
) -> Result<Spliced<ProviderSetupSessionList>, StoreError> {
    let (rows, pagination) = paging::page(db.conn, &TABLE, filters, request, SessionRow::read)?;
    let mut splices = Splices::default();
    let now = db.context.clock.now_ms();
    let blank = blank()?;
    let mut items = Vec::with_capacity(rows.len());
    for row in rows {
        splices.next_item();
        items.push(row.view_at(db.conn, db.context, &blank, Some(&mut splices), now)?);
    }
    let list = ProviderSetupSessionList::builder()
        .items(items)
        .pagination(pagination)
        .try_into()?;
    Ok(splices.page(list))
}

/// Updates the fields sent; an archived or deleted session is 410 `gone`.
pub(crate) fn update(
    db: &mut Db<'_>,
    id: &str,
    body: UpdateProviderSetupSessionBody,
) -> Result<ProviderSetupSession, StoreError> {
    let now = db.context.clock.now_ms();
    let tx = db.conn.transaction()?;
    let row = find_or_404(&tx, id)?;
    if matches!(row.status.as_str(), "archived" | "deleted") {
        return Err(StoreError::Gone(format!(
            "setup session {id} is {} and can no longer be changed",
            row.status
        )));
    }
    let metadata = match &body.metadata {
        Some(m) => Some(serde_json::to_string(m)?),
        None => row.metadata,
    };
    tx.prepare_cached(
        "UPDATE setup_sessions SET name = ?, description = ?, metadata = ?, identity_id = ?,
             updated_at = ?
         WHERE id = ?",
    )?
    .execute(params![
        body.name.or(row.name),
        body.description.or(row.description),
        metadata,
        body.identity_id.or(row.identity_id),
        now.max(row.updated_at),
        id
    ])?;
    let session = find_or_404(&tx, id)?.view(&tx, db.context)?;
    tx.commit()?;
    Ok(session)
}

/// "Deletes" a session as the live API does at the version this emulator follows: the session
/// is answered unchanged and stays readable (FIDELITY.md).
pub(crate) fn delete(db: &mut Db<'_>, id: &str) -> Result<ProviderSetupSession, StoreError> {
    get(db, id)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::store::paging::Order;
    use crate::store::snapshot::testing::{DEPLOYMENT, store, with_db};

    #[test]
    fn only_the_sent_configuration_is_stored_and_a_page_shows_what_a_read_shows() {
        let store = store();
        let sessions = with_db(&store, |db| {
            let plain = json!({"provider_deployment_id": DEPLOYMENT});
            let sent = json!({
                "provider_deployment_id": DEPLOYMENT,
                "configuration": {"ui": {"layout": "side"}},
            });
            [plain, sent].map(|body| create(db, serde_json::from_value(body).unwrap()).unwrap())
        });
        let stored = with_db(&store, |db| {
            let mut stmt = db
                .conn
                .prepare("SELECT configuration FROM setup_sessions ORDER BY id")
                .unwrap();
            let rows = stmt.query_map([], |row| row.get::<_, Option<String>>(0));
            rows.unwrap().collect::<Result<Vec<_>, _>>().unwrap()
        });
        let sent = r#"{"ui":{"layout":"side"}}"#;
        assert_eq!(stored, [Some("{}".to_owned()), Some(sent.to_owned())]);
        let shown = |s: &ProviderSetupSession| json!(s.configuration)["ui"]["layout"].clone();
        assert_eq!(shown(&sessions[0]), "box");
        assert_eq!(shown(&sessions[1]), "side");

        // A third session's row without one (a snapshot's) shows none, as the live API's old
        // rows do.
        let bare = with_db(&store, |db| {
            let body = json!({"provider_deployment_id": DEPLOYMENT});
            let bare = create(db, serde_json::from_value(body).unwrap()).unwrap();
            let sql = "UPDATE setup_sessions SET configuration = NULL WHERE id = ?";
            db.conn.execute(sql, [&bare.id]).unwrap();
            get(db, &bare.id).unwrap()
        });
        assert_eq!(bare.configuration, None);
        let sessions = [&sessions[0], &sessions[1], &bare];

        let request = PageRequest {
            limit: 10,
            order: Order::Asc,
            cursor: None,
            dates: Vec::new(),
        };
        let page = with_db(&store, |db| list(db, &request, &[])).unwrap();
        let listed: serde_json::Value = serde_json::to_value(&page).unwrap();
        for (item, session) in listed["items"].as_array().unwrap().iter().zip(sessions) {
            let read = with_db(&store, |db| get(db, &session.id)).unwrap();
            assert_eq!(*item, serde_json::to_value(&read).unwrap());
        }
        assert_eq!(listed["items"].as_array().unwrap().len(), 3);
    }
}
