//! Keyset pagination over a table's `id` (IDs sort by creation time).
//!
//! A page is one indexed range read per value of the "driving" filter (the one with the fewest
//! values, read through its `(column, id)` index), each `LIMIT n + 1`, merged by ID; the other
//! filters are checked on those rows only (`CAST(column AS TEXT) IN (...)`: an expression keeps
//! SQLite from picking their index and sorting, and compares as text, the values' type).
//! Whether items exist on the other side of the cursor is one `LIMIT 1` probe per value. So a
//! page costs the same at 100 or 100,000 rows.
//!
//! Date bounds ([`DateBound`]: `created_at[gt]`, `updated_at[lt]`, ...) have no index of their
//! own and never drive. They are residual conditions like the non-driving filters: checked on
//! the rows the driving filter's index range yields or, when no filter drives, part of the
//! range scan by `id` (the primary key) itself (`WHERE id > ? AND +created_at > ? ORDER BY id`).
//! Either way a read still stops at `n + 1` matching rows and never sorts, so a bound that the
//! rows of the range meet costs one comparison per row read; what a selective bound (like a
//! selective residual filter) costs is the rows of the range it skips before the page is full,
//! at worst the whole range when few rows match.

use metorial_models::Pagination;
use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use super::StoreError;

/// The order of a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Order {
    /// Oldest first (the default).
    Asc,
    /// Newest first.
    Desc,
}

/// Where a page starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cursor {
    /// The items after this ID, in the list's order.
    After(String),
    /// The items before this ID, in the list's order.
    Before(String),
}

/// A page to read.
#[derive(Clone, Debug)]
pub(crate) struct PageRequest {
    /// How many items (1..=100).
    pub(crate) limit: usize,
    /// The list's order.
    pub(crate) order: Order,
    /// Where the page starts; `None`: at the start of the list.
    pub(crate) cursor: Option<Cursor>,
    /// The date bounds every item must meet (a list's `created_at` / `updated_at` range
    /// filters), carried with the page so every list applies them without a parameter of its
    /// own.
    pub(crate) dates: Vec<DateBound>,
}

/// Which side of a date a [`DateBound`] keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// `column > ms` (the query's `[gt]`).
    After,
    /// `column < ms` (the query's `[lt]`).
    Before,
}

/// One bound of a date range filter: `column > ms` or `column < ms`, a residual condition
/// (see the module doc).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DateBound {
    /// The filter's key (`created_at`), a column of [`Table::filters`] (integer milliseconds).
    pub(crate) key: &'static str,
    /// Which side of `ms` is kept.
    pub(crate) side: Side,
    /// The bound, in milliseconds since the Unix epoch.
    pub(crate) ms: i64,
}

/// `column IN (values)`.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    /// The filter's key (`provider_id`), a column of [`Table::filters`] (a constant of the
    /// code: the spec's filter names, never client input).
    pub(crate) key: &'static str,
    /// The accepted values (at least one).
    pub(crate) values: Vec<String>,
}

/// A table to page through.
pub(crate) struct Table {
    /// Its name.
    pub(crate) name: &'static str,
    /// The columns to read, `id` first.
    pub(crate) columns: &'static str,
    /// The filters it takes: (key, column). A key the spec gives a list and this table lacks
    /// is answered [`StoreError::Unsupported`].
    pub(crate) filters: &'static [(&'static str, &'static str)],
}

impl Table {
    /// The column of the filter `key`.
    fn column(&self, key: &str) -> Result<&'static str, StoreError> {
        let found = self.filters.iter().find(|(k, _)| *k == key);
        found.map(|(_, column)| *column).ok_or_else(|| {
            StoreError::Unsupported(format!(
                "the emulator does not implement the list filter `{key}` on {}",
                self.name
            ))
        })
    }
}

/// A filter resolved to its column.
#[derive(Clone, Debug)]
struct Condition {
    /// The column.
    column: &'static str,
    /// The accepted values, sorted and deduplicated.
    values: Vec<String>,
}

/// Reads one page of `table`: the rows (mapped by `map`) and the pagination flags.
pub(crate) fn page<T>(
    conn: &Connection,
    table: &Table,
    filters: &[Filter],
    request: &PageRequest,
    mut map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<(Vec<T>, Pagination), StoreError> {
    let walk = Walk::of(request);
    let filters = normalized(table, filters)?;
    let (driver, residual) = match filters.split_first() {
        Some((driver, rest)) => (Some(driver), rest),
        None => (None, &[][..]),
    };
    let dates = request.dates.iter().map(|d| Ok((table.column(d.key)?, d)));
    let scope = Scope {
        table,
        driver: driver.map(|d| d.column),
        residual,
        dates: dates.collect::<Result<_, StoreError>>()?,
    };
    let driver_values: Vec<Option<&String>> = match driver {
        Some(d) => d.values.iter().map(Some).collect(),
        None => vec![None],
    };

    let mut rows = Vec::new();
    for value in &driver_values {
        let bound = walk.bound.map(|b| (walk.ahead(), b));
        let (sql, params) = scope.select(*value, bound, Some(walk.direction()), request.limit + 1);
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut found = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = found.next()? {
            rows.push((row.get::<_, String>(0)?, map(row)?));
        }
        drop(found);
        count_steps(&mut stmt);
    }
    // IDs are unique: sorted by id, then turned for a descending walk.
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    if !walk.ascending {
        rows.reverse();
    }
    let more_in_direction = rows.len() > request.limit;
    rows.truncate(request.limit);
    let more_behind = exists_behind(conn, &scope, &driver_values, &walk)?;

    let mut items: Vec<T> = rows.into_iter().map(|(_, item)| item).collect();
    let (has_more_before, has_more_after) = if walk.reverse {
        items.reverse();
        (more_in_direction, more_behind)
    } else {
        (more_behind, more_in_direction)
    };
    let pagination = Pagination::builder()
        .has_more_before(has_more_before)
        .has_more_after(has_more_after)
        .try_into()?;
    Ok((items, pagination))
}

/// How a page is read: the direction rows are read in (by id), the cursor bound, and whether
/// the result is reversed to come out in the list's order.
struct Walk<'a> {
    /// Rows are read by ascending id.
    ascending: bool,
    /// The cursor's ID, exclusive.
    bound: Option<&'a String>,
    /// The rows read are in the reverse of the list's order (a `before` cursor).
    reverse: bool,
}

impl<'a> Walk<'a> {
    /// The walk a request asks for.
    fn of(request: &'a PageRequest) -> Self {
        let (ascending, bound, reverse) = match (request.order, &request.cursor) {
            (Order::Asc, None) => (true, None, false),
            (Order::Desc, None) => (false, None, false),
            (Order::Asc, Some(Cursor::After(id))) => (true, Some(id), false),
            (Order::Desc, Some(Cursor::After(id))) => (false, Some(id), false),
            (Order::Asc, Some(Cursor::Before(id))) => (false, Some(id), true),
            (Order::Desc, Some(Cursor::Before(id))) => (true, Some(id), true),
        };
        Self {
            ascending,
            bound,
            reverse,
        }
    }

    /// The comparison of `id` with the cursor for the rows of the page.
    fn ahead(&self) -> &'static str {
        if self.ascending { ">" } else { "<" }
    }

    /// The comparison of `id` with the cursor for the rows on its other side (itself included).
    fn behind(&self) -> &'static str {
        if self.ascending { "<=" } else { ">=" }
    }

    /// `ORDER BY id` direction.
    fn direction(&self) -> &'static str {
        if self.ascending { "ASC" } else { "DESC" }
    }
}

/// The filters as conditions on `table`'s columns, their values sorted and deduplicated, the
/// one with the fewest values (the driver) first.
fn normalized(table: &Table, filters: &[Filter]) -> Result<Vec<Condition>, StoreError> {
    let mut conditions = Vec::with_capacity(filters.len());
    for filter in filters {
        let mut values = filter.values.clone();
        values.sort();
        values.dedup();
        let column = table.column(filter.key)?;
        conditions.push(Condition { column, values });
    }
    conditions.sort_by_key(|c| c.values.len());
    Ok(conditions)
}

/// Whether a matching item lies on the other side of the cursor (the cursor itself included,
/// if it matches): one `LIMIT 1` probe per driver value.
fn exists_behind(
    conn: &Connection,
    scope: &Scope<'_>,
    driver_values: &[Option<&String>],
    walk: &Walk<'_>,
) -> Result<bool, StoreError> {
    let Some(bound) = walk.bound else {
        return Ok(false);
    };
    for value in driver_values {
        let (sql, params) = scope.select(*value, Some((walk.behind(), bound)), None, 1);
        let mut stmt = conn.prepare_cached(&sql)?;
        let exists = stmt.exists(rusqlite::params_from_iter(params))?;
        count_steps(&mut stmt);
        if exists {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What every read of one page selects from: the table, the driving filter's column, the
/// residual filters and the date bounds.
struct Scope<'a> {
    /// The table.
    table: &'a Table,
    /// The driving filter's column (read through its `(column, id)` index), if any.
    driver: Option<&'static str>,
    /// The other filters, checked on the rows read.
    residual: &'a [Condition],
    /// The date bounds and their columns, checked on the rows read.
    dates: Vec<(&'static str, &'a DateBound)>,
}

impl Scope<'_> {
    /// `SELECT columns FROM table WHERE driver = ? AND CAST(residual AS TEXT) IN (...)
    /// AND +date <op> ? AND id <op> ? [ORDER BY id dir] LIMIT n`.
    fn select(
        &self,
        driver_value: Option<&String>,
        bound: Option<(&str, &String)>,
        order: Option<&str>,
        limit: usize,
    ) -> (String, Vec<Value>) {
        let mut conditions = Vec::new();
        let mut params = Vec::new();
        if let Some((column, value)) = self.driver.zip(driver_value) {
            conditions.push(format!("{column} = ?"));
            params.push(Value::Text(value.clone()));
        }
        for filter in self.residual {
            // The column's text form, as the values are text (an INTEGER column's `0` matches
            // "0"; a bare `+column` would drop its affinity and match nothing), and an
            // expression keeps SQLite from reading through the column's index.
            let marks = vec!["?"; filter.values.len()].join(", ");
            conditions.push(format!("CAST({} AS TEXT) IN ({marks})", filter.column));
            params.extend(filter.values.iter().cloned().map(Value::Text));
        }
        for (column, date) in &self.dates {
            let op = match date.side {
                Side::After => ">",
                Side::Before => "<",
            };
            conditions.push(format!("+{column} {op} ?"));
            params.push(Value::Integer(date.ms));
        }
        if let Some((op, id)) = bound {
            conditions.push(format!("id {op} ?"));
            params.push(Value::Text(id.clone()));
        }
        let mut sql = format!("SELECT {} FROM {}", self.table.columns, self.table.name);
        if !conditions.is_empty() {
            sql.push_str(" WHERE ");
            sql.push_str(&conditions.join(" AND "));
        }
        if let Some(order) = order {
            sql.push_str(" ORDER BY id ");
            sql.push_str(order);
        }
        sql.push_str(&format!(" LIMIT {limit}"));
        (sql, params)
    }
}

#[cfg(test)]
thread_local! {
    /// SQLite VM steps the page reads of this thread took (to check a page's cost).
    pub(crate) static VM_STEPS: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
}

/// Adds the statement's VM steps to [`VM_STEPS`] (tests only).
#[cfg(test)]
fn count_steps(stmt: &mut rusqlite::CachedStatement<'_>) {
    let steps = stmt.reset_status(rusqlite::StatementStatus::VmStep);
    VM_STEPS.with(|c| c.set(c.get() + i64::from(steps)));
}

#[cfg(not(test))]
fn count_steps(_: &mut rusqlite::CachedStatement<'_>) {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::fixtures::Fixtures;
    use crate::store::{Context, Owner, Store};

    const STATUSES: [&str; 4] = ["pending", "completed", "failed", "expired"];

    /// An in-memory store without fixtures.
    fn empty_store() -> Store {
        let config = Config {
            fixtures: Fixtures::default(),
            session_lifetime: std::time::Duration::from_millis(1),
            oauth_setup_lifetime: std::time::Duration::from_millis(1),
            ..Config::default()
        };
        let context = Context {
            config: std::sync::Arc::new(config),
            public_url: "http://localhost".into(),
            clock: Default::default(),
        };
        Store::open(None, context, Owner::Key("test")).unwrap().0
    }

    /// Inserts `n` sessions with IDs from `start` on, statuses and providers cycling; session
    /// `i` was created at `10 * i` ms and updated at `10 * i + 5`.
    fn insert(conn: &mut Connection, start: usize, n: usize) {
        let tx = conn.transaction().unwrap();
        for i in start..start + n {
            tx.execute(
                "INSERT INTO setup_sessions (id, provider_id, deployment_id, auth_method_id,
                     status, type, ui_mode, created_at, updated_at, expires_at)
                 VALUES (?, ?, NULL, 'pam_1', ?, 'oauth', 'redirect', ?, ?, 9999999999999)",
                rusqlite::params![
                    format!("pas_{i:010}"),
                    format!("pro_{}", i % 3),
                    STATUSES[i % 4],
                    i as i64 * 10,
                    i as i64 * 10 + 5
                ],
            )
            .unwrap();
        }
        tx.commit().unwrap();
    }

    fn read(
        conn: &Connection,
        filters: &[Filter],
        request: &PageRequest,
    ) -> (usize, Pagination, i64) {
        VM_STEPS.with(|c| c.set(0));
        let (items, pagination) = page(
            conn,
            &crate::store::setup_sessions::TABLE,
            filters,
            request,
            |row| row.get::<_, String>(0),
        )
        .unwrap();
        (items.len(), pagination, VM_STEPS.with(|c| c.get()))
    }

    /// `key > ms` or `key < ms`.
    fn date(key: &'static str, side: Side, ms: i64) -> DateBound {
        DateBound { key, side, ms }
    }

    fn shapes() -> Vec<(Vec<Filter>, PageRequest)> {
        let request = |order, cursor| PageRequest {
            limit: 20,
            order,
            cursor,
            dates: Vec::new(),
        };
        // Bounds every row meets: they add a check per row read, never rows to read.
        let dated = |order, cursor| PageRequest {
            dates: vec![
                date("created_at", Side::After, -1),
                date("updated_at", Side::Before, i64::MAX),
            ],
            ..request(order, cursor)
        };
        let status = |values: &[&str]| Filter {
            key: "status",
            values: values.iter().map(|s| s.to_string()).collect(),
        };
        let provider = Filter {
            key: "provider_id",
            values: vec!["pro_1".into()],
        };
        let middle = Some(Cursor::After("pas_0000000050".into()));
        let before = Some(Cursor::Before("pas_0000000060".into()));
        vec![
            (vec![], request(Order::Asc, None)),
            (vec![], request(Order::Desc, None)),
            (vec![], request(Order::Asc, middle.clone())),
            (vec![], request(Order::Desc, before.clone())),
            (
                vec![status(&["pending"])],
                request(Order::Asc, middle.clone()),
            ),
            (
                vec![status(&["pending", "failed"])],
                request(Order::Desc, before),
            ),
            (
                vec![status(&["pending", "failed"]), provider.clone()],
                request(Order::Asc, middle.clone()),
            ),
            (vec![], dated(Order::Asc, middle.clone())),
            (vec![], dated(Order::Desc, None)),
            (
                vec![status(&["pending", "failed"]), provider],
                dated(Order::Asc, middle),
            ),
        ]
    }

    #[test]
    fn a_page_costs_the_same_at_100_and_at_20000_rows() {
        let store = empty_store();
        let mut conn = store.inner.conn.lock().unwrap();
        insert(&mut conn, 0, 100);
        let small: Vec<_> = shapes().iter().map(|(f, r)| read(&conn, f, r)).collect();
        insert(&mut conn, 100, 20_000);
        let large: Vec<_> = shapes().iter().map(|(f, r)| read(&conn, f, r)).collect();
        for (i, (s, l)) in small.iter().zip(&large).enumerate() {
            assert!(s.0 > 0, "shape {i} found nothing");
            assert!(
                l.2 <= s.2 * 2 + 200,
                "shape {i}: {} VM steps at 100 rows, {} at 20,100",
                s.2,
                l.2
            );
        }
    }

    #[test]
    fn pages_walk_forward_and_backward_with_exact_flags() {
        let store = empty_store();
        let mut conn = store.inner.conn.lock().unwrap();
        insert(&mut conn, 0, 10);
        let ids = |filters: &[Filter], order, cursor| {
            page(
                &conn,
                &crate::store::setup_sessions::TABLE,
                filters,
                &PageRequest {
                    limit: 3,
                    order,
                    cursor,
                    dates: Vec::new(),
                },
                |row| row.get::<_, String>(0),
            )
            .unwrap()
        };
        let id = |i: usize| format!("pas_{i:010}");
        let (items, p) = ids(&[], Order::Asc, None);
        assert_eq!(items, [id(0), id(1), id(2)]);
        assert!(!p.has_more_before && p.has_more_after);
        let (items, p) = ids(&[], Order::Asc, Some(Cursor::After(id(6))));
        assert_eq!(items, [id(7), id(8), id(9)]);
        assert!(p.has_more_before && !p.has_more_after);
        let (items, p) = ids(&[], Order::Asc, Some(Cursor::Before(id(3))));
        assert_eq!(items, [id(0), id(1), id(2)]);
        assert!(!p.has_more_before && p.has_more_after);
        let (items, p) = ids(&[], Order::Desc, None);
        assert_eq!(items, [id(9), id(8), id(7)]);
        assert!(!p.has_more_before && p.has_more_after);
        let (items, p) = ids(&[], Order::Desc, Some(Cursor::Before(id(5))));
        assert_eq!(items, [id(8), id(7), id(6)]);
        assert!(p.has_more_before && p.has_more_after);
        let pending_or_failed = [Filter {
            key: "status",
            values: vec!["failed".into(), "pending".into(), "pending".into()],
        }];
        // pending: 0, 4, 8; failed: 2, 6.
        let (items, p) = ids(&pending_or_failed, Order::Asc, Some(Cursor::After(id(2))));
        assert_eq!(items, [id(4), id(6), id(8)]);
        assert!(p.has_more_before && !p.has_more_after);
        let (items, p) = ids(&pending_or_failed, Order::Desc, Some(Cursor::After(id(4))));
        assert_eq!(items, [id(2), id(0)]);
        assert!(p.has_more_before && !p.has_more_after);
    }

    #[test]
    fn date_bounds_narrow_pages_with_exact_flags() {
        let store = empty_store();
        let mut conn = store.inner.conn.lock().unwrap();
        insert(&mut conn, 0, 10);
        let ids = |filters: &[Filter], dates: &[DateBound], order, cursor| {
            page(
                &conn,
                &crate::store::setup_sessions::TABLE,
                filters,
                &PageRequest {
                    limit: 3,
                    order,
                    cursor,
                    dates: dates.to_vec(),
                },
                |row| row.get::<_, String>(0),
            )
            .unwrap()
        };
        let id = |i: usize| format!("pas_{i:010}");
        // Created after 25 and before 75: sessions 3 to 7.
        let window = [
            date("created_at", Side::After, 25),
            date("created_at", Side::Before, 75),
        ];
        let (items, p) = ids(&[], &window, Order::Asc, None);
        assert_eq!(items, [id(3), id(4), id(5)]);
        assert!(!p.has_more_before && p.has_more_after);
        let (items, p) = ids(&[], &window, Order::Asc, Some(Cursor::After(id(5))));
        assert_eq!(items, [id(6), id(7)]);
        assert!(p.has_more_before && !p.has_more_after);
        let (items, p) = ids(&[], &window, Order::Asc, Some(Cursor::Before(id(3))));
        assert!(items.is_empty());
        assert!(!p.has_more_before && p.has_more_after);
        let (items, p) = ids(&[], &window, Order::Desc, None);
        assert_eq!(items, [id(7), id(6), id(5)]);
        assert!(!p.has_more_before && p.has_more_after);
        // With a driving filter: pending 0, 4, 8 and failed 2, 6, of which 4 and 6 qualify.
        let pending_or_failed = [Filter {
            key: "status",
            values: vec!["pending".into(), "failed".into()],
        }];
        let (items, p) = ids(&pending_or_failed, &window, Order::Desc, None);
        assert_eq!(items, [id(6), id(4)]);
        assert!(!p.has_more_before && !p.has_more_after);
        // The bounds are exclusive: session 4 was updated at 45.
        let updated = [date("updated_at", Side::After, 45)];
        let (items, p) = ids(&[], &updated, Order::Asc, Some(Cursor::After(id(4))));
        assert_eq!(items, [id(5), id(6), id(7)]);
        assert!(!p.has_more_before && p.has_more_after);
    }

    #[test]
    fn filters_on_an_integer_column_take_text_values() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id TEXT PRIMARY KEY, kind TEXT NOT NULL, flag INTEGER NOT NULL);
             CREATE INDEX t_kind ON t (kind, id);
             CREATE INDEX t_flag ON t (flag, id);
             INSERT INTO t VALUES ('a', 'x', 0), ('b', 'x', 1), ('c', 'y', 0), ('d', 'x', 0);",
        )
        .unwrap();
        let table = Table {
            name: "t",
            columns: "id, kind, flag",
            filters: &[("kind", "kind"), ("flag", "flag")],
        };
        let filter = |key, value: &str| Filter {
            key,
            values: vec![value.to_owned()],
        };
        let request = PageRequest {
            limit: 10,
            order: Order::Asc,
            cursor: None,
            dates: Vec::new(),
        };
        // The integer column drives, then is a residual check.
        for filters in [
            [filter("flag", "0"), filter("kind", "x")],
            [filter("kind", "x"), filter("flag", "0")],
        ] {
            let (items, _) = page(&conn, &table, &filters, &request, |row| {
                row.get::<_, String>(0)
            })
            .unwrap();
            assert_eq!(items, ["a", "d"]);
        }
        // A filter the spec gives and the table lacks is refused, not ignored.
        let unknown = [filter("colour", "red")];
        let refused = page(&conn, &table, &unknown, &request, |row| {
            row.get::<_, String>(0)
        });
        let Err(StoreError::Unsupported(message)) = refused else {
            panic!("{refused:?}")
        };
        assert_eq!(
            message,
            "the emulator does not implement the list filter `colour` on t"
        );
        let dated = PageRequest {
            dates: vec![DateBound {
                key: "colour",
                side: Side::After,
                ms: 0,
            }],
            ..request
        };
        let refused = page(&conn, &table, &[], &dated, |row| row.get::<_, String>(0));
        assert!(
            matches!(refused, Err(StoreError::Unsupported(_))),
            "{refused:?}"
        );
    }
}
