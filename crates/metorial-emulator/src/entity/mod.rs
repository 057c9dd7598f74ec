//! The `entity` names of `not_found` errors, as the live API sends them: the API's vocabulary,
//! used by the store (which says what it did not find) and the HTTP layer (which sends it).
//! The spec's are generated from its `x-metorial-entity` extensions.

#[rustfmt::skip]
mod generated;

pub(crate) use generated::*;

/// A provider (the spec has no provider schema yet).
pub(crate) const PROVIDER: &str = "provider";
/// A fault rule of the emulator's control API (not an object of the live API).
pub(crate) const FAULT_RULE: &str = "emulator.fault_rule";
/// A tenant of the emulator's control API (not an object of the live API).
pub(crate) const TENANT: &str = "emulator.tenant";
