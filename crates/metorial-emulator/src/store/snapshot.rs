//! The whole state as JSON and back, for the control API: [`export`] writes every row of every
//! table (and the clock's offset) into a [`Snapshot`], [`import`] replaces the state with one,
//! [`reset`] goes back to the fixtures alone.
//!
//! Nothing here knows the tables: their names come from `sqlite_master`, their columns from
//! `PRAGMA table_info`, and rows are objects keyed by column name. An imported snapshot is
//! checked against that schema before anything is written (unknown tables and columns, values
//! of the wrong type, missing required columns, JSON columns the store could not read back), and
//! written in one transaction, so a refused snapshot changes nothing. Table and column names
//! reach SQL only once found in the schema's own list, and quoted; values are always bound.

use std::collections::BTreeMap;
use std::fmt;

use metorial_models::PathSegment;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::{Connection, ErrorCode, Transaction};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::catalog::{self, Record};
use super::{Db, StoreError, schema, tenant_row};
use crate::fixtures::{
    AuthConfig, AuthMethod, ConfigVault, Credentials, Deployment, Provider, ProviderConfig,
};

/// The `format` of every snapshot.
pub(crate) const FORMAT: &str = "metorial-emulator-snapshot";

/// One row of a table, keyed by column name.
pub(crate) type Row = Map<String, Value>;

/// The emulator's whole state: every row of every table, and the clock's offset.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Always `metorial-emulator-snapshot`.
    pub format: String,
    /// The schema version the rows follow (`schema::VERSION`).
    pub schema_version: i64,
    /// How far the emulator's clock was from the wall clock, in milliseconds.
    pub clock_offset_ms: i64,
    /// Every table's rows, in primary-key order.
    pub tables: BTreeMap<String, Vec<Row>>,
}

/// Row counts only: the rows hold tokens and client secrets.
impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows: BTreeMap<&str, usize> = self
            .tables
            .iter()
            .map(|(table, rows)| (table.as_str(), rows.len()))
            .collect();
        f.debug_struct("Snapshot")
            .field("format", &self.format)
            .field("schema_version", &self.schema_version)
            .field("clock_offset_ms", &self.clock_offset_ms)
            .field("rows", &rows)
            .finish()
    }
}

/// The values a column takes: SQLite's type affinity of its declared type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Affinity {
    /// `INTEGER`: JSON integers.
    Integer,
    /// `REAL`: JSON numbers.
    Real,
    /// `TEXT`: JSON strings.
    Text,
    /// Anything else: JSON numbers and strings.
    Any,
}

impl Affinity {
    /// The affinity of a declared type, by SQLite's rules (NUMERIC and BLOB taken as any).
    fn of(declared: &str) -> Self {
        let declared = declared.to_ascii_uppercase();
        let has = |words: &[&str]| words.iter().any(|w| declared.contains(w));
        if has(&["INT"]) {
            Self::Integer
        } else if has(&["CHAR", "CLOB", "TEXT"]) {
            Self::Text
        } else if has(&["REAL", "FLOA", "DOUB"]) {
            Self::Real
        } else {
            Self::Any
        }
    }

    /// The SQL value of a JSON value, if a column of this affinity takes it.
    fn sql(self, value: &Value) -> Option<SqlValue> {
        match (self, value) {
            (_, Value::Null) => Some(SqlValue::Null),
            (Self::Integer, Value::Number(n)) => n.as_i64().map(SqlValue::Integer),
            (Self::Real, Value::Number(n)) => n.as_f64().map(SqlValue::Real),
            (Self::Any, Value::Number(n)) => n
                .as_i64()
                .map(SqlValue::Integer)
                .or_else(|| n.as_f64().map(SqlValue::Real)),
            (Self::Text | Self::Any, Value::String(s)) => Some(SqlValue::Text(s.clone())),
            _ => None,
        }
    }

    /// What a column of this affinity takes, for messages.
    fn expected(self) -> &'static str {
        match self {
            Self::Integer => "an integer (64 bits) or null",
            Self::Real => "a number or null",
            Self::Text => "a string or null",
            Self::Any => "a number, a string or null",
        }
    }
}

/// A column of the schema, as `PRAGMA table_info` describes it.
#[derive(Debug)]
struct Column {
    /// Its name.
    name: String,
    /// What values it takes.
    affinity: Affinity,
    /// Whether a row must give it (NOT NULL, or a primary key that is not a rowid alias).
    required: bool,
    /// Its position in the primary key (1-based), 0 if not part of it.
    pk: i64,
}

/// The schema's tables and their columns (in declaration order), by table name.
type Schema = BTreeMap<String, Vec<Column>>;

/// Every table of the schema with its columns (SQLite's own tables left out).
fn read_schema(conn: &Connection) -> Result<Schema, StoreError> {
    let mut schema = Schema::new();
    for table in table_names(conn)? {
        let columns = columns(conn, &table)?;
        schema.insert(table, columns);
    }
    Ok(schema)
}

/// The names of the schema's tables, without SQLite's own (`sqlite_sequence`, ...) and the
/// tenant's row (`store::tenant_row`: not the API's state).
fn table_names(conn: &Connection) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare(
        r"SELECT name FROM sqlite_master
          WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> ?
          ORDER BY name",
    )?;
    let names = stmt
        .query_map([schema::TENANT_TABLE], |r| r.get("name"))?
        .collect::<Result<_, _>>()?;
    Ok(names)
}

/// The columns of `table`, in declaration order.
fn columns(conn: &Connection, table: &str) -> Result<Vec<Column>, StoreError> {
    let mut stmt =
        conn.prepare(r#"SELECT name, type, "notnull", pk FROM pragma_table_info(?) ORDER BY cid"#)?;
    let columns = stmt
        .query_map([table], |r| {
            let affinity = Affinity::of(&r.get::<_, String>("type")?);
            let not_null: bool = r.get("notnull")?;
            let pk: i64 = r.get("pk")?;
            Ok(Column {
                name: r.get("name")?,
                affinity,
                required: not_null || (pk > 0 && affinity != Affinity::Integer),
                pk,
            })
        })?
        .collect::<Result<_, _>>()?;
    Ok(columns)
}

/// An identifier quoted for SQL (a name read from the schema itself).
fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The state as a snapshot: every table's rows in primary-key order (so equal states export
/// equal snapshots), and the clock's offset.
pub(crate) fn export(db: &mut Db<'_>) -> Result<Snapshot, StoreError> {
    // A read transaction: one consistent view even if another process writes the file.
    let tx = db.conn.transaction()?;
    let mut tables = BTreeMap::new();
    for (table, columns) in read_schema(&tx)? {
        let rows = export_table(&tx, &table, &columns)?;
        tables.insert(table, rows);
    }
    Ok(Snapshot {
        format: FORMAT.to_owned(),
        schema_version: schema::VERSION,
        clock_offset_ms: db.context.clock.offset_ms(),
        tables,
    })
}

/// The rows of one table, in primary-key order, each keyed by the statement's column names.
fn export_table(
    conn: &Connection,
    table: &str,
    columns: &[Column],
) -> Result<Vec<Row>, StoreError> {
    let selected: Vec<String> = columns.iter().map(|c| quote(&c.name)).collect();
    let mut key: Vec<&Column> = columns.iter().filter(|c| c.pk > 0).collect();
    key.sort_by_key(|c| c.pk);
    let order: Vec<String> = if key.is_empty() {
        selected.clone()
    } else {
        key.iter().map(|c| quote(&c.name)).collect()
    };
    let sql = format!(
        "SELECT {} FROM {} ORDER BY {}",
        selected.join(", "),
        quote(table),
        order.join(", ")
    );
    let mut stmt = conn.prepare(&sql)?;
    let names: Vec<String> = stmt.column_names().map(str::to_owned).collect();
    let mut rows = stmt.query([])?;
    let mut exported = Vec::new();
    while let Some(row) = rows.next()? {
        let mut object = Row::new();
        for name in &names {
            let value = json_value(row.get_ref(name.as_str())?, table, name)?;
            object.insert(name.clone(), value);
        }
        exported.push(object);
    }
    Ok(exported)
}

/// A stored value as JSON; a BLOB (the schema has none), a non-finite REAL or text that is not
/// UTF-8 is an internal error.
fn json_value(value: ValueRef<'_>, table: &str, column: &str) -> Result<Value, StoreError> {
    let unexportable =
        |what: &str| StoreError::Internal(format!("{table}.{column} holds {what}: not exportable"));
    match value {
        ValueRef::Null => Ok(Value::Null),
        ValueRef::Integer(i) => Ok(Value::from(i)),
        ValueRef::Real(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| unexportable("a non-finite number")),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes)
            .map(|text| Value::String(text.to_owned()))
            .map_err(|_| unexportable("text that is not UTF-8")),
        ValueRef::Blob(_) => Err(unexportable("a BLOB")),
    }
}

/// The path of a table of a snapshot.
fn at_table(table: &str) -> Vec<PathSegment> {
    vec!["tables".into(), table.into()]
}

/// The path of a row of a snapshot.
fn at_row(table: &str, index: usize) -> Vec<PathSegment> {
    let mut path = at_table(table);
    path.push(u64::try_from(index).unwrap_or(u64::MAX).into());
    path
}

/// The path of a value of a snapshot.
fn at_cell(table: &str, index: usize, column: &str) -> Vec<PathSegment> {
    let mut path = at_row(table, index);
    path.push(column.into());
    path
}

/// A row ready to insert: each column (named as the schema names it) with its value.
type PlannedRow<'s> = Vec<(&'s str, SqlValue)>;

/// Replaces the whole state with a snapshot's, in one transaction: 400 `invalid_value` at the
/// offending place (`format`, `schema_version`, `tables.<table>.<row>.<column>`) for a snapshot
/// of another format or schema version, an unknown table or column, a value of the wrong type, a
/// missing required column, a JSON column the store could not read, or a row SQLite refuses
/// (a duplicate key). Tables the snapshot leaves out end up empty. The clock takes the
/// snapshot's offset once the rows are in.
pub(crate) fn import(db: &mut Db<'_>, snapshot: &Snapshot) -> Result<(), StoreError> {
    check_header(snapshot)?;
    let tx = db.conn.transaction()?;
    let schema = read_schema(&tx)?;
    let planned = plan(snapshot, &schema)?;
    let tables: Vec<&str> = schema.keys().map(String::as_str).collect();
    clear(&tx, &tables)?;
    for (table, rows) in &planned {
        insert(&tx, table, rows)?;
    }
    tenant_row::save_clock(&tx, snapshot.clock_offset_ms)?;
    tx.commit()?;
    // Checked in `check_header`: the offset is in range.
    let _ = db.context.clock.set_offset(snapshot.clock_offset_ms);
    Ok(())
}

/// Refuses a snapshot of another format or schema version.
fn check_header(snapshot: &Snapshot) -> Result<(), StoreError> {
    if snapshot.format != FORMAT {
        return Err(StoreError::invalid(
            vec!["format".into()],
            format!("expected {FORMAT:?}, received {:?}", snapshot.format),
        ));
    }
    if snapshot.schema_version != schema::VERSION {
        return Err(StoreError::invalid(
            vec!["schema_version".into()],
            format!(
                "this emulator reads schema version {}, the snapshot has {}",
                schema::VERSION,
                snapshot.schema_version
            ),
        ));
    }
    if let Err(out_of_range) = crate::time::check_offset(snapshot.clock_offset_ms) {
        return Err(StoreError::invalid(
            vec!["clock_offset_ms".into()],
            out_of_range.to_string(),
        ));
    }
    Ok(())
}

/// Every row of the snapshot, checked against the schema and converted, by table.
fn plan<'s>(
    snapshot: &Snapshot,
    schema: &'s Schema,
) -> Result<Vec<(&'s str, Vec<PlannedRow<'s>>)>, StoreError> {
    let mut planned = Vec::with_capacity(snapshot.tables.len());
    for (table, rows) in &snapshot.tables {
        let Some((name, columns)) = schema.get_key_value(table.as_str()) else {
            return Err(StoreError::invalid(
                at_table(table),
                format!("there is no table {table:?}"),
            ));
        };
        let rows = rows
            .iter()
            .enumerate()
            .map(|(index, row)| plan_row(name, index, row, columns))
            .collect::<Result<_, _>>()?;
        planned.push((name.as_str(), rows));
    }
    Ok(planned)
}

/// One row, checked against its table's columns: no unknown column, every value of the
/// column's type, every required column given, every JSON column readable.
fn plan_row<'s>(
    table: &str,
    index: usize,
    row: &Row,
    columns: &'s [Column],
) -> Result<PlannedRow<'s>, StoreError> {
    if let Some(unknown) = row.keys().find(|k| !columns.iter().any(|c| c.name == **k)) {
        return Err(StoreError::invalid(
            at_cell(table, index, unknown),
            format!("table {table} has no column {unknown:?}"),
        ));
    }
    let mut planned = Vec::with_capacity(row.len());
    for column in columns {
        let Some(value) = row.get(&column.name).filter(|v| !v.is_null()) else {
            if column.required {
                return Err(StoreError::invalid(
                    at_cell(table, index, &column.name),
                    format!("{table}.{} is required", column.name),
                ));
            }
            continue;
        };
        let invalid =
            |message: String| StoreError::invalid(at_cell(table, index, &column.name), message);
        let mut sql = column.affinity.sql(value).ok_or_else(|| {
            invalid(format!(
                "{table}.{} takes {}, not {}",
                column.name,
                column.affinity.expected(),
                kind(value)
            ))
        })?;
        if let (Some(check), Value::String(text)) = (json_check(table, &column.name), value)
            && let Some(canonical) = check(text).map_err(invalid)?
        {
            sql = SqlValue::Text(canonical);
        }
        planned.push((column.name.as_str(), sql));
    }
    Ok(planned)
}

/// The kind of a JSON value, for messages.
fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Checks the text of a JSON column: a message saying what is wrong, or the text to store
/// in its place (as serde_json writes it: list pages splice a JSON column's text unread).
type JsonCheck = fn(&str) -> Result<Option<String>, String>;

/// The columns holding JSON, and what each must hold: a snapshot may not plant a value the store
/// then fails to read (a 500 on every later request touching it).
const JSON_COLUMNS: &[(&str, &str, JsonCheck)] = &[
    (Provider::TABLE, "data", record::<Provider>),
    (Deployment::TABLE, "data", record::<Deployment>),
    (AuthMethod::TABLE, "data", record::<AuthMethod>),
    (Credentials::TABLE, "data", record::<Credentials>),
    (ConfigVault::TABLE, "data", record::<ConfigVault>),
    (ProviderConfig::TABLE, "data", record::<ProviderConfig>),
    (AuthConfig::TABLE, "data", record::<AuthConfig>),
    ("setup_sessions", "configuration", object),
    ("setup_sessions", "metadata", object),
    ("oauth_setups", "config", object),
    ("oauth_setups", "metadata", object),
    ("auth_exports", "metadata", object),
];

/// The check of a column, if it holds JSON.
fn json_check(table: &str, column: &str) -> Option<JsonCheck> {
    JSON_COLUMNS
        .iter()
        .find(|(t, c, _)| *t == table && *c == column)
        .map(|(_, _, check)| *check)
}

/// Whether `text` is a catalog record of type `T`, as the fixtures give it.
fn record<T: DeserializeOwned>(text: &str) -> Result<Option<String>, String> {
    serde_json::from_str::<T>(text)
        .map(|_| None)
        .map_err(|e| format!("not a valid record: {e}"))
}

/// Whether `text` is a JSON object: the object as serde_json writes it.
fn object(text: &str) -> Result<Option<String>, String> {
    serde_json::from_str::<Map<String, Value>>(text)
        .map(|object| Some(Value::Object(object).to_string()))
        .map_err(|e| format!("not a JSON object: {e}"))
}

/// Deletes every row of these tables (names read from the schema) and the AUTOINCREMENT
/// counters.
fn clear(tx: &Transaction<'_>, tables: &[&str]) -> Result<(), StoreError> {
    for table in tables {
        tx.execute(&format!("DELETE FROM {}", quote(table)), [])?;
    }
    let has_sequence: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence')",
        [],
        |r| r.get(0),
    )?;
    if has_sequence {
        tx.execute("DELETE FROM sqlite_sequence", [])?;
    }
    Ok(())
}

/// Inserts a table's planned rows; a row SQLite refuses (a duplicate key) is 400
/// `invalid_value` naming it.
fn insert(tx: &Transaction<'_>, table: &str, rows: &[PlannedRow<'_>]) -> Result<(), StoreError> {
    for (index, row) in rows.iter().enumerate() {
        let names: Vec<String> = row.iter().map(|(name, _)| quote(name)).collect();
        let sql = if row.is_empty() {
            format!("INSERT INTO {} DEFAULT VALUES", quote(table))
        } else {
            format!(
                "INSERT INTO {} ({}) VALUES ({})",
                quote(table),
                names.join(", "),
                vec!["?"; row.len()].join(", ")
            )
        };
        tx.prepare_cached(&sql)?
            .execute(rusqlite::params_from_iter(
                row.iter().map(|(_, value)| value),
            ))
            .map_err(|error| refused(error, table, index))?;
    }
    Ok(())
}

/// A constraint or type failure of a row as 400 `invalid_value` at the row; other errors as
/// they are.
fn refused(error: rusqlite::Error, table: &str, index: usize) -> StoreError {
    match &error {
        rusqlite::Error::SqliteFailure(failure, message)
            if matches!(
                failure.code,
                ErrorCode::ConstraintViolation | ErrorCode::TypeMismatch
            ) =>
        {
            StoreError::invalid(
                at_row(table, index),
                format!(
                    "row {index} of {table} was refused: {}",
                    message.as_deref().unwrap_or("a constraint failed")
                ),
            )
        }
        _ => error.into(),
    }
}

/// Goes back to the start, in one transaction: every row of every table deleted, the fixtures
/// loaded again, the clock back on the wall clock (offset 0).
pub(crate) fn reset(db: &mut Db<'_>) -> Result<(), StoreError> {
    let fixtures = &db.context.config.fixtures;
    let tx = db.conn.transaction()?;
    let tables = table_names(&tx)?;
    let tables: Vec<&str> = tables.iter().map(String::as_str).collect();
    clear(&tx, &tables)?;
    catalog::load_fixtures(&tx, fixtures)?;
    tenant_row::save_clock(&tx, 0)?;
    tx.commit()?;
    // The wall clock is in range.
    let _ = db.context.clock.set_offset(0);
    Ok(())
}

/// What the store's tests share: a store with the built-in fixtures, and its [`Db`].
#[cfg(test)]
pub(super) mod testing {
    use std::sync::Arc;
    use std::time::Duration;

    use crate::config::Config;
    use crate::store::{Context, Db, Owner, Store};

    /// The built-in provider.
    pub(crate) const PROVIDER: &str = "pro_5gHjKlMnPqRsTuVw";
    /// The built-in deployment.
    pub(crate) const DEPLOYMENT: &str = "pde_1aBcDeFgHjKlMnPq";
    /// The built-in credentials' OAuth client.
    pub(crate) const CLIENT_ID: &str = "client_abc123";

    /// An in-memory store with the built-in fixtures; flows stay open for an hour.
    pub(crate) fn store() -> Store {
        let config = Config {
            session_lifetime: Duration::from_secs(3600),
            oauth_setup_lifetime: Duration::from_secs(3600),
            ..Config::default()
        };
        let context = Context {
            config: Arc::new(config),
            public_url: "http://localhost".into(),
            clock: Default::default(),
        };
        Store::open(None, context, Owner::Key("test"))
            .expect("an in-memory store opens")
            .0
    }

    /// Runs `f` on the store's connection, as [`Store::call`] does, on this thread.
    pub(crate) fn with_db<T>(store: &Store, f: impl FnOnce(&mut Db<'_>) -> T) -> T {
        let mut conn = store.inner.conn.lock().unwrap_or_else(|e| e.into_inner());
        let mut db = Db {
            conn: &mut conn,
            ids: &store.inner.ids,
            context: &store.inner.context,
        };
        f(&mut db)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{CLIENT_ID, DEPLOYMENT, store, with_db};
    use super::*;
    use crate::store::{
        Store, auth_exports, fake_provider, flows, oauth_setups, seed, setup_sessions,
    };

    /// The export of a store.
    fn exported(store: &Store) -> Snapshot {
        with_db(store, export).expect("export")
    }

    /// A store with a row in every table: a setup session (with an OAuth `state`), an OAuth
    /// setup bringing its own OAuth app, a seeded auth config and an export of it, a consent
    /// request, a code and a token of the fake provider.
    fn busy_store() -> Store {
        let store = store();
        with_db(&store, fill).expect("the store fills");
        store
    }

    /// Adds a row to every table.
    fn fill(db: &mut Db<'_>) -> Result<(), StoreError> {
        use serde_json::json;
        let body = serde_json::from_value(json!({
            "provider_deployment_id": DEPLOYMENT,
            "metadata": {"team": "a"},
        }))?;
        let session = setup_sessions::create(db, body)?;
        flows::insert_state(db, "state-1", &session.id, "verifier-1")?;
        let body = serde_json::from_value(json!({
            "name": "x",
            "config": {"client_id": "own-app", "client_secret": "own-secret"},
        }))?;
        oauth_setups::create(db, DEPLOYMENT, body)?;
        let seed = serde_json::from_value(json!({
            "provider_deployment_id": DEPLOYMENT,
            "access_token": "seeded-at",
            "refresh_token": "seeded-rt",
        }))?;
        let auth_config = seed::auth_config(db, seed)?;
        let body = serde_json::from_value(json!({
            "note": "n",
            "provider_auth_config_id": auth_config.id,
        }))?;
        let requester = auth_exports::Requester {
            ip: None,
            user_agent: "test".into(),
        };
        auth_exports::create(db, body, requester)?;
        let request = fake_provider::AuthorizationRequest {
            client_id: CLIENT_ID.into(),
            redirect_uri: "http://localhost/oauth/callback".into(),
            scope: Some("repo".into()),
            state: Some("state-1".into()),
            code_challenge: "challenge".into(),
        };
        fake_provider::insert_request(db, &request)?;
        fake_provider::issue_code(db, &request)?;
        fake_provider::issue_tokens(db, CLIENT_ID, Some("repo"))?;
        Ok(())
    }

    /// A path of keys and indexes (the parts that are numbers).
    fn path(parts: &[&str]) -> Vec<PathSegment> {
        parts
            .iter()
            .map(|p| match p.parse::<u64>() {
                Ok(index) => PathSegment::Index(index),
                Err(_) => PathSegment::from(*p),
            })
            .collect()
    }

    #[test]
    fn an_export_imports_into_a_fresh_store_unchanged() {
        let source = busy_store();
        let snapshot = exported(&source);
        for (table, rows) in &snapshot.tables {
            assert!(!rows.is_empty(), "{table} is empty");
        }
        let text = serde_json::to_string(&snapshot).expect("serializes");
        let decoded: Snapshot = serde_json::from_str(&text).expect("deserializes");
        assert_eq!(decoded, snapshot);
        let target = store();
        with_db(&target, |db| import(db, &decoded)).expect("import");
        assert_eq!(exported(&target), snapshot);
    }

    #[test]
    fn an_import_restores_the_clock_offset() {
        let source = busy_store();
        source.clock().advance(31 * 60 * 1000).unwrap();
        let snapshot = exported(&source);
        assert_eq!(snapshot.clock_offset_ms, 31 * 60 * 1000);
        let target = store();
        with_db(&target, |db| import(db, &snapshot)).expect("import");
        assert_eq!(target.clock().offset_ms(), 31 * 60 * 1000);
        assert_eq!(exported(&target), snapshot);
    }

    #[test]
    fn a_snapshot_does_not_print_its_rows() {
        let debug = format!("{:?}", exported(&busy_store()));
        assert!(!debug.contains("seeded-at"), "{debug}");
        assert!(debug.contains("auth_configs"), "{debug}");
    }

    /// A way to spoil a snapshot.
    #[derive(Debug)]
    enum Spoil {
        /// Another format.
        Format,
        /// Another schema version.
        Version,
        /// A table the schema does not have.
        Table(&'static str),
        /// A value of the first setup session set.
        Session(&'static str, Value),
        /// A column of the first setup session removed.
        NoSession(&'static str),
        /// A value of the first provider set.
        Provider(&'static str, Value),
        /// The first provider twice.
        TwoProviders,
    }

    /// The first row of a table of `s`.
    fn first_row<'a>(s: &'a mut Snapshot, table: &str) -> &'a mut Row {
        let rows = s.tables.get_mut(table).and_then(|rows| rows.first_mut());
        rows.expect("a row")
    }

    impl Spoil {
        /// Spoils `s` (which has a setup session and a provider).
        fn apply(&self, s: &mut Snapshot) {
            match self {
                Self::Format => s.format = "other".into(),
                Self::Version => s.schema_version += 1,
                Self::Table(table) => {
                    s.tables.insert((*table).into(), Vec::new());
                }
                Self::Session(column, value) => {
                    first_row(s, "setup_sessions").insert((*column).into(), value.clone());
                }
                Self::NoSession(column) => {
                    first_row(s, "setup_sessions").remove(*column);
                }
                Self::Provider(column, value) => {
                    first_row(s, "providers").insert((*column).into(), value.clone());
                }
                Self::TwoProviders => {
                    let row = first_row(s, "providers").clone();
                    s.tables.entry("providers".into()).or_default().push(row);
                }
            }
        }
    }

    /// Every kind of bad snapshot, with where the error must point.
    fn bad_snapshots() -> Vec<(Spoil, Vec<PathSegment>)> {
        use serde_json::json;
        let session = |column| path(&["tables", "setup_sessions", "0", column]);
        vec![
            (Spoil::Format, path(&["format"])),
            (Spoil::Version, path(&["schema_version"])),
            (Spoil::Table("nope"), path(&["tables", "nope"])),
            (Spoil::Session("colour", json!("red")), session("colour")),
            (Spoil::Session("status", json!({})), session("status")),
            (Spoil::Session("status", json!([])), session("status")),
            (Spoil::Session("status", json!(true)), session("status")),
            (
                Spoil::Session("created_at", json!("now")),
                session("created_at"),
            ),
            (
                Spoil::Session("created_at", json!(1.5)),
                session("created_at"),
            ),
            (Spoil::NoSession("status"), session("status")),
            (
                Spoil::Session("metadata", json!("[1]")),
                session("metadata"),
            ),
            (
                Spoil::Provider("data", json!("{}")),
                path(&["tables", "providers", "0", "data"]),
            ),
            (Spoil::TwoProviders, path(&["tables", "providers", "1"])),
        ]
    }

    #[test]
    fn a_bad_snapshot_is_refused_where_it_is_wrong_and_changes_nothing() {
        let good = exported(&busy_store());
        for (spoil, expected) in bad_snapshots() {
            let name = format!("{spoil:?}");
            let target = busy_store();
            target.clock().advance(5_000).unwrap();
            let before = exported(&target);
            let mut bad = good.clone();
            spoil.apply(&mut bad);
            match with_db(&target, |db| import(db, &bad)) {
                Err(StoreError::Invalid { path, code, .. }) => {
                    assert_eq!((path, code), (expected, "invalid_value"), "{name}");
                }
                other => panic!("{name}: {other:?}"),
            }
            assert_eq!(exported(&target), before, "{name} changed the store");
        }
    }

    #[test]
    fn an_imported_json_column_is_listed_as_the_api_writes_it() {
        let mut snapshot = exported(&busy_store());
        let spaced = serde_json::json!("{ \"b\": 1,  \"a\": [ 2, \"\\u00e9\" ] }");
        Spoil::Session("metadata", spaced).apply(&mut snapshot);
        let target = store();
        with_db(&target, |db| import(db, &snapshot)).expect("import");
        let request = crate::store::paging::PageRequest {
            limit: 10,
            order: crate::store::paging::Order::Asc,
            cursor: None,
            dates: Vec::new(),
        };
        let page = with_db(&target, |db| setup_sessions::list(db, &request, &[])).expect("list");
        let listed = serde_json::to_string(&page).expect("encodes");
        assert!(
            listed.contains(r#""metadata":{"a":[2,"é"],"b":1}"#),
            "{listed}"
        );
        let id = page.list.items[0].id.clone();
        let read = with_db(&target, |db| setup_sessions::get(db, &id)).expect("get");
        let typed = serde_json::to_string(&read.metadata).expect("encodes");
        assert_eq!(typed, r#"{"a":[2,"é"],"b":1}"#);
    }

    #[test]
    fn a_reset_leaves_exactly_the_fixtures() {
        let store = busy_store();
        store.clock().advance(60_000).unwrap();
        with_db(&store, reset).expect("reset");
        assert_eq!(store.clock().offset_ms(), 0);
        assert_eq!(exported(&store), exported(&super::testing::store()));
    }
}
