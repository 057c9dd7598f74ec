//! [`CliError`]: what a command can fail with, its exit status, and its one-line message.
//!
//! The message names the API's error code, the HTTP status and the request ID when there is
//! one (`unauthorized (401): invalid API key [request req_...]`). It never holds the API key:
//! the SDK scrubs it from every text that came from a response, and nothing here prints it.

use std::error::Error as _;
use std::fmt;

/// What a command can fail with.
#[derive(Debug)]
pub enum CliError {
    /// The command line is wrong: a flag's value, a request body that does not decode, a
    /// missing API key. Exit status 2.
    Usage(String),
    /// The SDK's error: the API answered with an error status, the connection failed, or a
    /// wait ended without the object completing (exit status 1); what the SDK refused before
    /// sending anything (a bad page size, an empty ID, a bad base URL) is a usage error
    /// (exit status 2).
    Sdk(metorial::Error),
    /// An answer could not be encoded as JSON. Exit status 1.
    Encode(serde_json::Error),
    /// Writing the output failed. Exit status 1, or 0 without a message when the reader went
    /// away (a closed pipe, as with `| head`).
    Output(std::io::Error),
}

impl CliError {
    /// The process' exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Usage(_)
            | CliError::Sdk(metorial::Error::InvalidRequest(_) | metorial::Error::Config(_)) => 2,
            CliError::Output(error) if error.kind() == std::io::ErrorKind::BrokenPipe => 0,
            CliError::Sdk(_) | CliError::Encode(_) | CliError::Output(_) => 1,
        }
    }

    /// Whether the error is worth a message (not a reader that went away).
    pub fn is_reported(&self) -> bool {
        self.exit_code() != 0
    }
}

impl From<metorial::Error> for CliError {
    fn from(error: metorial::Error) -> Self {
        CliError::Sdk(error)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = match self {
            CliError::Usage(message) => message.clone(),
            CliError::Sdk(error) => sdk_message(error),
            CliError::Encode(error) => format!("the answer could not be encoded as JSON: {error}"),
            CliError::Output(error) => format!("cannot write the output: {error}"),
        };
        f.write_str(&one_line(&text))
    }
}

/// The message of an SDK error: the API error's code, status, message and request ID, or the
/// error with its causes.
fn sdk_message(error: &metorial::Error) -> String {
    match error {
        metorial::Error::Api(api) => api_message(api),
        metorial::Error::Decode { .. } => {
            with_request(format!("decode_error: {error}"), error.request_id())
        }
        metorial::Error::Connection { .. } => format!("connection_failed: {}", with_causes(error)),
        metorial::Error::Timeout { .. } => format!("timeout: {error}"),
        _ => with_causes(error),
    }
}

/// `code (status): message; validation errors (hint: ...) [request id]`.
fn api_message(api: &metorial::ApiError) -> String {
    let code = api
        .code
        .as_ref()
        .map_or_else(|| "http_error".to_owned(), ToString::to_string);
    let mut text = format!("{code} ({}): {}", api.status.as_u16(), api.message);
    // The API's message often holds its validation errors already: each is added once.
    for failure in api
        .errors
        .iter()
        .filter(|f| !api.message.contains(&f.message))
    {
        let path: Vec<String> = failure
            .path
            .iter()
            .flatten()
            .map(ToString::to_string)
            .collect();
        if path.is_empty() {
            text.push_str(&format!("; {}", failure.message));
        } else {
            text.push_str(&format!("; {}: {}", path.join("."), failure.message));
        }
    }
    if let Some(hint) = &api.hint {
        text.push_str(&format!(" (hint: {hint})"));
    }
    with_request(text, api.request_id.as_deref())
}

/// `text [request <id>]`, when there is a request ID.
fn with_request(text: String, request_id: Option<&str>) -> String {
    match request_id {
        Some(id) => format!("{text} [request {id}]"),
        None => text,
    }
}

/// The error's message followed by those of its causes that it does not already include.
fn with_causes(error: &metorial::Error) -> String {
    let mut text = error.to_string();
    let mut cause = error.source();
    while let Some(inner) = cause {
        let message = inner.to_string();
        if !text.contains(&message) {
            text.push_str(&format!(": {message}"));
        }
        cause = inner.source();
    }
    text
}

/// `text` on one line: line breaks and other control characters become spaces, runs of
/// spaces one.
fn one_line(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    cleaned.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_exit_2_and_fit_on_one_line() {
        let error = CliError::Usage("bad\nvalue\u{1b}[31m  here".into());
        assert_eq!(error.exit_code(), 2);
        assert_eq!(error.to_string(), "bad value [31m here");
        let refused = CliError::Sdk(metorial::Error::InvalidRequest("limit".into()));
        assert_eq!(refused.exit_code(), 2);
    }

    #[test]
    fn a_closed_pipe_exits_0_quietly() {
        let error = CliError::Output(std::io::ErrorKind::BrokenPipe.into());
        assert_eq!(error.exit_code(), 0);
        assert!(!error.is_reported());
        assert_eq!(
            CliError::Output(std::io::ErrorKind::Other.into()).exit_code(),
            1
        );
    }
}
