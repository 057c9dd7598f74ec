//! Support for the API's open enumerations.
//!
//! The API adds enumeration values over time (a new session status, a new auth config type).
//! Every enumeration of the spec is generated as an enum with one variant per known value and
//! an `Unknown(String)` variant for any other value, so a response with a value this crate has
//! never seen still decodes, and re-encodes unchanged:
//!
//! ```
//! use metorial_models::ProviderSetupSessionStatus;
//!
//! let known: ProviderSetupSessionStatus = serde_json::from_str(r#""completed""#).unwrap();
//! assert_eq!(known, ProviderSetupSessionStatus::Completed);
//!
//! let future: ProviderSetupSessionStatus = serde_json::from_str(r#""paused""#).unwrap();
//! assert!(future.is_unknown());
//! assert_eq!(serde_json::to_string(&future).unwrap(), r#""paused""#);
//! ```
//!
//! Compare values with the known variants; build one from a string with `From<&str>`, which
//! picks the known variant when there is one.

use std::fmt;

use serde::Deserializer;

/// Decodes an open enumeration from a JSON string without allocating for known values.
pub(crate) fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: for<'a> From<&'a str> + From<String>,
{
    struct Visitor<T>(std::marker::PhantomData<T>);

    impl<T> serde::de::Visitor<'_> for Visitor<T>
    where
        T: for<'a> From<&'a str> + From<String>,
    {
        type Value = T;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<T, E> {
            Ok(T::from(v))
        }

        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<T, E> {
            Ok(T::from(v))
        }
    }

    deserializer.deserialize_str(Visitor(std::marker::PhantomData))
}

/// Defines an open enumeration: the generator writes one invocation per enumeration of the
/// spec.
macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $value:literal, )* }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )*
            /// A value this version of the spec does not list, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// The values the spec lists, in its order.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The value as sent on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $value, )*
                    Self::Unknown(value) => value.as_str(),
                }
            }

            /// Whether the value is one the spec does not list.
            pub fn is_unknown(&self) -> bool {
                matches!(self, Self::Unknown(_))
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $( $value => Self::$variant, )*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $( $value => Self::$variant, )*
                    _ => Self::Unknown(value),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::open_enum::deserialize(deserializer)
            }
        }

        impl ::schemars::JsonSchema for $name {
            fn schema_name() -> ::std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut ::schemars::SchemaGenerator) -> ::schemars::Schema {
                ::schemars::json_schema!({
                    "anyOf": [
                        { "type": "string", "enum": Self::KNOWN },
                        { "type": "string" }
                    ]
                })
            }
        }
    };
}

pub(crate) use open_enum;
