//! [`OneOrMany`]: the API's "one value or a list" query filters.

use std::fmt;

use serde::{Deserialize, Serialize};

/// One value or a list of values, as the API's list filters take them (`id`, `status`, ...).
///
/// A list is sent as repeated query keys (`?status=pending&status=failed`).
///
/// ```
/// use metorial_models::{IdFilter, ProviderSetupSessionStatus, SetupSessionStatusFilter};
///
/// let one: IdFilter = "pas_1".into();
/// let many: IdFilter = vec!["pas_1", "pas_2"].into();
/// assert_eq!(many.as_slice(), ["pas_1", "pas_2"]);
///
/// let statuses: SetupSessionStatusFilter =
///     [ProviderSetupSessionStatus::Pending, ProviderSetupSessionStatus::Failed].into();
/// assert_eq!(statuses.to_string(), "pending,failed");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// A list of values, sent as repeated query keys.
    Many(Vec<T>),
}

impl<T> OneOrMany<T> {
    /// The values, one or many.
    pub fn as_slice(&self) -> &[T] {
        match self {
            OneOrMany::One(value) => std::slice::from_ref(value),
            OneOrMany::Many(values) => values,
        }
    }

    /// Whether no value is held (an empty list).
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
}

impl<T> From<T> for OneOrMany<T> {
    fn from(value: T) -> Self {
        OneOrMany::One(value)
    }
}

impl<T> From<Vec<T>> for OneOrMany<T> {
    fn from(values: Vec<T>) -> Self {
        OneOrMany::Many(values)
    }
}

impl<T, const N: usize> From<[T; N]> for OneOrMany<T> {
    fn from(values: [T; N]) -> Self {
        OneOrMany::Many(values.into())
    }
}

impl<T> FromIterator<T> for OneOrMany<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        OneOrMany::Many(iter.into_iter().collect())
    }
}

impl From<&str> for OneOrMany<String> {
    fn from(value: &str) -> Self {
        OneOrMany::One(value.to_owned())
    }
}

impl From<Vec<&str>> for OneOrMany<String> {
    fn from(values: Vec<&str>) -> Self {
        values.into_iter().map(str::to_owned).collect()
    }
}

impl<const N: usize> From<[&str; N]> for OneOrMany<String> {
    fn from(values: [&str; N]) -> Self {
        values.into_iter().map(str::to_owned).collect()
    }
}

impl<T: fmt::Display> fmt::Display for OneOrMany<T> {
    /// The values separated by commas (for messages; on the wire a list is repeated keys).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, value) in self.as_slice().iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            value.fmt(f)?;
        }
        Ok(())
    }
}

impl<T: schemars::JsonSchema> schemars::JsonSchema for OneOrMany<T> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("OneOrMany_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let one = generator.subschema_for::<T>();
        let many = generator.subschema_for::<Vec<T>>();
        schemars::json_schema!({ "oneOf": [one, many] })
    }
}
