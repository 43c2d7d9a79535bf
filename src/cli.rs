//! The headless subcommands of the same binary, for IT scripts and tests. Each prints its result
//! (JSON where a script reads it) on stdout and exits non-zero, with a message naming the
//! problem, when it fails.

use std::io::Read;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::db::Store;
use crate::paths::DataDir;

#[derive(Parser)]
#[command(
    name = "rainstaff",
    version,
    about = "Rainstaff timesheets: the window, or a headless subcommand"
)]
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
    /// Writes a backup of the store (default: into the backups folder).
    Backup {
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// Runs a subcommand; returns the process exit code.
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
            let output =
                rainstaff_core::hours::run_json(&input).map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("{}", serde_json::to_string_pretty(&output)?);
        }
        CliCommand::Enroll { server, code, name } => {
            let store = Store::open(&data.store())?;
            let name = name.unwrap_or_else(crate::ui::settings::hostname);
            let region = runtime()?.block_on(crate::sync_task::enroll_device(
                &store, &data, &server, &code, &name,
            ))?;
            let device = store
                .sync_state(crate::sync_task::DEVICE_KEY)?
                .unwrap_or_default();
            println!(
                "{}",
                serde_json::json!({"device_id": device, "region": region, "server": server})
            );
        }
        CliCommand::Sync => {
            let mut store = Store::open(&data.store())?;
            let report = runtime()?.block_on(crate::sync_task::run_once(&mut store, &data));
            match report {
                Ok(report) => println!("{}", serde_json::to_string(&report)?),
                Err(e) => bail!("sync failed: {e}"),
            }
        }
        CliCommand::Backup { out } => {
            let store = Store::open(&data.store())?;
            let path = match out {
                Some(path) => {
                    store.backup_to(&path)?;
                    path
                }
                None => store.backup_now()?,
            };
            println!("{}", path.display());
        }
    }
    Ok(())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}
