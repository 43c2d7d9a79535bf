//! Why a legacy file could not be read at all. Every message names the file, because the desktop
//! and the server both show it to a person who may have picked several files.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum LegacyError {
    #[error("{}: cannot open the file: {source}", .path.display())]
    Open { path: PathBuf, source: rusqlite::Error },

    #[error("{}: not a SQLite database, so not a legacy puantaj.db", .path.display())]
    NotSqlite { path: PathBuf },

    #[error("{}: the database is damaged or truncated ({detail})", .path.display())]
    Corrupt { path: PathBuf, detail: String },

    #[error(
        "{}: not a legacy Rainstaff database: no employees and timesheets tables (found: {})",
        .path.display(),
        if .tables.is_empty() { "no tables".to_string() } else { .tables.join(", ") }
    )]
    UnknownVariant { path: PathBuf, tables: Vec<String> },

    #[error("{}: table {table} is missing, though {present} is there", .path.display())]
    MissingTable { path: PathBuf, table: &'static str, present: &'static str },

    #[error("{}: table {table} has no column {column}", .path.display())]
    MissingColumn { path: PathBuf, table: &'static str, column: &'static str },

    #[error("{}: cannot read the database: {source}", .path.display())]
    Read { path: PathBuf, source: rusqlite::Error },

    /// The caller did not give the id namespace of a region whose rows the import takes.
    #[error("{}: no id namespace for region {}", .path.display(), .regions.join(", "))]
    NoNamespace { path: PathBuf, regions: Vec<String> },
}

impl LegacyError {
    /// The same in Turkish, for the office's screen (Display is the English).
    pub fn turkish(&self) -> String {
        match self {
            Self::Open { path, source } => format!("{}: dosya açılamadı: {source}", path.display()),
            Self::NotSqlite { path } => {
                format!("{}: SQLite veritabanı değil, dolayısıyla eski bir puantaj.db değil", path.display())
            }
            Self::Corrupt { path, detail } => {
                format!("{}: veritabanı bozuk ya da yarım ({detail})", path.display())
            }
            Self::UnknownVariant { path, tables } => format!(
                "{}: eski bir Rainstaff veritabanı değil: employees ve timesheets tabloları yok (bulunan: {})",
                path.display(),
                if tables.is_empty() { "tablo yok".to_string() } else { tables.join(", ") }
            ),
            Self::MissingTable { path, table, present } => {
                format!("{}: {table} tablosu yok, oysa {present} var", path.display())
            }
            Self::MissingColumn { path, table, column } => {
                format!("{}: {table} tablosunda {column} sütunu yok", path.display())
            }
            Self::Read { path, source } => format!("{}: veritabanı okunamadı: {source}", path.display()),
            Self::NoNamespace { path, regions } => {
                format!("{}: {} bölgesinin kimlik ad alanı yok", path.display(), regions.join(", "))
            }
        }
    }
}
