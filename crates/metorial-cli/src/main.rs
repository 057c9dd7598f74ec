//! `metorial`: the command-line tool for Metorial's provider-auth API, built on the SDK.
//!
//! Every operation of the spec is a subcommand (`metorial setup-sessions list --status
//! pending --all`), generated from the spec like the SDK's resource layer (`generated.rs`).
//! The API key and base URL come from `--api-key` / `--base-url`, or `METORIAL_API_KEY` /
//! `METORIAL_BASE_URL`. Calls go through the SDK (its retries, its errors).
//!
//! Exit status: 0 on success, 1 when the API or the connection failed, 2 for a usage error
//! (a bad flag, a request body that does not decode, no API key). An error is one line on
//! stderr: `metorial: unauthorized (401): invalid API key [request req_...]`.

mod args;
mod body;
mod error;
// Formatted by the generator (prettyplease), not rustfmt: `cargo xtask generate --check` compares bytes.
#[rustfmt::skip]
mod generated;
mod output;
mod progress;
mod redact;
mod table;

use std::io::Write;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command, value_parser};
use clap_complete::Shell;

use crate::error::CliError;

/// The program's name, in completions.
const NAME: &str = "metorial";

/// The help heading of the flags every command takes.
const GLOBAL: &str = "Global options";

/// Shown after the top-level help.
const AFTER_HELP: &str = "\
Output: pretty JSON; a list prints one page as {\"items\": [...], \"pagination\": {...}}; \
with --all, every item as one JSON object per line (JSON Lines), with the progress on stderr. \
--table prints a column table instead. Secrets (an export's tokens) print as \"<redacted>\" \
unless --show-secrets is given.

Request bodies: --body '<JSON>' (or @FILE, or @- for stdin) and one flag per property \
(--provider-id x); the flags override the keys of --body.

Exit status: 0 on success, 1 when the API or the connection failed, 2 for a usage error.";

/// The whole command line: the global flags, one command per resource, `completions`.
fn command() -> Command {
    Command::new(NAME)
        .version(env!("CARGO_PKG_VERSION"))
        .about("Metorial's provider-auth API from the command line")
        .after_help(AFTER_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("api_key")
                .long("api-key")
                .value_name("KEY")
                .global(true)
                .help_heading(GLOBAL)
                .help("The API key (default: $METORIAL_API_KEY, which keeps it out of `ps`)"),
        )
        .arg(
            Arg::new("base_url")
                .long("base-url")
                .value_name("URL")
                .global(true)
                .help_heading(GLOBAL)
                .help("The API's base URL (default: $METORIAL_BASE_URL, else https://api.metorial.com)"),
        )
        .arg(
            Arg::new("table")
                .long("table")
                .action(ArgAction::SetTrue)
                .global(true)
                .help_heading(GLOBAL)
                .help("Print a table of the scalar fields instead of JSON"),
        )
        .arg(
            Arg::new("show_secrets")
                .long("show-secrets")
                .action(ArgAction::SetTrue)
                .global(true)
                .help_heading(GLOBAL)
                .help("Print secrets (an export's tokens) instead of \"<redacted>\""),
        )
        .subcommands(generated::commands())
        .subcommand(
            Command::new("completions")
                .about("Print the shell completion script")
                .arg(
                    Arg::new("shell")
                        .value_name("SHELL")
                        .required(true)
                        .value_parser(value_parser!(Shell))
                        .help("The shell to complete in"),
                ),
        )
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let matches = command().get_matches();
    match run(&matches).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if error.is_reported() {
                let _ = writeln!(std::io::stderr(), "{NAME}: {error}");
            }
            ExitCode::from(error.exit_code())
        }
    }
}

/// Runs the command `matches` names and prints its answer.
async fn run(matches: &ArgMatches) -> Result<(), CliError> {
    let Some((name, sub)) = matches.subcommand() else {
        return Err(CliError::Usage("a command is needed: see --help".into()));
    };
    if name == "completions" {
        return completions(sub);
    }
    let metorial = client(matches)?;
    let reply = generated::run(&metorial, name, sub).await?;
    let options = output::Options {
        table: args::switch(matches, "table"),
        show_secrets: args::switch(matches, "show_secrets"),
    };
    reply.print(options, &mut std::io::stdout().lock()).await
}

/// The SDK client: the key and base URL from the flags, else from the environment.
fn client(matches: &ArgMatches) -> Result<metorial::Metorial, CliError> {
    let setting = |id: &str, env: &str| -> Result<Option<String>, CliError> {
        let flag = args::optional_text(matches, id)?;
        Ok(flag
            .or_else(|| std::env::var(env).ok())
            .filter(|value| !value.is_empty()))
    };
    let key = setting("api_key", metorial::API_KEY_ENV)?.ok_or_else(|| {
        CliError::Usage(format!(
            "no API key: pass --api-key or set {}",
            metorial::API_KEY_ENV
        ))
    })?;
    let mut builder = metorial::Metorial::builder()
        .api_key(key)
        .user_agent_suffix(format!("metorial-cli/{}", env!("CARGO_PKG_VERSION")));
    if let Some(url) = setting("base_url", metorial::BASE_URL_ENV)? {
        builder = builder.base_url(url);
    }
    builder.build().map_err(CliError::Sdk)
}

/// `metorial completions <shell>`: the completion script, on stdout.
fn completions(m: &ArgMatches) -> Result<(), CliError> {
    let shell = m
        .try_get_one::<Shell>("shell")
        .ok()
        .flatten()
        .copied()
        .ok_or_else(|| CliError::Usage("completions: a shell is needed".into()))?;
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command(), NAME, &mut script);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&script)
        .and_then(|()| stdout.flush())
        .map_err(CliError::Output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_tree_is_consistent() {
        // clap's own checks: no two arguments with one name, required positionals, ...
        command().debug_assert();
    }

    #[test]
    fn global_flags_are_read_after_the_subcommand() {
        let matches = command()
            .try_get_matches_from([
                NAME,
                "setup-sessions",
                "get",
                "pas_1",
                "--table",
                "--api-key",
                "k",
            ])
            .expect("parses");
        assert!(args::switch(&matches, "table"));
        assert_eq!(
            args::optional_text(&matches, "api_key").unwrap().as_deref(),
            Some("k")
        );
    }
}
