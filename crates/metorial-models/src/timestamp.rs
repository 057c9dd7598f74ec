//! [`Timestamp`]: the API's RFC 3339 dates.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time, as the API writes it: RFC 3339 in UTC with milliseconds
/// (`2025-09-15T10:30:00.000Z`).
///
/// Decoding accepts any RFC 3339 date; encoding writes milliseconds (or the finer precision
/// the value has), so a decoded API date re-encodes byte for byte.
///
/// ```
/// use metorial_models::Timestamp;
///
/// let t: Timestamp = "2025-09-15T10:30:00.000Z".parse().unwrap();
/// assert_eq!(t.to_string(), "2025-09-15T10:30:00.000Z");
/// assert_eq!(t.timestamp(), 1_757_932_200);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The current time, truncated to the API's millisecond precision.
    pub fn now() -> Self {
        let now = Utc::now();
        let millis = now.timestamp_millis();
        Self(DateTime::from_timestamp_millis(millis).unwrap_or(now))
    }

    /// The wrapped date.
    pub fn into_inner(self) -> DateTime<Utc> {
        self.0
    }
}

impl Deref for Timestamp {
    type Target = DateTime<Utc>;

    fn deref(&self) -> &DateTime<Utc> {
        &self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(value: DateTime<Utc>) -> Self {
        Self(value)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(value: Timestamp) -> Self {
        value.0
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let format = if self.0.timestamp_subsec_nanos().is_multiple_of(1_000_000) {
            SecondsFormat::Millis
        } else {
            SecondsFormat::AutoSi
        };
        f.write_str(&self.0.to_rfc3339_opts(format, true))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for Timestamp {
    type Err = chrono::ParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateTime::parse_from_rfc3339(s).map(|t| Self(t.with_timezone(&Utc)))
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Timestamp;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date")
            }

            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Timestamp, E> {
                v.parse()
                    .map_err(|e| E::custom(format_args!("invalid RFC 3339 date {v:?}: {e}")))
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date-time" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_the_api_format() {
        for s in [
            "2025-09-15T10:30:00.000Z",
            "2025-09-15T10:30:00.120Z",
            "2025-09-15T10:30:00.123456Z",
        ] {
            let t: Timestamp = serde_json::from_value(serde_json::json!(s)).unwrap();
            assert_eq!(serde_json::to_value(t).unwrap(), serde_json::json!(s));
        }
    }

    #[test]
    fn normalizes_offsets_to_utc() {
        let t: Timestamp = "2025-09-15T12:30:00+02:00".parse().unwrap();
        assert_eq!(t.to_string(), "2025-09-15T10:30:00.000Z");
    }

    #[test]
    fn rejects_garbage_with_a_clear_error() {
        let err = serde_json::from_str::<Timestamp>(r#""yesterday""#).unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid RFC 3339 date \"yesterday\""),
            "{err}"
        );
    }
}
