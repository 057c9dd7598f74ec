//! The fake provider's grants, apart from HTTP (its endpoints, in `http::fake_provider`, read
//! requests and answer): which authorization requests get a code, the consent decision, and
//! the token endpoint's exchanges, of an authorization code with its PKCE verifier or of a
//! refresh token (refresh tokens rotate: each works once). Refusals are [`GrantError`]s.

use std::collections::HashMap;

use oauth2::{PkceCodeChallenge, PkceCodeVerifier};
use subtle::ConstantTimeEq;

use super::{AuthorizationRequest, IssuedToken};
use crate::store::{Db, StoreError};

/// Why a grant was refused: an error of RFC 6749 (sections 4.1.2.1 and 5.2), its description
/// the `Display`, or a store failure.
#[derive(Debug, thiserror::Error)]
pub(crate) enum GrantError {
    /// `invalid_request`: a parameter is missing, repeated or unsupported.
    #[error("{0}")]
    InvalidRequest(&'static str),
    /// `invalid_client`: the client did not authenticate.
    #[error("{0}")]
    InvalidClient(&'static str),
    /// `invalid_grant`: the code or the refresh token cannot be exchanged.
    #[error("{0}")]
    InvalidGrant(&'static str),
    /// `unsupported_grant_type`.
    #[error("grant_type must be authorization_code or refresh_token")]
    UnsupportedGrantType,
    /// `unsupported_response_type`.
    #[error("only response_type=code is supported")]
    UnsupportedResponseType,
    /// `access_denied`: the user denied access.
    #[error("The user denied access.")]
    AccessDenied,
    /// The store failed: no refusal, the provider's own failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl GrantError {
    /// The RFC 6749 error code (`server_error` for a store failure).
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) => "invalid_request",
            Self::InvalidClient(_) => "invalid_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::UnsupportedResponseType => "unsupported_response_type",
            Self::AccessDenied => "access_denied",
            Self::Store(_) => "server_error",
        }
    }
}

/// The PKCE `S256` challenge of an authorization request, from its parameters (`response_type`,
/// `code_challenge`, `code_challenge_method`): codes are only issued with PKCE.
pub(crate) fn code_challenge(params: &HashMap<String, String>) -> Result<String, GrantError> {
    let param = |key| params.get(key).map(String::as_str);
    if param("response_type") != Some("code") {
        return Err(GrantError::UnsupportedResponseType);
    }
    param("code_challenge")
        .filter(|challenge| !challenge.is_empty() && param("code_challenge_method") == Some("S256"))
        .map(str::to_owned)
        .ok_or(GrantError::InvalidRequest(
            "PKCE is required: code_challenge with code_challenge_method=S256",
        ))
}

/// What goes back to the client's redirect URI: a code, or why the provider issued none.
pub(crate) type CodeOrRefusal = Result<String, GrantError>;

/// Answers a pending consent request (once): the request, with a new code if the user approved
/// it; `None` if the request is unknown, expired or already answered.
pub(crate) fn decide(
    db: &mut Db<'_>,
    request_id: &str,
    approve: bool,
) -> Result<Option<(AuthorizationRequest, CodeOrRefusal)>, StoreError> {
    let Some(request) = super::take_request(db, request_id)? else {
        return Ok(None);
    };
    let code = approve
        .then(|| super::issue_code(db, &request))
        .transpose()?
        .ok_or(GrantError::AccessDenied);
    Ok(Some((request, code)))
}

/// A token request (RFC 6749 sections 4.1.3 and 6), its parameters present.
pub(crate) struct TokenRequest {
    /// The authenticating client.
    pub(crate) client_id: String,
    /// Its secret.
    pub(crate) client_secret: String,
    /// What is exchanged.
    pub(crate) grant: Grant,
}

/// What a token request exchanges.
pub(crate) enum Grant {
    /// An authorization code, for the redirect URI it was issued to, with its PKCE verifier.
    Code {
        code: String,
        redirect_uri: String,
        code_verifier: String,
    },
    /// A refresh token.
    Refresh { refresh_token: String },
}

/// Answers a token request: authenticates the client, then exchanges the code or the refresh
/// token for new tokens. The code is used up even if a later check fails: it must have been
/// issued to this client and redirect URI, and the verifier must match its PKCE challenge.
pub(crate) fn exchange(db: &mut Db<'_>, request: &TokenRequest) -> Result<IssuedToken, GrantError> {
    let client_id = &request.client_id;
    let client = super::client(db.conn, db.context, client_id)?;
    if !client.is_some_and(|c| c.authenticates(&request.client_secret)) {
        return Err(GrantError::InvalidClient(
            "unknown client or wrong client secret",
        ));
    }
    let scope = match &request.grant {
        Grant::Code {
            code,
            redirect_uri,
            code_verifier,
        } => {
            let code = super::redeem_code(db, code)?.ok_or(GrantError::InvalidGrant(
                "the code is unknown, expired or already used",
            ))?;
            if code.client_id != *client_id || code.redirect_uri != *redirect_uri {
                return Err(GrantError::InvalidGrant(
                    "the code was issued to another client or redirect_uri",
                ));
            }
            if !pkce_matches(code_verifier, &code.code_challenge) {
                return Err(GrantError::InvalidGrant("PKCE verification failed"));
            }
            code.scope
        }
        Grant::Refresh { refresh_token } => {
            super::redeem_refresh_token(db, client_id, refresh_token)?.ok_or(
                GrantError::InvalidGrant(
                    "the refresh token is unknown, of another client or already used",
                ),
            )?
        }
    };
    Ok(super::issue_tokens(db, client_id, scope.as_deref())?)
}

/// Whether the verifier is well-formed (RFC 7636 4.1) and hashes to the challenge.
fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let well_formed = (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b));
    if !well_formed {
        return false;
    }
    let computed =
        PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(verifier.to_owned()));
    computed
        .as_str()
        .as_bytes()
        .ct_eq(challenge.as_bytes())
        .into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::snapshot::testing::{CLIENT_ID, store, with_db};

    /// The built-in fixtures' secret for [`CLIENT_ID`].
    const SECRET: &str = "emulator_client_secret";
    /// The emulator's callback in the test store.
    const CALLBACK: &str = "http://localhost/oauth/callback";

    /// A token request of the built-in client.
    fn request(secret: &str, grant: Grant) -> TokenRequest {
        TokenRequest {
            client_id: CLIENT_ID.into(),
            client_secret: secret.into(),
            grant,
        }
    }

    /// An approved code for the built-in client, with its PKCE verifier.
    fn approved_code(db: &mut Db<'_>) -> (String, String) {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let request = AuthorizationRequest {
            client_id: CLIENT_ID.into(),
            redirect_uri: CALLBACK.into(),
            scope: Some("repo".into()),
            state: Some("s".into()),
            code_challenge: challenge.as_str().into(),
        };
        let id = super::super::insert_request(db, &request).expect("stored");
        let (_, code) = decide(db, &id, true).expect("decided").expect("pending");
        assert!(
            decide(db, &id, true).expect("decided").is_none(),
            "answered once"
        );
        (code.expect("approved"), verifier.secret().clone())
    }

    /// A code exchange of `code`.
    fn code_grant(code: &str, redirect_uri: &str, code_verifier: &str) -> Grant {
        Grant::Code {
            code: code.into(),
            redirect_uri: redirect_uri.into(),
            code_verifier: code_verifier.into(),
        }
    }

    #[test]
    fn pkce_checks_the_verifier() {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        assert!(pkce_matches(verifier.secret(), challenge.as_str()));
        assert!(!pkce_matches(&"a".repeat(43), challenge.as_str()));
        assert!(!pkce_matches("short", challenge.as_str()));
    }

    #[test]
    fn only_codes_with_pkce_are_issued() {
        let params = |response_type: &str, challenge: &str, method: &str| {
            HashMap::from([
                ("response_type".to_owned(), response_type.to_owned()),
                ("code_challenge".to_owned(), challenge.to_owned()),
                ("code_challenge_method".to_owned(), method.to_owned()),
            ])
        };
        let code = code_challenge(&params("code", "c", "S256"));
        assert_eq!(code.expect("accepted"), "c");
        let token = code_challenge(&params("token", "c", "S256"));
        assert!(matches!(token, Err(GrantError::UnsupportedResponseType)));
        let plain = code_challenge(&params("code", "c", "plain"));
        assert_eq!(plain.expect_err("refused").code(), "invalid_request");
        let empty = code_challenge(&params("code", "", "S256"));
        assert_eq!(empty.expect_err("refused").code(), "invalid_request");
    }

    #[test]
    fn a_denied_request_gets_no_code() {
        let store = store();
        with_db(&store, |db| {
            let request = AuthorizationRequest {
                client_id: CLIENT_ID.into(),
                redirect_uri: CALLBACK.into(),
                scope: None,
                state: None,
                code_challenge: "c".into(),
            };
            let id = super::super::insert_request(db, &request).expect("stored");
            let (_, code) = decide(db, &id, false).expect("decided").expect("pending");
            assert!(matches!(code, Err(GrantError::AccessDenied)));
        });
    }

    #[test]
    fn a_code_is_exchanged_once_and_refresh_tokens_rotate() {
        let store = store();
        with_db(&store, |db| {
            let (code, verifier) = approved_code(db);
            let wrong = exchange(db, &request("nope", code_grant(&code, CALLBACK, &verifier)));
            assert_eq!(wrong.expect_err("refused").code(), "invalid_client");
            let grant = code_grant(&code, CALLBACK, &verifier);
            let issued = exchange(db, &request(SECRET, grant)).expect("exchanged");
            assert_eq!(issued.scope.as_deref(), Some("repo"));
            let again = exchange(db, &request(SECRET, code_grant(&code, CALLBACK, &verifier)));
            assert!(matches!(again, Err(GrantError::InvalidGrant(_))));
            let refresh = |token: &str| Grant::Refresh {
                refresh_token: token.into(),
            };
            let next = exchange(db, &request(SECRET, refresh(&issued.refresh_token)));
            assert_eq!(next.expect("refreshed").scope.as_deref(), Some("repo"));
            let reused = exchange(db, &request(SECRET, refresh(&issued.refresh_token)));
            assert_eq!(reused.expect_err("rotated").code(), "invalid_grant");
        });
    }

    #[test]
    fn a_code_needs_its_redirect_uri_and_verifier() {
        let store = store();
        with_db(&store, |db| {
            let (code, _) = approved_code(db);
            let grant = code_grant(&code, CALLBACK, &"a".repeat(43));
            let error = exchange(db, &request(SECRET, grant)).expect_err("refused");
            assert_eq!(error.to_string(), "PKCE verification failed");
            let (code, verifier) = approved_code(db);
            let grant = code_grant(&code, "http://localhost/elsewhere", &verifier);
            let error = exchange(db, &request(SECRET, grant)).expect_err("refused");
            assert_eq!(
                error.to_string(),
                "the code was issued to another client or redirect_uri"
            );
        });
    }
}
