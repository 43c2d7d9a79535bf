//! Legacy PCs' whole-file uploads (`POST /sync` multipart) during the migration, with the real
//! anonymized legacy databases.

mod common;

use common::{Harness, assert_error, sample, three_regions};
use rainstaff_core::schema::{EMPLOYEES, TIMESHEETS};
use rainstaff_server::store::Tx;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const KEY: &str = "eski-sistem-anahtari-2024";

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
    let before = h.stored();
    let (status, body) = upload_bytes(&h, file.clone(), Some(KEY), Some("Ankara")).await;
    assert_error(status, &body, 403, "legacy_disabled");

    h.server().set_legacy_key(Some(KEY)).unwrap();
    let before_attempts = h.stored();
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
    assert_eq!(h.stored(), before_attempts);
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
    let log = h.read(|tx| tx.count_changes(None, 0));
    let again = upload(&h, "F2_v3_s2.db", "Ankara").await;
    assert_eq!(count(&again, "imported", "employees") + count(&again, "imported", "timesheets"), 0);
    assert_eq!(count(&again, "unchanged", "timesheets"), 76);
    assert_eq!(h.read(|tx| tx.count_changes(None, 0)), log);
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
    assert_eq!(h.rows(&TIMESHEETS).iter().filter(|r| r.deleted_at.is_none()).count(), live_sheets.len() - 1);
    let again = upload(&h, "F3_v4_s3.db", "Ankara").await;
    assert_eq!(count(&again, "imported", "timesheets"), 0, "an older file does not bring 107 back");
    let title = h.read(|tx| tx.row(&EMPLOYEES, employee.id)).unwrap().state.fields["title"].clone();
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
    assert_eq!(report["report"]["region"], "Bursa");
    assert_eq!(report["report"]["left_out"], json!({"employees": 3, "timesheets": 18}));
    let (changes, _) = bursa.pull_all(0).await;
    assert_eq!(changes.len(), 18);
    assert!(ankara.pull_all(0).await.0.is_empty());
    assert_eq!(h.rows(&EMPLOYEES).iter().filter(|r| r.region != "Bursa").count(), 0);
}

#[tokio::test]
async fn an_upload_finds_the_rows_the_migration_load_made() {
    let h = Harness::start().await;
    h.server().set_legacy_key(Some(KEY)).unwrap();
    let file = three_regions(h.dir.path());
    let loaded = h.server().import_legacy_file(&file, "ALL").unwrap();
    assert_eq!(loaded.report.imported["employees"], 9);
    let log = h.read(|tx| tx.count_changes(None, 0));

    // An İzmir PC of the old system uploads the same company file: İzmir's rows are there
    // already. What the file places in no region (the shift templates; the deletions of rows it
    // no longer holds) the whole load gave Ankara, the legacy default; an İzmir import takes it
    // as İzmir's own, once.
    let (status, body) = upload_bytes(&h, std::fs::read(&file).unwrap(), Some(KEY), Some("Izmir")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["report"]["imported"], json!({"shift_templates": 2}), "{body}");
    assert_eq!(body["report"]["unchanged"]["timesheets"], 29);
    assert_eq!(body["report"]["left_out"]["employees"], 7);
    assert_eq!(h.read(|tx| tx.count_changes(None, 0)), log + 7);
    let (_, again) = upload_bytes(&h, std::fs::read(&file).unwrap(), Some(KEY), Some("Izmir")).await;
    assert_eq!(again["report"]["imported"], json!({}), "{again}");
    assert_eq!(h.read(|tx| tx.count_changes(None, 0)), log + 7);
    // The server keeps no accounts, and says so where it names what stays behind.
    let users = again["report"]["not_imported"].as_array().unwrap().iter().find(|n| n["table"] == "users");
    assert!(
        users.unwrap()["why"].as_str().unwrap().contains("the server keeps no office sign-ins"),
        "{body}"
    );
}

#[tokio::test]
async fn id_namespaces_are_handed_out_per_region() {
    let h = Harness::start().await;
    let izmir = h.enroll("Izmir", "İzmir PC").await;
    let again = h.enroll("İZMİR", "İzmir PC 2").await;
    let admin = h.enroll("ALL", "Yönetici PC").await;
    // An office PC gets its own region's namespace only, the same for every PC of the region.
    assert_eq!(izmir.id_namespaces.keys().collect::<Vec<_>>(), ["Izmir"]);
    assert_eq!(izmir.id_namespaces, again.id_namespaces);
    // An administrator's PC gets every region the server knows, with the same namespaces.
    for region in ["Adana", "Ankara", "Istanbul", "Izmir"] {
        assert!(admin.id_namespaces.contains_key(region), "{:?}", admin.id_namespaces);
    }
    assert_eq!(admin.id_namespaces["Izmir"], izmir.id_namespaces["Izmir"]);
    assert_ne!(admin.id_namespaces["Ankara"], izmir.id_namespaces["Izmir"]);

    let ask = |dev: &common::Dev, regions: Value| {
        dev.request(reqwest::Method::POST, "/sync/id-namespaces").json(&json!({ "regions": regions })).send()
    };
    // A region met later: the administrator's PC asks for it.
    let response = ask(&admin, json!(["trabzon"])).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let answer: Value = response.json().await.unwrap();
    let trabzon = answer["id_namespaces"]["Trabzon"].as_str().unwrap().to_string();
    let answer: Value = ask(&admin, json!(["Trabzon"])).await.unwrap().json().await.unwrap();
    assert_eq!(answer["id_namespaces"]["Trabzon"], trabzon.as_str(), "the same namespace every time");
    // An office PC gets its own again, and nobody else's; nonsense is refused by name.
    let answer: Value = ask(&izmir, json!(["Izmir"])).await.unwrap().json().await.unwrap();
    assert_eq!(answer["id_namespaces"]["Izmir"], izmir.id_namespaces["Izmir"].to_string());
    let response = ask(&izmir, json!(["Ankara"])).await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 403, "region_forbidden");
    let response = ask(&admin, json!(["ALL"])).await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 400, "invalid_region");
    let many: Vec<String> = (0..101).map(|i| format!("Bolge{i}")).collect();
    let response = ask(&admin, json!(many)).await.unwrap();
    let status = response.status();
    assert_error(status, &response.json().await.unwrap(), 400, "too_many_regions");

    // Another server has another secret: other namespaces for the same regions.
    let other = Harness::start().await;
    let elsewhere = other.enroll("Izmir", "Başka sunucu").await;
    assert_ne!(elsewhere.id_namespaces["Izmir"], izmir.id_namespaces["Izmir"]);
}
