//! Desktop benchmarks, each beside a baseline measured in the same run:
//! start to first frame with 50 000 shifts (baseline: an empty store), a frame while scrolling the
//! 50 000-row timesheet table as the window draws it and with a screen reader's AccessKit tree
//! (baseline: a frame of the empty table), one sync after one edit in a
//! 50 000-shift store (beside what the legacy design moved for the same edit: the whole file up
//! and down), the first sync of a new PC with 100 000 rows, and the longest UI frame during it.
//!
//! `cargo bench --bench desktop` (add `-- --write-docs` to update docs/PERFORMANCE.md).

#[path = "common/perf_doc.rs"]
mod perf_doc;

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use rainstaff::app::{App, Screen};
use rainstaff::bus::SyncPhase;
use rainstaff::db::Store;
use rainstaff::db::users::{Role, User};
use rainstaff::paths::DataDir;
use rainstaff_core::protocol::{MAX_BATCH, Mutation, Op, PushRequest};
use rainstaff_core::schema::{EMPLOYEES, TIMESHEETS};
use serde_json::json;
use uuid::Uuid;

const SHIFTS: usize = 50_000;
const EMPLOYEE_COUNT: usize = 500;

fn employee_fields(i: usize) -> serde_json::Map<String, serde_json::Value> {
    json!({"full_name": format!("PERSONEL {i:04} ŞİŞLİ"), "active": true, "contract_kind": "full_time",
        "weekly_minutes": 2700, "break_policy": "statutory"})
    .as_object()
    .unwrap()
    .clone()
}

fn shift_fields(employee: Uuid, n: usize) -> serde_json::Map<String, serde_json::Value> {
    let day = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
        + chrono::Duration::days((n / EMPLOYEE_COUNT) as i64);
    json!({"employee_id": employee.to_string(), "work_date": day.to_string(), "start_time": "08:30",
        "end_time": "17:30", "break_minutes": 60, "special_day": false, "note": null})
    .as_object()
    .unwrap()
    .clone()
}

/// A store with an administrator, 500 employees and `shifts` shifts, written the way the app
/// writes (rows with their outbox entries), in one transaction.
fn seeded(dir: &std::path::Path, shifts: usize) -> Vec<Uuid> {
    let store = Store::open(&dir.join("rainstaff.db")).unwrap();
    store.create_user("admin", Some("parola-12345"), Role::Admin, "ALL").unwrap();
    let tx = store.test_connection().unchecked_transaction().unwrap();
    let employees: Vec<Uuid> = (0..EMPLOYEE_COUNT)
        .map(|i| {
            let id = Uuid::now_v7();
            rainstaff::db::rows::save(&tx, &EMPLOYEES, id, "Ankara", &employee_fields(i)).unwrap();
            id
        })
        .collect();
    for n in 0..shifts {
        rainstaff::db::rows::save(
            &tx,
            &TIMESHEETS,
            Uuid::now_v7(),
            "Ankara",
            &shift_fields(employees[n % EMPLOYEE_COUNT], n),
        )
        .unwrap();
    }
    tx.commit().unwrap();
    employees
}

/// The app on `dir`'s store, its administrator signed in, on the timesheet screen.
/// The seeded store's administrator, as a sign-in gives them to the app.
fn admin(dir: &std::path::Path) -> User {
    Store::open(&dir.join("rainstaff.db")).unwrap().verify_login("admin", "parola-12345").unwrap().unwrap()
}

fn signed_in_app(dir: &std::path::Path, ctx: &egui::Context, user: User) -> App {
    let mut app = App::new(DataDir::new(dir), ctx).unwrap();
    app.session = Some(user);
    app.screen = Screen::Timesheets;
    app
}

fn harness(dir: &std::path::Path, user: User) -> Harness<'static, App> {
    let app = signed_in_app(dir, &egui::Context::default(), user);
    Harness::builder()
        .with_size(egui::vec2(1280.0, 800.0))
        .build_ui_state(|ui, app: &mut App| app.show(ui), app)
}

/// Start to first frame: opening the store, starting the worker, and laying out the timesheet
/// list. The sign-in (its password hash) is not part of it: the person signs in after the window
/// has drawn.
fn first_frame(shifts: usize) -> Duration {
    let dir = tempfile::tempdir().unwrap();
    seeded(dir.path(), shifts);
    let user = admin(dir.path());
    let started = Instant::now();
    let mut h = harness(dir.path(), user);
    h.step();
    started.elapsed()
}

/// The window's frames without kittest: egui alone, as the app draws when no screen reader asks
/// for its AccessKit tree (kittest builds that tree, and its own copy of it, every frame).
struct PlainUi {
    ctx: egui::Context,
    app: App,
}

impl PlainUi {
    fn new(dir: &std::path::Path) -> Self {
        let ctx = egui::Context::default();
        // As kittest sets them, so both draw the same frames: a wheel step scrolls at once.
        ctx.all_styles_mut(|style| {
            style.scroll_animation = egui::style::ScrollAnimation::none();
            style.animation_time = 0.0;
        });
        let app = signed_in_app(dir, &ctx, admin(dir));
        Self { ctx, app }
    }

    fn step(&mut self, events: Vec<egui::Event>) {
        let input = egui::RawInput {
            screen_rect: Some(egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1280.0, 800.0))),
            events,
            ..Default::default()
        };
        let app = &mut self.app;
        let _ = self.ctx.run_ui(input, |ui| app.show(ui));
    }
}

/// Who draws the frames of a measurement.
enum Frames {
    Plain(Box<PlainUi>),
    /// Through kittest, with the AccessKit tree built each frame, as for a screen reader.
    WithAccessKit(Box<Harness<'static, App>>),
}

impl Frames {
    fn step(&mut self, events: Vec<egui::Event>) {
        match self {
            Frames::Plain(ui) => ui.step(events),
            Frames::WithAccessKit(h) => {
                for e in events {
                    h.event(e);
                }
                h.step();
            }
        }
    }

    fn app(&mut self) -> &mut App {
        match self {
            Frames::Plain(ui) => &mut ui.app,
            Frames::WithAccessKit(h) => h.state_mut(),
        }
    }
}

/// Mean and worst frame while scrolling through the table, a wheel step per frame.
fn scrolling(shifts: usize, accesskit: bool) -> (Duration, Duration) {
    let dir = tempfile::tempdir().unwrap();
    seeded(dir.path(), shifts);
    let mut frames = match accesskit {
        true => Frames::WithAccessKit(Box::new(harness(dir.path(), admin(dir.path())))),
        false => Frames::Plain(Box::new(PlainUi::new(dir.path()))),
    };
    for _ in 0..3 {
        frames.step(Vec::new());
    }
    // Every row, not just the current month's.
    let screen = &mut frames.app().timesheets;
    screen.from.clear();
    screen.to.clear();
    screen.dirty = true;
    for _ in 0..3 {
        frames.step(Vec::new());
    }
    assert_eq!(frames.app().timesheets.row_count(), shifts);
    // The wheel scrolls what the pointer is over: the middle of the table.
    frames.step(vec![egui::Event::PointerMoved(egui::pos2(500.0, 450.0))]);
    let mut total = Duration::ZERO;
    let mut worst = Duration::ZERO;
    let count = 300;
    for _ in 0..count {
        let wheel = egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, -400.0),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: Default::default(),
        };
        let t = Instant::now();
        frames.step(vec![wheel]);
        let e = t.elapsed();
        total += e;
        worst = worst.max(e);
    }
    (total / count, worst)
}

struct SyncNumbers {
    edit_bytes: u64,
    edit_time: Duration,
    legacy_bytes: u64,
    first_sync_time: Duration,
    first_sync_bytes: u64,
    first_sync_rows: u64,
    longest_frame: Duration,
    frames: usize,
}

fn sync_numbers(runtime: &tokio::runtime::Runtime) -> SyncNumbers {
    let dir = tempfile::tempdir().unwrap();
    let server = Arc::new(rainstaff_server::Server::open(&dir.path().join("server.db")).unwrap());
    let running = runtime
        .block_on(rainstaff_server::http::RunningServer::start(server.clone(), Default::default()))
        .unwrap();
    let enroll = |data: &std::path::Path, region: &str| {
        let store = Store::open(&data.join("rainstaff.db")).unwrap();
        let code = server.create_enroll_code(region).unwrap().code;
        runtime
            .block_on(rainstaff::sync_task::enroll_device(
                &store,
                &DataDir::new(data),
                &running.url(),
                &code,
                "bench",
            ))
            .unwrap();
    };

    // One edit in a store of 50 000 shifts that is otherwise in sync.
    let office = dir.path().join("office");
    let employees = seeded(&office, SHIFTS);
    enroll(&office, "Ankara");
    let data = DataDir::new(&office);
    let mut store = Store::open(&data.store()).unwrap();
    runtime.block_on(rainstaff::sync_task::run_once(&mut store, &data)).unwrap();
    let tx = store.test_connection().unchecked_transaction().unwrap();
    let edit = json!({"title": "Şef"}).as_object().unwrap().clone();
    rainstaff::db::rows::save(&tx, &EMPLOYEES, employees[0], "Ankara", &edit).unwrap();
    tx.commit().unwrap();
    let t = Instant::now();
    let report = runtime.block_on(rainstaff::sync_task::run_once(&mut store, &data)).unwrap();
    let edit_time = t.elapsed();
    store.test_connection().execute_batch("PRAGMA wal_checkpoint(TRUNCATE)").unwrap();
    let file = std::fs::metadata(data.store()).unwrap().len();

    // A second region's 100 000 rows, then a new PC of that region syncs for the first time.
    let seeder = server.enroll(rainstaff_core::protocol::EnrollRequest {
        code: server.create_enroll_code("Izmir").unwrap().code,
        name: "seeder".into(),
    });
    let seeder = server.authenticate(&seeder.unwrap().token).unwrap();
    // 500 people and a shift a day each: rows the server's rules accept, as an office's are.
    let people: Vec<Uuid> = (0..EMPLOYEE_COUNT).map(|_| Uuid::now_v7()).collect();
    let rows = people.iter().enumerate().map(|(i, id)| ("employees", *id, employee_fields(i))).chain(
        (0..100_000 - EMPLOYEE_COUNT)
            .map(|n| ("timesheets", Uuid::now_v7(), shift_fields(people[n % EMPLOYEE_COUNT], n))),
    );
    let mut batch = Vec::new();
    let push = |batch: Vec<Mutation>| {
        let answer = server.push(&seeder, PushRequest { mutations: batch }).unwrap();
        assert!(answer.outcomes.iter().all(|o| o.code.is_none()), "the server refused a seeded row");
    };
    for (n, (table, row_id, fields)) in rows.enumerate() {
        batch.push(Mutation {
            mutation_id: n as i64 + 1,
            table: table.into(),
            row_id,
            region: "Izmir".into(),
            op: Op::Upsert,
            fields,
            base_version: 0,
            imported: false,
            renumbered_from: None,
        });
        if batch.len() == MAX_BATCH {
            push(std::mem::take(&mut batch));
        }
    }
    push(batch);

    let newcomer = dir.path().join("newcomer");
    {
        let store = Store::open(&newcomer.join("rainstaff.db")).unwrap();
        store.create_user("admin", Some("parola-12345"), Role::Admin, "ALL").unwrap();
    }
    enroll(&newcomer, "Izmir");
    let user = admin(&newcomer);
    // The app runs its first sync at start; frames are laid out while it runs.
    let started = Instant::now();
    let mut h = harness(&newcomer, user);
    let mut longest = Duration::ZERO;
    let mut frames = 0;
    loop {
        let t = Instant::now();
        h.step();
        longest = longest.max(t.elapsed());
        frames += 1;
        let status = &h.state().sync;
        if status.phase == SyncPhase::Idle && status.last_report.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let first_sync_time = started.elapsed();
    let first = h.state().sync.last_report.clone().unwrap();
    drop(h);
    runtime.block_on(running.stop()).unwrap();
    SyncNumbers {
        edit_bytes: report.bytes_sent + report.bytes_received,
        edit_time,
        legacy_bytes: 2 * file,
        first_sync_time,
        first_sync_bytes: first.bytes_sent + first.bytes_received,
        first_sync_rows: first.pulled,
        longest_frame: longest,
        frames,
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let empty_first = first_frame(0);
    let full_first = first_frame(SHIFTS);
    let (empty_frame, empty_worst) = scrolling(0, false);
    let (full_frame, full_worst) = scrolling(SHIFTS, false);
    let (empty_ak, empty_ak_worst) = scrolling(0, true);
    let (full_ak, full_ak_worst) = scrolling(SHIFTS, true);
    let s = sync_numbers(&runtime);
    let section = format!(
        "## Desktop\n\n\
`cargo bench --bench desktop` (release; the UI is laid out headless, so a frame is egui's CPU \
work without GPU painting; times are wall clock on the UI thread). The app's frames are drawn by \
egui alone, as the window draws them; the screen-reader row draws them through egui_kittest, \
which has egui build the AccessKit tree every frame (as it does when a screen reader is on) and \
keeps a copy of it.\n\n\
| what | baseline | measured |\n| --- | --- | --- |\n\
| start to first frame, timesheet screen | empty store: {} | 50 000 shifts: **{}** |\n\
| frame while scrolling the timesheet table (mean / worst of 300) | empty table: {} / {} | 50 000 rows: **{}** / **{}** (target: worst under 4 ms) |\n\
| the same with a screen reader's AccessKit tree (kittest) | empty table: {} / {} | 50 000 rows: {} / {} |\n\
| one sync after one edit in a store of 50 000 shifts | legacy design: the whole file up and down, {} bytes | **{} bytes** on the wire in {} |\n\
| first sync of a new PC: {} rows | — | {} bytes on the wire in **{}** |\n\
| longest UI frame during that first sync ({} frames, kittest: AccessKit tree included) | — | **{}** |\n\n\
The timesheet list opens on the current month, so the first frame reads that month, not all 50 000 \
shifts; the scrolling row clears the filter and lists every one of them. The store's `PRAGMA \
quick_check`, which reads the whole file so that a damaged one is caught before anything writes \
to it, runs on the worker's thread while the window draws (a quarter of a second with 50 000 \
shifts; only a store about to be migrated is checked before the window opens). The new PC's first sync \
takes the server's snapshot of 100 000 rows on the sync thread while the UI keeps drawing from its \
own connection.\n",
        ms(empty_first),
        ms(full_first),
        ms(empty_frame),
        ms(empty_worst),
        ms(full_frame),
        ms(full_worst),
        ms(empty_ak),
        ms(empty_ak_worst),
        ms(full_ak),
        ms(full_ak_worst),
        s.legacy_bytes,
        s.edit_bytes,
        ms(s.edit_time),
        s.first_sync_rows,
        s.first_sync_bytes,
        ms(s.first_sync_time),
        s.frames,
        ms(s.longest_frame),
    );
    perf_doc::publish("## Desktop", &section);
}
