//! The report as CSV: one row per shift with the columns of an employee's sheet, after the
//! employee and the region; UTF-8 with a header, minutes as whole numbers.

use std::io::Write;

use rainstaff_core::i18n::Lang;
use rainstaff_core::regions::display_name;
use rainstaff_core::time::{format_date, format_hhmm};

use crate::build::MonthReport;
use crate::cells::{self, Cell};

pub fn write_csv(report: &MonthReport, lang: Lang, out: impl Write) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let mut header = vec![lang.pick("Personel", "Employee"), lang.pick("Bölge", "Region")];
    header.extend(cells::shift_columns(lang).iter().map(|c| c.label));
    writer.write_record(&header)?;
    for e in &report.employees {
        let name = e.employee.data.full_name.as_str();
        let region = display_name(&e.employee.region);
        for row in &e.rows {
            let fields = cells::shift_cells(row, lang).into_iter().map(|c| text(&c));
            writer.write_record([name.to_string(), region.to_string()].into_iter().chain(fields))?;
        }
    }
    writer.flush()?;
    Ok(())
}

fn text(cell: &Cell) -> String {
    match cell {
        Cell::Date(d) => format_date(*d),
        Cell::Text(t) => t.clone(),
        Cell::Time(m) => format_hhmm(*m),
        Cell::Minutes(m) | Cell::Count(m) => m.to_string(),
        Cell::Units(u) | Cell::Amount(u) => u.to_string(),
        Cell::Empty => String::new(),
    }
}
