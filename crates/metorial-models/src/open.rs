//! [`Open`]: a tagged union the API may extend.

use serde::{Deserialize, Serialize};

/// A tagged union whose known variants are `T`, and which the API may extend.
///
/// A value of a variant this SDK knows decodes as [`Open::Known`]; anything else (a `type`
/// added to the API after this SDK was built, or a known `type` with a shape this SDK does not
/// expect) decodes as [`Open::Unknown`], keeping every field, and re-encodes unchanged. So a
/// new variant never makes a whole response fail to decode.
///
/// ```
/// use metorial_models::{KnownToolFilter, Open, ToolFilter};
///
/// let known: ToolFilter =
///     serde_json::from_str(r#"{"type": "allow_all", "ignore_parent_filters": false}"#).unwrap();
/// assert!(matches!(known.known(), Some(KnownToolFilter::AllowAll { .. })));
///
/// let json = r#"{"labels":["prod"],"type":"by_label"}"#;
/// let unknown: ToolFilter = serde_json::from_str(json).unwrap();
/// assert_eq!(unknown.unknown_type(), Some("by_label"));
/// assert_eq!(serde_json::to_string(&unknown).unwrap(), json);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Open<T> {
    /// A variant this SDK knows.
    Known(T),
    /// A variant this SDK does not know, as the API sent it.
    Unknown(serde_json::Map<String, serde_json::Value>),
}

impl<T> Open<T> {
    /// The known variant, if it is one.
    pub fn known(&self) -> Option<&T> {
        match self {
            Open::Known(value) => Some(value),
            Open::Unknown(_) => None,
        }
    }

    /// The raw object of an unknown variant, if it is one.
    pub fn unknown(&self) -> Option<&serde_json::Map<String, serde_json::Value>> {
        match self {
            Open::Known(_) => None,
            Open::Unknown(object) => Some(object),
        }
    }

    /// The `type` tag of an unknown variant, if it has one.
    pub fn unknown_type(&self) -> Option<&str> {
        self.unknown()?.get("type")?.as_str()
    }
}

impl<T> From<T> for Open<T> {
    fn from(value: T) -> Self {
        Open::Known(value)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Open<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Open_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let known = generator.subschema_for::<T>();
        schemars::json_schema!({ "anyOf": [known, { "type": "object" }] })
    }
}
