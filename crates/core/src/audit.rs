//! An audit entry in words: its action, and the fields it changed as "field: before » after", for
//! the desktop's log screen, `rainstaff audit` and the server's dashboard alike.

use serde_json::{Map, Value};

use crate::i18n::Lang;
use crate::schema::{AUDIT_ACTIONS, FieldKind, table};

/// The action `code` in `lang`; an unknown one as it is.
pub fn action_label(lang: Lang, code: &str) -> &str {
    AUDIT_ACTIONS.iter().find(|c| c.value == code).map_or(code, |c| c.label.get(lang))
}

/// The changes an entry stores (`{"field": [before, after]}` of `table_name`'s fields) as one
/// line: `Ad Soyad: Ayşe » Ayşe Yıldız; Mola: 60 » 45`. What cannot be read is shown as stored.
pub fn describe_changes(lang: Lang, table_name: Option<&str>, changes: &str) -> String {
    let Ok(parsed) = serde_json::from_str::<Map<String, Value>>(changes) else {
        return changes.to_string();
    };
    let spec = table_name.and_then(table);
    parsed
        .iter()
        .map(|(name, sides)| {
            let field = spec.and_then(|t| t.field(name));
            let label = field.map_or(name.as_str(), |f| f.label.get(lang));
            let kind = field.map(|f| f.kind);
            let side = |i: usize| value_text(lang, kind, sides.get(i).unwrap_or(&Value::Null));
            match sides.as_array().map(Vec::len) {
                Some(2) => format!("{label}: {} » {}", side(0), side(1)),
                _ => format!("{label}: {sides}"),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn value_text(lang: Lang, kind: Option<FieldKind>, value: &Value) -> String {
    match value {
        Value::Null => "—".to_string(),
        Value::Bool(true) => lang.pick("evet", "yes").to_string(),
        Value::Bool(false) => lang.pick("hayır", "no").to_string(),
        Value::String(s) if kind == Some(FieldKind::Date) => {
            crate::time::parse_iso_date(s).map(crate::time::format_date).unwrap_or_else(|_| s.clone())
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_read_as_the_forms_name_their_fields() {
        let stored =
            r#"{"full_name":["Ayşe","Ayşe Yıldız"],"hire_date":[null,"2026-03-02"],"active":[true,false]}"#;
        assert_eq!(
            describe_changes(Lang::Tr, Some("employees"), stored),
            "Ad Soyad: Ayşe » Ayşe Yıldız; İşe giriş: — » 02.03.2026; Aktif: evet » hayır"
        );
        assert_eq!(describe_changes(Lang::En, None, "not json"), "not json");
        assert_eq!(action_label(Lang::Tr, "sign_in_failed"), "Hatalı giriş");
        assert_eq!(action_label(Lang::En, "delete"), "Deleted");
        assert_eq!(action_label(Lang::En, "future_code"), "future_code");
    }
}
