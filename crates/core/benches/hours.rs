//! One year of shifts for 1000 employees through the hour engine, next to a naive pass that only
//! sums end − start − break over the same shifts, so the cost of the law can be read as a ratio.
//! Run with `cargo bench -p rainstaff-core --bench hours`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{Datelike, NaiveDate, Weekday};
use rainstaff_core::hours::{
    BreakPolicy, Calendar, Contract, ContractKind, Policy, Request, Rounding, ShiftInput, compute, run_json,
};
use rainstaff_core::time::{format_hhmm, span_minutes};

const EMPLOYEES: usize = 1000;
const RUNS: usize = 5;

/// A small deterministic generator (xorshift64*): the core has no `rand`, and the same shifts on
/// every run keep the numbers comparable.
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

struct Employee {
    contract: Contract,
    shifts: Vec<ShiftInput>,
}

/// A mix of office, six-day, night, split-shift and part-time workers over 2026, with some
/// overtime, some typed breaks and the occasional Sunday.
fn employee(rng: &mut Rng) -> Employee {
    let pattern = rng.below(5);
    let contract = match pattern {
        4 => Contract { kind: ContractKind::PartTime, weekly_minutes: 1200, ..Contract::default() },
        3 => Contract { break_policy: BreakPolicy::AsEntered, ..Contract::default() },
        _ => Contract::default(),
    };
    let mut shifts = Vec::new();
    let first = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap_or_default();
    for date in first.iter_days().take_while(|d| d.year() == 2026) {
        let weekday = date.weekday();
        let works = match pattern {
            1 | 3 => weekday != Weekday::Sun,
            _ => !matches!(weekday, Weekday::Sat | Weekday::Sun),
        } || rng.below(50) == 0;
        if !works || rng.below(25) == 0 {
            continue;
        }
        let jitter = rng.below(4) * 15;
        let overtime = if rng.below(8) == 0 { 60 + rng.below(4) * 30 } else { 0 };
        let typed = (rng.below(3) == 0).then(|| 30 + rng.below(3) * 15);
        match pattern {
            0 => shifts.push(shift(date, 480 + jitter, 1080 + jitter + overtime, typed)),
            1 => shifts.push(shift(date, 480 + jitter, 960 + jitter + overtime, typed)),
            2 => shifts.push(shift(date, 1320, 360 + overtime, typed)),
            3 => {
                shifts.push(shift(date, 420 + jitter, 690, None));
                shifts.push(shift(date, 750 + jitter, 1110 + overtime, None));
            }
            _ => shifts.push(shift(date, 540, 780 + overtime / 2, None)),
        }
    }
    Employee { contract, shifts }
}

fn shift(date: NaiveDate, start: u32, end: u32, break_minutes: Option<u32>) -> ShiftInput {
    ShiftInput::new(date, start % 1440, end % 1440, break_minutes)
}

/// The fastest of RUNS timed runs, after one untimed warm-up run.
fn best_of<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = f();
    let mut best = Duration::MAX;
    for _ in 0..RUNS {
        let t = Instant::now();
        out = black_box(f());
        best = best.min(t.elapsed());
    }
    (best, out)
}

fn json_of(e: &Employee) -> String {
    let shifts: Vec<serde_json::Value> = e
        .shifts
        .iter()
        .map(|s| {
            serde_json::json!({"date": s.date.to_string(), "start": format_hhmm(s.start),
                "end": format_hhmm(s.end), "break_minutes": s.break_minutes})
        })
        .collect();
    serde_json::json!({
        "contract": {"kind": e.contract.kind.code(), "weekly_minutes": e.contract.weekly_minutes,
                     "break_policy": e.contract.break_policy.to_stored()},
        "policy": {"rounding": "half_hour_up"},
        "shifts": shifts,
    })
    .to_string()
}

fn main() {
    let mut rng = Rng(0x5EED_2026);
    let employees: Vec<Employee> = (0..EMPLOYEES).map(|_| employee(&mut rng)).collect();
    let shift_count: usize = employees.iter().map(|e| e.shifts.len()).sum();
    let calendar = Calendar::builtin_tr();
    let policy = Policy { rounding: Rounding::HalfHourUp, ..Policy::default() };

    let (naive, naive_sum) = best_of(|| {
        employees
            .iter()
            .flat_map(|e| &e.shifts)
            .map(|s| {
                let span = span_minutes(s.start, s.end).unwrap_or(0);
                u64::from(span.saturating_sub(s.break_minutes.unwrap_or(0)))
            })
            .sum::<u64>()
    });

    let (engine, engine_sum) = best_of(|| {
        employees
            .iter()
            .map(|e| {
                let r = compute(&e.contract, &policy, &calendar, 0, black_box(&e.shifts));
                r.map(|r| u64::from(r.total.worked)).unwrap_or(0)
            })
            .sum::<u64>()
    });

    let inputs: Vec<String> = employees.iter().map(json_of).collect();
    let (json, json_bytes) = best_of(|| {
        inputs.iter().map(|i| run_json(black_box(i)).map(|v| v.to_string().len()).unwrap_or(0)).sum::<usize>()
    });

    let (reading, _) = best_of(|| inputs.iter().filter(|i| Request::from_json(i).is_ok()).count());
    let reports: Vec<_> = employees
        .iter()
        .filter_map(|e| compute(&e.contract, &policy, &calendar, 0, &e.shifts).ok())
        .collect();
    let (writing, _) = best_of(|| reports.iter().map(|r| r.to_json().to_string().len()).sum::<usize>());
    let (direct, _) =
        best_of(|| reports.iter().map(|r| serde_json::to_string(r).map_or(0, |s| s.len())).sum::<usize>());

    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("hour engine benchmark: {EMPLOYEES} employees, one year (2026), {shift_count} shift entries");
    println!("  best of {RUNS} runs after a warm-up");
    println!("  naive sum (end - start - break):       {:9.2} ms   ({naive_sum} min)", ms(naive));
    println!(
        "  engine, typed compute():                {:9.2} ms   ({engine_sum} min worked, {:.1} µs/employee, {:.0}x naive)",
        ms(engine),
        engine.as_secs_f64() * 1e6 / EMPLOYEES as f64,
        engine.as_secs_f64() / naive.as_secs_f64().max(1e-9)
    );
    println!(
        "  engine, run_json() parse+compute+JSON:  {:9.2} ms   ({:.1} MB of output)",
        ms(json),
        json_bytes as f64 / 1e6
    );
    println!("    of which reading the input JSON:     {:9.2} ms", ms(reading));
    println!("    of which building + printing output: {:9.2} ms", ms(writing));
    println!("  serde_json::to_string(&report) directly: {:9.2} ms", ms(direct));
    let verdict = if engine < Duration::from_secs(1) { "under" } else { "OVER" };
    println!("  target 1 s for the typed engine: {verdict}");
}
