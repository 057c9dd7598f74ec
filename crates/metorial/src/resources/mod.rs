//! One handle per API resource.

mod auth_exports;
mod oauth_setups;
mod setup_sessions;

pub use auth_exports::AuthExports;
pub use oauth_setups::OauthSetups;
pub use setup_sessions::SetupSessions;

/// Calls `$req.$method(value)` for each `Some` value (the generated builders take values,
/// not options).
macro_rules! set_some {
    ($req:ident, $($method:ident = $value:expr),* $(,)?) => {
        $(if let Some(value) = $value {
            $req = $req.$method(value);
        })*
    };
}

pub(crate) use set_some;
