//! The emulator's configuration ([`Config`]), its defaults and its bounds.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::Error;
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

/// How many API requests each tenant's journal keeps by default.
pub(crate) const DEFAULT_JOURNAL_SIZE: usize = 1000;

/// The largest journal accepted: memory stays bounded at about 12.5 KiB per entry.
pub(crate) const MAX_JOURNAL_SIZE: usize = 1_000_000;

/// How many tenants there may be at once, by default.
pub(crate) const DEFAULT_MAX_TENANTS: usize = 1000;

/// The largest tenant bound accepted.
pub(crate) const MAX_MAX_TENANTS: usize = 100_000;

/// The longest timeout accepted (a day): longer is a typo, not a setting.
const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 3600);

/// The longest session or OAuth setup lifetime accepted (ten years).
const MAX_LIFETIME: Duration = Duration::from_secs(10 * 365 * 24 * 3600);

/// The most connections accepted as a limit (the waiting for them counts in `u32` permits).
const MAX_MAX_CONNECTIONS: usize = 1_000_000;

/// The largest body limit accepted (1 GiB).
const MAX_MAX_BODY_BYTES: usize = 1024 * 1024 * 1024;

/// The emulator's configuration: every option of `EmulatorBuilder` and of the command line,
/// with its default. [`Config::check`] validates it once before the server starts; then it is
/// shared read-only (`Arc<Config>`) by the tenants, the store and the HTTP wing.
#[derive(Clone)]
pub(crate) struct Config {
    /// Where to listen (port 0: an ephemeral port).
    pub(crate) listen: SocketAddr,
    /// The API keys accepted as `Authorization: Bearer <key>` (one is generated when none).
    pub(crate) api_keys: Vec<String>,
    /// The SQLite file; `None` for an in-memory database.
    pub(crate) database: Option<PathBuf>,
    /// The objects every tenant starts with (and gets back on reset).
    pub(crate) fixtures: Fixtures,
    /// What goes into `url` fields and OAuth redirects; `None`: `http://<listen address>`.
    /// [`check`](Self::check) normalizes it (no trailing slash).
    pub(crate) public_url: Option<String>,
    /// Whether the fake provider approves without showing its consent page.
    pub(crate) oauth_auto_approve: bool,
    /// How long a setup session stays usable.
    pub(crate) session_lifetime: Duration,
    /// How long an OAuth setup stays usable.
    pub(crate) oauth_setup_lifetime: Duration,
    /// How long a client has to send a request's headers (also the idle timeout of a
    /// kept-alive connection).
    pub(crate) header_timeout: Duration,
    /// How long a client has to send a request's body.
    pub(crate) body_timeout: Duration,
    /// How many connections are served at once.
    pub(crate) max_connections: usize,
    /// The largest request body, in bytes.
    pub(crate) max_body_bytes: usize,
    /// How many requests each tenant's journal keeps.
    pub(crate) journal_size: usize,
    /// How many tenants there may be at once.
    pub(crate) max_tenants: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            api_keys: Vec::new(),
            database: None,
            fixtures: Fixtures::builtin(),
            public_url: None,
            oauth_auto_approve: false,
            session_lifetime: DEFAULT_SESSION_LIFETIME,
            oauth_setup_lifetime: DEFAULT_OAUTH_SETUP_LIFETIME,
            header_timeout: DEFAULT_HEADER_TIMEOUT,
            body_timeout: DEFAULT_BODY_TIMEOUT,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            journal_size: DEFAULT_JOURNAL_SIZE,
            max_tenants: DEFAULT_MAX_TENANTS,
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys = format!("[{} redacted]", self.api_keys.len());
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("api_keys", &format_args!("{keys}"))
            .field("database", &self.database)
            .field("public_url", &self.public_url)
            .field("oauth_auto_approve", &self.oauth_auto_approve)
            .field("session_lifetime", &self.session_lifetime)
            .field("oauth_setup_lifetime", &self.oauth_setup_lifetime)
            .field("header_timeout", &self.header_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("max_connections", &self.max_connections)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("journal_size", &self.journal_size)
            .field("max_tenants", &self.max_tenants)
            .finish_non_exhaustive()
    }
}

impl Config {
    /// Refuses a zero or absurd limit, naming the option (builder method) at fault, and
    /// normalizes the public URL. (Each API key is checked when its tenant opens.)
    pub(crate) fn check(&mut self) -> Result<(), Error> {
        let (day, decade) = (("a day", MAX_TIMEOUT), ("ten years", MAX_LIFETIME));
        within("header_timeout", self.header_timeout, day)?;
        within("body_timeout", self.body_timeout, day)?;
        within("session_lifetime", self.session_lifetime, decade)?;
        within("oauth_setup_lifetime", self.oauth_setup_lifetime, decade)?;
        let connections = (1..=MAX_MAX_CONNECTIONS, "1 to 1000000 connections");
        between("max_connections", self.max_connections, connections)?;
        let bytes = (1..=MAX_MAX_BODY_BYTES, "1 byte to 1 GiB (1073741824 bytes)");
        between("max_body_bytes", self.max_body_bytes, bytes)?;
        between(
            "journal_size",
            self.journal_size,
            (0..=MAX_JOURNAL_SIZE, "0 to 1000000 requests"),
        )?;
        between(
            "max_tenants",
            self.max_tenants,
            (1..=MAX_MAX_TENANTS, "1 to 100000 tenants"),
        )?;
        if let Some(url) = &self.public_url {
            let url = normalize_public_url(url).map_err(|message| Error::Config {
                option: "public_url",
                message,
            })?;
            self.public_url = Some(url);
        }
        Ok(())
    }

    /// [`session_lifetime`](Self::session_lifetime) in whole milliseconds.
    pub(crate) fn session_lifetime_ms(&self) -> i64 {
        millis(self.session_lifetime)
    }

    /// [`oauth_setup_lifetime`](Self::oauth_setup_lifetime) in whole milliseconds.
    pub(crate) fn oauth_setup_lifetime_ms(&self) -> i64 {
        millis(self.oauth_setup_lifetime)
    }
}

/// Refuses a zero duration, or one over the maximum (`words` says it).
fn within(
    option: &'static str,
    value: Duration,
    (words, max): (&str, Duration),
) -> Result<(), Error> {
    if value.is_zero() || value > max {
        let message = format!("must be more than zero and at most {words}");
        return Err(Error::Config { option, message });
    }
    Ok(())
}

/// Refuses a count outside the range (`words` says it).
fn between(
    option: &'static str,
    value: usize,
    (range, words): (RangeInclusive<usize>, &str),
) -> Result<(), Error> {
    if !range.contains(&value) {
        let message = format!("must be from {words}");
        return Err(Error::Config { option, message });
    }
    Ok(())
}

/// A duration in whole milliseconds (saturating).
fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The option named by `config`'s refusal, and its message.
    fn refusal(config: Config) -> (&'static str, String) {
        match config.clone().check() {
            Err(Error::Config { option, message }) => (option, message),
            other => panic!("{config:?} was not refused: {other:?}"),
        }
    }

    #[test]
    fn every_out_of_range_option_is_refused_by_name() {
        let base = Config::default;
        let day = Duration::from_secs(24 * 3600);
        let cases = [
            (
                Config {
                    header_timeout: Duration::ZERO,
                    ..base()
                },
                "header_timeout",
            ),
            (
                Config {
                    body_timeout: day * 2,
                    ..base()
                },
                "body_timeout",
            ),
            (
                Config {
                    session_lifetime: Duration::ZERO,
                    ..base()
                },
                "session_lifetime",
            ),
            (
                Config {
                    oauth_setup_lifetime: MAX_LIFETIME * 2,
                    ..base()
                },
                "oauth_setup_lifetime",
            ),
            (
                Config {
                    max_connections: 0,
                    ..base()
                },
                "max_connections",
            ),
            (
                Config {
                    max_body_bytes: MAX_MAX_BODY_BYTES + 1,
                    ..base()
                },
                "max_body_bytes",
            ),
            (
                Config {
                    journal_size: MAX_JOURNAL_SIZE + 1,
                    ..base()
                },
                "journal_size",
            ),
            (
                Config {
                    max_tenants: 0,
                    ..base()
                },
                "max_tenants",
            ),
            (
                Config {
                    public_url: Some("ftp://x".into()),
                    ..base()
                },
                "public_url",
            ),
        ];
        for (config, option) in cases {
            let (refused, message) = refusal(config);
            assert_eq!(refused, option, "{message}");
            assert!(
                message.starts_with("must be") || option == "public_url",
                "{message}"
            );
        }
        let (_, message) = refusal(Config {
            max_tenants: 0,
            ..base()
        });
        assert_eq!(message, "must be from 1 to 100000 tenants");
    }

    #[test]
    fn the_defaults_and_the_bounds_pass_and_the_public_url_is_normalized() {
        let mut config = Config {
            journal_size: 0,
            max_tenants: MAX_MAX_TENANTS,
            session_lifetime: MAX_LIFETIME,
            public_url: Some("https://emu.example/base/".into()),
            api_keys: vec!["metorial_sk_a_key_of_twenty".into()],
            ..Config::default()
        };
        config.check().unwrap();
        assert_eq!(
            config.public_url.as_deref(),
            Some("https://emu.example/base")
        );
        assert_eq!(config.session_lifetime_ms(), 315_360_000_000);
        assert!(!format!("{config:?}").contains("metorial_sk_a_key"));
        Config::default().check().unwrap();
    }
}
