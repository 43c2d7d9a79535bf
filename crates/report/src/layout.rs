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
    /// A (sub)totals row's: its blank cells are written too, to carry the line above.
    total: bool,
    title: Format,
    context: Format,
    header: Format,
    /// A header over centred cells.
    header_centred: Format,
    plain: Format,
    /// A day of the puantaj grid: small, centred, boxed.
    mark: Format,
    /// A legend's caption.
    caption: Format,
    date: Format,
    time: Format,
    next_day: Format,
    duration: Format,
    hours: Format,
    units: Format,
    count: Format,
    amount: Format,
}

impl Formats {
    /// The formats of data rows, or with `total` those of a totals row.
    pub fn new(total: bool) -> Formats {
        if total {
            Formats::with(true, Format::new().set_bold().set_border_top(FormatBorder::Thin))
        } else {
            Formats::with(false, Format::new())
        }
    }

    /// The formats of a subtotal row (a week under its days): italic, with a dotted line above,
    /// so the eye tells it from the bold totals row.
    pub fn subtotal() -> Formats {
        Formats::with(true, Format::new().set_italic().set_border_top(FormatBorder::Dotted))
    }

    fn with(total: bool, base: Format) -> Formats {
        let header = Format::new()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter)
            .set_background_color(0xE8E8E8)
            .set_border_bottom(FormatBorder::Thin);
        Formats {
            total,
            title: Format::new().set_bold().set_font_size(14),
            context: Format::new().set_italic(),
            header_centred: header.clone().set_align(FormatAlign::Center),
            header,
            mark: base
                .clone()
                .set_font_size(8)
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_border(FormatBorder::Thin),
            caption: Format::new().set_bold(),
            plain: base.clone(),
            date: base.clone().set_num_format("dd.mm.yyyy"),
            time: base.clone().set_num_format("hh:mm"),
            // Still a time value, so it sorts and subtracts; the "+1" is only how it shows.
            next_day: base.clone().set_num_format("hh:mm\" +1\""),
            duration: base.clone().set_num_format("[h]:mm"),
            hours: base.clone().set_num_format("0.00"),
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
        let format = if c.centred { &f.header_centred } else { &f.header };
        sheet.write_string_with_format(HEADER_ROW, col, c.label.as_ref(), format)?;
        sheet.set_column_width(col, c.width)?;
    }
    sheet.set_row_height(HEADER_ROW, 30)?;
    Ok(())
}

/// How a sheet prints: landscape on A4, as wide as one page, the title, context and column
/// headers on every page, and a page header of three parts (left, centre, right).
pub fn print_setup(sheet: &mut Worksheet, header: [&str; 3]) -> Result<(), XlsxError> {
    // A4 is paper size 9 in Excel's numbering.
    sheet.set_landscape().set_paper_size(9).set_print_fit_to_pages(1, 0);
    sheet.set_repeat_rows(0, HEADER_ROW)?;
    let [left, centre, right] = header.map(header_part);
    sheet.set_header(format!("&L{left}&C{centre}&R{right}"));
    Ok(())
}

/// A part of a page header: "&" starts a control code there ("&&" is a literal one), and Excel
/// drops a header over 255 characters, so each part is cut to 40 (80 with every "&" doubled).
fn header_part(text: &str) -> String {
    let cut: String = text.chars().take(40).collect();
    cut.replace('&', "&&")
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
            Cell::NextDayTime(m) => {
                sheet.write_number_with_format(row, col, f64::from(*m) / MINUTES_PER_DAY, &f.next_day)?
            }
            Cell::Minutes(m) => {
                sheet.write_number_with_format(row, col, f64::from(*m) / MINUTES_PER_DAY, &f.duration)?
            }
            Cell::Hours(m) => sheet.write_number_with_format(row, col, f64::from(*m) / 60.0, &f.hours)?,
            Cell::Units(u) => sheet.write_number_with_format(row, col, *u, &f.units)?,
            Cell::Count(n) => sheet.write_number_with_format(row, col, f64::from(*n), &f.count)?,
            Cell::Amount(a) => sheet.write_number_with_format(row, col, *a, &f.amount)?,
            // A blank day keeps its box.
            Cell::Mark(t) if t.is_empty() => sheet.write_blank(row, col, &f.mark)?,
            Cell::Mark(t) => sheet.write_string_with_format(row, col, t, &f.mark)?,
            // Blank cells of a totals row still carry its border.
            Cell::Empty if f.total => sheet.write_blank(row, col, &f.plain)?,
            Cell::Empty => sheet,
        };
    }
    Ok(())
}

/// A legend from `row` down: its caption, then each symbol in the first column with its
/// meaning beside it (running on over the empty cells to its right). Returns the row after it.
pub fn legend(
    sheet: &mut Worksheet,
    row: u32,
    caption: &str,
    lines: &[(String, String)],
    f: &Formats,
) -> Result<u32, XlsxError> {
    sheet.write_string_with_format(row, 0, caption, &f.caption)?;
    let mut row = row + 1;
    for (symbol, meaning) in lines {
        sheet.write_string_with_format(row, 0, symbol, &f.plain)?;
        sheet.write_string_with_format(row, 1, meaning, &f.plain)?;
        row += 1;
    }
    Ok(row)
}
