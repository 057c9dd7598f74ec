//! The built-in fake OAuth provider's state: the OAuth apps (clients) it knows, pending consent
//! requests, authorization codes and the tokens it issued.
//!
//! Its clients are the fixtures' credentials and the OAuth apps OAuth setups name in their
//! `config`; each may only redirect to the emulator's own callback. Consent requests and codes
//! can be created by anyone with a browser (no API key), so they are bounded: expired ones are
//! purged before each insert and, past [`MAX_PENDING_REQUESTS`] / [`MAX_CODES`], the oldest are
//! evicted (a new request always gets through; a flood only makes older pending ones stale).
//! What the provider grants, and why it refuses, is [`grant`]'s.

pub(crate) mod grant;

use std::fmt;

use metorial_models::Timestamp;
use rusqlite::{Connection, OptionalExtension, Row, params};
use serde_json::{Map, Value};
use subtle::ConstantTimeEq;

use super::StoreError;
use super::expiring::{Expiring, Scope};
use super::{Context, Db, catalog};
use crate::ids::random_secret;
use crate::paths::CALLBACK_PATH;
use crate::time::timestamp;

/// A token the fake provider issued (for tests: an export must return exactly these).
#[derive(Clone, PartialEq, Eq)]
pub struct IssuedToken {
    /// The access token.
    pub access_token: String,
    /// The refresh token.
    pub refresh_token: String,
    /// The client it was issued to.
    pub client_id: String,
    /// The scopes granted (space-separated).
    pub scope: Option<String>,
    /// Its lifetime in seconds.
    pub expires_in: i64,
    /// When it was issued.
    pub issued_at: Timestamp,
}

impl fmt::Debug for IssuedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IssuedToken")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("client_id", &self.client_id)
            .field("scope", &self.scope)
            .field("expires_in", &self.expires_in)
            .field("issued_at", &self.issued_at)
            .finish()
    }
}

/// How long a consent page stays answerable.
const REQUEST_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// How long an authorization code can be exchanged.
const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// The lifetime of issued access tokens, in seconds.
pub(crate) const TOKEN_LIFETIME_S: i64 = 3600;
/// The most consent requests waiting for an answer; beyond, the oldest are evicted.
pub(crate) const MAX_PENDING_REQUESTS: i64 = 1000;
/// The most authorization codes waiting for an exchange; beyond, the oldest are evicted.
pub(crate) const MAX_CODES: i64 = 1000;
/// The most issued tokens remembered (for [`issued_tokens`]); beyond, the oldest are forgotten.
pub(crate) const MAX_ISSUED_TOKENS: i64 = 10_000;
/// The longest client ID the fake provider registers or accepts, in bytes.
pub(crate) const MAX_CLIENT_ID_LEN: usize = 512;
/// The longest client secret an OAuth setup may register, in bytes.
const MAX_CLIENT_SECRET_LEN: usize = 1024;
/// How many secrets and redirect URIs of one client are read at most.
const MAX_CLIENT_ROWS: i64 = 100;

/// The consent requests' table.
const REQUESTS: Expiring = Expiring {
    table: "fake_provider_requests",
    key: "id",
};
/// The authorization codes' table.
const CODES: Expiring = Expiring {
    table: "fake_provider_codes",
    key: "code",
};

/// The emulator's own OAuth callback: the one redirect URI of every client.
pub(crate) fn callback_url(context: &Context) -> String {
    format!("{}{CALLBACK_PATH}", context.public_url)
}

/// An OAuth app the fake provider knows.
pub(crate) struct Client {
    /// Its name for the consent page (from the fixtures' credentials), if it has one.
    pub(crate) name: Option<String>,
    /// Its secrets (the fixtures may give one client several).
    secrets: Vec<String>,
    /// The redirect URIs it registered (matched exactly, as parsed URLs).
    redirect_uris: Vec<String>,
}

impl Client {
    /// Whether `secret` is one of its secrets (each compared in constant time).
    pub(crate) fn authenticates(&self, secret: &str) -> bool {
        let mut ok = false;
        for registered in &self.secrets {
            let matches: bool = registered.as_bytes().ct_eq(secret.as_bytes()).into();
            ok |= matches;
        }
        ok
    }

    /// Whether codes for it may be sent to `uri`.
    pub(crate) fn allows_redirect(&self, uri: &url::Url) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| url::Url::parse(registered).is_ok_and(|r| &r == uri))
    }
}

/// The client with this ID, `None` if unknown: the fixtures' credentials with this client ID
/// (redirecting to the emulator's callback) and the OAuth apps setups registered.
pub(crate) fn client(
    conn: &Connection,
    context: &Context,
    client_id: &str,
) -> Result<Option<Client>, StoreError> {
    let fixtures = catalog::credentials_by_client_id(conn, client_id)?;
    let mut client = Client {
        name: fixtures.iter().find_map(|c| c.name.clone()),
        redirect_uris: Vec::new(),
        secrets: Vec::new(),
    };
    if !fixtures.is_empty() {
        client.redirect_uris.push(callback_url(context));
    }
    client.secrets.extend(
        fixtures
            .into_iter()
            .map(|c| c.client_secret.expose().to_owned()),
    );
    let mut stmt = conn.prepare_cached(
        "SELECT client_secret, redirect_uri FROM fake_provider_clients
         WHERE client_id = ? LIMIT ?",
    )?;
    let rows = stmt.query_map(params![client_id, MAX_CLIENT_ROWS], |r| {
        Ok((r.get("client_secret")?, r.get("redirect_uri")?))
    })?;
    for row in rows {
        let (secret, redirect_uri): (String, String) = row?;
        client.secrets.push(secret);
        client.redirect_uris.push(redirect_uri);
    }
    Ok((!client.secrets.is_empty()).then_some(client))
}

/// A string field of an OAuth setup's `config` naming its own OAuth app: non-empty, not too
/// long; 400 `invalid_data` at `config.<key>` otherwise.
fn config_field<'a>(
    value: Option<&'a Value>,
    key: &str,
    max: usize,
) -> Result<&'a str, StoreError> {
    let path = || vec!["config".into(), key.into()];
    match value {
        Some(Value::String(text)) if text.trim().is_empty() => Err(StoreError::invalid(
            path(),
            format!("{key} must not be empty"),
        )),
        Some(Value::String(text)) if text.len() > max => Err(StoreError::invalid(
            path(),
            format!("{key} must be at most {max} bytes long"),
        )),
        Some(Value::String(text)) => Ok(text),
        None | Some(Value::Null) => Err(StoreError::invalid(
            path(),
            "an OAuth app needs both client_id and client_secret",
        )),
        Some(_) => Err(StoreError::invalid_with_code(
            path(),
            "invalid_type",
            format!("{key} must be a string"),
        )),
    }
}

/// The OAuth app an OAuth setup's `config` names, checked: `None` if it names none (neither
/// `client_id` nor `client_secret`); both present, non-empty strings otherwise.
fn config_app(config: &Map<String, Value>) -> Result<Option<(&str, &str)>, StoreError> {
    let present = |key| config.get(key).is_some_and(|v| !v.is_null());
    if !present("client_id") && !present("client_secret") {
        return Ok(None);
    }
    let id = config_field(config.get("client_id"), "client_id", MAX_CLIENT_ID_LEN)?;
    let secret = config_field(
        config.get("client_secret"),
        "client_secret",
        MAX_CLIENT_SECRET_LEN,
    )?;
    Ok(Some((id, secret)))
}

/// Registers the OAuth app an OAuth setup's `config` names (`client_id`, `client_secret`), its
/// one redirect URI being the emulator's callback; false if the config names none.
///
/// A client ID belongs to whoever registered it first (the fixtures, or an earlier setup): a
/// setup naming it with another secret is refused, as are an empty or half-given app (400
/// `invalid_data` at `config.client_id` or `config.client_secret`). Otherwise anyone with the
/// API key could add secrets to the fixtures' clients.
pub(crate) fn register_config_client(
    conn: &Connection,
    context: &Context,
    config: &Map<String, Value>,
) -> Result<bool, StoreError> {
    let Some((client_id, secret)) = config_app(config)? else {
        return Ok(false);
    };
    let owner = client(conn, context, client_id)?;
    if owner.is_some_and(|owner| !owner.authenticates(secret)) {
        return Err(StoreError::invalid(
            vec!["config".into(), "client_id".into()],
            format!("client_id {client_id:?} is already registered with another secret"),
        ));
    }
    conn.prepare_cached(
        "INSERT INTO fake_provider_clients (client_id, redirect_uri, client_secret)
         VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    )?
    .execute(params![client_id, callback_url(context), secret])?;
    Ok(true)
}

/// Registers the OAuth app of credentials made through the API, as a developer registers an
/// app with a real provider, unless the fake provider knows its client ID already (the first
/// registration stands: a different secret for it then fails the exchange). An empty or
/// over-long client ID or secret is 400 `invalid_data` at `config.<key>`.
pub(crate) fn register_app(
    conn: &Connection,
    context: &Context,
    client_id: &str,
    secret: &str,
) -> Result<(), StoreError> {
    let (id, secret) = (Value::from(client_id), Value::from(secret));
    let client_id = config_field(Some(&id), "client_id", MAX_CLIENT_ID_LEN)?;
    let secret = config_field(Some(&secret), "client_secret", MAX_CLIENT_SECRET_LEN)?;
    if client(conn, context, client_id)?.is_some() {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO fake_provider_clients (client_id, redirect_uri, client_secret)
         VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
    )?
    .execute(params![client_id, callback_url(context), secret])?;
    Ok(())
}

/// A validated authorization request, waiting for the user's decision.
#[derive(Clone, Debug)]
pub(crate) struct AuthorizationRequest {
    /// The OAuth client.
    pub(crate) client_id: String,
    /// Where to send the answer (one of the client's redirect URIs).
    pub(crate) redirect_uri: String,
    /// The scopes asked for (space-separated).
    pub(crate) scope: Option<String>,
    /// The client's `state`, sent back as is.
    pub(crate) state: Option<String>,
    /// The PKCE `S256` challenge.
    pub(crate) code_challenge: String,
}

impl AuthorizationRequest {
    /// Reads a row holding the request's columns, by column name.
    fn read(row: &Row<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            client_id: row.get("client_id")?,
            redirect_uri: row.get("redirect_uri")?,
            scope: row.get("scope")?,
            state: row.get("state")?,
            code_challenge: row.get("code_challenge")?,
        })
    }
}

/// Stores a request waiting for consent (purging expired ones, evicting the oldest past
/// [`MAX_PENDING_REQUESTS`]); returns its ID (the consent form's hidden field).
pub(crate) fn insert_request(
    db: &mut Db<'_>,
    request: &AuthorizationRequest,
) -> Result<String, StoreError> {
    let now = db.context.clock.now_ms();
    let id = random_secret(32);
    let tx = db.conn.transaction()?;
    REQUESTS.make_room(&tx, now, &[(Scope::All, MAX_PENDING_REQUESTS)])?;
    tx.prepare_cached(
        "INSERT INTO fake_provider_requests (id, client_id, redirect_uri, scope, state,
             code_challenge, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        id,
        request.client_id,
        request.redirect_uri,
        request.scope,
        request.state,
        request.code_challenge,
        crate::time::later(now, REQUEST_LIFETIME_MS)
    ])?;
    tx.commit()?;
    Ok(id)
}

/// Takes a pending request for a decision (it can be answered once): `None` if unknown,
/// already answered or too old.
pub(crate) fn take_request(
    db: &mut Db<'_>,
    id: &str,
) -> Result<Option<AuthorizationRequest>, StoreError> {
    Ok(db
        .conn
        .prepare_cached(
            "DELETE FROM fake_provider_requests WHERE id = ? AND expires_at > ?
             RETURNING client_id, redirect_uri, scope, state, code_challenge",
        )?
        .query_row(
            params![id, db.context.clock.now_ms()],
            AuthorizationRequest::read,
        )
        .optional()?)
}

/// Issues a single-use authorization code for an approved request (purging expired codes,
/// evicting the oldest past [`MAX_CODES`]).
pub(crate) fn issue_code(
    db: &mut Db<'_>,
    request: &AuthorizationRequest,
) -> Result<String, StoreError> {
    let now = db.context.clock.now_ms();
    let code = random_secret(40);
    let tx = db.conn.transaction()?;
    CODES.make_room(&tx, now, &[(Scope::All, MAX_CODES)])?;
    tx.prepare_cached(
        "INSERT INTO fake_provider_codes (code, client_id, redirect_uri, scope, code_challenge,
             expires_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        code,
        request.client_id,
        request.redirect_uri,
        request.scope,
        request.code_challenge,
        crate::time::later(now, CODE_LIFETIME_MS)
    ])?;
    tx.commit()?;
    Ok(code)
}

/// Uses up a code: the request it was issued for (without its `state`, which went back to the
/// client), `None` if unknown, used or expired. A code works once, even if the exchange then
/// fails.
pub(crate) fn redeem_code(
    db: &mut Db<'_>,
    code: &str,
) -> Result<Option<AuthorizationRequest>, StoreError> {
    let found = db
        .conn
        .prepare_cached(
            "DELETE FROM fake_provider_codes WHERE code = ?
             RETURNING client_id, redirect_uri, scope, NULL AS state, code_challenge, expires_at",
        )?
        .query_row([code], |r| {
            Ok((
                AuthorizationRequest::read(r)?,
                r.get::<_, i64>("expires_at")?,
            ))
        })
        .optional()?;
    let now = db.context.clock.now_ms();
    Ok(found.and_then(|(code, expires_at)| (expires_at > now).then_some(code)))
}

/// Issues random tokens to a client and remembers them (the newest [`MAX_ISSUED_TOKENS`]).
pub(crate) fn issue_tokens(
    db: &mut Db<'_>,
    client_id: &str,
    scope: Option<&str>,
) -> Result<IssuedToken, StoreError> {
    let now = db.context.clock.now_ms();
    let token = IssuedToken {
        access_token: format!("emu_at_{}", random_secret(32)),
        refresh_token: format!("emu_rt_{}", random_secret(32)),
        client_id: client_id.to_owned(),
        scope: scope.map(str::to_owned),
        expires_in: TOKEN_LIFETIME_S,
        issued_at: timestamp(now),
    };
    let tx = db.conn.transaction()?;
    tx.prepare_cached(
        "DELETE FROM fake_provider_tokens
         WHERE seq <= (SELECT MAX(seq) FROM fake_provider_tokens) - ?",
    )?
    .execute([MAX_ISSUED_TOKENS - 1])?;
    tx.prepare_cached(
        "INSERT INTO fake_provider_tokens (access_token, refresh_token, client_id, scope,
             expires_in, issued_at)
         VALUES (?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        token.access_token,
        token.refresh_token,
        token.client_id,
        token.scope,
        token.expires_in,
        now
    ])?;
    tx.commit()?;
    Ok(token)
}

/// Uses up a refresh token of `client_id` (refresh tokens rotate): the scope it was issued
/// with, or `None` when no remembered token of that client has it.
pub(crate) fn redeem_refresh_token(
    db: &mut Db<'_>,
    client_id: &str,
    refresh_token: &str,
) -> Result<Option<Option<String>>, StoreError> {
    Ok(db
        .conn
        .prepare_cached(
            "DELETE FROM fake_provider_tokens WHERE refresh_token = ? AND client_id = ?
             RETURNING scope",
        )?
        .query_row([refresh_token, client_id], |r| r.get("scope"))
        .optional()?)
}

/// An access token the fake provider issued, as its userinfo endpoint sees it.
pub(crate) struct AccessToken {
    /// The client it was issued to.
    pub(crate) client_id: String,
    /// The scopes granted.
    pub(crate) scope: Option<String>,
    /// When it expires (milliseconds since the epoch).
    pub(crate) expires_at: i64,
}

/// The remembered access token `token`, if any.
pub(crate) fn access_token(
    db: &mut Db<'_>,
    token: &str,
) -> Result<Option<AccessToken>, StoreError> {
    Ok(db
        .conn
        .prepare_cached(
            "SELECT client_id, scope, issued_at + expires_in * 1000 AS expires_at
             FROM fake_provider_tokens WHERE access_token = ?",
        )?
        .query_row([token], |r| {
            Ok(AccessToken {
                client_id: r.get("client_id")?,
                scope: r.get("scope")?,
                expires_at: r.get("expires_at")?,
            })
        })
        .optional()?)
}

/// Every token the fake provider remembers having issued, oldest first.
pub(crate) fn issued_tokens(db: &mut Db<'_>) -> Result<Vec<IssuedToken>, StoreError> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT access_token, refresh_token, client_id, scope, expires_in, issued_at
         FROM fake_provider_tokens ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(IssuedToken {
            access_token: r.get("access_token")?,
            refresh_token: r.get("refresh_token")?,
            client_id: r.get("client_id")?,
            scope: r.get("scope")?,
            expires_in: r.get("expires_in")?,
            issued_at: timestamp(r.get("issued_at")?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
