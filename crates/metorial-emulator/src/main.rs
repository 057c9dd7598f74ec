//! `metorial-emulator`: runs the emulator as a program.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use metorial_emulator::{DEFAULT_LISTEN, Emulator};

/// A local, stateful Metorial provider-auth API with a real OAuth flow.
#[derive(Debug, Parser)]
#[command(name = "metorial-emulator", version, about)]
struct Args {
    /// The address to listen on (port 0: any free port).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    listen: SocketAddr,

    /// An API key to accept (repeatable). Without one, a key is generated and printed.
    #[arg(long = "api-key", value_name = "KEY")]
    api_keys: Vec<String>,

    /// A SQLite file to keep the state in (created if missing). Default: in memory.
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
}

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
    let mut builder = Emulator::builder()
        .listen(args.listen)
        .oauth_auto_approve(args.oauth_auto_approve)
        .session_lifetime(Duration::from_secs(args.session_lifetime))
        .oauth_setup_lifetime(Duration::from_secs(args.oauth_setup_lifetime));
    for key in args.api_keys {
        builder = builder.api_key(key);
    }
    if let Some(path) = args.database {
        builder = builder.database(path);
    }
    if let Some(path) = args.fixtures {
        builder = builder.fixtures_file(path);
    }
    if let Some(url) = args.public_url {
        builder = builder.public_url(url);
    }
    let emulator = match builder.spawn().await {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("metorial-emulator: {e}");
            return ExitCode::FAILURE;
        }
    };

    println!("listening on http://{}", emulator.local_addr());
    if emulator.public_url() != emulator.base_url() {
        println!("public URL: {}", emulator.public_url());
    }
    // Printing the key is the point: the caller needs it to talk to the emulator.
    for key in emulator.api_keys() {
        if generated_key {
            println!("API key (generated): {key}");
        } else {
            println!("API key: {key}");
        }
    }
    println!(
        "try: curl -H 'Authorization: Bearer {}' {}/provider-setup-sessions",
        emulator.api_key(),
        emulator.base_url()
    );

    wait_for_signal().await;
    eprintln!("shutting down");
    match emulator.shutdown().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("metorial-emulator: {e}");
            ExitCode::FAILURE
        }
    }
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
