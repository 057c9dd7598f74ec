//! Typed [`httpmock`] helpers for Metorial's provider-auth API, generated from
//! `spec/metorial.yaml`.
//!
//! [`MockServerExt`] adds one method per operation to `httpmock::MockServer`; its `when` and
//! `then` arguments take the operation's typed parameters and responses.

// Formatted by the generator (prettyplease), not rustfmt: `cargo xtask generate --check` compares bytes.
#[rustfmt::skip]
mod generated;

pub use generated::*;
