//! One screen for any synced table, read from its description in `core::schema`: a list with a
//! Turkish-aware search and the region filter, the records the server refused marked, and a form
//! built from the fields' kinds beside it (Ctrl+N new, Enter saves, Esc cancels). Saves travel as
//! every other screen's do, `Command::Save` to the worker, so the store's rules and the outbox
//! apply unchanged. A table whose rows refer to no other (drivers) picks its region as employees
//! do; a table whose rows belong to another (a fault to its vehicle) takes its parent's region,
//! because a reference must stay inside its region.

pub mod entry;
pub mod faults;
pub mod form;
pub mod inspections;
pub mod leaves;
pub mod registry;
pub mod templates;
pub mod vehicles;

use std::collections::HashMap;

use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};
use rainstaff_core::regions::display_name;
use rainstaff_core::schema::{FieldKind, FieldSpec, TableSpec};
use rainstaff_core::text::{matches_search, tr_cmp};
use rainstaff_core::time::{format_date, parse_iso_date};
use rainstaff_core::validate::FieldError;
use serde_json::{Map, Value};
use uuid::Uuid;

use self::entry::Entry;
use self::form::{Input, RecordForm};
use crate::bus::Command;
use crate::db::edits::SaveOptions;
use crate::db::rows::LocalRow;
use crate::i18n::{Lang, Pick};
use crate::ui::ctx::Ctx;
use crate::ui::form::{self as fields, FormErrors};
use crate::ui::move_region::MoveDialog;
use crate::ui::widgets;

/// A record another table's rows may refer to, as a dropdown offers it.
struct Target {
    id: String,
    region: String,
    title: String,
    fields: Map<String, Value>,
}

pub struct RecordScreen {
    pub entry: &'static Entry,
    pub dirty: bool,
    all: Vec<LocalRow>,
    /// What each row of `all` is called (its table's title fields).
    titles: Vec<String>,
    /// The records of every table this one refers to, by table name.
    targets: HashMap<&'static str, Vec<Target>>,
    /// Indexes into `all` after the search and the region filter, sorted.
    visible: Vec<usize>,
    pub search: String,
    pub region_filter: Option<String>,
    pub form: Option<RecordForm>,
    /// A record another screen linked to, opened once the list is read.
    opening: Option<Uuid>,
    /// The parent a new record was asked for from another screen (a leave from the employee's
    /// page), its form opened once the parents are read.
    opening_new: Option<Uuid>,
}

impl RecordScreen {
    pub fn new(entry: &'static Entry) -> Self {
        RecordScreen {
            entry,
            dirty: true,
            all: Vec::new(),
            titles: Vec::new(),
            targets: HashMap::new(),
            visible: Vec::new(),
            search: String::new(),
            region_filter: None,
            form: None,
            opening: None,
            opening_new: None,
        }
    }

    /// Opens the form of record `id` (a link from another screen) when the screen is next drawn.
    pub fn open(&mut self, id: Uuid) {
        self.opening = Some(id);
        self.dirty = true;
    }

    /// Opens a new record of `parent` (the record its first reference names) when the screen is
    /// next drawn.
    pub fn open_new_for(&mut self, parent: Uuid) {
        self.opening_new = Some(parent);
        self.dirty = true;
    }

    fn table(&self) -> &'static TableSpec {
        self.entry.table
    }

    /// The first column of the visible rows, as the list shows them (tests read the list so).
    pub fn visible_titles(&self) -> Vec<String> {
        let table = self.table();
        let Some(first) = table.list.first().and_then(|name| table.field(name)) else { return Vec::new() };
        self.visible.iter().map(|&i| self.cell(Lang::Tr, first, &self.all[i])).collect()
    }

    fn load(&mut self, ctx: &Ctx<'_>) {
        let table = self.table();
        let region = &ctx.user.region;
        self.all = ctx.store.records(table, region).unwrap_or_default();
        self.titles = self
            .all
            .iter()
            .map(|r| ctx.store.title_of(table, &r.fields).ok().flatten().unwrap_or_default())
            .collect();
        self.targets.clear();
        for f in table.fields {
            let FieldKind::Ref(name) = f.kind else { continue };
            let Some(target) = rainstaff_core::schema::table(name) else { continue };
            let rows = ctx.store.records(target, region).unwrap_or_default();
            let mut list: Vec<Target> = rows
                .into_iter()
                .map(|r| Target {
                    id: r.id.to_string(),
                    title: ctx.store.title_of(target, &r.fields).ok().flatten().unwrap_or_default(),
                    region: r.region,
                    fields: r.fields,
                })
                .collect();
            list.sort_by(|a, b| tr_cmp(&a.title, &b.title));
            self.targets.insert(name, list);
        }
    }

    /// A field's value as the list shows it.
    fn cell(&self, lang: Lang, f: &FieldSpec, row: &LocalRow) -> String {
        let value = row.fields.get(f.name).unwrap_or(&Value::Null);
        let text = match value {
            Value::Null => return String::new(),
            Value::Bool(b) => {
                return lang.t(if *b { "Evet" } else { "Hayır" }, if *b { "Yes" } else { "No" }).into();
            }
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        if let Some(choice) = f.choices.iter().find(|c| c.value == text) {
            return choice.label.get(lang).to_string();
        }
        match f.kind {
            FieldKind::Date => parse_iso_date(&text).map(format_date).unwrap_or(text),
            FieldKind::Ref(target) => self.target(target, &text).map_or(text, |t| t.title.clone()),
            _ => text,
        }
    }

    fn target(&self, table: &str, id: &str) -> Option<&Target> {
        self.targets.get(table)?.iter().find(|t| t.id == id)
    }

    /// The key a row sorts by: its listed fields, dates in their stored (sortable) form.
    fn sort_key(&self, row: &LocalRow) -> String {
        let table = self.table();
        let parts = table.list.iter().filter_map(|name| table.field(name)).map(|f| match f.kind {
            FieldKind::Date => row.fields.get(f.name).and_then(Value::as_str).unwrap_or_default().to_string(),
            _ => self.cell(Lang::Tr, f, row),
        });
        parts.collect::<Vec<_>>().join("\u{1f}")
    }

    fn refilter(&mut self, lang: Lang) {
        let table = self.table();
        let mut visible: Vec<usize> = (0..self.all.len())
            .filter(|&i| {
                let row = &self.all[i];
                let searched = || {
                    let mut text: Vec<String> =
                        table.fields.iter().map(|f| self.cell(lang, f, row)).collect();
                    text.push(crate::i18n::region_name(lang, &row.region).to_string());
                    matches_search(&text.join(" "), &self.search)
                };
                self.region_filter.as_ref().is_none_or(|r| &row.region == r)
                    && (self.search.trim().is_empty() || searched())
            })
            .collect();
        let keys: Vec<String> = self.all.iter().map(|r| self.sort_key(r)).collect();
        visible.sort_by(|&a, &b| tr_cmp(&keys[a], &keys[b]));
        self.visible = visible;
    }

    fn open_new(&mut self, ctx: &Ctx<'_>) {
        let region = ctx.scope.default_region();
        let begun = self.entry.hooks.begin.map(|begin| begin(ctx)).unwrap_or_default();
        let mut defaults: Vec<(&str, &str)> = self.entry.hooks.defaults.to_vec();
        defaults.extend(begun.iter().map(|(name, text)| (*name, text.as_str())));
        self.form = Some(RecordForm::new(self.table(), region, ctx.today, &defaults));
    }

    /// A new record with its parent chosen, in the parent's region.
    fn open_new_of(&mut self, ctx: &Ctx<'_>, parent: Uuid) {
        self.open_new(ctx);
        let table = self.table();
        let Some(at) = table.fields.iter().position(|f| matches!(f.kind, FieldKind::Ref(_))) else { return };
        let FieldKind::Ref(target) = table.fields[at].kind else { return };
        let parents = self.targets.get(target).map_or(&[][..], Vec::as_slice);
        if let Some(form) = &mut self.form {
            form.inputs[at] = Input::Pick(Some(parent.to_string()));
            follow_parent(table, form, parents);
        }
    }

    pub fn saved(&mut self, table: &str, id: Uuid) {
        if table != self.table().name {
            return;
        }
        if let Some(form) = &mut self.form
            && let Some(moved) = form.moving.take_if(|m| m.id() == id)
        {
            // The form stays open on what was being typed, now in the new region.
            form.region = moved.to().unwrap_or(&form.region).to_string();
        } else if self.form.as_ref().is_some_and(|f| f.saving) {
            self.form = None;
        }
    }

    pub fn invalid(&mut self, table: &str, errors: &[FieldError]) {
        let confirmable = self.entry.hooks.confirmable;
        if table == self.table().name
            && let Some(form) = &mut self.form
        {
            if let Some(moving) = &mut form.moving {
                moving.invalid(errors);
                return;
            }
            form.confirming = confirmable.is_some_and(|p| errors.iter().any(|e| e.problem == p));
            form.errors = FormErrors(errors.to_vec());
            form.saving = false;
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if self.dirty {
            self.load(ctx);
            self.dirty = false;
            self.refilter(lang);
        }
        if let Some(id) = self.opening.take()
            && let Some(row) = self.all.iter().find(|r| r.id == id)
        {
            self.form = Some(RecordForm::edit(self.table(), row));
        }
        if let Some(parent) = self.opening_new.take() {
            self.open_new_of(ctx, parent);
        }
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::N)) {
            self.open_new(ctx);
        }
        let mut changed = false;
        ui.horizontal(|ui| {
            ui.heading(self.entry.tab.get(lang));
            let l = ui.label(lang.t("Ara:", "Search:"));
            changed |= ui
                .add(egui::TextEdit::singleline(&mut self.search).desired_width(200.0))
                .labelled_by(l.id)
                .changed();
            if ctx.scope.has_choice() {
                changed |= widgets::region_filter(ui, lang, ctx.scope.regions(), &mut self.region_filter);
            }
            if ui.button(self.entry.new.get(lang)).clicked() {
                self.open_new(ctx);
            }
            ui.label(format!("{} {}", self.visible.len(), lang.t("kayıt", "records")));
        });
        if changed {
            self.refilter(lang);
        }
        if self.form.is_some() {
            widgets::side_form(ui, ("record_form", self.table().name), |ui| self.form_ui(ui, ctx));
        }
        if self.visible.is_empty() {
            let first = format!(
                "{} «{}» {}",
                lang.t("Henüz kayıt yok:", "No records yet:"),
                self.entry.new.get(lang),
                lang.t("ile ekleyin.", "adds the first."),
            );
            widgets::empty_list(ui, lang, self.all.len(), &first);
        }
        widgets::wide_list(ui, ("record_list", self.table().name), |ui| self.list_ui(ui, ctx));
    }

    fn list_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let table = self.table();
        let listed: Vec<&FieldSpec> = table.list.iter().filter_map(|name| table.field(name)).collect();
        let regions = ctx.scope.has_choice();
        let notes = self.entry.hooks.notes.as_ref();
        let columns = listed.len() + usize::from(regions) + usize::from(notes.is_some());
        let mut clicked = None;
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::auto().at_least(140.0))
            .columns(Column::auto().at_least(90.0), columns.saturating_sub(2))
            .column(Column::remainder().at_least(120.0))
            .header(22.0, |mut header| {
                let mut headings: Vec<&str> = listed.iter().map(|f| f.label.get(lang)).collect();
                if regions {
                    headings.push(lang.t("Bölge", "Region"));
                }
                headings.extend(notes.map(|n| n.heading.get(lang)));
                for heading in headings {
                    header.col(|ui| {
                        ui.strong(heading);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, self.visible.len(), |mut row| {
                    let index = self.visible[row.index()];
                    let record = &self.all[index];
                    for (n, f) in listed.iter().enumerate() {
                        let text = self.cell(lang, f, record);
                        row.col(|ui| {
                            if n > 0 {
                                ui.label(text);
                                return;
                            }
                            let mut text = RichText::new(text);
                            if record.sync_error.is_some() {
                                text = text.color(fields::ERROR_COLOR);
                            }
                            let r = ui.add(egui::Label::new(text).sense(egui::Sense::click()));
                            if let Some(mark) = &record.sync_error {
                                r.clone().on_hover_text(crate::message::record_mark_text(lang, mark));
                            }
                            if r.clicked() {
                                clicked = Some(index);
                            }
                        });
                    }
                    if regions {
                        row.col(|ui| {
                            ui.label(crate::i18n::region_name(lang, &record.region));
                        });
                    }
                    if let Some(notes) = notes {
                        let due = (notes.of)(lang, record, ctx.today);
                        row.col(|ui| {
                            if !due.is_empty() {
                                let text =
                                    RichText::new(due.join(" · ")).color(Color32::from_rgb(0xd0, 0x80, 0x00));
                                ui.label(text.strong());
                            }
                        });
                    }
                });
            });
        if let Some(i) = clicked {
            self.form = Some(RecordForm::edit(table, &self.all[i]));
        }
    }

    fn form_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let table = self.table();
        let entry = self.entry;
        let (all, titles, targets) = (&self.all, &self.titles, &self.targets);
        let Some(form) = &mut self.form else { return };
        ui.heading(if form.id.is_some() { entry.edit.get(lang) } else { entry.new.get(lang) });
        if let Some(mark) = &form.mark {
            let why = crate::message::record_mark_text(lang, mark);
            fields::error_line(
                ui,
                &format!(
                    "{}: {why}",
                    lang.t("Sunucu son değişikliği reddetti", "The server refused the last change")
                ),
            );
        }
        let parent = table.fields.iter().position(|f| matches!(f.kind, FieldKind::Ref(_)));
        egui::Grid::new(table.name).num_columns(2).show(ui, |ui| {
            for (i, f) in table.fields.iter().enumerate() {
                let label = f.label.get(lang);
                let error = form.errors.message(f.name, lang);
                let response = if let FieldKind::Ref(target) = f.kind {
                    let rows = targets.get(target).map_or(&[][..], Vec::as_slice);
                    let offered = offered(rows, table, i, parent, form, ctx, targets);
                    let before = form.picked(table, f.name).map(str::to_string);
                    let mut value = before.clone();
                    let response = ref_combo(ui, f, &mut value, rows, &offered, label, error);
                    let changed = value != before;
                    form.inputs[i] = Input::Pick(value);
                    if changed && Some(i) == parent && form.id.is_none() {
                        follow_parent(table, form, rows);
                    }
                    response
                } else if let Some((_, widget)) = entry.hooks.widgets.iter().find(|(name, _)| *name == f.name)
                {
                    widget(ui, lang, table, form, i)
                } else {
                    match &mut form.inputs[i] {
                        Input::Text(text) if f.kind == FieldKind::Date => {
                            fields::date(ui, ctx.lang, label, text, error, ctx.today)
                        }
                        Input::Text(text) => fields::text(ui, label, text, error),
                        Input::Check(b) => fields::row(ui, label, error, |ui| ui.checkbox(b, "")),
                        Input::Pick(value) => choice_combo(ui, lang, f, value, label, error),
                    }
                };
                if i == 0 {
                    fields::focus_once(&response, &mut form.focus);
                    region_row(ui, ctx, table, form, all, titles);
                }
            }
        });
        let mut shown: Vec<&str> = table.column_names().collect();
        shown.push("region");
        for other in form.errors.other_than(&shown, lang) {
            fields::error_line(ui, &other);
        }
        let act = entry
            .hooks
            .actions
            .is_some_and(|actions| ui.horizontal(|ui| actions(ui, ctx, table, form)).inner);
        let save =
            if form.confirming { lang.t("Yine de kaydet", "Save anyway") } else { lang.t("Kaydet", "Save") };
        let actions = fields::actions(ui, lang, save, form.id.is_some());
        form.deleting |= actions.delete;
        if form.deleting
            && let Some(id) = form.id
        {
            let title = ctx.store.record_title(table, id, &serde_json::Map::new()).ok().flatten();
            let what = format!("{} · {}", table.label.get(lang), title.unwrap_or_default());
            if let Some(confirmed) = fields::confirm_delete(ui, lang, &what, &[fields::undo_note(lang)]) {
                form.deleting = false;
                if confirmed {
                    ctx.send(Command::Delete { table, id });
                    form.saving = true;
                }
            }
        }
        if let Some(moving) = &mut form.moving
            && !moving.ui(ui, ctx)
        {
            form.moving = None;
        }
        if actions.cancel {
            self.form = None;
            return;
        }
        if actions.save || act {
            let mut read = form.to_fields(table);
            if let (Ok(values), Some(prepare)) = (&mut read, entry.hooks.prepare) {
                let mut errors = FormErrors::default();
                prepare(values, &mut errors);
                if !errors.is_empty() {
                    read = Err(errors);
                }
            }
            match read {
                Err(errors) => form.errors = errors,
                Ok(values) => {
                    form.errors = FormErrors::default();
                    form.saving = true;
                    ctx.send(Command::Save {
                        table,
                        id: form.id,
                        region: form.region.clone(),
                        fields: values,
                        options: SaveOptions { confirmed: form.confirming },
                    });
                }
            }
        }
    }
}

/// The records a reference field offers: those this PC may write for the person, in the record's
/// region once it has one (a stored record, or a new one whose parent is chosen), and for a
/// second reference only those of the chosen parent (a workshop visit's fault of its vehicle).
fn offered<'a>(
    rows: &'a [Target],
    table: &TableSpec,
    field: usize,
    parent: Option<usize>,
    form: &RecordForm,
    ctx: &Ctx<'_>,
    targets: &HashMap<&'static str, Vec<Target>>,
) -> Vec<&'a Target> {
    // The parent, when this field is another reference of the record.
    let parent = parent.filter(|&p| p != field).map(|p| &table.fields[p]);
    let parent_table = parent.and_then(|p| match p.kind {
        FieldKind::Ref(name) => Some(name),
        _ => None,
    });
    let chosen = parent.and_then(|p| form.picked(table, p.name));
    let region = match (form.id, parent_table, chosen) {
        (Some(_), _, _) => Some(form.region.as_str()),
        (None, Some(name), Some(id)) => {
            targets.get(name).and_then(|list| list.iter().find(|t| t.id == id)).map(|t| t.region.as_str())
        }
        _ => None,
    };
    // The field of the offered table that names the same parent, if it has one.
    let link = parent_table.and_then(|name| {
        let FieldKind::Ref(offered) = table.fields[field].kind else { return None };
        let offered = rainstaff_core::schema::table(offered)?;
        offered.fields.iter().find(|f| f.kind == FieldKind::Ref(name)).map(|f| f.name)
    });
    rows.iter()
        .filter(|t| ctx.scope.allows(&t.region))
        .filter(|t| region.is_none_or(|r| t.region == r))
        .filter(|t| match (link, chosen) {
            (Some(link), Some(id)) => t.fields.get(link).and_then(Value::as_str) == Some(id),
            _ => true,
        })
        .collect()
}

/// A new record takes its parent's region; the other references were offered for the parent
/// chosen before, so they are chosen again.
fn follow_parent(table: &TableSpec, form: &mut RecordForm, parents: &[Target]) {
    let parent = table.fields.iter().position(|f| matches!(f.kind, FieldKind::Ref(_)));
    let chosen = parent.and_then(|p| form.picked(table, table.fields[p].name));
    if let Some(target) = chosen.and_then(|id| parents.iter().find(|t| t.id == id)) {
        form.region = target.region.clone();
    }
    for (i, f) in table.fields.iter().enumerate() {
        if Some(i) != parent && matches!(f.kind, FieldKind::Ref(_)) {
            form.inputs[i] = Input::Pick(None);
        }
    }
}

/// A reference, chosen among the records offered; an optional one may be left empty.
fn ref_combo(
    ui: &mut Ui,
    f: &FieldSpec,
    value: &mut Option<String>,
    rows: &[Target],
    offered: &[&Target],
    label: &str,
    error: Option<String>,
) -> egui::Response {
    let shown = value.as_deref().map_or(String::new(), |id| {
        rows.iter().find(|t| t.id == id).map_or_else(|| id.to_string(), |t| t.title.clone())
    });
    fields::row(ui, label, error, |ui| {
        egui::ComboBox::from_id_salt(("record_ref", f.name))
            .selected_text(shown)
            .width(220.0)
            .show_ui(ui, |ui| {
                if !f.required {
                    fields::choice(ui, value, None, "—");
                }
                for t in offered {
                    fields::choice(ui, value, Some(t.id.clone()), &t.title);
                }
            })
            .response
    })
}

/// A code field, chosen among its choices; a value from elsewhere (an old import) shows as it is.
fn choice_combo(
    ui: &mut Ui,
    lang: Lang,
    f: &FieldSpec,
    value: &mut Option<String>,
    label: &str,
    error: Option<String>,
) -> egui::Response {
    let shown = value.as_deref().map_or(String::new(), |v| {
        f.choices
            .iter()
            .find(|c| c.value == v)
            .map_or_else(|| v.to_string(), |c| c.label.get(lang).to_string())
    });
    fields::row(ui, label, error, |ui| {
        egui::ComboBox::from_id_salt(("record_choice", f.name))
            .selected_text(shown)
            .show_ui(ui, |ui| {
                if !f.required {
                    fields::choice(ui, value, None, "—");
                }
                for c in f.choices {
                    fields::choice(ui, value, Some(c.value.to_string()), c.label.get(lang));
                }
            })
            .response
    })
}

/// The record's region: picked for a new record of a table that refers to no other, and moved
/// only by the explicit move; a record that belongs to another shows its parent's.
fn region_row(
    ui: &mut Ui,
    ctx: &Ctx<'_>,
    table: &'static TableSpec,
    form: &mut RecordForm,
    all: &[LocalRow],
    titles: &[String],
) {
    let label = crate::i18n::field_label(ctx.lang, "region");
    let error = form.errors.message("region", ctx.lang);
    if !table.movable() {
        // A new record has no region until its parent is chosen.
        let parent = table.fields.iter().find(|f| matches!(f.kind, FieldKind::Ref(_)));
        let known = form.id.is_some() || parent.is_some_and(|p| form.picked(table, p.name).is_some());
        let region = if known { display_name(&form.region) } else { "—" };
        fields::row(ui, label, error, |ui| ui.label(region));
        return;
    }
    fields::row(ui, label, error, |ui| {
        ui.horizontal(|ui| {
            let regions = ctx.scope.regions_in(table);
            let region = widgets::region_combo(ui, ctx, &regions, &mut form.region, form.id.is_none());
            // The dialog names the record as it is stored, whatever the form holds now.
            if let Some(i) = form.id.and_then(|id| all.iter().position(|r| r.id == id))
                && super::move_region::offer(ui, ctx)
            {
                let stored = &all[i];
                form.moving = Some(MoveDialog::new(table, stored.id, &titles[i], &stored.region, 0));
            }
            region
        })
        .inner
    });
}
