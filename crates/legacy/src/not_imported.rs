//! What a legacy file holds that no import brings across, named so that people see it stays
//! behind instead of wondering: the stock inventory, the archive of report files, the abandoned
//! V5's logs and messages, the old program's settings, and every password.

use serde::Serialize;

use crate::convert::text;
use crate::error::LegacyError;
use crate::file::{LegacyFile, Record};
use crate::layout::{self, DELETED_RECORDS, INSPECTION_RESULTS, SETTINGS, SYNCED, USERS};
use crate::warning::Warning;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NotImported {
    /// The legacy table, as the file names it.
    pub table: String,
    /// How many of its rows stay behind; unknown for a table this importer has never seen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<u64>,
    pub why: Warning,
}

/// Legacy tables with no counterpart in Rainstaff, and why. Only these names are ever counted,
/// so nothing read from a file reaches SQL.
const LEFT_BEHIND: &[(&str, &str, &str)] = &[
    ("stock_inventory", "Rainstaff'ta stok takibi yok", "Rainstaff keeps no stock"),
    (
        "reports",
        "eski programın yazdığı rapor dosyalarının listesi; raporlar Rainstaff'ta yeniden alınır",
        "the list of report files the old program wrote; Rainstaff makes reports anew",
    ),
    ("audit_logs", "eski programın işlem kayıtları", "the old program's own log"),
    ("sync_logs", "eski programın eşitleme kayıtları", "the old program's sync log"),
    ("notifications", "eski programın bildirimleri", "the old program's notifications"),
    ("messages", "eski programın mesajları", "the old program's messages"),
    ("presence", "eski programın kimin bağlı olduğu listesi", "the old program's who-is-online list"),
];

/// SQLite's own bookkeeping: not data of the office.
const SQLITE_SEQUENCE: &str = "sqlite_sequence";

/// Everything in `file` that an import leaves behind; `settings` are the file's settings rows.
pub fn survey(file: &LegacyFile, settings: &[Record]) -> Result<Vec<NotImported>, LegacyError> {
    let brought: Vec<&str> = SYNCED
        .iter()
        .map(|l| l.table)
        .chain([
            INSPECTION_RESULTS.table,
            DELETED_RECORDS.table,
            USERS.table,
            SETTINGS.table,
            SQLITE_SEQUENCE,
        ])
        .collect();
    let mut out = Vec::new();
    for table in file.table_names().into_iter().filter(|t| !brought.contains(&t.as_str())) {
        let entry = match LEFT_BEHIND.iter().find(|(name, ..)| *name == table) {
            Some((name, tr, en)) => {
                NotImported { table, rows: Some(file.count(name)?), why: Warning::new(*tr, *en) }
            }
            None => NotImported {
                table,
                rows: None,
                why: Warning::new("Rainstaff'ta karşılığı yok", "no counterpart in Rainstaff"),
            },
        };
        out.push(entry);
    }
    let other_settings = settings
        .iter()
        .filter(|rec| {
            text(rec.get(layout::SETTING_KEY)).as_str().map(str::trim) != Some(layout::COMPANY_NAME)
        })
        .count() as u64;
    if other_settings > 0 {
        out.push(NotImported {
            table: SETTINGS.table.to_string(),
            rows: Some(other_settings),
            why: Warning::new(
                "şirket adı dışındaki ayarlar (çalışma saatleri, logo, eşitleme adresi ve anahtarı); Rainstaff'ın kendi ayarları var",
                "settings other than the company name (working hours, logo, sync address and token); Rainstaff has its own",
            ),
        });
    }
    if file.has_table(USERS.table) {
        let accounts = file.count(USERS.table)?;
        if accounts > 0 {
            out.push(NotImported {
                table: USERS.table.to_string(),
                rows: Some(accounts),
                why: Warning::new(
                    "parolalar: eski parolalar taşınmaz, her hesaba yeni parola verilir",
                    "passwords: no legacy password is carried over; each account gets a new one",
                ),
            });
        }
    }
    Ok(out)
}
