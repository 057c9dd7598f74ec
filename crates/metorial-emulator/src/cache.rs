//! [`ResponseCache`]: the encoded answers of a tenant's reads, reused while nothing they show
//! can have changed.
//!
//! An entry is the body of one read (keyed by its operation and request target) with the
//! [`Version`] of the data it saw and the moment it stops being right. It is served again only
//! while all three hold: no write changed a row of the tenant's store since (the store's
//! generation, bumped by every write: API calls, the OAuth flow, the control API's reset,
//! import and seeds alike), the tenant's clock was not moved (its version), and the clock has
//! not reached the entry's own limit (a setup session shown `pending` is shown `expired` from
//! its `expires_at`). Each tenant has its own cache, so tenants never see each other's
//! entries. Answers holding secrets are never cached.
//!
//! Bounded by the bytes it holds ([`MAX_BYTES`] per tenant), least recently used first out.

use std::sync::Mutex;

use bytes::Bytes;
use lru::LruCache;

use crate::store::Version;

/// The most bytes of bodies one tenant's cache holds.
pub(crate) const MAX_BYTES: usize = 64 * 1024 * 1024;

/// The most entries (a bound on the bookkeeping of many small bodies).
const MAX_ENTRIES: usize = 16 * 1024;

/// One cached answer.
struct Entry {
    /// The body.
    body: Bytes,
    /// The data it was built from.
    version: Version,
    /// The clock time (ms) from which it is wrong; `i64::MAX` when no time changes it.
    valid_until_ms: i64,
}

/// The entries and the bytes they hold.
struct Entries {
    /// By key, least recently used first out.
    map: LruCache<String, Entry>,
    /// The sum of the bodies' lengths.
    bytes: usize,
}

/// A tenant's cache of read answers (see the [module](self) docs).
pub(crate) struct ResponseCache {
    entries: Mutex<Entries>,
}

impl Default for ResponseCache {
    /// An empty cache. Its map grows with use (bounded by [`MAX_ENTRIES`] in
    /// [`put`](Self::put)), so a tenant that reads nothing pays nothing for it.
    fn default() -> Self {
        Self {
            entries: Mutex::new(Entries {
                map: LruCache::unbounded(),
                bytes: 0,
            }),
        }
    }
}

impl std::fmt::Debug for ResponseCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let entries = self.lock();
        f.debug_struct("ResponseCache")
            .field("entries", &entries.map.len())
            .field("bytes", &entries.bytes)
            .finish()
    }
}

impl ResponseCache {
    /// The entries (a poisoned lock holds a consistent map: every change is one call).
    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The body cached for `key`, if it is still right at `version` and clock time `now_ms`.
    pub(crate) fn get(&self, key: &str, version: Version, now_ms: i64) -> Option<Bytes> {
        let mut entries = self.lock();
        let entry = entries.map.get(key)?;
        if entry.version == version && now_ms < entry.valid_until_ms {
            return Some(entry.body.clone());
        }
        if let Some(stale) = entries.map.pop(key) {
            entries.bytes -= stale.body.len();
        }
        None
    }

    /// Keeps `body` for `key`, built from the data at `version`, right until `valid_until_ms`.
    pub(crate) fn put(&self, key: String, body: Bytes, version: Version, valid_until_ms: i64) {
        if body.len() > MAX_BYTES / 4 {
            return;
        }
        let mut entries = self.lock();
        let size = body.len();
        let entry = Entry {
            body,
            version,
            valid_until_ms,
        };
        if let Some((_, old)) = entries.map.push(key, entry) {
            entries.bytes -= old.body.len();
        }
        entries.bytes += size;
        while entries.bytes > MAX_BYTES || entries.map.len() > MAX_ENTRIES {
            match entries.map.pop_lru() {
                Some((_, old)) => entries.bytes -= old.body.len(),
                None => break,
            }
        }
    }

    /// Drops every entry, and the map's room with them.
    pub(crate) fn clear(&self) {
        let mut entries = self.lock();
        entries.map = LruCache::unbounded();
        entries.bytes = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(generation: u64, clock: u64) -> Version {
        Version { generation, clock }
    }

    #[test]
    fn an_entry_is_served_only_at_its_version_and_before_its_limit() {
        let cache = ResponseCache::default();
        cache.put("k".into(), Bytes::from_static(b"body"), version(1, 0), 100);
        assert_eq!(
            cache.get("k", version(1, 0), 99).as_deref(),
            Some(&b"body"[..])
        );
        // A write happened: gone, and stays gone.
        assert!(cache.get("k", version(2, 0), 99).is_none());
        assert!(cache.get("k", version(1, 0), 99).is_none());

        cache.put("k".into(), Bytes::from_static(b"body"), version(1, 0), 100);
        assert!(
            cache.get("k", version(1, 1), 99).is_none(),
            "the clock moved"
        );
        cache.put("k".into(), Bytes::from_static(b"body"), version(1, 0), 100);
        assert!(
            cache.get("k", version(1, 0), 100).is_none(),
            "its limit passed"
        );
        assert!(cache.get("other", version(1, 0), 0).is_none());
    }

    #[test]
    fn the_bytes_held_stay_under_the_bound() {
        let cache = ResponseCache::default();
        let body = Bytes::from(vec![b'x'; MAX_BYTES / 8]);
        for i in 0..20 {
            cache.put(format!("k{i}"), body.clone(), version(0, 0), i64::MAX);
        }
        let entries = cache.lock();
        assert!(entries.bytes <= MAX_BYTES, "{}", entries.bytes);
        assert_eq!(entries.bytes, entries.map.len() * body.len());
        assert!(entries.map.contains("k19") && !entries.map.contains("k0"));
    }

    #[test]
    fn the_entries_held_stay_under_their_bound() {
        let cache = ResponseCache::default();
        for i in 0..MAX_ENTRIES + 10 {
            cache.put(
                format!("k{i}"),
                Bytes::from_static(b"x"),
                version(0, 0),
                i64::MAX,
            );
        }
        let entries = cache.lock();
        assert_eq!(entries.map.len(), MAX_ENTRIES);
        assert!(!entries.map.contains("k9") && entries.map.contains("k10"));
    }
}
