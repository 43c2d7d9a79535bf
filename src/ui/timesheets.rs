//! Timesheets: shifts filtered by employee, dates and region; the shift form with templates,
//! typed or picked dates, overnight shifts, and keyboard entry (Enter saves, Esc cancels,
//! Ctrl+N starts a new shift); "copy last week".

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use rainstaff_core::model::{Employee, Record, Shift, ShiftTemplate, fields_of};
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::TIMESHEETS;
use rainstaff_core::time::{format_date, format_duration, parse_iso_date, parse_user_date, parse_user_time};
use rainstaff_core::validate::{FieldError, Problem};
use uuid::Uuid;

use crate::bus::Command;
use crate::db::edits::SaveOptions;
use crate::db::queries::{DEFAULT_BREAK_MINUTES, ShiftFilter};
use crate::db::users::Role;
use crate::hours::{ListedHours, RowFigure, RowHours, listed_hours};
use crate::i18n::{Lang, Pick, field_label, region_name, weekday};
use crate::ui::ctx::Ctx;
use crate::ui::form::{self, FormErrors};
use crate::ui::widgets::{self, employee_combo, region_filter};

pub struct TimesheetsScreen {
    pub dirty: bool,
    shifts: Vec<Record<Shift>>,
    employees: Vec<Record<Employee>>,
    /// Employee names by id and the engine's figures of the listed shifts, worked out once per
    /// reload rather than on every frame.
    names: HashMap<String, String>,
    listed: ListedHours,
    templates: Vec<Record<ShiftTemplate>>,
    /// The break a new shift starts with: the region's setting (`Store::default_break`).
    break_default: i64,
    /// What copying last week would do, while the dialog asks: (copied, skipped).
    copy_preview: Option<(usize, usize)>,
    pub employee: Option<Uuid>,
    /// The list opens on the current month: a store holds years of shifts.
    range_set: bool,
    pub from: String,
    pub to: String,
    pub region_filter: Option<String>,
    filter_error: Option<String>,
    pub form: Option<ShiftForm>,
    pub hours: super::hours_panel::HoursPanel,
}

impl Default for TimesheetsScreen {
    fn default() -> Self {
        TimesheetsScreen {
            dirty: true,
            shifts: Vec::new(),
            employees: Vec::new(),
            names: HashMap::new(),
            listed: ListedHours::default(),
            templates: Vec::new(),
            break_default: DEFAULT_BREAK_MINUTES,
            copy_preview: None,
            employee: None,
            range_set: false,
            from: String::new(),
            to: String::new(),
            region_filter: None,
            filter_error: None,
            form: None,
            hours: Default::default(),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ShiftForm {
    pub id: Option<Uuid>,
    pub employee: Option<Uuid>,
    pub date: String,
    pub start: String,
    pub end: String,
    pub break_minutes: String,
    pub special_day: bool,
    pub note: String,
    pub errors: FormErrors,
    saving: bool,
    /// The delete dialog is open.
    deleting: bool,
    /// A new form puts the cursor where typing starts: the start time once the employee is
    /// known, else the employee (form::focus_once).
    focus: bool,
}

impl ShiftForm {
    fn new(employee: Option<Uuid>, today: NaiveDate, break_minutes: i64) -> Self {
        ShiftForm {
            employee,
            date: format_date(today),
            break_minutes: break_minutes.to_string(),
            focus: true,
            ..Default::default()
        }
    }

    fn edit(r: &Record<Shift>) -> Self {
        let s = &r.data;
        ShiftForm {
            id: Some(r.id),
            employee: Uuid::parse_str(&s.employee_id).ok(),
            date: parse_iso_date(&s.work_date).map(format_date).unwrap_or_default(),
            start: s.start_time.clone(),
            end: s.end_time.clone(),
            break_minutes: s.break_minutes.to_string(),
            special_day: s.special_day,
            note: s.note.clone().unwrap_or_default(),
            errors: FormErrors::default(),
            saving: false,
            deleting: false,
            focus: false,
        }
    }

    fn apply_template(&mut self, t: &ShiftTemplate) {
        self.start = t.start_time.clone();
        self.end = t.end_time.clone();
        self.break_minutes = t.break_minutes.to_string();
    }

    fn to_shift(&self) -> Result<Shift, FormErrors> {
        let mut errors = FormErrors::default();
        if self.employee.is_none() {
            errors.push("employee_id", Problem::Required);
        }
        let date = parse_user_date(&self.date).map_err(|p| errors.push("work_date", p)).ok();
        let start = parse_user_time(&self.start).map_err(|p| errors.push("start_time", p)).ok();
        let end = parse_user_time(&self.end).map_err(|p| errors.push("end_time", p)).ok();
        let break_minutes = match self.break_minutes.trim() {
            "" => Some(0),
            b => b.parse::<i64>().map_err(|_| errors.push("break_minutes", Problem::ExpectedInteger)).ok(),
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let (Some(date), Some(start), Some(end), Some(break_minutes)) = (date, start, end, break_minutes)
        else {
            return Err(errors);
        };
        let note = self.note.trim();
        Ok(Shift {
            employee_id: self.employee.map(|e| e.to_string()).unwrap_or_default(),
            work_date: date.to_string(),
            start_time: rainstaff_core::time::format_hhmm(start),
            end_time: rainstaff_core::time::format_hhmm(end),
            break_minutes,
            special_day: self.special_day,
            note: (!note.is_empty()).then(|| note.to_string()),
        })
    }
}

impl TimesheetsScreen {
    pub fn saved(&mut self, table: &str, _id: Uuid) {
        if table == TIMESHEETS.name && self.form.as_ref().is_some_and(|f| f.saving) {
            // Keep the employee and date for fast entry of the next shift, and show the totals
            // of the period the saved shift is in.
            let form = self.form.as_ref().expect("checked above");
            if let Ok(date) = parse_user_date(&form.date) {
                self.hours.anchor = Some(date);
            }
            let next = ShiftForm {
                employee: form.employee,
                date: form.date.clone(),
                break_minutes: self.break_default.to_string(),
                focus: true,
                ..Default::default()
            };
            self.form = if form.id.is_some() { None } else { Some(next) };
        }
    }

    pub fn invalid(&mut self, table: &str, errors: &[FieldError]) {
        if table == TIMESHEETS.name
            && let Some(form) = &mut self.form
        {
            form.errors = FormErrors(errors.to_vec());
            form.saving = false;
        }
    }

    /// The list's filter, or why the dates typed above it make none (said about the field): a
    /// list of everything or of nothing would hide the typing mistake.
    fn filter(&self, ctx: &Ctx<'_>) -> Result<ShiftFilter, String> {
        let lang = ctx.lang;
        let (from, to) = form::date_range(
            lang,
            (lang.t("İlk gün", "From"), &self.from),
            (lang.t("Son gün", "To"), &self.to),
            lang.t("Son gün, ilk günden önce olamaz", "To cannot be before From"),
        )?;
        Ok(ShiftFilter {
            employee: self.employee,
            from,
            to,
            region: self.region_filter.clone().unwrap_or_else(|| ctx.user.region.clone()),
        })
    }

    fn reload(&mut self, ctx: &Ctx<'_>) {
        let filter = self.filter(ctx);
        self.filter_error = filter.as_ref().err().cloned();
        self.shifts = filter.map(|f| ctx.store.shifts(&f).unwrap_or_default()).unwrap_or_default();
        self.employees = ctx.store.employees(&ctx.user.region).unwrap_or_default();
        self.names = self.employees.iter().map(|e| (e.id.to_string(), e.data.full_name.clone())).collect();
        // The worked time payroll is paid from (the engine's, as in the totals and the workbook),
        // not end − start − the break typed: one figure on the whole screen.
        let calendar = ctx.store.calendar().unwrap_or_else(|_| rainstaff_core::hours::Calendar::builtin_tr());
        self.listed = listed_hours(&self.shifts, &self.employees, &calendar, |f| ctx.store.shifts(f).ok());
        self.templates = ctx.store.templates(&ctx.user.region).unwrap_or_default();
        let region = self.region_filter.as_deref().unwrap_or(&ctx.user.region);
        self.break_default = ctx.store.default_break(region).unwrap_or(DEFAULT_BREAK_MINUTES);
        self.hours.invalidate();
        self.dirty = false;
    }

    /// How many shifts the list holds.
    pub fn row_count(&self) -> usize {
        self.shifts.len()
    }

    fn employee_name(&self, id: &str) -> &str {
        self.names.get(id).map_or("?", String::as_str)
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if !self.range_set {
            self.range_set = true;
            let first = ctx.today.with_day(1).unwrap_or(ctx.today);
            let next = first.checked_add_months(chrono::Months::new(1)).unwrap_or(first);
            self.from = format_date(first);
            self.to = format_date(next - Duration::days(1));
            self.dirty = true;
        }
        if self.dirty {
            self.reload(ctx);
        }
        if ui.input_mut(|i| i.consume_key(egui::Modifiers::COMMAND, egui::Key::N)) {
            self.form = Some(ShiftForm::new(self.employee, ctx.today, self.break_default));
        }
        let mut refresh = false;
        ui.horizontal_wrapped(|ui| {
            ui.heading(lang.t("Puantaj", "Timesheets"));
            let l = ui.label(field_label(lang, "employee_id"));
            refresh |= employee_combo(ui, lang, "filter_employee", &self.employees, &mut self.employee, true)
                .labelled_by(l.id)
                .changed();
            for (label, value) in
                [(lang.t("İlk gün", "From"), &mut self.from), (lang.t("Son gün", "To"), &mut self.to)]
            {
                let l = ui.label(label);
                refresh |= ui
                    .add(egui::TextEdit::singleline(value).desired_width(90.0).hint_text("GG.AA.YYYY"))
                    .labelled_by(l.id)
                    .lost_focus();
            }
            if ctx.scope.has_choice() {
                refresh |= region_filter(ui, lang, ctx.scope.regions(), &mut self.region_filter);
            }
            if ui.button(lang.t("Yeni vardiya", "New shift")).clicked() {
                self.form = Some(ShiftForm::new(self.employee, ctx.today, self.break_default));
            }
            if ui.button(lang.t("Geçen haftayı kopyala…", "Copy last week…")).clicked() {
                // First what it would do: a whole week of shifts is not typed back by hand.
                ctx.send(self.copy_week(ctx, true));
            }
        });
        self.copy_dialog(ui, ctx);
        if let Some(e) = &self.filter_error {
            form::error_line(ui, e);
        }
        if ctx.user.role != Role::Staff {
            self.week_ui(ui, ctx);
        }
        if refresh {
            self.reload(ctx);
        }
        if self.form.is_some() {
            widgets::side_form(ui, "shift_form", |ui| self.form_ui(ui, ctx));
        }
        let selected = self.employee.and_then(|id| self.employees.iter().find(|e| e.id == id)).cloned();
        if let Some(employee) = selected {
            // Totals open on today's week when the list shows today, else on the list's first day.
            let listed = (parse_user_date(&self.from), parse_user_date(&self.to));
            let first_listed = match listed {
                (Ok(from), Ok(to)) if (from..=to).contains(&ctx.today) => ctx.today,
                (Ok(from), _) => from,
                _ => ctx.today,
            };
            // A good part of the window by default: the totals and "explain a day" are what the list
            // is for. (Of the window, not of what is left: the first frame may have little left.)
            let room = (ui.ctx().content_rect().height() * 0.42).max(220.0);
            egui::Panel::bottom("hours_panel").resizable(true).min_size(160.0).default_size(room).show(
                ui,
                |ui| {
                    // Filling the panel keeps its size: a panel that shrinks to its contents
                    // remembers the smaller size.
                    egui::ScrollArea::vertical()
                        .auto_shrink([false, false])
                        .show(ui, |ui| self.hours.ui(ui, ctx, &employee, first_listed));
                },
            );
        }
        widgets::wide_list(ui, "shift_list", |ui| self.table(ui, lang));
    }

    /// What "copy last week" has found it would copy: (copied, skipped).
    pub fn week_preview(&mut self, copied: usize, skipped: usize) {
        self.copy_preview = Some((copied, skipped));
    }

    /// Copying last week into this one, for the employee and region the list shows (the store
    /// copies only what this PC may write).
    fn copy_week(&self, ctx: &Ctx<'_>, preview: bool) -> Command {
        let monday = ctx.today - Duration::days(i64::from(ctx.today.weekday().num_days_from_monday()));
        Command::CopyLastWeek {
            region: self.region_filter.clone().unwrap_or_else(|| ctx.user.region.clone()),
            employee: self.employee,
            week_start: monday,
            preview,
        }
    }

    /// Says what copying last week would do, and does it once confirmed.
    fn copy_dialog(&mut self, ui: &Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let Some((copied, skipped)) = self.copy_preview else { return };
        let mut close = false;
        let response = egui::Modal::new(egui::Id::unique("copy_week")).show(ui.ctx(), |ui| {
            ui.set_min_width(380.0);
            ui.heading(lang.t("Geçen haftayı kopyala", "Copy last week"));
            ui.label(match lang {
                Lang::Tr => format!("Bu haftaya {copied} vardiya kopyalanacak, {skipped} vardiya atlanacak."),
                Lang::En => format!("{copied} shifts will be copied into this week, {skipped} skipped."),
            });
            ui.label(lang.t(
                "Atlananlar: bu haftadaki bir vardiyayla çakışanlar ve pasif personelinkiler.",
                "Skipped: those overlapping a shift of this week, and those of inactive people.",
            ));
            ui.horizontal(|ui| {
                if copied > 0 && ui.button(lang.t("Kopyala", "Copy")).clicked() {
                    ctx.send(self.copy_week(ctx, false));
                    close = true;
                }
                close |= ui.button(lang.t("Vazgeç", "Cancel")).clicked();
            });
        });
        if close || response.should_close() {
            self.copy_preview = None;
        }
    }

    /// The week the list starts in, and its approval: a manager's check on the way to the
    /// month-end lock, for one region at a time.
    fn week_ui(&self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let region = self.region_filter.clone().unwrap_or_else(|| ctx.user.region.clone());
        if region == ALL_REGIONS {
            return;
        }
        let day = parse_user_date(&self.from).unwrap_or(ctx.today);
        let iso = day.iso_week();
        let week = format!("{}-W{:02}", iso.year(), iso.week());
        ui.horizontal_wrapped(|ui| {
            let period = ctx.store.period(&region, &week).ok().flatten();
            let state = match &period {
                Some(p) => {
                    format!("{}: {}, {}", lang.t("onaylandı", "approved"), p.by, form::local_time(&p.at))
                }
                None => lang.t("onaylanmadı", "not approved").to_string(),
            };
            ui.label(format!("{} {week} ({}): {state}", lang.t("Hafta", "Week"), region_name(lang, &region)));
            if period.is_none() && ui.button(lang.t("Haftayı onayla", "Approve the week")).clicked() {
                ctx.send(Command::SetPeriod {
                    region,
                    period: week.clone(),
                    state: "approved",
                    reason: None,
                });
            }
        });
    }

    fn table(&mut self, ui: &mut Ui, lang: Lang) {
        let mut clicked = None;
        let total = i64::from(self.listed.total_worked);
        ui.label(format!(
            "{} {} · {} {}",
            self.shifts.len(),
            lang.t("vardiya", "shifts"),
            lang.t("toplam çalışma", "total worked"),
            format_duration(total)
        ));
        if self.shifts.is_empty() && self.filter_error.is_none() {
            ui.label(lang.t(
                "Bu tarihlerde ve süzgeçlerle vardiya yok: tarihleri genişletin, başka personel seçin ya da «Yeni vardiya» ile ekleyin.",
                "No shifts on these days with these filters: widen the dates, pick someone else or add one with «New shift».",
            ));
        }
        TableBuilder::new(ui)
            .striped(true)
            .column(Column::auto().at_least(90.0))
            .column(Column::auto().at_least(40.0))
            .column(Column::remainder().at_least(160.0))
            .columns(Column::auto().at_least(55.0), 4)
            .column(Column::initial(240.0).at_least(120.0).clip(true))
            .column(Column::auto().at_least(50.0))
            .column(Column::auto().at_least(120.0))
            .header(22.0, |mut header| {
                for label in [
                    lang.t("Tarih", "Date"),
                    lang.t("Gün", "Day"),
                    lang.t("Personel", "Employee"),
                    lang.t("Başlangıç", "Start"),
                    lang.t("Bitiş", "End"),
                    lang.t("Mola", "Break"),
                    lang.t("Çalışma", "Worked"),
                    lang.t("Hesap notu", "Adjusted"),
                    lang.t("Özel", "Special"),
                    lang.t("Not", "Note"),
                ] {
                    header.col(|ui| {
                        ui.strong(label);
                    });
                }
            })
            .body(|body| {
                body.rows(22.0, self.shifts.len(), |mut row| {
                    let index = row.index();
                    let s = &self.shifts[index];
                    let date = parse_iso_date(&s.data.work_date).ok();
                    row.col(|ui| {
                        let mut text = RichText::new(date.map(format_date).unwrap_or_default());
                        if s.sync_error.is_some() {
                            text = text.color(form::ERROR_COLOR);
                        }
                        let r = ui.add(egui::Label::new(text).sense(egui::Sense::click()));
                        if let Some(err) = &s.sync_error {
                            r.clone().on_hover_text(crate::message::record_mark_text(lang, err));
                        }
                        if r.clicked() {
                            clicked = Some(index);
                        }
                    });
                    row.col(|ui| {
                        ui.label(date.map_or("", |d| weekday(lang, d)));
                    });
                    row.col(|ui| {
                        ui.label(self.employee_name(&s.data.employee_id));
                    });
                    row.col(|ui| {
                        ui.label(&s.data.start_time);
                    });
                    row.col(|ui| {
                        if s.data.ends_next_day() {
                            ui.label(format!("{} +1", s.data.end_time)).on_hover_text(lang.t(
                                "Ertesi gün biter",
                                "Ends the next day",
                            ));
                        } else {
                            ui.label(&s.data.end_time);
                        }
                    });
                    row.col(|ui| {
                        ui.label(s.data.break_minutes.to_string());
                    });
                    let figure = self.listed.rows.get(index).unwrap_or(&RowFigure::Uncounted);
                    row.col(|ui| match figure {
                        RowFigure::Day(h) => {
                            ui.label(format_duration(i64::from(h.worked)));
                        }
                        RowFigure::SameDate => {
                            ui.weak("—").on_hover_text(lang.t(
                                "Bu tarihin süresi personelin o günkü ilk vardiyasında",
                                "This date's time is on the employee's first shift of the day",
                            ));
                        }
                        RowFigure::Uncounted => {
                            ui.weak("—").on_hover_text(lang.t(
                                "Bu tarihte sayılmadı: önceki günün vardiyasına bağlandı ya da hesaplanamadı",
                                "Not counted on this date: joined to the previous day's shift, or not computable",
                            ));
                        }
                    });
                    row.col(|ui| {
                        if let RowFigure::Day(h) = figure {
                            let text = calculation_note(lang, h);
                            if !text.is_empty() {
                                ui.add(egui::Label::new(RichText::new(&text).weak()).truncate())
                                    .on_hover_text(text);
                            }
                        }
                    });
                    row.col(|ui| {
                        ui.label(if s.data.special_day { lang.t("Evet", "Yes") } else { "" });
                    });
                    row.col(|ui| {
                        ui.add(egui::Label::new(s.data.note.as_deref().unwrap_or("")).truncate());
                    });
                });
            });
        if let Some(i) = clicked {
            self.form = Some(ShiftForm::edit(&self.shifts[i]));
        }
    }

    fn form_ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let employees = &self.employees;
        let templates = &self.templates;
        let Some(form) = &mut self.form else { return };
        ui.heading(if form.id.is_some() {
            lang.t("Vardiyayı düzenle", "Edit shift")
        } else {
            lang.t("Yeni vardiya", "New shift")
        });
        ui.horizontal_wrapped(|ui| {
            for t in templates {
                let label = format!("{} {}–{}", t.data.name, t.data.start_time, t.data.end_time);
                if ui.button(label).on_hover_text(lang.t("Şablonu uygula", "Apply template")).clicked() {
                    form.apply_template(&t.data);
                }
            }
        });
        egui::Grid::new("shift_grid").num_columns(2).show(ui, |ui| {
            let l = |f: &str| field_label(lang, f);
            let e = |f: &str| form.errors.message(f, lang);
            let employee = form::row(ui, l("employee_id"), e("employee_id"), |ui| {
                employee_combo(ui, lang, "form_employee", employees, &mut form.employee, false)
            });
            form::date(ui, lang, l("work_date"), &mut form.date, e("work_date"), ctx.today);
            let start = form::text(ui, l("start_time"), &mut form.start, e("start_time"));
            form::focus_once(if form.employee.is_some() { &start } else { &employee }, &mut form.focus);
            form::text(ui, l("end_time"), &mut form.end, e("end_time"));
            form::text(ui, l("break_minutes"), &mut form.break_minutes, e("break_minutes"));
            form::row(ui, l("special_day"), e("special_day"), |ui| ui.checkbox(&mut form.special_day, ""));
            form::text(ui, l("note"), &mut form.note, e("note"));
        });
        if let (Ok(s), Ok(e)) = (parse_user_time(&form.start), parse_user_time(&form.end))
            && e < s
        {
            ui.label(RichText::new(lang.t("Bitiş ertesi gün", "Ends the next day")).weak());
        }
        for other in form.errors.other_than(
            &["employee_id", "work_date", "start_time", "end_time", "break_minutes", "special_day", "note"],
            lang,
        ) {
            form::error_line(ui, &other);
        }
        let actions = form::actions(ui, lang, lang.t("Kaydet", "Save"), form.id.is_some());
        form.deleting |= actions.delete;
        if form.deleting
            && let Some(id) = form.id
        {
            let name = form.employee.and_then(|e| employees.iter().find(|r| r.id == e));
            let what = format!(
                "{} · {} · {}–{}",
                name.map_or("", |r| r.data.full_name.as_str()),
                form.date,
                form.start,
                form.end
            );
            if let Some(confirmed) = form::confirm_delete(ui, lang, &what, &[form::undo_note(lang)]) {
                form.deleting = false;
                if confirmed {
                    ctx.send(Command::Delete { table: &TIMESHEETS, id });
                    form.saving = true;
                }
            }
        }
        if actions.cancel {
            self.form = None;
            return;
        }
        if actions.save {
            match form.to_shift() {
                Err(errors) => form.errors = errors,
                Ok(shift) => {
                    let region = employees
                        .iter()
                        .find(|e| Some(e.id) == form.employee)
                        .map(|e| e.region.clone())
                        .unwrap_or_default();
                    form.errors = FormErrors::default();
                    form.saving = true;
                    ctx.send(Command::Save {
                        table: &TIMESHEETS,
                        id: form.id,
                        region,
                        fields: fields_of(&shift),
                        options: SaveOptions::default(),
                    });
                }
            }
        }
    }
}

/// Beside the engine's worked time: how many shifts it covers (a day's, or one continued past
/// midnight), and why it is not what was typed.
fn calculation_note(lang: Lang, h: &RowHours) -> String {
    let together = (h.shifts > 1).then(|| match lang {
        Lang::Tr => format!("{} vardiya birlikte", h.shifts),
        Lang::En => format!("{} shifts together", h.shifts),
    });
    let why = h.adjusted.as_ref().map(|a| a.text(lang));
    together.into_iter().chain(why).collect::<Vec<_>>().join(" · ")
}
