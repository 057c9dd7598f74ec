//! The stored side of the OAuth flow, shared by setup sessions and OAuth setups: single-use
//! `state`s with their PKCE verifiers, and the completion or failure of a flow.

use metorial_models::{
    ProviderAuthConfigSource, ProviderAuthConfigStatus, ProviderAuthConfigType, SecretObject,
};
use rusqlite::{OptionalExtension, params};

use super::catalog::{self, load_referenced};
use super::oauth_setups::config_client;
use super::{Db, setup_sessions, sweep_expired};
use crate::errors::ApiError;
use crate::fixtures::{AuthConfig, AuthMethod, Credentials, Provider, SecretString};
use crate::ids;
use crate::time::{now_ms, timestamp};

/// What a flow belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FlowKind {
    /// A provider setup session (`pas_...`).
    SetupSession,
    /// A provider OAuth setup (`pos_...`).
    OauthSetup,
}

impl FlowKind {
    /// The kind of the object with this ID, from its prefix.
    pub(crate) fn of(id: &str) -> Option<Self> {
        let (prefix, _) = id.split_once('_')?;
        match prefix {
            ids::SETUP_SESSION => Some(Self::SetupSession),
            ids::OAUTH_SETUP => Some(Self::OauthSetup),
            _ => None,
        }
    }

    fn table(self) -> &'static str {
        match self {
            Self::SetupSession => "setup_sessions",
            Self::OauthSetup => "oauth_setups",
        }
    }

    /// The statuses of a flow that has not finished yet.
    pub(crate) fn open_statuses(self) -> &'static [&'static str] {
        match self {
            Self::SetupSession => &["pending"],
            Self::OauthSetup => &["unused", "opened"],
        }
    }

    /// An SQL list of [`open_statuses`](Self::open_statuses) (constants of the code).
    fn open_sql(self) -> &'static str {
        match self {
            Self::SetupSession => "('pending')",
            Self::OauthSetup => "('unused', 'opened')",
        }
    }

    /// The query parameter naming the object in the final redirect.
    pub(crate) fn id_param(self) -> &'static str {
        match self {
            Self::SetupSession => "setup_session_id",
            Self::OauthSetup => "oauth_setup_id",
        }
    }

    /// The object's name for people.
    pub(crate) fn noun(self) -> &'static str {
        match self {
            Self::SetupSession => "setup session",
            Self::OauthSetup => "OAuth setup",
        }
    }
}

/// A flow and everything needed to run it.
pub(crate) struct Flow {
    /// What it belongs to.
    pub(crate) kind: FlowKind,
    /// The session's or setup's ID.
    pub(crate) id: String,
    /// Its status (`pending`/`unused` while open).
    pub(crate) status: String,
    /// Where to send the browser at the end.
    pub(crate) redirect_url: Option<String>,
    /// Its display name.
    name: Option<String>,
    /// The provider.
    pub(crate) provider: Provider,
    /// The auth method (its scopes are requested).
    pub(crate) auth_method: AuthMethod,
    deployment_id: Option<String>,
    credentials_id: Option<String>,
    /// The OAuth client ID.
    pub(crate) client_id: String,
    /// The OAuth client secret.
    pub(crate) client_secret: SecretString,
}

impl Flow {
    /// Whether the flow can still complete.
    pub(crate) fn is_open(&self) -> bool {
        self.kind.open_statuses().contains(&self.status.as_str())
    }
}

/// The columns of a flow, as stored by setup sessions and OAuth setups alike.
struct FlowRow {
    provider_id: Option<String>,
    deployment_id: Option<String>,
    auth_method_id: Option<String>,
    credentials_id: Option<String>,
    status: String,
    redirect_url: Option<String>,
    name: Option<String>,
    config: Option<String>,
    expires_at: i64,
}

impl FlowRow {
    /// The flow row of `id`, read by column name.
    fn find(db: &mut Db<'_>, kind: FlowKind, id: &str) -> Result<Option<Self>, ApiError> {
        let config_column = match kind {
            FlowKind::SetupSession => "NULL",
            FlowKind::OauthSetup => "config",
        };
        let sql = format!(
            "SELECT provider_id, deployment_id, auth_method_id, credentials_id, status,
                    redirect_url, name, {config_column} AS config, expires_at
             FROM {} WHERE id = ?",
            kind.table()
        );
        Ok(db
            .conn
            .prepare_cached(&sql)?
            .query_row([id], |r| {
                Ok(Self {
                    provider_id: r.get("provider_id")?,
                    deployment_id: r.get("deployment_id")?,
                    auth_method_id: r.get("auth_method_id")?,
                    credentials_id: r.get("credentials_id")?,
                    status: r.get("status")?,
                    redirect_url: r.get("redirect_url")?,
                    name: r.get("name")?,
                    config: r.get("config")?,
                    expires_at: r.get("expires_at")?,
                })
            })
            .optional()?)
    }
}

/// The flow of the session or setup with this ID, if any (expiry applied first). A
/// `config_only` session has no OAuth flow: 400 `bad_request`.
pub(crate) fn load(db: &mut Db<'_>, id: &str) -> Result<Option<Flow>, ApiError> {
    let now = now_ms();
    sweep_expired(db.conn, now)?;
    let Some(kind) = FlowKind::of(id) else {
        return Ok(None);
    };
    let Some(row) = FlowRow::find(db, kind, id)? else {
        return Ok(None);
    };
    let (Some(provider_id), Some(auth_method_id)) = (&row.provider_id, &row.auth_method_id) else {
        return Err(ApiError::bad_request(format!(
            "{id} sets up configuration only, which needs Metorial's configuration UI; \
             the emulator has none"
        )));
    };
    let conn: &rusqlite::Connection = db.conn;
    let (client_id, client_secret) = oauth_client(conn, id, &row)?;
    Ok(Some(Flow {
        kind,
        id: id.to_owned(),
        status: setup_sessions::shown_status(&row.status, row.expires_at, now).to_owned(),
        redirect_url: row.redirect_url,
        name: row.name,
        provider: load_referenced::<Provider>(conn, provider_id)?,
        auth_method: load_referenced::<AuthMethod>(conn, auth_method_id)?,
        deployment_id: row.deployment_id,
        credentials_id: row.credentials_id,
        client_id,
        client_secret,
    }))
}

/// The OAuth client of a flow: the one its OAuth setup's config names, or its credentials'.
fn oauth_client(
    conn: &rusqlite::Connection,
    id: &str,
    row: &FlowRow,
) -> Result<(String, SecretString), ApiError> {
    let own_client = match &row.config {
        Some(text) => config_client(&serde_json::from_str(text)?),
        None => None,
    };
    if let Some((client_id, secret)) = own_client {
        return Ok((client_id, SecretString::new(secret)));
    }
    match &row.credentials_id {
        Some(cid) => {
            let c = load_referenced::<Credentials>(conn, cid)?;
            Ok((c.client_id, c.client_secret))
        }
        None => Err(ApiError::internal(format_args!("{id} has no OAuth client"))),
    }
}

/// Remembers a new single-use `state` of a flow and its PKCE verifier.
pub(crate) fn insert_state(
    db: &mut Db<'_>,
    state: &str,
    flow_id: &str,
    pkce_verifier: &str,
    lifetime_ms: i64,
) -> Result<(), ApiError> {
    let now = now_ms();
    db.conn
        .prepare_cached(
            "INSERT INTO oauth_states (state, flow_id, pkce_verifier, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?)",
        )?
        .execute(params![
            state,
            flow_id,
            pkce_verifier,
            now,
            now.saturating_add(lifetime_ms)
        ])?;
    Ok(())
}

/// What a callback's `state` turned out to be.
pub(crate) enum Claim {
    /// No flow issued it (forged, or its session was deleted).
    Unknown,
    /// It was already used (a replay).
    Used,
    /// Its flow is over (completed, failed, expired); nothing was changed.
    Closed(Flow),
    /// It is older than a `state` may be (the flow itself is still open).
    Stale,
    /// It was valid and is now used up.
    Claimed {
        /// The flow to finish.
        flow: Flow,
        /// The PKCE verifier for the code exchange.
        pkce_verifier: String,
    },
}

/// Uses up a callback's `state` if it is valid and its flow still open; changes nothing
/// otherwise.
pub(crate) fn claim_state(db: &mut Db<'_>, state: &str) -> Result<Claim, ApiError> {
    let now = now_ms();
    let row: Option<(String, String, i64, Option<i64>)> = db
        .conn
        .prepare_cached(
            "SELECT flow_id, pkce_verifier, expires_at, used_at FROM oauth_states WHERE state = ?",
        )?
        .query_row([state], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .optional()?;
    let Some((flow_id, pkce_verifier, expires_at, used_at)) = row else {
        return Ok(Claim::Unknown);
    };
    if used_at.is_some() {
        return Ok(Claim::Used);
    }
    let Some(flow) = load(db, &flow_id)? else {
        return Ok(Claim::Unknown);
    };
    if !flow.is_open() {
        return Ok(Claim::Closed(flow));
    }
    if expires_at <= now {
        return Ok(Claim::Stale);
    }
    let claimed = db
        .conn
        .prepare_cached("UPDATE oauth_states SET used_at = ? WHERE state = ? AND used_at IS NULL")?
        .execute(params![now, state])?;
    if claimed == 0 {
        return Ok(Claim::Used);
    }
    Ok(Claim::Claimed {
        flow,
        pkce_verifier,
    })
}

/// Marks an open flow `failed`; false if it was no longer open.
pub(crate) fn fail(db: &mut Db<'_>, flow: &Flow) -> Result<bool, ApiError> {
    let now = now_ms();
    sweep_expired(db.conn, now)?;
    let sql = format!(
        "UPDATE {} SET status = 'failed', updated_at = ? WHERE id = ? AND status IN {}",
        flow.kind.table(),
        flow.kind.open_sql()
    );
    let changed = db
        .conn
        .prepare_cached(&sql)?
        .execute(params![now, flow.id])?;
    Ok(changed > 0)
}

/// Stores the tokens in a new active auth config and marks the flow `completed` with it, in one
/// transaction. `None` (and no change) if the flow was no longer open.
pub(crate) fn complete(
    db: &mut Db<'_>,
    flow: &Flow,
    tokens: SecretObject,
) -> Result<Option<String>, ApiError> {
    let now = now_ms();
    sweep_expired(db.conn, now)?;
    let tx = db.conn.transaction()?;
    let id = db.ids.next(ids::AUTH_CONFIG, now);
    let auth_config = AuthConfig {
        id: id.clone(),
        provider_id: flow.provider.id.clone(),
        deployment_id: flow.deployment_id.clone(),
        auth_method_id: flow.auth_method.id.clone(),
        credentials_id: flow.credentials_id.clone(),
        type_: ProviderAuthConfigType::OauthAutomated,
        source: ProviderAuthConfigSource::SetupSession,
        status: ProviderAuthConfigStatus::Active,
        is_default: false,
        name: Some(
            flow.name
                .clone()
                .unwrap_or_else(|| format!("{} OAuth", flow.provider.name)),
        ),
        description: Some(format!("Created by {} {}", flow.kind.noun(), flow.id)),
        metadata: None,
        value: tokens,
        created_at: timestamp(now),
        updated_at: timestamp(now),
    };
    catalog::insert_auth_config(&tx, &auth_config)?;
    let sql = format!(
        "UPDATE {} SET status = 'completed', auth_config_id = ?, updated_at = ?
         WHERE id = ? AND status IN {} AND expires_at > ?",
        flow.kind.table(),
        flow.kind.open_sql()
    );
    let changed = tx
        .prepare_cached(&sql)?
        .execute(params![id, now, flow.id, now])?;
    if changed == 0 {
        return Ok(None); // The transaction rolls back on drop.
    }
    tx.commit()?;
    Ok(Some(id))
}
