//! Tables whose rows expire and that a browser can add to without an API key (OAuth `state`s,
//! the fake provider's consent requests and codes). Before each insert, the expired rows are
//! purged and, past a cap, the oldest are evicted; both walk the table's index on
//! `expires_at`, so the cost depends on the cap, not on how many requests came before.

use rusqlite::{Connection, params};

use super::StoreError;

/// A table with an `expires_at` column (indexed) and a unique `key` column.
pub(crate) struct Expiring {
    /// The table's name (a constant of the code).
    pub(crate) table: &'static str,
    /// Its unique key column.
    pub(crate) key: &'static str,
}

/// Rows of an [`Expiring`] table: all of them, or those whose `column` holds `value`.
pub(crate) enum Scope<'a> {
    /// The whole table.
    All,
    /// The rows whose `column` (indexed with `expires_at`) equals `value`.
    Where {
        /// The column (a constant of the code).
        column: &'static str,
        /// The value.
        value: &'a str,
    },
}

impl Expiring {
    /// Deletes the rows whose `expires_at` is at or before `before`.
    pub(crate) fn purge(&self, conn: &Connection, before: i64) -> Result<(), StoreError> {
        let sql = format!("DELETE FROM {} WHERE expires_at <= ?", self.table);
        conn.prepare_cached(&sql)?.execute([before])?;
        Ok(())
    }

    /// Evicts the oldest rows (earliest `expires_at`) of `scope` so that at most `keep` remain.
    pub(crate) fn keep_newest(
        &self,
        conn: &Connection,
        scope: &Scope<'_>,
        keep: i64,
    ) -> Result<(), StoreError> {
        let (table, key) = (self.table, self.key);
        let (filter, value, limit) = match scope {
            Scope::All => (String::new(), None, "?1"),
            Scope::Where { column, value } => (format!("WHERE {column} = ?1"), Some(*value), "?2"),
        };
        let count_sql = format!("SELECT COUNT(*) AS n FROM {table} {filter}");
        let mut count = conn.prepare_cached(&count_sql)?;
        let rows: i64 = match value {
            Some(value) => count.query_row([value], |r| r.get("n"))?,
            None => count.query_row([], |r| r.get("n"))?,
        };
        let excess = rows.saturating_sub(keep.max(0));
        if excess <= 0 {
            return Ok(());
        }
        let delete_sql = format!(
            "DELETE FROM {table} WHERE {key} IN
                 (SELECT {key} FROM {table} {filter} ORDER BY expires_at LIMIT {limit})"
        );
        let mut delete = conn.prepare_cached(&delete_sql)?;
        match value {
            Some(value) => delete.execute(params![value, excess])?,
            None => delete.execute(params![excess])?,
        };
        Ok(())
    }

    /// Makes room for one more row: purges the rows that expired by `purge_before`, then
    /// keeps at most `cap - 1` rows of each scope.
    pub(crate) fn make_room(
        &self,
        conn: &Connection,
        purge_before: i64,
        caps: &[(Scope<'_>, i64)],
    ) -> Result<(), StoreError> {
        self.purge(conn, purge_before)?;
        for (scope, cap) in caps {
            self.keep_newest(conn, scope, cap.saturating_sub(1))?;
        }
        Ok(())
    }
}
