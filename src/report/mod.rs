//! Monthly payroll reports: each employee's month through the hour engine, written as an Excel
//! workbook (a summary and a sheet per employee) or as CSV (a row per shift). The command line
//! (`export report`) and the Reports screen (through the worker) both end in [`export`]. A
//! vehicle's card and weekly report are workbooks of the same layout ([`export_vehicle`]).

mod build;
mod cells;
mod fleet;
mod lookup;
mod month;
mod sheet_names;
mod to_csv;
mod to_xlsx;

use std::path::PathBuf;

use anyhow::Context as _;

pub use build::{EmployeeMonth, MonthReport, Row, Selection, build};
pub use fleet::{VehicleExport, VehicleSheet, export_vehicle};
pub use lookup::{NameError, find_employee};
pub use month::Month;

use crate::db::Store;
use crate::i18n::Lang;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Xlsx,
    Csv,
}

impl ReportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Csv => "csv",
        }
    }
}

/// A report to write: who and which month, in which format and language, to which file.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRequest {
    pub selection: Selection,
    pub format: ReportFormat,
    pub lang: Lang,
    pub out: PathBuf,
}

/// Computes and writes the report; returns the file written. `progress` goes from 0 to 1:
/// the first half while the engine computes, the second while the file is written.
pub fn export(
    store: &Store,
    request: &ReportRequest,
    progress: &mut dyn FnMut(f32),
) -> anyhow::Result<PathBuf> {
    let report = build(store, &request.selection, &mut |p| progress(p / 2.0))?;
    let out = &request.out;
    let mut writing = |p: f32| progress(0.5 + p / 2.0);
    match request.format {
        ReportFormat::Xlsx => to_xlsx::write(&report, request.lang, out, &mut writing),
        ReportFormat::Csv => {
            let file = std::fs::File::create(out)?;
            to_csv::write(&report, request.lang, std::io::BufWriter::new(file))
        }
    }
    .with_context(|| out.display().to_string())?;
    progress(1.0);
    Ok(out.clone())
}
