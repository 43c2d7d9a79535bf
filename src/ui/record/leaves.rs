//! Leaves and absences (İzinler): a record screen whose entry knows who entered a leave (the
//! person signed in), lets a manager approve it, offers the SGK missing-day reasons for an "other"
//! absence, confirms a leave over worked shifts, and warns when an annual leave is more than the
//! person has left (`rainstaff_core::leave::balance`).

use egui::{Color32, RichText, Ui};
use rainstaff_core::leave::{LeaveKind, SGK_CODES, Span};
use rainstaff_core::roles::Role;
use rainstaff_core::schema::{LEAVES, TableSpec};
use rainstaff_core::time::parse_user_date;
use rainstaff_core::validate::Problem;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::entry::{Entry, Hooks, Notes, PLAIN, label};
use super::form::{Input, RecordForm};
use crate::db::rows::LocalRow;
use crate::i18n::{Lang, Pick};
use crate::ui::ctx::Ctx;
use crate::ui::form::{self as fields, FormErrors};

pub const SCREEN: Entry = Entry {
    table: &LEAVES,
    tab: label("İzinler", "Leave"),
    new: label("Yeni izin", "New leave"),
    edit: label("İzni düzenle", "Edit leave"),
    hooks: Hooks {
        begin: Some(entered_by),
        prepare: Some(prepare),
        confirmable: Some(Problem::LeaveOverShift),
        notes: Some(Notes { heading: label("Onay", "Approval"), of: awaiting }),
        widgets: &[("sgk_code", sgk_code), ("entered_by", shown), ("approved_by", shown)],
        actions: Some(approve_and_warn),
        ..PLAIN
    },
};

const WARNING: Color32 = Color32::from_rgb(0xd0, 0x80, 0x00);

/// A leave is entered by whoever is signed in.
fn entered_by(ctx: &Ctx<'_>) -> Vec<(&'static str, String)> {
    vec![("entered_by", ctx.user.username.clone())]
}

/// Only an "other" absence carries a reason of its own: every other kind's is the law's.
fn prepare(values: &mut Map<String, Value>, _: &mut FormErrors) {
    if values.get("kind").and_then(Value::as_str) != Some(LeaveKind::Other.stored()) {
        values.insert("sgk_code".into(), Value::Null);
    }
}

fn awaiting(lang: Lang, row: &LocalRow, _: chrono::NaiveDate) -> Vec<String> {
    let approved = row.fields.get("approved_by").and_then(Value::as_str).is_some_and(|a| !a.is_empty());
    if approved { Vec::new() } else { vec![lang.t("Onay bekliyor", "Awaiting approval").to_string()] }
}

fn input<'a>(table: &TableSpec, form: &'a RecordForm, name: &str) -> Option<&'a Input> {
    table.fields.iter().position(|f| f.name == name).map(|i| &form.inputs[i])
}

fn kind_of(table: &TableSpec, form: &RecordForm) -> Option<LeaveKind> {
    form.picked(table, "kind").and_then(LeaveKind::from_stored)
}

/// The reason of an "other" absence, chosen from the SGK list; any other kind shows its own.
fn sgk_code(
    ui: &mut Ui,
    lang: Lang,
    table: &TableSpec,
    form: &mut RecordForm,
    index: usize,
) -> egui::Response {
    let kind = kind_of(table, form);
    let error = form.errors.message("sgk_code", lang);
    let label = table.fields[index].label.get(lang);
    let Input::Text(code) = &mut form.inputs[index] else { unreachable!("sgk_code is a text field") };
    let name = |code: &str| {
        SGK_CODES
            .iter()
            .find(|c| c.value == code)
            .map_or_else(|| code.to_string(), |c| format!("{code} {}", c.label.get(lang)))
    };
    fields::row(ui, label, error, |ui| {
        if kind != Some(LeaveKind::Other) {
            let own = kind.and_then(LeaveKind::sgk_code);
            let text = match (kind, own) {
                (Some(k), _) if k.paid() => {
                    lang.t("— (ücretli: eksik gün değil)", "— (paid: no missing day)").into()
                }
                (_, Some(own)) => name(own),
                _ => "—".into(),
            };
            return ui.label(text);
        }
        egui::ComboBox::from_id_salt("leave_sgk_code")
            .selected_text(if code.is_empty() { String::new() } else { name(code) })
            .width(260.0)
            .show_ui(ui, |ui| {
                for c in SGK_CODES {
                    fields::choice(ui, code, c.value.to_string(), name(c.value));
                }
            })
            .response
    })
}

/// A field the form shows and the screen fills (who entered, who approved): not typed.
fn shown(ui: &mut Ui, lang: Lang, table: &TableSpec, form: &mut RecordForm, index: usize) -> egui::Response {
    let label = table.fields[index].label.get(lang);
    let error = form.errors.message(table.fields[index].name, lang);
    let text = match &form.inputs[index] {
        Input::Text(t) if !t.is_empty() => t.clone(),
        _ => "—".into(),
    };
    fields::row(ui, label, error, |ui| ui.label(text))
}

/// "Onayla" for a manager on a stored leave nobody approved yet; under it, a warning when the
/// annual leave typed is more than the person has left.
fn approve_and_warn(ui: &mut Ui, ctx: &Ctx<'_>, table: &TableSpec, form: &mut RecordForm) -> bool {
    let lang = ctx.lang;
    let approved_at = table.fields.iter().position(|f| f.name == "approved_by").expect("a leave's field");
    let unapproved = matches!(&form.inputs[approved_at], Input::Text(t) if t.trim().is_empty());
    let approve = form.id.is_some()
        && unapproved
        && ctx.user.role.at_least(Role::Manager)
        && ui.button(lang.t("Onayla", "Approve")).clicked();
    if approve {
        form.inputs[approved_at] = Input::Text(ctx.user.username.clone());
    }
    if let Some(warning) = over_balance(ctx, table, form) {
        ui.label(RichText::new(warning).color(WARNING).strong());
    }
    approve
}

/// The warning of an annual leave longer than what the person has left on its first day.
fn over_balance(ctx: &Ctx<'_>, table: &TableSpec, form: &RecordForm) -> Option<String> {
    if kind_of(table, form) != Some(LeaveKind::Annual) {
        return None;
    }
    let employee: Uuid = form.picked(table, "employee_id")?.parse().ok()?;
    let day = |name| match input(table, form, name) {
        Some(Input::Text(t)) => parse_user_date(t).ok(),
        _ => None,
    };
    let (first, last) = (day("first_day")?, day("last_day")?);
    if last < first {
        return None;
    }
    let balance = ctx.store.leave_balance(employee, first, form.id).ok()??;
    let calendar = ctx.store.calendar().ok()?;
    let asked = Span { first, last, kind: LeaveKind::Annual, sgk_code: None }.days_taken(&calendar);
    (i64::from(asked) > balance.remaining).then(|| match ctx.lang {
        Lang::Tr => format!(
            "Bu izin {asked} iş günü; kalan yıllık izin {} gün. Yine de kaydedilebilir.",
            balance.remaining
        ),
        Lang::En => format!(
            "This leave is {asked} working days; {} days of annual leave are left. It can still be saved.",
            balance.remaining
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_other_absence_keeps_a_reason_of_its_own() {
        let mut errors = FormErrors::default();
        let mut sick = serde_json::json!({"kind": "sick", "sgk_code": "13"}).as_object().unwrap().clone();
        prepare(&mut sick, &mut errors);
        assert_eq!(sick["sgk_code"], Value::Null);
        let mut other = serde_json::json!({"kind": "other", "sgk_code": "13"}).as_object().unwrap().clone();
        prepare(&mut other, &mut errors);
        assert_eq!(other["sgk_code"], "13");
        assert!(errors.is_empty());
    }
}
