//! [`Emulator`] (a running emulator) and its [`EmulatorBuilder`].

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use metorial_models::Timestamp;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{
    Config, DEFAULT_BODY_TIMEOUT, DEFAULT_HEADER_TIMEOUT, DEFAULT_JOURNAL_SIZE,
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_TENANTS, MAX_JOURNAL_SIZE,
    MAX_MAX_TENANTS,
};
use crate::control::ControlError;
use crate::control::TenantHandle;
use crate::error::Error;
use crate::fixtures::Fixtures;
use crate::http::{router, server, state::AppState};
use crate::ids::random_secret;
use crate::store::fake_provider::IssuedToken;
use crate::tenant::Tenants;

/// Where the fixtures come from.
#[derive(Debug)]
enum FixturesSource {
    /// The built-in fixtures (the objects of Metorial's docs).
    Builtin,
    /// Fixtures given as a value.
    Given(Box<Fixtures>),
    /// A JSON or YAML file to read them from.
    File(PathBuf),
}

/// Configures and starts an [`Emulator`]. Every option has a default: an ephemeral port on
/// 127.0.0.1, one generated API key, an in-memory database and the built-in fixtures.
#[must_use]
#[derive(Debug)]
pub struct EmulatorBuilder {
    /// Every option but the fixtures.
    config: Config,
    /// Where the fixtures come from.
    fixtures: FixturesSource,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            config: Config::default(),
            fixtures: FixturesSource::Builtin,
        }
    }
}

impl EmulatorBuilder {
    /// The default of [`header_timeout`](Self::header_timeout): 10 seconds.
    pub const DEFAULT_HEADER_TIMEOUT: Duration = DEFAULT_HEADER_TIMEOUT;

    /// The default of [`body_timeout`](Self::body_timeout): 30 seconds.
    pub const DEFAULT_BODY_TIMEOUT: Duration = DEFAULT_BODY_TIMEOUT;

    /// The default of [`max_connections`](Self::max_connections): 1024.
    pub const DEFAULT_MAX_CONNECTIONS: usize = DEFAULT_MAX_CONNECTIONS;

    /// The default of [`max_body_bytes`](Self::max_body_bytes): 1 MiB.
    pub const DEFAULT_MAX_BODY_BYTES: usize = DEFAULT_MAX_BODY_BYTES;

    /// The default of [`journal_size`](Self::journal_size): 1000 requests per tenant.
    pub const DEFAULT_JOURNAL_SIZE: usize = DEFAULT_JOURNAL_SIZE;

    /// The largest [`journal_size`](Self::journal_size) accepted: 1,000,000 requests.
    pub const MAX_JOURNAL_SIZE: usize = MAX_JOURNAL_SIZE;

    /// The default of [`max_tenants`](Self::max_tenants): 1000 tenants.
    pub const DEFAULT_MAX_TENANTS: usize = DEFAULT_MAX_TENANTS;

    /// The largest [`max_tenants`](Self::max_tenants) accepted: 100,000 tenants.
    pub const MAX_MAX_TENANTS: usize = MAX_MAX_TENANTS;

    /// Where to listen (`--listen`); port 0 picks a free port. Default `127.0.0.1:0`.
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.config.listen = addr;
        self
    }

    /// Accepts this API key (`--api-key`, repeatable): its own tenant, which is never deleted.
    /// A key is 20 to 256 characters of `A-Z`, `a-z`, `0-9` and `_` (else
    /// [`spawn`](Self::spawn) fails with [`Error::Config`] stating the rule). Without any, a
    /// key `metorial_sk_...` is generated.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.config.api_keys.push(key.into());
        self
    }

    /// Keeps the state in this SQLite file (`--database`), created if missing; a new emulator
    /// on the same file serves everything the last one had. Default: in memory.
    pub fn database(mut self, path: impl Into<PathBuf>) -> Self {
        self.config.database = Some(path.into());
        self
    }

    /// Starts with these objects instead of the built-in ones.
    pub fn fixtures(mut self, fixtures: Fixtures) -> Self {
        self.fixtures = FixturesSource::Given(Box::new(fixtures));
        self
    }

    /// Starts with the objects of this JSON or YAML file (`--fixtures`).
    pub fn fixtures_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.fixtures = FixturesSource::File(path.into());
        self
    }

    /// The base of the `url` fields and OAuth redirects (`--public-url`), for an emulator behind
    /// a proxy or in a container. Default: `http://<listen address>`.
    pub fn public_url(mut self, url: impl Into<String>) -> Self {
        self.config.public_url = Some(url.into());
        self
    }

    /// Whether the fake provider approves at once, without its consent page
    /// (`--oauth-auto-approve`). Default: false.
    pub fn oauth_auto_approve(mut self, yes: bool) -> Self {
        self.config.oauth_auto_approve = yes;
        self
    }

    /// How long a new setup session stays usable before it is `expired`
    /// (`--session-lifetime`). Default: [`DEFAULT_SESSION_LIFETIME`](crate::DEFAULT_SESSION_LIFETIME).
    pub fn session_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.session_lifetime = lifetime;
        self
    }

    /// How long a new OAuth setup stays usable before it is `expired`
    /// (`--oauth-setup-lifetime`). Default: [`DEFAULT_OAUTH_SETUP_LIFETIME`](crate::DEFAULT_OAUTH_SETUP_LIFETIME).
    pub fn oauth_setup_lifetime(mut self, lifetime: Duration) -> Self {
        self.config.oauth_setup_lifetime = lifetime;
        self
    }

    /// How long a client has to send a request's headers (`--header-timeout`), counted from
    /// the connection's opening or the end of its last answer: a connection that sends no
    /// complete request head in that time (an idle kept-alive one included) is closed without
    /// an answer. More than zero, at most a day. Default: [`Self::DEFAULT_HEADER_TIMEOUT`].
    pub fn header_timeout(mut self, timeout: Duration) -> Self {
        self.config.header_timeout = timeout;
        self
    }

    /// How long a client has to send a request's whole body once its headers arrived
    /// (`--body-timeout`); slower is answered with 408 `timeout` and the connection closed.
    /// More than zero, at most a day. Default: [`Self::DEFAULT_BODY_TIMEOUT`].
    pub fn body_timeout(mut self, timeout: Duration) -> Self {
        self.config.body_timeout = timeout;
        self
    }

    /// How many connections are served at once (`--max-connections`); further ones wait in
    /// the operating system's queue until one closes. From 1 to 1,000,000. Default:
    /// [`Self::DEFAULT_MAX_CONNECTIONS`].
    pub fn max_connections(mut self, max: usize) -> Self {
        self.config.max_connections = max;
        self
    }

    /// The largest request body accepted, in bytes (`--max-body-bytes`); a larger one is
    /// answered with 413 and the API's error body. From 1 byte to 1 GiB. Default:
    /// [`Self::DEFAULT_MAX_BODY_BYTES`].
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.config.max_body_bytes = max;
        self
    }

    /// How many API requests each tenant's journal keeps (`--journal-size`); older ones are
    /// dropped, so memory stays flat however long the emulator runs. 0 turns the journal off;
    /// at most [`Self::MAX_JOURNAL_SIZE`]. Default: [`Self::DEFAULT_JOURNAL_SIZE`].
    pub fn journal_size(mut self, entries: usize) -> Self {
        self.config.journal_size = entries;
        self
    }

    /// How many tenants the emulator holds at once (`--max-tenants`): past it, making a tenant
    /// answers 409 `conflict` until one is deleted. From 1 to [`Self::MAX_MAX_TENANTS`].
    /// Default: [`Self::DEFAULT_MAX_TENANTS`].
    pub fn max_tenants(mut self, max: usize) -> Self {
        self.config.max_tenants = max;
        self
    }

    /// Binds the address, opens the database, loads the fixtures and starts serving.
    pub async fn spawn(self) -> Result<Emulator, Error> {
        let mut config = self.config;
        config.fixtures = match self.fixtures {
            FixturesSource::Builtin => config.fixtures,
            FixturesSource::Given(fixtures) => {
                fixtures.validate().map_err(|message| Error::Fixtures {
                    path: None,
                    message,
                })?;
                *fixtures
            }
            FixturesSource::File(path) => Fixtures::from_file(path)?,
        };
        if config.api_keys.is_empty() {
            config
                .api_keys
                .push(format!("metorial_sk_{}", random_secret(32)));
        }
        Emulator::start(config).await
    }
}

/// A running emulator. Dropping it stops the server too (without waiting);
/// [`shutdown`](Emulator::shutdown) stops it and waits for requests in flight.
#[derive(Debug)]
pub struct Emulator {
    /// The address bound.
    local_addr: SocketAddr,
    /// Where the API is (no trailing slash).
    base_url: String,
    /// The configuration it runs with (its `public_url` resolved; its keys print redacted).
    config: Arc<Config>,
    /// Every tenant.
    tenants: Arc<Tenants>,
    /// Stops the server when fired or dropped.
    shutdown: Option<oneshot::Sender<()>>,
    /// The server's task.
    task: Option<JoinHandle<()>>,
}

impl Emulator {
    /// A builder with every default.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// Checks the configuration, binds the address, opens the tenants' databases and starts
    /// serving.
    async fn start(mut config: Config) -> Result<Self, Error> {
        config.check()?;
        let (listener, local_addr, base_url) = bind(config.listen).await?;
        let public_url = config
            .public_url
            .get_or_insert_with(|| base_url.clone())
            .clone();
        let config = Arc::new(config);
        let urls = (public_url.clone(), base_url.clone());
        let opened = Arc::clone(&config);
        let tenants = tokio::task::spawn_blocking(move || Tenants::open(opened, urls))
            .await
            .map_err(|e| Error::Server(e.to_string()))??;
        let tenants = Arc::new(tenants);
        let state = AppState::new(
            Arc::clone(&tenants),
            Arc::clone(&config),
            crate::http::state::http_client()?,
        );
        let (shutdown, shutdown_rx) = oneshot::channel();
        let app = router::app(state);
        let task = server::serve(listener, app, &config, shutdown_rx);
        tracing::info!(%base_url, %public_url, "metorial emulator started");
        Ok(Self {
            local_addr,
            base_url,
            config,
            tenants,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// Where the API is, e.g. `http://127.0.0.1:43817` (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The base of the `url` fields and OAuth redirects (the base URL unless
    /// [`public_url`](EmulatorBuilder::public_url) was set); each tenant's pages are under
    /// `<public URL>/t/<tenant id>`.
    pub fn public_url(&self) -> &str {
        self.config.public_url.as_deref().unwrap_or(&self.base_url)
    }

    /// The address the server is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The first API key given at the start (or the generated one): the default tenant's.
    pub fn api_key(&self) -> &str {
        self.config.api_keys.first().map_or("", String::as_str)
    }

    /// The API keys given at the start (each its own tenant); tenants made later through
    /// [`create_tenant`](Self::create_tenant) or the control API (or kept in the database
    /// by an earlier run) are not listed.
    pub fn api_keys(&self) -> &[String] {
        &self.config.api_keys
    }

    /// The default tenant: the first API key's.
    pub fn tenant(&self) -> TenantHandle {
        self.tenant_for(self.api_key())
            .unwrap_or_else(|| unreachable!("the first API key always has a tenant"))
    }

    /// The tenant of `api_key`, if the emulator accepts that key.
    pub fn tenant_for(&self, api_key: &str) -> Option<TenantHandle> {
        let tenant = self.tenants.by_key(api_key)?;
        Some(TenantHandle::new(api_key.to_owned(), tenant, &self.tenants))
    }

    /// A new tenant with a new API key (`metorial_sk_…`): its own objects (the fixtures),
    /// clock, journal and fault rules. The same as `POST /_emulator/tenants`.
    pub async fn create_tenant(&self) -> Result<TenantHandle, Error> {
        self.create_tenant_with_key(format!("metorial_sk_{}", random_secret(32)))
            .await
    }

    /// A new tenant for `api_key` (which must not have one yet). The same as `POST
    /// /_emulator/tenants` with `{"api_key": ...}`.
    ///
    /// # Errors
    ///
    /// [`Error::Control`]: 400 `invalid_data` for a key that is not 20 to 256 characters of
    /// `A-Z`, `a-z`, `0-9` and `_`, or has a tenant already; 409 `conflict` when the emulator
    /// holds [`max_tenants`](EmulatorBuilder::max_tenants) tenants.
    pub async fn create_tenant_with_key(
        &self,
        api_key: impl Into<String>,
    ) -> Result<TenantHandle, Error> {
        let key = api_key.into();
        let tenants = Arc::clone(&self.tenants);
        let added = key.clone();
        let tenant = tokio::task::spawn_blocking(move || tenants.add(&added))
            .await
            .map_err(|e| Error::Server(e.to_string()))?
            .map_err(ControlError::from)?;
        Ok(TenantHandle::new(key, tenant, &self.tenants))
    }

    /// How many tenants the emulator holds now.
    pub fn tenant_count(&self) -> usize {
        self.tenants.len()
    }

    /// Resets every tenant (see [`TenantHandle::reset`]). The same as `POST
    /// /_emulator/reset-all`.
    pub async fn reset_all(&self) -> Result<(), Error> {
        Ok(crate::control::reset_all(&self.tenants).await?)
    }

    /// The tokens the built-in fake provider issued in the default tenant, oldest first.
    pub async fn issued_tokens(&self) -> Result<Vec<IssuedToken>, Error> {
        self.tenant().issued_tokens().await
    }

    /// The default tenant's current time (see [`TenantHandle::now`]).
    pub fn now(&self) -> Timestamp {
        self.tenant().now()
    }

    /// Moves the default tenant's clock (see [`TenantHandle::advance_clock`]).
    pub async fn advance_clock(&self, by: Duration) -> Result<Timestamp, Error> {
        self.tenant().advance_clock(by).await
    }

    /// Sets the default tenant's clock (see [`TenantHandle::set_clock`]).
    pub async fn set_clock(&self, to: Timestamp) -> Result<Timestamp, Error> {
        self.tenant().set_clock(to).await
    }

    /// Stops accepting connections, lets requests in flight finish, and waits for the server to
    /// stop.
    pub async fn shutdown(mut self) -> Result<(), Error> {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        match self.task.take() {
            Some(task) => task.await.map_err(|e| Error::Server(e.to_string())),
            None => Ok(()),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Binds `listen`; returns the listener, the address bound and the base URL this machine
/// reaches it at (`0.0.0.0` is not an address to connect to: the loopback stands in for it).
async fn bind(listen: SocketAddr) -> Result<(TcpListener, SocketAddr, String), Error> {
    let failed = |source| Error::Listen {
        addr: listen.to_string(),
        source,
    };
    let listener = TcpListener::bind(listen).await.map_err(failed)?;
    let local_addr = listener.local_addr().map_err(failed)?;
    let reachable = match local_addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv4() => {
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), local_addr.port())
        }
        ip if ip.is_unspecified() => {
            SocketAddr::new(IpAddr::V6(std::net::Ipv6Addr::LOCALHOST), local_addr.port())
        }
        _ => local_addr,
    };
    Ok((listener, local_addr, format!("http://{reachable}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn debug_output_never_shows_an_api_key() {
        let key = "metorial_sk_debug_output_test";
        let builder = Emulator::builder().api_key(key);
        let shown = format!("{builder:?}");
        assert!(
            !shown.contains(key) && shown.contains("[1 redacted]"),
            "{shown}"
        );
        let emu = builder.spawn().await.unwrap();
        let shown = format!("{emu:?}");
        assert!(
            !shown.contains(key) && shown.contains("[1 redacted]"),
            "{shown}"
        );
        assert_eq!(emu.api_key(), key);
        assert_eq!(emu.public_url(), emu.base_url());
    }
}
