//! Store health with real files: a store with one damaged interior page is refused by every
//! subcommand that opens it, by the window at start-up and by every kind of backup, and the
//! backups taken before the damage are left as they were.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use rainstaff::app::{Start, start};
use rainstaff::db::{STORE_FILE, Store, StoreError};
use rainstaff::paths::DataDir;

/// A store whose `settings` and `sync_state` tables span many pages, so that their roots are
/// interior pages. The window reads `settings` as it opens; `sync_state` only the sync does.
fn store_with_rows(dir: &Path) -> PathBuf {
    let path = dir.join(STORE_FILE);
    let store = Store::open(&path).unwrap();
    // The window reads its language as it opens.
    store.set_setting("language", "tr").unwrap();
    let filler = "x".repeat(100);
    for i in 0..3000 {
        store.set_setting(&format!("health-{i:05}"), &filler).unwrap();
    }
    store
        .test_connection()
        .execute(
            "INSERT INTO sync_state (key, value)
             WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             SELECT 'health-' || i, ?1 FROM n",
            [&filler],
        )
        .unwrap();
    path
}

/// Overwrites the cells of `settings`' root (an interior b-tree page) with 0xFF, so its child
/// page numbers point nowhere; the file header and page 1 stay intact and SQLite opens the file
/// as before.
fn damage_interior_page(path: &Path) {
    damage_root_of(path, "settings");
}

fn damage_root_of(path: &Path, table: &str) {
    let (root, page_size): (i64, i64) = {
        let conn = rusqlite::Connection::open(path).unwrap();
        let root =
            conn.query_row("SELECT rootpage FROM sqlite_master WHERE name = ?1", [table], |r| r.get(0));
        (root.unwrap(), conn.query_row("PRAGMA page_size", [], |r| r.get(0)).unwrap())
    };
    let mut bytes = std::fs::read(path).unwrap();
    let (root, page_size) = (root as usize, page_size as usize);
    let page = (root - 1) * page_size;
    assert_eq!(bytes[page], 0x05, "the root of {table} is an interior table page");
    let cells = u16::from_be_bytes([bytes[page + 5], bytes[page + 6]]) as usize;
    assert!(cells > 100 && cells < page_size, "the cell content area is inside the page");
    bytes[page + cells..page + page_size].fill(0xFF);
    std::fs::write(path, bytes).unwrap();
}

fn rainstaff(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rainstaff")).arg("--data-dir").arg(dir).args(args).output().unwrap()
}

/// The backups folder's file names, sorted.
fn backup_names(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.join("backups")) else {
        return Vec::new();
    };
    let mut names: Vec<String> =
        entries.map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

fn assert_refused(out: &Output, store: &Path, what: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{what} exited 0 on a damaged store: {stderr}");
    assert!(stderr.contains(&store.display().to_string()), "{what} names the file: {stderr}");
    assert!(stderr.contains("the data file is damaged"), "{what} names the problem: {stderr}");
    assert!(stderr.contains("Restore a backup"), "{what} gives the way out: {stderr}");
}

#[test]
fn subcommands_refuse_a_damaged_store_and_keep_the_backups_there_are() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_with_rows(dir.path());
    let out = rainstaff(dir.path(), &["backup"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let good = backup_names(dir.path());
    assert_eq!(good.len(), 1, "{good:?}");
    damage_interior_page(&store);

    let out = rainstaff(dir.path(), &["backup"]);
    assert_refused(&out, &store, "backup");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&good[0]), "the intact backup is named: {stderr}");
    assert_eq!(backup_names(dir.path()), good, "no new backup, partial or not; the good one kept");

    let copy = dir.path().join("copy.db");
    assert_refused(
        &rainstaff(dir.path(), &["backup", "--out", copy.to_str().unwrap()]),
        &store,
        "backup --out",
    );
    assert!(!copy.exists() && !dir.path().join("copy.db.partial").exists());

    let csv = dir.path().join("shifts.csv");
    let args = ["export", "timesheets", "--from", "2026-01-01", "--to", "2026-01-31", "--out"];
    let out = rainstaff(dir.path(), &[&args[..], &[csv.to_str().unwrap()]].concat());
    assert_refused(&out, &store, "export");
    assert!(!csv.exists(), "nothing exported");

    assert_refused(&rainstaff(dir.path(), &["sync"]), &store, "sync");
    assert_refused(&rainstaff(dir.path(), &["alerts"]), &store, "alerts");
}

#[test]
fn no_backup_of_a_store_damaged_while_open_and_the_seven_daily_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_with_rows(dir.path());
    let store = Store::open(&path).unwrap();
    for day in 1..=7 {
        store.backup_to(&store.backup_dir().join(format!("daily-2026010{day}.db"))).unwrap();
    }
    let before = backup_names(dir.path());
    damage_interior_page(&path);
    // The connection checked every page when it opened; drop them so it reads the file again.
    store.test_connection().execute_batch("PRAGMA shrink_memory").unwrap();

    let daily = store.daily_backup().expect_err("a damaged store is not backed up");
    assert!(matches!(daily, StoreError::Damaged(_)), "{daily}");
    let manual = store.backup_now().expect_err("nor by hand");
    assert!(manual.to_string().contains("the data file is damaged"), "{manual}");
    assert_eq!(backup_names(dir.path()), before, "the seven daily backups are all still there");
}

/// Damage in what the window reads as it opens: it opens on the damage.
#[test]
fn the_window_opens_on_the_damage_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_with_rows(dir.path());
    let out = rainstaff(dir.path(), &["backup"]);
    assert!(out.status.success());
    damage_interior_page(&path);
    let before = std::fs::read(&path).unwrap();

    let ctx = egui::Context::default();
    let Start::Damaged(screen) = start(DataDir::new(dir.path()), &ctx).unwrap() else {
        panic!("the app opened on a damaged store");
    };
    assert!(screen.damage.good_backup.is_some(), "the intact backup is found");
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1024.0, 700.0))
        .build_ui_state(|ui, screen: &mut rainstaff::ui::damaged::DamagedScreen| screen.ui(ui), screen);
    harness.run();
    harness.get_by_label("Veri dosyası bozuk / The data file is damaged");
    harness.get_by_label_contains("veri dosyası bozuk (");
    harness.get_by_label_contains("Restore a backup: close Rainstaff");
    harness.get_by_label("Kapat / Close");
    drop(harness);
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing was written into the damaged file");
}

/// Damage in what the window does not read as it opens: the window draws at once, and the
/// worker's check, which reads every page on its own thread, puts the damage in the app's place
/// before the worker, the sync or the daily backup write anything.
#[test]
fn damage_found_after_the_window_opened_replaces_the_app() {
    let dir = tempfile::tempdir().unwrap();
    let path = store_with_rows(dir.path());
    damage_root_of(&path, "sync_state");
    let before = std::fs::read(&path).unwrap();

    let ctx = egui::Context::default();
    let Start::App(app) = start(DataDir::new(dir.path()), &ctx).unwrap() else {
        panic!("the window did not open on what it reads");
    };
    let mut harness = Harness::builder()
        .with_size(egui::vec2(1024.0, 700.0))
        .build_ui_state(|ui, app: &mut Box<rainstaff::app::App>| app.show(ui), app);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while harness.query_by_label("Veri dosyası bozuk / The data file is damaged").is_none() {
        assert!(std::time::Instant::now() < deadline, "the damage was not shown");
        harness.step();
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    harness.run();
    harness.get_by_label_contains("Restore a backup: close Rainstaff");
    let sign_in = "İlk açılış: yönetici hesabını oluşturun.";
    assert!(harness.query_by_label(sign_in).is_none(), "the sign-in is gone");
    drop(harness);
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing was written into the damaged file");
    assert!(backup_names(dir.path()).is_empty(), "no daily backup of the damaged store");
}
