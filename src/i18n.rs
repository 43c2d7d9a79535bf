//! The UI speaks Turkish (the default) and English. Strings stay beside the code that shows them,
//! as pairs, so a screen reads top to bottom in both languages.

pub use rainstaff_core::i18n::Lang;

pub trait Pick {
    /// The Turkish or the English text.
    fn t(self, tr: &'static str, en: &'static str) -> &'static str;
}

impl Pick for Lang {
    fn t(self, tr: &'static str, en: &'static str) -> &'static str {
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
        _ => ("", ""),
    };
    lang.t(tr, en)
}
