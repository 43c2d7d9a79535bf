//! `scripts/release.sh` on a copy of this checkout: the real script, the real Cargo.toml and
//! Cargo.lock, the real cargo. `--no-build` leaves out the MSI build, which takes minutes and is
//! checked by tests/msi.rs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Copies the checkout's files as they are in the working tree (tracked ones and new ones git does
/// not ignore, but not target/), so that uncommitted edits to the script are what gets tested.
fn copy_of_checkout() -> tempfile::TempDir {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let listed = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root)
        .output()
        .expect("cannot run git ls-files");
    assert!(listed.status.success(), "git ls-files failed: {}", String::from_utf8_lossy(&listed.stderr));
    let copy = tempfile::tempdir().unwrap();
    for name in listed.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let name = PathBuf::from(String::from_utf8(name.to_vec()).unwrap());
        let from = root.join(&name);
        // A tracked file deleted in the working tree is not part of what is being tested.
        if !from.is_file() {
            continue;
        }
        let to = copy.path().join(&name);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
    copy
}

fn release(dir: &Path, args: &[&str]) -> Output {
    Command::new("bash")
        .arg(dir.join("scripts/release.sh"))
        .args(args)
        .current_dir(dir)
        // The copy has the same dependencies as this checkout, all in the local cargo cache.
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .expect("cannot run bash scripts/release.sh")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join(file)).unwrap()
}

/// The `version = "…"` line of `[workspace.package]`.
fn workspace_version(cargo_toml: &str) -> String {
    let section = cargo_toml.split("[workspace.package]").nth(1).expect("no [workspace.package]");
    let line = section.lines().find(|l| l.starts_with("version")).expect("no version line");
    line.split('"').nth(1).unwrap().to_string()
}

#[test]
fn release_no_build_sets_the_version_in_cargo_toml_and_only_the_workspace_entries_of_cargo_lock() {
    let copy = copy_of_checkout();
    let dir = copy.path();
    let (toml_before, lock_before) = (read(dir, "Cargo.toml"), read(dir, "Cargo.lock"));

    let output = release(dir, &["3.4.5", "--no-build"]);
    assert!(output.status.success(), "release.sh 3.4.5 --no-build failed:\n{}", stderr(&output));

    let toml_after = read(dir, "Cargo.toml");
    assert_eq!(workspace_version(&toml_after), "3.4.5");
    // Nothing else in Cargo.toml moved: the dependency tables have `version` keys of their own.
    let changed: Vec<_> = toml_before.lines().zip(toml_after.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(changed.len(), 1, "Cargo.toml changed in more than the version line: {changed:?}");

    // Cargo.lock: the same lines but the workspace packages' versions; no dependency moved.
    let lock_after = read(dir, "Cargo.lock");
    let (before, after): (Vec<_>, Vec<_>) = (lock_before.lines().collect(), lock_after.lines().collect());
    assert_eq!(before.len(), after.len(), "Cargo.lock gained or lost lines");
    let mut bumped = Vec::new();
    for (i, (a, b)) in before.iter().zip(&after).enumerate() {
        if a != b {
            assert_eq!(*b, "version = \"3.4.5\"", "Cargo.lock line {} changed from {a:?} to {b:?}", i + 1);
            bumped.push(after[i - 1].trim_start_matches("name = ").trim_matches('"'));
        }
    }
    bumped.sort_unstable();
    assert_eq!(
        bumped,
        ["rainstaff", "rainstaff-core", "rainstaff-legacy", "rainstaff-report", "rainstaff-server"]
    );

    // The script every build and check reads the version through agrees, and the lock is what a
    // `--locked` build (scripts/build-msi.sh) accepts.
    let version = Command::new("bash").arg(dir.join("scripts/version.sh")).output().unwrap();
    assert!(version.status.success(), "version.sh failed: {}", stderr(&version));
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), "3.4.5");
    let locked = Command::new("cargo")
        .args(["tree", "--locked", "--offline", "--depth", "0", "--edges", "normal"])
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(locked.status.success(), "Cargo.lock is not up to date: {}", stderr(&locked));
}

#[test]
fn release_refuses_versions_an_msi_cannot_hold_and_going_back_and_changes_nothing() {
    let copy = copy_of_checkout();
    let dir = copy.path();
    let (toml_before, lock_before) = (read(dir, "Cargo.toml"), read(dir, "Cargo.lock"));
    let cases = [
        ("1.2", "is not a version X.Y.Z of three plain numbers"),
        ("1.2.3-rc.1", "is not a version X.Y.Z of three plain numbers"),
        ("01.2.3", "is not a version X.Y.Z of three plain numbers"),
        ("256.0.0", "X and Y must be at most 255, Z at most 65535"),
        ("1.256.0", "X and Y must be at most 255, Z at most 65535"),
        ("1.2.65536", "X and Y must be at most 255, Z at most 65535"),
        ("0.0.0", "is older than the current version"),
    ];
    for (version, message) in cases {
        let output = release(dir, &[version, "--no-build"]);
        assert_eq!(output.status.code(), Some(1), "release.sh {version}: {}", stderr(&output));
        assert!(stderr(&output).contains(message), "release.sh {version} said: {}", stderr(&output));
    }
    assert_eq!(read(dir, "Cargo.toml"), toml_before);
    assert_eq!(read(dir, "Cargo.lock"), lock_before);

    let output = release(dir, &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("usage:"), "{}", stderr(&output));
}
