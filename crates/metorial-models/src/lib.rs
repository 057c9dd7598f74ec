//! Types of Metorial's provider-auth API.
//!
//! Almost everything here is generated from `spec/metorial.yaml` by `cargo xtask generate`
//! into [`generated`](self) (re-exported at the crate root). The few types the generator cannot
//! express are written by hand and plugged in by the generator:
//!
//! - [`SecretObject`]: a JSON object of secrets (an export's tokens, an OAuth setup's client
//!   secret) that never prints in `Debug`; [`SecretString`], a secret string (a client secret);
//! - [`Timestamp`]: an RFC 3339 date that re-encodes with the API's millisecond precision;
//! - [`Patch`]: a PATCH field that is left unchanged, cleared (`null`) or set (no operation of
//!   this API uses it: its PATCH bodies refuse `null`);
//! - [`OneOrMany`]: a list filter's one value or many (sent as repeated query keys);
//! - [`Open`]: a tagged union the API may extend (an unknown variant decodes as an object);
//! - [`PathSegment`]: a key or index in a validation error's path;
//! - [`Operation`]: one operation of the spec, as listed (generated) in [`OPERATIONS`].
//!
//! Every enumeration is open: a value the spec does not list decodes into an `Unknown(String)`
//! variant and re-encodes unchanged.
//!
//! ```
//! use metorial_models::{ProviderSetupSession, ProviderSetupSessionStatus};
//!
//! let json = include_str!("../../../spec/examples/provider-setup-session.json");
//! let session: ProviderSetupSession = serde_json::from_str(json).unwrap();
//! assert_eq!(session.status, ProviderSetupSessionStatus::Pending);
//! ```

// Formatted by the generator (prettyplease), not rustfmt: `cargo xtask generate --check` compares bytes.
#[rustfmt::skip]
mod generated;
mod one_or_many;
mod open;
pub mod open_enum;
mod operation;
mod patch;
mod path_segment;
mod secret;
mod timestamp;

pub use generated::*;
pub use one_or_many::OneOrMany;
pub use open::Open;
pub use operation::Operation;
pub use patch::Patch;
pub use path_segment::PathSegment;
pub use secret::{SecretObject, SecretString};
pub use timestamp::Timestamp;
