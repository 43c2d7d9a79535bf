//! Every test vector of `shared/spec/hours-engine.md`, through the typed API and through
//! `run_json`, plus the JSON interface's errors and the explanation of a day. The vectors' inputs
//! and period figures live once, in `data/hours_vectors.json`, which `tests/hours_cli.rs` feeds
//! to the `rainstaff hours` process too; the tests here add what a vector's table row says about
//! single days.

use chrono::{NaiveDate, Weekday};
use rainstaff_core::hours::{
    BreakPolicy, Calendar, Contract, ContractKind, DayHours, Flag, InputProblem, PeriodHours, Policy, Report,
    Request, Rounding, ShiftInput, compute, run_json, weekday_code,
};
use rainstaff_core::i18n::Lang;
use rainstaff_core::time::{format_hhmm, parse_hhmm};
use serde_json::{Value, json};

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn shift(d: &str, start: &str, end: &str) -> ShiftInput {
    ShiftInput::new(date(d), parse_hhmm(start).unwrap(), parse_hhmm(end).unwrap(), None)
}

/// The same hours on consecutive dates from `first`.
fn daily(first: &str, count: u64, start: &str, end: &str) -> Vec<ShiftInput> {
    (0..count)
        .map(|i| {
            let d = date(first) + chrono::Days::new(i);
            shift(&d.to_string(), start, end)
        })
        .collect()
}

/// The spec's JSON input for the same request.
fn json_input(contract: &Contract, policy: &Policy, ytd: u32, shifts: &[ShiftInput]) -> String {
    let days = |d: &[Weekday]| d.iter().map(|w| weekday_code(*w)).collect::<Vec<_>>();
    let break_policy = match contract.break_policy {
        BreakPolicy::Statutory => json!("statutory"),
        BreakPolicy::AsEntered => json!("as_entered"),
        BreakPolicy::Fixed(n) => json!({ "fixed": n }),
    };
    let policy_json = json!({
        "averaging_weeks": policy.averaging_weeks,
        "averaging_anchor": policy.averaging_anchor.to_string(),
        "rounding": policy.rounding.code(),
        "ubgt_offset_minutes": policy.ubgt_offset_minutes,
    });
    json!({
        "contract": {
            "kind": contract.kind.code(),
            "weekly_minutes": contract.weekly_minutes,
            "break_policy": break_policy,
            "rest_days": days(&contract.rest_days),
            "weekend_days": days(&contract.weekend_days),
        },
        "policy": policy_json,
        "calendar": "TR",
        "ytd_ot50_minutes": ytd,
        "shifts": shifts.iter().map(|s| json!({
            "date": s.date.to_string(),
            "start": format_hhmm(s.start),
            "end": format_hhmm(s.end),
            "break_minutes": s.break_minutes,
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

/// Computes through the library and through `run_json`, and checks both agree.
fn both(contract: &Contract, policy: &Policy, ytd: u32, shifts: &[ShiftInput]) -> Report {
    let report = compute(contract, policy, &Calendar::builtin_tr(), ytd, shifts).unwrap();
    let via_json = run_json(&json_input(contract, policy, ytd, shifts)).unwrap();
    assert_eq!(via_json, report.to_json());
    report
}

fn run(shifts: &[ShiftInput]) -> Report {
    both(&Contract::default(), &Policy::default(), 0, shifts)
}

const VECTORS: &str = include_str!("data/hours_vectors.json");

fn vectors() -> Vec<Value> {
    let doc: Value = serde_json::from_str(VECTORS).expect("data/hours_vectors.json is not JSON");
    doc["vectors"].as_array().expect("data/hours_vectors.json has no vectors").clone()
}

/// The parsed input of the vector called `name`.
fn request(name: &str) -> Request {
    let vector =
        vectors().into_iter().find(|v| v["name"] == name).unwrap_or_else(|| panic!("no vector {name}"));
    Request::from_json(&vector["input"].to_string()).unwrap()
}

/// The vector called `name`, computed through the typed API and through the JSON of its input.
fn vector(name: &str) -> Report {
    let r = request(name);
    both(&r.contract, &r.policy, r.ytd_ot50, &r.shifts)
}

#[test]
fn every_vector_gives_the_spec_periods_and_flags() {
    for v in vectors() {
        let name = v["name"].as_str().unwrap();
        let r = vector(name);
        let periods: Vec<[u32; 4]> = r.periods.iter().map(wnxo).collect();
        let expected: Vec<[u32; 4]> = serde_json::from_value(v["periods"].clone()).unwrap();
        assert_eq!(periods, expected, "{name}: worked/normal/extra25/ot50 of each period");
        let flags: Vec<&str> = r.total.flags.iter().map(|f| f.code()).collect();
        assert_eq!(json!(flags), v["flags"], "{name}: the total's flags");
    }
}

fn day<'a>(r: &'a Report, d: &str) -> &'a DayHours {
    r.day(date(d)).unwrap_or_else(|| panic!("no day {d}"))
}

/// W/N/X/O of a period.
fn wnxo(p: &PeriodHours) -> [u32; 4] {
    [p.worked, p.normal, p.extra25, p.ot50]
}

/// Ni/Ho/We/Re of a period.
fn tags(p: &PeriodHours) -> [u32; 4] {
    [p.night, p.holiday, p.weekend, p.rest_day]
}

fn flags(list: &[Flag]) -> std::collections::BTreeSet<Flag> {
    list.iter().copied().collect()
}

#[test]
fn tv1_five_days_of_nine_hours() {
    let r = vector("TV1");
    for d in &r.days {
        assert_eq!((d.span, d.break_minutes, d.worked, d.normal, d.ot50), (600, 60, 540, 540, 0));
    }
    let w = &r.periods[0];
    assert_eq!((w.start, w.end), (date("2026-03-02"), date("2026-03-08")));
    assert_eq!(tags(w), [0, 0, 0, 0]);
    assert_eq!(w.holiday_units, 0.0);
    assert!(w.flags.is_empty() && r.total.flags.is_empty());
}

#[test]
fn tv2_all_overtime_lands_on_friday() {
    let r = vector("TV2");
    for d in &r.days {
        assert_eq!(d.worked, 600);
        assert_eq!(d.daily_excess, 0);
    }
    let ot: Vec<u32> = r.days.iter().map(|d| d.ot50).collect();
    assert_eq!(ot, [0, 0, 0, 0, 300]);
    assert_eq!(day(&r, "2026-03-06").normal, 300);
    assert_eq!((r.total.ot50, r.total.ytd_ot50, r.total.over_cap), (300, 300, 0));
}

#[test]
fn tv3_contract_under_45_hours_earns_extra25() {
    assert_eq!(request("TV3").contract, Contract { weekly_minutes: 2400, ..Contract::default() });
    let r = vector("TV3");
    let fri = day(&r, "2026-03-06");
    assert_eq!((fri.normal, fri.extra25, fri.ot50), (240, 300, 0));
    assert_eq!(r.periods[0].extra25_payable, 300);
    assert!(r.total.flags.is_empty());
}

#[test]
fn tv5_six_days_of_seven_and_a_half_hours() {
    let r = vector("TV5");
    for d in &r.days {
        assert_eq!((d.break_minutes, d.worked), (30, 450));
    }
    assert_eq!(tags(&r.periods[0]), [0, 0, 450, 0]);
    assert_eq!(day(&r, "2026-03-07").weekend, 450);
}

#[test]
fn tv6_sunday_after_a_full_week_is_overtime_on_the_rest_day() {
    let r = vector("TV6");
    let sun = day(&r, "2026-03-08");
    assert_eq!((sun.break_minutes, sun.worked, sun.ot50, sun.normal), (15, 225, 225, 0));
    assert_eq!(sun.flags, flags(&[Flag::RestDayWorked]));
    assert_eq!(tags(&r.periods[0]), [0, 0, 225, 225]);
    assert_eq!(r.periods[0].flags, flags(&[Flag::RestDayWorked]));
}

#[test]
fn tv7_seven_short_days_leave_no_weekly_rest() {
    let r = vector("TV7");
    assert!(r.days.iter().all(|d| d.worked == 225));
    assert_eq!(tags(&r.periods[0]), [0, 0, 450, 225]);
    assert_eq!(r.periods[0].flags, flags(&[Flag::NoWeeklyRest, Flag::RestDayWorked]));
    // The week's rest is a property of the week, not of a day.
    assert!(r.days.iter().all(|d| !d.flags.contains(&Flag::NoWeeklyRest)));
}

#[test]
fn tv9_night_shifts() {
    let r = vector("TV9");
    for d in &r.days {
        assert_eq!((d.span, d.break_minutes, d.worked, d.night), (480, 30, 450, 450));
        assert!(d.night_shift);
        assert_eq!(d.daily_excess, 0);
        assert!(d.flags.is_empty());
    }
    let mon = day(&r, "2026-03-02").explain(Lang::En);
    assert!(mon.iter().any(|l| l.contains("01:45–02:15 (+1)")), "{mon:#?}");
    assert_eq!(tags(&r.periods[0]), [2250, 0, 330, 0]);
    assert_eq!(day(&r, "2026-03-06").weekend, 330);
}

#[test]
fn tv11_week_with_19_may() {
    let r = vector("TV11");
    let tue = day(&r, "2026-05-19");
    assert_eq!((tue.holiday, tue.holiday_units), (540, 1.0));
    assert_eq!(tue.flags, flags(&[Flag::HolidayWorked]));
    assert_eq!(day(&r, "2026-05-18").holiday, 0);
    assert_eq!((r.periods[0].holiday, r.periods[0].holiday_units), (540, 1.0));
}

#[test]
fn tv13_weekly_then_averaged_over_two_weeks() {
    let averaged = request("TV13 averaged");
    assert_eq!(averaged.shifts, request("TV13 weekly").shifts);
    assert_eq!(averaged.policy, Policy { averaging_weeks: 2, ..Policy::default() });
    let p = &vector("TV13 averaged").periods[0];
    assert_eq!((p.start, p.end), (date("2026-03-02"), date("2026-03-15")));
    // The default anchor (5 Jan 2026) puts both weeks in one block; an anchor a week later puts
    // them in different blocks, with weekly-like results.
    let split = Policy { averaging_anchor: date("2026-02-23"), ..averaged.policy };
    let r = both(&averaged.contract, &split, 0, &averaged.shifts);
    assert_eq!(r.periods.len(), 2);
    assert_eq!((r.periods[0].start, r.periods[0].end), (date("2026-02-23"), date("2026-03-08")));
    assert_eq!(wnxo(&r.periods[0]), [3000, 3000, 0, 0]);
}

#[test]
fn tv14_payable_overtime_rounds_up_to_half_hours() {
    let tv14 = request("TV14");
    assert_eq!(tv14.policy, Policy { rounding: Rounding::HalfHourUp, ..Policy::default() });
    let r = vector("TV14");
    let sat = day(&r, "2026-03-07");
    assert_eq!((sat.break_minutes, sat.worked, sat.ot50), (15, 55, 55));
    let w = &r.periods[0];
    assert_eq!((w.ot50, w.ot50_payable, w.weekend), (55, 60, 55));
    assert_eq!((r.total.ot50, r.total.ot50_payable), (55, 60));
    // Without rounding the payable value is the exact one.
    assert_eq!(run(&tv14.shifts).periods[0].ot50_payable, 55);
}

#[test]
fn tv16_end_equal_to_start_is_rejected() {
    let shifts = [shift("2026-03-03", "08:00", "08:00")];
    let err =
        compute(&Contract::default(), &Policy::default(), &Calendar::builtin_tr(), 0, &shifts).unwrap_err();
    assert_eq!(
        (err.field.as_str(), err.shift, &err.problem),
        ("shifts[0].end", Some(0), &InputProblem::EndEqualsStart)
    );
    let err = run_json(&json_input(&Contract::default(), &Policy::default(), 0, &shifts)).unwrap_err();
    assert_eq!(err.to_string(), "shifts[0].end: end equal to start");
}

#[test]
fn tv19_fixed_break_policy() {
    assert_eq!(
        request("TV19").contract,
        Contract { break_policy: BreakPolicy::Fixed(60), ..Contract::default() }
    );
    let r = vector("TV19");
    assert!(r.days.iter().all(|d| d.break_minutes == 60 && d.worked == 420));
}

#[test]
fn tv20_statutory_break_depends_on_the_work_it_leaves() {
    let r = vector("TV20");
    let d = day(&r, "2026-03-02");
    assert_eq!((d.span, d.break_minutes, d.worked), (260, 20, 240));
}

#[test]
fn tv23a_an_hour_apart_is_one_shift() {
    let r = vector("TV23a");
    let d = day(&r, "2026-03-02");
    assert_eq!((d.span, d.break_minutes, d.worked), (540, 60, 480));
    assert_eq!(r.days.len(), 1);
}

#[test]
fn tv23b_statutory_beats_a_short_gap() {
    let r = vector("TV23b");
    let d = day(&r, "2026-03-02");
    assert_eq!((d.span, d.break_minutes, d.worked), (540, 60, 480));
}

#[test]
fn tv23c_a_long_gap_is_the_break() {
    let r = vector("TV23c");
    let d = day(&r, "2026-03-02");
    assert_eq!((d.span, d.break_minutes, d.worked), (540, 180, 360));
}

#[test]
fn tv24_a_night_typed_as_two_rows_is_one_night_shift() {
    let r = vector("TV24");
    assert_eq!(r.days.len(), 1, "the Tuesday row belongs to Monday's shift");
    let mon = day(&r, "2026-03-02");
    assert_eq!((mon.span, mon.break_minutes, mon.worked), (960, 90, 870));
    assert!(mon.night_shift);
    assert_eq!((mon.daily_excess, mon.ot50, mon.normal), (420, 420, 450));
    // 20:00–23:59 and 00:00–06:00 are worked; the break sits in the longer, evening row.
    assert_eq!(mon.night, 599);
    assert_eq!(mon.flags, flags(&[Flag::NightMaxExceeded]));
    let text = mon.explain(Lang::En).join("\n");
    assert!(text.contains("2 entries count as one shift 14:00–06:00 (+1)"), "{text}");
    // Typed as one row, the same shift gives the same numbers (the gap is one minute of break).
    let whole = run(&[shift("2026-03-02", "14:00", "06:00")]);
    assert_eq!(wnxo(&whole.periods[0]), wnxo(&r.periods[0]));
    // 4 h apart, the rows are two shifts on two dates again.
    let apart = run(&[shift("2026-03-02", "14:00", "20:00"), shift("2026-03-03", "00:00", "06:00")]);
    assert_eq!(apart.days.len(), 2);
}

#[test]
fn averaging_blocks_do_not_move_with_the_input() {
    // Two weeks averaged from the default anchor (5 Jan 2026): 2 and 9 Feb are one block. The
    // first week is 450 min over 45 h and the second 450 under: no overtime.
    let policy = Policy { averaging_weeks: 2, ..Policy::default() };
    let mut shifts = daily("2026-02-02", 5, "08:00", "19:30");
    shifts.extend(daily("2026-02-09", 5, "08:00", "16:00"));
    let r = both(&Contract::default(), &policy, 0, &shifts);
    assert_eq!((r.periods[0].start, r.periods[0].end), (date("2026-02-02"), date("2026-02-15")));
    assert_eq!(wnxo(&r.periods[0]), [5400, 5400, 0, 0]);
    // One earlier shift must not start the blocks on its own week (26 Jan) and cut the pair apart.
    let mut with_earlier = shifts.clone();
    with_earlier.push(shift("2026-01-28", "09:00", "12:00"));
    let r2 = both(&Contract::default(), &policy, 0, &with_earlier);
    let block = r2.periods.iter().find(|p| p.start == date("2026-02-02")).unwrap();
    assert_eq!(block, &r.periods[0]);
    assert_eq!(r2.periods[0].start, date("2026-01-19"));
    // The anchor must be a Monday, named in the error.
    let sunday = Policy { averaging_anchor: date("2026-01-04"), ..policy };
    let err = compute(&Contract::default(), &sunday, &Calendar::builtin_tr(), 0, &shifts).unwrap_err();
    assert_eq!(err.to_string(), "policy.averaging_anchor: not a Monday");
}

#[test]
fn a_week_cut_by_a_month_end_pays_its_overtime_once() {
    // Week of Mon 26 Jan 2026 after a full week: Sat 31 Jan 10:00–11:00 (45 min worked) and
    // Sun 1 Feb 10:00–10:25 (10 min), all ot50. The week pays 55 rounded up: 60.
    let mut shifts = daily("2026-01-26", 5, "08:00", "18:00");
    shifts.push(shift("2026-01-31", "10:00", "11:00"));
    shifts.push(shift("2026-02-01", "10:00", "10:25"));
    let policy = Policy { rounding: Rounding::HalfHourUp, ..Policy::default() };
    let r = both(&Contract::default(), &policy, 0, &shifts);
    let week = &r.periods[0];
    assert_eq!((week.ot50, week.ot50_payable), (55, 60));
    let jan = r.payable_between(date("2026-01-01"), date("2026-01-31"));
    let feb = r.payable_between(date("2026-02-01"), date("2026-02-28"));
    // January: 45 min, paid 60; February: roundup(55) − roundup(45) = 0, not another 30.
    assert_eq!((jan.ot50, feb.ot50), (60, 0));
    assert_eq!(jan.ot50 + feb.ot50, week.ot50_payable);
    assert_eq!(r.payable_between(date("2026-01-26"), date("2026-02-01")).ot50, 60);
}

#[test]
fn the_annual_cap_restarts_on_1_january() {
    // Two weeks of 300 min ot50 each side of New Year 2027, with 16000 min already done in 2026.
    let mut shifts = daily("2026-12-14", 5, "08:00", "19:00");
    shifts.extend(daily("2027-01-04", 5, "08:00", "19:00"));
    let r = both(&Contract::default(), &Policy::default(), 16000, &shifts);
    let years: Vec<(i32, u32, u32, u32)> =
        r.years.iter().map(|y| (y.year, y.before, y.ytd_ot50, y.over_cap)).collect();
    assert_eq!(years, [(2026, 16000, 16300, 100), (2027, 0, 300, 0)]);
    assert_eq!((r.total.ot50, r.total.ytd_ot50, r.total.over_cap), (600, 300, 100));
    assert!(day(&r, "2026-12-18").flags.contains(&Flag::AnnualOtCapExceeded));
    assert!(!day(&r, "2027-01-08").flags.contains(&Flag::AnnualOtCapExceeded));
    assert!(r.total.flags.contains(&Flag::AnnualOtCapExceeded));
    assert_eq!(r.ytd_ot50_through(date("2026-12-17")), Some(16000));
    assert_eq!(r.ytd_ot50_through(date("2026-12-31")), Some(16300));
    assert_eq!(r.ytd_ot50_through(date("2027-01-31")), Some(300));
    assert_eq!(r.ytd_ot50_through(date("2025-06-01")), None);
}

#[test]
fn the_spec_example_round_trips_with_the_spec_field_names() {
    let input = r#"{
      "contract": {"kind": "full_time", "weekly_minutes": 2700, "break_policy": "statutory",
                   "rest_days": ["sun"], "weekend_days": ["sat", "sun"]},
      "policy": {"averaging_weeks": 1, "averaging_anchor": "2026-01-05", "rounding": "none", "ubgt_offset_minutes": 0},
      "calendar": "TR",
      "ytd_ot50_minutes": 0,
      "shifts": [{"date": "2026-03-02", "start": "08:00", "end": "18:00", "break_minutes": null}]
    }"#;
    let expected = json!({"days": [{"date": "2026-03-02", "span": 600, "break": 60, "worked": 540, "normal": 540, "extra25": 0,
               "ot50": 0, "daily_excess": 0, "night": 0, "holiday": 0, "holiday_units": 0.0, "weekend": 0,
               "rest_day": 0, "night_shift": false, "flags": []}],
     "periods": [{"start": "2026-03-02", "end": "2026-03-08", "worked": 540, "normal": 540, "extra25": 0,
                  "ot50": 0, "ot50_payable": 0, "extra25_payable": 0, "night": 0, "holiday": 0,
                  "holiday_units": 0.0, "weekend": 0, "rest_day": 0, "flags": []}],
     "total": {"worked": 540, "normal": 540, "extra25": 0, "ot50": 0, "ot50_payable": 0, "extra25_payable": 0,
               "night": 0, "holiday": 0, "holiday_units": 0.0, "weekend": 0, "rest_day": 0,
               "ytd_ot50": 0, "over_cap": 0, "flags": []}});
    assert_eq!(run_json(input).unwrap(), expected);
    // Every field but the shifts is optional.
    let minimal = r#"{"shifts": [{"date": "2026-03-02", "start": "08:00", "end": "18:00"}]}"#;
    assert_eq!(run_json(minimal).unwrap(), expected);
}

#[test]
fn bad_input_names_the_field_and_the_shift() {
    let with = |shift: &str| {
        format!(r#"{{"shifts": [{{"date": "2026-03-02", "start": "08:00", "end": "18:00"}}, {shift}]}}"#)
    };
    let cases = [
        (with(r#"{"date": "2026-02-30", "start": "08:00", "end": "18:00"}"#), "shifts[1].date"),
        (with(r#"{"date": "02.03.2026", "start": "08:00", "end": "18:00"}"#), "shifts[1].date"),
        (with(r#"{"date": "2026-03-03", "start": "8h", "end": "18:00"}"#), "shifts[1].start"),
        (with(r#"{"date": "2026-03-03", "start": "08:00", "end": "25:00"}"#), "shifts[1].end"),
        (
            with(r#"{"date": "2026-03-03", "start": "08:00", "end": "08:00"}"#),
            "shifts[1].end: end equal to start",
        ),
        (
            with(r#"{"date": "2026-03-03", "start": "08:00", "end": "18:00", "break_minutes": -5}"#),
            "shifts[1].break_minutes: negative break",
        ),
        (
            with(r#"{"date": "2026-03-03", "start": "08:00", "end": "18:00", "break_minutes": 7.5}"#),
            "shifts[1].break_minutes",
        ),
        (
            with(r#"{"date": "2026-03-03", "start": "08:00", "end": "18:00", "brake": 5}"#),
            "shifts[1].brake: unknown field",
        ),
        (with(r#"{"date": "2026-03-03", "start": "08:00"}"#), "shifts[1].end: is required"),
        (with(r#"{"date": "1800-03-03", "start": "08:00", "end": "09:00"}"#), "shifts[1].date"),
        // Exactly YYYY-MM-DD and HH:MM, two digits each (spec: JSON interface).
        (with(r#"{"date": "2026-3-3", "start": "08:00", "end": "18:00"}"#), "shifts[1].date: not a date"),
        (with(r#"{"date": "2026-03-03 ", "start": "08:00", "end": "18:00"}"#), "shifts[1].date: not a date"),
        (with(r#"{"date": "2026-03-03", "start": "8:5", "end": "18:00"}"#), "shifts[1].start: not a time"),
        (with(r#"{"date": "2026-03-03", "start": "8:00", "end": "18:00"}"#), "shifts[1].start: not a time"),
        (with(r#"{"date": "2026-03-03", "start": "08:00", "end": "18:00:00"}"#), "shifts[1].end: not a time"),
        (with(r#"{"date": "2026-03-03", "start": "08:00", "end": "24:00"}"#), "shifts[1].end: not a time"),
        (with(r#"{"date": "2026-03-03", "start": 800, "end": "18:00"}"#), "shifts[1].start: must be text"),
        (with(r#""08:00-18:00""#), "shifts[1]: must be an object"),
        (
            r#"{"contract": {"kind": "temporary"}, "shifts": []}"#.into(),
            "contract.kind: unknown value \"temporary\"",
        ),
        (r#"{"contract": {"break_policy": "none"}, "shifts": []}"#.into(), "contract.break_policy"),
        (
            r#"{"contract": {"break_policy": {"fixed": -1}}, "shifts": []}"#.into(),
            "contract.break_policy.fixed",
        ),
        (r#"{"contract": {"break_policy": {"fix": 30}}, "shifts": []}"#.into(), "contract.break_policy.fix"),
        (r#"{"contract": {"rest_days": ["sunday"]}, "shifts": []}"#.into(), "contract.rest_days[0]"),
        (r#"{"contract": {"weekly_minutes": 0}, "shifts": []}"#.into(), "contract.weekly_minutes"),
        (r#"{"policy": {"rounding": "up"}, "shifts": []}"#.into(), "policy.rounding: unknown value \"up\""),
        (r#"{"policy": {"averaging_weeks": 0}, "shifts": []}"#.into(), "policy.averaging_weeks"),
        (
            r#"{"policy": {"averaging_anchor": "2026-1-5"}, "shifts": []}"#.into(),
            "policy.averaging_anchor: not a date",
        ),
        (
            r#"{"policy": {"averaging_anchor": "2026-01-06"}, "shifts": []}"#.into(),
            "policy.averaging_anchor: not a Monday",
        ),
        (
            r#"{"policy": {"averaging_start": "2026-01-05"}, "shifts": []}"#.into(),
            "policy.averaging_start: unknown field",
        ),
        (r#"{"policy": {"ubgt_offset_minutes": 451}, "shifts": []}"#.into(), "policy.ubgt_offset_minutes"),
        (r#"{"calendar": "DE", "shifts": []}"#.into(), "calendar: unknown value \"DE\""),
        (r#"{"ytd_ot50_minutes": -1, "shifts": []}"#.into(), "ytd_ot50_minutes"),
        (r#"{"shift": []}"#.into(), "shift: unknown field"),
        (r#"{}"#.into(), "shifts: is required"),
        (r#"{"shifts": "#.into(), "input: not valid JSON"),
    ];
    for (input, expected) in cases {
        let err = run_json(&input).expect_err(&input).to_string();
        assert!(err.starts_with(expected), "{input}\n  gave {err}\n  expected {expected}");
    }
    let err = run_json(&with(r#"{"date": "2026-03-03", "start": "08:00", "end": "08:00"}"#)).unwrap_err();
    assert_eq!(err.shift, Some(1));
    assert_eq!(run_json(r#"{"shifts": []}"#).unwrap()["total"]["worked"], 0);
}

#[test]
fn break_policy_forms() {
    let run_with = |policy: Value| {
        let input = json!({"contract": {"break_policy": policy},
            "shifts": [{"date": "2026-03-02", "start": "09:00", "end": "17:00", "break_minutes": 20}]});
        run_json(&input.to_string()).unwrap()["days"][0]["break"].as_u64().unwrap()
    };
    assert_eq!(run_with(json!("statutory")), 30);
    assert_eq!(run_with(json!("as_entered")), 20);
    assert_eq!(run_with(json!({"fixed": 45})), 45);
    assert_eq!(run_with(json!("fixed:45")), 45);
}

#[test]
fn explain_says_why() {
    let r = run(&daily("2026-03-02", 5, "08:00", "19:00"));
    let fri = day(&r, "2026-03-06").explain(Lang::En);
    let text = fri.join("\n");
    assert!(text.contains("Shift 08:00–19:00: span 660 min"), "{text}");
    assert!(text.contains("Break 60 min (1:00), statutory policy"), "{text}");
    assert!(text.contains("the legal minimum (60 min (1:00) for 600 min (10:00) of work)"), "{text}");
    assert!(text.contains("Daily cap 660 min"), "{text}");
    assert!(text.contains("2400 min (40:00) counted before this day"), "{text}");
    assert!(text.contains("crosses the threshold by 300 min"), "{text}");
    assert!(text.contains("Overtime (ot50) 300 min (5:00) = 0 min daily excess + 300 min (5:00)"), "{text}");
    let tr = day(&r, "2026-03-06").explain(Lang::Tr).join("\n");
    assert!(tr.contains("Mola 60 dk (1:00), yasal asgari politikası"), "{tr}");
    assert!(tr.contains("eşik 300 dk (5:00) aşıldı"), "{tr}");
    assert_eq!(r.explain(date("2026-03-07"), Lang::En), None);

    // A night shift over its cap.
    let r = run(&[shift("2026-03-02", "21:00", "07:00")]);
    let d = day(&r, "2026-03-02");
    assert_eq!((d.worked, d.daily_excess, d.ot50), (540, 90, 90));
    assert_eq!(d.flags, flags(&[Flag::NightMaxExceeded]));
    let text = d.explain(Lang::En).join("\n");
    assert!(text.contains("Night shift: 540 of its 600 min"), "{text}");
    assert!(text.contains("cap is 450 min (7:30)"), "{text}");
    assert!(text.contains("90 min (1:30) above the cap is overtime"), "{text}");
    assert!(text.contains("Warnings: Night work over 7.5 hours."), "{text}");
    let tr = d.explain(Lang::Tr).join("\n");
    assert!(tr.contains("Gece vardiyası") && tr.contains("Uyarılar: Gece çalışması 7,5 saati aştı."), "{tr}");

    // Gaps and merged entries.
    let r = run(&[shift("2026-03-02", "09:00", "11:00"), shift("2026-03-02", "14:00", "18:00")]);
    let text = day(&r, "2026-03-02").explain(Lang::En).join("\n");
    assert!(text.contains("2 entries count as one shift 09:00–18:00"), "{text}");
    assert!(text.contains("gaps between entries (180 min (3:00))"), "{text}");
    assert!(!text.contains("placed at"), "{text}");

    // A policy that trusts a short typed break says it is below the legal minimum.
    let contract = Contract { break_policy: BreakPolicy::AsEntered, ..Contract::default() };
    let mut typed = shift("2026-03-02", "09:00", "17:00");
    typed.break_minutes = Some(10);
    let r = both(&contract, &Policy::default(), 0, &[typed]);
    let d = day(&r, "2026-03-02");
    assert_eq!((d.break_minutes, d.worked), (10, 470));
    let text = d.explain(Lang::En).join("\n");
    assert!(text.contains("Break 10 min as entered (10 min)"), "{text}");
    assert!(text.contains("legal minimum (30 min for 450 min (7:30) of work)"), "{text}");
    assert!(text.contains("shorter than the legal minimum"), "{text}");
}

#[test]
fn daily_cap_makes_overtime_in_a_short_week() {
    let r = run(&[shift("2026-03-02", "07:00", "20:00")]);
    let d = day(&r, "2026-03-02");
    assert_eq!(
        (d.span, d.break_minutes, d.worked, d.daily_excess, d.ot50, d.normal),
        (780, 90, 690, 30, 30, 660)
    );
    assert_eq!(d.flags, flags(&[Flag::DailyMaxExceeded]));
    assert_eq!(r.total.ot50, 30);
}

#[test]
fn arife_counts_from_13_00_as_half_a_day() {
    // 19 Mar 2026, Ramazan Bayramı arifesi, Thursday.
    let r = run(&[shift("2026-03-19", "08:00", "18:00"), shift("2026-03-18", "08:00", "12:00")]);
    let d = day(&r, "2026-03-19");
    // Break 12:30–13:30 lies half in the holiday window: 13:30–18:00 is worked holiday time.
    assert_eq!((d.holiday, d.holiday_units), (270, 0.5));
    assert_eq!(day(&r, "2026-03-18").holiday_units, 0.0);
    let morning = run(&[shift("2026-03-19", "07:00", "12:30")]);
    assert_eq!((morning.days[0].holiday, morning.days[0].holiday_units), (0, 0.0));
    // 28 October is a half day too; 29 October a full one.
    let r = run(&[shift("2026-10-28", "12:00", "16:00"), shift("2026-10-29", "09:00", "10:00")]);
    assert_eq!((day(&r, "2026-10-28").holiday, day(&r, "2026-10-28").holiday_units), (165, 0.5));
    assert_eq!(r.total.holiday_units, 1.5);
}

#[test]
fn a_night_reaching_into_a_holiday_credits_it_once() {
    // 30 Aug 2026 (Sunday) is Zafer Bayramı; the Saturday night shift reaches into it.
    let r = run(&[shift("2026-08-29", "22:00", "06:00"), shift("2026-08-30", "14:00", "18:00")]);
    let sat = day(&r, "2026-08-29");
    assert_eq!((sat.holiday, sat.holiday_units), (330, 1.0));
    let sun = day(&r, "2026-08-30");
    assert_eq!((sun.holiday, sun.holiday_units), (225, 0.0));
    assert_eq!(r.total.holiday_units, 1.0);
}

#[test]
fn ubgt_offset_moves_holiday_minutes_out_of_the_overtime_base() {
    // Mon–Fri 08:00–18:00 plus Tue 19 May... use the week of 18 May with a Saturday: 2925 worked.
    let mut shifts = daily("2026-05-18", 5, "08:00", "18:00");
    shifts.push(shift("2026-05-23", "10:00", "14:00"));
    let plain = run(&shifts);
    assert_eq!(wnxo(&plain.periods[0]), [2925, 2700, 0, 225]);
    let policy = Policy { ubgt_offset_minutes: 450, ..Policy::default() };
    let r = both(&Contract::default(), &policy, 0, &shifts);
    assert_eq!(wnxo(&r.periods[0]), [2925, 2925, 0, 0]);
    let text = day(&r, "2026-05-19").explain(Lang::En).join("\n");
    assert!(text.contains("450 min (7:30) of holiday work are left out"), "{text}");
}

#[test]
fn part_time_excess_and_annual_cap() {
    let contract = Contract { kind: ContractKind::PartTime, weekly_minutes: 1200, ..Contract::default() };
    let r = both(&contract, &Policy::default(), 0, &daily("2026-03-02", 3, "08:00", "18:00"));
    assert_eq!(wnxo(&r.periods[0]), [1620, 1200, 420, 0]);
    assert!(day(&r, "2026-03-04").flags.contains(&Flag::PartTimeExcess));
    assert!(!day(&r, "2026-03-02").flags.contains(&Flag::PartTimeExcess));
    assert_eq!(r.total.flags, flags(&[Flag::PartTimeExcess]));

    let r = both(&Contract::default(), &Policy::default(), 16000, &daily("2026-03-02", 5, "08:00", "19:00"));
    assert_eq!((r.total.ot50, r.total.ytd_ot50, r.total.over_cap), (300, 16300, 100));
    assert!(day(&r, "2026-03-06").flags.contains(&Flag::AnnualOtCapExceeded));
    assert!(r.total.flags.contains(&Flag::AnnualOtCapExceeded));
    let r = run(&daily("2026-03-02", 5, "08:00", "19:00"));
    assert!(!r.total.flags.contains(&Flag::AnnualOtCapExceeded));
}

#[test]
fn rest_and_weekend_days_follow_the_contract() {
    let contract = Contract {
        rest_days: vec![Weekday::Mon],
        weekend_days: vec![Weekday::Mon, Weekday::Tue],
        ..Contract::default()
    };
    let r = both(&contract, &Policy::default(), 0, &daily("2026-03-02", 5, "08:00", "18:00"));
    assert_eq!(tags(&r.periods[0]), [0, 0, 1080, 540]);
    assert_eq!(r.total.flags, flags(&[Flag::RestDayWorked]));
}

#[test]
fn the_2027_calendar_is_provisional_and_19_may_is_one_holiday() {
    let tr = Calendar::builtin_tr();
    assert!(tr.is_provisional(2027) && !tr.is_provisional(2026));
    let r = run(&[shift("2027-05-19", "08:00", "18:00")]);
    assert_eq!((r.days[0].holiday, r.days[0].holiday_units), (540, 1.0));
    // A company day added at run time counts like any other holiday.
    let cal = Calendar::builtin_tr().with_days([rainstaff_core::hours::HolidayDay::new(
        date("2026-03-04"),
        rainstaff_core::hours::HolidayKind::Full,
        "Şirket günü",
    )]);
    let r =
        compute(&Contract::default(), &Policy::default(), &cal, 0, &daily("2026-03-02", 5, "08:00", "18:00"))
            .unwrap();
    assert_eq!((r.periods[0].holiday, r.periods[0].holiday_units), (540, 1.0));
}
