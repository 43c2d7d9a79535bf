//! Checks a built Windows installer. Building the MSI takes a release cross build (7-10 minutes
//! cold), so the test is ignored by `cargo test` and run on purpose with the MSI it should check;
//! asked to run without one, it fails rather than passing unchecked:
//!
//! ```sh
//! msi="$(scripts/build-msi.sh)"
//! RAINSTAFF_MSI="$msi" cargo test --test msi -- --ignored
//! ```
//!
//! The checks themselves live in `scripts/check-msi.sh` (msiinfo from msitools), so that the
//! script and this test can never disagree.

use std::path::Path;
use std::process::Command;

#[test]
#[ignore = "needs a built MSI: RAINSTAFF_MSI=target/wix/rainstaff-VERSION-x64.msi cargo test --test msi -- --ignored"]
fn msi_passes_check_msi_upgrade_code_version_per_machine_exe_shortcut_help_link() {
    let Some(msi) = std::env::var_os("RAINSTAFF_MSI") else {
        panic!(
            "RAINSTAFF_MSI is not set; build the installer with scripts/build-msi.sh and run \
             RAINSTAFF_MSI=target/wix/rainstaff-{}-x64.msi cargo test --test msi -- --ignored",
            env!("CARGO_PKG_VERSION")
        );
    };
    let msi = Path::new(&msi);
    assert!(msi.is_file(), "RAINSTAFF_MSI={} is not a file", msi.display());

    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = Command::new("bash")
        .arg(root.join("scripts/check-msi.sh"))
        .arg(msi)
        // The version this test binary was compiled with is Cargo.toml's; passing it spares the
        // script from running cargo inside `cargo test`.
        .env("RAINSTAFF_EXPECT_VERSION", env!("CARGO_PKG_VERSION"))
        .current_dir(root)
        .output()
        .expect("cannot run bash scripts/check-msi.sh");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    eprintln!("{stderr}");
    assert!(
        output.status.success(),
        "scripts/check-msi.sh {} failed ({}):\n{stdout}{stderr}",
        msi.display(),
        output.status
    );
}
