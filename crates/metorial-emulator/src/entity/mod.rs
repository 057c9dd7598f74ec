//! The `entity` names of `not_found` errors, as the live API sends them: the API's vocabulary,
//! used by the store (which says what it did not find) and the HTTP layer (which sends it).
//! The spec's are generated from its `x-metorial-entity` extensions.

#[rustfmt::skip]
mod generated;

pub(crate) use generated::*;

/// An auth method, as `get_provider_auth_method` and `create_provider_auth_config` name an
/// unknown one (the live service's label; setup sessions say `provider.auth_method`).
pub(crate) const PROVIDER_TOOL: &str = "provider_tool";
/// A fault rule of the emulator's control API (not an object of the live API).
pub(crate) const FAULT_RULE: &str = "emulator.fault_rule";
/// A tenant of the emulator's control API (not an object of the live API).
pub(crate) const TENANT: &str = "emulator.tenant";
