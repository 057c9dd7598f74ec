//! The emulator's one clock: milliseconds since the Unix epoch, the unit the store keeps dates
//! in.
//!
//! Every time of day that ends up in data (`created_at`, `updated_at`, expiries, the time part
//! of IDs, the purging of expired states and codes) comes from a [`Clock`]: the wall clock
//! plus an offset a test can move (a virtual clock). Nothing else reads the wall clock.
//! Durations that never reach the data (the server's timeouts and back-off, SQLite's busy
//! timeout) use `std::time::Duration` and tokio's timers, which is fine.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use metorial_models::Timestamp;

/// The wall clock, in milliseconds since the Unix epoch.
fn wall_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// The emulator's clock: the wall clock moved by an offset (zero by default). Cheap to clone;
/// clones share the offset.
#[derive(Clone, Debug, Default)]
pub(crate) struct Clock {
    offset_ms: Arc<AtomicI64>,
    /// Bumped at every move, so what was computed at one time can tell it is stale.
    version: Arc<AtomicU64>,
}

impl Clock {
    /// The emulator's current time, in milliseconds since the Unix epoch.
    pub(crate) fn now_ms(&self) -> i64 {
        wall_ms().saturating_add(self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `ms` (backward when negative); the new time.
    pub(crate) fn advance(&self, ms: i64) -> i64 {
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
        self.version.fetch_add(1, Ordering::AcqRel);
        self.now_ms()
    }

    /// Sets the clock to `ms` since the Unix epoch (it keeps running from there).
    pub(crate) fn set(&self, ms: i64) -> i64 {
        self.offset_ms
            .store(ms.saturating_sub(wall_ms()), Ordering::Relaxed);
        self.version.fetch_add(1, Ordering::AcqRel);
        self.now_ms()
    }

    /// Puts the clock `ms` milliseconds from the wall clock (a snapshot's offset; 0 on reset).
    pub(crate) fn set_offset(&self, ms: i64) {
        self.offset_ms.store(ms, Ordering::Relaxed);
        self.version.fetch_add(1, Ordering::AcqRel);
    }

    /// How many times the clock has been moved.
    pub(crate) fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// How far the clock is from the wall clock, in milliseconds.
    pub(crate) fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Relaxed)
    }
}

/// A stored time as the API writes it.
pub(crate) fn timestamp(ms: i64) -> Timestamp {
    Timestamp::from(DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::UNIX_EPOCH))
}

/// An API date as stored.
pub(crate) fn millis(timestamp: &Timestamp) -> i64 {
    timestamp.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_moves_by_its_offset_and_clones_share_it() {
        let clock = Clock::default();
        let shared = clock.clone();
        let before = clock.now_ms();
        let advanced = shared.advance(31 * 60 * 1000);
        assert!(advanced - before >= 31 * 60 * 1000);
        assert_eq!(clock.offset_ms(), 31 * 60 * 1000);
        let set = clock.set(1_000);
        assert!((1_000..2_000).contains(&set), "{set}");
    }
}
