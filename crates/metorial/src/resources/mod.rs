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

/// Sets the paging parameters of `$params` (a [`List`](crate::List)) on a generated list
/// builder, with the already checked `$limit`.
macro_rules! set_paging {
    ($req:ident, $params:expr, $limit:expr) => {
        $crate::resources::set_some!(
            $req,
            limit = $limit,
            order = $params.order.clone(),
            after = $params.after.clone(),
            before = $params.before.clone(),
            cursor = $params.cursor.clone(),
        );
    };
}

/// Sets the date range filters of `$dates` (a `DateFilters`) on a generated list builder.
macro_rules! set_dates {
    ($req:ident, $dates:expr) => {
        $crate::resources::set_some!(
            $req,
            created_at_gt = $dates.created_after,
            created_at_lt = $dates.created_before,
            updated_at_gt = $dates.updated_after,
            updated_at_lt = $dates.updated_before,
        );
    };
}

pub(crate) use {set_dates, set_paging, set_some};
