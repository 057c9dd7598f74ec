//! The REST API of `spec/metorial.yaml`: one module per resource, behind the API key check.
//!
//! The routes come from the spec's operation table ([`metorial_models::OPERATIONS`]): each
//! operation is served at the spec's method and path, by its handler (the generated
//! [`Handlers`] trait, implemented by [`Emulator`] for the operations the emulator serves), or
//! by a `501 not_implemented` answer naming it when the emulator has none yet. So a new
//! operation in the spec is answered at once, never with a bare 404 or 405.

pub(crate) mod auth;
mod auth_configs;
mod auth_credentials;
mod auth_exports;
mod crud;
pub(crate) mod extract;
// Formatted by the generator (prettyplease), not rustfmt: `cargo xtask generate --check` compares bytes.
#[rustfmt::skip]
mod generated;
mod json;
mod oauth_setups;
mod observe;
mod providers;
mod setup_sessions;
mod validate;

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{MethodFilter, MethodRouter, on};
use metorial_models::{ErrorCode, Operation};

use crate::http::error::ApiError;
use crate::http::state::AppState;
use generated::{Handlers, OperationId, route};

/// The handlers the emulator implements (every other operation answers 501).
struct Emulator;

/// Implements [`Handlers`] for [`Emulator`]: `operation_id => handler`, each served at the
/// spec's method and path. A name that is not an operation of the spec fails the build.
macro_rules! implemented {
    ($($id:ident => $handler:path,)*) => {
        impl Handlers for Emulator {
            $(fn $id(method: MethodFilter) -> Option<MethodRouter<AppState>> {
                Some(on(method, $handler))
            })*
        }
    };
}

implemented! {
    list_provider_setup_sessions => setup_sessions::list,
    create_provider_setup_session => setup_sessions::create,
    get_provider_setup_session => setup_sessions::get,
    update_provider_setup_session => setup_sessions::update,
    delete_provider_setup_session => setup_sessions::delete,
    list_provider_oauth_setups => oauth_setups::list,
    create_provider_oauth_setup => oauth_setups::create,
    get_provider_oauth_setup => oauth_setups::get,
    update_provider_oauth_setup => oauth_setups::update,
    list_provider_auth_exports => auth_exports::list,
    create_provider_auth_export => auth_exports::create,
    get_provider_auth_export => auth_exports::get,
    list_providers => providers::list,
    get_provider => providers::get,
    list_provider_auth_methods => providers::list_auth_methods,
    get_provider_auth_method => providers::get_auth_method,
    list_provider_auth_credentials => auth_credentials::list,
    create_provider_auth_credentials => auth_credentials::create,
    get_provider_auth_credentials => auth_credentials::get,
    update_provider_auth_credentials => auth_credentials::update,
    delete_provider_auth_credentials => auth_credentials::delete,
    list_provider_auth_configs => auth_configs::list,
    create_provider_auth_config => auth_configs::create,
    get_provider_auth_config => auth_configs::get,
    update_provider_auth_config => auth_configs::update,
    delete_provider_auth_config => auth_configs::delete,
}

/// The API's routes, one per operation of `operations` (the spec's, but for tests), each
/// requiring `Authorization: Bearer <api key>` and then [`observe`]d (its tenant's fault rules
/// and journal).
///
/// Fails when [`Emulator`] implements an operation `operations` does not have, or when
/// `operations` has an unknown method or an operation twice.
pub(crate) fn router(
    state: AppState,
    operations: &[Operation],
) -> Result<Router<AppState>, crate::error::Error> {
    check(operations)?;
    let mut router = Router::new();
    for op in operations {
        let filter = method_filter(op.method).ok_or_else(|| {
            startup_error(format!("`{}` has the unknown method {}", op.id, op.method))
        })?;
        let route = OperationId::from_id(op.id)
            .and_then(|id| route::<Emulator>(id, filter))
            .unwrap_or_else(|| not_implemented(filter, op.id));
        let route = route.layer(middleware::from_fn_with_state(*op, observe::observe));
        router = router.route(op.path, route);
    }
    if operations.is_empty() {
        // axum refuses a route layer without routes.
        return Ok(router);
    }
    Ok(router.route_layer(middleware::from_fn_with_state(state, auth::require_api_key)))
}

/// 501 `not_implemented` naming the operation, for an operation of the spec the emulator has
/// no handler for yet.
fn not_implemented(filter: MethodFilter, id: &'static str) -> MethodRouter<AppState> {
    on(filter, move || async move {
        let message = format!("the emulator does not implement `{id}` yet");
        ApiError::new(
            StatusCode::NOT_IMPLEMENTED,
            ErrorCode::NotImplemented,
            message,
        )
    })
}

/// Refuses an implemented operation `operations` does not have, and an operation (ID, or
/// method and path) `operations` has twice.
fn check(operations: &[Operation]) -> Result<(), crate::error::Error> {
    let implemented = OperationId::ALL
        .iter()
        .filter(|id| route::<Emulator>(**id, MethodFilter::GET).is_some());
    for id in implemented.map(|id| id.id()) {
        if !operations.iter().any(|op| op.id == id) {
            return Err(startup_error(format!(
                "the emulator implements `{id}`, which is not an operation of the spec"
            )));
        }
    }
    for (i, op) in operations.iter().enumerate() {
        let earlier = &operations[..i];
        if earlier.iter().any(|o| o.id == op.id) {
            return Err(startup_error(format!("`{}` is listed twice", op.id)));
        }
        if earlier
            .iter()
            .any(|o| o.path == op.path && o.method.eq_ignore_ascii_case(op.method))
        {
            return Err(startup_error(format!(
                "{} {} is listed twice (`{}`)",
                op.method, op.path, op.id
            )));
        }
    }
    Ok(())
}

/// Why the API's routes cannot be built.
fn startup_error(message: String) -> crate::error::Error {
    crate::error::Error::Server(format!("the API's routes do not match the spec: {message}"))
}

/// The method filter of an HTTP method (upper case, as in [`Operation::method`]).
fn method_filter(method: &str) -> Option<MethodFilter> {
    Some(match method {
        "GET" => MethodFilter::GET,
        "POST" => MethodFilter::POST,
        "PUT" => MethodFilter::PUT,
        "PATCH" => MethodFilter::PATCH,
        "DELETE" => MethodFilter::DELETE,
        "HEAD" => MethodFilter::HEAD,
        "OPTIONS" => MethodFilter::OPTIONS,
        "TRACE" => MethodFilter::TRACE,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use metorial_models::OPERATIONS;

    use super::*;

    /// A spec operation, for the tables of these tests.
    fn op(id: &'static str, method: &'static str, path: &'static str) -> Operation {
        Operation {
            id,
            method,
            path,
            tag: "tests",
            carries_secrets: false,
        }
    }

    #[test]
    fn the_spec_table_passes() {
        check(OPERATIONS).unwrap();
        assert!(
            OPERATIONS
                .iter()
                .all(|op| method_filter(op.method).is_some())
        );
    }

    #[test]
    fn an_implemented_operation_missing_from_the_table_is_named() {
        let without: Vec<Operation> = OPERATIONS
            .iter()
            .filter(|op| op.id != "get_provider_auth_export")
            .copied()
            .collect();
        let error = check(&without).unwrap_err().to_string();
        assert!(
            error.contains("implements `get_provider_auth_export`, which is not an operation"),
            "{error}"
        );
    }

    #[test]
    fn an_operation_listed_twice_is_refused() {
        let mut twice = OPERATIONS.to_vec();
        twice.push(op("extra", "get", "/provider-setup-sessions"));
        let error = check(&twice).unwrap_err().to_string();
        assert!(
            error.contains("get /provider-setup-sessions is listed twice (`extra`)"),
            "{error}"
        );
        let mut twice = OPERATIONS.to_vec();
        twice.push(op("list_provider_setup_sessions", "PUT", "/elsewhere"));
        let error = check(&twice).unwrap_err().to_string();
        assert!(
            error.contains("`list_provider_setup_sessions` is listed twice"),
            "{error}"
        );
    }

    #[test]
    fn the_generated_operations_are_the_spec_table() {
        let ids: Vec<&str> = OperationId::ALL.iter().map(|op| op.id()).collect();
        let table: Vec<&str> = OPERATIONS.iter().map(|op| op.id).collect();
        assert_eq!(ids, table);
        assert_eq!(
            OperationId::from_id("get_provider_auth_export"),
            Some(OperationId::GetProviderAuthExport)
        );
        assert_eq!(OperationId::from_id("nope"), None);
    }

    #[test]
    fn methods_are_upper_case_http_methods() {
        assert!(method_filter("PATCH").is_some());
        assert!(method_filter("patch").is_none());
        assert!(method_filter("CONNECT").is_none());
    }
}
