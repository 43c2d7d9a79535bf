//! The report as CSV, in one of two dialects (see [`CsvDialect`]): the employee sheets' rows,
//! each after the employee and the region.

use std::io::Write;

use rainstaff_core::i18n::Lang;
use rainstaff_core::regions::display_name;
use rainstaff_core::time::{format_date, format_duration, format_hhmm};

use crate::build::MonthReport;
use crate::cells::{self, Cell, RowKind};

/// Who reads the CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CsvDialect {
    /// People, in Excel with Turkish settings, opened with a double click: UTF-8 with a byte
    /// order mark (without it Excel guesses a code page and breaks the Turkish letters), `;`
    /// between fields (Excel's list separator there, since the comma is the decimal mark),
    /// durations as h:mm, decimal hours with a comma, "+1" on an end the next day, and every
    /// column and row of the employee sheets, week subtotals and totals included.
    #[default]
    Excel,
    /// Scripts: UTF-8 without a byte order mark, commas, one row per shift, durations as whole
    /// minutes, and only the columns a script cannot derive (no decimal hours, no payable
    /// overtime, which is a week's figure).
    Plain,
}

impl CsvDialect {
    pub fn from_code(code: &str) -> Option<CsvDialect> {
        match code {
            "excel" => Some(CsvDialect::Excel),
            "plain" => Some(CsvDialect::Plain),
            _ => None,
        }
    }
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn write_csv(
    report: &MonthReport,
    lang: Lang,
    dialect: CsvDialect,
    mut out: impl Write,
) -> anyhow::Result<()> {
    let excel = dialect == CsvDialect::Excel;
    if excel {
        out.write_all(BOM)?;
    }
    let mut writer = csv::WriterBuilder::new().delimiter(if excel { b';' } else { b',' }).from_writer(out);
    let columns = cells::shift_columns(lang);
    let kept: Vec<bool> = columns.iter().map(|c| excel || c.plain).collect();
    let mut header = vec![lang.pick("Personel", "Employee"), lang.pick("Bölge", "Region")];
    header.extend(columns.iter().zip(&kept).filter(|(_, k)| **k).map(|(c, _)| c.label.as_ref()));
    writer.write_record(&header)?;
    for e in &report.employees {
        let name = e.employee.data.full_name.as_str();
        let region = display_name(&e.employee.region);
        for (kind, row) in cells::employee_table(e, lang) {
            if !excel && kind != RowKind::Shift {
                continue;
            }
            let fields = row.iter().zip(&kept).filter(|(_, k)| **k).map(|(c, _)| cell_text(c, dialect));
            writer.write_record([name.to_string(), region.to_string()].into_iter().chain(fields))?;
        }
    }
    writer.flush()?;
    Ok(())
}

/// A cell as the CSV writes it, and a page shows it.
pub(crate) fn cell_text(cell: &Cell, dialect: CsvDialect) -> String {
    let excel = dialect == CsvDialect::Excel;
    // Excel with Turkish settings reads "8,50" as a number, "8.50" as text.
    let decimal =
        |x: f64, places: usize| if excel { format!("{x:.places$}").replace('.', ",") } else { x.to_string() };
    match cell {
        Cell::Date(d) => format_date(*d),
        Cell::Text(t) | Cell::Mark(t) => t.clone(),
        Cell::Time(m) => format_hhmm(*m),
        Cell::NextDayTime(m) if excel => format!("{} +1", format_hhmm(*m)),
        Cell::NextDayTime(m) => format_hhmm(*m),
        Cell::Minutes(m) if excel => format_duration(i64::from(*m)),
        Cell::Minutes(m) | Cell::Count(m) => m.to_string(),
        Cell::Hours(m) => decimal(f64::from(*m) / 60.0, 2),
        Cell::Units(u) => decimal(*u, 1),
        Cell::Amount(a) => decimal(*a, 2),
        Cell::Empty => String::new(),
    }
}
