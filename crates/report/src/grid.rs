//! The puantaj cetveli as a table: a row per employee with a cell per day of the month in the
//! office's letters, the days counted by kind, the SGK premium and missing days, and the month's
//! hours; and the legend of its letters. What each day was and what the days add up to is
//! `rainstaff_core::puantaj`'s; here they only become cells.

use std::collections::BTreeSet;

use chrono::Datelike;
use rainstaff_core::i18n::{Lang, weekday};
use rainstaff_core::leave::{LeaveKind, SGK_CODES};
use rainstaff_core::puantaj::{HOLIDAY, Letters, NOT_EMPLOYED, WEEKLY_REST, WORKED};

use crate::build::{EmployeeMonth, MonthReport};
use crate::cells::{Cell, Column, col, month_hours_cells, month_hours_columns};
use crate::to_csv::{CsvDialect, cell_text};

/// The columns before the days: name and T.C. number. The panes freeze at the first day.
pub const FIRST_DAY_COLUMN: u16 = 2;
/// Narrow enough for 31 days across A4 landscape, wide enough for `Ç 10,25` on two lines.
const DAY_WIDTH: f64 = 4.3;
const COUNT_WIDTH: f64 = 6.5;

/// The kinds of leave somebody of the report took in the month, in `LeaveKind::ALL`'s order:
/// each has a column of its own.
pub fn kinds(report: &MonthReport) -> Vec<LeaveKind> {
    let taken: BTreeSet<LeaveKind> =
        report.employees.iter().flat_map(|e| e.puantaj.leave_days.keys().copied()).collect();
    LeaveKind::ALL.into_iter().filter(|k| taken.contains(k)).collect()
}

/// The headers: name, T.C. number, each day of the month (its number and weekday), the days
/// counted by kind, premium and missing days with their reason, and the month's hours.
pub fn columns(report: &MonthReport, kinds: &[LeaveKind], lang: Lang) -> Vec<Column> {
    let letters = &report.letters;
    let counted = |letter: &str, label: &str| col(format!("{letter}: {label}"), COUNT_WIDTH);
    let mut columns = vec![
        col(lang.pick("Personel", "Employee"), 24.0),
        col(lang.pick("T.C. kimlik no", "Turkish ID no"), 12.0),
    ];
    let month = report.month;
    for date in month.first().iter_days().take_while(|d| *d <= month.last()) {
        let label = format!("{}\n{}", date.day(), weekday(lang, date));
        columns.push(Column { centred: true, ..col(label, DAY_WIDTH) });
    }
    columns.push(counted(letters.get(WORKED), lang.pick("Çalışılan gün", "Days worked")));
    for kind in kinds {
        columns.push(counted(letters.get(kind.stored()), kind.label().get(lang)));
    }
    columns.push(counted(letters.get(WEEKLY_REST), lang.pick("Hafta tatili günü", "Weekly rest days")));
    columns.push(counted(letters.get(HOLIDAY), lang.pick("Resmî tatil günü", "Public holiday days")));
    columns.extend([
        col(lang.pick("Prim günü", "Premium days"), COUNT_WIDTH),
        col(lang.pick("Eksik gün", "Missing days"), COUNT_WIDTH),
        col(lang.pick("Eksik gün nedeni", "Missing-day reason"), COUNT_WIDTH),
    ]);
    columns.extend(month_hours_columns(lang));
    columns
}

/// An employee's row under [`columns`] made with the same `kinds`.
pub fn cells(report: &MonthReport, e: &EmployeeMonth, kinds: &[LeaveKind]) -> Vec<Cell> {
    let data = &e.employee.data;
    let text = |s: Option<&str>| {
        s.map(str::trim).filter(|s| !s.is_empty()).map_or(Cell::Empty, |s| Cell::Text(s.into()))
    };
    let p = &e.puantaj;
    let mut cells = vec![text(Some(&data.full_name)), text(data.identity_no.as_deref())];
    cells.extend(p.days.iter().map(|d| Cell::Mark(report.letters.cell(d.mark))));
    cells.push(Cell::Count(p.worked_days));
    cells.extend(kinds.iter().map(|k| Cell::Count(p.leave_days.get(k).copied().unwrap_or(0))));
    cells.extend([p.weekly_rest_days, p.holiday_days, p.premium.days, p.premium.missing].map(Cell::Count));
    cells.push(text(p.premium.code.as_deref()));
    cells.extend(month_hours_cells(&e.totals));
    cells
}

/// What the grid's letters mean, each beside its meaning: the days' letters, every leave kind's
/// (kinds sharing a letter on one line), a blank day, and the missing-day reasons of the month.
pub fn legend(report: &MonthReport, lang: Lang) -> Vec<(String, String)> {
    let letters = &report.letters;
    let mut lines: Vec<(String, String)> =
        vec![(format!("{} 7,5", letters.get(WORKED)), Letters::meaning(WORKED).get(lang).into())];
    for name in [WEEKLY_REST, HOLIDAY, NOT_EMPLOYED] {
        lines.push((letters.get(name).into(), Letters::meaning(name).get(lang).into()));
    }
    for kind in LeaveKind::ALL {
        let letter = letters.get(kind.stored());
        let label = kind.label().get(lang);
        match lines.iter_mut().find(|(l, _)| l == letter) {
            Some((_, meaning)) => *meaning = format!("{meaning}, {label}"),
            None => lines.push((letter.into(), label.into())),
        }
    }
    lines.push((
        lang.pick("(boş)", "(blank)").into(),
        lang.pick(
            "Kayıt yok: devamsızlık sayılmaz, devamsızlık girilir",
            "Nothing recorded: not an absence, which is entered as one",
        )
        .into(),
    ));
    let codes: BTreeSet<&str> = report
        .employees
        .iter()
        .flat_map(|e| {
            let p = &e.puantaj;
            p.days.iter().filter_map(|d| d.missing.as_deref()).chain(p.premium.code.as_deref())
        })
        .collect();
    let reason = lang.pick("Eksik gün nedeni", "Missing-day reason");
    for code in codes {
        let label = SGK_CODES.iter().find(|c| c.value == code).map_or("", |c| c.label.get(lang));
        lines.push((code.into(), format!("{reason}: {label}")));
    }
    lines
}

/// The puantaj cetveli as text, for a page to show: the workbook's own headers, cells (as people
/// read them: `Ç 7,5`, h:mm, comma decimals) and legend.
#[derive(Debug, Clone, PartialEq)]
pub struct PuantajTable {
    pub headers: Vec<String>,
    /// Whether each column is a day of the month, centred like the workbook's.
    pub days: Vec<bool>,
    pub rows: Vec<Vec<String>>,
    pub legend: Vec<(String, String)>,
}

pub fn puantaj_table(report: &MonthReport, lang: Lang) -> PuantajTable {
    let kinds = kinds(report);
    let columns = columns(report, &kinds, lang);
    PuantajTable {
        headers: columns.iter().map(|c| c.label.replace('\n', " ")).collect(),
        days: columns.iter().map(|c| c.centred).collect(),
        rows: report
            .employees
            .iter()
            .map(|e| cells(report, e, &kinds).iter().map(|c| cell_text(c, CsvDialect::Excel)).collect())
            .collect(),
        legend: legend(report, lang),
    }
}
