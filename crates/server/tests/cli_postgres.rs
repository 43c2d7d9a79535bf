//! The administration commands through the real binary with `--db postgres://…`: every command
//! works on PostgreSQL as on a SQLite file, and what only a file can do (backup, restore) is
//! refused with the way to do it instead.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use common::pg::Cluster;
use rainstaff_core::protocol::PROTOCOL_HEADER;
use rainstaff_core::schema::EMPLOYEES;
use rainstaff_server::PgStore;
use rainstaff_server::store::{Store, Tx};
use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_rainstaff-server");

fn run(url: &str, args: &[&str]) -> Output {
    Command::new(BIN).args(["--db", url]).args(args).env("RUST_LOG", "warn").output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    assert!(!output.status.success(), "{}", String::from_utf8_lossy(&output.stdout));
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn init(dir: &std::path::Path, url: &str) -> Output {
    let password = dir.join("password.txt");
    std::fs::write(&password, "çok gizli bir parola\n").unwrap();
    run(url, &["init", "--password-file", password.to_str().unwrap()])
}

fn epoch(url: &str) -> String {
    PgStore::open_existing(url).unwrap().read(|tx| Ok(tx.setting("epoch")?)).unwrap().unwrap()
}

#[tokio::test]
async fn every_command_runs_on_postgres() {
    let cluster = Cluster::shared();
    let dir = tempfile::tempdir().unwrap();
    let url = cluster.database();

    // Nothing but init sets up an empty database.
    assert!(stderr(&run(&url, &["devices"])).contains("empty PostgreSQL database"));
    let created = stdout(&init(dir.path(), &url));
    assert!(created.contains("postgres://postgres@127.0.0.1"), "{created}");
    assert!(stderr(&init(dir.path(), &url)).contains("already has an administrator"));

    let printed = stdout(&run(&url, &["enroll-code", "--region", "İSTANBUL"]));
    let code = printed.split_whitespace().last().unwrap().to_string();
    let mut child = Command::new(BIN)
        .args(["--db", &url, "serve", "--listen", "127.0.0.1:0"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let base = line.trim().strip_prefix("listening on ").unwrap_or_else(|| panic!("{line:?}")).to_string();
    let http = reqwest::Client::new();
    let ready = http.get(format!("{base}/ready")).send().await.unwrap();
    assert_eq!(ready.status(), 200);
    let enrolled: Value = http
        .post(format!("{base}/enroll"))
        .json(&json!({"code": code, "name": "Kadıköy PC"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let device = enrolled["device_id"].as_str().unwrap().to_string();
    let token = enrolled["token"].as_str().unwrap().to_string();
    let changes = |token: String| {
        http.get(format!("{base}/sync/changes?since=0"))
            .header(PROTOCOL_HEADER, "1")
            .bearer_auth(token)
            .send()
    };
    assert_eq!(changes(token.clone()).await.unwrap().status(), 200);
    let listed = stdout(&run(&url, &["devices"]));
    assert!(listed.lines().any(|l| l.contains(&device) && l.contains("active")), "{listed}");
    stdout(&run(&url, &["revoke", &device]));
    let refused: Value = changes(token).await.unwrap().json().await.unwrap();
    assert_eq!(refused["error"], "token_revoked");
    let _ = child.kill();
    let _ = child.wait();

    let key_file = dir.path().join("key.txt");
    std::fs::write(&key_file, "eski-sistem-anahtari-2024\n").unwrap();
    stdout(&run(&url, &["legacy-key", "set", "--key-file", key_file.to_str().unwrap()]));
    stdout(&run(&url, &["legacy-key", "clear"]));

    let file = common::three_regions(dir.path());
    let report: Value =
        serde_json::from_str(&stdout(&run(&url, &["import-legacy", file.to_str().unwrap()]))).unwrap();
    assert_eq!(report["report"]["regions"]["Izmir"]["imported"], json!({"employees": 2, "timesheets": 29}));
    let again: Value =
        serde_json::from_str(&stdout(&run(&url, &["import-legacy", file.to_str().unwrap()]))).unwrap();
    assert_eq!(again["report"]["imported"], json!({}), "{again}");
    assert_eq!(common::rows(&PgStore::open_existing(&url).unwrap(), &EMPLOYEES).len(), 9);

    // Users, as on a SQLite file.
    let password = dir.path().join("password.txt");
    let password = password.to_str().unwrap();
    let added = stdout(&run(
        &url,
        &[
            "user",
            "add",
            "--username",
            "Ayşe",
            "--role",
            "manager",
            "--region",
            "izmir",
            "--password-file",
            password,
        ],
    ));
    assert!(added.contains("manager \"Ayşe\" (İzmir)"), "{added}");
    stdout(&run(
        &url,
        &["user", "add", "--username", "mehmet", "--role", "admin", "--password-file", password],
    ));
    let taken = stderr(&run(
        &url,
        &["user", "add", "--username", "AYSE", "--role", "admin", "--password-file", password],
    ));
    assert!(taken.contains("is taken by user \"Ayşe\""), "{taken}");
    let listed = stdout(&run(&url, &["user", "list"]));
    assert!(listed.lines().any(|l| l.starts_with("Ayşe ") && l.contains(" manager  Izmir ")), "{listed}");
    assert!(listed.lines().any(|l| l.starts_with("mehmet ") && l.contains(" admin    ALL ")), "{listed}");
    assert!(!listed.contains("$argon2"), "{listed}");
    // A hash no password gives, which passwd must replace with a new Argon2id one.
    cluster.sql(&url, "UPDATE users SET password_hash = 'old' WHERE username = 'Ayşe'");
    stdout(&run(&url, &["user", "passwd", "ayşe", "--password-file", password]));
    cluster.sql(
        &url,
        "DO $check$ BEGIN IF NOT EXISTS (SELECT 1 FROM users WHERE username = 'Ayşe' \
         AND password_hash LIKE '$argon2id$%') THEN RAISE 'passwd left the old hash'; END IF; END $check$",
    );
    assert!(
        stderr(&run(&url, &["user", "passwd", "nobody", "--password-file", password]))
            .contains("no user named")
    );
    assert!(stdout(&run(&url, &["user", "disable", "admin"])).contains("is disabled"));
    assert!(stderr(&run(&url, &["user", "disable", "mehmet"])).contains("last active administrator"));
    assert!(stderr(&run(&url, &["user", "disable", "nobody"])).contains("no user named \"nobody\""));
    let listed = stdout(&run(&url, &["user", "list"]));
    assert!(listed.lines().any(|l| l.starts_with("admin ") && l.contains("disabled")), "{listed}");

    // Backups are PostgreSQL's; after a restore by its tools, new-epoch makes the PCs rejoin.
    let copy = dir.path().join("copy.db");
    assert!(stderr(&run(&url, &["backup", "--out", copy.to_str().unwrap()])).contains("pg_dump"));
    assert!(stderr(&run(&url, &["restore", copy.to_str().unwrap()])).contains("new-epoch"));
    let before = epoch(&url);
    assert!(stdout(&run(&url, &["new-epoch"])).contains("New epoch"));
    assert_ne!(epoch(&url), before);
}

#[test]
fn another_programs_database_and_a_newer_schema_are_refused() {
    let cluster = Cluster::shared();
    let dir = tempfile::tempdir().unwrap();
    let other = cluster.database();
    cluster.sql(&other, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)");
    for args in [&["devices"][..], &["serve", "--listen", "127.0.0.1:0"]] {
        assert!(stderr(&run(&other, args)).contains("tables of another program"), "{args:?}");
    }
    assert!(stderr(&init(dir.path(), &other)).contains("tables of another program"));

    let url = cluster.database();
    stdout(&init(dir.path(), &url));
    cluster.sql(&url, "UPDATE rainstaff_schema SET version = 99");
    assert!(stderr(&run(&url, &["devices"])).contains("newer rainstaff-server"));
}

#[test]
fn a_database_of_an_earlier_build_is_brought_up_to_date() {
    let cluster = Cluster::shared();
    let dir = tempfile::tempdir().unwrap();
    let url = cluster.database();
    stdout(&init(dir.path(), &url));
    // As the first layout left it: no way to disable a user, no origin of a change, every
    // change with its row's JSON, nothing of the dashboard's.
    cluster.sql(
        &url,
        "ALTER TABLE users DROP COLUMN disabled_at; ALTER TABLE change_log DROP COLUMN origin; \
         ALTER TABLE change_log ALTER COLUMN row_json SET NOT NULL; \
         DROP TABLE web_sessions; DROP TABLE audit_log; ALTER TABLE users DROP COLUMN failed_logins; \
         ALTER TABLE users DROP COLUMN locked_until; ALTER TABLE devices DROP COLUMN app_version; \
         ALTER TABLE devices DROP COLUMN refused; DROP TABLE answered_runs; DROP TABLE renumbered_answers; \
         UPDATE rainstaff_schema SET version = 1",
    );
    let listed = stdout(&run(&url, &["user", "list"]));
    assert!(listed.lines().any(|l| l.starts_with("admin ") && l.contains("active")), "{listed}");
    cluster.sql(
        &url,
        "DO $check$ BEGIN IF (SELECT version FROM rainstaff_schema) <> 7 THEN RAISE 'not upgraded'; END IF; END $check$",
    );
    cluster.sql(
        &url,
        "DO $check$ BEGIN IF (SELECT is_nullable FROM information_schema.columns WHERE table_name = 'change_log' \
         AND column_name = 'row_json') <> 'YES' THEN RAISE 'row_json still required'; END IF; END $check$",
    );
}
