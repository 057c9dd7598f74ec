//! [`ControlError`]: why a control operation (the `/_emulator/` API, [`TenantHandle`]) failed,
//! in the control layer's terms: the HTTP wing answers it with the API's error body, a Rust
//! caller gets it as [`Error::Control`].
//!
//! [`TenantHandle`]: crate::control::TenantHandle

use metorial_models::ErrorCode;

use crate::error::Error;
use crate::faults::FaultError;
use crate::store::StoreError;
use crate::tenant::TenantError;

/// A control operation that was refused or failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ControlError {
    /// The tenant's store refused or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Making or deleting a tenant was refused or failed.
    #[error(transparent)]
    Tenant(#[from] TenantError),
    /// A fault rule was refused.
    #[error(transparent)]
    Fault(#[from] FaultError),
}

impl ControlError {
    /// The API's error code for it.
    pub(crate) fn code(&self) -> ErrorCode {
        match self {
            Self::Store(error) => error.code(),
            Self::Tenant(error) => error.code(),
            Self::Fault(_) => ErrorCode::InvalidData,
        }
    }
}

impl From<ControlError> for Error {
    /// The caller's error: the code and why. A bug or an I/O failure is logged and told as
    /// such, without its details (a stored value could be in them), as the HTTP API tells it.
    fn from(error: ControlError) -> Self {
        let code = error.code();
        let message = if code == ErrorCode::InternalServerError {
            tracing::error!(%error, "internal error of a control operation");
            "the emulator failed; see its log".to_owned()
        } else {
            error.to_string()
        };
        Error::Control {
            code: code.to_string(),
            message,
        }
    }
}
