//! The two languages of the product. The UI's strings live in the app; the core says its
//! validation problems, and the names of the tables and fields they are about, in either.

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

/// Field names as people read them, for messages about a field.
pub fn field_label(lang: Lang, field: &str) -> &'static str {
    let (tr, en) = match field {
        "full_name" => ("Ad Soyad", "Full name"),
        "identity_no" => ("T.C. Kimlik No", "Identity no"),
        "department" => ("Departman", "Department"),
        "title" => ("Unvan", "Title"),
        "hire_date" => ("İşe giriş", "Hire date"),
        "region" => ("Bölge", "Region"),
        "employee_id" => ("Personel", "Employee"),
        "work_date" => ("Tarih", "Date"),
        "start_time" => ("Başlangıç", "Start"),
        "end_time" => ("Bitiş", "End"),
        "break_minutes" => ("Mola (dk)", "Break (min)"),
        "special_day" => ("Özel gün", "Special day"),
        "note" | "notes" => ("Not", "Note"),
        "plate" => ("Plaka", "Plate"),
        "brand" => ("Marka", "Brand"),
        "model" => ("Model", "Model"),
        "year" => ("Yıl", "Year"),
        "km" => ("Km", "Km"),
        "inspection_date" => ("Muayene", "Inspection"),
        "insurance_date" => ("Sigorta", "Insurance"),
        "maintenance_date" => ("Bakım", "Maintenance"),
        "oil_change_date" => ("Yağ değişimi", "Oil change"),
        "oil_change_km" => ("Yağ değişim km", "Oil change km"),
        "oil_interval_km" => ("Yağ aralığı km", "Oil interval km"),
        "name" => ("Ad", "Name"),
        "weekly_minutes" => ("Haftalık dakika", "Weekly minutes"),
        "contract_kind" => ("Sözleşme", "Contract"),
        "break_policy" => ("Mola kuralı", "Break policy"),
        "active" => ("Aktif", "Active"),
        "username" => ("Kullanıcı adı", "Username"),
        "password" => ("Parola", "Password"),
        "current_password" => ("Mevcut parola", "Current password"),
        "server" => ("Sunucu adresi", "Server URL"),
        "code" => ("Tek kullanımlık kod", "One-time code"),
        "closed_date" => ("Kapanış tarihi", "Closed on"),
        "cost" => ("Tutar", "Cost"),
        "description" => ("Açıklama", "Description"),
        "driver_id" => ("Sürücü", "Driver"),
        "end_date" => ("Bitiş tarihi", "End date"),
        "fault_id" => ("Arıza", "Fault"),
        "license_class" => ("Ehliyet sınıfı", "Licence class"),
        "license_expiry" => ("Ehliyet bitişi", "Licence expiry"),
        "opened_date" => ("Açılış tarihi", "Opened on"),
        "phone" => ("Telefon", "Phone"),
        "reason" => ("Neden", "Reason"),
        "results" => ("Sonuçlar", "Results"),
        "start_date" => ("Başlangıç tarihi", "Start date"),
        "status" => ("Durum", "Status"),
        "vehicle_id" => ("Araç", "Vehicle"),
        _ => ("", ""),
    };
    lang.pick(tr, en)
}

/// Table names as people read them (the synced tables and the legacy file's others); a table
/// without one is named as it is.
pub fn table_label(lang: Lang, table: &str) -> &str {
    let (tr, en) = match table {
        "employees" => ("Personel", "Employees"),
        "timesheets" => ("Puantaj", "Timesheets"),
        "shift_templates" => ("Vardiya şablonları", "Shift templates"),
        "vehicles" => ("Araçlar", "Vehicles"),
        "drivers" => ("Sürücüler", "Drivers"),
        "vehicle_faults" => ("Araç arızaları", "Vehicle faults"),
        "vehicle_service_visits" => ("Servis kayıtları", "Service visits"),
        "vehicle_inspections" => ("Araç muayeneleri", "Vehicle inspections"),
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
