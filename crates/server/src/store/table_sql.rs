//! The SQL text both stores build alike from core's schema: the statements of each synced table,
//! the column lists their row decoders read by position, and a `live_rows` query. The two
//! databases differ only in what a `Dialect` says (parameter style, text order, how a group is
//! counted); running the statements and reading rows stays with each backend, since rusqlite
//! and tokio-postgres speak differently.

use std::collections::HashMap;

use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::{FieldSpec, TABLES, TableSpec};
use serde_json::Value;

use super::{AuditQuery, RowQuery};
use crate::error::StoreError;
use crate::sql_values::field_column_list;

/// A synced row's own columns, in the order the decoders read them; the fields follow.
pub const BASE_COLUMNS: &str = "id, region, version, created_at, updated_at, deleted_at, field_versions";
pub const BASE_COUNT: usize = 7;
pub const DEVICE_COLUMNS: &str = "id, name, region, created_at, revoked_at, last_mutation_id, \
     last_push_at, last_pull_at, cursor, app_version, refused";
pub const LOGIN_COLUMNS: &str =
    "username, region, created_at, disabled_at, password_hash, failed_logins, locked_until";
pub const SESSION_COLUMNS: &str = "token_hash, username, csrf_token, created_at, last_seen_at";
pub const AUDIT_COLUMNS: &str = "id, at, actor, region, action, subject, detail, record_table";

/// The one trail the audit page reads: the server's own entries and those the desktops wrote
/// and synced (`schema::AUDIT_ENTRIES`), in the same columns. A desktop entry's actor is the
/// person and the PC, its subject the record, its detail the changed fields as stored.
const AUDIT_TRAIL: &str =
    "(SELECT id, at, actor, region, action, subject, detail, CAST(NULL AS TEXT) AS record_table
        FROM audit_log
    UNION ALL
    SELECT 0, at, username || ' · ' || device, region, action, COALESCE(record, ''), COALESCE(changes, ''),
        table_name
        FROM audit_entries WHERE deleted_at IS NULL) AS trail";
pub const CONFLICT_COLUMNS: &str =
    "id, table_name, row_id, region, field, server_value, device_value, created_at, resolved_at";

/// What one database spells its own way.
pub struct Dialect {
    /// The parameter numbered `n` (from 1).
    pub param: fn(usize) -> String,
    /// Put after a text column in `ORDER BY`, so text sorts by its bytes on either database.
    pub byte_order: &'static str,
    /// The counts of live and of deleted rows in a group, in that order.
    pub live_and_deleted: &'static str,
    /// Compares a column with a parameter that may be NULL (NULL differs from every id).
    pub is_distinct_from: &'static str,
    /// Whether a synced row keeps the device its version came from, in an `origin` column the
    /// upsert sets from the parameter after the fields: the SQLite store pulls changes from the
    /// rows themselves, where PostgreSQL keeps a change log.
    pub origin_on_row: bool,
}

/// Statements of one synced table, built once from the static schema.
pub struct TableSql {
    /// Every column of every row, for a backend to add its own condition to.
    pub select: String,
    pub select_one: String,
    pub upsert: String,
    pub scan_all: String,
    pub scan_region: String,
    pub counts: String,
}

impl TableSql {
    fn new(table: &TableSpec, d: &Dialect) -> Self {
        let name = table.name;
        let fields = field_column_list(table);
        let select = format!("SELECT {BASE_COLUMNS}, {fields} FROM \"{name}\"");
        let p1 = (d.param)(1);
        let order = d.byte_order;
        let origin = if d.origin_on_row { ", origin" } else { "" };
        let written = BASE_COUNT + table.fields.len() + usize::from(d.origin_on_row);
        let placeholders = (1..=written).map(d.param).collect::<Vec<_>>();
        let updates = ["region", "version", "created_at", "updated_at", "deleted_at", "field_versions"]
            .into_iter()
            .map(str::to_string)
            .chain(table.fields.iter().map(|f| format!("\"{}\"", f.name)))
            .chain(d.origin_on_row.then(|| "origin".to_string()))
            .map(|c| format!("{c} = excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        Self {
            select_one: format!("{select} WHERE id = {p1}"),
            upsert: format!(
                "INSERT INTO \"{name}\" ({BASE_COLUMNS}, {fields}{origin}) VALUES ({}) ON CONFLICT (id) DO UPDATE SET {updates}",
                placeholders.join(", ")
            ),
            scan_all: format!("{select} ORDER BY id{order}"),
            // A regional scan takes the company-wide rows every region holds too.
            scan_region: match table.company_wide() {
                true => {
                    format!("{select} WHERE region = {p1} OR region = '{ALL_REGIONS}' ORDER BY id{order}")
                }
                false => format!("{select} WHERE region = {p1} ORDER BY id{order}"),
            },
            counts: format!(
                "SELECT region, {} FROM \"{name}\" GROUP BY region ORDER BY region{order}",
                d.live_and_deleted
            ),
            select,
        }
    }
}

/// The statements of every synced table.
pub struct Tables(HashMap<&'static str, TableSql>);

impl Tables {
    pub fn new(d: &Dialect) -> Self {
        Self(TABLES.iter().map(|t| (t.name, TableSql::new(t, d))).collect())
    }

    pub fn get(&self, table: &TableSpec) -> Result<&TableSql, StoreError> {
        self.0
            .get(table.name)
            .ok_or_else(|| StoreError::msg(format!("table {} is not in the store", table.name)))
    }
}

/// A field of `table` as a quoted column, with its kind; an error for a name not in the schema.
pub fn column(table: &'static TableSpec, name: &str) -> Result<(String, &'static FieldSpec), StoreError> {
    let field = table
        .field(name)
        .ok_or_else(|| StoreError::msg(format!("table {} has no field {name}", table.name)))?;
    Ok((format!("\"{}\"", field.name), field))
}

/// Where a `LiveRow`'s fields start among the columns of its statement, after id and region.
pub const LIVE_BASE: usize = 2;

/// The columns a `LiveRow` is read from: id, region, then the fields named in `read`, which are
/// returned in that order with their kinds.
fn live_columns(
    table: &'static TableSpec,
    read: &[&'static str],
) -> Result<(String, Vec<&'static FieldSpec>), StoreError> {
    let mut columns = String::from("id, region");
    let mut fields = Vec::with_capacity(read.len());
    for name in read {
        let (column, field) = column(table, name)?;
        columns.push_str(", ");
        columns.push_str(&column);
        fields.push(field);
    }
    Ok((columns, fields))
}

/// The statement of a `Tx::live_row` question (parameter 1 is the id), and the fields it reads.
pub fn live_row(
    table: &'static TableSpec,
    read: &[&'static str],
    d: &Dialect,
) -> Result<(String, Vec<&'static FieldSpec>), StoreError> {
    let (columns, fields) = live_columns(table, read)?;
    let sql = format!(
        "SELECT {columns} FROM \"{}\" WHERE id = {} AND deleted_at IS NULL",
        table.name,
        (d.param)(1)
    );
    Ok((sql, fields))
}

/// The statement of a `live_rows` query, and the values its parameters take, each with the field
/// whose column type it is bound as. Parameter 1 is `value`, 2 the row left out (the backend
/// binds it, NULL for none), 3 and 4 the `between` bounds when there are any. `read` are the
/// fields its columns hold after id and region.
pub struct LiveRows<'a> {
    pub sql: String,
    pub value: (&'static FieldSpec, &'a Value),
    pub between: Option<(&'static FieldSpec, &'a Value, &'a Value)>,
    pub read: Vec<&'static FieldSpec>,
}

impl<'a> LiveRows<'a> {
    pub fn new(q: &RowQuery<'a>, d: &Dialect) -> Result<Self, StoreError> {
        let p = d.param;
        let (column, field) = column(q.table, q.field)?;
        let (columns, read) = live_columns(q.table, q.read)?;
        let mut sql = format!(
            "SELECT {columns} FROM \"{}\" WHERE deleted_at IS NULL AND {column} = {} AND id {} {}",
            q.table.name,
            p(1),
            d.is_distinct_from,
            p(2)
        );
        let between = match q.between {
            Some((name, low, high)) => {
                let (column, field) = self::column(q.table, name)?;
                sql.push_str(&format!(" AND {column} BETWEEN {} AND {}", p(3), p(4)));
                Some((field, low, high))
            }
            None => None,
        };
        if let Some(limit) = q.limit {
            sql.push_str(&format!(" LIMIT {}", i64::try_from(limit).unwrap_or(i64::MAX)));
        }
        Ok(Self { sql, value: (field, q.value), between, read })
    }
}

/// The audit query `q` asks for, and its text parameters in order.
pub fn audit_query(q: &AuditQuery<'_>, d: &Dialect) -> (String, Vec<String>) {
    // A LIKE pattern of the typed text, its own wildcards made literal.
    let contains =
        |text: &str| format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
    let filters = [
        ("region = {}", q.scope.map(str::to_string)),
        ("action = {}", q.action.map(str::to_string)),
        // Case folded on both sides, so both databases match alike.
        ("LOWER(actor) LIKE LOWER({}) ESCAPE '\\'", q.actor.map(contains)),
        ("at >= {}", q.from.map(str::to_string)),
        ("at < {}", q.until.map(str::to_string)),
    ];
    let mut sql = format!("SELECT {AUDIT_COLUMNS} FROM {AUDIT_TRAIL} WHERE 1 = 1");
    let mut params = Vec::new();
    for (condition, value) in filters {
        if let Some(value) = value {
            params.push(value);
            sql.push_str(" AND ");
            sql.push_str(&condition.replace("{}", &(d.param)(params.len())));
        }
    }
    sql.push_str(&format!(" ORDER BY at DESC, id DESC LIMIT {}", i64::try_from(q.limit).unwrap_or(i64::MAX)));
    (sql, params)
}
