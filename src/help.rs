//! The user guide: assets/help.html, the same page the MSI installs beside the exe as Add/Remove
//! Programs' help link. The app carries it inside the binary and writes it into the data folder
//! when asked, so every install (the MSI, `cargo install`, a copied exe) opens the guide of the
//! version that is running, offline.

use std::path::Path;

pub const HTML: &str = include_str!("../assets/help.html");

/// Writes the guide to `path` and returns the file:// URL to open it with. An error names the file.
pub fn write(path: &Path) -> std::io::Result<String> {
    let named = |e: std::io::Error| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()));
    // `--data-dir` may be relative; a file URL cannot be.
    let path = std::path::absolute(path).map_err(named)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(named)?;
    }
    std::fs::write(&path, HTML).map_err(named)?;
    url::Url::from_file_path(&path)
        .map(String::from)
        .map_err(|()| named(std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file URL")))
}

#[cfg(test)]
mod tests {
    use super::HTML;

    fn sources(dir: &std::path::Path, all: &mut String) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, all);
            } else if path.extension().is_some_and(|e| e == "rs") {
                all.push_str(&std::fs::read_to_string(&path).unwrap());
            }
        }
    }

    /// Every control the guide names in bold ("Ayarlar → Eşitleme") is a label the app really
    /// shows, in both languages, so that a renamed button cannot leave the guide behind.
    #[test]
    fn every_label_the_guide_names_is_one_the_app_shows() {
        let mut all = String::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut all);
        let named: Vec<&str> =
            HTML.split("<b>").skip(1).flat_map(|s| s.split("</b>").next().unwrap().split(" → ")).collect();
        assert!(named.len() > 40, "the guide names only {} labels", named.len());
        let missing: Vec<&&str> = named
            .iter()
            .filter(|l| ![format!("\"{l}\""), format!("\"{l}:\"")].iter().any(|q| all.contains(q)))
            .collect();
        assert!(missing.is_empty(), "assets/help.html names labels the app does not have: {missing:?}");
    }
}
