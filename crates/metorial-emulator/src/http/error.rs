//! [`ApiError`]: every failure of the HTTP API, answered with the API's error body; store
//! failures ([`StoreError`]) become one here.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use metorial_models::error::ConversionError;
use metorial_models::{ErrorBody, ErrorCode, PathSegment, ValidationError};

use crate::control::ControlError;
use crate::store::StoreError;
use crate::tenant::TenantError;

/// An API failure: answered as `{"object": "error", "status", "code", "message", ...}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// The machine-readable code.
    pub(crate) code: ErrorCode,
    /// The human-readable message.
    pub(crate) message: String,
    /// The object a `not_found` is about (boxed: errors travel in every `Result`).
    pub(crate) subject: Option<Box<Subject>>,
    /// The individual failures of a validation error.
    pub(crate) errors: Vec<ValidationError>,
}

/// The object an error is about: its kind (one of [`crate::entity`]'s names) and ID.
#[derive(Debug)]
pub(crate) struct Subject {
    /// The kind of object.
    pub(crate) entity: String,
    /// Its ID.
    pub(crate) id: String,
}

impl ApiError {
    /// A failure with no details.
    pub(crate) fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            subject: None,
            errors: Vec::new(),
        }
    }

    /// 404 `not_found`: no `entity` (one of [`crate::entity`]'s names) with this ID; the body names
    /// both, as the live API's does.
    pub(crate) fn not_found(entity: &str, id: &str) -> Self {
        let noun = entity.replace(['.', '_'], "-");
        Self {
            subject: Some(Box::new(Subject {
                entity: entity.to_owned(),
                id: id.to_owned(),
            })),
            ..Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                format!("The requested {noun} could not be found."),
            )
        }
    }

    /// 400 `bad_request`.
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, ErrorCode::BadRequest, message)
    }

    /// 404 `not_found` for a path the API does not have.
    pub(crate) fn no_route(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            format!("no endpoint at {path:?}"),
        )
    }

    /// 401 `unauthorized`.
    pub(crate) fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized, message)
    }

    /// 400 `invalid_data` with one validation failure at `path`.
    pub(crate) fn invalid(path: Vec<PathSegment>, message: impl Into<String>) -> Self {
        Self::invalid_with_code(path, "invalid_value", message)
    }

    /// 400 `invalid_data` with one validation failure at `path`, of kind `code`.
    pub(crate) fn invalid_with_code(
        path: Vec<PathSegment>,
        code: &str,
        message: impl Into<String>,
    ) -> Self {
        let message = message.into();
        let summary = if path.is_empty() {
            message.clone()
        } else {
            let dotted: Vec<String> = path.iter().map(ToString::to_string).collect();
            format!("{}: {message}", dotted.join("."))
        };
        let error = ValidationError::builder()
            .code(code.to_owned())
            .message(message)
            .path(path)
            .try_into();
        let error = match error {
            Ok(error) => error,
            Err(error) => return Self::from(error),
        };
        Self {
            errors: vec![error],
            ..Self::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidData,
                format!("Invalid data: {summary}"),
            )
        }
    }

    /// 400 `invalid_data` for the field `field` of the request.
    pub(crate) fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![PathSegment::from(field)], message)
    }

    /// 500 `internal_server_error`: a bug or an I/O failure, logged without details for the
    /// client.
    pub(crate) fn internal(error: impl std::fmt::Display) -> Self {
        tracing::error!(%error, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::InternalServerError,
            "the emulator failed; see its log",
        )
    }

    /// The error body (failing only when the generated builder misses a required field: a
    /// bug of the emulator).
    pub(crate) fn body(&self) -> Result<ErrorBody, ConversionError> {
        ErrorBody::builder()
            .object("error")
            .ok(false)
            .id(self.subject.as_ref().map(|s| s.id.clone()))
            .status(i64::from(self.status.as_u16()))
            .code(self.code.clone())
            .message(self.message.clone())
            .entity(self.subject.as_ref().map(|s| s.entity.clone()))
            .errors((!self.errors.is_empty()).then(|| self.errors.clone()))
            .try_into()
    }
}

impl From<StoreError> for ApiError {
    /// A store failure as the API answers it: the code the store gives it, the status that
    /// code has (a bug or an I/O failure: 500, logged).
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::NotFound { entity, id } => Self::not_found(entity, &id),
            StoreError::Invalid {
                path,
                code,
                message,
            } => Self::invalid_with_code(path, code, message),
            StoreError::Clock(out_of_range) => Self::invalid(Vec::new(), out_of_range.to_string()),
            internal if internal.is_internal() => Self::internal(internal),
            other => Self::new(status_of(&other.code()), other.code(), other.to_string()),
        }
    }
}

impl From<ControlError> for ApiError {
    /// A refused or failed control operation as the control API answers it.
    fn from(error: ControlError) -> Self {
        match error {
            ControlError::Store(error) => error.into(),
            ControlError::Fault(error) => error.into(),
            ControlError::Tenant(TenantError::Store(error)) => error.into(),
            ControlError::Tenant(TenantError::NotFound { id }) => {
                Self::not_found(crate::entity::TENANT, &id)
            }
            ControlError::Tenant(error @ (TenantError::InvalidKey | TenantError::KeyTaken)) => {
                Self::invalid_field("api_key", error.to_string())
            }
            ControlError::Tenant(TenantError::Open(error)) => Self::internal(error),
            ControlError::Tenant(error) => {
                Self::new(status_of(&error.code()), error.code(), error.to_string())
            }
        }
    }
}

impl From<TenantError> for ApiError {
    fn from(error: TenantError) -> Self {
        ControlError::from(error).into()
    }
}

/// The HTTP status of an error code the store or the control layer gives.
fn status_of(code: &ErrorCode) -> StatusCode {
    match code {
        ErrorCode::NotFound => StatusCode::NOT_FOUND,
        ErrorCode::Gone => StatusCode::GONE,
        ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorCode::Forbidden => StatusCode::FORBIDDEN,
        ErrorCode::Conflict => StatusCode::CONFLICT,
        ErrorCode::InternalServerError => StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::NotImplemented => StatusCode::NOT_IMPLEMENTED,
        _ => StatusCode::BAD_REQUEST,
    }
}

impl From<ConversionError> for ApiError {
    /// A generated builder missing a required field: a bug of the emulator.
    fn from(error: ConversionError) -> Self {
        Self::internal(format_args!("building a response: {error}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        Self::internal(format_args!("stored JSON: {error}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = match self.body() {
            Ok(body) => (self.status, Json(body)).into_response(),
            Err(error) => {
                tracing::error!(%error, "building an error body");
                let body = serde_json::json!({
                    "object": "error",
                    "ok": false,
                    "status": 500,
                    "code": "internal_server_error",
                    "message": "the emulator failed; see its log",
                });
                (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
            }
        };
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
