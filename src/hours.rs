//! The store's side of the hour engine over records (`rainstaff_core::payroll`): which shifts an
//! employee's hours are computed from, as a query of the local store, and the engine's figures
//! beside a list of shifts, so that the timesheet list shows the worked time payroll is paid from.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use rainstaff_core::hours::{BreakPolicy, Calendar, DayHours, statutory_break};
use rainstaff_core::model::{Employee, Record, Shift};
use rainstaff_core::payroll::{covering_weeks, employee_report, worked_minutes};
use rainstaff_core::time::{format_duration, parse_iso_date};

use crate::db::queries::ShiftFilter;
use crate::i18n::Lang;

/// The shifts an employee's hours over `from..=to` are computed from: their own region's, over
/// the whole weeks around the range.
pub fn shifts_for(employee: &Record<Employee>, from: NaiveDate, to: NaiveDate) -> ShiftFilter {
    let (first, last) = covering_weeks(from, to);
    ShiftFilter {
        employee: Some(employee.id),
        from: Some(first),
        to: Some(last),
        region: employee.region.clone(),
    }
}

/// The engine's figures of a list of shifts, one entry per listed shift.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListedHours {
    pub rows: Vec<RowFigure>,
    /// What the rows add up to.
    pub total_worked: u32,
}

/// What a listed shift shows. The engine's day goes on the date's first listed shift, as the
/// workbook's rows carry it: the engine counts a date's shifts together (breaks, caps), so they
/// cannot be split between rows.
#[derive(Debug, Clone, PartialEq)]
pub enum RowFigure {
    Day(RowHours),
    /// Another shift of a date whose first shift carries the day.
    SameDate,
    /// Nothing counted on this date: the engine joined the shift to the previous day's, or could
    /// not compute the employee's hours.
    Uncounted,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RowHours {
    pub worked: u32,
    /// How many shifts of the date `worked` covers: a clerk reading one row must know.
    pub shifts: u32,
    /// Why the engine's worked time is not what was typed; None when it is.
    pub adjusted: Option<Adjustment>,
}

/// How the engine's worked time came to differ from end − start − the break typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Adjustment {
    /// The break counted is not the one typed (in minutes, summed over the date's shifts).
    Break { entered: i64, counted: u32, why: BreakWhy },
    /// The break is as typed, the worked time is not (a shift counted on another date).
    Worked { typed: i64, counted: u32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BreakWhy {
    /// The legal minimum for the work (Labour Law 4857 art. 68), longer than what was typed.
    Statutory,
    /// The contract's fixed break.
    Fixed,
    /// The gaps between the date's shifts count as break.
    Gap,
}

impl Adjustment {
    /// In the words of the list, e.g. "mola 60 yerine 90 dk (yasal asgari)". In words, not with
    /// an arrow: egui's built-in font has no arrows.
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (Adjustment::Break { entered, counted, why }, _) => {
                let why = match (why, lang) {
                    (BreakWhy::Statutory, Lang::Tr) => "yasal asgari",
                    (BreakWhy::Statutory, Lang::En) => "statutory minimum",
                    (BreakWhy::Fixed, Lang::Tr) => "sözleşmedeki sabit mola",
                    (BreakWhy::Fixed, Lang::En) => "contract's fixed break",
                    (BreakWhy::Gap, Lang::Tr) => "vardiyalar arası boşluk",
                    (BreakWhy::Gap, Lang::En) => "gap between shifts",
                };
                match lang {
                    Lang::Tr => format!("mola {entered} yerine {counted} dk ({why})"),
                    Lang::En => format!("break {counted} min instead of {entered} ({why})"),
                }
            }
            (Adjustment::Worked { typed, counted }, Lang::Tr) => {
                format!("girilen {} yerine {}", format_duration(*typed), format_duration(i64::from(*counted)))
            }
            (Adjustment::Worked { typed, counted }, Lang::En) => {
                format!(
                    "{} instead of the typed {}",
                    format_duration(i64::from(*counted)),
                    format_duration(*typed)
                )
            }
        }
    }
}

/// The engine's figures beside `listed` shifts. Each listed employee's hours are computed once,
/// over the shifts `load` gives for the whole weeks around their listed dates (see
/// [`shifts_for`]); an employee not among `employees` or whose shifts the engine refuses gets no
/// figures.
pub fn listed_hours(
    listed: &[Record<Shift>],
    employees: &[Record<Employee>],
    calendar: &Calendar,
    mut load: impl FnMut(&ShiftFilter) -> Option<Vec<Record<Shift>>>,
) -> ListedHours {
    let mut dates: HashMap<&str, (NaiveDate, NaiveDate)> = HashMap::new();
    for s in listed {
        if let Ok(d) = parse_iso_date(&s.data.work_date) {
            let range = dates.entry(s.data.employee_id.as_str()).or_insert((d, d));
            *range = (range.0.min(d), range.1.max(d));
        }
    }
    let mut computed: HashMap<&str, Computed> = HashMap::new();
    for (id, (from, to)) in dates {
        let Some(employee) = employees.iter().find(|e| e.id.to_string() == id) else { continue };
        let Some(shifts) = load(&shifts_for(employee, from, to)) else { continue };
        let Ok(report) = employee_report(employee, &shifts, calendar) else { continue };
        let days: HashMap<NaiveDate, DayHours> = report.days.into_iter().map(|d| (d.date, d)).collect();
        let typed = typed_by_day(&days, shifts);
        let policy = BreakPolicy::from_stored(&employee.data.break_policy).unwrap_or_default();
        computed.insert(id, Computed { days, typed, policy });
    }
    let mut seen = HashSet::new();
    let mut out = ListedHours::default();
    for s in listed {
        let id = s.data.employee_id.as_str();
        let Ok(date) = parse_iso_date(&s.data.work_date) else {
            out.rows.push(RowFigure::Uncounted);
            continue;
        };
        if !seen.insert((id, date)) {
            out.rows.push(RowFigure::SameDate);
            continue;
        }
        let day = computed.get(id).and_then(|c| {
            let typed = c.typed.get(&date).map_or(&[][..], Vec::as_slice);
            Some(row_hours(c.days.get(&date)?, typed, c.policy))
        });
        match day {
            Some(day) => {
                out.total_worked += day.worked;
                out.rows.push(RowFigure::Day(day));
            }
            None => out.rows.push(RowFigure::Uncounted),
        }
    }
    out
}

/// One employee's engine days, the shifts each day was computed from, and the break policy.
struct Computed {
    days: HashMap<NaiveDate, DayHours>,
    typed: HashMap<NaiveDate, Vec<Shift>>,
    policy: BreakPolicy,
}

/// The typed shifts of each engine day. A shift whose date has no day of its own continues the
/// previous date's shift across midnight (spec step 2: entries under 4 h apart chain onto the
/// first start's date), so it is that day's.
fn typed_by_day(
    days: &HashMap<NaiveDate, DayHours>,
    shifts: Vec<Record<Shift>>,
) -> HashMap<NaiveDate, Vec<Shift>> {
    let mut typed: HashMap<NaiveDate, Vec<Shift>> = HashMap::new();
    for s in shifts {
        let Ok(date) = parse_iso_date(&s.data.work_date) else { continue };
        let day = [Some(date), date.pred_opt()].into_iter().flatten().find(|d| days.contains_key(d));
        if let Some(day) = day {
            typed.entry(day).or_default().push(s.data);
        }
    }
    typed
}

/// The engine's `day` beside what was typed on the `shifts` it was computed from.
fn row_hours(day: &DayHours, shifts: &[Shift], policy: BreakPolicy) -> RowHours {
    let (mut typed, mut entered, mut present, mut count) = (0, 0, 0, 0);
    for s in shifts {
        count += 1;
        typed += worked_minutes(s).unwrap_or(0);
        entered += s.break_minutes;
        present += worked_minutes(s).map_or(0, |w| w + s.break_minutes);
    }
    let counted = day.break_minutes;
    // Time between the date's shifts, which every break policy counts as break.
    let gap = i64::from(day.span) - present;
    let adjusted = if typed == i64::from(day.worked) {
        None
    } else if entered != i64::from(counted) {
        let why = match policy {
            BreakPolicy::Fixed(_) => BreakWhy::Fixed,
            _ if gap >= i64::from(counted) => BreakWhy::Gap,
            BreakPolicy::Statutory if counted == statutory_break(day.span) => BreakWhy::Statutory,
            _ => BreakWhy::Gap,
        };
        Some(Adjustment::Break { entered, counted, why })
    } else {
        Some(Adjustment::Worked { typed, counted: day.worked })
    };
    RowHours { worked: day.worked, shifts: count, adjusted }
}

#[cfg(test)]
mod tests {
    use rainstaff_core::model::{Employee, Record, Shift};

    use super::*;

    fn record<T>(data: T, region: &str) -> Record<T> {
        Record { id: uuid::Uuid::new_v4(), region: region.into(), data, sync_error: None }
    }

    fn shift(employee: &Record<Employee>, date: &str, start: &str, end: &str, brk: i64) -> Record<Shift> {
        let s = Shift {
            employee_id: employee.id.to_string(),
            work_date: date.into(),
            start_time: start.into(),
            end_time: end.into(),
            break_minutes: brk,
            special_day: false,
            note: None,
        };
        record(s, "Konya")
    }

    fn hours(employee: &Record<Employee>, shifts: &[Record<Shift>]) -> ListedHours {
        let all = shifts.to_vec();
        let employees = std::slice::from_ref(employee);
        listed_hours(shifts, employees, &Calendar::builtin_tr(), |_| Some(all.clone()))
    }

    #[test]
    fn a_short_break_is_raised_to_the_statutory_minimum_and_said() {
        let e = record(Employee { full_name: "A".into(), ..Employee::default() }, "Konya");
        // 11 h with 30 min typed: the law asks 60 for 10 h of work.
        let listed = hours(&e, &[shift(&e, "2026-03-02", "08:00", "19:00", 30)]);
        let RowFigure::Day(row) = listed.rows[0].clone() else { panic!("counted") };
        assert_eq!(row.worked, 600);
        assert_eq!(listed.total_worked, 600);
        let adjusted = row.adjusted.expect("differs from the typed 10:30");
        assert_eq!(adjusted.text(Lang::Tr), "mola 30 yerine 60 dk (yasal asgari)");
        assert_eq!(adjusted.text(Lang::En), "break 60 min instead of 30 (statutory minimum)");
    }

    #[test]
    fn a_date_is_counted_once_on_its_first_shift_with_the_gap_as_break() {
        let e = record(Employee { full_name: "A".into(), ..Employee::default() }, "Konya");
        let listed = hours(
            &e,
            &[
                // The 30 min typed were taken inside the two hours between the shifts.
                shift(&e, "2026-03-02", "08:00", "12:00", 30),
                shift(&e, "2026-03-02", "14:00", "18:00", 0),
                shift(&e, "2026-03-03", "08:00", "16:00", 30),
            ],
        );
        let RowFigure::Day(first) = listed.rows[0].clone() else { panic!("the first shift carries it") };
        assert_eq!((first.worked, first.shifts), (480, 2));
        assert_eq!(
            first.adjusted.expect("the gap counts").text(Lang::En),
            "break 120 min instead of 30 (gap between shifts)"
        );
        assert_eq!(listed.rows[1], RowFigure::SameDate);
        assert_eq!(listed.rows[2], RowFigure::Day(RowHours { worked: 450, shifts: 1, adjusted: None }));
        assert_eq!(listed.total_worked, 930);
    }

    #[test]
    fn a_shift_on_a_date_without_a_day_is_the_previous_days() {
        let e = record(Employee::default(), "Konya");
        let report =
            employee_report(&e, &[shift(&e, "2026-03-02", "14:00", "23:59", 0)], &Calendar::builtin_tr());
        let days: HashMap<NaiveDate, DayHours> =
            report.unwrap().days.into_iter().map(|d| (d.date, d)).collect();
        // As the engine counts 00:00–06:00 after 14:00–23:59: on the 2nd.
        let shifts = vec![
            shift(&e, "2026-03-02", "14:00", "23:59", 0),
            shift(&e, "2026-03-03", "00:00", "06:00", 0),
            shift(&e, "2026-03-05", "08:00", "12:00", 0),
        ];
        let typed = typed_by_day(&days, shifts);
        let day = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
        assert_eq!(typed.get(&day).map(Vec::len), Some(2));
        assert_eq!(typed.len(), 1, "a shift of no day nor the day before belongs to none: {typed:?}");
    }

    #[test]
    fn an_unknown_employee_gets_no_figures() {
        let e = record(Employee::default(), "Konya");
        let stranger = record(Employee::default(), "Konya");
        let s = [shift(&stranger, "2026-03-02", "08:00", "16:00", 60)];
        assert_eq!(hours(&e, &s), ListedHours { rows: vec![RowFigure::Uncounted], total_worked: 0 });
    }
}
