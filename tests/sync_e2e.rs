//! Two office PCs and the real `rainstaff-server` binary on 127.0.0.1: enrollment and sync through
//! `rainstaff enroll` / `rainstaff sync`, one PC offline for a while, and both converging; a change
//! the server refuses is parked and holds nothing else back.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rainstaff::db::edits::SaveOptions;
use rainstaff::db::users::{Role, User};
use rainstaff::db::{Store, rows};
use rainstaff_core::model::{Employee, Shift, fields_of};
use rainstaff_core::protocol::{MAX_BATCH, PROTOCOL_HEADER, SyncReport};
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

/// A new server database with its administrator, served on a free port of 127.0.0.1.
fn start_server(dir: &Path) -> (PathBuf, u16, String, Serving) {
    let db = dir.join("server.db");
    let password = dir.join("password");
    std::fs::write(&password, "yönetici-parolası-uzun").unwrap();
    assert!(server(&db, &["init", "--password-file", password.to_str().unwrap()]).status.success());
    let port = free_port();
    let serving = serve(&db, port);
    (db, port, format!("http://127.0.0.1:{port}"), serving)
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
    let (db, port, url, serving) = start_server(dir.path());

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
    assert_eq!(report.pushed, 4, "two records and their audit entries: {report:?}");
    assert!(report.bytes_sent > 0 && report.bytes_received > 0, "{report:?}");
    let report = sync(&b).unwrap();
    assert!(report.pulled >= 2, "{report:?}");
    assert_eq!(employee(&b, id).full_name, "GÜLŞEN ÇİFTÇİ");

    // B edits the title while the server is down for A too: A edits the department offline.
    drop(serving);
    {
        let (mut store, user) = signed_in(&a);
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

/// Every shift a PC holds: id, and whether it is deleted.
fn shift_states(data: &Path) -> Vec<(String, bool)> {
    let store = Store::open(&data.join("rainstaff.db")).unwrap();
    let mut stmt = store
        .test_connection()
        .prepare("SELECT id, deleted_at IS NOT NULL FROM timesheets ORDER BY id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get::<_, Uuid>(0)?.to_string(), r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// The store of the PC whose data folder is `data`, its manager (`ankara_office`) signed in.
fn signed_in(data: &Path) -> (Store, User) {
    let store = Store::open(&data.join("rainstaff.db")).unwrap();
    let user = store.verify_login("müdür", "parola-12345").unwrap().unwrap();
    (store, user)
}

/// A server and two Ankara PCs enrolled with it, the first holding the office (`ankara_office`)
/// and synced: the server's file, the server, the two PCs' data folders and the employee's id.
fn ankara_pair(dir: &Path) -> (PathBuf, Serving, PathBuf, PathBuf, Uuid) {
    let (db, _port, url, serving) = start_server(dir);
    let (a, b) = (dir.join("ankara-1"), dir.join("ankara-2"));
    enroll(&a, &url, &code(&db, "Ankara"));
    enroll(&b, &url, &code(&db, "Ankara"));
    let id = ankara_office(&a);
    sync_clean(&a);
    (db, serving, a, b, id)
}

/// An Ankara PC's first records: its manager ("müdür", the password `signed_in` signs in with)
/// and one employee, whose id it returns.
fn ankara_office(data: &Path) -> Uuid {
    let mut store = Store::open(&data.join("rainstaff.db")).unwrap();
    let user = store.create_user("müdür", Some("parola-12345"), Role::Manager, "Ankara").unwrap();
    let e = Employee { full_name: "AYŞE IŞIK".into(), ..Employee::default() };
    store.save_record(&user, &EMPLOYEES, None, "Ankara", fields_of(&e), SaveOptions::default()).unwrap()
}

fn add_shift(data: &Path, employee: Uuid, day: u32) -> Uuid {
    add_shift_on(data, employee, &format!("2026-04-{day:02}"))
}

/// A 09:00–18:00 shift of `employee` on `date` (`YYYY-MM-DD`), entered by the office's manager.
fn add_shift_on(data: &Path, employee: Uuid, date: &str) -> Uuid {
    let (mut store, user) = signed_in(data);
    let s = Shift {
        employee_id: employee.to_string(),
        work_date: date.into(),
        start_time: "09:00".into(),
        end_time: "18:00".into(),
        break_minutes: 60,
        special_day: false,
        note: None,
    };
    store.save_record(&user, &TIMESHEETS, None, "Ankara", fields_of(&s), SaveOptions::default()).unwrap()
}

#[test]
fn a_restored_server_and_a_restored_pc_do_not_stop_sync() {
    let dir = tempfile::tempdir().unwrap();
    let (db, port, url, serving) = start_server(dir.path());
    let a = dir.path().join("ankara-1");
    let enroll = |pc: &Path, name: &str| {
        let out = desktop(pc, &["enroll", "--server", &url, "--code", &code(&db, "Ankara"), "--name", name]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    };
    enroll(&a, "ankara-1");
    let employee = ankara_office(&a);
    for day in 1..=3 {
        add_shift(&a, employee, day);
    }
    sync(&a).unwrap();

    // IT backs the server up while it serves, and copies PC A's data file aside.
    let backup = dir.path().join("server-backup.db");
    let out = server(&db, &["backup", "--out", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let copy = dir.path().join("ankara-1-copy.db");
    Store::open(&a.join("rainstaff.db")).unwrap().backup_to(&copy).unwrap();

    // After the backup: two more shifts, one deleted, all acknowledged by the server.
    let later = add_shift(&a, employee, 6);
    add_shift(&a, employee, 7);
    {
        let (mut store, user) = signed_in(&a);
        store.delete_record(&user, &TIMESHEETS, later).unwrap();
    }
    let report = sync(&a).unwrap();
    assert_eq!((report.pending, report.refused), (0, 0), "{report:?}");

    // PC A's data folder is put back from its older copy (the app closed): its change numbers go
    // back, and a new shift reuses one the server knows with other content.
    for side in ["rainstaff.db-wal", "rainstaff.db-shm"] {
        let _ = std::fs::remove_file(a.join(side));
    }
    std::fs::copy(&copy, a.join("rainstaff.db")).unwrap();
    let newest = add_shift(&a, employee, 9);
    let report = sync(&a).unwrap();
    assert_eq!((report.pending, report.refused), (0, 0), "{report:?}");
    // It got back what it had sent before its copy was put back, the new shift beside it.
    let held = shift_states(&a);
    assert_eq!(held.len(), 6, "{held:?}");
    assert!(held.contains(&(later.to_string(), true)) && held.contains(&(newest.to_string(), false)));

    // The server is restored from the backup, as docs/IT.md says: it loses the last four changes.
    drop(serving);
    let out = server(&db, &["restore", backup.to_str().unwrap()]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("epoch"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let serving = serve(&db, port);

    // PC A rejoins by itself: no error, nothing refused or waiting, once.
    let report = sync(&a).unwrap();
    assert!(report.rejoined, "{report:?}");
    assert_eq!((report.pending, report.refused), (0, 0), "{report:?}");
    let report = sync(&a).unwrap();
    assert!(!report.rejoined, "{report:?}");
    // A PC enrolled now holds every shift PC A holds, the deleted one deleted.
    let b = dir.path().join("ankara-2");
    enroll(&b, "ankara-2");
    sync(&b).unwrap();
    assert_eq!(shift_states(&b), held);
    assert_eq!(shift_states(&a), held);
    drop(serving);
}

/// A PC's data folder put back from a copy taken while a change waited to be sent: the server
/// applied that change long ago, and the PC changed the same field again since. Sent again, the
/// change is answered with the record as it stands and not applied a second time, so the later
/// name stays, on that PC and on the others (it once went back to the copy's, with no conflict).
#[test]
fn a_pc_put_back_from_an_older_copy_keeps_its_own_later_change() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, serving, a, b, id) = ankara_pair(dir.path());
    rename(&a, id, "AYŞE KAYA");
    let copy = dir.path().join("ankara-1-copy.db");
    Store::open(&a.join("rainstaff.db")).unwrap().backup_to(&copy).unwrap();
    sync_clean(&a);
    rename(&a, id, "AYŞE DEMİR");
    sync_clean(&a);

    put_back(&a, &copy);
    assert_eq!(employee(&a, id).full_name, "AYŞE KAYA");
    let report = sync_clean(&a);
    assert_eq!((report.pending, report.conflicts), (0, 0), "{report:?}");
    assert_eq!(employee(&a, id).full_name, "AYŞE DEMİR");
    sync_clean(&b);
    assert_eq!(employee(&b, id).full_name, "AYŞE DEMİR");
    drop(serving);
}

/// The office's manager renames employee `id` on the PC whose data folder is `data`.
fn rename(data: &Path, id: Uuid, name: &str) {
    let (mut store, user) = signed_in(data);
    let edit = json!({"full_name": name}).as_object().unwrap().clone();
    store.save_record(&user, &EMPLOYEES, Some(id), "Ankara", edit, SaveOptions::default()).unwrap();
}

/// Puts the PC's data file back from `copy`, as IT would with the app closed.
fn put_back(data: &Path, copy: &Path) {
    for side in ["rainstaff.db-wal", "rainstaff.db-shm"] {
        let _ = std::fs::remove_file(data.join(side));
    }
    std::fs::copy(copy, data.join("rainstaff.db")).unwrap();
}

/// Put back from an older copy, a PC sends again changes the server applied long ago, and one of
/// them changed meanwhile (a delete undone after the copy came back, which rewrites its waiting
/// entry): only that one is sent under a new number, and the unchanged one after it is not
/// applied again over the PC's later rename.
#[test]
fn a_pc_put_back_renumbers_only_the_change_that_differs() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, serving, a, b, id) = ankara_pair(dir.path());
    let shift = add_shift(&a, id, 1);
    sync_clean(&a);
    {
        let (mut store, user) = signed_in(&a);
        store.delete_record(&user, &TIMESHEETS, shift).unwrap();
    }
    rename(&a, id, "AYŞE KAYA");
    let copy = dir.path().join("ankara-1-copy.db");
    Store::open(&a.join("rainstaff.db")).unwrap().backup_to(&copy).unwrap();
    sync_clean(&a);
    rename(&a, id, "AYŞE DEMİR");
    sync_clean(&a);

    put_back(&a, &copy);
    {
        let (mut store, user) = signed_in(&a);
        assert_eq!(store.undo_delete(&user, &TIMESHEETS, shift).unwrap(), shift);
    }
    let report = sync(&a).unwrap();
    assert_eq!((report.pending, report.conflicts), (0, 0), "{report:?}");
    assert_eq!(employee(&a, id).full_name, "AYŞE DEMİR");
    sync_clean(&b);
    assert_eq!(employee(&b, id).full_name, "AYŞE DEMİR");
    assert_eq!(shift_states(&b), shift_states(&a));
    drop(serving);
}

/// Put back from an older copy, a PC makes more changes under ids the server knows than one push
/// carries: the server names those of each batch in turn, and each renumbering keeps them in the
/// order they were made, so the last rename is the one that stands.
#[test]
fn changes_renumbered_over_several_batches_keep_their_order() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, serving, a, _b, id) = ankara_pair(dir.path());
    let copy = dir.path().join("ankara-1-copy.db");
    Store::open(&a.join("rainstaff.db")).unwrap().backup_to(&copy).unwrap();
    // Each rename is two changes, the record's and its audit entry's: more than a push carries.
    let renames = |prefix: &str| {
        let (mut store, user) = signed_in(&a);
        for n in 1..=MAX_BATCH / 2 + 50 {
            let edit = json!({"full_name": format!("{prefix} {n}")}).as_object().unwrap().clone();
            store.save_record(&user, &EMPLOYEES, Some(id), "Ankara", edit, SaveOptions::default()).unwrap();
        }
    };
    renames("ESKİ");
    sync_clean(&a);

    put_back(&a, &copy);
    renames("YENİ");
    let report = sync_clean(&a);
    assert_eq!((report.pending, report.conflicts), (0, 0), "{report:?}");
    assert_eq!(employee(&a, id).full_name, format!("YENİ {}", MAX_BATCH / 2 + 50));
    drop(serving);
}

/// A PC restored in the app from its own backup keeps its change numbering, so the ids of what it
/// made after the backup are missing from what it sends (`mutation_gap`); the changes the backup
/// holds unsent were applied long ago and must not be applied again over the PC's later ones.
#[test]
fn a_pc_restored_from_its_backup_in_the_app_does_not_send_old_changes_twice() {
    let dir = tempfile::tempdir().unwrap();
    let (db, serving, a, b, id) = ankara_pair(dir.path());
    rename(&a, id, "AYŞE KAYA");
    let backup = Store::open(&a.join("rainstaff.db")).unwrap().backup_now().unwrap();
    sync_clean(&a);
    rename(&a, id, "AYŞE DEMİR");
    sync_clean(&a);
    add_shift(&a, id, 3);

    Store::open(&a.join("rainstaff.db")).unwrap().restore_from(&backup).unwrap();
    let kept = add_shift(&a, id, 4);
    let report = sync_clean(&a);
    assert_eq!((report.pending, report.conflicts), (0, 0), "{report:?}");
    assert_eq!(employee(&a, id).full_name, "AYŞE DEMİR");
    // Its next change follows the server's last, so the next sync needs no renumbering.
    assert_eq!(
        count(&a.join("rainstaff.db"), "SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"),
        count(&db, "SELECT max(last_mutation_id) FROM devices"),
    );
    sync_clean(&b);
    assert_eq!(employee(&b, id).full_name, "AYŞE DEMİR");
    assert_eq!(shift_states(&b), vec![(kept.to_string(), false)]);
    drop(serving);
}

/// A change made under a reused id (a copy was put back), saved in a backup while it waited, then
/// renumbered by a sync and applied: when that backup is restored, the change comes back under
/// the id it was first sent as, which the server knows with other content. The server remembers
/// which change the PC renumbered, and does not apply it a second time over a later rename.
#[test]
fn a_change_renumbered_after_a_backup_is_not_applied_again_when_the_backup_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let (db, serving, a, b, id) = ankara_pair(dir.path());
    reused_id_waiting(dir.path(), &a, id);
    let backup = Store::open(&a.join("rainstaff.db")).unwrap().backup_now().unwrap();
    sync_clean(&a);
    rename(&a, id, "AYŞE DEMİR");
    sync_clean(&a);
    let applied = first_pc_last_applied(&db);

    Store::open(&a.join("rainstaff.db")).unwrap().restore_from(&backup).unwrap();
    sent_again_not_applied(&db, applied, &a, &b, id);
    drop(serving);
}

/// PC `a` renames the employee and syncs, is put back from a copy taken before, and renames again:
/// "AYŞE USTA" waits under the id the server applied "AYŞE KAYA" under. The copy's path.
fn reused_id_waiting(dir: &Path, a: &Path, id: Uuid) -> PathBuf {
    let copy = dir.join("ankara-1-copy.db");
    Store::open(&a.join("rainstaff.db")).unwrap().backup_to(&copy).unwrap();
    rename(a, id, "AYŞE KAYA");
    sync_clean(a);
    put_back(a, &copy);
    rename(a, id, "AYŞE USTA");
    copy
}

/// PC `a`, put back from an older copy, syncs: what it sends again is answered, the server's count
/// of its applied changes stays `applied`, and the later "AYŞE DEMİR" stays on both PCs.
fn sent_again_not_applied(db: &Path, applied: i64, a: &Path, b: &Path, id: Uuid) {
    let report = sync_clean(a);
    assert_eq!((report.pending, report.conflicts), (0, 0), "{report:?}");
    assert_eq!(first_pc_last_applied(db), applied, "a change was applied a second time");
    assert_eq!(employee(a, id).full_name, "AYŞE DEMİR");
    sync_clean(b);
    assert_eq!(employee(b, id).full_name, "AYŞE DEMİR");
}

/// A change a sync renumbered *down* (made after an in-app restore, its id skipped ahead of the
/// server's last) is sent again from a backup taken while it waited, under its first id, which
/// is still above anything the server applied from that PC: the server remembers it all the
/// same and does not apply it over another PC's later rename.
#[test]
fn a_change_renumbered_down_is_not_applied_again_when_its_backup_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let (db, serving, a, b, id) = ankara_pair(dir.path());
    let (clean, waiting) = (dir.path().join("clean.db"), dir.path().join("waiting.db"));
    Store::open(&a.join("rainstaff.db")).unwrap().backup_to(&clean).unwrap();
    rename(&a, id, "AYŞE KAYA");
    Store::open(&a.join("rainstaff.db")).unwrap().restore_from(&clean).unwrap();
    rename(&a, id, "AYŞE USTA");
    Store::open(&a.join("rainstaff.db")).unwrap().backup_to(&waiting).unwrap();
    sync_clean(&a);
    let applied = first_pc_last_applied(&db);
    sync_clean(&b);
    Store::open(&b.join("rainstaff.db"))
        .unwrap()
        .create_user("müdür", Some("parola-12345"), Role::Manager, "Ankara")
        .unwrap();
    rename(&b, id, "AYŞE DEMİR");
    sync_clean(&b);

    Store::open(&a.join("rainstaff.db")).unwrap().restore_from(&waiting).unwrap();
    sent_again_not_applied(&db, applied, &a, &b, id);
    drop(serving);
}

/// A change renumbered twice (5 -> 12 -> 20, say) by syncs that each met another copy's changes:
/// a copy of the PC's data taken between the two holds it under the middle id. Put back, that
/// copy sends it under that id, which the server knows with other content; the server tells it
/// by the id it was first sent as and does not apply it again.
#[test]
fn a_change_renumbered_twice_is_not_applied_again_from_a_copy_between() {
    let dir = tempfile::tempdir().unwrap();
    let (db, serving, a, b, id) = ankara_pair(dir.path());
    let copy = reused_id_waiting(dir.path(), &a, id);
    let first = dir.path().join("first.db");
    Store::open(&a.join("rainstaff.db")).unwrap().backup_to(&first).unwrap();
    // The same, as a sync leaves it whose renumbering got no further than the device: the change
    // under the server's next id (as the store renumbers: `Mutation::renumbered_from` names the
    // id it was first sent as).
    let between = dir.path().join("between.db");
    std::fs::copy(&first, &between).unwrap();
    rusqlite::Connection::open(&between)
        .unwrap()
        .execute_batch(
            "UPDATE outbox SET renumbered_from = mutation_id, mutation_id = -(mutation_id + 1);
             UPDATE outbox SET mutation_id = -mutation_id;
             UPDATE sqlite_sequence SET seq = (SELECT max(mutation_id) FROM outbox) WHERE name = 'outbox';",
        )
        .unwrap();
    // Another copy's change takes that id on the server.
    put_back(&a, &copy);
    rename(&a, id, "AYŞE ÜÇ");
    sync_clean(&a);
    put_back(&a, &between);
    sync_clean(&a);
    rename(&a, id, "AYŞE DEMİR");
    sync_clean(&a);
    let applied = first_pc_last_applied(&db);

    for older in [&first, &between] {
        put_back(&a, older);
        sent_again_not_applied(&db, applied, &a, &b, id);
    }
    drop(serving);
}

/// The last mutation id the server applied from the first PC enrolled.
fn first_pc_last_applied(db: &Path) -> i64 {
    count(db, "SELECT last_mutation_id FROM devices ORDER BY rowid LIMIT 1")
}

/// Restored in the app from a backup taken before it sent some records, a PC gets them back from
/// the server, though a pull leaves out a PC's own changes.
#[test]
fn a_pc_restored_in_the_app_gets_back_what_it_sent_since_the_backup() {
    let dir = tempfile::tempdir().unwrap();
    let (_db, serving, a, _b, id) = ankara_pair(dir.path());
    let backup = Store::open(&a.join("rainstaff.db")).unwrap().backup_now().unwrap();
    let shift = add_shift(&a, id, 5);
    sync_clean(&a);

    Store::open(&a.join("rainstaff.db")).unwrap().restore_from(&backup).unwrap();
    assert_eq!(shift_states(&a), vec![]);
    let report = sync_clean(&a);
    assert_eq!((report.pending, report.conflicts), (0, 0), "{report:?}");
    assert_eq!(shift_states(&a), vec![(shift.to_string(), false)]);
    drop(serving);
}

/// Two restores from different backups put the server on another branch of history than the one
/// a PC last synced with: the PC still sends back what only it holds and takes what it never saw,
/// though the versions it holds are numbered like the server's.
#[test]
fn a_pc_from_another_branch_of_restores_converges() {
    let dir = tempfile::tempdir().unwrap();
    let (db, port, url, serving) = start_server(dir.path());
    let restore = |serving: Serving, backup: &Path| {
        drop(serving);
        let out = server(&db, &["restore", backup.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serve(&db, port)
    };
    let backup = |name: &str| {
        let path = dir.path().join(name);
        let out = server(&db, &["backup", "--out", path.to_str().unwrap()]);
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        path
    };
    let (a, b) = (dir.path().join("ankara-1"), dir.path().join("ankara-2"));
    enroll(&a, &url, &code(&db, "Ankara"));
    let employee = ankara_office(&a);
    add_shift(&a, employee, 1);
    sync_clean(&a);
    let first = backup("backup-1.db");

    // Restored from the first backup, the server gets three shifts from PC B, and a second backup.
    let serving = restore(serving, &first);
    enroll(&b, &url, &code(&db, "Ankara"));
    sync_clean(&b);
    Store::open(&b.join("rainstaff.db"))
        .unwrap()
        .create_user("müdür", Some("parola-12345"), Role::Manager, "Ankara")
        .unwrap();
    for day in 10..=12 {
        add_shift(&b, employee, day);
    }
    sync_clean(&b);
    let second = backup("backup-2.db");

    // Restored from the first backup again: PC A rejoins it and adds a shift there, numbered
    // below the second backup's head.
    let serving = restore(serving, &first);
    sync_clean(&a);
    let only_a = add_shift(&a, employee, 20);
    sync_clean(&a);

    // Restored from the second backup: neither branch has the other's shifts.
    let serving = restore(serving, &second);
    let report = sync_clean(&a);
    assert!(report.rejoined, "{report:?}");
    assert_eq!((report.pending, report.refused), (0, 0), "{report:?}");
    sync_clean(&b);
    let held = shift_states(&a);
    assert_eq!(held.len(), 5, "{held:?}");
    assert!(held.contains(&(only_a.to_string(), false)), "{held:?}");
    assert_eq!(shift_states(&b), held);
    drop(serving);
}

/// Every synced row a PC holds, as it holds it (tombstones included).
fn holdings(data: &Path) -> Vec<rows::LocalRow> {
    let store = Store::open(&data.join("rainstaff.db")).unwrap();
    let mut all = Vec::new();
    for table in rainstaff_core::schema::TABLES {
        let ids: Vec<Uuid> = store
            .test_connection()
            .prepare(&format!("SELECT id FROM {} ORDER BY id", table.name))
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for id in ids {
            all.push(rows::get(store.test_connection(), table, id).unwrap().unwrap());
        }
    }
    all
}

/// A new PC's first sync takes the server's snapshot file instead of every row's change, and
/// then holds exactly what the PC that wrote the rows holds, deletions included, and goes on
/// pulling from the snapshot's head.
#[test]
fn a_new_pc_starts_from_the_servers_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, url, _serving) = start_server(dir.path());
    let (a, b) = (dir.path().join("ankara-1"), dir.path().join("ankara-2"));
    enroll(&a, &url, &code(&db, "Ankara"));
    let employee = ankara_office(&a);
    for day in 1..=5 {
        add_shift(&a, employee, day);
    }
    let gone = add_shift(&a, employee, 6);
    {
        let (mut store, user) = signed_in(&a);
        store.delete_record(&user, &TIMESHEETS, gone).unwrap();
    }
    sync_clean(&a);
    // Rows of another region never reach an Ankara PC.
    let izmir = dir.path().join("izmir-1");
    enroll(&izmir, &url, &code(&db, "Izmir"));
    {
        let mut store = Store::open(&izmir.join("rainstaff.db")).unwrap();
        let user = store.create_user("müdür", Some("parola-12345"), Role::Manager, "Izmir").unwrap();
        let e = Employee { full_name: "ZEYNEP".into(), ..Employee::default() };
        store.save_record(&user, &EMPLOYEES, None, "Izmir", fields_of(&e), SaveOptions::default()).unwrap();
    }
    sync_clean(&izmir);

    // A PC of a region with nothing yet takes the (empty) snapshot once, then only pulls.
    let bursa = dir.path().join("bursa-1");
    enroll(&bursa, &url, &code(&db, "Bursa"));
    assert!(sync_clean(&bursa).from_snapshot);
    assert!(!sync_clean(&bursa).from_snapshot);

    enroll(&b, &url, &code(&db, "Ankara"));
    let first = sync_clean(&b);
    // Seven rows (a tombstone among them) and the eight audit entries of their changes.
    assert!(first.from_snapshot && first.pulled == 15, "{first:?}");
    assert_eq!(holdings(&b), holdings(&a));
    assert!(!Path::new(&b.join("rainstaff.snapshot")).exists(), "the downloaded file was left behind");
    // From the snapshot's head on: nothing again, then what A changes next.
    let second = sync_clean(&b);
    assert!(!second.from_snapshot && second.pulled == 0, "{second:?}");
    add_shift(&a, employee, 9);
    sync_clean(&a);
    assert_eq!(sync_clean(&b).pulled, 2, "the shift and its audit entry");
    assert_eq!(holdings(&b), holdings(&a));
}

/// An administrator moved a person to İzmir after their Ankara shifts were entered: the shifts
/// stay in Ankara and refer to someone the Ankara snapshot does not hold. A new Ankara PC then
/// pulls every change instead (which includes the person leaving Ankara) and holds what the
/// Ankara PC that entered the shifts holds.
#[test]
fn a_snapshot_the_store_cannot_take_whole_is_left_for_the_pull() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, url, _serving) = start_server(dir.path());
    let (a, admin, b) = (dir.path().join("ankara-1"), dir.path().join("merkez"), dir.path().join("ankara-2"));
    enroll(&a, &url, &code(&db, "Ankara"));
    let employee = ankara_office(&a);
    add_shift(&a, employee, 1);
    sync_clean(&a);
    enroll(&admin, &url, &code(&db, "ALL"));
    sync_clean(&admin);
    {
        let mut store = Store::open(&admin.join("rainstaff.db")).unwrap();
        let boss = store.create_user("yönetici", Some("parola-12345"), Role::Admin, "ALL").unwrap();
        store.move_record(&boss, &EMPLOYEES, employee, "Izmir").unwrap();
    }
    sync_clean(&admin);
    sync_clean(&a);

    enroll(&b, &url, &code(&db, "Ankara"));
    let first = sync_clean(&b);
    assert!(!first.from_snapshot && first.pulled > 0, "{first:?}");
    assert_eq!(holdings(&b), holdings(&a));
    assert!(!b.join("rainstaff.snapshot").exists(), "the downloaded file was left behind");
}

/// A TCP relay to the server that counts the bytes going each way, as a network would see them.
struct Meter {
    url: String,
    up: Arc<AtomicU64>,
    down: Arc<AtomicU64>,
    requests: Arc<AtomicU64>,
}

impl Meter {
    fn start(server_port: u16) -> Meter {
        Meter::relay(server_port, false)
    }

    /// A relay that also drops any connection as it asks for the snapshot file, as a line too
    /// slow for the file, or one that breaks while it comes, would.
    fn cutting_downloads(server_port: u16) -> Meter {
        Meter::relay(server_port, true)
    }

    fn relay(server_port: u16, cut_downloads: bool) -> Meter {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let (up, down) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let requests = Arc::new(AtomicU64::new(0));
        let counters = (up.clone(), down.clone(), requests.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let client = client.unwrap();
                let server = std::net::TcpStream::connect(("127.0.0.1", server_port)).unwrap();
                for (mut from, mut to, count, lines) in [
                    (
                        client.try_clone().unwrap(),
                        server.try_clone().unwrap(),
                        counters.0.clone(),
                        Some(counters.2.clone()),
                    ),
                    (server, client, counters.1.clone(), None),
                ] {
                    std::thread::spawn(move || {
                        let mut buffer = [0; 16 * 1024];
                        while let Ok(n) = from.read(&mut buffer) {
                            if n == 0 {
                                break;
                            }
                            if cut_downloads && buffer[..n].windows(18).any(|w| w == b"GET /sync/download") {
                                let _ = from.shutdown(std::net::Shutdown::Both);
                                let _ = to.shutdown(std::net::Shutdown::Both);
                                break;
                            }
                            // Counted before it is passed on: once the PC has read it, it is counted.
                            count.fetch_add(n as u64, Ordering::SeqCst);
                            // A request line ends in the version; bodies are gzip, never plain text.
                            let starts = buffer[..n].windows(11).filter(|w| w == b" HTTP/1.1\r\n").count();
                            if let Some(lines) = &lines {
                                lines.fetch_add(starts as u64, Ordering::SeqCst);
                            }
                            if to.write_all(&buffer[..n]).is_err() {
                                break;
                            }
                        }
                        let _ = to.shutdown(std::net::Shutdown::Write);
                    });
                }
            }
        });
        Meter { url, up, down, requests }
    }

    /// Bytes up, bytes down and requests since the last call.
    fn take(&self) -> (u64, u64, u64) {
        let swap = |n: &AtomicU64| n.swap(0, Ordering::SeqCst);
        (swap(&self.up), swap(&self.down), swap(&self.requests))
    }
}

/// The bytes a sync reports are those that crossed the wire, headers and compressed bodies, each
/// way, within a few bytes per request; an idle sync is one request of a few hundred bytes.
#[test]
fn a_sync_reports_the_bytes_that_crossed_the_wire() {
    let dir = tempfile::tempdir().unwrap();
    let (db, port, _url, _serving) = start_server(dir.path());
    let meter = Meter::start(port);
    let pc = dir.path().join("ankara-1");
    enroll(&pc, &meter.url, &code(&db, "Ankara"));
    ankara_office(&pc);
    meter.take();
    for (what, requests) in [("one edit", 2), ("idle", 1)] {
        let report = sync_clean(&pc);
        let (up, down, sent) = meter.take();
        assert_eq!(sent, requests, "{what}: {sent} requests");
        let close = |reported: u64, seen: u64| reported.abs_diff(seen) <= 8 * 3;
        assert!(close(report.bytes_sent, up), "{what}: reported {} sent, {up} went up", report.bytes_sent);
        assert!(
            close(report.bytes_received, down),
            "{what}: reported {} received, {down} came down",
            report.bytes_received
        );
    }
}

fn enroll(pc: &Path, url: &str, code: &str) {
    let out = desktop(pc, &["enroll", "--server", url, "--code", code]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `rainstaff import-legacy` that must succeed; its JSON report.
fn import(pc: &Path, args: &[&str]) -> serde_json::Value {
    let out = desktop(pc, &[&["import-legacy"], args].concat());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Syncs and checks that nothing was refused.
fn sync_clean(pc: &Path) -> SyncReport {
    let report = sync(pc).unwrap();
    assert_eq!(report.rejected, 0, "{report:?}");
    report
}

fn count(db: &Path, sql: &str) -> i64 {
    rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .unwrap()
        .query_row(sql, [], |r| r.get(0))
        .unwrap()
}

#[test]
fn each_office_imports_its_own_rows_of_a_company_file_and_syncs_them() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, url, _serving) = start_server(dir.path());
    let file = common::three_regions(dir.path());
    let file = file.to_str().unwrap();
    let (izmir, admin) = (dir.path().join("pc-izmir"), dir.path().join("pc-admin"));
    enroll(&izmir, &url, &code(&db, "Izmir"));
    enroll(&admin, &url, &code(&db, "ALL"));

    // The İzmir PC takes İzmir's rows only and says per table what it left to the others.
    let report = import(&izmir, &[file]);
    assert_eq!(report["region"], "Izmir");
    assert_eq!(
        report["imported"],
        json!({"employees": 2, "shift_templates": 2, "timesheets": 29, "users": 2, "settings": 1})
    );
    assert_eq!(report["left_out"], json!({"drivers": 1, "employees": 7, "timesheets": 47, "users": 3}));
    let store_db = izmir.join("rainstaff.db");
    for table in ["employees", "timesheets", "shift_templates", "drivers", "outbox"] {
        let others = count(&store_db, &format!("SELECT COUNT(*) FROM {table} WHERE region <> 'Izmir'"));
        assert_eq!(others, 0, "{table}");
    }
    // Another region cannot be named on an office PC; nothing is written.
    let pending = Store::open(&store_db).unwrap().pending_count().unwrap();
    let refused = desktop(&izmir, &["import-legacy", file, "--region", "Ankara"]);
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("region: this PC is enrolled for İzmir and imports İzmir's rows only"), "{said}");
    // The same file again changes nothing.
    let again = import(&izmir, &[file]);
    assert_eq!(again["imported"], json!({}), "{again}");
    assert_eq!(Store::open(&store_db).unwrap().pending_count().unwrap(), pending);
    sync_clean(&izmir);
    assert_eq!(sync_clean(&izmir).pushed, 0);
    assert_eq!(Store::open(&store_db).unwrap().pending_count().unwrap(), 0);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM employees WHERE region = 'Izmir'"), 2);

    // The administrator's PC takes every region; İzmir's rows it finds under the ids İzmir gave.
    sync_clean(&admin);
    let all = import(&admin, &[file]);
    assert_eq!(all["region"], "ALL");
    assert_eq!(all["left_out"], json!({}));
    assert_eq!(
        all["regions"]["Izmir"],
        json!({"imported": {}, "unchanged": {"employees": 2, "timesheets": 29}})
    );
    assert_eq!(all["regions"]["Istanbul"]["imported"], json!({"employees": 1, "timesheets": 17}));
    sync_clean(&admin);
    assert_eq!(Store::open(&admin.join("rainstaff.db")).unwrap().pending_count().unwrap(), 0);

    // The migration load on the server finds every row the PCs brought: it adds none.
    let head = count(&db, "SELECT value FROM counters WHERE name = 'change_seq'");
    let out = server(&db, &["import-legacy", file]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let loaded: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(loaded["report"]["regions"].as_object().unwrap().values().all(|r| r["imported"] == json!({})));
    assert_eq!(count(&db, "SELECT value FROM counters WHERE name = 'change_seq'"), head);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM employees"), 9);
}

#[test]
fn a_pc_that_imported_before_enrolling_takes_the_regions_ids_when_it_enrolls() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, url, _serving) = start_server(dir.path());
    let file = common::three_regions(dir.path());
    let file = file.to_str().unwrap();
    // Migration day: IT loads the company file on the server.
    let out = server(&db, &["import-legacy", file]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    // The server's SQLite file keeps ids as their 16 bytes.
    let server_id = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT id FROM employees WHERE full_name = 'SELİM KARAAĞAÇ'", [], |r| {
            r.get::<_, Uuid>(0)
        })
        .unwrap()
        .to_string();

    // An İzmir PC imported the same file before it was enrolled: under ids of its own.
    let pc = dir.path().join("pc");
    let report = import(&pc, &[file, "--region", "İzmir"]);
    assert_eq!(report["imported"]["employees"], 2);
    let store_db = pc.join("rainstaff.db");
    let (local_id, shift) = {
        let mut store = Store::open(&store_db).unwrap();
        let selim =
            store.employees("Izmir").unwrap().into_iter().find(|e| e.data.full_name == "SELİM KARAAĞAÇ");
        let local_id = selim.unwrap().id;
        assert_ne!(local_id.to_string(), server_id);
        // A shift typed before enrolling, for the imported employee.
        let s = Shift {
            employee_id: local_id.to_string(),
            work_date: "2026-03-02".into(),
            start_time: "08:00".into(),
            end_time: "17:00".into(),
            break_minutes: 60,
            special_day: false,
            note: None,
        };
        let user = manager(&store);
        let shift = store
            .save_record(&user, &TIMESHEETS, None, "Izmir", fields_of(&s), SaveOptions::default())
            .unwrap();
        (local_id, shift)
    };

    // Enrolling gives the imported rows the region's ids, and the shift follows its employee.
    enroll(&pc, &url, &code(&db, "Izmir"));
    {
        let store = Store::open(&store_db).unwrap();
        assert!(store.employee(local_id).unwrap().is_none());
        let selim =
            store.employees("Izmir").unwrap().into_iter().find(|e| e.data.full_name == "SELİM KARAAĞAÇ");
        assert_eq!(selim.unwrap().id.to_string(), server_id);
        let row = rainstaff::db::rows::get(store.test_connection(), &TIMESHEETS, shift).unwrap().unwrap();
        assert_eq!(row.fields["employee_id"], server_id.as_str());
        assert!(store.local_id_namespaces().unwrap().is_empty());
    }
    sync_clean(&pc);
    sync_clean(&pc);
    assert_eq!(Store::open(&store_db).unwrap().pending_count().unwrap(), 0);
    // Nothing doubled on the server, and the typed shift is there under its employee.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM employees WHERE region = 'Izmir' AND deleted_at IS NULL"), 2);
    assert_eq!(
        count(&db, "SELECT COUNT(*) FROM timesheets WHERE region = 'Izmir' AND deleted_at IS NULL"),
        30
    );
    let employee_of_shift = rusqlite::Connection::open(&db)
        .unwrap()
        .query_row("SELECT employee_id FROM timesheets WHERE id = ?1", [shift], |r| r.get::<_, Uuid>(0))
        .unwrap();
    assert_eq!(employee_of_shift.to_string(), server_id);
    assert_eq!(import(&pc, &[file])["imported"], json!({}));
}

#[test]
fn an_administrators_pc_asks_for_a_region_it_meets_later() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, url, serving) = start_server(dir.path());
    let admin = dir.path().join("pc-admin");
    enroll(&admin, &url, &code(&db, "ALL"));
    let file = common::three_regions(dir.path());
    rusqlite::Connection::open(&file)
        .unwrap()
        .execute_batch("UPDATE employees SET region = 'Trabzon' WHERE id = 3; UPDATE timesheets SET region = 'Trabzon' WHERE employee_id = 3;")
        .unwrap();
    let file = file.to_str().unwrap();
    assert!(
        !Store::open(&admin.join("rainstaff.db")).unwrap().id_namespaces().unwrap().contains_key("Trabzon")
    );
    let report = import(&admin, &[file, "--dry-run"]);
    assert_eq!(report["regions"]["Trabzon"]["imported"], json!({"employees": 1, "timesheets": 17}));
    assert!(
        Store::open(&admin.join("rainstaff.db")).unwrap().id_namespaces().unwrap().contains_key("Trabzon")
    );

    // Without the server a region it has no namespace for cannot be imported; nothing is written.
    drop(serving);
    rusqlite::Connection::open(file)
        .unwrap()
        .execute_batch("UPDATE employees SET region = 'Rize' WHERE id = 3")
        .unwrap();
    let out = desktop(&admin, &["import-legacy", file]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("the id namespace of Rize could not be had from the server"), "{said}");
    assert_eq!(Store::open(&admin.join("rainstaff.db")).unwrap().pending_count().unwrap(), 0);
}

/// Sets up a server with an administrator password, serves it and enrolls one PC per
/// (folder, region); returns what keeps the server running.
fn served_with(dir: &Path, pcs: &[(&Path, &str)]) -> Serving {
    let (db, _, url, serving) = start_server(dir);
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
        let store = Store::open(&a.join("rainstaff.db")).unwrap();
        let e = Employee { full_name: "ANKARALI PERSONEL".into(), ..Employee::default() };
        let tx = store.test_connection().unchecked_transaction().unwrap();
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
    assert_eq!((report.pushed, report.rejected, report.refused, report.pending), (2, 0, 1, 0), "{report:?}");
    sync(&b).unwrap();
    assert_eq!(employee(&b, izmir).full_name, "İZMİRLİ PERSONEL");
    let other = Store::open(&b.join("rainstaff.db")).unwrap();
    assert!(other.employee(ankara).unwrap().is_none(), "the refused change reached another PC");
    // The record stays on the PC that made it, marked, until a manager resends or discards it.
    let held = Store::open(&a.join("rainstaff.db")).unwrap().employee(ankara).unwrap().unwrap();
    assert_eq!(held.sync_error.as_deref(), Some("region_forbidden"));
    drop(serving);
}

/// A copy of F1_v4_s4.db as one office's file, changed by `sql`.
fn office_file(dir: &Path, name: &str, sql: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::copy(common::samples().join("F1_v4_s4.db"), &path).unwrap();
    rusqlite::Connection::open(&path).unwrap().execute_batch(sql).unwrap();
    path
}

#[test]
fn what_an_offices_old_file_holds_is_taken_as_the_servers_own_import_takes_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, url, _serving) = start_server(dir.path());
    // Ankara's file: GÜLSÜM has left since her shifts, İSMAİL's first shift was entered twice, and
    // the van is Ankara's. İzmir's file is a copy that moved to İzmir, the van and GÜLSÜM (with
    // her T.C. number) with it, as two offices' files of the legacy app could.
    let person = "UPDATE employees SET identity_no = '10000000146' WHERE id = 4;";
    let ankara = office_file(
        dir.path(),
        "ankara.db",
        &format!(
            "{person} ALTER TABLE employees ADD COLUMN is_active INTEGER;
             UPDATE employees SET is_active = (id <> 4);
             INSERT INTO timesheets (employee_id, work_date, start_time, end_time, break_minutes, notes, region)
                 SELECT employee_id, work_date, start_time, end_time, break_minutes, notes, region
                 FROM timesheets WHERE employee_id = 5 ORDER BY id LIMIT 1;
             INSERT INTO vehicles (plate, km, oil_interval_km, region) VALUES ('06 ABC 123', 1000, 14000, 'Ankara');"
        ),
    );
    let izmir = office_file(
        dir.path(),
        "izmir.db",
        &format!(
            "{person} UPDATE employees SET region = 'Izmir'; UPDATE timesheets SET region = 'Izmir';
             INSERT INTO vehicles (plate, km, oil_interval_km, region) VALUES ('06 ABC 123', 900, 14000, 'Izmir');"
        ),
    );
    let (a, i) = (dir.path().join("pc-ankara"), dir.path().join("pc-izmir"));
    for (pc, file, region) in [(&a, &ankara, "Ankara"), (&i, &izmir, "Izmir")] {
        let report = import(pc, &[file.to_str().unwrap(), "--region", region]);
        assert_eq!(report["imported"]["vehicles"], 1, "{report}");
        enroll(pc, &url, &code(&db, region));
    }
    for pc in [&a, &i] {
        sync_clean(pc);
    }
    for pc in [&a, &i] {
        assert_eq!(sync_clean(pc).pushed, 0);
        let store = Store::open(&pc.join("rainstaff.db")).unwrap();
        assert_eq!(store.pending_count().unwrap(), 0);
    }
    assert_eq!(count(&db, "SELECT COUNT(*) FROM vehicles WHERE plate = '06 ABC 123'"), 2);
    assert_eq!(count(&db, "SELECT COUNT(*) FROM employees WHERE identity_no = '10000000146'"), 2);
    let gulsum = "SELECT COUNT(*) FROM timesheets t JOIN employees e ON e.id = t.employee_id
                  WHERE e.identity_no = '10000000146' AND e.region = 'Ankara' AND e.active = 0";
    assert_eq!(count(&db, gulsum), 18);
}

/// An Ankara PC edits a March shift offline while the head office locks March: the server refuses
/// the edit as `period_locked`, the PC parks it beside the lock (nothing typed is lost), and the
/// lock reaches the PC, whose store then refuses the next March edit itself.
#[test]
fn an_offline_edit_into_a_month_locked_meanwhile_is_refused_and_parked() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, url, _serving) = start_server(dir.path());
    let (office, head) = (dir.path().join("ankara-1"), dir.path().join("merkez"));
    enroll(&office, &url, &code(&db, "Ankara"));
    enroll(&head, &url, &code(&db, "ALL"));
    let employee = ankara_office(&office);
    let march = add_shift_on(&office, employee, "2026-03-02");
    sync_clean(&office);
    sync_clean(&head);

    // Offline, the office lengthens the break; meanwhile the head office locks March.
    let lengthen = |minutes: i64| {
        let (mut store, user) = signed_in(&office);
        let edit = json!({"break_minutes": minutes}).as_object().unwrap().clone();
        store.save_record(&user, &TIMESHEETS, Some(march), "Ankara", edit, SaveOptions::default())
    };
    lengthen(90).unwrap();
    {
        let mut store = Store::open(&head.join("rainstaff.db")).unwrap();
        let admin = store.create_user("yönetici", Some("parola-12345"), Role::Admin, "ALL").unwrap();
        store.set_period(&admin, "Ankara", "2026-03", "locked", None).unwrap();
    }
    sync_clean(&head);

    let report = sync(&office).unwrap();
    assert_eq!(report.refused, 1, "{report:?}");
    let store = Store::open(&office.join("rainstaff.db")).unwrap();
    let parked = store.refused_changes("Ankara").unwrap();
    assert_eq!(parked.len(), 1, "{parked:?}");
    assert_eq!(parked[0].code, rainstaff_core::protocol::RefusalCode::PeriodLocked, "{parked:?}");
    assert_eq!(parked[0].fields["break_minutes"], 90, "what was typed is kept");
    assert!(parked[0].reason.contains("locked for payroll"), "{}", parked[0].reason);
    assert!(store.period("Ankara", "2026-03").unwrap().is_some_and(|p| p.is_locked()), "the lock arrived");
    drop(store);
    let err = lengthen(120).unwrap_err();
    assert!(err.to_string().contains("locked for payroll"), "{err}");
    // The server kept its row: the shift is as the office synced it before the lock.
    assert_eq!(count(&db, "SELECT COUNT(*) FROM timesheets WHERE break_minutes = 60"), 1);
}

/// A first sync empties the outbox an office's typing filled; the file gives those pages back
/// instead of keeping them as free space for good.
#[test]
fn the_store_gives_back_the_outboxs_pages_once_a_sync_drained_it() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _port, url, _serving) = start_server(dir.path());
    let pc = dir.path().join("ankara-1");
    enroll(&pc, &url, &code(&db, "Ankara"));
    let employee = ankara_office(&pc);
    for day in 1..=28 {
        add_shift_on(&pc, employee, &format!("2026-02-{day:02}"));
    }
    let pragma = |name: &str| -> i64 {
        let store = Store::open(&pc.join("rainstaff.db")).unwrap();
        store.test_connection().query_row(&format!("PRAGMA {name}"), [], |r| r.get(0)).unwrap()
    };
    assert_eq!(pragma("auto_vacuum"), 2, "a new store is made to give pages back (incremental)");
    sync_clean(&pc);
    assert_eq!(Store::open(&pc.join("rainstaff.db")).unwrap().pending_count().unwrap(), 0);
    assert_eq!(pragma("freelist_count"), 0, "the drained outbox's pages were given back");
}

/// A PC that catches up by pulling every change (here: someone signed in on it before its first
/// sync, so it is not empty and does not take the snapshot) meets a person's shifts pages before
/// the person: the server's log keeps a row's latest change only, and the person was edited after
/// the shifts were entered. The pull takes them all the same, and the PC ends holding what the
/// PC that entered them holds.
#[test]
fn a_pull_takes_shifts_whose_person_comes_pages_later() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _, url, _serving) = start_server(dir.path());
    let (a, b) = (dir.path().join("ankara-1"), dir.path().join("ankara-2"));
    enroll(&a, &url, &code(&db, "Ankara"));
    let person = ankara_office(&a);
    add_shift(&a, person, 1);
    {
        let (mut store, user) = signed_in(&a);
        // More than a page of changes after the shift's.
        for i in 0..rainstaff_core::protocol::MAX_BATCH {
            let e = Employee { full_name: format!("PERSONEL {i:03}"), ..Employee::default() };
            store
                .save_record(&user, &EMPLOYEES, None, "Ankara", fields_of(&e), SaveOptions::default())
                .unwrap();
        }
        let edited =
            Employee { full_name: "AYŞE IŞIK".into(), title: Some("Usta".into()), ..Employee::default() };
        store
            .save_record(
                &user,
                &EMPLOYEES,
                Some(person),
                "Ankara",
                fields_of(&edited),
                SaveOptions::default(),
            )
            .unwrap();
    }
    sync_clean(&a);

    enroll(&b, &url, &code(&db, "Ankara"));
    {
        let mut store = Store::open(&b.join("rainstaff.db")).unwrap();
        store.log_event("müdür", "Ankara", "sign_in", None).unwrap();
    }
    let first = sync_clean(&b);
    assert!(!first.from_snapshot, "{first:?}");
    let synced = |pc: &Path| -> Vec<rows::LocalRow> {
        let store = Store::open(&pc.join("rainstaff.db")).unwrap();
        let mut held = rows::select(store.test_connection(), &EMPLOYEES, "1", &[]).unwrap();
        held.extend(rows::select(store.test_connection(), &TIMESHEETS, "1", &[]).unwrap());
        held.sort_by_key(|r| r.id);
        held
    };
    assert_eq!(synced(&b), synced(&a));
    assert_eq!(synced(&b).len(), rainstaff_core::protocol::MAX_BATCH + 2);
}

/// A new PC whose snapshot file does not arrive (here the line drops it every time) pulls every
/// change instead, and holds what the PC that wrote them holds: the file is a shortcut, and a
/// PC that cannot get it must still sync.
#[test]
fn a_snapshot_that_does_not_arrive_is_left_for_the_pull() {
    let dir = tempfile::tempdir().unwrap();
    let (db, port, url, _serving) = start_server(dir.path());
    let (a, b) = (dir.path().join("ankara-1"), dir.path().join("ankara-2"));
    enroll(&a, &url, &code(&db, "Ankara"));
    let employee = ankara_office(&a);
    add_shift(&a, employee, 1);
    sync_clean(&a);

    let line = Meter::cutting_downloads(port);
    enroll(&b, &line.url, &code(&db, "Ankara"));
    let first = sync_clean(&b);
    assert!(!first.from_snapshot && first.pulled > 0, "{first:?}");
    assert_eq!(holdings(&b), holdings(&a));
}
