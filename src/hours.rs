//! The store's side of the hour engine over records (`rainstaff_core::payroll`): which shifts an
//! employee's hours are computed from, as a query of the local store.

use chrono::NaiveDate;
use rainstaff_core::model::{Employee, Record};
use rainstaff_core::payroll::covering_weeks;

use crate::db::queries::ShiftFilter;

/// The shifts an employee's hours over `from..=to` are computed from: their own region's, over
/// the whole weeks around the range.
pub fn shifts_for(employee: &Record<Employee>, from: NaiveDate, to: NaiveDate) -> ShiftFilter {
    let (first, last) = covering_weeks(from, to);
    ShiftFilter {
        employee: Some(employee.id),
        from: Some(first),
        to: Some(last),
        region: employee.region.clone(),
    }
}
