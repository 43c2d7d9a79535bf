//! Starting the app: a first start says nothing odd on stderr.

use std::process::Command;

/// The first start of the window on a PC: no data folder, so no logs folder either. Without a
/// display the window cannot open, but logging starts before it tries, which is what is checked.
#[test]
fn first_start_creates_the_log_folder_without_complaining_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("fresh");
    let output = Command::new(env!("CARGO_BIN_EXE_rainstaff"))
        .arg("--data-dir")
        .arg(&data)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WGPU_BACKEND")
        .output()
        .expect("cannot run rainstaff");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "the window opened without a display?\n{stderr}");
    assert!(
        !stderr.contains("Error reading the log directory"),
        "the first start complained about the logs folder:\n{stderr}"
    );
    let logs: Vec<_> =
        std::fs::read_dir(data.join("logs")).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(logs.len(), 1, "one log file for today: {logs:?}");
    let log = std::fs::read_to_string(data.join("logs").join(&logs[0])).unwrap();
    assert!(log.contains("the window could not start"), "the failure is logged, not only printed:\n{log}");
}
