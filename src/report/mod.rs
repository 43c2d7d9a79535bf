//! Monthly payroll reports from the local store: the command line (`export report`, `export
//! puantaj`) and the Reports screen (through the worker) all end in [`export`], which loads the
//! month's rows and has `rainstaff_report` compute and write them, as the server's dashboard does
//! with its own. A vehicle's card and weekly report are workbooks of the same layout
//! ([`export_vehicle`]).

mod fleet;

use std::path::PathBuf;

use anyhow::Context as _;
use rainstaff_core::i18n::Lang;
use rainstaff_report::{
    CsvDialect, MonthInput, MonthReport, Selection, shifts_range, write_csv, write_puantaj_xlsx, write_xlsx,
};

pub use fleet::{VehicleExport, VehicleSheet, export_vehicle};

use crate::db::Store;
use crate::db::import::COMPANY_NAME_KEY;
use crate::db::queries::ShiftFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Xlsx,
    Csv,
    /// The puantaj cetveli alone, as XLSX. The command line has `export puantaj` for it, not a
    /// `--format` of `export report`.
    #[value(skip)]
    Puantaj,
}

impl ReportFormat {
    pub fn extension(self) -> &'static str {
        match self {
            ReportFormat::Xlsx | ReportFormat::Puantaj => "xlsx",
            ReportFormat::Csv => "csv",
        }
    }
}

/// The setting that holds the folder the Reports screen last wrote a report to, where its next
/// one goes unless somebody picks another.
pub const LAST_FOLDER: &str = "report_folder";

/// A report to write: who and which month, in which format and language, to which file.
/// `csv` counts only with [`ReportFormat::Csv`].
#[derive(Debug, Clone, PartialEq)]
pub struct ReportRequest {
    pub selection: Selection,
    pub format: ReportFormat,
    /// Who reads a CSV: people in Excel, or scripts.
    pub csv: CsvDialect,
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
        ReportFormat::Xlsx => write_xlsx(&report, request.lang, out, &mut writing),
        ReportFormat::Puantaj => write_puantaj_xlsx(&report, request.lang, out),
        ReportFormat::Csv => {
            let file = std::fs::File::create(out)?;
            write_csv(&report, request.lang, request.csv, std::io::BufWriter::new(file))
        }
    }
    .with_context(|| out.display().to_string())?;
    progress(1.0);
    Ok(out.clone())
}

/// The report of the store's rows; `progress` goes from 0 to 1 over the employees.
pub fn build(
    store: &Store,
    selection: &Selection,
    progress: &mut dyn FnMut(f32),
) -> anyhow::Result<MonthReport> {
    let (from, to) = shifts_range(selection.month);
    let input = MonthInput {
        company: store.setting(COMPANY_NAME_KEY)?,
        calendar: store.calendar()?,
        employees: store.employees(&selection.region)?,
        // One read for everybody: a query per employee would scan the table once each. From
        // the year's first week on, for the yearly overtime cap.
        shifts: store.shifts(&ShiftFilter {
            employee: selection.employee,
            from: Some(from),
            to: Some(to),
            region: selection.region.clone(),
        })?,
        closed: store.closed_periods(&selection.month.to_string())?,
        leaves: store.leaves(&selection.region, selection.employee, Some(from), Some(to))?,
        letters: store.puantaj_letters()?,
    };
    rainstaff_report::build(&input, selection, progress)
}
