//! [`ApiError`]: every API failure, answered with the API's error body.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use metorial_models::{ErrorBody, ErrorCode, PathSegment, ValidationError};

/// An API failure: answered as `{"object": "error", "status", "code", "message", ...}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    /// The HTTP status.
    pub(crate) status: StatusCode,
    /// The machine-readable code.
    pub(crate) code: ErrorCode,
    /// The human-readable message.
    pub(crate) message: String,
    /// The kind of object the error is about.
    pub(crate) entity: Option<String>,
    /// The individual failures of a validation error.
    pub(crate) errors: Vec<ValidationError>,
}

impl ApiError {
    /// A failure with no details.
    pub(crate) fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            entity: None,
            errors: Vec::new(),
        }
    }

    /// 404 `not_found`: no `entity` with this ID.
    pub(crate) fn not_found(entity: &str, id: &str) -> Self {
        Self {
            entity: Some(entity.to_owned()),
            ..Self::new(
                StatusCode::NOT_FOUND,
                ErrorCode::NotFound,
                format!("{entity} {id:?} was not found"),
            )
        }
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
        Self {
            errors: vec![ValidationError {
                code: code.to_owned(),
                message,
                path: Some(path),
            }],
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

    /// The error body.
    pub(crate) fn body(&self) -> ErrorBody {
        ErrorBody {
            object: "error".to_owned(),
            status: i64::from(self.status.as_u16()),
            code: self.code.clone(),
            message: self.message.clone(),
            entity: self.entity.clone(),
            errors: (!self.errors.is_empty()).then(|| self.errors.clone()),
            hint: None,
            description: None,
            reason: None,
        }
    }
}

impl From<rusqlite::Error> for ApiError {
    fn from(error: rusqlite::Error) -> Self {
        Self::internal(format_args!("database: {error}"))
    }
}

impl From<serde_json::Error> for ApiError {
    fn from(error: serde_json::Error) -> Self {
        Self::internal(format_args!("stored JSON: {error}"))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
