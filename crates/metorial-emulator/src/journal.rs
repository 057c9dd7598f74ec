//! The request journal: the last API requests of one tenant, kept so that a test can ask what
//! the emulator was sent.
//!
//! A [`Journal`] is a bounded ring buffer of [`Entry`]s: when it is full, recording a new entry
//! evicts the oldest one (and counts it in [`View::dropped`]). Sequence numbers (`seq`) start at
//! 1, grow by one per recorded request, and are never reused, not even after [`Journal::clear`].
//!
//! Memory stays flat however long the emulator runs:
//!
//! - one entry holds a fixed part (`size_of::<Entry>()`, a couple of hundred bytes, plus the
//!   method, the request ID, the fault text, all short), the path and query (bounded together by
//!   the server's 8 KiB URI limit), and a body of at most [`MAX_BODY_BYTES`] (longer bodies are
//!   cut and flagged with [`Entry::body_truncated`]);
//! - the journal holds at most `capacity` entries (capacity at most [`MAX_JOURNAL_SIZE`]), so in
//!   total at most `capacity × (fixed part + MAX_BODY_BYTES + 8 KiB)`, about 12.5 KiB per entry,
//!   12.5 MiB at the [`DEFAULT_JOURNAL_SIZE`](crate::config::DEFAULT_JOURNAL_SIZE);
//! - the buffer grows only as entries arrive (nothing is reserved up front) and never beyond
//!   `capacity` slots; [`Journal::clear`] gives the memory back.
//!
//! A capacity of 0 turns the journal off: [`Journal::record`] still hands out a sequence number
//! and counts the entry in [`View::recorded`] and [`View::dropped`], but keeps nothing.

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use metorial_models::Timestamp;
use serde::{Deserialize, Serialize};

use crate::config::MAX_JOURNAL_SIZE;

/// Largest stored request body, in bytes; longer bodies are cut (at a UTF-8 char boundary) and
/// flagged.
pub(crate) const MAX_BODY_BYTES: usize = 4096;

/// One API request as recorded.
///
/// The emulator fills every field; `seq` numbers the tenant's requests from 1.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// Position in the journal: 1, 2, 3… per journal, never reused.
    pub seq: u64,
    /// When the request arrived, on the tenant's (virtual) clock.
    pub time: Timestamp,
    /// HTTP method (`GET`, `POST`…).
    pub method: String,
    /// Request path, without the query.
    pub path: String,
    /// Raw query string; `None` when the URI has none.
    pub query: Option<String>,
    /// The spec operation the request matched, if any.
    pub operation_id: Option<&'static str>,
    /// HTTP status of the answer.
    pub status: u16,
    /// The request ID the answer carried.
    pub request_id: String,
    /// How long answering took, in milliseconds.
    pub duration_ms: f64,
    /// Request body as (lossy) UTF-8 text, at most 4096 bytes; `None` when there was no
    /// body or the operation carries secrets.
    pub body: Option<String>,
    /// Whether `body` was cut to 4096 bytes.
    pub body_truncated: bool,
    /// The fault rule that answered instead of the API (e.g. `status 503`), if any.
    pub fault: Option<String>,
}

impl Entry {
    /// This entry with `bytes` as its body: lossy UTF-8, cut to at most [`MAX_BODY_BYTES`] at a
    /// character boundary (setting `body_truncated`); an empty body is `None`.
    pub(crate) fn with_body(mut self, bytes: &[u8]) -> Self {
        if bytes.is_empty() {
            self.body = None;
            self.body_truncated = false;
            return self;
        }
        let keep = bytes.len().min(MAX_BODY_BYTES);
        let prefix = bytes.get(..keep).unwrap_or(bytes);
        let prefix = if keep < bytes.len() {
            prefix
                .get(..keep.saturating_sub(incomplete_tail(prefix)))
                .unwrap_or(prefix)
        } else {
            prefix
        };
        let (text, cut) = cap_text(String::from_utf8_lossy(prefix).into_owned());
        self.body = Some(text);
        self.body_truncated = cut || keep < bytes.len();
        self
    }

    /// Enforces the body cap on a body set directly as text.
    fn cap_body(&mut self) {
        if let Some(body) = self.body.take() {
            let (text, cut) = cap_text(body);
            self.body = Some(text);
            self.body_truncated |= cut;
        }
    }
}

/// The length of a UTF-8 sequence cut short at the end of `bytes` (0 when the end is whole).
fn incomplete_tail(bytes: &[u8]) -> usize {
    for back in 1..=bytes.len().min(4) {
        let Some(&byte) = bytes.get(bytes.len() - back) else {
            return 0;
        };
        if byte & 0xC0 != 0x80 {
            let needed = match byte {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                0xF0..=0xF7 => 4,
                _ => 1,
            };
            return if needed > back { back } else { 0 };
        }
    }
    0
}

/// `text` cut to at most [`MAX_BODY_BYTES`] at a character boundary, and whether it was cut.
fn cap_text(mut text: String) -> (String, bool) {
    if text.len() <= MAX_BODY_BYTES {
        return (text, false);
    }
    let mut end = MAX_BODY_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    (text, true)
}

/// Which entries to return.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// Only entries of this operation.
    pub operation_id: Option<String>,
    /// Only entries answered with this status.
    pub status: Option<u16>,
    /// Only entries with this method, compared case-insensitively.
    pub method: Option<String>,
    /// Only entries with `seq` greater than this.
    pub after_seq: Option<u64>,
    /// Only the newest `limit` matching entries (still returned oldest first).
    pub limit: Option<usize>,
}

impl Query {
    /// Whether `entry` passes every filter (`limit` aside).
    fn matches(&self, entry: &Entry) -> bool {
        self.operation_id
            .as_deref()
            .is_none_or(|id| entry.operation_id == Some(id))
            && self.status.is_none_or(|status| entry.status == status)
            && self
                .method
                .as_deref()
                .is_none_or(|method| entry.method.eq_ignore_ascii_case(method))
            && self.after_seq.is_none_or(|seq| entry.seq > seq)
    }
}

/// What a query returns (serialized as the control API's answer).
#[derive(Debug, Serialize)]
pub struct View {
    /// The journal's capacity, in entries.
    pub capacity: usize,
    /// Entries recorded since the journal was created (not reset by a clear).
    pub recorded: u64,
    /// Entries evicted because the journal was full, since it was created.
    pub dropped: u64,
    /// The matching entries, oldest first.
    pub entries: Vec<Entry>,
}

/// The state behind the journal's lock.
#[derive(Default)]
struct State {
    /// Kept entries, oldest first.
    entries: VecDeque<Entry>,
    /// The last `seq` handed out.
    last_seq: u64,
    /// Entries recorded since creation.
    recorded: u64,
    /// Entries evicted (or not kept, at capacity 0) since creation.
    dropped: u64,
}

/// A bounded ring buffer of entries; thread-safe.
pub(crate) struct Journal {
    /// Most entries kept; 0 keeps none.
    capacity: usize,
    /// Entries and counters.
    state: Mutex<State>,
}

impl Journal {
    /// An empty journal keeping up to `capacity` entries (at most [`MAX_JOURNAL_SIZE`]; 0 turns
    /// recording off).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity: capacity.min(MAX_JOURNAL_SIZE),
            state: Mutex::new(State::default()),
        }
    }

    /// The state, recovered if a panicking thread poisoned the lock.
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Records `entry` (its body capped), evicting the oldest entry when full; its `seq`.
    pub(crate) fn record(&self, mut entry: Entry) -> u64 {
        entry.cap_body();
        let mut state = self.lock();
        state.last_seq = state.last_seq.saturating_add(1);
        state.recorded = state.recorded.saturating_add(1);
        entry.seq = state.last_seq;
        let seq = entry.seq;
        if self.capacity == 0 {
            state.dropped = state.dropped.saturating_add(1);
            return seq;
        }
        if state.entries.len() >= self.capacity {
            state.entries.pop_front();
            state.dropped = state.dropped.saturating_add(1);
        }
        let len = state.entries.len();
        if len == state.entries.capacity() {
            // Grow by doubling, but never past `capacity` slots.
            let additional = len.max(4).min(self.capacity.saturating_sub(len));
            state.entries.reserve_exact(additional);
        }
        state.entries.push_back(entry);
        seq
    }

    /// The entries matching `query`, oldest first, with the journal's counters.
    pub(crate) fn query(&self, query: &Query) -> View {
        let state = self.lock();
        let limit = query.limit.unwrap_or(usize::MAX);
        let mut entries: Vec<Entry> = state
            .entries
            .iter()
            .rev()
            .filter(|entry| query.matches(entry))
            .take(limit)
            .cloned()
            .collect();
        let (recorded, dropped) = (state.recorded, state.dropped);
        drop(state);
        entries.reverse();
        View {
            capacity: self.capacity,
            recorded,
            dropped,
            entries,
        }
    }

    /// Removes every entry (and frees their memory); `seq` and the counters keep counting.
    pub(crate) fn clear(&self) {
        let old = std::mem::take(&mut self.lock().entries);
        drop(old);
    }

    /// How many entries the journal holds.
    pub(crate) fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Most entries the journal keeps.
    pub(crate) fn capacity(&self) -> usize {
        self.capacity
    }
}

impl fmt::Debug for Journal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Journal")
            .field("capacity", &self.capacity)
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::time::timestamp;

    /// A GET of `/things` answered 200, at second `n`.
    fn entry(n: i64) -> Entry {
        Entry {
            seq: 0,
            time: timestamp(n * 1000),
            method: "GET".to_owned(),
            path: "/things".to_owned(),
            query: None,
            operation_id: Some("things.list"),
            status: 200,
            request_id: format!("req_{n}"),
            duration_ms: 1.5,
            body: None,
            body_truncated: false,
            fault: None,
        }
    }

    /// The `seq`s of a view's entries.
    fn seqs(view: &View) -> Vec<u64> {
        view.entries.iter().map(|e| e.seq).collect()
    }

    /// A journal holding five varied entries (seq 1 to 5).
    fn varied() -> Journal {
        let journal = Journal::new(10);
        let specs: [(&str, Option<&'static str>, u16); 5] = [
            ("GET", Some("things.list"), 200),
            ("POST", Some("things.create"), 201),
            ("get", Some("things.get"), 404),
            ("POST", Some("things.create"), 422),
            ("GET", None, 404),
        ];
        for (n, (method, op, status)) in (1..).zip(specs) {
            let mut e = entry(n);
            e.method = method.to_owned();
            e.operation_id = op;
            e.status = status;
            journal.record(e);
        }
        journal
    }

    #[test]
    fn evicts_oldest_and_counts_dropped() {
        let journal = Journal::new(3);
        let got: Vec<u64> = (1..=5).map(|n| journal.record(entry(n))).collect();
        assert_eq!(got, [1, 2, 3, 4, 5]);
        let view = journal.query(&Query::default());
        assert_eq!(seqs(&view), [3, 4, 5]);
        assert_eq!(view.entries[0].request_id, "req_3");
        assert_eq!((view.capacity, view.recorded, view.dropped), (3, 5, 2));
        assert_eq!(journal.len(), 3);
        assert_eq!(journal.capacity(), 3);
    }

    #[test]
    fn buffer_never_grows_past_capacity() {
        let journal = Journal::new(5);
        for n in 0..50 {
            journal.record(entry(n));
        }
        assert!(journal.lock().entries.capacity() <= 5);
        assert_eq!(Journal::new(1000).lock().entries.capacity(), 0);
    }

    #[test]
    fn seq_continues_after_clear() {
        let journal = Journal::new(3);
        for n in 1..=4 {
            journal.record(entry(n));
        }
        journal.clear();
        assert_eq!(journal.len(), 0);
        let view = journal.query(&Query::default());
        assert!(view.entries.is_empty());
        assert_eq!((view.recorded, view.dropped), (4, 1));
        assert_eq!(journal.record(entry(5)), 5);
        let view = journal.query(&Query::default());
        assert_eq!(seqs(&view), [5]);
        assert_eq!((view.recorded, view.dropped), (5, 1));
    }

    #[test]
    fn filters_by_operation_id() {
        let query = Query {
            operation_id: Some("things.create".to_owned()),
            ..Query::default()
        };
        assert_eq!(seqs(&varied().query(&query)), [2, 4]);
    }

    #[test]
    fn filters_by_status() {
        let query = Query {
            status: Some(404),
            ..Query::default()
        };
        assert_eq!(seqs(&varied().query(&query)), [3, 5]);
    }

    #[test]
    fn filters_by_method_case_insensitively() {
        let query = Query {
            method: Some("Get".to_owned()),
            ..Query::default()
        };
        assert_eq!(seqs(&varied().query(&query)), [1, 3, 5]);
    }

    #[test]
    fn filters_by_after_seq() {
        let journal = varied();
        let query = |after| Query {
            after_seq: Some(after),
            ..Query::default()
        };
        assert_eq!(seqs(&journal.query(&query(3))), [4, 5]);
        assert_eq!(seqs(&journal.query(&query(0))), [1, 2, 3, 4, 5]);
        assert!(journal.query(&query(5)).entries.is_empty());
    }

    #[test]
    fn limit_keeps_newest_oldest_first() {
        let journal = varied();
        let query = |limit| Query {
            limit: Some(limit),
            ..Query::default()
        };
        assert_eq!(seqs(&journal.query(&query(2))), [4, 5]);
        assert_eq!(seqs(&journal.query(&query(9))), [1, 2, 3, 4, 5]);
        assert!(journal.query(&query(0)).entries.is_empty());
    }

    #[test]
    fn filters_combine() {
        let journal = varied();
        let query = Query {
            method: Some("get".to_owned()),
            status: Some(404),
            ..Query::default()
        };
        assert_eq!(seqs(&journal.query(&query)), [3, 5]);
        let query = Query {
            method: Some("GET".to_owned()),
            after_seq: Some(1),
            limit: Some(1),
            ..Query::default()
        };
        assert_eq!(seqs(&journal.query(&query)), [5]);
        let query = Query {
            operation_id: Some("things.create".to_owned()),
            status: Some(201),
            method: Some("post".to_owned()),
            after_seq: Some(1),
            limit: Some(5),
        };
        assert_eq!(seqs(&journal.query(&query)), [2]);
    }

    #[test]
    fn query_rejects_unknown_fields() {
        let query: Query = serde_json::from_value(json!({"status": 404, "limit": 2})).unwrap();
        assert_eq!((query.status, query.limit), (Some(404), Some(2)));
        assert!(serde_json::from_value::<Query>(json!({"nope": 1})).is_err());
    }

    #[test]
    fn body_at_cap_is_kept_whole() {
        let body = "a".repeat(MAX_BODY_BYTES);
        let e = entry(1).with_body(body.as_bytes());
        assert_eq!(e.body.as_deref(), Some(body.as_str()));
        assert!(!e.body_truncated);
    }

    #[test]
    fn body_over_cap_is_cut_and_flagged() {
        let body = "a".repeat(MAX_BODY_BYTES + 1);
        let e = entry(1).with_body(body.as_bytes());
        assert_eq!(e.body.as_deref(), Some(&body[..MAX_BODY_BYTES]));
        assert!(e.body_truncated);
    }

    #[test]
    fn cut_never_splits_a_char() {
        for ascii in MAX_BODY_BYTES - 3..MAX_BODY_BYTES {
            let body = format!("{}😀tail", "a".repeat(ascii));
            let e = entry(1).with_body(body.as_bytes());
            let kept = e.body.unwrap_or_default();
            assert_eq!(
                kept,
                "a".repeat(ascii),
                "{ascii} ASCII bytes before the emoji"
            );
            assert!(e.body_truncated);
        }
        let body = format!("{}😀", "a".repeat(MAX_BODY_BYTES - 4));
        let e = entry(1).with_body(body.as_bytes());
        assert_eq!(e.body.as_deref(), Some(body.as_str()));
        assert!(!e.body_truncated);
    }

    #[test]
    fn invalid_utf8_is_lossy_and_capped() {
        let e = entry(1).with_body(&[0xFF; MAX_BODY_BYTES + 10]);
        let kept = e.body.unwrap_or_default();
        assert!(kept.len() <= MAX_BODY_BYTES);
        assert!(kept.chars().all(|c| c == char::REPLACEMENT_CHARACTER));
        assert!(e.body_truncated);
        let e = entry(1).with_body(b"");
        assert_eq!((e.body, e.body_truncated), (None, false));
    }

    #[test]
    fn record_caps_a_body_set_as_text() {
        let journal = Journal::new(1);
        let mut e = entry(1);
        e.body = Some(format!("{}é", "a".repeat(MAX_BODY_BYTES - 1)));
        journal.record(e);
        let stored = journal.query(&Query::default()).entries.remove(0);
        assert_eq!(stored.body, Some("a".repeat(MAX_BODY_BYTES - 1)));
        assert!(stored.body_truncated);
    }

    #[test]
    fn capacity_zero_keeps_nothing_but_counts() {
        let journal = Journal::new(0);
        assert_eq!(journal.record(entry(1)), 1);
        assert_eq!(journal.record(entry(2)), 2);
        let view = journal.query(&Query::default());
        assert!(view.entries.is_empty());
        assert_eq!((view.capacity, view.recorded, view.dropped), (0, 2, 2));
        assert_eq!(journal.len(), 0);
    }

    #[test]
    fn capacity_is_clamped() {
        assert_eq!(Journal::new(usize::MAX).capacity(), MAX_JOURNAL_SIZE);
        assert_eq!(
            Journal::new(crate::config::DEFAULT_JOURNAL_SIZE).capacity(),
            crate::config::DEFAULT_JOURNAL_SIZE
        );
    }

    #[test]
    fn entry_serializes_with_the_documented_names() {
        let journal = Journal::new(1);
        let mut e = entry(1_757_932_200).with_body(br#"{"a":1}"#);
        e.method = "POST".to_owned();
        e.query = Some("x=1".to_owned());
        e.status = 503;
        e.fault = Some("status 503".to_owned());
        journal.record(e);
        let stored = journal.query(&Query::default()).entries.remove(0);
        let expected = json!({
            "seq": 1,
            "time": "2025-09-15T10:30:00.000Z",
            "method": "POST",
            "path": "/things",
            "query": "x=1",
            "operation_id": "things.list",
            "status": 503,
            "request_id": "req_1757932200",
            "duration_ms": 1.5,
            "body": "{\"a\":1}",
            "body_truncated": false,
            "fault": "status 503",
        });
        assert_eq!(serde_json::to_value(&stored).unwrap(), expected);
        let mut bare = entry(1);
        bare.operation_id = None;
        let value = serde_json::to_value(&bare).unwrap();
        assert_eq!(value["operation_id"], serde_json::Value::Null);
        assert_eq!(value["query"], serde_json::Value::Null);
    }

    #[test]
    fn view_serializes_counters_and_entries() {
        let journal = Journal::new(2);
        for n in 1..=3 {
            journal.record(entry(n));
        }
        let value = serde_json::to_value(journal.query(&Query::default())).unwrap();
        assert_eq!(value["capacity"], 2);
        assert_eq!(value["recorded"], 3);
        assert_eq!(value["dropped"], 1);
        assert_eq!(value["entries"][0]["seq"], 2);
        assert_eq!(
            format!("{journal:?}"),
            "Journal { capacity: 2, len: 2, .. }"
        );
    }

    #[test]
    fn poisoned_lock_is_recovered() {
        let journal = std::sync::Arc::new(Journal::new(2));
        let clone = std::sync::Arc::clone(&journal);
        let result = std::thread::spawn(move || {
            let _guard = clone.lock();
            panic!("poison the lock");
        })
        .join();
        assert!(result.is_err());
        assert_eq!(journal.record(entry(1)), 1);
        assert_eq!(journal.len(), 1);
    }
}
