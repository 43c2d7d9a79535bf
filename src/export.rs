//! The plain timesheet export: one CSV row per shift, UTF-8 with a header, the minutes as entered
//! (end − start, next day when the end is earlier, − break). Reports build on the same rows.

use std::io::Write;

use chrono::NaiveDate;
use rainstaff_core::payroll::worked_minutes;
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::text::tr_cmp;
use rainstaff_core::time::{format_date, parse_iso_date};

use crate::db::Store;
use crate::db::queries::ShiftFilter;

pub const CSV_HEADER: [&str; 9] =
    ["employee", "region", "date", "start", "end", "break_minutes", "worked_minutes", "special_day", "note"];

/// Writes the shifts from `from` to `to` (inclusive) of `region` (or ALL); returns how many.
pub fn timesheets_csv(
    store: &Store,
    from: NaiveDate,
    to: NaiveDate,
    region: &str,
    out: impl Write,
) -> anyhow::Result<usize> {
    let shifts = store.shifts(&ShiftFilter {
        employee: None,
        from: Some(from),
        to: Some(to),
        region: region.to_string(),
    })?;
    let names: std::collections::HashMap<String, String> =
        store.employees(ALL_REGIONS)?.into_iter().map(|e| (e.id.to_string(), e.data.full_name)).collect();
    let name = |id: &str| names.get(id).cloned().unwrap_or_default();
    let mut rows: Vec<_> = shifts.iter().map(|s| (name(&s.data.employee_id), s)).collect();
    rows.sort_by(|(a, x), (b, y)| {
        tr_cmp(a, b).then_with(|| {
            (&x.data.work_date, &x.data.start_time).cmp(&(&y.data.work_date, &y.data.start_time))
        })
    });
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record(CSV_HEADER)?;
    for (employee, s) in &rows {
        let d = &s.data;
        writer.write_record([
            employee.as_str(),
            s.region.as_str(),
            &parse_iso_date(&d.work_date).map(format_date).unwrap_or_else(|_| d.work_date.clone()),
            &d.start_time,
            &d.end_time,
            &d.break_minutes.to_string(),
            &worked_minutes(d).map(|m| m.to_string()).unwrap_or_default(),
            if d.special_day { "1" } else { "0" },
            d.note.as_deref().unwrap_or(""),
        ])?;
    }
    writer.flush()?;
    Ok(rows.len())
}
