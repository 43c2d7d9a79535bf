//! Starting and leaving the app: a first start says nothing odd on stderr, and File → Exit or
//! Ctrl+Q close the window the way its close button does, finishing what was already sent.

mod common;

use std::process::Command;
use std::sync::Mutex;

use common::{employees_screen, fill, first_admin, settle, sign_in, start};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use rainstaff::app::App;

/// The tests that start an app run one at a time, so that counting the worker and sync threads
/// sees only the app under test.
static ONE_APP_AT_A_TIME: Mutex<()> = Mutex::new(());

/// Whether the last frame asked the window to close (eframe then drops the app).
fn close_requested(harness: &Harness<'_, App>) -> bool {
    harness
        .output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|out| out.commands.iter().any(|c| matches!(c, egui::ViewportCommand::Close)))
}

/// This process's threads that carry the names the app gives its worker and sync threads.
#[cfg(target_os = "linux")]
fn app_threads() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim().to_string())
        .filter(|name| name == "worker" || name == "sync")
        .collect()
}

#[test]
fn file_exit_closes_the_window_after_the_last_save_and_stops_the_threads() {
    let _one = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    first_admin(&mut harness);
    #[cfg(target_os = "linux")]
    assert_eq!(app_threads().len(), 2, "the running app has a worker and a sync thread");

    harness.get_by_label("Yeni personel").click();
    harness.run();
    fill(&mut harness, "Ad Soyad", "ÇAĞLA ÖZTÜRK");
    // Saved and left at once, without waiting for the worker's answer.
    harness.get_by_label("Kaydet").click();
    harness.step();
    harness.get_by_label("Dosya").click();
    harness.run();
    // The item shows its shortcut, and screen readers read both.
    harness.get_by_label("Çıkış Ctrl+Q").click();
    harness.step();
    assert!(close_requested(&harness), "File → Exit did not ask the window to close");

    // What eframe does once the window has closed.
    drop(harness);
    #[cfg(target_os = "linux")]
    assert_eq!(app_threads(), Vec::<String>::new(), "threads still running after the app was dropped");

    let mut harness = start(dir.path());
    sign_in(&mut harness, "yönetici", "çok-gizli-parola");
    employees_screen(&mut harness);
    settle(&mut harness);
    assert_eq!(harness.state().employees.visible_names(), ["ÇAĞLA ÖZTÜRK"]);
}

#[test]
fn ctrl_q_closes_the_window_even_from_the_sign_in_screen() {
    let _one = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    harness.run();
    assert!(!close_requested(&harness));
    // Only the key-down, in one frame: the harness keeps the output of a step's last frame only.
    harness.event(egui::Event::Key {
        key: egui::Key::Q,
        pressed: true,
        modifiers: egui::Modifiers::COMMAND,
        repeat: false,
        physical_key: None,
    });
    harness.step();
    assert!(close_requested(&harness), "Ctrl+Q did not ask the window to close");
}

#[test]
fn the_exit_item_names_its_shortcut_in_english_too() {
    let _one = ONE_APP_AT_A_TIME.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let mut harness = start(dir.path());
    first_admin(&mut harness);
    harness.get_by_label("Ayarlar").click();
    harness.run();
    harness.get_by_label("English").click();
    settle(&mut harness);
    harness.get_by_label("File").click();
    harness.run();
    harness.get_by_label("Exit Ctrl+Q").click();
    harness.step();
    assert!(close_requested(&harness), "File → Exit did not ask the window to close");
}

/// The first start of the window on a PC: no data folder, so no logs folder either. Without a
/// display the window cannot open, but logging starts before it tries, which is what is checked.
#[test]
fn first_start_creates_the_log_folder_without_complaining_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let output = Command::new(env!("CARGO_BIN_EXE_rainstaff"))
        .arg("--data-dir")
        .arg(&data)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WGPU_BACKEND")
        .output()
        .expect("cannot run rainstaff");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the window opened without a display?\n{stderr}");
    assert!(
        !stderr.contains("Error reading the log directory"),
        "the first start complained about the logs folder:\n{stderr}"
    );
    let logs: Vec<_> =
        std::fs::read_dir(data.join("logs")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(logs.len(), 1, "one log file for today: {logs:?}");
    let log = std::fs::read_to_string(data.join("logs").join(&logs[0])).unwrap();
    assert!(log.contains("the window could not start"), "the failure is logged, not only printed:\n{log}");
}
