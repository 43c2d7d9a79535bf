//! The headless subcommands of the same binary, for IT scripts and tests. Each prints its result
//! (JSON where a script reads it) on stdout and exits non-zero, with a message naming the
//! problem, when it fails.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use rainstaff_core::protocol::ALL_REGIONS;

use crate::db::Store;
use crate::paths::DataDir;

#[derive(Parser)]
#[command(name = "rainstaff", version, about = "Rainstaff timesheets: the window, or a headless subcommand")]
pub struct Cli {
    /// The data folder (default: RAINSTAFF_DATA_DIR, else the OS local data folder).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

#[derive(Subcommand)]
pub enum CliCommand {
    /// Computes hours under Labour Law 4857: JSON in (FILE or stdin), JSON out.
    Hours { file: Option<PathBuf> },
    /// Enrolls this computer with a sync server using a one-time code.
    Enroll {
        #[arg(long)]
        server: String,
        #[arg(long)]
        code: String,
        /// The name the server lists this computer under (default: the computer's name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Runs one sync and prints its report as JSON.
    Sync,
    /// Imports a legacy puantaj.db and prints the report as JSON: the rows of this PC's region
    /// (an administrator's PC: of every region), and how many of other regions it left out.
    ImportLegacy {
        file: PathBuf,
        /// The region whose rows to take; rows the file places in no region are its. Required on
        /// a PC not yet enrolled (ALL: every region's rows); an office PC may name its own region
        /// only; an administrator's PC takes every region's rows unless one is named.
        #[arg(long)]
        region: Option<String>,
        /// Only report what would be imported.
        #[arg(long)]
        dry_run: bool,
    },
    /// Imports employees or shifts from the office's spreadsheet (.xlsx or .csv) and prints what
    /// it did as JSON: {"added", "updated", "unchanged", "errors": [{"row", "field", "message"}]},
    /// `row` being the spreadsheet's own (the header is 1). Every good row lands in one
    /// transaction; a bad one is reported and left out.
    Import {
        #[arg(value_enum)]
        what: crate::sheet_import::Kind,
        file: PathBuf,
        /// The region the rows belong to (default: the region this PC is enrolled for).
        #[arg(long)]
        region: Option<String>,
        /// Only report what would be imported.
        #[arg(long)]
        dry_run: bool,
        /// The language of the messages: tr or en.
        #[arg(long, default_value = "tr", value_parser = lang_arg)]
        lang: rainstaff_core::i18n::Lang,
    },
    /// Exports data to a file.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Prints what needs doing in the fleet on a day: oil changes, inspection, insurance and
    /// maintenance dates, driving licences, open faults, vehicles in the workshop, weekly
    /// inspections that got worse.
    Alerts {
        /// The day (YYYY-MM-DD or DD.MM.YYYY; default: today).
        #[arg(long)]
        today: Option<String>,
        /// Only this region (default: every region in this store).
        #[arg(long)]
        region: Option<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: AlertFormat,
        /// The language of the text format: tr or en.
        #[arg(long, default_value = "tr", value_parser = lang_arg)]
        lang: rainstaff_core::i18n::Lang,
    },
    /// Prints the audit trail (who did what, on which computer, to which record), oldest first:
    /// this PC's entries and those sync brought from the region's other PCs.
    Audit {
        /// First day (DD.MM.YYYY or YYYY-MM-DD; default: the first entry's).
        #[arg(long)]
        from: Option<String>,
        /// Last day, included (default: today).
        #[arg(long)]
        to: Option<String>,
        /// Only this region (default: every region in this store).
        #[arg(long)]
        region: Option<String>,
        #[arg(long, value_enum, default_value = "json")]
        format: AuditFormat,
    },
    /// Writes a backup of the store (default: into the backups folder).
    Backup {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub enum ExportCommand {
    /// Shifts as CSV, one row per shift with its worked minutes.
    Timesheets {
        /// First day (DD.MM.YYYY or YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// Last day, included.
        #[arg(long)]
        to: String,
        /// Only this region (default: every region in this store).
        #[arg(long)]
        region: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: TimesheetFormat,
        #[arg(long)]
        out: PathBuf,
    },
    /// A month's hours under each employee's contract: XLSX (summary + a sheet per employee) or
    /// CSV (the employee sheets' rows).
    #[command(group(clap::ArgGroup::new("who").required(true).args(["employee", "all"])))]
    Report {
        /// The month (YYYY-MM).
        #[arg(long)]
        month: String,
        /// One employee, by name (Turkish case and letters folded: "ayse isik" finds "AYŞE IŞIK").
        #[arg(long, value_name = "NAME")]
        employee: Option<String>,
        /// Every employee (of --region, if given).
        #[arg(long)]
        all: bool,
        /// Only this region (default: every region in this store).
        #[arg(long)]
        region: Option<String>,
        #[arg(long, value_enum)]
        format: crate::report::ReportFormat,
        /// With --format csv: excel (default; for Excel with Turkish settings: UTF-8 with BOM,
        /// ";", h:mm, week subtotals) or plain (for scripts: commas, no BOM, a row per shift,
        /// whole minutes).
        #[arg(long, value_name = "DIALECT", value_parser = csv_dialect_arg)]
        csv_dialect: Option<rainstaff_report::CsvDialect>,
        /// The language of the labels: tr or en.
        #[arg(long, default_value = "tr", value_parser = lang_arg)]
        lang: rainstaff_core::i18n::Lang,
        #[arg(long)]
        out: PathBuf,
    },
    /// A month's puantaj cetveli as XLSX: a row per employee, a column per day in the office's
    /// letters, the days counted by kind, SGK premium and missing days with their reason, and the
    /// month's hours; the legend under it; printed on A4 landscape, one page wide.
    Puantaj {
        /// The month (YYYY-MM).
        #[arg(long)]
        month: String,
        /// Only this region (default: every region in this store).
        #[arg(long)]
        region: Option<String>,
        /// The language of the labels: tr or en.
        #[arg(long, default_value = "tr", value_parser = lang_arg)]
        lang: rainstaff_core::i18n::Lang,
        /// The workbook to write (.xlsx).
        #[arg(long)]
        out: PathBuf,
    },
    /// One vehicle's weekly report as XLSX: the week's inspection item by item beside the week
    /// before's, and what changed.
    VehicleReport {
        #[arg(long)]
        plate: String,
        /// Any day of the ISO week (YYYY-MM-DD or DD.MM.YYYY).
        #[arg(long)]
        week: String,
        #[arg(long, default_value = "tr", value_parser = lang_arg)]
        lang: rainstaff_core::i18n::Lang,
        #[arg(long)]
        out: PathBuf,
    },
    /// One vehicle's card as XLSX: the vehicle, its inspections, faults and workshop visits.
    VehicleCard {
        #[arg(long)]
        plate: String,
        #[arg(long, default_value = "tr", value_parser = lang_arg)]
        lang: rainstaff_core::i18n::Lang,
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum TimesheetFormat {
    Csv,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AuditFormat {
    /// An array of entries, for scripts.
    Json,
    /// One row per entry with a header row (UTF-8, commas).
    Csv,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AlertFormat {
    /// `{"alerts": [...]}`, for scripts.
    Json,
    /// One line per alert: plate or driver, a tab, what needs doing.
    Text,
}

fn date_arg(name: &str, value: &str) -> anyhow::Result<chrono::NaiveDate> {
    rainstaff_core::time::parse_user_date(value)
        .map_err(|p| anyhow::anyhow!("--{name}: \"{value}\" {}", p.message(rainstaff_core::i18n::Lang::En)))
}

fn lang_arg(value: &str) -> Result<rainstaff_core::i18n::Lang, String> {
    rainstaff_core::i18n::Lang::from_code(value).ok_or_else(|| "expected tr or en".to_string())
}

fn csv_dialect_arg(value: &str) -> Result<rainstaff_report::CsvDialect, String> {
    rainstaff_report::CsvDialect::from_code(value).ok_or_else(|| "expected excel or plain".to_string())
}

fn month_arg(value: &str) -> anyhow::Result<rainstaff_report::Month> {
    rainstaff_report::Month::parse(value)
        .ok_or_else(|| anyhow::anyhow!("--month: \"{value}\" is not a month (YYYY-MM, e.g. 2026-01)"))
}

/// The vehicle of a plate however it is typed (`35kl456` is `35 KL 456`).
fn vehicle_arg(store: &Store, plate: &str) -> anyhow::Result<uuid::Uuid> {
    let canonical = rainstaff_core::validate::normalize_plate(plate)
        .ok_or_else(|| anyhow::anyhow!("--plate: \"{plate}\" is not a valid plate (e.g. 06 ABC 123)"))?;
    let vehicle = store.vehicle_by_plate(&canonical)?;
    Ok(vehicle.ok_or_else(|| anyhow::anyhow!("--plate: no vehicle has the plate {canonical}"))?.id)
}

/// A file to write with `extension`, in a folder that exists: said before any work is done.
fn out_arg(out: &std::path::Path, extension: &str) -> anyhow::Result<()> {
    if !out.extension().is_some_and(|e| e.eq_ignore_ascii_case(extension)) {
        bail!("--out: \"{}\" must end in .{extension}", out.display());
    }
    let folder = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(std::path::Path::new("."));
    if !folder.is_dir() {
        bail!("--out: the folder \"{}\" does not exist", folder.display());
    }
    Ok(())
}

fn region_arg(value: &str) -> anyhow::Result<String> {
    rainstaff_core::regions::normalize(value)
        .ok_or_else(|| anyhow::anyhow!("--region: must be a region's name"))
}

/// Who acts when IT runs a command: the account it runs under, as the audit trail names it.
fn cli_user() -> String {
    match std::env::var("USERNAME").or_else(|_| std::env::var("USER")) {
        Ok(account) if !account.trim().is_empty() => format!("cli:{}", account.trim()),
        _ => "cli".to_string(),
    }
}

/// Writes `entries` as CSV with a header row: every field of an entry, the changes as stored.
fn audit_csv(entries: &[crate::db::audit::Logged], out: impl std::io::Write) -> anyhow::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    for entry in entries {
        writer.serialize(entry)?;
    }
    writer.flush()?;
    Ok(())
}

/// Runs a subcommand.
pub fn run(data: DataDir, command: CliCommand) -> anyhow::Result<()> {
    match command {
        CliCommand::Hours { file } => {
            let input = match file {
                Some(path) => {
                    std::fs::read_to_string(&path).with_context(|| format!("{}", path.display()))?
                }
                None => {
                    let mut s = String::new();
                    std::io::stdin().read_to_string(&mut s).context("stdin")?;
                    s
                }
            };
            let output = rainstaff_core::hours::run_json(&input).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string_pretty(&output)?);
        }
        CliCommand::Enroll { server, code, name } => {
            let store = Store::open(&data.store())?;
            let name = name.unwrap_or_else(crate::db::audit::computer_name);
            let region =
                runtime()?.block_on(crate::sync_task::enroll_device(&store, &data, &server, &code, &name))?;
            let device = store.sync_state(crate::db::sync::DEVICE_KEY)?.unwrap_or_default();
            println!("{}", serde_json::json!({"device_id": device, "region": region, "server": server}));
        }
        CliCommand::Sync => {
            let mut store = Store::open(&data.store())?;
            let report = runtime()?.block_on(crate::sync_task::run_once(&mut store, &data));
            match report {
                Ok(report) => println!("{}", serde_json::to_string(&report)?),
                Err(e) => bail!("sync failed: {e}"),
            }
        }
        CliCommand::ImportLegacy { file, region, dry_run } => {
            let mut store = Store::open(&data.store())?;
            let report = crate::legacy_import::import_legacy(
                &mut store,
                &data,
                &file,
                region.as_deref(),
                dry_run,
                &cli_user(),
            )?;
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        CliCommand::Export {
            what: ExportCommand::Timesheets { from, to, region, format: TimesheetFormat::Csv, out },
        } => {
            let (from, to) = (date_arg("from", &from)?, date_arg("to", &to)?);
            if to < from {
                bail!("--to: must not be before --from");
            }
            let region = region.as_deref().map(region_arg).transpose()?;
            let mut store = Store::open(&data.store())?;
            let file = std::fs::File::create(&out).with_context(|| format!("--out: {}", out.display()))?;
            let count = crate::export::timesheets_csv(
                &store,
                from,
                to,
                region.as_deref().unwrap_or(ALL_REGIONS),
                std::io::BufWriter::new(file),
            )?;
            store.log_event(&cli_user(), ALL_REGIONS, "export", Some(out.display().to_string()))?;
            eprintln!("{count} shifts written to {}", out.display());
        }
        CliCommand::Export {
            what: ExportCommand::Report { month, employee, all: _, region, format, csv_dialect, lang, out },
        } => {
            let month = month_arg(&month)?;
            if csv_dialect.is_some() && format != crate::report::ReportFormat::Csv {
                bail!("--csv-dialect: only with --format csv");
            }
            let region = region.as_deref().map(region_arg).transpose()?;
            let region = region.unwrap_or_else(|| ALL_REGIONS.to_string());
            let mut store = Store::open(&data.store())?;
            let employee = match employee {
                Some(name) => Some(
                    rainstaff_report::find_employee(&store.employees(&region)?, &name)
                        .map_err(|e| anyhow::anyhow!("--employee: {e}"))?
                        .id,
                ),
                None => None,
            };
            let selection = rainstaff_report::Selection { month, employee, region };
            let csv = csv_dialect.unwrap_or_default();
            let request = crate::report::ReportRequest { selection, format, csv, lang, out };
            let path = crate::report::export(&store, &request, &mut |_| {})?;
            store.log_event(&cli_user(), ALL_REGIONS, "export", Some(path.display().to_string()))?;
            eprintln!("report for {month} written to {}", path.display());
        }
        CliCommand::Export { what: ExportCommand::Puantaj { month, region, lang, out } } => {
            let month = month_arg(&month)?;
            let region = region.as_deref().map(region_arg).transpose()?;
            let region = region.unwrap_or_else(|| ALL_REGIONS.to_string());
            out_arg(&out, "xlsx")?;
            let mut store = Store::open(&data.store())?;
            // A mistyped region would make an empty grid that looks like a month nobody worked.
            if region != ALL_REGIONS && store.employees(&region)?.is_empty() {
                bail!("--region: no employee in this store is in {region}");
            }
            let selection = rainstaff_report::Selection { month, employee: None, region };
            let format = crate::report::ReportFormat::Puantaj;
            let request =
                crate::report::ReportRequest { selection, format, csv: Default::default(), lang, out };
            let path = crate::report::export(&store, &request, &mut |_| {})?;
            store.log_event(&cli_user(), ALL_REGIONS, "export", Some(path.display().to_string()))?;
            eprintln!("puantaj for {month} written to {}", path.display());
        }
        CliCommand::Alerts { today, region, format, lang } => {
            let today = match today {
                Some(day) => date_arg("today", &day)?,
                None => chrono::Local::now().date_naive(),
            };
            let region = region.as_deref().map(region_arg).transpose()?;
            let store = Store::open(&data.store())?;
            let fleet = store.fleet(region.as_deref().unwrap_or(ALL_REGIONS))?;
            let alerts = rainstaff_core::alerts::alerts(&fleet, today);
            match format {
                AlertFormat::Json => println!("{}", serde_json::json!({ "alerts": alerts })),
                AlertFormat::Text => {
                    for alert in &alerts {
                        println!("{}\t{}", alert.subject(), alert.message(lang));
                    }
                }
            }
        }
        CliCommand::Export { what: ExportCommand::VehicleReport { plate, week, lang, out } } => {
            let week = date_arg("week", &week)?;
            let mut store = Store::open(&data.store())?;
            let vehicle = vehicle_arg(&store, &plate)?;
            let what = crate::report::VehicleSheet::Week(week);
            let request = crate::report::VehicleExport { vehicle, what, lang, out };
            let path = crate::report::export_vehicle(&store, &request)?;
            store.log_event(&cli_user(), ALL_REGIONS, "export", Some(path.display().to_string()))?;
            eprintln!("weekly report of {plate} written to {}", path.display());
        }
        CliCommand::Export { what: ExportCommand::VehicleCard { plate, lang, out } } => {
            let mut store = Store::open(&data.store())?;
            let vehicle = vehicle_arg(&store, &plate)?;
            let request =
                crate::report::VehicleExport { vehicle, what: crate::report::VehicleSheet::Card, lang, out };
            let path = crate::report::export_vehicle(&store, &request)?;
            store.log_event(&cli_user(), ALL_REGIONS, "export", Some(path.display().to_string()))?;
            eprintln!("vehicle card of {plate} written to {}", path.display());
        }
        CliCommand::Import { what, file, region, dry_run, lang } => {
            let mut store = Store::open(&data.store())?;
            let region = match region {
                Some(named) => region_arg(&named)?,
                None => store.pc_region()?.filter(|r| r != ALL_REGIONS).ok_or_else(|| {
                    anyhow::anyhow!("--region: required on a PC not enrolled for one region")
                })?,
            };
            // IT acts for the office: as an administrator, within what the PC may write.
            let it = crate::db::users::User {
                id: uuid::Uuid::nil(),
                username: cli_user(),
                role: crate::db::users::Role::Admin,
                region: ALL_REGIONS.to_string(),
                active: true,
                needs_password: false,
            };
            let outcome = crate::sheet_import::import(&mut store, &it, what, &file, &region, dry_run, lang)?;
            println!("{}", serde_json::to_string_pretty(&outcome)?);
        }
        CliCommand::Audit { from, to, region, format } => {
            let from = from.as_deref().map(|d| date_arg("from", d)).transpose()?;
            let to = to.as_deref().map(|d| date_arg("to", d)).transpose()?;
            if let (Some(from), Some(to)) = (from, to)
                && to < from
            {
                bail!("--to: must not be before --from");
            }
            let region = region.as_deref().map(region_arg).transpose()?;
            let store = Store::open(&data.store())?;
            let filter = crate::db::audit::Filter { region, from, to, ..Default::default() };
            let mut entries = store.audit_entries(&filter)?;
            entries.reverse();
            match format {
                AuditFormat::Json => println!("{}", serde_json::to_string_pretty(&entries)?),
                AuditFormat::Csv => audit_csv(&entries, std::io::stdout().lock())?,
            }
        }
        CliCommand::Backup { out } => {
            let mut store = Store::open(&data.store())?;
            let path = match out {
                Some(path) => {
                    store.backup_to(&path)?;
                    path
                }
                None => store.backup_now()?,
            };
            store.log_event(&cli_user(), ALL_REGIONS, "backup", Some(path.display().to_string()))?;
            println!("{}", path.display());
        }
    }
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}
