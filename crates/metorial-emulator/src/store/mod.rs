//! The SQLite store: one connection (a file, or `:memory:`) behind a mutex, used on the
//! request's own task (long jobs on a blocking thread). Every write runs in a transaction, so
//! a failed request changes nothing; every operation that changed a row bumps the store's
//! generation, which reads report with their [`Version`] (what the read cache checks).

/// A stored row's type, its table's `COLUMNS` (each field's column: its name, or `field as
/// "column"` when they differ) and its `read`, which takes the fields by position from a
/// `SELECT` of `COLUMNS` (by position: a lookup by name compares every column's name, for
/// every field of every row).
macro_rules! row {
    (
        $(#[$meta:meta])*
        struct $name:ident {
            $($(#[$field_meta:meta])* $field:ident $(as $column:literal)?: $ty:ty,)*
        }
    ) => {
        $(#[$meta])*
        struct $name {
            $($(#[$field_meta])* $field: $ty,)*
        }

        impl $name {
            /// The columns `read` takes, in its order, for a `SELECT`.
            const COLUMNS: &'static str =
                concat!($(", ", row!(@column $field $($column)?)),*).split_at(2).1;

            /// Reads a row of a `SELECT` of [`Self::COLUMNS`].
            fn read(row: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
                /// Each field's position in [`Self::COLUMNS`].
                #[allow(non_camel_case_types, clippy::enum_variant_names)]
                enum Position { $($field,)* }
                Ok(Self { $($field: row.get(Position::$field as usize)?,)* })
            }
        }
    };
    (@column $field:ident $column:literal) => { $column };
    (@column $field:ident) => { stringify!($field) };
}

pub(crate) mod auth_configs;
pub(crate) mod auth_exports;
pub(crate) mod catalog;
pub(crate) mod credentials;
mod error;
mod expiring;
pub(crate) mod fake_provider;
pub(crate) mod flows;
pub(crate) mod oauth_setups;
pub(crate) mod paging;
pub(crate) mod providers;
mod schema;
pub(crate) mod seed;
pub(crate) mod setup_sessions;
pub(crate) mod snapshot;
pub(crate) mod tenant_row;
pub(crate) mod views;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::Connection;
use rusqlite::config::DbConfig;

use crate::config::Config;
use crate::ids::IdGenerator;
pub(crate) use error::StoreError;

/// How many prepared statements a connection keeps.
const STATEMENT_CACHE: usize = 256;

/// What a tenant's store answers depend on beyond its rows: the emulator's configuration
/// (fixtures, lifetimes), the base of the tenant's URLs and its clock.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    /// The emulator's configuration.
    pub(crate) config: Arc<Config>,
    /// Base of the `url` fields (no trailing slash).
    pub(crate) public_url: String,
    /// The clock every stored time comes from.
    pub(crate) clock: crate::time::Clock,
}

impl Context {
    /// The URL a user opens to go through a flow.
    pub(crate) fn setup_url(&self, id: &str) -> String {
        format!("{}/setup/{id}", self.public_url)
    }
}

/// A handle on the database, cheap to clone.
#[derive(Clone)]
pub(crate) struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    conn: Mutex<Connection>,
    /// The database file; `None` in memory.
    file: Option<PathBuf>,
    /// Set once the tenant is deleted: every later call fails with [`StoreError::Closed`].
    closed: AtomicBool,
    ids: IdGenerator,
    context: Context,
    /// Bumped by every store operation that changed a row (see [`Store::version`]).
    generation: AtomicU64,
    /// How many long operations hold or await the connection.
    long_operations: AtomicUsize,
}

/// A long operation, announced while it exists (see [`Store::call_blocking`]).
struct LongOperation<'a>(&'a AtomicUsize);

impl<'a> LongOperation<'a> {
    /// Counts one more long operation until dropped.
    fn announce(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Self(count)
    }
}

impl Drop for LongOperation<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// What the data a read saw depends on: the store's generation (bumped by every write) and
/// the clock's version (bumped by every move of the clock). A view built at one version is
/// still right at a later moment with the same version, until its own time limit (a session
/// shown `pending` turns `expired` at its `expires_at`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Version {
    /// How many writes the store had seen.
    pub(crate) generation: u64,
    /// How many times the clock had been moved.
    pub(crate) clock: u64,
}

/// What a store operation works with: the connection (held exclusively), the ID generator and
/// the context.
pub(crate) struct Db<'a> {
    /// The connection.
    pub(crate) conn: &'a mut Connection,
    /// Makes new IDs.
    pub(crate) ids: &'a IdGenerator,
    /// The tenant's context.
    pub(crate) context: &'a Context,
}

/// The connection held, and the generation when it was taken.
struct Locked<'a> {
    /// The store's generation before the operation.
    store_generation: u64,
    /// What the operation works with.
    inner: Db<'a>,
}

/// Whose database a store opens.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Owner<'a> {
    /// The tenant of the key with this SHA-256 (hex): recorded in the database.
    Key(&'a str),
    /// Whichever tenant the database records (a file found at start).
    Recorded,
}

impl Store {
    /// Opens (creating if needed) the database, migrates it, loads the fixtures, records (or
    /// reads) its owner's key hash and puts the clock where the database last had it. Returns
    /// the store and its owner's key hash.
    pub(crate) fn open(
        path: Option<&Path>,
        context: Context,
        owner: Owner<'_>,
    ) -> Result<(Self, String), crate::error::Error> {
        let name = path.map_or_else(|| ":memory:".to_owned(), |p| p.display().to_string());
        let fail = |source| crate::error::Error::Database {
            path: name.clone(),
            source,
        };
        let mut conn = match path {
            Some(path) => Connection::open(path),
            None => Connection::open_in_memory(),
        }
        .map_err(fail)?;
        conn.busy_timeout(Duration::from_secs(10)).map_err(fail)?;
        // Every statement the store runs stays prepared (rusqlite keeps 16 by default, fewer
        // than the store has: the rest were parsed again on every request).
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        // The planner's stability guarantee: without it SQLite marks the parameters that might
        // change a statement's plan (a list filter checked on rows read through another
        // column's index), and as rusqlite clears a cached statement's bindings, SQLite parsed
        // and planned it again on every use (4.5% of a list page's time).
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(fail)?;
        if path.is_some() {
            // WAL: readers in other processes (e.g. sqlite3) don't block the server.
            let _mode: String = conn
                .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
                .map_err(fail)?;
            conn.execute_batch("PRAGMA synchronous = NORMAL")
                .map_err(fail)?;
        }
        migrate(&mut conn).map_err(fail)?;
        let tx = conn.transaction().map_err(fail)?;
        catalog::load_fixtures(&tx, &context.config.fixtures).map_err(fail)?;
        let row = own(&tx, owner).map_err(|e| crate::error::Error::Config {
            option: "database",
            message: format!("{name}: {e}"),
        })?;
        tx.commit().map_err(fail)?;
        if context.clock.set_offset(row.clock_offset_ms).is_err() {
            tracing::warn!(database = %name, "the kept clock is out of range: back on the wall clock");
        }
        let store = Self {
            inner: Arc::new(Inner {
                conn: Mutex::new(conn),
                file: path.map(Path::to_path_buf),
                closed: AtomicBool::new(false),
                ids: IdGenerator::default(),
                context,
                generation: AtomicU64::new(0),
                long_operations: AtomicUsize::new(0),
            }),
        };
        Ok((store, row.key_sha256))
    }

    /// Moves the clock (checked) and records its offset, in one exclusive call: the new time.
    pub(crate) async fn move_clock(&self, change: ClockMove) -> Result<i64, StoreError> {
        self.call(move |db| {
            let clock = &db.context.clock;
            let now = match change {
                ClockMove::Advance(ms) => clock.advance(ms),
                ClockMove::Set(ms) => clock.set(ms),
            }
            .map_err(StoreError::Clock)?;
            tenant_row::save_clock(db.conn, clock.offset_ms())?;
            Ok(now)
        })
        .await
    }

    /// Ends the store for good: waits for the connection, closes it, deletes the database
    /// file (with SQLite's `-wal` and `-shm` files beside it); every later call fails with
    /// [`StoreError::Closed`].
    pub(crate) async fn close_and_delete(&self) -> Result<(), StoreError> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let mut conn = store.inner.conn.lock().unwrap_or_else(|e| e.into_inner());
            store.inner.closed.store(true, Ordering::Release);
            let spare = Connection::open_in_memory()?;
            let old = std::mem::replace(&mut *conn, spare);
            old.close().map_err(|(_, e)| e)?;
            if let Some(file) = &store.inner.file {
                delete_database_files(file)?;
            }
            Ok(())
        })
        .await
        .map_err(|e| StoreError::Internal(format!("store task: {e}")))?
    }

    /// The clock every stored time comes from.
    pub(crate) fn clock(&self) -> &crate::time::Clock {
        &self.inner.context.clock
    }

    /// Runs `f` with exclusive use of the connection, on the calling task: a request's
    /// queries take well under a millisecond, and handing them to a blocking thread cost two
    /// thread switches per request (see BENCHMARKS.md). While a long operation (a snapshot, a
    /// reset) holds or awaits the connection, `f` waits on a blocking thread instead, so no
    /// runtime worker stalls. A panic in `f` is an internal error.
    pub(crate) async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Db<'_>) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.locked(move |locked| f(&mut locked.inner)).await
    }

    /// Runs `f` with exclusive use of the connection on a blocking thread: for work that may
    /// take long (a snapshot, a reset, loading fixtures), so the runtime keeps serving.
    pub(crate) async fn call_blocking<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Db<'_>) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let long = LongOperation::announce(&self.inner.long_operations);
        let result = self
            .on_blocking_thread(move |locked| f(&mut locked.inner))
            .await;
        drop(long);
        result
    }

    /// [`call`](Self::call) for a read, with the [`Version`] of the data it saw.
    pub(crate) async fn read<T, F>(&self, f: F) -> Result<(T, Version), StoreError>
    where
        F: FnOnce(&mut Db<'_>) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        self.locked(move |locked| {
            let version = Version {
                generation: locked.store_generation,
                clock: locked.inner.context.clock.version(),
            };
            let value = f(&mut locked.inner)?;
            Ok((value, version))
        })
        .await
    }

    /// The version of the data now (without waiting for the connection: a write in progress
    /// bumps it before its answer leaves).
    pub(crate) fn version(&self) -> Version {
        Version {
            generation: self.inner.generation.load(Ordering::Acquire),
            clock: self.inner.context.clock.version(),
        }
    }

    /// Runs `f` holding the connection: here (waiting for a short operation to finish, as
    /// long operations are announced), or on a blocking thread while a long one holds or
    /// awaits it.
    async fn locked<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Locked<'_>) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        if self.inner.long_operations.load(Ordering::Acquire) > 0 {
            return self.on_blocking_thread(f).await;
        }
        // A panic while holding the lock rolled its transaction back: the data is intact.
        let conn = self.inner.conn.lock().unwrap_or_else(|e| e.into_inner());
        self.run(conn, f)
    }

    /// Runs `f` on a blocking thread, waiting there for the connection; a long operation
    /// ([`call_blocking`](Self::call_blocking)) is announced first, so that calls arriving
    /// meanwhile wait on blocking threads too instead of stalling the runtime's workers.
    async fn on_blocking_thread<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Locked<'_>) -> Result<T, StoreError> + Send + 'static,
        T: Send + 'static,
    {
        let store = self.clone();
        tokio::task::spawn_blocking(move || {
            let conn = store.inner.conn.lock().unwrap_or_else(|e| e.into_inner());
            store.run(conn, f)
        })
        .await
        .map_err(|e| StoreError::Internal(format!("store task: {e}")))?
    }

    /// Runs `f` with the connection `conn` holds; a panic becomes [`StoreError::Internal`]. A
    /// change to any row (SQLite's `total_changes`) bumps the generation.
    fn run<T, F>(&self, mut conn: MutexGuard<'_, Connection>, f: F) -> Result<T, StoreError>
    where
        F: FnOnce(&mut Locked<'_>) -> Result<T, StoreError>,
    {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(StoreError::Closed);
        }
        let before = conn.total_changes();
        let mut locked = Locked {
            store_generation: self.inner.generation.load(Ordering::Acquire),
            inner: Db {
                conn: &mut conn,
                ids: &self.inner.ids,
                context: &self.inner.context,
            },
        };
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut locked)));
        if conn.total_changes() != before {
            self.inner.generation.fetch_add(1, Ordering::AcqRel);
        }
        result.map_err(|_| StoreError::Internal("a store operation panicked".to_owned()))?
    }
}

/// A move of the clock (see [`Store::move_clock`]).
#[derive(Clone, Copy, Debug)]
pub(crate) enum ClockMove {
    /// Forward by this many milliseconds (backward when negative).
    Advance(i64),
    /// To this time (milliseconds since the Unix epoch).
    Set(i64),
}

/// Records `owner` in the tenant row (or reads it): the row.
fn own(conn: &Connection, owner: Owner<'_>) -> Result<tenant_row::TenantRow, StoreError> {
    if let Owner::Key(hash) = owner {
        tenant_row::save_key(conn, hash)?;
    }
    tenant_row::read(conn)?
        .ok_or_else(|| StoreError::BadRequest("the database records no tenant".to_owned()))
}

/// Deletes a database file and SQLite's files beside it; a file already gone is fine.
fn delete_database_files(file: &Path) -> Result<(), StoreError> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut name = file.as_os_str().to_owned();
        name.push(suffix);
        match std::fs::remove_file(&name) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(StoreError::Internal(format!(
                    "cannot delete {}: {e}",
                    PathBuf::from(name).display()
                )));
            }
        }
    }
    Ok(())
}

/// Creates the schema, or checks a file's schema is one this code knows.
fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version != 0 && version != schema::VERSION {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "the database has schema version {version}, this emulator writes {}: \
             start it with a new database file",
            schema::VERSION
        )));
    }
    let tx = conn.transaction()?;
    tx.execute_batch(schema::SCHEMA)?;
    tx.execute_batch(&format!("PRAGMA user_version = {}", schema::VERSION))?;
    tx.commit()
}

/// Marks the OAuth setups whose time is up as `expired` (an index range read of just those
/// rows), as the live API's minutely job does. Setup sessions are not swept: like the live
/// API, the emulator shows a session `expired` when it reads it (see
/// [`setup_sessions::shown_status`]).
pub(crate) fn sweep_expired(conn: &Connection, now: i64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "UPDATE oauth_setups SET status = 'expired', updated_at = expires_at
         WHERE status IN ('unused', 'opened') AND expires_at <= ?",
    )?
    .execute([now])?;
    Ok(())
}

/// A nullable JSON object column.
pub(crate) fn json_column(
    value: Option<String>,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, StoreError> {
    match value {
        Some(text) => Ok(Some(serde_json::from_str(&text)?)),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::snapshot::testing::store;

    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn a_long_operation_does_not_stall_the_runtime() {
        let store = store();
        let long = tokio::spawn({
            let store = store.clone();
            async move {
                store
                    .call_blocking(|_| {
                        std::thread::sleep(Duration::from_millis(400));
                        Ok(())
                    })
                    .await
            }
        });
        // Let the long operation take the connection.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let waiting = tokio::spawn({
            let store = store.clone();
            async move { store.call(|_| Ok(Instant::now())).await }
        });
        // The one worker keeps serving other tasks while the call waits for the connection.
        let started = Instant::now();
        tokio::time::sleep(Duration::from_millis(10)).await;
        let other_task_took = started.elapsed();
        let served_at = waiting.await.unwrap().unwrap();
        long.await.unwrap().unwrap();
        assert!(
            other_task_took < Duration::from_millis(200),
            "the runtime stalled for {other_task_took:?}"
        );
        assert!(
            served_at >= started + Duration::from_millis(200),
            "the call waited its turn"
        );
    }

    #[test]
    fn a_cached_statement_is_not_planned_again_on_each_use() {
        let store = store();
        let conn = store.inner.conn.lock().unwrap();
        let sql = "SELECT id FROM setup_sessions WHERE provider_id = ? \
                   AND CAST(status AS TEXT) IN (?) AND id > ? ORDER BY id LIMIT 101";
        for _ in 0..3 {
            let mut stmt = conn.prepare_cached(sql).unwrap();
            let ids: Vec<String> = stmt
                .query_map(["pro_1", "pending", "pas_1"], |row| row.get(0))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert!(ids.is_empty());
            let replanned = stmt.get_status(rusqlite::StatementStatus::RePrepare);
            assert_eq!(
                replanned, 0,
                "the cached statement was parsed and planned again"
            );
        }
    }
}
