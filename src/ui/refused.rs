//! Refused changes: what the server would not take, parked so that the office's other changes
//! keep flowing. Each says which record it is about in the words the office knows it by, why it
//! was refused in the chosen language (the server's own words on hover), who made it, when, and
//! what it set. Managers resend it (after fixing the record) or discard it; staff only read.

use std::collections::BTreeMap;

use egui::{RichText, Ui};
use rainstaff_core::protocol::{Op, RefusalCode};
use rainstaff_core::schema::{self, FieldKind, TableSpec};
use rainstaff_core::time::{format_date, parse_iso_date};
use serde_json::{Map, Value};
use uuid::Uuid;

use crate::bus::{Command, Topic};
use crate::db::refused::RefusedChange;
use crate::db::users::Role;
use crate::i18n::{Lang, Pick, field_label};
use crate::message::refusal_text;
use crate::ui::ctx::Ctx;
use crate::ui::form;
use crate::ui::sync_indicator::WARNING_COLOR;
use crate::ui::widgets;

#[derive(Default)]
pub struct RefusedScreen {
    pub dirty: bool,
    entries: Vec<Entry>,
    error: Option<String>,
}

/// A refused change with what the store says about the records it names, read once per reload.
struct Entry {
    change: RefusedChange,
    title: Option<String>,
    /// Titles of the records its reference fields point at, by field.
    refs: BTreeMap<String, String>,
}

impl RefusedScreen {
    /// Shows a failed resend or discard above the list.
    pub fn failed(&mut self, topic: Topic, message: &str) {
        if topic == Topic::Refused {
            self.error = Some(message.to_string());
        }
    }

    fn reload(&mut self, ctx: &Ctx<'_>) {
        let changes = ctx.store.refused_changes(&ctx.user.region).unwrap_or_default();
        self.entries = changes
            .into_iter()
            .map(|change| {
                let table = schema::table(&change.table);
                let title = table
                    .and_then(|t| ctx.store.record_title(t, change.row_id, &change.fields).ok().flatten());
                let refs = table.map(|t| reference_titles(ctx, t, &change.fields)).unwrap_or_default();
                Entry { change, title, refs }
            })
            .collect();
        self.dirty = false;
    }

    pub fn ui(&mut self, ui: &mut Ui, ctx: &Ctx<'_>) {
        let lang = ctx.lang;
        if self.dirty {
            self.reload(ctx);
        }
        ui.heading(lang.t("Reddedilen değişiklikler", "Refused changes"));
        ui.label(lang.t(
            "Sunucu bu değişiklikleri almadı; diğer değişiklikler gönderilmeye devam ediyor.",
            "The server did not take these changes; the other changes are still being sent.",
        ));
        ui.label(lang.t(
            "Kaydı düzeltip kaydedin; değişiklik yeniden gönderilir.",
            "Fix the record and save it; the change is sent again.",
        ));
        let manager = ctx.user.role != Role::Staff;
        if !manager {
            ui.label(
                RichText::new(lang.t(
                    "Yeniden göndermek ya da vazgeçmek yöneticilere açık.",
                    "Only managers can resend or discard a change.",
                ))
                .weak(),
            );
        }
        if let Some(e) = &self.error {
            form::error_line(ui, e);
        }
        ui.separator();
        if self.entries.is_empty() {
            ui.label(lang.t("Reddedilen değişiklik yok", "No refused changes"));
            return;
        }
        egui::ScrollArea::vertical().auto_shrink([false, true]).show(ui, |ui| {
            for entry in &self.entries {
                if let Some(command) = entry_ui(ui, ctx, entry, manager) {
                    self.error = None;
                    ctx.send(command);
                }
                ui.add_space(6.0);
            }
        });
    }
}

/// The lock a change met, beside it: who locked which month when, so the manager knows whom to
/// ask for an unlock, or that the change can be entered again now.
fn lock_text(ctx: &Ctx<'_>, c: &RefusedChange) -> String {
    let lang = ctx.lang;
    // An edit carries the fields it changed; the day is then the server's row's.
    let server = c.server_row.as_ref().map(|r| &r.fields);
    let day = c.fields.get("work_date").or_else(|| server.and_then(|f| f.get("work_date")));
    let month = day.and_then(Value::as_str).and_then(|d| d.get(..7));
    let Some(month) = month else { return String::new() };
    match ctx.store.period(&c.region, month).ok().flatten() {
        Some(p) if p.is_locked() => {
            format!("{month} {}: {}, {}", lang.t("kilitli", "locked"), p.by, form::local_time(&p.at))
        }
        _ => format!(
            "{month} {}",
            lang.t(
                "artık kilitli değil: yeniden gönderilebilir",
                "is no longer locked: the change can be resent"
            )
        ),
    }
}

/// One refused change in a frame of its own; returns the command its buttons asked for.
fn entry_ui(ui: &mut Ui, ctx: &Ctx<'_>, entry: &Entry, manager: bool) -> Option<Command> {
    let lang = ctx.lang;
    let c = &entry.change;
    let mut command = None;
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_width(ui.available_width());
        let table = rainstaff_core::i18n::table_label(lang, &c.table);
        let record = match &entry.title {
            Some(title) => format!("{table} · {title}"),
            None => table.to_string(),
        };
        ui.horizontal_wrapped(|ui| {
            ui.strong(record);
            ui.label(RichText::new(rainstaff_core::regions::display_name(&c.region)).weak());
        });
        let reason = format!("{}: {}", lang.t("Neden", "Reason"), refusal_text(lang, c.code));
        let server_words = match c.reason.as_str() {
            "" => lang.t("Sunucu bir açıklama vermedi", "The server gave no details").to_string(),
            words => format!("{}: {words}", lang.t("Sunucunun yanıtı", "The server's answer")),
        };
        ui.label(RichText::new(reason).color(WARNING_COLOR)).on_hover_text(server_words);
        if c.code == RefusalCode::PeriodLocked {
            ui.label(lock_text(ctx, c));
        }
        ui.label(format!(
            "{}: {} · {}: {}",
            lang.t("Yapan", "Made by"),
            c.made_by.as_deref().unwrap_or("—"),
            lang.t("Zaman", "When"),
            form::local_time(&c.made_at)
        ));
        ui.horizontal_wrapped(|ui| {
            ui.label(format!("{}:", lang.t("Değişiklik", "Change")));
            match c.op {
                Op::Delete => {
                    ui.label(lang.t("kaydın silinmesi", "deleting the record"));
                }
                Op::Upsert => {
                    let spec = schema::table(&c.table);
                    let set = c
                        .fields
                        .iter()
                        .map(|(field, value)| {
                            let label = match field_label(lang, field) {
                                "" => field.as_str(),
                                label => label,
                            };
                            format!("{label} «{}»", value_text(lang, spec, field, value, &entry.refs))
                        })
                        .collect::<Vec<_>>()
                        .join(" · ");
                    ui.label(set);
                }
            }
        });
        if manager {
            ui.horizontal(|ui| {
                if ui
                    .button(lang.t("Yeniden gönder", "Resend"))
                    .on_hover_text(lang.t(
                        "Kaydın şimdiki haliyle bir sonraki eşitlemede gönderilir",
                        "Sent with the next sync, with the record as it is now",
                    ))
                    .clicked()
                {
                    command = Some(Command::ResendRefused { id: c.id });
                }
                if ui
                    .button(lang.t("Vazgeç", "Discard"))
                    .on_hover_text(lang.t(
                        "Değişiklik bırakılır; kayıt sunucudaki haline döner, sunucuda hiç yoksa silinir",
                        "The change is dropped; the record goes back to the server's version, or is \
                         removed when the server never had it",
                    ))
                    .clicked()
                {
                    command = Some(Command::DiscardRefused { id: c.id });
                }
            });
        }
    });
    command
}

/// The titles of the records a change's reference fields point at (a shift's employee, ...).
fn reference_titles(
    ctx: &Ctx<'_>,
    table: &TableSpec,
    fields: &Map<String, Value>,
) -> BTreeMap<String, String> {
    let mut titles = BTreeMap::new();
    for spec in table.fields {
        let FieldKind::Ref(target) = spec.kind else { continue };
        let Some(id) = fields.get(spec.name).and_then(Value::as_str).and_then(|s| Uuid::parse_str(s).ok())
        else {
            continue;
        };
        if let Some(title) = schema::table(target)
            .and_then(|target| ctx.store.record_title(target, id, &Map::new()).ok().flatten())
        {
            titles.insert(spec.name.to_string(), title);
        }
    }
    titles
}

/// A value a change set, as the forms show it: dates as DD.MM.YYYY, yes/no, the name of the
/// record a reference points at.
fn value_text(
    lang: Lang,
    table: Option<&TableSpec>,
    field: &str,
    value: &Value,
    refs: &BTreeMap<String, String>,
) -> String {
    let kind = table.and_then(|t| t.field(field)).map(|f| f.kind);
    match (kind, value) {
        (_, Value::Null) => "—".into(),
        (_, Value::Bool(true)) => lang.t("Evet", "Yes").into(),
        (_, Value::Bool(false)) => lang.t("Hayır", "No").into(),
        (Some(FieldKind::Ref(_)), Value::String(id)) => {
            refs.get(field).cloned().unwrap_or_else(|| id.clone())
        }
        (Some(FieldKind::Date), Value::String(s)) => {
            parse_iso_date(s).map(format_date).unwrap_or_else(|_| s.clone())
        }
        (_, Value::String(s)) if field == "break_policy" => widgets::break_policy_label(lang, s),
        (_, Value::String(s)) if field == "contract_kind" => match s.as_str() {
            "full_time" => lang.t("Tam zamanlı", "Full time").into(),
            "part_time" => lang.t("Kısmi zamanlı", "Part time").into(),
            other => other.into(),
        },
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) if field == "weekly_minutes" => {
            n.as_i64().map_or_else(|| n.to_string(), rainstaff_core::time::format_duration)
        }
        (_, other) => other.to_string(),
    }
}
