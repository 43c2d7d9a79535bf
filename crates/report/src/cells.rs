//! What each column of a report holds, once for every format: the XLSX writer turns a cell into
//! a typed, formatted Excel cell, the CSV writer into text. Public, so that other tables (the
//! desktop's vehicle workbooks, a page of the dashboard) say their cells the same way.

use chrono::NaiveDate;
use rainstaff_core::hours::DayHours;
use rainstaff_core::i18n::{Lang, weekday};
use rainstaff_core::payroll::Totals;
use rainstaff_core::regions::display_name;
use rainstaff_core::time::parse_hhmm;

use crate::build::{EmployeeMonth, MonthReport, Row};

#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Date(NaiveDate),
    Text(String),
    /// A time of day, in minutes after midnight.
    Time(u32),
    /// A duration, in minutes.
    Minutes(u32),
    /// Holiday pay units (days, in halves).
    Units(f64),
    Count(u32),
    /// Money, or a reading such as km.
    Amount(f64),
    Empty,
}

/// A table column: its header and how wide Excel shows it.
pub struct Column {
    pub label: &'static str,
    /// Width in Excel's character units.
    pub width: f64,
}

/// A column; short, because a table's columns are listed one a line.
pub fn col(label: &'static str, width: f64) -> Column {
    Column { label, width }
}

/// The first cell of every totals row.
pub fn total_label(lang: Lang) -> &'static str {
    lang.pick("Toplam", "Total")
}

/// The columns of an employee's sheet; the CSV has them too, after employee and region.
pub fn shift_columns(lang: Lang) -> Vec<Column> {
    vec![
        col(lang.pick("Tarih", "Date"), 11.0),
        col(lang.pick("Gün", "Day"), 6.0),
        col(lang.pick("Başlangıç", "Start"), 9.0),
        col(lang.pick("Bitiş", "End"), 8.0),
        col(lang.pick("Mola", "Break"), 8.0),
        col(lang.pick("Çalışma", "Worked"), 9.0),
        col(lang.pick("Normal", "Normal"), 9.0),
        col(lang.pick("Fazla süre (%25)", "Extra time (25%)"), 11.0),
        col(lang.pick("Fazla çalışma (%50)", "Overtime (50%)"), 11.0),
        col(lang.pick("Gece", "Night"), 8.0),
        col(lang.pick("Resmî tatil", "Public holiday"), 9.0),
        col(lang.pick("Uyarılar", "Flags"), 40.0),
        col(lang.pick("Not", "Note"), 30.0),
    ]
}

pub fn shift_cells(row: &Row, lang: Lang) -> Vec<Cell> {
    let time = |t: &str| parse_hhmm(t).map_or_else(|_| Cell::Text(t.to_string()), Cell::Time);
    let mut cells = vec![
        Cell::Date(row.date),
        Cell::Text(weekday(lang, row.date).to_string()),
        time(&row.shift.start_time),
        time(&row.shift.end_time),
    ];
    match &row.day {
        Some(d) => {
            cells.extend(day_minutes(d).map(Cell::Minutes));
            let flags: Vec<&str> = d.flags.iter().map(|f| f.label(lang)).collect();
            cells.push(text(flags.join("; ")));
        }
        None => cells.extend(std::iter::repeat_n(Cell::Empty, 8)),
    }
    cells.push(text(row.shift.note.clone().unwrap_or_default()));
    cells
}

/// Break, worked, normal, extra25, ot50, night and holiday minutes of a date.
fn day_minutes(d: &DayHours) -> [u32; 7] {
    [d.break_minutes, d.worked, d.normal, d.extra25, d.ot50, d.night, d.holiday]
}

/// The totals row of an employee's sheet, under the same columns as the rows.
pub fn shift_totals(e: &EmployeeMonth, lang: Lang) -> Vec<Cell> {
    let t = &e.totals;
    let mut cells = vec![text(total_label(lang).into()), Cell::Empty, Cell::Empty, Cell::Empty];
    cells.extend(
        [e.break_minutes(), t.worked, t.normal, t.extra25, t.ot50, t.night, t.holiday].map(Cell::Minutes),
    );
    cells.extend([Cell::Empty, Cell::Empty]);
    cells
}

pub fn summary_columns(lang: Lang) -> Vec<Column> {
    vec![
        col(lang.pick("Personel", "Employee"), 28.0),
        col(lang.pick("Bölge", "Region"), 11.0),
        col(lang.pick("Vardiya", "Shifts"), 8.0),
        col(lang.pick("Çalışma", "Worked"), 9.0),
        col(lang.pick("Normal", "Normal"), 9.0),
        col(lang.pick("Fazla süre (%25)", "Extra time (25%)"), 11.0),
        col(lang.pick("Fazla çalışma (%50)", "Overtime (50%)"), 11.0),
        col(lang.pick("Ödenecek fazla çalışma (%50)", "Overtime payable (50%)"), 13.0),
        col(lang.pick("Ödenecek fazla süre (%25)", "Extra time payable (25%)"), 13.0),
        col(lang.pick("Gece", "Night"), 8.0),
        col(lang.pick("Resmî tatil", "Public holiday"), 9.0),
        col(lang.pick("Tatil ücreti (gün)", "Holiday pay (days)"), 9.0),
        col(lang.pick("Hafta sonu", "Weekend"), 9.0),
        col(lang.pick("Hafta tatili", "Rest day"), 9.0),
        col(lang.pick("Uyarılı gün", "Flagged days"), 9.0),
    ]
}

pub fn summary_cells(e: &EmployeeMonth) -> Vec<Cell> {
    let name = text(e.employee.data.full_name.clone());
    let region = text(display_name(&e.employee.region).to_string());
    totals_cells(name, region, e.rows.len(), &e.totals)
}

/// The summary's last row: every employee's totals added up, minute by minute.
pub fn summary_totals(report: &MonthReport, lang: Lang) -> Vec<Cell> {
    let mut sum = Totals::default();
    for t in report.employees.iter().map(|e| &e.totals) {
        sum += t;
    }
    let shifts = report.employees.iter().map(|e| e.rows.len()).sum();
    totals_cells(text(total_label(lang).into()), Cell::Empty, shifts, &sum)
}

fn totals_cells(name: Cell, region: Cell, shifts: usize, t: &Totals) -> Vec<Cell> {
    let mut cells = vec![name, region, Cell::Count(u32::try_from(shifts).unwrap_or(u32::MAX))];
    cells.extend(
        [t.worked, t.normal, t.extra25, t.ot50, t.ot50_payable, t.extra25_payable, t.night, t.holiday]
            .map(Cell::Minutes),
    );
    cells.push(Cell::Units(t.holiday_units));
    cells.extend([t.weekend, t.rest_day].map(Cell::Minutes));
    cells.push(Cell::Count(t.flagged_days));
    cells
}

fn text(s: String) -> Cell {
    if s.is_empty() { Cell::Empty } else { Cell::Text(s) }
}
