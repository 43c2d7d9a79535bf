//! Rainstaff, the desktop app: an egui window over a local SQLite store, a worker thread that
//! owns every write, a background sync task, and headless subcommands for IT scripts.

pub mod app;
pub mod bus;
pub mod cli;
pub mod db;
pub mod exit;
pub mod export;
pub mod help;
pub mod hours;
pub mod i18n;
pub mod legacy_import;
pub mod logging;
pub mod message;
pub mod net;
pub mod paths;
pub mod policy;
pub mod report;
pub mod sheet_import;
pub mod sync_task;
pub mod ui;
pub mod worker;
