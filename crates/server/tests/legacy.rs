//! Legacy PCs' whole-file uploads (`POST /sync` multipart) during the migration, with the real
//! anonymized legacy databases.

mod common;

use std::path::PathBuf;

use common::{Harness, assert_error};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const KEY: &str = "eski-sistem-anahtari-2024";

fn sample(name: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/legacy-samples")).join(name)
}

async fn upload_bytes(
    h: &Harness,
    bytes: Vec<u8>,
    key: Option<&str>,
    region: Option<&str>,
) -> (StatusCode, Value) {
    let form = Form::new().part("db", Part::bytes(bytes).file_name("puantaj.db"));
    let mut request = h.http.post(h.url("/sync")).multipart(form);
    if let Some(key) = key {
        request = request.header("X-API-KEY", key);
    }
    if let Some(region) = region {
        request = request.header("X-Region", region);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap())
}

async fn upload(h: &Harness, file: &str, region: &str) -> Value {
    let (status, body) = upload_bytes(h, std::fs::read(sample(file)).unwrap(), Some(KEY), Some(region)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

fn count(report: &Value, kind: &str, table: &str) -> u64 {
    report["report"][kind][table].as_u64().unwrap_or(0)
}

#[tokio::test]
async fn uploads_need_the_key_the_administrator_set() {
    let h = Harness::start().await;
    let file = std::fs::read(sample("F2_v3_s2.db")).unwrap();
    let before = h.dump();
    let (status, body) = upload_bytes(&h, file.clone(), Some(KEY), Some("Ankara")).await;
    assert_error(status, &body, 403, "legacy_disabled");

    h.server().set_legacy_key(Some(KEY)).unwrap();
    let before_attempts = h.dump();
    assert_ne!(before, before_attempts);
    let cases = [
        (None, Some("Ankara"), 401, "missing_api_key"),
        (Some("yanlış-anahtar-123"), Some("Ankara"), 401, "invalid_api_key"),
        (Some(KEY), None, 400, "invalid_region"),
        (Some(KEY), Some("ALL"), 400, "invalid_region"),
    ];
    for (key, region, code, error) in cases {
        let (status, body) = upload_bytes(&h, file.clone(), key, region).await;
        assert_error(status, &body, code, error);
    }
    let (status, body) = upload_bytes(&h, b"not a database at all".to_vec(), Some(KEY), Some("Ankara")).await;
    assert_error(status, &body, 400, "invalid_legacy_file");
    assert!(!body["message"].as_str().unwrap().contains("/tmp"), "{body}");
    let wrong_field = Form::new().part("file", Part::bytes(file).file_name("puantaj.db"));
    let response = h
        .http
        .post(h.url("/sync"))
        .header("X-API-KEY", KEY)
        .header("X-Region", "Ankara")
        .multipart(wrong_field);
    let response = response.send().await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 400, "missing_file");
    assert_eq!(h.dump(), before_attempts);
    assert!(h.server().set_legacy_key(Some("kısa")).is_err());
}

#[tokio::test]
async fn an_office_file_is_imported_once_and_reaches_its_devices_only() {
    let h = Harness::start().await;
    h.server().set_legacy_key(Some(KEY)).unwrap();
    let ankara = h.enroll("Ankara", "Yeni Ankara PC").await;
    let izmir = h.enroll("Izmir", "İzmir PC").await;

    let first = upload(&h, "F2_v3_s2.db", "ankara").await;
    assert_eq!(first["region"], "Ankara");
    assert_eq!(count(&first, "imported", "employees"), 8);
    assert_eq!(count(&first, "imported", "timesheets"), 76);
    let (changes, _) = ankara.pull_all(0).await;
    let of = |table: &str| changes.iter().filter(|c| c.row.table == table).count();
    assert_eq!((of("employees"), of("timesheets")), (8, 76));
    assert!(changes.iter().all(|c| c.row.region == "Ankara" && c.row.deleted_at.is_none()));
    assert_eq!(first["head_seq"], changes.last().unwrap().seq);
    assert!(izmir.pull_all(0).await.0.is_empty());

    // The same file again changes nothing.
    let log = h.count("SELECT COUNT(*) FROM change_log");
    let again = upload(&h, "F2_v3_s2.db", "Ankara").await;
    assert_eq!(count(&again, "imported", "employees") + count(&again, "imported", "timesheets"), 0);
    assert_eq!(count(&again, "unchanged", "timesheets"), 76);
    assert_eq!(h.count("SELECT COUNT(*) FROM change_log"), log);
}

#[tokio::test]
async fn file_tombstones_apply_but_rainstaff_edits_are_never_undone() {
    let h = Harness::start().await;
    h.server().set_legacy_key(Some(KEY)).unwrap();
    let device = h.enroll("Ankara", "Yeni PC").await;
    upload(&h, "F3_v4_s3.db", "Ankara").await;
    let (changes, cursor) = device.pull_all(0).await;
    let live_sheets: Vec<_> = changes
        .iter()
        .filter(|c| c.row.table == "timesheets" && c.row.deleted_at.is_none())
        .map(|c| c.row.id)
        .collect();
    let employee = changes.iter().find(|c| c.row.table == "employees").unwrap().row.clone();

    // A Rainstaff desktop edits an employee; then the office's legacy PC uploads its newer file.
    let edit = device.upsert("employees", employee.id, json!({"title": "Vardiya Amiri"}), employee.version);
    device.push(&[edit]).await;
    let second = upload(&h, "F1_v4_s4.db", "Ankara").await;
    let (changes, _) = device.pull_all(cursor).await;
    // Timesheet 107 was live and is deleted in the newer file; its other tombstones are of rows
    // the server never had, kept so an older file cannot bring them in.
    let newly_deleted: Vec<_> =
        changes.iter().filter(|c| c.row.deleted_at.is_some() && live_sheets.contains(&c.row.id)).collect();
    assert_eq!(newly_deleted.len(), 1);
    assert_eq!(newly_deleted[0].row.table, "timesheets");
    assert_eq!(
        h.count("SELECT COUNT(*) FROM timesheets WHERE deleted_at IS NULL"),
        live_sheets.len() as i64 - 1
    );
    let again = upload(&h, "F3_v4_s3.db", "Ankara").await;
    assert_eq!(count(&again, "imported", "timesheets"), 0, "an older file does not bring 107 back");
    let title: String = rusqlite::Connection::open(&h.db)
        .unwrap()
        .query_row("SELECT title FROM employees WHERE id = ?1", [employee.id.to_string()], |r| r.get(0))
        .unwrap();
    assert_eq!(title, "Vardiya Amiri");
    let warnings = second["report"]["warnings"].to_string();
    assert!(warnings.contains("changed in Rainstaff since"), "{warnings}");
    assert!(!warnings.contains("upload.db") && !warnings.contains("/tmp"), "{warnings}");
}

#[tokio::test]
async fn rows_of_other_offices_in_a_file_are_left_out() {
    let h = Harness::start().await;
    h.server().set_legacy_key(Some(KEY)).unwrap();
    let bursa = h.enroll("Bursa", "Bursa PC").await;
    let ankara = h.enroll("Ankara", "Ankara PC").await;
    let report = upload(&h, "F8_v5_demo.db", "Bursa").await;
    assert_eq!(count(&report, "imported", "employees"), 2);
    assert_eq!(count(&report, "imported", "timesheets"), 16);
    assert!(report["report"]["warnings"].to_string().contains("rows of other regions left out"));
    let (changes, _) = bursa.pull_all(0).await;
    assert_eq!(changes.len(), 18);
    assert!(ankara.pull_all(0).await.0.is_empty());
    assert_eq!(h.count("SELECT COUNT(*) FROM employees WHERE region <> 'Bursa'"), 0);
}
