// Release builds on Windows are GUI programs: no console window opens behind the app.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use clap::Parser;
use rainstaff::cli::{Cli, run};
use rainstaff::paths::DataDir;

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let data = match DataDir::resolve(cli.data_dir) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    match cli.command {
        Some(command) => {
            rainstaff::logging::to_stderr();
            match run(data, command) {
                Ok(()) => std::process::ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e:#}");
                    std::process::ExitCode::from(1)
                }
            }
        }
        None => gui(data),
    }
}

fn gui(data: DataDir) -> std::process::ExitCode {
    let _log = rainstaff::logging::to_file(&data);
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Rainstaff")
            .with_inner_size([1200.0, 760.0])
            .with_min_inner_size([800.0, 500.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Rainstaff",
        options,
        Box::new(move |cc| Ok(Box::new(rainstaff::app::App::new(data, &cc.egui_ctx)?))),
    );
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("the window could not start: {e}");
            eprintln!("error: the window could not start: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
