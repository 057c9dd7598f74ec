//! The tenant's clock: `GET /_emulator/clock` reads it, `POST /_emulator/clock` moves it
//! (`{"advance_seconds": 1860}`) or sets it (`{"set": "<RFC 3339>"}`). Every stored time follows
//! it: `created_at`, expiries, the fake provider's tokens, the time part of new IDs.

use axum::{Extension, Json};
use metorial_models::Timestamp;
use serde::{Deserialize, Serialize};

use crate::http::api::extract::JsonBody;
use crate::http::error::ApiError;
use crate::store::{ClockMove, StoreError};
use crate::tenant::Tenant;
use crate::time::{Clock, millis, timestamp};

/// Where the clock is controlled.
pub(super) const PATH: &str = "/_emulator/clock";

/// The clock as the control API shows it.
#[derive(Serialize)]
pub(super) struct ClockView {
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
pub(super) struct ClockChange {
    /// Moves the clock forward by this many seconds (backward when negative).
    advance_seconds: Option<i64>,
    /// Sets the clock to this time.
    set: Option<Timestamp>,
}

/// `GET /_emulator/clock`.
pub(super) async fn read(Extension(tenant): Extension<Tenant>) -> Json<ClockView> {
    ClockView::of(tenant.clock())
}

/// `POST /_emulator/clock`: the clock after the move; 400 `invalid_data` naming the field when
/// the move would take the clock out of 1970-01-01 to 9999-12-31 (the clock then unchanged).
pub(super) async fn change(
    Extension(tenant): Extension<Tenant>,
    JsonBody(change): JsonBody<ClockChange>,
) -> Result<Json<ClockView>, ApiError> {
    let (field, change) = match (change.advance_seconds, change.set) {
        (Some(seconds), None) => (
            "advance_seconds",
            seconds.checked_mul(1000).map(ClockMove::Advance),
        ),
        (None, Some(time)) => ("set", Some(ClockMove::Set(millis(&time)))),
        _ => {
            return Err(ApiError::invalid_with_code(
                Vec::new(),
                "invalid_type",
                "send exactly one of `advance_seconds` and `set`",
            ));
        }
    };
    let out_of_range = |message: String| ApiError::invalid_field(field, message);
    let change = change.ok_or_else(|| out_of_range(crate::time::OutOfRange.to_string()))?;
    match tenant.move_clock(change).await {
        Ok(_) => Ok(ClockView::of(tenant.clock())),
        Err(StoreError::Clock(error)) => Err(out_of_range(error.to_string())),
        Err(other) => Err(other.into()),
    }
}
