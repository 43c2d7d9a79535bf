//! The month payroll workbook: each employee's month through the hour engine, written as an Excel
//! workbook (a summary, the puantaj cetveli and a sheet per employee) or as CSV (a row per
//! shift); the puantaj cetveli also as a workbook of its own. The desktop writes it
//! to a file and the server's dashboard sends it as a download, so both hand out the same file.
//!
//! It works on plain records ([`MonthInput`]): the caller loads the employees and the shifts of
//! [`shifts_range`] from whatever store it has, and nothing here knows a database, a window or
//! HTTP. The hours over records and the payroll policy are `rainstaff_core::payroll`, not here:
//! the timesheet screen computes with them too, and they need no workbook.

mod build;
pub mod cells;
mod grid;
pub mod layout;
mod lookup;
mod month;
mod sheet_names;
mod to_csv;
mod to_xlsx;

pub use build::{
    Closed, EmployeeMonth, MonthInput, MonthReport, Row, Selection, WeekPart, build, shifts_range,
};
pub use grid::{PuantajTable, puantaj_table};
pub use lookup::{NameError, find_employee};
pub use month::Month;
pub use to_csv::{CsvDialect, write_csv};
pub use to_xlsx::{puantaj_xlsx_bytes, write_puantaj_xlsx, write_xlsx, xlsx_bytes};
