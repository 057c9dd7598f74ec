//! The emulator's one clock: milliseconds since the Unix epoch, the unit the store keeps dates
//! in.
//!
//! Every time of day that ends up in data (`created_at`, `updated_at`, expiries, the time part
//! of IDs, the purging of expired states and codes) comes from [`now_ms`]: nothing else reads
//! the wall clock. Durations that never reach the data (the server's timeouts and back-off,
//! SQLite's busy timeout) use `std::time::Duration` and tokio's timers, which is fine.

use chrono::{DateTime, Utc};
use metorial_models::Timestamp;

/// The current time in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// A stored time as the API writes it.
pub(crate) fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from(DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::UNIX_EPOCH))
}

/// An API date as stored.
pub(crate) fn millis(timestamp: &Timestamp) -> i64 {
    timestamp.timestamp_millis()
}
