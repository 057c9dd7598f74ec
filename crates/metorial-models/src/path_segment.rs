//! [`PathSegment`]: where a validation failure is.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An object key or an array index in the `path` of a validation error.
///
/// ```
/// use metorial_models::PathSegment;
///
/// let path: Vec<PathSegment> = serde_json::from_str(r#"["metadata", 0]"#).unwrap();
/// assert_eq!(path, [PathSegment::Key("metadata".into()), PathSegment::Index(0)]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum PathSegment {
    /// An object key.
    Key(String),
    /// An array index.
    Index(u64),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Key(key) => f.write_str(key),
            PathSegment::Index(index) => write!(f, "{index}"),
        }
    }
}

impl From<&str> for PathSegment {
    fn from(key: &str) -> Self {
        PathSegment::Key(key.to_owned())
    }
}

impl From<u64> for PathSegment {
    fn from(index: u64) -> Self {
        PathSegment::Index(index)
    }
}
