//! Request bodies: `--body <JSON | @FILE | @->` merged with one flag per top-level property,
//! then decoded into the SDK's body type.
//!
//! The flags win over the keys of `--body`. A property flag's text is read as the generated
//! table says ([`Kind`]): as a string for string properties (enumerations included), as JSON
//! for objects, arrays, numbers and booleans, and for any other schema as JSON when it parses
//! as an object, array, number or boolean, else as a string. A body that does not decode is a
//! usage error naming the field; the value of a field that holds secrets is never echoed.

use std::io::Read;

use clap::{Arg, ArgMatches, Command};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::args::optional_text;
use crate::error::CliError;

/// How a property flag's text becomes JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Always a JSON string.
    Text,
    /// Always parsed as JSON.
    Json,
    /// JSON when it parses as an object, array, number or boolean; a string otherwise.
    #[allow(
        dead_code,
        reason = "generated for a property of no definite type; the current spec has none"
    )]
    Auto,
}

/// One property flag of a request body (a generated table).
#[derive(Clone, Copy, Debug)]
pub struct Flag {
    /// The clap argument's ID.
    pub id: &'static str,
    /// The flag, for messages (`--provider-id`).
    pub long: &'static str,
    /// The property's name on the wire.
    pub wire: &'static str,
    /// How its text is read.
    pub kind: Kind,
}

/// Adds `--body` to a command that sends a request body.
pub fn body_arg(command: Command) -> Command {
    command.arg(
        Arg::new("body")
            .long("body")
            .value_name("JSON|@FILE|@-")
            .help(
                "The request body: a JSON object, @FILE to read it from a file, @- from stdin; \
                 the property flags override its keys",
            ),
    )
}

/// The request body of `m`: `--body` with the property `flags` set over it, decoded as `T`.
/// `secrets` are the paths of the properties (at any depth) whose values must not appear in
/// a message.
pub fn decode<T: DeserializeOwned>(
    m: &ArgMatches,
    flags: &[Flag],
    secrets: &[&[&str]],
) -> Result<T, CliError> {
    let mut body = match optional_text(m, "body")? {
        Some(source) => read_body(&source)?,
        None => Map::new(),
    };
    for flag in flags {
        if let Some(text) = optional_text(m, flag.id)? {
            body.insert(flag.wire.to_owned(), flag_value(flag, &text)?);
        }
    }
    decode_value(Value::Object(body), secrets)
}

/// The object `--body` gives: inline JSON, `@FILE` or `@-` (stdin).
fn read_body(source: &str) -> Result<Map<String, Value>, CliError> {
    let text = match source.strip_prefix('@') {
        Some("-") => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| CliError::Usage(format!("--body @-: cannot read stdin: {e}")))?;
            text
        }
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| CliError::Usage(format!("--body: cannot read {path}: {e}")))?,
        None => source.to_owned(),
    };
    match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CliError::Usage(
            "--body: the request body must be a JSON object".into(),
        )),
        Err(e) => Err(CliError::Usage(format!("--body: not valid JSON: {e}"))),
    }
}

/// A property flag's text as JSON.
fn flag_value(flag: &Flag, text: &str) -> Result<Value, CliError> {
    match flag.kind {
        Kind::Text => Ok(Value::String(text.to_owned())),
        Kind::Json => serde_json::from_str(text)
            .map_err(|e| CliError::Usage(format!("--{}: not valid JSON: {e}", flag.long))),
        Kind::Auto => match serde_json::from_str::<Value>(text) {
            Ok(
                value @ (Value::Object(_) | Value::Array(_) | Value::Number(_) | Value::Bool(_)),
            ) => Ok(value),
            _ => Ok(Value::String(text.to_owned())),
        },
    }
}

/// `body` decoded as `T`; an error names the field (and hides what a secret field held).
fn decode_value<T: DeserializeOwned>(body: Value, secrets: &[&[&str]]) -> Result<T, CliError> {
    serde_path_to_error::deserialize(body).map_err(|error| {
        let path = error.path().to_string();
        let keys: Vec<&str> = error
            .path()
            .iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Map { key } => Some(key.as_str()),
                serde_path_to_error::Segment::Enum { variant } => Some(variant.as_str()),
                _ => None,
            })
            .collect();
        let secret = crate::redact::is_secret(&keys, secrets);
        let message = if path == "." {
            format!("invalid request body: {}", error.inner())
        } else if secret {
            format!(
                "invalid request body: field `{path}`: invalid value (not shown: it holds secrets)"
            )
        } else {
            format!("invalid request body: field `{path}`: {}", error.inner())
        };
        CliError::Usage(message)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use metorial::models::{CreateProviderAuthExportBody, CreateProviderOauthSetupBody};

    const FLAGS: &[Flag] = &[
        Flag {
            id: "body.note",
            long: "note",
            wire: "note",
            kind: Kind::Text,
        },
        Flag {
            id: "body.metadata",
            long: "metadata",
            wire: "metadata",
            kind: Kind::Json,
        },
        Flag {
            id: "body.extra",
            long: "extra",
            wire: "extra",
            kind: Kind::Auto,
        },
    ];

    fn matches(args: &[&str]) -> ArgMatches {
        let command = FLAGS.iter().fold(body_arg(Command::new("create")), |c, f| {
            c.arg(Arg::new(f.id).long(f.long))
        });
        command
            .try_get_matches_from(std::iter::once("create").chain(args.iter().copied()))
            .expect("the arguments parse")
    }

    #[test]
    fn flags_override_the_body_and_are_read_by_kind() {
        let m = matches(&[
            "--body",
            r#"{"provider_auth_config_id": "pac_1", "note": "old"}"#,
            "--note",
            "42",
            "--metadata",
            r#"{"a": 1}"#,
        ]);
        let body: CreateProviderAuthExportBody = decode(&m, FLAGS, &[]).unwrap();
        assert_eq!(body.provider_auth_config_id, "pac_1");
        assert_eq!(body.note, "42");
        assert_eq!(body.metadata.unwrap().get("a"), Some(&Value::from(1)));
        let auto = |text: &str| flag_value(&FLAGS[2], text).unwrap();
        assert_eq!(auto("7"), Value::from(7));
        assert_eq!(auto("[1]"), serde_json::json!([1]));
        assert_eq!(auto("x"), Value::from("x"));
        assert_eq!(auto("\"q\""), Value::from("\"q\""));
    }

    #[test]
    fn bad_bodies_are_usage_errors_naming_the_field() {
        let missing =
            decode::<CreateProviderAuthExportBody>(&matches(&["--note", "n"]), FLAGS, &[]);
        let message = missing.unwrap_err().to_string();
        assert!(message.contains("provider_auth_config_id"), "{message}");
        let wrong = decode::<CreateProviderAuthExportBody>(
            &matches(&["--body", r#"{"provider_auth_config_id": 5, "note": "n"}"#]),
            FLAGS,
            &[],
        );
        let error = wrong.unwrap_err();
        assert_eq!(error.exit_code(), 2);
        assert!(
            error
                .to_string()
                .contains("field `provider_auth_config_id`"),
            "{error}"
        );
        for body in ["[1]", "{", "@/nonexistent/body.json"] {
            let error =
                decode::<CreateProviderAuthExportBody>(&matches(&["--body", body]), FLAGS, &[]);
            assert_eq!(error.unwrap_err().exit_code(), 2, "{body}");
        }
        let error = flag_value(&FLAGS[1], "{nope").unwrap_err().to_string();
        assert!(error.starts_with("--metadata: not valid JSON"), "{error}");
    }

    #[test]
    fn a_secret_field_is_not_echoed() {
        let m = matches(&["--body", r#"{"name": "n", "config": "hunter2"}"#]);
        let error = decode::<CreateProviderOauthSetupBody>(&m, &[], &[&["config"]]).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("field `config`"), "{message}");
        assert!(!message.contains("hunter2"), "{message}");
    }
}
