//! Keyset pagination over a table's `id` (IDs sort by creation time).
//!
//! A page is one indexed range read per value of the "driving" filter (the one with the fewest
//! values, read through its `(column, id)` index), each `LIMIT n + 1`, merged by ID; the other
//! filters are checked on those rows only (`+column` keeps SQLite from picking their index and
//! sorting). Whether items exist on the other side of the cursor is one `LIMIT 1` probe per
//! value. So a page costs the same at 100 or 100,000 rows.

use metorial_models::Pagination;
use rusqlite::types::Value;
use rusqlite::{Connection, Row};

use crate::errors::ApiError;

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
}

/// `column IN (values)`.
#[derive(Clone, Debug)]
pub(crate) struct Filter {
    /// The column (a constant of the code, never client input).
    pub(crate) column: &'static str,
    /// The accepted values (at least one).
    pub(crate) values: Vec<String>,
}

/// A table to page through.
pub(crate) struct Table {
    /// Its name.
    pub(crate) name: &'static str,
    /// The columns to read, `id` first.
    pub(crate) columns: &'static str,
}

/// Reads one page of `table`: the rows (mapped by `map`) and the pagination flags.
pub(crate) fn page<T>(
    conn: &Connection,
    table: &Table,
    filters: &[Filter],
    request: &PageRequest,
    mut map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<(Vec<T>, Pagination), ApiError> {
    // The direction rows are read in (by id), the bound, and whether to reverse the result.
    let (ascending, bound, reverse) = match (request.order, &request.cursor) {
        (Order::Asc, None) => (true, None, false),
        (Order::Desc, None) => (false, None, false),
        (Order::Asc, Some(Cursor::After(id))) => (true, Some(id), false),
        (Order::Desc, Some(Cursor::After(id))) => (false, Some(id), false),
        (Order::Asc, Some(Cursor::Before(id))) => (false, Some(id), true),
        (Order::Desc, Some(Cursor::Before(id))) => (true, Some(id), true),
    };

    let mut filters: Vec<Filter> = filters
        .iter()
        .map(|f| {
            let mut values = f.values.clone();
            values.sort();
            values.dedup();
            Filter {
                column: f.column,
                values,
            }
        })
        .collect();
    filters.sort_by_key(|f| f.values.len());
    let (driver, residual) = match filters.split_first() {
        Some((driver, rest)) => (Some(driver), rest),
        None => (None, &[][..]),
    };
    let driver_values: Vec<Option<&String>> = match driver {
        Some(d) => d.values.iter().map(Some).collect(),
        None => vec![None],
    };

    let fetch = request.limit + 1;
    let mut rows: Vec<(String, T)> = Vec::new();
    for value in &driver_values {
        let (sql, params) = select(
            table,
            driver.map(|d| d.column).zip(*value),
            residual,
            bound.map(|b| (if ascending { ">" } else { "<" }, b)),
            Some(if ascending { "ASC" } else { "DESC" }),
            fetch,
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut found = stmt.query(rusqlite::params_from_iter(params))?;
        while let Some(row) = found.next()? {
            rows.push((row.get(0)?, map(row)?));
        }
        drop(found);
        count_steps(&mut stmt);
    }
    rows.sort_by(|a, b| {
        if ascending {
            a.0.cmp(&b.0)
        } else {
            b.0.cmp(&a.0)
        }
    });
    let more_in_direction = rows.len() > request.limit;
    rows.truncate(request.limit);

    // Items on the other side of the cursor (the cursor itself included, if it matches).
    let mut more_behind = false;
    if let Some(bound) = bound {
        for value in &driver_values {
            let (sql, params) = select(
                table,
                driver.map(|d| d.column).zip(*value),
                residual,
                Some((if ascending { "<=" } else { ">=" }, bound)),
                None,
                1,
            );
            let mut stmt = conn.prepare_cached(&sql)?;
            let exists = stmt.exists(rusqlite::params_from_iter(params))?;
            count_steps(&mut stmt);
            if exists {
                more_behind = true;
                break;
            }
        }
    }

    let mut items: Vec<T> = rows.into_iter().map(|(_, item)| item).collect();
    let pagination = if reverse {
        items.reverse();
        Pagination {
            has_more_before: more_in_direction,
            has_more_after: more_behind,
        }
    } else {
        Pagination {
            has_more_before: more_behind,
            has_more_after: more_in_direction,
        }
    };
    Ok((items, pagination))
}

/// `SELECT columns FROM table WHERE driver = ? AND +residual IN (...) AND id <op> ?
/// [ORDER BY id dir] LIMIT n`.
fn select(
    table: &Table,
    driver: Option<(&'static str, &String)>,
    residual: &[Filter],
    bound: Option<(&str, &String)>,
    order: Option<&str>,
    limit: usize,
) -> (String, Vec<Value>) {
    let mut conditions = Vec::new();
    let mut params = Vec::new();
    if let Some((column, value)) = driver {
        conditions.push(format!("{column} = ?"));
        params.push(Value::Text(value.clone()));
    }
    for filter in residual {
        let marks = vec!["?"; filter.values.len()].join(", ");
        conditions.push(format!("+{} IN ({marks})", filter.column));
        params.extend(filter.values.iter().cloned().map(Value::Text));
    }
    if let Some((op, id)) = bound {
        conditions.push(format!("id {op} ?"));
        params.push(Value::Text(id.clone()));
    }
    let mut sql = format!("SELECT {} FROM {}", table.columns, table.name);
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
    use crate::fixtures::Fixtures;
    use crate::store::{Store, StoreSettings};

    const STATUSES: [&str; 4] = ["pending", "completed", "failed", "expired"];

    /// Inserts `n` sessions with IDs from `start` on, statuses and providers cycling.
    fn insert(conn: &mut Connection, start: usize, n: usize) {
        let tx = conn.transaction().unwrap();
        for i in start..start + n {
            tx.execute(
                "INSERT INTO setup_sessions (id, provider_id, deployment_id, auth_method_id,
                     status, type, ui_mode, created_at, updated_at, expires_at)
                 VALUES (?, ?, NULL, 'pam_1', ?, 'oauth', 'redirect', 0, 0, 9999999999999)",
                rusqlite::params![
                    format!("pas_{i:010}"),
                    format!("pro_{}", i % 3),
                    STATUSES[i % 4]
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

    fn shapes() -> Vec<(Vec<Filter>, PageRequest)> {
        let request = |order, cursor| PageRequest {
            limit: 20,
            order,
            cursor,
        };
        let status = |values: &[&str]| Filter {
            column: "status",
            values: values.iter().map(|s| s.to_string()).collect(),
        };
        let provider = Filter {
            column: "provider_id",
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
                vec![status(&["pending", "failed"]), provider],
                request(Order::Asc, middle),
            ),
        ]
    }

    #[test]
    fn a_page_costs_the_same_at_100_and_at_20000_rows() {
        let settings = StoreSettings {
            public_url: "http://localhost".into(),
            session_lifetime_ms: 1,
            oauth_setup_lifetime_ms: 1,
        };
        let store = Store::open(None, &Fixtures::default(), settings).unwrap();
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
        let settings = StoreSettings {
            public_url: "http://localhost".into(),
            session_lifetime_ms: 1,
            oauth_setup_lifetime_ms: 1,
        };
        let store = Store::open(None, &Fixtures::default(), settings).unwrap();
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
            column: "status",
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
}
