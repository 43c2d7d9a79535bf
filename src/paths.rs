//! Where this PC keeps its data: `--data-dir`, else `RAINSTAFF_DATA_DIR`, else the OS's local
//! data folder (`%LOCALAPPDATA%\Rainstaff\Rainstaff\data` on Windows), which upgrades and uninstalls never touch.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir(PathBuf);

impl DataDir {
    pub fn resolve(explicit: Option<PathBuf>) -> anyhow::Result<DataDir> {
        if let Some(dir) = explicit.or_else(|| std::env::var_os("RAINSTAFF_DATA_DIR").map(PathBuf::from)) {
            return Ok(DataDir(dir));
        }
        let dirs = directories::ProjectDirs::from("com", "Rainstaff", "Rainstaff")
            .ok_or_else(|| anyhow::anyhow!("no home folder: pass --data-dir DIR"))?;
        Ok(DataDir(dirs.data_local_dir().to_path_buf()))
    }

    pub fn new(dir: impl Into<PathBuf>) -> DataDir {
        DataDir(dir.into())
    }

    pub fn root(&self) -> &Path {
        &self.0
    }

    pub fn store(&self) -> PathBuf {
        self.0.join(crate::db::STORE_FILE)
    }

    /// Where the worker writes the user guide before the app opens it (see help.rs).
    pub fn help(&self) -> PathBuf {
        self.0.join("help.html")
    }

    pub fn logs(&self) -> PathBuf {
        self.0.join("logs")
    }

    /// The device token, alone in its own file so that it never shows up in a backup or export.
    pub fn token(&self) -> PathBuf {
        self.0.join("device-token")
    }

    pub fn read_token(&self) -> Option<String> {
        std::fs::read_to_string(self.token()).ok().map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
    }

    pub fn write_token(&self, token: &str) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.0)?;
        let path = self.token();
        std::fs::write(&path, token)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
        }
        Ok(())
    }
}
