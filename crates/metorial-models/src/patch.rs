//! [`Patch`]: a field of a PATCH request body.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A field of a PATCH request body: left unchanged (omitted from the JSON), cleared (sent as
/// `null`) or set to a value.
///
/// The generator makes a nullable field of a PATCH body a `Patch`. No operation of this API has
/// one today: the live API refuses `null` in its PATCH bodies.
///
/// ```
/// use metorial_models::Patch;
///
/// #[derive(serde::Serialize)]
/// struct Body {
///     #[serde(skip_serializing_if = "Patch::is_unchanged")]
///     name: Patch<String>,
///     #[serde(skip_serializing_if = "Patch::is_unchanged")]
///     description: Patch<String>,
///     #[serde(skip_serializing_if = "Patch::is_unchanged")]
///     label: Patch<String>,
/// }
///
/// let body = Body {
///     name: Patch::Set("Renamed".into()),
///     description: Patch::Clear,
///     label: Patch::Unchanged,
/// };
/// assert_eq!(
///     serde_json::to_string(&body).unwrap(),
///     r#"{"name":"Renamed","description":null}"#
/// );
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Patch<T> {
    /// Leave the field as it is: it is not sent.
    #[default]
    Unchanged,
    /// Clear the field: it is sent as `null`.
    Clear,
    /// Set the field to this value.
    Set(T),
}

impl<T> Patch<T> {
    /// Whether the field is left unchanged (and so omitted from the body).
    pub fn is_unchanged(&self) -> bool {
        matches!(self, Patch::Unchanged)
    }

    /// The value the field is set to, if it is set.
    pub fn as_set(&self) -> Option<&T> {
        match self {
            Patch::Set(value) => Some(value),
            _ => None,
        }
    }

    /// Applies the patch to the current value of a nullable field.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Patch::Unchanged => current,
            Patch::Clear => None,
            Patch::Set(value) => Some(value),
        }
    }
}

impl<T> From<T> for Patch<T> {
    fn from(value: T) -> Self {
        Patch::Set(value)
    }
}

impl<T> From<Option<T>> for Patch<T> {
    /// `None` clears the field, `Some` sets it.
    fn from(value: Option<T>) -> Self {
        value.map_or(Patch::Clear, Patch::Set)
    }
}

impl<T: Serialize> Serialize for Patch<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            // Skipped with `skip_serializing_if = "Patch::is_unchanged"`; `null` otherwise.
            Patch::Unchanged | Patch::Clear => serializer.serialize_none(),
            Patch::Set(value) => serializer.serialize_some(value),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    /// A present field decodes as `Clear` (`null`) or `Set`; an absent one, with
    /// `#[serde(default)]`, as `Unchanged`.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Option::<T>::deserialize(deserializer).map(Patch::from)
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for Patch<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Nullable_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        Option::<T>::json_schema(generator)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    struct Body {
        #[serde(default, skip_serializing_if = "Patch::is_unchanged")]
        name: Patch<String>,
    }

    #[test]
    fn three_states_on_the_wire() {
        let cases = [
            (Patch::Unchanged, "{}"),
            (Patch::Clear, r#"{"name":null}"#),
            (Patch::Set("x".to_owned()), r#"{"name":"x"}"#),
        ];
        for (name, json) in cases {
            let body = Body { name };
            assert_eq!(serde_json::to_string(&body).unwrap(), json);
            assert_eq!(serde_json::from_str::<Body>(json).unwrap(), body);
        }
    }

    #[test]
    fn apply_follows_the_state() {
        assert_eq!(Patch::Unchanged.apply(Some(1)), Some(1));
        assert_eq!(Patch::<i32>::Clear.apply(Some(1)), None);
        assert_eq!(Patch::Set(2).apply(Some(1)), Some(2));
    }
}
