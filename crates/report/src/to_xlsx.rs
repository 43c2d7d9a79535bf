//! The month report as an Excel workbook: a summary sheet, the puantaj cetveli, then one sheet
//! per employee, in the layout of [`crate::layout`]. The desktop saves it to a file; the server
//! sends its bytes. The puantaj is also a workbook of its own ([`write_puantaj_xlsx`]).

use std::path::Path;

use rainstaff_core::i18n::Lang;
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::regions::display_name;
use rainstaff_core::time::{format_date, format_duration};
use rust_xlsxwriter::{Workbook, Worksheet, XlsxError};

use crate::build::{EmployeeMonth, MonthReport};
use crate::cells::{self, RowKind};
use crate::grid;
use crate::layout::{
    FIRST_DATA_ROW, Formats, HEADER_ROW, heading, legend, print_setup, put_row, table_header,
};
use crate::sheet_names::SheetNames;

/// Writes the workbook to `out`; `progress` goes from 0 to 1.
pub fn write_xlsx(
    report: &MonthReport,
    lang: Lang,
    out: &Path,
    progress: &mut dyn FnMut(f32),
) -> anyhow::Result<()> {
    // Laying out the sheets is quick; most of the time goes into compressing the file.
    let mut workbook = workbook(report, lang, &mut |p| progress(0.3 * p))?;
    workbook.save(out)?;
    progress(1.0);
    Ok(())
}

/// The workbook as the bytes of an .xlsx file, for a download.
pub fn xlsx_bytes(report: &MonthReport, lang: Lang) -> anyhow::Result<Vec<u8>> {
    Ok(workbook(report, lang, &mut |_| {})?.save_to_buffer()?)
}

/// Writes a workbook of the puantaj cetveli alone to `out`.
pub fn write_puantaj_xlsx(report: &MonthReport, lang: Lang, out: &Path) -> anyhow::Result<()> {
    puantaj_workbook(report, lang)?.save(out)?;
    Ok(())
}

/// The puantaj cetveli's own workbook as the bytes of an .xlsx file, for a download.
pub fn puantaj_xlsx_bytes(report: &MonthReport, lang: Lang) -> anyhow::Result<Vec<u8>> {
    Ok(puantaj_workbook(report, lang)?.save_to_buffer()?)
}

fn puantaj_workbook(report: &MonthReport, lang: Lang) -> Result<Workbook, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name(puantaj_name(lang))?;
    puantaj(sheet, report, lang, &Styles::new())?;
    Ok(workbook)
}

fn puantaj_name(lang: Lang) -> &'static str {
    lang.pick("Puantaj", "Attendance")
}

/// Lays out every sheet; `progress` goes from 0 to 1 over the employees.
fn workbook(report: &MonthReport, lang: Lang, progress: &mut dyn FnMut(f32)) -> Result<Workbook, XlsxError> {
    let styles = Styles::new();
    let mut workbook = Workbook::new();
    let mut names = SheetNames::default();
    let sheet = workbook.add_worksheet();
    sheet.set_name(names.unique(lang.pick("Özet", "Summary"), "Summary"))?;
    summary(sheet, report, lang, &styles)?;
    let sheet = workbook.add_worksheet();
    sheet.set_name(names.unique(puantaj_name(lang), "Puantaj"))?;
    puantaj(sheet, report, lang, &styles)?;
    let count = report.employees.len().max(1) as f32;
    for (i, e) in report.employees.iter().enumerate() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(names.unique(&e.employee.data.full_name, lang.pick("Personel", "Employee")))?;
        employee(sheet, report, e, lang, &styles)?;
        progress((i + 1) as f32 / count);
    }
    Ok(workbook)
}

/// The formats of the three kinds of table row, made once per workbook.
struct Styles {
    rows: Formats,
    subtotals: Formats,
    totals: Formats,
}

impl Styles {
    fn new() -> Styles {
        Styles { rows: Formats::new(false), subtotals: Formats::subtotal(), totals: Formats::new(true) }
    }
}

fn title(report: &MonthReport, what: &str, lang: Lang) -> String {
    let period = format!(
        "{} ({}–{})",
        report.month.name(lang),
        format_date(report.month.first()),
        format_date(report.month.last())
    );
    match &report.company {
        Some(company) => format!("{company} — {what} — {period}"),
        None => format!("{what} — {period}"),
    }
}

/// The region, and how payroll closed its month: a locked month's pages say so and by whom.
fn region_line(report: &MonthReport, region: &str, lang: Lang) -> String {
    let line = format!("{}: {}", lang.pick("Bölge", "Region"), region_name(region, lang));
    let Some(closed) = report.closed.get(region) else { return line };
    let state = match closed.state.as_str() {
        "approved" => lang.pick("Onaylandı", "Approved"),
        "locked" => lang.pick("Kilitli", "Locked"),
        _ => return line,
    };
    let at = chrono::DateTime::parse_from_rfc3339(&closed.at)
        .map(|t| t.format("%d.%m.%Y %H:%M UTC").to_string())
        .unwrap_or_else(|_| closed.at.clone());
    format!("{line} · {state}: {}, {at}", closed.by)
}

fn region_name(region: &str, lang: Lang) -> &str {
    if region == ALL_REGIONS { lang.pick("Tüm bölgeler", "All regions") } else { display_name(region) }
}

/// Every printed page says whose, which month and which region it is.
fn page_header(
    sheet: &mut Worksheet,
    report: &MonthReport,
    region: &str,
    lang: Lang,
) -> Result<(), XlsxError> {
    let company = report.company.as_deref().unwrap_or_default();
    print_setup(sheet, [company, &report.month.name(lang), region_name(region, lang)])
}

fn summary(
    sheet: &mut Worksheet,
    report: &MonthReport,
    lang: Lang,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let Styles { rows, totals, .. } = styles;
    let what = lang.pick("Aylık puantaj özeti", "Monthly timesheet summary");
    heading(sheet, &title(report, what, lang), &region_line(report, &report.region, lang), rows)?;
    table_header(sheet, &cells::summary_columns(lang), rows)?;
    let mut row = FIRST_DATA_ROW;
    for e in &report.employees {
        put_row(sheet, row, &cells::summary_cells(e, lang), rows)?;
        row += 1;
    }
    put_row(sheet, row, &cells::summary_totals(report, lang), totals)?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, 1)?;
    page_header(sheet, report, &report.region, lang)
}

/// The puantaj cetveli: a row per employee, a column per day in the office's letters, the days
/// counted, premium and missing days, the month's hours; the legend under it. It prints like
/// every sheet, and its panes freeze at the first day.
fn puantaj(
    sheet: &mut Worksheet,
    report: &MonthReport,
    lang: Lang,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let rows = &styles.rows;
    let what = lang.pick("Puantaj cetveli", "Attendance sheet");
    heading(sheet, &title(report, what, lang), &region_line(report, &report.region, lang), rows)?;
    let kinds = grid::kinds(report);
    table_header(sheet, &grid::columns(report, &kinds, lang), rows)?;
    // The counts' and hours' headers wrap over several lines in their narrow columns.
    sheet.set_row_height(HEADER_ROW, 64)?;
    let mut row = FIRST_DATA_ROW;
    for e in &report.employees {
        put_row(sheet, row, &grid::cells(report, e, &kinds), rows)?;
        // Room for a day's hours on a second line.
        sheet.set_row_height(row, 24)?;
        row += 1;
    }
    legend(sheet, row + 1, lang.pick("Açıklamalar", "Legend"), &grid::legend(report, lang), rows)?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, grid::FIRST_DAY_COLUMN)?;
    page_header(sheet, report, &report.region, lang)?;
    // Narrow margins: a month of days is wide even on landscape paper.
    sheet.set_margins(0.3, 0.3, 0.6, 0.6, 0.3, 0.3);
    Ok(())
}

fn employee(
    sheet: &mut Worksheet,
    report: &MonthReport,
    e: &EmployeeMonth,
    lang: Lang,
    styles: &Styles,
) -> Result<(), XlsxError> {
    let Styles { rows, subtotals, totals } = styles;
    let data = &e.employee.data;
    let context = format!(
        "{} · {}: {} · {}: {}",
        region_line(report, &e.employee.region, lang),
        lang.pick("Haftalık süre", "Weekly hours"),
        format_duration(data.weekly_minutes),
        lang.pick("Yıl başından fazla çalışma (%50)", "Overtime (50%) year to date"),
        format_duration(i64::from(e.ytd_ot50)),
    );
    heading(sheet, &title(report, &data.full_name, lang), &context, rows)?;
    let columns = cells::shift_columns(lang);
    table_header(sheet, &columns, rows)?;
    for (row, (kind, cells)) in (FIRST_DATA_ROW..).zip(cells::employee_table(e, lang)) {
        let formats = match kind {
            RowKind::Shift => rows,
            RowKind::Week => subtotals,
            RowKind::Total => totals,
        };
        // The filter covers the shifts and week subtotals, never the totals under them.
        if kind == RowKind::Total && row > FIRST_DATA_ROW {
            sheet.autofilter(HEADER_ROW, 0, row - 1, columns.len() as u16 - 1)?;
        }
        put_row(sheet, row, &cells, formats)?;
    }
    sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    page_header(sheet, report, &e.employee.region, lang)
}
