//! The `entity` names of `not_found` errors, as the live API sends them: the API's vocabulary,
//! used by the store (which says what it did not find) and the HTTP layer (which sends it).

/// A provider.
pub(crate) const PROVIDER: &str = "provider";
/// A provider deployment.
pub(crate) const DEPLOYMENT: &str = "provider.deployment";
/// An auth method.
pub(crate) const AUTH_METHOD: &str = "provider.auth_method";
/// OAuth app credentials.
pub(crate) const CREDENTIALS: &str = "provider.auth_credentials";
/// An auth config.
pub(crate) const AUTH_CONFIG: &str = "provider.auth_config";
/// A setup session.
pub(crate) const SETUP_SESSION: &str = "provider.setup_session";
/// An OAuth setup.
pub(crate) const OAUTH_SETUP: &str = "provider.oauth_setup";
/// An auth export.
pub(crate) const AUTH_EXPORT: &str = "provider.auth_export";
/// A fault rule of the emulator's control API (not an object of the live API).
pub(crate) const FAULT_RULE: &str = "emulator.fault_rule";
/// A tenant of the emulator's control API (not an object of the live API).
pub(crate) const TENANT: &str = "emulator.tenant";
