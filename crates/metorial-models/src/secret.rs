//! [`SecretObject`]: a JSON object whose values are secrets; [`SecretString`]: a secret string.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A JSON object holding secrets, such as the OAuth tokens of an auth export or the client
/// secret of an OAuth setup's configuration.
///
/// It serializes as the plain object it holds, but its `Debug` output shows only the keys, so
/// logging a response never leaks a token. Reading a value is an explicit call:
///
/// ```
/// use metorial_models::SecretObject;
///
/// let value: SecretObject =
///     serde_json::from_str(r#"{"access_token": "gho_123", "token_type": "bearer"}"#).unwrap();
/// assert_eq!(value.expose_str("access_token"), Some("gho_123"));
/// assert!(!format!("{value:?}").contains("gho_123"));
/// ```
#[derive(Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretObject(Map<String, Value>);

impl SecretObject {
    /// Wraps a JSON object.
    pub fn new(value: Map<String, Value>) -> Self {
        Self(value)
    }

    /// The names of the secret values, which are not secret themselves.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Whether the object holds no value.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The secret value under `key`.
    pub fn expose(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// The secret value under `key`, if it is a string.
    pub fn expose_str(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(Value::as_str)
    }

    /// The whole object, secrets included.
    pub fn expose_all(&self) -> &Map<String, Value> {
        &self.0
    }

    /// Unwraps the object, secrets included.
    pub fn into_exposed(self) -> Map<String, Value> {
        self.0
    }
}

impl From<Map<String, Value>> for SecretObject {
    fn from(value: Map<String, Value>) -> Self {
        Self(value)
    }
}

impl fmt::Debug for SecretObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for key in self.0.keys() {
            map.entry(&key, &format_args!("<redacted>"));
        }
        map.finish()
    }
}

impl schemars::JsonSchema for SecretObject {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SecretObject".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "additionalProperties": true,
            "description": "A JSON object holding secrets."
        })
    }
}

/// A string holding a secret, such as the client secret of provider auth credentials.
///
/// It serializes as the plain string, but its `Debug` output is `<redacted>`. Reading it is an
/// explicit call:
///
/// ```
/// use metorial_models::SecretString;
///
/// let secret = SecretString::new("cs_live_123");
/// assert_eq!(secret.expose(), "cs_live_123");
/// assert_eq!(format!("{secret:?}"), "<redacted>");
/// ```
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Unwraps the secret.
    pub fn into_exposed(self) -> String {
        self.0
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl schemars::JsonSchema for SecretString {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SecretString".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A string holding a secret."
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_string_hides_itself_and_serializes_plain() {
        let secret: SecretString = serde_json::from_str(r#""cs_abc""#).unwrap();
        assert_eq!(format!("{secret:?} {secret:#?}"), "<redacted> <redacted>");
        assert_eq!(serde_json::to_string(&secret).unwrap(), r#""cs_abc""#);
        assert_eq!(secret.expose(), "cs_abc");
    }

    #[test]
    fn debug_shows_keys_and_hides_values() {
        let value: SecretObject =
            serde_json::from_str(r#"{"access_token":"gho_abc","refresh_token":"ghr_def"}"#)
                .unwrap();
        let debug = format!("{value:?} {value:#?}");
        assert!(debug.contains("access_token") && debug.contains("refresh_token"));
        assert!(
            !debug.contains("gho_abc") && !debug.contains("ghr_def"),
            "{debug}"
        );
    }

    #[test]
    fn serializes_as_the_plain_object() {
        let json = r#"{"access_token":"gho_abc","expires_in":3600}"#;
        let value: SecretObject = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), json);
    }
}
