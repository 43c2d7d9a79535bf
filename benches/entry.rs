//! Entry benchmarks, each beside its baseline measured in the same run:
//! - the keys a clerk presses to enter a week of 20 people (Monday to Friday, 08:30–18:00) in the
//!   week grid, typed and by a template's short code, beside the shift form, every path driven
//!   through the real screens (egui_kittest) until the store holds the 100 shifts;
//! - importing a 10 000-row timesheet XLSX (`rainstaff import timesheets`), beside reading the
//!   same file alone.
//!
//! `cargo bench --bench entry` (add `-- --write-docs` to update docs/PERFORMANCE.md).

#[path = "common/perf_doc.rs"]
mod perf_doc;
// The UI tests' own harness: the app over a real store, signed in, settled as they settle it.
#[path = "../tests/common/mod.rs"]
mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;
use rainstaff::app::App;
use rainstaff::db::Store;
use rainstaff::db::edits::SaveOptions;
use rainstaff::db::queries::ShiftFilter;
use rainstaff::db::users::Role;
use rainstaff::i18n::Lang;
use rainstaff::sheet_import::{self, Kind};
use rainstaff_core::model::{Employee, fields_of};
use rainstaff_core::schema::EMPLOYEES;

/// Twenty people as an office names them; the form's picker finds each by typing.
const PEOPLE: [&str; 20] = [
    "AHMET YILMAZ",
    "AYŞE KAYA",
    "BURAK DEMİR",
    "CEMİLE ŞAHİN",
    "ÇAĞRI ÇELİK",
    "DERYA YILDIZ",
    "EMRE ÖZTÜRK",
    "ELİF AYDIN",
    "FATMA ARSLAN",
    "GÖKHAN DOĞAN",
    "HATİCE KILIÇ",
    "İBRAHİM ASLAN",
    "KEMAL ÇETİN",
    "LEYLA KARA",
    "MEHMET KOÇ",
    "NURAY ÖZGÜL",
    "OSMAN KURT",
    "ÖZLEM ÖZDEMİR",
    "SELİN ŞİMŞEK",
    "TUNCAY POLAT",
];
const DAYS: usize = 5;
const SHEET_ROWS: usize = 10_000;

/// A Bursa manager and the twenty people; the app's today is Wednesday 4 March 2026, so the
/// week is 2–6 March.
fn office(dir: &Path) {
    let mut store = Store::open(&dir.join("rainstaff.db")).unwrap();
    let user = store.create_user("şef", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
    for name in PEOPLE {
        let e = Employee { full_name: name.into(), ..Employee::default() };
        store.save_record(&user, &EMPLOYEES, None, "Bursa", fields_of(&e), SaveOptions::default()).unwrap();
    }
}

fn stored_shifts(dir: &Path) -> usize {
    let store = Store::open(&dir.join("rainstaff.db")).unwrap();
    store.shifts(&ShiftFilter { region: "Bursa".into(), ..Default::default() }).unwrap().len()
}

/// The app on `dir`, signed in as the manager, with the keys and clicks counted from here on.
struct Clerk {
    harness: Harness<'static, App>,
    keys: usize,
    clicks: usize,
}

impl Clerk {
    fn start(dir: &Path) -> Clerk {
        let mut harness = common::start(dir);
        common::sign_in(&mut harness, "şef", "parola-12345");
        Clerk { harness, keys: 0, clicks: 0 }
    }

    fn settle(&mut self) {
        common::settle(&mut self.harness);
    }

    /// Clicks what is labelled `label` (of `role`, where the label alone names several).
    fn click(&mut self, role: Option<egui::accesskit::Role>, label: &str) {
        self.clicks += 1;
        match role {
            Some(role) => self.harness.get_by_role_and_label(role, label).click(),
            None => self.harness.get_by_label(label).click(),
        }
        self.settle();
    }

    fn text(&mut self, text: &str) {
        self.keys += text.chars().count();
        self.harness.event(egui::Event::Text(text.into()));
        self.harness.run();
    }

    fn key(&mut self, modifiers: egui::Modifiers, key: egui::Key) {
        self.keys += 1;
        self.harness.key_press_modifiers(modifiers, key);
        self.settle();
    }

    /// Tab (or Shift+Tab) until the field labelled `label` has the keyboard.
    fn tab_to(&mut self, label: &str, back: bool) {
        let modifiers = if back { egui::Modifiers::SHIFT } else { egui::Modifiers::NONE };
        for _ in 0..12 {
            if common::focused(&self.harness, label) {
                return;
            }
            self.key(modifiers, egui::Key::Tab);
        }
        let at = self.harness.query_by(|n| n.is_focused()).map(|n| format!("{n:?}"));
        panic!("Tab never reached {label}; the keyboard is on {at:?}");
    }
}

/// One way into the week, from an office's store to the clerk who typed it.
type EntryPath = Box<dyn Fn(&Path) -> Clerk>;

/// The week by the grid: each cell typed, Tab between the days, Enter at the end of the row.
fn by_grid(dir: &Path, cell: &str) -> Clerk {
    let mut clerk = Clerk::start(dir);
    clerk.click(None, "Haftalık giriş");
    let first = format!("{} · Pzt 02.03", PEOPLE[0]);
    clerk.click(Some(egui::accesskit::Role::TextInput), &first);
    for _ in PEOPLE {
        for day in 0..DAYS {
            clerk.text(cell);
            let last = day + 1 == DAYS;
            clerk.key(egui::Modifiers::NONE, if last { egui::Key::Enter } else { egui::Key::Tab });
        }
    }
    clerk
}

/// The shortest beginning of `name` that picks it alone among the twenty, as the picker folds.
fn picker_prefix(name: &str) -> String {
    let key = |s: &str| rainstaff_core::text::search_key(s);
    (1..=name.chars().count())
        .map(|n| name.chars().take(n).collect::<String>())
        .find(|prefix| PEOPLE.iter().filter(|p| key(p).contains(&key(prefix))).count() == 1)
        .unwrap()
}

/// The week by the shift form, keyboard only: Ctrl+N, the person picked by typing, then each day
/// typed, date and times, Enter saving it and opening the next form for the same person and date.
fn by_form(dir: &Path) -> Clerk {
    let mut clerk = Clerk::start(dir);
    clerk.click(None, "Puantaj");
    let none = egui::Modifiers::NONE;
    for name in PEOPLE {
        clerk.key(egui::Modifiers::COMMAND, egui::Key::N);
        clerk.key(none, egui::Key::Enter);
        clerk.text(&picker_prefix(name));
        clerk.key(none, egui::Key::Enter);
        for day in 0..DAYS {
            clerk.tab_to("Tarih", day > 0);
            clerk.key(egui::Modifiers::COMMAND, egui::Key::A);
            clerk.text(&format!("0{}.03.2026", day + 2));
            clerk.tab_to("Başlangıç", false);
            clerk.text("830");
            clerk.key(none, egui::Key::Tab);
            clerk.text("18");
            clerk.key(none, egui::Key::Enter);
        }
        clerk.key(none, egui::Key::Escape);
    }
    clerk
}

/// 10 000 shifts of 100 people over 100 days, as an office's sheet holds them: dates as
/// DD.MM.YYYY text, times as typed.
fn timesheet_xlsx(path: &Path) {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, header) in ["Ad Soyad", "Tarih", "Giriş", "Çıkış", "Mola (dk)"].into_iter().enumerate() {
        sheet.write_string(0, col as u16, header).unwrap();
    }
    let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    for n in 0..SHEET_ROWS {
        let row = n as u32 + 1;
        let day = first + chrono::Duration::days((n / 100) as i64);
        sheet.write_string(row, 0, format!("PERSONEL {:03}", n % 100)).unwrap();
        sheet.write_string(row, 1, day.format("%d.%m.%Y").to_string()).unwrap();
        sheet.write_string(row, 2, "8.30").unwrap();
        sheet.write_string(row, 3, "1800").unwrap();
        sheet.write_number(row, 4, 60).unwrap();
    }
    book.save(path).unwrap();
}

fn best_of(runs: usize, mut run: impl FnMut() -> Duration) -> Duration {
    (0..runs).map(|_| run()).min().unwrap()
}

fn main() {
    let mut lines = Vec::new();
    let paths: [(&str, EntryPath); 3] = [
        ("shift form (Puantaj → Yeni vardiya), keyboard only", Box::new(by_form)),
        ("**week grid**, times typed (`830-18`)", Box::new(|dir: &Path| by_grid(dir, "830-18"))),
        ("**week grid**, a template's short code (`h`)", Box::new(|dir: &Path| by_grid(dir, "h"))),
    ];
    for (what, path) in paths {
        let dir = tempfile::tempdir().unwrap();
        office(dir.path());
        let clerk = path(dir.path());
        assert_eq!(stored_shifts(dir.path()), PEOPLE.len() * DAYS, "{what}");
        let per_shift = clerk.keys as f64 / (PEOPLE.len() * DAYS) as f64;
        let clicks = if clerk.clicks == 1 { "click" } else { "clicks" };
        lines.push(format!("| {what} | {} keys + {} {clicks} | {per_shift:.1} |", clerk.keys, clerk.clicks));
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("puantaj.xlsx");
    timesheet_xlsx(&file);
    let read = best_of(3, || {
        let started = Instant::now();
        assert_eq!(sheet_import::read_rows(&file).unwrap().len(), SHEET_ROWS + 1);
        started.elapsed()
    });
    let import = best_of(3, || {
        let data = tempfile::tempdir().unwrap();
        let mut store = Store::open(&data.path().join("rainstaff.db")).unwrap();
        let user = store.create_user("şef", Some("parola-12345"), Role::Manager, "Bursa").unwrap();
        for n in 0..100 {
            let e = Employee { full_name: format!("PERSONEL {n:03}"), ..Employee::default() };
            store
                .save_record(&user, &EMPLOYEES, None, "Bursa", fields_of(&e), SaveOptions::default())
                .unwrap();
        }
        let started = Instant::now();
        let outcome =
            sheet_import::import(&mut store, &user, Kind::Timesheets, &file, "Bursa", false, Lang::Tr)
                .unwrap();
        let elapsed = started.elapsed();
        assert_eq!((outcome.added, outcome.errors.len()), (SHEET_ROWS, 0));
        elapsed
    });
    let size = std::fs::metadata(&file).unwrap().len();

    let report = format!(
        "## Entry

`cargo bench --bench entry` (release). The keys are counted as the benchmark presses them in the real
screens (egui_kittest) until the store holds the 100 shifts of a week of 20 people (Monday to Friday,
08:30–18:00); a typed time or date counts one key per character, and the clicks are those that open
the screen and the first cell. The import is of a {SHEET_ROWS}-row timesheet XLSX ({size} bytes), best
of 3, into a store holding the 100 people; every row is checked as a form's save is and lands in one
transaction.

| a week of 20 people × 5 days | keys | per shift |
| --- | --- | --- |
{}

| what | time |
| --- | --- |
| baseline: reading the XLSX alone | {:.0} ms |
| **`import timesheets`** of it (read, match, check, write with the outbox and the audit trail) | **{:.0} ms** (target ≤ 2 s) |
",
        lines.join("\n"),
        read.as_secs_f64() * 1000.0,
        import.as_secs_f64() * 1000.0,
    );
    perf_doc::publish("## Entry", &report);
}
