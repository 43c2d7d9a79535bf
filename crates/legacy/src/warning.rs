//! What an import noticed about a row of a legacy file, said in both languages where it is
//! noticed: the desktop's preview shows the office's language, while the server, the command
//! line and the JSON reports keep the English.

use std::fmt;

use rainstaff_core::i18n::{Lang, field_label, table_label};
use rainstaff_core::validate::FieldError;
use serde::{Serialize, Serializer};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    tr: String,
    en: String,
}

impl Warning {
    pub fn new(tr: impl Into<String>, en: impl Into<String>) -> Self {
        Warning { tr: tr.into(), en: en.into() }
    }

    /// A note made where only English is spoken: the server's answers to an uploader.
    pub fn english(en: impl Into<String>) -> Self {
        let en = en.into();
        Warning { tr: en.clone(), en }
    }

    /// "file: table #id: what", the row named as people read its table.
    pub fn about(file: &str, table: &str, legacy_id: Option<i64>, what: Warning) -> Self {
        let row = legacy_id.map_or_else(String::new, |id| format!(" #{id}"));
        Warning::new(
            format!("{file}: {}{row}: {}", table_label(Lang::Tr, table), what.tr),
            format!("{file}: {table}{row}: {}", what.en),
        )
    }

    /// The row was left out, and why.
    pub fn skipped(why: Warning) -> Self {
        Warning::new(format!("alınmadı: {}", why.tr), format!("skipped: {}", why.en))
    }

    /// A field's problem: "T.C. Kimlik No: …" and "identity_no: …".
    pub fn field(e: &FieldError) -> Self {
        Warning::new(format!("{}: {}", field_name(Lang::Tr, &e.field), e.message(Lang::Tr)), e.to_string())
    }

    /// What is wrong with one field of the row: "Sürücü: …" and "driver_id: …".
    pub fn on_field(field: &str, what: Warning) -> Self {
        Warning::new(format!("{}: {}", field_name(Lang::Tr, field), what.tr), format!("{field}: {}", what.en))
    }

    /// Several warnings as one, joined by "; ".
    pub fn joined(parts: &[Warning]) -> Self {
        let join = |pick: fn(&Warning) -> &str| parts.iter().map(pick).collect::<Vec<_>>().join("; ");
        Warning::new(join(|w| &w.tr), join(|w| &w.en))
    }

    /// The same words with more after them in each language.
    pub fn then(self, tr: &str, en: &str) -> Self {
        Warning::new(format!("{}{tr}", self.tr), format!("{}{en}", self.en))
    }

    pub fn text(&self, lang: Lang) -> &str {
        lang.pick(&self.tr, &self.en)
    }

    /// Replaces a text in both languages (the server hides its temporary file's path).
    pub fn replace(&mut self, from: &str, to: &str) {
        self.tr = self.tr.replace(from, to);
        self.en = self.en.replace(from, to);
    }
}

/// A field as people read it, or as it is named where it has no label.
pub fn field_name(lang: Lang, field: &str) -> &str {
    match field_label(lang, field) {
        "" => field,
        label => label,
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// Reports keep their JSON shape: a warning is its English line.
impl Serialize for Warning {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.en)
    }
}

#[cfg(test)]
mod tests {
    use rainstaff_core::validate::Problem;

    use super::*;

    #[test]
    fn a_skipped_row_reads_in_both_languages_with_the_english_unchanged() {
        let parent = Warning::on_field(
            "driver_id",
            Warning::new("Sürücüler #4 dosyada yok", "drivers #4 is not in the file"),
        );
        let plate = Warning::field(&FieldError::new("plate", Problem::Plate));
        let why = Warning::joined(&[parent, plate]).then(" (bölge Izmir)", " (region Izmir)");
        let w = Warning::about("puantaj.db", "vehicle_faults", Some(7), Warning::skipped(why));
        assert_eq!(
            w.to_string(),
            "puantaj.db: vehicle_faults #7: skipped: driver_id: drivers #4 is not in the file; \
             plate: is not a valid plate (e.g. 06 ABC 123) (region Izmir)"
        );
        assert_eq!(
            w.text(Lang::Tr),
            "puantaj.db: Araç arızaları #7: alınmadı: Sürücü: Sürücüler #4 dosyada yok; \
             Plaka: geçerli bir plaka değil (ör. 06 ABC 123) (bölge Izmir)"
        );
        assert_eq!(serde_json::to_value(&w).unwrap(), serde_json::Value::String(w.to_string()));
    }
}
