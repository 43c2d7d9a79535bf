//! A person's leave on their page: the annual-leave balance as the law counts it (earned, taken,
//! planned, left, carried over), their leaves of the last year and ahead, each opening on the
//! İzinler screen, and "Yeni izin" for a new one of theirs.

use chrono::Duration;
use egui::{RichText, Ui};
use rainstaff_core::leave::{Balance, Leave, LeaveKind};
use rainstaff_core::model::Record;
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::LEAVES;
use rainstaff_core::time::{format_date, parse_iso_date};
use uuid::Uuid;

use crate::i18n::{Lang, Pick};
use crate::ui::ctx::{Ctx, Goto};

/// How far back the page lists leaves: the leave year just gone is what a clerk asks about.
const LISTED_DAYS: i64 = 366;

/// What the page shows of a person's leave, read when the page opens or the data changes.
#[derive(Debug, Clone)]
pub struct LeavePanel {
    employee: Uuid,
    /// None: no hire date, so nothing is earned to count.
    balance: Option<Balance>,
    leaves: Vec<Record<Leave>>,
}

impl LeavePanel {
    pub fn load(ctx: &Ctx<'_>, employee: Uuid) -> Self {
        let from = ctx.today - Duration::days(LISTED_DAYS);
        LeavePanel {
            employee,
            balance: ctx.store.leave_balance(employee, ctx.today, None).ok().flatten(),
            leaves: ctx.store.leaves(ALL_REGIONS, Some(employee), Some(from), None).unwrap_or_default(),
        }
    }

    pub fn ui(&self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        ui.separator();
        ui.horizontal(|ui| {
            ui.strong(lang.t("İzinler", "Leave"));
            if ui.button(lang.t("Yeni izin", "New leave")).clicked() {
                ctx.goto(Goto::NewRecord { table: LEAVES.name, parent: self.employee });
            }
        });
        match &self.balance {
            Some(b) => balance_lines(ui, lang, b),
            None => {
                ui.weak(lang.t(
                    "İşe giriş tarihi girilmeden yıllık izin hakkı hesaplanmaz.",
                    "Annual leave is not counted without a hire date.",
                ));
            }
        }
        if self.leaves.is_empty() {
            ui.weak(lang.t("Son bir yılda ve ileride izin yok.", "No leave in the last year or ahead."));
        }
        for leave in &self.leaves {
            let text = leave_line(lang, &leave.data);
            if ui.link(text).clicked() {
                ctx.goto(Goto::Record { table: LEAVES.name, id: leave.id });
            }
        }
    }
}

fn balance_lines(ui: &mut Ui, lang: Lang, b: &Balance) {
    let line = match lang {
        Lang::Tr => format!(
            "Yıllık izin: hak edilen {} · kullanılan {} · planlanan {} · kalan {} gün",
            b.earned, b.taken, b.planned, b.remaining
        ),
        Lang::En => format!(
            "Annual leave: earned {} · taken {} · planned {} · left {} days",
            b.earned, b.taken, b.planned, b.remaining
        ),
    };
    let mut text = RichText::new(line).strong();
    if b.remaining < 0 {
        text = text.color(crate::ui::form::ERROR_COLOR);
    }
    ui.label(text);
    let next = b.next_on.map(format_date).unwrap_or_default();
    ui.label(match lang {
        Lang::Tr => format!(
            "Önceki yıllardan devreden {} · bu yılın hakkı {} · sonraki hak {next}",
            b.carried_over, b.this_year
        ),
        Lang::En => {
            format!(
                "Carried over {} · this year's entitlement {} · next earned {next}",
                b.carried_over, b.this_year
            )
        }
    });
}

/// "02.03.2026–06.03.2026 · Yıllık izin", and "onay bekliyor" until a manager approves it.
fn leave_line(lang: Lang, leave: &Leave) -> String {
    let day = |d: &str| parse_iso_date(d).map(format_date).unwrap_or_else(|_| d.to_string());
    let kind = LeaveKind::from_stored(&leave.kind).map_or(leave.kind.clone(), |k| k.label().get(lang).into());
    let mut line = format!("{}–{} · {kind}", day(&leave.first_day), day(&leave.last_day));
    if leave.approved_by.as_deref().is_none_or(str::is_empty) {
        line.push_str(&format!(" · {}", lang.t("onay bekliyor", "awaiting approval")));
    }
    line
}
