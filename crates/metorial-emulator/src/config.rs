//! The emulator's settings and their defaults.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::fixtures::Fixtures;

/// The address the `metorial-emulator` program listens on by default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8710";

/// How long a setup session stays usable: 30 minutes, as on the live API (the docs' example
/// shows an hour).
pub const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// How long an OAuth setup stays usable: 30 minutes, as on the live API (the docs' example
/// shows a day).
pub const DEFAULT_OAUTH_SETUP_LIFETIME: Duration = Duration::from_secs(30 * 60);

/// Everything the server needs to start.
pub(crate) struct Settings {
    /// Where to listen (port 0: an ephemeral port).
    pub(crate) listen: SocketAddr,
    /// The API keys accepted as `Authorization: Bearer <key>`; never empty.
    pub(crate) api_keys: Vec<String>,
    /// The SQLite file; `None` for an in-memory database.
    pub(crate) database: Option<PathBuf>,
    /// The objects to start with.
    pub(crate) fixtures: Fixtures,
    /// What goes into `url` fields and OAuth redirects; `None`: `http://<listen address>`.
    pub(crate) public_url: Option<String>,
    /// Whether the fake provider approves without showing its consent page.
    pub(crate) oauth_auto_approve: bool,
    /// How long a setup session stays usable.
    pub(crate) session_lifetime: Duration,
    /// How long an OAuth setup stays usable.
    pub(crate) oauth_setup_lifetime: Duration,
}

/// Settings the request handlers read, once the server is bound.
pub(crate) struct Runtime {
    /// The API keys accepted.
    pub(crate) api_keys: Vec<String>,
    /// Base of every URL handed to a browser (no trailing slash).
    pub(crate) public_url: String,
    /// Base the server uses to reach itself (the fake provider's token endpoint).
    pub(crate) internal_url: String,
    /// Whether the fake provider approves at once.
    pub(crate) oauth_auto_approve: bool,
}

impl Runtime {
    /// The OAuth redirect URI: where providers send the browser back.
    pub(crate) fn callback_url(&self) -> String {
        format!("{}/oauth/callback", self.public_url)
    }
}

/// Checks and normalizes a public URL: absolute http(s), no query or fragment, no trailing
/// slash.
pub(crate) fn normalize_public_url(raw: &str) -> Result<String, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("{raw:?} is not an absolute URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("{raw:?} is not an http(s) URL"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!("{raw:?} must not have a query or a fragment"));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}
