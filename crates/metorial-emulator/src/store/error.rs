//! [`StoreError`]: why a store operation failed, in the store's terms. The HTTP API maps it to
//! its error body (`api::error`), the OAuth pages and the fake provider's token endpoint to
//! theirs.

use metorial_models::error::ConversionError;
use metorial_models::{ErrorCode, PathSegment};

/// A store operation that failed: something the request asked for that cannot be (the
/// caller's fault), or a bug or I/O failure ([`is_internal`](Self::is_internal)).
#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// No `entity` (one of [`crate::entity`]'s names) with this ID.
    #[error("The requested {} could not be found.", noun(entity))]
    NotFound {
        /// The kind of object.
        entity: &'static str,
        /// Its ID.
        id: String,
    },
    /// The object can no longer be changed (archived or deleted).
    #[error("{0}")]
    Gone(String),
    /// A referenced object belongs to another provider.
    #[error("{0}")]
    ProviderMismatch(String),
    /// A referenced object is archived or deleted.
    #[error("{0}")]
    UseAfterDelete(String),
    /// A value of the request is invalid: at `path`, of kind `code` (`invalid_value`,
    /// `invalid_type`, `invalid_enum`, ...).
    #[error("Invalid data: {}", summary(path, message))]
    Invalid {
        /// Where in the request.
        path: Vec<PathSegment>,
        /// The kind of failure.
        code: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The request names an auth method that does not exist.
    #[error("{0}")]
    InvalidAuthMethod(String),
    /// The provider has no OAuth credentials for the flow asked for.
    #[error("{0}")]
    MissingAuthCredentials(String),
    /// An OAuth setup has neither credentials nor a client of its own (the live API's
    /// OAuth-setup code).
    #[error("{0}")]
    MissingOauthCredentials(String),
    /// The request cannot be served (e.g. a flow the emulator cannot run).
    #[error("{0}")]
    BadRequest(String),
    /// An auth config a flow made (`oauth_automated`) cannot be changed.
    #[error("{0}")]
    AutomatedOauthConfig(String),
    /// The spec has it, the emulator does not implement it (e.g. a list filter).
    #[error("{0}")]
    Unsupported(String),
    /// A move of the clock would leave the times the emulator represents.
    #[error("{0}")]
    Clock(crate::time::OutOfRange),
    /// The store's tenant was deleted (a request that raced the deletion).
    #[error("this API key's tenant was deleted")]
    Closed,
    /// The stored data is inconsistent, or the store task failed: a bug.
    #[error("{0}")]
    Internal(String),
    /// SQLite failed.
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// A stored JSON column could not be read or written.
    #[error("stored JSON: {0}")]
    StoredJson(#[from] serde_json::Error),
    /// A generated builder missed a required field: a bug of the emulator.
    #[error("building a response: {0}")]
    Build(#[from] ConversionError),
}

impl StoreError {
    /// No `entity` (one of [`crate::entity`]'s names) with this ID.
    pub(crate) fn not_found(entity: &'static str, id: &str) -> Self {
        Self::NotFound {
            entity,
            id: id.to_owned(),
        }
    }

    /// An invalid value at `path`.
    pub(crate) fn invalid(path: Vec<PathSegment>, message: impl Into<String>) -> Self {
        Self::invalid_with_code(path, "invalid_value", message)
    }

    /// A failure of kind `code` at `path`.
    pub(crate) fn invalid_with_code(
        path: Vec<PathSegment>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        Self::Invalid {
            path,
            code,
            message: message.into(),
        }
    }

    /// An invalid value of the request's field `field`.
    pub(crate) fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![PathSegment::from(field)], message)
    }

    /// Whether this is a bug or an I/O failure rather than the request's fault.
    pub(crate) fn is_internal(&self) -> bool {
        matches!(
            self,
            Self::Internal(_) | Self::Database(_) | Self::StoredJson(_) | Self::Build(_)
        )
    }

    /// The API's error code for it (the one place this is decided: the HTTP API sends it, a
    /// Rust caller of the control API reads it).
    pub(crate) fn code(&self) -> ErrorCode {
        match self {
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Gone(_) => ErrorCode::Gone,
            Self::ProviderMismatch(_) => ErrorCode::ProviderMismatch,
            Self::UseAfterDelete(_) => ErrorCode::UseAfterDelete,
            Self::Invalid { .. } | Self::Clock(_) => ErrorCode::InvalidData,
            Self::InvalidAuthMethod(_) => ErrorCode::InvalidAuthMethod,
            Self::MissingAuthCredentials(_) => ErrorCode::MissingAuthCredentials,
            Self::MissingOauthCredentials(_) => ErrorCode::MissingOauthCredentials,
            Self::BadRequest(_) => ErrorCode::BadRequest,
            Self::Unsupported(_) => ErrorCode::NotImplemented,
            Self::AutomatedOauthConfig(_) => ErrorCode::CannotUpdateAutomatedOauthConfig,
            Self::Closed => ErrorCode::Unauthorized,
            Self::Internal(_) | Self::Database(_) | Self::StoredJson(_) | Self::Build(_) => {
                ErrorCode::InternalServerError
            }
        }
    }
}

/// An entity name as a noun of a message (`provider.setup_session` is `provider-setup-session`).
fn noun(entity: &str) -> String {
    entity.replace(['.', '_'], "-")
}

/// A validation failure in one line: `path.to.field: message`.
fn summary(path: &[PathSegment], message: &str) -> String {
    if path.is_empty() {
        message.to_owned()
    } else {
        let dotted: Vec<String> = path.iter().map(ToString::to_string).collect();
        format!("{}: {message}", dotted.join("."))
    }
}
