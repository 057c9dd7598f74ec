//! The emulator's control API under `/_emulator/`: what a test drives the emulator with, over
//! HTTP from any language. Every route needs an API key and acts on that key's tenant (but
//! `POST /_emulator/reset-all`, which resets every tenant). The Rust
//! [`TenantHandle`](crate::TenantHandle) calls the same code.
//!
//! | Route | What it does |
//! |---|---|
//! | `GET /_emulator/tenant` | the caller's tenant: its ID and the base of its browser pages |
//! | `POST /_emulator/tenants` | a new tenant (`{"api_key": ...}` optional; one is made) |
//! | `DELETE /_emulator/tenants/{id}` | deletes a tenant (itself, or any made at run time by a start key's tenant) |
//! | `GET`, `POST /_emulator/clock` | read, advance or set the tenant's clock |
//! | `POST /_emulator/reset`, `POST /_emulator/reset-all` | back to the fixtures |
//! | `GET`, `PUT /_emulator/snapshot` | the tenant's whole state as JSON, and back |
//! | `GET`, `DELETE /_emulator/journal` | the tenant's recorded API requests (filters in the query) |
//! | `GET`, `POST`, `DELETE /_emulator/faults`, `DELETE /_emulator/faults/{id}` | fault rules |
//! | `POST /_emulator/auth-configs` | seed an auth config holding given tokens |
//! | `POST /_emulator/flows/{id}/complete`, `.../fail` | end a setup session or OAuth setup |

mod clock;
mod faults;
mod journal;
mod seed;
mod snapshot;
mod tenants;

use axum::routing::{delete, get, post};
use axum::{Router, middleware};

use crate::faults::Rule;
use crate::http::api::auth;
use crate::http::api::extract::BodyFields;
use crate::http::state::AppState;
use crate::store::seed::{SeedAuthConfig, SeedTokens};
use crate::store::snapshot::Snapshot;

// The control API's bodies: every key counts as a field (an explicit `null` is refused).
impl BodyFields for clock::ClockChange {}
impl BodyFields for tenants::NewTenant {}
impl BodyFields for seed::Failure {}
impl BodyFields for SeedAuthConfig {}
impl BodyFields for SeedTokens {}
impl BodyFields for Snapshot {}
impl BodyFields for Rule {}

/// The control routes, each requiring an API key.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route("/_emulator/tenant", get(tenants::current))
        .route("/_emulator/tenants", post(tenants::create))
        .route("/_emulator/tenants/{id}", delete(tenants::delete))
        .route(clock::PATH, get(clock::read).post(clock::change))
        .route("/_emulator/reset", post(snapshot::reset))
        .route("/_emulator/reset-all", post(snapshot::reset_all))
        .route(
            "/_emulator/snapshot",
            get(snapshot::export).put(snapshot::import),
        )
        .route(
            "/_emulator/journal",
            get(journal::query).delete(journal::clear),
        )
        .route(
            "/_emulator/faults",
            get(faults::list).post(faults::add).delete(faults::clear),
        )
        .route("/_emulator/faults/{id}", delete(faults::remove))
        .route("/_emulator/auth-configs", post(seed::auth_config))
        .route("/_emulator/flows/{id}/complete", post(seed::complete))
        .route("/_emulator/flows/{id}/fail", post(seed::fail))
        .route_layer(middleware::from_fn_with_state(state, auth::require_api_key))
}
