//! The stored side of the OAuth flow, shared by setup sessions and OAuth setups: single-use
//! `state`s with their PKCE verifiers, and the completion or failure of a flow.
//!
//! Anyone holding a flow's URL (no API key) can make a `state` by opening it, so `state`s are
//! bounded: before each insert, those long expired are purged, and the oldest are evicted past
//! [`MAX_STATES_PER_FLOW`] for the flow and [`MAX_STATES`] in all (the newest always works).

use std::fmt;

use metorial_models::{
    ProviderAuthConfigSource, ProviderAuthConfigStatus, ProviderAuthConfigType, SecretObject,
};
use rusqlite::{OptionalExtension, params};

use super::StoreError;
use super::catalog::{self, load_referenced};
use super::expiring::{Expiring, Scope};
use super::oauth_setups::config_client;
use super::{Db, setup_sessions, sweep_expired};
use crate::fixtures::{AuthConfig, AuthMethod, Credentials, Provider, SecretString};
use crate::ids;
use crate::time::timestamp;

/// How long a `state` handed to the provider stays valid.
const STATE_LIFETIME_MS: i64 = 60 * 60 * 1000;
/// How long an expired or used `state` is kept after its expiry, so that a late or replayed
/// callback is told so (rather than "unknown").
const STATE_RETENTION_MS: i64 = 60 * 60 * 1000;
/// The most `state`s one flow may have (each visit of its URL makes one); beyond, its oldest
/// are evicted.
pub(crate) const MAX_STATES_PER_FLOW: i64 = 10;
/// The most `state`s in all; beyond, the oldest are evicted.
pub(crate) const MAX_STATES: i64 = 10_000;

/// The `state`s' table.
const STATES: Expiring = Expiring {
    table: "oauth_states",
    key: "state",
};

/// The status of a flow: a setup session's (`pending`, `completed`, `failed`, `archived`, ...)
/// or an OAuth setup's (`unused`, `opened`, `completed`, `failed`, `expired`), with `expired`
/// shown for a session whose time is up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum FlowStatus {
    /// A setup session waiting to be completed.
    Pending,
    /// An OAuth setup whose URL was not opened yet.
    Unused,
    /// An OAuth setup whose URL was opened.
    Opened,
    /// Completed: the tokens are in its auth config.
    Completed,
    /// Failed (denied, or the code exchange failed).
    Failed,
    /// Its time is up.
    Expired,
    /// A stored status this code does not complete flows from (`archived`, ...), as stored.
    Other(String),
}

impl FlowStatus {
    /// The status stored (or shown) as `text`.
    pub(crate) fn parse(text: &str) -> Self {
        match text {
            "pending" => Self::Pending,
            "unused" => Self::Unused,
            "opened" => Self::Opened,
            "completed" => Self::Completed,
            "failed" => Self::Failed,
            "expired" => Self::Expired,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The status as stored and shown.
    pub(crate) fn as_str(&self) -> &str {
        match self {
            Self::Pending => "pending",
            Self::Unused => "unused",
            Self::Opened => "opened",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Other(text) => text,
        }
    }
}

impl fmt::Display for FlowStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

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

    /// Its table.
    fn table(self) -> &'static str {
        match self {
            Self::SetupSession => "setup_sessions",
            Self::OauthSetup => "oauth_setups",
        }
    }

    /// The statuses of a flow that has not finished yet.
    pub(crate) fn open_statuses(self) -> &'static [FlowStatus] {
        match self {
            Self::SetupSession => &[FlowStatus::Pending],
            Self::OauthSetup => &[FlowStatus::Unused, FlowStatus::Opened],
        }
    }

    /// An SQL list of [`open_statuses`](Self::open_statuses), e.g. `('unused', 'opened')`
    /// (constants of the code, never input).
    fn open_sql(self) -> String {
        let quoted: Vec<String> = self
            .open_statuses()
            .iter()
            .map(|status| format!("'{status}'"))
            .collect();
        format!("({})", quoted.join(", "))
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
    /// Its status as shown (`pending`, `unused` or `opened` while open).
    pub(crate) status: FlowStatus,
    /// Where to send the browser at the end.
    pub(crate) redirect_url: Option<String>,
    /// Its display name.
    name: Option<String>,
    /// The provider.
    pub(crate) provider: Provider,
    /// The auth method (its scopes are requested).
    pub(crate) auth_method: AuthMethod,
    /// The deployment, if any (the auth config records it).
    deployment_id: Option<String>,
    /// The fixtures' OAuth app credentials, unless the setup brings its own app.
    credentials_id: Option<String>,
    /// The OAuth client ID.
    pub(crate) client_id: String,
    /// The OAuth client secret.
    pub(crate) client_secret: SecretString,
}

impl Flow {
    /// Whether the flow can still complete.
    pub(crate) fn is_open(&self) -> bool {
        self.kind.open_statuses().contains(&self.status)
    }

    /// The active auth config completing this flow creates, holding `tokens`.
    fn auth_config(&self, id: String, tokens: SecretObject, now: i64) -> AuthConfig {
        AuthConfig {
            id,
            provider_id: self.provider.id.clone(),
            deployment_id: self.deployment_id.clone(),
            auth_method_id: self.auth_method.id.clone(),
            credentials_id: self.credentials_id.clone(),
            type_: ProviderAuthConfigType::OauthAutomated,
            source: ProviderAuthConfigSource::SetupSession,
            status: ProviderAuthConfigStatus::Active,
            is_default: false,
            name: Some(
                self.name
                    .clone()
                    .unwrap_or_else(|| format!("{} OAuth", self.provider.name)),
            ),
            description: Some(format!("Created by {} {}", self.kind.noun(), self.id)),
            metadata: None,
            value: tokens,
            created_at: timestamp(now),
            updated_at: timestamp(now),
        }
    }
}

/// The columns of a flow, as stored by setup sessions and OAuth setups alike.
struct FlowRow {
    /// The provider (none for a `config_only` session).
    provider_id: Option<String>,
    /// The deployment.
    deployment_id: Option<String>,
    /// The auth method (none for a `config_only` session).
    auth_method_id: Option<String>,
    /// The OAuth app credentials.
    credentials_id: Option<String>,
    /// The stored status.
    status: String,
    /// Where the browser goes at the end.
    redirect_url: Option<String>,
    /// The display name.
    name: Option<String>,
    /// An OAuth setup's config (JSON), which may name its own OAuth app.
    config: Option<String>,
    /// When it expires (milliseconds).
    expires_at: i64,
}

impl FlowRow {
    /// The flow row of `id`, read by column name.
    fn find(db: &mut Db<'_>, kind: FlowKind, id: &str) -> Result<Option<Self>, StoreError> {
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
pub(crate) fn load(db: &mut Db<'_>, id: &str) -> Result<Option<Flow>, StoreError> {
    let now = db.context.clock.now_ms();
    sweep_expired(db.conn, now)?;
    let Some(kind) = FlowKind::of(id) else {
        return Ok(None);
    };
    let Some(row) = FlowRow::find(db, kind, id)? else {
        return Ok(None);
    };
    let (Some(provider_id), Some(auth_method_id)) = (&row.provider_id, &row.auth_method_id) else {
        return Err(StoreError::BadRequest(format!(
            "{id} sets up configuration only, which needs Metorial's configuration UI; \
             the emulator has none"
        )));
    };
    let conn: &rusqlite::Connection = db.conn;
    let (client_id, client_secret) = oauth_client(conn, id, &row)?;
    Ok(Some(Flow {
        kind,
        id: id.to_owned(),
        status: FlowStatus::parse(setup_sessions::shown_status(
            &row.status,
            row.expires_at,
            now,
        )),
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
) -> Result<(String, SecretString), StoreError> {
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
        None => Err(StoreError::Internal(format!("{id} has no OAuth client"))),
    }
}

/// Remembers a new single-use `state` of a flow and its PKCE verifier, valid for an hour
/// (making room first: see the module's notes).
pub(crate) fn insert_state(
    db: &mut Db<'_>,
    state: &str,
    flow_id: &str,
    pkce_verifier: &str,
) -> Result<(), StoreError> {
    let now = db.context.clock.now_ms();
    let tx = db.conn.transaction()?;
    let caps = [
        (
            Scope::Where {
                column: "flow_id",
                value: flow_id,
            },
            MAX_STATES_PER_FLOW,
        ),
        (Scope::All, MAX_STATES),
    ];
    STATES.make_room(&tx, now.saturating_sub(STATE_RETENTION_MS), &caps)?;
    tx.prepare_cached(
        "INSERT INTO oauth_states (state, flow_id, pkce_verifier, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?)",
    )?
    .execute(params![
        state,
        flow_id,
        pkce_verifier,
        now,
        crate::time::later(now, STATE_LIFETIME_MS)
    ])?;
    tx.commit()?;
    Ok(())
}

/// What a callback's `state` turned out to be.
pub(crate) enum Claim {
    /// No flow issued it (forged, evicted, or its session was deleted).
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

/// A stored `state`, read by column name.
struct StateRow {
    /// The flow that issued it.
    flow_id: String,
    /// The PKCE verifier of its authorization request.
    pkce_verifier: String,
    /// When it stops being valid (milliseconds).
    expires_at: i64,
    /// When a callback used it, if one did.
    used_at: Option<i64>,
}

impl StateRow {
    /// The row of `state`, if any.
    fn find(conn: &rusqlite::Connection, state: &str) -> Result<Option<Self>, StoreError> {
        Ok(conn
            .prepare_cached(
                "SELECT flow_id, pkce_verifier, expires_at, used_at FROM oauth_states
                 WHERE state = ?",
            )?
            .query_row([state], |r| {
                Ok(Self {
                    flow_id: r.get("flow_id")?,
                    pkce_verifier: r.get("pkce_verifier")?,
                    expires_at: r.get("expires_at")?,
                    used_at: r.get("used_at")?,
                })
            })
            .optional()?)
    }
}

/// Uses up a callback's `state` if it is valid and its flow still open; changes nothing
/// otherwise.
pub(crate) fn claim_state(db: &mut Db<'_>, state: &str) -> Result<Claim, StoreError> {
    let now = db.context.clock.now_ms();
    let Some(row) = StateRow::find(db.conn, state)? else {
        return Ok(Claim::Unknown);
    };
    if row.used_at.is_some() {
        return Ok(Claim::Used);
    }
    let Some(flow) = load(db, &row.flow_id)? else {
        return Ok(Claim::Unknown);
    };
    if !flow.is_open() {
        return Ok(Claim::Closed(flow));
    }
    if row.expires_at <= now {
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
        pkce_verifier: row.pkce_verifier,
    })
}

/// Where the flow that issued this (unused, unexpired) `state` sends the browser at its end:
/// `Some(None)` for a flow without `redirect_url`, `None` for an unknown `state`. The consent
/// page allows its form to lead there (its Content-Security-Policy's `form-action`).
pub(crate) fn final_redirect(
    db: &mut Db<'_>,
    state: &str,
) -> Result<Option<Option<String>>, StoreError> {
    let Some(row) = StateRow::find(db.conn, state)? else {
        return Ok(None);
    };
    if row.used_at.is_some() || row.expires_at <= db.context.clock.now_ms() {
        return Ok(None);
    }
    let Some(kind) = FlowKind::of(&row.flow_id) else {
        return Ok(None);
    };
    let sql = format!("SELECT redirect_url FROM {} WHERE id = ?", kind.table());
    Ok(db
        .conn
        .prepare_cached(&sql)?
        .query_row([&row.flow_id], |r| r.get("redirect_url"))
        .optional()?)
}

/// Marks an open flow `failed`; false if it was no longer open.
pub(crate) fn fail(db: &mut Db<'_>, flow: &Flow) -> Result<bool, StoreError> {
    let now = db.context.clock.now_ms();
    sweep_expired(db.conn, now)?;
    let sql = format!(
        "UPDATE {} SET status = ?, updated_at = ? WHERE id = ? AND status IN {}",
        flow.kind.table(),
        flow.kind.open_sql()
    );
    let changed = db.conn.prepare_cached(&sql)?.execute(params![
        FlowStatus::Failed.as_str(),
        now,
        flow.id
    ])?;
    Ok(changed > 0)
}

/// Stores the tokens in a new active auth config and marks the flow `completed` with it, in one
/// transaction. `None` (and no change) if the flow was no longer open.
pub(crate) fn complete(
    db: &mut Db<'_>,
    flow: &Flow,
    tokens: SecretObject,
) -> Result<Option<String>, StoreError> {
    let now = db.context.clock.now_ms();
    sweep_expired(db.conn, now)?;
    let tx = db.conn.transaction()?;
    let id = db.ids.next(ids::AUTH_CONFIG, now);
    let auth_config = flow.auth_config(id.clone(), tokens, now);
    catalog::insert_auth_config(&tx, &auth_config)?;
    let sql = format!(
        "UPDATE {} SET status = ?, auth_config_id = ?, updated_at = ?
         WHERE id = ? AND status IN {} AND expires_at > ?",
        flow.kind.table(),
        flow.kind.open_sql()
    );
    let changed = tx.prepare_cached(&sql)?.execute(params![
        FlowStatus::Completed.as_str(),
        id,
        now,
        flow.id,
        now
    ])?;
    if changed == 0 {
        return Ok(None); // The transaction rolls back on drop.
    }
    tx.commit()?;
    Ok(Some(id))
}
