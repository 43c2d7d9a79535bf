//! Month end (Ay sonu): a manager's view of a region's month before payroll closes it, one table
//! per region with every employee's worked, normal, payable overtime, night and holiday figures
//! and warnings. The worker computes them with `rainstaff_report::build`, the code that writes
//! the workbook, so the screen and the file cannot disagree; the UI thread only waits for the
//! answer.

use egui::{RichText, Ui};
use egui_extras::{Column, TableBuilder};
use rainstaff_core::payroll::Totals;
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::regions::display_name;
use rainstaff_core::schema::PERIOD_STATES;
use rainstaff_core::text::tr_cmp;
use rainstaff_core::time::format_duration;
use rainstaff_report::{EmployeeMonth, Month, MonthReport, Selection};

use crate::bus::{Command, Topic};
use crate::db::users::Role;
use crate::i18n::{Lang, Pick};
use crate::ui::ctx::Ctx;
use crate::ui::{form, widgets};

#[derive(Default)]
pub struct MonthEndScreen {
    /// The figures must be asked for again (the data changed).
    pub dirty: bool,
    /// Chosen on first show: the month before today's, the one payroll usually closes.
    month: Option<Month>,
    region_filter: Option<String>,
    /// The last selection sent to the worker, and whether its answer is still awaited.
    asked: Option<Selection>,
    waiting: bool,
    shown: Option<MonthReport>,
    error: Option<String>,
    /// The region whose month an administrator is unlocking, and the reason typed so far.
    unlocking: Option<(String, String)>,
}

impl MonthEndScreen {
    /// The worker's figures; an answer to an earlier choice (the person moved on) is dropped.
    pub fn loaded(&mut self, report: MonthReport) {
        if self.asked.as_ref().is_some_and(|a| a.month == report.month && a.region == report.region) {
            self.waiting = false;
            self.error = None;
            self.shown = Some(report);
        }
    }

    pub fn failed(&mut self, topic: Topic, message: &str) {
        if topic == Topic::MonthEnd {
            self.waiting = false;
            self.error = Some(message.to_string());
        }
    }

    /// The region shown: a non-administrator's own, whatever was chosen.
    fn region(&self, ctx: &Ctx<'_>) -> String {
        if ctx.user.region == ALL_REGIONS {
            self.region_filter.clone().unwrap_or_else(|| ALL_REGIONS.to_string())
        } else {
            ctx.user.region.clone()
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        let mut month = *self.month.get_or_insert_with(|| Month::of(ctx.today).previous());
        ui.horizontal_wrapped(|ui| {
            ui.heading(lang.t("Ay sonu", "Month end"));
            let l = ui.label(lang.t("Ay", "Month"));
            widgets::month_combo(ui, lang, "month_end_month", &mut month).labelled_by(l.id);
            let l = ui.label(lang.t("Yıl", "Year"));
            let mut year = month.year();
            ui.add(egui::DragValue::new(&mut year).range(1900..=2999)).labelled_by(l.id);
            month = Month::new(year, month.number()).unwrap_or(month);
            if ctx.scope.has_choice() {
                widgets::region_filter(ui, lang, ctx.scope.regions(), &mut self.region_filter);
            }
            if self.waiting {
                ui.spinner();
                ui.label(lang.t("Hesaplanıyor…", "Computing…"));
            }
        });
        self.month = Some(month);
        let selection = Selection { month, employee: None, region: self.region(ctx) };
        if self.dirty || self.asked.as_ref() != Some(&selection) {
            self.dirty = false;
            self.waiting = true;
            self.asked = Some(selection.clone());
            ctx.send(Command::MonthEnd { selection });
        }
        ui.label(
            RichText::new(lang.t(
                "Excel raporuyla aynı hesap: çalışma yasal molalar düşülmüş, fazla süre ve fazla \
                 çalışma ödenecek haliyle.",
                "The Excel report's computation: worked time after the statutory breaks, extra time \
                 and overtime as payable.",
            ))
            .weak(),
        );
        if let Some(e) = &self.error {
            form::error_line(ui, e);
        }
        let Some(report) = &self.shown else { return };
        let unlocking = &mut self.unlocking;
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            let regions = by_region(report);
            if regions.is_empty() {
                ui.label(lang.t("Bu ay için personel yok", "No employees for this month"));
            }
            for (region, employees) in regions {
                ui.add_space(8.0);
                ui.strong(format!(
                    "{} — {} {}",
                    display_name(region),
                    Month::month_name(report.month.number(), lang),
                    report.month.year()
                ));
                period_ui(ui, ctx, region, &report.month.to_string(), unlocking);
                region_table(ui, lang, region, &employees);
            }
        });
    }
}

/// Where `region`'s `month` stands for payroll, and what the person may do next: a manager
/// approves it, an administrator locks it or, with a reason, unlocks it.
fn period_ui(
    ui: &mut Ui,
    ctx: &Ctx<'_>,
    region: &str,
    month: &str,
    unlocking: &mut Option<(String, String)>,
) {
    let lang = ctx.lang;
    let period = ctx.store.period(region, month).ok().flatten();
    let state = period.as_ref().map_or("", |p| p.state.as_str());
    let admin = ctx.user.role == Role::Admin;
    let send = |state: &'static str, reason: Option<String>| {
        ctx.send(Command::SetPeriod { region: region.to_string(), period: month.to_string(), state, reason });
    };
    ui.horizontal_wrapped(|ui| {
        match &period {
            None => ui.label(lang.t("Açık: henüz onaylanmadı", "Open: not approved yet")),
            Some(p) => {
                let words = PERIOD_STATES
                    .iter()
                    .find(|c| c.value == p.state)
                    .map_or(p.state.as_str(), |c| c.label.get(lang));
                let reason = p.reason.as_deref().map(|r| format!(" · {r}")).unwrap_or_default();
                let text = format!("{words}: {}, {}{reason}", p.by, form::local_time(&p.at));
                if p.is_locked() { ui.strong(text) } else { ui.label(text) }
            }
        };
        if state != "locked"
            && state != "approved"
            && ctx.user.role != Role::Staff
            && ui.button(lang.t("Onayla", "Approve")).clicked()
        {
            send("approved", None);
        }
        if admin && state != "locked" && ui.button(lang.t("Kilitle", "Lock")).clicked() {
            send("locked", None);
        }
        if admin
            && state == "locked"
            && unlocking.is_none()
            && ui.button(lang.t("Kilidi aç…", "Unlock…")).clicked()
        {
            *unlocking = Some((region.to_string(), String::new()));
        }
    });
    let Some((_, reason)) = unlocking.as_mut().filter(|(open, _)| open == region) else { return };
    let mut done = false;
    ui.horizontal(|ui| {
        let l = ui.label(lang.t("Neden", "Reason"));
        ui.add(egui::TextEdit::singleline(reason).desired_width(320.0)).labelled_by(l.id);
        if ui.button(lang.t("Kilidi aç", "Unlock")).clicked() {
            send("unlocked", Some(reason.clone()));
            done = true;
        }
        done |= ui.button(lang.t("Vazgeç", "Cancel")).clicked();
    });
    if done {
        *unlocking = None;
    }
}

/// The report's employees by region, regions and names in Turkish alphabetical order.
fn by_region(report: &MonthReport) -> Vec<(&str, Vec<&EmployeeMonth>)> {
    let mut regions: Vec<&str> = report.employees.iter().map(|e| e.employee.region.as_str()).collect();
    regions.sort_by(|a, b| tr_cmp(display_name(a), display_name(b)));
    regions.dedup();
    regions
        .into_iter()
        .map(|region| {
            let mut employees: Vec<&EmployeeMonth> =
                report.employees.iter().filter(|e| e.employee.region == region).collect();
            employees.sort_by(|a, b| tr_cmp(&a.employee.data.full_name, &b.employee.data.full_name));
            (region, employees)
        })
        .collect()
}

fn holiday_units(lang: Lang, units: f64) -> String {
    let text = format!("{units:.1}");
    if lang == Lang::Tr { text.replace('.', ",") } else { text }
}

/// The figures of one row, in the columns' order.
fn figures(lang: Lang, t: &Totals) -> [String; 6] {
    let d = |m: u32| format_duration(i64::from(m));
    [
        d(t.worked),
        d(t.normal),
        d(t.extra25_payable),
        d(t.ot50_payable),
        d(t.night),
        holiday_units(lang, t.holiday_units),
    ]
}

fn region_table(ui: &mut Ui, lang: Lang, region: &str, employees: &[&EmployeeMonth]) {
    let mut sum = Totals::default();
    for e in employees {
        sum += &e.totals;
    }
    ui.push_id(region, |ui| {
        TableBuilder::new(ui)
            .id_salt(region)
            .striped(true)
            .vscroll(false)
            .column(Column::auto().at_least(240.0))
            .columns(Column::auto().at_least(64.0), 6)
            .column(Column::remainder().at_least(160.0).clip(true))
            .header(24.0, |mut header| {
                for label in [
                    lang.t("Personel", "Employee"),
                    lang.t("Çalışma", "Worked"),
                    lang.t("Normal", "Normal"),
                    lang.t("%25 ödenecek", "+25 % payable"),
                    lang.t("%50 ödenecek", "+50 % payable"),
                    lang.t("Gece", "Night"),
                    lang.t("Tatil (gün)", "Holiday (days)"),
                    lang.t("Uyarılar", "Warnings"),
                ] {
                    header.col(|ui| {
                        ui.strong(label);
                    });
                }
            })
            .body(|mut body| {
                for e in employees {
                    body.row(22.0, |mut row| {
                        row.col(|ui| {
                            ui.add(egui::Label::new(&e.employee.data.full_name).truncate());
                        });
                        for figure in figures(lang, &e.totals) {
                            row.col(|ui| {
                                ui.label(figure);
                            });
                        }
                        row.col(|ui| {
                            // The month's flags, its weeks' own (no 24 h rest) included.
                            let labels: Vec<&str> = e.flags.iter().map(|f| f.label(lang)).collect();
                            if !labels.is_empty() {
                                let text = labels.join("; ");
                                ui.add(
                                    egui::Label::new(RichText::new(&text).color(form::ERROR_COLOR))
                                        .truncate(),
                                )
                                .on_hover_text(text);
                            }
                        });
                    });
                }
                body.row(22.0, |mut row| {
                    row.col(|ui| {
                        ui.strong(lang.t("Toplam", "Total"));
                    });
                    for figure in figures(lang, &sum) {
                        row.col(|ui| {
                            ui.strong(figure);
                        });
                    }
                    row.col(|_| {});
                });
            });
    });
}
