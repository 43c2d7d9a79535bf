//! The local store on real SQLite files: migrations, reopening, and the outbox entry that every
//! write appends in its own transaction.

use rainstaff::db::Store;
use rainstaff::db::edits::{SaveError, SaveOptions};
use rainstaff::db::users::{Role, User};
use rainstaff::model::{Employee, Shift, fields_of};
use rainstaff_core::schema::{EMPLOYEES, TABLES, TIMESHEETS};
use rainstaff_core::validate::Problem;
use uuid::Uuid;

fn manager(store: &Store) -> User {
    store.create_user("müdür", Some("parola-12345"), Role::Manager, "Izmir").unwrap()
}

fn count(store: &Store, sql: &str) -> i64 {
    store.conn.query_row(sql, [], |r| r.get(0)).unwrap()
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

#[test]
fn migrates_an_empty_file_and_every_schema_column_exists() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    // Every numbered migration in migrations/ has run.
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations")).unwrap().count();
    assert_eq!(count(&store, "PRAGMA user_version"), migrations as i64);
    assert_eq!(count(&store, "PRAGMA foreign_keys"), 1);
    let mode: String = store.conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    for table in TABLES {
        let mut stmt =
            store.conn.prepare(&format!("SELECT name FROM pragma_table_info('{}')", table.name)).unwrap();
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
        assert_eq!(count(&store, "SELECT count(*) FROM outbox"), 1);
        let edit = serde_json::json!({"title": "Şef"}).as_object().unwrap().clone();
        store
            .save_record(&user, &EMPLOYEES, Some(id), "Izmir", edit.clone(), SaveOptions::default())
            .unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM outbox"), 2);
        // Saving the same values again changes nothing and sends nothing.
        store.save_record(&user, &EMPLOYEES, Some(id), "Izmir", edit, SaveOptions::default()).unwrap();
        assert_eq!(count(&store, "SELECT count(*) FROM outbox"), 2);
        let fields: String = store
            .conn
            .query_row("SELECT fields FROM outbox ORDER BY mutation_id DESC", [], |r| r.get(0))
            .unwrap();
        // The row was never acknowledged by a server, so the edit carries every field.
        assert!(fields.contains("full_name") && fields.contains("Şef"), "{fields}");
        id
    };
    let store = Store::open(&path).unwrap();
    let e = store.employee(id).unwrap().unwrap();
    assert_eq!(e.data.full_name, "ŞEBNEM İNCE");
    assert_eq!(e.data.title.as_deref(), Some("Şef"));
    assert_eq!(count(&store, "SELECT count(*) FROM outbox"), 2);
}

#[test]
fn a_failed_outbox_append_leaves_nothing_behind() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("rainstaff.db")).unwrap();
    let user = manager(&store);
    store
        .conn
        .execute_batch(
            "CREATE TEMP TRIGGER boom BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .unwrap();
    let e = Employee { full_name: "KAYBOLMAYAN".into(), ..Employee::default() };
    let err = store.save_record(&user, &EMPLOYEES, None, "Izmir", fields_of(&e), SaveOptions::default());
    assert!(matches!(err, Err(SaveError::Store(_))), "{err:?}");
    assert_eq!(count(&store, "SELECT count(*) FROM employees"), 0);
    assert_eq!(count(&store, "SELECT count(*) FROM outbox"), 0);
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
