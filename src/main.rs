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

/// The window's options; `backends` narrows the graphics backends wgpu may choose from.
fn options(backends: Option<eframe::wgpu::Backends>) -> eframe::NativeOptions {
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Rainstaff")
        .with_app_id("rainstaff")
        .with_inner_size([1200.0, 760.0])
        .with_min_inner_size([800.0, 500.0]);
    if let Ok(icon) = eframe::icon_data::from_png_bytes(include_bytes!("../assets/rainstaff.png")) {
        viewport = viewport.with_icon(icon);
    }
    let mut options = eframe::NativeOptions { viewport, ..Default::default() };
    if let Some(backends) = backends {
        let mut setup = eframe::egui_wgpu::WgpuSetupCreateNew::without_display_handle();
        setup.instance_descriptor.backends = backends;
        options.wgpu_options.wgpu_setup = eframe::egui_wgpu::WgpuSetup::CreateNew(setup);
    }
    options
}

fn gui(data: DataDir) -> std::process::ExitCode {
    let _log = rainstaff::logging::to_file(&data);
    let run = |backends| {
        let data = data.clone();
        eframe::run_native(
            "Rainstaff",
            options(backends),
            Box::new(move |cc| Ok(rainstaff::app::start(data, &cc.egui_ctx)?.into_app())),
        )
    };
    let mut result = run(None);
    // Some PCs (virtual machines, remote sessions, old drivers) fail on the backend wgpu prefers
    // (DX12 on Windows); Vulkan or OpenGL usually work there. An explicit WGPU_BACKEND is obeyed.
    if let Err(e) = &result
        && std::env::var_os("WGPU_BACKEND").is_none()
    {
        tracing::warn!("the window could not start ({e}); trying Vulkan or OpenGL");
        result = run(Some(eframe::wgpu::Backends::VULKAN | eframe::wgpu::Backends::GL));
    }
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("the window could not start: {e}");
            eprintln!("error: the window could not start: {e}");
            std::process::ExitCode::from(1)
        }
    }
}
