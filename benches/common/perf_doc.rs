//! Publishing a bench's report: printed, and with `--write-docs` among the arguments written
//! into docs/PERFORMANCE.md in place of its section. Every bench of the workspace includes this
//! file, so the document is edited one way.

use std::path::{Path, PathBuf};

/// Prints `report`, a Markdown section whose first line is `heading`, and with `--write-docs`
/// replaces the section under that heading (up to the next `## `), or appends it.
pub fn publish(heading: &str, report: &str) {
    println!("{report}");
    if std::env::args().any(|a| a == "--write-docs") {
        let path = document();
        let old = std::fs::read_to_string(&path).unwrap_or_else(|_| "# Performance\n".to_string());
        std::fs::write(&path, replace_section(&old, heading, report)).unwrap();
        println!("written to {}", path.display());
    }
}

/// docs/PERFORMANCE.md of the workspace, from whichever member's bench runs.
fn document() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join("docs/PERFORMANCE.md"))
        .find(|path| path.exists())
        .expect("docs/PERFORMANCE.md in the workspace")
}

fn replace_section(doc: &str, heading: &str, section: &str) -> String {
    let Some(start) = doc.find(&format!("{heading}\n")) else {
        return format!("{}\n\n{section}", doc.trim_end());
    };
    let after = &doc[start + heading.len()..];
    let end = after.find("\n## ").map_or(doc.len(), |i| start + heading.len() + i + 1);
    // One blank line before the next section, one newline at the end of the file.
    let gap = if end == doc.len() { "\n" } else { "\n\n" };
    format!("{}{}{gap}{}", &doc[..start], section.trim_end(), &doc[end..])
}
