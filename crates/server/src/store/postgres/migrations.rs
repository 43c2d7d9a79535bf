//! The layout of the server's PostgreSQL database, as SQLite's (`sqlite/migrations.rs`) in
//! PostgreSQL's words: bookkeeping tables change through numbered files in `migrations/`, their
//! number kept in `rainstaff_schema`; the synced tables are derived from the core schema at every
//! start. Several instances may start at once on one database, so the whole of it runs in one
//! transaction under an advisory lock: the first brings the layout up to date, the others find it
//! done.

use rainstaff_core::schema::{FieldKind, TABLES, TableSpec};

use super::pool::{Conn, Link};
use crate::error::StoreError;

/// The numbered steps, in order; the database records how many it has had.
const STEPS: &[&str] = &[
    include_str!("migrations/0001_layout.sql"),
    include_str!("migrations/0002_user_disabled_at.sql"),
    include_str!("migrations/0003_change_origin.sql"),
    include_str!("migrations/0004_web_dashboard.sql"),
    include_str!("migrations/0005_change_json_when_whole.sql"),
    include_str!("migrations/0006_answered_runs.sql"),
    include_str!("migrations/0007_renumbered_answers.sql"),
];

/// The first step after which a change's row JSON is kept only when its table lacks the version.
const JSON_ONLY_WHEN_WHOLE: i64 = 5;

/// The schema version this build writes.
pub const LATEST: i64 = STEPS.len() as i64;

/// The advisory lock migrations hold ("RSRV", as SQLite's application id).
const MIGRATION_LOCK: i64 = 0x5253_5256;

pub fn column_type(kind: FieldKind) -> &'static str {
    match kind {
        FieldKind::Int | FieldKind::Bool => "BIGINT",
        FieldKind::Real => "DOUBLE PRECISION",
        FieldKind::Text(_) | FieldKind::Date | FieldKind::Time | FieldKind::Ref(_) => "TEXT",
    }
}

/// Brings the database up to date. A database with tables of its own and no `rainstaff_schema`
/// belongs to another program and is refused untouched; an empty one is set up only when
/// `create` (the `init` command), so a wrong URL never becomes a server with no data.
pub fn migrate(conn: &mut Conn, link: &Link, create: bool) -> Result<(), StoreError> {
    conn.batch(link, &format!("BEGIN; SELECT pg_advisory_xact_lock({MIGRATION_LOCK})"))?;
    let outcome = steps(conn, link, create);
    conn.batch(link, if outcome.is_ok() { "COMMIT" } else { "ROLLBACK" })?;
    outcome
}

fn steps(conn: &mut Conn, link: &Link, create: bool) -> Result<(), StoreError> {
    let ours = conn.query(link, "SELECT to_regclass('rainstaff_schema') IS NOT NULL", vec![])?[0].get(0);
    let version: i64 = if ours {
        conn.query(link, "SELECT version FROM rainstaff_schema", vec![])?[0].get(0)
    } else {
        let tables: i64 = conn.query(
            link,
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()",
            vec![],
        )?[0]
            .get(0);
        if tables > 0 {
            return Err(StoreError::msg(
                "--db names a PostgreSQL database with tables of another program; refusing to use or \
                 change it (give rainstaff-server a database of its own)",
            ));
        }
        if !create {
            return Err(StoreError::msg(
                "--db names an empty PostgreSQL database; create the server's tables with \
                 `rainstaff-server --db URL init`",
            ));
        }
        conn.batch(link, "CREATE TABLE rainstaff_schema (version BIGINT NOT NULL); INSERT INTO rainstaff_schema VALUES (0)")?;
        0
    };
    if version > LATEST {
        return Err(StoreError::msg(format!(
            "this database was written by a newer rainstaff-server (schema version {version}; this \
             build knows up to {LATEST}); upgrade rainstaff-server instead of running an older build on it"
        )));
    }
    for (step, sql) in STEPS.iter().enumerate().skip(usize::try_from(version).unwrap_or(0)) {
        conn.batch(link, sql)?;
        conn.batch(link, &format!("UPDATE rainstaff_schema SET version = {}", step + 1))?;
    }
    for table in TABLES {
        reconcile_table(conn, link, table)?;
        if (1..JSON_ONLY_WHEN_WHOLE).contains(&version) {
            conn.batch(link, &json_kept_in_table(table))?;
        }
    }
    conn.batch(link, RULE_INDEXES)
}

/// Empties the JSON of the change-log entries of `table` whose version the table holds: the
/// upgrade of a database written before entries named the row instead of copying it.
fn json_kept_in_table(table: &TableSpec) -> String {
    let name = table.name;
    format!(
        "UPDATE change_log SET row_json = NULL WHERE row_json IS NOT NULL AND table_name = '{name}' \
         AND EXISTS (SELECT 1 FROM \"{name}\" t WHERE t.id = change_log.row_id \
         AND t.version = change_log.seq AND t.region = change_log.region)"
    )
}

/// The fields the rules look rows up by (`Tx::live_rows`), as in the SQLite store.
const RULE_INDEXES: &str = "
    CREATE INDEX IF NOT EXISTS timesheets_employee_date ON timesheets (employee_id, work_date);
    CREATE INDEX IF NOT EXISTS vehicles_plate ON vehicles (plate);
    CREATE INDEX IF NOT EXISTS employees_identity_no ON employees (identity_no);
    CREATE INDEX IF NOT EXISTS leaves_employee ON leaves (employee_id);
";

fn reconcile_table(conn: &mut Conn, link: &Link, table: &TableSpec) -> Result<(), StoreError> {
    let name = table.name;
    // Domain columns are nullable, as in SQLite: a tombstone of a row never seen has no fields.
    let sql = format!(
        "CREATE TABLE IF NOT EXISTS \"{name}\" (
            id TEXT PRIMARY KEY,
            region TEXT NOT NULL,
            version BIGINT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT,
            field_versions TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS \"{name}_region\" ON \"{name}\" (region);"
    );
    conn.batch(link, &sql)?;
    // Only what is missing: an ALTER TABLE locks the table even when it changes nothing, and
    // running instances would wait on every start of another.
    let existing: Vec<String> = conn
        .query(
            link,
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1",
            vec![Box::new(name.to_string())],
        )?
        .iter()
        .map(|r| r.get(0))
        .collect();
    let mut sql = String::new();
    for field in table.fields.iter().filter(|f| !existing.iter().any(|c| c == f.name)) {
        sql.push_str(&format!(
            "ALTER TABLE \"{name}\" ADD COLUMN \"{}\" {};",
            field.name,
            column_type(field.kind)
        ));
    }
    if sql.is_empty() { Ok(()) } else { conn.batch(link, &sql) }
}
