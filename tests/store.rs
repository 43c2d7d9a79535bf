//! The local store on real SQLite files: migrations, reopening, and the outbox entry that every
//! write appends in its own transaction.

use rainstaff::db::Store;
use rainstaff::db::edits::{SaveError, SaveOptions};
use rainstaff::db::rows;
use rainstaff::db::sync::REGION_KEY;
use rainstaff::db::users::{Role, User};
use rainstaff_core::model::{Employee, Shift, Vehicle, fields_of};
use rainstaff_core::protocol::RowState;
use rainstaff_core::schema::{
    EMPLOYEES, SHIFT_TEMPLATES, TABLES, TIMESHEETS, VEHICLE_FAULTS, VEHICLE_INSPECTIONS,
    VEHICLE_SERVICE_VISITS, VEHICLES,
};
use rainstaff_core::validate::Problem;
use serde_json::Value;
use uuid::Uuid;

fn manager(store: &Store) -> User {
    store.create_user("müdür", Some("parola-12345"), Role::Manager, "Izmir").unwrap()
}

/// The outbox entries of records; each comes with its audit entry's (see
/// `every_change_writes_its_audit_entry_in_its_own_transaction`).
const RECORD_CHANGES: &str = "SELECT count(*) FROM outbox WHERE table_name <> 'audit_entries'";

fn count(store: &Store, sql: &str) -> i64 {
    store.test_connection().query_row(sql, [], |r| r.get(0)).unwrap()
}

fn employee(store: &mut Store, user: &User, name: &str) -> Uuid {
    let e = Employee { full_name: name.into(), ..Employee::default() };
    store.save_record(user, &EMPLOYEES, None, "Izmir", fields_of(&e), SaveOptions::default()).unwrap()
}

fn shift(employee: Uuid, date: &str, start: &str, end: &str) -> Shift {
    Shift {
        employee_id: employee.to_string(),
        work_date: date.into(),
        start_time: start.into(),
        end_time: end.into(),
        break_minutes: 30,
        special_day: false,
        note: None,
    }
}

/// The names of the indexes a store keeps on its shifts, beyond the one on their ids.
fn shift_indexes(conn: &rusqlite::Connection) -> Vec<String> {
    conn.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'timesheets' AND sql IS NOT NULL ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn migrates_an_empty_file_and_every_schema_column_exists() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    // Every numbered migration in migrations/ has run.
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap().count();
    assert_eq!(count(&store, "PRAGMA user_version"), migrations as i64);
    assert_eq!(count(&store, "PRAGMA foreign_keys"), 1);
    let mode: String = store.test_connection().query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    for table in TABLES {
        let mut stmt = store
            .test_connection()
            .prepare(&format!("SELECT name FROM pragma_table_info('{}')", table.name))
            .unwrap();
        let columns: Vec<String> = stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect();
        for field in table.fields {
            assert!(columns.iter().any(|c| c == field.name), "{}.{} is missing", table.name, field.name);
        }
    }
}

#[test]
fn every_write_appends_one_outbox_entry_and_survives_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rainstaff.db");
    let id = {
        let mut store = Store::open(&path).unwrap();
        let user = manager(&store);
        let id = employee(&mut store, &user, "ŞEBNEM İNCE");
        assert_eq!(count(&store, RECORD_CHANGES), 1);
        let edit = serde_json::json!({"title": "Şef"}).as_object().unwrap().clone();
        store
            .save_record(&user, &EMPLOYEES, Some(id), "Izmir", edit.clone(), SaveOptions::default())
            .unwrap();
        assert_eq!(count(&store, RECORD_CHANGES), 2);
        // Saving the same values again changes nothing and sends nothing.
        store.save_record(&user, &EMPLOYEES, Some(id), "Izmir", edit, SaveOptions::default()).unwrap();
        assert_eq!(count(&store, RECORD_CHANGES), 2);
        let fields: String = store
            .test_connection()
            .query_row(
                "SELECT fields FROM outbox WHERE table_name = 'employees' ORDER BY mutation_id DESC",
                [],
                |r| r.get(0),
            )
            .unwrap();
        // The row was never acknowledged by a server, so the edit carries every field.
        assert!(fields.contains("full_name") && fields.contains("Şef"), "{fields}");
        id
    };
    let store = Store::open(&path).unwrap();
    let e = store.employee(id).unwrap().unwrap();
    assert_eq!(e.data.full_name, "ŞEBNEM İNCE");
    assert_eq!(e.data.title.as_deref(), Some("Şef"));
    assert_eq!(count(&store, RECORD_CHANGES), 2);
}

/// A store of the build whose shifts were indexed by (date, person) opens with the index on the
/// date alone in its place, and its date ranges read what they read before.
#[test]
fn a_store_indexed_by_date_and_person_is_indexed_by_date_alone_once_opened() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rainstaff.db");
    let range = rainstaff::db::queries::ShiftFilter {
        employee: None,
        from: Some("2026-03-02".parse().unwrap()),
        to: Some("2026-03-03".parse().unwrap()),
        region: "ALL".into(),
    };
    {
        let mut store = Store::open(&path).unwrap();
        let user = manager(&store);
        let person = employee(&mut store, &user, "IŞIL ÇAĞLAR");
        for date in ["2026-03-01", "2026-03-02", "2026-03-03", "2026-03-04"] {
            let s = shift(person, date, "08:30", "17:30");
            store
                .save_record(&user, &TIMESHEETS, None, "Izmir", fields_of(&s), SaveOptions::default())
                .unwrap();
        }
        assert_eq!(store.shifts(&range).unwrap().len(), 2);
        store
            .test_connection()
            .execute_batch(
                "DROP INDEX timesheets_date;
                 CREATE INDEX timesheets_date_employee ON timesheets (work_date, employee_id);",
            )
            .unwrap();
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(shift_indexes(store.test_connection()), ["timesheets_date", "timesheets_employee_date"]);
    let dates: Vec<String> = store.shifts(&range).unwrap().into_iter().map(|s| s.data.work_date).collect();
    assert_eq!(dates, ["2026-03-02", "2026-03-03"]);
}

#[test]
fn a_failed_outbox_append_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    store
        .test_connection()
        .execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .unwrap();
    let e = Employee { full_name: "KAYBOLMAYAN".into(), ..Employee::default() };
    let err = store.save_record(&user, &EMPLOYEES, None, "Izmir", fields_of(&e), SaveOptions::default());
    assert!(matches!(err, Err(SaveError::Store(_))), "{err:?}");
    assert_eq!(count(&store, "SELECT count(*) FROM employees"), 0);
    assert_eq!(count(&store, RECORD_CHANGES), 0);
}

#[test]
fn overlapping_shifts_are_refused_naming_the_other_shift() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    let id = employee(&mut store, &user, "GECE BEKÇİSİ");
    let night = shift(id, "2026-03-02", "22:00", "06:00");
    store.save_record(&user, &TIMESHEETS, None, "Izmir", fields_of(&night), SaveOptions::default()).unwrap();
    let morning = shift(id, "2026-03-03", "05:00", "09:00");
    let err = store
        .save_record(&user, &TIMESHEETS, None, "Izmir", fields_of(&morning), SaveOptions::default())
        .unwrap_err();
    let SaveError::Fields(errors) = err else { panic!("{err}") };
    assert_eq!(errors[0].problem, Problem::Overlap);
    assert_eq!(errors[0].detail.as_deref(), Some("02.03.2026 22:00–06:00"));
    let later = shift(id, "2026-03-03", "06:00", "10:00");
    store.save_record(&user, &TIMESHEETS, None, "Izmir", fields_of(&later), SaveOptions::default()).unwrap();
    let same = shift(id, "2026-03-04", "08:00", "08:00");
    let err = store
        .save_record(&user, &TIMESHEETS, None, "Izmir", fields_of(&same), SaveOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("end_time: end cannot equal start"), "{err}");
    // An employee with shifts is deactivated, not deleted.
    let err = store.delete_record(&user, &EMPLOYEES, id).unwrap_err();
    assert!(err.to_string().contains("deactivate"), "{err}");
}

#[test]
fn a_reference_is_stored_in_one_spelling_so_no_overlap_hides() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    let id = employee(&mut store, &user, "AYŞE");
    let mut loud = shift(id, "2026-03-02", "08:00", "17:00");
    loud.employee_id = id.to_string().to_uppercase();
    let saved = store
        .save_record(&user, &TIMESHEETS, None, "Izmir", fields_of(&loud), SaveOptions::default())
        .unwrap();
    let row = rows::get(store.test_connection(), &TIMESHEETS, saved).unwrap().unwrap();
    assert_eq!(row.fields["employee_id"], id.to_string());
    let late = shift(id, "2026-03-02", "16:00", "20:00");
    let err = store
        .save_record(&user, &TIMESHEETS, None, "Izmir", fields_of(&late), SaveOptions::default())
        .unwrap_err();
    let SaveError::Fields(errors) = err else { panic!("{err}") };
    assert_eq!(errors[0].problem, Problem::Overlap);
}

/// The rules that need other rows, refused in the words the server gives a push that breaks them
/// (crates/server/tests/rules.rs expects these same sentences): both call one function.
#[test]
fn the_rules_that_need_other_rows_say_what_the_server_says() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    let refused = |result: Result<Uuid, SaveError>| result.unwrap_err().to_string();
    let save = |store: &mut Store, table, id, fields, options| {
        store.save_record(&user, table, id, "Izmir", fields, options)
    };
    let plain = SaveOptions::default();

    let ayse =
        Employee {
            full_name: "AYŞE".into(), identity_no: Some("10000000146".into()), ..Employee::default()
        };
    let ayse_id = save(&mut store, &EMPLOYEES, None, fields_of(&ayse), plain).unwrap();
    let twin = Employee { full_name: "AYŞE İKİZ".into(), ..ayse };
    assert_eq!(
        refused(save(&mut store, &EMPLOYEES, None, fields_of(&twin), plain)),
        "identity_no: is already registered"
    );

    let monday = fields_of(&shift(ayse_id, "2026-01-05", "08:00", "17:00"));
    let monday = save(&mut store, &TIMESHEETS, None, monday, plain).unwrap();
    let late = shift(ayse_id, "2026-01-05", "16:00", "20:00");
    assert_eq!(
        refused(save(&mut store, &TIMESHEETS, None, fields_of(&late), plain)),
        "start_time: overlaps another shift (05.01.2026 08:00–17:00)"
    );
    let err = store.delete_record(&user, &EMPLOYEES, ayse_id).unwrap_err();
    assert_eq!(err.to_string(), "full_name: has shifts and cannot be deleted; deactivate instead");
    let off = serde_json::json!({"active": false}).as_object().unwrap().clone();
    save(&mut store, &EMPLOYEES, Some(ayse_id), off, plain).unwrap();
    let next_day = shift(ayse_id, "2026-01-06", "08:00", "17:00");
    assert_eq!(
        refused(save(&mut store, &TIMESHEETS, None, fields_of(&next_day), plain)),
        "employee_id: is inactive; no shifts can be added"
    );
    // Her past shifts still take a correction of their hours.
    let earlier = serde_json::json!({"end_time": "16:30"}).as_object().unwrap().clone();
    save(&mut store, &TIMESHEETS, Some(monday), earlier, plain).unwrap();

    let van = Vehicle { km: Some(1500), ..vehicle("06 ABC 123") };
    let van_id = save(&mut store, &VEHICLES, None, fields_of(&van), plain).unwrap();
    assert_eq!(
        refused(save(&mut store, &VEHICLES, None, fields_of(&van), plain)),
        "plate: is already registered"
    );
    let lower = serde_json::json!({"km": 1200}).as_object().unwrap().clone();
    assert_eq!(
        refused(save(&mut store, &VEHICLES, Some(van_id), lower.clone(), plain)),
        "km: is lower than the last recorded km; save again to confirm (1500)"
    );
    // The person saw the warning and confirms: a wrong reading is corrected.
    let confirmed = SaveOptions { confirmed: true };
    save(&mut store, &VEHICLES, Some(van_id), lower, confirmed).unwrap();
    // Clearing the km and then typing a lower one would lower it unconfirmed in two steps.
    let cleared = serde_json::json!({"km": null}).as_object().unwrap().clone();
    assert_eq!(
        refused(save(&mut store, &VEHICLES, Some(van_id), cleared.clone(), plain)),
        "km: is lower than the last recorded km; save again to confirm (1200)"
    );
    save(&mut store, &VEHICLES, Some(van_id), cleared, confirmed).unwrap();
}

/// The fleet's rules: the same sentences the server gives (crates/server/tests/rules.rs).
#[test]
fn the_fleet_keeps_its_rules_and_an_inspection_raises_the_vehicle_km() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    let obj = |v: Value| v.as_object().unwrap().clone();
    let mut save = |table, id, fields: Value| {
        store.save_record(&user, table, id, "Izmir", obj(fields), SaveOptions::default())
    };
    let van = save(&VEHICLES, None, Value::Object(fields_of(&vehicle("06 ABC 123")))).unwrap();
    let inspect = |date: &str, km: i64| serde_json::json!({"vehicle_id": van.to_string(), "inspection_date": date, "km": km});
    let monday = save(&VEHICLE_INSPECTIONS, None, inspect("2026-03-02", 1800)).unwrap();
    assert_eq!(
        save(&VEHICLE_INSPECTIONS, None, inspect("2026-03-08", 1900)).unwrap_err().to_string(),
        "inspection_date: this vehicle already has an inspection that week (02.03.2026)"
    );
    save(&VEHICLE_INSPECTIONS, None, inspect("2026-03-09", 1700)).unwrap();
    // The inspection's own edit is not a second one of its week.
    save(&VEHICLE_INSPECTIONS, Some(monday), serde_json::json!({"notes": "temiz"})).unwrap();

    let fault = save(
        &VEHICLE_FAULTS,
        None,
        serde_json::json!({"vehicle_id": van.to_string(), "title": "Fren", "status": "Acik"}),
    )
    .unwrap();
    assert_eq!(
        save(&VEHICLE_FAULTS, Some(fault), serde_json::json!({"status": "Kapali"})).unwrap_err().to_string(),
        "closed_date: a closed fault needs its closing date"
    );
    save(&VEHICLE_FAULTS, Some(fault), serde_json::json!({"status": "Kapali", "closed_date": "2026-03-03"}))
        .unwrap();
    assert_eq!(
        save(&VEHICLE_FAULTS, Some(fault), serde_json::json!({"closed_date": "2026-03-04"}))
            .unwrap_err()
            .to_string(),
        "closed_date: a fault closes once; its closing date cannot change (03.03.2026)"
    );
    let visit = serde_json::json!({"vehicle_id": van.to_string(), "start_date": "2026-03-05", "end_date": "2026-03-04"});
    assert_eq!(
        save(&VEHICLE_SERVICE_VISITS, None, visit).unwrap_err().to_string(),
        "end_date: cannot be before the start"
    );

    // The highest reading is the vehicle's km, written in the inspection's transaction: the
    // outbox carries both, and a lower reading later leaves it.
    let km: i64 = store.test_connection().query_row("SELECT km FROM vehicles", [], |r| r.get(0)).unwrap();
    assert_eq!(km, 1800);
    let vehicle_entries = count(
        &store,
        "SELECT COUNT(*) FROM outbox WHERE table_name = 'vehicles' AND json_extract(fields, '$.km') = 1800",
    );
    assert_eq!(vehicle_entries, 1);

    // A confirmed correction of the vehicle's km stays when an inspection's notes change: only a
    // new reading raises it (`rules::raised_km`, as on the server).
    let confirmed = SaveOptions { confirmed: true };
    store
        .save_record(&user, &VEHICLES, Some(van), "Izmir", obj(serde_json::json!({"km": 1000})), confirmed)
        .unwrap();
    let note = obj(serde_json::json!({"notes": "yağ kontrol edildi"}));
    store
        .save_record(&user, &VEHICLE_INSPECTIONS, Some(monday), "Izmir", note, SaveOptions::default())
        .unwrap();
    let km: i64 = store.test_connection().query_row("SELECT km FROM vehicles", [], |r| r.get(0)).unwrap();
    assert_eq!(km, 1000);
}

#[test]
fn staff_cannot_write_another_region() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    let e = Employee { full_name: "BAŞKA BÖLGE".into(), ..Employee::default() };
    let err = store
        .save_record(&user, &EMPLOYEES, None, "Ankara", fields_of(&e), SaveOptions::default())
        .unwrap_err();
    assert!(err.to_string().starts_with("region:"), "{err}");
    assert_eq!(count(&store, "SELECT count(*) FROM employees"), 0);
}

#[test]
fn backup_and_restore_keep_the_change_numbering() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    employee(&mut store, &user, "YEDEKTEN ÖNCE");
    let backup = store.backup_now().unwrap();
    employee(&mut store, &user, "YEDEKTEN SONRA");
    let last: i64 = count(&store, "SELECT max(mutation_id) FROM outbox");
    store.restore_from(&backup).unwrap();
    let names: Vec<String> = store.employees("ALL").unwrap().into_iter().map(|e| e.data.full_name).collect();
    assert_eq!(names, ["YEDEKTEN ÖNCE"]);
    employee(&mut store, &user, "GERİ YÜKLEMEDEN SONRA");
    let next: i64 = count(&store, "SELECT max(mutation_id) FROM outbox");
    assert!(next > last, "a restored store must not reuse change number {next}");
    let not_a_backup = dir.path().join("x.db");
    std::fs::write(&not_a_backup, "not sqlite").unwrap();
    assert!(store.restore_from(&not_a_backup).is_err());
}

/// A backup taken before an upgrade (the layout of migration 5: an outbox without the order its
/// changes were made in, nor the ids renumbered ones were first sent under) is restored and
/// brought up to date; one from a newer version is refused with what to do.
#[test]
fn a_backup_from_before_an_upgrade_is_restored_and_brought_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    employee(&mut store, &user, "ESKİ SÜRÜM");
    let backup = store.backup_now().unwrap();
    let current: i64 = count(&store, "PRAGMA user_version");
    let older = rusqlite::Connection::open(&backup).unwrap();
    older
        .execute_batch(
            "DROP INDEX outbox_made; ALTER TABLE outbox DROP COLUMN made;
             ALTER TABLE outbox DROP COLUMN renumbered_from; PRAGMA user_version = 5",
        )
        .unwrap();
    drop(older);
    employee(&mut store, &user, "YENİ SÜRÜM");

    store.restore_from(&backup).unwrap();
    let names: Vec<String> = store.employees("ALL").unwrap().into_iter().map(|e| e.data.full_name).collect();
    assert_eq!(names, ["ESKİ SÜRÜM"]);
    assert_eq!(count(&store, "PRAGMA user_version"), current);
    assert_eq!(
        count(&store, "SELECT count(*) FROM outbox WHERE made = mutation_id"),
        count(&store, "SELECT count(*) FROM outbox")
    );
    employee(&mut store, &user, "GERİ YÜKLEMEDEN SONRA");

    let newer = rusqlite::Connection::open(&backup).unwrap();
    newer.pragma_update(None, "user_version", current + 1).unwrap();
    drop(newer);
    let err = store.restore_from(&backup).unwrap_err().to_string();
    assert!(err.contains("newer version"), "{err}");
}

/// Every synced table's rows as an earlier release left them in the file: (id as text, then
/// region, timestamps, tombstone and fields as stored), by id.
type StoredRows = Vec<Vec<(String, Vec<rusqlite::types::Value>)>>;

fn stored_rows(conn: &rusqlite::Connection) -> StoredRows {
    let id_text = |v: rusqlite::types::Value| match v {
        rusqlite::types::Value::Text(t) => t,
        rusqlite::types::Value::Blob(b) => Uuid::from_slice(&b).unwrap().to_string(),
        other => panic!("an id {other:?}"),
    };
    let rows_of = |table: &rainstaff_core::schema::TableSpec| {
        let names: Vec<&str> = ["id", "region", "created_at", "updated_at", "deleted_at"]
            .into_iter()
            .chain(table.fields.iter().map(|f| f.name))
            .collect();
        let sql = format!("SELECT {} FROM {} ORDER BY id", names.join(", "), table.name);
        let mut stmt = conn.prepare(&sql).unwrap();
        stmt.query_map([], |r| {
            let values = (1..names.len()).map(|i| r.get(i)).collect::<rusqlite::Result<_>>()?;
            Ok((id_text(r.get(0)?), values))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    };
    TABLES.iter().map(|t| rows_of(t)).collect()
}

/// The store reads every row of `old` (`stored_rows` of the file before it opened) as that
/// release read it: region, timestamps, tombstone and every field.
fn assert_rows_read_as_before(store: &Store, old: &StoredRows) {
    let conn = store.test_connection();
    for (table, rows_before) in TABLES.iter().zip(old) {
        let held: i64 = count(store, &format!("SELECT count(*) FROM {}", table.name));
        assert_eq!(held as usize, rows_before.len(), "{}", table.name);
        for (id, values) in rows_before {
            let row = rows::get(conn, table, Uuid::parse_str(id).unwrap()).unwrap().unwrap();
            let stamp = |v: &rusqlite::types::Value| match v {
                rusqlite::types::Value::Text(t) => Some(t.clone()),
                rusqlite::types::Value::Integer(ms) => Some(rainstaff_core::time::stamp_text(*ms)),
                _ => None,
            };
            assert_eq!(Some(row.region), stamp(&values[0]));
            assert_eq!(Some(row.created_at), stamp(&values[1]), "{} {id}", table.name);
            assert_eq!(Some(row.updated_at), stamp(&values[2]), "{} {id}", table.name);
            assert_eq!(row.deleted, values[3] != rusqlite::types::Value::Null);
            for (field, value) in table.fields.iter().zip(&values[4..]) {
                let was = rows::from_sql(field.kind, value.into()).unwrap();
                assert_eq!(row.fields[field.name], was, "{}.{} of {id}", table.name, field.name);
            }
        }
    }
}

/// A store the release before dates were kept as numbers wrote (tests/fixtures/store/
/// v8_text_dates.db: ids as bytes, dates and times as text) opens with every row as it was, its
/// dates and times now numbers and its shifts indexed as this build indexes them, and its date
/// ranges and overlap checks work on them.
#[test]
fn a_store_with_text_dates_keeps_every_row_when_its_dates_become_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rainstaff.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store/v8_text_dates.db"), &path)
        .unwrap();
    let before = rusqlite::Connection::open(&path).unwrap();
    let old = stored_rows(&before);
    let as_text =
        "SELECT count(*) FROM timesheets WHERE typeof(work_date) = 'text' OR typeof(start_time) = 'text'";
    let text_dates: i64 = before.query_row(as_text, [], |r| r.get(0)).unwrap();
    assert!(text_dates > 100, "the fixture keeps its shifts' dates as text");
    drop(before);

    let mut store = Store::open(&path).unwrap();
    assert_rows_read_as_before(&store, &old);
    assert_eq!(count(&store, as_text), 0);
    assert_eq!(shift_indexes(store.test_connection()), ["timesheets_date", "timesheets_employee_date"]);
    assert_eq!(count(&store, "SELECT count(*) FROM drivers WHERE typeof(license_expiry) = 'text'"), 0);

    // A date range finds what the text compared found, and an overlapping shift is refused.
    let shifts = &old[TABLES.iter().position(|t| t.name == "timesheets").unwrap()];
    let live: Vec<_> = shifts.iter().filter(|(_, v)| v[3] == rusqlite::types::Value::Null).collect();
    let date = |v: &[rusqlite::types::Value]| match &v[5] {
        rusqlite::types::Value::Text(t) => t.clone(),
        other => panic!("a date {other:?}"),
    };
    let first = live.iter().map(|(_, v)| date(v)).min().unwrap();
    let (from, to) =
        (first.parse().unwrap(), first.parse::<chrono::NaiveDate>().unwrap() + chrono::Duration::days(6));
    let filter = rainstaff::db::queries::ShiftFilter {
        employee: None,
        from: Some(from),
        to: Some(to),
        region: "ALL".into(),
    };
    let expected =
        live.iter().filter(|(_, v)| (from.to_string()..=to.to_string()).contains(&date(v))).count();
    assert!(expected > 0);
    assert_eq!(store.shifts(&filter).unwrap().len(), expected);
    let user = admin(&store);
    let taken = store.shifts(&filter).unwrap().remove(0);
    let again = shift(
        taken.data.employee_id.parse().unwrap(),
        &taken.data.work_date,
        &taken.data.start_time,
        &taken.data.end_time,
    );
    let refused =
        store.save_record(&user, &TIMESHEETS, None, &taken.region, fields_of(&again), SaveOptions::default());
    assert!(refused.is_err(), "the same shift twice: {refused:?}");
}

/// A store the release before 16-byte ids wrote (tests/fixtures/store/v7_text_ids.db) opens with
/// every row as it was: fields, references, timestamps, tombstones, the outbox waiting to be sent
/// and the legacy ids enrollment re-keys, now kept as bytes; and it works on as before.
#[test]
fn a_store_with_text_ids_keeps_every_row_when_its_ids_become_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rainstaff.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store/v7_text_ids.db"), &path)
        .unwrap();
    let before = rusqlite::Connection::open(&path).unwrap();
    let old = stored_rows(&before);
    let shifts = &old[TABLES.iter().position(|t| t.name == "timesheets").unwrap()];
    let outbox_sql = "SELECT mutation_id, row_id FROM outbox ORDER BY mutation_id";
    let legacy_sql = "SELECT table_name, legacy_id, row_id FROM local_legacy_ids ORDER BY 1, 2";
    let old_outbox: Vec<(i64, String)> = before
        .prepare(outbox_sql)
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let old_legacy: Vec<(String, i64, String)> = before
        .prepare(legacy_sql)
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(shifts.len() > 50 && old_outbox.len() > 50 && !old_legacy.is_empty(), "the fixture holds data");
    // What the fixture's PC had not met yet, as that release kept it: a change the server refused,
    // a conflict, a rejoin under way, and a file from before incremental auto-vacuum.
    let live = |rows: &[(String, Vec<rusqlite::types::Value>)]| {
        rows.iter().find(|(_, v)| v[3] == rusqlite::types::Value::Null).unwrap().0.clone()
    };
    let (shift_id, person_id) =
        (live(shifts), live(&old[TABLES.iter().position(|t| t.name == "employees").unwrap()]));
    before
        .execute_batch(&format!(
            "INSERT INTO refused_changes (mutation_id, table_name, row_id, region, op, fields, made_at, \
                 code, reason, refused_at) \
             VALUES (1, 'timesheets', '{shift_id}', 'Ankara', 'upsert', '{{\"note\":\"x\"}}', \
                 '2026-01-01T00:00:00.000Z', 'other', 'test', '2026-01-01T00:00:00.000Z');
             INSERT INTO conflicts (table_name, row_id, region, field, server_value, device_value, created_at) \
             VALUES ('employees', '{person_id}', 'Ankara', 'full_name', '\"ESKİ AD\"', '\"YENİ AD\"', \
                 '2026-01-01T00:00:00.000Z');
             INSERT INTO rejoin_queue (table_name, row_id, old_version) VALUES ('timesheets', '{shift_id}', 3);
             PRAGMA auto_vacuum = NONE;
             VACUUM;"
        ))
        .unwrap();
    drop(before);

    let mut store = Store::open(&path).unwrap();
    let conn = store.test_connection();
    assert_rows_read_as_before(&store, &old);
    let as_text =
        "SELECT count(*) FROM timesheets WHERE typeof(id) <> 'blob' OR typeof(employee_id) = 'text'";
    assert_eq!(count(&store, as_text), 0);
    let outbox: Vec<(i64, String)> = conn
        .prepare(outbox_sql)
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get::<_, Uuid>(1)?.to_string())))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(outbox, old_outbox);
    let legacy: Vec<(String, i64, String)> = conn
        .prepare(legacy_sql)
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get::<_, Uuid>(2)?.to_string())))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(legacy, old_legacy);

    // It works on: a person's shifts are found through the reference, and a new one is saved.
    let user = store.create_user("yönetici", Some("parola-12345"), Role::Admin, "ALL").unwrap();
    let person = store.employees("ALL").unwrap().into_iter().next().unwrap();
    let filter = rainstaff::db::queries::ShiftFilter {
        employee: Some(person.id),
        from: None,
        to: None,
        region: "ALL".into(),
    };
    let theirs = store.shifts(&filter).unwrap().len();
    let expected = shifts.iter().filter(|(_, v)| {
        v[3] == rusqlite::types::Value::Null && v[4] == rusqlite::types::Value::Text(person.id.to_string())
    });
    assert_eq!(theirs, expected.count());
    let fields = fields_of(&shift(person.id, "2030-01-07", "08:00", "16:00"));
    store.save_record(&user, &TIMESHEETS, None, &person.region, fields, SaveOptions::default()).unwrap();
    assert_eq!(store.shifts(&filter).unwrap().len(), theirs + 1);

    // The bookkeeping rows name their records by the same bytes, and act on them.
    let (shift_id, person_id) = (Uuid::parse_str(&shift_id).unwrap(), Uuid::parse_str(&person_id).unwrap());
    let waiting = |store: &Store| count(store, "SELECT count(*) FROM outbox");
    let (refused, sent) = (store.refused_changes("ALL").unwrap(), waiting(&store));
    assert_eq!(refused.iter().map(|c| c.row_id).collect::<Vec<_>>(), [shift_id]);
    store.resend_refused(&user, refused[0].id).unwrap();
    assert_eq!((store.refused_count().unwrap(), waiting(&store)), (0, sent + 1));
    let conflict = store.conflicts("ALL").unwrap();
    assert_eq!(conflict.iter().map(|c| c.row_id).collect::<Vec<_>>(), [person_id]);
    store.resolve_conflict(&user, conflict[0].id, true).unwrap();
    let person = rows::get(store.test_connection(), &EMPLOYEES, person_id).unwrap().unwrap();
    assert_eq!(person.fields["full_name"], serde_json::json!("ESKİ AD"));
    let rejoin: Uuid =
        store.test_connection().query_row("SELECT row_id FROM rejoin_queue", [], |r| r.get(0)).unwrap();
    assert_eq!(rejoin, shift_id);
    assert_eq!(count(&store, "PRAGMA auto_vacuum"), 2, "incremental: the store gives back free pages");

    // Enrolling, the PC takes the region's ids for what it imported: each row, each reference to
    // it and each waiting change moves to the id the server's namespace gives its legacy number.
    let namespace = Uuid::new_v4();
    store.enrolled_with_id_namespaces(&[("Ankara".to_string(), namespace)].into_iter().collect()).unwrap();
    let moved = |table: &str, legacy: i64| rainstaff_core::ids::legacy_id(namespace, table, legacy);
    assert_eq!(count(&store, "SELECT count(*) FROM local_legacy_ids"), 0);
    for (table, legacy, old_id) in &old_legacy {
        let spec = TABLES.iter().find(|t| t.name == table).unwrap();
        let old_id = Uuid::parse_str(old_id).unwrap();
        assert!(rows::get(store.test_connection(), spec, old_id).unwrap().is_none(), "{table} {old_id}");
        assert!(rows::get(store.test_connection(), spec, moved(table, *legacy)).unwrap().is_some());
    }
    let people: std::collections::HashMap<String, Uuid> = old_legacy
        .iter()
        .filter(|(table, ..)| table == "employees")
        .map(|(table, legacy, old_id)| (old_id.clone(), moved(table, *legacy)))
        .collect();
    let mut checked = 0;
    for (id, values) in shifts {
        let Some(legacy) = old_legacy.iter().find(|(t, _, old)| t == "timesheets" && old == id) else {
            continue;
        };
        let row =
            rows::get(store.test_connection(), &TIMESHEETS, moved("timesheets", legacy.1)).unwrap().unwrap();
        let rusqlite::types::Value::Text(person) = &values[4] else { continue };
        let expected = people.get(person).map_or_else(|| person.clone(), Uuid::to_string);
        assert_eq!(row.fields["employee_id"], serde_json::json!(expected), "shift {id}");
        checked += usize::from(people.contains_key(person));
    }
    assert!(checked > 50, "{checked} shifts' people moved with them");
    let named_by_old_ids =
        old_legacy.iter().map(|(.., old)| format!("'{old}'")).collect::<Vec<_>>().join(", ");
    let still_old = format!(
        "SELECT count(*) FROM outbox WHERE lower(hex(row_id)) IN ({}) OR json_extract(fields, '$.employee_id') IN ({named_by_old_ids})",
        old_legacy
            .iter()
            .map(|(.., old)| format!("'{}'", old.replace('-', "")))
            .collect::<Vec<_>>()
            .join(", ")
    );
    assert_eq!(count(&store, &still_old), 0);
    let moved_waiting =
        old_outbox.iter().filter(|(_, row)| old_legacy.iter().any(|(.., old)| old == row)).count();
    assert!(moved_waiting > 50, "{moved_waiting} waiting changes named imported rows");
}

/// A backup the previous release wrote (ids as text) restored in this one: every row comes over,
/// in this layout.
#[test]
fn a_backup_with_text_ids_restores_every_row() {
    let dir = tempfile::tempdir().unwrap();
    // A copy: a connection to the fixture itself would leave its log files in the repository.
    let fixture = dir.path().join("backup.db");
    std::fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/store/v7_text_ids.db"), &fixture)
        .unwrap();
    let held = |conn: &rusqlite::Connection| -> Vec<i64> {
        let sql = |t: &str| format!("SELECT count(*) FROM {t}");
        TABLES.iter().map(|t| conn.query_row(&sql(t.name), [], |r| r.get(0)).unwrap()).collect()
    };
    let before = held(&rusqlite::Connection::open(&fixture).unwrap());
    assert!(before[1] > 50, "the fixture holds shifts");
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    store.restore_from(&fixture).unwrap();
    assert_eq!(held(store.test_connection()), before);
    assert_eq!(count(&store, "SELECT count(*) FROM timesheets WHERE typeof(id) <> 'blob'"), 0);
}

fn admin(store: &Store) -> User {
    store.create_user("yönetici", Some("parola-12345"), Role::Admin, "ALL").unwrap()
}

/// The problems of a save the store refused over its fields.
fn problems(result: Result<Uuid, SaveError>) -> Vec<(String, Problem)> {
    match result {
        Err(SaveError::Fields(errors)) => errors.into_iter().map(|e| (e.field, e.problem)).collect(),
        other => panic!("expected refused fields, got {other:?}"),
    }
}

fn vehicle(plate: &str) -> Vehicle {
    Vehicle {
        plate: plate.into(),
        brand: None,
        model: None,
        year: None,
        km: Some(1000),
        inspection_date: None,
        insurance_date: None,
        maintenance_date: None,
        oil_change_date: None,
        oil_change_km: None,
        oil_interval_km: 14_000,
        notes: None,
    }
}

/// The outbox as the sync routine will send it: (table, row, region, op, fields, base version).
fn outbox(store: &Store) -> Vec<(String, String, String, String, Value, i64)> {
    let mut stmt = store
        .test_connection()
        .prepare(
            "SELECT table_name, row_id, region, op, fields, base_version FROM outbox \
             WHERE table_name <> 'audit_entries' ORDER BY mutation_id",
        )
        .unwrap();
    stmt.query_map([], |r| {
        let fields: String = r.get(4)?;
        let row: Uuid = r.get(1)?;
        Ok((
            r.get(0)?,
            row.to_string(),
            r.get(2)?,
            r.get(3)?,
            serde_json::from_str(&fields).unwrap(),
            r.get(5)?,
        ))
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// What a sync does when the server acknowledges a row at `version`: its outbox entries leave and
/// the server's row is taken.
fn acknowledge(store: &Store, table: &str, id: Uuid, version: i64) {
    let spec = rainstaff_core::schema::table(table).unwrap();
    let row = rows::get(store.test_connection(), spec, id).unwrap().unwrap();
    store.test_connection().execute("DELETE FROM outbox WHERE row_id = ?1", [id]).unwrap();
    let state = RowState {
        table: table.into(),
        id,
        region: row.region,
        version,
        created_at: row.created_at,
        updated_at: row.updated_at,
        deleted_at: None,
        fields: row.fields,
    };
    assert!(rows::apply_server_row(store.test_connection(), &state, None).unwrap());
}

#[test]
fn a_regional_pc_writes_nothing_the_server_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    store.set_sync_state(REGION_KEY, "Izmir").unwrap();
    let admin = admin(&store);
    let ankara = store.create_user("ankara", Some("parola-12345"), Role::Manager, "Ankara").unwrap();
    let e = fields_of(&Employee { full_name: "ÇAĞLA ÖZTÜRK".into(), ..Employee::default() });

    // Even an administrator writes only İzmir here: the PC, not the person, is the reason.
    let refused = store.save_record(&admin, &EMPLOYEES, None, "Ankara", e.clone(), SaveOptions::default());
    assert_eq!(problems(refused), [("region".to_string(), Problem::PcRegion)]);
    let refused = store.save_record(&ankara, &EMPLOYEES, None, "Ankara", e.clone(), SaveOptions::default());
    assert_eq!(problems(refused), [("region".to_string(), Problem::PcRegion)]);
    let refused = store.save_record(&ankara, &EMPLOYEES, None, "Izmir", e.clone(), SaveOptions::default());
    assert_eq!(problems(refused), [("region".to_string(), Problem::Forbidden)]);
    assert_eq!(count(&store, "SELECT count(*) FROM employees"), 0);
    assert_eq!(count(&store, RECORD_CHANGES), 0);

    let id = store.save_record(&admin, &EMPLOYEES, None, "Izmir", e, SaveOptions::default()).unwrap();
    assert_eq!(store.scope(&admin).unwrap().regions(), ["Izmir"]);
    // Moving needs a PC that may write both regions.
    let err = store.move_record(&admin, &EMPLOYEES, id, "Ankara").unwrap_err();
    assert!(matches!(&err, SaveError::Fields(e) if e[0].problem == Problem::PcRegion), "{err}");
    // The templates every region starts with come for the PC's region, and none for Ankara's
    // manager, whose changes this PC could never send.
    store.seed_templates(&ankara).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM shift_templates"), 0);
    store.seed_templates(&admin).unwrap();
    assert_eq!(count(&store, "SELECT count(*) FROM shift_templates WHERE region = 'Izmir'"), 2);
    assert!(outbox(&store).iter().all(|(.., region, _, _, _)| region == "Izmir"));
}

#[test]
fn an_administrator_moves_a_record_with_one_outbox_entry_the_server_reads_as_a_move() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    store.set_sync_state(REGION_KEY, "ALL").unwrap();
    let admin = admin(&store);
    let e =
        Employee { full_name: "ÇAĞLA ÖZTÜRK".into(), title: Some("Şef".into()), ..Employee::default() };
    let id =
        store.save_record(&admin, &EMPLOYEES, None, "Ankara", fields_of(&e), SaveOptions::default()).unwrap();
    acknowledge(&store, "employees", id, 7);

    // The normal save keeps its region: a form cannot move a record by accident.
    let err = store
        .save_record(&admin, &EMPLOYEES, Some(id), "Izmir", fields_of(&e), SaveOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("cannot move"), "{err}");
    assert!(outbox(&store).is_empty());

    store.move_record(&admin, &EMPLOYEES, id, "Izmir").unwrap();
    let moved = rows::get(store.test_connection(), &EMPLOYEES, id).unwrap().unwrap();
    assert_eq!((moved.region.as_str(), moved.server_version), ("Izmir", 7));
    let entries = outbox(&store);
    assert_eq!(entries.len(), 1, "{entries:?}");
    let (table, row, region, op, fields, base) = &entries[0];
    assert_eq!(
        (table.as_str(), row.as_str(), region.as_str(), op.as_str()),
        ("employees", &*id.to_string(), "Izmir", "upsert")
    );
    assert_eq!(*base, 7, "the base is the version the server holds");
    assert_eq!(fields, &Value::Object(moved.fields.clone()), "every field travels");
    assert_eq!(fields["full_name"], "ÇAĞLA ÖZTÜRK");
    // Once moved, the record is edited in its new region.
    let edit = serde_json::json!({"title": "Müdür"}).as_object().unwrap().clone();
    store.save_record(&admin, &EMPLOYEES, Some(id), "Izmir", edit, SaveOptions::default()).unwrap();

    // Only an administrator moves, and only tables whose rows refer to no other; a refused move
    // writes nothing.
    let manager = store.create_user("izmir", Some("parola-12345"), Role::Manager, "Izmir").unwrap();
    let before = count(&store, RECORD_CHANGES);
    let err = store.move_record(&manager, &EMPLOYEES, id, "Ankara").unwrap_err();
    assert!(matches!(&err, SaveError::Fields(e) if e[0].problem == Problem::Forbidden), "{err}");
    assert_eq!(count(&store, RECORD_CHANGES), before);
    assert!(!TIMESHEETS.movable() && EMPLOYEES.movable() && VEHICLES.movable() && SHIFT_TEMPLATES.movable());
    // A plate names one vehicle in the whole company: a second one with it is refused in any
    // region, and the one vehicle moves without any plate rule in its way.
    let van = vehicle("35 ABC 123");
    let here =
        store.save_record(&admin, &VEHICLES, None, "Izmir", fields_of(&van), SaveOptions::default()).unwrap();
    let err = store.save_record(&admin, &VEHICLES, None, "Bursa", fields_of(&van), SaveOptions::default());
    assert!(
        matches!(&err, Err(SaveError::Fields(e)) if e[0].field == "plate" && e[0].problem == Problem::Duplicate),
        "{err:?}"
    );
    let before = count(&store, RECORD_CHANGES);
    store.move_record(&admin, &VEHICLES, here, "Ankara").unwrap();
    assert_eq!(count(&store, RECORD_CHANGES), before + 1);
}

/// The desktop's store and the server's keep a field's value the one way core's `sql_value`
/// says, so a row reads back alike on both sides: a whole amount in a money field is a decimal on
/// both, and a fraction in a whole-number field is refused by both, not dropped by one.
#[test]
fn the_desktop_and_the_server_keep_a_row_alike() {
    use rainstaff_core::schema::{TableSpec, VEHICLE_SERVICE_VISITS};
    use rainstaff_core::sql_value::canonical;
    use rainstaff_server::store::{ServerRow, Store as _, Tx as _};
    use serde_json::json;

    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let server = rainstaff_server::SqliteStore::open(&dir.path().join("server.db")).unwrap();
    let state = |spec: &TableSpec, id: Uuid, fields: Value| RowState {
        table: spec.name.into(),
        id,
        region: "Izmir".into(),
        version: 1,
        created_at: "2026-02-03T08:00:00.000Z".into(),
        updated_at: "2026-02-03T08:00:00.000Z".into(),
        deleted_at: None,
        fields: fields.as_object().unwrap().clone(),
    };
    let on_server = |spec: &'static TableSpec, state: &RowState| {
        server.write(|tx| {
            let row = ServerRow { state: state.clone(), field_versions: Default::default() };
            tx.put_version(spec, &row, None, None)?;
            Ok(tx.row(spec, state.id)?.unwrap().state.fields)
        })
    };

    let vehicle = Uuid::now_v7();
    let kept: [(&'static TableSpec, RowState); 2] = [
        (
            &VEHICLES,
            state(
                &VEHICLES,
                vehicle,
                json!({"plate": "06 ABC 123", "year": 2020, "oil_interval_km": 10000.0}),
            ),
        ),
        (
            &VEHICLE_SERVICE_VISITS,
            state(
                &VEHICLE_SERVICE_VISITS,
                Uuid::now_v7(),
                json!({"vehicle_id": vehicle.to_string(), "start_date": "2026-02-03", "cost": 100}),
            ),
        ),
    ];
    for (spec, state) in &kept {
        let mut written = state.fields.clone();
        for f in spec.fields {
            let value = canonical(f.kind, written.get(f.name).unwrap_or(&Value::Null));
            written.insert(f.name.to_string(), value);
        }
        assert!(rows::apply_server_row(store.test_connection(), state, None).unwrap());
        let desktop = rows::get(store.test_connection(), spec, state.id).unwrap().unwrap().fields;
        assert_eq!(desktop, on_server(spec, state).unwrap(), "{}", spec.name);
        assert_eq!(desktop, written, "{}", spec.name);
    }

    let fraction =
        state(&VEHICLES, Uuid::now_v7(), json!({"plate": "34 KM 15", "km": 1.5, "oil_interval_km": 10000}));
    let refused = rows::apply_server_row(store.test_connection(), &fraction, None).unwrap_err();
    assert!(refused.to_string().contains("km: 1.5 is not a whole number"), "{refused}");
    assert!(rows::get(store.test_connection(), &VEHICLES, fraction.id).unwrap().is_none());
    assert!(on_server(&VEHICLES, &fraction).is_err());
    assert!(server.read(|tx| Ok(tx.row(&VEHICLES, fraction.id)?)).unwrap().is_none());

    // Validation takes only ids as references; a row that holds other text is refused by name.
    let stray = state(
        &VEHICLE_SERVICE_VISITS,
        Uuid::now_v7(),
        json!({"vehicle_id": "34-KM-15", "start_date": "2026-02-03", "cost": 100}),
    );
    let refused = rows::apply_server_row(store.test_connection(), &stray, None).unwrap_err();
    assert!(refused.to_string().contains(r#"vehicle_id: "34-KM-15" is not a record id"#), "{refused}");
    assert!(rows::get(store.test_connection(), &VEHICLE_SERVICE_VISITS, stray.id).unwrap().is_none());
}

/// What a table is to SQLite: its columns (name, type, not null, default, key), foreign keys
/// and indexes with their columns, each sorted so that a column added later compares equal.
fn shape(conn: &rusqlite::Connection, table: &str) -> Vec<String> {
    let rows = |sql: String| -> Vec<String> {
        let mut stmt = conn.prepare(&sql).unwrap();
        let count = stmt.column_count();
        let mut out: Vec<String> = stmt
            .query_map([], |r| {
                Ok((0..count)
                    .map(|i| format!("{:?}", r.get::<_, rusqlite::types::Value>(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join(" "))
            })
            .unwrap()
            .map(Result::unwrap)
            .collect();
        out.sort();
        out
    };
    let mut shape =
        rows(format!("SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info('{table}')"));
    shape.extend(rows(format!(
        "SELECT \"table\", \"from\", \"to\", on_update, on_delete FROM pragma_foreign_key_list('{table}')"
    )));
    shape.extend(rows(format!(
        "SELECT il.name, il.\"unique\", (SELECT group_concat(name) FROM pragma_index_info(il.name))
         FROM pragma_index_list('{table}') il"
    )));
    // Deferred foreign keys are said only in the table's SQL.
    let sql: String =
        conn.query_row("SELECT sql FROM sqlite_schema WHERE name = ?1", [table], |r| r.get(0)).unwrap();
    shape.push(format!("deferred references: {}", sql.matches("DEFERRABLE INITIALLY DEFERRED").count()));
    shape
}

#[test]
fn a_store_created_by_the_shipped_001_ends_as_a_store_derived_from_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    // A store as the first release created it: 001 with the synced tables written out by hand.
    let old = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&old).unwrap();
        conn.execute_batch(include_str!("corpus/001_init_as_shipped.sql")).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.pragma_update(None, "application_id", 0x5253_5446).unwrap();
    }
    let old = Store::open(&old).unwrap();
    let new = Store::open(&dir.path().join("new.db")).unwrap();
    for table in TABLES {
        assert_eq!(
            shape(old.test_connection(), table.name),
            shape(new.test_connection(), table.name),
            "{}",
            table.name
        );
    }
    // And it works as one: a shift of an employee saved, listed and refused on overlap alike.
    for mut store in [old, new] {
        let user = manager(&store);
        let id = employee(&mut store, &user, "ŞEBNEM İNCE");
        let save = |store: &mut Store, start: &str, end: &str| {
            let fields = fields_of(&shift(id, "2026-03-02", start, end));
            store.save_record(&user, &TIMESHEETS, None, "Izmir", fields, SaveOptions::default())
        };
        save(&mut store, "08:00", "12:00").unwrap();
        assert!(save(&mut store, "11:00", "13:00").is_err(), "the overlap is refused");
        assert_eq!(count(&store, RECORD_CHANGES), 2);
    }
}

#[test]
fn every_change_writes_its_audit_entry_in_its_own_transaction() {
    use rainstaff::db::audit::Filter;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    let id = employee(&mut store, &user, "ŞEBNEM İNCE");
    let edit = serde_json::json!({"title": "Şef", "department": "Depo"}).as_object().unwrap().clone();
    store.save_record(&user, &EMPLOYEES, Some(id), "Izmir", edit.clone(), SaveOptions::default()).unwrap();
    // Saving the same values again is no change, and no entry.
    store.save_record(&user, &EMPLOYEES, Some(id), "Izmir", edit, SaveOptions::default()).unwrap();
    store.delete_record(&user, &EMPLOYEES, id).unwrap();

    let entries = store.audit_entries(&Filter::default()).unwrap();
    let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["delete", "update", "create"], "newest first");
    for e in &entries {
        assert_eq!((e.username.as_str(), e.region.as_str()), ("müdür", "Izmir"));
        assert_eq!(e.record.as_deref(), Some("ŞEBNEM İNCE"));
        assert_eq!(e.record_id.as_deref(), Some(&*id.to_string()));
        assert!(!e.device.is_empty());
    }
    let changes: Value = serde_json::from_str(entries[1].changes.as_deref().unwrap()).unwrap();
    assert_eq!(changes, serde_json::json!({"department": [null, "Depo"], "title": [null, "Şef"]}));
    let deleted: Value = serde_json::from_str(entries[0].changes.as_deref().unwrap()).unwrap();
    assert_eq!(
        deleted["full_name"],
        serde_json::json!(["ŞEBNEM İNCE", null]),
        "a delete keeps what was there"
    );
    // Each entry travels to the server like a record, in the order of the changes.
    let queued: Vec<String> = {
        let mut stmt =
            store.test_connection().prepare("SELECT table_name FROM outbox ORDER BY mutation_id").unwrap();
        stmt.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(queued.iter().filter(|t| *t == "audit_entries").count(), 3, "{queued:?}");

    // A change that fails writes neither the record nor its entry.
    store
        .test_connection()
        .execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON audit_entries BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .unwrap();
    let e = Employee { full_name: "KAYITSIZ".into(), ..Employee::default() };
    let err = store.save_record(&user, &EMPLOYEES, None, "Izmir", fields_of(&e), SaveOptions::default());
    assert!(matches!(err, Err(SaveError::Store(_))), "{err:?}");
    assert_eq!(count(&store, "SELECT count(*) FROM employees WHERE full_name = 'KAYITSIZ'"), 0);

    // The filters: by action, user (Turkish-aware), record and days.
    let only = |f: Filter| store.audit_entries(&f).unwrap().len();
    assert_eq!(only(Filter { action: Some("update".into()), ..Filter::default() }), 1);
    assert_eq!(only(Filter { username: Some("MÜDÜR".into()), ..Filter::default() }), 3);
    assert_eq!(only(Filter { record: Some("şebnem".into()), ..Filter::default() }), 3);
    assert_eq!(only(Filter { region: Some("Ankara".into()), ..Filter::default() }), 0);
    let today = chrono::Local::now().date_naive();
    assert_eq!(only(Filter { from: Some(today), to: Some(today), ..Filter::default() }), 3);
    let yesterday = today.pred_opt().unwrap();
    assert_eq!(only(Filter { to: Some(yesterday), ..Filter::default() }), 0);
}

#[test]
fn a_locked_month_takes_no_shift_and_no_holiday_until_unlocked_with_a_reason() {
    use rainstaff::db::audit::Filter;
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let manager = manager(&store);
    let admin = admin(&store);
    let id = employee(&mut store, &manager, "ŞEBNEM İNCE");
    let fields = fields_of(&shift(id, "2026-03-02", "08:00", "12:00"));
    let march =
        store.save_record(&manager, &TIMESHEETS, None, "Izmir", fields, SaveOptions::default()).unwrap();

    store.set_period(&manager, "Izmir", "2026-03", "approved", None).unwrap();
    let approved = store.period("Izmir", "2026-03").unwrap().unwrap();
    assert_eq!((approved.state.as_str(), approved.by.as_str()), ("approved", "müdür"));
    store.set_period(&admin, "Izmir", "2026-03", "locked", None).unwrap();
    assert!(store.period("Izmir", "2026-03").unwrap().unwrap().is_locked());

    let fields = fields_of(&shift(id, "2026-03-03", "08:00", "12:00"));
    let refused = store.save_record(&manager, &TIMESHEETS, None, "Izmir", fields, SaveOptions::default());
    assert_eq!(problems(refused), [("work_date".to_string(), Problem::PeriodLocked)]);
    let err = store.delete_record(&manager, &TIMESHEETS, march).unwrap_err();
    assert!(matches!(&err, SaveError::Fields(e) if e[0].problem == Problem::PeriodLocked), "{err:?}");
    let edit = serde_json::json!({"weekly_minutes": 2250}).as_object().unwrap().clone();
    let err = store.save_record(&manager, &EMPLOYEES, Some(id), "Izmir", edit, SaveOptions::default());
    assert_eq!(problems(err.map(|_| id)), [("weekly_minutes".to_string(), Problem::PeriodLocked)]);
    let holiday = rainstaff_core::hours::HolidayDay::new(
        chrono::NaiveDate::from_ymd_opt(2026, 3, 20).unwrap(),
        rainstaff_core::hours::HolidayKind::Full,
        "Şirket günü",
    );
    let err = store.add_holiday(&holiday).unwrap_err();
    assert!(err.to_string().contains("2026-03 is locked for payroll (Izmir)"), "{err}");
    // April is open; approving a locked month would reopen it by the back door.
    let fields = fields_of(&shift(id, "2026-04-01", "08:00", "12:00"));
    store.save_record(&manager, &TIMESHEETS, None, "Izmir", fields, SaveOptions::default()).unwrap();
    let err = store.set_period(&manager, "Izmir", "2026-03", "approved", None).unwrap_err();
    assert!(matches!(&err, SaveError::Fields(e) if e[0].problem == Problem::PeriodLocked), "{err:?}");

    let err = store.set_period(&admin, "Izmir", "2026-03", "unlocked", Some("  ")).unwrap_err();
    assert!(matches!(&err, SaveError::Fields(e) if e[0].field == "reason"), "an unlock says why: {err:?}");
    store.set_period(&admin, "Izmir", "2026-03", "unlocked", Some("Eksik mesai")).unwrap();
    store.delete_record(&manager, &TIMESHEETS, march).unwrap();
    store.add_holiday(&holiday).unwrap();
    let trail = store.audit_entries(&Filter { record: Some("2026-03".into()), ..Filter::default() }).unwrap();
    let actions: Vec<&str> = trail.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["unlock", "lock", "approve"], "{trail:?}");
    assert!(trail[0].changes.as_deref().unwrap().contains("Eksik mesai"));
}

#[test]
fn an_undo_brings_a_waiting_delete_back_as_it_was_and_a_sent_one_under_a_new_id() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    let id = employee(&mut store, &user, "ŞEBNEM İNCE");
    let fields = fields_of(&shift(id, "2026-03-02", "08:00", "12:00"));
    let morning =
        store.save_record(&user, &TIMESHEETS, None, "Izmir", fields, SaveOptions::default()).unwrap();
    let title = store.delete_record(&user, &TIMESHEETS, morning).unwrap();
    assert_eq!(title.as_deref(), Some("ŞEBNEM İNCE · 02.03.2026 · 08:00–12:00"));

    // Still waiting to be sent: back with its id, and the delete sends nothing of it.
    let before = count(&store, "SELECT max(mutation_id) FROM outbox");
    assert_eq!(store.undo_delete(&user, &TIMESHEETS, morning).unwrap(), morning);
    assert!(store.shift(morning).unwrap().is_some());
    assert_eq!(count(&store, "SELECT count(*) FROM outbox WHERE op = 'delete'"), 0);
    assert_eq!(
        count(&store, "SELECT max(mutation_id) FROM outbox"),
        before + 1,
        "only the restore's audit entry"
    );
    let ops: Vec<String> = {
        let mut stmt = store.test_connection().prepare("SELECT op FROM outbox WHERE row_id = ?1").unwrap();
        stmt.query_map([morning], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(ops, ["upsert", "upsert"], "the delete became the row as it was: no gap in the mutation ids");

    // A shift entered since in its place: the undo is refused and changes nothing.
    store.delete_record(&user, &TIMESHEETS, morning).unwrap();
    let fields = fields_of(&shift(id, "2026-03-02", "09:00", "10:00"));
    store.save_record(&user, &TIMESHEETS, None, "Izmir", fields, SaveOptions::default()).unwrap();
    let refused = store.undo_delete(&user, &TIMESHEETS, morning);
    assert_eq!(problems(refused), [("start_time".to_string(), Problem::Overlap)]);
    assert!(store.shift(morning).unwrap().is_none());

    // A row the server holds comes back without sending its fields again: what another PC
    // changed meanwhile stands.
    let held = employee(&mut store, &user, "DERYA AK");
    acknowledge(&store, "employees", held, 2);
    store.delete_record(&user, &EMPLOYEES, held).unwrap();
    assert_eq!(store.undo_delete(&user, &EMPLOYEES, held).unwrap(), held);
    let sent: Vec<(String, String)> = {
        let mut stmt =
            store.test_connection().prepare("SELECT op, fields FROM outbox WHERE row_id = ?1").unwrap();
        stmt.query_map([held], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().map(Result::unwrap).collect()
    };
    assert_eq!(sent, [("upsert".to_string(), "{}".to_string())]);

    // A delete a push took may have reached the server though its answer did not come back:
    // it is not undone in place.
    store.delete_record(&user, &EMPLOYEES, held).unwrap();
    let taken = count(&store, "SELECT max(mutation_id) FROM outbox");
    store.set_sync_state(rainstaff::db::sync::SENT_KEY, &taken.to_string()).unwrap();
    let again = store.undo_delete(&user, &EMPLOYEES, held).unwrap();
    assert_ne!(again, held);
    assert_eq!(
        count(
            &store,
            &format!("SELECT count(*) FROM outbox WHERE row_id = x'{}' AND op = 'delete'", held.simple())
        ),
        1
    );

    // Sent already: the server's tombstone is final, so it comes back as a new record.
    let other = employee(&mut store, &user, "AYLA KAYA");
    acknowledge(&store, "employees", other, 3);
    store.delete_record(&user, &EMPLOYEES, other).unwrap();
    store.test_connection().execute("DELETE FROM outbox WHERE row_id = ?1", [other]).unwrap();
    let again = store.undo_delete(&user, &EMPLOYEES, other).unwrap();
    assert_ne!(again, other);
    assert_eq!(store.employee(again).unwrap().unwrap().data.full_name, "AYLA KAYA");
    assert!(store.employee(other).unwrap().is_none(), "the old id stays deleted");
}

#[test]
fn only_five_failures_within_five_minutes_lock_a_name_and_a_sign_in_starts_the_count_again() {
    use rainstaff::db::users::AuthError;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    manager(&store);
    let wrong = |n: usize| {
        (0..n).map(|_| store.sign_in("müdür", "yanlış-parola").unwrap().unwrap_err()).last().unwrap()
    };
    let locked = |e: &AuthError| matches!(e, AuthError::Locked { .. });

    assert!(!locked(&wrong(4)));
    assert!(store.sign_in("MÜDÜR", "parola-12345").unwrap().is_ok(), "four failures do not lock");
    assert!(!locked(&wrong(4)), "the sign-in started the count again");
    // The four are older than the window: the next failure is the first of a new count.
    store
        .test_connection()
        .execute("UPDATE sign_in_failures SET first_at = '2000-01-01T00:00:00.000Z'", [])
        .unwrap();
    assert!(!locked(&wrong(4)));
    assert!(locked(&wrong(1)), "the fifth within the window locks");
    assert!(locked(&store.sign_in("müdür", "parola-12345").unwrap().unwrap_err()), "the right one waits");
}
