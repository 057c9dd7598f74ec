//! [`Error`]: why the emulator could not start or stop.

use std::path::PathBuf;

/// Why the emulator could not start (or stop cleanly).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listen address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The SQLite database could not be opened or migrated.
    #[error("cannot open the database {path}: {source}")]
    Database {
        /// The database file, or `:memory:`.
        path: String,
        /// The underlying error.
        source: rusqlite::Error,
    },
    /// The fixtures file could not be read.
    #[error("cannot read the fixtures file {path}: {source}")]
    FixturesFile {
        /// The fixtures file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The fixtures could not be parsed or refer to objects they do not define.
    #[error("invalid fixtures{}: {message}", .path.as_ref().map(|p| format!(" in {}", p.display())).unwrap_or_default())]
    Fixtures {
        /// The fixtures file, when they come from one.
        path: Option<PathBuf>,
        /// What is wrong.
        message: String,
    },
    /// An option has a value the emulator cannot use.
    #[error("invalid option {option}: {message}")]
    Config {
        /// The option (flag or builder method).
        option: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A control operation (a reset, a snapshot, a seed, a fault rule, a tenant, ...) was
    /// refused or failed: the API's error code the control API answers with, and why.
    #[error("{message} ({code})")]
    Control {
        /// The API's error code (`invalid_data`, `not_found`, `forbidden`, `conflict`, ...).
        code: String,
        /// What went wrong.
        message: String,
    },
    /// The server task failed or panicked.
    #[error("the server failed: {0}")]
    Server(String),
}
