//! [`Operation`]: one operation of the API, as the spec declares it.

/// One operation of `spec/metorial.yaml`: its `operationId`, HTTP method, path template, tag,
/// and whether it carries secrets.
///
/// [`OPERATIONS`](crate::OPERATIONS) (generated) lists every operation of the spec, so code can
/// check itself against the spec at run time (the emulator answers `501 not_implemented` for
/// each operation it has no handler for).
///
/// ```
/// use metorial_models::OPERATIONS;
///
/// let get = OPERATIONS
///     .iter()
///     .find(|op| op.id == "get_provider_setup_session")
///     .unwrap();
/// assert_eq!(get.method, "GET");
/// assert_eq!(get.path, "/provider-setup-sessions/{provider_setup_session_id}");
/// assert_eq!(get.tag, "provider-setup-sessions");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The `operationId` (snake_case; the name of the client's method).
    pub id: &'static str,
    /// The HTTP method, upper case (`GET`, `POST`, `PATCH`, `DELETE`, ...).
    pub method: &'static str,
    /// The spec's path template, parameters in braces
    /// (`/provider-setup-sessions/{provider_setup_session_id}`).
    pub path: &'static str,
    /// The operation's first tag (its resource, e.g. `provider-setup-sessions`); empty when it
    /// has none.
    pub tag: &'static str,
    /// Whether its request or response may hold secrets (tokens, client secrets): its request
    /// body reaches `SecretObject`, or the spec marks it `x-metorial-secret-response`. Such
    /// bodies are never logged or recorded.
    pub carries_secrets: bool,
}
