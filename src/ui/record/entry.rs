//! What a record screen is made of: its table, its words, and the hooks for what a table does
//! beyond its fields' kinds. Kept apart from the registry so a table's hooks (ui/record/vehicles.rs)
//! and the list of screens can each use these without using each other.

use chrono::NaiveDate;
use egui::Ui;
use rainstaff_core::schema::{Label, TableSpec};
use rainstaff_core::validate::Problem;
use serde_json::{Map, Value};

use super::form::RecordForm;
use crate::db::rows::LocalRow;
use crate::i18n::Lang;
use crate::ui::ctx::Ctx;
use crate::ui::form::FormErrors;

/// One record screen: its table, and the words that are the screen's rather than the table's.
pub struct Entry {
    pub table: &'static TableSpec,
    /// The tab's name.
    pub tab: Label,
    /// The button that opens an empty form, and that form's heading.
    pub new: Label,
    /// The heading of a stored record's form.
    pub edit: Label,
    pub hooks: Hooks,
}

/// What a table's screen does beyond what its fields' kinds say.
pub struct Hooks {
    /// Typed text a new record's fields start with (field, text).
    pub defaults: &'static [(&'static str, &'static str)],
    /// What a new record starts with that depends on who is signed in (who entered a leave),
    /// over `defaults`.
    pub begin: Option<Begin>,
    pub prepare: Option<Prepare>,
    /// A warning of the store the person may override by saving again (the km went down).
    pub confirmable: Option<Problem>,
    /// A last column of the list saying what is due on a row.
    pub notes: Option<Notes>,
    /// Fields drawn by a widget of their own instead of their kind's input (an inspection's
    /// nine-item checklist, kept in one text field).
    pub widgets: &'static [(&'static str, FieldWidget)],
    /// Buttons under the form for what the table does beyond saving its fields (closing a fault,
    /// a vehicle's card); returns true when the form is to be saved now.
    pub actions: Option<Actions>,
}

/// The (field, typed text) pairs a new record starts with, for the person signed in.
pub type Begin = fn(&Ctx<'_>) -> Vec<(&'static str, String)>;

/// Draws the field at this index of the form's inputs.
pub type FieldWidget = fn(&mut Ui, Lang, &TableSpec, &mut RecordForm, usize) -> egui::Response;

pub type Actions = fn(&mut Ui, &Ctx<'_>, &TableSpec, &mut RecordForm) -> bool;

/// Turns the fields read from the form into what is stored (a plate written the one way), pushing
/// an error for a field it cannot.
pub type Prepare = fn(&mut Map<String, Value>, &mut FormErrors);

pub struct Notes {
    pub heading: Label,
    pub of: fn(Lang, &LocalRow, NaiveDate) -> Vec<String>,
}

/// A screen that needs nothing beyond its table's description.
pub const PLAIN: Hooks = Hooks {
    defaults: &[],
    begin: None,
    prepare: None,
    confirmable: None,
    notes: None,
    widgets: &[],
    actions: None,
};

/// A Turkish and English pair, short to write in an entry.
pub const fn label(tr: &'static str, en: &'static str) -> Label {
    Label { tr, en }
}
