//! The built-in fake OAuth provider, under `/_emulator/provider/`: an authorize endpoint with a
//! consent page (Approve / Deny, or approval at once with `--oauth-auto-approve`), a token
//! endpoint that checks the client secret and the PKCE verifier and issues random tokens, and a
//! userinfo endpoint that tells a valid access token from an expired one. Its
//! clients (the fixtures' credentials and the OAuth apps OAuth setups name in their `config`)
//! may only redirect to the emulator's own callback. Its state, and what it grants or refuses
//! (`GrantError`), are `store::fake_provider`'s: these handlers read requests and answer.

mod authorize;
mod token;
mod userinfo;

pub(crate) use authorize::{authorize, decide};
pub(crate) use token::token;
pub(crate) use userinfo::userinfo;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;

/// The description of an error a fault rule injects without one.
const INJECTED: &str = "injected by a fault rule of the emulator";

/// The credentials of `Authorization: <scheme> <credentials>` (the scheme in any case).
fn authorization<'h>(headers: &'h HeaderMap, scheme: &str) -> Option<&'h str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (given, credentials) = value.trim().split_once(' ')?;
    given
        .eq_ignore_ascii_case(scheme)
        .then(|| credentials.trim())
}
