//! The two languages of the product. The UI's strings live in the app; the core says its
//! validation problems, the names of the tables and fields they are about, and the weekdays the
//! screens and the month workbook print beside a date, in either.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Tr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Tr => "tr",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "tr" => Some(Lang::Tr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

impl Lang {
    /// The Turkish or the English text.
    pub fn pick<'a>(self, tr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Tr => tr,
            Lang::En => en,
        }
    }
}

/// The short name of `d`'s weekday, as lists and reports print it beside a date.
pub fn weekday(lang: Lang, d: NaiveDate) -> &'static str {
    const TR: [&str; 7] = ["Pzt", "Sal", "Çar", "Per", "Cum", "Cmt", "Paz"];
    const EN: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let i = d.weekday().num_days_from_monday() as usize;
    match lang {
        Lang::Tr => TR[i],
        Lang::En => EN[i],
    }
}

/// Field names as people read them, for messages about a field. A synced field is named by the
/// first table of the schema that has it; the others are the forms' own.
pub fn field_label(lang: Lang, field: &str) -> &'static str {
    if let Some(spec) = crate::schema::TABLES.iter().find_map(|t| t.field(field)) {
        return spec.label.get(lang);
    }
    let (tr, en) = match field {
        "note" => ("Not", "Note"),
        "region" => ("Bölge", "Region"),
        "username" => ("Kullanıcı adı", "Username"),
        "password" => ("Parola", "Password"),
        "current_password" => ("Mevcut parola", "Current password"),
        "server" => ("Sunucu adresi", "Server URL"),
        "code" => ("Tek kullanımlık kod", "One-time code"),
        _ => ("", ""),
    };
    lang.pick(tr, en)
}

/// Table names as people read them (the synced tables and the legacy file's others); a table
/// without one is named as it is.
pub fn table_label(lang: Lang, table: &str) -> &str {
    if let Some(spec) = crate::schema::table(table) {
        return spec.label.get(lang);
    }
    let (tr, en) = match table {
        "vehicle_inspection_results" => ("Muayene sonuçları", "Inspection results"),
        "deleted_records" => ("Silinen kayıtlar", "Deleted records"),
        "users" => ("Kullanıcılar", "Users"),
        "settings" => ("Ayarlar", "Settings"),
        "stock_inventory" => ("Stok envanteri", "Stock inventory"),
        "reports" => ("Rapor arşivi", "Report archive"),
        "audit_logs" => ("İşlem kayıtları", "Audit log"),
        "sync_logs" => ("Eşitleme kayıtları", "Sync log"),
        "notifications" => ("Bildirimler", "Notifications"),
        "messages" => ("Mesajlar", "Messages"),
        "presence" => ("Bağlı kullanıcılar", "Presence"),
        _ => return table,
    };
    lang.pick(tr, en)
}
