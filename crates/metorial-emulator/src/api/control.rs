//! The emulator's control API under `/_emulator/` (the API key required): what a test drives
//! the emulator with. For now its clock: `GET /_emulator/clock` reads it, `POST
//! /_emulator/clock` moves it (`{"advance_seconds": 1860}`) or sets it (`{"set": "<RFC 3339>"}`).
//! Every stored time follows it: `created_at`, expiries, the time part of new IDs.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router, middleware};
use metorial_models::Timestamp;
use serde::{Deserialize, Serialize};

use super::auth;
use super::error::ApiError;
use super::extract::JsonBody;
use crate::server::AppState;
use crate::time::{Clock, millis, timestamp};

/// Where the clock is controlled.
pub(crate) const CLOCK_PATH: &str = "/_emulator/clock";

/// The control routes, each requiring the API key.
pub(crate) fn router(state: AppState) -> Router<AppState> {
    Router::new()
        .route(CLOCK_PATH, get(read_clock).post(move_clock))
        .route_layer(middleware::from_fn_with_state(state, auth::require_api_key))
}

/// The clock as the control API shows it.
#[derive(Serialize)]
struct ClockView {
    /// The emulator's current time.
    now: Timestamp,
    /// How far it is from the wall clock, in milliseconds.
    offset_ms: i64,
}

impl ClockView {
    fn of(clock: &Clock) -> Json<Self> {
        Json(ClockView {
            now: timestamp(clock.now_ms()),
            offset_ms: clock.offset_ms(),
        })
    }
}

/// A change of the clock: exactly one of the fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockChange {
    /// Moves the clock forward by this many seconds (backward when negative).
    advance_seconds: Option<i64>,
    /// Sets the clock to this time.
    set: Option<Timestamp>,
}

/// `GET /_emulator/clock`.
async fn read_clock(State(state): State<AppState>) -> Json<ClockView> {
    ClockView::of(state.store.clock())
}

/// `POST /_emulator/clock`.
async fn move_clock(
    State(state): State<AppState>,
    JsonBody(change): JsonBody<ClockChange>,
) -> Result<Json<ClockView>, ApiError> {
    let clock = state.store.clock();
    match (change.advance_seconds, change.set) {
        (Some(seconds), None) => {
            clock.advance(seconds.saturating_mul(1000));
        }
        (None, Some(time)) => {
            clock.set(millis(&time));
        }
        _ => {
            return Err(ApiError::invalid_with_code(
                Vec::new(),
                "invalid_type",
                "send exactly one of `advance_seconds` and `set`",
            ));
        }
    }
    Ok(ClockView::of(clock))
}
