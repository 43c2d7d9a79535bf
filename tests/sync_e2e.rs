//! Two office PCs and the real `rainstaff-server` binary on 127.0.0.1: enrollment and sync through
//! `rainstaff enroll` / `rainstaff sync`, one PC offline for a while, and both converging; a change
//! the server refuses is parked and holds nothing else back.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use rainstaff::db::edits::SaveOptions;
use rainstaff::db::users::{Role, User};
use rainstaff::db::{Store, rows};
use rainstaff::model::{Employee, Shift, fields_of};
use rainstaff_core::protocol::{PROTOCOL_HEADER, SyncReport};
use rainstaff_core::schema::{EMPLOYEES, TIMESHEETS};
use serde_json::json;
use uuid::Uuid;

/// The server binary sits next to ours once the workspace is built (`cargo test --workspace`).
fn server_binary() -> PathBuf {
    let ours = PathBuf::from(env!("CARGO_BIN_EXE_rainstaff"));
    let path = ours.with_file_name(format!("rainstaff-server{}", std::env::consts::EXE_SUFFIX));
    assert!(path.exists(), "{} is missing: run `cargo build -p rainstaff-server` first", path.display());
    path
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().unwrap()
}

fn server(db: &Path, args: &[&str]) -> Output {
    run(Command::new(server_binary()).arg("--db").arg(db).args(args))
}

struct Serving(Child);

impl Drop for Serving {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn serve(db: &Path, port: u16) -> Serving {
    let child = Command::new(server_binary())
        .arg("--db")
        .arg(db)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not start listening");
        std::thread::sleep(Duration::from_millis(50));
    }
    Serving(child)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn desktop(data: &Path, args: &[&str]) -> Output {
    run(Command::new(env!("CARGO_BIN_EXE_rainstaff")).arg("--data-dir").arg(data).args(args))
}

fn sync(data: &Path) -> Result<SyncReport, String> {
    let out = desktop(data, &["sync"]);
    if out.status.success() {
        Ok(serde_json::from_slice(&out.stdout).unwrap())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into())
    }
}

fn code(db: &Path, region: &str) -> String {
    let out = server(db, &["enroll-code", "--region", region]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).split_whitespace().last().unwrap().to_string()
}

fn manager(store: &Store) -> User {
    store.create_user("müdür", Some("parola-12345"), Role::Manager, "Izmir").unwrap()
}

fn employee(data: &Path, id: Uuid) -> Employee {
    Store::open(&data.join("rainstaff.db")).unwrap().employee(id).unwrap().unwrap().data
}

#[test]
fn two_pcs_converge_through_the_real_server_while_one_is_offline() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("server.db");
    let password = dir.path().join("password");
    std::fs::write(&password, "yönetici-parolası-uzun").unwrap();
    assert!(server(&db, &["init", "--password-file", password.to_str().unwrap()]).status.success());
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let serving = serve(&db, port);

    let (a, b) = (dir.path().join("pc-a"), dir.path().join("pc-b"));
    for (pc, name) in [(&a, "izmir-1"), (&b, "izmir-2")] {
        let out = desktop(pc, &["enroll", "--server", &url, "--code", &code(&db, "İzmir"), "--name", name]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let answer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(answer["region"], "Izmir");
    }
    // A used code does not work twice.
    let reused = code(&db, "Izmir");
    assert!(
        desktop(&dir.path().join("pc-c"), &["enroll", "--server", &url, "--code", &reused]).status.success()
    );
    assert!(
        !desktop(&dir.path().join("pc-d"), &["enroll", "--server", &url, "--code", &reused]).status.success()
    );

    // PC A enters an employee and a shift.
    let id = {
        let mut store = Store::open(&a.join("rainstaff.db")).unwrap();
        let user = manager(&store);
        let e = Employee { full_name: "GÜLŞEN ÇİFTÇİ".into(), ..Employee::default() };
        let id = store
            .save_record(&user, &EMPLOYEES, None, "Izmir", fields_of(&e), SaveOptions::default())
            .unwrap();
        let s = Shift {
            employee_id: id.to_string(),
            work_date: "2026-03-02".into(),
            start_time: "08:00".into(),
            end_time: "17:00".into(),
            break_minutes: 60,
            special_day: false,
            note: Some("ilk gün".into()),
        };
        store.save_record(&user, &TIMESHEETS, None, "Izmir", fields_of(&s), SaveOptions::default()).unwrap();
        id
    };
    let report = sync(&a).unwrap();
    assert_eq!(report.pushed, 2, "{report:?}");
    assert!(report.bytes_sent > 0 && report.bytes_received > 0, "{report:?}");
    let report = sync(&b).unwrap();
    assert!(report.pulled >= 2, "{report:?}");
    assert_eq!(employee(&b, id).full_name, "GÜLŞEN ÇİFTÇİ");

    // B edits the title while the server is down for A too: A edits the department offline.
    drop(serving);
    {
        let mut store = Store::open(&a.join("rainstaff.db")).unwrap();
        let user = store.verify_login("müdür", "parola-12345").unwrap().unwrap();
        let edit = json!({"department": "Muhasebe"}).as_object().unwrap().clone();
        store.save_record(&user, &EMPLOYEES, Some(id), "Izmir", edit, SaveOptions::default()).unwrap();
    }
    let offline = sync(&a).unwrap_err();
    assert!(offline.contains("cannot be reached"), "{offline}");
    let serving = serve(&db, port);
    {
        let mut store = Store::open(&b.join("rainstaff.db")).unwrap();
        let user = manager(&store);
        let edit = json!({"title": "Şef"}).as_object().unwrap().clone();
        store.save_record(&user, &EMPLOYEES, Some(id), "Izmir", edit, SaveOptions::default()).unwrap();
    }
    sync(&b).unwrap();
    sync(&a).unwrap();
    sync(&b).unwrap();
    for pc in [&a, &b] {
        let e = employee(pc, id);
        assert_eq!(
            (e.title.as_deref(), e.department.as_deref()),
            (Some("Şef"), Some("Muhasebe")),
            "{}",
            pc.display()
        );
        assert_eq!(Store::open(&pc.join("rainstaff.db")).unwrap().pending_count().unwrap(), 0);
    }

    // A client speaking an unknown protocol version is told to update, not served.
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let token = std::fs::read_to_string(a.join("device-token")).unwrap();
    let response = runtime.block_on(async {
        reqwest::Client::new()
            .get(format!("{url}/sync/changes?since=0"))
            .bearer_auth(token.trim())
            .header(PROTOCOL_HEADER, "99")
            .send()
            .await
            .unwrap()
    });
    assert_eq!(response.status().as_u16(), 426);
    let body: serde_json::Value = runtime.block_on(response.json()).unwrap();
    assert_eq!(body["error"], "update_required");
    drop(serving);
}

#[test]
fn sync_without_enrollment_fails_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let out = desktop(dir.path(), &["sync"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not enrolled"));
    let out = desktop(dir.path(), &["enroll", "--server", "ftp://x", "--code", "abc"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("server:"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Sets up a server with an administrator password, serves it and enrolls one PC per
/// (folder, region); returns what keeps the server running.
fn served_with(dir: &Path, pcs: &[(&Path, &str)]) -> Serving {
    let db = dir.join("server.db");
    let password = dir.join("password");
    std::fs::write(&password, "yönetici-parolası-uzun").unwrap();
    assert!(server(&db, &["init", "--password-file", password.to_str().unwrap()]).status.success());
    let port = free_port();
    let url = format!("http://127.0.0.1:{port}");
    let serving = serve(&db, port);
    for (pc, region) in pcs {
        let out = desktop(pc, &["enroll", "--server", &url, "--code", &code(&db, region)]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    }
    serving
}

#[test]
fn a_refused_change_is_counted_and_the_changes_after_it_still_reach_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("izmir-1"), dir.path().join("izmir-2"));
    let serving = served_with(dir.path(), &[(&a, "Izmir"), (&b, "Izmir")]);

    // An older build, or a mistake, wrote an Ankara employee into İzmir's PC, past the form's rules.
    let ankara = rainstaff_core::ids::new_id();
    {
        let mut store = Store::open(&a.join("rainstaff.db")).unwrap();
        let e = Employee { full_name: "ANKARALI PERSONEL".into(), ..Employee::default() };
        let tx = store.conn.transaction().unwrap();
        rows::save(&tx, &EMPLOYEES, ankara, "Ankara", &fields_of(&e)).unwrap();
        tx.commit().unwrap();
    }
    let out = desktop(&a, &["sync"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((printed["refused"].as_u64(), printed["pending"].as_u64()), (Some(1), Some(0)), "{printed}");

    // İzmir's next employee is not held back by it.
    let izmir = {
        let mut store = Store::open(&a.join("rainstaff.db")).unwrap();
        let user = manager(&store);
        let e = Employee { full_name: "İZMİRLİ PERSONEL".into(), ..Employee::default() };
        store.save_record(&user, &EMPLOYEES, None, "Izmir", fields_of(&e), SaveOptions::default()).unwrap()
    };
    let report = sync(&a).unwrap();
    assert_eq!((report.pushed, report.rejected, report.refused, report.pending), (1, 0, 1, 0), "{report:?}");
    sync(&b).unwrap();
    assert_eq!(employee(&b, izmir).full_name, "İZMİRLİ PERSONEL");
    let other = Store::open(&b.join("rainstaff.db")).unwrap();
    assert!(other.employee(ankara).unwrap().is_none(), "the refused change reached another PC");
    // The record stays on the PC that made it, marked, until a manager resends or discards it.
    let held = Store::open(&a.join("rainstaff.db")).unwrap().employee(ankara).unwrap().unwrap();
    assert_eq!(held.sync_error.as_deref(), Some("region_forbidden"));
    drop(serving);
}
