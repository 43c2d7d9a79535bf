//! The sheet layout every Rainstaff workbook shares: a title and a line of context above a table
//! whose header stays in view, typed cells (durations as Excel times, so payroll can add them up)
//! and a bold totals row. The month workbook is written with it here; the desktop's vehicle
//! workbooks use it too, so all of them look alike.

use chrono::Datelike;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, FormatBorder, Worksheet, XlsxError};

use crate::cells::{Cell, Column};

/// Rows above the table: title, a line of context, the column headers. They stay in view.
pub const HEADER_ROW: u32 = 2;
pub const FIRST_DATA_ROW: u32 = HEADER_ROW + 1;
const MINUTES_PER_DAY: f64 = 1440.0;

/// The cell formats of one kind of row, made once per workbook.
pub struct Formats {
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
    /// The formats of data rows, or with `total` those of a totals row.
    pub fn new(total: bool) -> Formats {
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

/// The title and the line of context above a sheet's table.
pub fn heading(sheet: &mut Worksheet, title: &str, context: &str, f: &Formats) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, title, &f.title)?;
    sheet.write_string_with_format(1, 0, context, &f.context)?;
    Ok(())
}

/// The table's header row, and its columns' widths.
pub fn table_header(sheet: &mut Worksheet, columns: &[Column], f: &Formats) -> Result<(), XlsxError> {
    for (i, c) in columns.iter().enumerate() {
        let col = i as u16;
        sheet.write_string_with_format(HEADER_ROW, col, c.label, &f.header)?;
        sheet.set_column_width(col, c.width)?;
    }
    sheet.set_row_height(HEADER_ROW, 30)?;
    Ok(())
}

/// One row of the table: each cell typed and formatted as [`Cell`] says.
pub fn put_row(sheet: &mut Worksheet, row: u32, cells: &[Cell], f: &Formats) -> Result<(), XlsxError> {
    for (i, cell) in cells.iter().enumerate() {
        let col = i as u16;
        match cell {
            Cell::Date(d) => {
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
