//! The pages about the system itself: devices (an administrator's), conflicts and the audit
//! trail (each person's regions).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use rainstaff_core::audit::{action_label, describe_changes};
use rainstaff_core::i18n::Lang;
use rainstaff_core::protocol::ALL_REGIONS;
use rainstaff_core::schema::AUDIT_ACTIONS;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::WebState;
use super::page::{CsrfForm, Page, Refused};
use crate::error::ServiceError;
use crate::service::{AuditFilter, IssuedCode};
use crate::store::Store;

#[derive(Serialize)]
struct DeviceView {
    id: String,
    name: String,
    region: String,
    created_at: String,
    revoked_at: Option<String>,
    last_push_at: Option<String>,
    last_pull_at: Option<String>,
    app_version: Option<String>,
    refused: i64,
    lag: i64,
}

pub async fn devices<S: Store>(State(state): State<WebState<S>>, page: Page) -> Result<Response, Refused> {
    devices_page(&state, &page, None).await
}

/// The devices page; with the enrollment code just issued, shown this once (it is stored only
/// as a hash, and the page is the answer to the form, so it is in no address or log).
async fn devices_page<S: Store>(
    state: &WebState<S>,
    page: &Page,
    issued: Option<IssuedCode>,
) -> Result<Response, Refused> {
    page.signed.viewer.require_admin().map_err(|e| page.error(&e))?;
    let viewer = page.signed.viewer.clone();
    let rows = state.call(move |server| server.devices_for(&viewer)).await.map_err(|e| page.error(&e))?;
    let devices: Vec<DeviceView> = rows
        .into_iter()
        .map(|r| DeviceView {
            id: r.device.id.to_string(),
            name: r.device.name,
            region: r.device.region,
            created_at: r.device.created_at,
            revoked_at: r.device.revoked_at,
            last_push_at: r.device.last_push_at,
            last_pull_at: r.device.last_pull_at,
            app_version: r.device.app_version,
            refused: r.device.refused,
            lag: r.lag,
        })
        .collect();
    let issued = issued
        .map(|i| minijinja::context! { code => i.code, region => i.region, expires_at => i.expires_at });
    Ok(page.render("devices.html", minijinja::context! { devices, issued, all => ALL_REGIONS }))
}

#[derive(Deserialize)]
pub struct EnrollForm {
    #[serde(default)]
    csrf_token: String,
    #[serde(default)]
    region: String,
}

pub async fn enroll_code<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Form(form): Form<EnrollForm>,
) -> Result<Response, Refused> {
    page.check_csrf(&form.csrf_token)?;
    let viewer = page.signed.viewer.clone();
    let issued = state
        .call(move |server| server.issue_enroll_code(&viewer, &form.region))
        .await
        .map_err(|e| page.error(&e))?;
    devices_page(&state, &page, Some(issued)).await
}

pub async fn revoke<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Path(id): Path<String>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Refused> {
    page.check_csrf(&form.csrf_token)?;
    let id = Uuid::parse_str(&id)
        .map_err(|_| page.error(&ServiceError::not_found("device_not_found", "no such device")))?;
    let viewer = page.signed.viewer.clone();
    state.call(move |server| server.revoke_by(&viewer, id)).await.map_err(|e| page.error(&e))?;
    Ok(Redirect::to("/devices").into_response())
}

#[derive(Deserialize, Default)]
pub struct ConflictsQuery {
    #[serde(default)]
    all: Option<String>,
}

pub async fn conflicts<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Query(query): Query<ConflictsQuery>,
) -> Result<Response, Refused> {
    let include_resolved = query.all.is_some();
    let viewer = page.signed.viewer.clone();
    let conflicts = state
        .call(move |server| server.conflicts_for(&viewer, include_resolved))
        .await
        .map_err(|e| page.error(&e))?;
    Ok(page.render("conflicts.html", minijinja::context! { conflicts, include_resolved }))
}

pub async fn resolve<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Path(id): Path<i64>,
    Form(form): Form<CsrfForm>,
) -> Result<Response, Refused> {
    page.check_csrf(&form.csrf_token)?;
    let viewer = page.signed.viewer.clone();
    state.call(move |server| server.resolve_conflict_by(&viewer, id)).await.map_err(|e| page.error(&e))?;
    Ok(Redirect::to("/conflicts").into_response())
}

#[derive(Deserialize, Default)]
pub struct AuditQueryForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

/// The actions the server's own entries record, as its filter and its rows name them; the
/// desktops' entries name theirs from `schema::AUDIT_ACTIONS`.
const ACTIONS: &[(&str, &str, &str)] = &[
    ("sign_in", "Giriş", "Signed in"),
    ("sign_in_failed", "Hatalı giriş", "Failed sign-in"),
    ("locked_out", "Kilitlendi", "Locked out"),
    ("sign_out", "Çıkış", "Signed out"),
    ("device_enrolled", "Bilgisayar kaydedildi", "Computer enrolled"),
    ("device_revoked", "Bilgisayar iptal edildi", "Computer revoked"),
    ("enroll_code_issued", "Kayıt kodu üretildi", "Enrollment code issued"),
    ("push", "Eşitleme gönderimi", "Sync push"),
    ("conflict_resolved", "Çakışma incelendi", "Conflict reviewed"),
    ("report_downloaded", "Rapor indirildi", "Report downloaded"),
];

/// The words for an action code in `lang`; an unknown code as it is.
fn action_words(code: &str, lang: Lang) -> String {
    let server = ACTIONS.iter().find(|(c, ..)| *c == code).map(|(_, tr, en)| lang.pick(tr, en));
    server.unwrap_or_else(|| action_label(lang, code)).to_string()
}

/// Every action code the trail may hold, the server's first, each once.
fn action_codes() -> Vec<&'static str> {
    let mut codes: Vec<&str> = ACTIONS.iter().map(|(code, ..)| *code).collect();
    for choice in AUDIT_ACTIONS {
        if !codes.contains(&choice.value) {
            codes.push(choice.value);
        }
    }
    codes
}

pub async fn audit<S: Store>(
    State(state): State<WebState<S>>,
    page: Page,
    Query(form): Query<AuditQueryForm>,
) -> Result<Response, Refused> {
    let given = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let filter = AuditFilter {
        action: given(&form.action),
        actor: given(&form.actor),
        from: given(&form.from),
        to: given(&form.to),
    };
    let viewer = page.signed.viewer.clone();
    let asked = filter.clone();
    let entries =
        state.call(move |server| server.audit_trail(&viewer, &asked)).await.map_err(|e| page.error(&e))?;
    let lang = page.out.lang;
    let entries: Vec<_> = entries
        .into_iter()
        .map(|e| {
            let detail = match &e.record_table {
                Some(table) => describe_changes(lang, Some(table), &e.detail),
                None => e.detail,
            };
            minijinja::context! {
                at => e.at, actor => e.actor, region => e.region, action => action_words(&e.action, lang),
                subject => e.subject, detail,
            }
        })
        .collect();
    Ok(page.render(
        "audit.html",
        minijinja::context! {
            entries,
            actions => action_codes().into_iter().map(|code| (code, action_words(code, lang))).collect::<Vec<_>>(),
            action => filter.action, actor => filter.actor, from => filter.from, to => filter.to,
        },
    ))
}
