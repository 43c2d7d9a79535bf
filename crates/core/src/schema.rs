//! The synced tables, described once. Client store, server store, protocol validation and the
//! legacy importer all read their column lists from here, so a table name or field name that
//! arrives from outside is only ever compared against this list — never pasted into SQL. The
//! desktop's record screens read the same descriptions for their labels, lists and forms, so a
//! new synced table is described here once and not again in each place that shows it.

use serde_json::{Map, Value};

use crate::i18n::Lang;
use crate::quote::excerpt;
use crate::validate::{FieldError, Problem};

/// How much of an unknown field's name an error repeats; every known name is shorter.
const NAME_EXCERPT_CHARS: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// Text of at most this many characters. Every text field has a bound, so no row a PC can
    /// write is larger than the server accepts or than a pull page is meant to carry.
    Text(usize),
    Int,
    /// A decimal amount (money) kept as a JSON number.
    Real,
    Bool,
    /// `YYYY-MM-DD`
    Date,
    /// `HH:MM`
    Time,
    /// The id of a row in the named table.
    Ref(&'static str),
}

/// A name in the two languages of the product, as people read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Label {
    pub tr: &'static str,
    pub en: &'static str,
}

impl Label {
    pub fn get(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Tr => self.tr,
            Lang::En => self.en,
        }
    }
}

/// One value a code field may hold, as stored and as shown.
#[derive(Debug, Clone, Copy)]
pub struct Choice {
    pub value: &'static str,
    pub label: Label,
}

#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: FieldKind,
    pub required: bool,
    pub label: Label,
    /// The values a code field offers in a form (the first is a new record's); empty: free text.
    pub choices: &'static [Choice],
}

#[derive(Debug)]
pub struct TableSpec {
    pub name: &'static str,
    pub label: Label,
    pub fields: &'static [FieldSpec],
    /// The fields a list of these records shows, in order; the first is the one clicked to edit.
    pub list: &'static [&'static str],
    /// The fields a record is known by in the office, in the order they are said (a dropdown of
    /// records, a refused change, a move dialog).
    pub title: &'static [&'static str],
}

const fn req(name: &'static str, kind: FieldKind, tr: &'static str, en: &'static str) -> FieldSpec {
    FieldSpec { name, kind, required: true, label: Label { tr, en }, choices: &[] }
}
const fn opt(name: &'static str, kind: FieldKind, tr: &'static str, en: &'static str) -> FieldSpec {
    FieldSpec { name, kind, required: false, label: Label { tr, en }, choices: &[] }
}
const fn choice(value: &'static str, tr: &'static str, en: &'static str) -> Choice {
    Choice { value, label: Label { tr, en } }
}

impl FieldSpec {
    const fn choices(self, choices: &'static [Choice]) -> FieldSpec {
        FieldSpec { choices, ..self }
    }
}

use FieldKind::*;

/// A person's name, a title, a department, a make or model: longer than any real one.
pub const NAME_CHARS: usize = 200;
/// A note or description: a long paragraph.
pub const NOTE_CHARS: usize = 2000;
/// A month (`2026-03`) or an ISO week (`2026-W10`).
pub const PERIOD_CHARS: usize = 8;
/// A timestamp (`2026-03-04T08:30:00.123Z`) or a record's id, with room to spare.
pub const TIMESTAMP_CHARS: usize = 40;
/// A stored code (`full_time`, `fixed:30`, `open`), a phone number, a licence class.
pub const CODE_CHARS: usize = 32;
/// The T.C. kimlik numarası has exactly 11 digits.
pub const IDENTITY_NO_CHARS: usize = 11;
/// A plate in any spacing the plate rule then normalises (`06 ABC 123` has 10).
pub const PLATE_CHARS: usize = 16;
/// An inspection's checklist results, kept as one JSON text of items with their notes.
pub const RESULTS_CHARS: usize = 10_000;

const NAME: FieldKind = Text(NAME_CHARS);
const NOTE: FieldKind = Text(NOTE_CHARS);
const CODE: FieldKind = Text(CODE_CHARS);

pub const EMPLOYEES: TableSpec = TableSpec {
    name: "employees",
    label: Label { tr: "Personel", en: "Employees" },
    fields: &[
        req("full_name", NAME, "Ad Soyad", "Full name"),
        opt("identity_no", Text(IDENTITY_NO_CHARS), "T.C. Kimlik No", "Identity no"),
        opt("department", NAME, "Departman", "Department"),
        opt("title", NAME, "Unvan", "Title"),
        opt("hire_date", Date, "İşe giriş", "Hire date"),
        // Annual leave is at least 20 days at 18 or younger and from 50 (Art. 53).
        opt("birth_date", Date, "Doğum tarihi", "Birth date"),
        // The last day employed: the month's premium days stop there.
        opt("leaving_date", Date, "İşten çıkış", "Leaving date"),
        req("active", Bool, "Aktif", "Active"),
        req("contract_kind", CODE, "Sözleşme", "Contract"),
        req("weekly_minutes", Int, "Haftalık çalışma süresi", "Weekly working time"),
        req("break_policy", CODE, "Mola kuralı", "Break policy"),
    ],
    list: &["full_name", "identity_no", "department", "title", "active"],
    title: &["full_name"],
};

pub const TIMESHEETS: TableSpec = TableSpec {
    name: "timesheets",
    label: Label { tr: "Puantaj", en: "Timesheets" },
    fields: &[
        req("employee_id", Ref("employees"), "Personel", "Employee"),
        req("work_date", Date, "Tarih", "Date"),
        req("start_time", Time, "Başlangıç", "Start"),
        req("end_time", Time, "Bitiş", "End"),
        req("break_minutes", Int, "Mola (dk)", "Break (min)"),
        req("special_day", Bool, "Özel gün", "Special day"),
        opt("note", NOTE, "Not", "Note"),
    ],
    list: &["employee_id", "work_date", "start_time", "end_time", "break_minutes"],
    title: &["employee_id", "work_date", "start_time"],
};

pub const SHIFT_TEMPLATES: TableSpec = TableSpec {
    name: "shift_templates",
    label: Label { tr: "Vardiya şablonları", en: "Shift templates" },
    fields: &[
        req("name", NAME, "Ad", "Name"),
        req("start_time", Time, "Başlangıç", "Start"),
        req("end_time", Time, "Bitiş", "End"),
        req("break_minutes", Int, "Mola (dk)", "Break (min)"),
        opt("short_code", Text(crate::shift_text::CODE_CHARS), "Kısa kod", "Short code"),
    ],
    list: &["name", "short_code", "start_time", "end_time", "break_minutes"],
    title: &["name"],
};

pub const VEHICLES: TableSpec = TableSpec {
    name: "vehicles",
    label: Label { tr: "Araçlar", en: "Vehicles" },
    fields: &[
        req("plate", Text(PLATE_CHARS), "Plaka", "Plate"),
        opt("brand", NAME, "Marka", "Brand"),
        opt("model", NAME, "Model", "Model"),
        opt("year", Int, "Yıl", "Year"),
        opt("km", Int, "Km", "Km"),
        opt("inspection_date", Date, "Muayene", "Inspection"),
        opt("insurance_date", Date, "Sigorta", "Insurance"),
        opt("maintenance_date", Date, "Bakım", "Maintenance"),
        opt("oil_change_date", Date, "Yağ değişimi", "Oil change"),
        opt("oil_change_km", Int, "Yağ değişim km", "Oil change km"),
        req("oil_interval_km", Int, "Yağ aralığı km", "Oil interval km"),
        opt("notes", NOTE, "Not", "Note"),
    ],
    list: &["plate", "brand", "model", "year", "km", "inspection_date", "insurance_date"],
    title: &["plate"],
};

pub const DRIVERS: TableSpec = TableSpec {
    name: "drivers",
    label: Label { tr: "Sürücüler", en: "Drivers" },
    fields: &[
        req("full_name", NAME, "Ad Soyad", "Full name"),
        opt("license_class", CODE, "Ehliyet sınıfı", "Licence class"),
        opt("license_expiry", Date, "Ehliyet bitişi", "Licence expiry"),
        opt("phone", CODE, "Telefon", "Phone"),
        opt("notes", NOTE, "Not", "Note"),
    ],
    list: &["full_name", "license_class", "license_expiry", "phone"],
    title: &["full_name"],
};

pub const VEHICLE_FAULTS: TableSpec = TableSpec {
    name: "vehicle_faults",
    label: Label { tr: "Araç arızaları", en: "Vehicle faults" },
    fields: &[
        req("vehicle_id", Ref("vehicles"), "Araç", "Vehicle"),
        req("title", NAME, "Arıza", "Fault"),
        opt("description", NOTE, "Açıklama", "Description"),
        opt("opened_date", Date, "Açılış tarihi", "Opened on"),
        opt("closed_date", Date, "Kapanış tarihi", "Closed on"),
        // The legacy program's own words, which imported faults keep.
        req("status", CODE, "Durum", "Status")
            .choices(&[choice("Acik", "Açık", "Open"), choice("Kapali", "Kapalı", "Closed")]),
    ],
    list: &["vehicle_id", "title", "opened_date", "closed_date", "status"],
    title: &["vehicle_id", "title"],
};

pub const VEHICLE_SERVICE_VISITS: TableSpec = TableSpec {
    name: "vehicle_service_visits",
    label: Label { tr: "Servis kayıtları", en: "Service visits" },
    fields: &[
        req("vehicle_id", Ref("vehicles"), "Araç", "Vehicle"),
        opt("fault_id", Ref("vehicle_faults"), "Arıza", "Fault"),
        req("start_date", Date, "Başlangıç tarihi", "Start date"),
        opt("end_date", Date, "Bitiş tarihi", "End date"),
        opt("reason", NOTE, "Neden", "Reason"),
        opt("cost", Real, "Tutar", "Cost"),
        opt("notes", NOTE, "Not", "Note"),
    ],
    list: &["vehicle_id", "start_date", "end_date", "reason", "cost"],
    title: &["vehicle_id", "start_date"],
};

pub const VEHICLE_INSPECTIONS: TableSpec = TableSpec {
    name: "vehicle_inspections",
    label: Label { tr: "Araç muayeneleri", en: "Vehicle inspections" },
    fields: &[
        req("vehicle_id", Ref("vehicles"), "Araç", "Vehicle"),
        opt("driver_id", Ref("drivers"), "Sürücü", "Driver"),
        req("inspection_date", Date, "Kontrol tarihi", "Inspection date"),
        opt("km", Int, "Km", "Km"),
        opt("notes", NOTE, "Not", "Note"),
        opt("results", Text(RESULTS_CHARS), "Sonuçlar", "Results"),
    ],
    list: &["vehicle_id", "inspection_date", "driver_id", "km"],
    title: &["vehicle_id", "inspection_date"],
};

/// A person's leave or absence, whole days from `first_day` to `last_day`: what the puantaj shows
/// for those days and what the SGK declaration makes of them (`leave`, `puantaj`). It belongs to
/// its person's region, as a shift does.
pub const LEAVES: TableSpec = TableSpec {
    name: "leaves",
    label: Label { tr: "İzinler", en: "Leave" },
    fields: &[
        req("employee_id", Ref("employees"), "Personel", "Employee"),
        req("kind", CODE, "İzin türü", "Kind").choices(crate::leave::KIND_CHOICES),
        req("first_day", Date, "İlk gün", "First day"),
        req("last_day", Date, "Son gün", "Last day"),
        opt("sgk_code", Text(2), "SGK eksik gün kodu", "SGK missing-day code"),
        opt("note", NOTE, "Not", "Note"),
        req("entered_by", NAME, "Giren", "Entered by"),
        opt("approved_by", NAME, "Onaylayan", "Approved by"),
    ],
    list: &["employee_id", "kind", "first_day", "last_day", "approved_by"],
    title: &["employee_id", "kind", "first_day"],
};

/// A region's month as payroll closes it: approved by its manager, then locked by an
/// administrator, after which no shift in it and no contract of a person with shifts in it
/// changes, on any PC and on the server (`rules::check`), until an administrator unlocks it with
/// a reason. A week (`2026-W10`) is approved only, as a manager's check on the way to the month.
/// One row per region and period, its id derived from both (`period_id`), so two PCs closing the
/// same month write the same row and sync merges them.
pub const PERIOD_LOCKS: TableSpec = TableSpec {
    name: "period_locks",
    label: Label { tr: "Dönem kilitleri", en: "Period locks" },
    fields: &[
        req("period", Text(PERIOD_CHARS), "Dönem", "Period"),
        req("state", CODE, "Durum", "State").choices(PERIOD_STATES),
        req("by", NAME, "Kim", "By"),
        req("at", Text(TIMESTAMP_CHARS), "Zaman", "Time"),
        opt("reason", NOTE, "Neden", "Reason"),
    ],
    list: &["period", "state", "by", "at"],
    title: &["period", "state"],
};

/// Where a month stands: approved (still open to changes), locked, or unlocked again.
pub const PERIOD_STATES: &[Choice] = &[
    choice("approved", "Onaylandı", "Approved"),
    choice("locked", "Kilitli", "Locked"),
    choice("unlocked", "Kilidi açıldı", "Unlocked"),
];

/// The id of `region`'s row for `period` (`YYYY-MM` or `YYYY-Www`) in `PERIOD_LOCKS`.
pub fn period_id(region: &str, period: &str) -> uuid::Uuid {
    crate::ids::seed_id(region, &format!("{}/{period}", PERIOD_LOCKS.name), 0)
}

/// Who did what on which PC: one entry per save, delete, move, import, export, backup and sign-in,
/// written in the transaction of what it records and synced like any row, so a manager reads an
/// office's trail on the server too. Entries are only ever added: every writer refuses a change
/// or delete of one (`rules::check`). Not `audit_log`: the server's own trail of what people and
/// devices do there already has that name, and its page shows both.
pub const AUDIT_ENTRIES: TableSpec = TableSpec {
    name: "audit_entries",
    label: Label { tr: "Kayıtlar", en: "Log" },
    fields: &[
        req("at", Text(TIMESTAMP_CHARS), "Zaman", "Time"),
        req("username", NAME, "Kullanıcı adı", "Username"),
        req("device", NAME, "Bilgisayar", "Computer"),
        req("action", CODE, "İşlem", "Action").choices(AUDIT_ACTIONS),
        opt("table_name", CODE, "Tablo", "Table"),
        opt("record_id", Text(TIMESTAMP_CHARS), "Kayıt no", "Record id"),
        opt("record", NOTE, "Kayıt", "Record"),
        opt("changes", Text(RESULTS_CHARS), "Değişiklikler", "Changes"),
    ],
    list: &["at", "username", "action", "record"],
    title: &["at", "action"],
};

/// What an audit entry records, as stored and as the log screen and the dashboard show it.
pub const AUDIT_ACTIONS: &[Choice] = &[
    choice("create", "Eklendi", "Created"),
    choice("update", "Değiştirildi", "Changed"),
    choice("delete", "Silindi", "Deleted"),
    choice("restore", "Geri alındı", "Restored"),
    choice("move", "Bölgesi değişti", "Moved"),
    choice("approve", "Ay onaylandı", "Month approved"),
    choice("lock", "Ay kilitlendi", "Month locked"),
    choice("unlock", "Ay kilidi açıldı", "Month unlocked"),
    choice("sign_in", "Oturum açıldı", "Signed in"),
    choice("sign_in_failed", "Hatalı giriş", "Failed sign-in"),
    choice("locked_out", "Giriş kilitlendi", "Sign-in locked"),
    choice("import", "İçe aktarıldı", "Imported"),
    choice("export", "Dışa aktarıldı", "Exported"),
    choice("backup", "Yedek alındı", "Backed up"),
    choice("restore_backup", "Yedekten geri yüklendi", "Restored from a backup"),
    choice("user_created", "Kullanıcı eklendi", "User added"),
    choice("password_set", "Parola değişti", "Password changed"),
    choice("user_disabled", "Hesap kapatıldı", "Account disabled"),
    choice("user_enabled", "Hesap açıldı", "Account enabled"),
    choice("user_changed", "Rolü ya da bölgesi değişti", "Role or region changed"),
];

/// Every synced table, parents before children (the order a snapshot is applied in).
pub const TABLES: &[&TableSpec] = &[
    &EMPLOYEES,
    &TIMESHEETS,
    &SHIFT_TEMPLATES,
    &LEAVES,
    &VEHICLES,
    &DRIVERS,
    &VEHICLE_FAULTS,
    &VEHICLE_SERVICE_VISITS,
    &VEHICLE_INSPECTIONS,
    &PERIOD_LOCKS,
    &AUDIT_ENTRIES,
];

/// The tables whose rows may belong to every region at once (`TableSpec::company_wide`).
pub const COMPANY_WIDE: &[&str] = &["shift_templates"];

pub fn table(name: &str) -> Option<&'static TableSpec> {
    TABLES.iter().copied().find(|t| t.name == name)
}

impl TableSpec {
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn column_names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.fields.iter().map(|f| f.name)
    }

    /// True when a row may belong to every region at once (region `ALL`): a shift template the
    /// whole company uses. An administrator's all-regions PC writes such rows; every region's PCs
    /// get them and read them beside their own.
    pub fn company_wide(&self) -> bool {
        COMPANY_WIDE.contains(&self.name)
    }

    /// True when an administrator may move this table's rows to another region: they refer to no
    /// other row, and a reference must stay inside its region.
    pub fn movable(&self) -> bool {
        !self.fields.iter().any(|f| matches!(f.kind, FieldKind::Ref(_)))
    }

    /// Checks names and JSON types of `fields`. With `complete`, every required field must be
    /// present (an insert); without it, any subset may be (an edit).
    pub fn check_fields(&self, fields: &Map<String, Value>, complete: bool) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for (name, value) in fields {
            match self.field(name) {
                // The name came from outside; the error quotes enough of it to recognise.
                None => {
                    errors.push(FieldError::new(&excerpt(name, NAME_EXCERPT_CHARS), Problem::UnknownField))
                }
                Some(spec) => {
                    if let Some(problem) = check_value(spec, value) {
                        errors.push(FieldError::new(name, problem));
                    }
                }
            }
        }
        if complete {
            for spec in self.fields.iter().filter(|f| f.required) {
                if fields.get(spec.name).is_none_or(Value::is_null) {
                    errors.push(FieldError::new(spec.name, Problem::Required));
                }
            }
        }
        errors
    }
}

fn check_value(spec: &FieldSpec, value: &Value) -> Option<Problem> {
    if value.is_null() {
        return spec.required.then_some(Problem::Required);
    }
    if let (Text(max), Some(text)) = (spec.kind, value.as_str())
        && text.chars().count() > max
    {
        return Some(Problem::TooLong { max });
    }
    let ok = match spec.kind {
        Text(_) => value.is_string(),
        Int => value.is_i64(),
        Real => value.is_number(),
        Bool => value.is_boolean(),
        Date => value.as_str().is_some_and(|s| crate::time::parse_iso_date(s).is_ok()),
        Time => value.as_str().is_some_and(|s| crate::time::parse_hhmm(s).is_ok()),
        Ref(_) => value.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()),
    };
    (!ok).then_some(match spec.kind {
        Text(_) => Problem::ExpectedText,
        Int => Problem::ExpectedInteger,
        Real => Problem::ExpectedNumber,
        Bool => Problem::ExpectedBool,
        Date => Problem::InvalidDate,
        Time => Problem::InvalidTime,
        Ref(_) => Problem::InvalidReference,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::i18n::Lang;

    fn errors(table: &TableSpec, fields: Value) -> Vec<FieldError> {
        table.check_fields(fields.as_object().unwrap(), false)
    }

    #[test]
    fn text_is_bounded_by_its_field_and_the_message_names_the_bound() {
        assert!(errors(&EMPLOYEES, json!({"full_name": "Ş".repeat(NAME_CHARS)})).is_empty());
        let too_long = errors(&EMPLOYEES, json!({"full_name": "Ş".repeat(NAME_CHARS + 1)}));
        assert_eq!(too_long, [FieldError::new("full_name", Problem::TooLong { max: NAME_CHARS })]);
        assert_eq!(too_long[0].to_string(), "full_name: is too long (200 characters at most)");
        assert_eq!(too_long[0].message(Lang::Tr), "çok uzun (en fazla 200 karakter)");
        let note = errors(&TIMESHEETS, json!({"note": "n".repeat(NOTE_CHARS + 1)}));
        assert_eq!(note, [FieldError::new("note", Problem::TooLong { max: NOTE_CHARS })]);
        let identity = errors(&EMPLOYEES, json!({"identity_no": "100000001460"}));
        assert_eq!(identity, [FieldError::new("identity_no", Problem::TooLong { max: 11 })]);
    }

    #[test]
    fn dates_and_times_must_have_their_exact_form() {
        assert!(errors(&TIMESHEETS, json!({"work_date": "2026-01-06", "start_time": "08:05"})).is_empty());
        let loose = errors(&TIMESHEETS, json!({"work_date": "2026-1-6", "start_time": "8:5"}));
        assert_eq!(
            loose,
            [
                FieldError::new("work_date", Problem::InvalidDate),
                FieldError::new("start_time", Problem::InvalidTime)
            ]
        );
    }

    #[test]
    fn every_table_names_its_fields_and_lists_fields_it_has() {
        for table in TABLES {
            assert!(!table.label.tr.is_empty() && !table.label.en.is_empty(), "{}", table.name);
            for f in table.fields {
                assert!(!f.label.tr.is_empty() && !f.label.en.is_empty(), "{}.{}", table.name, f.name);
                assert!(f.choices.is_empty() || matches!(f.kind, Text(_)), "{}.{}", table.name, f.name);
            }
            assert!(!table.list.is_empty() && !table.title.is_empty(), "{}", table.name);
            for name in table.list.iter().chain(table.title) {
                assert!(table.field(name).is_some(), "{}.{name}", table.name);
            }
        }
        assert_eq!(crate::i18n::field_label(Lang::Tr, "vehicle_id"), "Araç");
        assert_eq!(crate::i18n::table_label(Lang::En, "drivers"), "Drivers");
    }

    #[test]
    fn an_unknown_field_is_named_by_a_short_prefix() {
        let name = format!("x\u{1b}{}", "y".repeat(10_000));
        let unknown = errors(&EMPLOYEES, Value::Object(Map::from_iter([(name, json!(1))])));
        assert_eq!(unknown.len(), 1);
        assert_eq!(unknown[0].field, format!("x\\u{{1b}}{}…", "y".repeat(38)));
    }
}
