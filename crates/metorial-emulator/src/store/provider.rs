//! The fake OAuth provider's state: pending consent requests, authorization codes and the
//! tokens it issued.

use rusqlite::{OptionalExtension, params};
use subtle::ConstantTimeEq;

use super::Db;
use super::catalog;
use crate::emulator::IssuedToken;
use crate::errors::ApiError;
use crate::ids::random_secret;
use crate::time::{now_ms, timestamp};

/// How long a consent page stays answerable.
const REQUEST_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// How long an authorization code can be exchanged.
const CODE_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// The lifetime of issued access tokens, in seconds.
pub(crate) const TOKEN_LIFETIME_S: i64 = 3600;

/// A validated authorization request, waiting for the user's decision.
#[derive(Clone, Debug)]
pub(crate) struct AuthorizationRequest {
    /// The OAuth client.
    pub(crate) client_id: String,
    /// Where to send the answer.
    pub(crate) redirect_uri: String,
    /// The scopes asked for (space-separated).
    pub(crate) scope: Option<String>,
    /// The client's `state`, sent back as is.
    pub(crate) state: Option<String>,
    /// The PKCE `S256` challenge.
    pub(crate) code_challenge: String,
}

/// Registers an OAuth app with the fake provider (an OAuth setup's own `client_id` and
/// `client_secret`).
pub(crate) fn register_client(
    conn: &rusqlite::Connection,
    client_id: &str,
    client_secret: &str,
) -> Result<(), ApiError> {
    conn.prepare_cached(
        "INSERT INTO provider_clients (client_id, client_secret) VALUES (?, ?)
         ON CONFLICT DO NOTHING",
    )?
    .execute(params![client_id, client_secret])?;
    Ok(())
}

/// The secrets registered for a client: those of the fixtures' credentials with this client
/// ID, and those OAuth setups registered.
fn client_secrets(db: &mut Db<'_>, client_id: &str) -> Result<Vec<String>, ApiError> {
    let mut secrets: Vec<String> = catalog::credentials_by_client_id(db.conn, client_id)?
        .into_iter()
        .map(|c| c.client_secret.expose().to_owned())
        .collect();
    let mut stmt = db.conn.prepare_cached(
        "SELECT client_secret FROM provider_clients WHERE client_id = ? LIMIT 100",
    )?;
    for secret in stmt.query_map([client_id], |row| row.get::<_, String>(0))? {
        secrets.push(secret?);
    }
    Ok(secrets)
}

/// Whether a client with this ID is registered.
pub(crate) fn client_known(db: &mut Db<'_>, client_id: &str) -> Result<bool, ApiError> {
    Ok(!client_secrets(db, client_id)?.is_empty())
}

/// Whether `secret` is a secret of client `client_id` (compared in constant time).
pub(crate) fn client_authenticates(
    db: &mut Db<'_>,
    client_id: &str,
    secret: &str,
) -> Result<bool, ApiError> {
    let mut ok = false;
    for registered in client_secrets(db, client_id)? {
        let matches: bool = registered.as_bytes().ct_eq(secret.as_bytes()).into();
        ok |= matches;
    }
    Ok(ok)
}

/// Stores a request waiting for consent; returns its ID (the consent form's hidden field).
pub(crate) fn insert_request(
    db: &mut Db<'_>,
    request: &AuthorizationRequest,
) -> Result<String, ApiError> {
    let id = random_secret(32);
    db.conn
        .prepare_cached(
            "INSERT INTO provider_requests (id, client_id, redirect_uri, scope, state,
                 code_challenge, created_at, decided_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
        )?
        .execute(params![
            id,
            request.client_id,
            request.redirect_uri,
            request.scope,
            request.state,
            request.code_challenge,
            now_ms()
        ])?;
    Ok(id)
}

/// Takes a pending request for a decision: `None` if unknown, already decided or too old.
pub(crate) fn take_request(
    db: &mut Db<'_>,
    id: &str,
) -> Result<Option<AuthorizationRequest>, ApiError> {
    let now = now_ms();
    let tx = db.conn.transaction()?;
    let request = tx
        .prepare_cached(
            "SELECT client_id, redirect_uri, scope, state, code_challenge FROM provider_requests
             WHERE id = ? AND decided_at IS NULL AND created_at > ?",
        )?
        .query_row(params![id, now - REQUEST_LIFETIME_MS], |r| {
            Ok(AuthorizationRequest {
                client_id: r.get(0)?,
                redirect_uri: r.get(1)?,
                scope: r.get(2)?,
                state: r.get(3)?,
                code_challenge: r.get(4)?,
            })
        })
        .optional()?;
    if request.is_some() {
        tx.prepare_cached("UPDATE provider_requests SET decided_at = ? WHERE id = ?")?
            .execute(params![now, id])?;
        tx.commit()?;
    }
    Ok(request)
}

/// Issues a single-use authorization code for an approved request.
pub(crate) fn issue_code(
    db: &mut Db<'_>,
    request: &AuthorizationRequest,
) -> Result<String, ApiError> {
    let code = random_secret(40);
    db.conn
        .prepare_cached(
            "INSERT INTO provider_codes (code, client_id, redirect_uri, scope, code_challenge,
                 expires_at, used_at)
             VALUES (?, ?, ?, ?, ?, ?, NULL)",
        )?
        .execute(params![
            code,
            request.client_id,
            request.redirect_uri,
            request.scope,
            request.code_challenge,
            now_ms() + CODE_LIFETIME_MS
        ])?;
    Ok(code)
}

/// A code that was just used up.
pub(crate) struct RedeemedCode {
    /// The client it was issued to.
    pub(crate) client_id: String,
    /// The redirect URI it was issued for.
    pub(crate) redirect_uri: String,
    /// The scopes granted.
    pub(crate) scope: Option<String>,
    /// The PKCE challenge to check the verifier against.
    pub(crate) code_challenge: String,
}

/// Uses up a code: `None` if unknown, used or expired. A code works once, even if the exchange
/// then fails.
pub(crate) fn redeem_code(db: &mut Db<'_>, code: &str) -> Result<Option<RedeemedCode>, ApiError> {
    let now = now_ms();
    let tx = db.conn.transaction()?;
    let found = tx
        .prepare_cached(
            "SELECT client_id, redirect_uri, scope, code_challenge FROM provider_codes
             WHERE code = ? AND used_at IS NULL AND expires_at > ?",
        )?
        .query_row(params![code, now], |r| {
            Ok(RedeemedCode {
                client_id: r.get(0)?,
                redirect_uri: r.get(1)?,
                scope: r.get(2)?,
                code_challenge: r.get(3)?,
            })
        })
        .optional()?;
    if found.is_some() {
        tx.prepare_cached("UPDATE provider_codes SET used_at = ? WHERE code = ?")?
            .execute(params![now, code])?;
        tx.commit()?;
    }
    Ok(found)
}

/// Issues random tokens to a client and remembers them.
pub(crate) fn issue_tokens(
    db: &mut Db<'_>,
    client_id: &str,
    scope: Option<&str>,
) -> Result<IssuedToken, ApiError> {
    let now = now_ms();
    let token = IssuedToken {
        access_token: format!("emu_at_{}", random_secret(32)),
        refresh_token: format!("emu_rt_{}", random_secret(32)),
        client_id: client_id.to_owned(),
        scope: scope.map(str::to_owned),
        expires_in: TOKEN_LIFETIME_S,
        issued_at: timestamp(now),
    };
    db.conn
        .prepare_cached(
            "INSERT INTO provider_tokens (access_token, refresh_token, client_id, scope,
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
    Ok(token)
}

/// Every token the fake provider issued, oldest first.
pub(crate) fn issued_tokens(db: &mut Db<'_>) -> Result<Vec<IssuedToken>, ApiError> {
    let mut stmt = db.conn.prepare_cached(
        "SELECT access_token, refresh_token, client_id, scope, expires_in, issued_at
         FROM provider_tokens ORDER BY seq",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok(IssuedToken {
            access_token: r.get(0)?,
            refresh_token: r.get(1)?,
            client_id: r.get(2)?,
            scope: r.get(3)?,
            expires_in: r.get(4)?,
            issued_at: timestamp(r.get(5)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
