//! Files that cannot be imported fail as a whole, with a message naming the file and the problem;
//! files that can are never changed by being read.

use std::path::{Path, PathBuf};

use rainstaff_legacy::{LegacyError, read_legacy};
use rusqlite::Connection;

use crate::common::{namespaces, sample};

fn error_for(path: &Path) -> (LegacyError, String) {
    let error = read_legacy(path, "ALL", &namespaces()).expect_err("the file must be refused");
    let message = error.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    (error, message)
}

fn database_with(dir: &Path, name: &str, sql: &str) -> PathBuf {
    let path = dir.join(name);
    Connection::open(&path).unwrap().execute_batch(sql).unwrap();
    path
}

#[test]
fn a_truncated_copy_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("puantaj.db");
    let bytes = std::fs::read(sample("F1_v4_s4.db")).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let (error, message) = error_for(&path);
    assert!(matches!(error, LegacyError::Corrupt { .. }), "{error:?}");
    assert!(message.contains("damaged or truncated"), "{message}");
}

#[test]
fn a_text_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("puantaj.db");
    std::fs::write(&path, "ad;soyad;tarih\nSELİM;KARAAĞAÇ;05.01.2026\n".repeat(40)).unwrap();
    let (error, message) = error_for(&path);
    assert!(matches!(error, LegacyError::NotSqlite { .. }), "{error:?}");
    assert!(message.contains("not a SQLite database"), "{message}");
}

#[test]
fn a_missing_required_column_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_with(
        dir.path(),
        "no_start.db",
        "CREATE TABLE employees (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL);
         CREATE TABLE timesheets (id INTEGER PRIMARY KEY, employee_id INTEGER NOT NULL,
             work_date TEXT NOT NULL, end_time TEXT NOT NULL, break_minutes INTEGER);
         INSERT INTO employees VALUES (1, 'SELİM');
         INSERT INTO timesheets VALUES (1, 1, '2026-01-05', '17:30', 60);",
    );
    let (error, message) = error_for(&path);
    assert!(
        matches!(error, LegacyError::MissingColumn { table: "timesheets", column: "start_time", .. }),
        "{error:?}"
    );
    assert!(message.contains("timesheets") && message.contains("start_time"), "{message}");
}

#[test]
fn unrelated_tables_are_an_unknown_variant() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_with(
        dir.path(),
        "shop.db",
        "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);
         CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL);",
    );
    let (error, message) = error_for(&path);
    assert!(matches!(error, LegacyError::UnknownVariant { .. }), "{error:?}");
    assert!(message.contains("customers, invoices"), "{message}");
}

#[test]
fn half_a_legacy_schema_names_the_missing_table() {
    let dir = tempfile::tempdir().unwrap();
    let path = database_with(
        dir.path(),
        "half.db",
        "CREATE TABLE employees (id INTEGER PRIMARY KEY, full_name TEXT NOT NULL);",
    );
    let (error, _) = error_for(&path);
    assert!(matches!(error, LegacyError::MissingTable { table: "timesheets", .. }), "{error:?}");
}

#[test]
fn a_missing_file_is_not_created() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("yok.db");
    let (error, _) = error_for(&path);
    assert!(matches!(error, LegacyError::Open { .. }), "{error:?}");
    assert!(!path.exists());
}

#[test]
fn reading_leaves_the_file_and_its_directory_as_they_were() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("puantaj kopyası #1.db");
    std::fs::copy(sample("F1_v4_s4.db"), &path).unwrap();
    let before = std::fs::read(&path).unwrap();
    read_legacy(&path, "ALL", &namespaces()).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, [path.file_name().unwrap()], "no -wal, -shm or -journal beside it");
}
