//! Özet: the first screen after sign-in. Today's fleet alerts, this week's hours and overtime
//! leaders, who has no shift entered for yesterday, and where sync stands, each a link to what it
//! is about. Read through the ReadStore when the data changes, never on every frame.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use egui::{RichText, Ui};
use rainstaff_core::alerts::{self, Alert};
use rainstaff_core::payroll::{employee_report, totals, week_start};
use rainstaff_core::time::{format_date, format_duration};
use uuid::Uuid;

use crate::db::queries::ShiftFilter;
use crate::hours::shifts_for;
use crate::i18n::Pick;
use crate::ui::ctx::{Ctx, Goto};

/// How many people the hours list names.
const LEADERS: usize = 5;

/// One person's week so far.
#[derive(Debug, Clone)]
pub struct Week {
    pub id: Uuid,
    pub name: String,
    pub worked: u32,
    /// Every minute over the contract's week (the 25 % and the 50 % kinds together).
    pub overtime: u32,
}

#[derive(Debug, Default)]
pub struct Summary {
    pub alerts: Vec<Alert>,
    /// The week's leaders, most overtime first, then most hours.
    pub leaders: Vec<Week>,
    pub worked: u32,
    pub overtime: u32,
    /// Active people with no shift yesterday (nothing when yesterday was a Sunday or a holiday).
    pub missing: Vec<(Uuid, String)>,
    pub yesterday: Option<NaiveDate>,
    pub pending: i64,
    pub refused: usize,
    pub conflicts: usize,
}

#[derive(Default)]
pub struct OverviewScreen {
    pub dirty: bool,
    pub summary: Summary,
}

impl OverviewScreen {
    fn load(&mut self, ctx: &Ctx<'_>) {
        let region = &ctx.user.region;
        let store = ctx.store;
        let today = ctx.today;
        let mut s = Summary {
            alerts: store.fleet(region).map(|fleet| alerts::alerts(&fleet, today)).unwrap_or_default(),
            pending: store.pending_count().unwrap_or(0),
            refused: store.refused_changes(region).map_or(0, |list| list.len()),
            conflicts: store.conflicts(region).map_or(0, |list| list.len()),
            ..Summary::default()
        };
        let employees: Vec<_> =
            store.employees(region).unwrap_or_default().into_iter().filter(|e| e.data.active).collect();
        let calendar = store.calendar().unwrap_or_else(|_| rainstaff_core::hours::Calendar::builtin_tr());
        let (monday, sunday) = (week_start(today), week_start(today) + Duration::days(6));
        for e in &employees {
            let shifts = store.shifts(&shifts_for(e, monday, today)).unwrap_or_default();
            if shifts.is_empty() {
                continue;
            }
            let Ok(report) = employee_report(e, &shifts, &calendar) else { continue };
            let t = totals(&report, monday, sunday);
            s.worked += t.worked;
            s.overtime += t.ot50 + t.extra25;
            s.leaders.push(Week {
                id: e.id,
                name: e.data.full_name.clone(),
                worked: t.worked,
                overtime: t.ot50 + t.extra25,
            });
        }
        s.leaders.sort_by_key(|w| std::cmp::Reverse((w.overtime, w.worked)));
        s.leaders.truncate(LEADERS);
        let yesterday = today - Duration::days(1);
        if yesterday.weekday() != Weekday::Sun && calendar.holiday_on(yesterday).is_none() {
            let filter = ShiftFilter {
                employee: None,
                from: Some(yesterday),
                to: Some(yesterday),
                region: region.clone(),
            };
            let entered: HashSet<String> =
                store.shifts(&filter).unwrap_or_default().into_iter().map(|s| s.data.employee_id).collect();
            s.missing = employees
                .iter()
                .filter(|e| !entered.contains(&e.id.to_string()))
                .map(|e| (e.id, e.data.full_name.clone()))
                .collect();
            s.missing.sort_by(|a, b| rainstaff_core::text::tr_cmp(&a.1, &b.1));
            s.yesterday = Some(yesterday);
        }
        self.summary = s;
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if self.dirty {
            self.load(ctx);
            self.dirty = false;
        }
        let s = &self.summary;
        ui.heading(lang.t("Özet", "Overview"));
        egui::ScrollArea::vertical().show(ui, |ui| {
            ui.add_space(6.0);
            ui.strong(format!("{} ({})", lang.t("Bugünün uyarıları", "Today's alerts"), s.alerts.len()));
            if s.alerts.is_empty() {
                ui.label(RichText::new(lang.t("Uyarı yok", "Nothing due")).weak());
            }
            for alert in &s.alerts {
                let text = format!("{} · {}", alert.subject(), alert.message(lang));
                if ui.link(text).clicked() {
                    ctx.goto(Goto::Record { table: alert.table, id: alert.id });
                }
            }
            ui.add_space(10.0);
            ui.strong(format!(
                "{}: {} {} · {} {}",
                lang.t("Bu hafta", "This week"),
                format_duration(i64::from(s.worked)),
                lang.t("saat çalışıldı", "hours worked"),
                format_duration(i64::from(s.overtime)),
                lang.t("fazla mesai", "overtime"),
            ));
            egui::Grid::new("overview_leaders").striped(true).show(ui, |ui| {
                for week in &s.leaders {
                    if ui.link(&week.name).clicked() {
                        ctx.goto(Goto::Timesheets(week.id));
                    }
                    ui.label(format_duration(i64::from(week.worked)));
                    ui.label(format!("+{}", format_duration(i64::from(week.overtime))));
                    ui.end_row();
                }
            });
            if let Some(day) = s.yesterday {
                ui.add_space(10.0);
                ui.strong(format!(
                    "{} {} ({})",
                    lang.t("Vardiyası girilmemiş:", "No shift entered for"),
                    format_date(day),
                    s.missing.len()
                ));
                ui.horizontal_wrapped(|ui| {
                    for (id, name) in &s.missing {
                        if ui.link(name).clicked() {
                            ctx.goto(Goto::Timesheets(*id));
                        }
                    }
                });
            }
            ui.add_space(10.0);
            ui.strong(lang.t("Eşitleme", "Sync"));
            ui.horizontal(|ui| {
                ui.label(format!("{}: {}", lang.t("Bekleyen", "Pending"), s.pending));
                if ui.link(format!("{}: {}", lang.t("Reddedilen", "Refused"), s.refused)).clicked() {
                    ctx.goto(Goto::Refused);
                }
                if ui.link(format!("{}: {}", lang.t("Çakışma", "Conflicts"), s.conflicts)).clicked() {
                    ctx.goto(Goto::Settings);
                }
            });
        });
    }
}
