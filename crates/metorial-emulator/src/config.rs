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

/// How long a client has to send a request's headers (and how long a kept-alive connection
/// may stay idle) before the connection is closed.
pub(crate) const DEFAULT_HEADER_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client has to send a request's body before the answer is 408.
pub(crate) const DEFAULT_BODY_TIMEOUT: Duration = Duration::from_secs(30);

/// How many connections are served at once; more wait to be accepted.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 1024;

/// The largest request body accepted (1 MiB); a larger one is answered with 413.
pub(crate) const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// The longest timeout accepted (a day): longer is a typo, not a setting.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// The most connections accepted as a limit (the waiting for them counts in `u32` permits).
const MAX_MAX_CONNECTIONS: usize = 1_000_000;

/// The largest body limit accepted (1 GiB).
const MAX_MAX_BODY_BYTES: usize = 1024 * 1024 * 1024;

/// What one client may take from the server: time to send a request, connections, body size.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// How long a client has to send a request's headers (also the idle timeout of a
    /// kept-alive connection).
    pub(crate) header_timeout: Duration,
    /// How long a client has to send a request's body.
    pub(crate) body_timeout: Duration,
    /// How many connections are served at once.
    pub(crate) max_connections: usize,
    /// The largest request body, in bytes.
    pub(crate) max_body_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl Limits {
    /// Refuses a zero or absurd limit, naming the option (builder method) at fault.
    pub(crate) fn validate(&self) -> Result<(), crate::error::Error> {
        let invalid = |option, message: &str| crate::error::Error::Config {
            option,
            message: message.to_owned(),
        };
        for (option, timeout) in [
            ("header_timeout", self.header_timeout),
            ("body_timeout", self.body_timeout),
        ] {
            if timeout.is_zero() || timeout > MAX_TIMEOUT {
                return Err(invalid(option, "must be more than zero and at most a day"));
            }
        }
        if !(1..=MAX_MAX_CONNECTIONS).contains(&self.max_connections) {
            return Err(invalid(
                "max_connections",
                "must be from 1 to 1000000 connections",
            ));
        }
        if !(1..=MAX_MAX_BODY_BYTES).contains(&self.max_body_bytes) {
            return Err(invalid(
                "max_body_bytes",
                "must be from 1 byte to 1 GiB (1073741824 bytes)",
            ));
        }
        Ok(())
    }
}

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
    /// What one client may take from the server.
    pub(crate) limits: Limits,
    /// How many requests each tenant's journal keeps.
    pub(crate) journal_size: usize,
    /// How many tenants there may be at once.
    pub(crate) max_tenants: usize,
}

/// Settings the request handlers read, once the server is bound (the URLs are each tenant's).
pub(crate) struct Runtime {
    /// Whether the fake provider approves at once.
    pub(crate) oauth_auto_approve: bool,
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
