//! Employees: a virtualized table (ten thousand rows scroll smoothly) with Turkish-aware search,
//! sorting by column, filters, and the add/edit form beside it.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use rainstaff_core::model::{Employee, Record, fields_of};
use rainstaff_core::schema::EMPLOYEES;
use rainstaff_core::text::{matches_search, tr_cmp};
use rainstaff_core::time::{format_date, format_duration, parse_duration, parse_iso_date, parse_user_date};
use rainstaff_core::validate::FieldError;
use uuid::Uuid;

use crate::bus::Command;
use crate::db::edits::SaveOptions;
use crate::db::queries::ShiftFilter;
use crate::i18n::{Lang, Pick, field_label};
use crate::ui::ctx::Ctx;
use crate::ui::employee_leaves::LeavePanel;
use crate::ui::form::{self, FormErrors};
use crate::ui::move_region::MoveDialog;
use crate::ui::widgets::{self, break_policy_label, region_combo, region_filter};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortBy {
    #[default]
    Name,
    Department,
    Title,
    Region,
}

#[derive(Default)]
pub struct EmployeesScreen {
    pub dirty: bool,
    all: Vec<Record<Employee>>,
    /// Indexes into `all` after search, filters and sorting.
    visible: Vec<usize>,
    pub search: String,
    pub active_only: bool,
    pub region_filter: Option<String>,
    sort: SortBy,
    descending: bool,
    pub form: Option<EmployeeForm>,
}

#[derive(Debug, Clone, Default)]
pub struct EmployeeForm {
    pub id: Option<Uuid>,
    pub region: String,
    pub full_name: String,
    pub identity_no: String,
    pub department: String,
    pub title: String,
    pub hire_date: String,
    pub birth_date: String,
    pub leaving_date: String,
    pub active: bool,
    pub part_time: bool,
    pub weekly_minutes: String,
    pub break_policy: String,
    pub errors: FormErrors,
    saving: bool,
    /// The delete dialog is open.
    deleting: bool,
    /// A new form puts the cursor in the name (form::focus_once).
    focus: bool,
    pub moving: Option<MoveDialog>,
    /// A stored person's leave, read once the form shows.
    leave: Option<LeavePanel>,
}

/// A stored date as the form shows it (DD.MM.YYYY).
fn shown_date(stored: &Option<String>) -> String {
    stored.as_deref().and_then(|d| parse_iso_date(d).ok()).map(format_date).unwrap_or_default()
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_string())
}

impl EmployeeForm {
    fn new(region: &str) -> Self {
        let e = Employee::default();
        EmployeeForm {
            region: region.to_string(),
            active: true,
            weekly_minutes: format_duration(e.weekly_minutes),
            break_policy: e.break_policy,
            focus: true,
            ..Default::default()
        }
    }

    fn edit(r: &Record<Employee>) -> Self {
        let e = &r.data;
        EmployeeForm {
            id: Some(r.id),
            region: r.region.clone(),
            full_name: e.full_name.clone(),
            identity_no: e.identity_no.clone().unwrap_or_default(),
            department: e.department.clone().unwrap_or_default(),
            title: e.title.clone().unwrap_or_default(),
            hire_date: shown_date(&e.hire_date),
            birth_date: shown_date(&e.birth_date),
            leaving_date: shown_date(&e.leaving_date),
            active: e.active,
            part_time: e.contract_kind == "part_time",
            weekly_minutes: format_duration(e.weekly_minutes),
            break_policy: e.break_policy.clone(),
            errors: FormErrors::default(),
            saving: false,
            deleting: false,
            focus: false,
            moving: None,
            leave: None,
        }
    }

    /// The employee the form describes, or the errors of what cannot even be parsed.
    fn to_employee(&self) -> Result<Employee, FormErrors> {
        let mut errors = FormErrors::default();
        let mut date = |name: &str, typed: &str| match opt(typed) {
            None => None,
            Some(s) => match parse_user_date(&s) {
                Ok(d) => Some(d.to_string()),
                Err(p) => {
                    errors.push(name, p);
                    None
                }
            },
        };
        let hire_date = date("hire_date", &self.hire_date);
        let birth_date = date("birth_date", &self.birth_date);
        let leaving_date = date("leaving_date", &self.leaving_date);
        let weekly_minutes = parse_duration(&self.weekly_minutes).unwrap_or_else(|p| {
            errors.push("weekly_minutes", p);
            0
        });
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Employee {
            full_name: self.full_name.trim().to_string(),
            identity_no: opt(&self.identity_no),
            department: opt(&self.department),
            title: opt(&self.title),
            hire_date,
            birth_date,
            leaving_date,
            active: self.active,
            contract_kind: if self.part_time { "part_time" } else { "full_time" }.into(),
            weekly_minutes,
            break_policy: self.break_policy.clone(),
        })
    }
}

impl EmployeesScreen {
    pub fn saved(&mut self, table: &str, id: Uuid) {
        if table != EMPLOYEES.name {
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
        if table == EMPLOYEES.name
            && let Some(form) = &mut self.form
        {
            match &mut form.moving {
                Some(moving) => moving.invalid(errors),
                None => form.errors = FormErrors(errors.to_vec()),
            }
            form.saving = false;
        }
    }

    fn refilter(&mut self) {
        let mut visible: Vec<usize> = (0..self.all.len())
            .filter(|&i| {
                let e = &self.all[i];
                (!self.active_only || e.data.active)
                    && self.region_filter.as_ref().is_none_or(|r| &e.region == r)
                    && (self.search.trim().is_empty()
                        || matches_search(
                            &format!(
                                "{} {} {} {} {}",
                                e.data.full_name,
                                e.data.department.as_deref().unwrap_or(""),
                                e.data.title.as_deref().unwrap_or(""),
                                e.data.identity_no.as_deref().unwrap_or(""),
                                rainstaff_core::regions::display_name(&e.region)
                            ),
                            &self.search,
                        ))
            })
            .collect();
        let key = |e: &Record<Employee>| -> String {
            match self.sort {
                SortBy::Name => e.data.full_name.clone(),
                SortBy::Department => e.data.department.clone().unwrap_or_default(),
                SortBy::Title => e.data.title.clone().unwrap_or_default(),
                SortBy::Region => e.region.clone(),
            }
        };
        visible.sort_by(|&a, &b| {
            let o = tr_cmp(&key(&self.all[a]), &key(&self.all[b]));
            if self.descending { o.reverse() } else { o }
        });
        self.visible = visible;
    }

    pub fn visible_names(&self) -> Vec<&str> {
        self.visible.iter().map(|&i| self.all[i].data.full_name.as_str()).collect()
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if self.dirty {
            self.all = ctx.store.employees(&ctx.user.region).unwrap_or_default();
            self.dirty = false;
            if let Some(form) = &mut self.form {
                form.leave = None;
            }
            self.refilter();
        }
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::N)) {
            self.form = Some(EmployeeForm::new(&ctx.scope.default_region()));
        }
        let mut changed = false;
        ui.horizontal(|ui| {
            ui.heading(lang.t("Personel", "Employees"));
            let l = ui.label(lang.t("Ara:", "Search:"));
            changed |= ui
                .add(egui::TextEdit::singleline(&mut self.search).desired_width(200.0))
                .labelled_by(l.id)
                .changed();
            changed |= ui.checkbox(&mut self.active_only, lang.t("Yalnız aktif", "Active only")).changed();
            if ctx.scope.has_choice() {
                changed |= region_filter(ui, lang, ctx.scope.regions(), &mut self.region_filter);
            }
            if ui.button(lang.t("Yeni personel", "New employee")).clicked() {
                self.form = Some(EmployeeForm::new(&ctx.scope.default_region()));
            }
            ui.label(format!("{} {}", self.visible.len(), lang.t("kişi", "people")));
        });
        if changed {
            self.refilter();
        }
        if self.form.is_some() {
            widgets::side_form(ui, "employee_form", |ui| self.form_ui(ui, ctx));
        }
        if self.visible.is_empty() {
            let first = lang.t(
                "Henüz personel yok: «Yeni personel» ile ekleyin ya da Dosya menüsünden eski veritabanını içe aktarın.",
                "No employees yet: add one with «New employee» or import the legacy database from the File menu.",
            );
            widgets::empty_list(ui, lang, self.all.len(), first);
        }
        widgets::wide_list(ui, "employee_list", |ui| self.table(ui, lang));
    }

    fn table(&mut self, ui: &mut Ui, lang: Lang) {
        let mut clicked = None;
        let mut resort = None;
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::remainder().at_least(180.0))
            .column(Column::auto().at_least(100.0))
            .column(Column::auto().at_least(120.0))
            .column(Column::auto().at_least(120.0))
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(60.0))
            .header(22.0, |mut header| {
                for (label, sort) in [
                    (lang.t("Ad Soyad", "Full name"), Some(SortBy::Name)),
                    (lang.t("T.C. No", "Identity no"), None),
                    (lang.t("Departman", "Department"), Some(SortBy::Department)),
                    (lang.t("Unvan", "Title"), Some(SortBy::Title)),
                    (lang.t("Bölge", "Region"), Some(SortBy::Region)),
                    (lang.t("Durum", "Status"), None),
                ] {
                    header.col(|ui| match sort {
                        Some(s) => {
                            let arrow = if self.sort == s {
                                if self.descending { " (Z-A)" } else { " (A-Z)" }
                            } else {
                                ""
                            };
                            if ui.button(RichText::new(format!("{label}{arrow}")).strong()).clicked() {
                                resort = Some(s);
                            }
                        }
                        None => {
                            ui.strong(label);
                        }
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, self.visible.len(), |mut row| {
                    let e = &self.all[self.visible[row.index()]];
                    row.col(|ui| {
                        let mut text = RichText::new(&e.data.full_name);
                        if e.sync_error.is_some() {
                            text = text.color(form::ERROR_COLOR);
                        }
                        let r = ui.add(egui::Label::new(text).sense(egui::Sense::click()));
                        if let Some(err) = &e.sync_error {
                            r.clone().on_hover_text(crate::message::record_mark_text(lang, err));
                        }
                        if r.clicked() {
                            clicked = Some(e.id);
                        }
                    });
                    row.col(|ui| {
                        ui.label(masked_identity(e.data.identity_no.as_deref().unwrap_or("")));
                    });
                    row.col(|ui| {
                        ui.label(e.data.department.as_deref().unwrap_or(""));
                    });
                    row.col(|ui| {
                        ui.label(e.data.title.as_deref().unwrap_or(""));
                    });
                    row.col(|ui| {
                        ui.label(rainstaff_core::regions::display_name(&e.region));
                    });
                    row.col(|ui| {
                        ui.label(if e.data.active {
                            lang.t("Aktif", "Active")
                        } else {
                            lang.t("Pasif", "Inactive")
                        });
                    });
                });
            });
        if let Some(s) = resort {
            self.descending = self.sort == s && !self.descending;
            self.sort = s;
            self.refilter();
        }
        if let Some(id) = clicked
            && let Some(e) = self.all.iter().find(|e| e.id == id)
        {
            self.form = Some(EmployeeForm::edit(e));
        }
    }

    fn form_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let all = &self.all;
        let Some(form) = &mut self.form else { return };
        ui.heading(if form.id.is_some() {
            lang.t("Personeli düzenle", "Edit employee")
        } else {
            lang.t("Yeni personel", "New employee")
        });
        egui::Grid::new("employee_grid").num_columns(2).show(ui, |ui| {
            let l = |f: &str| field_label(lang, f);
            let e = |f: &str| form.errors.message(f, lang);
            let name = form::text(ui, l("full_name"), &mut form.full_name, e("full_name"));
            form::focus_once(&name, &mut form.focus);
            form::text(ui, l("identity_no"), &mut form.identity_no, e("identity_no"));
            form::text(ui, l("department"), &mut form.department, e("department"));
            form::text(ui, l("title"), &mut form.title, e("title"));
            form::row(ui, l("region"), e("region"), |ui| {
                ui.horizontal(|ui| {
                    let region =
                        region_combo(ui, ctx, ctx.scope.regions(), &mut form.region, form.id.is_none());
                    // The dialog names the record as it is stored, whatever the form holds now.
                    if let Some(stored) = form.id.and_then(|id| all.iter().find(|e| e.id == id))
                        && super::move_region::offer(ui, ctx)
                    {
                        let shifts = ShiftFilter {
                            employee: Some(stored.id),
                            region: stored.region.clone(),
                            ..Default::default()
                        };
                        let left = ctx.store.shifts(&shifts).map_or(0, |s| s.len());
                        let name = &stored.data.full_name;
                        form.moving =
                            Some(MoveDialog::new(&EMPLOYEES, stored.id, name, &stored.region, left));
                    }
                    region
                })
                .inner
            });
            form::date(ui, lang, l("hire_date"), &mut form.hire_date, e("hire_date"), ctx.today);
            form::date(ui, lang, l("birth_date"), &mut form.birth_date, e("birth_date"), ctx.today);
            form::date(ui, lang, l("leaving_date"), &mut form.leaving_date, e("leaving_date"), ctx.today);
            form::row(ui, l("active"), e("active"), |ui| ui.checkbox(&mut form.active, ""));
            form::row(ui, l("contract_kind"), e("contract_kind"), |ui| {
                ui.checkbox(&mut form.part_time, lang.t("Kısmi zamanlı", "Part time"))
            });
            form::text(ui, l("weekly_minutes"), &mut form.weekly_minutes, e("weekly_minutes"));
            form::row(ui, l("break_policy"), e("break_policy"), |ui| {
                egui::ComboBox::from_id_salt("break_policy")
                    .selected_text(break_policy_label(lang, &form.break_policy))
                    .show_ui(ui, |ui| {
                        for p in ["statutory", "as_entered", "fixed:60"] {
                            form::choice(
                                ui,
                                &mut form.break_policy,
                                p.to_string(),
                                break_policy_label(lang, p),
                            );
                        }
                    })
                    .response
            });
        });
        for other in form.errors.other_than(
            &[
                "full_name",
                "identity_no",
                "department",
                "title",
                "region",
                "hire_date",
                "birth_date",
                "leaving_date",
                "active",
                "contract_kind",
                "weekly_minutes",
                "break_policy",
            ],
            lang,
        ) {
            form::error_line(ui, &other);
        }
        let actions = form::actions(ui, lang, lang.t("Kaydet", "Save"), form.id.is_some());
        form.deleting |= actions.delete;
        if form.deleting
            && let Some(id) = form.id
        {
            let note = lang.t(
                "Vardiyası olan personel silinmez: işten ayrılanı pasif yapın.",
                "An employee with shifts is not deleted: mark a leaver inactive instead.",
            );
            if let Some(confirmed) =
                form::confirm_delete(ui, lang, &form.full_name, &[note, form::undo_note(lang)])
            {
                form.deleting = false;
                if confirmed {
                    ctx.send(Command::Delete { table: &EMPLOYEES, id });
                    form.saving = true;
                }
            }
        }
        if let Some(moving) = &mut form.moving
            && !moving.ui(ui, ctx)
        {
            form.moving = None;
        }
        if let Some(id) = form.id {
            form.leave.get_or_insert_with(|| LeavePanel::load(ctx, id)).ui(ui, ctx);
        }
        if actions.cancel {
            self.form = None;
            return;
        }
        if actions.save {
            match form.to_employee() {
                Err(errors) => form.errors = errors,
                Ok(employee) => {
                    form.errors = FormErrors::default();
                    form.saving = true;
                    ctx.send(Command::Save {
                        table: &EMPLOYEES,
                        id: form.id,
                        region: form.region.clone(),
                        fields: fields_of(&employee),
                        options: SaveOptions::default(),
                    });
                }
            }
        }
    }
}

/// A T.C. kimlik number as the list shows it: only its last four digits, so that a screen seen
/// over a shoulder or in a screenshot does not give the number away (the form shows it whole,
/// and the search still finds it whole).
fn masked_identity(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let shown = chars.len().saturating_sub(4);
    chars.iter().enumerate().map(|(i, c)| if i < shown { '*' } else { *c }).collect()
}

#[cfg(test)]
mod tests {
    use super::masked_identity;

    #[test]
    fn a_listed_identity_number_shows_its_last_four_digits() {
        assert_eq!(masked_identity("12345678901"), "*******8901");
        assert_eq!(masked_identity("123"), "123");
        assert_eq!(masked_identity(""), "");
    }
}
