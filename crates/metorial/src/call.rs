//! Running one call of the generated client and turning its outcome into [`Error`]s.

use std::sync::Arc;

use metorial_client::Hooks;
use metorial_models::ErrorBody;
use progenitor_client::ResponseValue;

use crate::error::{ApiError, Error, ResponseMeta, Result};
use crate::redact::Redactor;
use crate::transport::{CallTransport, Shared};

/// Operations whose responses hold secrets: their bodies are never kept in errors.
fn is_sensitive(operation: &str) -> bool {
    operation.contains("auth_export")
}

/// One call: a generated client whose requests go through a fresh [`CallTransport`].
pub(crate) struct Call {
    pub(crate) client: metorial_client::Client,
    transport: Arc<CallTransport>,
    redactor: Redactor,
    operation: &'static str,
}

impl Call {
    pub(crate) fn new(shared: &Arc<Shared>, operation: &'static str) -> Self {
        let transport = Arc::new(CallTransport::new(shared.clone()));
        let client = metorial_client::Client::new_with_client(
            &shared.base_url,
            shared.http.clone(),
            Hooks::with_transport(transport.clone()),
        );
        Call {
            client,
            transport,
            redactor: shared.redactor.clone(),
            operation,
        }
    }

    /// Also scrubs these values (secrets the call sends) from the call's errors.
    pub(crate) fn sending_secrets(mut self, secrets: impl IntoIterator<Item = String>) -> Self {
        self.redactor = self.redactor.with_sent(secrets);
        self
    }

    /// The value of a finished call, or its error.
    pub(crate) fn finish<T>(
        &self,
        result: std::result::Result<ResponseValue<T>, progenitor_client::Error<ErrorBody>>,
    ) -> Result<T> {
        match result {
            Ok(value) => Ok(value.into_inner()),
            Err(error) => Err(self.error(error)),
        }
    }

    fn error(&self, error: progenitor_client::Error<ErrorBody>) -> Error {
        use progenitor_client::Error as E;
        let meta = self.transport.meta();
        let operation = self.operation;
        let redactor = &self.redactor;
        match error {
            E::ErrorResponse(value) => {
                let status = value.status();
                let mut meta = meta;
                if meta.request_id.is_none() {
                    meta.request_id = request_id(value.headers(), redactor);
                }
                Error::Api(Box::new(ApiError::from_body(
                    operation,
                    status,
                    value.into_inner(),
                    &meta,
                    redactor,
                )))
            }
            E::InvalidResponsePayload(bytes, decode) => {
                let snippet = (!is_sensitive(operation)).then(|| redactor.snippet(&bytes));
                match meta.status {
                    Some(status) if status.is_client_error() || status.is_server_error() => {
                        Error::Api(Box::new(ApiError::from_status(
                            operation, status, snippet, &meta,
                        )))
                    }
                    status => Error::Decode {
                        operation,
                        status: status.unwrap_or(reqwest::StatusCode::OK),
                        request_id: meta.request_id.clone(),
                        message: decode_message(&decode, operation, redactor),
                        body_snippet: snippet,
                    },
                }
            }
            E::UnexpectedResponse(response) => {
                let status = response.status();
                let meta = ResponseMeta {
                    request_id: request_id(response.headers(), redactor),
                    ..meta
                };
                Error::Api(Box::new(ApiError::from_status(
                    operation, status, None, &meta,
                )))
            }
            E::CommunicationError(e) | E::ResponseBodyError(e) | E::InvalidUpgrade(e) => {
                if e.is_timeout() {
                    Error::Timeout {
                        operation,
                        attempts: meta.attempts.max(1),
                    }
                } else {
                    Error::Connection {
                        operation,
                        attempts: meta.attempts.max(1),
                        source: e,
                    }
                }
            }
            E::InvalidRequest(message) | E::Custom(message) => {
                Error::InvalidRequest(redactor.scrub(&message))
            }
        }
    }
}

fn request_id(headers: &reqwest::header::HeaderMap, redactor: &Redactor) -> Option<String> {
    headers
        .get(crate::transport::REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|id| redactor.scrub(id))
}

/// What went wrong decoding, without echoing values for operations that carry secrets.
fn decode_message(error: &serde_json::Error, operation: &str, redactor: &Redactor) -> String {
    if is_sensitive(operation) {
        let kind = match error.classify() {
            serde_json::error::Category::Io => "I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "unexpected data",
            serde_json::error::Category::Eof => "truncated JSON",
        };
        format!("{kind} at line {} column {}", error.line(), error.column())
    } else {
        redactor.scrub(&error.to_string())
    }
}

/// Refuses an empty ID before anything is sent.
pub(crate) fn require_id(what: &str, id: &str) -> Result<()> {
    if id.trim().is_empty() {
        return Err(Error::InvalidRequest(format!("the {what} ID is empty")));
    }
    Ok(())
}
