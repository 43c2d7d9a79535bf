//! Vehicles: a record screen (`ui::record`) with what only vehicles have — plates in the Turkish
//! format, km that never silently goes down (the store warns, saving again confirms), a column of
//! what `rainstaff_core::alerts` says is due, and its card one click from its form.

use chrono::NaiveDate;
use egui::Ui;
use rainstaff_core::alerts::{self, DEFAULT_OIL_INTERVAL_KM};
use rainstaff_core::schema::{TableSpec, VEHICLES};
use rainstaff_core::validate::{Problem, normalize_plate};
use serde_json::{Map, Value};

use super::entry::{Entry, Hooks, Notes, PLAIN, label};
use super::form::RecordForm;
use crate::db::rows::LocalRow;
use crate::i18n::{Lang, Pick};
use crate::ui::ctx::{Ctx, Goto};
use crate::ui::form::FormErrors;

/// DEFAULT_OIL_INTERVAL_KM as a new form shows it (a test keeps the two equal).
const OIL_INTERVAL_KM: &str = "14000";

/// The vehicles' entry among the record screens.
pub const SCREEN: Entry = Entry {
    table: &VEHICLES,
    tab: label("Araçlar", "Vehicles"),
    new: label("Yeni araç", "New vehicle"),
    edit: label("Aracı düzenle", "Edit vehicle"),
    hooks: Hooks {
        defaults: &[("oil_interval_km", OIL_INTERVAL_KM)],
        prepare: Some(prepare),
        confirmable: Some(Problem::KmLower),
        notes: Some(Notes { heading: label("Uyarılar", "Due"), of: due_row }),
        actions: Some(card_button),
        ..PLAIN
    },
};

/// A stored vehicle's whole history is one click from its form.
fn card_button(ui: &mut Ui, ctx: &Ctx<'_>, _: &TableSpec, form: &mut RecordForm) -> bool {
    if let Some(id) = form.id
        && ui.button(ctx.lang.t("Araç kartı", "Vehicle card")).clicked()
    {
        ctx.goto(Goto::VehicleCard(id));
    }
    false
}

/// The plate as the rules store it (`34ABC123` and `34 abc 123` are `34 ABC 123`); an emptied
/// oil interval is the usual one.
fn prepare(fields: &mut Map<String, Value>, errors: &mut FormErrors) {
    let typed = fields.get("plate").and_then(Value::as_str).unwrap_or_default();
    match normalize_plate(typed) {
        Some(plate) => {
            fields.insert("plate".into(), Value::String(plate));
        }
        None => {
            errors.push("plate", if typed.trim().is_empty() { Problem::Required } else { Problem::Plate })
        }
    }
    if fields.get("oil_interval_km").is_none_or(Value::is_null) {
        fields.insert("oil_interval_km".into(), Value::from(DEFAULT_OIL_INTERVAL_KM));
    }
}

/// What is due on a vehicle, said as the overview and `rainstaff alerts` say it.
fn due_row(lang: Lang, row: &LocalRow, today: NaiveDate) -> Vec<String> {
    let vehicle = alerts::Record { id: row.id, fields: row.fields.clone() };
    let fleet = alerts::Fleet { vehicles: vec![vehicle], ..alerts::Fleet::default() };
    alerts::alerts(&fleet, today).iter().map(|a| a.message(lang)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_form_starts_at_the_usual_oil_interval_and_a_plate_is_stored_one_way() {
        assert_eq!(OIL_INTERVAL_KM.parse::<i64>(), Ok(DEFAULT_OIL_INTERVAL_KM));
        let mut fields = serde_json::json!({"plate": "34abc123", "oil_interval_km": null});
        let fields = fields.as_object_mut().unwrap();
        let mut errors = FormErrors::default();
        prepare(fields, &mut errors);
        assert!(errors.is_empty());
        assert_eq!(
            (&fields["plate"], &fields["oil_interval_km"]),
            (&Value::from("34 ABC 123"), &Value::from(14_000))
        );
    }
}
