//! One month for 500 employees (about 11 000 shifts) into the XLSX report, next to the plain CSV
//! export of the same shifts, so that the cost of the engine and of the workbook can be read as a
//! ratio. Run with `cargo bench --bench report`.

use std::path::Path;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, Weekday};
use rainstaff::db::{Store, rows};
use rainstaff::i18n::Lang;
use rainstaff::report::{ReportFormat, ReportRequest};
use rainstaff_core::hours::BreakPolicy;
use rainstaff_core::model::{Employee, Shift, fields_of};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::{EMPLOYEES, TIMESHEETS};
use rainstaff_core::time::format_hhmm;
use rainstaff_report::{CsvDialect, Month, Selection};

const EMPLOYEES_COUNT: usize = 500;
const RUNS: usize = 5;
const REGIONS: [&str; 5] = ["Ankara", "Istanbul", "Izmir", "Bursa", "Antalya"];

/// A small deterministic generator (xorshift64*): the same shifts on every run keep the numbers
/// comparable.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u32) -> u32 {
        (self.next() % u64::from(n)) as u32
    }
}

/// Office, six-day, night and part-time workers over the whole weeks around January 2026
/// (29 December to 1 February), with some overtime and the odd Sunday. Returns January's shifts.
fn seed(store: &mut Store) -> usize {
    let mut rng = Rng(0x5241_494E_5354_4146);
    let tx = store.test_connection().unchecked_transaction().expect("transaction");
    let first = NaiveDate::from_ymd_opt(2025, 12, 29).expect("date");
    let last = NaiveDate::from_ymd_opt(2026, 2, 1).expect("date");
    let mut january = 0;
    for i in 0..EMPLOYEES_COUNT {
        let region = REGIONS[i % REGIONS.len()];
        let pattern = rng.below(4);
        let employee = Employee {
            full_name: format!("PERSONEL {i:03} ÇALIŞKAN"),
            contract_kind: if pattern == 3 { "part_time" } else { "full_time" }.into(),
            weekly_minutes: if pattern == 3 { 1200 } else { 2700 },
            break_policy: if pattern == 1 { BreakPolicy::AsEntered } else { BreakPolicy::Statutory }
                .to_stored(),
            ..Employee::default()
        };
        let id = rainstaff_core::ids::new_id();
        rows::save(&tx, &EMPLOYEES, id, region, &fields_of(&employee)).expect("employee");
        for date in first.iter_days().take_while(|d| *d <= last) {
            let weekday = date.weekday();
            let works = (pattern == 1 && weekday == Weekday::Sat)
                || !matches!(weekday, Weekday::Sat | Weekday::Sun)
                || rng.below(40) == 0;
            if !works {
                continue;
            }
            let (start, length) = match pattern {
                2 => (22 * 60, 8 * 60),
                3 => (9 * 60, 4 * 60),
                _ => (8 * 60 + rng.below(4) * 15, 9 * 60 + if rng.below(6) == 0 { 120 } else { 0 }),
            };
            let shift = Shift {
                employee_id: id.to_string(),
                work_date: date.to_string(),
                start_time: format_hhmm(start),
                end_time: format_hhmm((start + length) % 1440),
                break_minutes: if length > 240 { 60 } else { 15 },
                special_day: false,
                note: (rng.below(10) == 0).then(|| "izinli çıkış".to_string()),
            };
            rows::save(&tx, &TIMESHEETS, rainstaff_core::ids::new_id(), region, &fields_of(&shift))
                .expect("shift");
            january += usize::from(date.month() == 1 && date.year() == 2026);
        }
    }
    tx.commit().expect("commit");
    january
}

/// The best of `RUNS` timed runs after one warm-up.
fn best(mut f: impl FnMut()) -> Duration {
    f();
    (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .min()
        .unwrap_or_default()
}

fn size(path: &Path) -> String {
    let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut store = Store::open(&dir.path().join("rainstaff.db")).expect("store");
    let shifts = seed(&mut store);
    let month = Month::new(2026, 1).expect("month");
    let request = |format: ReportFormat, name: &str| ReportRequest {
        selection: Selection { month, employee: None, region: ALL_REGIONS.into() },
        format,
        csv: CsvDialect::Excel,
        lang: Lang::Tr,
        out: dir.path().join(name),
    };
    let plain_path = dir.path().join("plain.csv");
    let plain = best(|| {
        let file = std::fs::File::create(&plain_path).expect("file");
        let n = rainstaff::export::timesheets_csv(
            &store,
            month.first(),
            month.last(),
            ALL_REGIONS,
            std::io::BufWriter::new(file),
        )
        .expect("plain export");
        assert_eq!(n, shifts);
    });
    let selection = request(ReportFormat::Xlsx, "x").selection;
    let computed = best(|| {
        let report = rainstaff::report::build(&store, &selection, &mut |_| {}).expect("report");
        assert_eq!(report.employees.len(), EMPLOYEES_COUNT);
    });
    let xlsx_request = request(ReportFormat::Xlsx, "report.xlsx");
    let xlsx = best(|| {
        rainstaff::report::export(&store, &xlsx_request, &mut |_| {}).expect("xlsx");
    });
    let csv_request = request(ReportFormat::Csv, "report.csv");
    let csv = best(|| {
        rainstaff::report::export(&store, &csv_request, &mut |_| {}).expect("csv");
    });
    let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
    println!("{EMPLOYEES_COUNT} employees, {shifts} shifts in January 2026 (best of {RUNS} runs)");
    println!("| what | time | file |");
    println!("|---|---|---|");
    println!("| baseline: plain CSV export of the same shifts | {} | {} |", ms(plain), size(&plain_path));
    println!("| report numbers only: read + hour engine over whole weeks | {} | |", ms(computed));
    println!(
        "| **report as XLSX** (summary + 500 sheets) | **{}** | {} |",
        ms(xlsx),
        size(&xlsx_request.out)
    );
    println!("| report as CSV | {} | {} |", ms(csv), size(&csv_request.out));
    let verdict = if xlsx < Duration::from_secs(2) { "met" } else { "NOT met" };
    println!("target (XLSX under 2 s): {verdict}");
}
