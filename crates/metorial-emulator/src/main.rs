//! `metorial-emulator`: runs the emulator as a program.

use std::io::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use metorial_emulator::{DEFAULT_LISTEN, Emulator, EmulatorBuilder};

/// A local, stateful Metorial provider-auth API with a real OAuth flow.
#[derive(Debug, Parser)]
#[command(name = "metorial-emulator", version, about)]
struct Args {
    /// The address to listen on (port 0: any free port).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,

    /// An API key to accept (repeatable): 20 to 256 characters of A-Z, a-z, 0-9 and _. Each
    /// key is its own tenant, with its own objects, clock, journal and fault rules, and is
    /// never deleted. Without one, a key is generated and printed.
    #[arg(long = "api-key", value_name = "KEY")]
    api_keys: Vec<String>,

    /// A SQLite file to keep the state in (created if missing): the first key's tenant in it,
    /// every other tenant in `<PATH>.<tenant id>` beside it (tenants made at run time come
    /// back after a restart, with their clocks). Default: in memory.
    #[arg(long, value_name = "PATH")]
    database: Option<PathBuf>,

    /// The providers, deployments, auth methods, credentials, configs and auth configs to start
    /// with (JSON or YAML). Default: the objects of Metorial's API docs.
    #[arg(long, value_name = "FILE")]
    fixtures: Option<PathBuf>,

    /// The base of `url` fields and OAuth redirects. Default: http://<listen address>.
    #[arg(long, value_name = "URL")]
    public_url: Option<String>,

    /// Approve OAuth requests at once instead of showing the fake provider's consent page.
    #[arg(long)]
    oauth_auto_approve: bool,

    /// How long setup sessions stay usable, in seconds (30 minutes, as on the live API).
    #[arg(long, value_name = "SECONDS", default_value_t = metorial_emulator::DEFAULT_SESSION_LIFETIME.as_secs())]
    session_lifetime: u64,

    /// How long OAuth setups stay usable, in seconds (30 minutes, as on the live API).
    #[arg(long, value_name = "SECONDS", default_value_t = metorial_emulator::DEFAULT_OAUTH_SETUP_LIFETIME.as_secs())]
    oauth_setup_lifetime: u64,

    /// How long a client has to send a request's headers, in seconds; a connection without a
    /// complete request head by then (an idle kept-alive one included) is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = EmulatorBuilder::DEFAULT_HEADER_TIMEOUT.as_secs())]
    header_timeout: u64,

    /// How long a client has to send a request's body, in seconds; slower is answered with 408.
    #[arg(long, value_name = "SECONDS", default_value_t = EmulatorBuilder::DEFAULT_BODY_TIMEOUT.as_secs())]
    body_timeout: u64,

    /// How many connections are served at once; more wait until one closes.
    #[arg(long, value_name = "N", default_value_t = EmulatorBuilder::DEFAULT_MAX_CONNECTIONS)]
    max_connections: usize,

    /// The largest request body accepted, in bytes; larger is answered with 413.
    #[arg(long, value_name = "BYTES", default_value_t = EmulatorBuilder::DEFAULT_MAX_BODY_BYTES)]
    max_body_bytes: usize,

    /// How many API requests each tenant's journal keeps (0: none); older ones are dropped.
    #[arg(long, value_name = "N", default_value_t = EmulatorBuilder::DEFAULT_JOURNAL_SIZE)]
    journal_size: usize,

    /// How many tenants the emulator holds at once; past it, POST /_emulator/tenants answers
    /// 409 until one is deleted (DELETE /_emulator/tenants/{id}).
    #[arg(long, value_name = "N", default_value_t = EmulatorBuilder::DEFAULT_MAX_TENANTS)]
    max_tenants: usize,
}

impl Args {
    /// The emulator these flags describe.
    fn builder(self) -> EmulatorBuilder {
        let mut builder = Emulator::builder()
            .listen(self.listen)
            .oauth_auto_approve(self.oauth_auto_approve)
            .session_lifetime(Duration::from_secs(self.session_lifetime))
            .oauth_setup_lifetime(Duration::from_secs(self.oauth_setup_lifetime))
            .header_timeout(Duration::from_secs(self.header_timeout))
            .body_timeout(Duration::from_secs(self.body_timeout))
            .max_connections(self.max_connections)
            .max_body_bytes(self.max_body_bytes)
            .journal_size(self.journal_size)
            .max_tenants(self.max_tenants);
        for key in self.api_keys {
            builder = builder.api_key(key);
        }
        if let Some(path) = self.database {
            builder = builder.database(path);
        }
        if let Some(path) = self.fixtures {
            builder = builder.fixtures_file(path);
        }
        if let Some(url) = self.public_url {
            builder = builder.public_url(url);
        }
        builder
    }
}

/// Parses the flags, starts the emulator, prints its address and key, and serves until
/// SIGINT or SIGTERM.
#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();

    let generated_key = args.api_keys.is_empty();
    let emulator = match args.builder().spawn().await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("metorial-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };
    print_banner(&emulator, generated_key);

    wait_for_signal().await;
    let _ = writeln!(std::io::stderr(), "shutting down");
    match emulator.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("metorial-emulator: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints where the emulator listens and its API keys (stdout: the caller needs them). A
/// closed stdout (the caller read the first line and went) is no reason to stop serving, so
/// write errors are ignored.
fn print_banner(emulator: &Emulator, generated_key: bool) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "listening on http://{}", emulator.local_addr());
    if emulator.public_url() != emulator.base_url() {
        let _ = writeln!(out, "public URL: {}", emulator.public_url());
    }
    // Printing the key is the point: the caller needs it to talk to the emulator.
    for key in emulator.api_keys() {
        let tenant = emulator
            .tenant_for(key)
            .map(|t| t.id().to_owned())
            .unwrap_or_default();
        let generated = if generated_key { " (generated)" } else { "" };
        let _ = writeln!(out, "API key{generated}: {key} (tenant {tenant})");
    }
    let _ = writeln!(
        out,
        "try: curl -H 'Authorization: Bearer {}' {}/provider-setup-sessions",
        emulator.api_key(),
        emulator.base_url()
    );
    let _ = out.flush();
}

/// Waits for Ctrl-C (or SIGTERM on Unix).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
