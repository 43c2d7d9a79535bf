//! The store conformance checks (`conformance/mod.rs`) on `SqliteStore`, each on a fresh
//! database file in a temporary directory, as the server runs it: WAL, a real file, its own
//! read connections.

mod conformance;

use rainstaff_server::SqliteStore;
use tempfile::TempDir;

fn fresh() -> (TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("server.db")).unwrap();
    (dir, store)
}

conformance::every_check!(fresh);

/// A stopped server leaves one file: the write-ahead log is folded into it and removed, so a
/// copy of the file alone, or its size, is all there is.
#[test]
fn a_closed_store_leaves_no_write_ahead_log() {
    use rainstaff_server::store::{Store, Tx};

    let (dir, store) = fresh();
    store.write(|tx| Ok(tx.set_setting("company", Some("Örnek A.Ş."))?)).unwrap();
    assert_eq!(store.read(|tx| Ok(tx.setting("company")?)).unwrap().as_deref(), Some("Örnek A.Ş."));
    let wal = dir.path().join("server.db-wal");
    assert!(wal.exists());
    drop(store);
    assert!(!wal.exists(), "{} was left behind", wal.display());
}

/// Writes `writes` transactions of about 400 kB each, waiting `pause` after each; returns the
/// longest the write-ahead log's file was after any of them and the bytes written.
fn log_under_writes(
    store: &SqliteStore,
    wal: &std::path::Path,
    writes: u64,
    pause: std::time::Duration,
) -> (u64, u64) {
    use rainstaff_server::store::{Store, Tx};

    let value = "ş".repeat(2000);
    let mut longest = 0;
    for i in 0..writes {
        store
            .write(|tx| {
                for j in 0..100 {
                    tx.set_setting(&format!("filler-{i:02}-{j:03}"), Some(&value))?;
                }
                Ok(())
            })
            .unwrap();
        longest = longest.max(std::fs::metadata(wal).unwrap().len());
        std::thread::sleep(pause);
    }
    (longest, writes * 100 * value.len() as u64)
}

/// The write-ahead log is folded into the file by the store's checkpoint thread, which replaces
/// SQLite's checkpoint on the writer's path: with pauses between writes, as a PC's round trips
/// leave them, the log starts over and stays far shorter than what was written (less than the
/// length at which the writer would checkpoint itself).
#[test]
fn the_write_ahead_log_is_folded_in_between_writes() {
    let (dir, store) = fresh();
    let wal = dir.path().join("server.db-wal");
    let (longest, written) = log_under_writes(&store, &wal, 30, std::time::Duration::from_millis(50));
    assert!(longest < written / 2, "the log reached {longest} bytes for {written} written");
    drop(store);
    assert!(!wal.exists());
}

/// Writes with no pause leave the checkpoint thread no gap to let the log start over; the writer
/// then checkpoints itself, so the log stops growing, and once it starts over its file is cut
/// back instead of keeping the longest length it reached.
#[test]
fn a_steady_stream_of_writes_does_not_grow_the_log_without_bound() {
    use rainstaff_server::store::{Store, Tx};

    let (dir, store) = fresh();
    let wal = dir.path().join("server.db-wal");
    let (longest, written) = log_under_writes(&store, &wal, 60, std::time::Duration::ZERO);
    assert!(longest < written * 3 / 4, "the log reached {longest} bytes for {written} written");
    // A pause, as the end of a day's pushes leaves one: the log is folded in and starts over.
    std::thread::sleep(std::time::Duration::from_millis(500));
    store.write(|tx| Ok(tx.set_setting("after", Some("the pause"))?)).unwrap();
    let kept = std::fs::metadata(&wal).unwrap().len();
    assert!(kept <= 4 << 20, "the log file kept {kept} bytes after starting over");
}

/// A database of the build before changes were kept in their tables held every change's row
/// JSON in its change log, earlier versions too. Opened by this build, it keeps in the log only
/// what its tables no longer hold (a row's departure from a region), lets go of the rest, gives
/// the space back, and a pull gets the same latest changes.
#[test]
fn an_earlier_builds_change_log_keeps_only_what_its_tables_do_not_hold() {
    use rainstaff_core::protocol::RowState;
    use rainstaff_core::schema::SHIFT_TEMPLATES;
    use rainstaff_server::store::{ServerRow, Store, Tx};
    use serde_json::json;

    let (dir, store) = fresh();
    let template = |region: &str, name: &str, deleted: bool| RowState {
        table: SHIFT_TEMPLATES.name.into(),
        id: uuid::Uuid::now_v7(),
        region: region.into(),
        version: 0,
        created_at: "2026-02-03T08:00:00.000Z".into(),
        updated_at: "2026-02-03T08:00:00.000Z".into(),
        deleted_at: deleted.then(|| "2026-02-03T08:00:00.000Z".into()),
        fields: json!({"name": name, "start_time": "08:00", "end_time": "16:00", "break_minutes": 30,
            "short_code": null})
        .as_object()
        .unwrap()
        .clone(),
    };
    let moved = template("Izmir", "Gece", false);
    let departure = RowState { id: moved.id, ..template("Ankara", "Gece", true) };
    let mut rows: Vec<(RowState, bool)> = vec![(template("Ankara", "Sabah", false), false)];
    rows.extend([(departure, true), (moved, false)]);
    rows.extend((0..300).map(|i| (template("Bursa", &format!("Vardiya {i}"), false), false)));
    // A seq for an earlier version of the first row, which that build's log kept too.
    let earlier_version = store
        .write(|tx| {
            let earlier_version = tx.next_seq()?;
            for (row, whole) in &rows {
                let row = RowState { version: tx.next_seq()?, ..row.clone() };
                if *whole {
                    tx.log_departure(row.version, &row, None)?;
                } else {
                    let state = ServerRow { state: row.clone(), field_versions: Default::default() };
                    tx.put_version(&SHIFT_TEMPLATES, &state, None, None)?;
                }
            }
            Ok(earlier_version)
        })
        .unwrap();
    let pulled = store.read(|tx| Ok(tx.changes(None, 0, 1000, usize::MAX, None)?)).unwrap();
    assert_eq!(pulled.changes.len(), rows.len());
    drop(store);

    // The earlier layout: every entry with its row's JSON, NOT NULL, and schema version 6.
    let path = dir.path().join("server.db");
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "CREATE TABLE change_log (seq INTEGER PRIMARY KEY, table_name TEXT NOT NULL, row_id TEXT NOT NULL,
             region TEXT NOT NULL, row_json TEXT NOT NULL, origin TEXT) STRICT;
         DROP TABLE departures;
         CREATE INDEX change_log_region ON change_log (region, seq);
         DROP INDEX devices_number;
         ALTER TABLE devices DROP COLUMN number;
         DROP TABLE answered_runs;
         DROP TABLE renumbered_answers;
         PRAGMA user_version = 6;",
    )
    .unwrap();
    let mut superseded = pulled.changes[0].row.clone();
    superseded.version = earlier_version;
    superseded.fields.insert("name".into(), json!("Sabah (eski)"));
    for change in std::iter::once(&rainstaff_core::protocol::Change { seq: earlier_version, row: superseded })
        .chain(&pulled.changes)
    {
        conn.execute(
            "INSERT INTO change_log (seq, table_name, row_id, region, row_json) VALUES (?1, ?2, ?3, ?4, ?5)",
            (
                change.seq,
                &change.row.table,
                change.row.id.to_string(),
                &change.row.region,
                serde_json::to_string(&change.row).unwrap(),
            ),
        )
        .unwrap();
    }
    drop(conn);
    let earlier = std::fs::metadata(&path).unwrap().len();

    let store = rainstaff_server::SqliteStore::open(&path).unwrap();
    let again = store.read(|tx| Ok(tx.changes(None, 0, 1000, usize::MAX, None)?)).unwrap();
    assert_eq!(serde_json::to_value(&again.changes).unwrap(), serde_json::to_value(&pulled.changes).unwrap());
    drop(store);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let kept: Vec<(i64, String, bool)> = conn
        .prepare("SELECT seq, region, row_json IS NOT NULL FROM departures")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(kept, [(pulled.changes[1].seq, "Ankara".into(), true)]);
    let free: i64 = conn.pragma_query_value(None, "freelist_count", |r| r.get(0)).unwrap();
    assert_eq!(free, 0);
    let upgraded = std::fs::metadata(&path).unwrap().len();
    assert!(upgraded < earlier, "{upgraded} bytes after the upgrade, {earlier} before");
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 12);
}

/// A database the release before 16-byte ids wrote (tests/fixtures/server/v9_text_ids.db: three
/// legacy files imported, then one PC's push with a merge and its conflict, a new shift, a
/// deletion and a refusal) opens with every row, field version and change-log entry as it was,
/// its ids, references, timestamps, dates and times now kept as bytes and numbers, and the file
/// smaller.
#[test]
fn a_database_with_text_ids_keeps_every_row_when_its_ids_become_bytes() {
    use std::collections::BTreeMap;

    use rainstaff_core::schema::{FieldKind, TABLES};
    use rainstaff_server::store::{RowQuery, Store, Tx};
    use rusqlite::types::Value;
    use serde_json::json;
    use uuid::Uuid;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/server/v9_text_ids.db"), &path)
        .unwrap();
    let before = std::fs::metadata(&path).unwrap().len();

    // Every row as the earlier layout kept it, read as that build read it: all of it text.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut rows = BTreeMap::new();
    for table in TABLES {
        let columns = table.fields.iter().map(|f| format!(", \"{}\"", f.name)).collect::<String>();
        let mut stmt = conn
            .prepare(&format!(
                "SELECT id, region, version, created_at, updated_at, deleted_at, field_versions{columns}
                 FROM \"{}\"",
                table.name
            ))
            .unwrap();
        let mut found = stmt.query([]).unwrap();
        while let Some(r) = found.next().unwrap() {
            let fields = stored_fields(table, r, 7);
            let id = Uuid::parse_str(&r.get::<_, String>(0).unwrap()).unwrap();
            let state = json!({
                "table": table.name, "id": id, "region": r.get::<_, String>(1).unwrap(),
                "version": r.get::<_, i64>(2).unwrap(), "created_at": r.get::<_, String>(3).unwrap(),
                "updated_at": r.get::<_, String>(4).unwrap(), "deleted_at": r.get::<_, Option<String>>(5).unwrap(),
                "fields": fields,
            });
            rows.insert((table.name, id), (state, r.get::<_, String>(6).unwrap()));
        }
    }
    let log: Vec<(i64, String, Uuid, Option<String>)> = conn
        .prepare("SELECT seq, table_name, row_id, origin FROM change_log ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, Uuid::parse_str(&r.get::<_, String>(2)?).unwrap(), r.get(3)?))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    assert!(rows.len() > 100 && log.len() > 100, "{} rows, {} changes", rows.len(), log.len());
    let device =
        log.iter().find_map(|(.., origin)| origin.as_deref()).map(|d| Uuid::parse_str(d).unwrap()).unwrap();

    let store = SqliteStore::open(&path).unwrap();
    let mut scanned = BTreeMap::new();
    store
        .read(|tx| {
            for table in TABLES {
                tx.scan_rows(table, None, &mut |row| {
                    scanned.insert((table.name, row.id), serde_json::to_value(&row).unwrap());
                    Ok(())
                })?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(scanned, rows.iter().map(|(key, (state, _))| (*key, state.clone())).collect());

    // The log in its order, each entry naming its row, the PC's own left out of its pulls.
    let (all, theirs) = store
        .read(|tx| {
            Ok((
                tx.changes(None, 0, 10_000, usize::MAX, None)?,
                tx.changes(None, 0, 10_000, usize::MAX, Some(device))?,
            ))
        })
        .unwrap();
    let named = |changes: &[rainstaff_core::protocol::Change]| -> Vec<(i64, String, Uuid)> {
        changes.iter().map(|c| (c.seq, c.row.table.clone(), c.row.id)).collect()
    };
    assert_eq!(
        named(&all.changes),
        log.iter().map(|(seq, table, id, _)| (*seq, table.clone(), *id)).collect::<Vec<_>>()
    );
    let not_its_own = log
        .iter()
        .filter(|(.., origin)| origin.is_none())
        .map(|(seq, table, id, _)| (*seq, table.clone(), *id));
    assert_eq!(named(&theirs.changes), not_its_own.collect::<Vec<_>>());
    for change in &all.changes {
        assert_eq!(
            serde_json::to_value(&change.row).unwrap(),
            rows[&(change.row.table.as_str(), change.row.id)].0
        );
    }

    // A rule's look-up by reference finds the person's shifts, the PC's new one among them.
    let person = json!("30e7955b-e73c-5548-95bc-876fa3c30084");
    let shifts = store
        .read(|tx| {
            Ok(tx.live_rows(&RowQuery {
                table: &rainstaff_core::schema::TIMESHEETS,
                field: "employee_id",
                value: &person,
                between: Some(("work_date", &json!("2026-02-02"), &json!("2026-02-02"))),
                except: None,
                limit: None,
                read: &["note"],
            })?)
        })
        .unwrap();
    assert_eq!(shifts.len(), 1);
    assert_eq!(shifts[0].fields["note"], json!("Çalışma günü"));
    drop(store);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let (mut devices_alone, mut numbered) = (0, 0);
    for table in TABLES {
        let text_left = table
            .fields
            .iter()
            .filter(|f| matches!(f.kind, FieldKind::Ref(_)))
            .map(|f| format!(" OR (\"{}\" IS NOT NULL AND typeof(\"{}\") <> 'blob')", f.name, f.name))
            .chain(
                table.fields.iter().filter(|f| matches!(f.kind, FieldKind::Date | FieldKind::Time)).map(
                    |f| format!(" OR (\"{}\" IS NOT NULL AND typeof(\"{}\") <> 'integer')", f.name, f.name),
                ),
            )
            .collect::<String>();
        let text: i64 = conn
            .query_row(
                &format!(
                    "SELECT count(*) FROM \"{}\" WHERE typeof(id) <> 'blob' OR typeof(created_at) <> 'integer'
                     OR typeof(updated_at) <> 'integer' OR typeof(deleted_at) NOT IN ('integer', 'null'){text_left}",
                    table.name
                ),
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(text, 0, "{} keeps text", table.name);
        // Field versions as they were, or the device alone of the one change that made the row.
        let mut stmt =
            conn.prepare(&format!("SELECT id, version, field_versions FROM \"{}\"", table.name)).unwrap();
        let mut kept = stmt.query([]).unwrap();
        while let Some(r) = kept.next().unwrap() {
            let id = Uuid::from_slice(&r.get::<_, Vec<u8>>(0).unwrap()).unwrap();
            let earlier = &rows[&(table.name, id)].1;
            match r.get::<_, Value>(2).unwrap() {
                Value::Text(text) => assert_eq!(&text, earlier),
                Value::Blob(device) => {
                    let device = Uuid::from_slice(&device).unwrap();
                    assert_eq!(earlier, &format!("[{},\"{device}\"]", r.get::<_, i64>(1).unwrap()));
                    devices_alone += 1;
                }
                // An enrolled device by its number.
                Value::Integer(number) => {
                    let device: String = conn
                        .query_row("SELECT id FROM devices WHERE number = ?1", [number], |r| r.get(0))
                        .unwrap();
                    assert_eq!(earlier, &format!("[{},\"{device}\"]", r.get::<_, i64>(1).unwrap()));
                    numbered += 1;
                }
                other => panic!("field versions {other:?}"),
            }
        }
    }
    assert!(devices_alone > 100, "{devices_alone} rows keep their maker alone");
    assert!(numbered > 0, "no row keeps its maker's number");
    let text_ids: i64 = conn
        .query_row(
            "SELECT count(*) FROM departures WHERE typeof(row_id) <> 'blob' OR typeof(origin) = 'text'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(text_ids, 0);
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 12);
    let after = std::fs::metadata(&path).unwrap().len();
    assert!(after < before, "{after} bytes after the upgrade, {before} before");
}

/// A database the release before dates and times were kept as numbers wrote (tests/fixtures/
/// server/v10_text_dates.db: ids as bytes, dates and times as text) opens with every row as that
/// release read it, its dates and times now numbers, and a rule's look-up by date range finds a
/// shift.
#[test]
fn a_database_with_text_dates_keeps_every_row_when_its_dates_become_numbers() {
    use std::collections::BTreeMap;

    use rainstaff_core::schema::{TABLES, TIMESHEETS};
    use rainstaff_server::store::{RowQuery, Store, Tx};
    use uuid::Uuid;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/server/v10_text_dates.db"), &path)
        .unwrap();

    // Every row's fields as that release read them: references as ids, dates and times as text.
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut before = BTreeMap::new();
    for table in TABLES {
        let columns = table.fields.iter().map(|f| format!(", \"{}\"", f.name)).collect::<String>();
        let mut stmt = conn.prepare(&format!("SELECT id{columns} FROM \"{}\"", table.name)).unwrap();
        let mut found = stmt.query([]).unwrap();
        while let Some(r) = found.next().unwrap() {
            let fields = stored_fields(table, r, 1);
            let id = Uuid::from_slice(&r.get::<_, Vec<u8>>(0).unwrap()).unwrap();
            before.insert((table.name, id), fields);
        }
    }
    let text_dates: i64 = conn
        .query_row("SELECT count(*) FROM timesheets WHERE typeof(work_date) = 'text'", [], |r| r.get(0))
        .unwrap();
    assert!(text_dates > 100, "the fixture keeps its shifts' dates as text");
    drop(conn);

    let store = SqliteStore::open(&path).unwrap();
    let mut after = BTreeMap::new();
    store
        .read(|tx| {
            for table in TABLES {
                tx.scan_rows(table, None, &mut |row| {
                    after.insert((table.name, row.id), row.fields);
                    Ok(())
                })?;
            }
            Ok(())
        })
        .unwrap();
    assert_eq!(after, before);

    let (_, shift) = before
        .iter()
        .find(|((table, _), fields)| *table == "timesheets" && fields["work_date"].is_string())
        .unwrap();
    let found = store
        .read(|tx| {
            Ok(tx.live_rows(&RowQuery {
                table: &TIMESHEETS,
                field: "employee_id",
                value: &shift["employee_id"],
                between: Some(("work_date", &shift["work_date"], &shift["work_date"])),
                except: None,
                limit: None,
                read: &["start_time"],
            })?)
        })
        .unwrap();
    assert!(found.iter().any(|s| s.fields["start_time"] == shift["start_time"]), "{found:?}");
    drop(store);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let moments = "SELECT count(*) FROM timesheets WHERE typeof(work_date) <> 'integer' OR typeof(start_time) <> 'integer'";
    let deleted = "SELECT count(*) FROM timesheets WHERE work_date IS NULL";
    let left: i64 = conn.query_row(moments, [], |r| r.get(0)).unwrap();
    let tombstones: i64 = conn.query_row(deleted, [], |r| r.get(0)).unwrap();
    assert_eq!(left, tombstones, "only tombstones without fields keep no numbers");
}

/// A row's fields as an earlier release read them from its columns, from column `first` on:
/// references as their ids' text, the rest as core's `from_sql` gives them.
fn stored_fields(
    table: &rainstaff_core::schema::TableSpec,
    r: &rusqlite::Row<'_>,
    first: usize,
) -> serde_json::Map<String, serde_json::Value> {
    use rainstaff_core::schema::FieldKind;
    use rainstaff_core::sql_value::{SqlValue, from_sql};
    use rusqlite::types::Value;

    let value = |i: usize, kind: FieldKind| match (kind, r.get::<_, Value>(first + i).unwrap()) {
        (FieldKind::Ref(_), Value::Blob(b)) => {
            SqlValue::Text(uuid::Uuid::from_slice(&b).unwrap().to_string())
        }
        (_, Value::Null) => SqlValue::Null,
        (_, Value::Integer(i)) => SqlValue::Int(i),
        (_, Value::Real(x)) => SqlValue::Real(x),
        (_, Value::Text(t)) => SqlValue::Text(t),
        (_, Value::Blob(_)) => panic!("a blob in {}", table.name),
    };
    table
        .fields
        .iter()
        .enumerate()
        .map(|(i, f)| (f.name.to_string(), from_sql(f.kind, value(i, f.kind))))
        .collect()
}
