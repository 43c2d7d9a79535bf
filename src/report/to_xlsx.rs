//! The report as an Excel workbook: a summary sheet, then one sheet per employee. Durations are
//! numbers (days, as Excel counts time) shown as `[h]:mm`, so payroll can add them up; text is
//! only for what is text.

use std::path::Path;

use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::regions::display_name;
use rainstaff_core::time::{format_date, format_duration};
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};

use super::build::{EmployeeMonth, MonthReport};
use super::cells::{self, Cell, Column};
use super::sheet_names::SheetNames;
use crate::i18n::{Lang, Pick};

/// Rows above the table: title, a line of context, the column headers. They stay in view.
pub(super) const HEADER_ROW: u32 = 2;
pub(super) const FIRST_DATA_ROW: u32 = HEADER_ROW + 1;
const MINUTES_PER_DAY: f64 = 1440.0;

pub(super) struct Formats {
    /// The formats of a totals row: bold, with a line above.
    total: bool,
    title: Format,
    context: Format,
    header: Format,
    plain: Format,
    date: Format,
    time: Format,
    duration: Format,
    units: Format,
    count: Format,
    amount: Format,
}

impl Formats {
    pub(super) fn new(total: bool) -> Formats {
        let base =
            if total { Format::new().set_bold().set_border_top(FormatBorder::Thin) } else { Format::new() };
        Formats {
            total,
            title: Format::new().set_bold().set_font_size(14),
            context: Format::new().set_italic(),
            header: Format::new()
                .set_bold()
                .set_text_wrap()
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(0xE8E8E8)
                .set_border_bottom(FormatBorder::Thin),
            plain: base.clone(),
            date: base.clone().set_num_format("dd.mm.yyyy"),
            time: base.clone().set_num_format("hh:mm"),
            duration: base.clone().set_num_format("[h]:mm"),
            units: base.clone().set_num_format("0.0"),
            amount: base.clone().set_num_format("#,##0.00"),
            count: base.set_num_format("0"),
        }
    }
}

/// Writes the workbook; `progress` goes from 0 to 1.
pub fn write(
    report: &MonthReport,
    lang: Lang,
    out: &Path,
    progress: &mut dyn FnMut(f32),
) -> anyhow::Result<()> {
    let (rows, totals) = (Formats::new(false), Formats::new(true));
    let mut workbook = Workbook::new();
    let mut names = SheetNames::default();
    let sheet = workbook.add_worksheet();
    sheet.set_name(names.unique(lang.t("Özet", "Summary"), "Summary"))?;
    summary(sheet, report, lang, &rows, &totals)?;
    // Laying out the sheets is quick; most of the time goes into compressing the file below.
    let count = report.employees.len().max(1) as f32;
    for (i, e) in report.employees.iter().enumerate() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(names.unique(&e.employee.data.full_name, lang.t("Personel", "Employee")))?;
        employee(sheet, report, e, lang, &rows, &totals)?;
        progress(0.3 * (i + 1) as f32 / count);
    }
    workbook.save(out)?;
    progress(1.0);
    Ok(())
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

fn region_line(region: &str, lang: Lang) -> String {
    let shown =
        if region == ALL_REGIONS { lang.t("Tüm bölgeler", "All regions") } else { display_name(region) };
    format!("{}: {shown}", lang.t("Bölge", "Region"))
}

fn summary(
    sheet: &mut Worksheet,
    report: &MonthReport,
    lang: Lang,
    rows: &Formats,
    totals: &Formats,
) -> Result<(), XlsxError> {
    let what = lang.t("Aylık puantaj özeti", "Monthly timesheet summary");
    heading(sheet, &title(report, what, lang), &region_line(&report.region, lang), rows)?;
    table_header(sheet, &cells::summary_columns(lang), rows)?;
    let mut row = FIRST_DATA_ROW;
    for e in &report.employees {
        put_row(sheet, row, &cells::summary_cells(e), rows)?;
        row += 1;
    }
    put_row(sheet, row, &cells::summary_totals(report, lang), totals)?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, 1)?;
    Ok(())
}

fn employee(
    sheet: &mut Worksheet,
    report: &MonthReport,
    e: &EmployeeMonth,
    lang: Lang,
    rows: &Formats,
    totals: &Formats,
) -> Result<(), XlsxError> {
    let data = &e.employee.data;
    let context = format!(
        "{} · {}: {}",
        region_line(&e.employee.region, lang),
        lang.t("Haftalık süre", "Weekly hours"),
        format_duration(data.weekly_minutes)
    );
    heading(sheet, &title(report, &data.full_name, lang), &context, rows)?;
    let columns = cells::shift_columns(lang);
    table_header(sheet, &columns, rows)?;
    let mut row = FIRST_DATA_ROW;
    for r in &e.rows {
        put_row(sheet, row, &cells::shift_cells(r, lang), rows)?;
        row += 1;
    }
    if row > FIRST_DATA_ROW {
        sheet.autofilter(HEADER_ROW, 0, row - 1, columns.len() as u16 - 1)?;
    }
    put_row(sheet, row, &cells::shift_totals(e, lang), totals)?;
    sheet.set_freeze_panes(FIRST_DATA_ROW, 0)?;
    Ok(())
}

pub(super) fn heading(
    sheet: &mut Worksheet,
    title: &str,
    context: &str,
    f: &Formats,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, title, &f.title)?;
    sheet.write_string_with_format(1, 0, context, &f.context)?;
    Ok(())
}

pub(super) fn table_header(sheet: &mut Worksheet, columns: &[Column], f: &Formats) -> Result<(), XlsxError> {
    for (i, c) in columns.iter().enumerate() {
        let col = i as u16;
        sheet.write_string_with_format(HEADER_ROW, col, c.label, &f.header)?;
        sheet.set_column_width(col, c.width)?;
    }
    sheet.set_row_height(HEADER_ROW, 30)?;
    Ok(())
}

pub(super) fn put_row(sheet: &mut Worksheet, row: u32, cells: &[Cell], f: &Formats) -> Result<(), XlsxError> {
    for (i, cell) in cells.iter().enumerate() {
        let col = i as u16;
        match cell {
            Cell::Date(d) => {
                use chrono::Datelike;
                // Months come from checked dates (years 1900–2999), so these narrowings hold.
                let date = ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)?;
                sheet.write_datetime_with_format(row, col, date, &f.date)?
            }
            Cell::Text(t) => sheet.write_string_with_format(row, col, t, &f.plain)?,
            Cell::Time(m) => {
                sheet.write_number_with_format(row, col, f64::from(*m) / MINUTES_PER_DAY, &f.time)?
            }
            Cell::Minutes(m) => {
                sheet.write_number_with_format(row, col, f64::from(*m) / MINUTES_PER_DAY, &f.duration)?
            }
            Cell::Units(u) => sheet.write_number_with_format(row, col, *u, &f.units)?,
            Cell::Count(n) => sheet.write_number_with_format(row, col, f64::from(*n), &f.count)?,
            Cell::Amount(a) => sheet.write_number_with_format(row, col, *a, &f.amount)?,
            // Blank cells of a totals row still carry its border.
            Cell::Empty if f.total => sheet.write_blank(row, col, &f.plain)?,
            Cell::Empty => sheet,
        };
    }
    Ok(())
}
