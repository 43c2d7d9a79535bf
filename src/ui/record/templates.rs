//! Shift templates: a record screen (`ui::record`) whose short code is what the week grid takes
//! for the template's times, stored the one way `shift_text::template_code` writes it.

use rainstaff_core::schema::SHIFT_TEMPLATES;
use rainstaff_core::shift_text::template_code;
use rainstaff_core::validate::Problem;
use serde_json::{Map, Value};

use super::entry::{Entry, Hooks, PLAIN, label};
use crate::ui::form::FormErrors;

/// The templates' entry among the record screens: the shift form's one-click starts and the
/// grid's codes, shared by every user of a region.
pub const SCREEN: Entry = Entry {
    table: &SHIFT_TEMPLATES,
    tab: label("Şablonlar", "Templates"),
    new: label("Yeni şablon", "New template"),
    edit: label("Şablonu düzenle", "Edit template"),
    hooks: Hooks { prepare: Some(prepare), ..PLAIN },
};

/// "s", " ş1 " and "gi" are stored "S", "Ş1" and "Gİ"; an emptied code is none.
fn prepare(fields: &mut Map<String, Value>, errors: &mut FormErrors) {
    let typed = fields.get("short_code").and_then(Value::as_str).unwrap_or_default().to_string();
    if typed.trim().is_empty() {
        fields.insert("short_code".into(), Value::Null);
        return;
    }
    match template_code(&typed) {
        Some(code) => {
            fields.insert("short_code".into(), Value::String(code));
        }
        None => errors.push("short_code", Problem::TemplateCode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_stored_in_capitals_and_a_bad_one_is_named() {
        let mut errors = FormErrors::default();
        let mut fields = serde_json::json!({"short_code": " gi "}).as_object().unwrap().clone();
        prepare(&mut fields, &mut errors);
        assert_eq!(fields["short_code"], "Gİ");
        let mut fields = serde_json::json!({"short_code": "A B"}).as_object().unwrap().clone();
        prepare(&mut fields, &mut errors);
        assert_eq!(errors.0[0].problem, Problem::TemplateCode);
    }
}
