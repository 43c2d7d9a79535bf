//! The administration commands through the real binary.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rainstaff_core::ids::legacy_id;
use rainstaff_core::protocol::PROTOCOL_HEADER;
use rainstaff_server::Server;
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rainstaff-server");

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--db").arg(db).args(args).env("RUST_LOG", "warn").output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn init(dir: &Path, db: &Path) {
    let password = dir.join("password.txt");
    std::fs::write(&password, "çok gizli bir parola\n").unwrap();
    stdout(&run(db, &["init", "--password-file", password.to_str().unwrap()]));
}

/// Kills the server if a test fails before stopping it.
struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn serve(db: &Path) -> (Serving, String) {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{line:?}")).to_string();
    (Serving(child), url)
}

#[test]
fn init_refuses_short_passwords_and_creates_one_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let short = dir.path().join("short.txt");
    std::fs::write(&short, "kısa\n").unwrap();
    let output = run(&db, &["init", "--password-file", short.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 12 characters"));
    assert!(!db.exists(), "a refused init must not leave a database behind");

    init(dir.path(), &db);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (user, hash, region): (String, String, String) = conn
        .query_row("SELECT username, password_hash, region FROM users", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!((user.as_str(), region.as_str()), ("admin", "ALL"));
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains("çok gizli"));

    let again = run(&db, &["init", "--password-file", dir.path().join("password.txt").to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already has an administrator"));
}

#[test]
fn commands_other_than_init_need_an_existing_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("typo.db");
    for args in [&["devices"][..], &["enroll-code", "--region", "Ankara"], &["serve"], &["backup"]] {
        let output = run(&db, args);
        assert!(!output.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&output.stderr).contains("no database"), "{args:?}");
    }
    assert!(!db.exists());
    // A file that is not ours is refused, not modified.
    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    let output = run(&foreign, &["devices"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("not a Rainstaff server database"));
}

#[tokio::test]
async fn enroll_code_serve_devices_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let printed = stdout(&run(&db, &["enroll-code", "--region", "İSTANBUL"]));
    assert!(printed.contains("İstanbul"), "{printed}");
    let code = printed.split_whitespace().last().unwrap().to_string();

    let (mut serving, url) = serve(&db);
    let http = reqwest::Client::new();
    let health: Value = http.get(format!("{url}/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    let enrolled: Value = http
        .post(format!("{url}/enroll"))
        .json(&json!({"code": code, "name": "Kadıköy PC"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(enrolled["region"], "Istanbul");
    let device = enrolled["device_id"].as_str().unwrap().to_string();
    let token = enrolled["token"].as_str().unwrap().to_string();
    let changes = |token: String| {
        http.get(format!("{url}/sync/changes?since=0")).header(PROTOCOL_HEADER, "1").bearer_auth(token).send()
    };
    assert_eq!(changes(token.clone()).await.unwrap().status(), 200);

    // The admin commands work beside the running server.
    let listed = stdout(&run(&db, &["devices"]));
    let row = listed.lines().find(|l| l.contains(&device)).unwrap_or_else(|| panic!("{listed}"));
    assert!(row.contains("Kadıköy PC") && row.contains("Istanbul") && row.contains("active"), "{row}");
    assert!(!listed.contains(&token));
    stdout(&run(&db, &["revoke", &device]));
    let refused: Value = changes(token).await.unwrap().json().await.unwrap();
    assert_eq!(refused["error"], "token_revoked");
    assert!(stdout(&run(&db, &["devices"])).contains("revoked"));

    // SIGTERM stops it cleanly.
    let pid = serving.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = serving.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn backups_and_a_database_from_a_newer_server() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    stdout(&run(&db, &["enroll-code", "--region", "ALL"]));

    let copy = dir.path().join("copy.db");
    stdout(&run(&db, &["backup", "--out", copy.to_str().unwrap()]));
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let codes: i64 = conn.query_row("SELECT COUNT(*) FROM enroll_codes", [], |r| r.get(0)).unwrap();
    assert_eq!(codes, 1);
    let overwrite = run(&db, &["backup", "--out", copy.to_str().unwrap()]);
    assert!(!overwrite.status.success());

    let printed = stdout(&run(&db, &["backup"]));
    let backups: Vec<_> =
        std::fs::read_dir(dir.path().join("backups")).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(backups.len(), 1);
    assert!(printed.contains(backups[0].to_str().unwrap()));

    rusqlite::Connection::open(&db).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let output = run(&db, &["devices"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("newer rainstaff-server"));
}

#[test]
fn the_database_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let output = Command::new(BIN).arg("devices").env("RAINSTAFF_SERVER_DB", &db).output().unwrap();
    assert!(stdout(&output).contains("No devices"));
}

#[test]
fn legacy_key_set_and_clear() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let key_file = dir.path().join("key.txt");
    std::fs::write(&key_file, "kısa\n").unwrap();
    let short = run(&db, &["legacy-key", "set", "--key-file", key_file.to_str().unwrap()]);
    assert!(!short.status.success());
    std::fs::write(&key_file, "eski-sistem-anahtari-2024\n").unwrap();
    stdout(&run(&db, &["legacy-key", "set", "--key-file", key_file.to_str().unwrap()]));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let stored: String =
        conn.query_row("SELECT value FROM settings WHERE key LIKE 'legacy%'", [], |r| r.get(0)).unwrap();
    assert_eq!(stored.len(), 64);
    assert!(!stored.contains("anahtar"));
    stdout(&run(&db, &["legacy-key", "clear"]));
    let left: i64 =
        conn.query_row("SELECT COUNT(*) FROM settings WHERE key LIKE 'legacy%'", [], |r| r.get(0)).unwrap();
    assert_eq!(left, 0);
}

/// The id of a legacy employee in a server's database.
fn employee_id(db: &Path, region: &str, name: &str) -> String {
    let conn = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
    conn.query_row("SELECT id FROM employees WHERE region = ?1 AND full_name = ?2", [region, name], |r| {
        r.get(0)
    })
    .unwrap()
}

#[test]
fn a_company_file_is_loaded_once_with_ids_only_this_server_gives() {
    let dir = tempfile::tempdir().unwrap();
    let (db, other) = (dir.path().join("server.db"), dir.path().join("other.db"));
    init(dir.path(), &db);
    let file = common::three_regions(dir.path());
    let file_arg = file.to_str().unwrap();

    let first: Value = serde_json::from_str(&stdout(&run(&db, &["import-legacy", file_arg]))).unwrap();
    let report = &first["report"];
    assert_eq!(first["region"], "ALL");
    assert_eq!(report["regions"]["Izmir"]["imported"], json!({"employees": 2, "timesheets": 29}));
    assert_eq!(report["regions"]["Istanbul"]["imported"], json!({"employees": 1, "timesheets": 17}));
    assert_eq!(
        report["regions"]["Ankara"]["imported"],
        json!({"drivers": 1, "employees": 6, "shift_templates": 2, "timesheets": 30})
    );
    assert_eq!(report["left_out"], json!({}));
    let stays: Vec<&str> =
        report["not_imported"].as_array().unwrap().iter().map(|n| n["table"].as_str().unwrap()).collect();
    assert_eq!(stays, ["reports", "stock_inventory", "settings", "users"]);

    // Loading it again changes nothing at all.
    let dump = |db: &Path| {
        let conn =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap();
        conn.query_row("SELECT group_concat(seq || row_id, ',') FROM change_log", [], |r| {
            r.get::<_, String>(0)
        })
        .unwrap()
    };
    let before = dump(&db);
    let again: Value = serde_json::from_str(&stdout(&run(&db, &["import-legacy", file_arg]))).unwrap();
    assert_eq!(again["report"]["imported"], json!({}), "{again}");
    assert_eq!(again["report"]["unchanged"]["timesheets"], 76);
    assert_eq!(again["head_seq"], first["head_seq"]);
    assert_eq!(dump(&db), before);

    // The ids are those of the region's namespace, which İzmir's PCs get at enrollment...
    let server = Server::open_existing(&db).unwrap();
    let code = server.create_enroll_code("Izmir").unwrap().code;
    let enrolled =
        server.enroll(rainstaff_core::protocol::EnrollRequest { code, name: "İzmir PC".into() }).unwrap();
    drop(server);
    let ours = employee_id(&db, "Izmir", "SELİM KARAAĞAÇ");
    let legacy = legacy_id(enrolled.id_namespaces["Izmir"], "employees", 1).to_string();
    assert_eq!(ours, legacy);
    // ...and another server, with another secret, gives the same rows other ids.
    init(dir.path(), &other);
    stdout(&run(&other, &["import-legacy", file_arg]));
    assert_ne!(employee_id(&other, "Izmir", "SELİM KARAAĞAÇ"), ours);

    // A file that is not there, or not a legacy database, is refused by name with nothing written.
    let missing = run(&db, &["import-legacy", "/yok/puantaj.db"]);
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/yok/puantaj.db: no such file"));
    let text = dir.path().join("notlar.db");
    std::fs::write(&text, "bu bir veritabanı değil").unwrap();
    let refused = run(&db, &["import-legacy", text.to_str().unwrap()]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("notlar.db"), "{refused:?}");
    assert_eq!(dump(&db), before);
}
