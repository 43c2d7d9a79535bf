//! What each column of a report holds, once for every format: the XLSX writer turns a cell into
//! a typed, formatted Excel cell, the CSV writer into text. Public, so that other tables (the
//! desktop's vehicle workbooks, a page of the dashboard) say their cells the same way.

use std::borrow::Cow;
use std::collections::BTreeSet;

use chrono::NaiveDate;
use rainstaff_core::hours::{DayHours, Flag};
use rainstaff_core::i18n::{Lang, weekday};
use rainstaff_core::payroll::Totals;
use rainstaff_core::regions::display_name;
use rainstaff_core::time::{format_date, format_duration, parse_hhmm};

use crate::build::{EmployeeMonth, MonthReport, Row, WeekPart};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Date(NaiveDate),
    Text(String),
    /// A time of day, in minutes after midnight.
    Time(u32),
    /// A time of day on the next day (an overnight shift's end), shown with "+1".
    NextDayTime(u32),
    /// A duration, in minutes.
    Minutes(u32),
    /// A duration in minutes, shown as decimal hours: a wage per hour multiplies it directly.
    Hours(u32),
    /// Holiday pay units (days, in halves).
    Units(f64),
    Count(u32),
    /// Money, or a reading such as km.
    Amount(f64),
    /// A day of the puantaj grid (`Ç 7,5`, `HT`; blank for a day with nothing recorded), centred
    /// in its narrow column.
    Mark(String),
    Empty,
}

/// A table column: its header and how wide Excel shows it.
pub struct Column {
    pub label: Cow<'static, str>,
    /// Width in Excel's character units.
    pub width: f64,
    /// Whether the plain CSV for scripts has it: decimal hours and payable overtime are for
    /// people, a script derives them from the minutes.
    pub plain: bool,
    /// Whether its header is centred, over centred cells (the puantaj grid's days).
    pub centred: bool,
}

/// A column; short, because a table's columns are listed one a line.
pub fn col(label: impl Into<Cow<'static, str>>, width: f64) -> Column {
    Column { label: label.into(), width, plain: true, centred: false }
}

/// A column people read and the plain CSV leaves out.
fn people_col(label: &'static str, width: f64) -> Column {
    Column { plain: false, ..col(label, width) }
}

/// The first cell of every totals row.
pub fn total_label(lang: Lang) -> &'static str {
    lang.pick("Toplam", "Total")
}

/// The columns of an employee's sheet; the CSV has them too, after employee and region. Payable
/// overtime is a week's figure (rounded per week), so only week and totals rows carry it.
pub fn shift_columns(lang: Lang) -> Vec<Column> {
    vec![
        col(lang.pick("Tarih", "Date"), 11.0),
        col(lang.pick("Gün", "Day"), 6.0),
        col(lang.pick("Başlangıç", "Start"), 9.0),
        col(lang.pick("Bitiş", "End"), 9.0),
        col(lang.pick("Mola", "Break"), 8.0),
        col(lang.pick("Çalışma", "Worked"), 9.0),
        people_col(lang.pick("Çalışma (saat)", "Worked (hours)"), 9.0),
        col(lang.pick("Normal", "Normal"), 9.0),
        col(lang.pick("Fazla süre (%25)", "Extra time (25%)"), 11.0),
        col(lang.pick("Fazla çalışma (%50)", "Overtime (50%)"), 11.0),
        people_col(lang.pick("Ödenecek fazla çalışma (%50)", "Overtime payable (50%)"), 13.0),
        people_col(lang.pick("Ödenecek fazla çalışma (%50, saat)", "Overtime payable (50%, hours)"), 13.0),
        people_col(lang.pick("Ödenecek fazla süre (%25)", "Extra time payable (25%)"), 13.0),
        people_col(lang.pick("Ödenecek fazla süre (%25, saat)", "Extra time payable (25%, hours)"), 13.0),
        col(lang.pick("Gece", "Night"), 8.0),
        col(lang.pick("Resmî tatil", "Public holiday"), 9.0),
        col(lang.pick("Uyarılar", "Flags"), 40.0),
        col(lang.pick("Not", "Note"), 30.0),
    ]
}

pub fn shift_cells(row: &Row, lang: Lang) -> Vec<Cell> {
    let time = |t: &str| parse_hhmm(t).map_or_else(|_| Cell::Text(t.to_string()), Cell::Time);
    let end = match parse_hhmm(&row.shift.end_time) {
        Ok(end) if row.shift.ends_next_day() => Cell::NextDayTime(end),
        _ => time(&row.shift.end_time),
    };
    let mut cells = vec![
        Cell::Date(row.date),
        Cell::Text(weekday(lang, row.date).to_string()),
        time(&row.shift.start_time),
        end,
    ];
    match &row.day {
        Some(d) => {
            let [pause, worked, normal, extra25, ot50, night, holiday] = day_minutes(d);
            cells.extend([Cell::Minutes(pause), Cell::Minutes(worked), Cell::Hours(worked)]);
            cells.extend([normal, extra25, ot50].map(Cell::Minutes));
            cells.extend(std::iter::repeat_n(Cell::Empty, 4));
            cells.extend([night, holiday].map(Cell::Minutes));
            cells.push(text(flag_words(&d.flags, None, lang)));
        }
        None => cells.extend(std::iter::repeat_n(Cell::Empty, 13)),
    }
    cells.push(text(row.shift.note.clone().unwrap_or_default()));
    cells
}

/// What a row of an employee's table is, which decides how it looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Shift,
    Week,
    Total,
}

/// An employee's table under its header: the shifts, a subtotal under each week's last shift,
/// and the totals.
pub fn employee_table(e: &EmployeeMonth, lang: Lang) -> Vec<(RowKind, Vec<Cell>)> {
    let mut table = Vec::with_capacity(e.rows.len() + e.weeks.len() + 1);
    let mut weeks = e.weeks.iter().peekable();
    for (i, r) in e.rows.iter().enumerate() {
        table.push((RowKind::Shift, shift_cells(r, lang)));
        // The week ends here when the next row is in a later week, or there is none.
        let next = e.rows.get(i + 1).map(|n| n.date);
        if let Some(w) = weeks.next_if(|w| next.is_none_or(|d| d > w.to)) {
            table.push((RowKind::Week, week_cells(w, lang)));
        }
    }
    table.push((RowKind::Total, shift_totals(e, lang)));
    table
}

/// Break, worked, normal, extra25, ot50, night and holiday minutes of a date.
fn day_minutes(d: &DayHours) -> [u32; 7] {
    [d.break_minutes, d.worked, d.normal, d.extra25, d.ot50, d.night, d.holiday]
}

/// The subtotal row under a week's rows: the week's part inside the month, with its payable
/// overtime and what the engine flagged on the week as a whole.
pub fn week_cells(w: &WeekPart, lang: Lang) -> Vec<Cell> {
    let label = format!("{} {}–{}", lang.pick("Hafta", "Week"), short_date(w.from), short_date(w.to));
    let mut cells = vec![Cell::Text(label), Cell::Empty, Cell::Empty, Cell::Empty];
    cells.extend(period_cells(w.break_minutes, &w.totals));
    cells.push(text(flag_words(&w.flags, None, lang)));
    cells.push(Cell::Empty);
    cells
}

/// "26.01", as a week's first and last day read in a subtotal's label.
fn short_date(d: NaiveDate) -> String {
    format_date(d).chars().take(5).collect()
}

/// The totals row of an employee's sheet, under the same columns as the rows, with every flag
/// of the month.
pub fn shift_totals(e: &EmployeeMonth, lang: Lang) -> Vec<Cell> {
    let mut cells = vec![text(total_label(lang).into()), Cell::Empty, Cell::Empty, Cell::Empty];
    cells.extend(period_cells(e.break_minutes(), &e.totals));
    cells.push(text(flag_words(&e.flags, Some(e.ytd_ot50), lang)));
    cells.push(Cell::Empty);
    cells
}

/// The duration columns of a week or a month, from "Mola" to "Resmî tatil".
fn period_cells(break_minutes: u32, t: &Totals) -> Vec<Cell> {
    let mut cells = vec![Cell::Minutes(break_minutes), Cell::Minutes(t.worked), Cell::Hours(t.worked)];
    cells.extend([t.normal, t.extra25, t.ot50].map(Cell::Minutes));
    cells.extend(payable_cells(t));
    cells.extend([t.night, t.holiday].map(Cell::Minutes));
    cells
}

/// Payable overtime (+50 %) and extra time (+25 %), each as h:mm and as decimal hours.
fn payable_cells(t: &Totals) -> [Cell; 4] {
    [
        Cell::Minutes(t.ot50_payable),
        Cell::Hours(t.ot50_payable),
        Cell::Minutes(t.extra25_payable),
        Cell::Hours(t.extra25_payable),
    ]
}

/// Flags in words, joined; the yearly cap's with the year's overtime so far, when known.
pub fn flag_words(flags: &BTreeSet<Flag>, ytd_ot50: Option<u32>, lang: Lang) -> String {
    let words: Vec<String> = flags
        .iter()
        .map(|&f| match (f, ytd_ot50) {
            (Flag::AnnualOtCapExceeded, Some(ytd)) => format!(
                "{} ({}: {})",
                f.label(lang),
                lang.pick("yıl başından beri", "year to date"),
                format_duration(i64::from(ytd))
            ),
            _ => f.label(lang).to_string(),
        })
        .collect();
    words.join("; ")
}

pub fn summary_columns(lang: Lang) -> Vec<Column> {
    let mut columns = vec![
        col(lang.pick("Personel", "Employee"), 28.0),
        col(lang.pick("Bölge", "Region"), 11.0),
        col(lang.pick("Vardiya", "Shifts"), 8.0),
        col(lang.pick("Çalışma", "Worked"), 9.0),
        col(lang.pick("Çalışma (saat)", "Worked (hours)"), 9.0),
        col(lang.pick("Normal", "Normal"), 9.0),
        col(lang.pick("Fazla süre (%25)", "Extra time (25%)"), 11.0),
        col(lang.pick("Fazla çalışma (%50)", "Overtime (50%)"), 11.0),
    ];
    columns.extend(payable_columns(lang, 13.0));
    columns.extend([
        col(lang.pick("Gece", "Night"), 8.0),
        col(lang.pick("Resmî tatil", "Public holiday"), 9.0),
        col(lang.pick("Tatil ücreti (gün)", "Holiday pay (days)"), 9.0),
        col(lang.pick("Hafta sonu", "Weekend"), 9.0),
        col(lang.pick("Hafta tatili", "Rest day"), 9.0),
        col(lang.pick("Uyarılı gün", "Flagged days"), 9.0),
        col(lang.pick("Yıl başından fazla çalışma (%50)", "Overtime (50%) year to date"), 13.0),
        col(lang.pick("Uyarılar", "Flags"), 50.0),
    ]);
    columns
}

/// The headers of [`payable_cells`], each `width` wide.
fn payable_columns(lang: Lang, width: f64) -> [Column; 4] {
    [
        col(lang.pick("Ödenecek fazla çalışma (%50)", "Overtime payable (50%)"), width),
        col(lang.pick("Ödenecek fazla çalışma (%50, saat)", "Overtime payable (50%, hours)"), width),
        col(lang.pick("Ödenecek fazla süre (%25)", "Extra time payable (25%)"), width),
        col(lang.pick("Ödenecek fazla süre (%25, saat)", "Extra time payable (25%, hours)"), width),
    ]
}

/// The month's hours after the puantaj's days, under the summary's headers: worked, normal,
/// payable overtime and extra time, night and public holiday time ([`month_hours_cells`]).
pub fn month_hours_columns(lang: Lang) -> Vec<Column> {
    let width = 8.0;
    let mut columns = vec![
        col(lang.pick("Çalışma", "Worked"), width),
        col(lang.pick("Çalışma (saat)", "Worked (hours)"), width),
        col(lang.pick("Normal", "Normal"), width),
    ];
    columns.extend(payable_columns(lang, width));
    columns.extend([
        col(lang.pick("Gece", "Night"), width),
        col(lang.pick("Resmî tatil", "Public holiday"), width),
    ]);
    columns
}

/// The cells under [`month_hours_columns`], as the summary writes the same figures.
pub fn month_hours_cells(t: &Totals) -> Vec<Cell> {
    let mut cells = vec![Cell::Minutes(t.worked), Cell::Hours(t.worked), Cell::Minutes(t.normal)];
    cells.extend(payable_cells(t));
    cells.extend([t.night, t.holiday].map(Cell::Minutes));
    cells
}

pub fn summary_cells(e: &EmployeeMonth, lang: Lang) -> Vec<Cell> {
    let name = text(e.employee.data.full_name.clone());
    let region = text(display_name(&e.employee.region).to_string());
    let mut cells = totals_cells(name, region, e.rows.len(), &e.totals);
    cells.push(Cell::Minutes(e.ytd_ot50));
    cells.push(text(flag_words(&e.flags, Some(e.ytd_ot50), lang)));
    cells
}

/// The summary's last row: every employee's totals added up, minute by minute.
pub fn summary_totals(report: &MonthReport, lang: Lang) -> Vec<Cell> {
    let mut sum = Totals::default();
    for t in report.employees.iter().map(|e| &e.totals) {
        sum += t;
    }
    let shifts = report.employees.iter().map(|e| e.rows.len()).sum();
    let mut cells = totals_cells(text(total_label(lang).into()), Cell::Empty, shifts, &sum);
    // The year-to-date figure and the flags are each employee's own; blanks keep the border.
    cells.extend([Cell::Empty, Cell::Empty]);
    cells
}

fn totals_cells(name: Cell, region: Cell, shifts: usize, t: &Totals) -> Vec<Cell> {
    let mut cells = vec![name, region, Cell::Count(u32::try_from(shifts).unwrap_or(u32::MAX))];
    cells.extend([Cell::Minutes(t.worked), Cell::Hours(t.worked)]);
    cells.extend([t.normal, t.extra25, t.ot50].map(Cell::Minutes));
    cells.extend(payable_cells(t));
    cells.extend([t.night, t.holiday].map(Cell::Minutes));
    cells.push(Cell::Units(t.holiday_units));
    cells.extend([t.weekend, t.rest_day].map(Cell::Minutes));
    cells.push(Cell::Count(t.flagged_days));
    cells
}

fn text(s: String) -> Cell {
    if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
}
