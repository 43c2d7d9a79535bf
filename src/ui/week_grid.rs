//! Haftalık giriş: a region's week as a spreadsheet. Rows are its people, columns Monday to
//! Sunday; a cell takes the day's shifts as the office types them (`rainstaff_core::shift_text`).
//! Tab and the arrow keys move between cells; Enter saves the row in one transaction
//! (`Store::save_week_row`) and goes down a row, to the day its typing began. A cell that is not
//! a shift, or that the store refused, is red with the reason. The engine's worked time of what
//! is typed shows per row and per day as it is typed. "Fill from last week" types last week's
//! shifts into the empty cells, where they wait, marked, for a save: the grid is its own preview.
//! A cell also takes a one-day leave by its puantaj letter (Yİ, R, Üİ, D…), which replaces the
//! day's shifts when the row is saved; a day inside a longer leave shows its letter and is
//! changed on the İzinler screen, which the cell opens.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use egui::{Color32, Key, Modifiers, RichText, Ui};
use rainstaff_core::hours::Calendar;
use rainstaff_core::leave::{Leave, LeaveKind, Span};
use rainstaff_core::model::{Employee, Record, Shift};
use rainstaff_core::payroll::{employee_report, week_start};
use rainstaff_core::puantaj::Letters;
use rainstaff_core::schema::LEAVES;
use rainstaff_core::shift_text::{CellError, CodedTemplate, DayEntry, TypedShift, parse_day};
use rainstaff_core::time::{format_date, format_duration, format_hhmm, parse_hhmm, parse_iso_date};
use uuid::Uuid;

use crate::bus::{Command, Topic};
use crate::db::queries::{DEFAULT_BREAK_MINUTES, ShiftFilter};
use crate::db::week::{DayCell, DayError};
use crate::i18n::{Lang, Pick, field_label, weekday};
use crate::ui::ctx::{Ctx, Goto};
use crate::ui::form::ERROR_COLOR;
use crate::ui::widgets::{self, region_combo};

const DAYS: usize = 7;
const CELL_WIDTH: f32 = 106.0;
/// A cell typed and not saved yet, and a red one: tints, so the theme's text stays readable on
/// them in the dark and the light theme alike.
const UNSAVED: Color32 = Color32::from_rgba_unmultiplied_const(0xe6, 0xb4, 0x00, 0x50);
const REFUSED: Color32 = Color32::from_rgba_unmultiplied_const(0xe0, 0x30, 0x30, 0x70);
/// A day on leave, so that a week's absences stand out from its empty days.
const ON_LEAVE: Color32 = Color32::from_rgba_unmultiplied_const(0x30, 0x90, 0xe0, 0x50);
/// The most refusals listed above the grid; the cells show the rest on hover.
const LISTED_ERRORS: usize = 8;

/// A row's cells, one per day.
type Cells = [String; DAYS];
/// The store's refusal of each day of a row: the text it refused and why.
type Refusals = [Option<(String, String)>; DAYS];

#[derive(Default)]
pub struct WeekGridScreen {
    pub dirty: bool,
    /// Monday of the week shown; None until the first frame opens on this week.
    week: Option<NaiveDate>,
    region: String,
    rows: Vec<GridRow>,
    templates: Vec<CodedTemplate>,
    default_break: i64,
    calendar: Option<Calendar>,
    letters: Letters,
    /// What the last "fill from last week" did.
    notice: Option<String>,
    /// The cell to take the keyboard on the next frame: (row, day).
    focus: Option<(usize, usize)>,
}

struct GridRow {
    employee: Record<Employee>,
    /// Each day's stored shifts, by start time.
    stored: [Vec<Record<Shift>>; DAYS],
    /// Each day's stored leave, if one covers it.
    leaves: [Option<DayLeave>; DAYS],
    /// Each day's stored shifts (or leave letter) as a cell writes them.
    original: Cells,
    cells: Cells,
    /// Shown until the cell changes.
    refused: Refusals,
    saving: bool,
    /// The shifts of the days either side of the week: the engine joins a shift continued past
    /// midnight to its start.
    around: Vec<Record<Shift>>,
    /// The engine's worked minutes of the cells as they were when computed.
    figures: Option<(Cells, Figures)>,
}

/// The stored leave covering a day of a row.
#[derive(Clone)]
struct DayLeave {
    id: Uuid,
    kind: LeaveKind,
    first: NaiveDate,
    last: NaiveDate,
}

impl DayLeave {
    /// A leave of one day is typed and changed in its cell; a longer one on the İzinler screen.
    fn in_cell(&self) -> bool {
        self.first == self.last
    }
}

/// Worked minutes per day (None: the cell is not a shift yet) and for the week.
#[derive(Clone, Copy, Default)]
struct Figures {
    days: [Option<u32>; DAYS],
    week: Option<u32>,
}

impl GridRow {
    fn changed(&self) -> bool {
        self.cells != self.original
    }
}

impl WeekGridScreen {
    fn monday(&self) -> NaiveDate {
        self.week.unwrap_or(NaiveDate::MIN)
    }

    fn date(&self, day: usize) -> NaiveDate {
        self.monday() + Duration::days(day as i64)
    }

    /// Reads the week again, keeping what is typed and not saved in the rows of the same people.
    fn reload(&mut self, ctx: &Ctx<'_>) {
        self.dirty = false;
        let monday = self.monday();
        let typed: HashMap<Uuid, (Cells, Refusals, bool)> = self
            .rows
            .drain(..)
            .filter(|r| r.changed())
            .map(|r| (r.employee.id, (r.cells, r.refused, r.saving)))
            .collect();
        self.templates = ctx
            .store
            .templates(&self.region)
            .unwrap_or_default()
            .into_iter()
            .filter_map(|t| {
                let code = t.data.short_code.filter(|c| !c.is_empty())?;
                Some(CodedTemplate {
                    code,
                    start: parse_hhmm(&t.data.start_time).ok()?,
                    end: parse_hhmm(&t.data.end_time).ok()?,
                    break_minutes: t.data.break_minutes,
                })
            })
            .collect();
        self.default_break = ctx.store.default_break(&self.region).unwrap_or(DEFAULT_BREAK_MINUTES);
        self.calendar = ctx.store.calendar().ok();
        self.letters = ctx.store.puantaj_letters().unwrap_or_default();
        let sunday = monday + Duration::days(DAYS as i64 - 1);
        let mut leaves_of: HashMap<String, Vec<Record<Leave>>> = HashMap::new();
        for leave in ctx.store.leaves(&self.region, None, Some(monday), Some(sunday)).unwrap_or_default() {
            leaves_of.entry(leave.data.employee_id.clone()).or_default().push(leave);
        }
        let shifts = ctx
            .store
            .shifts(&ShiftFilter {
                employee: None,
                from: Some(monday - Duration::days(1)),
                to: Some(monday + Duration::days(DAYS as i64)),
                region: self.region.clone(),
            })
            .unwrap_or_default();
        let mut by_person: HashMap<String, Vec<Record<Shift>>> = HashMap::new();
        for s in shifts {
            by_person.entry(s.data.employee_id.clone()).or_default().push(s);
        }
        let employees = ctx.store.employees(&self.region).unwrap_or_default();
        for employee in employees.into_iter().filter(|e| e.region == self.region) {
            let mut shifts = by_person.remove(&employee.id.to_string()).unwrap_or_default();
            shifts.sort_by(|a, b| {
                (&a.data.work_date, &a.data.start_time).cmp(&(&b.data.work_date, &b.data.start_time))
            });
            let mut stored: [Vec<Record<Shift>>; DAYS] = Default::default();
            let mut around = Vec::new();
            for s in shifts {
                let day = parse_iso_date(&s.data.work_date).map(|d| (d - monday).num_days());
                match day {
                    Ok(d @ 0..7) => stored[d as usize].push(s),
                    _ => around.push(s),
                }
            }
            let leaves = day_leaves(monday, &leaves_of.remove(&employee.id.to_string()).unwrap_or_default());
            // A person who left still shows where the week holds their shifts.
            if !employee.data.active && stored.iter().all(Vec::is_empty) && leaves.iter().all(Option::is_none)
            {
                continue;
            }
            // A day worked inside a leave shows its shifts, as the puantaj does (the worked day wins).
            let original: Cells = std::array::from_fn(|day| match &leaves[day] {
                Some(leave) if stored[day].is_empty() => self.letters.get(leave.kind.stored()).to_string(),
                _ => self.cell_text(&stored[day]),
            });
            let (cells, refused, saving) =
                typed.get(&employee.id).cloned().unwrap_or((original.clone(), Default::default(), false));
            self.rows.push(GridRow {
                employee,
                stored,
                leaves,
                original,
                cells,
                refused,
                saving,
                around,
                figures: None,
            });
        }
    }

    /// Stored shifts as a cell shows them.
    fn cell_text(&self, shifts: &[Record<Shift>]) -> String {
        shifts
            .iter()
            .filter_map(|s| {
                Some(TypedShift {
                    start: parse_hhmm(&s.data.start_time).ok()?,
                    end: parse_hhmm(&s.data.end_time).ok()?,
                    break_minutes: s.data.break_minutes,
                })
            })
            .map(|s| s.text(self.default_break))
            .collect::<Vec<_>>()
            .join(" + ")
    }

    fn parse(&self, cell: &str) -> Result<DayEntry, CellError> {
        parse_day(cell, &self.templates, self.default_break, &self.letters)
    }

    /// The one-day leave a cell shows by its letter, which what is typed there replaces.
    fn leave_in_cell(r: &GridRow, day: usize) -> Option<&DayLeave> {
        r.leaves[day].as_ref().filter(|l| l.in_cell() && r.stored[day].is_empty())
    }

    /// The engine's figures of a row as typed, worked out again only when a cell changed.
    fn figures(&mut self, row: usize) -> Figures {
        let r = &self.rows[row];
        if let Some((cells, figures)) = &r.figures
            && *cells == r.cells
        {
            return *figures;
        }
        let mut shifts = r.around.clone();
        let mut figures = Figures::default();
        for day in 0..DAYS {
            let date = self.date(day);
            if r.cells[day] == r.original[day] {
                shifts.extend(r.stored[day].iter().cloned());
                figures.days[day] = Some(0);
            } else if let Ok(entry) = self.parse(&r.cells[day]) {
                if let DayEntry::Shifts(typed) = entry {
                    shifts.extend(typed.iter().map(|t| typed_record(&r.employee, date, t)));
                }
                figures.days[day] = Some(0);
            }
        }
        let report = self.calendar.as_ref().map(|c| employee_report(&r.employee, &shifts, c));
        match report {
            Some(Ok(report)) => {
                for d in report.days {
                    let day = (d.date - self.monday()).num_days();
                    if let Ok(day @ 0..7) = usize::try_from(day)
                        && let Some(worked) = &mut figures.days[day]
                    {
                        *worked += d.worked;
                    }
                }
                figures.week = Some(figures.days.iter().flatten().sum());
            }
            _ => figures.days = [None; DAYS],
        }
        self.rows[row].figures = Some((self.rows[row].cells.clone(), figures));
        figures
    }

    /// The save of row `row`, or None when it has no change or a cell that is not a shift
    /// (shown red already).
    fn save_command(&mut self, row: usize) -> Option<Command> {
        let r = &self.rows[row];
        if !r.changed() || r.saving {
            return None;
        }
        let mut days = Vec::new();
        for day in 0..DAYS {
            if r.cells[day] == r.original[day] {
                continue;
            }
            let typed = self.parse(&r.cells[day]).ok()?;
            let stored_leave = Self::leave_in_cell(r, day);
            // "yi" over a stored Yİ is the same leave: saving it again would only drop its approval.
            if stored_leave.is_some_and(|l| typed == DayEntry::Leave(l.kind)) {
                continue;
            }
            days.push(DayCell {
                date: self.date(day),
                stored: r.stored[day].iter().map(|s| s.id).collect(),
                stored_leave: stored_leave.map(|l| l.id),
                typed,
            });
        }
        self.rows[row].saving = true;
        Some(Command::SaveWeekRow { region: self.region.clone(), employee: self.rows[row].employee.id, days })
    }

    /// The worker's answer to a row's save: on success the row takes the stored shifts at the
    /// reload that follows; a refusal marks its days.
    pub fn row_saved(&mut self, lang: Lang, employee: Uuid, result: &Result<usize, Vec<DayError>>) {
        let monday = self.monday();
        let Some(row) = self.rows.iter_mut().find(|r| r.employee.id == employee) else { return };
        row.saving = false;
        match result {
            Ok(_) => {
                row.original = row.cells.clone();
                row.refused = Default::default();
            }
            Err(errors) => {
                for e in errors {
                    let Ok(day @ 0..7) = usize::try_from((e.date - monday).num_days()) else { continue };
                    let field = field_label(lang, &e.error.field);
                    let message = format!("{field}: {}", e.error.message(lang));
                    let text = row.cells[day].clone();
                    row.refused[day] = Some(match row.refused[day].take() {
                        Some((_, before)) if !before.contains(&message) => {
                            (text, format!("{before}; {message}"))
                        }
                        _ => (text, message),
                    });
                }
            }
        }
    }

    /// A save that failed without an answer of its own (the store could not be written, or the
    /// PC may not write the region): the rows may be saved again, their text kept.
    pub fn failed(&mut self, topic: Topic) {
        if topic == Topic::Records {
            for row in &mut self.rows {
                row.saving = false;
            }
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if self.week.is_none() {
            self.week = Some(week_start(ctx.today));
            self.region = ctx.scope.default_region();
            self.dirty = true;
        }
        if self.dirty {
            self.reload(ctx);
        }
        let unsaved = self.rows.iter().filter(|r| r.changed()).count();
        self.header(ui, ctx, unsaved);
        ui.label(
            RichText::new(lang.t(
                "Hücreye 8.30-18, 830-1800, 22-6, molasıyla 08:30-18:00/45 ya da bir şablonun kısa kodunu yazın; \
                 bir günün iki vardiyası + ile; bir günlük izin için harfini (Yİ, R, Üİ, D…). Tab ve oklar hücre değiştirir, \
                 Enter satırı kaydeder, Esc hücreyi geri alır.",
                "Type 8.30-18, 830-1800, 22-6, 08:30-18:00/45 with its break, or a template's short code; two shifts \
                 of a day joined by +; a one-day leave by its letter (Yİ, R, Üİ, D…). Tab and the arrows move between \
                 cells, Enter saves the row, Esc undoes the cell.",
            ))
            .weak(),
        );
        if let Some(notice) = &self.notice {
            ui.label(notice);
        }
        // Below the grid, so that the cells do not move under the pointer as errors come and go.
        let errors = self.error_lines(lang);
        if !errors.is_empty() {
            egui::Panel::bottom("week_errors").show(ui, |ui| {
                for line in errors.iter().take(LISTED_ERRORS) {
                    ui.label(RichText::new(line).color(ERROR_COLOR));
                }
                if errors.len() > LISTED_ERRORS {
                    ui.label(
                        RichText::new(format!("… +{}", errors.len() - LISTED_ERRORS)).color(ERROR_COLOR),
                    );
                }
            });
        }
        if self.rows.is_empty() {
            widgets::empty_list(
                ui,
                lang,
                0,
                lang.t(
                    "Bu bölgede etkin personel yok: önce Personel ekranından ekleyin.",
                    "This region has no active employees: add them on the Employees screen first.",
                ),
            );
            return;
        }
        egui::ScrollArea::both().id_salt("week_grid").auto_shrink([false, false]).show(ui, |ui| {
            egui::Grid::new("week_grid_cells")
                .striped(true)
                .spacing([6.0, 4.0])
                .min_col_width(CELL_WIDTH)
                .show(ui, |ui| self.grid(ui, ctx));
        });
    }

    fn header(&mut self, ui: &mut Ui, ctx: &Ctx<'_>, unsaved: usize) {
        let lang = ctx.lang;
        let monday = self.monday();
        ui.horizontal_wrapped(|ui| {
            ui.heading(lang.t("Haftalık giriş", "Week entry"));
            // Another week or region would leave what is typed behind: save it or drop it first.
            let free = unsaved == 0;
            let region = self.region.clone();
            let l = ui.label(lang.t("Bölge:", "Region:"));
            region_combo(ui, ctx, ctx.scope.regions(), &mut self.region, free).labelled_by(l.id);
            if self.region != region {
                self.dirty = true;
            }
            let mut go = |ui: &mut Ui, label: &str, to: NaiveDate| {
                let button = ui.add_enabled(free, egui::Button::new(label)).on_disabled_hover_text(
                    lang.t("Önce kaydedin ya da değişikliklerden vazgeçin", "Save or drop the changes first"),
                );
                if button.clicked() && to != monday {
                    self.week = Some(to);
                    self.notice = None;
                    self.dirty = true;
                }
            };
            go(ui, lang.t("Önceki hafta", "Previous week"), monday - Duration::days(7));
            ui.strong(format!("{} – {}", format_date(monday), format_date(monday + Duration::days(6))));
            go(ui, lang.t("Sonraki hafta", "Next week"), monday + Duration::days(7));
            go(ui, lang.t("Bu hafta", "This week"), week_start(ctx.today));
            if ui.button(lang.t("Geçen haftadan doldur", "Fill from last week")).clicked() {
                self.fill_from_last_week(ctx);
            }
            if ui.add_enabled(!free, egui::Button::new(lang.t("Tümünü kaydet", "Save all"))).clicked() {
                for row in 0..self.rows.len() {
                    if let Some(command) = self.save_command(row) {
                        ctx.send(command);
                    }
                }
            }
            if ui
                .add_enabled(!free, egui::Button::new(lang.t("Değişikliklerden vazgeç", "Drop the changes")))
                .clicked()
            {
                for row in &mut self.rows {
                    row.cells = row.original.clone();
                    row.refused = Default::default();
                }
                self.notice = None;
            }
            if !free {
                ui.label(
                    RichText::new(format!("{unsaved} {}", lang.t("satır kaydedilmedi", "rows not saved")))
                        .color(ERROR_COLOR),
                );
            }
        });
    }

    /// Types last week's shifts into this week's empty cells of the people still active, to be
    /// looked over and saved row by row (or all at once).
    fn fill_from_last_week(&mut self, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let monday = self.monday();
        let last = ctx
            .store
            .shifts(&ShiftFilter {
                employee: None,
                from: Some(monday - Duration::days(7)),
                to: Some(monday - Duration::days(1)),
                region: self.region.clone(),
            })
            .unwrap_or_default();
        let mut by_cell: HashMap<(String, i64), Vec<Record<Shift>>> = HashMap::new();
        for s in last {
            if let Ok(d) = parse_iso_date(&s.data.work_date) {
                by_cell.entry((s.data.employee_id.clone(), (d - monday).num_days() + 7)).or_default().push(s);
            }
        }
        let mut filled = 0;
        for row in 0..self.rows.len() {
            for day in 0..DAYS {
                let r = &self.rows[row];
                let key = (r.employee.id.to_string(), day as i64);
                let Some(mut shifts) = by_cell.remove(&key) else { continue };
                if !r.employee.data.active || !r.cells[day].trim().is_empty() || !r.stored[day].is_empty() {
                    continue;
                }
                shifts.sort_by(|a, b| a.data.start_time.cmp(&b.data.start_time));
                self.rows[row].cells[day] = self.cell_text(&shifts);
                filled += 1;
            }
        }
        self.notice = Some(match lang {
            Lang::Tr => format!(
                "Geçen haftadan {filled} hücre dolduruldu (sarı): henüz kaydedilmedi; gözden geçirip satırlarda Enter'a ya da «Tümünü kaydet»e basın."
            ),
            Lang::En => format!(
                "{filled} cells filled from last week (yellow): not saved yet; look them over and press Enter on the rows or «Save all»."
            ),
        });
    }

    /// The red cells' reasons in words, where they are read without hovering.
    fn error_lines(&self, lang: Lang) -> Vec<String> {
        let mut lines = Vec::new();
        for r in &self.rows {
            for day in 0..DAYS {
                if let Some(error) = self.cell_error(lang, r, day) {
                    lines.push(format!(
                        "{} · {}: {error}",
                        r.employee.data.full_name,
                        day_label(lang, self.date(day))
                    ));
                }
            }
        }
        lines
    }

    /// Why a cell is red: not a shift as typed, or refused by the store as it still reads.
    fn cell_error(&self, lang: Lang, r: &GridRow, day: usize) -> Option<String> {
        match self.parse(&r.cells[day]) {
            Err(e) => Some(format!("«{}»: {}", e.piece, e.problem.message(lang))),
            Ok(_) => {
                r.refused[day].as_ref().filter(|(text, _)| *text == r.cells[day]).map(|(_, m)| m.clone())
            }
        }
    }

    fn grid(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        ui.strong(lang.t("Personel", "Employee"));
        for day in 0..DAYS {
            let date = self.date(day);
            ui.strong(day_label(lang, date));
        }
        ui.strong(lang.t("Toplam", "Total"));
        ui.end_row();
        let mut day_totals = [0u32; DAYS];
        let mut week_total = 0;
        for row in 0..self.rows.len() {
            let figures = self.figures(row);
            let r = &self.rows[row];
            let mut name = RichText::new(&r.employee.data.full_name);
            if !r.employee.data.active {
                name = name.weak();
            }
            ui.label(name);
            for (day, total) in day_totals.iter_mut().enumerate() {
                self.cell(ui, ctx, row, day);
                *total += figures.days[day].unwrap_or(0);
            }
            week_total += figures.week.unwrap_or(0);
            let r = &self.rows[row];
            ui.horizontal(|ui| {
                ui.label(figures.week.map_or("—".into(), |m| format_duration(i64::from(m))));
                if r.saving {
                    ui.weak(lang.t("kaydediliyor…", "saving…"));
                }
            });
            ui.end_row();
        }
        ui.strong(lang.t("Günlük toplam", "Day total"));
        for total in day_totals {
            ui.strong(format_duration(i64::from(total)));
        }
        ui.strong(format_duration(i64::from(week_total)));
        ui.end_row();
    }

    /// One cell: its text field, coloured by what it holds, and the keys that leave it.
    fn cell(&mut self, ui: &mut Ui, ctx: &Ctx<'_>, row: usize, day: usize) {
        let lang = ctx.lang;
        let date = self.date(day);
        let label = format!("{} · {}", self.rows[row].employee.data.full_name, day_label(lang, date));
        if let Some(leave) = self.rows[row].leaves[day].as_ref().filter(|l| !l.in_cell()) {
            let response = long_leave_cell(ui, ctx, &self.rows[row].cells[day], leave, &label);
            // The keyboard passes through it as through any cell: an arrow from a text cell
            // lands here, and egui moves a button's focus on by the arrows itself.
            if self.focus == Some((row, day)) {
                response.request_focus();
                self.focus = None;
            }
            return;
        }
        let error = self.cell_error(lang, &self.rows[row], day);
        let on_leave = matches!(self.parse(&self.rows[row].cells[day]), Ok(DayEntry::Leave(_)));
        let r = &mut self.rows[row];
        let id = egui::Id::unique(("week_cell", r.employee.id, day));
        let changed = r.cells[day] != r.original[day];
        let mut edit = egui::TextEdit::singleline(&mut r.cells[day]).id(id).desired_width(CELL_WIDTH);
        if error.is_some() {
            edit = edit.background_color(REFUSED);
        } else if changed {
            edit = edit.background_color(UNSAVED);
        } else if on_leave {
            edit = edit.background_color(ON_LEAVE);
        }
        let output = edit.show(ui);
        let mut response = output.response.response;
        let text = r.cells[day].clone();
        response.widget_info(|| {
            let mut info = egui::WidgetInfo::text_edit(true, &text, &text, "");
            info.label = Some(label.clone());
            info
        });
        if let Some(error) = &error {
            response = response.on_hover_text(error);
        }
        if self.focus == Some((row, day)) {
            response.request_focus();
            self.focus = None;
        }
        let chars = text.chars().count();
        let cursor = output.cursor_range.map(|c| c.primary.index.0);
        let leaving = |key| ui.input_mut(|i| i.consume_key(Modifiers::NONE, key));
        let rows = self.rows.len();
        if response.lost_focus() && ui.input(|i| i.key_pressed(Key::Escape)) {
            let r = &mut self.rows[row];
            r.cells[day] = r.original[day].clone();
        } else if response.lost_focus() && leaving(Key::Enter) {
            // A row with a cell that is not a shift stays, on that cell: nothing of it is saved.
            let red = (0..DAYS).find(|&d| self.parse(&self.rows[row].cells[d]).is_err());
            match red {
                Some(red) => self.focus = Some((row, red)),
                None => {
                    // As in a spreadsheet, the next row starts where this row's typing began.
                    let r = &self.rows[row];
                    let began = (0..DAYS).find(|&d| r.cells[d] != r.original[d]).unwrap_or(day);
                    if let Some(command) = self.save_command(row) {
                        ctx.send(command);
                    }
                    self.focus = Some(((row + 1).min(rows - 1), began));
                }
            }
        } else if response.has_focus() {
            if row > 0 && leaving(Key::ArrowUp) {
                self.focus = Some((row - 1, day));
            } else if row + 1 < rows && leaving(Key::ArrowDown) {
                self.focus = Some((row + 1, day));
            } else if day > 0 && cursor == Some(0) && leaving(Key::ArrowLeft) {
                self.focus = Some((row, day - 1));
            } else if day + 1 < DAYS && cursor == Some(chars) && leaving(Key::ArrowRight) {
                self.focus = Some((row, day + 1));
            }
        }
    }
}

/// The leave covering each day of the week of `monday`, of one person's `leaves`.
fn day_leaves(monday: NaiveDate, leaves: &[Record<Leave>]) -> [Option<DayLeave>; DAYS] {
    std::array::from_fn(|day| {
        let date = monday + Duration::days(day as i64);
        leaves.iter().find_map(|l| {
            let span = Span::of(&l.data).filter(|s| s.contains(date))?;
            Some(DayLeave { id: l.id, kind: span.kind, first: span.first, last: span.last })
        })
    })
}

/// A day inside a leave of several days: its letter, the leave on hover, and a click that opens
/// the leave on the İzinler screen, where such a leave is changed as a whole.
fn long_leave_cell(
    ui: &mut Ui,
    ctx: &Ctx<'_>,
    letter: &str,
    leave: &DayLeave,
    label: &str,
) -> egui::Response {
    let lang = ctx.lang;
    let button = egui::Button::new(letter).fill(ON_LEAVE).min_size(egui::vec2(CELL_WIDTH, 0.0));
    let response = ui.add(button);
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, label));
    let hover = format!(
        "{} {}–{}: {}",
        leave.kind.label().get(lang),
        format_date(leave.first),
        format_date(leave.last),
        lang.t("İzinler ekranında değiştirilir (tıklayın).", "changed on the Leave screen (click)."),
    );
    let response = response.on_hover_text(hover);
    if response.clicked() {
        ctx.goto(Goto::Record { table: LEAVES.name, id: leave.id });
    }
    response
}

/// A column's day as the header, the cells and the error lines name it: "Sal 03.03".
fn day_label(lang: Lang, date: NaiveDate) -> String {
    format!("{} {}", weekday(lang, date), date.format("%d.%m"))
}

/// A typed shift as the engine reads a stored one.
fn typed_record(employee: &Record<Employee>, date: NaiveDate, t: &TypedShift) -> Record<Shift> {
    Record {
        id: Uuid::nil(),
        region: employee.region.clone(),
        data: Shift {
            employee_id: employee.id.to_string(),
            work_date: date.to_string(),
            start_time: format_hhmm(t.start),
            end_time: format_hhmm(t.end),
            break_minutes: t.break_minutes,
            special_day: false,
            note: None,
        },
        sync_error: None,
    }
}
