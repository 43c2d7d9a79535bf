//! The administration commands through the real binary.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use rainstaff_core::ids::legacy_id;
use rainstaff_core::protocol::PROTOCOL_HEADER;
use rainstaff_core::schema::EMPLOYEES;
use rainstaff_server::store::{Store, Tx};
use rainstaff_server::{Server, SqliteStore};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rainstaff-server");

fn run(db: &Path, args: &[&str]) -> Output {
    Command::new(BIN).arg("--db").arg(db).args(args).env("RUST_LOG", "warn").output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    assert!(!output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
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

fn serve(db: &Path, args: &[&str]) -> (Serving, String) {
    let mut child = Command::new(BIN)
        .arg("--db")
        .arg(db)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
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
    // What a stolen copy of the file would give away, so read from the file itself (no part of
    // the service ever reads a password hash back out).
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
}

#[test]
fn a_file_that_is_not_a_server_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let password = dir.path().join("password.txt");
    std::fs::write(&password, "çok gizli bir parola\n").unwrap();
    // Another program's database, a desktop's database, and a file that is not SQLite at all.
    let other = dir.path().join("muhasebe.db");
    rusqlite::Connection::open(&other)
        .unwrap()
        .execute_batch("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);")
        .unwrap();
    let desktop = dir.path().join("rainstaff.db");
    rusqlite::Connection::open(&desktop)
        .unwrap()
        .execute_batch("PRAGMA application_id = 1381192774; CREATE TABLE employees (id TEXT PRIMARY KEY);")
        .unwrap();
    let text = dir.path().join("notes.db");
    let copy = dir.path().join("copy.db");
    std::fs::write(&text, "not a database at all, just notes\n".repeat(200)).unwrap();
    for file in [&other, &desktop, &text] {
        let before = std::fs::read(file).unwrap();
        let commands: [&[&str]; 5] = [
            &["devices"],
            &["serve", "--listen", "127.0.0.1:0"],
            &["init", "--password-file", password.to_str().unwrap()],
            &["enroll-code", "--region", "Ankara"],
            &["backup", "--out", copy.to_str().unwrap()],
        ];
        for args in commands {
            let output = run(file, args);
            assert!(!output.status.success(), "{file:?} {args:?}");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("is not a Rainstaff server database"), "{file:?} {args:?}: {stderr}");
        }
        assert_eq!(std::fs::read(file).unwrap(), before, "{file:?} was changed");
        let name = file.file_name().unwrap().to_str().unwrap();
        for suffix in ["-wal", "-shm", "-journal"] {
            assert!(!dir.path().join(format!("{name}{suffix}")).exists(), "{name}{suffix} was left behind");
        }
    }
    assert!(!copy.exists());
}

#[test]
fn a_database_of_an_earlier_build_still_opens_and_is_brought_up_to_date() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    // The first layout had no settings table (nor anything that came after it): the SQLite
    // file's own layout is what this tests, so it is made and read on the file.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(
        "DROP TABLE settings; DROP TABLE rejoined_rows; ALTER TABLE users DROP COLUMN disabled_at;
         DROP INDEX departures_region; ALTER TABLE departures RENAME TO change_log;
         CREATE INDEX change_log_region ON change_log (region, seq);
         DROP INDEX devices_number; ALTER TABLE devices DROP COLUMN number;
         ALTER TABLE change_log DROP COLUMN origin; DROP TABLE web_sessions; DROP TABLE audit_log;
         ALTER TABLE users DROP COLUMN failed_logins; ALTER TABLE users DROP COLUMN locked_until;
         ALTER TABLE devices DROP COLUMN app_version; ALTER TABLE devices DROP COLUMN refused;
         DROP TABLE answered_runs; DROP TABLE renumbered_answers; PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    assert!(stdout(&run(&db, &["devices"])).contains("No devices"));
    // Its users can be disabled from now on (step 4).
    let listed = stdout(&run(&db, &["user", "list"]));
    assert!(listed.lines().any(|l| l.starts_with("admin ") && l.contains("active")), "{listed}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, 12);
    let disabled_at: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_table_info('users') WHERE name = 'disabled_at'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(disabled_at, 1);
    // Its log of departures says whose push answer carried each (steps 5 and 12).
    let origin: i64 = conn
        .query_row("SELECT COUNT(*) FROM pragma_table_info('departures') WHERE name = 'origin'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(origin, 1);
    // The dashboard's sessions and audit trail (step 6).
    let web: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_schema WHERE name IN ('web_sessions', 'audit_log')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(web, 2);
    let settings: i64 = conn
        .query_row("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'settings'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(settings, 1);
    // It got an epoch on the way.
    let epoch: i64 =
        conn.query_row("SELECT COUNT(*) FROM settings WHERE key = 'epoch'", [], |r| r.get(0)).unwrap();
    assert_eq!(epoch, 1);
}

#[tokio::test]
async fn enroll_code_serve_devices_and_revoke() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let printed = stdout(&run(&db, &["enroll-code", "--region", "İSTANBUL"]));
    assert!(printed.contains("İstanbul"), "{printed}");
    let code = printed.split_whitespace().last().unwrap().to_string();

    let (mut serving, url) = serve(&db, &[]);
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
    // A backup is a copy of the SQLite file, which `restore` puts in place: read it as one.
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

    // A layout version from a newer build is written into the file, as that build would.
    rusqlite::Connection::open(&db).unwrap().pragma_update(None, "user_version", 99).unwrap();
    let output = run(&db, &["devices"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("newer rainstaff-server"));
}

#[test]
fn the_database_is_a_path_or_a_url_whose_scheme_picks_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let absolute = format!("sqlite://{}", db.display());
    assert!(stdout(&run(Path::new(&absolute), &["devices"])).contains("No devices"));
    let relative = Command::new(BIN)
        .args(["--db", "sqlite:server.db", "devices"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(stdout(&relative).contains("No devices"));

    // A postgres:// URL picks PostgreSQL (`cli_postgres.rs`); one that cannot be reached fails
    // without repeating the URL, which may carry a password.
    let postgres = run(Path::new("postgres://rainstaff:gizli-parola@127.0.0.1:1/rainstaff"), &["devices"]);
    assert!(!postgres.status.success());
    let said = String::from_utf8_lossy(&postgres.stderr);
    assert!(said.contains("error connecting to server"), "{said}");
    assert!(!said.contains("gizli-parola"), "{said}");
    let unknown = run(Path::new("mysql://db.local/rainstaff"), &["devices"]);
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("mysql:// is not a database this server knows")
    );
}

#[test]
fn the_database_can_come_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let output = Command::new(BIN).arg("devices").env("RAINSTAFF_SERVER_DB", &db).output().unwrap();
    assert!(stdout(&output).contains("No devices"));
}

/// The password hash of `username`, read from the file: nothing in the server reads one back.
fn password_hash(db: &Path, username: &str) -> String {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT password_hash FROM users WHERE username = ?1", [username], |r| r.get(0))
        .unwrap()
}

fn disabled_at(db: &Path, username: &str) -> Option<String> {
    rusqlite::Connection::open(db)
        .unwrap()
        .query_row("SELECT disabled_at FROM users WHERE username = ?1", [username], |r| r.get(0))
        .unwrap()
}

#[test]
fn users_are_added_listed_given_new_passwords_and_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let password = dir.path().join("password.txt");
    let password = password.to_str().unwrap();
    let add = |username: &str, role: &str, region: Option<&str>| {
        let mut args =
            vec!["user", "add", "--username", username, "--role", role, "--password-file", password];
        if let Some(region) = region {
            args.extend(["--region", region]);
        }
        run(&db, &args)
    };

    let added = stdout(&add(" Ayşe Işık ", "manager", Some("İZMİR")));
    assert_eq!(added.trim(), "Added manager \"Ayşe Işık\" (İzmir).");
    let added = stdout(&add("mehmet", "admin", None));
    assert_eq!(added.trim(), "Added admin \"mehmet\" (all regions).");
    stdout(&add("zeynep", "admin", Some("all")));

    let listed = stdout(&run(&db, &["user", "list"]));
    let row = |name: &str| -> Vec<String> {
        let line = listed.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{listed}"));
        line[name.len()..].split_whitespace().map(str::to_string).collect()
    };
    assert_eq!(listed.lines().count(), 5, "{listed}");
    assert!(listed.starts_with("USERNAME "), "{listed}");
    for (name, role, region) in
        [("admin", "admin", "ALL"), ("Ayşe Işık", "manager", "Izmir"), ("mehmet", "admin", "ALL")]
    {
        let row = row(name);
        assert_eq!((row[0].as_str(), row[1].as_str()), (role, region), "{listed}");
        assert!(row[2].starts_with("20") && row[2].ends_with('Z'), "created: {listed}");
        assert_eq!(&row[3..], ["active", "-"], "{listed}");
    }
    assert!(!listed.contains("$argon2"), "{listed}");

    // Refusals name what is wrong and change nothing.
    let refusals: [(Output, &str); 7] = [
        (add("AYŞE IŞIK", "admin", None), "the user name \"AYŞE IŞIK\" is taken by user \"Ayşe Işık\""),
        (add("ayse isik", "manager", Some("Ankara")), "is taken by user \"Ayşe Işık\""),
        (add("Admin", "admin", None), "is taken by user \"admin\""),
        (add("fatma", "manager", None), "region: a manager needs the region"),
        (add("fatma", "manager", Some("\u{1b}[2J")), "invalid_region"),
        (add("fatma", "admin", Some("Ankara")), "an administrator has every region"),
        (add("   ", "manager", Some("Ankara")), "the user name is empty"),
    ];
    for (output, expected) in refusals {
        let said = stderr(&output);
        assert!(said.contains(expected), "{expected}: {said}");
    }
    let short = dir.path().join("short.txt");
    std::fs::write(&short, "kısa\n").unwrap();
    let short = short.to_str().unwrap();
    let said = stderr(&run(
        &db,
        &["user", "add", "--username", "fatma", "--role", "admin", "--password-file", short],
    ));
    assert!(said.contains("at least 12 characters"), "{said}");
    assert!(stderr(&run(&db, &["user", "add", "--username", "fatma", "--role", "boss"])).contains("boss"));
    assert_eq!(stdout(&run(&db, &["user", "list"])).lines().count(), 5);

    // A new password is a new Argon2id hash; the old one is gone.
    let before = password_hash(&db, "Ayşe Işık");
    let new_password = dir.path().join("new.txt");
    std::fs::write(&new_password, "yepyeni bir parola 2026\n").unwrap();
    let new_password = new_password.to_str().unwrap();
    let changed = stdout(&run(&db, &["user", "passwd", "ayşe ışık", "--password-file", new_password]));
    assert_eq!(changed.trim(), "Changed the password of \"Ayşe Işık\".");
    let after = password_hash(&db, "Ayşe Işık");
    assert_ne!(after, before);
    assert!(after.starts_with("$argon2id$"), "{after}");
    assert!(!after.contains("yepyeni"));
    assert!(
        stderr(&run(&db, &["user", "passwd", "Ayşe Işık", "--password-file", short])).contains("at least 12")
    );
    assert_eq!(password_hash(&db, "Ayşe Işık"), after);
    let said = stderr(&run(&db, &["user", "passwd", "nobody", "--password-file", new_password]));
    assert!(said.contains("no user named \"nobody\""), "{said}");

    // Disabling: an unknown name is an error, the last active administrator is kept.
    let said = stderr(&run(&db, &["user", "disable", "nobody"]));
    assert!(said.contains("no user named \"nobody\""), "{said}");
    assert!(
        stdout(&run(&db, &["user", "disable", "ADMIN"])).contains("User \"admin\" is disabled (since 20")
    );
    let first = disabled_at(&db, "admin").unwrap();
    stdout(&run(&db, &["user", "disable", "zeynep"]));
    let said = stderr(&run(&db, &["user", "disable", "Mehmet"]));
    assert!(said.contains("\"mehmet\" is the last active administrator"), "{said}");
    assert_eq!(disabled_at(&db, "mehmet"), None);
    stdout(&run(&db, &["user", "disable", "Ayşe Işık"]));
    // Again: nothing changes, not even when it was disabled.
    stdout(&run(&db, &["user", "disable", "admin"]));
    assert_eq!(disabled_at(&db, "admin").unwrap(), first);

    let listed = stdout(&run(&db, &["user", "list"]));
    let state = |name: &str| {
        let line = listed.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("{listed}"));
        line.split_whitespace().rev().nth(1).unwrap().to_string()
    };
    assert_eq!(state("admin"), "disabled", "{listed}");
    assert_eq!(state("Ayşe Işık"), "disabled", "{listed}");
    assert_eq!(state("zeynep"), "disabled", "{listed}");
    assert_eq!(state("mehmet"), "active", "{listed}");
    assert!(listed.contains(&first), "{listed}");
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
    let key = || {
        let store = SqliteStore::open_existing(&db).unwrap();
        store.read(|tx| Ok(tx.setting("legacy_api_key_sha256")?)).unwrap()
    };
    let stored = key().unwrap();
    assert_eq!(stored.len(), 64);
    assert!(!stored.contains("anahtar"));
    stdout(&run(&db, &["legacy-key", "clear"]));
    assert_eq!(key(), None);
}

#[test]
fn an_offices_own_puantaj_letters_are_set_named_when_wrong_and_reset() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let stored = || {
        let store = SqliteStore::open_existing(&db).unwrap();
        store.read(|tx| Ok(tx.setting("puantaj_letters")?)).unwrap()
    };
    let shown = stdout(&run(&db, &["puantaj-letters"]));
    assert!(shown.lines().any(|l| l == "annual\tYİ\tYıllık izin"), "{shown}");
    assert_eq!(stored(), None);

    let shown = stdout(&run(&db, &["puantaj-letters", "--set", "annual=YZ", "--set", "weekly_rest=H"]));
    assert!(shown.lines().any(|l| l == "annual\tYZ\tYıllık izin"), "{shown}");
    assert!(shown.lines().any(|l| l.starts_with("weekly_rest\tH\t")), "{shown}");
    assert_eq!(stored().as_deref(), Some(r#"{"annual":"YZ","weekly_rest":"H"}"#));

    // A wrong name or letter is named, and nothing changes.
    for (bad, named) in [("lunch=L", "lunch"), ("annual=UZUNN", "annual"), ("annual", "name=letter")] {
        let output = run(&db, &["puantaj-letters", "--set", bad]);
        assert!(!output.status.success(), "{bad}");
        assert!(stderr(&output).contains(named), "{bad}: {}", stderr(&output));
    }
    assert_eq!(stored().as_deref(), Some(r#"{"annual":"YZ","weekly_rest":"H"}"#));

    let shown = stdout(&run(&db, &["puantaj-letters", "--reset", "--set", "sick=RP"]));
    assert!(shown.lines().any(|l| l == "annual\tYİ\tYıllık izin"), "{shown}");
    assert_eq!(stored().as_deref(), Some(r#"{"sick":"RP"}"#));
}

#[test]
fn restore_refuses_what_is_not_an_intact_backup_and_keeps_enrollments_made_since() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let backup = dir.path().join("backup.db");
    stdout(&run(&db, &["backup", "--out", backup.to_str().unwrap()]));
    // A PC enrolled after the backup, and a code used after it.
    let code = stdout(&run(&db, &["enroll-code", "--region", "Bursa"]));
    let code = code.split_whitespace().last().unwrap().to_string();
    let server = rainstaff_server::Server::open_existing(&db).unwrap();
    let enrolled = server
        .enroll(rainstaff_core::protocol::EnrollRequest { code: code.clone(), name: "bursa-1".into() })
        .unwrap();
    let epoch_before = enrolled.epoch.clone().unwrap();
    drop(server);
    let before = std::fs::read(&db).unwrap();

    // Not a backup: another program's database, and a text file. Nothing changes.
    let foreign = dir.path().join("foreign.db");
    rusqlite::Connection::open(&foreign).unwrap().execute_batch("CREATE TABLE t (x)").unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "not a database, just some words long enough to be read").unwrap();
    for file in [&foreign, &text] {
        let out = run(&db, &["restore", file.to_str().unwrap()]);
        assert!(!out.status.success());
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains(file.file_name().unwrap().to_str().unwrap()), "{said}");
        assert_eq!(std::fs::read(&db).unwrap(), before, "a refused restore changed the database");
    }

    let out = stdout(&run(&db, &["restore", backup.to_str().unwrap()]));
    assert!(out.contains("kept as") && out.contains("1 computer(s)"), "{out}");
    let server = rainstaff_server::Server::open_existing(&db).unwrap();
    // A new epoch; the PC enrolled since keeps its token; the used code stays used.
    assert_ne!(server.epoch().unwrap().id, epoch_before);
    assert!(server.authenticate(&enrolled.token).is_ok());
    let again = server.enroll(rainstaff_core::protocol::EnrollRequest { code, name: "bursa-2".into() });
    assert_eq!(again.unwrap_err().code, "code_used");
    drop(server);
    // It has a number of its own, which the rows its changes make will keep as their origin.
    let conn = rusqlite::Connection::open(&db).unwrap();
    let number: Option<i64> =
        conn.query_row("SELECT number FROM devices WHERE name = 'bursa-1'", [], |r| r.get(0)).unwrap();
    assert!(number.is_some(), "the PC carried over has no number");
}

#[tokio::test]
async fn device_names_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let printed = stdout(&run(&db, &["enroll-code", "--region", "Ankara"]));
    let code = printed.split_whitespace().last().unwrap().to_string();
    let (_serving, url) = serve(&db, &[]);
    // Clears the screen, retitles the window and rings the bell on a terminal that obeys.
    let name = "PC\u{1b}[2J\u{1b}]0;owned\u{7}\u{202e}gpj.exe";
    let response = reqwest::Client::new()
        .post(format!("{url}/enroll"))
        .json(&json!({"code": code, "name": name}))
        .send()
        .await;
    assert_eq!(response.unwrap().status(), 200);

    let output = run(&db, &["devices"]);
    assert!(output.status.success());
    assert!(
        !output.stdout.iter().any(|b| *b == 0x1b || *b == 0x07),
        "raw control characters reached the terminal"
    );
    let listed = String::from_utf8(output.stdout).unwrap();
    assert!(!listed.contains('\u{202e}'), "{listed}");
    assert!(listed.contains("PC\\u{1b}[2J\\u{1b}]0;owned\\u{7}\\u{202e}gpj.exe"), "{listed}");
}

#[tokio::test]
async fn serves_https_and_drops_a_client_that_never_speaks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    init(dir.path(), &db);
    let tls = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tls");
    let (cert, key) = (tls.join("server.pem"), tls.join("server.key"));
    let args =
        ["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap(), "--header-timeout", "1"];
    let (mut serving, url) = serve(&db, &args);
    assert!(url.starts_with("https://127.0.0.1:"), "{url}");

    let ca = reqwest::Certificate::from_pem(&std::fs::read(tls.join("ca.pem")).unwrap()).unwrap();
    let https = reqwest::Client::builder().tls_certs_only([ca]).build().unwrap();
    let health: Value = https.get(format!("{url}/health")).send().await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");
    // Over TLS the dashboard's cookies are only ever sent back over TLS.
    let login = https.get(format!("{url}/login")).send().await.unwrap();
    let cookie = login.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    // Plain HTTP to the TLS port is not served.
    let plain = url.replace("https://", "http://");
    assert!(reqwest::Client::new().get(format!("{plain}/health")).send().await.is_err());

    // A client that connects and never starts the handshake loses its connection.
    let addr = url.trim_start_matches("https://").to_string();
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::io::AsyncReadExt::read_to_end(&mut silent, &mut rest),
    )
    .await;
    assert!(closed.is_ok(), "a silent client kept its connection");

    let pid = serving.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let deadline = Instant::now() + Duration::from_secs(20);
    while serving.0.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "the server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The id of a legacy employee in a server's database.
fn employee_id(db: &Path, region: &str, name: &str) -> String {
    let employees = common::rows(&SqliteStore::open_existing(db).unwrap(), &EMPLOYEES);
    let found = employees.into_iter().find(|r| r.region == region && r.fields["full_name"] == name);
    found.unwrap().id.to_string()
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
    let dump = |db: &Path| common::stored(&SqliteStore::open_existing(db).unwrap()).changes;
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
