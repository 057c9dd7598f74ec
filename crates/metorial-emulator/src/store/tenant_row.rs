//! The one row in which a tenant's database keeps what the tenant is, so that a restarted
//! emulator finds its tenants again: the SHA-256 of its API key (never the key) and its
//! clock's offset. Written in the same transaction as the change it records, so a killed
//! process loses neither. Snapshots and resets leave the row alone (it is not the API's state).

use rusqlite::{Connection, OptionalExtension, params};

use super::StoreError;

/// What the row holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TenantRow {
    /// The SHA-256 of the tenant's API key, in lowercase hex.
    pub(crate) key_sha256: String,
    /// How far the tenant's clock is from the wall clock, in milliseconds.
    pub(crate) clock_offset_ms: i64,
}

/// The row, if the database has one (a database written before tenants were kept has none).
pub(crate) fn read(conn: &Connection) -> Result<Option<TenantRow>, StoreError> {
    let row = conn
        .prepare_cached("SELECT key_sha256, clock_offset_ms FROM tenant WHERE singleton = 1")?
        .query_row([], |r| {
            Ok(TenantRow {
                key_sha256: r.get("key_sha256")?,
                clock_offset_ms: r.get("clock_offset_ms")?,
            })
        })
        .optional()?;
    Ok(row)
}

/// Records the tenant's key hash (its clock offset kept, or 0 for a new row).
pub(crate) fn save_key(conn: &Connection, key_sha256: &str) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO tenant (singleton, key_sha256, clock_offset_ms) VALUES (1, ?, 0)
         ON CONFLICT (singleton) DO UPDATE SET key_sha256 = excluded.key_sha256",
    )?
    .execute([key_sha256])?;
    Ok(())
}

/// Records the clock's offset (the row exists once the store is open).
pub(crate) fn save_clock(conn: &Connection, offset_ms: i64) -> Result<(), StoreError> {
    conn.prepare_cached("UPDATE tenant SET clock_offset_ms = ? WHERE singleton = 1")?
        .execute(params![offset_ms])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_row_keeps_the_key_hash_and_the_clock() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(crate::store::schema::SCHEMA).unwrap();
        assert_eq!(read(&conn).unwrap(), None);
        save_key(&conn, "ab").unwrap();
        save_clock(&conn, -5).unwrap();
        save_key(&conn, "cd").unwrap();
        assert_eq!(
            read(&conn).unwrap(),
            Some(TenantRow {
                key_sha256: "cd".to_owned(),
                clock_offset_ms: -5
            })
        );
    }
}
