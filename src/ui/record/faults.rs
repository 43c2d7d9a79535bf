//! Vehicle faults: a record screen with "Kapat", which closes a stored open fault on the date
//! typed in its closing date (today if none): a fault closes once (the rule in core).

use egui::Ui;
use rainstaff_core::schema::{TableSpec, VEHICLE_FAULTS};
use rainstaff_core::time::format_date;

use super::entry::{Entry, Hooks, PLAIN, label};
use super::form::{Input, RecordForm};
use crate::i18n::Pick;
use crate::ui::ctx::Ctx;

pub const SCREEN: Entry = Entry {
    table: &VEHICLE_FAULTS,
    tab: label("Arızalar", "Faults"),
    new: label("Yeni arıza", "New fault"),
    edit: label("Arızayı düzenle", "Edit fault"),
    hooks: Hooks { actions: Some(close), ..PLAIN },
};

const CLOSED: &str = "Kapali";

fn close(ui: &mut Ui, ctx: &Ctx<'_>, table: &TableSpec, form: &mut RecordForm) -> bool {
    let at = |name: &str| table.fields.iter().position(|f| f.name == name).expect("a fault's field");
    let (status, closed_date) = (at("status"), at("closed_date"));
    let open = form.inputs[status] != Input::Pick(Some(CLOSED.to_string()));
    if form.id.is_none() || !open || !ui.button(ctx.lang.t("Kapat", "Close")).clicked() {
        return false;
    }
    if let Input::Text(date) = &mut form.inputs[closed_date]
        && date.trim().is_empty()
    {
        *date = format_date(ctx.today);
    }
    form.inputs[status] = Input::Pick(Some(CLOSED.to_string()));
    true
}
