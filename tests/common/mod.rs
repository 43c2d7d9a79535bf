//! What the tests share: an app over a real store in a temporary folder, driven by label, and
//! the legacy samples with what the office's own records say of them.

// Each test binary compiles this module and uses a different part of it.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use rainstaff::app::App;
use rainstaff::paths::DataDir;

pub fn start(dir: &std::path::Path) -> Harness<'static, App> {
    start_sized(dir, egui::vec2(1280.0, 800.0))
}

/// `start` in a window of `size`.
pub fn start_sized(dir: &std::path::Path, size: egui::Vec2) -> Harness<'static, App> {
    let ctx = egui::Context::default();
    let mut app = App::new(DataDir::new(dir), &ctx).expect("app starts");
    app.today = chrono::NaiveDate::from_ymd_opt(2026, 3, 4).unwrap();
    Harness::builder().with_size(size).build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// Runs frames until the worker has answered everything and the UI has taken the answers in.
pub fn settle(harness: &mut Harness<'_, App>) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        harness.step();
        // Idle once a frame has taken in every answer: an answer may ask for more (a saved
        // record makes the month end compute again), which the frame after it sends.
        if harness.state().is_idle() {
            harness.step();
            if harness.state().is_idle() {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the worker did not answer in time");
        std::thread::sleep(Duration::from_millis(5));
    }
    harness.run();
}

/// Runs frames until `done` holds, for answers no idle count covers (the sync thread's, or what
/// the app asks of the OS); `what` names the wait when it times out.
pub fn step_until(
    harness: &mut Harness<'_, App>,
    what: &str,
    mut done: impl FnMut(&Harness<'_, App>) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        harness.step();
        if done(harness) {
            return;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// Types into the text field labelled `label`, replacing what it held. A text field is preferred
/// over other widgets of the same name (a table header, say).
pub fn fill(harness: &mut Harness<'_, App>, label: &str, text: &str) {
    let field =
        |h: &Harness<'_, App>| h.query_by_role_and_label(egui::accesskit::Role::TextInput, label).is_some();
    let focus = |h: &Harness<'_, App>| match field(h) {
        true => h.get_by_role_and_label(egui::accesskit::Role::TextInput, label).focus(),
        false => h.get_by_label(label).focus(),
    };
    focus(harness);
    harness.run();
    harness.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::A);
    match field(harness) {
        true => harness.get_by_role_and_label(egui::accesskit::Role::TextInput, label).type_text(text),
        false => harness.get_by_label(label).type_text(text),
    }
    harness.run();
}

/// Whether the widget labelled `label` has the keyboard.
pub fn focused(harness: &Harness<'_, App>, label: &str) -> bool {
    let label = label.to_string();
    harness.query_by(move |n| n.is_focused() && n.label().as_deref() == Some(label.as_str())).is_some()
}

/// Signs in on the sign-in screen the app starts on.
pub fn sign_in(harness: &mut Harness<'_, App>, username: &str, password: &str) {
    harness.run();
    fill(harness, "Kullanıcı adı", username);
    fill(harness, "Parola", password);
    harness.get_by_label("Giriş").click();
    settle(harness);
}

/// Creates the administrator on a first start and lands on the employees screen.
pub fn first_admin(harness: &mut Harness<'_, App>) {
    harness.run();
    fill(harness, "Kullanıcı adı", "yönetici");
    fill(harness, "Parola", "çok-gizli-parola");
    fill(harness, "Parola (tekrar)", "çok-gizli-parola");
    harness.get_by_label("Yöneticiyi oluştur").click();
    settle(harness);
    employees_screen(harness);
}

/// Opens Personel from the toolbar (sign-in lands on Özet).
pub fn employees_screen(harness: &mut Harness<'_, App>) {
    harness.get_by_role_and_label(egui::accesskit::Role::Button, "Personel").click();
    harness.run();
}

/// The anonymized legacy databases, kept in the repository as fixtures.
pub fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/legacy")
}

/// A company file with İzmir's, İstanbul's and Ankara's rows: F1 changed by the legacy tests'
/// fixture `three_regions.sql`.
pub fn three_regions(dir: &Path) -> PathBuf {
    let path = dir.join("sirket.db");
    std::fs::copy(samples().join("F1_v4_s4.db"), &path).unwrap();
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch(include_str!("../../crates/legacy/tests/fixtures/three_regions.sql"))
        .unwrap();
    path
}

/// What the office's own records say of F1_v4_s4.db (oracle.json), by employee name:
/// (worked minutes, timesheet rows).
pub fn f1_oracle() -> BTreeMap<String, (i64, i64)> {
    let oracle: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(samples().join("oracle.json")).unwrap()).unwrap();
    let f1 = &oracle["F1_v4_s4.db"];
    let legacy = rusqlite::Connection::open_with_flags(
        samples().join("F1_v4_s4.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    f1["timesheet_minutes_by_employee"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(id, minutes)| {
            let name: String = legacy
                .query_row("SELECT full_name FROM employees WHERE id = ?1", [id], |r| r.get(0))
                .unwrap();
            let rows = f1["timesheet_rows_by_employee"][id].as_i64().unwrap();
            (name, (minutes.as_i64().unwrap(), rows))
        })
        .collect()
}

/// Draws frames as the window does after a slow frame gathered several keys: the events already
/// in the harness's input go through the app's own input hook (`eframe::App::raw_input_hook`),
/// which holds back what follows a Tab for the frames after it. (`Harness::event` gives every
/// event a frame of its own, so it never meets the problem.)
pub fn step_as_the_window_does(harness: &mut Harness<'_, App>) {
    loop {
        let ctx = harness.ctx.clone();
        let mut input = std::mem::take(harness.input_mut());
        eframe::App::raw_input_hook(harness.state_mut(), &ctx, &mut input);
        *harness.input_mut() = input;
        harness.step();
        if !harness.state().held_keys.holding() {
            break;
        }
    }
    harness.run();
}
