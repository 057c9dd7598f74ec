//! The emulator's one clock: milliseconds since the Unix epoch, the unit the store keeps dates
//! in.
//!
//! Every time of day that ends up in data (`created_at`, `updated_at`, expiries, the time part
//! of IDs, the purging of expired states and codes) comes from a [`Clock`]: the wall clock
//! plus an offset a test can move (a virtual clock). Nothing else reads the wall clock.
//! Durations that never reach the data (the server's timeouts and back-off, SQLite's busy
//! timeout) use `std::time::Duration` and tokio's timers, which is fine.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use chrono::{DateTime, Utc};
use metorial_models::Timestamp;

/// The earliest time the emulator represents: 1970-01-01T00:00:00.000Z.
pub(crate) const MIN_MS: i64 = 0;

/// The latest time the emulator represents: 9999-12-31T23:59:59.999Z (RFC 3339 has four-digit
/// years). An expiry that would fall later is kept at this time.
pub(crate) const MAX_MS: i64 = 253_402_300_799_999;

/// A move of the clock that would leave [`MIN_MS`]..=[`MAX_MS`]: refused, the clock unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct OutOfRange;

impl fmt::Display for OutOfRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the clock must stay between 1970-01-01T00:00:00.000Z and \
             9999-12-31T23:59:59.999Z",
        )
    }
}

impl std::error::Error for OutOfRange {}

/// The wall clock, in milliseconds since the Unix epoch.
fn wall_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// Whether `ms` is a time the emulator represents.
fn in_range(ms: i64) -> bool {
    (MIN_MS..=MAX_MS).contains(&ms)
}

/// `ms` milliseconds after `start` (an expiry), kept at [`MAX_MS`] when it would be later.
pub(crate) fn later(start: i64, ms: i64) -> i64 {
    start.saturating_add(ms).clamp(MIN_MS, MAX_MS)
}

/// The emulator's clock: the wall clock moved by an offset (zero by default). Cheap to clone;
/// clones share the offset. Every move is checked: the time stays within
/// [`MIN_MS`]..=[`MAX_MS`].
#[derive(Clone, Debug, Default)]
pub(crate) struct Clock {
    offset_ms: Arc<AtomicI64>,
    /// Bumped at every move, so what was computed at one time can tell it is stale.
    version: Arc<AtomicU64>,
}

impl Clock {
    /// The emulator's current time, in milliseconds since the Unix epoch (within the range).
    pub(crate) fn now_ms(&self) -> i64 {
        later(wall_ms(), self.offset_ms.load(Ordering::Relaxed))
    }

    /// Moves the clock forward by `ms` (backward when negative); the new time. Refused, with
    /// the clock unchanged, when the new time would leave the range.
    pub(crate) fn advance(&self, ms: i64) -> Result<i64, OutOfRange> {
        let wall = wall_ms();
        self.offset_ms
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |offset| {
                let offset = offset.checked_add(ms)?;
                in_range(wall.checked_add(offset)?).then_some(offset)
            })
            .map_err(|_| OutOfRange)?;
        self.version.fetch_add(1, Ordering::AcqRel);
        Ok(self.now_ms())
    }

    /// Sets the clock to `ms` since the Unix epoch (it keeps running from there); the new time.
    /// Refused, with the clock unchanged, when `ms` is out of the range.
    pub(crate) fn set(&self, ms: i64) -> Result<i64, OutOfRange> {
        if !in_range(ms) {
            return Err(OutOfRange);
        }
        self.store_offset(ms.saturating_sub(wall_ms()));
        Ok(self.now_ms())
    }

    /// Puts the clock `ms` milliseconds from the wall clock (a snapshot's or a saved offset;
    /// 0 on reset). Refused, with the clock unchanged, when the time would leave the range.
    pub(crate) fn set_offset(&self, ms: i64) -> Result<(), OutOfRange> {
        check_offset(ms)?;
        self.store_offset(ms);
        Ok(())
    }

    /// Puts the clock `ms` from the wall clock, unchecked, and counts the move.
    fn store_offset(&self, ms: i64) {
        self.offset_ms.store(ms, Ordering::Release);
        self.version.fetch_add(1, Ordering::AcqRel);
    }

    /// How many times the clock has been moved.
    pub(crate) fn version(&self) -> u64 {
        self.version.load(Ordering::Acquire)
    }

    /// How far the clock is from the wall clock, in milliseconds.
    pub(crate) fn offset_ms(&self) -> i64 {
        self.offset_ms.load(Ordering::Acquire)
    }
}

/// Refuses an offset that puts the clock out of the range now.
pub(crate) fn check_offset(ms: i64) -> Result<(), OutOfRange> {
    match wall_ms().checked_add(ms) {
        Some(time) if in_range(time) => Ok(()),
        _ => Err(OutOfRange),
    }
}

/// A stored time as the API writes it.
pub(crate) fn timestamp(ms: i64) -> Timestamp {
    let ms = ms.clamp(MIN_MS, MAX_MS);
    Timestamp::from(DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::UNIX_EPOCH))
}

/// An API date as stored.
pub(crate) fn millis(timestamp: &Timestamp) -> i64 {
    timestamp.timestamp_millis()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn the_clock_moves_by_its_offset_and_clones_share_it() {
        let clock = Clock::default();
        let shared = clock.clone();
        let before = clock.now_ms();
        let advanced = shared.advance(31 * 60 * 1000).unwrap();
        assert!(advanced - before >= 31 * 60 * 1000);
        assert_eq!(clock.offset_ms(), 31 * 60 * 1000);
        let set = clock.set(1_000).unwrap();
        assert!((1_000..2_000).contains(&set), "{set}");
    }

    #[test]
    fn the_extremes_are_refused_and_leave_the_clock_alone() {
        let clock = Clock::default();
        clock.advance(60_000).unwrap();
        let version = clock.version();
        for ms in [i64::MAX, i64::MIN, MAX_MS, -clock.now_ms() - 1_000] {
            assert_eq!(clock.advance(ms), Err(OutOfRange), "{ms}");
        }
        for ms in [-1, MAX_MS + 1, i64::MAX, i64::MIN] {
            assert_eq!(clock.set(ms), Err(OutOfRange), "{ms}");
            assert_eq!(
                clock.set_offset(ms.saturating_sub(wall_ms())),
                Err(OutOfRange)
            );
        }
        assert_eq!(clock.offset_ms(), 60_000);
        assert_eq!(clock.version(), version, "a refused move is no move");
        assert_eq!(clock.set(MAX_MS), Ok(MAX_MS));
        assert_eq!(
            timestamp(clock.now_ms()).to_string(),
            "9999-12-31T23:59:59.999Z"
        );
        assert_eq!(later(clock.now_ms(), 30 * 60 * 1000), MAX_MS);
        let start = clock.set(0).map(timestamp).unwrap().to_string();
        assert!(start.starts_with("1970-01-01T00:00:0"), "{start}");
    }

    proptest! {
        /// Any sequence of moves either lands in the range or is refused with the clock as it
        /// was; the time shown is always a valid RFC 3339 time of the range.
        #[test]
        fn random_moves_never_leave_the_range(moves in proptest::collection::vec(
            prop_oneof![
                any::<i64>().prop_map(Move::Advance),
                (-MAX_MS..=MAX_MS).prop_map(Move::Advance),
                any::<i64>().prop_map(Move::Set),
                (MIN_MS..=MAX_MS).prop_map(Move::Set),
                any::<i64>().prop_map(Move::Offset),
            ],
            1..40,
        )) {
            let clock = Clock::default();
            for step in moves {
                let before = clock.offset_ms();
                let outcome = match step {
                    Move::Advance(ms) => clock.advance(ms).map(|_| ()),
                    Move::Set(ms) => clock.set(ms).map(|_| ()),
                    Move::Offset(ms) => clock.set_offset(ms),
                };
                if outcome.is_err() {
                    prop_assert_eq!(clock.offset_ms(), before);
                }
                let now = clock.now_ms();
                prop_assert!(in_range(now), "{}", now);
                let shown = timestamp(now).to_string();
                prop_assert_eq!(shown.len(), 24, "{}", shown);
                prop_assert_eq!(millis(&shown.parse::<Timestamp>().unwrap()), now);
            }
        }
    }

    /// One move of the property test.
    #[derive(Clone, Debug)]
    enum Move {
        Advance(i64),
        Set(i64),
        Offset(i64),
    }
}
