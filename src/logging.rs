//! Logs go to a file rolling daily in the data folder (the window has no console); the command
//! line also prints warnings to stderr.

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

use crate::paths::DataDir;

/// Starts logging into `data/logs`. Keep the guard alive for as long as logs should be written.
pub fn to_file(data: &DataDir) -> Option<WorkerGuard> {
    // The appender prunes old files before it creates the folder, and on a first start it would
    // print "Error reading the log directory/files" to stderr for the folder that is not there yet.
    std::fs::create_dir_all(data.logs()).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("rainstaff")
        .filename_suffix("log")
        .max_log_files(14)
        .build(data.logs())
        .ok()?;
    let (writer, guard) = tracing_appender::non_blocking(appender);
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("RAINSTAFF_LOG").unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}

pub fn to_stderr() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("RAINSTAFF_LOG").unwrap_or_else(|_| EnvFilter::new("warn")))
        .with_writer(std::io::stderr)
        .try_init();
}
